// One zustand store made of slices: the engine's state, the generation parameters, the canvas, the
// gallery, edge guidance, image fusion, animation and the workspace layout.
import { create, type StoreApi } from 'zustand';
import { persist } from 'zustand/middleware';
import { createCanvasSlice, type CanvasSlice } from './canvas-slice';
import { createAnimationSlice, type AnimationSlice } from './animation-slice';
import { createEdgeSlice, type EdgeSlice } from './edge-slice';
import { createEngineSlice, type EngineSlice } from './engine-slice';
import { createFusionSlice, type FusionSlice } from './fusion-slice';
import { createHistorySlice, type HistorySlice } from './history-slice';
import { createLayoutSlice, rememberedLayout, type LayoutSlice } from './layout-slice';
import { createParamsSlice, rememberedSettings, type ParamsSlice } from './params-slice';

export type AppState = EngineSlice &
  ParamsSlice &
  CanvasSlice &
  HistorySlice &
  EdgeSlice &
  FusionSlice &
  AnimationSlice &
  LayoutSlice;

type Remembered = ReturnType<typeof rememberedSettings> & ReturnType<typeof rememberedLayout>;
const remembered = (state: AppState): Remembered => ({ ...rememberedSettings(state), ...rememberedLayout(state) });

export const useAppStore = create<AppState>()(
  // The prompt, the settings and the layout survive a reload (localStorage); the rest starts afresh.
  persist<AppState, [], [], Remembered>(
    (set, get, api) => {
      // The slices see the store without the persist layer: it only adds hydration to the API.
      const a = [set, get, api as StoreApi<AppState>] as const;
      return {
        ...createEngineSlice(...a),
        ...createParamsSlice(...a),
        ...createCanvasSlice(...a),
        ...createHistorySlice(...a),
        ...createEdgeSlice(...a),
        ...createFusionSlice(...a),
        ...createAnimationSlice(...a),
        ...createLayoutSlice(...a),
      };
    },
    { name: 'kandinsky-web:settings', version: 1, partialize: remembered },
  ),
);
