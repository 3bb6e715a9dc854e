// Tiled MoVQ decoding and encoding: where the windows fall, how they blend, and how far nano's tiled
// decode of a real picture is from its whole-image decode (docs/packs-and-conversion.md states it).
import { beforeAll, describe, expect, it } from 'vitest';
import type { GenerateParams } from '../../shared/engine-api';
import { nodePipeline } from '../../test-support/node-pipeline';
import { decodeLatent, denoiseLatent } from './denoise';
import { encodeImage } from './encode-image';
import { rgbaToImage } from './image-to-tensor';
import type { PipelineContext } from './pipeline-context';
import { planRequest, type GenerationPlan } from './plan';
import { stageInputs } from './stage-inputs';
import { runInWindows, windowStarts, windowWeights, type PlaneStack } from './tiled-movq';

describe('windows', () => {
  it('start at 0, end at the edge, and share at least the overlap', () => {
    expect(windowStarts(128, 64, 16)).toEqual([0, 32, 64]);
    expect(windowStarts(32, 16, 4)).toEqual([0, 8, 16]);
    expect(windowStarts(64, 64, 16)).toEqual([0]);
    expect(windowStarts(40, 64, 16)).toEqual([0]);
    for (let length = 65; length <= 300; length += 7) {
      for (const [window, overlap] of [
        [64, 16],
        [48, 8],
        [16, 4],
      ] as const) {
        const starts = windowStarts(length, window, overlap);
        expect(starts[0]).toBe(0);
        expect(starts.at(-1)).toBe(length - window);
        for (let i = 1; i < starts.length; i++)
          expect(starts[i - 1]! + window - starts[i]!).toBeGreaterThanOrEqual(overlap);
      }
    }
    expect(() => windowStarts(100, 16, 16)).toThrow(/overlap of 16 needs windows larger than 16/);
  });

  it('blend: weights of neighbours add up to one across the band they share', () => {
    const left = windowWeights(64, 0, 16);
    const right = windowWeights(64, 16, 0);
    for (let i = 0; i < 16; i++) expect(left[48 + i]! + right[i]!).toBeCloseTo(1, 6);
    expect(left[0]).toBe(1);
    expect(right[63]).toBe(1);
  });

  it('a position-independent operation comes out exactly as on the whole input', async () => {
    const input: PlaneStack = { data: new Float32Array(2 * 40 * 56), channels: 2, height: 40, width: 56 };
    for (let i = 0; i < input.data.length; i++) input.data[i] = Math.sin(i * 0.37) + (i % 11) / 7;
    // "Decode" each cell into a 2×2 block of its value, and a third channel of their sum.
    const expand = async (w: PlaneStack) => {
      const out = new Float32Array(3 * w.height * 2 * w.width * 2);
      const plane = w.height * 2 * w.width * 2;
      for (let y = 0; y < w.height * 2; y++) {
        for (let x = 0; x < w.width * 2; x++) {
          const a = w.data[(y >> 1) * w.width + (x >> 1)]!;
          const b = w.data[w.height * w.width + (y >> 1) * w.width + (x >> 1)]!;
          out[y * w.width * 2 + x] = a;
          out[plane + y * w.width * 2 + x] = b;
          out[2 * plane + y * w.width * 2 + x] = a + b;
        }
      }
      return out;
    };
    const whole = await expand(input);
    let windows = 0;
    const tiled = await runInWindows(input, input, { window: 16, overlap: 4 }, 1, 2, 3, (w) => {
      windows++;
      return expand(w);
    });
    expect(windows).toBe(3 * 5);
    expect([tiled.height, tiled.width, tiled.channels]).toEqual([80, 112, 3]);
    for (let i = 0; i < whole.length; i++) expect(tiled.data[i]).toBeCloseTo(whole[i]!, 5);
  });
});

describe("nano's decoder and encoder in tiles", () => {
  let ctx: PipelineContext;
  let plan: GenerationPlan;
  let latent: Float32Array;
  const params: GenerateParams = {
    prompt: 'red apple, 3d style',
    negativePrompt: '',
    seed: 3,
    sampler: 'flash',
    steps: 4,
    guidance: 0,
    width: 128,
    height: 128,
  };
  // Windows of 64 px (16 latent cells) sharing 16 px: 3×3 of them on a 128 px picture, so every kind of
  // seam (edge, corner, middle) is in it.
  const tile = { window: 16, overlap: 4 };

  beforeAll(async () => {
    ({ ctx } = await nodePipeline(new URL('../../public/models/kandinsky3-nano/', import.meta.url), 'int8w'));
    plan = planRequest(ctx.manifest, params, 'text-to-image');
    latent = await denoiseLatent(ctx, plan, params, {
      stages: await stageInputs(ctx, plan, params, false),
      onProgress: () => {},
    });
  }, 120_000);

  it('decodes within a few levels of the whole-image decode, with no seam to see', async () => {
    const whole = await decodeLatent(ctx, plan, latent);
    const tiled = await decodeLatent(ctx, { ...plan, tiling: { decode: tile, encode: null } }, latent);
    const errors: number[] = [];
    for (let i = 0; i < whole.length; i++) if (i % 4 !== 3) errors.push(Math.abs(whole[i]! - tiled[i]!));
    errors.sort((a, b) => a - b);
    const mean = errors.reduce((a, b) => a + b, 0) / errors.length;
    const p99 = errors[Math.floor(errors.length * 0.99)]!;
    // A seam is a line across which the tiled picture steps more than the whole one does: per column
    // (and row) boundary, the mean over the other axis of |step in tiled| − |step in whole|.
    const at = (img: Uint8ClampedArray, x: number, y: number, c: number) => img[4 * (y * 128 + x) + c]!;
    let seam = 0;
    for (let b = 0; b < 127; b++) {
      let cols = 0;
      let rows = 0;
      for (let a = 0; a < 128; a++) {
        for (let c = 0; c < 3; c++) {
          cols +=
            Math.abs(at(tiled, b + 1, a, c) - at(tiled, b, a, c)) -
            Math.abs(at(whole, b + 1, a, c) - at(whole, b, a, c));
          rows +=
            Math.abs(at(tiled, a, b + 1, c) - at(tiled, a, b, c)) -
            Math.abs(at(whole, a, b + 1, c) - at(whole, a, b, c));
        }
      }
      seam = Math.max(seam, cols / 384, rows / 384);
    }
    console.log(
      `nano tiled decode at 128² in 64 px windows: mean |Δ| ${mean.toFixed(2)}, p99 ${p99}, max ${errors.at(-1)} levels; ` +
        `largest extra step across a line ${seam.toFixed(2)} levels`,
    );
    expect(mean).toBeLessThan(3);
    expect(p99).toBeLessThan(12);
    expect(seam).toBeLessThan(4); // 1.9 measured; 12 with the windows averaged instead of blended
  });

  it('encodes within a small fraction of the latent spread of the whole-image encode', async () => {
    const pixels = await decodeLatent(ctx, plan, latent);
    const image = rgbaToImage(pixels, 128, 128);
    const encoder =
      plan.encoder ??
      Object.keys(ctx.manifest.components).find((id) => ctx.manifest.components[id]!.role === 'movq-encoder')!;
    const whole = await encodeImage(ctx, encoder, image, 128, 128);
    const tiled = await encodeImage(ctx, encoder, image, 128, 128, tile);
    let diff = 0;
    let spread = 0;
    for (let i = 0; i < whole.length; i++) {
      diff += Math.abs(whole[i]! - tiled[i]!);
      spread += Math.abs(whole[i]!);
    }
    console.log(
      `nano tiled encode at 128²: mean |Δ| ${(diff / whole.length).toFixed(4)} against a mean |latent| of ${(spread / whole.length).toFixed(3)}`,
    );
    expect(diff / spread).toBeLessThan(0.1);
  });
});
