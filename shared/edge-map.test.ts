// The browser's edge map against the closed-form values model/edge_map.py is tested on (the parity
// on real pictures is model/tests/test_edge_map_parity.py).
import { describe, expect, it } from 'vitest';
import { hintTensor, sobelEdges } from './edge-map';

function rgba(width: number, height: number, grey: (x: number, y: number) => number, alpha = 255): Uint8ClampedArray {
  const out = new Uint8ClampedArray(4 * width * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const o = 4 * (y * width + x);
      out[o] = out[o + 1] = out[o + 2] = grey(x, y);
      out[o + 3] = alpha;
    }
  }
  return out;
}

const red = (pixels: Uint8ClampedArray) => Array.from({ length: pixels.length / 4 }, (_, i) => pixels[4 * i]!);

describe('sobelEdges', () => {
  it('a flat picture has no edges, not even at its frame', () => {
    expect(
      red(
        sobelEdges(
          rgba(6, 6, () => 102),
          6,
          6,
        ),
      ).every((v) => v === 0),
    ).toBe(true);
  });

  it('a black-to-white step is full white on the two columns that straddle it, black elsewhere', () => {
    const edges = red(
      sobelEdges(
        rgba(6, 4, (x) => (x >= 3 ? 255 : 0)),
        6,
        4,
      ),
    );
    for (let y = 0; y < 4; y++) expect(edges.slice(6 * y, 6 * y + 6)).toEqual([0, 0, 255, 255, 0, 0]);
  });

  it('a half-height step gives half white, and edges are opaque grey', () => {
    const edges = sobelEdges(
      rgba(4, 2, (x) => (x >= 2 ? 255 : 127)),
      4,
      2,
    );
    expect(edges[4 * 1]).toBe(128); // a step of 128/255, × 4 / 4: 128
    expect([edges[4], edges[5], edges[6], edges[7]]).toEqual([128, 128, 128, 255]);
  });

  it('transparent pixels count as white paper, as the training images were composited', () => {
    const clear = rgba(4, 4, () => 0, 0); // transparent black
    expect(red(sobelEdges(clear, 4, 4)).every((v) => v === 0)).toBe(true);
  });

  it('refuses pixels of another size', () => {
    expect(() => sobelEdges(new Uint8ClampedArray(10), 4, 4)).toThrow(RangeError);
  });
});

describe('hintTensor', () => {
  it('is planar RGB in [0, 1]', () => {
    const pixels = new Uint8ClampedArray([255, 0, 51, 255, 0, 255, 0, 255]);
    expect(Array.from(hintTensor(pixels, 2, 1))).toEqual(Array.from(new Float32Array([1, 0, 0, 1, 0.2, 0])));
  });
});
