// "Ready offline" only when all three are local: the app shell and the runtime (a service worker
// controls the page, and it precaches both) and the pack's weights (every file this load used came
// from, or went into, the offline store).
import { useEffect, useState } from 'react';
import { useAppStore } from '../store';

function useServiceWorkerControl(): boolean {
  const [controlled, setControlled] = useState(() => !!navigator.serviceWorker?.controller);
  useEffect(() => {
    const container = navigator.serviceWorker;
    if (!container) return;
    const update = () => setControlled(!!container.controller);
    container.addEventListener('controllerchange', update);
    void container.ready.then(update);
    return () => container.removeEventListener('controllerchange', update);
  }, []);
  return controlled;
}

export function OfflineBadge() {
  const storage = useAppStore((s) => s.pack?.storage);
  const controlled = useServiceWorkerControl();
  if (!storage || !controlled || storage.unsavedBytes > 0) return null;
  return <span data-testid="offline"> · ready offline</span>;
}
