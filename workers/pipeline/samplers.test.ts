import { describe, expect, it } from 'vitest';
import { ancestralStep, ancestralTimesteps, processX0 } from './ancestral-sampler';
import { FLASH_TIMESTEPS, flashNoisedInput, flashStep } from './flash-sampler';
import { refinerBaseGrid, refinerFlashTimesteps } from './refiner-sampler';
import { guide, predictX0 } from './prediction';
import { alphasCumprod } from './schedule';
import fixture from './sampler-fixture.json' with { type: 'json' };

const alphas = alphasCumprod({ type: 'cosine', numTrainTimesteps: 1000 });
const f32 = (a: number[]) => Float32Array.from(a);
const sampleSize = fixture.shape.slice(1).reduce((a, b) => a * b, 1);

function expectClose(actual: Float32Array, expected: number[], tolerance = 2e-5) {
  expect(actual.length).toBe(expected.length);
  let worst = 0;
  for (let i = 0; i < actual.length; i++) worst = Math.max(worst, Math.abs(actual[i]! - expected[i]!));
  expect(worst).toBeLessThan(tolerance);
}

describe('cosine schedule', () => {
  it('matches the closed-form values of kandinsky3-architecture §6.1', () => {
    expect(alphas[229]).toBeCloseTo(0.8688, 4);
    expect(alphas[479]).toBeCloseTo(0.525, 4);
    expect(alphas[979]).toBeCloseTo(0.00097, 5);
    expect(alphas[999]).toBeLessThan(1e-8); // ≈ zero terminal SNR
  });

  it('matches the PyTorch reference at every listed step', () => {
    for (const [t, value] of Object.entries(fixture.alphasCumprod)) {
      expect(alphas[Number(t)]).toBeCloseTo(value, 12);
    }
  });

  it('is decreasing', () => {
    for (let t = 1; t < 1000; t++) expect(alphas[t]!).toBeLessThan(alphas[t - 1]!);
  });
});

describe('timestep grids', () => {
  it('original: 999, 979, …, 19, then 0', () => {
    const pairs = ancestralTimesteps(50, 'original');
    expect(pairs.map(([t]) => t).concat(0)).toEqual(fixture.originalGrid50);
    expect(pairs.at(-1)).toEqual([19, 0]);
  });

  it('original: keeps the extra step the reference takes when the stride does not divide 1000', () => {
    expect(ancestralTimesteps(7, 'original').map(([t]) => t)).toEqual([999, 857, 715, 573, 431, 289, 147, 5]);
  });

  it('diffusers: leading spacing with offset 1', () => {
    const pairs = ancestralTimesteps(25, 'diffusers');
    expect(pairs.map(([t]) => t)).toEqual(fixture.diffusersGrid25);
    expect(pairs[0]).toEqual([961, 921]);
    expect(pairs.at(-1)).toEqual([1, -39]);
  });

  it('refuses impossible step counts', () => {
    expect(() => ancestralTimesteps(0, 'diffusers')).toThrow(RangeError);
    expect(() => ancestralTimesteps(1001, 'original')).toThrow(RangeError);
  });
});

describe('ancestral step against the reference implementations', () => {
  it.each(fixture.ancestral.map((c) => [c.sampler, c.t, c.prev, c] as const))('%s t=%i → %i', (sampler, t, prev, c) => {
    const out = ancestralStep({
      xt: f32(fixture.x),
      output: f32(fixture.eps),
      t,
      prev,
      alphas,
      predictionType: 'epsilon',
      processing:
        sampler === 'original' ? { kind: 'dynamic-threshold', percentile: 0.99, range: 1 } : { kind: 'clip', range: 1 },
      sampleSize,
      noise: f32(fixture.noise),
    });
    expectClose(out, c.expected);
  });

  it('thresholds each sample of the batch separately', () => {
    const x0 = f32([0.5, -4, 2, 0.1, /* second sample */ 0.5, -0.5, 0.25, 0.1]);
    const out = processX0(x0, 4, { kind: 'dynamic-threshold', percentile: 1, range: 1 });
    expect(Array.from(out.subarray(0, 4))).toEqual([0.125, -1, 0.5, 0.025].map(Math.fround));
    expect(Array.from(out.subarray(4))).toEqual(Array.from(x0.subarray(4))); // s = max(q, 1) = 1
  });

  it('scales clipping and thresholding to the latent range R', () => {
    const x0 = f32([0.5, -4, 2, 0.1]);
    // clip to [−3, 3]: only −4 moves
    expect(Array.from(processX0(x0, 4, { kind: 'clip', range: 3 }))).toEqual([0.5, -3, 2, 0.1].map(Math.fround));
    // s = max(4, 3) = 4, then ·3/4
    expect(Array.from(processX0(x0, 4, { kind: 'dynamic-threshold', percentile: 1, range: 3 }))).toEqual(
      [0.375, -3, 1.5, 0.075].map(Math.fround),
    );
    // inside the range nothing changes: s = max(2.5, 3) = 3
    const inside = f32([0.5, -2.5, 2, 0.1]);
    expect(Array.from(processX0(inside, 4, { kind: 'dynamic-threshold', percentile: 1, range: 3 }))).toEqual(
      Array.from(inside),
    );
  });
});

describe('Flash sampler', () => {
  it('uses the distilled timesteps', () => expect(FLASH_TIMESTEPS).toEqual([979, 729, 479, 229]));

  it.each(fixture.flash.map((c) => [c.t, c] as const))('t=%i re-noises and keeps x̂₀', (t, c) => {
    const xt = flashNoisedInput(f32(fixture.x), f32(fixture.noise), alphas[t]!);
    expectClose(xt, c.xt);
    expectClose(flashStep(xt, f32(fixture.eps), alphas[t]!, 'epsilon'), c.x0, 5e-4 * Math.max(...c.x0.map(Math.abs)));
  });
});

describe('predictions and guidance', () => {
  const xt = f32([0.3, -1.2]);
  const a = 0.36;
  it('ε, v and x₀ parameterisations agree on x̂₀', () => {
    const x0 = f32([0.5, -0.25]);
    const eps = f32([(0.3 - 0.6 * 0.5) / 0.8, (-1.2 - 0.6 * -0.25) / 0.8]);
    const v = f32([0.6 * eps[0]! - 0.8 * 0.5, 0.6 * eps[1]! - 0.8 * -0.25]);
    expectClose(predictX0(xt, eps, a, 'epsilon'), [0.5, -0.25], 1e-6);
    expectClose(predictX0(xt, v, a, 'v_prediction'), [0.5, -0.25], 1e-6);
    expectClose(predictX0(xt, x0, a, 'sample'), [0.5, -0.25], 1e-6);
  });

  it('guidance is (w+1)·cond − w·uncond', () => {
    expectClose(guide(f32([1, 2]), f32([0.5, -1]), 3), [2.5, 11], 1e-6);
    expectClose(guide(f32([1, 2]), f32([0.5, -1]), 0), [1, 2], 1e-9);
  });
});

describe('refiner sampler', () => {
  it("keeps Flash's later half, and spreads the base steps from T − 1 down to the hand-over", () => {
    expect(refinerFlashTimesteps([979, 729, 479, 229])).toEqual([479, 229]);
    for (const steps of [1, 2, 12, 50]) {
      const grid = refinerBaseGrid(steps, 479, 1000);
      expect(grid).toHaveLength(steps);
      expect(grid[0]![0]).toBe(999);
      expect(grid.at(-1)![1]).toBe(479);
      for (const [t, prev] of grid) expect(t).toBeGreaterThan(prev);
      for (let i = 1; i < grid.length; i++) expect(grid[i]![0]).toBe(grid[i - 1]![1]);
    }
  });
});
