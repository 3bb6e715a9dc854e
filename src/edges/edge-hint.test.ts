import { describe, expect, it } from 'vitest';
import { blankImage } from '../canvas/canvas-image';
import type { MaskOp } from '../canvas/mask-ops';
import { MissingHintError, drawingHint, edgeHint, scaleStrokes } from './edge-hint';

const line: MaskOp = {
  kind: 'stroke',
  mode: 'paint',
  size: 0.125,
  points: [
    { x: 0.25, y: 0.5, pressure: 1 },
    { x: 0.75, y: 0.5, pressure: 1 },
  ],
};

describe('edge hints', () => {
  it('strokes kept in pad fractions land at any image size', () => {
    const [scaled] = scaleStrokes([line], 64, 32);
    expect(scaled).toMatchObject({
      size: 8,
      points: [
        { x: 16, y: 16 },
        { x: 48, y: 16 },
      ],
    });
  });

  it('a drawing is white strokes on opaque black', () => {
    const hint = drawingHint([line], 16, 16);
    const at = (x: number, y: number) => Array.from(hint.slice(4 * (y * 16 + x), 4 * (y * 16 + x) + 4));
    expect(at(8, 8)).toEqual([255, 255, 255, 255]);
    expect(at(8, 1)).toEqual([0, 0, 0, 255]);
    expect(at(1, 8)).toEqual([0, 0, 0, 255]); // before the stroke starts
  });

  it('a picture gives its edges at the image size', () => {
    const picture = blankImage(8, 8);
    for (let y = 0; y < 8; y++) for (let x = 4; x < 8; x++) picture.pixels.set([0, 0, 0, 255], 4 * (y * 8 + x));
    const hint = edgeHint('picture', picture, [], 16, 16);
    expect(hint.length).toBe(4 * 16 * 16);
    expect(hint[4 * (8 * 16 + 8)]).toBeGreaterThan(100); // the black/white border, now at x = 8
    expect(hint[4 * (8 * 16 + 1)]).toBe(0);
  });

  it('says what is missing: no picture, or nothing drawn (an eraser stroke is not a drawing)', () => {
    expect(() => edgeHint('picture', null, [], 16, 16)).toThrow(MissingHintError);
    expect(() => edgeHint('drawing', null, [{ ...line, mode: 'erase' }], 16, 16)).toThrow(/needs a drawing/);
  });
});
