// The animation's pure parts against closed forms, and the director on a fake engine (the real
// engine's coverage is e2e/animation.spec.ts).
import { describe, expect, it } from 'vitest';
import type { GenerateParams, GeneratedImage, InpaintParams } from '../../shared/engine-api';
import type { CanvasImage } from '../canvas/canvas-image';
import { AnimationCancelledError, DEFAULT_ANIMATION, runAnimation, type AnimationSettings } from './animation-director';
import { crossFade, diffusedFrames } from './cadence';
import { colorStats, matchColors } from './color-match';
import { STILL, scaleMove, warpImage } from './warp';
import { zoomFrame, zoomOutFrames } from './zoom-frames';

function pattern(width: number, height: number, f: (x: number, y: number) => number): CanvasImage {
  const pixels = new Uint8ClampedArray(4 * width * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) pixels.set([f(x, y), (3 * f(x, y)) % 256, 255 - f(x, y), 255], 4 * (y * width + x));
  }
  return { width, height, pixels };
}
const red = (img: CanvasImage, x: number, y: number) => img.pixels[4 * (y * img.width + x)]!;

describe('warpImage', () => {
  const img = pattern(8, 8, (x, y) => 10 * x + y);
  it('the still move is the identity', () => {
    expect(warpImage(img, STILL).pixels).toEqual(img.pixels);
  });
  it('a whole-pixel pan shifts the picture, repeating the edge it leaves', () => {
    const moved = warpImage(img, { ...STILL, panX: 2, panY: -1 });
    expect(red(moved, 5, 3)).toBe(red(img, 3, 4));
    expect(red(moved, 0, 0)).toBe(red(img, 0, 1)); // brought in from outside: the nearest edge pixel
  });
  it('zoom 2 doubles distances from the centre; 90° turns x into −y', () => {
    const zoomed = warpImage(img, { ...STILL, zoom: 2 });
    // output centre (5.5, 4.5) is (1.5, 0.5) from the centre 4, so it samples (4.75, 4.25), pixel (4.25, 3.75):
    // on the linear pattern 10x + y, 46.25
    expect(red(zoomed, 5, 4)).toBe(46);
    const turned = warpImage(
      pattern(8, 8, (x) => (x >= 4 ? 200 : 0)),
      { ...STILL, rotate: 90 },
    );
    // counter-clockwise: the bright right half goes to the top
    expect(red(turned, 4, 1)).toBe(200);
    expect(red(turned, 4, 6)).toBe(0);
  });
  it('scaleMove repeats a move: zoom multiplies, the rest adds', () => {
    expect(scaleMove({ zoom: 1.1, rotate: 2, panX: 1, panY: -3 }, 2)).toEqual({
      zoom: 1.1 ** 2,
      rotate: 4,
      panX: 2,
      panY: -6,
    });
  });
});

describe('colour matching', () => {
  it('moves each channel to the target mean and spread', () => {
    const target = colorStats(pattern(16, 16, (x, y) => 100 + 4 * ((x + y) % 8)));
    const matched = colorStats(
      matchColors(
        pattern(16, 16, (x) => 8 * x),
        target,
      ),
    );
    for (let c = 0; c < 3; c++) {
      expect(matched.mean[c]).toBeCloseTo(target.mean[c]!, 0);
      expect(matched.std[c]).toBeCloseTo(target.std[c]!, 0);
    }
  });
  it('a flat channel is shifted, never divided by zero', () => {
    const flat = pattern(4, 4, () => 50);
    const out = matchColors(flat, { mean: [120, 120, 120], std: [10, 10, 10] });
    expect(red(out, 1, 1)).toBe(120);
  });
});

describe('cadence', () => {
  it('diffuses every N-th frame and always the last', () => {
    expect(diffusedFrames(10, 3)).toEqual([0, 3, 6, 9]);
    expect(diffusedFrames(8, 3)).toEqual([0, 3, 6, 7]);
    expect(diffusedFrames(5, 1)).toEqual([0, 1, 2, 3, 4]);
  });
  it('cross-fades linearly', () => {
    const a = pattern(2, 1, () => 0);
    const b = pattern(2, 1, () => 200);
    expect(red(crossFade(a, b, 0.25), 0, 0)).toBe(50);
  });
});

describe('infinite zoom crops', () => {
  const outer = pattern(16, 16, (x, y) => 7 * x + 3 * y);
  const inner = pattern(16, 16, (x, y) => 200 - x - y);
  const rect = { left: 4, top: 4, width: 8, height: 8 };
  it('starts on the inner keyframe and ends on the outer one', () => {
    expect(zoomFrame(outer, inner, rect, 0).pixels).toEqual(inner.pixels);
    // At the end, the outer keyframe: outside the inner rect pixel for pixel, inside it the sharper inner one.
    const last = zoomFrame(outer, inner, rect, 1);
    for (const [x, y] of [
      [0, 0],
      [15, 3],
      [3, 15],
      [12, 12],
    ] as const)
      expect(red(last, x, y)).toBe(red(outer, x, y));
    expect(red(last, 4, 4)).toBe(
      Math.round((red(inner, 0, 0) + red(inner, 1, 0) + red(inner, 0, 1) + red(inner, 1, 1)) / 4),
    );
  });
  it('halfway, the crop is the geometric mean of the two sizes', () => {
    const frame = zoomFrame(
      outer,
      pattern(16, 16, () => 255),
      rect,
      0.5,
    );
    // crop side 16·0.5^0.5 ≈ 11.3 around the centre: pixel x shows outer x 8 + ((x + 0.5)/16 − 0.5)·11.3,
    // which is inside the inner rect [4, 12) for x = 2 … 13
    const white = [];
    for (let x = 0; x < 16; x++) if (red(frame, x, 8) === 255) white.push(x);
    expect(white).toEqual([2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13]);
  });
  it('lists perKey frames per keyframe pair and ends on the last keyframe', () => {
    const frames = zoomOutFrames(
      [
        { image: inner, innerRect: null },
        { image: outer, innerRect: rect },
        { image: inner, innerRect: rect },
      ],
      5,
    );
    expect(frames).toHaveLength(11);
    expect(frames[0]!.pixels).toEqual(inner.pixels);
    expect(frames[10]).toBe(inner);
  });
});

describe('the director on a fake engine', () => {
  const params: GenerateParams = {
    prompt: 'red apple',
    negativePrompt: '',
    seed: 10,
    sampler: 'flash',
    steps: 4,
    guidance: 0,
    width: 16,
    height: 16,
  };
  function fakeEngine() {
    const calls: (GenerateParams | InpaintParams)[] = [];
    const answer = (p: GenerateParams): GeneratedImage => ({
      width: p.width,
      height: p.height,
      pixels: (p.init?.image ?? pattern(16, 16, (x) => 10 * x).pixels).slice(),
      seed: p.seed,
      timings: { totalMs: 0, textMs: 0, denoiseMs: 0, decodeMs: 0, runs: [] },
    });
    return {
      calls,
      generate: async (p: GenerateParams) => (calls.push(p), answer(p)),
      inpaint: async (p: InpaintParams) => (calls.push(p), answer({ ...p, init: { image: p.image, strength: 1 } })),
    };
  }
  const settings = (changes: Partial<AnimationSettings>): AnimationSettings => ({ ...DEFAULT_ANIMATION, ...changes });

  it('camera: frame 0 from the prompt, then one late re-noise per diffused frame with its own seed', async () => {
    const engine = fakeEngine();
    const seen: number[] = [];
    const frames = await runAnimation(
      {
        params,
        start: null,
        settings: settings({ frames: 7, cadence: 3, flashSteps: 2 }),
        multipleOf: 16,
        scheduleSteps: 4,
      },
      { ...engine, onFrame: (_f, i) => seen.push(i), signal: new AbortController().signal },
    );
    expect(frames).toHaveLength(7);
    expect(seen).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(engine.calls.map((c) => [c.seed, c.init?.strength])).toEqual([
      [10, undefined],
      [13, 0.5],
      [16, 0.5],
    ]);
  });

  it("camera: a frame's steps are a share of the pack's Flash schedule, however long it is", async () => {
    const engine = fakeEngine();
    await runAnimation(
      {
        params,
        start: null,
        settings: settings({ frames: 3, cadence: 1, flashSteps: 1 }),
        multipleOf: 16,
        scheduleSteps: 8,
      },
      { ...engine, onFrame: () => {}, signal: new AbortController().signal },
    );
    expect(engine.calls.map((c) => c.init?.strength)).toEqual([undefined, 0.125, 0.125]);
  });

  it('infinite zoom: one outpainting per keyframe, with the border masked and the old image kept', async () => {
    const engine = fakeEngine();
    const frames = await runAnimation(
      {
        params,
        start: null,
        settings: settings({ mode: 'infinite-zoom', keyframes: 2, framesPerKeyframe: 4 }),
        multipleOf: 4,
        scheduleSteps: 4,
      },
      { ...engine, onFrame: () => {}, signal: new AbortController().signal },
    );
    expect(frames).toHaveLength(9);
    const inpaints = engine.calls.slice(1) as InpaintParams[];
    expect(inpaints).toHaveLength(2);
    expect(inpaints[0]!.mask[0]).toBe(255); // the new border is generated
    expect(inpaints[0]!.blendMask![8 * 16 + 8]).toBe(0); // the centre keeps the old image
  });

  it('stops between frames when cancelled, keeping what is done', async () => {
    const engine = fakeEngine();
    const controller = new AbortController();
    const made: number[] = [];
    await expect(
      runAnimation(
        { params, start: null, settings: settings({ frames: 10, cadence: 1 }), multipleOf: 16, scheduleSteps: 4 },
        {
          ...engine,
          onFrame: (_f, i) => {
            made.push(i);
            if (i === 2) controller.abort();
          },
          signal: controller.signal,
        },
      ),
    ).rejects.toThrow(AnimationCancelledError);
    expect(made).toEqual([0, 1, 2]);
    expect(engine.calls).toHaveLength(3);
  });
});

describe('video export refusals', () => {
  it('says what is missing: frames, or a WebCodecs encoder', async () => {
    const { VideoExportError, exportVideo } = await import('./video-export');
    await expect(exportVideo([], { format: 'webm', fps: 12, scale: 1 })).rejects.toThrow(/no frames to export/);
    // Node, like an old browser, has no VideoEncoder.
    await expect(exportVideo([pattern(4, 4, () => 0)], { format: 'mp4', fps: 12, scale: 1 })).rejects.toThrow(
      VideoExportError,
    );
  });
});
