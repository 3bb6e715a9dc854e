// Where a pack's manifest and bytes come from: a URL (same origin or CORS), or files the user picked
// or dropped. The downloader asks any source for byte ranges of a file, so resuming, verifying and
// storing work the same for both.
import type { PackFile, PackManifest } from './manifest';

export interface PackSource {
  /** Stable key for the stored-pack list: the manifest URL, or `local:<name>:<manifest hash>`. */
  readonly id: string;
  readManifest(): Promise<PackManifest>;
  /** Bytes [start, end) of a file, as a stream. Errors of class `TransientSourceError` may be retried. */
  openRange(file: PackFile, start: number, end: number, signal: AbortSignal): Promise<ReadableStream<Uint8Array>>;
}

/** A failure worth retrying from where the download stopped: a dropped connection, a 5xx, a 429. */
export class TransientSourceError extends Error {
  override name = 'TransientSourceError';
}
