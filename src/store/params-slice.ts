import type { StateCreator } from 'zustand';
import type { LoadedPack, SamplerName } from '../../shared/engine-api';
import type { CanvasSlice } from './canvas-slice';
import type { EngineSlice } from './engine-slice';

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
  /** A newly loaded pack brings its own defaults (size, sampler, steps, guidance), and the canvas's
   * outpainting step in its size steps. */
  applyPackDefaults: (pack: LoadedPack) => void;
}

/** Steps and guidance for a sampler, as the pack says of it (SamplerInfo: the engine decides them).
 * Null when the pack does not offer it (or no pack is loaded). */
export function samplerDefaults(
  sampler: SamplerName,
  pack: LoadedPack | null,
): { steps: number; guidance: number } | null {
  const info = pack?.samplers.find((offered) => offered.name === sampler);
  return info ? { steps: info.defaultSteps, guidance: info.defaultGuidance } : null;
}

export const createParamsSlice: StateCreator<
  ParamsSlice & Pick<EngineSlice, 'pack'> & Pick<CanvasSlice, 'outpaintAmount'>,
  [],
  [],
  ParamsSlice
> = (set, get) => ({
  prompt: 'red apple, 3d style',
  negativePrompt: '',
  seed: 42,
  // Placeholders until a pack loads: applyPackDefaults replaces them, and the form shows none of them
  // before (the sampler, size, steps and guidance fields come from the pack).
  sampler: 'flash',
  steps: 0,
  guidance: 0,
  width: 0,
  height: 0,
  batchSize: 1,
  embedParameters: globalThis.localStorage?.getItem('kandinsky-web:embed-parameters') !== 'false',
  setParams: (changes) => {
    if (changes.embedParameters !== undefined) {
      globalThis.localStorage?.setItem('kandinsky-web:embed-parameters', String(changes.embedParameters));
    }
    set(changes);
  },
  setSampler: (sampler) => set({ sampler, ...samplerDefaults(sampler, get().pack) }),
  applyPackDefaults: (pack) => {
    const sampler = pack.samplers.some((offered) => offered.name === pack.defaults.sampler)
      ? pack.defaults.sampler
      : pack.samplers[0]!.name;
    set({
      sampler,
      ...samplerDefaults(sampler, pack),
      width: pack.defaults.width,
      height: pack.defaults.height,
      // The middle one of the amounts the canvas toolbar offers (1, 2 or 4 size steps).
      outpaintAmount: 2 * pack.resolution.multipleOf,
    });
  },
});
