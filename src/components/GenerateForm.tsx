import type { FormEvent } from 'react';
import { cancelGeneration, generateImage, restoreParameters } from '../engine-actions';
import { sizePresets } from '../size-presets';
import { EdgeGuidance } from './EdgeGuidance';
import { ImageFusion } from './ImageFusion';
import { useAppStore } from '../store';
import { randomSeed } from '../../workers/pipeline/random';
import type { SamplerName } from '../../workers/engine-api';

const SAMPLER_LABELS: Record<SamplerName, string> = {
  flash: 'Flash (4 steps)',
  ddpm: 'Base, DDPM (diffusers)',
  ancestral: 'Base, ancestral (original 3.1)',
};

export function GenerateForm() {
  const s = useAppStore();
  const pack = s.pack;
  // While one runs, Generate stays available: latest wins (the running one is cancelled first).
  const running = s.status === 'generating' || s.status === 'cancelling';
  const canGenerate = !!pack && (s.status === 'ready' || s.status === 'error' || running);
  const flash = s.sampler === 'flash';

  const submit = (event: FormEvent) => {
    event.preventDefault();
    void generateImage();
  };

  const sizes = pack
    ? sizePresets(pack.defaults.width, pack.resolution.multipleOf, pack.resolution.min, pack.resolution.max)
    : [];
  const current = `${s.width}x${s.height}`;
  const scales = [...new Set(sizes.map((p) => p.scale))];

  return (
    <form
      className="controls"
      onSubmit={submit}
      aria-label="Generation settings"
      // A PNG dropped here gives back the parameters it was made with (this app's, or A1111-style ones).
      onDragOver={(e) => {
        if (Array.from(e.dataTransfer.items).some((i) => i.type === 'image/png')) e.preventDefault();
      }}
      onDrop={(e) => {
        const file = Array.from(e.dataTransfer.files).find((f) => f.type === 'image/png');
        if (!file) return;
        e.preventDefault();
        void restoreParameters(file);
      }}
    >
      <label>
        Prompt
        <textarea name="prompt" rows={3} value={s.prompt} onChange={(e) => s.setParams({ prompt: e.target.value })} />
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
            value={current}
            onChange={(e) => {
              const [width, height] = e.target.value.split('x').map(Number);
              s.setParams({ width, height });
            }}
          >
            {!sizes.some((p) => `${p.width}x${p.height}` === current) && (
              <option value={current}>
                {s.width} × {s.height}
              </option>
            )}
            {scales.map((scale) => (
              <optgroup key={scale} label={scale === pack?.defaults.width ? `${scale} px (trained)` : `${scale} px`}>
                {sizes
                  .filter((p) => p.scale === scale)
                  .map((p) => (
                    <option key={`${p.width}x${p.height}`} value={`${p.width}x${p.height}`}>
                      {p.width} × {p.height} ({p.ratio})
                    </option>
                  ))}
              </optgroup>
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
      <EdgeGuidance />
      <ImageFusion />
      <label className="check">
        <input
          type="checkbox"
          name="embedParameters"
          checked={s.embedParameters}
          onChange={(e) => s.setParams({ embedParameters: e.target.checked })}
        />
        Save the parameters in downloaded PNGs
      </label>
      <div className="row">
        <label>
          Images
          <input
            name="batchSize"
            type="number"
            min={1}
            max={8}
            value={s.batchSize}
            onChange={(e) =>
              s.setParams({ batchSize: Math.max(1, Math.min(8, Math.trunc(Number(e.target.value) || 1))) })
            }
          />
        </label>
        <button type="submit" className="primary" disabled={!canGenerate} title="Ctrl/Cmd+Enter">
          Generate
        </button>
        {running && (
          <button
            type="button"
            onClick={() => void cancelGeneration()}
            disabled={s.status === 'cancelling'}
            title="Esc"
          >
            {s.status === 'cancelling' ? 'Cancelling…' : 'Cancel'}
          </button>
        )}
      </div>
    </form>
  );
}
