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
  /** Enlarge results with the pack's upscaler, when it has one (shown, stored and downloaded enlarged). */
  upscaleResults: boolean;
  /** Images per click (seeds seed, seed + 1, …). */
  batchSize: number;
  /** The pack the sampler, steps, guidance and size were chosen for: a reload with the same pack keeps
   * them, another pack brings its own defaults. */
  settingsPack: string | null;
  /** What is wrong with a generation field as typed, by field name: Generate waits until none is. */
  fieldProblems: Record<string, string>;
  setFieldProblem: (field: string, problem: string | null) => void;
  setParams: (
    changes: Partial<
      Omit<
        ParamsSlice,
        'setParams' | 'applyPackDefaults' | 'setSampler' | 'fieldProblems' | 'setFieldProblem' | 'settingsPack'
      >
    >,
  ) => void;
  /** Switching sampler brings that sampler's steps and guidance. */
  setSampler: (sampler: SamplerName) => void;
  /** A newly loaded pack brings its own defaults (size, sampler, steps, guidance), unless the settings
   * were chosen for this pack and it can run them; and the canvas's outpainting step in its size steps. */
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

/** What a reload keeps (zustand's persist, in localStorage): the prompt and the settings. */
export function rememberedSettings(state: ParamsSlice) {
  const { prompt, negativePrompt, seed, sampler, steps, guidance, width, height, batchSize, settingsPack } = state;
  return { prompt, negativePrompt, seed, sampler, steps, guidance, width, height, batchSize, settingsPack };
}

/** Whether settings remembered for this pack still fit it: the sampler offered, the steps in its range,
 * the size within its limits. */
function settingsFit(state: ParamsSlice, pack: LoadedPack): boolean {
  const info = pack.samplers.find((offered) => offered.name === state.sampler);
  const { multipleOf, min, max } = pack.resolution;
  const sideFits = (side: number) => Number.isInteger(side) && side % multipleOf === 0 && side >= min && side <= max;
  return (
    state.settingsPack === pack.name &&
    info !== undefined &&
    (info.fixedSteps !== null || (Number.isInteger(state.steps) && state.steps >= 1 && state.steps <= info.maxSteps)) &&
    sideFits(state.width) &&
    sideFits(state.height)
  );
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
  settingsPack: null,
  fieldProblems: {},
  setFieldProblem: (field, problem) => {
    const { [field]: _old, ...others } = get().fieldProblems;
    void _old;
    set({ fieldProblems: problem ? { ...others, [field]: problem } : others });
  },
  embedParameters: globalThis.localStorage?.getItem('kandinsky-web:embed-parameters') !== 'false',
  upscaleResults: globalThis.localStorage?.getItem('kandinsky-web:upscale-results') !== 'false',
  setParams: (changes) => {
    if (changes.embedParameters !== undefined) {
      globalThis.localStorage?.setItem('kandinsky-web:embed-parameters', String(changes.embedParameters));
    }
    if (changes.upscaleResults !== undefined) {
      globalThis.localStorage?.setItem('kandinsky-web:upscale-results', String(changes.upscaleResults));
    }
    set(changes);
  },
  setSampler: (sampler) => set({ sampler, ...samplerDefaults(sampler, get().pack) }),
  applyPackDefaults: (pack) => {
    // The middle one of the amounts the canvas toolbar offers (1, 2 or 4 size steps).
    const outpaintAmount = 2 * pack.resolution.multipleOf;
    if (settingsFit(get(), pack)) {
      set({ outpaintAmount });
      return;
    }
    const sampler = pack.samplers.some((offered) => offered.name === pack.defaults.sampler)
      ? pack.defaults.sampler
      : pack.samplers[0]!.name;
    set({
      sampler,
      ...samplerDefaults(sampler, pack),
      width: pack.defaults.width,
      height: pack.defaults.height,
      settingsPack: pack.name,
      outpaintAmount,
    });
  },
});
