// How many threads onnxruntime-web's wasm back end runs on. Threads need SharedArrayBuffer, which only
// a cross-origin isolated page has (the app sends COOP and COEP). The default is ORT's own rule, half
// the cores and at most 4: on 2 cores that is one thread, because the page, the browser and the
// second thread would share the same two cores (bench, `--threads 2`: docs/performance.md).
import type { Capabilities } from '../../shared/engine-api';

/** More than this is refused by the bench and clamped in the app: a wasm thread each costs a worker. */
export const MAX_WASM_THREADS = 16;

export function wasmThreads(wasm: Capabilities['wasm'], asked?: number): number {
  if (!wasm.threads) return 1;
  if (asked !== undefined && Number.isFinite(asked)) return Math.min(MAX_WASM_THREADS, Math.max(1, Math.round(asked)));
  return Math.min(4, Math.ceil(Math.max(1, wasm.cores) / 2));
}
