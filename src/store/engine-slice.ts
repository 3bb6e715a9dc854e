import type { StateCreator } from 'zustand';
import type { LoadedPack, PackPlan, PackSourceSpec, Progress } from '../../workers/engine-api';
import type { AppState } from './index';

// offer: a pack's size is shown and waits for the user to start the download.
// paused: a download was cancelled or stopped; what arrived is stored and it can resume.
export type EngineStatus =
  'starting' | 'offer' | 'loading' | 'paused' | 'ready' | 'generating' | 'error' | 'unsupported';

export interface ShownImage {
  id: number; // counts images shown this visit, so a repeat of the same seed is still a new image
  width: number;
  height: number;
  pixels: Uint8ClampedArray;
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
  error: { name: string; message: string } | null;
  image: ShownImage | null;
  setEngine: (
    changes: Partial<Pick<EngineSlice, 'status' | 'pack' | 'plan' | 'source' | 'progress' | 'error' | 'image'>>,
  ) => void;
}

export const createEngineSlice: StateCreator<AppState, [], [], EngineSlice> = (set) => ({
  status: 'starting',
  pack: null,
  plan: null,
  source: null,
  progress: null,
  error: null,
  image: null,
  setEngine: (changes) => set(changes),
});
