// Runs an animation on the engine, frame by frame (kandinsky3-architecture §10.2–10.3), from the UI thread: the
// engine API already has the two calls it needs, and keeping the director here leaves the worker one
// job at a time, cancellable between frames.
//
// - Camera moves (zoom in/out, pan, rotate): each diffused frame is the previous one warped by the
//   camera, encoded, re-noised to a late Flash timestep and denoised in 1–2 Flash steps (image-to-
//   image at strength 1 or 2 over Flash's step count, which the pack gives: 1/4 or 2/4 for Kandinsky
//   3 Flash), then colour-matched to frame 0; with a cadence N the frames between are warps
//   cross-faded (cadence.ts).
// - Infinite zoom: keyframes by outpainting (each the previous shrunk into a new border), then crop
//   interpolation between them (zoom-frames.ts); zoom-in plays the same frames backwards.
import type { GenerateParams, GeneratedImage, InpaintParams } from '../../shared/engine-api';
import { zoomOutCanvas, type CanvasImage } from '../canvas/canvas-image';
import { diffusedFrames, inBetweenFrames } from './cadence';
import { colorStats, matchColors } from './color-match';
import { scaleMove, warpImage, type CameraMove } from './warp';
import { zoomOutFrames, type Rect } from './zoom-frames';

export type AnimationMode = 'camera' | 'infinite-zoom';

export interface AnimationSettings {
  mode: AnimationMode;
  /** Camera: frames in the clip, the first included. */
  frames: number;
  move: CameraMove;
  /** Camera: Flash steps per diffused frame, 1 (re-noised to t = 229) or 2 (t = 479). */
  flashSteps: 1 | 2;
  /** Camera: diffuse every N-th frame. */
  cadence: number;
  colorMatch: boolean;
  /** Infinite zoom: keyframes outpainted after the first. */
  keyframes: number;
  /** Infinite zoom: the side of each keyframe's predecessor inside it, e.g. 0.5. */
  zoomFactor: number;
  framesPerKeyframe: number;
  direction: 'in' | 'out';
}

export const DEFAULT_ANIMATION: AnimationSettings = {
  mode: 'camera',
  frames: 24,
  move: { zoom: 1.02, rotate: 0, panX: 0, panY: 0 },
  flashSteps: 1,
  cadence: 2,
  colorMatch: true,
  keyframes: 3,
  zoomFactor: 0.5,
  framesPerKeyframe: 12,
  direction: 'out',
};

export class AnimationCancelledError extends Error {
  override name = 'AnimationCancelledError';
  constructor() {
    super('The animation was stopped; the frames made so far are kept.');
  }
}

export interface AnimationJob {
  /** Prompt, seed (frame k uses seed + k), sampler and size. */
  params: GenerateParams;
  /** Frame 0, or null to generate it from the prompt. */
  start: CanvasImage | null;
  settings: AnimationSettings;
  /** The pack's size step, for the zoom-out canvas. */
  multipleOf: number;
  /** The step count of the schedule the frames run on: Flash's fixed steps (the pack's
   * SamplerInfo.fixedSteps). Image-to-image keeps ⌊steps·strength⌋ of its timesteps, so a frame runs
   * `settings.flashSteps` of them at strength flashSteps / scheduleSteps (Kandinsky 3 Flash: 4 steps,
   * 1 → t = 229, 2 → 479 and 229). */
  scheduleSteps: number;
}

export interface AnimationHooks {
  generate: (params: GenerateParams) => Promise<GeneratedImage>;
  inpaint: (params: InpaintParams) => Promise<GeneratedImage>;
  /** Each frame as soon as it is known (infinite zoom: each keyframe, then all frames at the end). */
  onFrame: (frame: CanvasImage, index: number, total: number) => void;
  signal: AbortSignal;
}

const image = (g: GeneratedImage): CanvasImage => ({ width: g.width, height: g.height, pixels: g.pixels });

export async function runAnimation(job: AnimationJob, hooks: AnimationHooks): Promise<CanvasImage[]> {
  const checkpoint = () => {
    if (hooks.signal.aborted) throw new AnimationCancelledError();
  };
  const { params, settings } = job;
  // Each frame brings its own start image; edge guidance is not part of an animation.
  const plain: GenerateParams = { ...params, init: undefined, control: undefined };
  const first = job.start ?? image(await hooks.generate(plain));
  checkpoint();
  return settings.mode === 'camera'
    ? cameraFrames(first, plain, settings, job.scheduleSteps, hooks, checkpoint)
    : infiniteZoomFrames(first, plain, job.multipleOf, settings, hooks, checkpoint);
}

async function cameraFrames(
  first: CanvasImage,
  params: GenerateParams,
  settings: AnimationSettings,
  scheduleSteps: number,
  hooks: AnimationHooks,
  checkpoint: () => void,
): Promise<CanvasImage[]> {
  const total = settings.frames;
  const strength = Math.min(1, settings.flashSteps / scheduleSteps);
  const reference = colorStats(first);
  const frames = [first];
  hooks.onFrame(first, 0, total);
  let previous = first;
  let previousIndex = 0;
  for (const index of diffusedFrames(total, settings.cadence).slice(1)) {
    const gap = index - previousIndex;
    const warped = warpImage(previous, scaleMove(settings.move, gap));
    checkpoint();
    const generated = image(
      await hooks.generate({
        ...params,
        seed: (params.seed + index) % 2 ** 32,
        init: { image: warped.pixels, strength },
      }),
    );
    const next = settings.colorMatch ? matchColors(generated, reference) : generated;
    for (const between of inBetweenFrames(previous, next, gap, settings.move)) {
      hooks.onFrame(between, frames.length, total);
      frames.push(between);
    }
    hooks.onFrame(next, frames.length, total);
    frames.push(next);
    previous = next;
    previousIndex = index;
  }
  return frames;
}

async function infiniteZoomFrames(
  first: CanvasImage,
  params: GenerateParams,
  multipleOf: number,
  settings: AnimationSettings,
  hooks: AnimationHooks,
  checkpoint: () => void,
): Promise<CanvasImage[]> {
  const total = settings.keyframes * settings.framesPerKeyframe + 1;
  const keyframes: { image: CanvasImage; innerRect: Rect | null }[] = [{ image: first, innerRect: null }];
  hooks.onFrame(first, 0, total);
  for (let k = 1; k <= settings.keyframes; k++) {
    checkpoint();
    const request = zoomOutCanvas(keyframes[k - 1]!.image, settings.zoomFactor, 4, multipleOf);
    const outpainted = image(
      await hooks.inpaint({
        ...params,
        seed: (params.seed + k) % 2 ** 32,
        image: request.image.pixels,
        mask: request.mask,
        blendMask: request.blendMask,
        feather: 0,
      }),
    );
    keyframes.push({ image: outpainted, innerRect: request.inner! });
    hooks.onFrame(outpainted, k * settings.framesPerKeyframe, total);
  }
  const frames = zoomOutFrames(keyframes, settings.framesPerKeyframe);
  const ordered = settings.direction === 'out' ? frames : frames.reverse();
  ordered.forEach((frame, i) => hooks.onFrame(frame, i, total));
  return ordered;
}
