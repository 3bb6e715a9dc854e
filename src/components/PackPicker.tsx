// Opening another pack: from a URL (same origin, or a server that allows CORS), or from files on this
// computer, picked or dropped (a pack folder: manifest.json and the files it lists).
import { useState, type DragEvent, type FormEvent } from 'react';
import type { PackSourceSpec } from '../../shared/engine-api';
import { openPack } from '../engine-actions';
import { useAppStore } from '../store';

type LocalFiles = Extract<PackSourceSpec, { kind: 'files' }>['files'];

/** Picked files: their path inside a picked folder, when the browser gives one. */
function picked(list: FileList): LocalFiles {
  return Array.from(list, (file) => ({ path: file.webkitRelativePath || file.name, file }));
}

/** Every file under a dropped entry, with its path (folders are walked; the API is callback-based). */
async function walk(entry: FileSystemEntry): Promise<LocalFiles> {
  if (entry.isFile) {
    const file = await new Promise<File>((resolve, reject) => (entry as FileSystemFileEntry).file(resolve, reject));
    return [{ path: entry.fullPath.replace(/^\//, ''), file }];
  }
  const reader = (entry as FileSystemDirectoryEntry).createReader();
  const children: FileSystemEntry[] = [];
  // readEntries returns at most ~100 entries per call: read until it returns none.
  for (;;) {
    const batch = await new Promise<FileSystemEntry[]>((resolve, reject) => reader.readEntries(resolve, reject));
    if (batch.length === 0) break;
    children.push(...batch);
  }
  return (await Promise.all(children.map(walk))).flat();
}

/** Opens the pack, and closes Settings so that its size, download and loading show on the page. */
function openAndShow(source: PackSourceSpec) {
  useAppStore.getState().setLayout({ settingsOpen: false });
  void openPack(source);
}

export function PackPicker() {
  const status = useAppStore((s) => s.status);
  const [url, setUrl] = useState('');
  const [dragging, setDragging] = useState(false);
  const busy = status === 'loading' || status === 'generating' || status === 'cancelling';

  const openUrl = (event: FormEvent) => {
    event.preventDefault();
    if (url.trim()) openAndShow({ kind: 'url', url: url.trim() });
  };

  const drop = async (event: DragEvent) => {
    event.preventDefault();
    setDragging(false);
    if (busy) return;
    const entries = Array.from(event.dataTransfer.items, (item) => item.webkitGetAsEntry()).filter(
      (e): e is FileSystemEntry => e !== null,
    );
    const files = entries.length > 0 ? (await Promise.all(entries.map(walk))).flat() : picked(event.dataTransfer.files);
    if (files.length > 0) openAndShow({ kind: 'files', files });
  };

  return (
    <section
      className={`pack-picker${dragging ? ' dragging' : ''}`}
      aria-label="Open a model pack"
      onDragOver={(e) => {
        e.preventDefault();
        setDragging(true);
      }}
      onDragLeave={() => setDragging(false)}
      onDrop={(e) => void drop(e)}
    >
      <h2>Open a model pack</h2>
      <form className="row" onSubmit={openUrl}>
        <label>
          Manifest URL
          <input
            name="packUrl"
            // Text, not "url": an address on this site ("/models/…/manifest.json") is fine too.
            type="text"
            inputMode="url"
            autoComplete="url"
            spellCheck={false}
            placeholder="https://…/manifest.json"
            value={url}
            onChange={(e) => setUrl(e.target.value)}
          />
        </label>
        <button type="submit" disabled={busy || !url.trim()}>
          Open
        </button>
      </form>
      <p className="row">
        <label className="file-button">
          Choose pack files…
          <input
            type="file"
            name="packFiles"
            multiple
            disabled={busy}
            onChange={(e) => {
              if (e.target.files?.length) openAndShow({ kind: 'files', files: picked(e.target.files) });
              e.target.value = '';
            }}
          />
        </label>
        <label className="file-button">
          Choose a pack folder…
          <input
            type="file"
            name="packFolder"
            // @ts-expect-error: webkitdirectory is not in React's input attributes, but every engine supports it
            webkitdirectory=""
            disabled={busy}
            onChange={(e) => {
              if (e.target.files?.length) openAndShow({ kind: 'files', files: picked(e.target.files) });
              e.target.value = '';
            }}
          />
        </label>
        <span className="hint">or drop a pack folder here</span>
      </p>
    </section>
  );
}
