// The upscaler on onnxruntime-node with the random test pack (its upscaler is nano's architecture at its
// narrowest): the size it makes, what it refuses by name, and that it is the graph's own output.
import { beforeAll, describe, expect, it } from 'vitest';
import * as ort from 'onnxruntime-node';
import { NoUpscalerError, UpscaleSizeError } from '../../shared/errors';
import { nodePipeline, readPackFile, type GraphCall } from '../../test-support/node-pipeline';
import { externalWeights } from '../pack/int8-weights';
import { variantFiles } from '../pack/manifest';
import { rgbaToImage } from './image-to-tensor';
import type { PipelineContext } from './pipeline-context';
import { upscale, upscaleSizeProblem } from './upscale';

const packDir = new URL('../../public/models/kandinsky3-tiny-random/', import.meta.url);
let ctx: PipelineContext;
let calls: GraphCall[];

/** A 64×48 picture of smooth colour ramps. */
function picture(width = 64, height = 48): { width: number; height: number; pixels: Uint8ClampedArray } {
  const pixels = new Uint8ClampedArray(width * height * 4);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      pixels.set([(255 * x) / width, (255 * y) / height, 128, 255], 4 * (y * width + x));
    }
  }
  return { width, height, pixels };
}

beforeAll(async () => {
  ({ ctx, calls } = await nodePipeline(packDir, 'int8w'));
}, 60_000);

describe('the upscaler', () => {
  it('is declared with its factor and sizes, and enlarges a picture by its factor', async () => {
    const info = ctx.manifest.components[ctx.manifest.defaults.upscaler!]!.upscaler!;
    expect(info).toEqual({ factor: 4, input: { min: 16, max: 128, multipleOf: 8 }, output: { min: 64, max: 512 } });
    const out = await upscale(ctx, picture());
    expect([out.width, out.height, out.factor]).toEqual([256, 192, 4]);
    expect(out.pixels).toHaveLength(256 * 192 * 4);
    expect(calls.at(-1)).toEqual({ component: 'upscaler', dims: { image: [1, 3, 48, 64] } });
    for (let i = 3; i < out.pixels.length; i += 4) expect(out.pixels[i]).toBe(255);
  });

  it('returns the graph’s own output, as RGBA', async () => {
    const input = picture(32, 32);
    const out = await upscale(ctx, input);
    const variant = ctx.manifest.components.upscaler!.variants.int8w!;
    const externalData = await externalWeights(variant, async (path) => readPackFile(packDir, path));
    const session = await ort.InferenceSession.create(
      new Uint8Array(readPackFile(packDir, variantFiles(variant)[0]!)),
      {
        graphOptimizationLevel: 'basic',
        ...(externalData ? { externalData } : {}),
      },
    );
    const result = await session.run({
      image: new ort.Tensor('float32', rgbaToImage(input.pixels, 32, 32), [1, 3, 32, 32]),
    });
    const direct = result.upscaled!.data as Float32Array;
    const plane = 128 * 128;
    let worst = 0;
    for (let i = 0; i < plane; i++) {
      for (let c = 0; c < 3; c++) {
        worst = Math.max(
          worst,
          Math.abs(out.pixels[4 * i + c]! - Math.round(((direct[c * plane + i]! + 1) / 2) * 255)),
        );
      }
    }
    expect(worst).toBeLessThanOrEqual(1);
  });

  it('refuses, by name, a picture of a size it does not take, before running anything', async () => {
    const info = ctx.manifest.components.upscaler!.upscaler!;
    const before = calls.length;
    for (const [width, height] of [
      [136, 64], // over the largest side
      [60, 64], // not a multiple of 8
      [8, 8], // under the smallest
    ] as const) {
      const problem = upscaleSizeProblem(info, width, height);
      expect(problem).toBeInstanceOf(UpscaleSizeError);
      expect(problem!.message).toContain(`This picture is ${width}×${height} px`);
      expect(problem!.message).toContain('from 16 to 128 px on each side, in steps of 8 px');
      await expect(upscale(ctx, picture(width, height))).rejects.toThrow(UpscaleSizeError);
    }
    await expect(upscale(ctx, { width: 64, height: 64, pixels: new Uint8ClampedArray(10) })).rejects.toThrow(
      UpscaleSizeError,
    );
    expect(calls.length).toBe(before);
    expect(upscaleSizeProblem(info, 128, 16)).toBeNull();
  });

  it('is refused by name for a pack without one', async () => {
    const { upscaler: _gone, ...defaults } = ctx.manifest.defaults;
    void _gone;
    const without = { ...ctx, manifest: { ...ctx.manifest, defaults } };
    await expect(upscale(without, picture())).rejects.toThrow(NoUpscalerError);
    await expect(upscale(without, picture())).rejects.toThrow('has no upscaler');
  });
});
