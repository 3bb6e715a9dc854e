import 'fake-indexeddb/auto';
import { createStore, set } from 'idb-keyval';
import { describe, expect, it } from 'vitest';
import { flashParameters } from '../../test-support/generation-parameters';
import { addToHistory, clearHistory, deleteFromHistory, historyPage, latestEntry } from './history-store';

const parameters = flashParameters(64, 64);

describe('history store', () => {
  it('keeps entries newest first, with their PNG and parameters, and deletes one', async () => {
    const store = createStore('history-test', 'images');
    const a = await addToHistory({ width: 64, height: 64, parameters, png: new Blob(['a']) }, store);
    await new Promise((r) => setTimeout(r, 2));
    const b = await addToHistory(
      { width: 64, height: 64, parameters: { ...parameters, seed: 2 }, png: new Blob(['b']) },
      store,
    );
    const page = await historyPage(0, 10, store);
    expect(page.entries.map((e) => e.id)).toEqual([b.id, a.id]);
    expect(page.total).toBe(2);
    expect(page.entries[1]!.parameters.seed).toBe(1);
    await deleteFromHistory(b.id, store);
    expect((await historyPage(0, 10, store)).entries.map((e) => e.id)).toEqual([a.id]);
    expect((await latestEntry(store))?.id).toBe(a.id);
  });

  it('reads one page of thousands, newest first, and clears them all', async () => {
    const store = createStore('history-paging-test', 'images');
    const png = new Blob(['p']);
    // Written in random order: the page order comes from the keys, not from the writes.
    const times = Array.from({ length: 2500 }, (_, i) => 1_700_000_000_000 + i).sort(() => Math.random() - 0.5);
    await Promise.all(
      times.map((t) => set(`${t}-x`, { id: `${t}-x`, createdAt: t, width: 64, height: 64, parameters, png }, store)),
    );
    const page = await historyPage(48, 48, store);
    expect(page.total).toBe(2500);
    expect(page.entries.map((e) => e.createdAt)).toEqual(
      Array.from({ length: 48 }, (_, i) => 1_700_000_000_000 + 2499 - 48 - i),
    );
    const last = await historyPage(2496, 48, store);
    expect(last.entries.map((e) => e.createdAt)).toEqual([3, 2, 1, 0].map((i) => 1_700_000_000_000 + i));
    expect((await historyPage(2500, 48, store)).entries).toEqual([]);
    await clearHistory(store);
    expect(await historyPage(0, 48, store)).toEqual({ entries: [], total: 0 });
    expect(await latestEntry(store)).toBeNull();
  });
});
