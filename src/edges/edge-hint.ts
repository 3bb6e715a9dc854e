// The ControlNet hint at the generation's size, from what the user gave: a picture (its Sobel edge
// map, the map the nano ControlNet was trained on) or a drawing (white strokes on black). Strokes are
// kept in fractions of the pad, so they survive a change of image size without resampling.
import { sobelEdges } from '../../shared/edge-map';
import { resizeImage, type CanvasImage } from '../canvas/canvas-image';
import { rasterizeMask, type MaskOp } from '../canvas/mask-ops';

export type EdgeSource = 'picture' | 'drawing';

export class MissingHintError extends Error {
  override name = 'MissingHintError';
}

/** Strokes in pad fractions (x, y and size in 0 … 1 of the width) → pixels of a width × height image. */
export function scaleStrokes(ops: readonly MaskOp[], width: number, height: number): MaskOp[] {
  return ops.map((op) =>
    op.kind !== 'stroke'
      ? op
      : {
          ...op,
          size: op.size * width,
          points: op.points.map((p) => ({ x: p.x * width, y: p.y * height, pressure: p.pressure })),
        },
  );
}

/** White strokes on black, RGBA, width × height. */
export function drawingHint(ops: readonly MaskOp[], width: number, height: number): Uint8ClampedArray {
  const mask = rasterizeMask(scaleStrokes(ops, width, height), width, height);
  const out = new Uint8ClampedArray(4 * width * height);
  for (let i = 0; i < mask.length; i++) {
    out[4 * i] = out[4 * i + 1] = out[4 * i + 2] = mask[i]!;
    out[4 * i + 3] = 255;
  }
  return out;
}

/** The picture scaled to the image size (its shape stretched to it, as the canvas is), then its edges. */
export function pictureHint(picture: CanvasImage, width: number, height: number): Uint8ClampedArray {
  const fitted = picture.width === width && picture.height === height ? picture : resizeImage(picture, width, height);
  return sobelEdges(fitted.pixels, width, height);
}

export function edgeHint(
  source: EdgeSource,
  picture: CanvasImage | null,
  strokes: readonly MaskOp[],
  width: number,
  height: number,
): Uint8ClampedArray {
  if (source === 'picture') {
    if (!picture) throw new MissingHintError('Edge guidance needs a picture: choose one, or switch to drawing.');
    return pictureHint(picture, width, height);
  }
  if (!strokes.some((op) => op.kind === 'stroke' && op.mode === 'paint')) {
    throw new MissingHintError('Edge guidance needs a drawing: draw the outlines you want, or switch to a picture.');
  }
  return drawingHint(strokes, width, height);
}
