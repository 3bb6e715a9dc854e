// Infinite zoom (kandinsky3-architecture §8.2, §10.3): keyframes made by outpainting, each the previous one shrunk
// into its centre with a new border around it; the frames between two keyframes are crops of the
// outer one that shrink geometrically (a steady zoom speed), with the inner keyframe drawn over its
// own area at full resolution so the centre stays sharp.
import type { CanvasImage } from '../canvas/canvas-image';

export interface Rect {
  left: number;
  top: number;
  width: number;
  height: number;
}

/** The view when a fraction `p` (0 … 1) of the way out from `inner` to `outer`: at p = 0 it is the
 * inner keyframe (the outer's `innerRect`, magnified), at p = 1 the whole outer keyframe. */
export function zoomFrame(outer: CanvasImage, inner: CanvasImage, innerRect: Rect, p: number): CanvasImage {
  const { width, height } = outer;
  // The crop of the outer keyframe, centred on the inner rect's centre, in outer pixels.
  const shrinkX = innerRect.width / width;
  const shrinkY = innerRect.height / height;
  const cropW = width * shrinkX ** (1 - p);
  const cropH = height * shrinkY ** (1 - p);
  const centreX = innerRect.left + innerRect.width / 2 + p * (width / 2 - innerRect.left - innerRect.width / 2);
  const centreY = innerRect.top + innerRect.height / 2 + p * (height / 2 - innerRect.top - innerRect.height / 2);
  const out = new Uint8ClampedArray(width * height * 4);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const ox = centreX + ((x + 0.5) / width - 0.5) * cropW;
      const oy = centreY + ((y + 0.5) / height - 0.5) * cropH;
      const inside =
        ox >= innerRect.left &&
        ox < innerRect.left + innerRect.width &&
        oy >= innerRect.top &&
        oy < innerRect.top + innerRect.height;
      const [source, sx, sy] = inside
        ? [
            inner,
            ((ox - innerRect.left) / innerRect.width) * inner.width - 0.5,
            ((oy - innerRect.top) / innerRect.height) * inner.height - 0.5,
          ]
        : [outer, ox - 0.5, oy - 0.5];
      bilinear(source, sx, sy, out, 4 * (y * width + x));
    }
  }
  return { width, height, pixels: out };
}

function bilinear(image: CanvasImage, sx: number, sy: number, out: Uint8ClampedArray, o: number): void {
  const { width, height, pixels } = image;
  const x0 = Math.floor(sx);
  const y0 = Math.floor(sy);
  const tx = sx - x0;
  const ty = sy - y0;
  const at = (x: number, y: number, c: number) =>
    pixels[4 * (Math.min(height - 1, Math.max(0, y)) * width + Math.min(width - 1, Math.max(0, x))) + c]!;
  for (let c = 0; c < 4; c++) {
    const top = at(x0, y0, c) * (1 - tx) + at(x0 + 1, y0, c) * tx;
    const bottom = at(x0, y0 + 1, c) * (1 - tx) + at(x0 + 1, y0 + 1, c) * tx;
    out[o + c] = Math.round(top * (1 - ty) + bottom * ty);
  }
}

/** Every frame of a zoom-out through `keyframes` (each with the rect the previous one fills in it):
 * `perKey` frames per pair, then the last keyframe. Zoom-in is the same list reversed. */
export function zoomOutFrames(
  keyframes: { image: CanvasImage; innerRect: Rect | null }[],
  perKey: number,
): CanvasImage[] {
  const frames: CanvasImage[] = [];
  for (let k = 1; k < keyframes.length; k++) {
    const { image: outer, innerRect } = keyframes[k]!;
    for (let j = 0; j < perKey; j++) frames.push(zoomFrame(outer, keyframes[k - 1]!.image, innerRect!, j / perKey));
  }
  frames.push(keyframes.at(-1)!.image);
  return frames;
}
