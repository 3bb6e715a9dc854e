// Every sampler the engine offers, by name: the U-Nets it runs and how it is built. Adding a sampler
// means its own file, a line here (which also names it in the engine API's SamplerName), and its
// words in the UI's list (src/samplers/sampler-labels.ts).
import { ddpmSampler, originalAncestralSampler } from './ancestral-sampler';
import { flashSampler } from './flash-sampler';
import { refinerSampler } from './refiner-sampler';
import type { Sampler, SamplerSetup, UNetStage } from './sampler';

export interface SamplerEntry {
  /** The U-Nets its steps run, each of which the pack must have. */
  stages: readonly UNetStage[];
  /** Whether the user's step count applies; without, the pack's distilled timesteps decide it. */
  usesSteps: boolean;
  /** Where the app starts this sampler, unless the pack names it as its default sampler (then the
   * pack's own steps and guidance): kandinsky3-architecture §6.5. */
  defaults: { steps: number; guidance: number };
  create: (setup: SamplerSetup) => Sampler;
}

/** In the order the UI offers them: the fast default first. */
const REGISTRY = {
  flash: {
    stages: ['flash'],
    usesSteps: false,
    defaults: { steps: 4, guidance: 0 },
    create: (setup) => flashSampler(setup),
  },
  // About half of the diffusers default's 25: the base steps cover only the noisy half of the
  // schedule, and Flash finishes the rest in two.
  refiner: { stages: ['base', 'flash'], usesSteps: true, defaults: { steps: 12, guidance: 3 }, create: refinerSampler },
  ddpm: { stages: ['base'], usesSteps: true, defaults: { steps: 25, guidance: 3 }, create: ddpmSampler },
  ancestral: {
    stages: ['base'],
    usesSteps: true,
    defaults: { steps: 50, guidance: 3 },
    create: originalAncestralSampler,
  },
} satisfies Record<string, SamplerEntry>;

export type SamplerName = keyof typeof REGISTRY;

export const SAMPLERS: Record<SamplerName, SamplerEntry> = REGISTRY;

export const SAMPLER_NAMES = Object.keys(SAMPLERS) as SamplerName[];
