import 'fake-indexeddb/auto';
import { createStore, keys, set } from 'idb-keyval';
import { describe, expect, it } from 'vitest';
import { markComplete, putChunk, readVerifiedChunks, removeFile, storedBytesByFile, storedState } from './chunk-store';
import { packFileOf, pattern } from '../../test-support/test-pack';

const CHUNK = 65536;
let stores = 0;
const freshStore = () => createStore(`chunk-store-test-${stores++}`, 'pack-files');

async function storeWhole(bytes: Uint8Array, path: string, store: ReturnType<typeof freshStore>) {
  const file = packFileOf(path, bytes, CHUNK);
  for (let i = 0; i * CHUNK < bytes.length; i++) {
    await putChunk(file, i, new Blob([bytes.slice(i * CHUNK, (i + 1) * CHUNK)]), store);
  }
  await markComplete(file, store);
  return file;
}

describe('chunk store', () => {
  it('knows which chunks of a file are stored, and that a file without its record is unfinished', async () => {
    const store = freshStore();
    const bytes = pattern(CHUNK * 2 + 10);
    const file = packFileOf('unet.onnx', bytes, CHUNK);
    expect(await storedState(file, store)).toEqual({ complete: false, present: new Set() });
    await putChunk(file, 2, new Blob([bytes.slice(CHUNK * 2)]), store);
    await putChunk(file, 0, new Blob([bytes.slice(0, 100)]), store); // wrong size: not counted
    expect(await storedState(file, store)).toEqual({ complete: false, present: new Set([2]) });
    await putChunk(file, 0, new Blob([bytes.slice(0, CHUNK)]), store);
    await putChunk(file, 1, new Blob([bytes.slice(CHUNK, CHUNK * 2)]), store);
    await markComplete(file, store);
    expect(await storedState(file, store)).toEqual({ complete: true, present: new Set([0, 1, 2]) });
  });

  it('reads back exactly what was stored, as one Blob value per chunk', async () => {
    const store = freshStore();
    const bytes = pattern(CHUNK * 2 + 10);
    const file = await storeWhole(bytes, 'unet.onnx', store);
    const read = await readVerifiedChunks(file, store);
    expect(read.status).toBe('ok');
    const joined = new Uint8Array(await new Blob(read.status === 'ok' ? read.chunks : []).arrayBuffer());
    expect(Buffer.from(joined).equals(Buffer.from(bytes))).toBe(true);
    expect((await keys(store)).map(String).sort()).toEqual(
      [0, 1, 2].map((i) => `chunk:${file.sha256}:${i}`).concat(`file:${file.sha256}`),
    );
  });

  it('finds a corrupted or short chunk, deletes just it and the record, and keeps other files', async () => {
    const store = freshStore();
    const bad = await storeWhole(pattern(CHUNK * 3, 8), 'b.onnx', store);
    const good = await storeWhole(pattern(CHUNK, 7), 'a.onnx', store);
    const flipped = pattern(CHUNK * 3, 8).slice(CHUNK, CHUNK * 2);
    flipped[5]! ^= 0xff;
    await set(`chunk:${bad.sha256}:1`, new Blob([flipped]), store);
    await set(`chunk:${bad.sha256}:2`, new Blob([new Uint8Array(10)]), store);

    expect(await readVerifiedChunks(bad, store)).toEqual({
      status: 'damaged',
      badChunks: [1, 2],
      reason: 'b.onnx: chunk 1 does not match its SHA-256, chunk 2 has 10 of 65536 bytes',
    });
    expect(await storedState(bad, store)).toEqual({ complete: false, present: new Set([0]) });
    expect((await readVerifiedChunks(good, store)).status).toBe('ok');
  });

  it('counts stored bytes per file, partial ones included, and removes a file whole', async () => {
    const store = freshStore();
    const file = await storeWhole(pattern(CHUNK + 5), 'a.onnx', store);
    const partial = packFileOf('b.onnx', pattern(CHUNK * 4, 3), CHUNK);
    await putChunk(partial, 1, new Blob([pattern(CHUNK * 4, 3).slice(CHUNK, CHUNK * 2)]), store);
    expect(await storedBytesByFile(store)).toEqual(
      new Map([
        [file.sha256, CHUNK + 5],
        [partial.sha256, CHUNK],
      ]),
    );
    await removeFile(file.sha256, store);
    await removeFile(partial.sha256, store);
    expect(await keys(store)).toEqual([]);
  });
});
