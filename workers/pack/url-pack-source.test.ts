import { afterEach, describe, expect, it, vi } from 'vitest';
import { PackLoadError } from '../../shared/errors';
import { InvalidManifestError, type PackManifest } from './manifest';
import { TransientSourceError } from './pack-source';
import { fetchManifest, UrlPackSource } from './url-pack-source';
import { packFileOf, pattern } from '../../test-support/test-pack';

const bytes = pattern(1000);
const file = packFileOf('a.onnx', bytes);

function serve(body: BodyInit, init: ResponseInit = {}) {
  vi.stubGlobal(
    'fetch',
    vi.fn(async () => new Response(body, init)),
  );
}

/** A static server that honours single byte ranges, as vite preview and nginx do. */
function rangeServer(content: Uint8Array, { honoursRange = true } = {}) {
  const seen: (string | null)[] = [];
  vi.stubGlobal(
    'fetch',
    vi.fn(async (_url: string, init?: RequestInit) => {
      const range = new Headers(init?.headers).get('range');
      seen.push(range);
      const match = /^bytes=(\d+)-(\d*)$/.exec(range ?? '');
      if (!match || !honoursRange) {
        return new Response(content.slice(), { headers: { 'content-length': String(content.length) } });
      }
      const start = Number(match[1]);
      const end = match[2] ? Number(match[2]) + 1 : content.length;
      if (start >= content.length) return new Response(null, { status: 416 });
      return new Response(content.slice(start, end), {
        status: 206,
        headers: { 'content-range': `bytes ${start}-${end - 1}/${content.length}` },
      });
    }),
  );
  return seen;
}

async function read(stream: ReadableStream<Uint8Array>): Promise<Uint8Array> {
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

const signal = () => new AbortController().signal;
afterEach(() => vi.unstubAllGlobals());

describe('UrlPackSource', () => {
  const source = new UrlPackSource('http://x/p/manifest.json');

  it('asks for a byte range, and takes the whole file without one', async () => {
    const seen = rangeServer(bytes);
    expect(Array.from(await read(await source.openRange(file, 100, 300, signal())))).toEqual(
      Array.from(bytes.subarray(100, 300)),
    );
    expect((await read(await source.openRange(file, 0, 1000, signal()))).length).toBe(1000);
    expect(seen).toEqual(['bytes=100-299', null]);
  });

  it('cuts the range out itself when the server ignores Range', async () => {
    rangeServer(bytes, { honoursRange: false });
    expect(Array.from(await read(await source.openRange(file, 100, 300, signal())))).toEqual(
      Array.from(bytes.subarray(100, 300)),
    );
  });

  it('says when the file on the server is truncated, by the length it announces', async () => {
    rangeServer(bytes.subarray(0, 600));
    await expect(source.openRange(file, 0, 1000, signal())).rejects.toThrow(
      /a.onnx on the server has 600 bytes but its manifest says 1000: it is shorter than its manifest says/,
    );
    await expect(source.openRange(file, 200, 1000, signal())).rejects.toThrow(PackLoadError);
    await expect(source.openRange(file, 800, 1000, signal())).rejects.toThrow(/shorter than its manifest says/); // 416
  });

  it('treats server errors and dropped connections as worth retrying, and 404 as final', async () => {
    serve('busy', { status: 503 });
    await expect(source.openRange(file, 0, 1000, signal())).rejects.toThrow(TransientSourceError);
    serve('gone', { status: 404 });
    await expect(source.openRange(file, 0, 1000, signal())).rejects.toThrow(/answered 404/);
    vi.stubGlobal(
      'fetch',
      vi.fn(async () => {
        throw new TypeError('Failed to fetch');
      }),
    );
    await expect(source.openRange(file, 0, 1000, signal())).rejects.toThrow(TransientSourceError);
  });

  it('says when the browser is offline and the file is not stored, rather than a bare network error', async () => {
    vi.stubGlobal(
      'fetch',
      vi.fn(async () => {
        throw new TypeError('Failed to fetch');
      }),
    );
    vi.stubGlobal('navigator', { onLine: false });
    await expect(source.openRange({ ...file, bytes: 2_500_000 }, 0, 10, signal())).rejects.toThrow(
      'You are offline, and a.onnx (2.5 MB) of this model pack is not stored on this device yet.',
    );
  });

  it("knows it is offline when the browser's flag says online but even the app's own origin is unreachable", async () => {
    const fetched: string[] = [];
    vi.stubGlobal(
      'fetch',
      vi.fn(async (url: string) => {
        fetched.push(String(url));
        throw new TypeError('Failed to fetch');
      }),
    );
    vi.stubGlobal('navigator', { onLine: true });
    vi.stubGlobal('location', { origin: 'http://app.example' });
    await expect(source.openRange({ ...file, bytes: 2_500_000 }, 0, 10, signal())).rejects.toThrow(
      'You are offline, and a.onnx (2.5 MB)',
    );
    expect(fetched[1]).toMatch(/^http:\/\/app\.example\/\?connectivity-check=\d+$/);
  });

  it('with the own origin reachable, a failed pack server is a connection problem to retry, not offline', async () => {
    vi.stubGlobal(
      'fetch',
      vi.fn(async (url: string) => {
        if (String(url).startsWith('http://app.example/')) return new Response(null, { status: 200 });
        throw new TypeError('Failed to fetch');
      }),
    );
    vi.stubGlobal('navigator', { onLine: true });
    vi.stubGlobal('location', { origin: 'http://app.example' });
    await expect(source.openRange(file, 0, 1000, signal())).rejects.toThrow(TransientSourceError);
  });
});

describe('fetchManifest', () => {
  it('names the status of a manifest that is not there', async () => {
    serve('gone', { status: 404, statusText: 'Not Found' });
    await expect(fetchManifest('http://x/p/manifest.json')).rejects.toThrow(/answered 404 Not Found/);
  });

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
    await expect(fetchManifest('http://x/p/manifest.json')).rejects.toMatchObject({
      name: 'InvalidManifestError',
      problems: ['http://x/p/manifest.json is not JSON'],
    });
  });

  it('uses the stored copy of a pack whose server cannot be reached, and only then', async () => {
    const kept = { name: 'kept' } as PackManifest;
    vi.stubGlobal(
      'fetch',
      vi.fn(async () => {
        throw new TypeError('Failed to fetch');
      }),
    );
    expect(await fetchManifest('http://x/p/manifest.json', async () => kept)).toBe(kept);
    await expect(fetchManifest('http://x/p/manifest.json')).rejects.toThrow(/Could not reach the model pack/);
    serve('gone', { status: 404 });
    await expect(fetchManifest('http://x/p/manifest.json', async () => kept)).rejects.toThrow(/answered 404/);
  });
});
