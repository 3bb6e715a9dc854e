// One zustand store made of slices: the engine's state, the generation parameters, the canvas, the
// gallery, edge guidance and animation.
import { create } from 'zustand';
import { createCanvasSlice, type CanvasSlice } from './canvas-slice';
import { createAnimationSlice, type AnimationSlice } from './animation-slice';
import { createEdgeSlice, type EdgeSlice } from './edge-slice';
import { createEngineSlice, type EngineSlice } from './engine-slice';
import { createHistorySlice, type HistorySlice } from './history-slice';
import { createParamsSlice, type ParamsSlice } from './params-slice';

export type AppState = EngineSlice & ParamsSlice & CanvasSlice & HistorySlice & EdgeSlice & AnimationSlice;

export const useAppStore = create<AppState>()((...a) => ({
  ...createEngineSlice(...a),
  ...createParamsSlice(...a),
  ...createCanvasSlice(...a),
  ...createHistorySlice(...a),
  ...createEdgeSlice(...a),
  ...createAnimationSlice(...a),
}));
