// What is timed, the same in the browser and in Node: the nano pack's samplers at its trained size,
// and Flash at growing sizes for the resolution scaling. Guidance 3 is the base sampler's default in
// the app (kandinsky3-architecture §6.2: the diffusers pipeline's default).
import type { GenerateParams, GraphRunTiming, InpaintParams } from '../shared/engine-api';

export const PROMPT = 'grinning face, noto style';

export interface Workload {
  key: string;
  label: string;
  params: (seed: number) => GenerateParams;
}

function params(sampler: GenerateParams['sampler'], steps: number, guidance: number, side: number) {
  return (seed: number): GenerateParams => ({
    prompt: PROMPT,
    negativePrompt: '',
    seed,
    sampler,
    steps,
    guidance,
    width: side,
    height: side,
  });
}

export const FLASH_64: Workload = { key: 'flash-64', label: 'Flash, 4 steps, 64²', params: params('flash', 4, 0, 64) };

export const SAMPLER_WORKLOADS: Workload[] = [
  FLASH_64,
  { key: 'ddpm25-64', label: 'base, 25 steps, guidance 3, 64²', params: params('ddpm', 25, 3, 64) },
  { key: 'ddpm50-64', label: 'base, 50 steps, guidance 3, 64²', params: params('ddpm', 50, 3, 64) },
  {
    key: 'refiner12-64',
    label: 'Flash refiner: base 12 steps, guidance 3, then Flash 2 steps, 64²',
    params: params('refiner', 12, 3, 64),
  },
];

/** Latent 16², 24², 32² (the nano autoencoder downsamples ×4). */
export const SIZE_WORKLOADS: Workload[] = [64, 96, 128].map((side) => ({
  key: `flash-${side}`,
  label: `Flash, 4 steps, ${side}²`,
  params: params('flash', 4, 0, side),
}));

/** Inpainting at the trained size: the middle half of the picture is repainted. */
export function inpaintParams(seed: number): InpaintParams {
  const side = 64;
  const image = new Uint8ClampedArray(side * side * 4);
  const mask = new Uint8Array(side * side);
  for (let y = 0; y < side; y++) {
    for (let x = 0; x < side; x++) {
      const i = y * side + x;
      image.set([(x * 4) & 255, (y * 4) & 255, 128, 255], i * 4);
      if (x >= 16 && x < 48 && y >= 16 && y < 48) mask[i] = 255;
    }
  }
  return { ...FLASH_64.params(seed), image, mask, feather: 4 };
}

/** The upscaler on a picture of the pack's trained size (nano: 64 → 256). */
export const UPSCALE_SIDE = 64;
export const UPSCALE_KEY = 'upscale-64';

/** One image: the time the caller waited for it, and the graph calls inside it. */
export interface ImageRun {
  ms: number;
  runs: GraphRunTiming[];
}
