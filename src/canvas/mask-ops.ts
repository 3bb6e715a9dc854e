// The mask as the user made it: brush and eraser strokes (plus clear and invert) in image pixel
// coordinates, kept as operations so undo is one step per stroke and nothing is lost to resampling
// when the view zooms. They are rasterised at the image's own size, only when needed (display,
// generation).

export interface StrokePoint {
  x: number; // image pixels, may be fractional
  y: number;
  /** 0 … 1; 1 for input without pressure (mouse, touch). */
  pressure: number;
}

export type MaskOp =
  | { kind: 'stroke'; mode: 'paint' | 'erase'; size: number; points: StrokePoint[] }
  | { kind: 'clear' }
  | { kind: 'invert' };

/** A pen's pressure narrows the stroke down to a quarter of the brush size at the lightest touch. */
export function strokeRadius(size: number, pressure: number): number {
  return Math.max(0.5, (size / 2) * (0.25 + 0.75 * Math.min(1, Math.max(0, pressure))));
}

function stampDisc(mask: Uint8Array, width: number, height: number, cx: number, cy: number, r: number, value: number) {
  const [x0, x1] = [Math.max(0, Math.floor(cx - r)), Math.min(width - 1, Math.ceil(cx + r))];
  const [y0, y1] = [Math.max(0, Math.floor(cy - r)), Math.min(height - 1, Math.ceil(cy + r))];
  for (let y = y0; y <= y1; y++) {
    for (let x = x0; x <= x1; x++) {
      // A pixel is covered when its centre is inside the disc.
      if ((x + 0.5 - cx) ** 2 + (y + 0.5 - cy) ** 2 <= r * r) mask[y * width + x] = value;
    }
  }
}

/** width × height bytes: 255 to repaint, 0 to keep. */
export function rasterizeMask(ops: readonly MaskOp[], width: number, height: number): Uint8Array {
  const mask = new Uint8Array(width * height);
  for (const op of ops) {
    if (op.kind === 'clear') mask.fill(0);
    else if (op.kind === 'invert') for (let i = 0; i < mask.length; i++) mask[i] = 255 - mask[i]!;
    else {
      const value = op.mode === 'paint' ? 255 : 0;
      const points = op.points;
      for (let i = 0; i < points.length; i++) {
        const a = points[Math.max(0, i - 1)]!;
        const b = points[i]!;
        // Stamps every quarter radius along the segment, so fast strokes stay continuous.
        const r = Math.min(strokeRadius(op.size, a.pressure), strokeRadius(op.size, b.pressure));
        const steps = Math.max(1, Math.ceil(Math.hypot(b.x - a.x, b.y - a.y) / Math.max(0.25, r / 4)));
        for (let s = i === 0 ? 0 : 1; s <= steps; s++) {
          const t = s / steps;
          const pressure = a.pressure + t * (b.pressure - a.pressure);
          stampDisc(
            mask,
            width,
            height,
            a.x + t * (b.x - a.x),
            a.y + t * (b.y - a.y),
            strokeRadius(op.size, pressure),
            value,
          );
        }
      }
    }
  }
  return mask;
}

export function maskedPixelCount(mask: Uint8Array): number {
  let n = 0;
  for (const v of mask) if (v > 0) n++;
  return n;
}
