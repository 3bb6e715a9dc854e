// What this browser can hold, checked against a pack before anything downloads:
// - one ONNX graph file is one protobuf, which cannot exceed 2 GiB;
// - every session of a page shares one wasm32 heap of at most 4 GiB, and on the wasm back end the
//   weights of all components loaded at once live in it (plus room for activations);
// - the device's memory (navigator.deviceMemory, in GB, rounded down and capped at 8) bounds what can
//   be held at all.
// - with a memory plan (manifest memoryPlan), the weights plus the largest stage's activations at the
//   pack's default size must fit the same ceilings, and on WebGPU its largest tensor one GPU buffer;
//   the plan also says when the MoVQ decoder and encoder should run in tiles.
import type { BackendChoice } from '../../shared/engine-api';
import type { CodingStage, MemoryStage, PackFile, PackManifest } from './manifest';

export const MAX_GRAPH_FILE_BYTES = 2 ** 31 - 1;
export const WASM_HEAP_BYTES = 4 * 2 ** 30;
/** Share of the wasm heap weights may take; the rest is activations and ORT's own arenas. */
const WASM_WEIGHT_SHARE = 0.8;

export interface DeviceLimits {
  backend: BackendChoice;
  /** navigator.deviceMemory in bytes; null when the browser does not say. */
  deviceMemoryBytes: number | null;
  /** The WebGPU adapter's maxBufferSize, on the WebGPU back end. */
  maxBufferBytes?: number | null;
}

const gigabytes = (bytes: number) => `${(bytes / 1e9).toFixed(2)} GB`;

export function readDeviceLimits(backend: BackendChoice, maxBufferBytes: number | null = null): DeviceLimits {
  const memory = (globalThis.navigator as { deviceMemory?: number } | undefined)?.deviceMemory;
  return {
    backend,
    deviceMemoryBytes: typeof memory === 'number' && memory > 0 ? memory * 1e9 : null,
    maxBufferBytes: backend.ep === 'webgpu' ? maxBufferBytes : null,
  };
}

/** The plan's entry for an image size: the smallest planned size at least as large, else the largest. */
export function plannedSize(plan: NonNullable<PackManifest['memoryPlan']>, width: number, height: number) {
  const sorted = [...plan.sizes].sort((a, b) => a.width * a.height - b.width * b.height);
  return sorted.find((s) => s.width >= width && s.height >= height) ?? sorted[sorted.length - 1]!;
}

/** Whether the MoVQ decoder and encoder run in windows at one size. */
export type CodingTiles = Record<CodingStage, boolean>;

export interface SizeFit {
  /** Why the size cannot run here; empty when it can. */
  problems: string[];
  tiled: CodingTiles;
}

/**
 * Whether a pack runs at one size: the weights of the components loaded together plus the most demanding
 * stage's activations, against the same ceilings as the weights alone, with the decoder and encoder in
 * windows (the plan's `tiles`) where the image is larger than one window and either
 * - the whole-image stage breaks a limit that windows keep, or
 * - the whole-image stage would need more than denoising does. WebGPU does not say how much memory a GPU
 *   has; the U-Net's step has to fit anyway, and a decoder that needs more than it (8 GiB against 1.6 GiB
 *   for the full model at 1024²) is what would run a mid-sized GPU out of memory.
 */
export function sizeFit(
  manifest: PackManifest,
  eager: PackFile[],
  limits: DeviceLimits,
  width: number,
  height: number,
): SizeFit {
  const tiled: CodingTiles = { decode: false, encode: false };
  const plan = manifest.memoryPlan;
  if (!plan) return { problems: [], tiled };
  const size = plannedSize(plan, width, height);
  const weights = eager.reduce((sum, f) => sum + f.bytes, 0);
  const activations = { ...size.activationBytes };
  const largest = {
    ...(size.stageLargestTensorBytes ?? {
      text: size.largestTensorBytes,
      denoise: size.largestTensorBytes,
      decode: size.largestTensorBytes,
      encode: size.largestTensorBytes,
    }),
  };
  const f = manifest.latent.scaleFactor;
  const tiles = plan.tiles;
  if (tiles && Math.max(width, height) > tiles.latentWindow * f) {
    for (const stage of ['decode', 'encode'] as const) {
      const whole = stageProblems(limits, weights, activations[stage], largest[stage]).length > 0;
      const windowed = stageProblems(limits, weights, tiles.activationBytes[stage], tiles.largestTensorBytes[stage]);
      if ((whole || activations[stage] > activations.denoise) && windowed.length === 0) {
        tiled[stage] = true;
        // A window is the plan's full one; a narrow image's may be smaller, never larger.
        activations[stage] = Math.min(activations[stage], tiles.activationBytes[stage]);
        largest[stage] = Math.min(largest[stage], tiles.largestTensorBytes[stage]);
      }
    }
  }
  const [stage, peak] = (Object.entries(activations) as [MemoryStage, number][]).reduce((a, b) =>
    b[1] > a[1] ? b : a,
  );
  const tensor = Math.max(...Object.values(largest));
  const at = `at ${size.width}×${size.height}`;
  const inTiles =
    stage !== 'text' && stage !== 'denoise' && tiled[stage] ? ` in ${tiles!.latentWindow * f} px tiles` : '';
  const needs = `${gigabytes(weights)} of weights and ${gigabytes(peak)} for the ${stage} stage${inTiles} ${at}`;
  const problems = stageProblems(limits, weights, peak, tensor).map((p) =>
    p === 'buffer'
      ? `its largest tensor ${at} takes ${gigabytes(tensor)}, more than the ` +
        `${gigabytes(limits.maxBufferBytes!)} this GPU allows in one buffer; choose a smaller size`
      : p === 'heap'
        ? `it needs ${needs}, more than the ${gigabytes(WASM_HEAP_BYTES)} the CPU (wasm) back end can address`
        : `it needs ${needs}, but this device has about ${gigabytes(limits.deviceMemoryBytes!)} of memory`,
  );
  return { problems, tiled };
}

/** Which ceilings a stage breaks with these weights held: the wasm heap, the device's memory, one GPU buffer. */
function stageProblems(limits: DeviceLimits, weights: number, activations: number, largestTensor: number) {
  const total = weights + activations;
  const broken: ('heap' | 'memory' | 'buffer')[] = [];
  if (limits.backend.ep === 'wasm' && total > WASM_HEAP_BYTES) broken.push('heap');
  if (limits.deviceMemoryBytes !== null && limits.deviceMemoryBytes < 8e9 && total > limits.deviceMemoryBytes) {
    broken.push('memory');
  }
  if (limits.maxBufferBytes && largestTensor > limits.maxBufferBytes) broken.push('buffer');
  return broken;
}

/**
 * Problems that stop a pack from running here, each naming the file or figure at fault.
 * `graphs`: the ONNX files of the chosen weight format; `eager`: those loaded together at start.
 */
export function limitProblems(graphs: PackFile[], eager: PackFile[], limits: DeviceLimits): string[] {
  const problems: string[] = [];
  for (const file of graphs) {
    if (file.bytes > MAX_GRAPH_FILE_BYTES) {
      problems.push(`${file.path} is ${gigabytes(file.bytes)}, over the 2.15 GB a browser can load as one ONNX graph`);
    }
  }
  const together = eager.reduce((sum, f) => sum + f.bytes, 0);
  if (limits.backend.ep === 'wasm' && together > WASM_HEAP_BYTES * WASM_WEIGHT_SHARE) {
    problems.push(
      `the components loaded together (${eager.map((f) => f.path).join(', ')}) take ${gigabytes(together)}, more than ` +
        `the ${gigabytes(WASM_HEAP_BYTES * WASM_WEIGHT_SHARE)} of weights the CPU (wasm) back end can hold`,
    );
  }
  // deviceMemory is capped at 8 (GB): only a smaller figure is a real ceiling.
  if (limits.deviceMemoryBytes !== null && limits.deviceMemoryBytes < 8e9 && together > limits.deviceMemoryBytes) {
    problems.push(
      `the components loaded together take ${gigabytes(together)}, but this device has about ` +
        `${gigabytes(limits.deviceMemoryBytes)} of memory`,
    );
  }
  return problems;
}
