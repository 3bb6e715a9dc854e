// RGBA bytes → (1, 3, H, W) floats in [−1, 1], the MoVQ encoder's input; the inverse of imageToRgba.
export function rgbaToImage(rgba: Uint8ClampedArray, width: number, height: number): Float32Array {
  const plane = width * height;
  const image = new Float32Array(3 * plane);
  for (let i = 0; i < plane; i++) {
    for (let c = 0; c < 3; c++) image[c * plane + i] = (rgba[4 * i + c]! / 255) * 2 - 1;
  }
  return image;
}
