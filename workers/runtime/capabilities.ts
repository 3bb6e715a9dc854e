// What this browser offers: WebGPU (adapter, shader-f16, buffer limits, software or not) and wasm.
import type { Capabilities } from '../../shared/engine-api';

export async function probeCapabilities(): Promise<Capabilities> {
  const webgpu: Capabilities['webgpu'] = {
    available: typeof navigator !== 'undefined' && 'gpu' in navigator && !!navigator.gpu,
    adapter: null,
    isFallbackAdapter: false,
    shaderF16: false,
    maxBufferSize: 0,
    maxStorageBufferBindingSize: 0,
  };
  if (webgpu.available) {
    try {
      const adapter = await navigator.gpu.requestAdapter({ powerPreference: 'high-performance' });
      if (adapter) {
        const info = adapter.info;
        webgpu.adapter = { vendor: info.vendor, architecture: info.architecture, description: info.description };
        // Older Chromium puts the flag on the adapter, newer on its info.
        webgpu.isFallbackAdapter =
          ((adapter as { isFallbackAdapter?: boolean }).isFallbackAdapter ??
            (info as { isFallbackAdapter?: boolean }).isFallbackAdapter) === true;
        webgpu.shaderF16 = adapter.features.has('shader-f16');
        webgpu.maxBufferSize = adapter.limits.maxBufferSize;
        webgpu.maxStorageBufferBindingSize = adapter.limits.maxStorageBufferBindingSize;
      } else {
        webgpu.error = 'no WebGPU adapter (the GPU may be blocklisted or disabled)';
      }
    } catch (e) {
      webgpu.error = `requestAdapter failed: ${(e as Error).message}`;
    }
  }
  return { webgpu, wasm: probeWasm() };
}

function probeWasm(): Capabilities['wasm'] {
  const available = typeof WebAssembly === 'object' && typeof WebAssembly.instantiate === 'function';
  // The smallest module using a v128 instruction validates only where SIMD exists (ORT requires it).
  const simdModule = new Uint8Array([
    0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 10, 1, 8, 0, 65, 0, 253, 15, 253, 98, 11,
  ]);
  const simd = available && WebAssembly.validate(simdModule);
  const threads =
    typeof SharedArrayBuffer !== 'undefined' &&
    (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated === true;
  const cores = typeof navigator === 'object' ? navigator.hardwareConcurrency || 1 : 1;
  return { available, simd, threads, cores };
}
