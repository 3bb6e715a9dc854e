// Colour matching (kandinsky3-architecture §10.2): each diffused frame drifts a little in colour, and over dozens of
// frames the drift compounds (Deforum's well-known saturation creep). Matching every frame's per-channel
// mean and spread to frame 0's keeps the palette; it is cheap and leaves the layout alone.
import type { CanvasImage } from '../canvas/canvas-image';

export interface ColorStats {
  mean: [number, number, number];
  std: [number, number, number];
}

export function colorStats(image: CanvasImage): ColorStats {
  const n = image.width * image.height;
  const sum = [0, 0, 0];
  const sq = [0, 0, 0];
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < 3; c++) {
      const v = image.pixels[4 * i + c]!;
      sum[c]! += v;
      sq[c]! += v * v;
    }
  }
  const mean = sum.map((s) => s / n) as [number, number, number];
  const std = sq.map((s, c) => Math.sqrt(Math.max(0, s / n - mean[c]! ** 2))) as [number, number, number];
  return { mean, std };
}

/** `image` with each channel's mean and standard deviation moved to `target`'s. A flat channel (no
 * spread) is only shifted, never divided by zero. */
export function matchColors(image: CanvasImage, target: ColorStats): CanvasImage {
  const own = colorStats(image);
  const out = new Uint8ClampedArray(image.pixels.length);
  const gain = own.std.map((s, c) => (s > 1e-6 ? target.std[c]! / s : 1));
  for (let i = 0; i < image.pixels.length; i += 4) {
    for (let c = 0; c < 3; c++) {
      out[i + c] = Math.round((image.pixels[i + c]! - own.mean[c]!) * gain[c]! + target.mean[c]!);
    }
    out[i + 3] = image.pixels[i + 3]!;
  }
  return { width: image.width, height: image.height, pixels: out };
}
