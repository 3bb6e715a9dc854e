// Time one 64×64 image through a pack's ONNX graphs in onnxruntime-node, for the evaluation table:
// text encoder once, `calls` U-Net runs at `batch` (2 = a guided step), MoVQ decoder once.
// Median of 3 after a warm-up; 1 thread and basic optimisation, the browser wasm runtime's settings.
//
// Usage: npx tsx model/nano/time_pack.ts <pack dir> <unet kind> <format> <calls> <batch>
// Prints {"ms_per_image", "text_ms", "unet_ms", "decoder_ms"} (medians) on the last line.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { externalWeights } from '../../workers/pack/int8-weights';
import type { PackManifest, WeightFormat } from '../../workers/pack/manifest';

const [packDir, kind, format, callsArg, batchArg] = process.argv.slice(2) as [
  string,
  string,
  WeightFormat,
  string,
  string,
];
const calls = Number(callsArg);
const batch = Number(batchArg);
const manifest = JSON.parse(readFileSync(join(packDir, 'manifest.json'), 'utf8')) as PackManifest;
const options = {
  executionProviders: ['cpu'],
  graphOptimizationLevel: 'basic',
  intraOpNumThreads: 1,
} satisfies ort.InferenceSession.SessionOptions;

async function session(component: string, fmt: WeightFormat) {
  const variants = manifest.components[component]!.variants;
  const variant = (variants[fmt] ?? variants.fp32)!;
  const externalData = await externalWeights(variant, async (path) => {
    const bytes = readFileSync(join(packDir, path));
    return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  });
  return ort.InferenceSession.create(join(packDir, variant.file!), {
    ...options,
    ...(externalData ? { externalData } : {}),
  });
}

const text = await session('text_encoder', format);
const unet = await session(`unet_${kind}`, format);
const decoder = await session('movq_decoder', format);
const width = manifest.defaults.width / manifest.latent.scaleFactor;
const tokens = 8;
const contextDim = (manifest.architecture.config.unet as { cross_attention_dim: number }).cross_attention_dim;

const ids = new ort.Tensor(
  'int64',
  BigInt64Array.from({ length: batch * tokens }, (_, i) => BigInt(3 + (i % 7))),
  [batch, tokens],
);
const mask = new ort.Tensor('int64', new BigInt64Array(batch * tokens).fill(1n), [batch, tokens]);
const sample = new ort.Tensor(
  'float32',
  Float32Array.from({ length: batch * 4 * width * width }, () => Math.random()),
  [batch, 4, width, width],
);
const context = new ort.Tensor('float32', new Float32Array(batch * tokens * contextDim).fill(0.1), [
  batch,
  tokens,
  contextDim,
]);
// A U-Net a ControlNet drives takes its residuals too: zeros, as the app feeds without a hint.
const controlnet = Object.values(manifest.components).find((c) => c.controlnet?.controls.includes(`unet_${kind}`));
const residuals = Object.fromEntries(
  (controlnet?.controlnet?.residuals ?? []).map((r) => {
    const dims = [batch, r.channels, width / r.downscale, width / r.downscale];
    return [r.name, new ort.Tensor('float32', new Float32Array(dims.reduce((a, b) => a * b)), dims)];
  }),
);
// A U-Net with an IP-Adapter always takes image_embeds and image_weight: zeros, as the app feeds without a picture.
const embedWidth = manifest.components[`unet_${kind}`]!.inputs.find((i) => i.name === 'image_embeds')?.shape[1] as
  number | undefined;
const imageInputs: Record<string, ort.Tensor> = embedWidth
  ? {
      image_embeds: new ort.Tensor('float32', new Float32Array(batch * embedWidth), [batch, embedWidth]),
      image_weight: new ort.Tensor('float32', new Float32Array(batch), [batch]),
    }
  : {};
const latent = new ort.Tensor(
  'float32',
  Float32Array.from({ length: 4 * width * width }, () => Math.random()),
  [1, 4, width, width],
);

async function once() {
  const t0 = performance.now();
  await text.run({ input_ids: ids, attention_mask: mask });
  const t1 = performance.now();
  for (let i = 0; i < calls; i++) {
    await unet.run({
      sample,
      timestep: new ort.Tensor('float32', new Float32Array(batch).fill(500), [batch]),
      context,
      context_mask: mask,
      ...residuals,
      ...imageInputs,
    });
  }
  const t2 = performance.now();
  await decoder.run({ latent });
  const t3 = performance.now();
  return { total: t3 - t0, text: t1 - t0, unet: t2 - t1, decoder: t3 - t2 };
}

await once();
const runs = [await once(), await once(), await once()];
const median = (key: keyof (typeof runs)[number]) => runs.map((r) => r[key]).sort((a, b) => a - b)[1];
console.log(
  JSON.stringify({
    ms_per_image: median('total'),
    text_ms: median('text'),
    unet_ms: median('unet'),
    decoder_ms: median('decoder'),
  }),
);
