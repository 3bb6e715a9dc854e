// The 2D camera move between animation frames (kandinsky3-architecture §10.2, Deforum's 2D mode): zoom about the
// centre, rotate, then translate, applied to the previous frame by inverse mapping with bilinear
// sampling. Pixels the move brings in from outside are the nearest edge pixel, so a zoom-out or pan
// shows smeared borders for the diffusion step to turn into new content, not black bars.
import type { CanvasImage } from '../canvas/canvas-image';

export interface CameraMove {
  /** Scale per frame: > 1 zooms in (e.g. 1.02), < 1 zooms out. */
  zoom: number;
  /** Degrees per frame, counter-clockwise on screen. */
  rotate: number;
  /** Pixels per frame the content moves: +x right, +y down. */
  panX: number;
  panY: number;
}

export const STILL: CameraMove = { zoom: 1, rotate: 0, panX: 0, panY: 0 };

/** The move applied `times` times over (for cadence in-between frames: a fraction of a move). */
export function scaleMove(move: CameraMove, times: number): CameraMove {
  return {
    zoom: move.zoom ** times,
    rotate: move.rotate * times,
    panX: move.panX * times,
    panY: move.panY * times,
  };
}

/** The warped image: output pixel (x, y) samples the source at the inverse of the move. */
export function warpImage(image: CanvasImage, move: CameraMove): CanvasImage {
  const { width, height, pixels } = image;
  const out = new Uint8ClampedArray(pixels.length);
  const cx = width / 2;
  const cy = height / 2;
  const angle = (-move.rotate * Math.PI) / 180; // screen y points down, so counter-clockwise is negative
  const cos = Math.cos(angle);
  const sin = Math.sin(angle);
  const sample = (x: number, y: number, c: number) =>
    pixels[4 * (Math.min(height - 1, Math.max(0, y)) * width + Math.min(width - 1, Math.max(0, x))) + c]!;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      // Inverse: undo the pan, then the rotation, then the zoom, about the centre (pixel centres at +0.5).
      const dx = x + 0.5 - cx - move.panX;
      const dy = y + 0.5 - cy - move.panY;
      const sx = (cos * dx + sin * dy) / move.zoom + cx - 0.5;
      const sy = (-sin * dx + cos * dy) / move.zoom + cy - 0.5;
      const x0 = Math.floor(sx);
      const y0 = Math.floor(sy);
      const tx = sx - x0;
      const ty = sy - y0;
      for (let c = 0; c < 4; c++) {
        const top = sample(x0, y0, c) * (1 - tx) + sample(x0 + 1, y0, c) * tx;
        const bottom = sample(x0, y0 + 1, c) * (1 - tx) + sample(x0 + 1, y0 + 1, c) * tx;
        out[4 * (y * width + x) + c] = Math.round(top * (1 - ty) + bottom * ty);
      }
    }
  }
  return { width, height, pixels: out };
}
