// The Kandinsky 3.1 Flash sampler (reference §7.1): start from noise; at each of the distilled
// timesteps (979, 729, 479, 229) re-noise the current estimate with fresh noise, run the U-Net once
// without guidance, and keep its x̂₀. No clipping. The last x̂₀ is the result.
import { addNoise, predictX0, type PredictionType } from './prediction';

export const FLASH_TIMESTEPS: readonly number[] = [979, 729, 479, 229];

/** x_t for one Flash step: the previous estimate (or the initial noise) noised to ᾱ_t with fresh noise. */
export function flashNoisedInput(estimate: Float32Array, freshNoise: Float32Array, alphaBar: number): Float32Array {
  return addNoise(estimate, freshNoise, alphaBar);
}

/** The next estimate from the model output at that step. */
export function flashStep(
  xt: Float32Array,
  output: Float32Array,
  alphaBar: number,
  type: PredictionType,
): Float32Array {
  return predictX0(xt, output, alphaBar, type);
}
