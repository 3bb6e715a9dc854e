import type { StateCreator } from 'zustand';
import type { CanvasImage } from '../canvas/canvas-image';
import type { MaskOp } from '../canvas/mask-ops';
import type { EdgeSource } from '../edges/edge-hint';

/** Edge-guided generation (ControlNet): off until the user turns it on; the picture or drawing stays
 * while it is off, so toggling loses nothing. */
export interface EdgeSlice {
  edgeEnabled: boolean;
  edgeSource: EdgeSource;
  edgePicture: CanvasImage | null;
  /** Drawing strokes in fractions of the pad (edges/edge-hint.ts). */
  edgeStrokes: MaskOp[];
  edgeStrength: number;
  edgeStart: number;
  edgeEnd: number;
  setEdge: (changes: Partial<Omit<EdgeSlice, 'setEdge'>>) => void;
}

export const createEdgeSlice: StateCreator<EdgeSlice, [], [], EdgeSlice> = (set) => ({
  edgeEnabled: false,
  edgeSource: 'drawing',
  edgePicture: null,
  edgeStrokes: [],
  edgeStrength: 1,
  edgeStart: 0,
  edgeEnd: 1,
  setEdge: (changes) => set(changes),
});
