// A result waits here before it replaces the canvas: accept it (one undo step), discard it, or try
// the same request again with a new seed.
import { acceptCanvasResult, retryStaged } from '../../engine-actions';
import { useAppStore } from '../../store';

export function StagingBar() {
  const staged = useAppStore((s) => s.staged);
  const status = useAppStore((s) => s.status);
  const discardStaged = useAppStore((s) => s.discardStaged);
  if (!staged) return null;
  const busy = status === 'generating' || status === 'cancelling';
  return (
    <div className="staging" role="group" aria-label="Result">
      <span>
        Result (seed {staged.seed}, {staged.image.width}×{staged.image.height})
      </span>
      <button type="button" className="primary" disabled={busy} onClick={() => void acceptCanvasResult()}>
        Accept
      </button>
      <button type="button" disabled={busy} onClick={discardStaged}>
        Discard
      </button>
      <button type="button" disabled={busy} onClick={() => void retryStaged()}>
        Try again
      </button>
    </div>
  );
}
