// One zustand store made of slices: the engine's state, the generation parameters and the canvas.
import { create } from 'zustand';
import { createCanvasSlice, type CanvasSlice } from './canvas-slice';
import { createEngineSlice, type EngineSlice } from './engine-slice';
import { createParamsSlice, type ParamsSlice } from './params-slice';

export type AppState = EngineSlice & ParamsSlice & CanvasSlice;

export const useAppStore = create<AppState>()((...a) => ({
  ...createEngineSlice(...a),
  ...createParamsSlice(...a),
  ...createCanvasSlice(...a),
}));
