import { describe, expect, it } from 'vitest';
import { formatParameters, parseParameters, type GenerationParameters } from './generation-parameters';

const p: GenerationParameters = {
  prompt: 'red apple, 3d style',
  negativePrompt: 'blurry, dark',
  seed: 42,
  steps: 25,
  guidance: 3,
  sampler: 'ddpm',
  width: 64,
  height: 48,
  model: 'kandinsky3-nano',
};

describe('A1111 parameters text', () => {
  it('writes the A1111 layout', () => {
    expect(formatParameters(p)).toBe(
      'red apple, 3d style\nNegative prompt: blurry, dark\n' +
        'Steps: 25, Sampler: DDPM, CFG scale: 3, Seed: 42, Size: 64x48, Model: kandinsky3-nano',
    );
  });

  it('writes edge guidance as a ControlNet unit and image fusion as an IP-Adapter entry', () => {
    const text = formatParameters({
      ...p,
      edgeGuidance: { source: 'drawing', strength: 1.5, start: 0, end: 0.5 },
      imageFusion: {
        pictures: [
          { name: 'cat (1).png', weight: 0.5 },
          { name: 'dog.png', weight: 1 },
        ],
        strength: 1,
      },
    });
    expect(text.split('\n').at(-1)).toBe(
      'Steps: 25, Sampler: DDPM, CFG scale: 3, Seed: 42, Size: 64x48, Model: kandinsky3-nano, ' +
        'ControlNet 0: "Module: scribble, Weight: 1.5, Guidance Start: 0, Guidance End: 0.5", ' +
        'IP-Adapter: "Weight: 1, Images: cat _1_.png (0.5); dog.png (1)"',
    );
    // The extra units do not disturb reading the rest back.
    expect(parseParameters(text)).toEqual(p);
  });

  it('reads back what it writes, multi-line prompts and quoted values included', () => {
    expect(parseParameters(formatParameters(p))).toEqual(p);
    const tricky = {
      ...p,
      prompt: 'line one\nline two',
      negativePrompt: '',
      model: 'pack: v2, int8',
      sampler: 'flash' as const,
    };
    expect(parseParameters(formatParameters(tricky))).toEqual(tricky);
  });

  it('records the upscaler, on or turned off, and reads it back; the size stays the model’s', () => {
    const on = { ...p, upscale: 4 };
    expect(formatParameters(on).split('\n').at(-1)).toBe(
      'Steps: 25, Sampler: DDPM, CFG scale: 3, Seed: 42, Size: 64x48, Model: kandinsky3-nano, Upscale: 4x',
    );
    expect(parseParameters(formatParameters(on))).toEqual(on);
    const off = { ...p, upscale: 'off' as const };
    expect(formatParameters(off)).toMatch(/, Upscale: off$/);
    expect(parseParameters(formatParameters(off))).toEqual(off);
  });

  it('names every sampler apart, the Flash refiner included, and reads each back', () => {
    const refiner = { ...p, sampler: 'refiner' as const, steps: 8 };
    const text = formatParameters(refiner);
    expect(text.split('\n').at(-1)).toContain('Sampler: Kandinsky Flash refiner,');
    expect(parseParameters(text)).toEqual(refiner);
    for (const sampler of ['flash', 'refiner', 'ddpm', 'ancestral'] as const) {
      expect(parseParameters(formatParameters({ ...p, sampler }))?.sampler).toBe(sampler);
    }
  });

  it('reads text written by A1111 itself, keeping what it knows', () => {
    const a1111 =
      'a cat\nNegative prompt: ugly\nSteps: 20, Sampler: Euler a, CFG scale: 7, Seed: 1234, Size: 512x768, Model hash: abc, Model: sd15';
    expect(parseParameters(a1111)).toEqual({
      prompt: 'a cat',
      negativePrompt: 'ugly',
      steps: 20,
      guidance: 7,
      seed: 1234,
      width: 512,
      height: 768,
      model: 'sd15',
    });
  });

  it('says null for text that is not parameters', () => {
    expect(parseParameters('just a comment')).toBeNull();
  });
});
