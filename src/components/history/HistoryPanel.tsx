// The gallery: every finished image (kept in IndexedDB across visits), newest first, one page at a time,
// as a grid of pictures at their true shape. Each picture opens on click; its other actions (download,
// copy, reuse the settings, edit on the canvas, delete) sit in a menu. "Clear all" asks first.
import { useEffect, useState } from 'react';
import { clearAllHistory, refreshHistory } from '../../history-actions';
import { useAppStore } from '../../store';
import { HISTORY_PAGE_SIZE } from '../../store/history-slice';
import { HistoryItem } from './HistoryItem';

export function HistoryPanel() {
  const history = useAppStore((s) => s.history);
  const total = useAppStore((s) => s.historyTotal);
  const offset = useAppStore((s) => s.historyOffset);
  const [confirmingClear, setConfirmingClear] = useState(false);

  useEffect(() => {
    void refreshHistory(0);
  }, []);

  if (!history || total === 0) return null;
  const last = offset + history.length;
  const pages = total > HISTORY_PAGE_SIZE;

  return (
    <section className="history" aria-label="History">
      <div className="history-head">
        <h2>
          History <span className="count">({total})</span>
        </h2>
        {pages && (
          <nav className="pager" aria-label="History pages">
            <button
              type="button"
              aria-label="Newer pictures"
              disabled={offset === 0}
              onClick={() => void refreshHistory(Math.max(0, offset - HISTORY_PAGE_SIZE))}
            >
              ‹
            </button>
            <span data-testid="history-range">
              {offset + 1}–{last} of {total}
            </span>
            <button
              type="button"
              aria-label="Older pictures"
              disabled={last >= total}
              onClick={() => void refreshHistory(offset + HISTORY_PAGE_SIZE)}
            >
              ›
            </button>
          </nav>
        )}
        {confirmingClear ? (
          <span role="group" aria-label="Clear the history?" className="confirm">
            Delete all {total} pictures from this device? This cannot be undone.{' '}
            <button
              type="button"
              className="danger"
              onClick={() => {
                setConfirmingClear(false);
                void clearAllHistory();
              }}
            >
              Delete all
            </button>{' '}
            <button type="button" onClick={() => setConfirmingClear(false)}>
              Keep
            </button>
          </span>
        ) : (
          <button type="button" className="quiet" onClick={() => setConfirmingClear(true)}>
            Clear all…
          </button>
        )}
      </div>
      <ul className="history-grid">
        {history.map((entry) => (
          <HistoryItem key={entry.id} entry={entry} />
        ))}
      </ul>
    </section>
  );
}
