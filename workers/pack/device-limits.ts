// What this browser can hold, checked against a pack before anything downloads:
// - one ONNX graph file is one protobuf, which cannot exceed 2 GiB;
// - every session of a page shares one wasm32 heap of at most 4 GiB, and on the wasm back end the
//   weights of all components loaded at once live in it (plus room for activations);
// - the device's memory (navigator.deviceMemory, in GB, rounded down and capped at 8) bounds what can
//   be held at all.
// - with a memory plan (manifest memoryPlan), the weights plus the largest stage's activations at the
//   pack's default size must fit the same ceilings, and on WebGPU its largest tensor one GPU buffer.
import type { BackendChoice } from '../../shared/engine-api';
import type { MemoryStage, PackFile, PackManifest } from './manifest';

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

/** Problems running a pack at one size: weights of the components loaded together plus the most
 * demanding stage's activations, against the same ceilings as the weights alone. */
export function memoryPlanProblems(
  manifest: PackManifest,
  eager: PackFile[],
  limits: DeviceLimits,
  width: number,
  height: number,
): string[] {
  if (!manifest.memoryPlan) return [];
  const size = plannedSize(manifest.memoryPlan, width, height);
  const [stage, activations] = (Object.entries(size.activationBytes) as [MemoryStage, number][]).reduce((a, b) =>
    b[1] > a[1] ? b : a,
  );
  const weights = eager.reduce((sum, f) => sum + f.bytes, 0);
  const total = weights + activations;
  const at = `at ${size.width}×${size.height}`;
  const needs = `${gigabytes(weights)} of weights and ${gigabytes(activations)} for the ${stage} stage ${at}`;
  const problems: string[] = [];
  if (limits.backend.ep === 'wasm' && total > WASM_HEAP_BYTES) {
    problems.push(`it needs ${needs}, more than the ${gigabytes(WASM_HEAP_BYTES)} the CPU (wasm) back end can address`);
  }
  if (limits.deviceMemoryBytes !== null && limits.deviceMemoryBytes < 8e9 && total > limits.deviceMemoryBytes) {
    problems.push(`it needs ${needs}, but this device has about ${gigabytes(limits.deviceMemoryBytes)} of memory`);
  }
  if (limits.maxBufferBytes && size.largestTensorBytes > limits.maxBufferBytes) {
    problems.push(
      `its largest tensor ${at} takes ${gigabytes(size.largestTensorBytes)}, more than the ` +
        `${gigabytes(limits.maxBufferBytes)} this GPU allows in one buffer; choose a smaller size`,
    );
  }
  return problems;
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
