// What the gallery does: read a page, add a finished image, delete one or all, and show the newest
// again after a reload.
import { useAppStore } from './store';
import { HISTORY_PAGE_SIZE } from './store/history-slice';
import type { ShownImage } from './store/engine-slice';
import {
  addToHistory,
  clearHistory,
  deleteFromHistory,
  historyPage,
  latestEntry,
  type HistoryEntry,
} from './history/history-store';
import { imagePng, pngPixels } from './png/png-file';
import { shownPicture } from './upscale-actions';

const store = useAppStore;

/** Reads the page at `offset` (by default the one on show), stepping back a page when it has emptied. */
export async function refreshHistory(offset = store.getState().historyOffset): Promise<void> {
  try {
    let page = await historyPage(offset, HISTORY_PAGE_SIZE);
    if (page.entries.length === 0 && offset > 0) {
      offset = Math.max(0, Math.floor((page.total - 1) / HISTORY_PAGE_SIZE) * HISTORY_PAGE_SIZE);
      page = await historyPage(offset, HISTORY_PAGE_SIZE);
    }
    store.getState().setHistory({ history: page.entries, historyTotal: page.total, historyOffset: offset });
  } catch {
    // An unreadable store (private mode, say) shows an empty gallery; generation still works.
    store.getState().setHistory({ history: [], historyTotal: 0, historyOffset: 0 });
  }
}

/** Stores a finished image and shows the first page, where it now is. */
export async function saveToHistory(image: ShownImage): Promise<void> {
  try {
    const picture = shownPicture(image);
    const png = await imagePng(picture, null);
    const original = image.upscaled && { width: image.width, height: image.height, png: await imagePng(image, null) };
    await addToHistory({
      width: picture.width,
      height: picture.height,
      parameters: image.parameters,
      png,
      ...(original && { original }),
    });
    await refreshHistory(0);
  } catch {
    // History is a convenience: a full disk must not break generation (the image is still shown).
  }
}

export async function deleteHistoryEntry(id: string): Promise<void> {
  await deleteFromHistory(id);
  await refreshHistory();
}

export async function clearAllHistory(): Promise<void> {
  await clearHistory();
  await refreshHistory(0);
}

/** After a reload, the last result is shown again (the newest history entry), unless an image is
 * already on show. */
export async function showLastResult(): Promise<void> {
  const latest = await latestEntry().catch(() => null);
  if (!latest || store.getState().image) return;
  const image = await historyImage(latest, 0);
  if (store.getState().image) return; // a new image arrived while this one was read
  store.getState().setEngine({ image });
}

/** A history entry as the image on show: its model-size picture, and the enlarged copy when it has one. */
export async function historyImage(entry: HistoryEntry, id: number): Promise<ShownImage> {
  const stored = await pngPixels(entry.png);
  const original = entry.original ? await pngPixels(entry.original.png) : null;
  return {
    parameters: entry.parameters,
    id,
    ...(original ?? stored),
    ...(original && { upscaled: stored }),
    seed: entry.parameters.seed,
    totalMs: 0,
  };
}
