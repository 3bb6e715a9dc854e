import type { FormEvent } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { cancelGeneration, generateImage, restoreParameters } from '../engine-actions';
import { SAMPLER_LABELS, samplerLabel } from '../samplers/sampler-labels';
import { sizePresets } from '../size-presets';
import { EdgeGuidance } from './EdgeGuidance';
import { NumberField } from './fields';
import { ImageFusion } from './ImageFusion';
import { PromptField } from './PromptField';
import { useAppStore } from '../store';
import { randomSeed } from '../../shared/random';
import type { SamplerName } from '../../shared/engine-api';

export function GenerateForm() {
  const s = useAppStore(
    useShallow((state) => ({
      pack: state.pack,
      status: state.status,
      negativePrompt: state.negativePrompt,
      seed: state.seed,
      sampler: state.sampler,
      steps: state.steps,
      guidance: state.guidance,
      width: state.width,
      height: state.height,
      batchSize: state.batchSize,
    })),
  );
  const setParams = useAppStore((state) => state.setParams);
  const setSampler = useAppStore((state) => state.setSampler);
  const setFieldProblem = useAppStore((state) => state.setFieldProblem);
  const advancedOpen = useAppStore((state) => state.advancedOpen);
  const setLayout = useAppStore((state) => state.setLayout);
  const fieldProblem = useAppStore((state) => Object.values(state.fieldProblems)[0] ?? null);
  const pack = s.pack;
  // While one runs, Generate stays available: latest wins (the running one is cancelled first).
  const running = s.status === 'generating' || s.status === 'cancelling';
  const canGenerate = !!pack && (s.status === 'ready' || s.status === 'error' || running) && !fieldProblem;
  // Why Generate is off, in the words beside the button.
  const blocked = fieldProblem ?? (!pack ? 'Generate waits for the model to load.' : null);
  // What the selected sampler takes, as the pack says: its steps field and its guidance (with the
  // negative prompt, which only guidance uses) show only where they apply.
  const sampler = pack?.samplers.find((offered) => offered.name === s.sampler);
  const choosesSteps = !!sampler && sampler.fixedSteps === null;
  const guided = !!sampler && sampler.guidance;

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
      <div className="dock">
        <PromptField />
        <div className="row generate-row">
          <button
            type="submit"
            className="primary"
            disabled={!canGenerate}
            title="Ctrl/Cmd+Enter"
            aria-describedby={blocked ? 'generate-blocked' : undefined}
          >
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
        {blocked && (
          <p id="generate-blocked" className="generate-blocked" data-testid="generate-blocked">
            {blocked}
          </p>
        )}
      </div>
      <div className="row">
        <label>
          Size
          <select
            name="size"
            value={current}
            disabled={!pack}
            onChange={(e) => {
              const [width, height] = e.target.value.split('x').map(Number);
              setParams({ width, height });
            }}
          >
            {pack && !sizes.some((p) => `${p.width}x${p.height}` === current) && (
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
        <NumberField
          label="Images"
          name="batchSize"
          min={1}
          max={8}
          whole
          value={s.batchSize}
          onChange={(batchSize) => setParams({ batchSize })}
          onProblem={(problem) => setFieldProblem('batchSize', problem)}
        />
      </div>
      <div className="row">
        <NumberField
          label="Seed"
          name="seed"
          min={0}
          max={4294967295}
          whole
          value={s.seed}
          onChange={(seed) => setParams({ seed })}
          onProblem={(problem) => setFieldProblem('seed', problem)}
        />
        <button type="button" onClick={() => setParams({ seed: randomSeed() })} title="New random seed">
          Random seed
        </button>
      </div>
      <details
        className="advanced"
        open={advancedOpen}
        onToggle={(e) => setLayout({ advancedOpen: e.currentTarget.open })}
      >
        <summary>More options</summary>
        <div className="row">
          <label>
            Sampler
            <select
              name="sampler"
              value={s.sampler}
              disabled={!pack}
              title={sampler && SAMPLER_LABELS[sampler.name].hint}
              onChange={(e) => setSampler(e.target.value as SamplerName)}
            >
              {pack?.samplers.map((offered) => (
                <option key={offered.name} value={offered.name} title={SAMPLER_LABELS[offered.name].hint}>
                  {samplerLabel(offered)}
                </option>
              ))}
            </select>
          </label>
        </div>
        {(choosesSteps || guided) && (
          <div className="row">
            {choosesSteps && (
              <NumberField
                label="Steps"
                name="steps"
                min={1}
                max={sampler.maxSteps}
                whole
                value={s.steps}
                onChange={(steps) => setParams({ steps })}
                onProblem={(problem) => setFieldProblem('steps', problem)}
              />
            )}
            {guided && (
              <NumberField
                label="Guidance"
                name="guidance"
                min={0}
                max={50}
                step={0.5}
                value={s.guidance}
                onChange={(guidance) => setParams({ guidance })}
                onProblem={(problem) => setFieldProblem('guidance', problem)}
              />
            )}
          </div>
        )}
        {guided && (
          <label>
            Negative prompt
            <input
              name="negativePrompt"
              value={s.negativePrompt}
              onChange={(e) => setParams({ negativePrompt: e.target.value })}
            />
          </label>
        )}
        <EdgeGuidance />
        <ImageFusion />
      </details>
    </form>
  );
}
