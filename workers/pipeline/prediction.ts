// Conversions between what a U-Net predicts and the quantities samplers need, at noise level ᾱ.
// Pure functions on flat Float32Arrays; all arithmetic in float64 per element.
import type { UNetInfo } from '../pack/manifest';

export type PredictionType = UNetInfo['predictionType'];

/** q(x_t | x_0): √ᾱ·x₀ + √(1−ᾱ)·noise. */
export function addNoise(x0: Float32Array, noise: Float32Array, alphaBar: number): Float32Array {
  const a = Math.sqrt(alphaBar);
  const b = Math.sqrt(1 - alphaBar);
  const out = new Float32Array(x0.length);
  for (let i = 0; i < x0.length; i++) out[i] = a * x0[i]! + b * noise[i]!;
  return out;
}

/** The clean-sample estimate x̂₀ from the model output. */
export function predictX0(
  xt: Float32Array,
  output: Float32Array,
  alphaBar: number,
  type: PredictionType,
): Float32Array {
  const a = Math.sqrt(alphaBar);
  const b = Math.sqrt(1 - alphaBar);
  const out = new Float32Array(xt.length);
  for (let i = 0; i < xt.length; i++) {
    if (type === 'epsilon') out[i] = (xt[i]! - b * output[i]!) / a;
    else if (type === 'v_prediction') out[i] = a * xt[i]! - b * output[i]!;
    else out[i] = output[i]!;
  }
  return out;
}

/** The noise implied by x_t and an (already processed) x̂₀: (x_t − √ᾱ·x̂₀)/√(1−ᾱ). */
export function epsilonFromX0(xt: Float32Array, x0: Float32Array, alphaBar: number): Float32Array {
  const a = Math.sqrt(alphaBar);
  const b = Math.sqrt(1 - alphaBar);
  const out = new Float32Array(xt.length);
  for (let i = 0; i < xt.length; i++) out[i] = (xt[i]! - a * x0[i]!) / b;
  return out;
}

/** Classifier-free guidance as Kandinsky 3 writes it (kandinsky3-architecture §5.5): (w+1)·cond − w·uncond.
 * w = 3 equals the "classic" scale 4. Linear in the output, so it applies to ε and v alike. */
export function guide(cond: Float32Array, uncond: Float32Array, weight: number): Float32Array {
  const out = new Float32Array(cond.length);
  for (let i = 0; i < cond.length; i++) out[i] = (weight + 1) * cond[i]! - weight * uncond[i]!;
  return out;
}
