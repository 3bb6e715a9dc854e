import 'fake-indexeddb/auto';
import { createStore } from 'idb-keyval';
import { describe, expect, it } from 'vitest';
import { flashParameters } from '../../test-support/generation-parameters';
import { addToHistory, deleteFromHistory, listHistory } from './history-store';

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
    expect((await listHistory(store)).map((e) => e.id)).toEqual([b.id, a.id]);
    expect((await listHistory(store))[1]!.parameters.seed).toBe(1);
    await deleteFromHistory(b.id, store);
    expect((await listHistory(store)).map((e) => e.id)).toEqual([a.id]);
  });
});
