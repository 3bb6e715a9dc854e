import type { FormEvent } from 'react';
import { generateImage } from '../engine-actions';
import { useAppStore } from '../store';
import { randomSeed } from '../../workers/pipeline/random';
import type { SamplerName } from '../../workers/engine-api';

const SAMPLER_LABELS: Record<SamplerName, string> = {
  flash: 'Flash (4 steps)',
  ddpm: 'Base, DDPM (diffusers)',
  ancestral: 'Base, ancestral (original 3.1)',
};

/** Square sizes the pack offers: its default and small multiples of its size step, within its limits. */
function sizeOptions(defaultSide: number, step: number, min: number, max: number): number[] {
  const sides = new Set<number>([defaultSide]);
  for (const factor of [0.5, 1.5, 2, 3, 4]) {
    const side = Math.round((defaultSide * factor) / step) * step;
    if (side >= min && side <= max) sides.add(side);
  }
  return [...sides].sort((a, b) => a - b);
}

export function GenerateForm() {
  const s = useAppStore();
  const pack = s.pack;
  const busy = s.status !== 'ready' && s.status !== 'error';
  const flash = s.sampler === 'flash';

  const submit = (event: FormEvent) => {
    event.preventDefault();
    void generateImage();
  };

  const sizes = pack
    ? sizeOptions(pack.defaults.width, pack.resolution.multipleOf, pack.resolution.min, pack.resolution.max)
    : [s.width];

  return (
    <form className="controls" onSubmit={submit} aria-label="Generation settings">
      <label>
        Prompt
        <textarea
          name="prompt"
          rows={3}
          value={s.prompt}
          onChange={(e) => s.setParams({ prompt: e.target.value })}
          onKeyDown={(e) => {
            if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) submit(e);
          }}
        />
      </label>
      {!flash && (
        <label>
          Negative prompt
          <input
            name="negativePrompt"
            value={s.negativePrompt}
            onChange={(e) => s.setParams({ negativePrompt: e.target.value })}
          />
        </label>
      )}
      <div className="row">
        <label>
          Seed
          <input
            name="seed"
            type="number"
            min={0}
            max={4294967295}
            value={s.seed}
            onChange={(e) =>
              s.setParams({ seed: Math.max(0, Math.min(4294967295, Math.trunc(Number(e.target.value) || 0))) })
            }
          />
        </label>
        <button type="button" onClick={() => s.setParams({ seed: randomSeed() })} title="New random seed">
          Random seed
        </button>
      </div>
      <div className="row">
        <label>
          Sampler
          <select name="sampler" value={s.sampler} onChange={(e) => s.setSampler(e.target.value as SamplerName)}>
            {(pack?.samplers ?? [s.sampler]).map((name) => (
              <option key={name} value={name}>
                {SAMPLER_LABELS[name]}
              </option>
            ))}
          </select>
        </label>
        <label>
          Size
          <select
            name="size"
            value={s.width}
            onChange={(e) => s.setParams({ width: Number(e.target.value), height: Number(e.target.value) })}
          >
            {sizes.map((side) => (
              <option key={side} value={side}>
                {side} × {side}
              </option>
            ))}
          </select>
        </label>
      </div>
      {!flash && (
        <div className="row">
          <label>
            Steps
            <input
              name="steps"
              type="number"
              min={1}
              max={1000}
              value={s.steps}
              onChange={(e) => s.setParams({ steps: Number(e.target.value) })}
            />
          </label>
          <label>
            Guidance
            <input
              name="guidance"
              type="number"
              min={0}
              max={50}
              step={0.5}
              value={s.guidance}
              onChange={(e) => s.setParams({ guidance: Number(e.target.value) })}
            />
          </label>
        </div>
      )}
      <button type="submit" className="primary" disabled={busy || !pack}>
        {s.status === 'generating' ? 'Generating…' : 'Generate'}
      </button>
    </form>
  );
}
