// Requests resolved into plans against the committed random pack (base, Flash and inpainting U-Nets,
// a ControlNet and an IP-Adapter): which U-Nets each sampler runs, what loads, and what is refused.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { GenerateParams, InpaintParams } from '../../shared/engine-api';
import { InvalidParamsError } from '../../shared/errors';
import { parseManifest } from '../pack/manifest';
import { defaultComponents, planRequest, samplerOptions } from './plan';
import { resolutionLimits } from './request-checks';

const manifest = parseManifest(
  JSON.parse(
    readFileSync(new URL('../../public/models/kandinsky3-tiny-random/manifest.json', import.meta.url), 'utf8'),
  ),
);

const params: GenerateParams = {
  prompt: 'red apple',
  negativePrompt: '',
  seed: 1,
  sampler: 'flash',
  steps: 8,
  guidance: 3,
  width: 64,
  height: 64,
};

const stagesOf = (p: GenerateParams, task: 'text-to-image' | 'inpaint' = 'text-to-image') =>
  Object.fromEntries(Object.entries(planRequest(manifest, p, task).stages).map(([k, v]) => [k, [v.unetId, v.guided]]));

describe('a request planned once', () => {
  it('gives each sampler its U-Nets: Flash unguided, the ancestral ones guided, the refiner both', () => {
    expect(stagesOf(params)).toEqual({ flash: ['unet_flash', false] });
    expect(stagesOf({ ...params, sampler: 'ddpm' })).toEqual({ base: ['unet_base', true] });
    expect(stagesOf({ ...params, sampler: 'ancestral', guidance: 0 })).toEqual({ base: ['unet_base', false] });
    expect(stagesOf({ ...params, sampler: 'refiner' })).toEqual({
      base: ['unet_base', true],
      flash: ['unet_flash', false],
    });
  });

  it('inpaints with the inpainting U-Nets of the same stages', () => {
    const inpaint: InpaintParams = {
      ...params,
      sampler: 'refiner',
      image: new Uint8ClampedArray(64 * 64 * 4),
      mask: new Uint8Array(64 * 64).fill(255),
      feather: 0,
    };
    const plan = planRequest(manifest, inpaint, 'inpaint');
    expect(Object.values(plan.stages).map((s) => s.unetId)).toEqual(['unet_inpainting', 'unet_inpainting']);
    expect(plan.encoder).toBe('movq_encoder');
  });

  it('runs the refiner: the base U-Net over the noisy part, then Flash at its late timesteps', () => {
    const plan = planRequest(manifest, { ...params, sampler: 'refiner', steps: 4 }, 'text-to-image');
    expect(plan.sampler.timesteps).toEqual([
      { t: 999, stage: 'base' },
      { t: 869, stage: 'base' },
      { t: 739, stage: 'base' },
      { t: 609, stage: 'base' },
      { t: 479, stage: 'flash' },
      { t: 229, stage: 'flash' },
    ]);
  });

  it('lists what the request runs, to load what is missing, and no more', () => {
    expect(planRequest(manifest, params, 'text-to-image').components).toEqual([
      'text_encoder',
      'unet_flash',
      'movq_decoder',
    ]);
    const refiner = planRequest(
      manifest,
      { ...params, sampler: 'refiner', init: { image: new Uint8ClampedArray(64 * 64 * 4), strength: 0.5 } },
      'text-to-image',
    );
    expect(refiner.components).toEqual(['text_encoder', 'unet_base', 'unet_flash', 'movq_encoder', 'movq_decoder']);
    expect(defaultComponents(manifest)).toEqual(['text_encoder', 'unet_flash', 'movq_decoder']);
  });

  it('offers the samplers the pack can run, with what each takes', () => {
    expect(manifest.defaults.sampler).toBe('flash');
    expect(samplerOptions(manifest)).toEqual([
      { name: 'flash', fixedSteps: 4, defaultSteps: 4, maxSteps: 4, guidance: false, defaultGuidance: 0 },
      { name: 'refiner', fixedSteps: null, defaultSteps: 12, maxSteps: 1000, guidance: true, defaultGuidance: 3 },
      { name: 'ddpm', fixedSteps: null, defaultSteps: 25, maxSteps: 1000, guidance: true, defaultGuidance: 3 },
      { name: 'ancestral', fixedSteps: null, defaultSteps: 50, maxSteps: 1000, guidance: true, defaultGuidance: 3 },
    ]);
    // A pack's own default sampler starts at the pack's steps and guidance.
    const ddpmPack = structuredClone(manifest);
    ddpmPack.defaults = { ...ddpmPack.defaults, sampler: 'ddpm', steps: 30, guidance: 4 };
    expect(samplerOptions(ddpmPack)[2]).toMatchObject({ name: 'ddpm', defaultSteps: 30, defaultGuidance: 4 });
    const baseOnly = structuredClone(manifest);
    delete baseOnly.components.unet_flash;
    expect(samplerOptions(baseOnly).map((s) => s.name)).toEqual(['ddpm', 'ancestral']);
    expect(() => planRequest(baseOnly, { ...params, sampler: 'refiner' }, 'text-to-image')).toThrow(
      /no distilled U-Net, which the refiner sampler needs: pick ddpm or ancestral/,
    );
  });

  it('decides the sizes in one place, and refuses what does not fit', () => {
    const limits = resolutionLimits(manifest);
    expect(() => planRequest(manifest, { ...params, width: limits.max + limits.multipleOf }, 'text-to-image')).toThrow(
      InvalidParamsError,
    );
    const tooLarge = {
      sizeFit: () => ({ problems: ['the U-Net needs 9 GB'], tiled: { decode: false, encode: false } }),
    };
    expect(() => planRequest(manifest, params, 'text-to-image', tooLarge)).toThrow(
      /64×64 is too large for this device: the U-Net needs 9 GB/,
    );
    expect(() => planRequest(manifest, { ...params, sampler: 'euler' as never }, 'text-to-image')).toThrow(
      /no sampler called "euler"/,
    );
  });

  it("takes the decoder's and encoder's windows from the memory plan where the device limits call for them", () => {
    expect(planRequest(manifest, params, 'text-to-image').tiling).toEqual({ decode: null, encode: null });
    const tiles = manifest.memoryPlan!.tiles!;
    const decodeOnly = { sizeFit: () => ({ problems: [], tiled: { decode: true, encode: false } }) };
    expect(planRequest(manifest, params, 'text-to-image', decodeOnly).tiling).toEqual({
      decode: { window: tiles.latentWindow, overlap: tiles.latentOverlap },
      encode: null,
    });
  });
});
