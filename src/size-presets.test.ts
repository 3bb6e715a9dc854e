import { describe, expect, it } from 'vitest';
import { sizePresets } from './size-presets';

describe('size presets', () => {
  it('nano: the trained 64² and small multiples, in aspect ratios, on its 16 px grid and within 16–256', () => {
    const presets = sizePresets(64, 16, 16, 256);
    expect(presets[0]).toEqual({ width: 32, height: 32, ratio: '1:1', scale: 32 });
    expect(presets).toContainEqual({ width: 64, height: 64, ratio: '1:1', scale: 64 });
    // At 64 px on a 16 px grid, 4:3 and 16:9 both round to 80 × 48: listed once, as what it is (5:3).
    expect(presets.filter((p) => p.width === 80 && p.height === 48)).toEqual([
      { width: 80, height: 48, ratio: '5:3', scale: 64 },
    ]);
    // 16:9 at 96 px rounds to 128 × 80: labelled 8:5, not 16:9.
    expect(presets).toContainEqual({ width: 128, height: 80, ratio: '8:5', scale: 96 });
    for (const p of presets) {
      const [a, b] = p.ratio.split(':').map(Number);
      expect(p.width * b!).toBe(p.height * a!);
    }
    for (const p of presets) {
      expect((p.width % 16) + (p.height % 16)).toBe(0);
      expect(Math.max(p.width, p.height)).toBeLessThanOrEqual(256);
    }
  });

  it('full models: 1024² and multiples of 64', () => {
    const presets = sizePresets(1024, 64, 256, 2048);
    expect(presets).toContainEqual({ width: 1024, height: 1024, ratio: '1:1', scale: 1024 });
    expect(presets).toContainEqual({ width: 1344, height: 768, ratio: '7:4', scale: 1024 });
    expect(presets.every((p) => p.width % 64 === 0 && p.height % 64 === 0)).toBe(true);
  });
});
