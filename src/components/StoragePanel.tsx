// The packs stored in this browser, their size on disk, and a way to free each. Refreshed whenever
// a pack finishes loading (which may have stored new files).
import { useCallback, useEffect, useState } from 'react';
import type { StoredPack } from '../../workers/engine-api';
import { deleteStoredPack, listStoredPacks } from '../engine-actions';
import { useAppStore } from '../store';

const megabytes = (bytes: number) => `${(bytes / 1e6).toFixed(1)} MB`;

export function StoragePanel() {
  const pack = useAppStore((s) => s.pack);
  const [packs, setPacks] = useState<StoredPack[] | null>(null);
  const [problem, setProblem] = useState<string | null>(null);

  const refresh = useCallback(() => {
    listStoredPacks()
      .then((list) => {
        setPacks(list);
        setProblem(null);
      })
      .catch((e: Error) => setProblem(`The offline store cannot be read: ${e.message}`));
  }, []);

  useEffect(() => {
    if (pack) refresh();
  }, [pack, refresh]);

  if (!pack) return null;
  return (
    <section className="storage" aria-label="Stored packs">
      <h2>Stored on this device</h2>
      {problem && <p role="alert">{problem}</p>}
      {packs && packs.length === 0 && <p>No packs are stored; they download again on the next visit.</p>}
      <ul>
        {packs?.map((p) => (
          <li key={p.url} data-testid="stored-pack">
            <span>
              {p.title}: {megabytes(p.bytesOnDisk)} of {megabytes(p.totalBytes)}
            </span>{' '}
            <button
              type="button"
              aria-label={`Delete ${p.title}`}
              onClick={() => void deleteStoredPack(p.url).then(refresh, (e: Error) => setProblem(e.message))}
            >
              Delete
            </button>
          </li>
        ))}
      </ul>
    </section>
  );
}
