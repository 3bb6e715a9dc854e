// The committed random pack's graphs, in every weight format, run in onnxruntime-web's wasm back end
// (the browser's CPU path, here under Node) and agree with onnxruntime-node; a split component runs
// through all its parts as the worker runs it. Python's tests already
// pin onnxruntime-node to PyTorch, so this closes the chain PyTorch → ORT native → ORT web.
import { readFileSync } from 'node:fs';
import * as ortNode from 'onnxruntime-node';
import * as ortWeb from 'onnxruntime-web';
import { describe, expect, it } from 'vitest';
import { externalWeights } from '../workers/pack/int8-weights';
import {
  variantFiles,
  type ComponentVariant,
  type PackComponent,
  type PackManifest,
  type TensorSpec,
} from '../workers/pack/manifest';
import type { TensorData } from '../workers/pipeline/graph-runner';
import { runComponent } from '../workers/pipeline/part-chain';
import { readPackFile } from '../test-support/node-pipeline';

const packDir = new URL('../public/models/kandinsky3-tiny-random/', import.meta.url);
const manifest: PackManifest = JSON.parse(readFileSync(new URL('manifest.json', packDir), 'utf8'));

// Batch 2 with prompts of different lengths, an oblong latent.
const AXES: Record<string, number> = {
  batch: 2,
  text_length: 7,
  height: 8,
  width: 12,
  latent_height: 8,
  latent_width: 12,
  image_height: 8 * manifest.latent.scaleFactor,
  image_width: 12 * manifest.latent.scaleFactor,
  // ControlNet residuals: each skip is 2^(k+1) smaller than the latent.
  ...Object.fromEntries(
    Object.values(manifest.components)
      .flatMap((c) => c.controlnet?.residuals ?? [])
      .flatMap((r) => [
        [`${r.name}_height`, 8 / r.downscale],
        [`${r.name}_width`, 12 / r.downscale],
      ]),
  ),
};

function feed<T extends typeof ortNode | typeof ortWeb>(ort: T, spec: TensorSpec): InstanceType<T['Tensor']> {
  const dims = spec.shape.map((d) => (typeof d === 'number' ? d : AXES[d]!));
  const size = dims.reduce((a, b) => a * b, 1);
  let seed = spec.name.length * 7919;
  const next = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
  if (spec.dtype === 'int64') {
    const textLength = AXES.text_length!;
    // ids in 3..99; the second prompt has 3 real tokens, then padding (id 0, mask 0)
    const isMask = spec.name.includes('mask');
    const data = BigInt64Array.from({ length: size }, (_, i) => {
      const real = Math.floor(i / textLength) === 0 || i % textLength < 3;
      return BigInt(real ? (isMask ? 1 : 3 + (i % 97)) : 0);
    });
    return new ort.Tensor('int64', data, dims) as InstanceType<T['Tensor']>;
  }
  const scale = spec.name === 'timestep' ? 999 : 2;
  const data = Float32Array.from({ length: size }, () =>
    spec.name === 'timestep' ? Math.round(next() * scale) : (next() - 0.5) * scale,
  );
  return new ort.Tensor('float32', data, dims) as InstanceType<T['Tensor']>;
}

type Tensors = Record<string, TensorData>;

/** Runs a component (every part of a split one, on one table of tensors) in one of the two runtimes. */
async function runIn<T extends typeof ortNode | typeof ortWeb>(
  ort: T,
  options: object,
  variant: ComponentVariant,
  component: PackComponent,
): Promise<Tensors> {
  // The two packages' session types differ only in name; both run and release alike.
  const sessions: ortNode.InferenceSession[] = [];
  const externalData = await externalWeights(variant, async (path) => readPackFile(packDir, path));
  for (const file of variantFiles(variant))
    sessions.push(
      (await ort.InferenceSession.create(readFileSync(new URL(file, packDir)), {
        ...options,
        ...(externalData ? { externalData } : {}),
      })) as ortNode.InferenceSession,
    );
  const feeds = Object.fromEntries(component.inputs.map((s) => [s.name, toData(feed(ort, s))]));
  const out = await runComponent(component, feeds, async (index, partFeeds) => {
    const inputs = Object.fromEntries(
      Object.entries(partFeeds).map(([k, t]) => [k, new ort.Tensor(t.type, t.data, t.dims)]),
    );
    const result = await sessions[index]!.run(inputs as never);
    return Object.fromEntries(Object.entries(result).map(([k, t]) => [k, toData(t)]));
  });
  await Promise.all(sessions.map((s) => s.release()));
  return out;
}

function toData(t: { type: string; data: unknown; dims: readonly number[] }): TensorData {
  return t.type === 'int64'
    ? { type: 'int64', data: t.data as BigInt64Array, dims: [...t.dims] }
    : { type: 'float32', data: t.data as Float32Array, dims: [...t.dims] };
}

describe('committed pack in onnxruntime-web (wasm)', () => {
  ortWeb.env.wasm.numThreads = 1;
  const cases = Object.entries(manifest.components).flatMap(([id, component]) =>
    Object.entries(component.variants).map(([format, variant]) => [id, format, variant, component] as const),
  );

  // Creating a session for a U-Net graph takes seconds in wasm on 2 cores.
  it.each(cases)('%s %s', { timeout: 60_000 }, async (_id, _format, variant, component) => {
    const webOut = await runIn(ortWeb, { executionProviders: ['wasm'] }, variant, component);
    // 'basic' keeps onnxruntime-node from turning DequantizeLinear→MatMul into integer arithmetic,
    // which the web build does not do (see model/export/ort_run.mjs).
    const nativeOut = await runIn(
      ortNode,
      { executionProviders: ['cpu'], graphOptimizationLevel: 'basic' },
      variant,
      component,
    );
    for (const spec of component.outputs) {
      const a = webOut[spec.name]!.data as Float32Array;
      const b = nativeOut[spec.name]!.data as Float32Array;
      expect(webOut[spec.name]!.dims).toEqual(nativeOut[spec.name]!.dims);
      let worst = 0;
      for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i]! - b[i]!));
      expect(worst, `${spec.name} max abs diff`).toBeLessThan(1e-4);
      expect(a.every(Number.isFinite)).toBe(true);
    }
  });
});
