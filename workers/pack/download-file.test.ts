import { describe, expect, it } from 'vitest';
import { PackDownloadError } from '../../shared/errors';
import { contiguousRuns, downloadFile, type ChunkSink } from './download-file';
import { MemoryPackSource, packFileOf, pattern } from '../../test-support/test-pack';

const CHUNK = 65536;
const noWait = { attempts: 3, firstDelayMs: 1 };

function collect(): ChunkSink & { chunks: Map<number, Uint8Array> } {
  const chunks = new Map<number, Uint8Array>();
  return { chunks, put: async (i, bytes) => void chunks.set(i, bytes.slice()) };
}

function setup(length = CHUNK * 4 + 1000) {
  const bytes = pattern(length);
  const file = packFileOf('unet.onnx', bytes, CHUNK);
  const source = new MemoryPackSource(new Map([['unet.onnx', bytes]]));
  const all = Array.from({ length: file.chunks.sha256.length }, (_, i) => i);
  return { bytes, file, source, all };
}

const joined = (chunks: Map<number, Uint8Array>) =>
  Buffer.concat([...chunks.entries()].sort((a, b) => a[0] - b[0]).map(([, c]) => c));

describe('downloadFile', () => {
  it('cuts the stream into verified chunks and counts every byte', async () => {
    const { bytes, file, source, all } = setup();
    const sink = collect();
    let counted = 0;
    await downloadFile(source, file, all, sink, new AbortController().signal, (d) => (counted += d), noWait);
    expect(joined(sink.chunks).equals(Buffer.from(bytes))).toBe(true);
    expect(counted).toBe(bytes.length);
    expect(source.requests).toEqual([{ path: 'unet.onnx', start: 0, end: bytes.length }]);
  });

  it('after a dropped connection resumes at the first unfinished chunk, fetching nothing twice but that chunk', async () => {
    const { bytes, file, source, all } = setup();
    source.faults.set('unet.onnx', { dropAfter: { bytes: CHUNK * 2 + 5000, times: 1 } });
    const sink = collect();
    let counted = 0;
    await downloadFile(source, file, all, sink, new AbortController().signal, (d) => (counted += d), noWait);
    expect(joined(sink.chunks).equals(Buffer.from(bytes))).toBe(true);
    expect(source.requests.map((r) => r.start)).toEqual([0, CHUNK * 2]);
    expect(counted).toBe(bytes.length); // the 5000 bytes of the broken chunk were taken back
  });

  it('fetches only the missing chunks, one request per run of neighbours', async () => {
    const { bytes, file, source } = setup();
    const sink = collect();
    await downloadFile(source, file, [1, 3, 4], sink, new AbortController().signal, () => {}, noWait);
    expect([...sink.chunks.keys()].sort()).toEqual([1, 3, 4]);
    expect(source.requests.map((r) => [r.start, r.end])).toEqual([
      [CHUNK, CHUNK * 2],
      [CHUNK * 3, bytes.length],
    ]);
    expect(contiguousRuns([5, 0, 1, 2, 7, 6])).toEqual([
      [0, 2],
      [5, 7],
    ]);
  });

  it('gives up when attempts in a row bring no chunk, with a named error that keeps what arrived', async () => {
    const { file, source } = setup();
    source.faults.set('unet.onnx', { dropAfter: { bytes: 100, times: 99 } });
    const sink = collect();
    const failure = downloadFile(source, file, [1, 2, 3, 4], sink, new AbortController().signal, () => {}, noWait);
    await expect(failure).rejects.toThrow(PackDownloadError);
    await expect(failure).rejects.toThrow(/stopped at 0.1 MB of 0.3 MB .*kept on this device/);
    await expect(failure).rejects.toMatchObject({ file: 'unet.onnx', totalBytes: file.bytes });
    expect(source.requests.length).toBe(3);
  });

  it('keeps going while each attempt brings chunks, however often the connection drops', async () => {
    const { bytes, file, source, all } = setup();
    source.faults.set('unet.onnx', { dropAfter: { bytes: CHUNK + 10, times: 99 } });
    const sink = collect();
    await downloadFile(source, file, all, sink, new AbortController().signal, () => {}, noWait);
    expect(joined(sink.chunks).equals(Buffer.from(bytes))).toBe(true);
  });

  it('retries a chunk that arrives damaged once, and refuses one that is damaged on the server', async () => {
    const once = setup();
    once.source.faults.set('unet.onnx', { corruptAt: { offset: CHUNK + 7, times: 1 } });
    const sink = collect();
    await downloadFile(once.source, once.file, once.all, sink, new AbortController().signal, () => {}, noWait);
    expect(joined(sink.chunks).equals(Buffer.from(once.bytes))).toBe(true);

    const always = setup();
    always.source.faults.set('unet.onnx', { corruptAt: { offset: CHUNK + 7, times: 99 } });
    await expect(
      downloadFile(always.source, always.file, always.all, collect(), new AbortController().signal, () => {}, noWait),
    ).rejects.toThrow(/Chunk 1 of unet.onnx does not match its SHA-256 in the manifest, twice/);
  });

  it('refuses a file the server has truncated, and an oversized one', async () => {
    const short = setup();
    short.source.faults.set('unet.onnx', { truncateTo: CHUNK * 3 + 10 });
    await expect(
      downloadFile(short.source, short.file, short.all, collect(), new AbortController().signal, () => {}, noWait),
    ).rejects.toThrow(/shorter than its manifest says/);

    const long = setup();
    long.source.faults.set('unet.onnx', { extraBytes: 10 });
    await expect(
      downloadFile(long.source, long.file, long.all, collect(), new AbortController().signal, () => {}, noWait),
    ).rejects.toThrow(/larger than its manifest says/);
  });

  it('stops when aborted, with the abort reason', async () => {
    const { file, source, all } = setup();
    source.pieceDelayMs = 5;
    const controller = new AbortController();
    const sink = collect();
    const running = downloadFile(source, file, all, sink, controller.signal, () => {}, noWait);
    setTimeout(() => controller.abort(new Error('cancelled by test')), 30);
    await expect(running).rejects.toThrow('cancelled by test');
    expect(sink.chunks.size).toBeLessThan(5);
  });

  it('stores an empty file as one empty chunk', async () => {
    const { file, source } = setup(0);
    const sink = collect();
    await downloadFile(source, file, [0], sink, new AbortController().signal, () => {}, noWait);
    expect(sink.chunks.get(0)?.length).toBe(0);
  });
});
