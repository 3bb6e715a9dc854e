// Step i of n with the time since the run started, while an image is being made.
import { useEffect, useRef, useState } from 'react';
import { useAppStore } from '../store';
import { drawPixels } from './draw-pixels';

export function GenerationProgress() {
  const status = useAppStore((s) => s.status);
  // Mounted afresh for each run, so its clock starts with the run.
  return status === 'generating' || status === 'cancelling' ? <RunningProgress /> : null;
}

function RunningProgress() {
  const status = useAppStore((s) => s.status);
  const progress = useAppStore((s) => s.progress);
  const [started] = useState(() => performance.now());
  const [now, setNow] = useState(started);

  useEffect(() => {
    const timer = setInterval(() => setNow(performance.now()), 100);
    return () => clearInterval(timer);
  }, []);

  const step = progress?.phase === 'denoise' ? progress : null;
  const preview = useRef<HTMLCanvasElement>(null);
  // The image forming: x̂₀ of the last step through the pack's cheap linear map (latent size).
  useEffect(() => drawPixels(preview.current, step?.preview), [step]);
  return (
    <div className="generation-progress" data-testid="generation-progress">
      {step?.preview && (
        <canvas ref={preview} className="step-preview" data-testid="step-preview" data-step={step.step} />
      )}
      <progress max={step?.steps ?? 1} value={step ? step.step : undefined} aria-label="Generation progress" />
      <span>
        {status === 'cancelling' ? 'Cancelling… ' : step ? `Step ${step.step} of ${step.steps} · ` : ''}
        {((now - started) / 1000).toFixed(1)} s
      </span>
    </div>
  );
}
