// Which packs this browser has stored, and how to free one. Files live in the file cache keyed by
// SHA-256 and may be shared between packs, so a pack's record lists its files and deleting a pack
// removes only the files no other stored pack still uses.
import { del, entries, get, set, type UseStore } from 'idb-keyval';
import type { StoredPack } from '../engine-api';
import { filesStore, removeCachedFile } from './file-cache';
import type { PackManifest } from './manifest';

interface PackRecord {
  url: string;
  name: string;
  title: string;
  files: { sha256: string; bytes: number }[];
}

const packKey = (url: string) => `pack:${url}`;

export async function recordPack(url: string, manifest: PackManifest, store: UseStore = filesStore()): Promise<void> {
  const record: PackRecord = {
    url,
    name: manifest.name,
    title: manifest.title,
    files: manifest.files.map((f) => ({ sha256: f.sha256, bytes: f.bytes })),
  };
  await set(packKey(url), record, store);
}

async function packRecords(store: UseStore): Promise<PackRecord[]> {
  return (await entries<string, PackRecord>(store))
    .filter(([key]) => String(key).startsWith('pack:'))
    .map(([, record]) => record);
}

export async function listStoredPacks(store: UseStore = filesStore()): Promise<StoredPack[]> {
  const stored = new Set((await entries(store)).map(([key]) => String(key)).filter((key) => key.startsWith('file:')));
  return (await packRecords(store)).map((record) => ({
    url: record.url,
    name: record.name,
    title: record.title,
    bytesOnDisk: record.files.reduce((sum, f) => sum + (stored.has(`file:${f.sha256}`) ? f.bytes : 0), 0),
    totalBytes: record.files.reduce((sum, f) => sum + f.bytes, 0),
  }));
}

export async function deleteStoredPack(url: string, store: UseStore = filesStore()): Promise<void> {
  const record = await get<PackRecord>(packKey(url), store);
  if (!record) return;
  await del(packKey(url), store);
  const stillUsed = new Set((await packRecords(store)).flatMap((r) => r.files.map((f) => f.sha256)));
  for (const file of record.files) {
    if (!stillUsed.has(file.sha256)) await removeCachedFile(file.sha256, store);
  }
}
