// Registers the service worker and offers new versions: "update available, reload". The new version
// never replaces the running one by itself, and the reload waits while an image is being generated.
import { useRegisterSW } from 'virtual:pwa-register/react';
import { useAppStore } from '../store';

export function UpdatePrompt() {
  const generating = useAppStore((s) => s.status === 'generating' || s.status === 'cancelling');
  const {
    needRefresh: [needRefresh],
    updateServiceWorker,
  } = useRegisterSW({ immediate: true });
  if (!needRefresh) return null;
  return (
    <p className="notice" role="note" data-testid="update">
      A new version of Kandinsky Web is available.{' '}
      <button type="button" disabled={generating} onClick={() => void updateServiceWorker(true)}>
        {generating ? 'Reload after this image' : 'Reload'}
      </button>
    </p>
  );
}
