// The UI's words for each sampler the engine can run: its name in the sampler menu and a one-line
// hint. Everything else about a sampler (whether a pack offers it, its steps, whether guidance
// applies) comes from the loaded pack (LoadedPack.samplers), so a new sampler adds a row here and
// nothing else in the UI.
import type { SamplerInfo, SamplerName } from '../../shared/engine-api';

export const SAMPLER_LABELS: Record<SamplerName, { label: string; hint: string }> = {
  flash: {
    label: 'Flash',
    hint: 'the distilled model: a few fixed steps, no guidance',
  },
  refiner: {
    label: 'Flash refiner',
    hint: 'the base model lays out the picture with guidance over the first steps, then Flash finishes it in its late steps',
  },
  ddpm: {
    label: 'Base, DDPM (diffusers)',
    hint: 'the base model with guidance, stepped as diffusers does',
  },
  ancestral: {
    label: 'Base, ancestral (original 3.1)',
    hint: 'the base model with guidance, stepped as the original Kandinsky 3.1 code does',
  },
};

/** The menu entry of a sampler; one with fixed steps says how many ("Flash (4 steps)"). */
export function samplerLabel(info: SamplerInfo): string {
  const { label } = SAMPLER_LABELS[info.name];
  return info.fixedSteps === null ? label : `${label} (${info.fixedSteps} steps)`;
}
