// The module worker: exposes one Engine over comlink.
import * as Comlink from 'comlink';
import { transferErrorsAsData } from '../shared/error-transfer';
import { Engine } from './engine';
import { trackWasmMemories } from './runtime/wasm-heap';

// Before any session exists, so the engine can report the size of ORT's wasm heap.
trackWasmMemories();
transferErrorsAsData();

// ORT's wasm pthreads start this same module under the name "em-pthread…"; they must not expose an
// engine of their own.
if (!self.name?.startsWith('em-pthread')) Comlink.expose(new Engine());
