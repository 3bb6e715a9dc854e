// The pack manifest's types: the contract between the Python export (model/pack-manifest.schema.json
// validates the same shape), the engine that loads packs, and the UI that shows what a pack offers.

export const PACK_SCHEMA_VERSION = 1;

export type Dim = number | string;
export interface TensorSpec {
  name: string;
  dtype: 'float32' | 'int64';
  shape: Dim[];
}
export type MemoryStage = 'text' | 'denoise' | 'decode' | 'encode';
/** The stages that can run in windows. */
export type CodingStage = 'decode' | 'encode';

export type WeightFormat = 'fp32' | 'fp16w' | 'int8w' | 'int4w' | 'fp16';
export interface ComponentVariant {
  /** The graph, or for a split component (`parts`) one file per part, in order. */
  file?: string;
  parts?: string[];
  /** A one-file variant's int8 weights, kept beside its graph: the worker widens them to fp32 and
   * hands them to ORT as the graph's external data under `location` (workers/pack/int8-weights.ts). */
  weights?: { file: string; location: string };
  storage: 'float32' | 'float16' | 'int8' | 'int4';
  /** float16 variants need WebGPU shader-f16; the others run anywhere. */
  compute: 'float32' | 'float16';
  maxAbsErrorVsFp32?: number;
}
export type ComponentRole =
  'text-encoder' | 'unet' | 'controlnet' | 'image-encoder' | 'movq-encoder' | 'movq-decoder' | 'upscaler';
/** `inpainting_flash` is the inpainting U-Net distilled to the Flash steps, as `flash` is from `base`. */
export type UNetKind = 'base' | 'flash' | 'inpainting' | 'inpainting_flash';
export interface UNetInfo {
  kind: UNetKind;
  inChannels: number;
  outChannels: number;
  predictionType: 'epsilon' | 'v_prediction' | 'sample';
  context: { component: string; output: string };
  flashTimesteps?: number[];
  /** IP-Adapter layers (kandinsky3-architecture §9.1): the U-Net also takes `image_embeds` (this image-encoder output,
   * or a weighted sum of several) and `image_weight` (0 leaves it exactly as without). */
  imageAdapter?: { component: string; output: string; tokens: number };
}
/** The IP-Adapter's image encoder: pictures scaled to side × side, RGB in [0, 1], then (x − mean) / std
 * per channel (CLIP's normalisation for the 3.1 encoder); the unconditional row is the embedding of an
 * all-zero encoder input. */
export interface ImageEncoderInfo {
  side: number;
  mean: [number, number, number];
  std: [number, number, number];
  unconditional: 'zero-image';
}
/** An edge ControlNet (kandinsky3-architecture §9.2): it writes one residual per skip connection, which each U-Net
 * in `controls` takes as an input of the same name. */
export interface ControlNetInfoEntry {
  hint: 'sobel-edges';
  hintRange: [number, number];
  controls: string[];
  context: { component: string; output: string };
  residuals: { name: string; channels: number; downscale: number }[];
}
/** A super-resolution graph in the role of Kandinsky 3.1's KandiSuperRes: a picture (batch, 3, h, w),
 * RGB in [−1, 1], becomes (batch, 3, factor·h, factor·w). `input`: the sides it takes; `output`: the
 * sides it makes (factor × input). */
export interface UpscalerInfo {
  factor: number;
  input: { min: number; max: number; multipleOf: number };
  output: { min: number; max: number };
}
/** One graph of a split component: it reads tensors by name from the component's inputs and from
 * earlier parts' outputs (model/export/graph_parts.py). */
export interface ComponentPart {
  inputs: TensorSpec[];
  outputs: TensorSpec[];
}
export interface PackComponent {
  role: ComponentRole;
  /** Present when the component is too large for one ONNX file. */
  parts?: ComponentPart[];
  /** streamed: each part is loaded for its run and released (a text encoder, once per new prompt). */
  residency?: 'resident' | 'streamed';
  // Any non-empty subset of formats: a small shipped pack may carry int8w alone (schema minProperties 1).
  variants: Partial<Record<WeightFormat, ComponentVariant>>;
  inputs: TensorSpec[];
  outputs: TensorSpec[];
  unet?: UNetInfo;
  controlnet?: ControlNetInfoEntry;
  imageEncoder?: ImageEncoderInfo;
  upscaler?: UpscalerInfo;
}
export interface PackFile {
  path: string;
  bytes: number;
  sha256: string;
  /** The file in pieces of `bytes` (the last may be shorter), each with its SHA-256: the unit that is
   * downloaded, resumed, verified (SubtleCrypto has no incremental hash) and stored. */
  chunks: { bytes: number; sha256: string[] };
}

export type TextPadding = 'zero-after-projection' | 'zero-before-projection';

export interface PackManifest {
  schemaVersion: 1;
  name: string;
  title: string;
  description?: string;
  weights: 'random' | 'trained' | 'converted';
  randomSeed?: number;
  weightsDigest?: string;
  architecture: { family: 'kandinsky3'; config: Record<string, unknown> };
  components: Record<string, PackComponent>;
  files: PackFile[];
  latent: {
    channels: number;
    scaleFactor: number;
    scale: number;
    shift: number;
    clipRange?: number;
    /** Linear latent → RGB map for step previews (weights 3 × channels, bias 3), fitted at export. */
    preview?: { weights: number[][]; bias: number[] };
  };
  schedule: { type: 'cosine' | 'linear'; numTrainTimesteps: number; betaStart?: number; betaEnd?: number };
  defaults: {
    unet: string;
    /** The upscaler applied to results unless the user turns it off. */
    upscaler?: string;
    sampler: 'flash' | 'ddpm' | 'ancestral';
    steps: number;
    guidance: number;
    variant?: WeightFormat;
    width: number;
    height: number;
  };
  resolution?: { multipleOf: number; min: number; max: number };
  /** Activation memory per stage at given sizes (model/export/memory_plan.py); weights come on top. */
  memoryPlan?: {
    method: string;
    sizes: {
      width: number;
      height: number;
      activationBytes: Record<MemoryStage, number>;
      largestTensorBytes: number;
      /** Absent in packs exported before tiling: then largestTensorBytes stands for every stage. */
      stageLargestTensorBytes?: Record<MemoryStage, number>;
    }[];
    /** One window of the tiled MoVQ decoder and encoder (workers/pipeline/tiled-movq.ts), in latent cells. */
    tiles?: {
      latentWindow: number;
      latentOverlap: number;
      activationBytes: Record<CodingStage, number>;
      largestTensorBytes: Record<CodingStage, number>;
    };
  };
  text: {
    tokenizer: string;
    maxLength: number;
    padId: number;
    unconditional: 'empty-prompt' | 'zero-context' | 'null-embedding';
    /** Where the text encoder graph zeroes padded prompt rows: in the U-Net's context space (the original),
     * or in T5's output before the projection, so those rows hold the projection of zero (diffusers).
     * Packs exported before it existed zeroed after the projection (`textPadding`). */
    padding?: TextPadding;
    nullEmbedding?: string;
  };
  license: string;
  credits: { name: string; license: string; url?: string; note?: string }[];
}
