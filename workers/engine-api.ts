// The one typed contract between the UI thread (src/) and the engine worker (workers/).
// Types only: importing this file pulls no runtime code (and never onnxruntime-web) into the UI.
import type { PackManifest } from './pack/manifest';

export type ExecutionProvider = 'webgpu' | 'wasm';
export type SamplerName = 'flash' | 'ancestral' | 'ddpm';

export interface Capabilities {
  webgpu: {
    available: boolean; // navigator.gpu exists
    adapter: { vendor: string; architecture: string; description: string } | null;
    isFallbackAdapter: boolean; // a software adapter (SwiftShader, WARP): not worth using unless forced
    shaderF16: boolean;
    maxBufferSize: number;
    maxStorageBufferBindingSize: number;
    error?: string;
  };
  wasm: { available: boolean; simd: boolean; threads: boolean };
}

export interface BackendChoice {
  ep: ExecutionProvider;
  variant: 'fp32' | 'fp16w' | 'int8w' | 'fp16';
  label: string; // for the status line, e.g. "WebGPU (nvidia ampere)" or "CPU (wasm)"
  reason: string;
}

export interface LoadOptions {
  ep?: ExecutionProvider; // forces a back end (?ep=webgpu|wasm)
  /** Pretend these back ends are missing (?simulate=no-webgpu,no-wasm), to see and test the fallbacks. */
  simulateMissing?: ExecutionProvider[];
}

export interface LoadedPack {
  name: string;
  title: string;
  weights: PackManifest['weights'];
  backend: BackendChoice;
  defaults: PackManifest['defaults'];
  resolution: NonNullable<PackManifest['resolution']>;
  samplers: SamplerName[];
  maxTextLength: number;
  description: string;
  license: string;
  /** What the weights were trained on, with licences: shown in the app (attribution duties). */
  credits: PackManifest['credits'];
  /** Where this load's files came from: the browser's offline store or the network. */
  storage: { cachedBytes: number; downloadedBytes: number; unsavedBytes: number; notices: string[] };
}

export interface GenerateParams {
  prompt: string;
  negativePrompt: string;
  seed: number; // 0 … 2^32 − 1
  sampler: SamplerName;
  steps: number; // ignored by Flash, which always takes its distilled steps
  guidance: number; // ignored by Flash
  width: number;
  height: number;
}

export interface GeneratedImage {
  width: number;
  height: number;
  pixels: Uint8ClampedArray; // RGBA, transferred from the worker
  seed: number;
  timings: { totalMs: number; textMs: number; denoiseMs: number; decodeMs: number };
}

/** What the engine is doing; `phase` tells the variants apart. */
export type Progress =
  | { phase: 'load'; component: string; loadedBytes: number; totalBytes: number }
  | { phase: 'warmup'; component: string }
  | { phase: 'encode' }
  | { phase: 'denoise'; step: number; steps: number }
  | { phase: 'decode' };

export type ProgressCallback = (progress: Progress) => void;

/** A pack stored in this browser's offline store. */
export interface StoredPack {
  url: string;
  name: string;
  title: string;
  /** Bytes of this pack's files that are stored completely (shared files count for each pack). */
  bytesOnDisk: number;
  totalBytes: number;
}

export interface EngineApi {
  probe(): Promise<Capabilities>;
  load(packUrl: string, options: LoadOptions, onProgress: ProgressCallback): Promise<LoadedPack>;
  generate(params: GenerateParams, onProgress: ProgressCallback): Promise<GeneratedImage>;
  unload(): Promise<void>;
  /** Packs stored in this browser, with their size on disk. */
  listStoredPacks(): Promise<StoredPack[]>;
  /** Frees a stored pack's files (those no other stored pack uses); it downloads again next time. */
  deleteStoredPack(url: string): Promise<void>;
  /** Test hook: destroys the WebGPU device, as a driver reset would; false when not on WebGPU. */
  loseDeviceForTesting(): Promise<boolean>;
}
