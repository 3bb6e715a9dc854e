// Image fusion: the reference scaling and the weighted sum in closed form, the pack wiring, the named
// errors, and the whole pipeline on onnxruntime-node with the committed random pack.
import { beforeAll, describe, expect, it } from 'vitest';
import type { FusionParams, GenerateParams, InpaintParams } from '../../shared/engine-api';
import { InvalidParamsError } from '../../shared/errors';
import { generate } from './generate';
import type { PipelineContext } from './pipeline-context';
import { imageAdapterFor, imageFeeds, mixEmbeddings, referenceTensor } from './image-fusion';
import { inpaint } from './inpaint';
import { meanAbsDiff, nodePipeline, type GraphCall } from '../../test-support/node-pipeline';

let ctx: PipelineContext;
let calls: GraphCall[];

beforeAll(async () => {
  ({ ctx, calls } = await nodePipeline(
    new URL('../../public/models/kandinsky3-tiny-random/', import.meta.url),
    'fp32',
  ));
}, 120_000);

function picture(width: number, height: number, rgba: (x: number, y: number) => number[]) {
  const pixels = new Uint8ClampedArray(4 * width * height);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) pixels.set(rgba(x, y), 4 * (y * width + x));
  return pixels;
}

// [−1, 1] (nano's CNN) and plain [0, 1].
const [HALF, ZERO, ONE] = [
  [0.5, 0.5, 0.5],
  [0, 0, 0],
  [1, 1, 1],
];

describe('reference pictures', () => {
  it('average the area each encoder pixel covers, normalised by mean and std', () => {
    const redBlue = picture(2, 2, (x) => (x === 0 ? [255, 0, 0, 255] : [0, 0, 255, 255]));
    expect(Array.from(referenceTensor(redBlue, 2, 2, 1, HALF, HALF))).toEqual([0, -1, 0]);
    expect(Array.from(referenceTensor(redBlue, 2, 2, 2, ZERO, ONE))).toEqual([1, 0, 1, 0, 0, 0, 0, 0, 0, 1, 0, 1]);
  });

  it("apply a per-channel mean and std, as CLIP's processor does", () => {
    const mean = [0.48145466, 0.4578275, 0.40821073];
    const std = [0.26862954, 0.26130258, 0.27577711];
    const white = picture(1, 1, () => [255, 255, 255, 255]);
    const got = referenceTensor(white, 1, 1, 1, mean, std);
    mean.forEach((m, c) => expect(got[c]).toBeCloseTo((1 - m) / std[c]!, 5));
  });

  it('crop the centre square of an oblong picture', () => {
    // 3×1: red, green, blue; the centre square is the green pixel.
    const strip = picture(
      3,
      1,
      (x) =>
        [
          [255, 0, 0, 255],
          [0, 255, 0, 255],
          [0, 0, 255, 255],
        ][x]!,
    );
    expect(Array.from(referenceTensor(strip, 3, 1, 1, HALF, HALF))).toEqual([-1, 1, -1]);
  });

  it('count transparent pixels as white, the background nano was trained on', () => {
    const clear = picture(1, 1, () => [0, 0, 0, 0]);
    const half = picture(1, 1, () => [0, 0, 0, 102]); // 40 % black over white
    expect(Array.from(referenceTensor(clear, 1, 1, 1, HALF, HALF))).toEqual([1, 1, 1]);
    const v = referenceTensor(half, 1, 1, 1, ZERO, ONE);
    for (const c of v) expect(c).toBeCloseTo(0.6, 6);
  });

  it('upscale a small picture without gaps', () => {
    const dot = picture(1, 1, () => [51, 102, 204, 255]);
    const big = referenceTensor(dot, 1, 1, 3, ZERO, ONE);
    expect(Array.from(big.subarray(0, 9)).every((v) => Math.abs(v - 0.2) < 1e-6)).toBe(true);
    expect(Array.from(big.subarray(18)).every((v) => Math.abs(v - 0.8) < 1e-6)).toBe(true);
  });
});

describe('the weighted sum', () => {
  it('is Σ wᵢ·eᵢ, un-normalised as in the fork', () => {
    const e = new Float32Array([1, 2, 10, 20]); // two rows of width 2
    expect(Array.from(mixEmbeddings(e, [0.5, 0.25], 2))).toEqual([3, 6]);
    expect(Array.from(mixEmbeddings(e, [1, 0], 2))).toEqual([1, 2]);
  });
});

const size = 64;
const disc = picture(48, 32, (x, y) => ((x - 24) ** 2 + (y - 16) ** 2 < 150 ? [230, 40, 40, 255] : [0, 0, 0, 0]));
const stripes = picture(80, 80, (x) => (x % 16 < 8 ? [20, 20, 200, 255] : [250, 250, 30, 255]));
const fusion: FusionParams = { images: [{ pixels: disc, width: 48, height: 32, weight: 1 }], scale: 1 };
const params: GenerateParams = {
  prompt: 'red apple',
  negativePrompt: '',
  seed: 11,
  sampler: 'flash',
  steps: 4,
  guidance: 0,
  width: size,
  height: size,
};

const encoderRuns = () => calls.filter((c) => c.component === 'image_encoder');

describe('the pack wiring', () => {
  it('finds the image encoder of the base and Flash U-Nets, not of the inpainting one', () => {
    expect(imageAdapterFor(ctx.manifest, 'unet_flash')).toEqual({
      encoder: 'image_encoder',
      output: 'image_embeds',
      side: 64,
      mean: [0.5, 0.5, 0.5],
      std: [0.5, 0.5, 0.5],
      width: 32,
    });
    expect(imageAdapterFor(ctx.manifest, 'unet_base')?.encoder).toBe('image_encoder');
    expect(imageAdapterFor(ctx.manifest, 'unet_inpainting')).toBeUndefined();
  });

  it('feeds zeros at weight 0 when no picture is given', () => {
    const feeds = imageFeeds(imageAdapterFor(ctx.manifest, 'unet_base')!, 2, undefined);
    expect(feeds.image_embeds!.dims).toEqual([2, 32]);
    expect(Array.from(feeds.image_weight!.data as Float32Array)).toEqual([0, 0]);
  });
});

describe('image fusion on onnxruntime-node', () => {
  it('encodes the pictures once and changes the image; strength 0 is the plain image', async () => {
    calls.length = 0;
    const plain = await generate(ctx, params, () => {});
    expect(encoderRuns()).toHaveLength(0);
    const fused = await generate(ctx, { ...params, fusion }, () => {});
    expect(encoderRuns()).toHaveLength(1);
    expect(encoderRuns()[0]!.dims.image).toEqual([1, 3, 64, 64]); // Flash: no unconditional row
    const unetCalls = calls.filter((c) => c.component === 'unet_flash');
    expect(unetCalls.at(-1)!.dims.image_embeds).toEqual([1, 32]);
    expect(meanAbsDiff(plain.pixels, fused.pixels)).toBeGreaterThan(1);
    const off = await generate(ctx, { ...params, fusion: { ...fusion, scale: 0 } }, () => {});
    expect(off.pixels).toEqual(plain.pixels);
  });

  it('mixes pictures by weight: each alone differs from their mix', async () => {
    const two = (a: number, b: number): FusionParams => ({
      images: [
        { pixels: disc, width: 48, height: 32, weight: a },
        { pixels: stripes, width: 80, height: 80, weight: b },
      ],
      scale: 1,
    });
    const onlyDisc = await generate(ctx, { ...params, fusion: two(1, 0) }, () => {});
    const alone = await generate(ctx, { ...params, fusion }, () => {});
    expect(onlyDisc.pixels).toEqual(alone.pixels); // weight 0 drops a picture from the sum
    const onlyStripes = await generate(ctx, { ...params, fusion: two(0, 1) }, () => {});
    const mix = await generate(ctx, { ...params, fusion: two(0.5, 0.5) }, () => {});
    expect(meanAbsDiff(mix.pixels, onlyDisc.pixels)).toBeGreaterThan(0.5);
    expect(meanAbsDiff(mix.pixels, onlyStripes.pixels)).toBeGreaterThan(0.5);
  });

  it('with guidance, the unconditional row is the zero image, encoded in the same run', async () => {
    calls.length = 0;
    await generate(ctx, { ...params, sampler: 'ddpm', steps: 2, guidance: 3, fusion }, () => {});
    expect(encoderRuns()).toHaveLength(1);
    expect(encoderRuns()[0]!.dims.image).toEqual([2, 3, 64, 64]);
    expect(calls.find((c) => c.component === 'unet_base')!.dims.image_embeds).toEqual([2, 32]);
  });

  it('refuses bad pictures, weights and strengths by name, before any graph runs', async () => {
    calls.length = 0;
    const cases: [FusionParams, RegExp][] = [
      [{ images: [], scale: 1 }, /takes 1 to 4 reference pictures, not 0/],
      [{ images: Array(5).fill(fusion.images[0]), scale: 1 }, /not 5/],
      [{ images: [{ ...fusion.images[0]!, width: 40 }], scale: 1 }, /says 40×32 but carries 1536 pixels/],
      [{ images: [{ ...fusion.images[0]!, weight: -1 }], scale: 1 }, /weight -1 of reference picture 1/],
      [{ images: [{ ...fusion.images[0]!, weight: 0 }], scale: 1 }, /every reference picture has weight 0/],
      [{ ...fusion, scale: 3 }, /image strength 3 must be between 0 and 2/],
    ];
    for (const [bad, message] of cases) {
      await expect(generate(ctx, { ...params, fusion: bad }, () => {})).rejects.toThrow(InvalidParamsError);
      await expect(generate(ctx, { ...params, fusion: bad }, () => {})).rejects.toThrow(message);
    }
    expect(calls).toHaveLength(0);
  });

  it('inpainting says its U-Net has no image adapter', async () => {
    const inpaintParams: InpaintParams = {
      ...params,
      image: new Uint8ClampedArray(4 * size * size),
      mask: new Uint8Array(size * size).fill(255),
      feather: 0,
      fusion,
    };
    await expect(inpaint(ctx, inpaintParams, () => {})).rejects.toThrow(
      /has no image adapter for its inpainting U-Net: remove the reference pictures to inpaint/,
    );
  });
});
