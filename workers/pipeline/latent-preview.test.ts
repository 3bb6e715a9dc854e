import { describe, expect, it } from 'vitest';
import type { PackManifest } from '../pack/manifest';
import { latentPreview } from './latent-preview';

const manifest = (preview?: PackManifest['latent']['preview']) =>
  ({ latent: { channels: 2, scaleFactor: 4, scale: 1, shift: 0, preview } }) as PackManifest;

describe('latent preview', () => {
  it('maps each latent cell linearly to RGB in [−1, 1] → bytes', () => {
    const map = {
      weights: [
        [1, 0],
        [0, 1],
        [0.5, 0.5],
      ],
      bias: [0, 0, -1],
    };
    // Two cells: channel 0 = [1, −1], channel 1 = [0, 1].
    const out = latentPreview(manifest(map), new Float32Array([1, -1, 0, 1]), 1, 2)!;
    expect(Array.from(out.pixels)).toEqual([255, 128, 64, 255, 0, 255, 0, 255]);
  });

  it('gives no preview without a map, or with one for other channels', () => {
    expect(latentPreview(manifest(), new Float32Array(4), 1, 2)).toBeUndefined();
    expect(
      latentPreview(manifest({ weights: [[1], [1], [1]], bias: [0, 0, 0] }), new Float32Array(4), 1, 2),
    ).toBeUndefined();
  });
});
