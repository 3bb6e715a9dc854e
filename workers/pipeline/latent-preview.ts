// A cheap look at an unfinished image: x̂₀ through the pack's fitted linear latent → RGB map
// (manifest latent.preview), one small matrix product per latent cell instead of a decoder pass.
import type { PreviewImage } from '../../shared/engine-api';
import type { PackManifest } from '../pack/manifest';

export function latentPreview(
  manifest: PackManifest,
  x0: Float32Array,
  height: number,
  width: number,
): PreviewImage | undefined {
  const map = manifest.latent.preview;
  const c = manifest.latent.channels;
  if (!map || map.weights.some((row) => row.length !== c)) return undefined;
  const plane = height * width;
  const pixels = new Uint8ClampedArray(plane * 4);
  for (let i = 0; i < plane; i++) {
    for (let j = 0; j < 3; j++) {
      let v = map.bias[j]!;
      for (let k = 0; k < c; k++) v += map.weights[j]![k]! * x0[k * plane + i]!;
      pixels[4 * i + j] = Math.round(((v + 1) / 2) * 255);
    }
    pixels[4 * i + 3] = 255;
  }
  return { width, height, pixels };
}
