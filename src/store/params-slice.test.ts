import { describe, expect, it } from 'vitest';
import type { LoadedPack, SamplerInfo } from '../../shared/engine-api';
import { useAppStore } from './index';
import { rememberedSettings, samplerDefaults } from './params-slice';

const samplers: SamplerInfo[] = [
  { name: 'flash', fixedSteps: 4, defaultSteps: 4, maxSteps: 4, guidance: false, defaultGuidance: 0 },
  { name: 'refiner', fixedSteps: null, defaultSteps: 6, maxSteps: 1000, guidance: true, defaultGuidance: 3 },
  { name: 'ddpm', fixedSteps: null, defaultSteps: 25, maxSteps: 1000, guidance: true, defaultGuidance: 3 },
  { name: 'ancestral', fixedSteps: null, defaultSteps: 50, maxSteps: 1000, guidance: true, defaultGuidance: 3 },
];
const pack = {
  name: 'test-pack',
  defaults: { unet: 'unet_flash', sampler: 'flash', steps: 4, guidance: 0, width: 64, height: 48 },
  resolution: { multipleOf: 16, min: 16, max: 256 },
  samplers,
} as unknown as LoadedPack;

describe('sampler defaults', () => {
  it("switching sampler brings the pack's steps and guidance for it", () => {
    useAppStore.setState({ pack });
    useAppStore.getState().setSampler('ddpm');
    expect(useAppStore.getState()).toMatchObject({ sampler: 'ddpm', steps: 25, guidance: 3 });
    useAppStore.getState().setSampler('ancestral');
    expect(useAppStore.getState()).toMatchObject({ steps: 50, guidance: 3 });
    useAppStore.getState().setSampler('refiner');
    expect(useAppStore.getState()).toMatchObject({ steps: 6, guidance: 3 });
    useAppStore.getState().setSampler('flash');
    expect(useAppStore.getState()).toMatchObject({ steps: 4, guidance: 0 });
  });

  it('has nothing to say about a sampler the pack does not offer, or without a pack', () => {
    const flashOnly = { ...pack, samplers: samplers.slice(0, 1) } as LoadedPack;
    expect(samplerDefaults('ddpm', flashOnly)).toBeNull();
    expect(samplerDefaults('flash', null)).toBeNull();
  });

  it("a loaded pack brings its default sampler, that sampler's steps and guidance, and its size", () => {
    const basePack = {
      ...pack,
      name: 'base-pack',
      defaults: { ...pack.defaults, sampler: 'ddpm' },
      samplers: samplers.map((info) => (info.name === 'ddpm' ? { ...info, defaultGuidance: 4 } : info)),
    } as LoadedPack;
    useAppStore.getState().applyPackDefaults(basePack);
    expect(useAppStore.getState()).toMatchObject({ sampler: 'ddpm', steps: 25, guidance: 4, width: 64, height: 48 });
    expect(useAppStore.getState().outpaintAmount).toBe(32); // two of its size steps
  });

  it("falls back to the pack's first sampler when its default is not offered", () => {
    const noFlash = { ...pack, name: 'no-flash-pack', samplers: samplers.slice(2) } as LoadedPack;
    useAppStore.getState().applyPackDefaults(noFlash);
    expect(useAppStore.getState()).toMatchObject({ sampler: 'ddpm', steps: 25, guidance: 3 });
  });

  it('keeps the settings chosen for the same pack across loads, and drops those another pack cannot run', () => {
    const s = () => useAppStore.getState();
    s().applyPackDefaults(pack);
    s().setSampler('ancestral');
    s().setParams({ steps: 30, width: 96, height: 64, prompt: 'green frog' });
    s().applyPackDefaults(pack); // the same pack again (a reload)
    expect(s()).toMatchObject({ sampler: 'ancestral', steps: 30, width: 96, height: 64, prompt: 'green frog' });
    // Remembered in localStorage's shape: the prompt and the settings, with the pack they were for.
    expect(rememberedSettings(s())).toMatchObject({ sampler: 'ancestral', steps: 30, settingsPack: 'test-pack' });
    // Another pack brings its own defaults; the prompt stays.
    s().applyPackDefaults({ ...pack, name: 'other-pack' } as LoadedPack);
    expect(s()).toMatchObject({ sampler: 'flash', steps: 4, width: 64, height: 48, prompt: 'green frog' });
  });
});
