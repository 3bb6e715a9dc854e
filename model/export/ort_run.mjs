// Runs ONNX graphs with onnxruntime-node, the native sibling of the runtime the browser uses, so the
// Python side (export checks and pytest) measures the graphs exactly as ORT executes them.
//
// Usage: node model/export/ort_run.mjs job.json
// job.json: { "runs": [ { "models": [path, ..], "inputs": { name: { "dtype": "float32"|"int64", "dims": [..], "file": path } },
//             "outputs": { name: path } } ], "stream": bool }
// Several models are a split graph's parts (model/export/graph_parts.py): each is fed what it names
// from one table of tensors, which its outputs then join. With "stream", each session is released
// after its run, so a full-size check holds one part at a time.
// Each output is written as raw little-endian float32, with "<path>.json" holding its dims.
// Several runs share one process because starting Node dominates the cost of a tiny graph.
import { readFileSync, writeFileSync } from 'node:fs';
import ort from 'onnxruntime-node';

const ARRAYS = { float32: Float32Array, int64: BigInt64Array, int32: Int32Array };

// Basic optimisation only: at 'extended' and above, onnxruntime-node rewrites DequantizeLinear→MatMul into
// integer matmuls with dynamically quantised activations, which onnxruntime-web does not do. The
// int8w error then measured 0.045 against 1e-6 for the browser's arithmetic; we measure the browser's.
const SESSION_OPTIONS = { executionProviders: ['cpu'], graphOptimizationLevel: 'basic' };

const job = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const sessions = new Map();
async function session(model) {
  if (!sessions.has(model)) sessions.set(model, await ort.InferenceSession.create(model, SESSION_OPTIONS));
  return sessions.get(model);
}
for (const run of job.runs) {
  const table = {};
  for (const [name, spec] of Object.entries(run.inputs)) {
    const bytes = readFileSync(spec.file);
    const TypedArray = ARRAYS[spec.dtype];
    if (!TypedArray) throw new Error(`unsupported input dtype ${spec.dtype}`);
    const data = new TypedArray(bytes.buffer, bytes.byteOffset, bytes.byteLength / TypedArray.BYTES_PER_ELEMENT);
    table[name] = new ort.Tensor(spec.dtype, data, spec.dims);
  }
  for (const model of run.models) {
    const part = await session(model);
    const feeds = Object.fromEntries(part.inputNames.map((name) => [name, table[name]]));
    Object.assign(table, await part.run(feeds));
    if (job.stream) {
      await part.release();
      sessions.delete(model);
    }
  }
  for (const [name, path] of Object.entries(run.outputs)) {
    const tensor = table[name];
    if (!tensor) throw new Error(`graph ${run.models.join(' → ')} has no output ${name}`);
    writeFileSync(path, Buffer.from(tensor.data.buffer, tensor.data.byteOffset, tensor.data.byteLength));
    writeFileSync(`${path}.json`, JSON.stringify({ dims: tensor.dims, type: tensor.type }));
  }
}
