// A graph's int8 weights kept beside it (model/export/separate_weights.py writes them): widened here
// into the fp32 bytes the graph reads as ONNX external data. Without this, each of those weights was a
// DequantizeLinear node that ORT parsed, ran once and folded away every time a session was created.
//
// The file is safetensors: an 8-byte little-endian header length, a JSON header, then the data. The
// int8 tensors come first, back to back from offset 0, then a float32 `<name>.scale` per tensor shaped
// to broadcast against it. A weight's fp32 bytes therefore lie at 4× its int8 offsets, and the
// widened buffer is 4× the int8 region: no table is needed.
import type { ComponentVariant } from './manifest';

export const INT8_WEIGHTS_FORMAT = 'kandinsky-web/int8-per-channel';

/** A weights file this app cannot widen: the message says what is wrong with it. */
export class Int8WeightsError extends Error {
  override name = 'Int8WeightsError';
}

interface HeaderEntry {
  dtype: string;
  shape: number[];
  data_offsets: [number, number];
}

/** The fp32 external data a weights file stands for: each int8 value times its output channel's scale,
 * computed in float32 as ORT's DequantizeLinear does, so the weights are the ones folding made. */
export function widenInt8Weights(file: ArrayBuffer): Uint8Array {
  const { header, data } = readSafetensors(file);
  const metadata = header.__metadata__ as unknown as Record<string, string> | undefined;
  if (metadata?.format !== INT8_WEIGHTS_FORMAT) {
    throw new Int8WeightsError(`it is not an int8 weights file (format ${JSON.stringify(metadata?.format ?? null)})`);
  }
  const values = Object.entries(header)
    .filter(([name, entry]) => name !== '__metadata__' && entry.dtype === 'I8')
    .sort((a, b) => a[1].data_offsets[0] - b[1].data_offsets[0]);
  let int8Bytes = 0;
  for (const [name, entry] of values) {
    if (entry.data_offsets[0] !== int8Bytes) {
      throw new Int8WeightsError(
        `int8 tensor ${name} starts at ${entry.data_offsets[0]}, not right after the one before`,
      );
    }
    int8Bytes = entry.data_offsets[1];
  }
  const out = new Float32Array(int8Bytes);
  for (const [name, entry] of values) {
    const scale = header[`${name}.scale`];
    if (scale?.dtype !== 'F32') throw new Int8WeightsError(`int8 tensor ${name} has no float32 ${name}.scale`);
    const [start, end] = entry.data_offsets;
    const q = new Int8Array(data.buffer, data.byteOffset + start, end - start);
    // A copy: scales follow the int8 region, so they need not lie on a 4-byte boundary.
    const scales = new Float32Array(data.slice(scale.data_offsets[0], scale.data_offsets[1]).buffer);
    const axis = channelAxis(name, entry.shape, scale.shape);
    // One scale for the whole tensor when its channel axis is 1 long: one block of every value.
    const channels = axis === null ? 1 : entry.shape[axis]!;
    const inner = entry.shape.slice(axis === null ? 0 : axis + 1).reduce((a, b) => a * b, 1);
    if (scales.length !== channels || q.length !== entry.shape.reduce((a, b) => a * b, 1)) {
      throw new Int8WeightsError(`int8 tensor ${name} does not match its shape or its ${channels} scales`);
    }
    for (let i = 0, block = 0; i < q.length; block++) {
      const s = scales[block % channels]!;
      for (const stop = i + inner; i < stop; i++) out[start + i] = q[i]! * s;
    }
  }
  return new Uint8Array(out.buffer);
}

/** The session option that hands ORT a variant's widened weights; none for a graph that holds its own. */
export async function externalWeights(
  variant: ComponentVariant,
  read: (path: string) => Promise<ArrayBuffer>,
): Promise<{ path: string; data: Uint8Array }[] | undefined> {
  if (!variant.weights) return undefined;
  return [{ path: variant.weights.location, data: widenInt8Weights(await read(variant.weights.file)) }];
}

/** The scale's one axis that is not 1 (the output channels); null for a single scale. */
function channelAxis(name: string, shape: number[], scaleShape: number[]): number | null {
  if (scaleShape.length !== shape.length) {
    throw new Int8WeightsError(`${name}.scale has ${scaleShape.length} axes, the tensor ${shape.length}`);
  }
  const axes = scaleShape.flatMap((d, i) => (d === 1 ? [] : [i]));
  if (axes.length > 1 || (axes.length === 1 && scaleShape[axes[0]!] !== shape[axes[0]!])) {
    throw new Int8WeightsError(
      `${name}.scale (${scaleShape.join('×')}) is not one scale per channel of ${shape.join('×')}`,
    );
  }
  return axes[0] ?? null;
}

function readSafetensors(file: ArrayBuffer): { header: Record<string, HeaderEntry>; data: Uint8Array } {
  if (file.byteLength < 8) throw new Int8WeightsError(`it is ${file.byteLength} bytes, too short for a header`);
  const length = Number(new DataView(file).getBigUint64(0, true));
  if (length > file.byteLength - 8) throw new Int8WeightsError(`its header length ${length} runs past the end`);
  let header: Record<string, HeaderEntry>;
  try {
    header = JSON.parse(new TextDecoder().decode(new Uint8Array(file, 8, length))) as Record<string, HeaderEntry>;
  } catch (e) {
    throw new Int8WeightsError(`its header is not JSON (${(e as Error).message})`);
  }
  const data = new Uint8Array(file, 8 + length);
  for (const [name, entry] of Object.entries(header)) {
    if (name === '__metadata__') continue;
    const [start, end] = entry.data_offsets ?? [];
    if (!(Number.isInteger(start) && Number.isInteger(end) && 0 <= start! && start! <= end! && end! <= data.length)) {
      throw new Int8WeightsError(`tensor ${name} lies outside the file`);
    }
  }
  return { header, data };
}
