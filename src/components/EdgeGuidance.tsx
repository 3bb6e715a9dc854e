// Edge guidance (ControlNet): the layout of the next image follows the edges of a picture or a
// drawing. Shown only for packs that have a ControlNet. The preview is the very hint the engine gets.
import { useEffect, useMemo, useRef, useState, type PointerEvent } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { loadImageFile, REFERENCE_PICTURE_SIZE } from '../canvas/load-image';
import type { MaskOp, StrokePoint } from '../canvas/mask-ops';
import { edgeHint } from '../edges/edge-hint';
import { useAppStore } from '../store';
import { drawPixels } from './draw-pixels';
import { RangeField } from './fields';

/** Drawing pad side in CSS pixels; strokes are stored in fractions of it. */
const PAD = 192;
const BRUSH_SIZES = [0.02, 0.04, 0.08];

export function EdgeGuidance() {
  const s = useAppStore(
    useShallow((state) => ({
      available: !!state.pack?.edgeGuidance,
      image: state.image,
      width: state.width,
      height: state.height,
      edgeEnabled: state.edgeEnabled,
      edgeSource: state.edgeSource,
      edgePicture: state.edgePicture,
      edgeStrokes: state.edgeStrokes,
      edgeStrength: state.edgeStrength,
      edgeStart: state.edgeStart,
      edgeEnd: state.edgeEnd,
    })),
  );
  const setEdge = useAppStore((state) => state.setEdge);
  const [brush, setBrush] = useState(BRUSH_SIZES[1]!);
  const [loadError, setLoadError] = useState<string | null>(null);
  const stroke = useRef<MaskOp | null>(null);
  const [drawing, setDrawing] = useState<MaskOp | null>(null);
  const preview = useRef<HTMLCanvasElement>(null);

  const strokes = useMemo(() => (drawing ? [...s.edgeStrokes, drawing] : s.edgeStrokes), [s.edgeStrokes, drawing]);
  const hint = useMemo(() => {
    try {
      return edgeHint(s.edgeSource, s.edgePicture, strokes, s.width, s.height);
    } catch {
      return null;
    }
  }, [s.edgeSource, s.edgePicture, strokes, s.width, s.height]);

  useEffect(() => {
    const canvas = preview.current;
    if (!canvas) return;
    if (hint) drawPixels(canvas, { width: s.width, height: s.height, pixels: hint });
    else {
      canvas.width = s.width;
      canvas.height = s.height;
      const context = canvas.getContext('2d')!;
      context.fillStyle = '#000';
      context.fillRect(0, 0, s.width, s.height);
    }
    // The pad mounts when edge guidance is turned on: draw then too.
  }, [hint, s.width, s.height, s.edgeEnabled]);

  if (!s.available) return null;

  const point = (e: PointerEvent<HTMLCanvasElement>): StrokePoint => {
    const rect = e.currentTarget.getBoundingClientRect();
    return {
      x: (e.clientX - rect.left) / rect.width,
      y: (e.clientY - rect.top) / rect.height,
      pressure: e.pointerType === 'pen' ? e.pressure : 1,
    };
  };
  const drawable = s.edgeSource === 'drawing';

  return (
    <fieldset className="edge-guidance" aria-label="Edge guidance">
      <legend>
        <label className="check">
          <input
            type="checkbox"
            name="edgeEnabled"
            checked={s.edgeEnabled}
            onChange={(e) => setEdge({ edgeEnabled: e.target.checked })}
          />
          Follow edges (ControlNet)
        </label>
      </legend>
      {s.edgeEnabled && (
        <>
          <div className="row" role="radiogroup" aria-label="Edges from">
            <label className="check">
              <input
                type="radio"
                name="edgeSource"
                value="drawing"
                checked={s.edgeSource === 'drawing'}
                onChange={() => setEdge({ edgeSource: 'drawing' })}
              />
              Drawing
            </label>
            <label className="check">
              <input
                type="radio"
                name="edgeSource"
                value="picture"
                checked={s.edgeSource === 'picture'}
                onChange={() => setEdge({ edgeSource: 'picture' })}
              />
              Edges of a picture
            </label>
          </div>
          {s.edgeSource === 'picture' && (
            <div className="row">
              <label>
                Picture
                <input
                  type="file"
                  name="edgePicture"
                  accept="image/*"
                  onChange={(e) => {
                    const file = e.target.files?.[0];
                    if (!file) return;
                    setLoadError(null);
                    loadImageFile(file, REFERENCE_PICTURE_SIZE).then(
                      (picture) => setEdge({ edgePicture: picture }),
                      (error: Error) => setLoadError(error.message),
                    );
                  }}
                />
              </label>
              <button
                type="button"
                disabled={!s.image}
                title="Take the edges of the image shown on the right"
                onClick={() =>
                  s.image &&
                  setEdge({ edgePicture: { width: s.image.width, height: s.image.height, pixels: s.image.pixels } })
                }
              >
                Use the current image
              </button>
            </div>
          )}
          {loadError && <p role="alert">{loadError}</p>}
          <div className="edge-pads">
            <canvas
              ref={preview}
              className="edge-hint"
              aria-label={drawable ? 'Drawing pad: draw white outlines' : 'Edge map'}
              data-testid="edge-hint"
              style={{ width: PAD, height: (PAD * s.height) / s.width, touchAction: 'none' }}
              onPointerDown={(e) => {
                if (!drawable) return;
                e.currentTarget.setPointerCapture(e.pointerId);
                stroke.current = {
                  kind: 'stroke',
                  mode: e.button === 2 ? 'erase' : 'paint',
                  size: brush,
                  points: [point(e)],
                };
                setDrawing(stroke.current);
              }}
              onPointerMove={(e) => {
                const current = stroke.current;
                if (!current || current.kind !== 'stroke') return;
                stroke.current = { ...current, points: [...current.points, point(e)] };
                setDrawing(stroke.current);
              }}
              onPointerUp={() => {
                if (stroke.current) setEdge({ edgeStrokes: [...s.edgeStrokes, stroke.current] });
                stroke.current = null;
                setDrawing(null);
              }}
              onContextMenu={(e) => drawable && e.preventDefault()}
            />
          </div>
          {drawable && (
            <div className="row">
              <label>
                Pen
                <select name="edgeBrush" value={brush} onChange={(e) => setBrush(Number(e.target.value))}>
                  {BRUSH_SIZES.map((size, i) => (
                    <option key={size} value={size}>
                      {['Thin', 'Medium', 'Thick'][i]}
                    </option>
                  ))}
                </select>
              </label>
              <button
                type="button"
                disabled={s.edgeStrokes.length === 0}
                onClick={() => setEdge({ edgeStrokes: s.edgeStrokes.slice(0, -1) })}
              >
                Undo stroke
              </button>
              <button type="button" disabled={s.edgeStrokes.length === 0} onClick={() => setEdge({ edgeStrokes: [] })}>
                Clear
              </button>
            </div>
          )}
          <RangeField
            label="Edge strength"
            name="edgeStrength"
            value={s.edgeStrength}
            min={0}
            max={2}
            step={0.05}
            format={(v) => v.toFixed(2)}
            title="How firmly the image follows the edges: 0 ignores them, 1 as trained"
            onChange={(v) => setEdge({ edgeStrength: v })}
          />
          <div className="row">
            <RangeField
              label="From step"
              name="edgeStart"
              value={s.edgeStart}
              min={0}
              max={0.95}
              step={0.05}
              format={(v) => `${Math.round(v * 100)} %`}
              title="The ControlNet starts at this fraction of the steps"
              onChange={(v) => setEdge({ edgeStart: v, edgeEnd: Math.max(v + 0.05, s.edgeEnd) })}
            />
            <RangeField
              label="Until step"
              name="edgeEnd"
              value={s.edgeEnd}
              min={0.05}
              max={1}
              step={0.05}
              format={(v) => `${Math.round(v * 100)} %`}
              title="The ControlNet stops at this fraction of the steps: ending early leaves the details free"
              onChange={(v) => setEdge({ edgeEnd: v, edgeStart: Math.min(s.edgeStart, v - 0.05) })}
            />
          </div>
        </>
      )}
    </fieldset>
  );
}
