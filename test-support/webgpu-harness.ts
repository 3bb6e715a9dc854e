// The project's text-to-image pipeline on WebGPU outside a browser: onnxruntime-web's WebGPU back end on
// Dawn in Node, with a pack's own graphs. It prints what it measured as JSON: the adapter, session
// creation, and per run the stage times and every graph call; with --compare, how far its picture is from
// the same pipeline on onnxruntime-node's CPU back end.
//
//   node --liftoff-only --import tsx test-support/webgpu-harness.ts --pack public/models/kandinsky3-tiny-random \
//     [--variant fp32] [--size 64] [--sampler flash] [--steps 4] [--runs 1] [--compare] [--out result.json]
//
// --liftoff-only: V8 otherwise holds the first run until its optimising compiler has finished with
// ORT's 27 MB of wasm (about a minute here). It has to be given to node itself, before ORT loads.
// Without a GPU, run it with `swiftShaderEnvironment()` (test-support/dawn-webgpu.ts) in its environment.
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { pathToFileURL } from 'node:url';
import type { GenerateParams } from '../shared/engine-api';
import type { WeightFormat } from '../workers/pack/manifest';
import { generate } from '../workers/pipeline/generate';
import { uninstallDawnWebGPU } from './dawn-webgpu';
import { meanAbsDiff, nodePipeline } from './node-pipeline';
import { webgpuPipeline, webgpuRuntime } from './webgpu-pipeline';

const { values: args } = parseArgs({
  options: {
    pack: { type: 'string' },
    variant: { type: 'string', default: 'fp32' },
    size: { type: 'string' },
    sampler: { type: 'string', default: 'flash' },
    steps: { type: 'string', default: '4' },
    guidance: { type: 'string', default: '0' },
    prompt: { type: 'string', default: 'red apple, 3d style' },
    seed: { type: 'string', default: '42' },
    runs: { type: 'string', default: '1' },
    compare: { type: 'boolean', default: false },
    out: { type: 'string' },
  },
});
if (!args.pack) throw new Error('--pack <folder> is required');
const packDir = pathToFileURL(args.pack.endsWith('/') ? args.pack : `${args.pack}/`);
const variant = args.variant as WeightFormat;

// The pipeline yields between steps through an unreferenced MessagePort (workers/pipeline/yield-to-messages.ts),
// and Dawn's pending GPU work holds no handle either: without a handle of its own, Node would take the
// wait for an idle loop and exit mid-run.
const keepAlive = setInterval(() => {}, 60_000);
const { ort, adapter } = await webgpuRuntime();
let started = performance.now();
const { ctx } = await webgpuPipeline(packDir, variant, ort);
const sessionsMs = performance.now() - started;
const side = Number(args.size ?? ctx.manifest.defaults.width);
const params: GenerateParams = {
  prompt: args.prompt!,
  negativePrompt: '',
  seed: Number(args.seed),
  sampler: args.sampler as GenerateParams['sampler'],
  steps: Number(args.steps),
  guidance: Number(args.guidance),
  width: side,
  height: side,
};

const runs = [];
let pixels: Uint8ClampedArray | null = null;
for (let i = 0; i < Number(args.runs); i++) {
  started = performance.now();
  const image = await generate(ctx, params, () => {});
  pixels = image.pixels;
  const { runs: calls, ...stages } = image.timings;
  runs.push({ wallMs: performance.now() - started, ...stages, graphCalls: calls });
}

let compare: { meanAbsDiff: number; maxAbsDiff: number; valuesOver8: number; where: number[] } | undefined;
if (args.compare && pixels) {
  const cpu = await nodePipeline(packDir, variant);
  const reference = (await generate(cpu.ctx, params, () => {})).pixels;
  let max = 0;
  const where: number[] = [];
  for (let i = 0; i < reference.length; i++) {
    const d = Math.abs(reference[i]! - pixels[i]!);
    max = Math.max(max, d);
    if (d > 8) where.push(i);
  }
  compare = {
    meanAbsDiff: meanAbsDiff(reference, pixels),
    maxAbsDiff: max,
    valuesOver8: where.length,
    where: where.slice(0, 20),
  };
}

const device = await ort.env.webgpu.device;
const result = {
  adapter: { vendor: adapter.vendor, architecture: adapter.architecture, description: adapter.description },
  webgpuDevice: device !== undefined && device !== null,
  pack: ctx.manifest.name,
  variant,
  params,
  sessionsMs,
  runs,
  ...(compare ? { compare } : {}),
};
const text = JSON.stringify(result, null, 2);
if (args.out) writeFileSync(args.out, text);
else console.log(text);
clearInterval(keepAlive);
uninstallDawnWebGPU();
