// Session options shared by the browser runtime and the Node pipeline, so both run a graph the same
// way (the benchmarks compare them on equal terms).
import type { InferenceSession } from 'onnxruntime-web';

/** Graphs up to this size have their int8 weights dequantized once, when the session is created. */
export const FOLD_WEIGHTS_MAX_FILE_BYTES = 64 * 2 ** 20;

/** int8w graphs store weights as int8 + DequantizeLinear: a quarter of the download. ORT keeps those
 * nodes (to fuse quantized kernels) and so dequantizes every weight on every run. Letting constant
 * folding turn them into fp32 weights at session creation (`session.disable_quant_qdq`) halved the
 * nano U-Net's wasm step time and its compile time (bench/results, 2026-11-27), for fp32 weights in
 * memory: 4× the file. Large graphs keep int8 weights in memory, where fp32 would not fit. Graphs
 * without DequantizeLinear are unaffected; that includes the small one-file graphs whose int8 weights
 * the export keeps beside them, which the worker widens itself (workers/pack/int8-weights.ts). */
export function sessionOptions(fileBytes: number): InferenceSession.SessionOptions {
  return {
    graphOptimizationLevel: 'all',
    ...(foldsWeights(fileBytes) ? { extra: { session: { disable_quant_qdq: '1' } } } : {}),
  };
}

/** Whether `sessionOptions` folds this graph's weights to fp32 (reported in the session stats). */
export function foldsWeights(fileBytes: number): boolean {
  return fileBytes <= FOLD_WEIGHTS_MAX_FILE_BYTES;
}
