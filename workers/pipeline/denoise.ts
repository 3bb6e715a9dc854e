// The denoising loop shared by text-to-image and inpainting, and the MoVQ decode after it.
//
// Random numbers, all from one SeededRandom(seed) stream in this order: the initial latent, then one
// fresh latent-sized draw per step that needs noise (every Flash step; ancestral steps with prev > 0).
import type { GenerateParams, GeneratedImage, ProgressCallback } from '../engine-api';
import { GenerationCancelledError, InvalidParamsError } from '../errors';
import { ancestralStep, ancestralTimesteps } from './ancestral-sampler';
import { FLASH_TIMESTEPS, flashNoisedInput, flashStep } from './flash-sampler';
import type { PipelineContext } from './generate';
import { controlActive, controlNetFor, controlResiduals, zeroResiduals, type ControlNetInfo } from './controlnet';
import { asFloat32, float32 } from './graph-runner';
import { imageAdapterFor, imageFeeds, type ImageConditioning } from './image-fusion';
import { imageToRgba } from './latent-to-image';
import { latentPreview } from './latent-preview';
import { guide, predictX0 } from './prediction';
import { SeededRandom } from './random';
import { alphasCumprod } from './schedule';
import { conditioningTensors, type Conditioning } from './text-conditioning';

export interface DenoiseRequest {
  unetId: string;
  conditioning: Conditioning;
  height: number; // latent rows
  width: number; // latent columns
  /** Channels appended to x_t at every step, for both guidance rows: the inpainting U-Net's keep-mask
   * and masked-image latent (reference §8.1). */
  extraChannels?: { data: Float32Array; channels: number };
  /** Image-to-image (reference §6.4): the encoded image and the strength s; only the last ⌊steps·s⌋
   * timesteps run, from the image noised to the first of them. */
  init?: { latent: Float32Array; strength: number };
  /** Edge guidance (reference §9.2): the ControlNet runs on the steps inside [start, end]. */
  control?: {
    info: ControlNetInfo;
    conditioning: Conditioning;
    hint: Float32Array; // (3, H·f, W·f)
    hintDims: [number, number];
    strength: number;
    start: number;
    end: number;
  };
  /** Image fusion (reference §9.1): the image embeddings for each guidance row, and their weight. */
  image?: ImageConditioning;
  onProgress: ProgressCallback;
}

/** The timesteps image-to-image keeps at strength s: the last ⌊n·s⌋ of the n. */
export function keptTimesteps<T>(timesteps: readonly T[], strength: number): T[] {
  const keep = Math.floor(timesteps.length * strength + 1e-9);
  return keep === 0 ? [] : timesteps.slice(timesteps.length - keep);
}

export async function denoiseLatent(
  ctx: PipelineContext,
  params: GenerateParams,
  request: DenoiseRequest,
): Promise<Float32Array> {
  const { manifest, runner } = ctx;
  const { unetId, conditioning, height: h, width: w, extraChannels, onProgress } = request;
  const unet = manifest.components[unetId]!.unet!;
  const c = manifest.latent.channels;
  const size = c * h * w;
  const extra = extraChannels?.channels ?? 0;
  if (c + extra !== unet.inChannels) {
    throw new InvalidParamsError(`${unetId} takes ${unet.inChannels} input channels, not ${c + extra}`);
  }
  const alphas = alphasCumprod(manifest.schedule);
  // Kandinsky 3 samplers assume x̂₀ in [−1, 1]; nano latents have unit variance (manifest latent.clipRange).
  const clipRange = manifest.latent.clipRange ?? 1;
  const random = new SeededRandom(params.seed);
  const cond = conditioningTensors(conditioning);
  const rowSize = (c + extra) * h * w;
  // A controlled U-Net always takes the residual inputs: zeros where the ControlNet does not run.
  const controlInfo = controlNetFor(manifest, unetId);
  const { control } = request;
  // Likewise a U-Net with an IP-Adapter always takes the image inputs: zeros at weight 0 without pictures.
  const imageInfo = imageAdapterFor(manifest, unetId);
  const runUNet = async (x: Float32Array, t: number, step: number, steps: number): Promise<Float32Array> => {
    const rows = conditioning.rows;
    const batch = new Float32Array(rows * rowSize);
    for (let r = 0; r < rows; r++) {
      batch.set(x, r * rowSize);
      if (extraChannels) batch.set(extraChannels.data, r * rowSize + size);
    }
    const sample = float32(batch, [rows, c + extra, h, w]);
    const timestep = float32(new Float32Array(rows).fill(t), [rows]);
    let residuals = controlInfo ? zeroResiduals(controlInfo, rows, h, w) : {};
    if (control && control.strength > 0 && controlActive(step, steps, control.start, control.end)) {
      residuals = await controlResiduals(runner, control.info, { sample, timestep, ...control }, control.strength);
    }
    const image = imageInfo ? imageFeeds(imageInfo, rows, request.image) : {};
    const out = await runner.run(unetId, { sample, timestep, ...cond, ...residuals, ...image });
    const y = asFloat32(out.model_output, 'model_output');
    return rows === 2 ? guide(y.subarray(0, size), y.subarray(size), params.guidance) : y;
  };

  const { init } = request;
  let x = random.normals(size); // drawn for img2img too, as its noise, so seeds behave alike
  if (params.sampler === 'flash') {
    const all = unet.flashTimesteps ?? FLASH_TIMESTEPS;
    const timesteps = init ? keptTimesteps(all, init.strength) : all;
    // A Flash step noises its x̂₀ to t itself, so img2img starts from the image as x̂₀.
    if (init) x = init.latent.slice();
    for (const [i, t] of timesteps.entries()) {
      stopIfRequested(ctx);
      if (i === 0) onProgress({ phase: 'denoise', step: 0, steps: timesteps.length });
      const xt = flashNoisedInput(x, random.normals(size), alphas[t]!);
      x = flashStep(xt, await runUNet(xt, t, i, timesteps.length), alphas[t]!, unet.predictionType); // x̂₀ itself
      onProgress({ phase: 'denoise', step: i + 1, steps: timesteps.length, preview: latentPreview(manifest, x, h, w) });
    }
    return x;
  }
  const fullGrid = ancestralTimesteps(
    params.steps,
    params.sampler === 'ancestral' ? 'original' : 'diffusers',
    alphas.length,
  );
  const grid = init ? keptTimesteps(fullGrid, init.strength) : fullGrid;
  if (init) {
    if (grid.length === 0) return init.latent.slice();
    // add_noise to the first kept timestep.
    const a = alphas[grid[0]![0]]!;
    const noise = x;
    x = init.latent.map((v, i) => Math.sqrt(a) * v + Math.sqrt(1 - a) * noise[i]!);
  }
  for (const [i, [t, prev]] of grid.entries()) {
    stopIfRequested(ctx);
    if (i === 0) onProgress({ phase: 'denoise', step: 0, steps: grid.length });
    const output = await runUNet(x, t, i, grid.length);
    const x0 = predictX0(x, output, alphas[t]!, unet.predictionType);
    onProgress({ phase: 'denoise', step: i + 1, steps: grid.length, preview: latentPreview(manifest, x0, h, w) });
    x = ancestralStep({
      xt: x,
      output,
      t,
      prev,
      alphas,
      predictionType: unet.predictionType,
      // Original 3.1 T2I: dynamic threshold at p = 0.99; diffusers: clip to [−1, 1].
      processing:
        params.sampler === 'ancestral'
          ? { kind: 'dynamic-threshold', percentile: 0.99, range: clipRange }
          : { kind: 'clip', range: clipRange },
      sampleSize: size,
      noise: prev > 0 ? random.normals(size) : null,
    });
  }
  return x;
}

/** Cooperative cancel: checked between steps, where the worker is free to have seen the request. */
export function stopIfRequested(ctx: PipelineContext): void {
  if (ctx.stopRequested?.()) throw new GenerationCancelledError();
}

/** Latent → RGBA through the MoVQ decoder, undoing the pack's latent scaling. */
export async function decodeLatent(
  ctx: PipelineContext,
  x: Float32Array,
  width: number,
  height: number,
): Promise<Uint8ClampedArray> {
  stopIfRequested(ctx);
  const { manifest, runner } = ctx;
  const { scale, shift, scaleFactor: f, channels: c } = manifest.latent;
  const movqLatent = x.map((v) => v / scale + shift);
  const decoder = Object.entries(manifest.components).find(([, comp]) => comp.role === 'movq-decoder')?.[0];
  if (!decoder) throw new InvalidParamsError(`${manifest.title} has no MoVQ decoder`);
  const decoded = await runner.run(decoder, { latent: float32(movqLatent, [1, c, height / f, width / f]) });
  return imageToRgba(asFloat32(decoded.image, 'image'), width, height);
}

/** Clears the runner's call log at the start of an image, so a cancelled run's calls are not counted. */
export function startTimings(ctx: PipelineContext): number {
  ctx.runner.runTimings.length = 0;
  return performance.now();
}

/** Stage times of one image, from the moments each stage ended (performance.now()), with its graph
 * calls taken out of the runner's log (which so stays as short as one image). */
export function stageTimings(
  ctx: PipelineContext,
  started: number,
  textDone: number,
  denoiseDone: number,
  end: number,
): GeneratedImage['timings'] {
  return {
    totalMs: end - started,
    textMs: textDone - started,
    denoiseMs: denoiseDone - textDone,
    decodeMs: end - denoiseDone,
    runs: ctx.runner.runTimings.splice(0),
  };
}
