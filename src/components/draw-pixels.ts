// Puts RGBA pixels on a canvas at their own size (CSS scales them for display).
export function drawPixels(
  canvas: HTMLCanvasElement | null,
  image: { width: number; height: number; pixels: Uint8ClampedArray } | null | undefined,
): void {
  if (!canvas || !image) return;
  canvas.width = image.width;
  canvas.height = image.height;
  canvas
    .getContext('2d')
    ?.putImageData(new ImageData(new Uint8ClampedArray(image.pixels), image.width, image.height), 0, 0);
}
