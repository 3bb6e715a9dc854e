// What the UI asks of the engine, and how answers and errors land in the store.
import type {
  ControlParams,
  FusionParams,
  GeneratedImage,
  GenerateParams,
  LoadedPack,
  LoadOptions,
  PackSourceSpec,
  Picture,
  StoredPack,
} from '../shared/engine-api';
import { engine, onEngineCrash, restartEngine } from './engine-client';
import { useAppStore } from './store';
import { onProgress } from './progress-callback';
import { upscaledResult, upscaleRecord } from './upscale-actions';
import { extendCanvas, zoomOutCanvas, type Side, type SizeRules } from './canvas/canvas-image';
import { rasterizeMask } from './canvas/mask-ops';
import { edgeHint } from './edges/edge-hint';
import { fusionParams } from './fusion/fusion-params';
import { saveToHistory } from './history-actions';
import type { GenerationParameters } from './png/generation-parameters';
import { downloadBlob, imagePng, NoParametersError, parametersFromFile } from './png/png-file';
import type { ShownImage } from './store/engine-slice';
import type { CanvasRequest } from './store/canvas-slice';
import { isBundledPack, readUrlOptions } from './url-options';
import { randomSeed } from '../shared/random';
import { EngineCrashedError, EngineRestartedError, InvalidParamsError, NoPackLoadedError } from '../shared/errors';
import { appError } from './app-error';

const store = useAppStore;

onEngineCrash((message) =>
  store.getState().setEngine({
    status: 'error',
    progress: null,
    error: appError(new EngineCrashedError(message)),
  }),
);

function loadOptions(): LoadOptions {
  const { ep, simulateMissing, wasmThreads } = readUrlOptions(location.search);
  return { ep, simulateMissing, wasmThreads };
}

/** The pack named in the address (?pack=), or the bundled one. */
export function loadPack(): Promise<void> {
  return openPack({ kind: 'url', url: readUrlOptions(location.search).pack });
}

/**
 * Reads a pack's manifest and shows its size. Packs this app serves itself, picked local files and
 * stored packs start at once; a pack from elsewhere waits for the user to start the download.
 */
export async function openPack(source: PackSourceSpec): Promise<void> {
  const previous = store.getState();
  store.getState().setEngine({ status: 'loading', error: null, progress: null, plan: null, source });
  try {
    const plan = await engine().inspect(source, loadOptions());
    store.getState().setEngine({ plan });
    const asks = source.kind === 'url' && !isBundledPack(source.url, location.href);
    if (asks && plan.storedBytes < plan.totalBytes) {
      store.getState().setEngine({ status: 'offer' });
      return;
    }
  } catch (e) {
    const error = appError(e);
    const unsupported = error.name === 'BackendUnavailableError';
    // A pack that cannot be opened leaves the one already loaded usable.
    store.getState().setEngine({
      status: unsupported ? 'unsupported' : previous.pack ? 'ready' : 'error',
      error,
      plan: null,
      source: previous.pack ? previous.source : source,
    });
    return;
  }
  await startDownload();
}

/** Downloads (or resumes) and loads the offered pack. A pack that fails to load is marked broken, and
 * the last pack that worked is loaded again, so the app stays usable. */
export async function startDownload(): Promise<void> {
  const { source, plan, lastWorkingSource } = store.getState();
  if (!source) return;
  store.getState().setEngine({ status: 'loading', error: null, progress: null });
  try {
    const loaded = await engine().load(source, loadOptions(), onProgress);
    store.getState().applyPackDefaults(loaded);
    store
      .getState()
      .setEngine({ status: 'ready', pack: loaded, plan: null, progress: null, lastWorkingSource: source });
    store.getState().setBroken(loaded.id, null);
    // Ask the browser not to evict stored weights under storage pressure (Window-only API; the browser
    // may say no, e.g. headless Chromium, and then the store is simply best-effort).
    void navigator.storage?.persist?.().catch(() => false);
  } catch (e) {
    const error = appError(e);
    const resumable = error.name === 'DownloadCancelledError' || error.name === 'PackDownloadError';
    const unsupported = error.name === 'BackendUnavailableError';
    store.getState().setEngine({
      status: unsupported ? 'unsupported' : resumable ? 'paused' : 'error',
      pack: null, // load() released the previous pack before downloading
      error,
      progress: resumable ? store.getState().progress : null,
    });
    if (resumable || unsupported) return;
    if (plan) store.getState().setBroken(plan.id, error.message);
    if (lastWorkingSource && !sameSource(lastWorkingSource, source)) await restore(lastWorkingSource);
  }
}

/** Picked files have no name to compare, so two such sources never count as the same. */
function sourceKey(source: PackSourceSpec): string | null {
  return source.kind === 'url' ? `url ${source.url}` : source.kind === 'stored' ? `stored ${source.id}` : null;
}
const sameSource = (a: PackSourceSpec, b: PackSourceSpec) => sourceKey(a) !== null && sourceKey(a) === sourceKey(b);

/** Loads the last working pack again after another failed, keeping the failure on show. */
async function restore(source: PackSourceSpec): Promise<void> {
  const { error } = store.getState();
  store.getState().setEngine({ status: 'loading', source, plan: null, progress: null });
  try {
    const loaded = await engine().load(source, loadOptions(), onProgress);
    store.getState().applyPackDefaults(loaded);
    store.getState().setEngine({ status: 'ready', pack: loaded, progress: null, error });
  } catch {
    store.getState().setEngine({ status: 'error', pack: null, progress: null, error });
  }
}

export function cancelDownload(): Promise<void> {
  return engine().cancelLoad();
}

/** Declines an offered download. */
export function dismissOffer(): void {
  const { pack } = store.getState();
  store.getState().setEngine({ status: pack ? 'ready' : 'error', plan: null, error: null, progress: null });
}

export function listStoredPacks(): Promise<StoredPack[]> {
  return engine().listStoredPacks();
}

/** Frees a stored pack. The pack in use is unloaded first (the UI asks before), and the page then
 * says that no model is loaded rather than still "ready". */
export async function deleteStoredPack(id: string): Promise<void> {
  if (store.getState().pack?.id === id) {
    await engine().unload();
    store.getState().setEngine({
      status: 'error',
      pack: null,
      lastWorkingSource: null, // nothing to go back to: its files are going
      progress: null,
      error: appError(new NoPackLoadedError()),
    });
  }
  return engine().deleteStoredPack(id);
}

/** How long a cancel may take before the worker is terminated and started afresh (a hung step). */
export const HARD_CANCEL_MS = 8000;

/** A Generate while one runs: latest wins. The running one is cancelled, then this one starts. */
let pendingGenerate = false;

function shown(parameters: GenerationParameters, image: GeneratedImage, id: number, upscaled?: Picture): ShownImage {
  return {
    parameters,
    id,
    width: image.width,
    height: image.height,
    pixels: image.pixels,
    ...(upscaled && { upscaled }),
    seed: image.seed,
    totalMs: image.timings.totalMs,
  };
}

export async function generateImage(): Promise<void> {
  const s = store.getState();
  if (s.status === 'generating' || s.status === 'cancelling') {
    pendingGenerate = true;
    void cancelGeneration();
    return;
  }
  if (s.status !== 'ready' && s.status !== 'error') return;
  if (!s.pack) return;
  // Ctrl/Cmd+Enter reaches here with a field still wrong: say which, rather than use an older value.
  const problem = Object.values(s.fieldProblems)[0];
  if (problem) {
    s.setEngine({ status: 'error', error: appError(new InvalidParamsError(problem)) });
    return;
  }
  const model = s.pack.name;
  let control: ControlParams | undefined;
  if (s.edgeEnabled && s.pack.edgeGuidance) {
    try {
      const hint = edgeHint(s.edgeSource, s.edgePicture, s.edgeStrokes, s.width, s.height);
      control = { hint, strength: s.edgeStrength, start: s.edgeStart, end: s.edgeEnd };
    } catch (e) {
      s.setEngine({ status: 'error', error: appError(e) });
      return;
    }
  }
  let fusion: FusionParams | undefined;
  if (s.fusionEnabled && s.pack.imageFusion) {
    try {
      fusion = fusionParams(s.fusionPictures, s.fusionStrength);
    } catch (e) {
      s.setEngine({ status: 'error', error: appError(e) });
      return;
    }
  }
  s.setEngine({ status: 'generating', error: null, progress: null, batch: [] });
  const batch: ShownImage[] = [];
  try {
    for (let k = 0; k < Math.max(1, s.batchSize); k++) {
      // A cancel that came between two images stops the batch before its next one (the engine had
      // nothing running to stop).
      if (k > 0 && store.getState().status === 'cancelling') break;
      const params: GenerateParams = {
        prompt: s.prompt,
        negativePrompt: s.negativePrompt,
        seed: (s.seed + k) % 2 ** 32,
        sampler: s.sampler,
        steps: s.steps,
        guidance: s.guidance,
        width: s.width,
        height: s.height,
        ...(control && { control }),
        ...(fusion && { fusion }),
      };
      const image = await engine().generate(params, onProgress);
      const upscaled = await upscaledResult(image);
      // The parameters text names the hint and the pictures, not their pixels.
      const recorded = { ...params, control: undefined, fusion: undefined };
      const edgeGuidance = control && {
        source: s.edgeSource,
        strength: control.strength,
        start: control.start,
        end: control.end,
      };
      const imageFusion = fusion && {
        pictures: s.fusionPictures.map((p) => ({ name: p.name, weight: p.weight })),
        strength: fusion.scale,
      };
      const upscale = upscaleRecord(s.pack, upscaled ? upscaled.width / image.width : null);
      const entry = shown(
        {
          ...recorded,
          model,
          ...(edgeGuidance && { edgeGuidance }),
          ...(imageFusion && { imageFusion }),
          ...(upscale !== undefined && { upscale }),
        },
        image,
        (store.getState().image?.id ?? 0) + 1,
        upscaled,
      );
      batch.push(entry);
      store.getState().setEngine({ image: entry, batch: [...batch] });
      void saveToHistory(entry);
    }
    store.getState().setEngine({ status: 'ready', progress: null });
  } catch (e) {
    const error = appError(e);
    if (error.name === 'GenerationCancelledError') {
      // Acknowledged by the worker: nothing partial is kept; finished images of a batch stay.
      store.getState().setEngine({ status: 'ready', progress: null });
    } else {
      store.getState().setEngine({ status: 'error', error, progress: null });
      if (error.name === 'GpuDeviceLostError') {
        // A fresh worker gets a fresh GPU device; reload the pack on it and keep the error visible.
        restartEngine();
        const { source } = store.getState();
        await (source ? openPack(source) : loadPack());
        store.getState().setEngine({ error });
      }
    }
  }
  if (pendingGenerate) {
    pendingGenerate = false;
    await generateImage();
  }
}

/**
 * Cancels the running generation between steps. The UI stays in "cancelling" until the worker
 * acknowledges (its call rejects with GenerationCancelledError); a worker that does not answer in
 * HARD_CANCEL_MS is terminated and a fresh one loads the pack again.
 */
export async function cancelGeneration(): Promise<void> {
  const s = store.getState();
  if (s.status !== 'generating') return;
  s.setEngine({ status: 'cancelling' });
  const timer = setTimeout(() => void hardCancel(), HARD_CANCEL_MS);
  const unsubscribe = store.subscribe((state) => {
    if (state.status !== 'cancelling') {
      clearTimeout(timer);
      unsubscribe();
    }
  });
  await engine().cancelGeneration();
}

async function hardCancel(): Promise<void> {
  if (store.getState().status !== 'cancelling') return;
  restartEngine();
  pendingGenerate = false;
  const { source } = store.getState();
  await (source ? openPack(source) : loadPack());
  store.getState().setEngine({ error: appError(new EngineRestartedError(HARD_CANCEL_MS)) });
}

/** The loaded pack's size rules, for canvases made from uploads and blank canvases. */
export function canvasSizeRules(pack: LoadedPack): SizeRules {
  return { ...pack.resolution, preferred: pack.defaults.width };
}

/** Overlap of an outpainting mask into the old image, in pixels: enough for the join to be generated
 * with the new area, small enough to leave the old content to itself. */
export const OUTPAINT_OVERLAP = 4;

async function runCanvasRequest(request: CanvasRequest, seed: number): Promise<void> {
  const s = store.getState();
  if (!s.pack || (s.status !== 'ready' && s.status !== 'error')) return;
  s.setEngine({ status: 'generating', error: null, progress: null });
  try {
    const common = {
      prompt: s.prompt,
      negativePrompt: s.negativePrompt,
      seed,
      sampler: s.sampler,
      steps: s.steps,
      guidance: s.guidance,
      width: request.image.width,
      height: request.image.height,
    };
    const result =
      request.kind === 'img2img'
        ? await engine().generate(
            { ...common, init: { image: request.image.pixels, strength: request.strength } },
            onProgress,
          )
        : await engine().inpaint(
            {
              ...common,
              image: request.image.pixels,
              mask: request.mask,
              blendMask: request.kind === 'outpaint' ? request.blendMask : undefined,
              feather: request.kind === 'inpaint' ? request.feather : 0,
            },
            onProgress,
          );
    store.getState().stageResult({
      image: { width: result.width, height: result.height, pixels: result.pixels },
      parameters: { ...common, seed: result.seed, model: s.pack.name },
      seed: result.seed,
      request,
    });
    store.getState().setEngine({ status: 'ready', progress: null });
  } catch (e) {
    const error = appError(e);
    const cancelled = error.name === 'GenerationCancelledError';
    store
      .getState()
      .setEngine({ status: cancelled ? 'ready' : 'error', error: cancelled ? null : error, progress: null });
  }
}

/** Image-to-image from the whole canvas at the chosen strength (kandinsky3-architecture §6.4). */
export function imageToImage(): Promise<void> {
  const { canvas, strength, seed } = store.getState();
  if (!canvas) return Promise.resolve();
  return runCanvasRequest({ kind: 'img2img', image: canvas.present.image, strength }, seed);
}

/** Repaints the brushed region of the canvas from the prompt. */
export function inpaintCanvas(): Promise<void> {
  const { canvas, feather, seed } = store.getState();
  if (!canvas) return Promise.resolve();
  const { image, ops } = canvas.present;
  const mask = rasterizeMask(ops, image.width, image.height);
  return runCanvasRequest({ kind: 'inpaint', image, mask, feather }, seed);
}

/** Enlarges the canvas on one side (or zooms out) and generates the new area. */
export function outpaintCanvas(where: Side | 'zoom-out'): Promise<void> {
  const { canvas, outpaintAmount, seed, pack } = store.getState();
  if (!canvas || !pack) return Promise.resolve();
  const { image } = canvas.present;
  const rules = canvasSizeRules(pack);
  const request =
    where === 'zoom-out'
      ? zoomOutCanvas(image, 0.75, OUTPAINT_OVERLAP, rules.multipleOf)
      : extendCanvas(image, where, outpaintAmount, OUTPAINT_OVERLAP);
  const side = Math.max(request.image.width, request.image.height);
  if (side > rules.max) {
    store.getState().setEngine({
      error: appError(
        new InvalidParamsError(
          `The canvas would be ${request.image.width}×${request.image.height}, over the ${rules.max} px this pack can make. Crop it or extend less.`,
        ),
      ),
    });
    return Promise.resolve();
  }
  return runCanvasRequest({ kind: 'outpaint', ...request }, seed);
}

/** The staged result again, with a new random seed: the result's own, shown with it; the main Seed
 * field is the user's and stays as it is. */
export function retryStaged(): Promise<void> {
  const { staged } = store.getState();
  if (!staged) return Promise.resolve();
  return runCanvasRequest(staged.request, randomSeed());
}

/** The staged result becomes the canvas (one undo step) and goes into the history with its parameters,
 * like every generated image. */
export async function acceptCanvasResult(): Promise<void> {
  const { staged, acceptStaged } = store.getState();
  if (!staged) return;
  acceptStaged();
  const { image, parameters } = staged;
  // The accepted picture is enlarged afresh from the model-size result, never from an earlier enlargement.
  let upscaled: Picture | undefined;
  try {
    upscaled = await upscaledResult(image);
  } catch (e) {
    // A request that overtook it is not a failure: the picture is kept at the model's size.
    const error = appError(e);
    if (error.name !== 'GenerationCancelledError') store.getState().setEngine({ error });
  }
  if (upscaled) store.getState().setCanvasUpscaled(image, upscaled);
  const upscale = upscaleRecord(store.getState().pack, upscaled ? upscaled.width / image.width : null);
  await saveToHistory({
    parameters: { ...parameters, ...(upscale !== undefined && { upscale }) },
    id: 0,
    ...image,
    ...(upscaled && { upscaled }),
    seed: staged.seed,
    totalMs: 0,
  });
}

/** The "Upscale" action: the picture on the canvas, enlarged by the pack's upscaler, becomes the image
 * on show and goes into the history. A size the upscaler does not take is refused by name. */
export async function upscaleCanvas(): Promise<void> {
  const s = store.getState();
  const doc = s.canvas?.present;
  if (!doc || !s.pack || (s.status !== 'ready' && s.status !== 'error')) return;
  s.setEngine({ status: 'generating', error: null, progress: null });
  try {
    const { width, height, pixels, factor } = await engine().upscale(
      { width: doc.image.width, height: doc.image.height, pixels: new Uint8ClampedArray(doc.image.pixels) },
      onProgress,
    );
    const upscaled = { width, height, pixels };
    store.getState().setCanvasUpscaled(doc.image, upscaled);
    const parameters: GenerationParameters = {
      ...(doc.parameters ?? { prompt: '', negativePrompt: '', seed: 0, steps: 0, guidance: 0, sampler: s.sampler }),
      width: doc.image.width,
      height: doc.image.height,
      model: s.pack.name,
      upscale: factor,
    };
    const entry: ShownImage = {
      parameters,
      id: (store.getState().image?.id ?? 0) + 1,
      ...doc.image,
      upscaled,
      seed: parameters.seed,
      totalMs: 0,
    };
    store.getState().setEngine({ status: 'ready', progress: null, image: entry, batch: [] });
    await saveToHistory(entry);
  } catch (e) {
    store.getState().setEngine({ status: 'error', error: appError(e), progress: null });
  }
}

/** Downloads the canvas as it is now, as a PNG; with the parameters of the edit that made it, where
 * one did and the user keeps parameters in PNGs. */
export async function downloadCanvas(): Promise<void> {
  const { canvas, embedParameters } = store.getState();
  if (!canvas) return;
  const { image, parameters } = canvas.present;
  const png = await imagePng(image, embedParameters ? (parameters ?? null) : null);
  downloadBlob(png, `kandinsky-canvas-${image.width}x${image.height}.png`);
}

/** Restores the parameters stored in a dropped PNG; says when it has none. */
export async function restoreParameters(file: File): Promise<void> {
  const found = await parametersFromFile(file);
  const s = store.getState();
  if (!found) {
    s.setEngine({
      error: appError(new NoParametersError(file.name)),
    });
    return;
  }
  const { model: _model, sampler, width, height, ...rest } = found;
  void _model; // another pack's images still give their prompt and settings
  if (sampler && s.pack?.samplers.some((offered) => offered.name === sampler)) s.setSampler(sampler);
  s.setParams(rest);
  const r = s.pack?.resolution;
  const fits = (side?: number) =>
    side !== undefined && !!r && side % r.multipleOf === 0 && side >= r.min && side <= r.max;
  if (fits(width) && fits(height)) s.setParams({ width, height });
  s.setEngine({ error: null });
}
