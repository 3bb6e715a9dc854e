// The Kandinsky 3.1 Flash sampler (kandinsky3-architecture §7.1): start from noise; at each of the distilled
// timesteps (979, 729, 479, 229) re-noise the current estimate with fresh noise, run the U-Net once
// without guidance, and keep its x̂₀. No clipping. The last x̂₀ is the result.
import type { SeededRandom } from '../../shared/random';
import { addNoise, predictX0, type PredictionType } from './prediction';
import type { Sampler, SamplerSetup } from './sampler';

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

/** Flash behind the Sampler interface. Its state is the current x̂₀ estimate: the initial noise for a
 * run from scratch, the encoded image for image-to-image (each step noises the estimate to t itself).
 * `timesteps` defaults to all of the pack's distilled ones; the refiner passes the late ones only. */
export function flashSampler(setup: SamplerSetup, timesteps = setup.flashTimesteps): Sampler {
  const { alphas, sampleSize } = setup;
  const predictionType = setup.predictionType('flash');
  return {
    timesteps: timesteps.map((t) => ({ t, stage: 'flash' })),
    addNoise: (latent) => latent.slice(),
    modelInput: (state, i, random: SeededRandom) =>
      flashNoisedInput(state, random.normals(sampleSize), alphas[timesteps[i]!]!),
    step: (input, output, i) => {
      const x0 = flashStep(input, output, alphas[timesteps[i]!]!, predictionType);
      return { state: x0, x0 };
    },
  };
}
