// The Chromium half of the benchmark: the app's engine worker on the bench.html page, on wasm and on
// WebGPU, with cold and warm starts and each stage's peak memory.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from '@playwright/test';
import type { ExecutionProvider, GenerateParams, InpaintParams } from '../shared/engine-api';
import type { BenchHarness, TimedImage, TimedUpscale } from '../src/bench/bench-harness';
import { chromiumArgs } from '../e2e/chromium-launch';
import { readPeaks, resetPeaks } from './process-memory';
import type { BackendRuns, BenchResults, MemoryStage, StartRun } from './results';
import {
  FLASH_64,
  inpaintParams,
  SAMPLER_WORKLOADS,
  SIZE_WORKLOADS,
  UPSCALE_KEY,
  UPSCALE_SIDE,
  type ImageRun,
  type Workload,
} from './workloads';

export interface BrowserBenchOptions {
  baseUrl: string;
  packUrl: string;
  chromiumPath: string;
  /** Extra launch flags, e.g. for a hardware GPU (see docs/performance.md, "On a machine with a real GPU"). */
  extraArgs: string[];
  runs: number;
  warmups: number;
  /** The wasm back end's threads (--threads). */
  threads: number;
  log: (line: string) => void;
}

/** How long each benchmarked visit stays open before the next reload (see warmStarts). */
const VISIT_MS = 3000;

type HarnessCall =
  | { fn: 'load'; url: string; ep: ExecutionProvider; threads?: number }
  | { fn: 'generate'; params: GenerateParams }
  | { fn: 'inpaint'; params: InpaintParams }
  | { fn: 'upscale'; side: number }
  | { fn: 'diagnostics' }
  | { fn: 'adapter' };

/** Calls the page's harness; typed arrays cross page.evaluate as plain arrays, so they are rebuilt there. */
async function call<T>(page: Page, request: HarnessCall): Promise<T> {
  // No named functions inside: tsx would wrap them in a helper that does not exist in the page.
  return page.evaluate(async (req) => {
    const bench: BenchHarness = window.kandinskyBench;
    switch (req.fn) {
      case 'load':
        return bench.load(req.url, req.ep, req.threads);
      case 'generate':
        return bench.generate(req.params);
      case 'inpaint':
        return bench.inpaint({
          ...req.params,
          image: new Uint8ClampedArray(req.params.image as unknown as number[]),
          mask: new Uint8Array(req.params.mask as unknown as number[]),
        });
      case 'upscale':
        return bench.upscale(req.side);
      case 'diagnostics':
        return bench.diagnostics();
      case 'adapter':
        return bench.adapter();
    }
  }, serializable(request)) as Promise<T>;
}

function serializable(request: HarnessCall): HarnessCall {
  if (request.fn !== 'inpaint') return request;
  const { image, mask, ...rest } = request.params;
  return { fn: 'inpaint', params: { ...rest, image: [...image], mask: [...mask] } as unknown as InpaintParams };
}

async function openHarness(browser: Browser, baseUrl: string): Promise<Page> {
  return openHarnessIn(await browser.newContext(), baseUrl);
}

async function openHarnessIn(context: BrowserContext, baseUrl: string): Promise<Page> {
  const page = context.pages()[0] ?? (await context.newPage());
  page.on('pageerror', (e) => console.error(`page error: ${e.message}`));
  await page.goto(`${baseUrl}/bench.html`);
  await page.waitForFunction(() => 'kandinskyBench' in window);
  return page;
}

function imageRun(image: TimedImage): ImageRun {
  if (!Number.isFinite(image.meanPixel)) throw new Error('the benchmark image is not a picture');
  return { ms: image.ms, runs: image.timings.runs };
}

export class BrowserBench {
  private browser!: Browser;
  readonly memory: MemoryStage[] = [];
  private readonly marker = `--kandinsky-bench=${process.pid}-${Date.now()}`;
  /** The browsers with a profile on disk carry their own, so their processes are told apart. */
  private readonly profileMarker = `${this.marker}-profile`;

  constructor(private readonly options: BrowserBenchOptions) {}

  async start(): Promise<string> {
    this.browser = await chromium.launch({
      executablePath: this.options.chromiumPath,
      headless: true,
      // The marker finds this browser's processes for the memory readings.
      args: [...chromiumArgs, ...this.options.extraArgs, this.marker],
    });
    return this.browser.version();
  }

  async close(): Promise<void> {
    await this.browser.close();
  }

  /** Runs `work` with every browser process's peak memory reset first, and records the stage's peaks. */
  private async stage<T>(
    page: Page,
    stage: string,
    backend: string,
    work: () => Promise<T>,
    marker = this.marker,
  ): Promise<T> {
    resetPeaks(marker);
    const result = await work();
    const peaks = readPeaks(marker);
    const largest = (type: string) => Math.max(0, ...peaks.filter((p) => p.type === type).map((p) => p.peakBytes));
    const { wasmHeapBytes } = await call<{ wasmHeapBytes: number | null }>(page, { fn: 'diagnostics' });
    this.memory.push({
      stage,
      backend,
      rendererPeakBytes: largest('renderer'),
      gpuProcessPeakBytes: largest('gpu-process'),
      allProcessesPeakBytes: peaks.reduce((sum, p) => sum + p.peakBytes, 0),
      wasmHeapBytes,
    });
    return result;
  }

  /** One start up to the first image; the last of each kind also records its memory stages. */
  private async startRun(
    page: Page,
    kind: string,
    seed: number,
    measureMemory: boolean,
    marker = this.marker,
  ): Promise<StartRun> {
    const { packUrl } = this.options;
    const label = seed < this.options.warmups ? `${kind} (warm-up)` : kind;
    const staged = <T>(stage: string, work: () => Promise<T>) =>
      measureMemory ? this.stage(page, `${kind} start: ${stage}`, 'wasm', work, marker) : work();
    const load = await staged('load the pack', () => call<LoadResult>(page, loadCall(packUrl, this.options.threads)));
    const first = await staged('first image', () => call<TimedImage>(page, generateCall(FLASH_64, seed)));
    this.options.log(`  ${label} start: load ${ms(load.ms)} (files ${ms(load.filesMs)}), first image ${ms(first.ms)}`);
    return {
      loadMs: load.ms,
      filesMs: load.filesMs,
      sessionsMs: load.sessionsMs,
      firstImageMs: first.ms,
      downloadedBytes: load.pack.storage.downloadedBytes,
      cachedBytes: load.pack.storage.cachedBytes,
    };
  }

  /** A browser with a profile on disk, as a user's is. Playwright's ordinary contexts are private
   * windows, and Chrome keeps no compiled wasm code for a private window: each start would compile
   * ORT's runtime again (bench, 2026-12-06: warm start 2.1 s private, 1.3 s with a profile). */
  private async profileBrowser(): Promise<{ context: BrowserContext; close: () => Promise<void> }> {
    const dir = mkdtempSync(join(tmpdir(), 'kandinsky-bench-profile-'));
    const context = await chromium.launchPersistentContext(dir, {
      executablePath: this.options.chromiumPath,
      headless: true,
      args: [...chromiumArgs, ...this.options.extraArgs, this.profileMarker],
    });
    return {
      context,
      close: async () => {
        await context.close();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  }

  /** Cold: a new browser profile each time (empty IndexedDB, HTTP cache and code cache). Warm: reloads
   * in one profile after a visit that stored the pack and made a picture; and the same in a private
   * window, where Chrome caches no compiled wasm. */
  async starts(): Promise<BenchResults['starts']> {
    const { runs, warmups, log, baseUrl } = this.options;
    const cold: StartRun[] = [];
    log('cold starts (new browser profile: download, verify, store, compile, first image)');
    for (let i = 0; i < warmups + runs; i++) {
      const profile = await this.profileBrowser();
      try {
        const page = await openHarnessIn(profile.context, baseUrl);
        const run = await this.startRun(page, 'cold', i, i === warmups + runs - 1, this.profileMarker);
        if (i >= warmups) cold.push(run);
      } finally {
        await profile.close();
      }
    }
    log('warm starts (reload: pack from IndexedDB, compiled wasm from the code cache, first image)');
    const profile = await this.profileBrowser();
    let warm: StartRun[];
    try {
      warm = await this.warmStarts(await openHarnessIn(profile.context, baseUrl), 'warm', this.profileMarker);
    } finally {
      await profile.close();
    }
    log('warm starts in a private window (reload: pack from IndexedDB, no code cache)');
    const page = await openHarness(this.browser, baseUrl);
    const warmPrivate = await this.warmStarts(page, 'warm, private window', this.marker);
    await page.context().close();
    return { cold, warm, warmPrivate };
  }

  /** A visit that stores the pack and makes a picture, then reloads, each up to its first image. Each
   * visit lasts `VISIT_MS` before the next: Chrome writes its code cache a moment after V8 has
   * optimised the code, and a user's visit lasts longer than a benchmark's. */
  private async warmStarts(page: Page, kind: string, marker: string): Promise<StartRun[]> {
    const { runs, warmups } = this.options;
    await call(page, loadCall(this.options.packUrl, this.options.threads)); // stores the pack
    await call(page, generateCall(FLASH_64, 0));
    await page.waitForTimeout(VISIT_MS);
    const out: StartRun[] = [];
    for (let i = 0; i < warmups + runs; i++) {
      await page.reload();
      await page.waitForFunction(() => 'kandinskyBench' in window);
      const run = await this.startRun(page, kind, i, kind === 'warm' && i === warmups + runs - 1, marker);
      if (i >= warmups) out.push(run);
      await page.waitForTimeout(VISIT_MS);
    }
    return out;
  }

  private async series(page: Page, backend: string, workload: Workload): Promise<ImageRun[]> {
    const { runs, warmups, log } = this.options;
    return this.stage(page, workload.label, backend, async () => {
      const out: ImageRun[] = [];
      for (let i = 0; i < warmups + runs; i++) {
        const image = imageRun(await call<TimedImage>(page, generateCall(workload, i)));
        if (i >= warmups) out.push(image);
      }
      log(`  ${backend} ${workload.label}: ${out.map((r) => ms(r.ms)).join(' ')}`);
      return out;
    });
  }

  /** Every workload on wasm, then inpainting (which loads two more sessions). */
  async wasm(): Promise<BackendRuns> {
    const { runs, warmups, log } = this.options;
    log('wasm in Chromium');
    const page = await openHarness(this.browser, this.options.baseUrl);
    const load = await this.stage(page, 'load the pack (from the network)', 'wasm', () =>
      call<LoadResult>(page, loadCall(this.options.packUrl, this.options.threads)),
    );
    // A page that is not cross-origin isolated runs one thread whatever was asked: that is no result.
    if (load.pack.backend.threads !== this.options.threads) {
      throw new Error(`asked for ${this.options.threads} wasm threads, the engine runs ${load.pack.backend.threads}`);
    }
    const images: Record<string, ImageRun[]> = {};
    for (const workload of uniqueWorkloads()) images[workload.key] = await this.series(page, 'wasm', workload);
    images['inpaint-64'] = await this.stage(
      page,
      'Inpainting, Flash, 64² (loads its U-Net and the encoder)',
      'wasm',
      async () => {
        const out: ImageRun[] = [];
        for (let i = 0; i < warmups + runs; i++) {
          const image = imageRun(await call<TimedImage>(page, { fn: 'inpaint', params: inpaintParams(i) }));
          if (i >= warmups) out.push(image);
        }
        log(`  wasm inpainting: ${out.map((r) => ms(r.ms)).join(' ')}`);
        return out;
      },
    );
    if (load.pack.upscaler) {
      images[UPSCALE_KEY] = await this.stage(
        page,
        `Upscaler, ${UPSCALE_SIDE}² → ×${load.pack.upscaler.factor}`,
        'wasm',
        async () => {
          const out: ImageRun[] = [];
          for (let i = 0; i < warmups + runs; i++) {
            const timed = await call<TimedUpscale>(page, { fn: 'upscale', side: UPSCALE_SIDE });
            if (i >= warmups) out.push({ ms: timed.ms, runs: [{ component: 'upscaler', ms: timed.runMs }] });
          }
          log(`  wasm upscaler: ${out.map((r) => ms(r.ms)).join(' ')}`);
          return out;
        },
      );
    }
    const { sessions } = await call<{ sessions: BackendRuns['sessions'] }>(page, { fn: 'diagnostics' });
    await page.context().close();
    return { images, sessions };
  }

  /** Flash at the trained size on WebGPU, with whatever adapter this browser has. */
  async webgpu(): Promise<BenchResults['webgpu']> {
    const { log } = this.options;
    const page = await openHarness(this.browser, this.options.baseUrl);
    const adapter = await call<{ description: string; isFallbackAdapter: boolean } | null>(page, { fn: 'adapter' });
    if (!adapter) {
      await page.context().close();
      return { skipped: 'this browser has no WebGPU adapter' };
    }
    log(`WebGPU in Chromium (${adapter.description}${adapter.isFallbackAdapter ? ', a software adapter' : ''})`);
    await this.stage(page, 'load the pack', 'webgpu', () =>
      call(page, { fn: 'load', url: this.options.packUrl, ep: 'webgpu' }),
    );
    const images = { [FLASH_64.key]: await this.series(page, 'webgpu', FLASH_64) };
    const { sessions } = await call<{ sessions: BackendRuns['sessions'] }>(page, { fn: 'diagnostics' });
    await page.context().close();
    return { images, sessions, adapter: adapter.description, isFallbackAdapter: adapter.isFallbackAdapter };
  }
}

interface LoadResult {
  ms: number;
  filesMs: number;
  sessionsMs: number;
  pack: {
    storage: { downloadedBytes: number; cachedBytes: number };
    backend: { threads: number };
    upscaler: { factor: number } | null;
  };
}

function loadCall(url: string, threads: number): HarnessCall {
  return { fn: 'load', url, ep: 'wasm', threads };
}

function generateCall(workload: Workload, seed: number): HarnessCall {
  return { fn: 'generate', params: workload.params(seed) };
}

/** The sampler and size workloads, Flash 64² once. */
export function uniqueWorkloads(): Workload[] {
  return [...SAMPLER_WORKLOADS, ...SIZE_WORKLOADS].filter((w, i, all) => all.findIndex((x) => x.key === w.key) === i);
}

export function ms(value: number): string {
  return value >= 10_000 ? `${(value / 1000).toFixed(1)} s` : `${Math.round(value)} ms`;
}
