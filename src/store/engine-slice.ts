import type { StateCreator } from 'zustand';
import type { LoadedPack, Progress } from '../../workers/engine-api';
import type { AppState } from './index';

export type EngineStatus = 'starting' | 'loading' | 'ready' | 'generating' | 'error' | 'unsupported';

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
  progress: Progress | null;
  error: { name: string; message: string } | null;
  image: ShownImage | null;
  setEngine: (changes: Partial<Pick<EngineSlice, 'status' | 'pack' | 'progress' | 'error' | 'image'>>) => void;
}

export const createEngineSlice: StateCreator<AppState, [], [], EngineSlice> = (set) => ({
  status: 'starting',
  pack: null,
  progress: null,
  error: null,
  image: null,
  setEngine: (changes) => set(changes),
});
