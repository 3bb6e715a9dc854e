// The engine behind EngineApi: probes the browser, plans and downloads a pack, loads it onto the
// chosen back end, and runs the pipeline. One instance lives in the worker.
import * as Comlink from 'comlink';
import type { UseStore } from 'idb-keyval';
import type {
  BackendChoice,
  Capabilities,
  EngineApi,
  EngineDiagnostics,
  ExecutionProvider,
  GenerateParams,
  GeneratedImage,
  InpaintParams,
  LoadedPack,
  LoadOptions,
  PackPlan,
  PackSourceSpec,
  Picture,
  Progress,
  ProgressCallback,
  StoredPack,
  UpscaledPicture,
} from '../shared/engine-api';
import {
  GpuDeviceLostError,
  NoPackLoadedError,
  NoUpscalerError,
  PackLoadError,
  PackTooLargeError,
} from '../shared/errors';
import { LatestRequestWins } from './latest-request-wins';
import { packStore, storedState } from './pack/chunk-store';
import { limitProblems, readDeviceLimits, sizeFit, type SizeFit } from './pack/device-limits';
import { downloadPack } from './pack/download-pack';
import { FileArrivals } from './pack/file-arrivals';
import { FilesPackSource, StoredLocalPackSource } from './pack/files-pack-source';
import { chunkRange, type PackFile, type PackManifest } from './pack/manifest';
import { filesToDownload, graphFiles, residentFiles } from './pack/pack-files';
import { deleteStoredPack, listStoredPacks, recordPack, storedManifest } from './pack/pack-registry';
import type { PackSource } from './pack/pack-source';
import { UrlPackSource } from './pack/url-pack-source';
import { generate } from './pipeline/generate';
import { imageAdapterFor } from './pipeline/image-fusion';
import { inpaint } from './pipeline/inpaint';
import { upscale, upscaleSizeProblem, upscalerOf } from './pipeline/upscale';
import type { PipelineContext } from './pipeline/pipeline-context';
import { canInpaint, defaultComponents, planRequest, samplerOptions, stageUNet } from './pipeline/plan';
import { resolutionLimits } from './pipeline/request-checks';
import { IdbConditioningCache } from './storage/conditioning-store';
import { PromptTokenizer } from './pipeline/prompt-tokenizer';
import { probeCapabilities } from './runtime/capabilities';
import { chooseBackend } from './runtime/choose-backend';
import type { OrtRunner } from './runtime/ort-runner';
import { wasmHeapBytes } from './runtime/wasm-heap';

interface Loaded {
  context: PipelineContext;
  runner: OrtRunner;
  info: LoadedPack;
  /** Whether an image of this size fits this device (the pack's memory plan), and with what tiling. */
  sizeFit: (width: number, height: number) => SizeFit;
}

/** A pack read and checked, with the files this device needs of it. */
interface Prepared {
  source: PackSource;
  manifest: PackManifest;
  backend: BackendChoice;
  files: PackFile[];
  /** Components loaded at once for text-to-image; the others (inpainting, encoder) on first use. */
  eager: string[];
  sizeFit: (width: number, height: number) => SizeFit;
}

/** The offline store, or null where IndexedDB does not exist (some private modes). */
function storeOrNull(): UseStore | null {
  return typeof indexedDB === 'undefined' ? null : packStore();
}

/** Bytes the browser still lets this site store (quota − usage), or null when it does not say. */
async function freeStorageBytes(): Promise<number | null> {
  try {
    const { quota, usage } = (await navigator.storage?.estimate?.()) ?? {};
    return quota === undefined || usage === undefined ? null : Math.max(0, quota - usage);
  } catch {
    return null;
  }
}

export class Engine implements EngineApi {
  private capabilities: Promise<Capabilities> | null = null;
  private loaded: Loaded | null = null;
  private download: AbortController | null = null;
  private readonly jobs = new LatestRequestWins();
  private hangNext = false;

  probe(): Promise<Capabilities> {
    this.capabilities ??= probeCapabilities();
    return this.capabilities;
  }

  private async openSource(spec: PackSourceSpec): Promise<PackSource> {
    const store = storeOrNull();
    const kept = (id: string) => async () => (store ? storedManifest(id, store) : null);
    if (spec.kind === 'files') return FilesPackSource.open(spec.files);
    const id = spec.kind === 'url' ? new URL(spec.url, self.location.href).href : spec.id;
    if (!id.startsWith('local:')) return new UrlPackSource(id, kept(id));
    const manifest = await kept(id)();
    if (!manifest) throw new PackLoadError('That pack is no longer stored on this device. Open its folder again.');
    return new StoredLocalPackSource(id, manifest);
  }

  private async prepare(spec: PackSourceSpec, options: LoadOptions): Promise<Prepared> {
    const source = await this.openSource(spec);
    const manifest = await source.readManifest();
    const backend = chooseBackend(
      withoutBackends(await this.probe(), options.simulateMissing ?? []),
      manifest,
      options.ep,
      options.wasmThreads,
    );
    const eager = defaultComponents(manifest);
    const graphs = Object.keys(manifest.components).flatMap((id) => graphFiles(manifest, id, backend.variant));
    const eagerFiles = eager.flatMap((id) => residentFiles(manifest, id, backend.variant));
    const limits = readDeviceLimits(backend, (await this.probe()).webgpu.maxBufferSize || null);
    const problems = [
      ...limitProblems(graphs, eagerFiles, limits),
      // At the size the app opens with; larger sizes are checked again when asked for.
      ...sizeFit(manifest, eagerFiles, limits, manifest.defaults.width, manifest.defaults.height).problems,
    ];
    if (problems.length > 0) throw new PackTooLargeError(manifest.title, problems);
    const fitAt = (width: number, height: number) => sizeFit(manifest, eagerFiles, limits, width, height);
    return { source, manifest, backend, files: filesToDownload(manifest, backend.variant), eager, sizeFit: fitAt };
  }

  async inspect(spec: PackSourceSpec, options: LoadOptions): Promise<PackPlan> {
    const { source, manifest, backend, files } = await this.prepare(spec, options);
    const store = storeOrNull();
    const planned = await Promise.all(
      files.map(async (file) => {
        let storedBytes = 0;
        if (store) {
          const state = await storedState(file, store).catch(() => null);
          for (const i of state?.present ?? []) storedBytes += chunkRange(file, i)[1] - chunkRange(file, i)[0];
        }
        return { path: file.path, bytes: file.bytes, storedBytes };
      }),
    );
    return {
      id: source.id,
      name: manifest.name,
      title: manifest.title,
      weights: manifest.weights,
      backend,
      files: planned,
      totalBytes: planned.reduce((sum, f) => sum + f.bytes, 0),
      storedBytes: planned.reduce((sum, f) => sum + f.storedBytes, 0),
      freeBytes: await freeStorageBytes(),
    };
  }

  async load(spec: PackSourceSpec, options: LoadOptions, onProgress: ProgressCallback): Promise<LoadedPack> {
    await this.unload(); // release the previous pack's sessions before allocating new ones
    const { source, manifest, backend, files, eager, sizeFit: fitAt } = await this.prepare(spec, options);
    const store = storeOrNull();
    // Recorded first, so the chunks of a download that is cut off can be listed, resumed and freed.
    if (store) await recordPack(source.id, manifest, files, store).catch(() => {});

    this.download?.abort();
    const download = new AbortController();
    this.download = download;
    // What the first image needs comes first (the tokenizer, then the eager graphs), and each graph's
    // session is created as soon as its file is on hand, while the rest of the pack still downloads
    // or is read back. The load ends when both are done, as before: the pack is stored, or failed.
    const firstNeeded = new Set([
      manifest.text.tokenizer,
      ...(manifest.text.nullEmbedding ? [manifest.text.nullEmbedding] : []),
      ...eager.flatMap((id) => residentFiles(manifest, id, backend.variant).map((f) => f.path)),
    ]);
    const ordered = [...files].sort((a, b) => Number(!firstNeeded.has(a.path)) - Number(!firstNeeded.has(b.path)));
    const totalBytes = files.reduce((sum, f) => sum + f.bytes, 0);
    const arrivals = new FileArrivals();
    // Session progress is told once the files are all in: before, the download's progress is the news.
    let filesDone = false;
    let sessionsNews: Progress | null = null;
    const sessionProgress: ProgressCallback = (p) => {
      sessionsNews = p;
      if (filesDone) onProgress(p);
    };
    const downloading = (async () => {
      try {
        const packFiles = await downloadPack(source, ordered, {
          store,
          signal: download.signal,
          freeBytes: await freeStorageBytes(),
          onFileReady: (path, blob) => arrivals.arrived(path, blob),
          onProgress: (rows) =>
            onProgress({
              phase: 'download',
              files: rows,
              doneBytes: rows.reduce((sum, r) => sum + r.doneBytes, 0),
              totalBytes,
            }),
        });
        arrivals.finish();
        filesDone = true;
        if (sessionsNews) onProgress(sessionsNews);
        return packFiles;
      } catch (e) {
        // No session news after this: the download's last state (what was kept) stays in view.
        arrivals.failed(e);
        throw e;
      } finally {
        if (this.download === download) this.download = null;
      }
    })();

    let runner = null as OrtRunner | null;
    const preparing = (async () => {
      // The runtime loads only once a back end is known to exist: its module needs WebAssembly.
      const { OrtRunner } = await import('./runtime/ort-runner');
      runner = new OrtRunner(manifest, backend, (path) => arrivals.get(path));
      const tokenizer = new PromptTokenizer(
        JSON.parse(await (await arrivals.get(manifest.text.tokenizer)).text()),
        manifest.text.maxLength,
        manifest.text.padId,
      );
      const nullEmbedding = manifest.text.nullEmbedding
        ? new Float32Array(await (await arrivals.get(manifest.text.nullEmbedding)).arrayBuffer())
        : undefined;
      for (const [index, id] of eager.entries()) {
        sessionProgress({ phase: 'load', component: id, index, count: eager.length });
        await runner.load(id, sessionProgress);
      }
      return { runner, tokenizer, nullEmbedding };
    })();
    // Both are waited for, whichever fails first: a download is never left running behind a failed
    // load, and no rejection goes unhandled while the other is still under way.
    const [filesResult, sessionsResult] = await Promise.allSettled([downloading, preparing]);
    if (filesResult.status === 'rejected' || sessionsResult.status === 'rejected') {
      await runner?.release();
      // A failed or cancelled download is what the user needs to hear of first: it is why a graph
      // could not be read.
      throw filesResult.status === 'rejected' ? filesResult.reason : (sessionsResult as PromiseRejectedResult).reason;
    }
    const packFiles = filesResult.value;
    const { runner: loadedRunner, tokenizer, nullEmbedding } = sessionsResult.value;
    const info: LoadedPack = {
      id: source.id,
      name: manifest.name,
      title: manifest.title,
      weights: manifest.weights,
      backend,
      defaults: manifest.defaults,
      resolution: resolutionLimits(manifest),
      samplers: samplerOptions(manifest),
      edgeGuidance: Object.values(manifest.components).some((c) => c.role === 'controlnet'),
      imageFusion: (['base', 'flash'] as const).some((stage) => {
        const unet = stageUNet(manifest, stage, 'text-to-image');
        return unet !== null && imageAdapterFor(manifest, unet) !== undefined;
      }),
      canInpaint: canInpaint(manifest),
      upscaler: upscalerOf(manifest)?.info ?? null,
      maxTextLength: manifest.text.maxLength,
      description: manifest.description ?? '',
      license: manifest.license,
      credits: manifest.credits,
      storage: {
        cachedBytes: packFiles.cachedBytes,
        downloadedBytes: packFiles.downloadedBytes,
        unsavedBytes: packFiles.unsavedBytes,
        notices: packFiles.notices,
      },
    };
    const stopRequested = () => this.jobs.stopRequested;
    const conditioningCache = store && options.promptCache !== false ? new IdbConditioningCache() : undefined;
    this.loaded = {
      context: { manifest, tokenizer, runner: loadedRunner, nullEmbedding, stopRequested, conditioningCache },
      runner: loadedRunner,
      info,
      sizeFit: fitAt,
    };
    return info;
  }

  async cancelLoad(): Promise<void> {
    this.download?.abort(new DOMException('The user cancelled the download.', 'AbortError'));
  }

  listStoredPacks(): Promise<StoredPack[]> {
    return listStoredPacks();
  }

  deleteStoredPack(id: string): Promise<void> {
    return deleteStoredPack(id);
  }

  async generate(params: GenerateParams, onProgress: ProgressCallback): Promise<GeneratedImage> {
    return this.runPipeline(onProgress, async (loaded) => {
      if (this.hangNext) {
        this.hangNext = false;
        onProgress({ phase: 'denoise', step: 0, steps: 1 });
        await new Promise<never>(() => {}); // a step that never returns
      }
      // Planned before anything loads: a request that cannot run fails without loading for it.
      const plan = planRequest(loaded.context.manifest, params, 'text-to-image', loaded);
      await this.loadLazily(loaded, plan.components, onProgress);
      return generate(loaded.context, params, onProgress, plan);
    });
  }

  async inpaint(params: InpaintParams, onProgress: ProgressCallback): Promise<GeneratedImage> {
    return this.runPipeline(onProgress, async (loaded) => {
      const plan = planRequest(loaded.context.manifest, params, 'inpaint', loaded);
      await this.loadLazily(loaded, plan.components, onProgress);
      return inpaint(loaded.context, params, onProgress, plan);
    });
  }

  async upscale(picture: Picture, onProgress: ProgressCallback): Promise<UpscaledPicture> {
    return this.runPipeline(onProgress, async (loaded) => {
      const upscaler = upscalerOf(loaded.context.manifest);
      if (!upscaler) throw new NoUpscalerError(loaded.info.title);
      // Checked before its session is created: a picture it cannot take loads nothing.
      const problem = upscaleSizeProblem(upscaler.info, picture.width, picture.height);
      if (problem) throw problem;
      await this.loadLazily(loaded, [upscaler.component], onProgress);
      onProgress({ phase: 'upscale' });
      return upscale(loaded.context, picture);
    });
  }

  /** One generate/inpaint/upscale run, one at a time, the latest request winning (latest-request-wins.ts).
   * The run transfers its pixels, and reports a GPU device lost mid-run as such (it surfaces as an
   * ORT error, but the loss is what to act on). */
  private runPipeline<T extends Picture>(
    onProgress: ProgressCallback,
    work: (loaded: Loaded) => Promise<T>,
  ): Promise<T> {
    return this.jobs.run(() => this.runLoaded(onProgress, work));
  }

  private async runLoaded<T extends Picture>(
    onProgress: ProgressCallback,
    work: (loaded: Loaded) => Promise<T>,
  ): Promise<T> {
    const loaded = this.loaded;
    if (!loaded) throw new NoPackLoadedError();
    if (loaded.runner.deviceLost) throw new GpuDeviceLostError(loaded.runner.deviceLost);
    // A full-size text encoder loads its 32 files one by one for each new prompt: say which.
    loaded.runner.onStreamedPart = (_component, part, parts) => onProgress({ phase: 'encode', part, parts });
    try {
      const image = await work(loaded);
      return Comlink.transfer(image, [image.pixels.buffer]);
    } catch (e) {
      if (loaded.runner.deviceLost) throw new GpuDeviceLostError(loaded.runner.deviceLost);
      throw e;
    } finally {
      loaded.runner.onStreamedPart = null;
    }
  }

  /** Creates, on first use, the sessions of components that text-to-image does not need. */
  private async loadLazily(loaded: Loaded, ids: string[], onProgress: ProgressCallback): Promise<void> {
    const missing = ids.filter((id) => !loaded.runner.has(id));
    for (const [index, id] of missing.entries()) {
      onProgress({ phase: 'load', component: id, index, count: missing.length });
      await loaded.runner.load(id, onProgress);
    }
  }

  /** Stops the running request at its next step, and drops any waiting behind it. */
  async cancelGeneration(): Promise<boolean> {
    return this.jobs.cancel();
  }

  async unload(): Promise<void> {
    const loaded = this.loaded;
    this.loaded = null;
    await loaded?.runner.release();
  }

  async diagnostics(): Promise<EngineDiagnostics> {
    const runner = this.loaded?.runner;
    return {
      backend: this.loaded?.info.backend ?? null,
      wasmHeapBytes: wasmHeapBytes(),
      sessions: runner ? [...runner.sessionStats] : [],
    };
  }

  async hangNextGenerationForTesting(): Promise<void> {
    this.hangNext = true;
  }

  /** Test hook: destroys the WebGPU device the sessions use, as a driver reset would. */
  async loseDeviceForTesting(): Promise<boolean> {
    return (await this.loaded?.runner.destroyDeviceForTesting()) ?? false;
  }
}

function withoutBackends(caps: Capabilities, missing: ExecutionProvider[]): Capabilities {
  const out = structuredClone(caps);
  if (missing.includes('webgpu'))
    out.webgpu = { ...out.webgpu, available: false, adapter: null, error: 'no WebGPU (simulated)' };
  if (missing.includes('wasm')) out.wasm = { available: false, simd: false, threads: false, cores: out.wasm.cores };
  return out;
}
