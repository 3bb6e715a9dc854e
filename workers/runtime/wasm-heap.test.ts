import { describe, expect, it } from 'vitest';
import { trackWasmMemories, wasmHeapBytes } from './wasm-heap';

describe('wasm heap size', () => {
  it('follows the largest memory created after tracking starts, as it grows', () => {
    const page = 64 * 1024;
    new WebAssembly.Memory({ initial: 1 }); // before tracking: not seen
    trackWasmMemories();
    expect(wasmHeapBytes()).toBeNull();
    const heap = new WebAssembly.Memory({ initial: 4, maximum: 64 });
    new WebAssembly.Memory({ initial: 2 });
    expect(heap).toBeInstanceOf(WebAssembly.Memory);
    expect(wasmHeapBytes()).toBe(4 * page);
    heap.grow(6);
    expect(wasmHeapBytes()).toBe(10 * page);
  });
});
