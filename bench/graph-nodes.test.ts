import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { graphNodeCount } from './graph-nodes';

describe('graphNodeCount', () => {
  it('counts the nodes of an ONNX graph written by hand', () => {
    // ModelProto { graph (7) { node (1) {}, node (1) {}, name (2) "g" } , ir_version (1) 8 }
    const node = [0x0a, 0x00];
    const graph = [...node, ...node, 0x12, 0x01, 0x67];
    const model = new Uint8Array([0x08, 0x08, 0x3a, graph.length, ...graph]);
    expect(graphNodeCount(model)).toBe(2);
  });

  it('counts the bundled nano decoder as the exporter wrote it', () => {
    const file = new URL('../public/models/kandinsky3-nano/movq_decoder.int8w.onnx', import.meta.url);
    const count = graphNodeCount(readFileSync(file));
    // The export folds the decoder's shape arithmetic (model/export/fold_shapes.py): 896 nodes before.
    expect(count).toBeGreaterThan(100);
    expect(count).toBeLessThan(600);
  });
});
