// Text → image for one pack, driven by its manifest: which U-Net, schedule, prediction type, latent
// size and scaling, unconditional convention. Runtime-agnostic: it only sees a GraphRunner.
import type { ControlParams, GenerateParams, GeneratedImage, ProgressCallback, SamplerName } from '../engine-api';
import { ImageSizeError, InvalidParamsError } from '../errors';
import { INPAINTING_KINDS, type PackManifest } from '../pack/manifest';
import { checkControl, controlNetComponent, controlNetFor } from './controlnet';
import { decodeLatent, denoiseLatent, stageTimings, startTimings, type DenoiseRequest } from './denoise';
import { hintTensor } from './edge-map';
import { checkFusion, imageAdapterFor, imageConditioning } from './image-fusion';
import { encodeImage } from './encode-image';
import { rgbaToImage } from './image-to-tensor';
import type { GraphRunner } from './graph-runner';
import type { ConditioningCache } from './conditioning-cache';
import type { PromptTokenizer } from './prompt-tokenizer';
import { conditioningFor } from './text-conditioning';

export interface PipelineContext {
  manifest: PackManifest;
  tokenizer: PromptTokenizer;
  runner: GraphRunner;
  nullEmbedding?: Float32Array;
  /** Polled between steps: true once the user cancelled (cooperative cancel). */
  stopRequested?: () => boolean;
  /** Text encoder outputs of earlier prompts (IndexedDB in the worker). */
  conditioningCache?: ConditioningCache;
}

/** The U-Net component a sampler uses: Flash wants the distilled U-Net, the others the base one. */
export function unetFor(manifest: PackManifest, sampler: SamplerName): string {
  const unets = Object.entries(manifest.components).filter(
    ([, c]) => c.role === 'unet' && !INPAINTING_KINDS.includes(c.unet!.kind),
  );
  const wanted = sampler === 'flash' ? 'flash' : 'base';
  const match = unets.find(([, c]) => c.unet?.kind === wanted);
  if (match) return match[0];
  const fallback = manifest.components[manifest.defaults.unet];
  if (fallback?.unet && !INPAINTING_KINDS.includes(fallback.unet.kind)) return manifest.defaults.unet;
  throw new InvalidParamsError(`this pack has no U-Net for the ${sampler} sampler`);
}

export function availableSamplers(manifest: PackManifest): SamplerName[] {
  const kinds = new Set(Object.values(manifest.components).map((c) => c.unet?.kind));
  const out: SamplerName[] = [];
  if (kinds.has('flash')) out.push('flash');
  if (kinds.has('base') || !kinds.has('flash')) out.push('ddpm', 'ancestral');
  return out;
}

export function checkParams(manifest: PackManifest, params: GenerateParams): void {
  const res = manifest.resolution ?? { multipleOf: 8 * manifest.latent.scaleFactor, min: 64, max: 4096 };
  for (const [name, side] of [
    ['width', params.width],
    ['height', params.height],
  ] as const) {
    if (!Number.isInteger(side) || side % res.multipleOf !== 0 || side < res.min || side > res.max) {
      throw new InvalidParamsError(
        `${name} ${side} is not possible with ${manifest.title}: use a multiple of ${res.multipleOf} from ${res.min} to ${res.max}.`,
      );
    }
  }
  if (!Number.isInteger(params.seed) || params.seed < 0 || params.seed > 0xffffffff) {
    throw new InvalidParamsError(`seed ${params.seed} is not a whole number from 0 to 4294967295.`);
  }
  if (params.sampler !== 'flash' && (!Number.isInteger(params.steps) || params.steps < 1 || params.steps > 1000)) {
    throw new InvalidParamsError(`steps ${params.steps} must be a whole number from 1 to 1000.`);
  }
  if (!(params.guidance >= 0 && params.guidance <= 50)) {
    throw new InvalidParamsError(`guidance ${params.guidance} must be between 0 and 50.`);
  }
  if (params.init) {
    const pixels = params.width * params.height;
    if (params.init.image.length !== 4 * pixels) {
      throw new ImageSizeError(
        'start image',
        `${params.init.image.length / 4} pixels`,
        `${params.width}×${params.height} (${pixels} pixels)`,
      );
    }
    if (!(params.init.strength >= 0 && params.init.strength <= 1)) {
      throw new InvalidParamsError(`strength ${params.init.strength} must be between 0 and 1.`);
    }
  }
  if (params.control) {
    controlNetComponent(manifest, unetFor(manifest, params.sampler));
    checkControl(params.control, params.width, params.height);
  }
  if (params.fusion) checkFusion(manifest, unetFor(manifest, params.sampler), params.fusion);
}

export async function generate(
  ctx: PipelineContext,
  params: GenerateParams,
  onProgress: ProgressCallback,
): Promise<GeneratedImage> {
  const { manifest } = ctx;
  checkParams(manifest, params);
  const started = startTimings(ctx);
  const unetId = unetFor(manifest, params.sampler);
  const unet = manifest.components[unetId]!.unet!;
  const guided = params.sampler !== 'flash' && params.guidance > 0;

  onProgress({ phase: 'encode' });
  const conditioning = await conditioningFor(ctx, {
    prompt: params.prompt,
    negativePrompt: params.negativePrompt,
    guided,
    textComponent: unet.context.component,
    contextOutput: unet.context.output,
    nullEmbedding: ctx.nullEmbedding,
  });
  const textDone = performance.now();

  const f = manifest.latent.scaleFactor;
  const init = params.init && {
    latent: await encodeImage(
      ctx,
      rgbaToImage(params.init.image, params.width, params.height),
      params.width,
      params.height,
    ),
    strength: params.init.strength,
  };
  const control = params.control && (await controlRequest(ctx, params, params.control, unetId, guided));
  const image =
    params.fusion &&
    (await imageConditioning(ctx.runner, imageAdapterFor(manifest, unetId)!, params.fusion, conditioning.rows));
  const x = await denoiseLatent(ctx, params, {
    unetId,
    conditioning,
    height: params.height / f,
    width: params.width / f,
    init,
    control,
    image,
    onProgress,
  });
  const denoiseDone = performance.now();

  onProgress({ phase: 'decode' });
  const pixels = await decodeLatent(ctx, x, params.width, params.height);
  return {
    width: params.width,
    height: params.height,
    pixels,
    seed: params.seed,
    timings: stageTimings(ctx, started, textDone, denoiseDone, performance.now()),
  };
}

/** What the denoising loop needs to run the ControlNet: its component, the hint as a tensor, and the
 * context it was trained with (the base U-Net's projection; for Flash that is a second text output,
 * cached per prompt like the first). */
async function controlRequest(
  ctx: PipelineContext,
  params: GenerateParams,
  control: ControlParams,
  unetId: string,
  guided: boolean,
): Promise<DenoiseRequest['control']> {
  const info = controlNetFor(ctx.manifest, unetId)!;
  const conditioning = await conditioningFor(ctx, {
    prompt: params.prompt,
    negativePrompt: params.negativePrompt,
    guided,
    textComponent: info.context.component,
    contextOutput: info.context.output,
    nullEmbedding: ctx.nullEmbedding,
  });
  return {
    info,
    conditioning,
    hint: hintTensor(control.hint, params.width, params.height),
    hintDims: [params.height, params.width],
    strength: control.strength,
    start: control.start,
    end: control.end,
  };
}

export function decoderComponent(manifest: PackManifest): string {
  const entry = Object.entries(manifest.components).find(([, c]) => c.role === 'movq-decoder');
  if (!entry) throw new InvalidParamsError(`${manifest.title} has no MoVQ decoder`);
  return entry[0];
}
