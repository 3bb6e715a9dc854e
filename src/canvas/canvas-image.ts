// The canvas image: RGBA at the model's own resolution (64 px for nano), and the pure operations the
// editor needs on it: a blank canvas, fitting an uploaded picture to sizes the pack can make,
// enlarging for outpainting, shrinking for zoom-out.
export interface CanvasImage {
  width: number;
  height: number;
  pixels: Uint8ClampedArray; // RGBA
}

export type Side = 'left' | 'right' | 'top' | 'bottom';

export interface SizeRules {
  multipleOf: number;
  min: number;
  max: number;
  /** The side an upload's longer edge is fitted to (the pack's default size). */
  preferred: number;
}

export function blankImage(width: number, height: number, grey = 255): CanvasImage {
  const pixels = new Uint8ClampedArray(width * height * 4).fill(grey);
  return { width, height, pixels };
}

/** The size an uploaded w × h picture becomes: its longer side at the preferred size, both sides
 * rounded to the pack's multiple and kept within its limits. */
export function fitSize(width: number, height: number, rules: SizeRules): { width: number; height: number } {
  const scale = rules.preferred / Math.max(width, height);
  const round = (side: number) =>
    Math.min(rules.max, Math.max(rules.min, Math.round((side * scale) / rules.multipleOf) * rules.multipleOf));
  return { width: round(width), height: round(height) };
}

/** Bilinear resampling (pixel centres aligned), for fitting uploads and zooming out. */
export function resizeImage(image: CanvasImage, width: number, height: number): CanvasImage {
  const out = new Uint8ClampedArray(width * height * 4);
  const sx = image.width / width;
  const sy = image.height / height;
  const at = (x: number, y: number, c: number) => image.pixels[4 * (y * image.width + x) + c]!;
  for (let y = 0; y < height; y++) {
    const fy = Math.min(image.height - 1, Math.max(0, (y + 0.5) * sy - 0.5));
    const [y0, y1, ty] = [Math.floor(fy), Math.min(image.height - 1, Math.floor(fy) + 1), fy - Math.floor(fy)];
    for (let x = 0; x < width; x++) {
      const fx = Math.min(image.width - 1, Math.max(0, (x + 0.5) * sx - 0.5));
      const [x0, x1, tx] = [Math.floor(fx), Math.min(image.width - 1, Math.floor(fx) + 1), fx - Math.floor(fx)];
      for (let c = 0; c < 4; c++) {
        const top = at(x0, y0, c) * (1 - tx) + at(x1, y0, c) * tx;
        const bottom = at(x0, y1, c) * (1 - tx) + at(x1, y1, c) * tx;
        out[4 * (y * width + x) + c] = Math.round(top * (1 - ty) + bottom * ty);
      }
    }
  }
  return { width, height, pixels: out };
}

/** What outpainting sends: the enlarged image, the mask to generate (new area plus an overlap into
 * the old image, for a seamless join) and the blend mask (the new area only: old pixels stay). */
export interface OutpaintRequest {
  image: CanvasImage;
  mask: Uint8Array;
  /** Zoom-out only: where the old image now sits (infinite zoom interpolates towards it). */
  inner?: { left: number; top: number; width: number; height: number };
  blendMask: Uint8Array;
}

/** Places `inner` at (left, top) inside a width × height canvas whose other pixels copy the nearest
 * edge of `inner` (a neutral start; the model repaints them anyway). */
function placeWithEdges(inner: CanvasImage, width: number, height: number, left: number, top: number): CanvasImage {
  const pixels = new Uint8ClampedArray(width * height * 4);
  for (let y = 0; y < height; y++) {
    const sy = Math.min(inner.height - 1, Math.max(0, y - top));
    for (let x = 0; x < width; x++) {
      const sx = Math.min(inner.width - 1, Math.max(0, x - left));
      pixels.set(
        inner.pixels.subarray(4 * (sy * inner.width + sx), 4 * (sy * inner.width + sx) + 4),
        4 * (y * width + x),
      );
    }
  }
  return { width, height, pixels };
}

function masksAround(
  width: number,
  height: number,
  inner: { left: number; top: number; width: number; height: number },
  overlap: number,
) {
  const mask = new Uint8Array(width * height);
  const blendMask = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const inside = x >= inner.left && x < inner.left + inner.width && y >= inner.top && y < inner.top + inner.height;
      const deep =
        x >= inner.left + overlap &&
        x < inner.left + inner.width - overlap &&
        y >= inner.top + overlap &&
        y < inner.top + inner.height - overlap;
      if (!inside) blendMask[y * width + x] = 255;
      if (!deep) mask[y * width + x] = 255;
    }
  }
  return { mask, blendMask };
}

/** Enlarges the canvas by `amount` pixels on one side. Only the sides that were extended get an overlap. */
export function extendCanvas(image: CanvasImage, side: Side, amount: number, overlap: number): OutpaintRequest {
  const horizontal = side === 'left' || side === 'right';
  const width = image.width + (horizontal ? amount : 0);
  const height = image.height + (horizontal ? 0 : amount);
  const left = side === 'left' ? amount : 0;
  const top = side === 'top' ? amount : 0;
  const enlarged = placeWithEdges(image, width, height, left, top);
  // The overlap reaches into the old image only along the new edge: elsewhere the old image meets the
  // canvas border, where there is nothing to join.
  const inner = { left, top, width: image.width, height: image.height };
  const grow = { left: side === 'left', right: side === 'right', top: side === 'top', bottom: side === 'bottom' };
  const { mask, blendMask } = masksAround(width, height, inner, 0);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const near =
        (grow.left && x >= left && x < left + overlap) ||
        (grow.right && x >= image.width - overlap && x < image.width) ||
        (grow.top && y >= top && y < top + overlap) ||
        (grow.bottom && y >= image.height - overlap && y < image.height);
      if (near) mask[y * width + x] = 255;
    }
  }
  return { image: enlarged, mask, blendMask };
}

/** Zoom out: the image shrinks by `factor` into the middle of a canvas of the same size, and the
 * border around it is generated. */
export function zoomOutCanvas(
  image: CanvasImage,
  factor: number,
  overlap: number,
  multipleOf: number,
): OutpaintRequest {
  const round = (v: number) => Math.max(multipleOf, Math.round(v / multipleOf) * multipleOf);
  const inner = { width: round(image.width * factor), height: round(image.height * factor) };
  const left = Math.floor((image.width - inner.width) / 2);
  const top = Math.floor((image.height - inner.height) / 2);
  const enlarged = placeWithEdges(resizeImage(image, inner.width, inner.height), image.width, image.height, left, top);
  const rect = { left, top, ...inner };
  return { image: enlarged, ...masksAround(image.width, image.height, rect, overlap), inner: rect };
}
