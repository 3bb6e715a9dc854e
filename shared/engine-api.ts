// The one typed contract between the UI thread (src/) and the engine worker (workers/).
// Types only: importing this file pulls no runtime code (and never onnxruntime-web) into the UI.
import type { PackManifest, UpscalerInfo, WeightFormat } from './pack-manifest';

/** One graph call of an image: which component ran and for how long (session.run). */
export interface GraphRunTiming {
  component: string;
  ms: number;
}

export type ExecutionProvider = 'webgpu' | 'wasm';
/** The samplers the engine knows, by name: the keys of its registry, so a new sampler is named in one
 * place (workers/pipeline/sampler-registry.ts; a type, not code, crosses over). */
export type { SamplerName } from '../workers/pipeline/sampler-registry';
import type { SamplerName } from '../workers/pipeline/sampler-registry';

/** A sampler a loaded pack can run, and what it takes: the UI builds its controls from this. */
export interface SamplerInfo {
  name: SamplerName;
  /** Its U-Net calls are fixed by distillation (Flash: the pack's timesteps); null when the user's
   * step count applies. */
  fixedSteps: number | null;
  /** The step count to start at (the pack's own where this is its default sampler). */
  defaultSteps: number;
  /** The most steps it can take: the pack's schedule length. */
  maxSteps: number;
  /** Whether the guidance scale applies (it runs an undistilled U-Net). */
  guidance: boolean;
  /** The guidance scale to start at; 0 where guidance does not apply. */
  defaultGuidance: number;
}

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
  /** threads: SharedArrayBuffer exists (a cross-origin isolated page); cores: navigator.hardwareConcurrency. */
  wasm: { available: boolean; simd: boolean; threads: boolean; cores: number };
}

export interface BackendChoice {
  ep: ExecutionProvider;
  variant: WeightFormat;
  label: string; // for the status line, e.g. "WebGPU (nvidia ampere)" or "CPU (wasm, 2 threads)"
  reason: string;
  /** Threads of the wasm back end (workers/runtime/wasm-threads.ts); 1 on WebGPU. */
  threads: number;
}

export interface LoadOptions {
  ep?: ExecutionProvider; // forces a back end (?ep=webgpu|wasm)
  /** Pretend these back ends are missing (?simulate=no-webgpu,no-wasm), to see and test the fallbacks. */
  simulateMissing?: ExecutionProvider[];
  /** Threads for the wasm back end (?threads=N, and the bench's --threads); default: half the cores, at
   * most 4. Fixed once the worker's runtime has started. */
  wasmThreads?: number;
  /** Keep text encoder outputs per prompt in IndexedDB, so repeated prompts skip the encoder (default
   * true; the benchmarks turn it off to time the encoder every time). */
  promptCache?: boolean;
}

/** Where a pack comes from. Picked files carry their path inside the picked folder. */
export type PackSourceSpec =
  | { kind: 'url'; url: string }
  | { kind: 'files'; files: { path: string; file: File }[] }
  /** A pack in the stored-pack list, by its id (a URL, or `local:…` for one opened from files). */
  | { kind: 'stored'; id: string };

/** What loading a pack will take, known before anything downloads. */
export interface PackPlan {
  id: string;
  name: string;
  title: string;
  weights: PackManifest['weights'];
  backend: BackendChoice;
  /** The files of the chosen weight format, with what this device already has of each. */
  files: { path: string; bytes: number; storedBytes: number }[];
  totalBytes: number;
  storedBytes: number;
  /** Bytes this site may still store (navigator.storage.estimate()); null when the browser does not say. */
  freeBytes: number | null;
}

export interface LoadedPack {
  id: string;
  name: string;
  title: string;
  weights: PackManifest['weights'];
  backend: BackendChoice;
  defaults: PackManifest['defaults'];
  /** The sizes it can make: width and height each a multiple of `multipleOf` from `min` to `max`. */
  resolution: { multipleOf: number; min: number; max: number };
  samplers: SamplerInfo[];
  /** The pack has an edge ControlNet: generate accepts `control`. */
  edgeGuidance: boolean;
  /** The pack has an IP-Adapter on its text-to-image U-Nets: generate accepts `fusion`. */
  imageFusion: boolean;
  /** The pack has an inpainting U-Net and a MoVQ encoder: inpaint, outpainting and infinite zoom work. */
  canInpaint: boolean;
  /** The pack's default upscaler, if it has one: `upscale` enlarges pictures by `factor`, each side a
   * multiple of `input.multipleOf` from `input.min` to `input.max`. */
  upscaler: UpscalerInfo | null;
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
  steps: number; // ignored by samplers with fixed steps (SamplerInfo.fixedSteps: Flash)
  guidance: number; // ignored by samplers without guidance (SamplerInfo.guidance: Flash)
  width: number;
  height: number;
  /** Image-to-image: start from this RGBA image (width × height) at a strength from 0 (return it,
   * within the autoencoder's error) to 1 (ignore it). */
  init?: { image: Uint8ClampedArray; strength: number };
  /** Edge-guided generation (packs with a ControlNet): the layout follows the hint. */
  control?: ControlParams;
  /** Image fusion (packs with an IP-Adapter): the picture takes after these reference pictures. */
  fusion?: FusionParams;
}

/** Reference pictures and how hard they steer (kandinsky3-architecture §9.1). With an empty prompt, the result is a
 * variation of the pictures. */
export interface FusionParams {
  /** 1 to 4 pictures, RGBA at any size (scaled and centre-cropped to the encoder's square), each with
   * its weight (0 … 2) in the weighted sum of their embeddings. */
  images: { pixels: Uint8ClampedArray; width: number; height: number; weight: number }[];
  /** The image branch's weight in every cross-attention: 0 ignores the pictures, 1 as trained, up to 2. */
  scale: number;
}

/** The ControlNet's hint and how hard and when it steers (kandinsky3-architecture §9.2). */
export interface ControlParams {
  /** RGBA, width × height: white edges or scribble strokes on black (an edge map from sobelEdges, or a
   * drawing). */
  hint: Uint8ClampedArray;
  /** Scales the residuals: 0 ignores the hint, 1 as trained, up to 2. */
  strength: number;
  /** The fractions of the steps between which the ControlNet runs: 0 ≤ start < end ≤ 1. */
  start: number;
  end: number;
}

/** Inpainting (and outpainting, on a canvas the UI has enlarged): the masked region is generated. */
export interface InpaintParams extends GenerateParams {
  /** The canvas, RGBA, width × height. */
  image: Uint8ClampedArray;
  /** The rasterised brush mask, width × height: 0 keep … 255 repaint. */
  mask: Uint8Array;
  /** Pixels outside the mask over which the result fades into the original (0 … 64). */
  feather: number;
  /** Where the result may replace the canvas, if narrower than `mask`: outpainting generates a strip
   * of the old image with the new area (the overlap, for a seamless join) but keeps the old pixels. */
  blendMask?: Uint8Array;
}

export interface GeneratedImage {
  width: number;
  height: number;
  pixels: Uint8ClampedArray; // RGBA, transferred from the worker
  seed: number;
  timings: {
    totalMs: number;
    textMs: number;
    denoiseMs: number;
    decodeMs: number;
    /** Every graph call of this image, in order, with its session.run time. */
    runs: GraphRunTiming[];
  };
}

/** One file of a pack download. `stored`: it was already on this device. */
export interface FileDownload {
  path: string;
  bytes: number;
  /** Bytes on hand, counted as they arrive (already stored ones included). */
  doneBytes: number;
  state: 'stored' | 'queued' | 'downloading' | 'done' | 'failed';
}

/** A picture at any size: RGBA, width × height. */
export interface Picture {
  width: number;
  height: number;
  pixels: Uint8ClampedArray;
}

/** A picture enlarged by the pack's upscaler. */
export interface UpscaledPicture extends Picture {
  factor: number;
  /** The upscaler's session.run time. */
  ms: number;
}

export interface PreviewImage {
  width: number;
  height: number;
  pixels: Uint8ClampedArray; // RGBA
}

/** What the engine is doing; `phase` tells the variants apart. */
export type Progress =
  | { phase: 'download'; files: FileDownload[]; doneBytes: number; totalBytes: number }
  | { phase: 'load'; component: string; index: number; count: number }
  | { phase: 'warmup'; component: string }
  /** `part` of `parts`: a streamed text encoder (a full-size pack) loading and running its files one by one. */
  | { phase: 'encode'; part?: number; parts?: number }
  /** `preview`: x̂₀ after this step through the pack's linear latent → RGB map, at latent size. */
  | { phase: 'denoise'; step: number; steps: number; preview?: PreviewImage }
  | { phase: 'decode' }
  | { phase: 'upscale' };

export type ProgressCallback = (progress: Progress) => void;

/** A pack stored in this browser's offline store. */
export interface StoredPack {
  /** The manifest URL, or `local:<name>:<hash>` for a pack opened from files. */
  id: string;
  name: string;
  title: string;
  /** Bytes of this pack's files on disk, partly downloaded ones included (shared files count for each pack). */
  bytesOnDisk: number;
  totalBytes: number;
}

/** One session the engine created: its compile (session create) and warm-up run times, and the size of
 * ORT's wasm heap before and after (null where it cannot be seen). All sessions share the one heap. */
export interface SessionStats {
  component: string;
  file: string;
  fileBytes: number;
  /** int8 weights dequantized once at creation (small graphs; runtime/session-options.ts). */
  weightsFolded: boolean;
  createMs: number;
  warmupMs: number;
  wasmHeapBytesBefore: number | null;
  wasmHeapBytesAfter: number | null;
}

/** What the engine holds now: for the benchmarks, and for anyone asking why a tab uses its memory. */
export interface EngineDiagnostics {
  backend: BackendChoice | null;
  /** ORT's wasm heap. It never shrinks, so this is also its peak since the worker started. */
  wasmHeapBytes: number | null;
  sessions: SessionStats[];
}

export interface EngineApi {
  probe(): Promise<Capabilities>;
  /** Reads and checks a pack's manifest and says what loading it takes; downloads nothing. Refuses
   * packs too large for this device (PackTooLargeError) and invalid manifests (InvalidManifestError). */
  inspect(source: PackSourceSpec, options: LoadOptions): Promise<PackPlan>;
  /** Downloads what is missing (resuming stored chunks), verifies and stores it, and creates the sessions,
   * each as soon as its file is on hand; resolves once both are done. */
  load(source: PackSourceSpec, options: LoadOptions, onProgress: ProgressCallback): Promise<LoadedPack>;
  /** Stops a running download; the load rejects with DownloadCancelledError, and stored chunks stay. */
  cancelLoad(): Promise<void>;
  generate(params: GenerateParams, onProgress: ProgressCallback): Promise<GeneratedImage>;
  /** Repaints the masked region; pixels outside the feathered mask come back unchanged. The inpainting
   * U-Net and MoVQ encoder load on first use. */
  inpaint(params: InpaintParams, onProgress: ProgressCallback): Promise<GeneratedImage>;
  /** Enlarges a picture with the pack's upscaler (loaded on first use): NoUpscalerError without one,
   * UpscaleSizeError for a picture it does not take. Queued with generate and inpaint. */
  upscale(picture: Picture, onProgress: ProgressCallback): Promise<UpscaledPicture>;
  /** Cooperative cancel: the running generate/inpaint stops before its next step and rejects with
   * GenerationCancelledError (its acknowledgement). Resolves false when nothing was running. */
  cancelGeneration(): Promise<boolean>;
  unload(): Promise<void>;
  diagnostics(): Promise<EngineDiagnostics>;
  /** Packs stored in this browser, with their size on disk. */
  listStoredPacks(): Promise<StoredPack[]>;
  /** Frees a stored pack's files (those no other stored pack uses); it downloads again next time. */
  deleteStoredPack(id: string): Promise<void>;
  /** Test hook: the next generate hangs in its first step and ignores cancel, as a wedged GPU would. */
  hangNextGenerationForTesting(): Promise<void>;
  /** Test hook: destroys the WebGPU device, as a driver reset would; false when not on WebGPU. */
  loseDeviceForTesting(): Promise<boolean>;
}
