// Image-to-image on onnxruntime-node with the nano pack: the reference's strength rule (keep the last
// ⌊steps·s⌋ timesteps, noise the image to the first), strength 0 returns the input through the
// autoencoder, strength 1 all but ignores it.
import { beforeAll, describe, expect, it } from 'vitest';
import type { GenerateParams } from '../engine-api';
import { ImageSizeError } from '../errors';
import { keptTimesteps } from './denoise';
import { generate, type PipelineContext } from './generate';
import { nodePipeline, type GraphCall } from './node-pipeline';

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
  it('keeps the last ⌊n·s⌋ timesteps', () => {
    expect(keptTimesteps([979, 729, 479, 229], 0.5)).toEqual([479, 229]);
    expect(keptTimesteps([979, 729, 479, 229], 0.3)).toEqual([229]);
    expect(keptTimesteps([979, 729, 479, 229], 1)).toEqual([979, 729, 479, 229]);
    expect(keptTimesteps([979, 729, 479, 229], 0)).toEqual([]);
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
