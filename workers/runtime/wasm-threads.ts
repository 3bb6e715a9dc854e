// How many threads onnxruntime-web's wasm back end runs on. Threads need SharedArrayBuffer, which only
// a cross-origin isolated page has (the app sends COOP and COEP). The default is ORT's own rule, half
// the cores and at most 4. On 2 cores that is one thread: a second one shares a core with the page,
// and made the default Flash image at 64² slower (160 → 213 ms), though base images and large sizes
// got about 1.5× faster (bench, 2026-12-06, `--threads 2`: docs/performance.md).
import type { Capabilities } from '../../shared/engine-api';

/** More than this is refused by the bench and clamped in the app: a wasm thread each costs a worker. */
export const MAX_WASM_THREADS = 16;

export function wasmThreads(wasm: Capabilities['wasm'], asked?: number): number {
  if (!wasm.threads) return 1;
  if (asked !== undefined && Number.isFinite(asked)) return Math.min(MAX_WASM_THREADS, Math.max(1, Math.round(asked)));
  return Math.min(4, Math.ceil(Math.max(1, wasm.cores) / 2));
}
