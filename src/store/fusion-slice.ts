import type { StateCreator } from 'zustand';
import type { ReferencePicture } from '../fusion/fusion-params';

/** Image fusion (IP-Adapter): off until the user turns it on; the pictures stay while it is off, so
 * toggling loses nothing. */
export interface FusionSlice {
  fusionEnabled: boolean;
  fusionPictures: ReferencePicture[];
  /** The image branch's weight in the U-Net (FusionParams.scale). */
  fusionStrength: number;
  setFusion: (changes: Partial<Omit<FusionSlice, 'setFusion'>>) => void;
}

export const createFusionSlice: StateCreator<FusionSlice, [], [], FusionSlice> = (set) => ({
  fusionEnabled: false,
  fusionPictures: [],
  fusionStrength: 1,
  setFusion: (changes) => set(changes),
});
