// Which onnxruntime-web build the engine loads. The WebGPU build is compiled with asyncify, so that
// wasm can wait on the GPU; its CPU kernels pay for that, and creating the nano pack's sessions took
// twice as long with it as with the plain wasm build (bench, 2026-12-06: 3.8 s against 2.0 s on a cold
// start). So the WebGPU build is loaded only when WebGPU runs the graphs.
import type * as OrtApi from 'onnxruntime-web';
// ORT's Emscripten glue as a file of its own. Each wasm thread is a worker that loads the module the
// glue came from; bundled into this worker's chunk, that would be the whole engine worker again. Given
// its own URL, a thread loads only the glue.
import wasmGlueUrl from 'onnxruntime-web/ort-wasm-simd-threaded.mjs?url';
import wasmBinaryUrl from 'onnxruntime-web/ort-wasm-simd-threaded.wasm?url';
import type { ExecutionProvider } from '../../shared/engine-api';

export type Ort = typeof OrtApi;

const loaded = new Map<ExecutionProvider, Promise<Ort>>();

/** The onnxruntime-web build for this execution provider, loaded once per worker and configured. The
 * thread count of the first call holds for the worker's life: ORT starts its runtime once. */
export function ortFor(ep: ExecutionProvider, threads = 1): Promise<Ort> {
  let ort = loaded.get(ep);
  if (!ort) {
    ort = (ep === 'webgpu' ? import('onnxruntime-web/webgpu') : import('onnxruntime-web/wasm')).then((module) => {
      module.env.wasm.numThreads = ep === 'wasm' ? threads : 1;
      if (ep === 'wasm' && threads > 1) module.env.wasm.wasmPaths = { mjs: wasmGlueUrl, wasm: wasmBinaryUrl };
      module.env.logLevel = 'warning';
      return module;
    });
    loaded.set(ep, ort);
  }
  return ort;
}
