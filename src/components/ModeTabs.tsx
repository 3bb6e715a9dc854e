// The workspace's two modes: pictures (with the canvas) and animations.
import type { KeyboardEvent } from 'react';
import { useAppStore } from '../store';
import type { WorkspaceMode } from '../store/layout-slice';

const MODES: { mode: WorkspaceMode; label: string }[] = [
  { mode: 'create', label: 'Create' },
  { mode: 'animate', label: 'Animate' },
];

export function ModeTabs() {
  const mode = useAppStore((s) => s.mode);
  const setLayout = useAppStore((s) => s.setLayout);
  // Arrow keys move between tabs, as in any tab list.
  const onKey = (e: KeyboardEvent) => {
    if (e.key !== 'ArrowLeft' && e.key !== 'ArrowRight') return;
    const next = MODES[(MODES.findIndex((m) => m.mode === mode) + 1) % MODES.length]!;
    setLayout({ mode: next.mode });
    document.getElementById(`tab-${next.mode}`)?.focus();
  };
  return (
    <div className="mode-tabs" role="tablist" aria-label="Mode" onKeyDown={onKey}>
      {MODES.map(({ mode: m, label }) => (
        <button
          key={m}
          id={`tab-${m}`}
          type="button"
          role="tab"
          aria-selected={mode === m}
          aria-controls="workspace"
          tabIndex={mode === m ? 0 : -1}
          onClick={() => setLayout({ mode: m })}
        >
          {label}
        </button>
      ))}
    </div>
  );
}
