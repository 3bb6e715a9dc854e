import 'fake-indexeddb/auto';
import { createStore, getMany, keys, set } from 'idb-keyval';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { FileDownload } from '../../shared/engine-api';
import { DownloadCancelledError } from '../../shared/errors';
import { downloadPack, type DownloadOptions } from './download-pack';
import { MemoryPackSource, packFileOf, pattern } from '../../test-support/test-pack';

const CHUNK = 65536;
let stores = 0;
const freshStore = () => createStore(`download-test-${stores++}`, 'pack-files');

function pack(sizes = [CHUNK * 3 + 100, CHUNK * 2, 5000, CHUNK + 1]) {
  const contents = new Map(sizes.map((size, i) => [`f${i}.onnx`, pattern(size, i + 1)]));
  const files = [...contents].map(([path, bytes]) => packFileOf(path, bytes, CHUNK));
  return { contents, files, source: new MemoryPackSource(contents) };
}

function options(store: DownloadOptions['store'], extra: Partial<DownloadOptions> = {}) {
  const reports: FileDownload[][] = [];
  const opts: DownloadOptions = {
    store,
    signal: new AbortController().signal,
    onProgress: (rows) => reports.push(rows),
    freeBytes: null,
    retry: { attempts: 3, firstDelayMs: 1 },
    progressIntervalMs: 0,
    ...extra,
  };
  return { opts, reports };
}

async function expectContents(blobs: Map<string, Blob>, contents: Map<string, Uint8Array>) {
  for (const [path, bytes] of contents) {
    expect(Buffer.from(await blobs.get(path)!.arrayBuffer()).equals(Buffer.from(bytes)), path).toBe(true);
  }
}

afterEach(() => vi.restoreAllMocks());

describe('downloadPack', () => {
  it('downloads, verifies and stores; the next visit reads every file from the store', async () => {
    const store = freshStore();
    const { contents, files, source } = pack();
    const first = options(store);
    const result = await downloadPack(source, files, first.opts);
    await expectContents(result.blobs, contents);
    const total = files.reduce((s, f) => s + f.bytes, 0);
    expect(result).toMatchObject({ downloadedBytes: total, cachedBytes: 0, unsavedBytes: 0, notices: [] });
    expect(first.reports.at(-1)!.map((r) => [r.state, r.doneBytes])).toEqual(files.map((f) => ['done', f.bytes]));

    const again = new MemoryPackSource(contents);
    const second = await downloadPack(again, files, options(store).opts);
    await expectContents(second.blobs, contents);
    expect(again.requests).toEqual([]);
    expect(second).toMatchObject({ downloadedBytes: 0, cachedBytes: total });
  });

  it('reports bytes per file as they arrive, never more than a file has', async () => {
    const { files, source } = pack();
    const { opts, reports } = options(freshStore());
    await downloadPack(source, files, opts);
    expect(reports.length).toBeGreaterThan(files.length * 2);
    for (const rows of reports) {
      for (const [i, row] of rows.entries()) expect(row.doneBytes).toBeLessThanOrEqual(files[i]!.bytes);
    }
    const totals = reports.map((rows) => rows.reduce((s, r) => s + r.doneBytes, 0));
    expect(totals).toEqual([...totals].sort((a, b) => a - b)); // no drops without faults
  });

  it('tells of each file as it is on hand, downloaded or read back, with the Blob it returns', async () => {
    const store = freshStore();
    const { contents, files, source } = pack();
    for (const visit of [1, 2]) {
      const ready: [string, Blob][] = [];
      const result = await downloadPack(
        visit === 1 ? source : new MemoryPackSource(contents),
        files,
        options(store, { onFileReady: (path, blob) => ready.push([path, blob]) }).opts,
      );
      expect(ready.map(([path]) => path).sort()).toEqual(files.map((f) => f.path).sort());
      for (const [path, blob] of ready) expect(blob).toBe(result.blobs.get(path));
    }
  });

  it('downloads at most `concurrency` files at once', async () => {
    const { files, source } = pack([CHUNK, CHUNK, CHUNK, CHUNK, CHUNK, CHUNK]);
    source.pieceDelayMs = 2;
    await downloadPack(source, files, options(freshStore(), { concurrency: 2 }).opts);
    expect(source.maxActive).toBe(2);
  });

  it('after a cancel keeps the verified chunks and resumes without fetching them again', async () => {
    const store = freshStore();
    const { contents, files, source } = pack();
    source.pieceDelayMs = 2;
    const controller = new AbortController();
    // Cancel once some file is 1.5 chunks in: one chunk stored, one half-received.
    const onProgress = (rows: FileDownload[]) => {
      if (rows.some((r) => r.doneBytes >= CHUNK * 1.5)) controller.abort(new DOMException('cancelled', 'AbortError'));
    };
    const cancelled = downloadPack(source, files, options(store, { signal: controller.signal, onProgress }).opts);
    await expect(cancelled).rejects.toThrow(DownloadCancelledError);
    await expect(cancelled).rejects.toThrow(/Download cancelled: 0\.\d MB of 0\.\d MB are kept/);
    const kept = (await keys(store)).map(String).filter((k) => k.startsWith('chunk:'));
    expect(kept.length).toBeGreaterThan(0);
    const keptBytes = (await getMany<Blob>(kept, store)).reduce((s, blob) => s + (blob?.size ?? 0), 0);

    const resumed = new MemoryPackSource(contents);
    const { opts } = options(store);
    const result = await downloadPack(resumed, files, opts);
    await expectContents(result.blobs, contents);
    const fetched = resumed.requests.reduce((s, r) => s + r.end - r.start, 0);
    const total = files.reduce((s, f) => s + f.bytes, 0);
    expect(fetched).toBe(total - keptBytes);
    expect(result.cachedBytes + result.downloadedBytes).toBe(total);
  });

  it('a corrupted stored chunk is detected; only that chunk downloads again and nothing else is lost', async () => {
    const store = freshStore();
    const { contents, files, source } = pack();
    await downloadPack(source, files, options(store).opts);
    const damaged = files[0]!;
    await set(`chunk:${damaged.sha256}:1`, new Blob([pattern(CHUNK, 99)]), store);

    const again = new MemoryPackSource(contents);
    const result = await downloadPack(again, files, options(store).opts);
    await expectContents(result.blobs, contents);
    expect(again.requests).toEqual([{ path: 'f0.onnx', start: CHUNK, end: CHUNK * 2 }]);
    expect(result.notices).toEqual([
      'Downloading again what was damaged on disk (f0.onnx: chunk 1 does not match its SHA-256); the rest is kept.',
    ]);
    const third = new MemoryPackSource(contents);
    await downloadPack(third, files, options(store).opts);
    expect(third.requests).toEqual([]); // repaired
  });

  it('a full disk keeps the rest of the pack in memory for this visit and says so', async () => {
    const store = freshStore();
    const { contents, files, source } = pack();
    const real = IDBObjectStore.prototype.put;
    let writes = 0;
    vi.spyOn(IDBObjectStore.prototype, 'put').mockImplementation(function (this: IDBObjectStore, ...args) {
      if (++writes > 3) throw new DOMException('quota', 'QuotaExceededError');
      return real.apply(this, args as Parameters<IDBObjectStore['put']>);
    });
    const result = await downloadPack(source, files, options(store, { concurrency: 1 }).opts);
    await expectContents(result.blobs, contents);
    expect(result.notices.join()).toMatch(/storage for this site is full, so the rest of the pack runs from memory/);
    expect(result.unsavedBytes).toBeGreaterThan(0);
  });

  it('does not try to store a pack that the quota estimate says will not fit', async () => {
    const store = freshStore();
    const { contents, files, source } = pack();
    const result = await downloadPack(source, files, options(store, { freeBytes: 1000 }).opts);
    await expectContents(result.blobs, contents);
    expect(result.notices.join()).toMatch(/this site may store only 0.0 MB; it runs from memory/);
    expect(await keys(store)).toEqual([]);
  });

  it('runs without an offline store at all', async () => {
    const { contents, files, source } = pack();
    const result = await downloadPack(source, files, options(null).opts);
    await expectContents(result.blobs, contents);
    expect(result.unsavedBytes).toBe(files.reduce((s, f) => s + f.bytes, 0));
  });

  it('one failing file stops the others and its error is the one reported', async () => {
    const { files, source } = pack();
    source.faults.set('f2.onnx', { truncateTo: 10 });
    await expect(downloadPack(source, files, options(freshStore()).opts)).rejects.toThrow(
      /f2.onnx on the server is shorter/,
    );
  });
});
