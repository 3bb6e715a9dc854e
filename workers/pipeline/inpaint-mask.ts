// The user's mask (0 keep … 255 repaint, as brushed) in the forms inpainting needs: the pixels to
// repaint, the U-Net's latent keep-mask (1 = keep, 0 = generate; kandinsky3-architecture §8.1), and the feathered
// alpha that composites the result back so that pixels away from the mask stay exactly as they were.

/** 1 where any paint touched the pixel: "any pixel with m < 1 counts as masked" (kandinsky3-architecture §8.1). */
export function repaintPixels(mask: Uint8Array): Uint8Array {
  return mask.map((v) => (v > 0 ? 1 : 0));
}

/**
 * Keep-mask at latent size. The reference resizes with nearest, which samples one pixel per latent
 * cell: a thin stroke between samples would vanish. A cell is generated when any of its pixels is.
 */
export function latentKeepMask(repaint: Uint8Array, width: number, height: number, factor: number): Float32Array {
  const [w, h] = [width / factor, height / factor];
  const keep = new Float32Array(w * h).fill(1);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      if (repaint[y * width + x]) keep[Math.floor(y / factor) * w + Math.floor(x / factor)] = 0;
    }
  }
  return keep;
}

/**
 * Blend weight per pixel: 1 on repainted pixels, falling linearly to 0 over `feather` pixels outside
 * them (chamfer distance, two passes), and exactly 0 farther out.
 */
export function featherAlpha(repaint: Uint8Array, width: number, height: number, feather: number): Float32Array {
  const far = width + height;
  const d = new Float32Array(width * height);
  for (let i = 0; i < d.length; i++) d[i] = repaint[i] ? 0 : far;
  const [straight, diagonal] = [1, Math.SQRT2];
  const relax = (i: number, j: number, cost: number) => {
    if (d[j]! + cost < d[i]!) d[i] = d[j]! + cost;
  };
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = y * width + x;
      if (x > 0) relax(i, i - 1, straight);
      if (y > 0) relax(i, i - width, straight);
      if (x > 0 && y > 0) relax(i, i - width - 1, diagonal);
      if (x < width - 1 && y > 0) relax(i, i - width + 1, diagonal);
    }
  }
  for (let y = height - 1; y >= 0; y--) {
    for (let x = width - 1; x >= 0; x--) {
      const i = y * width + x;
      if (x < width - 1) relax(i, i + 1, straight);
      if (y < height - 1) relax(i, i + width, straight);
      if (x < width - 1 && y < height - 1) relax(i, i + width + 1, diagonal);
      if (x > 0 && y < height - 1) relax(i, i + width - 1, diagonal);
    }
  }
  return d.map((dist) => Math.max(0, 1 - dist / (feather + 1)));
}

/** original + α·(generated − original) per pixel; where α is 0 the original bytes are copied as they are. */
export function compositeThroughMask(
  original: Uint8ClampedArray,
  generated: Uint8ClampedArray,
  alpha: Float32Array,
): Uint8ClampedArray {
  const out = new Uint8ClampedArray(original);
  for (let i = 0; i < alpha.length; i++) {
    const a = alpha[i]!;
    if (a === 0) continue;
    for (let c = 0; c < 3; c++) {
      const k = 4 * i + c;
      out[k] = Math.round(original[k]! + a * (generated[k]! - original[k]!));
    }
  }
  return out;
}
