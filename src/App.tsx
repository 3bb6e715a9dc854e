import { useEffect } from 'react';
import { AnimationControls } from './components/animation/AnimationControls';
import { AnimationPlayer } from './components/animation/AnimationPlayer';
import { BundledPackOffer } from './components/BundledPackOffer';
import { CreditLine } from './components/CreditLine';
import { DownloadPanel } from './components/DownloadPanel';
import { ErrorNotice } from './components/ErrorNotice';
import { GenerateForm } from './components/GenerateForm';
import { HistoryPanel } from './components/history/HistoryPanel';
import { PictureSurface } from './components/PictureSurface';
import { ModeTabs } from './components/ModeTabs';
import { SettingsDialog } from './components/SettingsDialog';
import { StatusLine } from './components/StatusLine';
import { Toast } from './components/Toast';
import { UnsupportedScreen } from './components/UnsupportedScreen';
import { UpdatePrompt } from './components/UpdatePrompt';
import { stopAnimation } from './animation-actions';
import { cancelGeneration, generateImage, loadPack } from './engine-actions';
import { showLastResult } from './history-actions';
import { useAppStore } from './store';

/** One workspace: the settings in a side panel, the picture (or the canvas, or the animation player)
 * in the middle with the history under it, and the rest in the settings dialog. */
export function App() {
  const status = useAppStore((s) => s.status);
  const error = useAppStore((s) => s.error);
  const notices = useAppStore((s) => s.pack?.storage.notices);
  const mode = useAppStore((s) => s.mode);
  const setLayout = useAppStore((s) => s.setLayout);

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
    <div className="app" data-mode={mode}>
      <header className="topbar">
        <h1>Kandinsky Web</h1>
        <ModeTabs />
        <StatusLine />
        <button type="button" className="settings-button" onClick={() => setLayout({ settingsOpen: true })}>
          <svg viewBox="0 0 24 24" width="18" height="18" aria-hidden="true" focusable="false">
            <path
              fill="currentColor"
              d="M19.4 13a7.7 7.7 0 0 0 0-2l2.1-1.6-2-3.5-2.5 1a7.6 7.6 0 0 0-1.7-1L15 3h-4l-.4 2.7a7.6 7.6 0 0 0-1.7 1l-2.5-1-2 3.5L6.6 11a7.7 7.7 0 0 0 0 2l-2.1 1.6 2 3.5 2.5-1a7.6 7.6 0 0 0 1.7 1L11 21h4l.4-2.7a7.6 7.6 0 0 0 1.7-1l2.5 1 2-3.5zM13 15.5a3.5 3.5 0 1 1 0-7 3.5 3.5 0 0 1 0 7z"
              transform="translate(-1 0)"
            />
          </svg>
          <span className="settings-label">Settings</span>
        </button>
      </header>
      <div className="shell" id="workspace" role="tabpanel" aria-labelledby={`tab-${mode}`}>
        <aside className="side-panel">
          {mode === 'create' ? <GenerateForm /> : <AnimationControls />}
          <CreditLine />
        </aside>
        <main className="stage">
          <div className="messages">
            {error && <ErrorNotice error={error} />}
            <BundledPackOffer />
            <UpdatePrompt />
            {notices?.map((notice) => (
              <p className="notice" role="note" key={notice}>
                {notice}
              </p>
            ))}
          </div>
          <DownloadPanel />
          {mode === 'create' ? (
            <>
              <PictureSurface />
              <HistoryPanel />
            </>
          ) : (
            <AnimationPlayer />
          )}
        </main>
      </div>
      <SettingsDialog />
      <Toast />
    </div>
  );
}
