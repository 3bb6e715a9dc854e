// The canvas editor's state: the document history (image + mask operations, one undo step each),
// the tools, and a staged result waiting to be accepted, discarded or tried again.
import type { StateCreator } from 'zustand';
import type { Picture } from '../../shared/engine-api';
import type { CanvasImage, OutpaintRequest } from '../canvas/canvas-image';
import { commit, redo, startHistory, undo, type History } from '../canvas/canvas-history';
import type { MaskOp } from '../canvas/mask-ops';
import type { GenerationParameters } from '../png/generation-parameters';

export interface CanvasDoc {
  image: CanvasImage;
  ops: MaskOp[];
  /** What made the image, when an accepted edit did: written into the canvas's downloaded PNG. */
  parameters?: GenerationParameters;
  /** The image enlarged by the pack's upscaler, for showing: edits still work on `image`, and each
   * accepted edit is enlarged afresh from it (upscaling never compounds). */
  upscaled?: Picture;
}

/** What produced a staged result, to try it again with another seed. */
export type CanvasRequest =
  | { kind: 'inpaint'; image: CanvasImage; mask: Uint8Array; feather: number }
  | { kind: 'img2img'; image: CanvasImage; strength: number }
  | ({ kind: 'outpaint' } & OutpaintRequest);

export interface StagedResult {
  image: CanvasImage;
  /** The request's parameters, as the history and the PNG keep them. */
  parameters: GenerationParameters;
  seed: number;
  request: CanvasRequest;
}

export type CanvasTool = 'brush' | 'eraser';

export interface CanvasSlice {
  canvas: History<CanvasDoc> | null;
  tool: CanvasTool;
  brushSize: number; // image pixels
  feather: number; // image pixels
  showMask: boolean;
  /** Image pixels, a multiple of the pack's size step: a loaded pack sets it (applyPackDefaults). */
  outpaintAmount: number;
  /** Image-to-image strength: 0 keeps the canvas, 1 ignores it. */
  strength: number;
  staged: StagedResult | null;
  setCanvasOptions: (
    changes: Partial<Pick<CanvasSlice, 'tool' | 'brushSize' | 'feather' | 'showMask' | 'outpaintAmount' | 'strength'>>,
  ) => void;
  /** A new canvas from an image (at the model's size, with its enlarged copy when it has one); undoable
   * when a canvas was already open. */
  openCanvas: (image: CanvasImage, upscaled?: Picture) => void;
  closeCanvas: () => void;
  addMaskOp: (op: MaskOp) => void;
  undoCanvas: () => void;
  redoCanvas: () => void;
  stageResult: (result: StagedResult) => void;
  /** The staged image becomes the canvas, with a clear mask: one undo step. */
  acceptStaged: () => void;
  discardStaged: () => void;
  /** Shows `upscaled` for the canvas's image, if that image is still the one on the canvas (no undo step). */
  setCanvasUpscaled: (image: CanvasImage, upscaled: Picture) => void;
}

export const BRUSH_SIZES = { min: 1, max: 64 };

export const createCanvasSlice: StateCreator<CanvasSlice, [], [], CanvasSlice> = (set, get) => ({
  canvas: null,
  tool: 'brush',
  brushSize: 8,
  feather: 2,
  showMask: true,
  outpaintAmount: 0, // until a pack loads; the canvas needs one
  strength: 0.5, // between the diffusers default (0.3) and a visible change on Flash's few steps
  staged: null,
  setCanvasOptions: (changes) =>
    set({
      ...changes,
      ...(changes.brushSize !== undefined && {
        brushSize: Math.min(BRUSH_SIZES.max, Math.max(BRUSH_SIZES.min, Math.round(changes.brushSize))),
      }),
    }),
  openCanvas: (image, upscaled) => {
    const { canvas } = get();
    const doc = { image, ops: [], ...(upscaled && { upscaled }) };
    set({ canvas: canvas ? commit(canvas, doc) : startHistory(doc), staged: null });
  },
  closeCanvas: () => set({ canvas: null, staged: null }),
  addMaskOp: (op) => {
    const { canvas } = get();
    if (!canvas) return;
    set({ canvas: commit(canvas, { ...canvas.present, ops: [...canvas.present.ops, op] }) });
  },
  undoCanvas: () => {
    const { canvas, staged } = get();
    if (canvas && !staged) set({ canvas: undo(canvas) });
  },
  redoCanvas: () => {
    const { canvas, staged } = get();
    if (canvas && !staged) set({ canvas: redo(canvas) });
  },
  stageResult: (staged) => set({ staged }),
  acceptStaged: () => {
    const { canvas, staged } = get();
    if (!canvas || !staged) return;
    set({ canvas: commit(canvas, { image: staged.image, ops: [], parameters: staged.parameters }), staged: null });
  },
  discardStaged: () => set({ staged: null }),
  setCanvasUpscaled: (image, upscaled) => {
    const { canvas } = get();
    if (canvas?.present.image !== image) return;
    set({ canvas: { ...canvas, present: { ...canvas.present, upscaled } } });
  },
});
