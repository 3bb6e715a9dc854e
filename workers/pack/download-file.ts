// Downloads the missing chunks of one pack file from a source. Each contiguous run of missing chunks
// is one range request; bytes are cut into the manifest's chunks as they arrive, each chunk is
// checked against its SHA-256 (SubtleCrypto) and handed to the sink before the next one starts. A
// dropped connection is retried from the first chunk not yet handed over, so nothing is fetched twice
// except the chunk that was in flight.
import { PackDownloadError, PackLoadError } from '../../shared/errors';
import { chunkRange, type PackFile } from './manifest';
import { TransientSourceError, type PackSource } from './pack-source';
import { sha256Hex } from './sha256';

export interface ChunkSink {
  put(index: number, bytes: Uint8Array): Promise<void>;
}

export interface RetryPolicy {
  /** Failed attempts in a row (without a chunk arriving in between) before giving up. */
  attempts: number;
  firstDelayMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { attempts: 4, firstDelayMs: 500 };

/** Groups sorted chunk indices into runs of consecutive indices: [0,1,2,5,6] → [[0,2],[5,6]]. */
export function contiguousRuns(indices: number[]): [number, number][] {
  const runs: [number, number][] = [];
  for (const i of [...indices].sort((a, b) => a - b)) {
    const last = runs.at(-1);
    if (last && last[1] === i - 1) last[1] = i;
    else runs.push([i, i]);
  }
  return runs;
}

class ChunkMismatch extends Error {}

export async function downloadFile(
  source: PackSource,
  file: PackFile,
  missing: number[],
  sink: ChunkSink,
  signal: AbortSignal,
  /** Called with each change in bytes received for this file (negative when an unfinished chunk is dropped). */
  onBytes: (delta: number) => void,
  retry: RetryPolicy = DEFAULT_RETRY,
): Promise<void> {
  let failures = 0;
  let mismatches = 0;
  let doneBytes = file.bytes - missing.reduce((sum, i) => sum + chunkRange(file, i)[1] - chunkRange(file, i)[0], 0);
  for (const [first, last] of contiguousRuns(missing)) {
    let next = first; // the first chunk of this run not yet handed to the sink
    while (next <= last) {
      let pending = 0; // bytes of chunk `next` received so far
      try {
        const stream = await source.openRange(file, chunkRange(file, next)[0], chunkRange(file, last)[1], signal);
        const reader = stream.getReader();
        let [start, end] = chunkRange(file, next);
        let buffer = new Uint8Array(end - start);
        for (;;) {
          const { done, value } = await reader.read().catch((e: Error) => {
            if (signal.aborted) throw e;
            throw new TransientSourceError(`the connection dropped (${e.message})`);
          });
          if (done) break;
          let offset = 0;
          while (offset < value.length) {
            if (next > last) {
              await reader.cancel();
              throw new PackLoadError(
                `${file.path} is larger than its manifest says (${file.bytes} bytes): the pack is corrupt or was ` +
                  'changed. Re-export or re-download it.',
              );
            }
            const take = Math.min(buffer.length - pending, value.length - offset);
            buffer.set(value.subarray(offset, offset + take), pending);
            pending += take;
            offset += take;
            onBytes(take);
            if (pending === buffer.length) {
              if ((await sha256Hex(buffer)) !== file.chunks.sha256[next]) throw new ChunkMismatch();
              await sink.put(next, buffer);
              doneBytes += buffer.length;
              failures = 0;
              next += 1;
              pending = 0;
              if (next <= last) {
                [start, end] = chunkRange(file, next);
                buffer = new Uint8Array(end - start);
              }
            }
          }
        }
        // An empty file's single chunk has no bytes to wait for.
        if (next <= last && buffer.length === 0) {
          await sink.put(next, buffer);
          next += 1;
        }
        if (next <= last) throw new TransientSourceError(`the connection closed after ${doneBytes + pending} bytes`);
      } catch (e) {
        onBytes(-pending);
        if (signal.aborted) throw signal.reason ?? e;
        if (e instanceof ChunkMismatch) {
          // Once may be a proxy or a flaky link; twice is the file on the server.
          if (++mismatches < 2) continue;
          throw new PackLoadError(
            `Chunk ${next} of ${file.path} does not match its SHA-256 in the manifest, twice: the pack on the server ` +
              'is corrupt or was changed. Re-export or re-download it.',
          );
        }
        if (!(e instanceof TransientSourceError)) throw e;
        if (++failures >= retry.attempts) throw new PackDownloadError(file.path, doneBytes, file.bytes, e.message);
        await sleep(retry.firstDelayMs * 2 ** (failures - 1), signal);
      }
    }
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        reject(signal.reason);
      },
      { once: true },
    );
  });
}
