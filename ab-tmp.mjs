import { readFileSync } from 'node:fs';
import * as ort from 'onnxruntime-web/wasm';
ort.env.wasm.numThreads = 1; ort.env.logLevel = 'error';
const opts = { graphOptimizationLevel: 'all', executionProviders: ['wasm'], extra: { session: { disable_quant_qdq: '1' } } };
await ort.InferenceSession.create(readFileSync('/tmp/exp/tiny.onnx'), opts);
const files = process.argv.slice(2); const create = Object.fromEntries(files.map(f => [f, []])); const run = Object.fromEntries(files.map(f => [f, []]));
const feeds = () => ({ timestep: new ort.Tensor('float32', new Float32Array([500]), [1]), context: new ort.Tensor('float32', new Float32Array(1*8*128).fill(0.1), [1, 8, 128]), context_mask: new ort.Tensor('int64', new BigInt64Array(8).fill(1n), [1, 8]), control_0: new ort.Tensor('float32', new Float32Array(32), [1, 32, 1, 1]), control_1: new ort.Tensor('float32', new Float32Array(64), [1, 64, 1, 1]), image_embeds: new ort.Tensor('float32', new Float32Array(128), [1, 128]), image_weight: new ort.Tensor('float32', new Float32Array(1), [1]) });
for (let r = 0; r < 5; r++) for (const f of files) {
  const b = readFileSync(f); let t = performance.now(); const s = await ort.InferenceSession.create(b, opts); create[f].push(performance.now() - t);
  const fd = feeds(); for (const n of s.inputNames) if (!(n in fd)) fd[n] = new ort.Tensor('float32', new Float32Array(4*16*16).fill(0.1), [1, 4, 16, 16]);
  for (const k of Object.keys(fd)) if (!s.inputNames.includes(k)) delete fd[k];
  await s.run(fd); const times = []; for (let i = 0; i < 10; i++) { t = performance.now(); await s.run(fd); times.push(performance.now() - t); }
  times.sort((a, b) => a - b); run[f].push(times[5]); await s.release();
}
const med = (x) => x.sort((a, b) => a - b)[2].toFixed(1);
for (const f of files) console.log(f, 'create', med(create[f]), 'run', med(run[f]));
