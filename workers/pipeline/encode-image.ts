// RGBA → the pack's latent space through the MoVQ encoder (no quantisation), scaled like every latent
// of the pack: the start of image-to-image and the masked-image input of inpainting.
import { asFloat32, float32 } from './graph-runner';
import type { PipelineContext } from './pipeline-context';

/** `image`: (1, 3, H, W) floats in [−1, 1]; `encoder`: the plan's MoVQ encoder. */
export async function encodeImage(
  ctx: PipelineContext,
  encoder: string,
  image: Float32Array,
  width: number,
  height: number,
): Promise<Float32Array> {
  const { manifest, runner } = ctx;
  const encoded = asFloat32(
    (await runner.run(encoder, { image: float32(image, [1, 3, height, width]) })).latent,
    'latent',
  );
  const { scale, shift } = manifest.latent;
  return encoded.map((v) => (v - shift) * scale);
}
