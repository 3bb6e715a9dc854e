import { describe, expect, it } from 'vitest';
import { blankImage } from '../canvas/canvas-image';
import type { MaskOp } from '../canvas/mask-ops';
import { flashParameters } from '../../test-support/generation-parameters';
import { useAppStore } from './index';

const dot: MaskOp = { kind: 'stroke', mode: 'paint', size: 4, points: [{ x: 8, y: 8, pressure: 1 }] };

describe('canvas slice', () => {
  it('each stroke is one undo step, and accepting a result is one more', () => {
    const s = () => useAppStore.getState();
    const start = blankImage(16, 16);
    s().openCanvas(start);
    s().addMaskOp(dot);
    s().addMaskOp({ kind: 'invert' });
    expect(s().canvas!.present.ops).toHaveLength(2);
    s().undoCanvas();
    expect(s().canvas!.present.ops).toEqual([dot]);

    const result = blankImage(16, 16, 0);
    const parameters = flashParameters(16, 16);
    s().stageResult({
      image: result,
      parameters,
      seed: 1,
      request: { kind: 'inpaint', image: start, mask: new Uint8Array(256), feather: 0 },
    });
    s().undoCanvas(); // ignored while a result is staged
    expect(s().canvas!.present.ops).toEqual([dot]);
    s().acceptStaged();
    // The accepted image keeps the parameters that made it, for the canvas's PNG.
    expect(s().canvas!.present).toEqual({ image: result, ops: [], parameters });
    s().undoCanvas();
    expect(s().canvas!.present).toEqual({ image: start, ops: [dot] });
    s().redoCanvas();
    expect(s().canvas!.present.image).toBe(result);
  });

  it('keeps the brush size within its limits', () => {
    useAppStore.getState().setCanvasOptions({ brushSize: 500 });
    expect(useAppStore.getState().brushSize).toBe(64);
    useAppStore.getState().setCanvasOptions({ brushSize: 0.2 });
    expect(useAppStore.getState().brushSize).toBe(1);
  });
});
