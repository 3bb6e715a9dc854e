// The page `npm run bench` (bench/run.ts) drives in Chromium: the app's own engine worker, without
// the app around it, with each call timed here on the page, so the times include what a user waits
// for (the worker hop and the pixel transfer) and not only the work inside the worker.
import type {
  EngineDiagnostics,
  ExecutionProvider,
  GenerateParams,
  GeneratedImage,
  InpaintParams,
  LoadedPack,
  Progress,
} from '../../shared/engine-api';
import { Comlink, engine } from '../engine-client';

export interface TimedLoad {
  ms: number;
  /** Until the last file was on hand (downloaded and stored, or read back from IndexedDB). */
  filesMs: number;
  /** From then until every eager session was compiled and warmed up. */
  sessionsMs: number;
  pack: LoadedPack;
}

export interface TimedImage {
  ms: number;
  timings: GeneratedImage['timings'];
  /** A cheap fingerprint, so a run that returned garbage shows up next to its time. */
  meanPixel: number;
  /** The 'encode' progress events, in order (one per part where the text encoder is streamed). */
  encodeProgress: Extract<Progress, { phase: 'encode' }>[];
}

export interface TimedUpscale {
  /** As the page waited for it. */
  ms: number;
  /** The upscaler's session.run inside it. */
  runMs: number;
  width: number;
  height: number;
}

export interface BenchHarness {
  /** `threads`: the wasm back end's threads (the bench's --threads); the app's default where absent. */
  load(url: string, ep: ExecutionProvider, threads?: number): Promise<TimedLoad>;
  generate(params: GenerateParams): Promise<TimedImage>;
  inpaint(params: InpaintParams): Promise<TimedImage>;
  /** Enlarges a `side`² picture with the pack's upscaler. */
  upscale(side: number): Promise<TimedUpscale>;
  diagnostics(): Promise<EngineDiagnostics>;
  adapter(): Promise<{ description: string; isFallbackAdapter: boolean } | null>;
}

declare global {
  interface Window {
    kandinskyBench: BenchHarness;
  }
}

/** Runs one image, timed, keeping its 'encode' progress events. */
async function timedImage(run: (onProgress: (p: Progress) => void) => Promise<GeneratedImage>): Promise<TimedImage> {
  const encodeProgress: TimedImage['encodeProgress'] = [];
  const started = performance.now();
  const image = await run(
    Comlink.proxy((p: Progress) => {
      if (p.phase === 'encode') encodeProgress.push(p);
    }),
  );
  const ms = performance.now() - started;
  let sum = 0;
  for (let i = 0; i < image.pixels.length; i += 4)
    sum += image.pixels[i]! + image.pixels[i + 1]! + image.pixels[i + 2]!;
  return { ms, timings: image.timings, meanPixel: sum / ((image.pixels.length / 4) * 3), encodeProgress };
}

window.kandinskyBench = {
  async load(url, ep, threads) {
    const started = performance.now();
    let filesDone = 0;
    const pack = await engine().load(
      { kind: 'url', url },
      // The prompt cache off: every image pays for its text encoder, as a new prompt does.
      { ep, promptCache: false, wasmThreads: threads },
      Comlink.proxy((p: Progress) => {
        if (p.phase === 'load' && filesDone === 0) filesDone = performance.now();
      }),
    );
    const end = performance.now();
    filesDone ||= end;
    return { ms: end - started, filesMs: filesDone - started, sessionsMs: end - filesDone, pack };
  },
  generate: (params) => timedImage((onProgress) => engine().generate(params, onProgress)),
  inpaint: (params) => timedImage((onProgress) => engine().inpaint(params, onProgress)),
  async upscale(side) {
    const pixels = new Uint8ClampedArray(side * side * 4);
    for (let i = 0; i < side * side; i++) pixels.set([(i * 7) & 255, (i * 3) & 255, 128, 255], 4 * i);
    const started = performance.now();
    const out = await engine().upscale(
      { width: side, height: side, pixels },
      Comlink.proxy(() => {}),
    );
    return { ms: performance.now() - started, runMs: out.ms, width: out.width, height: out.height };
  },
  diagnostics: () => engine().diagnostics(),
  async adapter() {
    const caps = await engine().probe();
    const a = caps.webgpu.adapter;
    return a
      ? {
          description: [a.vendor, a.architecture, a.description].filter(Boolean).join(' '),
          isFallbackAdapter: caps.webgpu.isFallbackAdapter,
        }
      : null;
  },
};
