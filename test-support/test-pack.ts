// Test support: pack files cut into chunks like the export does, and an in-memory pack source that
// can drop connections, ignore Range, or corrupt bytes on request.
import { createHash } from 'node:crypto';
import { PackLoadError } from '../shared/errors';
import type { PackFile, PackManifest } from '../workers/pack/manifest';
import { TransientSourceError, type PackSource } from '../workers/pack/pack-source';

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

export function packFileOf(path: string, bytes: Uint8Array, chunkBytes = 65536): PackFile {
  const hashes: string[] = [];
  for (let start = 0; start < Math.max(bytes.length, 1); start += chunkBytes) {
    hashes.push(sha256(bytes.subarray(start, start + chunkBytes)));
  }
  return { path, bytes: bytes.length, sha256: sha256(bytes), chunks: { bytes: chunkBytes, sha256: hashes } };
}

export function pattern(length: number, seed = 1): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(length);
  let x = seed;
  for (let i = 0; i < length; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    out[i] = x >>> 24;
  }
  return out;
}

export interface Faults {
  /** Close the stream after this many bytes, for the next `times` requests of a file. */
  dropAfter?: { bytes: number; times: number };
  /** Flip a byte at this file offset in the next `times` responses that include it. */
  corruptAt?: { offset: number; times: number };
  /** The "server copy" has only this many bytes. */
  truncateTo?: number;
  /** Send extra bytes after the range. */
  extraBytes?: number;
}

export class MemoryPackSource implements PackSource {
  readonly id = 'memory:test';
  readonly requests: { path: string; start: number; end: number }[] = [];
  active = 0;
  maxActive = 0;
  /** Milliseconds between 16 KiB pieces, to keep several downloads in flight at once. */
  pieceDelayMs = 0;

  constructor(
    private readonly contents: Map<string, Uint8Array>,
    readonly faults: Map<string, Faults> = new Map(),
  ) {}

  async readManifest(): Promise<PackManifest> {
    throw new Error('not used');
  }

  async openRange(
    file: PackFile,
    start: number,
    end: number,
    signal: AbortSignal,
  ): Promise<ReadableStream<Uint8Array>> {
    this.requests.push({ path: file.path, start, end });
    const fault = this.faults.get(file.path) ?? {};
    const body = this.contents.get(file.path)!;
    // A server announces the length (Content-Length, Content-Range): a truncated copy shows at once.
    if (fault.truncateTo !== undefined)
      throw new PackLoadError(`${file.path} on the server is shorter than its manifest says`);
    let bytes = body.slice(start, Math.min(end, body.length));
    if (fault.extraBytes) bytes = new Uint8Array([...bytes, ...new Uint8Array(fault.extraBytes)]);
    if (
      fault.corruptAt &&
      fault.corruptAt.times > 0 &&
      fault.corruptAt.offset >= start &&
      fault.corruptAt.offset < end
    ) {
      fault.corruptAt.times -= 1;
      bytes[fault.corruptAt.offset - start]! ^= 0xff;
    }
    let dropAt = Infinity;
    if (fault.dropAfter && fault.dropAfter.times > 0) {
      fault.dropAfter.times -= 1;
      dropAt = fault.dropAfter.bytes;
    }
    this.active += 1;
    this.maxActive = Math.max(this.maxActive, this.active);
    let offset = 0;
    const done = () => {
      this.active -= 1;
    };
    return new ReadableStream<Uint8Array>({
      pull: async (controller) => {
        if (this.pieceDelayMs) await new Promise((r) => setTimeout(r, this.pieceDelayMs));
        if (signal.aborted) {
          done();
          controller.error(signal.reason);
          return;
        }
        if (offset >= dropAt) {
          done();
          controller.error(new TransientSourceError('test: connection dropped'));
          return;
        }
        if (offset >= bytes.length) {
          done();
          controller.close();
          return;
        }
        const piece = bytes.slice(offset, Math.min(offset + 16384, bytes.length, dropAt));
        offset += piece.length;
        controller.enqueue(piece);
      },
      cancel: done,
    });
  }
}
