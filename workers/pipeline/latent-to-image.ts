// MoVQ output (1, 3, H, W) in [−1, 1] → RGBA bytes, as the pipelines do: (x + 1)/2, clamped.
export function imageToRgba(image: Float32Array, width: number, height: number): Uint8ClampedArray {
  const plane = width * height;
  if (image.length !== 3 * plane) throw new Error(`expected a 3×${height}×${width} image, got ${image.length} values`);
  const rgba = new Uint8ClampedArray(4 * plane);
  for (let i = 0; i < plane; i++) {
    for (let c = 0; c < 3; c++) rgba[4 * i + c] = Math.round(((image[c * plane + i]! + 1) / 2) * 255);
    rgba[4 * i + 3] = 255;
  }
  return rgba;
}
