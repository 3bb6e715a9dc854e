// ORT keeps its Emscripten module (and so its heap) private. To report how large the heap has grown,
// the worker notes every WebAssembly.Memory created after this runs: ORT's heap is the largest of
// them. Wasm memory never shrinks, so its size is also the peak since the worker started.
const memories: WeakRef<WebAssembly.Memory>[] = [];

let installed = false;

/** Call before the runtime creates its heap (it does so at the first session). */
export function trackWasmMemories(): void {
  if (installed || typeof WebAssembly === 'undefined') return;
  installed = true;
  const Native = WebAssembly.Memory;
  class TrackedMemory extends Native {
    constructor(descriptor: WebAssembly.MemoryDescriptor) {
      super(descriptor);
      memories.push(new WeakRef(this));
    }
  }
  WebAssembly.Memory = TrackedMemory;
}

/** Bytes of the largest live wasm memory (ORT's heap), or null before any exists. */
export function wasmHeapBytes(): number | null {
  let largest: number | null = null;
  for (const ref of memories) {
    const memory = ref.deref();
    if (memory) largest = Math.max(largest ?? 0, memory.buffer.byteLength);
  }
  return largest;
}
