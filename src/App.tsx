import { useEffect } from 'react';
import { AnimationPanel } from './components/AnimationPanel';
import { CanvasPanel } from './components/canvas/CanvasPanel';
import { BundledPackOffer } from './components/BundledPackOffer';
import { DownloadPanel } from './components/DownloadPanel';
import { ErrorNotice } from './components/ErrorNotice';
import { GenerateForm } from './components/GenerateForm';
import { HistoryPanel } from './components/HistoryPanel';
import { ImageOutput } from './components/ImageOutput';
import { PackCredits } from './components/PackCredits';
import { PackPicker } from './components/PackPicker';
import { StoragePanel } from './components/StoragePanel';
import { UpdatePrompt } from './components/UpdatePrompt';
import { StatusLine } from './components/StatusLine';
import { UnsupportedScreen } from './components/UnsupportedScreen';
import { stopAnimation } from './animation-actions';
import { cancelGeneration, generateImage, loadPack, showLastResult } from './engine-actions';
import { useAppStore } from './store';

export function App() {
  const status = useAppStore((s) => s.status);
  const error = useAppStore((s) => s.error);
  const notices = useAppStore((s) => s.pack?.storage.notices);

  useEffect(() => {
    void loadPack();
    void showLastResult();
    // Wherever the focus is: Ctrl/Cmd+Enter generates (latest wins while one runs), Esc cancels.
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape') {
        void stopAnimation();
        void cancelGeneration();
      } else if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
        e.preventDefault();
        void generateImage();
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);

  if (status === 'unsupported' && error) return <UnsupportedScreen message={error.message} />;
  return (
    <main className="app">
      <header>
        <h1>Kandinsky Web</h1>
        <StatusLine />
      </header>
      {error && <ErrorNotice error={error} />}
      <BundledPackOffer />
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
      <HistoryPanel />
      <CanvasPanel />
      <AnimationPanel />
      <PackPicker />
      <footer>
        <p>Runs entirely in your browser. Architecture: Kandinsky 3 by ai-forever (Apache-2.0).</p>
        <StoragePanel />
        <PackCredits />
      </footer>
    </main>
  );
}
