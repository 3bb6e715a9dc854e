// Every finished image, kept in IndexedDB (idb-keyval) so the gallery survives reloads: the picture as
// a PNG Blob and the parameters that made it. Cancelled runs never reach it.
import { createStore, del, entries, set, type UseStore } from 'idb-keyval';
import type { GenerationParameters } from '../png/generation-parameters';

export interface HistoryEntry {
  id: string;
  createdAt: number;
  width: number;
  height: number;
  parameters: GenerationParameters;
  /** The image as PNG, without the parameters chunk (added on download when the setting says so). */
  png: Blob;
}

let defaultStore: UseStore | null = null;
export function historyStore(): UseStore {
  defaultStore ??= createStore('kandinsky-web-history', 'images');
  return defaultStore;
}

export async function addToHistory(
  entry: Omit<HistoryEntry, 'id' | 'createdAt'>,
  store: UseStore = historyStore(),
): Promise<HistoryEntry> {
  const createdAt = Date.now();
  const full: HistoryEntry = { ...entry, createdAt, id: `${createdAt}-${Math.random().toString(36).slice(2, 8)}` };
  await set(full.id, full, store);
  return full;
}

/** Newest first. */
export async function listHistory(store: UseStore = historyStore()): Promise<HistoryEntry[]> {
  return (await entries<string, HistoryEntry>(store)).map(([, e]) => e).sort((a, b) => b.createdAt - a.createdAt);
}

export async function deleteFromHistory(id: string, store: UseStore = historyStore()): Promise<void> {
  await del(id, store);
}
