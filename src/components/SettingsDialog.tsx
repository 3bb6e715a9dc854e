// Settings, in a modal dialog: other model packs and what is stored on this device, the PNG preference,
// and the credits of the model in use.
import { useEffect, useRef } from 'react';
import { useAppStore } from '../store';
import { PackCredits } from './PackCredits';
import { PackPicker } from './PackPicker';
import { StoragePanel } from './StoragePanel';

export function SettingsDialog() {
  const open = useAppStore((s) => s.settingsOpen);
  const setLayout = useAppStore((s) => s.setLayout);
  const embedParameters = useAppStore((s) => s.embedParameters);
  const upscaleResults = useAppStore((s) => s.upscaleResults);
  const upscaler = useAppStore((s) => s.pack?.upscaler ?? null);
  const setParams = useAppStore((s) => s.setParams);
  const dialog = useRef<HTMLDialogElement>(null);

  // The native dialog traps focus, closes on Esc and gives focus back to the button that opened it.
  useEffect(() => {
    const element = dialog.current;
    if (!element) return;
    if (open && !element.open) element.showModal();
    if (!open && element.open) element.close();
  }, [open]);

  return (
    <dialog
      ref={dialog}
      className="settings-dialog"
      aria-labelledby="settings-title"
      onClose={() => setLayout({ settingsOpen: false })}
      onKeyDown={(e) => e.stopPropagation() /* Esc closes the dialog; it must not also cancel a run */}
    >
      <div className="dialog-head">
        <h2 id="settings-title">Settings</h2>
        <button type="button" className="quiet" onClick={() => setLayout({ settingsOpen: false })}>
          Close
        </button>
      </div>
      <StoragePanel />
      <PackPicker />
      <section aria-label="Pictures" className="settings-section">
        <h3>Pictures</h3>
        <label className="check">
          <input
            type="checkbox"
            name="embedParameters"
            checked={embedParameters}
            onChange={(e) => setParams({ embedParameters: e.target.checked })}
          />
          Save the parameters in downloaded PNGs
        </label>
        <label className="check">
          <input
            type="checkbox"
            name="upscaleResults"
            checked={upscaleResults && !!upscaler}
            disabled={!upscaler}
            onChange={(e) => setParams({ upscaleResults: e.target.checked })}
          />
          {upscaler
            ? `Enlarge results ${upscaler.factor}× with the model’s upscaler`
            : 'Enlarge results with an upscaler (this model has none)'}
        </label>
      </section>
      <section aria-label="About" className="settings-section">
        <h3>About</h3>
        <p>
          Runs entirely in your browser: prompts and pictures never leave this device. Architecture: Kandinsky 3 by
          ai-forever (Apache-2.0).
        </p>
        <PackCredits />
      </section>
    </dialog>
  );
}
