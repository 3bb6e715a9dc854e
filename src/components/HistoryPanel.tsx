// The gallery: every finished image (kept in IndexedDB across visits), newest first, with open,
// download, copy, delete, reuse parameters and use as canvas.
import { useEffect, useMemo, useState } from 'react';
import { refreshHistory } from '../engine-actions';
import { deleteFromHistory, type HistoryEntry } from '../history/history-store';
import { downloadBlob, pngPixels, withParameters } from '../png/png-file';
import { useAppStore } from '../store';

function Thumbnail({ entry }: { entry: HistoryEntry }) {
  const url = useMemo(() => URL.createObjectURL(entry.png), [entry.png]);
  useEffect(() => () => URL.revokeObjectURL(url), [url]);
  return <img src={url} width={64} height={64} alt={entry.parameters.prompt} className="thumbnail" />;
}

/** Copy, which says how it went: "Copied", or why not (a browser without image clipboard, a denied
 * permission), for a few seconds. */
function CopyButton({ copy }: { copy: () => Promise<void> }) {
  const [outcome, setOutcome] = useState<string | null>(null);
  useEffect(() => {
    if (!outcome) return;
    const timer = setTimeout(() => setOutcome(null), 2500);
    return () => clearTimeout(timer);
  }, [outcome]);
  return (
    <button
      type="button"
      aria-live="polite"
      onClick={() =>
        void copy().then(
          () => setOutcome('Copied'),
          (e: Error) => setOutcome(`Not copied: ${e.message || 'the browser refused'}`),
        )
      }
    >
      {outcome ?? 'Copy'}
    </button>
  );
}

export function HistoryPanel() {
  const history = useAppStore((s) => s.history);
  const embed = useAppStore((s) => s.embedParameters);

  useEffect(() => {
    void refreshHistory();
  }, []);

  if (!history || history.length === 0) return null;

  const open = async (entry: HistoryEntry) => {
    const image = await pngPixels(entry.png);
    const s = useAppStore.getState();
    s.setEngine({
      image: {
        ...image,
        parameters: entry.parameters,
        seed: entry.parameters.seed,
        id: (s.image?.id ?? 0) + 1,
        totalMs: 0,
      },
      batch: [],
    });
  };
  const reuse = (entry: HistoryEntry) => {
    const s = useAppStore.getState();
    const { model: _model, sampler, ...rest } = entry.parameters;
    void _model;
    if (s.pack?.samplers.some((offered) => offered.name === sampler)) s.setSampler(sampler);
    s.setParams(rest);
  };
  const toCanvas = async (entry: HistoryEntry) => useAppStore.getState().openCanvas(await pngPixels(entry.png));
  const copy = async (entry: HistoryEntry) => {
    const png = await withParameters(entry.png, embed ? entry.parameters : null);
    await navigator.clipboard.write([new ClipboardItem({ 'image/png': png })]);
  };
  const remove = async (entry: HistoryEntry) => {
    await deleteFromHistory(entry.id);
    await refreshHistory();
  };

  return (
    <section className="history" aria-label="History">
      <h2>History ({history.length})</h2>
      <ul>
        {history.map((entry) => (
          <li key={entry.id} data-testid="history-entry" data-seed={entry.parameters.seed}>
            <button
              type="button"
              className="thumb-button"
              onClick={() => void open(entry)}
              aria-label={`Open ${entry.parameters.prompt}, seed ${entry.parameters.seed}`}
            >
              <Thumbnail entry={entry} />
            </button>
            <span className="caption" title={entry.parameters.prompt}>
              {entry.parameters.prompt || '(no prompt)'} · {entry.parameters.seed}
            </span>
            <span className="actions">
              <button
                type="button"
                onClick={() =>
                  void withParameters(entry.png, embed ? entry.parameters : null).then((png) =>
                    downloadBlob(png, `kandinsky-${entry.parameters.model}-${entry.parameters.seed}.png`),
                  )
                }
              >
                Download
              </button>
              <CopyButton copy={() => copy(entry)} />
              <button type="button" onClick={() => reuse(entry)}>
                Reuse
              </button>
              <button type="button" onClick={() => void toCanvas(entry)}>
                Canvas
              </button>
              <button
                type="button"
                onClick={() => void remove(entry)}
                aria-label={`Delete seed ${entry.parameters.seed}`}
              >
                Delete
              </button>
            </span>
          </li>
        ))}
      </ul>
    </section>
  );
}
