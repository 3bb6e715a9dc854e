import { useEffect } from 'react';
import { CanvasPanel } from './components/canvas/CanvasPanel';
import { DownloadPanel } from './components/DownloadPanel';
import { GenerateForm } from './components/GenerateForm';
import { ImageOutput } from './components/ImageOutput';
import { PackCredits } from './components/PackCredits';
import { PackPicker } from './components/PackPicker';
import { StoragePanel } from './components/StoragePanel';
import { UpdatePrompt } from './components/UpdatePrompt';
import { StatusLine } from './components/StatusLine';
import { UnsupportedScreen } from './components/UnsupportedScreen';
import { loadPack } from './engine-actions';
import { useAppStore } from './store';

export function App() {
  const status = useAppStore((s) => s.status);
  const error = useAppStore((s) => s.error);
  const notices = useAppStore((s) => s.pack?.storage.notices);

  useEffect(() => {
    void loadPack();
  }, []);

  if (status === 'unsupported' && error) return <UnsupportedScreen message={error.message} />;
  return (
    <main className="app">
      <header>
        <h1>Kandinsky Web</h1>
        <StatusLine />
      </header>
      {error &&
        (error.name === 'DownloadCancelledError' ? (
          <p className="notice" role="note" data-error={error.name}>
            {error.message}
          </p>
        ) : (
          <p className="error" role="alert" data-error={error.name}>
            {error.message}
          </p>
        ))}
      <UpdatePrompt />
      {notices?.map((notice) => (
        <p className="notice" role="note" key={notice}>
          {notice}
        </p>
      ))}
      <DownloadPanel />
      <div className="workspace">
        <GenerateForm />
        <ImageOutput />
      </div>
      <CanvasPanel />
      <PackPicker />
      <footer>
        <p>Runs entirely in your browser. Architecture: Kandinsky 3 by ai-forever (Apache-2.0).</p>
        <StoragePanel />
        <PackCredits />
      </footer>
    </main>
  );
}
