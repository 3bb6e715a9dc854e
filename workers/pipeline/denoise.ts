// The denoising loop shared by text-to-image and inpainting, and the MoVQ decode after it. It runs
// whatever sampler the plan holds: each step feeds the U-Net of that step's stage (with its own
// conditioning, ControlNet residuals and image inputs), and the sampler turns the output into the
// next state.
//
// Random numbers, all from one SeededRandom(seed) stream in this order: the initial latent, then the
// draws each sampler makes as it steps (every Flash step; ancestral steps with prev > 0).
import type { GenerateParams, GeneratedImage, ProgressCallback } from '../../shared/engine-api';
import { GenerationCancelledError, InvalidParamsError } from '../../shared/errors';
import { SeededRandom } from '../../shared/random';
import type { Conditioning } from './conditioning';
import { controlActive, controlResiduals, zeroResiduals } from './controlnet';
import { asFloat32, float32 } from './graph-runner';
import { imageFeeds, type ImageConditioning } from './image-fusion';
import { imageToRgba } from './latent-to-image';
import { latentPreview } from './latent-preview';
import { runInWindows, windowRunner } from './tiled-movq';
import type { PipelineContext } from './pipeline-context';
import type { GenerationPlan, StagePlan } from './plan';
import { guide } from './prediction';
import { firstKeptStep, type UNetStage } from './sampler';
import { conditioningTensors } from './text-conditioning';
import { yieldToMessages } from './yield-to-messages';

/** What one stage's U-Net is fed besides x_t, prepared before the loop. */
export interface StageInputs {
  conditioning: Conditioning;
  /** Edge guidance (kandinsky3-architecture §9.2): the ControlNet's conditioning for this stage. */
  control?: { conditioning: Conditioning };
  /** Image fusion (kandinsky3-architecture §9.1): the image embeddings for each guidance row. */
  image?: ImageConditioning;
}

export interface DenoiseRequest {
  /** Per stage of the plan's sampler. */
  stages: Partial<Record<UNetStage, StageInputs>>;
  /** Channels appended to x_t at every step, for every guidance row: the inpainting U-Net's keep-mask
   * and masked-image latent (kandinsky3-architecture §8.1). */
  extraChannels?: { data: Float32Array; channels: number };
  /** Image-to-image (kandinsky3-architecture §6.4): the encoded image and the strength s; only the
   * last ⌊steps·s⌋ steps run, from the image brought to the first of them by the sampler. */
  init?: { latent: Float32Array; strength: number };
  /** The edge hint, shared by the stages, and how hard and when it steers. */
  control?: { hint: Float32Array; hintDims: [number, number]; strength: number; start: number; end: number };
  onProgress: ProgressCallback;
}

export async function denoiseLatent(
  ctx: PipelineContext,
  plan: GenerationPlan,
  params: GenerateParams,
  request: DenoiseRequest,
): Promise<Float32Array> {
  const { manifest, runner } = ctx;
  const { sampler, latentHeight: h, latentWidth: w } = plan;
  const { extraChannels, control, onProgress } = request;
  const c = manifest.latent.channels;
  const size = c * h * w;
  const extra = extraChannels?.channels ?? 0;
  for (const stage of Object.values(plan.stages)) {
    if (c + extra !== stage.unet.inChannels) {
      throw new InvalidParamsError(`${stage.unetId} takes ${stage.unet.inChannels} input channels, not ${c + extra}`);
    }
  }
  const rowSize = (c + extra) * h * w;

  const runUNet = async (
    stage: StagePlan,
    inputs: StageInputs,
    x: Float32Array,
    t: number,
    step: number,
    steps: number,
  ) => {
    const rows = inputs.conditioning.rows;
    const batch = new Float32Array(rows * rowSize);
    for (let r = 0; r < rows; r++) {
      batch.set(x, r * rowSize);
      if (extraChannels) batch.set(extraChannels.data, r * rowSize + size);
    }
    const sample = float32(batch, [rows, c + extra, h, w]);
    const timestep = float32(new Float32Array(rows).fill(t), [rows]);
    let residuals = stage.controlNet ? zeroResiduals(stage.controlNet, rows, h, w) : {};
    if (control && inputs.control && control.strength > 0 && controlActive(step, steps, control.start, control.end)) {
      residuals = await controlResiduals(
        runner,
        stage.controlNet!,
        { sample, timestep, conditioning: inputs.control.conditioning, hint: control.hint, hintDims: control.hintDims },
        control.strength,
      );
    }
    const image = stage.imageAdapter ? imageFeeds(stage.imageAdapter, rows, inputs.image) : {};
    const out = await runner.run(stage.unetId, {
      sample,
      timestep,
      ...conditioningTensors(inputs.conditioning),
      ...residuals,
      ...image,
    });
    const y = asFloat32(out.model_output, 'model_output');
    return rows === 2 ? guide(y.subarray(0, size), y.subarray(size), params.guidance) : y;
  };

  const random = new SeededRandom(params.seed);
  const { init } = request;
  const all = sampler.timesteps;
  const from = init ? firstKeptStep(all.length, init.strength) : 0;
  let state = random.normals(size); // drawn for img2img too, as its noise, so seeds behave alike
  if (init) {
    if (from === all.length) return init.latent.slice();
    state = sampler.addNoise(init.latent, state, from);
  }
  const steps = all.length - from;
  for (let i = from; i < all.length; i++) {
    await stopIfRequested(ctx);
    const step = i - from;
    if (step === 0) onProgress({ phase: 'denoise', step: 0, steps });
    const { t, stage } = all[i]!;
    const input = sampler.modelInput(state, i, random);
    const output = await runUNet(plan.stages[stage]!, request.stages[stage]!, input, t, step, steps);
    const next = sampler.step(input, output, i, random);
    state = next.state;
    onProgress({ phase: 'denoise', step: step + 1, steps, preview: latentPreview(manifest, next.x0, h, w) });
  }
  return state;
}

/** Cooperative cancel, between steps: first a task boundary, so the worker reads a cancel (or a newer
 * request) sent while the last step ran, then the check. */
export async function stopIfRequested(ctx: PipelineContext): Promise<void> {
  await yieldToMessages();
  if (ctx.stopRequested?.()) throw new GenerationCancelledError();
}

/** Latent → RGBA through the plan's MoVQ decoder, undoing the pack's latent scaling; in windows where
 * the plan tiles decoding. */
export async function decodeLatent(
  ctx: PipelineContext,
  plan: GenerationPlan,
  x: Float32Array,
): Promise<Uint8ClampedArray> {
  await stopIfRequested(ctx);
  const { manifest, runner } = ctx;
  const { scale, shift, channels: c } = manifest.latent;
  const movqLatent = x.map((v) => v / scale + shift);
  const tiling = plan.tiling.decode;
  const image = tiling
    ? (
        await runInWindows(
          { data: movqLatent, channels: c, height: plan.latentHeight, width: plan.latentWidth },
          { height: plan.latentHeight, width: plan.latentWidth },
          tiling,
          1,
          manifest.latent.scaleFactor,
          3,
          windowRunner((feeds) => runner.run(plan.decoder, feeds), 'latent', 'image'),
        )
      ).data
    : asFloat32(
        (await runner.run(plan.decoder, { latent: float32(movqLatent, [1, c, plan.latentHeight, plan.latentWidth]) }))
          .image,
        'image',
      );
  return imageToRgba(image, plan.width, plan.height);
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
