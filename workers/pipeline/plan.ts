// One request resolved once into everything that runs it: the sampler, the U-Net of each of its
// stages with that U-Net's text output, ControlNet and image adapter, the MoVQ encoder and decoder,
// and the checked sizes. The engine plans a request before loading anything for it; the pipeline
// then only follows the plan.
import type { GenerateParams, InpaintParams, SamplerInfo, SamplerName } from '../../shared/engine-api';
import { InvalidParamsError } from '../../shared/errors';
import type { CodingStage, PackManifest, UNetInfo } from '../../shared/pack-manifest';
import type { SizeFit } from '../pack/device-limits';
import { checkControl, controlNetComponent, controlNetFor, type ControlNetInfo } from './controlnet';
import { FLASH_TIMESTEPS } from './flash-sampler';
import { checkFusion, imageAdapterFor, type ImageAdapterInfo } from './image-fusion';
import { checkCommon, checkInpaintInputs, checkSize } from './request-checks';
import type { Sampler, UNetStage } from './sampler';
import { SAMPLERS, SAMPLER_NAMES, type SamplerEntry } from './sampler-registry';
import { alphasCumprod } from './schedule';
import type { TileWindow } from './tiled-movq';

export type Task = 'text-to-image' | 'inpaint';

/** One U-Net the sampler runs, and what it is fed with. */
export interface StagePlan {
  unetId: string;
  unet: UNetInfo;
  /** Runs the unconditional row too (guidance > 0 on an undistilled U-Net). */
  guided: boolean;
  /** The ControlNet wired to this U-Net: it always takes the residual inputs (zeros without a hint). */
  controlNet?: ControlNetInfo;
  /** Its IP-Adapter: it always takes the image inputs (zeros at weight 0 without pictures). */
  imageAdapter?: ImageAdapterInfo;
}

export interface GenerationPlan {
  task: Task;
  samplerName: SamplerName;
  sampler: Sampler;
  stages: Partial<Record<UNetStage, StagePlan>>;
  width: number;
  height: number;
  latentWidth: number;
  latentHeight: number;
  /** The MoVQ encoder, when the request starts from an image (image-to-image, inpainting). */
  encoder: string | null;
  decoder: string;
  /** The windows the decoder and encoder run in (the pack's memory plan), or null: the whole latent. */
  tiling: Record<CodingStage, TileWindow | null>;
  /** Every component the request runs, so the engine can load those it has not yet. */
  components: string[];
}

/** Device limits the engine knows of: whether an image of this size fits (the memory plan), and whether
 * its MoVQ decoder and encoder then run in windows. */
export interface DeviceSizeLimits {
  sizeFit(width: number, height: number): SizeFit;
}

const UNET_KINDS: Record<Task, Record<UNetStage, readonly string[]>> = {
  'text-to-image': { base: ['base'], flash: ['flash'] },
  // Flash takes the distilled inpainting U-Net where the pack has one (its steps are what it learned),
  // else the undistilled one.
  inpaint: { base: ['inpainting'], flash: ['inpainting_flash', 'inpainting'] },
};

/** The U-Net a stage runs for a task, or null when the pack has none. A text-to-image pack with one
 * undistilled U-Net of another kind (a converted checkpoint) runs it as its base. */
export function stageUNet(manifest: PackManifest, stage: UNetStage, task: Task): string | null {
  const entries = Object.entries(manifest.components);
  for (const kind of UNET_KINDS[task][stage]) {
    const match = entries.find(([, c]) => c.role === 'unet' && c.unet?.kind === kind);
    if (match) return match[0];
  }
  if (task === 'text-to-image' && stage === 'base' && !entries.some(([, c]) => c.unet?.kind === 'flash')) {
    const fallback = manifest.components[manifest.defaults.unet]?.unet?.kind;
    if (fallback === 'base' || fallback === 'flash') return manifest.defaults.unet;
  }
  return null;
}

function isAvailable(manifest: PackManifest, entry: SamplerEntry, task: Task): boolean {
  return entry.stages.every((stage) => stageUNet(manifest, stage, task) !== null);
}

/** The samplers this pack can run for text-to-image, with what each takes, for the UI. */
export function samplerOptions(manifest: PackManifest): SamplerInfo[] {
  return SAMPLER_NAMES.filter((name) => isAvailable(manifest, SAMPLERS[name], 'text-to-image')).map((name) => {
    const entry = SAMPLERS[name];
    const fixedSteps = entry.usesSteps ? null : flashTimesteps(manifest, 'text-to-image').length;
    const packDefault = manifest.defaults.sampler === name;
    const guidance = entry.stages.includes('base');
    return {
      name,
      fixedSteps,
      defaultSteps: fixedSteps ?? (packDefault ? manifest.defaults.steps : entry.defaults.steps),
      maxSteps: fixedSteps ?? manifest.schedule.numTrainTimesteps,
      guidance,
      defaultGuidance: guidance ? (packDefault ? manifest.defaults.guidance : entry.defaults.guidance) : 0,
    };
  });
}

function flashTimesteps(manifest: PackManifest, task: Task): readonly number[] {
  const id = stageUNet(manifest, 'flash', task);
  return (id && manifest.components[id]!.unet!.flashTimesteps) || FLASH_TIMESTEPS;
}

export function decoderComponent(manifest: PackManifest): string {
  const entry = Object.entries(manifest.components).find(([, c]) => c.role === 'movq-decoder');
  if (!entry) throw new InvalidParamsError(`${manifest.title} has no MoVQ decoder`);
  return entry[0];
}

export function movqEncoder(manifest: PackManifest): string | null {
  return Object.entries(manifest.components).find(([, c]) => c.role === 'movq-encoder')?.[0] ?? null;
}

/** The components text-to-image with the pack's default sampler runs: loaded with the pack. */
export function defaultComponents(manifest: PackManifest): string[] {
  const entry = SAMPLERS[manifest.defaults.sampler];
  const unets = entry.stages.map((stage) => stageUNet(manifest, stage, 'text-to-image') ?? manifest.defaults.unet);
  const texts = unets.map((id) => manifest.components[id]!.unet!.context.component);
  return [...new Set([...texts, ...unets, decoderComponent(manifest)])];
}

/** Whether the pack can inpaint (and outpaint): an inpainting U-Net and a MoVQ encoder. */
export function canInpaint(manifest: PackManifest): boolean {
  return stageUNet(manifest, 'flash', 'inpaint') !== null && movqEncoder(manifest) !== null;
}

/** Checks the request and resolves it; throws a named error for anything that cannot run. */
export function planRequest(
  manifest: PackManifest,
  params: GenerateParams | InpaintParams,
  task: Task,
  limits?: DeviceSizeLimits,
): GenerationPlan {
  const entry = SAMPLERS[params.sampler];
  if (!entry) {
    throw new InvalidParamsError(
      `there is no sampler called "${params.sampler}": use one of ${SAMPLER_NAMES.join(', ')}.`,
    );
  }
  const encoder = movqEncoder(manifest);
  if (task === 'inpaint' && (!canInpaint(manifest) || !encoder)) {
    throw new InvalidParamsError(
      `${manifest.title} has no inpainting U-Net and MoVQ encoder: pick a pack with inpainting.`,
    );
  }
  const unetIds = entry.stages.map((stage) => {
    const id = stageUNet(manifest, stage, task);
    if (!id) {
      const offered = SAMPLER_NAMES.filter((name) => isAvailable(manifest, SAMPLERS[name], task));
      throw new InvalidParamsError(
        `${manifest.title} has no ${stage === 'flash' ? 'distilled' : 'undistilled'} ${task === 'inpaint' ? 'inpainting ' : ''}` +
          `U-Net, which the ${params.sampler} sampler needs: pick ${offered.join(' or ')}.`,
      );
    }
    return id;
  });
  // The inpainting U-Net has no IP-Adapter (the 3.1 adapter is for text-to-image): named before the
  // size checks, since no size would help.
  if (task === 'inpaint' && params.fusion) for (const id of unetIds) checkFusion(manifest, id, params.fusion);
  checkSize(manifest, params);
  const fit = limits?.sizeFit(params.width, params.height);
  const tooLarge = fit?.problems ?? [];
  if (tooLarge.length > 0) {
    throw new InvalidParamsError(
      `${params.width}×${params.height} is too large for this device: ${tooLarge.join('; ')}.`,
    );
  }
  checkCommon(params, entry.usesSteps ? manifest.schedule.numTrainTimesteps : null);
  if (params.control) {
    for (const id of unetIds) controlNetComponent(manifest, id);
    checkControl(params.control, params.width, params.height);
  }
  if (task === 'text-to-image' && params.fusion) for (const id of unetIds) checkFusion(manifest, id, params.fusion);
  if (task === 'inpaint') checkInpaintInputs(params as InpaintParams);

  const stages: Partial<Record<UNetStage, StagePlan>> = {};
  for (const [i, stage] of entry.stages.entries()) {
    const unetId = unetIds[i]!;
    const unet = manifest.components[unetId]!.unet!;
    stages[stage] = {
      unetId,
      unet,
      guided: stage === 'base' && params.guidance > 0,
      controlNet: controlNetFor(manifest, unetId),
      imageAdapter: imageAdapterFor(manifest, unetId),
    };
  }
  const f = manifest.latent.scaleFactor;
  const alphas = alphasCumprod(manifest.schedule);
  const sampler = entry.create({
    steps: params.steps,
    alphas,
    flashTimesteps: flashTimesteps(manifest, task),
    // Kandinsky 3 samplers assume x̂₀ in [−1, 1]; nano latents have unit variance (manifest latent.clipRange).
    clipRange: manifest.latent.clipRange ?? 1,
    sampleSize: manifest.latent.channels * (params.height / f) * (params.width / f),
    predictionType: (stage) => stages[stage]!.unet.predictionType,
  });
  const usesEncoder = task === 'inpaint' || params.init !== undefined;
  const plans = Object.values(stages);
  const components = [
    ...plans.map((s) => s.unet.context.component),
    ...plans.map((s) => s.unetId),
    ...(params.control ? plans.map((s) => s.controlNet!.component) : []),
    ...(params.fusion ? plans.map((s) => s.imageAdapter!.encoder) : []),
    ...(usesEncoder && encoder ? [encoder] : []),
    decoderComponent(manifest),
  ];
  if (usesEncoder && !encoder) {
    throw new InvalidParamsError(`${manifest.title} has no MoVQ encoder, so it cannot start from an image.`);
  }
  return {
    task,
    samplerName: params.sampler,
    sampler,
    stages,
    width: params.width,
    height: params.height,
    latentWidth: params.width / f,
    latentHeight: params.height / f,
    encoder: usesEncoder ? encoder : null,
    decoder: decoderComponent(manifest),
    tiling: { decode: tilingOf(manifest, fit?.tiled.decode), encode: tilingOf(manifest, fit?.tiled.encode) },
    components: [...new Set(components)],
  };
}

function tilingOf(manifest: PackManifest, tiled: boolean | undefined): TileWindow | null {
  const tiles = manifest.memoryPlan?.tiles;
  return tiled && tiles ? { window: tiles.latentWindow, overlap: tiles.latentOverlap } : null;
}
