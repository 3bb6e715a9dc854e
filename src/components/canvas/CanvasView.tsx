// The canvas: the image at its own resolution, scaled to the screen without smoothing, with the mask
// drawn over it. Pointer Events with pointer capture draw strokes in image coordinates (pen pressure
// where there is one); the wheel and pinch zoom, space-drag (or the middle button) pans.
import { useCallback, useEffect, useLayoutEffect, useMemo, useRef, useState, type PointerEvent } from 'react';
import { maskedPixelCount, rasterizeMask, type MaskOp, type StrokePoint } from '../../canvas/mask-ops';
import { fitView, panBy, toImage, zoomAround, type View } from '../../canvas/view-transform';
import { useAppStore } from '../../store';
import { drawPixels } from '../draw-pixels';

const MASK_COLOUR = [91, 77, 214]; // the accent colour, half transparent over the image

function maskOverlay(mask: Uint8Array): Uint8ClampedArray {
  const rgba = new Uint8ClampedArray(mask.length * 4);
  for (let i = 0; i < mask.length; i++) {
    if (!mask[i]) continue;
    rgba.set(MASK_COLOUR, 4 * i);
    rgba[4 * i + 3] = 128;
  }
  return rgba;
}

export function CanvasView() {
  const doc = useAppStore((s) => s.canvas?.present);
  const staged = useAppStore((s) => s.staged);
  const tool = useAppStore((s) => s.tool);
  const brushSize = useAppStore((s) => s.brushSize);
  const showMask = useAppStore((s) => s.showMask);
  const addMaskOp = useAppStore((s) => s.addMaskOp);
  const viewport = useRef<HTMLDivElement>(null);
  const imageCanvas = useRef<HTMLCanvasElement>(null);
  const maskCanvas = useRef<HTMLCanvasElement>(null);
  const [view, setView] = useState<View>({ zoom: 1, panX: 0, panY: 0 });
  const [cursor, setCursor] = useState<{ x: number; y: number } | null>(null);
  const [stroke, setStroke] = useState<MaskOp | null>(null);
  const spaceHeld = useRef(false);
  // Active pointers (screen positions), for pinch and pan.
  const pointers = useRef(new Map<number, { x: number; y: number }>());
  const gesture = useRef<'draw' | 'pan' | 'pinch' | null>(null);

  const shown = staged?.image ?? doc?.image;
  const ops = useMemo(() => (doc ? (stroke ? [...doc.ops, stroke] : doc.ops) : []), [doc, stroke]);
  const mask = useMemo(() => (shown ? rasterizeMask(ops, shown.width, shown.height) : null), [ops, shown]);

  // Fit the image to the viewport whenever its size changes (a new canvas, an outpainted one), and
  // whenever the viewport's does (a resized window, a phone turned).
  const width = shown?.width;
  const height = shown?.height;
  useLayoutEffect(() => {
    const element = viewport.current;
    if (!width || !height || !element) return;
    const fit = () => setView(fitView(width, height, element.clientWidth, element.clientHeight));
    fit();
    let last = { w: element.clientWidth, h: element.clientHeight };
    const observer = new ResizeObserver(() => {
      if (element.clientWidth === last.w && element.clientHeight === last.h) return;
      last = { w: element.clientWidth, h: element.clientHeight };
      fit();
    });
    observer.observe(element);
    return () => observer.disconnect();
  }, [width, height]);

  // The accepted image's enlarged copy, when there is one, drawn into the same box: sharper on screen,
  // while the brush and the mask keep the model's pixels.
  const display = staged ? staged.image : (doc?.upscaled ?? doc?.image);
  useEffect(() => {
    drawPixels(imageCanvas.current, display);
  }, [display]);
  useEffect(() => {
    if (shown && mask)
      drawPixels(maskCanvas.current, { width: shown.width, height: shown.height, pixels: maskOverlay(mask) });
  }, [shown, mask]);

  // The wheel zooms around the pointer; React's wheel listener is passive, so this one is added by hand.
  useEffect(() => {
    const element = viewport.current;
    if (!element) return;
    const onWheel = (event: WheelEvent) => {
      event.preventDefault();
      const rect = element.getBoundingClientRect();
      setView((v) =>
        zoomAround(v, Math.exp(-event.deltaY * 0.0015), event.clientX - rect.left, event.clientY - rect.top),
      );
    };
    element.addEventListener('wheel', onWheel, { passive: false });
    return () => element.removeEventListener('wheel', onWheel);
  }, []);

  useEffect(() => {
    const down = (e: KeyboardEvent) => {
      if (e.code === 'Space' && !(e.target instanceof HTMLInputElement || e.target instanceof HTMLTextAreaElement)) {
        spaceHeld.current = true;
        if (e.target === document.body || viewport.current?.contains(e.target as Node)) e.preventDefault();
      }
    };
    const up = (e: KeyboardEvent) => {
      if (e.code === 'Space') spaceHeld.current = false;
    };
    window.addEventListener('keydown', down);
    window.addEventListener('keyup', up);
    return () => {
      window.removeEventListener('keydown', down);
      window.removeEventListener('keyup', up);
    };
  }, []);

  const local = useCallback((e: { clientX: number; clientY: number }) => {
    const rect = viewport.current!.getBoundingClientRect();
    return { x: e.clientX - rect.left, y: e.clientY - rect.top };
  }, []);

  const pointOf = (e: PointerEvent): StrokePoint => {
    const p = toImage(view, local(e).x, local(e).y);
    return { x: p.x, y: p.y, pressure: e.pointerType === 'pen' ? e.pressure : 1 };
  };

  const onPointerDown = (e: PointerEvent<HTMLDivElement>) => {
    if (!doc || staged) return;
    e.currentTarget.setPointerCapture(e.pointerId);
    pointers.current.set(e.pointerId, local(e));
    if (pointers.current.size === 2) {
      gesture.current = 'pinch';
      setStroke(null); // a second finger turns a starting stroke into a pinch
    } else if (spaceHeld.current || e.button === 1) {
      gesture.current = 'pan';
    } else if (e.button === 0) {
      gesture.current = 'draw';
      setStroke({ kind: 'stroke', mode: tool === 'brush' ? 'paint' : 'erase', size: brushSize, points: [pointOf(e)] });
    }
  };

  const onPointerMove = (e: PointerEvent<HTMLDivElement>) => {
    const p = local(e);
    if (e.pointerType !== 'touch') setCursor(p);
    const previous = pointers.current.get(e.pointerId);
    if (!previous) return;
    if (gesture.current === 'pinch' && pointers.current.size === 2) {
      const other = [...pointers.current.entries()].find(([id]) => id !== e.pointerId)![1];
      const before = Math.hypot(previous.x - other.x, previous.y - other.y);
      const after = Math.hypot(p.x - other.x, p.y - other.y);
      const mid = { x: (p.x + other.x) / 2, y: (p.y + other.y) / 2 };
      setView((v) =>
        panBy(
          zoomAround(v, before > 0 ? after / before : 1, mid.x, mid.y),
          (p.x - previous.x) / 2,
          (p.y - previous.y) / 2,
        ),
      );
    } else if (gesture.current === 'pan') {
      setView((v) => panBy(v, p.x - previous.x, p.y - previous.y));
    } else if (gesture.current === 'draw') {
      const point = pointOf(e);
      setStroke((s) => (s?.kind === 'stroke' ? { ...s, points: [...s.points, point] } : s));
    }
    pointers.current.set(e.pointerId, p);
  };

  const onPointerUp = (e: PointerEvent<HTMLDivElement>) => {
    pointers.current.delete(e.pointerId);
    if (gesture.current === 'draw' && stroke) addMaskOp(stroke); // one undo step per stroke
    setStroke(null);
    if (pointers.current.size === 0) gesture.current = null;
  };

  if (!shown) return null;
  return (
    <div
      ref={viewport}
      className="canvas-viewport"
      data-testid="canvas-viewport"
      onPointerDown={onPointerDown}
      onPointerMove={onPointerMove}
      onPointerUp={onPointerUp}
      onPointerCancel={onPointerUp}
      onPointerLeave={() => setCursor(null)}
    >
      <div
        className="canvas-stage"
        style={{ transform: `translate(${view.panX}px, ${view.panY}px) scale(${view.zoom})` }}
        data-zoom={view.zoom}
      >
        <canvas
          ref={imageCanvas}
          data-testid="canvas-image"
          data-width={shown.width}
          data-height={shown.height}
          data-shown-width={display?.width}
          style={{ width: shown.width, height: shown.height }}
        />
        <canvas
          ref={maskCanvas}
          data-testid="canvas-mask"
          data-masked-pixels={mask ? maskedPixelCount(mask) : 0}
          style={{ visibility: showMask && !staged ? 'visible' : 'hidden' }}
        />
      </div>
      {cursor && !staged && (
        <div
          className="brush-cursor"
          aria-hidden
          style={{
            left: cursor.x,
            top: cursor.y,
            width: brushSize * view.zoom,
            height: brushSize * view.zoom,
          }}
        />
      )}
    </div>
  );
}
