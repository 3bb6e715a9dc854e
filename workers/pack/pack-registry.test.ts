import 'fake-indexeddb/auto';
import { createStore, keys } from 'idb-keyval';
import { describe, expect, it } from 'vitest';
import { markComplete, putChunk } from './chunk-store';
import type { PackFile, PackManifest } from './manifest';
import { deleteStoredPack, listStoredPacks, recordPack, storedManifest } from './pack-registry';
import { packFileOf, pattern } from '../../test-support/test-pack';

const manifestOf = (name: string, files: PackFile[]) => ({ name, title: name.toUpperCase(), files }) as PackManifest;

async function store1(file: PackFile, bytes: Uint8Array<ArrayBuffer>, store: ReturnType<typeof createStore>) {
  await putChunk(file, 0, new Blob([bytes]), store);
  await markComplete(file, store);
}

describe('stored pack registry', () => {
  it('lists each pack with its bytes on disk, and deleting one frees only files no other pack uses', async () => {
    const store = createStore('registry-test', 'pack-files');
    const [sharedBytes, aBytes, bBytes] = [pattern(300, 1), pattern(500, 2), pattern(700, 3)];
    const shared = packFileOf('text_encoder.onnx', sharedBytes);
    const onlyA = packFileOf('unet_a.onnx', aBytes);
    const onlyB = packFileOf('unet_b.onnx', bBytes);
    await recordPack('/b/manifest.json', manifestOf('b', [shared, onlyB]), [shared, onlyB], store);
    await recordPack('local:a:123', manifestOf('a', [shared, onlyA]), [shared, onlyA], store);
    await store1(shared, sharedBytes, store);
    await store1(onlyA, aBytes, store);

    // b's own U-Net is not stored (yet): its size on disk counts only the shared file. Newest first.
    expect(await listStoredPacks(store)).toEqual([
      { id: 'local:a:123', name: 'a', title: 'A', bytesOnDisk: 800, totalBytes: 800 },
      { id: '/b/manifest.json', name: 'b', title: 'B', bytesOnDisk: 300, totalBytes: 1000 },
    ]);
    expect((await storedManifest('local:a:123', store))?.name).toBe('a');

    await deleteStoredPack('local:a:123', store);
    const left = (await keys(store)).map(String);
    expect(left.filter((k) => k.startsWith('file:'))).toEqual([`file:${shared.sha256}`]); // b still uses it
    expect(left.some((k) => k.includes(onlyA.sha256))).toBe(false);
    expect((await listStoredPacks(store)).map((p) => p.name)).toEqual(['b']);
    expect(await storedManifest('local:a:123', store)).toBeNull();

    await deleteStoredPack('/b/manifest.json', store);
    expect(await keys(store)).toEqual([]);
  });
});
