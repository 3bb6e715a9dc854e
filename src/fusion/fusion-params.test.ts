import { describe, expect, it } from 'vitest';
import { blankImage } from '../canvas/canvas-image';
import { addPictures, fusionParams, MAX_REFERENCE_PICTURES, MissingReferenceError } from './fusion-params';

const picture = blankImage(4, 2);

describe('reference pictures', () => {
  it('become the engine request with their weights and the strength', () => {
    const pictures = addPictures(
      [],
      [
        { name: 'a.png', picture },
        { name: 'b.png', picture },
      ],
    ).map((p, i) => ({ ...p, weight: i === 0 ? 0.5 : 1.5 }));
    const params = fusionParams(pictures, 0.8);
    expect(params.scale).toBe(0.8);
    expect(params.images.map((i) => [i.width, i.height, i.weight])).toEqual([
      [4, 2, 0.5],
      [2 * 2, 2, 1.5],
    ]);
  });

  it('keep the newest four, with fresh ids', () => {
    let pictures = addPictures([], [{ name: 'first', picture }]);
    for (let i = 0; i < MAX_REFERENCE_PICTURES; i++) pictures = addPictures(pictures, [{ name: `n${i}`, picture }]);
    expect(pictures.map((p) => p.name)).toEqual(['n0', 'n1', 'n2', 'n3']);
    expect(new Set(pictures.map((p) => p.id)).size).toBe(MAX_REFERENCE_PICTURES);
  });

  it('name what is missing: no picture, or only zero weights', () => {
    expect(() => fusionParams([], 1)).toThrow(MissingReferenceError);
    const zero = addPictures([], [{ name: 'a', picture }]).map((p) => ({ ...p, weight: 0 }));
    expect(() => fusionParams(zero, 1)).toThrow(/Every reference picture has weight 0/);
  });
});
