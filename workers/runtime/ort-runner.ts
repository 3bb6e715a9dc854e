// onnxruntime-web sessions for a pack: one per component (or per part of a split one), created on first
// use, warmed up once so the first real step does not pay for kernel compilation, and released together.
// A streamed component (a full-size text encoder) is the exception: each of its parts is created for
// its run and released straight after, so only one part's weights are held at a time.
import type { InferenceSession, Tensor } from 'onnxruntime-web';
import type { BackendChoice, ProgressCallback, SessionStats } from '../../shared/engine-api';
import { GraphLoadError } from '../../shared/errors';
import { externalWeights } from '../pack/int8-weights';
import {
  variantFiles,
  type ComponentVariant,
  type PackManifest,
  type PackComponent,
  type TensorSpec,
} from '../pack/manifest';
import type { GraphRunTiming } from '../../shared/engine-api';
import type { GraphRunner, TensorData } from '../pipeline/graph-runner';
import { runComponent, type Tensors } from '../pipeline/part-chain';
import { ortFor, type Ort } from './ort-module';
import { foldsWeights, sessionOptions } from './session-options';
import { wasmHeapBytes } from './wasm-heap';

/** A graph file of the pack by path, verified: chunk Blobs joined (mostly on disk, from IndexedDB). */
export type GraphFile = (path: string) => Promise<Blob>;

export class OrtRunner implements GraphRunner {
  /** Resident components: their sessions (one per part), created and warmed up together. */
  private readonly sessions = new Map<string, Promise<InferenceSession[]>>();
  readonly runTimings: GraphRunTiming[] = [];
  /** One entry per session created, in order: what each took to compile and warm up, and the heap after. */
  readonly sessionStats: SessionStats[] = [];
  private lostReason: string | null = null;
  private released = false;
  private watchedDevice: GPUDevice | null = null;
  private lostListeners: ((reason: string) => void)[] = [];
  /** Told before each part of a streamed component is loaded: the engine turns it into progress. */
  onStreamedPart: ((componentId: string, index: number, count: number) => void) | null = null;

  constructor(
    private readonly manifest: PackManifest,
    private readonly backend: BackendChoice,
    private readonly fileFor: GraphFile,
  ) {}

  /** The onnxruntime-web build for this runner's back end. */
  private ort(): Promise<Ort> {
    return ortFor(this.backend.ep, this.backend.threads);
  }

  get deviceLost(): string | null {
    return this.lostReason;
  }

  onDeviceLost(listener: (reason: string) => void): void {
    this.lostListeners.push(listener);
  }

  /** Whether a component is ready to run (or being made ready); streamed ones always are. */
  has(componentId: string): boolean {
    return this.isStreamed(componentId) || this.sessions.has(componentId);
  }

  /** Creates (once) and warms up the sessions of a resident component; a streamed one loads as it runs. */
  async load(componentId: string, onProgress?: ProgressCallback): Promise<void> {
    if (this.isStreamed(componentId)) return;
    await this.residentSessions(componentId, onProgress);
  }

  private isStreamed(componentId: string): boolean {
    return this.component(componentId).residency === 'streamed';
  }

  private component(componentId: string): PackComponent {
    const component = this.manifest.components[componentId];
    if (!component) throw new Error(`the pack has no component ${componentId}`);
    return component;
  }

  private variant(componentId: string): ComponentVariant {
    const variant = this.component(componentId).variants[this.backend.variant];
    if (!variant) throw new Error(`${componentId} has no ${this.backend.variant} weights`); // chooseBackend prevents this
    return variant;
  }

  private files(componentId: string): string[] {
    return variantFiles(this.variant(componentId));
  }

  private residentSessions(componentId: string, onProgress?: ProgressCallback): Promise<InferenceSession[]> {
    let pending = this.sessions.get(componentId);
    if (!pending) {
      pending = this.createResident(componentId, onProgress);
      this.sessions.set(componentId, pending);
      pending.catch(() => this.sessions.delete(componentId));
    }
    return pending;
  }

  private async createResident(componentId: string, onProgress?: ProgressCallback): Promise<InferenceSession[]> {
    const component = this.component(componentId);
    const created: { session: InferenceSession; stats: SessionStats }[] = [];
    try {
      for (const path of this.files(componentId)) created.push(await this.createSession(componentId, path));
    } catch (e) {
      await Promise.allSettled(created.map(({ session }) => session.release()));
      throw e;
    }
    const sessions = created.map(({ session }) => session);
    onProgress?.({ phase: 'warmup', component: componentId });
    // The smallest inputs the component accepts, through every part: each compiles its kernels.
    const ort = await this.ort();
    const warmupStarted = performance.now();
    await runComponent(component, warmupFeeds(this.manifest, component.inputs), async (index, feeds) =>
      readOutputs(await sessions[index]!.run(toOrt(ort, feeds))),
    );
    const warmupMs = performance.now() - warmupStarted;
    for (const { stats } of created) {
      this.sessionStats.push({ ...stats, warmupMs: warmupMs / created.length, wasmHeapBytesAfter: wasmHeapBytes() });
    }
    return sessions;
  }

  private async createSession(
    componentId: string,
    path: string,
  ): Promise<{ session: InferenceSession; stats: SessionStats }> {
    const blob = await this.fileFor(path);
    const variant = this.variant(componentId);
    const weights = variant.weights ? await this.fileFor(variant.weights.file) : null;
    const heapBefore = wasmHeapBytes();
    const started = performance.now();
    let externalData: Awaited<ReturnType<typeof externalWeights>>;
    try {
      // Timed with the session: widening stands in for the DequantizeLinear folding that creation did.
      externalData = await externalWeights(variant, async () => weights!.arrayBuffer());
    } catch (e) {
      throw new GraphLoadError(variant.weights!.file, this.backend.label, (e as Error).message ?? String(e));
    }
    // ORT reads a URL itself, streaming files over 1 GB into one buffer; handing it the Blob's URL means
    // this worker never joins the chunks into a second whole-file copy.
    const url = URL.createObjectURL(blob);
    let session: InferenceSession;
    try {
      const ort = await this.ort();
      session = await ort.InferenceSession.create(url, {
        ...sessionOptions(blob.size),
        ...(externalData ? { externalData } : {}),
        executionProviders: [this.backend.ep],
      });
    } catch (e) {
      throw new GraphLoadError(path, this.backend.label, (e as Error).message ?? String(e));
    } finally {
      URL.revokeObjectURL(url);
    }
    if (this.backend.ep === 'webgpu') await this.watchDevice();
    const stats: SessionStats = {
      component: componentId,
      file: path,
      fileBytes: blob.size + (weights?.size ?? 0),
      // Widened weights are held in fp32, as folded ones are.
      weightsFolded: weights !== null || foldsWeights(blob.size),
      createMs: performance.now() - started,
      warmupMs: 0,
      wasmHeapBytesBefore: heapBefore,
      wasmHeapBytesAfter: wasmHeapBytes(),
    };
    return { session, stats };
  }

  private async watchDevice(): Promise<void> {
    const device = await (await this.ort()).env.webgpu.device;
    // ORT shares one GPUDevice between all sessions: each runner listens to it once.
    if (!device || this.watchedDevice === device) return;
    this.watchedDevice = device;
    void device.lost.then((info) => {
      if (this.released) return; // our own teardown, not a loss
      this.lostReason = info.message || info.reason || 'unknown reason';
      for (const listener of this.lostListeners) listener(this.lostReason);
    });
  }

  async run(componentId: string, feeds: Record<string, TensorData>): Promise<Record<string, TensorData>> {
    const component = this.component(componentId);
    let ms = 0;
    const timed = async (session: InferenceSession, partFeeds: Tensors) => {
      const started = performance.now();
      const outputs = await session.run(toOrt(await this.ort(), partFeeds));
      ms += performance.now() - started;
      return readOutputs(outputs);
    };
    let result: Tensors;
    if (component.residency === 'streamed') {
      const files = this.files(componentId);
      result = await runComponent(component, feeds, async (index, partFeeds) => {
        this.onStreamedPart?.(componentId, index, files.length);
        const { session, stats } = await this.createSession(componentId, files[index]!);
        this.sessionStats.push(stats);
        try {
          return await timed(session, partFeeds);
        } finally {
          await session.release(); // before the next part is read in: one part's weights at a time
        }
      });
    } else {
      const sessions = await this.residentSessions(componentId);
      result = await runComponent(component, feeds, (index, partFeeds) => timed(sessions[index]!, partFeeds));
    }
    this.runTimings.push({ component: componentId, ms });
    return result;
  }

  async destroyDeviceForTesting(): Promise<boolean> {
    if (this.backend.ep !== 'webgpu') return false;
    const device = await (await this.ort()).env.webgpu.device;
    device.destroy();
    return true;
  }

  async release(): Promise<void> {
    this.released = true;
    const pending = [...this.sessions.values()];
    this.sessions.clear();
    await Promise.allSettled(
      pending.map(async (sessions) => Promise.allSettled((await sessions).map((s) => s.release()))),
    );
  }
}

/** ORT tensors from the build that made the sessions (each build carries its own Tensor class). */
function toOrt(ort: Ort, feeds: Tensors): Record<string, Tensor> {
  const inputs: Record<string, Tensor> = {};
  for (const [name, t] of Object.entries(feeds)) inputs[name] = new ort.Tensor(t.type, t.data, t.dims);
  return inputs;
}

async function readOutputs(outputs: InferenceSession.OnnxValueMapType): Promise<Tensors> {
  const result: Tensors = {};
  for (const [name, t] of Object.entries(outputs)) {
    result[name] = { type: 'float32', data: (await t.getData()) as Float32Array, dims: [...t.dims] };
    t.dispose();
  }
  return result;
}

/** The smallest inputs a component accepts: one prompt token, the smallest latent. */
function warmupFeeds(manifest: PackManifest, inputs: TensorSpec[]): Tensors {
  const side = (manifest.resolution?.min ?? 64) / manifest.latent.scaleFactor;
  const axes: Record<string, number> = {
    batch: 1,
    text_length: 1,
    height: side,
    width: side,
    latent_height: side,
    latent_width: side,
    image_height: side * manifest.latent.scaleFactor,
    image_width: side * manifest.latent.scaleFactor,
  };
  const feeds: Tensors = {};
  for (const spec of inputs) {
    const dims = spec.shape.map((d) => (typeof d === 'number' ? d : (axes[d] ?? 1)));
    const size = dims.reduce((a, b) => a * b, 1);
    feeds[spec.name] =
      spec.dtype === 'int64'
        ? { type: 'int64', data: new BigInt64Array(size).fill(1n), dims }
        : { type: 'float32', data: new Float32Array(size), dims };
  }
  return feeds;
}
