// What the animation panel asks: make an animation on the engine (frames land in the store as they
// come), stop it, and export the frames as a video.
import type { GenerateParams } from '../shared/engine-api';
import { AnimationCancelledError, runAnimation } from './animation/animation-director';
import { VideoExportCancelledError, exportVideo, type VideoFormat } from './animation/video-export';
import { engine } from './engine-client';
import { onProgress } from './progress-callback';
import { upscaledResult } from './upscale-actions';
import { appError } from './app-error';
import { InvalidParamsError } from '../shared/errors';
import { useAppStore } from './store';

const store = useAppStore;
let running: AbortController | null = null;
let exporting: AbortController | null = null;

export async function makeAnimation(): Promise<void> {
  const s = store.getState();
  if (!s.pack || (s.status !== 'ready' && s.status !== 'error') || s.animationState !== 'idle') return;
  const { animation: settings } = s;
  if (settings.mode === 'infinite-zoom' && !s.pack.canInpaint) {
    s.setEngine({
      status: 'error',
      error: appError(new InvalidParamsError(`${s.pack.title} has no inpainting U-Net, which infinite zoom needs.`)),
    });
    return;
  }
  // The reference's animation runs on Flash (kandinsky3-architecture §10.3): 1–2 of its late steps per frame. A pack without
  // Flash runs the chosen sampler, whose steps are then the schedule the frames take their steps from.
  const flash = s.pack.samplers.find((offered) => offered.name === 'flash');
  const params: GenerateParams = {
    prompt: s.prompt,
    negativePrompt: s.negativePrompt,
    seed: s.seed,
    sampler: flash ? 'flash' : s.sampler,
    steps: s.steps,
    guidance: s.guidance,
    width: s.width,
    height: s.height,
  };
  const start =
    s.animateFromCurrent && s.image ? { width: s.image.width, height: s.image.height, pixels: s.image.pixels } : null;
  if (start) Object.assign(params, { width: start.width, height: start.height });
  running = new AbortController();
  const total = settings.mode === 'camera' ? settings.frames : settings.keyframes * settings.framesPerKeyframe + 1;
  s.setAnimationState({ animationState: 'running', animationFrames: [], animationTotal: total });
  s.setEngine({ status: 'generating', error: null, progress: null });
  try {
    await runAnimation(
      {
        params,
        start,
        settings,
        multipleOf: s.pack.resolution.multipleOf,
        scheduleSteps: flash?.fixedSteps ?? flash?.defaultSteps ?? s.steps,
      },
      {
        generate: (p) => engine().generate(p, onProgress),
        inpaint: (p) => engine().inpaint(p, onProgress),
        onFrame: (frame, index) => {
          const frames = [...store.getState().animationFrames];
          frames[index] = frame;
          store.getState().setAnimationState({ animationFrames: frames });
        },
        signal: running.signal,
      },
    );
    await upscaleFrames();
    store.getState().setEngine({ status: 'ready', progress: null });
  } catch (e) {
    const error = appError(e);
    const stopped = e instanceof AnimationCancelledError || error.name === 'GenerationCancelledError';
    store.getState().setEngine({ status: stopped ? 'ready' : 'error', error: stopped ? null : error, progress: null });
  } finally {
    running = null;
    // Infinite zoom fills frames in keyframe order; a stopped run keeps only the frames it finished.
    const done = store.getState().animationFrames.filter(Boolean);
    store.getState().setAnimationState({ animationState: 'idle', animationFrames: done });
  }
}

/** The finished frames enlarged by the pack's upscaler, all or none (a video's frames share one size).
 * Done after the run, as the frames feed each other at the model's size. */
async function upscaleFrames(): Promise<void> {
  const frames = store.getState().animationFrames;
  const upscaled = [];
  for (const frame of frames) {
    const enlarged = await upscaledResult(frame);
    if (!enlarged) return;
    upscaled.push(enlarged);
  }
  store.getState().setAnimationState({ animationFrames: upscaled });
}

/** Stops between frames; the frame being made is cancelled in the engine too. */
export async function stopAnimation(): Promise<void> {
  if (!running) return;
  running.abort();
  store.getState().setAnimationState({ animationState: 'cancelling' });
  await engine().cancelGeneration();
}

export async function exportAnimation(format: VideoFormat, fps: number, scale: number): Promise<void> {
  const s = store.getState();
  if (s.animationState !== 'idle' || s.animationFrames.length === 0) return;
  exporting = new AbortController();
  s.setAnimationState({ animationState: 'exporting', exportProgress: { done: 0, total: s.animationFrames.length } });
  try {
    const video = await exportVideo(s.animationFrames, {
      format,
      fps,
      scale,
      signal: exporting.signal,
      onProgress: (done, total) => store.getState().setAnimationState({ exportProgress: { done, total } }),
    });
    const previous = store.getState().videoUrl;
    if (previous) URL.revokeObjectURL(previous);
    const url = URL.createObjectURL(video);
    store.getState().setAnimationState({ videoUrl: url });
    const link = document.createElement('a');
    link.href = url;
    link.download = `kandinsky-${s.seed}.${format}`;
    link.click();
  } catch (e) {
    if (!(e instanceof VideoExportCancelledError)) store.getState().setEngine({ error: appError(e) });
  } finally {
    exporting = null;
    store.getState().setAnimationState({ animationState: 'idle', exportProgress: null });
  }
}

export function cancelExport(): void {
  exporting?.abort();
}
