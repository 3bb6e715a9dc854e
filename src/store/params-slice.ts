import type { StateCreator } from 'zustand';
import type { LoadedPack, SamplerName } from '../../workers/engine-api';
import type { AppState } from './index';

export interface ParamsSlice {
  prompt: string;
  negativePrompt: string;
  seed: number;
  sampler: SamplerName;
  steps: number;
  guidance: number;
  width: number;
  height: number;
  /** Write the generation parameters into downloaded PNGs (A1111 `parameters` text chunk). */
  embedParameters: boolean;
  /** Images per click (seeds seed, seed + 1, …). */
  batchSize: number;
  setParams: (changes: Partial<Omit<ParamsSlice, 'setParams' | 'applyPackDefaults' | 'setSampler'>>) => void;
  /** Switching sampler brings that sampler's steps and guidance. */
  setSampler: (sampler: SamplerName) => void;
  /** A newly loaded pack brings its own defaults (size, sampler, steps, guidance). */
  applyPackDefaults: (pack: LoadedPack) => void;
}

/** Steps and guidance for a sampler: the pack's own defaults for its default sampler, otherwise the
 * reference defaults (Flash 4 steps unguided; diffusers 25 steps, w = 3; original 3.1 50 steps, w = 3). */
export function samplerDefaults(sampler: SamplerName, pack: LoadedPack | null): { steps: number; guidance: number } {
  if (pack && pack.defaults.sampler === sampler)
    return { steps: pack.defaults.steps, guidance: pack.defaults.guidance };
  if (sampler === 'flash') return { steps: 4, guidance: 0 };
  return sampler === 'ddpm' ? { steps: 25, guidance: 3 } : { steps: 50, guidance: 3 };
}

export const createParamsSlice: StateCreator<AppState, [], [], ParamsSlice> = (set, get) => ({
  prompt: 'red apple, 3d style',
  negativePrompt: '',
  seed: 42,
  sampler: 'flash',
  steps: 4,
  guidance: 0,
  width: 64,
  height: 64,
  batchSize: 1,
  embedParameters: globalThis.localStorage?.getItem('kandinsky-web:embed-parameters') !== 'false',
  setParams: (changes) => {
    if (changes.embedParameters !== undefined) {
      globalThis.localStorage?.setItem('kandinsky-web:embed-parameters', String(changes.embedParameters));
    }
    set(changes);
  },
  setSampler: (sampler) => set({ sampler, ...samplerDefaults(sampler, get().pack) }),
  applyPackDefaults: (pack) =>
    set({
      sampler: pack.samplers.includes(pack.defaults.sampler) ? pack.defaults.sampler : pack.samplers[0]!,
      steps: pack.defaults.steps,
      guidance: pack.defaults.guidance,
      width: pack.defaults.width,
      height: pack.defaults.height,
    }),
});
