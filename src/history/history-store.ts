// Every finished image, kept in IndexedDB (idb-keyval's store) so the gallery survives reloads: the
// picture as a PNG Blob and the parameters that made it. Cancelled runs never reach it. The gallery
// reads one page at a time, so thousands of entries cost only the page on screen.
import { clear, createStore, del, set, type UseStore } from 'idb-keyval';
import type { GenerationParameters } from '../png/generation-parameters';

export interface HistoryEntry {
  id: string;
  createdAt: number;
  width: number;
  height: number;
  parameters: GenerationParameters;
  /** The image as PNG, without the parameters chunk (added on download when the setting says so). */
  png: Blob;
  /** When `png` is a copy enlarged by the pack's upscaler: the model-size picture it was made from,
   * which the canvas and "start from this" use. */
  original?: { width: number; height: number; png: Blob };
}

export interface HistoryPage {
  entries: HistoryEntry[];
  /** Entries in the whole history. */
  total: number;
}

let defaultStore: UseStore | null = null;
export function historyStore(): UseStore {
  defaultStore ??= createStore('kandinsky-web-history', 'images');
  return defaultStore;
}

/** Keys sort as time does (a 13-digit millisecond time first), so the key order is the gallery order. */
function entryId(createdAt: number): string {
  return `${String(createdAt).padStart(13, '0')}-${Math.random().toString(36).slice(2, 8)}`;
}

export async function addToHistory(
  entry: Omit<HistoryEntry, 'id' | 'createdAt'>,
  store: UseStore = historyStore(),
): Promise<HistoryEntry> {
  const createdAt = Date.now();
  const full: HistoryEntry = { ...entry, createdAt, id: entryId(createdAt) };
  await set(full.id, full, store);
  return full;
}

const done = <T>(request: IDBRequest<T>) =>
  new Promise<T>((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error ?? new Error('IndexedDB request failed'));
  });

/** Newest first: `limit` entries after skipping `offset`, walked with a cursor backwards over the keys
 * so that only those entries are read. */
export function historyPage(offset: number, limit: number, store: UseStore = historyStore()): Promise<HistoryPage> {
  return store('readonly', async (objects) => {
    const total = await done(objects.count());
    const entries: HistoryEntry[] = [];
    await new Promise<void>((resolve, reject) => {
      let skipped = offset === 0;
      const request = objects.openCursor(null, 'prev');
      request.onerror = () => reject(request.error ?? new Error('IndexedDB cursor failed'));
      request.onsuccess = () => {
        const cursor = request.result;
        if (!cursor || entries.length >= limit) return resolve();
        if (!skipped) {
          skipped = true;
          cursor.advance(offset);
          return;
        }
        entries.push(cursor.value as HistoryEntry);
        cursor.continue();
      };
    });
    return { entries, total };
  });
}

/** The newest entry, or null when the history is empty. */
export async function latestEntry(store: UseStore = historyStore()): Promise<HistoryEntry | null> {
  return (await historyPage(0, 1, store)).entries[0] ?? null;
}

export async function deleteFromHistory(id: string, store: UseStore = historyStore()): Promise<void> {
  await del(id, store);
}

export async function clearHistory(store: UseStore = historyStore()): Promise<void> {
  await clear(store);
}
