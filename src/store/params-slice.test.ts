import { describe, expect, it } from 'vitest';
import type { LoadedPack } from '../../workers/engine-api';
import { useAppStore } from './index';
import { samplerDefaults } from './params-slice';

const pack = {
  defaults: { unet: 'unet_flash', sampler: 'flash', steps: 4, guidance: 0, width: 64, height: 64 },
  samplers: ['flash', 'ddpm', 'ancestral'],
} as unknown as LoadedPack;

describe('sampler defaults', () => {
  it('switching to a base sampler brings its steps and guidance, and back', () => {
    useAppStore.setState({ pack });
    useAppStore.getState().setSampler('ddpm');
    expect(useAppStore.getState()).toMatchObject({ sampler: 'ddpm', steps: 25, guidance: 3 });
    useAppStore.getState().setSampler('ancestral');
    expect(useAppStore.getState()).toMatchObject({ steps: 50, guidance: 3 });
    useAppStore.getState().setSampler('flash');
    expect(useAppStore.getState()).toMatchObject({ steps: 4, guidance: 0 });
  });

  it("uses the pack's own numbers for its default sampler", () => {
    const basePack = { ...pack, defaults: { ...pack.defaults, sampler: 'ddpm', steps: 30, guidance: 4 } } as LoadedPack;
    expect(samplerDefaults('ddpm', basePack)).toEqual({ steps: 30, guidance: 4 });
  });
});
