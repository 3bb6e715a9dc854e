// The ControlNet hint an uploaded picture becomes: luma → Sobel gradient magnitude, white edges on
// black. The same map as model/edge_map.py, which the nano ControlNet was trained on, so a picture
// gives the hint the network learned from. Pure, so the UI shows the very map the engine will use.

/** Rec. 601 luma weights, as model/edge_map.py. */
const LUMA = [0.299, 0.587, 0.114] as const;
/** A unit step between two flat regions gives a Sobel magnitude of 4: that maps to full white. */
const FULL_EDGE = 4;

/** RGBA (width × height) → RGBA edge map: the magnitude in R, G and B, opaque. Borders are
 * replicated, so the picture's frame is no edge. Transparent pixels count as white paper, as the
 * emoji were composited for training. */
export function sobelEdges(rgba: Uint8ClampedArray, width: number, height: number): Uint8ClampedArray {
  if (rgba.length !== 4 * width * height) {
    throw new RangeError(`an RGBA image of ${width}×${height} has ${4 * width * height} values, not ${rgba.length}`);
  }
  const luma = new Float32Array(width * height);
  for (let i = 0; i < luma.length; i++) {
    const alpha = rgba[4 * i + 3]! / 255;
    let y = 0;
    for (let c = 0; c < 3; c++) y += LUMA[c]! * ((rgba[4 * i + c]! / 255) * alpha + (1 - alpha));
    luma[i] = y;
  }
  const at = (x: number, y: number) =>
    luma[Math.min(height - 1, Math.max(0, y)) * width + Math.min(width - 1, Math.max(0, x))]!;
  const out = new Uint8ClampedArray(4 * width * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const gx =
        at(x + 1, y - 1) + 2 * at(x + 1, y) + at(x + 1, y + 1) - at(x - 1, y - 1) - 2 * at(x - 1, y) - at(x - 1, y + 1);
      const gy =
        at(x - 1, y + 1) + 2 * at(x, y + 1) + at(x + 1, y + 1) - at(x - 1, y - 1) - 2 * at(x, y - 1) - at(x + 1, y - 1);
      const v = Math.round((255 * Math.hypot(gx, gy)) / FULL_EDGE);
      const o = 4 * (y * width + x);
      out[o] = out[o + 1] = out[o + 2] = v;
      out[o + 3] = 255;
    }
  }
  return out;
}

/** A hint image (RGBA, white strokes or edges on black) → the ControlNet's (1, 3, H, W) input in [0, 1]. */
export function hintTensor(rgba: Uint8ClampedArray, width: number, height: number): Float32Array {
  const plane = width * height;
  const out = new Float32Array(3 * plane);
  for (let i = 0; i < plane; i++) {
    for (let c = 0; c < 3; c++) out[c * plane + i] = rgba[4 * i + c]! / 255;
  }
  return out;
}
