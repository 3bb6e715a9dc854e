// The gallery on screen: one page of the finished images stored in IndexedDB, newest first (null until
// read), and where that page sits in the whole history.
import type { StateCreator } from 'zustand';
import type { HistoryEntry } from '../history/history-store';

/** Pictures per gallery page: enough to browse, few enough that thousands of entries cost nothing. */
export const HISTORY_PAGE_SIZE = 48;

export interface HistorySlice {
  history: HistoryEntry[] | null;
  /** Entries in the whole history. */
  historyTotal: number;
  /** How many newer entries come before this page. */
  historyOffset: number;
  setHistory: (page: { history: HistoryEntry[]; historyTotal: number; historyOffset: number }) => void;
}

export const createHistorySlice: StateCreator<HistorySlice, [], [], HistorySlice> = (set) => ({
  history: null,
  historyTotal: 0,
  historyOffset: 0,
  setHistory: (page) => set(page),
});
