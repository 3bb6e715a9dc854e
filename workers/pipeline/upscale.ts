// The pack's upscaler (the role of Kandinsky 3.1's KandiSuperRes): one graph that enlarges an RGB
// picture in [−1, 1] by its factor. The picture is checked against the sides the manifest says it takes.
import type { Picture, UpscaledPicture } from '../../shared/engine-api';
import { NoUpscalerError, UpscaleSizeError } from '../../shared/errors';
import type { PackManifest, UpscalerInfo } from '../pack/manifest';
import { rgbaToImage } from './image-to-tensor';
import { imageToRgba } from './latent-to-image';
import type { PipelineContext } from './pipeline-context';

/** The pack's default upscaler component and what it takes, or null when it has none. */
export function upscalerOf(manifest: PackManifest): { component: string; info: UpscalerInfo } | null {
  const id = manifest.defaults.upscaler;
  const info = id ? manifest.components[id]?.upscaler : undefined;
  return id && info ? { component: id, info } : null;
}

/** Why the upscaler does not take a picture of this size, or null when it does. */
export function upscaleSizeProblem(info: UpscalerInfo, width: number, height: number): UpscaleSizeError | null {
  const { min, max, multipleOf } = info.input;
  const fits = (side: number) => side >= min && side <= max && side % multipleOf === 0;
  if (fits(width) && fits(height)) return null;
  return new UpscaleSizeError(
    `${width}×${height} px`,
    `from ${min} to ${max} px on each side, in steps of ${multipleOf} px`,
  );
}

export async function upscale(ctx: PipelineContext, picture: Picture): Promise<UpscaledPicture> {
  const upscaler = upscalerOf(ctx.manifest);
  if (!upscaler) throw new NoUpscalerError(ctx.manifest.title);
  const { width, height, pixels } = picture;
  if (pixels.length !== 4 * width * height) {
    throw new UpscaleSizeError(`${pixels.length / 4} pixels for ${width}×${height}`, 'whole RGBA pictures');
  }
  const problem = upscaleSizeProblem(upscaler.info, width, height);
  if (problem) throw problem;
  const started = performance.now();
  const out = await ctx.runner.run(upscaler.component, {
    image: { type: 'float32', data: rgbaToImage(pixels, width, height), dims: [1, 3, height, width] },
  });
  const ms = performance.now() - started;
  const factor = upscaler.info.factor;
  const image = out.upscaled!;
  return {
    width: width * factor,
    height: height * factor,
    pixels: imageToRgba(image.data as Float32Array, width * factor, height * factor),
    factor,
    ms,
  };
}
