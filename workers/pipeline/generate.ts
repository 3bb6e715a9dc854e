// Text → image for one pack, driven by its manifest: which U-Net, schedule, prediction type, latent
// size and scaling, unconditional convention. Runtime-agnostic: it only sees a GraphRunner.
//
// Random numbers, all from one SeededRandom(seed) stream in this order: the initial latent, then one
// fresh latent-sized draw per step that needs noise (every Flash step; ancestral steps with prev > 0).
import type { GenerateParams, GeneratedImage, ProgressCallback, SamplerName } from '../engine-api';
import { InvalidParamsError } from '../errors';
import type { PackManifest } from '../pack/manifest';
import { ancestralStep, ancestralTimesteps } from './ancestral-sampler';
import { FLASH_TIMESTEPS, flashNoisedInput, flashStep } from './flash-sampler';
import { asFloat32, float32, type GraphRunner } from './graph-runner';
import { imageToRgba } from './latent-to-image';
import { guide } from './prediction';
import type { PromptTokenizer } from './prompt-tokenizer';
import { SeededRandom } from './random';
import { alphasCumprod } from './schedule';
import { conditioningTensors, encodeConditioning } from './text-conditioning';

export interface PipelineContext {
  manifest: PackManifest;
  tokenizer: PromptTokenizer;
  runner: GraphRunner;
  nullEmbedding?: Float32Array;
}

/** The U-Net component a sampler uses: Flash wants the distilled U-Net, the others the base one. */
export function unetFor(manifest: PackManifest, sampler: SamplerName): string {
  const unets = Object.entries(manifest.components).filter(
    ([, c]) => c.role === 'unet' && c.unet?.kind !== 'inpainting',
  );
  const wanted = sampler === 'flash' ? 'flash' : 'base';
  const match = unets.find(([, c]) => c.unet?.kind === wanted);
  if (match) return match[0];
  const fallback = manifest.components[manifest.defaults.unet];
  if (fallback?.unet?.kind !== 'inpainting') return manifest.defaults.unet;
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
}

export async function generate(
  ctx: PipelineContext,
  params: GenerateParams,
  onProgress: ProgressCallback,
): Promise<GeneratedImage> {
  const { manifest, runner } = ctx;
  checkParams(manifest, params);
  const started = performance.now();
  const unetId = unetFor(manifest, params.sampler);
  const unet = manifest.components[unetId]!.unet!;
  const flash = params.sampler === 'flash';
  const guided = !flash && params.guidance > 0;

  onProgress({ phase: 'encode' });
  const conditioning = await encodeConditioning(manifest, ctx.tokenizer, runner, {
    prompt: params.prompt,
    negativePrompt: params.negativePrompt,
    guided,
    textComponent: unet.context.component,
    contextOutput: unet.context.output,
    nullEmbedding: ctx.nullEmbedding,
  });
  const textDone = performance.now();

  const f = manifest.latent.scaleFactor;
  const [h, w, c] = [params.height / f, params.width / f, manifest.latent.channels];
  const size = c * h * w;
  const alphas = alphasCumprod(manifest.schedule);
  // Kandinsky 3 samplers assume x̂₀ in [−1, 1]; nano latents have unit variance (manifest latent.clipRange).
  const clipRange = manifest.latent.clipRange ?? 1;
  const random = new SeededRandom(params.seed);
  const cond = conditioningTensors(conditioning);
  const runUNet = async (x: Float32Array, t: number): Promise<Float32Array> => {
    const rows = conditioning.rows;
    const batch = new Float32Array(rows * size);
    for (let r = 0; r < rows; r++) batch.set(x, r * size);
    const out = await runner.run(unetId, {
      sample: float32(batch, [rows, c, h, w]),
      timestep: float32(new Float32Array(rows).fill(t), [rows]),
      ...cond,
    });
    const y = asFloat32(out.model_output, 'model_output');
    return rows === 2 ? guide(y.subarray(0, size), y.subarray(size), params.guidance) : y;
  };

  let x = random.normals(size);
  if (flash) {
    const timesteps = unet.flashTimesteps ?? FLASH_TIMESTEPS;
    for (const [i, t] of timesteps.entries()) {
      onProgress({ phase: 'denoise', step: i + 1, steps: timesteps.length });
      const xt = flashNoisedInput(x, random.normals(size), alphas[t]!);
      x = flashStep(xt, await runUNet(xt, t), alphas[t]!, unet.predictionType);
    }
  } else {
    const grid = ancestralTimesteps(
      params.steps,
      params.sampler === 'ancestral' ? 'original' : 'diffusers',
      alphas.length,
    );
    for (const [i, [t, prev]] of grid.entries()) {
      onProgress({ phase: 'denoise', step: i + 1, steps: grid.length });
      const output = await runUNet(x, t);
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
  }
  const denoiseDone = performance.now();

  onProgress({ phase: 'decode' });
  const { scale, shift } = manifest.latent;
  const movqLatent = x.map((v) => v / scale + shift);
  const decoded = await runner.run(decoderComponent(manifest), { latent: float32(movqLatent, [1, c, h, w]) });
  const pixels = imageToRgba(asFloat32(decoded.image, 'image'), params.width, params.height);
  const end = performance.now();
  return {
    width: params.width,
    height: params.height,
    pixels,
    seed: params.seed,
    timings: {
      totalMs: end - started,
      textMs: textDone - started,
      denoiseMs: denoiseDone - textDone,
      decodeMs: end - denoiseDone,
    },
  };
}

export function decoderComponent(manifest: PackManifest): string {
  const entry = Object.entries(manifest.components).find(([, c]) => c.role === 'movq-decoder');
  if (!entry) throw new InvalidParamsError(`${manifest.title} has no MoVQ decoder`);
  return entry[0];
}
