// The gallery: finished images stored in IndexedDB, newest first (null until read).
import type { StateCreator } from 'zustand';
import type { HistoryEntry } from '../history/history-store';

export interface HistorySlice {
  history: HistoryEntry[] | null;
  setHistory: (history: HistoryEntry[]) => void;
}

export const createHistorySlice: StateCreator<HistorySlice, [], [], HistorySlice> = (set) => ({
  history: null,
  setHistory: (history) => set({ history }),
});
