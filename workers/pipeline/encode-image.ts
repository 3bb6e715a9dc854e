// RGBA → the pack's latent space through the MoVQ encoder (no quantisation), scaled like every latent
// of the pack: the start of image-to-image and the masked-image input of inpainting.
import { asFloat32, float32 } from './graph-runner';
import type { PipelineContext } from './pipeline-context';
import { runInWindows, windowRunner, type TileWindow } from './tiled-movq';

/** `image`: (1, 3, H, W) floats in [−1, 1]; `encoder`: the plan's MoVQ encoder; `tiling`: the plan's
 * windows for it, or null to encode the whole image at once. */
export async function encodeImage(
  ctx: PipelineContext,
  encoder: string,
  image: Float32Array,
  width: number,
  height: number,
  tiling: TileWindow | null = null,
): Promise<Float32Array> {
  const { manifest, runner } = ctx;
  const f = manifest.latent.scaleFactor;
  const encoded = tiling
    ? (
        await runInWindows(
          { data: image, channels: 3, height, width },
          { height: height / f, width: width / f },
          tiling,
          f,
          1,
          manifest.latent.channels,
          windowRunner((feeds) => runner.run(encoder, feeds), 'image', 'latent'),
        )
      ).data
    : asFloat32((await runner.run(encoder, { image: float32(image, [1, 3, height, width]) })).latent, 'latent');
  const { scale, shift } = manifest.latent;
  return encoded.map((v) => (v - shift) * scale);
}
