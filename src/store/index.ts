// One zustand store made of slices: the engine's state and the generation parameters.
import { create } from 'zustand';
import { createEngineSlice, type EngineSlice } from './engine-slice';
import { createParamsSlice, type ParamsSlice } from './params-slice';

export type AppState = EngineSlice & ParamsSlice;

export const useAppStore = create<AppState>()((...a) => ({
  ...createEngineSlice(...a),
  ...createParamsSlice(...a),
}));
