// The reference pictures of image fusion, as the UI keeps them, and the request the engine gets.
import type { FusionParams } from '../../shared/engine-api';
import type { CanvasImage } from '../canvas/canvas-image';

/** The engine takes up to four (workers/pipeline/image-fusion.ts MAX_FUSION_IMAGES). */
export const MAX_REFERENCE_PICTURES = 4;

export interface ReferencePicture {
  id: number;
  /** The file name, or "current image": shown on the tile and written into the PNG parameters. */
  name: string;
  picture: CanvasImage;
  /** Its weight in the sum of embeddings, 0 … 2. */
  weight: number;
}

export class MissingReferenceError extends Error {
  override name = 'MissingReferenceError';
}

/** → the engine's FusionParams; a named error when there is nothing to take after. */
export function fusionParams(pictures: readonly ReferencePicture[], strength: number): FusionParams {
  if (pictures.length === 0) {
    throw new MissingReferenceError(
      'Image fusion is on but has no reference picture: add one (or use the current image), or turn image fusion off.',
    );
  }
  if (!pictures.some((p) => p.weight > 0)) {
    throw new MissingReferenceError('Every reference picture has weight 0: raise one, or turn image fusion off.');
  }
  return {
    images: pictures.map((p) => ({ ...p.picture, weight: p.weight })),
    scale: strength,
  };
}

/** Adds pictures after the ones there; each new one gets weight 1, and past the limit the oldest go. */
export function addPictures(
  pictures: readonly ReferencePicture[],
  added: readonly { name: string; picture: CanvasImage }[],
): ReferencePicture[] {
  let id = pictures.reduce((max, p) => Math.max(max, p.id), 0);
  const all = [...pictures, ...added.map((a) => ({ ...a, id: ++id, weight: 1 }))];
  return all.slice(Math.max(0, all.length - MAX_REFERENCE_PICTURES));
}
