// Fetches a pack's manifest and files over HTTP(S), counting bytes for progress and checking each
// file's size and SHA-256 (SubtleCrypto) before it is used.
import { PackLoadError } from '../errors';
import { InvalidManifestError, parseManifest, type PackFile, type PackManifest } from './manifest';
import { sha256Hex } from './sha256';

export async function fetchManifest(url: string): Promise<PackManifest> {
  let response: Response;
  try {
    response = await fetch(url);
  } catch (e) {
    throw new PackLoadError(
      `Could not reach the model pack at ${url} (${(e as Error).message}). Check the address and your connection.`,
    );
  }
  if (!response.ok) {
    throw new PackLoadError(
      `The model pack manifest at ${url} answered ${response.status} ${response.statusText}. Check the ?pack= address.`,
    );
  }
  // Static hosts (and vite preview) answer unknown paths with the app's index.html and status 200.
  if ((response.headers.get('content-type') ?? '').includes('text/html')) {
    throw new PackLoadError(
      `There is no model pack manifest at ${url} (the server sent a web page). Check the ?pack= address.`,
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

export async function fetchPackFile(
  baseUrl: string,
  file: PackFile,
  onBytes: (loaded: number) => void,
): Promise<Uint8Array> {
  const url = new URL(file.path, baseUrl).href;
  let response: Response;
  try {
    response = await fetch(url);
  } catch (e) {
    if (globalThis.navigator?.onLine === false) {
      throw new PackLoadError(
        `You are offline, and ${file.path} (${(file.bytes / 1e6).toFixed(1)} MB) of this model pack is not stored on ` +
          'this device yet. Connect once to download it; after that the pack works offline.',
      );
    }
    throw new PackLoadError(
      `Downloading ${file.path} failed (${(e as Error).message}). Check your connection and reload.`,
    );
  }
  if (!response.ok || !response.body) {
    throw new PackLoadError(`Downloading ${file.path} failed: the server answered ${response.status}.`);
  }
  const bytes = new Uint8Array(file.bytes);
  let loaded = 0;
  const reader = response.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    if (loaded + value.length > file.bytes) {
      await reader.cancel();
      throw new PackLoadError(
        `${file.path} is larger than its manifest says (${file.bytes} bytes): the pack is corrupt or was changed. Re-export or re-download it.`,
      );
    }
    bytes.set(value, loaded);
    loaded += value.length;
    onBytes(loaded);
  }
  if (loaded !== file.bytes) {
    throw new PackLoadError(
      `${file.path} has ${loaded} bytes but its manifest says ${file.bytes}: the download was cut short or the pack is corrupt.`,
    );
  }
  if ((await sha256Hex(bytes)) !== file.sha256) {
    throw new PackLoadError(
      `${file.path} does not match its SHA-256 in the manifest: the pack is corrupt or was changed. Re-export or re-download it.`,
    );
  }
  return bytes;
}
