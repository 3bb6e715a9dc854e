// Makes a pack's files available as Blobs: verified copies from the offline store where they exist,
// the missing chunks downloaded (a few files at a time) otherwise. Progress is byte-accurate per file
// and in total. Stored chunks are never fetched again, whether the last visit was cancelled, cut off
// by a reload, or lost a chunk to disk damage.
//
// When the store is full (QuotaExceededError) or absent (some private modes), the rest of the pack is
// kept in memory for this visit: the app still runs, and says that the pack is not saved.
import type { UseStore } from 'idb-keyval';
import type { FileDownload } from '../../shared/engine-api';
import { DownloadCancelledError, PackLoadError } from '../../shared/errors';
import { markComplete, putChunk, readVerifiedChunks, storedChunks, storedState } from './chunk-store';
import { DEFAULT_RETRY, downloadFile, type ChunkSink, type RetryPolicy } from './download-file';
import { chunkCount, chunkRange, type PackFile } from './manifest';
import type { PackSource } from './pack-source';

export interface PackFiles {
  blobs: Map<string, Blob>;
  cachedBytes: number;
  downloadedBytes: number;
  /** Bytes held in memory only: they download again next visit. */
  unsavedBytes: number;
  notices: string[];
}

export interface DownloadOptions {
  /** The offline store; null when IndexedDB is unavailable. */
  store: UseStore | null;
  signal: AbortSignal;
  onProgress: (files: FileDownload[]) => void;
  /** Bytes this site may still store (navigator.storage.estimate()); null when unknown. */
  freeBytes: number | null;
  /** Files downloading at once: a few keep the connection busy without starving each other. */
  concurrency?: number;
  retry?: RetryPolicy;
  /** Least time between progress reports while bytes flow; state changes are reported at once. */
  progressIntervalMs?: number;
  /** Told as each file is on hand (read back and verified, or downloaded and stored), in the order
   * they come: a graph's session can be created while the rest still download. */
  onFileReady?: (path: string, blob: Blob) => void;
}

const megabytes = (bytes: number) => `${(bytes / 1e6).toFixed(1)} MB`;
const indices = (file: PackFile) => Array.from({ length: chunkCount(file) }, (_, i) => i);
const bytesOf = (file: PackFile, chunks: number[]) =>
  chunks.reduce((sum, i) => sum + chunkRange(file, i)[1] - chunkRange(file, i)[0], 0);

export async function downloadPack(
  source: PackSource,
  files: PackFile[],
  options: DownloadOptions,
): Promise<PackFiles> {
  const { signal } = options;
  let store = options.store;
  const notices: string[] = [];
  const rows: FileDownload[] = files.map((f) => ({ path: f.path, bytes: f.bytes, doneBytes: 0, state: 'queued' }));
  let lastReport = -Infinity;
  const report = (force: boolean) => {
    const now = performance.now();
    if (!force && now - lastReport < (options.progressIntervalMs ?? 100)) return;
    lastReport = now;
    options.onProgress(rows.map((row) => ({ ...row })));
  };

  const result: PackFiles = { blobs: new Map(), cachedBytes: 0, downloadedBytes: 0, unsavedBytes: 0, notices };
  // What each file still misses. Stored files are read back and verified a few at a time: reading
  // one from IndexedDB and hashing another overlap (the nano pack's 27 MB took 0.3 s one by one).
  const missingOf = async (file: PackFile, row: FileDownload): Promise<number[] | null> => {
    if (!store) return indices(file);
    try {
      const state = await storedState(file, store);
      if (!state.complete) return indices(file).filter((i) => !state.present.has(i));
      const read = await readVerifiedChunks(file, store);
      if (read.status === 'ok') {
        const blob = new Blob(read.chunks);
        result.blobs.set(file.path, blob);
        options.onFileReady?.(file.path, blob);
        Object.assign(row, { state: 'stored', doneBytes: file.bytes });
        result.cachedBytes += file.bytes;
        return null;
      }
      notices.push(`Downloading again what was damaged on disk (${read.reason}); the rest is kept.`);
      return read.badChunks;
    } catch (e) {
      // A broken or blocked database: the network still works.
      if (store) {
        store = null;
        notices.push(
          `The offline store is unavailable (${(e as Error).message}); the pack runs from memory this visit.`,
        );
      }
      return indices(file);
    }
  };
  const missing = new Array<number[] | null>(files.length);
  const pending = [...files.keys()];
  const readers = Array.from({ length: Math.min(options.concurrency ?? 3, files.length) }, async () => {
    for (let k = pending.shift(); k !== undefined; k = pending.shift())
      missing[k] = await missingOf(files[k]!, rows[k]!);
  });
  await Promise.all(readers);
  const work: { file: PackFile; row: FileDownload; missing: number[] }[] = [];
  for (const [k, file] of files.entries()) {
    const fileMissing = missing[k];
    if (!fileMissing) continue;
    const row = rows[k]!;
    row.doneBytes = file.bytes - bytesOf(file, fileMissing);
    result.cachedBytes += row.doneBytes;
    work.push({ file, row, missing: fileMissing });
  }

  const toDownload = work.reduce((sum, w) => sum + bytesOf(w.file, w.missing), 0);
  let memoryOnly = store === null;
  if (!memoryOnly && options.freeBytes !== null && options.freeBytes < toDownload) {
    memoryOnly = true;
    notices.push(
      `Not saved for offline use: the pack needs ${megabytes(toDownload)} more but this site may store only ` +
        `${megabytes(options.freeBytes)}; it runs from memory for this visit.`,
    );
  }
  report(true);

  const controller = new AbortController();
  const stop = () => controller.abort(signal.reason);
  signal.addEventListener('abort', stop, { once: true });
  const queue = [...work];

  const fetchOne = async ({ file, row, missing }: (typeof work)[number]) => {
    row.state = 'downloading';
    report(true);
    const inMemory = new Map<number, Blob>();
    const sink: ChunkSink = {
      put: async (index, bytes) => {
        const blob = new Blob([bytes as Uint8Array<ArrayBuffer>]);
        if (!memoryOnly && store) {
          try {
            await putChunk(file, index, blob, store);
            return;
          } catch (e) {
            memoryOnly = true;
            notices.push(
              (e as Error).name === 'QuotaExceededError'
                ? "Not saved for offline use: the browser's storage for this site is full, so the rest of the pack " +
                    'runs from memory for this visit. Free space (or delete a stored pack) to keep it.'
                : `Not saved for offline use: storing failed (${(e as Error).message}); the pack runs from memory for this visit.`,
            );
          }
        }
        inMemory.set(index, blob);
      },
    };
    const onBytes = (delta: number) => {
      row.doneBytes += delta;
      result.downloadedBytes += delta;
      report(false);
    };
    await downloadFile(source, file, missing, sink, controller.signal, onBytes, options.retry ?? DEFAULT_RETRY);
    const stored = store ? await storedChunks(file, store) : [];
    const parts = indices(file).map((i) => inMemory.get(i) ?? stored[i]);
    if (parts.some((part) => !part)) {
      throw new PackLoadError(
        `Part of ${file.path} vanished from the offline store while loading. Reload to try again.`,
      );
    }
    if (inMemory.size === 0 && store) await markComplete(file, store);
    else result.unsavedBytes += file.bytes;
    const blob = new Blob(parts as Blob[]);
    result.blobs.set(file.path, blob);
    options.onFileReady?.(file.path, blob);
    row.state = 'done';
    report(true);
  };

  const lanes = Array.from({ length: Math.min(options.concurrency ?? 3, queue.length) }, async () => {
    for (let item = queue.shift(); item; item = queue.shift()) {
      try {
        await fetchOne(item);
      } catch (e) {
        item.row.state = 'failed';
        controller.abort(e); // one failure stops the others; what they stored stays
        throw e;
      }
    }
  });
  const settled = await Promise.allSettled(lanes);
  signal.removeEventListener('abort', stop);
  report(true);
  if (signal.aborted) {
    const kept = rows.reduce((sum, row) => sum + row.doneBytes, 0);
    throw new DownloadCancelledError(
      kept,
      rows.reduce((sum, row) => sum + row.bytes, 0),
    );
  }
  const failed = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (failed) throw failed.reason;
  return result;
}
