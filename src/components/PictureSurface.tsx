// The picture in the middle of the workspace, one surface for the result and the canvas: the result
// with its actions, or the canvas editor in its place (started from the result, an uploaded picture
// (picker, drop or paste) or a blank canvas: brush a mask, inpaint or outpaint, stage, accept, undo).
// A picture dropped anywhere on it opens on the canvas.
import { useEffect, useMemo, useState } from 'react';
import { blankImage } from '../canvas/canvas-image';
import { loadImageFile } from '../canvas/load-image';
import { maskedPixelCount, rasterizeMask } from '../canvas/mask-ops';
import { canvasSizeRules, downloadCanvas } from '../engine-actions';
import { useAppStore } from '../store';
import { CanvasToolbar } from './canvas/CanvasToolbar';
import { CanvasView } from './canvas/CanvasView';
import { StagingBar } from './canvas/StagingBar';
import { ImageOutput } from './ImageOutput';

const typing = (target: EventTarget | null) =>
  target instanceof HTMLInputElement || target instanceof HTMLTextAreaElement || target instanceof HTMLSelectElement;

export function PictureSurface() {
  const pack = useAppStore((state) => state.pack);
  const doc = useAppStore((state) => state.canvas?.present);
  const openCanvas = useAppStore((state) => state.openCanvas);
  const closeCanvas = useAppStore((state) => state.closeCanvas);
  const [problem, setProblem] = useState<string | null>(null);
  // A canvas that opens is brought into view, tools and all: it sits at the top of the stage, so the
  // page goes back to its top (a phone may have been scrolled down to the history).
  const isOpen = doc !== undefined;
  useEffect(() => {
    if (isOpen) window.scrollTo({ top: 0, behavior: 'instant' });
  }, [isOpen]);
  const maskedPixels = useMemo(
    () => (doc ? maskedPixelCount(rasterizeMask(doc.ops, doc.image.width, doc.image.height)) : 0),
    [doc],
  );

  // Reads the pack when called: the paste listener below keeps the first render's closure.
  const open = async (file: Blob) => {
    const current = useAppStore.getState().pack;
    if (!current) return;
    await loadImageFile(file, canvasSizeRules(current)).then(
      (image) => {
        setProblem(null);
        useAppStore.getState().openCanvas(image);
      },
      (e: Error) => setProblem(e.message),
    );
  };

  // Keyboard: undo / redo, and [ ] for the brush size; never while typing in a field.
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (typing(e.target) || !useAppStore.getState().canvas) return;
      const state = useAppStore.getState();
      const mod = e.ctrlKey || e.metaKey;
      if (mod && e.key.toLowerCase() === 'z') {
        e.preventDefault();
        if (e.shiftKey) state.redoCanvas();
        else state.undoCanvas();
      } else if (mod && e.key.toLowerCase() === 'y') {
        e.preventDefault();
        state.redoCanvas();
      } else if (e.key === '[' || e.key === ']') {
        state.setCanvasOptions({
          brushSize: state.brushSize + (e.key === ']' ? 1 : -1) * Math.max(1, Math.round(state.brushSize / 8)),
        });
      }
    };
    // A pasted image opens as a canvas.
    const onPaste = (e: ClipboardEvent) => {
      if (typing(e.target)) return;
      const file = Array.from(e.clipboardData?.files ?? []).find((f) => f.type.startsWith('image/'));
      if (file) {
        e.preventDefault();
        void open(file);
      }
    };
    window.addEventListener('keydown', onKey);
    window.addEventListener('paste', onPaste);
    return () => {
      window.removeEventListener('keydown', onKey);
      window.removeEventListener('paste', onPaste);
    };
  }, []);

  // The canvas works at the pack's sizes: its buttons wait for a pack (shown all along, so that nothing
  // moves when the pack is ready).
  const rules = pack ? canvasSizeRules(pack) : null;
  return (
    <section
      className="picture-surface"
      aria-label="Picture"
      onDragOver={(e) => {
        if (Array.from(e.dataTransfer.items).some((i) => i.type.startsWith('image/'))) e.preventDefault();
      }}
      onDrop={(e) => {
        const file = Array.from(e.dataTransfer.files).find((f) => f.type.startsWith('image/'));
        if (!file) return;
        e.preventDefault();
        e.stopPropagation();
        void open(file);
      }}
    >
      <h2 className="visually-hidden">{doc ? 'Canvas' : 'Result'}</h2>
      {problem && (
        <p className="error" role="alert" data-error="ImageLoadError">
          {problem}
        </p>
      )}
      {!doc && <ImageOutput />}
      {doc && rules && (
        <>
          <div className="canvas-bar">
            <CanvasToolbar maskedPixels={maskedPixels} sizeStep={rules.multipleOf} />
          </div>
          <CanvasView />
          <StagingBar />
        </>
      )}
      <div className="row canvas-entry">
        <button
          type="button"
          disabled={!rules}
          onClick={() => rules && openCanvas(blankImage(rules.preferred, rules.preferred))}
        >
          Blank canvas
        </button>
        <label className={`file-button${pack ? '' : ' disabled'}`}>
          Open image…
          <input
            type="file"
            name="canvasImage"
            accept="image/*"
            disabled={!pack}
            onChange={(e) => {
              const file = e.target.files?.[0];
              if (file) void open(file);
              e.target.value = '';
            }}
          />
        </label>
        {!doc && <span className="hint">or paste or drop a picture to edit it</span>}
        {doc && (
          <>
            <button type="button" onClick={() => void downloadCanvas()}>
              Download canvas
            </button>
            <button type="button" onClick={closeCanvas}>
              Close canvas
            </button>
          </>
        )}
      </div>
    </section>
  );
}
