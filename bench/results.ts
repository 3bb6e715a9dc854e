// The shape of a benchmark run as written to bench/results/*.json: raw samples, so the report can be
// recomputed and runs on other machines compared.
import type { SessionStats } from '../shared/engine-api';
import type { ImageRun } from './workloads';

export interface Machine {
  cpu: string;
  cores: number;
  memoryGiB: number;
  os: string;
  node: string;
  chromium: string;
  onnxruntimeWeb: string;
  onnxruntimeNode: string;
}

export interface StartRun {
  /** engine.load(): files (downloaded or read from IndexedDB, verified), then sessions compiled. */
  loadMs: number;
  filesMs: number;
  sessionsMs: number;
  firstImageMs: number;
  downloadedBytes: number;
  cachedBytes: number;
}

export interface MemoryStage {
  stage: string;
  backend: string;
  /** Peak resident set of the largest renderer (the page and its engine worker). */
  rendererPeakBytes: number;
  gpuProcessPeakBytes: number;
  /** Sum of every browser process's peak: shared pages count once per process, so this is an upper bound. */
  allProcessesPeakBytes: number;
  /** ORT's wasm heap after the stage (it never shrinks, so also its peak). */
  wasmHeapBytes: number | null;
}

export interface BackendRuns {
  images: Record<string, ImageRun[]>;
  sessions: SessionStats[];
}

export interface BenchResults {
  date: string;
  command: string;
  machine: Machine;
  pack: string;
  variant: string;
  runs: number;
  warmups: number;
  /** Threads of the wasm back end in Chromium (absent in results before the evening of 2026-12-06: 1). */
  wasmThreads?: number;
  wasm: BackendRuns;
  webgpu: (BackendRuns & { adapter: string; isFallbackAdapter: boolean }) | { skipped: string };
  node: { defaultThreads: Record<string, ImageRun[]>; oneThread: Record<string, ImageRun[]> };
  /** warmPrivate: warm starts in a private window, without Chrome's wasm code cache (absent before the evening of 2026-12-06). */
  starts: { cold: StartRun[]; warm: StartRun[]; warmPrivate?: StartRun[] };
  memory: MemoryStage[];
  /** Nodes in each graph file of the pack, by its path in the pack (absent in results before 2026-12-06). */
  graphNodes?: Record<string, number>;
}
