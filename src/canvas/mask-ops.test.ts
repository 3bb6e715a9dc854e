import { describe, expect, it } from 'vitest';
import { maskedPixelCount, rasterizeMask, strokeRadius, type MaskOp } from './mask-ops';

const stroke = (points: [number, number][], size = 4, mode: 'paint' | 'erase' = 'paint', pressure = 1): MaskOp => ({
  kind: 'stroke',
  mode,
  size,
  points: points.map(([x, y]) => ({ x, y, pressure })),
});

describe('mask operations', () => {
  it('a dot of size 4 covers the pixels whose centres are within radius 2', () => {
    const mask = rasterizeMask([stroke([[8, 8]])], 16, 16);
    // Centres (x + 0.5, y + 0.5) within 2 of (8, 8): a 4×4 block minus its corners = 12 pixels.
    expect(maskedPixelCount(mask)).toBe(12);
    expect(mask[8 * 16 + 8]).toBe(255);
    expect(mask[0]).toBe(0);
  });

  it('a fast stroke stays continuous between far-apart points', () => {
    const mask = rasterizeMask(
      [
        stroke(
          [
            [2, 8],
            [14, 8],
          ],
          2,
        ),
      ],
      16,
      16,
    );
    for (let x = 2; x < 14; x++) expect(mask[8 * 16 + x], `x=${x}`).toBe(255);
  });

  it('erases, clears and inverts in order', () => {
    const painted = stroke(
      [
        [4, 4],
        [12, 4],
      ],
      4,
    );
    const erased = rasterizeMask([painted, stroke([[8, 4]], 4, 'erase')], 16, 16);
    expect(erased[4 * 16 + 8]).toBe(0);
    expect(erased[4 * 16 + 4]).toBe(255);
    expect(maskedPixelCount(rasterizeMask([painted, { kind: 'clear' }], 16, 16))).toBe(0);
    const inverted = rasterizeMask([painted, { kind: 'invert' }], 16, 16);
    expect(maskedPixelCount(inverted)).toBe(256 - maskedPixelCount(rasterizeMask([painted], 16, 16)));
  });

  it('pen pressure narrows the stroke, down to a quarter of the size', () => {
    expect(strokeRadius(8, 1)).toBe(4);
    expect(strokeRadius(8, 0)).toBe(1);
    const light = maskedPixelCount(rasterizeMask([stroke([[8, 8]], 8, 'paint', 0.2)], 16, 16));
    const firm = maskedPixelCount(rasterizeMask([stroke([[8, 8]], 8, 'paint', 1)], 16, 16));
    expect(light).toBeLessThan(firm);
  });

  it('clips strokes at the image edge', () => {
    // Of the pixels near the corner, (1, 1) has its centre 2.12 away: outside radius 2.
    expect(maskedPixelCount(rasterizeMask([stroke([[0, 0]], 4)], 16, 16))).toBe(3);
  });
});
