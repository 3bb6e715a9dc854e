// Test support: a pack's pipeline context on onnxruntime-node, recording every graph call, so the same
// pipeline code the worker runs is tested outside the browser.
import { readFileSync } from 'node:fs';
import * as ort from 'onnxruntime-node';
import { parseManifest, type PackManifest, type WeightFormat } from '../pack/manifest';
import type { PipelineContext } from './generate';
import type { GraphRunner, TensorData } from './graph-runner';
import { PromptTokenizer } from './prompt-tokenizer';

export interface GraphCall {
  component: string;
  dims: Record<string, number[]>;
}

class NodeRunner implements GraphRunner {
  constructor(
    private readonly sessions: Record<string, ort.InferenceSession>,
    private readonly calls: GraphCall[],
  ) {}

  async run(component: string, feeds: Record<string, TensorData>) {
    this.calls.push({ component, dims: Object.fromEntries(Object.entries(feeds).map(([k, v]) => [k, v.dims])) });
    const inputs = Object.fromEntries(
      Object.entries(feeds).map(([k, v]) => [k, new ort.Tensor(v.type, v.data, v.dims)]),
    );
    const out = await this.sessions[component]!.run(inputs);
    return Object.fromEntries(
      Object.entries(out).map(([k, v]) => [
        k,
        { type: 'float32', data: v.data as Float32Array, dims: [...v.dims] } as TensorData,
      ]),
    );
  }
}

/** Every component of the pack in `packDir` (a file URL ending in /), in one weight format. */
export async function nodePipeline(
  packDir: URL,
  variant: WeightFormat,
): Promise<{ ctx: PipelineContext; calls: GraphCall[] }> {
  const manifest: PackManifest = parseManifest(JSON.parse(readFileSync(new URL('manifest.json', packDir), 'utf8')));
  const sessions: Record<string, ort.InferenceSession> = {};
  for (const [id, component] of Object.entries(manifest.components)) {
    sessions[id] = await ort.InferenceSession.create(readFileSync(new URL(component.variants[variant]!.file, packDir)));
  }
  const tokenizer = new PromptTokenizer(
    JSON.parse(readFileSync(new URL(manifest.text.tokenizer, packDir), 'utf8')),
    manifest.text.maxLength,
    manifest.text.padId,
  );
  const calls: GraphCall[] = [];
  return { ctx: { manifest, tokenizer, runner: new NodeRunner(sessions, calls) }, calls };
}
