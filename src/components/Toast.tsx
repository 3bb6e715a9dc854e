// A short confirmation ("Copied") that fades after a few seconds; announced politely.
import { useEffect } from 'react';
import { useAppStore } from '../store';

const SHOWN_MS = 3000;

export function Toast() {
  const toast = useAppStore((s) => s.toast);
  const hideToast = useAppStore((s) => s.hideToast);
  useEffect(() => {
    if (!toast) return;
    const timer = setTimeout(() => hideToast(toast.id), SHOWN_MS);
    return () => clearTimeout(timer);
  }, [toast, hideToast]);
  return (
    <p className="toast" aria-live="polite" data-testid="toast" data-shown={!!toast}>
      {toast?.text}
    </p>
  );
}
