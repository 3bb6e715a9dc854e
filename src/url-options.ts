// Options read from the page address: ?ep=webgpu|wasm forces a back end, ?pack=<manifest URL> loads
// another model pack, ?simulate=no-webgpu,no-wasm pretends back ends are missing (to see the fallbacks),
// ?threads=N sets the wasm back end's threads.
import type { ExecutionProvider } from '../shared/engine-api';

// kandinsky3-nano, trained in this project on emoji (model/nano); shipped int8w, Flash by default.
export const BUNDLED_PACK = `${import.meta.env.BASE_URL}models/kandinsky3-nano/manifest.json`;

export interface UrlOptions {
  ep?: ExecutionProvider;
  pack: string;
  simulateMissing: ExecutionProvider[];
  wasmThreads?: number;
}

export function readUrlOptions(search: string): UrlOptions {
  const params = new URLSearchParams(search);
  const ep = params.get('ep');
  const threads = Number(params.get('threads'));
  return {
    wasmThreads: Number.isInteger(threads) && threads >= 1 ? threads : undefined,
    ep: ep === 'webgpu' || ep === 'wasm' ? ep : undefined,
    pack: params.get('pack') || BUNDLED_PACK,
    simulateMissing: (params.get('simulate') ?? '')
      .split(',')
      .map((s) => s.trim().replace(/^no-/, ''))
      .filter((s): s is ExecutionProvider => s === 'webgpu' || s === 'wasm'),
  };
}

/** A pack this app serves itself (same origin, under its models/ folder): it ships with the app, so it
 * loads without asking; any other pack shows its size and waits for the user to start the download. */
export function isBundledPack(packUrl: string, pageUrl: string): boolean {
  const url = new URL(packUrl, pageUrl);
  const models = new URL(`${import.meta.env.BASE_URL}models/`, pageUrl);
  return url.origin === models.origin && url.pathname.startsWith(models.pathname);
}
