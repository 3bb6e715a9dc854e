import { describe, expect, it } from 'vitest';
import { blankImage, extendCanvas, fitSize, resizeImage, zoomOutCanvas, type CanvasImage } from './canvas-image';

function gradient(width: number, height: number): CanvasImage {
  const pixels = new Uint8ClampedArray(width * height * 4);
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) pixels.set([x * 4, y * 4, 100, 255], 4 * (y * width + x));
  return { width, height, pixels };
}

const rows = (mask: Uint8Array, width: number, y: number) => Array.from(mask.subarray(y * width, (y + 1) * width));

describe('canvas image', () => {
  it('fits an upload to the preferred size, in multiples the pack can make', () => {
    const rules = { multipleOf: 16, min: 16, max: 256, preferred: 64 };
    expect(fitSize(1920, 1080, rules)).toEqual({ width: 64, height: 32 });
    expect(fitSize(500, 500, rules)).toEqual({ width: 64, height: 64 });
    expect(fitSize(10, 4000, rules)).toEqual({ width: 16, height: 64 });
  });

  it('resizes bilinearly: the same size is unchanged, and a flat image stays flat', () => {
    const image = gradient(8, 8);
    expect(resizeImage(image, 8, 8).pixels).toEqual(image.pixels);
    const flat = blankImage(8, 8, 77);
    expect(resizeImage(flat, 4, 6).pixels.every((v) => v === 77)).toBe(true);
  });

  it('extends to the right: old pixels kept, new area masked with an overlap, blended only in the new area', () => {
    const image = gradient(8, 4);
    const out = extendCanvas(image, 'right', 4, 2);
    expect([out.image.width, out.image.height]).toEqual([12, 4]);
    for (let y = 0; y < 4; y++) {
      expect(out.image.pixels.subarray(y * 48, y * 48 + 32)).toEqual(image.pixels.subarray(y * 32, y * 32 + 32));
      expect(rows(out.mask, 12, y)).toEqual([0, 0, 0, 0, 0, 0, 255, 255, 255, 255, 255, 255]);
      expect(rows(out.blendMask, 12, y)).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 255, 255, 255, 255]);
    }
    // The new area starts as a copy of the nearest old column.
    expect(out.image.pixels.subarray(4 * 11, 4 * 12)).toEqual(image.pixels.subarray(4 * 7, 4 * 8));
  });

  it('extends upwards with the old image moved down', () => {
    const image = gradient(4, 4);
    const out = extendCanvas(image, 'top', 4, 1);
    expect([out.image.width, out.image.height]).toEqual([4, 8]);
    expect(out.image.pixels.subarray(4 * 16)).toEqual(image.pixels);
    expect(out.mask.slice(0, 20).every((v) => v === 255)).toBe(true);
    expect(out.mask[20]).toBe(0);
  });

  it('zooms out: the image shrinks into the middle and the border is generated', () => {
    const out = zoomOutCanvas(gradient(64, 64), 0.5, 2, 16);
    expect([out.image.width, out.image.height]).toEqual([64, 64]);
    expect(out.blendMask[32 * 64 + 32]).toBe(0);
    expect(out.blendMask[0]).toBe(255);
    expect(out.mask[16 * 64 + 16]).toBe(255); // inside the overlap
    expect(out.mask[20 * 64 + 20]).toBe(0);
  });
});
