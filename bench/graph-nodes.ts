// How many nodes an ONNX file's main graph has: the number that creating a session pays for
// (docs/performance.md). Read straight from the protobuf wire format: ModelProto field 7 is the graph,
// GraphProto field 1 each node. Nothing else of the file is decoded, so no schema is needed.

/** Reads a varint at `at`; returns its value and the offset after it. */
function varint(bytes: Uint8Array, at: number): [number, number] {
  let value = 0;
  let scale = 1;
  for (;;) {
    const byte = bytes[at++];
    if (byte === undefined) throw new Error('truncated varint');
    value += (byte & 0x7f) * scale;
    if (byte < 0x80) return [value, at];
    scale *= 128;
  }
}

/** Calls `onField` for each top-level field of a message in bytes[start, end). */
function fields(
  bytes: Uint8Array,
  start: number,
  end: number,
  onField: (field: number, from: number, to: number) => void,
) {
  let at = start;
  while (at < end) {
    let key: number;
    [key, at] = varint(bytes, at);
    const field = Math.floor(key / 8);
    const wire = key & 7;
    if (wire === 0) [, at] = varint(bytes, at);
    else if (wire === 1) at += 8;
    else if (wire === 5) at += 4;
    else if (wire === 2) {
      let length: number;
      [length, at] = varint(bytes, at);
      onField(field, at, at + length);
      at += length;
    } else throw new Error(`unsupported protobuf wire type ${wire}`);
  }
}

export function graphNodeCount(model: Uint8Array): number {
  let nodes = 0;
  fields(model, 0, model.length, (field, from, to) => {
    if (field !== 7) return;
    fields(model, from, to, (graphField) => {
      if (graphField === 1) nodes++;
    });
  });
  return nodes;
}
