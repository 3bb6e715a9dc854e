// Image fusion (IP-Adapter, kandinsky3-architecture §9.1): reference pictures go through the pack's image encoder;
// the conditional row gets the weighted sum of their embeddings, the unconditional row the embedding of
// an all-zero pixel tensor, and every cross-attention of the U-Net reads them through its image branch at
// `image_weight`. U-Nets with an adapter always take those inputs, so without pictures they get zeros at
// weight 0, which leave the U-Net exactly as it is.
import type { FusionParams } from '../../shared/engine-api';
import { InvalidParamsError } from '../../shared/errors';
import type { PackManifest } from '../pack/manifest';
import { asFloat32, float32, type GraphRunner, type TensorData } from './graph-runner';

/** The most reference pictures one image mixes: each is one encoder row, and four already blend
 * beyond recognition on nano. */
export const MAX_FUSION_IMAGES = 4;

export interface ImageAdapterInfo {
  encoder: string;
  output: string;
  side: number;
  mean: [number, number, number];
  std: [number, number, number];
  width: number; // the embedding's width
}

/** The image encoder that feeds `unetId`'s IP-Adapter, if it has one. */
export function imageAdapterFor(manifest: PackManifest, unetId: string): ImageAdapterInfo | undefined {
  const adapter = manifest.components[unetId]?.unet?.imageAdapter;
  if (!adapter) return undefined;
  const encoder = manifest.components[adapter.component];
  const info = encoder?.imageEncoder;
  const width = manifest.components[unetId]!.inputs.find((i) => i.name === 'image_embeds')?.shape[1];
  if (!info || typeof width !== 'number') return undefined; // validateManifest names these
  return { encoder: adapter.component, output: adapter.output, side: info.side, mean: info.mean, std: info.std, width };
}

export function checkFusion(manifest: PackManifest, unetId: string, fusion: FusionParams): void {
  if (!imageAdapterFor(manifest, unetId)) {
    const kind = manifest.components[unetId]?.unet?.kind ?? unetId;
    throw new InvalidParamsError(
      `${manifest.title} has no image adapter for its ${kind} U-Net: remove the reference pictures` +
        (kind === 'inpainting' ? ' to inpaint' : ', or load a pack with one (the bundled nano pack has one)') +
        '.',
    );
  }
  if (fusion.images.length < 1 || fusion.images.length > MAX_FUSION_IMAGES) {
    throw new InvalidParamsError(
      `image fusion takes 1 to ${MAX_FUSION_IMAGES} reference pictures, not ${fusion.images.length}.`,
    );
  }
  for (const [i, image] of fusion.images.entries()) {
    const { width, height } = image;
    if (!(Number.isInteger(width) && Number.isInteger(height) && width > 0 && height > 0)) {
      throw new InvalidParamsError(`reference picture ${i + 1} has no pixels (${width}×${height}).`);
    }
    if (image.pixels.length !== 4 * width * height) {
      // Any size is fine (it is scaled), but the pixels must be the size they claim.
      throw new InvalidParamsError(
        `reference picture ${i + 1} says ${width}×${height} but carries ${image.pixels.length / 4} pixels: open it again.`,
      );
    }
    if (!(image.weight >= 0 && image.weight <= 2)) {
      throw new InvalidParamsError(`the weight ${image.weight} of reference picture ${i + 1} must be between 0 and 2.`);
    }
  }
  if (!fusion.images.some((image) => image.weight > 0)) {
    throw new InvalidParamsError('every reference picture has weight 0: give at least one a weight above 0.');
  }
  if (!(fusion.scale >= 0 && fusion.scale <= 2)) {
    throw new InvalidParamsError(`image strength ${fusion.scale} must be between 0 and 2.`);
  }
}

/** RGBA (width × height) → the encoder's (3, side, side) input, as CLIP's processor makes it: the
 * shorter side scaled to `side`, the centre cropped, RGB in [0, 1] normalised by the per-channel mean and
 * std. Transparent pixels count as white, the background nano's emoji were drawn on. Each output pixel
 * averages the source area it covers (where CLIP resamples bicubically), so large photos shrink without
 * aliasing. */
export function referenceTensor(
  pixels: Uint8ClampedArray,
  width: number,
  height: number,
  side: number,
  mean: readonly number[],
  std: readonly number[],
): Float32Array {
  const crop = Math.min(width, height);
  const x0 = (width - crop) / 2;
  const y0 = (height - crop) / 2;
  const step = crop / side;
  const out = new Float32Array(3 * side * side);
  for (let oy = 0; oy < side; oy++) {
    const top = y0 + oy * step;
    for (let ox = 0; ox < side; ox++) {
      const left = x0 + ox * step;
      const sum = [0, 0, 0];
      let area = 0;
      for (let sy = Math.floor(top); sy < Math.min(height, Math.ceil(top + step)); sy++) {
        const cy = Math.min(sy + 1, top + step) - Math.max(sy, top);
        for (let sx = Math.floor(left); sx < Math.min(width, Math.ceil(left + step)); sx++) {
          const a = cy * (Math.min(sx + 1, left + step) - Math.max(sx, left));
          if (a <= 0) continue;
          const p = 4 * (sy * width + sx);
          const alpha = pixels[p + 3]! / 255;
          for (let ch = 0; ch < 3; ch++) sum[ch]! += a * (pixels[p + ch]! * alpha + 255 * (1 - alpha));
          area += a;
        }
      }
      for (let ch = 0; ch < 3; ch++) {
        out[ch * side * side + oy * side + ox] = (sum[ch]! / (255 * area) - mean[ch]!) / std[ch]!;
      }
    }
  }
  return out;
}

/** Σ weightᵢ · embeddingᵢ over rows of `width` (the fork's fusion: a weighted sum, un-normalised). */
export function mixEmbeddings(embeddings: Float32Array, weights: readonly number[], width: number): Float32Array {
  const mixed = new Float32Array(width);
  weights.forEach((w, i) => {
    for (let k = 0; k < width; k++) mixed[k]! += w * embeddings[i * width + k]!;
  });
  return mixed;
}

export interface ImageConditioning {
  /** (rows, width): row 0 the mix, row 1 (with guidance) the zero image's embedding. */
  embeds: Float32Array;
  scale: number;
}

/** Runs the image encoder once on the reference pictures and, with guidance, the zero image. */
export async function imageConditioning(
  runner: GraphRunner,
  info: ImageAdapterInfo,
  fusion: FusionParams,
  rows: 1 | 2,
): Promise<ImageConditioning> {
  const n = fusion.images.length;
  const size = 3 * info.side * info.side;
  // The zero image is all-zero encoder input (not black pixels), as in the fork's pipeline.
  const batch = new Float32Array((n + (rows === 2 ? 1 : 0)) * size);
  fusion.images.forEach((image, i) => {
    batch.set(referenceTensor(image.pixels, image.width, image.height, info.side, info.mean, info.std), i * size);
  });
  const out = await runner.run(info.encoder, {
    image: float32(batch, [batch.length / size, 3, info.side, info.side]),
  });
  const embeddings = asFloat32(out[info.output], info.output);
  const embeds = new Float32Array(rows * info.width);
  embeds.set(
    mixEmbeddings(
      embeddings,
      fusion.images.map((image) => image.weight),
      info.width,
    ),
  );
  if (rows === 2) embeds.set(embeddings.subarray(n * info.width, (n + 1) * info.width), info.width);
  return { embeds, scale: fusion.scale };
}

/** The U-Net's image inputs for this batch: the conditioning's, or zeros at weight 0 (exactly no image). */
export function imageFeeds(
  info: ImageAdapterInfo,
  rows: number,
  image: ImageConditioning | undefined,
): Record<string, TensorData> {
  const embeds = image?.embeds ?? new Float32Array(rows * info.width);
  return {
    image_embeds: float32(embeds, [rows, info.width]),
    image_weight: float32(new Float32Array(rows).fill(image?.scale ?? 0), [rows]),
  };
}
