// The packs stored in this browser, their size on disk, and a way to free each. Refreshed whenever
// a pack finishes loading (which may have stored new files).
import { useCallback, useEffect, useState } from 'react';
import type { StoredPack } from '../../shared/engine-api';
import { deleteStoredPack, listStoredPacks, openPack } from '../engine-actions';
import { useAppStore } from '../store';

const megabytes = (bytes: number) => `${(bytes / 1e6).toFixed(1)} MB`;

export function StoragePanel() {
  const pack = useAppStore((s) => s.pack);
  const status = useAppStore((s) => s.status);
  const broken = useAppStore((s) => s.brokenPacks);
  const setBroken = useAppStore((s) => s.setBroken);
  const [packs, setPacks] = useState<StoredPack[] | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  /** The pack in use waiting for "Delete and unload": deleting it takes the model away. */
  const [confirming, setConfirming] = useState<string | null>(null);

  const refresh = useCallback(() => {
    listStoredPacks()
      .then((list) => {
        setPacks(list);
        setProblem(null);
      })
      .catch((e: Error) => setProblem(`The offline store cannot be read: ${e.message}`));
  }, []);

  // Refreshed when a load ends, well or not: either may have stored chunks.
  useEffect(() => {
    if (status !== 'loading' && status !== 'starting') refresh();
  }, [pack, status, refresh]);

  const busy = status === 'loading' || status === 'generating' || status === 'cancelling';
  if (!packs && !problem) return null;
  return (
    <section className="storage" aria-label="Stored packs">
      <h2>Stored on this device</h2>
      {problem && <p role="alert">{problem}</p>}
      {packs && packs.length === 0 && <p>No packs are stored; they download again on the next visit.</p>}
      <ul>
        {packs?.map((p) => (
          <li key={p.id} data-testid="stored-pack">
            <span>
              {p.title}: {megabytes(p.bytesOnDisk)} of {megabytes(p.totalBytes)}
              {p.bytesOnDisk < p.totalBytes && ' (partly downloaded)'}
              {p.id.startsWith('local:') && ' · from local files'}
            </span>{' '}
            {broken[p.id] ? (
              <>
                <span className="broken" data-testid="broken-pack">
                  Broken: {broken[p.id]}
                </span>{' '}
                <button
                  type="button"
                  aria-label={`Try ${p.title} again`}
                  disabled={busy}
                  onClick={() => void openPack({ kind: 'stored', id: p.id })}
                >
                  Try again
                </button>
              </>
            ) : (
              p.id !== pack?.id && (
                <button
                  type="button"
                  aria-label={`Use ${p.title}`}
                  disabled={busy}
                  onClick={() => void openPack({ kind: 'stored', id: p.id })}
                >
                  Use
                </button>
              )
            )}{' '}
            {confirming === p.id ? (
              <span role="group" aria-label={`Delete ${p.title}?`} className="confirm">
                {p.title} is the model in use: deleting it unloads it now, and it downloads again next time.{' '}
                <button
                  type="button"
                  onClick={() => {
                    setConfirming(null);
                    void deleteStoredPack(p.id).then(refresh, (e: Error) => setProblem(e.message));
                  }}
                >
                  Delete and unload
                </button>{' '}
                <button type="button" onClick={() => setConfirming(null)}>
                  Keep
                </button>
              </span>
            ) : (
              <button
                type="button"
                aria-label={`Delete ${p.title}`}
                disabled={p.id === pack?.id && (status === 'generating' || status === 'cancelling')}
                onClick={() =>
                  p.id === pack?.id
                    ? setConfirming(p.id)
                    : void deleteStoredPack(p.id).then(
                        () => {
                          setBroken(p.id, null);
                          refresh();
                        },
                        (e: Error) => setProblem(e.message),
                      )
                }
              >
                Delete
              </button>
            )}
          </li>
        ))}
      </ul>
    </section>
  );
}
