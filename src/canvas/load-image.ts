// Turns a picture the user brings (file picker, drop, paste) into a canvas image at a size the pack
// can make: the browser decodes it, and a 2D canvas scales it with its own high-quality filter.
import { fitSize, type CanvasImage, type SizeRules } from './canvas-image';

/** How reference pictures (edge guidance's picture, image fusion's pictures) are loaded: the longer
 * side fitted to 256 px, any size step. Not a model fact: the edge hint and the image encoder resample
 * the picture again to the sizes the pack wants, so this only keeps big photos small in memory while
 * leaving enough detail for those resamplings. */
export const REFERENCE_PICTURE_SIZE: SizeRules = { multipleOf: 1, min: 1, max: 1024, preferred: 256 };

export class ImageLoadError extends Error {
  override name = 'ImageLoadError';
}

export async function loadImageFile(file: Blob, rules: SizeRules): Promise<CanvasImage> {
  let bitmap: ImageBitmap;
  try {
    bitmap = await createImageBitmap(file);
  } catch {
    throw new ImageLoadError(
      `That file (${file.type || 'unknown type'}) is not an image this browser can read. Use a PNG, JPEG or WebP.`,
    );
  }
  const { width, height } = fitSize(bitmap.width, bitmap.height, rules);
  const canvas = new OffscreenCanvas(width, height);
  const context = canvas.getContext('2d')!;
  context.imageSmoothingQuality = 'high';
  context.fillStyle = '#fff'; // transparent parts become white, as the model has no alpha
  context.fillRect(0, 0, width, height);
  context.drawImage(bitmap, 0, 0, width, height);
  bitmap.close();
  return { width, height, pixels: context.getImageData(0, 0, width, height).data };
}
