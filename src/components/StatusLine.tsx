import type { LoadedPack, Progress } from '../../shared/engine-api';
import { useAppStore } from '../store';
import { OfflineBadge } from './OfflineBadge';

function describe(progress: Progress | null): string {
  if (!progress) return '';
  switch (progress.phase) {
    case 'download':
      return `Downloading (${Math.floor((100 * progress.doneBytes) / Math.max(progress.totalBytes, 1))} %)`;
    case 'load':
      return `Loading ${progress.component} (${progress.index + 1} of ${progress.count})`;
    case 'warmup':
      return `Preparing ${progress.component}`;
    case 'encode':
      return progress.parts
        ? `Reading the prompt (text encoder part ${progress.part! + 1} of ${progress.parts})`
        : 'Reading the prompt';
    case 'denoise':
      return `Step ${progress.step} of ${progress.steps}`;
    case 'decode':
      return 'Decoding the image';
    case 'upscale':
      return 'Upscaling the image';
  }
}

function storageLabel(storage: LoadedPack['storage']): string {
  if (storage.downloadedBytes === 0) return 'loaded from this device';
  const mb = (storage.downloadedBytes / 1e6).toFixed(1);
  return storage.unsavedBytes ? `downloaded ${mb} MB` : `downloaded ${mb} MB, saved for offline use`;
}

export function StatusLine() {
  const status = useAppStore((s) => s.status);
  const pack = useAppStore((s) => s.pack);
  const plan = useAppStore((s) => s.plan);
  const progress = useAppStore((s) => s.progress);
  const active = status === 'loading' || status === 'generating' || status === 'cancelling';
  return (
    <p className="status" role="status" data-status={status}>
      {plan && !pack && status !== 'ready' ? (
        <span>{plan.title}</span>
      ) : pack ? (
        <>
          <span data-testid="backend">{pack.backend.label}</span> · <span>{pack.title}</span>
          {pack.weights === 'random' && <span className="warning"> (random weights: makes noise, not pictures)</span>}
          <span data-testid="storage" data-downloaded-bytes={pack.storage.downloadedBytes}>
            {' · '}
            {storageLabel(pack.storage)}
          </span>
          <OfflineBadge />
        </>
      ) : status === 'starting' ? (
        <span>Starting the engine…</span>
      ) : status === 'loading' ? (
        <span>Loading the model…</span>
      ) : (
        <span>No model is loaded</span>
      )}
      {/* Only while something runs: a download that stopped or failed says so elsewhere. */}
      {progress && active && <span className="progress"> · {describe(progress)}</span>}
    </p>
  );
}
