import { openPack } from '../engine-actions';
import { useAppStore } from '../store';
import { BUNDLED_PACK } from '../url-options';

/** With no model loaded (another pack failed, a bad ?pack= address, the pack in use deleted), a way
 * back to the model that ships with the app. */
export function BundledPackOffer() {
  const show = useAppStore((s) => !s.pack && (s.status === 'error' || s.status === 'paused'));
  if (!show) return null;
  return (
    <p className="notice">
      <button type="button" onClick={() => void openPack({ kind: 'url', url: BUNDLED_PACK })}>
        Open the bundled model
      </button>{' '}
      (kandinsky3-nano, stored with the app: it works offline).
    </p>
  );
}
