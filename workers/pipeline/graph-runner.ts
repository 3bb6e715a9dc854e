// What the pipeline needs from a runtime: run a pack component on named tensors. The worker backs
// it with onnxruntime-web sessions, the tests with onnxruntime-node, so the same pipeline code runs
// in both.
import type { GraphRunTiming } from '../../shared/engine-api';
export type TensorData =
  { type: 'float32'; data: Float32Array; dims: number[] } | { type: 'int64'; data: BigInt64Array; dims: number[] };

export interface GraphRunner {
  run(component: string, feeds: Record<string, TensorData>): Promise<Record<string, TensorData>>;
  /** Every call since the pipeline last took them: each image reports its own, so the time spent
   * outside the graphs (the pipeline's overhead) can be measured. */
  readonly runTimings: GraphRunTiming[];
}

export function float32(data: Float32Array, dims: number[]): TensorData {
  return { type: 'float32', data, dims };
}

export function int64(data: BigInt64Array, dims: number[]): TensorData {
  return { type: 'int64', data, dims };
}

export function asFloat32(tensor: TensorData | undefined, what: string): Float32Array {
  if (!tensor || tensor.type !== 'float32') throw new Error(`expected a float32 tensor for ${what}`);
  return tensor.data;
}
