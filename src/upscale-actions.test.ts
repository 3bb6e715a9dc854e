import { describe, expect, it } from 'vitest';
import type { LoadedPack } from '../shared/engine-api';
import { shownPicture, upscaleRecord, upscalesTo } from './upscale-actions';

const pack = {
  upscaler: { factor: 4, input: { min: 16, max: 128, multipleOf: 8 }, output: { min: 64, max: 512 } },
} as unknown as LoadedPack;
const without = { upscaler: null } as unknown as LoadedPack;

describe('when results are enlarged', () => {
  it('enlarges sizes the upscaler takes, while the setting is on', () => {
    expect(upscalesTo(pack, true, 64, 64)).toBe(4);
    expect(upscalesTo(pack, true, 128, 16)).toBe(4);
    expect(upscalesTo(pack, false, 64, 64)).toBeNull();
    expect(upscalesTo(pack, true, 256, 256)).toBeNull(); // over its largest side: shown as it is
    expect(upscalesTo(pack, true, 60, 64)).toBeNull();
    expect(upscalesTo(without, true, 64, 64)).toBeNull();
    expect(upscalesTo(null, true, 64, 64)).toBeNull();
  });

  it('records the factor, or off, and nothing for packs without an upscaler', () => {
    expect(upscaleRecord(pack, 4)).toBe(4);
    expect(upscaleRecord(pack, null)).toBe('off');
    expect(upscaleRecord(without, null)).toBeUndefined();
  });

  it('shows the enlarged copy when there is one', () => {
    const small = { width: 2, height: 2, pixels: new Uint8ClampedArray(16) };
    const large = { width: 8, height: 8, pixels: new Uint8ClampedArray(256) };
    expect(shownPicture(small)).toBe(small);
    expect(shownPicture({ ...small, upscaled: large })).toBe(large);
  });
});
