import 'fake-indexeddb/auto';
import { createStore, keys } from 'idb-keyval';
import { describe, expect, it } from 'vitest';
import { writeCachedFile } from './file-cache';
import type { PackFile, PackManifest } from './manifest';
import { deleteStoredPack, listStoredPacks, recordPack } from './pack-registry';
import { sha256Hex } from './sha256';

async function file(path: string, fill: number, length: number): Promise<{ entry: PackFile; bytes: Uint8Array }> {
  const bytes = new Uint8Array(length).fill(fill);
  return { entry: { path, bytes: length, sha256: await sha256Hex(bytes) }, bytes };
}

const manifestOf = (name: string, files: PackFile[]) => ({ name, title: name.toUpperCase(), files }) as PackManifest;

describe('stored pack registry', () => {
  it('lists each pack with its bytes on disk, and deleting one frees only files no other pack uses', async () => {
    const store = createStore('registry-test', 'pack-files');
    const shared = await file('text_encoder.onnx', 1, 300);
    const onlyA = await file('unet_a.onnx', 2, 500);
    const onlyB = await file('unet_b.onnx', 3, 700);
    await recordPack('/a/manifest.json', manifestOf('a', [shared.entry, onlyA.entry]), store);
    await recordPack('/b/manifest.json', manifestOf('b', [shared.entry, onlyB.entry]), store);
    for (const f of [shared, onlyA]) await writeCachedFile(f.entry, f.bytes, store);

    // b's own U-Net is not stored (yet): its size on disk counts only the shared file.
    expect(await listStoredPacks(store)).toEqual([
      { url: '/a/manifest.json', name: 'a', title: 'A', bytesOnDisk: 800, totalBytes: 800 },
      { url: '/b/manifest.json', name: 'b', title: 'B', bytesOnDisk: 300, totalBytes: 1000 },
    ]);

    await deleteStoredPack('/a/manifest.json', store);
    const left = (await keys(store)).map(String);
    expect(left.filter((k) => k.startsWith('file:'))).toEqual([`file:${shared.entry.sha256}`]); // b still uses it
    expect(left.some((k) => k.includes(onlyA.entry.sha256))).toBe(false);
    expect((await listStoredPacks(store)).map((p) => p.name)).toEqual(['b']);

    await deleteStoredPack('/b/manifest.json', store);
    expect(await keys(store)).toEqual([]);
  });
});
