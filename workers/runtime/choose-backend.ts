// Picks the execution provider and weight variant. WebGPU only on a hardware adapter (a software one
// is far slower than wasm) unless forced; fp16 compute only with shader-f16, because without it ORT
// returns zeros or refuses the graph.
import type { BackendChoice, Capabilities, ExecutionProvider } from '../../shared/engine-api';
import { BackendUnavailableError } from '../../shared/errors';
import type { PackManifest, WeightFormat } from '../pack/manifest';
import { wasmThreads } from './wasm-threads';

// Software rasterisers expose WebGPU too, ~100× slower than wasm on the same CPU (docs/performance.md),
// and do not always set isFallbackAdapter.
const SOFTWARE_ADAPTER = /swiftshader|llvmpipe|lavapipe|microsoft basic render|\bwarp\b/i;

export function isSoftwareAdapter(gpu: Capabilities['webgpu']): boolean {
  const a = gpu.adapter;
  return (
    gpu.isFallbackAdapter || (a !== null && SOFTWARE_ADAPTER.test(`${a.vendor} ${a.architecture} ${a.description}`))
  );
}

export function chooseBackend(
  caps: Capabilities,
  manifest: PackManifest,
  forced?: ExecutionProvider,
  askedThreads?: number,
): BackendChoice {
  const wasmOk = caps.wasm.available && caps.wasm.simd;
  const gpu = caps.webgpu;
  const gpuOk = gpu.available && gpu.adapter !== null;
  const adapterName = gpu.adapter
    ? [gpu.adapter.vendor, gpu.adapter.architecture].filter(Boolean).join(' ') || 'GPU'
    : '';

  let ep: ExecutionProvider;
  let reason: string;
  if (forced === 'webgpu') {
    if (!gpuOk)
      throw new BackendUnavailableError([`WebGPU was asked for but ${gpu.error ?? 'this browser has no WebGPU'}`]);
    ep = 'webgpu';
    reason = 'WebGPU asked for';
  } else if (forced === 'wasm') {
    if (!wasmOk) throw new BackendUnavailableError(['WebAssembly with SIMD was asked for but is not available']);
    ep = 'wasm';
    reason = 'wasm asked for';
  } else if (gpuOk && !isSoftwareAdapter(gpu)) {
    ep = 'webgpu';
    reason = 'hardware WebGPU adapter';
  } else if (wasmOk) {
    ep = 'wasm';
    reason = gpuOk ? 'the WebGPU adapter is a software renderer, slower than the CPU path' : (gpu.error ?? 'no WebGPU');
  } else {
    const missing = [gpu.error ?? 'no WebGPU', caps.wasm.available ? 'WebAssembly SIMD is missing' : 'no WebAssembly'];
    throw new BackendUnavailableError(missing);
  }

  const has = (v: WeightFormat) => Object.values(manifest.components).every((c) => v in c.variants);
  const usable = (v: WeightFormat) => v !== 'fp16' || (ep === 'webgpu' && gpu.shaderF16);
  // The pack's own recommendation first (the bundled nano pack ships int8w only); then fp16 compute
  // where shader-f16 exists, fp16w (fp16 storage, fp32 compute: half the download, runs anywhere),
  // fp32, int8w (a quarter of the download, fp32 compute), and int4w (the full-size model's format:
  // 4-bit MatMulNBits, the smallest and least exact) last.
  const recommended = manifest.defaults.variant;
  const preference: WeightFormat[] = [
    ...(recommended && usable(recommended) ? [recommended] : []),
    ...(['fp16', 'fp16w', 'fp32', 'int8w', 'int4w'] as const).filter(usable),
  ];
  const variant = preference.find(has);
  if (!variant) {
    throw new BackendUnavailableError([
      `pack ${manifest.name} has no weight format that every component offers and ${ep} can run`,
    ]);
  }
  // The WebGPU build keeps one thread: its few CPU kernels do not pay for a worker per thread.
  const threads = ep === 'wasm' ? wasmThreads(caps.wasm, askedThreads) : 1;
  const label =
    ep === 'webgpu'
      ? `WebGPU (${adapterName || 'GPU'})`
      : threads > 1
        ? `CPU (wasm, ${threads} threads)`
        : 'CPU (wasm)';
  return { ep, variant, label, reason, threads };
}
