// Diffusion cadence (kandinsky3-architecture §10.2): only every N-th frame is diffused; the frames between are the
// previous diffused frame carried forward by the camera and cross-faded into the next one carried
// back, so motion stays smooth at 1/N of the cost.
import type { CanvasImage } from '../canvas/canvas-image';
import { scaleMove, warpImage, type CameraMove } from './warp';

/** Frame indexes that are diffused: 0, N, 2N, … and always the last frame, so the clip ends on one. */
export function diffusedFrames(frames: number, cadence: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < frames; i += cadence) out.push(i);
  if (out.at(-1) !== frames - 1 && frames > 0) out.push(frames - 1);
  return out;
}

/** a·(1 − t) + b·t per channel. */
export function crossFade(a: CanvasImage, b: CanvasImage, t: number): CanvasImage {
  const out = new Uint8ClampedArray(a.pixels.length);
  for (let i = 0; i < out.length; i++) out[i] = Math.round(a.pixels[i]! * (1 - t) + b.pixels[i]! * t);
  return { width: a.width, height: a.height, pixels: out };
}

/** The frames strictly between diffused frames `from` (at index i) and `to` (at index j): `from`
 * moved forward k steps, `to` moved back j − i − k steps (the negated move: exact for zoom and pan
 * alone, close enough for the small per-frame rotations used), blended by how near each is. */
export function inBetweenFrames(from: CanvasImage, to: CanvasImage, gap: number, move: CameraMove): CanvasImage[] {
  const out: CanvasImage[] = [];
  for (let k = 1; k < gap; k++) {
    const forward = warpImage(from, scaleMove(move, k));
    const back = warpImage(to, scaleMove(move, -(gap - k)));
    out.push(crossFade(forward, back, k / gap));
  }
  return out;
}
