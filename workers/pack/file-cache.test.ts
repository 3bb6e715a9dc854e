import 'fake-indexeddb/auto';
import { createStore, get, keys, set } from 'idb-keyval';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { CHUNK_BYTES, readCachedFile, removeCachedFile, writeCachedFile } from './file-cache';
import { sha256Hex } from './sha256';
import type { PackFile } from './manifest';

let storeCount = 0;
const freshStore = () => createStore(`test-${storeCount++}`, 'pack-files');

async function packFile(bytes: Uint8Array, path = 'unet.int8w.onnx'): Promise<PackFile> {
  return { path, bytes: bytes.length, sha256: await sha256Hex(bytes) };
}

function pattern(length: number, seed = 1): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(length);
  let x = seed;
  for (let i = 0; i < length; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    out[i] = x >>> 24;
  }
  return out;
}

afterEach(() => vi.restoreAllMocks());

describe('pack file cache', () => {
  it('misses, then returns exactly what was stored', async () => {
    const store = freshStore();
    const bytes = pattern(1000);
    const file = await packFile(bytes);
    expect(await readCachedFile(file, store)).toEqual({ status: 'miss' });
    expect(await writeCachedFile(file, bytes, store)).toEqual({ stored: true });
    const read = await readCachedFile(file, store);
    expect(read.status).toBe('hit');
    expect(read.status === 'hit' && Array.from(read.bytes)).toEqual(Array.from(bytes));
  });

  it('splits a file into Blob chunks of at most CHUNK_BYTES and writes the record last', async () => {
    const store = freshStore();
    const bytes = pattern(CHUNK_BYTES * 2 + 5);
    const file = await packFile(bytes);
    expect(await writeCachedFile(file, bytes, store)).toEqual({ stored: true });
    const stored = (await keys(store)).map(String).sort();
    expect(stored).toEqual([0, 1, 2].map((i) => `chunk:${file.sha256}:${i}`).concat(`file:${file.sha256}`));
    const first = await get<Blob>(`chunk:${file.sha256}:0`, store);
    expect(first).toBeInstanceOf(Blob);
    expect(first!.size).toBe(CHUNK_BYTES);
    const read = await readCachedFile(file, store);
    expect(read.status === 'hit' && read.bytes.length).toBe(bytes.length);
  });

  it('treats chunks without their record (an interrupted write) as absent', async () => {
    const store = freshStore();
    const bytes = pattern(100);
    const file = await packFile(bytes);
    await set(`chunk:${file.sha256}:0`, new Blob([bytes]), store);
    expect(await readCachedFile(file, store)).toEqual({ status: 'miss' });
  });

  it('detects a corrupted chunk, deletes that file only, and reports it', async () => {
    const store = freshStore();
    const good = pattern(300, 7);
    const bad = pattern(300, 8);
    const [goodFile, badFile] = [await packFile(good, 'a.onnx'), await packFile(bad, 'b.onnx')];
    await writeCachedFile(goodFile, good, store);
    await writeCachedFile(badFile, bad, store);
    const flipped = bad.slice();
    flipped[150] = flipped[150]! ^ 0xff;
    await set(`chunk:${badFile.sha256}:0`, new Blob([flipped]), store);

    const read = await readCachedFile(badFile, store);
    expect(read).toEqual({ status: 'damaged', reason: 'b.onnx: the stored copy does not match its SHA-256' });
    expect(await readCachedFile(badFile, store)).toEqual({ status: 'miss' }); // deleted, to be downloaded again
    expect((await readCachedFile(goodFile, store)).status).toBe('hit'); // nothing else lost
  });

  it('detects a truncated or missing chunk', async () => {
    const store = freshStore();
    const bytes = pattern(200);
    const file = await packFile(bytes);
    await writeCachedFile(file, bytes, store);
    await set(`chunk:${file.sha256}:0`, new Blob([bytes.subarray(0, 120)]), store);
    expect(await readCachedFile(file, store)).toEqual({
      status: 'damaged',
      reason: 'unet.int8w.onnx: the stored copy has 120 of 200 bytes',
    });
    await writeCachedFile(file, bytes, store);
    await removeCachedFile(file.sha256, store);
    expect(await keys(store)).toEqual([]);
  });

  it('a full disk leaves nothing half-written and says the file stays in memory for this visit', async () => {
    const store = freshStore();
    const bytes = pattern(CHUNK_BYTES + 10);
    const file = await packFile(bytes);
    const real = IDBObjectStore.prototype.put;
    let writes = 0;
    vi.spyOn(IDBObjectStore.prototype, 'put').mockImplementation(function (this: IDBObjectStore, ...args) {
      if (++writes === 2) throw new DOMException('quota', 'QuotaExceededError');
      return real.apply(this, args as Parameters<IDBObjectStore['put']>);
    });
    const result = await writeCachedFile(file, bytes, store);
    expect(result).toEqual({
      stored: false,
      reason: "the browser's storage for this site is full, so unet.int8w.onnx is kept in memory for this visit only",
    });
    vi.restoreAllMocks();
    expect(await keys(store)).toEqual([]);
  });
});
