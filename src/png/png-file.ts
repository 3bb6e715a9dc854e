// PNG files in the browser: an image encoded by the browser with its parameters added as text, and
// the parameters read back from a PNG the user drops on the app.
import { formatParameters, parseParameters, type GenerationParameters } from './generation-parameters';
import { readTextChunks, withTextChunk } from './png-text';

/** The A1111 keyword, so other tools show and reuse these parameters too. */
export const PARAMETERS_KEYWORD = 'parameters';

export async function imagePng(
  image: { width: number; height: number; pixels: Uint8ClampedArray },
  parameters: GenerationParameters | null,
): Promise<Blob> {
  const canvas = new OffscreenCanvas(image.width, image.height);
  canvas
    .getContext('2d')!
    .putImageData(new ImageData(new Uint8ClampedArray(image.pixels), image.width, image.height), 0, 0);
  const png = new Uint8Array(await (await canvas.convertToBlob({ type: 'image/png' })).arrayBuffer());
  const out = parameters ? withTextChunk(png, PARAMETERS_KEYWORD, formatParameters(parameters)) : png;
  return new Blob([out as Uint8Array<ArrayBuffer>], { type: 'image/png' });
}

/** The generation parameters stored in a PNG, or null when it has none (or is not a PNG). */
export async function parametersFromFile(file: Blob): Promise<Partial<GenerationParameters> | null> {
  try {
    const text = readTextChunks(new Uint8Array(await file.arrayBuffer()))[PARAMETERS_KEYWORD];
    return text === undefined ? null : parseParameters(text);
  } catch {
    return null;
  }
}

export function downloadBlob(blob: Blob, name: string): void {
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = name;
  link.click();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** A PNG (or any image the browser reads) back to RGBA pixels. */
export async function pngPixels(blob: Blob): Promise<{ width: number; height: number; pixels: Uint8ClampedArray }> {
  const bitmap = await createImageBitmap(blob);
  const canvas = new OffscreenCanvas(bitmap.width, bitmap.height);
  const context = canvas.getContext('2d')!;
  context.drawImage(bitmap, 0, 0);
  bitmap.close();
  return {
    width: canvas.width,
    height: canvas.height,
    pixels: context.getImageData(0, 0, canvas.width, canvas.height).data,
  };
}

/** A stored PNG with the parameters chunk added, for download or copy. */
export async function withParameters(png: Blob, parameters: GenerationParameters | null): Promise<Blob> {
  if (!parameters) return png;
  const bytes = withTextChunk(
    new Uint8Array(await png.arrayBuffer()),
    PARAMETERS_KEYWORD,
    formatParameters(parameters),
  );
  return new Blob([bytes as Uint8Array<ArrayBuffer>], { type: 'image/png' });
}

/** A picture without generation parameters: neither this app nor an A1111-style tool wrote it. */
export class NoParametersError extends Error {
  override readonly name = 'NoParametersError';
  constructor(readonly file: string) {
    super(`${file} has no generation parameters (they are written by this app and by A1111-style tools).`);
  }
}
