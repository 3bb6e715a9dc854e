// One zustand store made of slices: the engine's state, the generation parameters, the canvas, the
// gallery, edge guidance, image fusion and animation.
import { create } from 'zustand';
import { createCanvasSlice, type CanvasSlice } from './canvas-slice';
import { createAnimationSlice, type AnimationSlice } from './animation-slice';
import { createEdgeSlice, type EdgeSlice } from './edge-slice';
import { createEngineSlice, type EngineSlice } from './engine-slice';
import { createFusionSlice, type FusionSlice } from './fusion-slice';
import { createHistorySlice, type HistorySlice } from './history-slice';
import { createParamsSlice, type ParamsSlice } from './params-slice';

export type AppState = EngineSlice &
  ParamsSlice &
  CanvasSlice &
  HistorySlice &
  EdgeSlice &
  FusionSlice &
  AnimationSlice;

export const useAppStore = create<AppState>()((...a) => ({
  ...createEngineSlice(...a),
  ...createParamsSlice(...a),
  ...createCanvasSlice(...a),
  ...createHistorySlice(...a),
  ...createEdgeSlice(...a),
  ...createFusionSlice(...a),
  ...createAnimationSlice(...a),
}));
