// Which onnxruntime-web build the engine loads. The WebGPU build is compiled with asyncify, so that
// wasm can wait on the GPU; its CPU kernels pay for that, and creating the nano pack's sessions took
// twice as long with it as with the plain wasm build (bench, 2026-12-06: 3.8 s against 2.0 s on a cold
// start). So the WebGPU build is loaded only when WebGPU runs the graphs.
import type * as OrtApi from 'onnxruntime-web';
import type { ExecutionProvider } from '../../shared/engine-api';

export type Ort = typeof OrtApi;

const loaded = new Map<ExecutionProvider, Promise<Ort>>();

/** The onnxruntime-web build for this execution provider, loaded once per worker and configured. */
export function ortFor(ep: ExecutionProvider): Promise<Ort> {
  let ort = loaded.get(ep);
  if (!ort) {
    ort = (ep === 'webgpu' ? import('onnxruntime-web/webgpu') : import('onnxruntime-web/wasm')).then((module) => {
      // Two cores gain nothing from wasm threads (docs/performance.md), and a single thread keeps ORT
      // from re-running this worker's module as a pthread.
      module.env.wasm.numThreads = 1;
      module.env.logLevel = 'warning';
      return module;
    });
    loaded.set(ep, ort);
  }
  return ort;
}
