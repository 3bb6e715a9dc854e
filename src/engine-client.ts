// The UI's handle on the engine worker. The worker can be replaced (after a lost GPU device, a fresh
// worker gets a fresh device), so callers always go through `engine()`.
import * as Comlink from 'comlink';
import type { EngineApi } from '../shared/engine-api';
import { transferErrorsAsData } from '../shared/error-transfer';

transferErrorsAsData();

let worker: Worker | null = null;
let remote: Comlink.Remote<EngineApi> | null = null;
const crashListeners = new Set<(message: string) => void>();

export function engine(): Comlink.Remote<EngineApi> {
  if (!remote) {
    worker = new Worker(new URL('../workers/engine.worker.ts', import.meta.url), { type: 'module', name: 'engine' });
    // A worker whose module fails to load or evaluate never answers; without this the UI would wait forever.
    worker.addEventListener('error', (event) => {
      const message = event.message || 'the engine worker could not start';
      for (const listener of crashListeners) listener(message);
    });
    remote = Comlink.wrap<EngineApi>(worker);
  }
  return remote;
}

/** Called with a message when the worker dies on its own (script error, out of memory). */
export function onEngineCrash(listener: (message: string) => void): () => void {
  crashListeners.add(listener);
  return () => crashListeners.delete(listener);
}

/** Terminates the worker: frees all its memory (wasm memory never shrinks otherwise) and its GPU device. */
export function restartEngine(): void {
  remote?.[Comlink.releaseProxy]();
  worker?.terminate();
  worker = null;
  remote = null;
}

export { Comlink };
