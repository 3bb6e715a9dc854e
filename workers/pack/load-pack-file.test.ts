import 'fake-indexeddb/auto';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { loadPackFile } from './load-pack-file';
import type { PackFile } from './manifest';
import { sha256Hex } from './sha256';

async function served(fill: number, length: number) {
  const bytes = new Uint8Array(length).fill(fill);
  const file: PackFile = { path: `f${fill}.onnx`, bytes: length, sha256: await sha256Hex(bytes) };
  const fetchMock = vi.fn(async () => new Response(bytes.slice()));
  vi.stubGlobal('fetch', fetchMock);
  return { file, bytes, fetchMock };
}

afterEach(() => {
  vi.unstubAllGlobals();
  vi.restoreAllMocks();
});

describe('loadPackFile', () => {
  it('downloads once, then serves the verified copy from IndexedDB', async () => {
    const { file, bytes, fetchMock } = await served(5, 1000);
    const first = await loadPackFile('http://127.0.0.1/pack/', file, () => {});
    expect([first.source, first.saved, first.notice]).toEqual(['network', true, null]);
    const second = await loadPackFile('http://127.0.0.1/pack/', file, () => {});
    expect(second.source).toBe('cache');
    expect(Array.from(second.bytes)).toEqual(Array.from(bytes));
    expect(fetchMock).toHaveBeenCalledTimes(1);
  });

  it('does not store what the quota estimate says will not fit, and says so', async () => {
    const { file, fetchMock } = await served(6, 2_000_000);
    vi.stubGlobal('navigator', { storage: { estimate: async () => ({ quota: 1_500_000, usage: 500_000 }) } });
    const first = await loadPackFile('http://127.0.0.1/pack/', file, () => {});
    expect([first.source, first.saved]).toEqual(['network', false]);
    expect(first.notice).toBe(
      'Not saved for offline use: f6.onnx needs 2.0 MB but this site may store only 1.0 MB more; it runs from memory for this visit.',
    );
    await loadPackFile('http://127.0.0.1/pack/', file, () => {});
    expect(fetchMock).toHaveBeenCalledTimes(2); // nothing was stored
  });
});
