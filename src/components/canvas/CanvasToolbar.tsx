// The canvas tools: brush and eraser with their size, the mask's feather, clear / invert / show, undo
// and redo, inpaint, and outpainting in four directions or by zooming out.
import type { Side } from '../../canvas/canvas-image';
import { imageToImage, inpaintCanvas, outpaintCanvas } from '../../engine-actions';
import { useAppStore } from '../../store';
import { BRUSH_SIZES } from '../../store/canvas-slice';
import { RangeField } from './RangeField';

const SIDES: { side: Side; label: string }[] = [
  { side: 'left', label: '← Left' },
  { side: 'right', label: 'Right →' },
  { side: 'top', label: '↑ Up' },
  { side: 'bottom', label: 'Down ↓' },
];

export function CanvasToolbar({ maskedPixels }: { maskedPixels: number }) {
  const s = useAppStore();
  const canvas = s.canvas;
  const busy = s.status !== 'ready' && s.status !== 'error';
  const locked = busy || !!s.staged || !s.pack;
  const step = s.pack?.resolution.multipleOf ?? 16;

  return (
    <div className="canvas-toolbar" role="toolbar" aria-label="Canvas tools">
      <div className="row">
        <button type="button" aria-pressed={s.tool === 'brush'} onClick={() => s.setCanvasOptions({ tool: 'brush' })}>
          Brush
        </button>
        <button type="button" aria-pressed={s.tool === 'eraser'} onClick={() => s.setCanvasOptions({ tool: 'eraser' })}>
          Eraser
        </button>
        <RangeField
          label="Size"
          name="brushSize"
          title="[ and ] change it"
          min={BRUSH_SIZES.min}
          max={BRUSH_SIZES.max}
          value={s.brushSize}
          onChange={(brushSize) => s.setCanvasOptions({ brushSize })}
        />
        <RangeField
          label="Feather"
          name="feather"
          title="How far the result fades into the picture outside the mask"
          min={0}
          max={16}
          value={s.feather}
          onChange={(feather) => s.setCanvasOptions({ feather })}
        />
        <label className="check">
          <input
            type="checkbox"
            name="showMask"
            checked={s.showMask}
            onChange={(e) => s.setCanvasOptions({ showMask: e.target.checked })}
          />
          Show mask
        </label>
      </div>
      <div className="row">
        <button type="button" disabled={locked} onClick={() => s.addMaskOp({ kind: 'clear' })}>
          Clear mask
        </button>
        <button type="button" disabled={locked} onClick={() => s.addMaskOp({ kind: 'invert' })}>
          Invert mask
        </button>
        <button type="button" disabled={!canvas?.past.length || !!s.staged} onClick={s.undoCanvas} title="Ctrl/Cmd+Z">
          Undo
        </button>
        <button
          type="button"
          disabled={!canvas?.future.length || !!s.staged}
          onClick={s.redoCanvas}
          title="Shift+Ctrl/Cmd+Z"
        >
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
          onChange={(strength) => s.setCanvasOptions({ strength })}
        />
        <button type="button" disabled={locked} onClick={() => void imageToImage()}>
          Image to image
        </button>
      </div>
      <div className="row">
        <label>
          Extend by
          <select
            name="outpaintAmount"
            value={s.outpaintAmount}
            onChange={(e) => s.setCanvasOptions({ outpaintAmount: Number(e.target.value) })}
          >
            {[1, 2, 4].map((k) => (
              <option key={k} value={k * step}>
                {k * step} px
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
