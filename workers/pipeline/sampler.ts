// What the denoising loop asks of a sampler, in the manner of diffusers' schedulers: its timesteps,
// one update per step, and how an image enters the schedule part-way (image-to-image). The loop holds
// one latent-sized `state` and never asks which sampler it runs; each sampler decides what the state
// means (x_t for the ancestral samplers, the current x̂₀ estimate for Flash) and when it draws noise.
import type { SeededRandom } from '../../shared/random';
import type { PredictionType } from './prediction';

/** Which of the pack's U-Nets a step runs: the undistilled one (guided, when guidance > 0) or the
 * distilled Flash one (never guided: distillation folded guidance in). */
export type UNetStage = 'base' | 'flash';

export interface SamplerStep {
  t: number;
  stage: UNetStage;
}

/** What a sampler is built from: the request's step count and the pack's schedule and U-Nets. */
export interface SamplerSetup {
  /** The user's step count, for samplers whose step count is a choice. */
  steps: number;
  /** ᾱ_t for t = 0 … T − 1. */
  alphas: Float64Array;
  /** The distilled U-Net's timesteps, from the pack (kandinsky3-architecture §7.1). */
  flashTimesteps: readonly number[];
  /** The range x̂₀ is clipped or thresholded to: 1 for Kandinsky 3, wider for unit-variance latents. */
  clipRange: number;
  /** Elements of one latent. */
  sampleSize: number;
  /** Each stage's U-Net output convention (ε or v), from the pack. */
  predictionType: (stage: UNetStage) => PredictionType;
}

export interface Sampler {
  /** Every step of a full run, first to last. */
  readonly timesteps: readonly SamplerStep[];
  /** Image-to-image: the state to start step `from` with, given the encoded image and the run's
   * initial noise draw (drawn for every run, so seeds behave alike). */
  addNoise(latent: Float32Array, noise: Float32Array, from: number): Float32Array;
  /** The U-Net's input at step `i` from the state (Flash noises its estimate here, with fresh noise). */
  modelInput(state: Float32Array, i: number, random: SeededRandom): Float32Array;
  /** The state after step `i`, from the U-Net's (guided) output, and the x̂₀ it implies, for previews. */
  step(input: Float32Array, output: Float32Array, i: number, random: SeededRandom): SamplerUpdate;
}

export interface SamplerUpdate {
  state: Float32Array;
  x0: Float32Array;
}

/** The step image-to-image starts at for strength s: it keeps the last ⌊n·s⌋ of the n steps. */
export function firstKeptStep(steps: number, strength: number): number {
  return steps - Math.floor(steps * strength + 1e-9);
}
