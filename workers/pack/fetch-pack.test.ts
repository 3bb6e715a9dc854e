import { createHash } from 'node:crypto';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { PackLoadError } from '../errors';
import { fetchManifest, fetchPackFile } from './fetch-pack';
import { InvalidManifestError } from './manifest';

const bytes = new TextEncoder().encode('model bytes');
const sha256 = createHash('sha256').update(bytes).digest('hex');

function serve(body: BodyInit, init: ResponseInit = {}) {
  vi.stubGlobal(
    'fetch',
    vi.fn(async () => new Response(body, init)),
  );
}

afterEach(() => vi.unstubAllGlobals());

describe('fetchPackFile', () => {
  it('returns bytes that match the manifest and reports progress', async () => {
    serve(bytes);
    const seen: number[] = [];
    const out = await fetchPackFile('http://x/p/', { path: 'a.onnx', bytes: bytes.length, sha256 }, (n) =>
      seen.push(n),
    );
    expect(Array.from(out)).toEqual(Array.from(bytes));
    expect(seen.at(-1)).toBe(bytes.length);
  });

  it('refuses a file whose content does not match its SHA-256', async () => {
    serve(new TextEncoder().encode('model bytez'));
    await expect(
      fetchPackFile('http://x/p/', { path: 'a.onnx', bytes: bytes.length, sha256 }, () => {}),
    ).rejects.toThrow(/does not match its SHA-256/);
  });

  it('refuses a truncated file and an oversized one', async () => {
    serve(bytes.slice(0, 5));
    await expect(
      fetchPackFile('http://x/p/', { path: 'a.onnx', bytes: bytes.length, sha256 }, () => {}),
    ).rejects.toThrow(/cut short/);
    serve(new Uint8Array(100));
    await expect(
      fetchPackFile('http://x/p/', { path: 'a.onnx', bytes: bytes.length, sha256 }, () => {}),
    ).rejects.toThrow(PackLoadError);
  });

  it('says when the browser is offline and the file is not stored, rather than a bare network error', async () => {
    vi.stubGlobal(
      'fetch',
      vi.fn(async () => {
        throw new TypeError('Failed to fetch');
      }),
    );
    const file = { path: 'a.onnx', bytes: 2_500_000, sha256 };
    vi.stubGlobal('navigator', { onLine: false });
    await expect(fetchPackFile('http://x/p/', file, () => {})).rejects.toThrow(
      'You are offline, and a.onnx (2.5 MB) of this model pack is not stored on this device yet.',
    );
    vi.stubGlobal('navigator', { onLine: true });
    await expect(fetchPackFile('http://x/p/', file, () => {})).rejects.toThrow(
      'Downloading a.onnx failed (Failed to fetch). Check your connection and reload.',
    );
  });

  it('names the HTTP status of a failed download', async () => {
    serve('gone', { status: 404 });
    await expect(fetchPackFile('http://x/p/', { path: 'a.onnx', bytes: 4, sha256 }, () => {})).rejects.toThrow(
      /answered 404/,
    );
  });
});

describe('fetchManifest', () => {
  it('says when the address serves a web page instead of a manifest', async () => {
    serve('<!doctype html>', { headers: { 'content-type': 'text/html' } });
    await expect(fetchManifest('http://x/p/manifest.json')).rejects.toThrow(/no model pack manifest/);
  });

  it('refuses JSON that is not a manifest, listing the problems', async () => {
    serve('{"schemaVersion": 9}', { headers: { 'content-type': 'application/json' } });
    await expect(fetchManifest('http://x/p/manifest.json')).rejects.toThrow(InvalidManifestError);
  });

  it('refuses a body that is not JSON', async () => {
    serve('not json {', { headers: { 'content-type': 'application/json' } });
    await expect(fetchManifest('http://x/p/manifest.json')).rejects.toThrow(/is not JSON/);
  });
});
