// How the workspace is laid out: the mode (making pictures or animations), whether the advanced
// options are unfolded, and whether the settings dialog is open. The first two survive a reload.
import type { StateCreator } from 'zustand';

export type WorkspaceMode = 'create' | 'animate';

export interface LayoutSlice {
  mode: WorkspaceMode;
  advancedOpen: boolean;
  settingsOpen: boolean;
  /** "Copied", say: shown for a few seconds where screen readers hear it. */
  toast: { text: string; id: number } | null;
  showToast: (text: string) => void;
  /** Hides the toast if it is still the one given (a newer one stays its full time). */
  hideToast: (id: number) => void;
  setLayout: (changes: Partial<Pick<LayoutSlice, 'mode' | 'advancedOpen' | 'settingsOpen'>>) => void;
}

export function rememberedLayout(state: LayoutSlice) {
  const { mode, advancedOpen } = state;
  return { mode, advancedOpen };
}

export const createLayoutSlice: StateCreator<LayoutSlice, [], [], LayoutSlice> = (set, get) => ({
  mode: 'create',
  advancedOpen: false,
  settingsOpen: false,
  toast: null,
  showToast: (text) => set({ toast: { text, id: (get().toast?.id ?? 0) + 1 } }),
  hideToast: (id) => {
    if (get().toast?.id === id) set({ toast: null });
  },
  setLayout: (changes) => set(changes),
});
