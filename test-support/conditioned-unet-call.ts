// Test support, run by pytest (model/tests/test_diffusers_conditioning.py): one guided U-Net call of a pack
// on onnxruntime-node, conditioned by the worker's own code (workers/pipeline/text-conditioning.ts), so
// Python can hold it against a reference computed the diffusers way.
//
//   npx tsx test-support/conditioned-unet-call.ts <pack dir> <request.json> <out.json>
//
// request: { prompt, negativePrompt, sample: number[] (1, C, h, w), dims: [1, C, h, w], timestep }
// out: the prompt's token ids, the conditioning rows and mask, and the U-Net's output rows before guidance.
import { readFileSync, writeFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { asFloat32, float32 } from '../workers/pipeline/graph-runner';
import { conditioningTensors, encodeConditioning } from '../workers/pipeline/text-conditioning';
import { nodePipeline } from './node-pipeline';

const [packDir, requestPath, outPath] = process.argv.slice(2);
if (!packDir || !requestPath || !outPath)
  throw new Error('usage: conditioned-unet-call <pack dir> <request.json> <out.json>');
const request = JSON.parse(readFileSync(requestPath, 'utf8')) as {
  prompt: string;
  negativePrompt: string;
  sample: number[];
  dims: [number, number, number, number];
  timestep: number;
};
const { ctx } = await nodePipeline(pathToFileURL(packDir.endsWith('/') ? packDir : `${packDir}/`), 'fp32');
const unetId = ctx.manifest.defaults.unet;
const context = ctx.manifest.components[unetId]!.unet!.context;
const conditioning = await encodeConditioning(ctx.manifest, ctx.tokenizer, ctx.runner, {
  prompt: request.prompt,
  negativePrompt: request.negativePrompt,
  guided: true,
  textComponent: context.component,
  contextOutput: context.output,
});
const rows = conditioning.rows;
const [, c, h, w] = request.dims;
const sample = new Float32Array(rows * c * h * w);
for (let r = 0; r < rows; r++) sample.set(request.sample, r * c * h * w);
const out = await ctx.runner.run(unetId, {
  sample: float32(sample, [rows, c, h, w]),
  timestep: float32(new Float32Array(rows).fill(request.timestep), [rows]),
  ...conditioningTensors(conditioning),
});
writeFileSync(
  outPath,
  JSON.stringify({
    promptIds: ctx.tokenizer.encode(request.prompt),
    negativeIds: ctx.tokenizer.encode(request.negativePrompt),
    length: conditioning.length,
    width: conditioning.width,
    context: Array.from(conditioning.context),
    mask: Array.from(conditioning.mask, Number),
    modelOutput: Array.from(asFloat32(out.model_output, 'model_output')),
  }),
);
