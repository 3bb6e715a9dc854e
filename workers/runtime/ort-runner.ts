// onnxruntime-web sessions for a pack: one per component, created on first use, warmed up once so the
// first real step does not pay for kernel compilation, and released together.
import * as ort from 'onnxruntime-web/webgpu';
import type { BackendChoice, ProgressCallback, SessionStats } from '../engine-api';
import { GraphLoadError } from '../errors';
import type { PackManifest, PackComponent } from '../pack/manifest';
import type { GraphRunner, GraphRunTiming, TensorData } from '../pipeline/graph-runner';
import { foldsWeights, sessionOptions } from './session-options';
import { wasmHeapBytes } from './wasm-heap';

// Two cores gain nothing from wasm threads (browser-runtime §1d), and a single thread keeps ORT
// from re-running this worker's module as a pthread.
ort.env.wasm.numThreads = 1;
ort.env.logLevel = 'warning';

/** A component's graph file, verified: chunk Blobs joined (mostly on disk, from IndexedDB). */
export type ComponentFile = (componentId: string) => Promise<Blob>;

export class OrtRunner implements GraphRunner {
  private readonly sessions = new Map<string, Promise<ort.InferenceSession>>();
  readonly runTimings: GraphRunTiming[] = [];
  /** One entry per session created, in order: what each took to compile and warm up, and the heap after. */
  readonly sessionStats: SessionStats[] = [];
  private lostReason: string | null = null;
  private released = false;
  private watchedDevice: GPUDevice | null = null;
  private lostListeners: ((reason: string) => void)[] = [];

  constructor(
    private readonly manifest: PackManifest,
    private readonly backend: BackendChoice,
    private readonly fileFor: ComponentFile,
  ) {}

  get deviceLost(): string | null {
    return this.lostReason;
  }

  onDeviceLost(listener: (reason: string) => void): void {
    this.lostListeners.push(listener);
  }

  /** Whether a component's session exists (or is being created). */
  has(componentId: string): boolean {
    return this.sessions.has(componentId);
  }

  /** Creates (once) and warms up the session of a component. */
  session(componentId: string, onProgress?: ProgressCallback): Promise<ort.InferenceSession> {
    let pending = this.sessions.get(componentId);
    if (!pending) {
      pending = this.createSession(componentId, onProgress);
      this.sessions.set(componentId, pending);
      pending.catch(() => this.sessions.delete(componentId));
    }
    return pending;
  }

  private async createSession(componentId: string, onProgress?: ProgressCallback): Promise<ort.InferenceSession> {
    const component = this.manifest.components[componentId];
    if (!component) throw new Error(`the pack has no component ${componentId}`);
    const blob = await this.fileFor(componentId);
    const file = component.variants[this.backend.variant]?.file ?? componentId;
    // ORT reads a URL itself, streaming files over 1 GB into one buffer; handing it the Blob's URL means
    // this worker never joins the chunks into a second whole-file copy.
    const url = URL.createObjectURL(blob);
    const heapBefore = wasmHeapBytes();
    const started = performance.now();
    let session: ort.InferenceSession;
    try {
      session = await ort.InferenceSession.create(url, {
        ...sessionOptions(blob.size),
        executionProviders: [this.backend.ep],
      });
    } catch (e) {
      throw new GraphLoadError(file, this.backend.label, (e as Error).message ?? String(e));
    } finally {
      URL.revokeObjectURL(url);
    }
    if (this.backend.ep === 'webgpu') await this.watchDevice();
    const created = performance.now();
    onProgress?.({ phase: 'warmup', component: componentId });
    await session.run(warmupFeeds(this.manifest, component));
    this.sessionStats.push({
      component: componentId,
      file,
      fileBytes: blob.size,
      weightsFolded: foldsWeights(blob.size),
      createMs: created - started,
      warmupMs: performance.now() - created,
      wasmHeapBytesBefore: heapBefore,
      wasmHeapBytesAfter: wasmHeapBytes(),
    });
    return session;
  }

  private async watchDevice(): Promise<void> {
    const device = await ort.env.webgpu.device;
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
    const session = await this.session(componentId);
    const inputs: Record<string, ort.Tensor> = {};
    for (const [name, t] of Object.entries(feeds)) inputs[name] = new ort.Tensor(t.type, t.data, t.dims);
    const started = performance.now();
    const outputs = await session.run(inputs);
    this.runTimings.push({ component: componentId, ms: performance.now() - started });
    const result: Record<string, TensorData> = {};
    for (const [name, t] of Object.entries(outputs)) {
      result[name] = { type: 'float32', data: (await t.getData()) as Float32Array, dims: [...t.dims] };
      t.dispose();
    }
    return result;
  }

  async destroyDeviceForTesting(): Promise<boolean> {
    if (this.backend.ep !== 'webgpu') return false;
    const device = await ort.env.webgpu.device;
    device.destroy();
    return true;
  }

  async release(): Promise<void> {
    this.released = true;
    const pending = [...this.sessions.values()];
    this.sessions.clear();
    await Promise.allSettled(pending.map(async (s) => (await s).release()));
  }
}

/** The smallest inputs each graph accepts: one prompt token, the smallest latent. */
function warmupFeeds(manifest: PackManifest, component: PackComponent): Record<string, ort.Tensor> {
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
  const feeds: Record<string, ort.Tensor> = {};
  for (const spec of component.inputs) {
    const dims = spec.shape.map((d) => (typeof d === 'number' ? d : (axes[d] ?? 1)));
    const size = dims.reduce((a, b) => a * b, 1);
    feeds[spec.name] =
      spec.dtype === 'int64'
        ? new ort.Tensor('int64', new BigInt64Array(size).fill(1n), dims)
        : new ort.Tensor('float32', new Float32Array(size), dims);
  }
  return feeds;
}
