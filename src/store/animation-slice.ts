import type { StateCreator } from 'zustand';
import { DEFAULT_ANIMATION, type AnimationSettings } from '../animation/animation-director';
import type { CanvasImage } from '../canvas/canvas-image';

/** The animation being made or shown, and its export. Frames arrive one by one while it runs. */
export interface AnimationSlice {
  animation: AnimationSettings;
  /** Start from the image shown (else frame 0 is generated from the prompt). */
  animateFromCurrent: boolean;
  animationFrames: CanvasImage[];
  /** Frames the running animation will have. */
  animationTotal: number;
  animationState: 'idle' | 'running' | 'cancelling' | 'exporting';
  exportProgress: { done: number; total: number } | null;
  /** The last export, ready to download again. */
  videoUrl: string | null;
  setAnimation: (changes: Partial<AnimationSettings>) => void;
  setAnimationState: (
    changes: Partial<
      Pick<
        AnimationSlice,
        'animateFromCurrent' | 'animationFrames' | 'animationTotal' | 'animationState' | 'exportProgress' | 'videoUrl'
      >
    >,
  ) => void;
}

export const createAnimationSlice: StateCreator<AnimationSlice, [], [], AnimationSlice> = (set, get) => ({
  animation: DEFAULT_ANIMATION,
  animateFromCurrent: false,
  animationFrames: [],
  animationTotal: 0,
  animationState: 'idle',
  exportProgress: null,
  videoUrl: null,
  setAnimation: (changes) => set({ animation: { ...get().animation, ...changes } }),
  setAnimationState: (changes) => set(changes),
});
