// A pack served over HTTP(S): same origin, or another origin with CORS. Byte ranges use Range
// requests; a server that ignores Range (200 instead of 206) still works, by skipping the bytes
// already stored, at the cost of transferring them again.
import { PackLoadError } from '../../shared/errors';
import { InvalidManifestError, parseManifest, type PackFile, type PackManifest } from './manifest';
import { TransientSourceError, type PackSource } from './pack-source';

/** Whether this device is offline: the browser says so, or the app's own origin cannot be reached
 * either. `navigator.onLine` alone can stay true without a network (a link with no route out, and
 * Chromium's offline emulation in pages a service worker served), and then a failed download would be
 * reported as a broken connection to the pack's server rather than as being offline. */
async function isOffline(): Promise<boolean> {
  if (globalThis.navigator?.onLine === false) return true;
  const origin = globalThis.location?.origin;
  if (!origin || origin === 'null') return false;
  try {
    // HEAD with a query no cache holds: the service worker passes it to the network.
    await fetch(`${origin}/?connectivity-check=${Date.now()}`, { method: 'HEAD', cache: 'no-store' });
    return false;
  } catch {
    return true;
  }
}

/** Fetches and validates a manifest. `stored` supplies the copy kept with a stored pack, used when the
 * server cannot be reached (offline), so a stored pack still runs. */
export async function fetchManifest(
  url: string,
  stored: () => Promise<PackManifest | null> = async () => null,
): Promise<PackManifest> {
  let response: Response;
  try {
    response = await fetch(url, { cache: 'no-cache' });
  } catch (e) {
    const kept = await stored().catch(() => null);
    if (kept) return kept;
    throw new PackLoadError(
      (await isOffline())
        ? `You are offline, and the model pack at ${url} is not stored on this device. Connect once to download it.`
        : `Could not reach the model pack at ${url} (${(e as Error).message}). Check the address, your connection, ` +
            'and that a server on another origin allows CORS.',
    );
  }
  if (!response.ok) {
    throw new PackLoadError(
      `The model pack manifest at ${url} answered ${response.status} ${response.statusText}. Check the pack address.`,
    );
  }
  // Static hosts (and vite preview) answer unknown paths with the app's index.html and status 200.
  if ((response.headers.get('content-type') ?? '').includes('text/html')) {
    throw new PackLoadError(
      `There is no model pack manifest at ${url} (the server sent a web page). Check the pack address.`,
    );
  }
  let json: unknown;
  try {
    json = await response.json();
  } catch {
    throw new InvalidManifestError([`${url} is not JSON`]);
  }
  return parseManifest(json);
}

export class UrlPackSource implements PackSource {
  constructor(
    readonly id: string,
    /** The manifest this browser stored for the pack, for visits without a network. */
    private readonly storedManifest: () => Promise<PackManifest | null> = async () => null,
  ) {}

  readManifest(): Promise<PackManifest> {
    return fetchManifest(this.id, this.storedManifest);
  }

  async openRange(
    file: PackFile,
    start: number,
    end: number,
    signal: AbortSignal,
  ): Promise<ReadableStream<Uint8Array>> {
    const url = new URL(file.path, this.id).href;
    const whole = start === 0 && end === file.bytes;
    let response: Response;
    try {
      response = await fetch(url, {
        signal,
        cache: 'no-store', // the bytes go to IndexedDB; a second copy in the HTTP cache only costs quota
        headers: whole ? {} : { Range: `bytes=${start}-${end - 1}` },
      });
    } catch (e) {
      if (signal.aborted) throw e;
      if (await isOffline()) {
        throw new PackLoadError(
          `You are offline, and ${file.path} (${(file.bytes / 1e6).toFixed(1)} MB) of this model pack is not stored on ` +
            'this device yet. Connect once to download it; after that the pack works offline.',
        );
      }
      throw new TransientSourceError(`the connection failed: ${(e as Error).message}`);
    }
    if (response.status === 416) {
      throw new PackLoadError(
        `${file.path} on the server is shorter than its manifest says (${file.bytes} bytes): the upload was cut ` +
          'short or the pack was changed. Re-export or re-upload it.',
      );
    }
    if (response.status >= 500 || response.status === 429) {
      throw new TransientSourceError(`the server answered ${response.status}`);
    }
    if (!response.ok || !response.body) {
      throw new PackLoadError(`Downloading ${file.path} failed: the server answered ${response.status}.`);
    }
    // The server's idea of the file's size (Content-Range total, or Content-Length of a plain 200)
    // shows a truncated or replaced file before any of its bytes are read.
    const range = /^bytes (\d+)-\d+\/(\d+)/.exec(response.headers.get('content-range') ?? '');
    const length = response.headers.get('content-encoding') ? null : response.headers.get('content-length');
    const serverBytes = response.status === 206 ? range && Number(range[2]) : length === null ? null : Number(length);
    if (serverBytes !== null && serverBytes !== file.bytes) {
      void response.body.cancel();
      throw new PackLoadError(
        `${file.path} on the server has ${serverBytes} bytes but its manifest says ${file.bytes}: it is ` +
          `${serverBytes < file.bytes ? 'shorter than its manifest says (the upload was cut short?)' : 'larger than its manifest says'}, ` +
          'or the pack was changed. Re-export or re-upload it.',
      );
    }
    if (response.status === 206) {
      if (range && Number(range[1]) !== start) {
        throw new TransientSourceError(`the server sent bytes from ${range[1]} instead of ${start}`);
      }
      return response.body;
    }
    return whole ? response.body : response.body.pipeThrough(byteWindow(start, end));
  }
}

/** Passes only bytes [start, end) of a stream: for servers that answer a Range request with 200. */
function byteWindow(start: number, end: number): TransformStream<Uint8Array, Uint8Array> {
  let offset = 0;
  return new TransformStream({
    transform(chunk, controller) {
      const from = Math.max(start - offset, 0);
      const to = Math.min(end - offset, chunk.length);
      offset += chunk.length;
      if (to > from) controller.enqueue(chunk.subarray(from, to));
      if (offset >= end) controller.terminate();
    },
  });
}
