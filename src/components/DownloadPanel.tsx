// A pack's download: its size before anything starts, byte-accurate progress per file and in total,
// and cancel / resume. Stored chunks count as done, so a resumed download starts where it stopped.
import type { FileDownload, PackPlan } from '../../shared/engine-api';
import { cancelDownload, dismissOffer, startDownload } from '../engine-actions';
import { useAppStore } from '../store';

const megabytes = (bytes: number) => `${(bytes / 1e6).toFixed(1)} MB`;

const STATE_LABELS: Record<FileDownload['state'], string> = {
  stored: 'on this device',
  queued: 'waiting',
  downloading: 'downloading',
  done: 'done',
  failed: 'stopped',
};

/** Where the bytes come from, so the user knows whom they download from. */
function sourceLabel(id: string): string {
  if (id.startsWith('local:')) return 'files on this computer';
  const url = new URL(id);
  return url.origin === location.origin ? 'this app' : url.host;
}

/** The rows to show: live progress while downloading, else the plan's view of what is stored. */
function rowsOf(plan: PackPlan, live: FileDownload[] | null): FileDownload[] {
  return (
    live ??
    plan.files.map((f) => ({
      path: f.path,
      bytes: f.bytes,
      doneBytes: f.storedBytes,
      state: f.storedBytes === f.bytes ? 'stored' : 'queued',
    }))
  );
}

export function DownloadPanel() {
  const status = useAppStore((s) => s.status);
  const plan = useAppStore((s) => s.plan);
  // Only download progress matters here: later phases (and generation) do not re-render the panel.
  const live = useAppStore((s) => (s.progress?.phase === 'download' ? s.progress.files : null));
  const pastDownload = useAppStore((s) => !!s.progress && s.progress.phase !== 'download');
  if (!plan || !['offer', 'loading', 'paused'].includes(status)) return null;
  if (status === 'loading' && pastDownload) return null; // downloaded; the sessions are being made
  const rows = rowsOf(plan, live);
  const done = rows.reduce((sum, r) => sum + r.doneBytes, 0);
  const remaining = plan.totalBytes - done;
  const tooBigToKeep = plan.freeBytes !== null && plan.freeBytes < remaining;

  return (
    <section className="download" aria-label="Model download" data-status={status}>
      <h2>{plan.title}</h2>
      <p className="source">from {sourceLabel(plan.id)}</p>
      <p data-testid="download-size">
        {megabytes(plan.totalBytes)} in {plan.files.length} files
        {done > 0 && status !== 'loading' && <>, {megabytes(done)} already on this device</>}
        {status === 'offer' && <> · {megabytes(remaining)} to download</>}
      </p>
      {tooBigToKeep && (
        <p className="warning" role="note">
          This site may store only {megabytes(plan.freeBytes!)} more, so the pack will run from memory and download
          again next visit. Free space, or delete a stored pack, to keep it.
        </p>
      )}
      <label className="total">
        <span data-testid="download-total">
          {megabytes(done)} of {megabytes(plan.totalBytes)}
        </span>
        <progress max={plan.totalBytes} value={done} aria-label="Total downloaded" />
      </label>
      <ul className="files">
        {rows.map((row) => (
          <li key={row.path} data-testid="download-file" data-state={row.state}>
            <span className="path">{row.path}</span>
            <progress max={Math.max(row.bytes, 1)} value={row.doneBytes} aria-label={row.path} />
            <span className="bytes">
              {megabytes(row.doneBytes)} / {megabytes(row.bytes)} · {STATE_LABELS[row.state]}
            </span>
          </li>
        ))}
      </ul>
      <div className="row">
        {status === 'offer' && (
          <>
            <button type="button" className="primary" onClick={() => void startDownload()}>
              Download {megabytes(remaining)}
            </button>
            <button type="button" onClick={dismissOffer}>
              Not now
            </button>
          </>
        )}
        {status === 'loading' && (
          <button type="button" onClick={() => void cancelDownload()}>
            Cancel download
          </button>
        )}
        {status === 'paused' && (
          <button type="button" className="primary" onClick={() => void startDownload()}>
            Resume download
          </button>
        )}
      </div>
    </section>
  );
}
