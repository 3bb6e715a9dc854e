// Image-to-image on onnxruntime-node with the nano pack: the reference's strength rule (keep the last
// ⌊steps·s⌋ timesteps, noise the image to the first), strength 0 returns the input through the
// autoencoder, strength 1 all but ignores it.
import { beforeAll, describe, expect, it } from 'vitest';
import type { GenerateParams } from '../../shared/engine-api';
import { ImageSizeError } from '../../shared/errors';
import { firstKeptStep } from './sampler';
import { generate } from './generate';
import type { PipelineContext } from './pipeline-context';
import { nodePipeline, type GraphCall } from '../../test-support/node-pipeline';

let ctx: PipelineContext;
let calls: GraphCall[];
let apple: Uint8ClampedArray;
const white = new Uint8ClampedArray(64 * 64 * 4).fill(255);
const base: GenerateParams = {
  prompt: 'red apple, 3d style',
  negativePrompt: '',
  seed: 5,
  sampler: 'flash',
  steps: 4,
  guidance: 0,
  width: 64,
  height: 64,
};

const meanAbsDiff = (a: Uint8ClampedArray, b: Uint8ClampedArray) => {
  let sum = 0;
  for (let i = 0; i < a.length; i += 4) for (let c = 0; c < 3; c++) sum += Math.abs(a[i + c]! - b[i + c]!);
  return sum / ((a.length / 4) * 3);
};

beforeAll(async () => {
  ({ ctx, calls } = await nodePipeline(new URL('../../public/models/kandinsky3-nano/', import.meta.url), 'int8w'));
  apple = (await generate(ctx, { ...base, seed: 1 }, () => {})).pixels;
}, 120_000);

describe('image-to-image', () => {
  it('keeps the last ⌊n·s⌋ steps', () => {
    expect(firstKeptStep(4, 0.5)).toBe(2);
    expect(firstKeptStep(4, 0.3)).toBe(3);
    expect(firstKeptStep(4, 1)).toBe(0);
    expect(firstKeptStep(4, 0)).toBe(4);
    expect(firstKeptStep(50, 0.7)).toBe(15);
  });

  it('at strength 0 returns the input within the autoencoder error, without a U-Net call', async () => {
    calls.length = 0;
    const out = await generate(ctx, { ...base, init: { image: apple, strength: 0 } }, () => {});
    expect(calls.map((c) => c.component)).toEqual(['text_encoder', 'movq_encoder', 'movq_decoder']);
    expect(meanAbsDiff(out.pixels, apple)).toBeLessThan(12);
  });

  it('at strength 1 all but ignores the input; at 0.5 it follows it, in half the Flash steps', async () => {
    const fromApple = await generate(ctx, { ...base, init: { image: apple, strength: 1 } }, () => {});
    const fromWhite = await generate(ctx, { ...base, init: { image: white, strength: 1 } }, () => {});
    const inputs = meanAbsDiff(apple, white);
    expect(meanAbsDiff(fromApple.pixels, fromWhite.pixels)).toBeLessThan(inputs / 5);

    calls.length = 0;
    const halfApple = await generate(ctx, { ...base, init: { image: apple, strength: 0.5 } }, () => {});
    expect(calls.filter((c) => c.component === 'unet_flash')).toHaveLength(2);
    const halfWhite = await generate(ctx, { ...base, init: { image: white, strength: 0.5 } }, () => {});
    expect(meanAbsDiff(halfApple.pixels, halfWhite.pixels)).toBeGreaterThan(
      meanAbsDiff(fromApple.pixels, fromWhite.pixels),
    );
  });

  it('noises the image to the first kept step of the base sampler', async () => {
    calls.length = 0;
    await generate(
      ctx,
      { ...base, sampler: 'ddpm', steps: 10, guidance: 0, init: { image: apple, strength: 0.3 } },
      () => {},
    );
    expect(calls.filter((c) => c.component === 'unet_base')).toHaveLength(3);
  });

  it('names a start image of the wrong size', async () => {
    await expect(
      generate(ctx, { ...base, init: { image: white.subarray(0, 400), strength: 0.5 } }, () => {}),
    ).rejects.toThrow(ImageSizeError);
  });
});
