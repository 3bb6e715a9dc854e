// Text → image (and image → image) for one pack, following a plan: the conditioning of each of the
// sampler's U-Nets, the optional start image, edge hint and reference pictures, the denoising loop,
// and the decode. Runtime-agnostic: it only sees a GraphRunner.
import type { GenerateParams, GeneratedImage, ProgressCallback } from '../../shared/engine-api';
import { hintTensor } from '../../shared/edge-map';
import { decodeLatent, denoiseLatent, stageTimings, startTimings } from './denoise';
import { encodeImage } from './encode-image';
import { rgbaToImage } from './image-to-tensor';
import type { PipelineContext } from './pipeline-context';
import { planRequest, type GenerationPlan } from './plan';
import { stageInputs } from './stage-inputs';

export async function generate(
  ctx: PipelineContext,
  params: GenerateParams,
  onProgress: ProgressCallback,
  plan: GenerationPlan = planRequest(ctx.manifest, params, 'text-to-image'),
): Promise<GeneratedImage> {
  const started = startTimings(ctx);
  onProgress({ phase: 'encode' });
  const stages = await stageInputs(ctx, plan, params, true);
  const textDone = performance.now();

  const init = params.init && {
    latent: await encodeImage(
      ctx,
      plan.encoder!,
      rgbaToImage(params.init.image, params.width, params.height),
      params.width,
      params.height,
      plan.tiling.encode,
    ),
    strength: params.init.strength,
  };
  const control = params.control && {
    hint: hintTensor(params.control.hint, params.width, params.height),
    hintDims: [params.height, params.width] as [number, number],
    strength: params.control.strength,
    start: params.control.start,
    end: params.control.end,
  };
  const x = await denoiseLatent(ctx, plan, params, { stages, init, control, onProgress });
  const denoiseDone = performance.now();

  onProgress({ phase: 'decode' });
  const pixels = await decodeLatent(ctx, plan, x);
  return {
    width: params.width,
    height: params.height,
    pixels,
    seed: params.seed,
    timings: stageTimings(ctx, started, textDone, denoiseDone, performance.now()),
  };
}
