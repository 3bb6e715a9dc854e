// The whole text-to-image pipeline on onnxruntime-node with the committed random pack.
import { beforeAll, describe, expect, it } from 'vitest';
import type { GenerateParams, Progress } from '../../shared/engine-api';
import { GenerationCancelledError, InvalidParamsError } from '../../shared/errors';
import type { ConditioningCache } from './conditioning-cache';
import { generate } from './generate';
import type { PipelineContext } from './pipeline-context';
import { nodePipeline, type GraphCall } from '../../test-support/node-pipeline';
import type { Conditioning } from './conditioning';

let ctx: PipelineContext;
let calls: GraphCall[];

beforeAll(async () => {
  ({ ctx, calls } = await nodePipeline(
    new URL('../../public/models/kandinsky3-tiny-random/', import.meta.url),
    'fp32',
  ));
}, 120_000);

const base: GenerateParams = {
  prompt: 'red apple, 3d style',
  negativePrompt: '',
  seed: 42,
  sampler: 'flash',
  steps: 4,
  guidance: 0,
  width: 64,
  height: 64,
};

function spread(pixels: Uint8ClampedArray): number {
  let lo = 255;
  let hi = 0;
  for (let i = 0; i < pixels.length; i += 4) {
    lo = Math.min(lo, pixels[i]!);
    hi = Math.max(hi, pixels[i]!);
  }
  return hi - lo;
}

/** A Flash run whose user cancels once two steps are done. */
async function cancelAfterTwoSteps(): Promise<void> {
  let steps = 0;
  const cancelled = { ...ctx, stopRequested: () => steps >= 2 };
  await expect(
    generate(cancelled, base, (p) => {
      if (p.phase === 'denoise') steps = p.step;
    }),
  ).rejects.toThrow(GenerationCancelledError);
}

describe('text-to-image pipeline on onnxruntime-node', () => {
  it('Flash: four U-Net calls without guidance, then an image that is not a constant colour', async () => {
    calls.length = 0;
    const events: Progress[] = [];
    const image = await generate(ctx, base, (p) => events.push(p));
    expect(image.width).toBe(64);
    expect(image.pixels.length).toBe(64 * 64 * 4);
    expect(spread(image.pixels)).toBeGreaterThan(20);
    expect(events.map((e) => (e.phase === 'denoise' ? `denoise ${e.step}/${e.steps}` : e.phase))).toEqual([
      'encode',
      'denoise 0/4',
      'denoise 1/4',
      'denoise 2/4',
      'denoise 3/4',
      'denoise 4/4',
      'decode',
    ]);
    expect(calls.map((c) => c.component)).toEqual(['text_encoder', ...Array(4).fill('unet_flash'), 'movq_decoder']);
    // Each finished step carries a preview at latent size from the manifest's linear map.
    const previews = events.flatMap((e) => (e.phase === 'denoise' && e.preview ? [e.preview] : []));
    expect(previews).toHaveLength(4);
    expect([previews[0]!.width, previews[0]!.height, previews[0]!.pixels.length]).toEqual([16, 16, 16 * 16 * 4]);
    // "red apple, 3d style" is 6 tokens with EOS: cut to 7 rows; latent 64/4 = 16.
    expect(calls[0]!.dims.input_ids).toEqual([1, 7]);
    expect(calls[1]!.dims.sample).toEqual([1, 4, 16, 16]);
  });

  it('refiner: guided base steps over the noisy part, then unguided Flash steps, deterministic', async () => {
    calls.length = 0;
    const events: Progress[] = [];
    const refiner = { ...base, sampler: 'refiner' as const, steps: 3, guidance: 3 };
    const image = await generate(ctx, refiner, (p) => events.push(p));
    expect(spread(image.pixels)).toBeGreaterThan(20);
    expect(calls.map((c) => `${c.component} ${c.dims.sample?.[0] ?? ''}`.trim())).toEqual([
      'text_encoder',
      'text_encoder',
      'unet_base 2',
      'unet_base 2',
      'unet_base 2',
      'unet_flash 1',
      'unet_flash 1',
      'movq_decoder',
    ]);
    expect(events.filter((e) => e.phase === 'denoise').map((e) => e.phase === 'denoise' && e.step)).toEqual([
      0, 1, 2, 3, 4, 5,
    ]);
    expect((await generate(ctx, refiner, () => {})).pixels).toEqual(image.pixels);
    // Neither of its parts alone: not the base's 3 steps, not Flash's.
    expect((await generate(ctx, { ...refiner, sampler: 'ddpm' }, () => {})).pixels).not.toEqual(image.pixels);
    expect((await generate(ctx, base, () => {})).pixels).not.toEqual(image.pixels);
  });

  it('is deterministic in the seed', async () => {
    const a = await generate(ctx, base, () => {});
    const b = await generate(ctx, base, () => {});
    const c = await generate(ctx, { ...base, seed: 43 }, () => {});
    expect(Buffer.from(a.pixels).equals(Buffer.from(b.pixels))).toBe(true);
    expect(Buffer.from(a.pixels).equals(Buffer.from(c.pixels))).toBe(false);
  });

  it.each(['ddpm', 'ancestral'] as const)(
    '%s with guidance batches cond and uncond through the base U-Net',
    async (sampler) => {
      calls.length = 0;
      const image = await generate(
        ctx,
        { ...base, sampler, steps: 3, guidance: 3, negativePrompt: 'blurry' },
        () => {},
      );
      expect(spread(image.pixels)).toBeGreaterThan(20);
      const unetCalls = calls.filter((c) => c.component === 'unet_base');
      expect(unetCalls).toHaveLength(3);
      expect(unetCalls[0]!.dims.sample![0]).toBe(2);
      expect(calls[0]!.dims.input_ids![0]).toBe(2);
    },
  );

  it('renders other sizes the pack allows, with the latent scaled by the manifest factor', async () => {
    calls.length = 0;
    const image = await generate(ctx, { ...base, width: 96, height: 48 }, () => {});
    expect(image.pixels.length).toBe(96 * 48 * 4);
    expect(calls[1]!.dims.sample).toEqual([1, 4, 12, 24]);
  });

  it('refuses sizes the pack cannot make, with a remedy', async () => {
    await expect(generate(ctx, { ...base, width: 50 }, () => {})).rejects.toThrow(InvalidParamsError);
    await expect(generate(ctx, { ...base, width: 50 }, () => {})).rejects.toThrow(/multiple of 16/);
    await expect(generate(ctx, { ...base, seed: -1 }, () => {})).rejects.toThrow(/seed/);
  });

  it('stops between steps when cancelled, without decoding anything', async () => {
    calls.length = 0;
    await cancelAfterTwoSteps();
    expect(calls.map((c) => c.component)).toEqual(['text_encoder', 'unet_flash', 'unet_flash']);
  });

  it("reports each image's own graph calls with their run times, not a cancelled run's", async () => {
    await cancelAfterTwoSteps();
    const image = await generate(ctx, base, () => {});
    const { runs, totalMs } = image.timings;
    expect(runs.map((r) => r.component)).toEqual(['text_encoder', ...Array(4).fill('unet_flash'), 'movq_decoder']);
    expect(runs.every((r) => r.ms > 0)).toBe(true);
    // The graph calls happen inside the image's time, so together they cannot exceed it.
    expect(runs.reduce((sum, r) => sum + r.ms, 0)).toBeLessThanOrEqual(totalMs);
    expect(ctx.runner.runTimings).toHaveLength(0);
  });

  it('a repeated prompt takes its conditioning from the cache: no text encoder call, the same image', async () => {
    const stored = new Map<string, Conditioning>();
    const cache: ConditioningCache = {
      get: async (key) => stored.get(key),
      set: async (key, value) => void stored.set(key, value),
    };
    const cached = { ...ctx, conditioningCache: cache };
    calls.length = 0;
    const first = await generate(cached, base, () => {});
    expect(calls.filter((c) => c.component === 'text_encoder')).toHaveLength(1);
    calls.length = 0;
    const again = await generate(cached, { ...base, seed: 43 }, () => {});
    expect(calls.map((c) => c.component)).not.toContain('text_encoder');
    expect(again.pixels).toEqual((await generate(ctx, { ...base, seed: 43 }, () => {})).pixels);
    // Anything the encoder output depends on makes another key: guidance, the negative prompt.
    calls.length = 0;
    await generate(cached, { ...base, sampler: 'ddpm', steps: 2, guidance: 3, negativePrompt: 'blur' }, () => {});
    expect(calls.filter((c) => c.component === 'text_encoder')).toHaveLength(1);
    expect(stored.size).toBe(2);
    expect(first.pixels.length).toBe(64 * 64 * 4);
  });

  it('a cache that fails costs only the speed-up', async () => {
    const broken: ConditioningCache = {
      get: async () => Promise.reject(new DOMException('quota', 'QuotaExceededError')),
      set: async () => Promise.reject(new DOMException('quota', 'QuotaExceededError')),
    };
    const image = await generate({ ...ctx, conditioningCache: broken }, base, () => {});
    expect(image.pixels).toEqual((await generate(ctx, base, () => {})).pixels);
  });
});
