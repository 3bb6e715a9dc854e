import { describe, expect, it } from 'vitest';
import { compositeThroughMask, featherAlpha, latentKeepMask, repaintPixels } from './inpaint-mask';

describe('inpainting masks', () => {
  it('any touched pixel is repainted', () => {
    expect(Array.from(repaintPixels(new Uint8Array([0, 1, 128, 255])))).toEqual([0, 1, 1, 1]);
  });

  it('a latent cell is generated when any of its pixels is, so thin strokes survive the downscale', () => {
    const repaint = new Uint8Array(8 * 8);
    repaint[1 * 8 + 6] = 1; // one pixel in cell (0, 1) of a 2×2 latent (factor 4)
    repaint[7 * 8 + 0] = 1; // one pixel in cell (1, 0)
    expect(Array.from(latentKeepMask(repaint, 8, 8, 4))).toEqual([1, 0, 0, 1]);
  });

  it('feathers linearly over the given distance and is exactly 0 beyond it', () => {
    const repaint = new Uint8Array(9);
    repaint[0] = 1; // a 9×1 strip with the first pixel repainted
    const alpha = featherAlpha(repaint, 9, 1, 3);
    expect(Array.from(alpha)).toEqual([1, 0.75, 0.5, 0.25, 0, 0, 0, 0, 0]);
    expect(Array.from(featherAlpha(repaint, 9, 1, 0))).toEqual([1, 0, 0, 0, 0, 0, 0, 0, 0]);
    // Diagonal neighbours are √2 away.
    const square = new Uint8Array(9);
    square[4] = 1;
    expect(featherAlpha(square, 3, 3, 3)[0]).toBeCloseTo(1 - Math.SQRT2 / 4, 6);
  });

  it('composites through alpha, copying original bytes exactly where alpha is 0', () => {
    const original = new Uint8ClampedArray([10, 20, 30, 255, 100, 100, 100, 255]);
    const generated = new Uint8ClampedArray([200, 200, 200, 255, 0, 0, 0, 255]);
    expect(Array.from(compositeThroughMask(original, generated, new Float32Array([0, 0.5])))).toEqual([
      10, 20, 30, 255, 50, 50, 50, 255,
    ]);
  });
});
