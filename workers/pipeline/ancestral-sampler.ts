// Ancestral (DDPM-posterior) sampling, η = 1, on either timestep grid (kandinsky3-architecture §6.2, §6.3):
// - "original": ai-forever 3.1, t = 999, 999−⌊T/n⌋, … > 0, then 0; x̂₀ dynamically thresholded.
// - "diffusers": DDPMScheduler with leading spacing and steps_offset 1 (25 steps: 961, 921, …, 1),
//   x̂₀ clipped to [−1, 1].
// Both updates are x_prev = √ᾱ_prev·x̂₀ + √(1 − ᾱ_prev − σ²)·ε' + σ·z with ε' recomputed from the
// processed x̂₀ and σ² the posterior variance; noise is added only while prev > 0.
import { addNoise, epsilonFromX0, predictX0, type PredictionType } from './prediction';
import type { Sampler, SamplerSetup } from './sampler';
import { alphaBarAt } from './schedule';

export type TimestepGrid = 'original' | 'diffusers';
// `range` R is the latent range the model was trained in: 1 for Kandinsky 3 (its samplers' fixed
// [−1, 1]); packs whose latents have unit variance (nano) declare a wider one in latent.clipRange.
export type X0Processing =
  { kind: 'clip'; range: number } | { kind: 'dynamic-threshold'; percentile: number; range: number };

/** [t, prev] pairs, first to last. */
export function ancestralTimesteps(steps: number, grid: TimestepGrid, numTrainTimesteps = 1000): [number, number][] {
  if (!Number.isInteger(steps) || steps < 1 || steps > numTrainTimesteps) {
    throw new RangeError(`steps must be an integer from 1 to ${numTrainTimesteps}, got ${steps}`);
  }
  const stride = Math.floor(numTrainTimesteps / steps);
  const times: number[] = [];
  if (grid === 'original') {
    // range(999, 0, -stride) + [0]: for strides that do not divide 1000 this yields one more step
    // than asked (7 → 8), exactly as the original does.
    for (let t = numTrainTimesteps - 1; t > 0; t -= stride) times.push(t);
    times.push(0);
    return times.slice(0, -1).map((t, i) => [t, times[i + 1]!]);
  }
  for (let i = steps - 1; i >= 0; i--) times.push(i * stride + 1);
  return times.map((t) => [t, t - stride]);
}

/** torch.quantile's linear interpolation, on |values|. */
function absQuantile(values: Float32Array, p: number): number {
  const sorted = Float64Array.from(values, Math.abs).sort();
  const pos = p * (sorted.length - 1);
  const lo = Math.floor(pos);
  const hi = Math.min(lo + 1, sorted.length - 1);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (pos - lo);
}

/** Clip to [−R, R], or dynamically threshold (s = max(quantile, R), x̂₀·R/s), per batch sample. */
export function processX0(x0: Float32Array, sampleSize: number, processing: X0Processing): Float32Array {
  const out = new Float32Array(x0.length);
  for (let start = 0; start < x0.length; start += sampleSize) {
    const sample = x0.subarray(start, start + sampleSize);
    const r = processing.range;
    const s = processing.kind === 'clip' ? r : Math.max(absQuantile(sample, processing.percentile), r);
    for (let i = 0; i < sample.length; i++) out[start + i] = (Math.min(Math.max(sample[i]!, -s), s) / s) * r;
  }
  return out;
}

export interface AncestralStepInput {
  xt: Float32Array;
  output: Float32Array; // guided model output at t
  t: number;
  prev: number;
  alphas: Float64Array;
  predictionType: PredictionType;
  processing: X0Processing;
  sampleSize: number; // elements per batch sample
  noise: Float32Array | null; // fresh N(0, I), used only while prev > 0
}

export function ancestralStep(input: AncestralStepInput): Float32Array {
  const { xt, output, t, prev, alphas, predictionType, processing, sampleSize, noise } = input;
  const alphaBar = alphaBarAt(alphas, t);
  const alphaPrev = alphaBarAt(alphas, prev);
  const x0 = processX0(predictX0(xt, output, alphaBar, predictionType), sampleSize, processing);
  const eps = epsilonFromX0(xt, x0, alphaBar);
  const variance = ((1 - alphaBar / alphaPrev) * (1 - alphaPrev)) / (1 - alphaBar);
  const sigma = Math.sqrt(Math.max(variance, 0));
  const a = Math.sqrt(alphaPrev);
  const b = Math.sqrt(Math.max(1 - alphaPrev - variance, 0));
  const addNoise = prev > 0;
  if (addNoise && !noise) throw new Error('ancestralStep needs noise while prev > 0');
  const out = new Float32Array(xt.length);
  for (let i = 0; i < xt.length; i++) out[i] = a * x0[i]! + b * eps[i]! + (addNoise ? sigma * noise![i]! : 0);
  return out;
}

/** An ancestral sampler behind the Sampler interface; its state is x_t. `grid` is its [t, prev] pairs
 * (ancestralTimesteps, or the refiner's early part); `processing` what it does to x̂₀. Noise is drawn
 * after each step that has a successor (prev > 0), in step order. */
export function ancestralSampler(
  setup: SamplerSetup,
  grid: readonly [number, number][],
  processing: X0Processing,
): Sampler {
  const { alphas, sampleSize } = setup;
  const predictionType = setup.predictionType('base');
  return {
    timesteps: grid.map(([t]) => ({ t, stage: 'base' })),
    // diffusers' add_noise, to the first kept timestep.
    addNoise: (latent, noise, from) => addNoise(latent, noise, alphas[grid[from]![0]]!),
    modelInput: (state) => state,
    step: (input, output, i, random) => {
      const [t, prev] = grid[i]!;
      const state = ancestralStep({
        xt: input,
        output,
        t,
        prev,
        alphas,
        predictionType,
        processing,
        sampleSize,
        noise: prev > 0 ? random.normals(sampleSize) : null,
      });
      return { state, x0: predictX0(input, output, alphas[t]!, predictionType) };
    },
  };
}

/** Original 3.1 text-to-image (kandinsky3-architecture §6.2): the original grid, x̂₀ dynamically
 * thresholded at p = 0.99. */
export function originalAncestralSampler(setup: SamplerSetup): Sampler {
  return ancestralSampler(setup, ancestralTimesteps(setup.steps, 'original', setup.alphas.length), {
    kind: 'dynamic-threshold',
    percentile: 0.99,
    range: setup.clipRange,
  });
}

/** diffusers' DDPMScheduler (kandinsky3-architecture §6.3): leading spacing, x̂₀ clipped. */
export function ddpmSampler(setup: SamplerSetup): Sampler {
  return ancestralSampler(setup, ancestralTimesteps(setup.steps, 'diffusers', setup.alphas.length), {
    kind: 'clip',
    range: setup.clipRange,
  });
}
