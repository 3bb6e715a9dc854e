// The MoVQ decoder and encoder run in overlapping windows of the latent, blended where they meet, so a
// large image holds one window's activations instead of the whole image's: at 1024² the full decoder
// needs 8 GiB at once, a 512 px window 2 GiB (manifest memoryPlan.tiles; kandinsky3-architecture §4.5).
//
// A window is not the whole picture's decoder: its group norms see only the window, and its border sees
// zero padding. Both effects are strongest at a window's edge, so neighbours share a band (the overlap)
// in which each one's weight falls linearly to zero at its own edge while the other's rises.
import type { TensorData } from './graph-runner';
import { asFloat32, float32 } from './graph-runner';

/** A tiling, in latent cells: each window's side, and how many cells neighbours share at least. */
export interface TileWindow {
  window: number;
  overlap: number;
}

/** Window starts along a side of `length` cells: the first at 0, the last at length − window, spread
 * evenly so that neighbours share `overlap` cells or (rounding) one fewer. One window when it fits. */
export function windowStarts(length: number, window: number, overlap: number): number[] {
  if (length <= window) return [0];
  if (overlap >= window) throw new Error(`a tile overlap of ${overlap} needs windows larger than ${window}`);
  const count = Math.ceil((length - overlap) / (window - overlap));
  return Array.from({ length: count }, (_, i) => Math.round((i * (length - window)) / (count - 1)));
}

/** One window's weight at each of its `size` output positions along a side: 1 inside, rising over the
 * band it shares with the previous window and falling over the band it shares with the next. */
export function windowWeights(size: number, sharedBefore: number, sharedAfter: number): Float32Array {
  const weights = new Float32Array(size).fill(1);
  for (let i = 0; i < sharedBefore; i++) weights[i] = Math.min(weights[i]!, (i + 0.5) / sharedBefore);
  for (let i = 0; i < sharedAfter; i++)
    weights[size - 1 - i] = Math.min(weights[size - 1 - i]!, (i + 0.5) / sharedAfter);
  return weights;
}

export interface PlaneStack {
  data: Float32Array; // (channels, height, width)
  channels: number;
  height: number;
  width: number;
}

/**
 * Runs `run` on overlapping windows of `input` and blends its outputs into one.
 * `cells`: the latent's size, over which the windows are laid out; `inPerCell` and `outPerCell`: input and
 * output positions per latent cell (decoding: 1 and the scale factor; encoding: the scale factor and 1).
 */
export async function runInWindows(
  input: PlaneStack,
  cells: { height: number; width: number },
  tile: TileWindow,
  inPerCell: number,
  outPerCell: number,
  outChannels: number,
  run: (window: PlaneStack) => Promise<Float32Array>,
): Promise<PlaneStack> {
  const rows = windowStarts(cells.height, tile.window, tile.overlap);
  const cols = windowStarts(cells.width, tile.window, tile.overlap);
  const height = cells.height * outPerCell;
  const width = cells.width * outPerCell;
  const out = new Float32Array(outChannels * height * width);
  const total = new Float32Array(height * width);
  const side = (starts: number[], i: number, length: number) => {
    const size = Math.min(tile.window, length);
    const before = i > 0 ? (starts[i - 1]! + size - starts[i]!) * outPerCell : 0;
    const after = i < starts.length - 1 ? (starts[i]! + size - starts[i + 1]!) * outPerCell : 0;
    return { start: starts[i]!, size, weights: windowWeights(size * outPerCell, before, after) };
  };
  for (let r = 0; r < rows.length; r++) {
    const y = side(rows, r, cells.height);
    for (let c = 0; c < cols.length; c++) {
      const x = side(cols, c, cells.width);
      const window = cropPlanes(
        input,
        y.start * inPerCell,
        x.start * inPerCell,
        y.size * inPerCell,
        x.size * inPerCell,
      );
      const result = await run(window);
      const h = y.size * outPerCell;
      const w = x.size * outPerCell;
      if (result.length !== outChannels * h * w) {
        throw new Error(`a ${w}×${h} window came back with ${result.length} values, not ${outChannels * h * w}`);
      }
      for (let j = 0; j < h; j++) {
        const row = (y.start * outPerCell + j) * width + x.start * outPerCell;
        for (let i = 0; i < w; i++) {
          const weight = y.weights[j]! * x.weights[i]!;
          total[row + i]! += weight;
          for (let k = 0; k < outChannels; k++)
            out[k * height * width + row + i]! += weight * result[(k * h + j) * w + i]!;
        }
      }
    }
  }
  for (let k = 0; k < outChannels; k++) {
    for (let p = 0; p < height * width; p++) out[k * height * width + p]! /= total[p]!;
  }
  return { data: out, channels: outChannels, height, width };
}

function cropPlanes(input: PlaneStack, top: number, left: number, height: number, width: number): PlaneStack {
  const data = new Float32Array(input.channels * height * width);
  for (let k = 0; k < input.channels; k++) {
    for (let j = 0; j < height; j++) {
      const from = (k * input.height + top + j) * input.width + left;
      data.set(input.data.subarray(from, from + width), (k * height + j) * width);
    }
  }
  return { data, channels: input.channels, height, width };
}

/** A graph of one image input and one output run per window: the MoVQ decoder (latent → image) or
 * encoder (image → latent), named by their input and output. */
export function windowRunner(
  runGraph: (feeds: Record<string, TensorData>) => Promise<Record<string, TensorData>>,
  inputName: string,
  outputName: string,
) {
  return async (window: PlaneStack) => {
    const out = await runGraph({
      [inputName]: float32(window.data, [1, window.channels, window.height, window.width]),
    });
    return asFloat32(out[outputName], outputName);
  };
}
