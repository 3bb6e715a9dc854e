import type { Progress } from '../../workers/engine-api';
import { useAppStore } from '../store';

function describe(progress: Progress | null): string {
  if (!progress) return '';
  switch (progress.phase) {
    case 'load':
      return `Loading ${progress.component} (${Math.round((100 * progress.loadedBytes) / Math.max(progress.totalBytes, 1))} %)`;
    case 'warmup':
      return `Preparing ${progress.component}`;
    case 'encode':
      return 'Reading the prompt';
    case 'denoise':
      return `Step ${progress.step} of ${progress.steps}`;
    case 'decode':
      return 'Decoding the image';
  }
}

export function StatusLine() {
  const { status, pack, progress } = useAppStore();
  return (
    <p className="status" role="status" data-status={status}>
      {pack ? (
        <>
          <span data-testid="backend">{pack.backend.label}</span> · <span>{pack.title}</span>
          {pack.weights === 'random' && <span className="warning"> (random weights: makes noise, not pictures)</span>}
        </>
      ) : (
        <span>Starting the engine…</span>
      )}
      {progress && <span className="progress"> · {describe(progress)}</span>}
    </p>
  );
}
