// Verified pack files in IndexedDB (idb-keyval), kept as the manifest's chunks, so a pack downloads
// once, a broken download resumes where it stopped, and later visits load it without the network.
//
// - Files are keyed by their SHA-256, so packs that share a file (nano's text encoder and MoVQ across
//   its U-Nets, or a re-exported pack) store it once.
// - Each chunk is one Blob value (≤ 64 MiB by the manifest schema): single values above about 127 MiB
//   fail in some Chromium contexts, and Blobs stay on disk until read.
// - A chunk is written only after it matched its SHA-256; the file's record is written last, once
//   every chunk is in. Chunks without a record are a download in progress, to be resumed.
// - A complete file is checked again, chunk by chunk, when it is read. A damaged chunk is deleted
//   (with the record), so the next download fetches just that chunk and nothing else is lost.
import { createStore, del, delMany, get, getMany, keys, set, type UseStore } from 'idb-keyval';
import { chunkCount, chunkRange, type PackFile } from './manifest';
import { sha256Hex } from './sha256';

interface FileRecord {
  bytes: number;
  chunkBytes: number;
  chunks: number;
  storedAt: number;
}

let defaultStore: UseStore | null = null;
export function packStore(): UseStore {
  defaultStore ??= createStore('kandinsky-web', 'pack-files');
  return defaultStore;
}

const recordKey = (sha256: string) => `file:${sha256}`;
const chunkKey = (sha256: string, index: number) => `chunk:${sha256}:${index}`;
const chunkKeys = (file: PackFile) => Array.from({ length: chunkCount(file) }, (_, i) => chunkKey(file.sha256, i));

export interface StoredState {
  complete: boolean;
  /** Indices of the chunks present with the right size (their hashes were checked when written). */
  present: Set<number>;
}

/** What is stored of a file, without reading its bytes. */
export async function storedState(file: PackFile, store: UseStore = packStore()): Promise<StoredState> {
  const [record, blobs] = await Promise.all([
    get<FileRecord>(recordKey(file.sha256), store),
    getMany<Blob | undefined>(chunkKeys(file), store),
  ]);
  const present = new Set<number>();
  blobs.forEach((blob, i) => {
    const [start, end] = chunkRange(file, i);
    if (blob && blob.size === end - start) present.add(i);
  });
  return { complete: record !== undefined && record.chunkBytes === file.chunks.bytes, present };
}

export async function putChunk(
  file: PackFile,
  index: number,
  blob: Blob,
  store: UseStore = packStore(),
): Promise<void> {
  await set(chunkKey(file.sha256, index), blob, store);
}

/** Marks a file complete. Written last: a file without its record is never served as whole. */
export async function markComplete(file: PackFile, store: UseStore = packStore()): Promise<void> {
  const record: FileRecord = {
    bytes: file.bytes,
    chunkBytes: file.chunks.bytes,
    chunks: chunkCount(file),
    storedAt: Date.now(),
  };
  await set(recordKey(file.sha256), record, store);
}

export type VerifiedRead =
  | { status: 'ok'; chunks: Blob[] }
  /** The listed chunks were damaged or missing and have been deleted: download them again. */
  | { status: 'damaged'; badChunks: number[]; reason: string };

/** Reads a complete file's chunks, checking each against its SHA-256, one chunk in memory at a time. */
export async function readVerifiedChunks(file: PackFile, store: UseStore = packStore()): Promise<VerifiedRead> {
  const blobs = await getMany<Blob | undefined>(chunkKeys(file), store);
  const bad: number[] = [];
  const reasons: string[] = [];
  for (const [i, blob] of blobs.entries()) {
    const [start, end] = chunkRange(file, i);
    if (!blob) {
      bad.push(i);
      reasons.push(`chunk ${i} is missing`);
    } else if (blob.size !== end - start) {
      bad.push(i);
      reasons.push(`chunk ${i} has ${blob.size} of ${end - start} bytes`);
    } else if ((await sha256Hex(new Uint8Array(await blob.arrayBuffer()))) !== file.chunks.sha256[i]) {
      bad.push(i);
      reasons.push(`chunk ${i} does not match its SHA-256`);
    }
  }
  if (bad.length === 0) return { status: 'ok', chunks: blobs as Blob[] };
  await del(recordKey(file.sha256), store);
  await delMany(
    bad.map((i) => chunkKey(file.sha256, i)),
    store,
  );
  return { status: 'damaged', badChunks: bad, reason: `${file.path}: ${reasons.join(', ')}` };
}

/** The stored chunks of a file (unverified handles; Blobs from IndexedDB are read from disk on use). */
export async function storedChunks(file: PackFile, store: UseStore = packStore()): Promise<(Blob | undefined)[]> {
  return getMany<Blob | undefined>(chunkKeys(file), store);
}

/** Deletes a file's record and every chunk stored under its hash. */
export async function removeFile(sha256: string, store: UseStore = packStore()): Promise<void> {
  const prefix = `chunk:${sha256}:`;
  const stale = (await keys(store)).map(String).filter((key) => key.startsWith(prefix));
  await del(recordKey(sha256), store);
  await delMany(stale, store);
}

/** Bytes stored per file hash (complete or partial), from the keys and chunk sizes alone. */
export async function storedBytesByFile(store: UseStore = packStore()): Promise<Map<string, number>> {
  const sizes = new Map<string, number>();
  const chunkKeysStored = (await keys(store)).map(String).filter((key) => key.startsWith('chunk:'));
  const blobs = await getMany<Blob | undefined>(chunkKeysStored, store);
  chunkKeysStored.forEach((key, i) => {
    const sha = key.split(':')[1]!;
    sizes.set(sha, (sizes.get(sha) ?? 0) + (blobs[i]?.size ?? 0));
  });
  return sizes;
}
