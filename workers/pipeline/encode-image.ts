// RGBA → the pack's latent space through the MoVQ encoder (no quantisation), scaled like every latent
// of the pack: the start of image-to-image and the masked-image input of inpainting.
import { InvalidParamsError } from '../errors';
import type { PackManifest } from '../pack/manifest';
import type { PipelineContext } from './generate';
import { asFloat32, float32 } from './graph-runner';

export function movqEncoder(manifest: PackManifest): string | null {
  return Object.entries(manifest.components).find(([, c]) => c.role === 'movq-encoder')?.[0] ?? null;
}

/** `image`: (1, 3, H, W) floats in [−1, 1]. */
export async function encodeImage(
  ctx: PipelineContext,
  image: Float32Array,
  width: number,
  height: number,
): Promise<Float32Array> {
  const { manifest, runner } = ctx;
  const encoder = movqEncoder(manifest);
  if (!encoder)
    throw new InvalidParamsError(`${manifest.title} has no MoVQ encoder, so it cannot start from an image.`);
  const encoded = asFloat32(
    (await runner.run(encoder, { image: float32(image, [1, 3, height, width]) })).latent,
    'latent',
  );
  const { scale, shift } = manifest.latent;
  return encoded.map((v) => (v - shift) * scale);
}
