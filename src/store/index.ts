// One zustand store made of slices: the engine's state, the generation parameters, the canvas and the gallery.
import { create } from 'zustand';
import { createCanvasSlice, type CanvasSlice } from './canvas-slice';
import { createEngineSlice, type EngineSlice } from './engine-slice';
import { createHistorySlice, type HistorySlice } from './history-slice';
import { createParamsSlice, type ParamsSlice } from './params-slice';

export type AppState = EngineSlice & ParamsSlice & CanvasSlice & HistorySlice;

export const useAppStore = create<AppState>()((...a) => ({
  ...createEngineSlice(...a),
  ...createParamsSlice(...a),
  ...createCanvasSlice(...a),
  ...createHistorySlice(...a),
}));
