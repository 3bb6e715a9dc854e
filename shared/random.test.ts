import { describe, expect, it } from 'vitest';
import { SeededRandom } from './random';

describe('SeededRandom', () => {
  it('gives the same stream for the same seed and another for another seed', () => {
    const a = new SeededRandom(1234).normals(1000);
    const b = new SeededRandom(1234).normals(1000);
    const c = new SeededRandom(1235).normals(1000);
    expect(Array.from(a)).toEqual(Array.from(b));
    expect(Array.from(a)).not.toEqual(Array.from(c));
  });

  it('follows the documented algorithm (splitmix32 → xoshiro128**)', () => {
    // Values from an independent Python transcription of the two published algorithms. Changing
    // the generator changes every image for a given seed: do it only on purpose.
    const r = new SeededRandom(0);
    expect([r.nextUint32(), r.nextUint32(), r.nextUint32()]).toEqual([3809008728, 1133695204, 53579671]);
  });

  it('draws standard normals', () => {
    const x = new SeededRandom(7).normals(200_000);
    const mean = x.reduce((s, v) => s + v, 0) / x.length;
    const variance = x.reduce((s, v) => s + (v - mean) ** 2, 0) / x.length;
    expect(Math.abs(mean)).toBeLessThan(0.01);
    expect(Math.abs(variance - 1)).toBeLessThan(0.01);
    expect(x.every(Number.isFinite)).toBe(true);
  });

  it('accepts the full unsigned 32-bit seed range and nothing else', () => {
    expect(() => new SeededRandom(0xffffffff)).not.toThrow();
    expect(() => new SeededRandom(-1)).toThrow(RangeError);
    expect(() => new SeededRandom(1.5)).toThrow(RangeError);
    expect(() => new SeededRandom(2 ** 32)).toThrow(RangeError);
  });
});
