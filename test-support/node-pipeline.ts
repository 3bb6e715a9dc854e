// Test and benchmark support: a pack's pipeline context on onnxruntime-node, recording every graph call, so the same
// pipeline code the worker runs is tested outside the browser.
import { readFileSync } from 'node:fs';
import * as ort from 'onnxruntime-node';
import { parseManifest, variantFiles, type PackManifest, type WeightFormat } from '../workers/pack/manifest';
import type { PipelineContext } from '../workers/pipeline/pipeline-context';
import type { GraphRunTiming } from '../shared/engine-api';
import type { GraphRunner, TensorData } from '../workers/pipeline/graph-runner';
import { runComponent } from '../workers/pipeline/part-chain';
import { PromptTokenizer } from '../workers/pipeline/prompt-tokenizer';
import { externalWeights } from '../workers/pack/int8-weights';
import { sessionOptions } from '../workers/runtime/session-options';

export interface GraphCall {
  component: string;
  dims: Record<string, number[]>;
}

/** onnxruntime-node session options, e.g. `{ intraOpNumThreads: 1 }` to match the browser's one thread. */
export type NodeSessionOptions = ort.InferenceSession.SessionOptions;

/** One ONNX session, in whichever runtime holds it (onnxruntime-node here; onnxruntime-web on WebGPU in
 * test-support/webgpu-pipeline.ts). */
export interface GraphSession {
  run(feeds: Record<string, TensorData>): Promise<Record<string, TensorData>>;
}

/** A session for one graph file, with the browser's options (runtime/session-options.ts) and the
 * widened weights of an int8w graph that keeps them beside it. */
export type SessionFactory = (file: Uint8Array, options: ReturnType<typeof sessionOptions>) => Promise<GraphSession>;

class RecordingRunner implements GraphRunner {
  readonly runTimings: GraphRunTiming[] = [];

  constructor(
    private readonly manifest: PackManifest,
    /** Per component, one session per graph file (several for a split component). */
    private readonly sessions: Record<string, GraphSession[]>,
    private readonly calls: GraphCall[],
  ) {}

  async run(component: string, feeds: Record<string, TensorData>) {
    this.calls.push({ component, dims: Object.fromEntries(Object.entries(feeds).map(([k, v]) => [k, v.dims])) });
    let ms = 0;
    const result = await runComponent(this.manifest.components[component]!, feeds, async (index, partFeeds) => {
      const started = performance.now();
      const out = await this.sessions[component]![index]!.run(partFeeds);
      ms += performance.now() - started;
      return out;
    });
    this.runTimings.push({ component, ms });
    return result;
  }
}

/** The part of an ONNX Runtime module (onnxruntime-node or onnxruntime-web: one API) that runs a session. */
interface OrtModule {
  Tensor: new (type: TensorData['type'], data: TensorData['data'], dims: number[]) => unknown;
}

/** A session of either runtime as a GraphSession: feeds become that runtime's tensors, and outputs
 * (read back to the CPU) come back as float32 data. */
export function graphSession(
  ortModule: OrtModule,
  session: { run(feeds: Record<string, never>): Promise<Record<string, { data: unknown; dims: readonly number[] }>> },
): GraphSession {
  return {
    async run(feeds) {
      const inputs = Object.fromEntries(
        Object.entries(feeds).map(([k, v]) => [k, new ortModule.Tensor(v.type, v.data, v.dims) as never]),
      );
      const out = await session.run(inputs);
      return Object.fromEntries(
        Object.entries(out).map(([k, v]) => [
          k,
          { type: 'float32', data: v.data as Float32Array, dims: [...v.dims] } as TensorData,
        ]),
      );
    },
  };
}

/** onnxruntime-node sessions, with `options` over the browser's. */
export function nodeSessions(options: NodeSessionOptions = {}): SessionFactory {
  return async (file, browserOptions) =>
    graphSession(ort, await ort.InferenceSession.create(file, { ...browserOptions, ...options } as NodeSessionOptions));
}

/** Every component of the pack in `packDir` (a file URL ending in /), in one weight format, on onnxruntime-node. */
export function nodePipeline(
  packDir: URL,
  variant: WeightFormat,
  options: NodeSessionOptions = {},
): Promise<{ ctx: PipelineContext; calls: GraphCall[] }> {
  return packPipeline(packDir, variant, nodeSessions(options));
}

/** Every component of the pack in `packDir`, in one weight format, with sessions from `createSession`. */
export async function packPipeline(
  packDir: URL,
  variant: WeightFormat,
  createSession: SessionFactory,
): Promise<{ ctx: PipelineContext; calls: GraphCall[] }> {
  const manifest: PackManifest = parseManifest(JSON.parse(readFileSync(new URL('manifest.json', packDir), 'utf8')));
  const sessions: Record<string, GraphSession[]> = {};
  for (const [id, component] of Object.entries(manifest.components)) {
    sessions[id] = [];
    const chosen = component.variants[variant]!;
    for (const path of variantFiles(chosen)) {
      const file = readFileSync(new URL(path, packDir));
      const externalData = await externalWeights(chosen, async (f) => readPackFile(packDir, f));
      sessions[id].push(
        await createSession(file, { ...sessionOptions(file.byteLength), ...(externalData ? { externalData } : {}) }),
      );
    }
  }
  const tokenizer = new PromptTokenizer(
    JSON.parse(readFileSync(new URL(manifest.text.tokenizer, packDir), 'utf8')),
    manifest.text.maxLength,
    manifest.text.padId,
  );
  const calls: GraphCall[] = [];
  return { ctx: { manifest, tokenizer, runner: new RecordingRunner(manifest, sessions, calls) }, calls };
}

/** A pack file's bytes in an ArrayBuffer of their own (a Buffer may be a view into a shared pool). */
export function readPackFile(packDir: URL, path: string): ArrayBuffer {
  const bytes = readFileSync(new URL(path, packDir));
  return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
}

/** Mean absolute difference of two RGBA images, per byte: how far apart two generated images are. */
export function meanAbsDiff(a: Uint8ClampedArray, b: Uint8ClampedArray): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += Math.abs(a[i]! - b[i]!);
  return sum / a.length;
}
