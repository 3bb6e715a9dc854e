// Inpainting on onnxruntime-node with the trained nano pack (int8w, as shipped): only the masked
// region changes, the U-Net sees the reference's 9-channel layout, and bad input gets named errors.
import { beforeAll, describe, expect, it } from 'vitest';
import type { InpaintParams } from '../../shared/engine-api';
import { ImageSizeError, InvalidParamsError } from '../../shared/errors';
import { generate } from './generate';
import type { PipelineContext } from './pipeline-context';
import { inpaint } from './inpaint';
import { stageUNet } from './plan';
import { featherAlpha, repaintPixels } from './inpaint-mask';
import { nodePipeline, type GraphCall } from '../../test-support/node-pipeline';
import randomManifest from '../../public/models/kandinsky3-tiny-random/manifest.json' with { type: 'json' };
import { parseManifest } from '../pack/manifest';

let ctx: PipelineContext;
let calls: GraphCall[];
let params: InpaintParams;

const SIDE = 64;

beforeAll(async () => {
  ({ ctx, calls } = await nodePipeline(new URL('../../public/models/kandinsky3-nano/', import.meta.url), 'int8w'));
  const base = {
    prompt: 'red apple, 3d style',
    negativePrompt: '',
    seed: 7,
    sampler: 'flash' as const,
    steps: 4,
    guidance: 0,
    width: SIDE,
    height: SIDE,
  };
  const start = await generate(ctx, base, () => {});
  const mask = new Uint8Array(SIDE * SIDE);
  for (let y = 20; y < 40; y++) for (let x = 24; x < 44; x++) mask[y * SIDE + x] = 255; // a 20×20 square
  params = { ...base, prompt: 'blue heart, flat style', seed: 3, image: start.pixels, mask, feather: 2 };
}, 120_000);

describe('inpainting on onnxruntime-node, nano pack', () => {
  it('changes the masked region and leaves every pixel outside the feathered mask bit-identical', async () => {
    calls.length = 0;
    const out = await inpaint(ctx, params, () => {});
    const alpha = featherAlpha(repaintPixels(params.mask), SIDE, SIDE, params.feather);
    let changedInside = 0;
    for (let i = 0; i < SIDE * SIDE; i++) {
      const same = [0, 1, 2, 3].every((c) => out.pixels[4 * i + c] === params.image[4 * i + c]);
      if (alpha[i] === 0) expect(same, `pixel ${i} outside the mask changed`).toBe(true);
      else if (params.mask[i] && !same) changedInside += 1;
    }
    expect(changedInside).toBeGreaterThan(200); // of 400 masked pixels

    // The encoder sees the masked image; the U-Net gets [x_t (4), keep-mask (1), masked latent (4)].
    expect(calls.map((c) => c.component)).toEqual([
      'text_encoder',
      'movq_encoder',
      ...Array(4).fill('unet_inpainting_flash'), // Flash inpaints with the distilled inpainting U-Net
      'movq_decoder',
    ]);
    expect(calls[1]!.dims.image).toEqual([1, 3, SIDE, SIDE]);
    expect(calls[2]!.dims.sample).toEqual([1, 9, 16, 16]);
  });

  it('with a blend mask, generates the overlap but changes only the blend region (outpainting)', async () => {
    const blendMask = new Uint8Array(SIDE * SIDE);
    for (let y = 0; y < SIDE; y++) for (let x = 48; x < SIDE; x++) blendMask[y * SIDE + x] = 255;
    const mask = new Uint8Array(SIDE * SIDE);
    for (let y = 0; y < SIDE; y++) for (let x = 40; x < SIDE; x++) mask[y * SIDE + x] = 255;
    const out = await inpaint(ctx, { ...params, mask, blendMask, feather: 0 }, () => {});
    for (let y = 0; y < SIDE; y++) {
      for (let x = 0; x < 48; x++) {
        const i = 4 * (y * SIDE + x);
        expect(out.pixels.subarray(i, i + 4)).toEqual(params.image.subarray(i, i + 4));
      }
    }
    expect(Buffer.from(out.pixels).equals(Buffer.from(params.image))).toBe(false);
  });

  it('is deterministic in the seed', async () => {
    const [a, b, c] = [
      await inpaint(ctx, params, () => {}),
      await inpaint(ctx, params, () => {}),
      await inpaint(ctx, { ...params, seed: 4 }, () => {}),
    ];
    expect(Buffer.from(a.pixels).equals(Buffer.from(b.pixels))).toBe(true);
    expect(Buffer.from(a.pixels).equals(Buffer.from(c.pixels))).toBe(false);
  });

  it('batches cond and uncond rows, mask channels included, for guided base sampling', async () => {
    calls.length = 0;
    await inpaint(ctx, { ...params, sampler: 'ddpm', steps: 2, guidance: 3 }, () => {});
    const unet = calls.filter((c) => c.component === 'unet_inpainting');
    expect(unet).toHaveLength(2);
    expect(unet[0]!.dims.sample).toEqual([2, 9, 16, 16]);
  });

  it('names an image or mask of the wrong size, and an empty mask, with a remedy', async () => {
    await expect(inpaint(ctx, { ...params, image: params.image.subarray(0, 100 * 4) }, () => {})).rejects.toThrow(
      ImageSizeError,
    );
    await expect(inpaint(ctx, { ...params, mask: new Uint8Array(32 * 32) }, () => {})).rejects.toThrow(
      'The mask is 1024 pixels but the canvas is 64×64 (4096 pixels). Resize it to the canvas',
    );
    await expect(inpaint(ctx, { ...params, mask: new Uint8Array(SIDE * SIDE) }, () => {})).rejects.toThrow(
      /Nothing is masked: brush over the area to repaint/,
    );
    await expect(inpaint(ctx, { ...params, feather: 100 }, () => {})).rejects.toThrow(InvalidParamsError);
  });
});

describe('which inpainting U-Net a sampler stage uses', () => {
  it('the Flash stage takes the distilled inpainting U-Net, the base stage the undistilled one', () => {
    const manifest = ctx.manifest;
    expect(manifest.components.unet_inpainting_flash?.unet?.flashTimesteps).toEqual([979, 729, 479, 229]);
    expect(stageUNet(manifest, 'flash', 'inpaint')).toBe('unet_inpainting_flash');
    expect(stageUNet(manifest, 'base', 'inpaint')).toBe('unet_inpainting');
  });

  it('without a distilled one, both stages inpaint with the undistilled U-Net', () => {
    const manifest = parseManifest(randomManifest);
    expect(Object.values(manifest.components).some((c) => c.unet?.kind === 'inpainting_flash')).toBe(false);
    expect(stageUNet(manifest, 'flash', 'inpaint')).toBe('unet_inpainting');
    expect(stageUNet(manifest, 'base', 'inpaint')).toBe('unet_inpainting');
  });
});
