// One pack file for the engine: from the IndexedDB cache when a verified copy is there, otherwise
// downloaded (size and SHA-256 checked) and then stored for the next visit.
import { readCachedFile, writeCachedFile } from './file-cache';
import { fetchPackFile } from './fetch-pack';
import type { PackFile } from './manifest';

export interface LoadedFile {
  bytes: Uint8Array;
  source: 'cache' | 'network';
  /** The file is in the offline store now (read from it, or written to it). */
  saved: boolean;
  /** Why the cache could not be used or filled, for the user; null when all went well. */
  notice: string | null;
}

/** Bytes the browser still lets this site store (estimate(): quota − usage); unknown counts as enough. */
async function roomForMore(): Promise<number> {
  try {
    const { quota, usage } = (await navigator.storage?.estimate?.()) ?? {};
    return quota === undefined || usage === undefined ? Infinity : quota - usage;
  } catch {
    return Infinity;
  }
}

export async function loadPackFile(
  baseUrl: string,
  file: PackFile,
  onBytes: (loaded: number) => void,
): Promise<LoadedFile> {
  let notice: string | null = null;
  try {
    const cached = await readCachedFile(file);
    if (cached.status === 'hit') {
      onBytes(file.bytes);
      return { bytes: cached.bytes, source: 'cache', saved: true, notice: null };
    }
    if (cached.status === 'damaged') notice = `Re-downloading a damaged stored file (${cached.reason}).`;
  } catch (e) {
    // No IndexedDB (some private modes) or a broken database: the network still works.
    notice = `The offline store is unavailable (${(e as Error).message}); downloading instead.`;
  }
  const bytes = await fetchPackFile(baseUrl, file, onBytes);
  const room = await roomForMore();
  if (room < file.bytes) {
    const mb = (n: number) => `${(n / 1e6).toFixed(1)} MB`;
    notice = `Not saved for offline use: ${file.path} needs ${mb(file.bytes)} but this site may store only ${mb(room)} more; it runs from memory for this visit.`;
    return { bytes, source: 'network', saved: false, notice };
  }
  const written = await writeCachedFile(file, bytes).catch(
    (e: Error) => ({ stored: false, reason: e.message }) as const,
  );
  if (!written.stored) notice = `Not saved for offline use: ${written.reason}.`;
  return { bytes, source: 'network', saved: written.stored, notice };
}
