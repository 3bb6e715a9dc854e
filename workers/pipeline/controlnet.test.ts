// Edge guidance: the step window, the residual inputs, the named errors, and the whole pipeline on
// onnxruntime-node with the committed random pack (its ControlNet and U-Nets are split into parts).
import { beforeAll, describe, expect, it } from 'vitest';
import type { GenerateParams } from '../../shared/engine-api';
import { ImageSizeError, InvalidParamsError } from '../../shared/errors';
import type { PackManifest } from '../pack/manifest';
import { controlActive, controlNetComponent, controlNetFor, zeroResiduals } from './controlnet';
import { sobelEdges } from '../../shared/edge-map';
import { generate } from './generate';
import type { PipelineContext } from './pipeline-context';
import { meanAbsDiff, nodePipeline, type GraphCall } from '../../test-support/node-pipeline';

let ctx: PipelineContext;
let calls: GraphCall[];

beforeAll(async () => {
  ({ ctx, calls } = await nodePipeline(
    new URL('../../public/models/kandinsky3-tiny-random/', import.meta.url),
    'fp32',
  ));
}, 120_000);

const size = 64;
/** A white disc on black: a hint with real structure. */
const hint = (() => {
  const out = new Uint8ClampedArray(4 * size * size);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const v = (x - 32) ** 2 + (y - 28) ** 2 < 400 ? 255 : 0;
      out.set([v, v, v, 255], 4 * (y * size + x));
    }
  }
  return sobelEdges(out, size, size);
})();

const params: GenerateParams = {
  prompt: 'red apple',
  negativePrompt: '',
  seed: 7,
  sampler: 'flash',
  steps: 4,
  guidance: 0,
  width: size,
  height: size,
};
const control = { hint, strength: 1, start: 0, end: 1 };

const controlRuns = () => calls.filter((c) => c.component === 'controlnet');

describe('the step window', () => {
  it('follows the diffusers rule: step i covers [i/n, (i+1)/n), which must lie in [start, end]', () => {
    const window = (start: number, end: number) => [0, 1, 2, 3].filter((i) => controlActive(i, 4, start, end));
    expect(window(0, 1)).toEqual([0, 1, 2, 3]);
    expect(window(0, 0.5)).toEqual([0, 1]);
    expect(window(0.5, 1)).toEqual([2, 3]);
    expect(window(0.3, 0.8)).toEqual([2]);
    expect(window(0, 0.2)).toEqual([]);
  });
});

describe('the pack wiring', () => {
  it('finds the ControlNet of the base and Flash U-Nets, not of the inpainting one', () => {
    expect(controlNetFor(ctx.manifest, 'unet_flash')?.component).toBe('controlnet');
    expect(controlNetFor(ctx.manifest, 'unet_base')?.residuals.map((r) => r.name)).toEqual(['control_0', 'control_1']);
    expect(controlNetFor(ctx.manifest, 'unet_inpainting')).toBeUndefined();
  });

  it('zero residuals have the skip shapes: channels and 2^(k+1) smaller than the latent', () => {
    const zeros = zeroResiduals(controlNetFor(ctx.manifest, 'unet_base')!, 2, 16, 8);
    expect(zeros.control_0!.dims).toEqual([2, 8, 8, 4]);
    expect(zeros.control_1!.dims).toEqual([2, 16, 4, 2]);
  });

  it('a pack without a ControlNet names what to do', () => {
    const components = Object.fromEntries(
      Object.entries(ctx.manifest.components).filter(([id]) => id !== 'controlnet'),
    );
    const bare = { ...ctx.manifest, components } as PackManifest;
    expect(() => controlNetComponent(bare, 'unet_flash')).toThrow(
      /has no edge ControlNet for unet_flash: turn edge guidance off/,
    );
  });
});

describe('edge-guided generation on onnxruntime-node', () => {
  it('runs the ControlNet on every Flash step and changes the image; strength 0 is the plain image', async () => {
    calls.length = 0;
    const plain = await generate(ctx, params, () => {});
    expect(controlRuns()).toHaveLength(0);
    const guided = await generate(ctx, { ...params, control }, () => {});
    expect(controlRuns()).toHaveLength(4);
    expect(meanAbsDiff(plain.pixels, guided.pixels)).toBeGreaterThan(1);
    calls.length = 0;
    const off = await generate(ctx, { ...params, control: { ...control, strength: 0 } }, () => {});
    expect(controlRuns()).toHaveLength(0);
    expect(off.pixels).toEqual(plain.pixels);
  });

  it('runs only inside the window, and a half window changes the image less than the whole one', async () => {
    const plain = await generate(ctx, params, () => {});
    const whole = await generate(ctx, { ...params, control }, () => {});
    calls.length = 0;
    const late = await generate(ctx, { ...params, control: { ...control, start: 0.5 } }, () => {});
    expect(controlRuns()).toHaveLength(2);
    expect(meanAbsDiff(plain.pixels, late.pixels)).toBeGreaterThan(0);
    expect(meanAbsDiff(plain.pixels, late.pixels)).toBeLessThan(meanAbsDiff(plain.pixels, whole.pixels));
  });

  it('with guidance, the ControlNet sees both rows of the guidance batch', async () => {
    calls.length = 0;
    await generate(ctx, { ...params, sampler: 'ddpm', steps: 2, guidance: 3, control }, () => {});
    const first = controlRuns();
    expect(first).toHaveLength(2);
    expect(first[0]!.dims.hint).toEqual([2, 3, size, size]);
    expect(first[0]!.dims.sample).toEqual([2, 4, size / 4, size / 4]);
  });

  it('refuses a hint of another size, and a bad window or strength, by name', async () => {
    const small = new Uint8ClampedArray(4 * 32 * 32);
    await expect(generate(ctx, { ...params, control: { ...control, hint: small } }, () => {})).rejects.toThrow(
      ImageSizeError,
    );
    await expect(generate(ctx, { ...params, control: { ...control, start: 0.6, end: 0.4 } }, () => {})).rejects.toThrow(
      InvalidParamsError,
    );
    await expect(generate(ctx, { ...params, control: { ...control, strength: 3 } }, () => {})).rejects.toThrow(
      /edge strength 3 must be between 0 and 2/,
    );
  });
});
