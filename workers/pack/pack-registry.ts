// Which packs this browser has stored, and how to free one. Files live in the chunk store keyed by
// SHA-256 and may be shared between packs, so a pack's record lists its files, and deleting a pack
// removes only the files no other stored pack still uses. The record keeps the manifest too: a pack
// opened from local files, or one whose server is unreachable, still loads from it.
import { del, entries, get, set, type UseStore } from 'idb-keyval';
import type { StoredPack } from '../../shared/engine-api';
import { packStore, removeFile, storedBytesByFile } from './chunk-store';
import type { PackFile, PackManifest } from './manifest';

interface PackRecord {
  id: string;
  manifest: PackManifest;
  /** The files this browser downloads for the pack (one weight format's), by hash. */
  files: { sha256: string; bytes: number }[];
  usedAt: number;
}

const packKey = (id: string) => `pack:${id}`;

export async function recordPack(
  id: string,
  manifest: PackManifest,
  files: PackFile[],
  store: UseStore = packStore(),
): Promise<void> {
  const record: PackRecord = {
    id,
    manifest,
    files: files.map((f) => ({ sha256: f.sha256, bytes: f.bytes })),
    usedAt: Date.now(),
  };
  await set(packKey(id), record, store);
}

export async function storedManifest(id: string, store: UseStore = packStore()): Promise<PackManifest | null> {
  return (await get<PackRecord>(packKey(id), store))?.manifest ?? null;
}

async function packRecords(store: UseStore): Promise<PackRecord[]> {
  return (await entries<string, PackRecord>(store))
    .filter(([key]) => String(key).startsWith('pack:'))
    .map(([, record]) => record);
}

export async function listStoredPacks(store: UseStore = packStore()): Promise<StoredPack[]> {
  const stored = await storedBytesByFile(store);
  return (await packRecords(store))
    .sort((a, b) => b.usedAt - a.usedAt)
    .map((record) => ({
      id: record.id,
      name: record.manifest.name,
      title: record.manifest.title,
      bytesOnDisk: record.files.reduce((sum, f) => sum + Math.min(stored.get(f.sha256) ?? 0, f.bytes), 0),
      totalBytes: record.files.reduce((sum, f) => sum + f.bytes, 0),
    }));
}

export async function deleteStoredPack(id: string, store: UseStore = packStore()): Promise<void> {
  const record = await get<PackRecord>(packKey(id), store);
  if (!record) return;
  await del(packKey(id), store);
  const stillUsed = new Set((await packRecords(store)).flatMap((r) => r.files.map((f) => f.sha256)));
  for (const file of record.files) {
    if (!stillUsed.has(file.sha256)) await removeFile(file.sha256, store);
  }
}
