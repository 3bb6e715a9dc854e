// Verified pack files in IndexedDB (idb-keyval), so a pack downloads once and later visits load it
// from disk without touching the network.
//
// - Files are keyed by their SHA-256, so packs that share a file (nano's text encoder and MoVQ across
//   its U-Nets, or a re-exported pack) store it once.
// - Each file is stored as Blob chunks of 32 MiB at most: single values above about 127 MiB fail in
//   some Chromium contexts (browser-runtime §4), and Blobs stay on disk until read.
// - The file's record is written last. A file without one (an interrupted write) counts as absent.
// - Every read is checked against the manifest's size and SHA-256. A damaged copy is deleted and
//   reported as missing, so the caller downloads that file again and nothing else is lost.
import { createStore, del, delMany, get, getMany, setMany, type UseStore } from 'idb-keyval';
import { sha256Hex } from './sha256';
import type { PackFile } from './manifest';

export const CHUNK_BYTES = 32 * 1024 * 1024; // 32 MiB: within the 64 MB per value this project allows

interface FileRecord {
  bytes: number;
  chunks: number;
  storedAt: number;
}

let defaultStore: UseStore | null = null;
export function filesStore(): UseStore {
  defaultStore ??= createStore('kandinsky-web', 'pack-files');
  return defaultStore;
}

const recordKey = (sha256: string) => `file:${sha256}`;
const chunkKey = (sha256: string, index: number) => `chunk:${sha256}:${index}`;

export type CacheRead =
  { status: 'hit'; bytes: Uint8Array } | { status: 'miss' } | { status: 'damaged'; reason: string }; // deleted: download it again

export async function readCachedFile(file: PackFile, store: UseStore = filesStore()): Promise<CacheRead> {
  const record = await get<FileRecord>(recordKey(file.sha256), store);
  if (!record) return { status: 'miss' };
  const blobs = await getMany<Blob | undefined>(
    Array.from({ length: record.chunks }, (_, i) => chunkKey(file.sha256, i)),
    store,
  );
  let reason: string | null = null;
  const bytes = new Uint8Array(file.bytes);
  let offset = 0;
  for (const [i, blob] of blobs.entries()) {
    if (!blob) {
      reason = `chunk ${i} of ${record.chunks} is missing`;
      break;
    }
    if (offset + blob.size > file.bytes) {
      reason = `the stored copy is larger than ${file.bytes} bytes`;
      break;
    }
    bytes.set(new Uint8Array(await blob.arrayBuffer()), offset);
    offset += blob.size;
  }
  if (!reason && offset !== file.bytes) reason = `the stored copy has ${offset} of ${file.bytes} bytes`;
  if (!reason && (await sha256Hex(bytes)) !== file.sha256) reason = 'the stored copy does not match its SHA-256';
  if (reason) {
    await removeCachedFile(file.sha256, store);
    return { status: 'damaged', reason: `${file.path}: ${reason}` };
  }
  return { status: 'hit', bytes };
}

export type CacheWrite = { stored: true } | { stored: false; reason: string };

/** Stores verified bytes. A full disk is not an error for the caller: the file is used from memory
 * for this visit, and whatever was written of it is removed again. */
export async function writeCachedFile(
  file: PackFile,
  bytes: Uint8Array,
  store: UseStore = filesStore(),
): Promise<CacheWrite> {
  const chunks = Math.max(1, Math.ceil(bytes.length / CHUNK_BYTES));
  try {
    for (let i = 0; i < chunks; i++) {
      // One transaction per chunk keeps each write far below the per-value limits.
      const slice = bytes.subarray(i * CHUNK_BYTES, Math.min((i + 1) * CHUNK_BYTES, bytes.length));
      await setMany([[chunkKey(file.sha256, i), new Blob([slice as Uint8Array<ArrayBuffer>])]], store);
    }
    const record: FileRecord = { bytes: bytes.length, chunks, storedAt: Date.now() };
    await setMany([[recordKey(file.sha256), record]], store); // last: marks the file complete
    return { stored: true };
  } catch (e) {
    await removeCachedFile(file.sha256, store, chunks).catch(() => {});
    const name = (e as Error).name;
    return {
      stored: false,
      reason:
        name === 'QuotaExceededError'
          ? `the browser's storage for this site is full, so ${file.path} is kept in memory for this visit only`
          : `${file.path} could not be stored (${(e as Error).message}); it is kept in memory for this visit only`,
    };
  }
}

export async function removeCachedFile(sha256: string, store: UseStore = filesStore(), chunks?: number): Promise<void> {
  const record = await get<FileRecord>(recordKey(sha256), store);
  const count = chunks ?? record?.chunks ?? 0;
  await del(recordKey(sha256), store);
  await delMany(
    Array.from({ length: count }, (_, i) => chunkKey(sha256, i)),
    store,
  );
}
