// The engine behind EngineApi: probes the browser, loads a pack onto the chosen back end, and runs
// the pipeline. One instance lives in the worker.
import * as Comlink from 'comlink';
import type {
  Capabilities,
  EngineApi,
  ExecutionProvider,
  GenerateParams,
  GeneratedImage,
  LoadedPack,
  LoadOptions,
  ProgressCallback,
  StoredPack,
} from './engine-api';
import { GpuDeviceLostError, NoPackLoadedError } from './errors';
import { fetchManifest } from './pack/fetch-pack';
import { loadPackFile } from './pack/load-pack-file';
import { deleteStoredPack, listStoredPacks, recordPack } from './pack/pack-registry';
import type { PackFile } from './pack/manifest';
import { availableSamplers, decoderComponent, generate, unetFor, type PipelineContext } from './pipeline/generate';
import { PromptTokenizer } from './pipeline/prompt-tokenizer';
import { probeCapabilities } from './runtime/capabilities';
import { chooseBackend } from './runtime/choose-backend';
import type { OrtRunner } from './runtime/ort-runner';

interface Loaded {
  context: PipelineContext;
  runner: OrtRunner;
  info: LoadedPack;
}

export class Engine implements EngineApi {
  private capabilities: Promise<Capabilities> | null = null;
  private loaded: Loaded | null = null;

  probe(): Promise<Capabilities> {
    this.capabilities ??= probeCapabilities();
    return this.capabilities;
  }

  async load(packUrl: string, options: LoadOptions, onProgress: ProgressCallback): Promise<LoadedPack> {
    await this.unload(); // release the previous pack's sessions before allocating new ones
    const manifestUrl = new URL(packUrl, self.location.href).href;
    const manifest = await fetchManifest(manifestUrl);
    const backend = chooseBackend(
      withoutBackends(await this.probe(), options.simulateMissing ?? []),
      manifest,
      options.ep,
    );
    const fileEntry = (path: string) => {
      const entry = manifest.files.find((f) => f.path === path);
      if (!entry) throw new Error(`${path} is not in the manifest`);
      return entry;
    };
    const storage: LoadedPack['storage'] = { cachedBytes: 0, downloadedBytes: 0, unsavedBytes: 0, notices: [] };
    // Recorded first, so files stored by a load that is interrupted can still be listed and freed.
    await recordPack(manifestUrl, manifest).catch(() => {});
    const loadFile = async (file: PackFile, onBytes: (n: number) => void = () => {}) => {
      const loaded = await loadPackFile(manifestUrl, file, onBytes);
      storage[loaded.source === 'cache' ? 'cachedBytes' : 'downloadedBytes'] += file.bytes;
      if (!loaded.saved) storage.unsavedBytes += file.bytes;
      if (loaded.notice) storage.notices.push(loaded.notice);
      return loaded.bytes;
    };
    const tokenizer = new PromptTokenizer(
      JSON.parse(new TextDecoder().decode(await loadFile(fileEntry(manifest.text.tokenizer)))),
      manifest.text.maxLength,
      manifest.text.padId,
    );
    const nullEmbedding = manifest.text.nullEmbedding
      ? new Float32Array((await loadFile(fileEntry(manifest.text.nullEmbedding))).buffer)
      : undefined;

    // Load what text-to-image needs now; other components (inpainting, encoder) load on first use.
    const sampler = manifest.defaults.sampler;
    const unet = unetFor(manifest, sampler);
    const eager = [manifest.components[unet]!.unet!.context.component, unet, decoderComponent(manifest)];
    const variantFile = (id: string) => {
      // chooseBackend only picks a variant that every component offers.
      return fileEntry(manifest.components[id]!.variants[backend.variant]!.file);
    };
    const totalBytes = eager.reduce((sum, id) => sum + variantFile(id).bytes, 0);
    let doneBytes = 0;
    // The runtime loads only once a back end is known to exist: its module needs WebAssembly.
    const { OrtRunner } = await import('./runtime/ort-runner');
    const runner = new OrtRunner(manifest, backend, async (id) => {
      const file = variantFile(id);
      onProgress({ phase: 'load', component: id, loadedBytes: doneBytes, totalBytes });
      const bytes = await loadFile(file, (n) =>
        onProgress({ phase: 'load', component: id, loadedBytes: doneBytes + n, totalBytes }),
      );
      if (eager.includes(id)) doneBytes += file.bytes;
      return bytes;
    });
    try {
      for (const id of eager) await runner.session(id, onProgress);
    } catch (e) {
      await runner.release();
      throw e;
    }
    const info: LoadedPack = {
      name: manifest.name,
      title: manifest.title,
      weights: manifest.weights,
      backend,
      defaults: manifest.defaults,
      resolution: manifest.resolution ?? { multipleOf: 8 * manifest.latent.scaleFactor, min: 64, max: 2048 },
      samplers: availableSamplers(manifest),
      maxTextLength: manifest.text.maxLength,
      description: manifest.description ?? '',
      license: manifest.license,
      credits: manifest.credits,
      storage,
    };
    this.loaded = { context: { manifest, tokenizer, runner, nullEmbedding }, runner, info };
    return info;
  }

  listStoredPacks(): Promise<StoredPack[]> {
    return listStoredPacks();
  }

  deleteStoredPack(url: string): Promise<void> {
    return deleteStoredPack(url);
  }

  async generate(params: GenerateParams, onProgress: ProgressCallback): Promise<GeneratedImage> {
    const loaded = this.loaded;
    if (!loaded) throw new NoPackLoadedError();
    if (loaded.runner.deviceLost) throw new GpuDeviceLostError(loaded.runner.deviceLost);
    try {
      const image = await generate(loaded.context, params, onProgress);
      return Comlink.transfer(image, [image.pixels.buffer]);
    } catch (e) {
      // A device lost mid-run surfaces as an ORT error; report the loss, which is what to act on.
      if (loaded.runner.deviceLost) throw new GpuDeviceLostError(loaded.runner.deviceLost);
      throw e;
    }
  }

  async unload(): Promise<void> {
    const loaded = this.loaded;
    this.loaded = null;
    await loaded?.runner.release();
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
  if (missing.includes('wasm')) out.wasm = { available: false, simd: false, threads: false };
  return out;
}
