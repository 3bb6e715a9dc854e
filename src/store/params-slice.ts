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
  setParams: (changes: Partial<Omit<ParamsSlice, 'setParams' | 'applyPackDefaults'>>) => void;
  /** A newly loaded pack brings its own defaults (size, sampler, steps, guidance). */
  applyPackDefaults: (pack: LoadedPack) => void;
}

export const createParamsSlice: StateCreator<AppState, [], [], ParamsSlice> = (set) => ({
  prompt: 'red apple, 3d style',
  negativePrompt: '',
  seed: 42,
  sampler: 'flash',
  steps: 4,
  guidance: 0,
  width: 64,
  height: 64,
  setParams: (changes) => set(changes),
  applyPackDefaults: (pack) =>
    set({
      sampler: pack.samplers.includes(pack.defaults.sampler) ? pack.defaults.sampler : pack.samplers[0]!,
      steps: pack.defaults.steps,
      guidance: pack.defaults.guidance,
      width: pack.defaults.width,
      height: pack.defaults.height,
    }),
});
