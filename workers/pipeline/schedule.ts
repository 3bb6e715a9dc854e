// Noise schedules as ᾱ_t (alphas_cumprod) for t = 0..T-1, in float64.
// cosine is diffusers' squaredcos_cap_v2, the Kandinsky 3 schedule (kandinsky3-architecture §6.1); linear is the
// DDPM one, for packs that declare it.
import type { PackManifest } from '../pack/manifest';

export type Schedule = PackManifest['schedule'];

export function alphasCumprod(schedule: Schedule): Float64Array {
  const T = schedule.numTrainTimesteps;
  const betas = new Float64Array(T);
  if (schedule.type === 'cosine') {
    const alphaBar = (s: number) => Math.cos(((s + 0.008) / 1.008) * (Math.PI / 2)) ** 2;
    for (let i = 0; i < T; i++) betas[i] = Math.min(1 - alphaBar((i + 1) / T) / alphaBar(i / T), 0.999);
  } else {
    const start = schedule.betaStart ?? 0.0001;
    const end = schedule.betaEnd ?? 0.02;
    for (let i = 0; i < T; i++) betas[i] = start + ((end - start) * i) / (T - 1);
  }
  const out = new Float64Array(T);
  let product = 1;
  for (let i = 0; i < T; i++) {
    product *= 1 - betas[i]!;
    out[i] = product;
  }
  return out;
}

/** ᾱ at a grid point; "before the first step" (t < 0) is the clean signal, ᾱ = 1. */
export function alphaBarAt(alphas: Float64Array, t: number): number {
  return t < 0 ? 1 : alphas[t]!;
}
