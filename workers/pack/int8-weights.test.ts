import { describe, expect, it } from 'vitest';
import { INT8_WEIGHTS_FORMAT, Int8WeightsError, externalWeights, widenInt8Weights } from './int8-weights';

type Entry = { dtype: 'I8' | 'F32'; shape: readonly number[]; values: readonly number[] };

/** A safetensors file with the tensors in the given order, as model/export/separate_weights.py writes. */
function weightsFile(tensors: Record<string, Entry>, format: string = INT8_WEIGHTS_FORMAT): ArrayBuffer {
  const header: Record<string, unknown> = { __metadata__: { format } };
  const chunks: Uint8Array[] = [];
  let offset = 0;
  for (const [name, t] of Object.entries(tensors)) {
    const raw =
      t.dtype === 'I8'
        ? new Uint8Array(Int8Array.from(t.values).buffer)
        : new Uint8Array(Float32Array.from(t.values).buffer);
    header[name] = { dtype: t.dtype, shape: t.shape, data_offsets: [offset, offset + raw.length] };
    chunks.push(raw);
    offset += raw.length;
  }
  let json = JSON.stringify(header);
  json += ' '.repeat((8 - (json.length % 8)) % 8);
  const bytes = new Uint8Array(8 + json.length + offset);
  new DataView(bytes.buffer).setBigUint64(0, BigInt(json.length), true);
  bytes.set(new TextEncoder().encode(json), 8);
  let at = 8 + json.length;
  for (const c of chunks) {
    bytes.set(c, at);
    at += c.length;
  }
  return bytes.buffer;
}

const floats = (bytes: Uint8Array) => Array.from(new Float32Array(bytes.buffer, bytes.byteOffset, bytes.length / 4));

describe('int8 weights kept beside a graph', () => {
  it('widens each value by its output channel’s scale, at 4× its int8 offset', () => {
    const file = weightsFile({
      conv: { dtype: 'I8', shape: [2, 1, 1, 3], values: [1, -2, 3, 127, -127, 0] }, // channels on axis 0
      matmul: { dtype: 'I8', shape: [3, 2], values: [1, 2, 3, 4, 5, -6] }, // channels on axis 1
      single: { dtype: 'I8', shape: [2, 1], values: [7, -7] }, // one output channel: one scale
      'conv.scale': { dtype: 'F32', shape: [2, 1, 1, 1], values: [0.5, 0.1] },
      'matmul.scale': { dtype: 'F32', shape: [1, 2], values: [2, -1] },
      'single.scale': { dtype: 'F32', shape: [1, 1], values: [3] },
    });
    const f = Math.fround;
    expect(floats(widenInt8Weights(file))).toEqual([
      0.5,
      -1,
      1.5,
      f(127 * f(0.1)),
      f(-127 * f(0.1)),
      0,
      2,
      -2,
      6,
      -4,
      10,
      6,
      21,
      -21,
    ]);
  });

  it('refuses a file of another kind, or one whose layout it cannot widen, naming the fault', () => {
    const scale = { dtype: 'F32', shape: [2, 1], values: [1, 1] } as const;
    const w = { dtype: 'I8', shape: [2, 1], values: [1, 2] } as const;
    const cases: [ArrayBuffer, RegExp][] = [
      [new ArrayBuffer(4), /too short/],
      [weightsFile({ w, 'w.scale': scale }, 'something else'), /not an int8 weights file/],
      [weightsFile({ w }), /has no float32 w.scale/],
      [weightsFile({ w, 'w.scale': { ...scale, shape: [1, 2] } }), /not one scale per channel/],
      [weightsFile({ 'w.scale': scale, w }), /starts at 8, not right after/],
    ];
    for (const [file, message] of cases) {
      expect(() => widenInt8Weights(file)).toThrow(Int8WeightsError);
      expect(() => widenInt8Weights(file)).toThrow(message);
    }
    const corrupt = new Uint8Array(weightsFile({ w, 'w.scale': scale }));
    corrupt[8] = 0x7b + 1; // the header's opening brace
    expect(() => widenInt8Weights(corrupt.buffer)).toThrow(/header is not JSON/);
  });

  it('hands ORT the widened data under the graph’s location, and nothing for a graph with its own weights', async () => {
    const file = weightsFile({
      w: { dtype: 'I8', shape: [1, 2], values: [3, -4] },
      'w.scale': { dtype: 'F32', shape: [1, 1], values: [0.25] },
    });
    const read = async (path: string) => {
      expect(path).toBe('g.int8w.safetensors');
      return file;
    };
    const variant = { file: 'g.int8w.onnx', storage: 'int8', compute: 'float32' } as const;
    expect(await externalWeights(variant, read)).toBeUndefined();
    const beside = await externalWeights(
      { ...variant, weights: { file: 'g.int8w.safetensors', location: 'g.int8w.fp32' } },
      read,
    );
    expect(beside!.map((e) => e.path)).toEqual(['g.int8w.fp32']);
    expect(floats(beside![0]!.data)).toEqual([0.75, -1]);
  });
});
