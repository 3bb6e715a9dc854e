import type { StateCreator } from 'zustand';
import type { LoadedPack, PackPlan, PackSourceSpec, Picture, Progress } from '../../shared/engine-api';
import type { AppError } from '../app-error';
import type { GenerationParameters } from '../png/generation-parameters';

// offer: a pack's size is shown and waits for the user to start the download.
// paused: a download was cancelled or stopped; what arrived is stored and it can resume.
// cancelling: the user cancelled; the worker has not acknowledged yet.
export type EngineStatus =
  'starting' | 'offer' | 'loading' | 'paused' | 'ready' | 'generating' | 'cancelling' | 'error' | 'unsupported';

export interface ShownImage {
  /** What made it, for PNG metadata and "reuse parameters". */
  parameters: GenerationParameters;
  id: number; // counts images shown this visit, so a repeat of the same seed is still a new image
  /** The model-size picture: what edits, animation and "start from this" work on. */
  width: number;
  height: number;
  pixels: Uint8ClampedArray;
  /** Its copy enlarged by the pack's upscaler, when there is one: what is shown, stored and downloaded. */
  upscaled?: Picture;
  seed: number;
  totalMs: number;
}

export interface EngineSlice {
  status: EngineStatus;
  pack: LoadedPack | null;
  /** The pack being offered, downloaded or loaded, and where it comes from (to resume it). */
  plan: PackPlan | null;
  source: PackSourceSpec | null;
  progress: Progress | null;
  error: AppError | null;
  image: ShownImage | null;
  /** The images of the last batch (the selected one is `image`). */
  batch: ShownImage[];
  /** The last pack that loaded, to go back to when another one fails. */
  lastWorkingSource: PackSourceSpec | null;
  /** Stored packs that failed to load this visit, by pack id, with what went wrong. */
  brokenPacks: Record<string, string>;
  setBroken: (id: string, problem: string | null) => void;
  setEngine: (
    changes: Partial<
      Pick<
        EngineSlice,
        'status' | 'pack' | 'plan' | 'source' | 'progress' | 'error' | 'image' | 'batch' | 'lastWorkingSource'
      >
    >,
  ) => void;
}

export const createEngineSlice: StateCreator<EngineSlice, [], [], EngineSlice> = (set, get) => ({
  status: 'starting',
  pack: null,
  plan: null,
  source: null,
  progress: null,
  error: null,
  image: null,
  batch: [],
  lastWorkingSource: null,
  brokenPacks: {},
  setBroken: (id, problem) => {
    const { [id]: _old, ...others } = get().brokenPacks;
    void _old;
    set({ brokenPacks: problem ? { ...others, [id]: problem } : others });
  },
  setEngine: (changes) => set(changes),
});
