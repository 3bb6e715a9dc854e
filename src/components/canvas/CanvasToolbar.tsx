// The canvas tools: brush and eraser with their size, the mask's feather, clear / invert / show, undo
// and redo, inpaint, outpainting in four directions or by zooming out, and upscaling the picture.
import type { Side } from '../../canvas/canvas-image';
import { imageToImage, inpaintCanvas, outpaintCanvas, upscaleCanvas } from '../../engine-actions';
import { useShallow } from 'zustand/react/shallow';
import { useAppStore } from '../../store';
import { BRUSH_SIZES } from '../../store/canvas-slice';
import { RangeField } from '../fields';

const SIDES: { side: Side; label: string }[] = [
  { side: 'left', label: '← Left' },
  { side: 'right', label: 'Right →' },
  { side: 'top', label: '↑ Up' },
  { side: 'bottom', label: 'Down ↓' },
];

/** `sizeStep`: the pack's size step (its resolution.multipleOf); outpainting extends by multiples of it. */
export function CanvasToolbar({ maskedPixels, sizeStep }: { maskedPixels: number; sizeStep: number }) {
  const s = useAppStore(
    useShallow((state) => ({
      status: state.status,
      hasPack: !!state.pack,
      staged: !!state.staged,
      canUndo: !!state.canvas?.past.length,
      canRedo: !!state.canvas?.future.length,
      tool: state.tool,
      brushSize: state.brushSize,
      feather: state.feather,
      showMask: state.showMask,
      strength: state.strength,
      outpaintAmount: state.outpaintAmount,
      upscaler: state.pack?.upscaler ?? null,
    })),
  );
  const setCanvasOptions = useAppStore((state) => state.setCanvasOptions);
  const addMaskOp = useAppStore((state) => state.addMaskOp);
  const undoCanvas = useAppStore((state) => state.undoCanvas);
  const redoCanvas = useAppStore((state) => state.redoCanvas);
  const busy = s.status !== 'ready' && s.status !== 'error';
  const locked = busy || s.staged || !s.hasPack;

  return (
    <div className="canvas-toolbar" role="toolbar" aria-label="Canvas tools">
      <div className="row">
        <button type="button" aria-pressed={s.tool === 'brush'} onClick={() => setCanvasOptions({ tool: 'brush' })}>
          Brush
        </button>
        <button type="button" aria-pressed={s.tool === 'eraser'} onClick={() => setCanvasOptions({ tool: 'eraser' })}>
          Eraser
        </button>
        <RangeField
          label="Size"
          name="brushSize"
          title="[ and ] change it"
          min={BRUSH_SIZES.min}
          max={BRUSH_SIZES.max}
          value={s.brushSize}
          onChange={(brushSize) => setCanvasOptions({ brushSize })}
        />
        <RangeField
          label="Feather"
          name="feather"
          title="How far the result fades into the picture outside the mask"
          min={0}
          max={16}
          value={s.feather}
          onChange={(feather) => setCanvasOptions({ feather })}
        />
        <label className="check">
          <input
            type="checkbox"
            name="showMask"
            checked={s.showMask}
            onChange={(e) => setCanvasOptions({ showMask: e.target.checked })}
          />
          Show mask
        </label>
      </div>
      <div className="row">
        <button type="button" disabled={locked} onClick={() => addMaskOp({ kind: 'clear' })}>
          Clear mask
        </button>
        <button type="button" disabled={locked} onClick={() => addMaskOp({ kind: 'invert' })}>
          Invert mask
        </button>
        <button type="button" disabled={!s.canUndo || s.staged} onClick={undoCanvas} title="Ctrl/Cmd+Z">
          Undo
        </button>
        <button type="button" disabled={!s.canRedo || s.staged} onClick={redoCanvas} title="Shift+Ctrl/Cmd+Z">
          Redo
        </button>
        <button
          type="button"
          className="primary"
          disabled={locked || maskedPixels === 0}
          onClick={() => void inpaintCanvas()}
        >
          Inpaint
        </button>
      </div>
      <div className="row">
        <RangeField
          label="Strength"
          name="strength"
          title="0 keeps the canvas, 1 ignores it"
          min={0}
          max={1}
          step={0.05}
          value={s.strength}
          format={(v) => v.toFixed(2)}
          onChange={(strength) => setCanvasOptions({ strength })}
        />
        <button type="button" disabled={locked} onClick={() => void imageToImage()}>
          Image to image
        </button>
        {s.upscaler && (
          <button
            type="button"
            disabled={locked}
            title={`Enlarge the picture ${s.upscaler.factor}× with the model’s upscaler; it shows as the result`}
            onClick={() => void upscaleCanvas()}
          >
            Upscale
          </button>
        )}
      </div>
      <div className="row">
        <label>
          Extend by
          <select
            name="outpaintAmount"
            value={s.outpaintAmount}
            onChange={(e) => setCanvasOptions({ outpaintAmount: Number(e.target.value) })}
          >
            {[1, 2, 4].map((k) => (
              <option key={k} value={k * sizeStep}>
                {k * sizeStep} px
              </option>
            ))}
          </select>
        </label>
        {SIDES.map(({ side, label }) => (
          <button
            key={side}
            type="button"
            disabled={locked}
            aria-label={`Outpaint ${side}`}
            onClick={() => void outpaintCanvas(side)}
          >
            {label}
          </button>
        ))}
        <button type="button" disabled={locked} onClick={() => void outpaintCanvas('zoom-out')}>
          Zoom out
        </button>
      </div>
    </div>
  );
}
