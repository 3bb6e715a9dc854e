// The report's arithmetic on made-up samples whose ratios are known.
import { describe, expect, it } from 'vitest';
import { report } from './report';
import type { BenchResults } from './results';
import type { ImageRun } from './workloads';

/** `n` images of `steps` U-Net calls of `unetMs`, plus text and decoder calls, with `extraMs` outside the graphs. */
function images(n: number, steps: number, unetMs: number, extraMs = 0, unet = 'unet_flash'): ImageRun[] {
  return Array.from({ length: n }, () => {
    const runs = [
      { component: 'text_encoder', ms: 2 },
      ...Array.from({ length: steps }, () => ({ component: unet, ms: unetMs })),
      { component: 'movq_decoder', ms: 8 },
    ];
    return { ms: runs.reduce((s, r) => s + r.ms, 0) + extraMs, runs };
  });
}

function results(wasmUnetMs: number): BenchResults {
  const side = (unetMs: number) => ({
    'flash-64': images(5, 4, unetMs),
    'ddpm25-64': images(5, 25, unetMs, 0, 'unet_base'),
    'ddpm50-64': images(5, 50, unetMs, 0, 'unet_base'),
    'flash-96': images(5, 4, unetMs * 2),
    'flash-128': images(5, 4, unetMs * 4, 5),
  });
  return {
    date: '2026-11-27',
    command: 'npm run bench',
    machine: {
      cpu: 'Test CPU',
      cores: 2,
      memoryGiB: 24,
      os: 'Debian',
      node: 'v20',
      chromium: '156',
      onnxruntimeWeb: '1.30.0',
      onnxruntimeNode: '1.30.0',
    },
    pack: 'kandinsky3-nano',
    variant: 'int8w',
    runs: 5,
    warmups: 1,
    wasm: { images: side(wasmUnetMs), sessions: [] },
    webgpu: { skipped: 'not run' },
    node: { defaultThreads: side(10), oneThread: side(20) },
    starts: {
      cold: [
        { loadMs: 1000, filesMs: 400, sessionsMs: 600, firstImageMs: 100, downloadedBytes: 2 ** 20, cachedBytes: 0 },
      ],
      warm: [
        { loadMs: 700, filesMs: 100, sessionsMs: 600, firstImageMs: 100, downloadedBytes: 0, cachedBytes: 2 ** 20 },
      ],
    },
    memory: [],
  };
}

describe('benchmark report', () => {
  it('puts the browser against native per graph and end to end, and judges the goal', () => {
    const text = report(results(20));
    expect(text).toContain(
      '| U-Net Flash, batch 1, latent 16² | 20.0 ms (20.0 ms–20.0 ms) | 10.0 ms (10.0 ms–10.0 ms) | 20.0 ms (20.0 ms–20.0 ms) | 2.00× | 1.00× |',
    );
    // Flash end to end: (2 + 4·20 + 8) against (2 + 4·10 + 8) = 90 / 50.
    expect(text).toContain('Flash end to end: 1.80× of native, goal not met.');
    expect(report(results(11))).toMatch(/Flash end to end: 1\.08× of native, goal met\./);
  });

  it('gives the Flash speed-up against guided base runs, and the overhead outside session.run', () => {
    const text = report(results(20));
    // (2 + 25·20 + 8) / (2 + 4·20 + 8) = 510 / 90.
    expect(text).toContain('Against 25 guided steps in the browser: 5.7×, goal not met. The U-Net calls alone: 6.3×;');
    // 128²: 5 ms outside 2 + 4·80 + 8 = 330 ms of graph calls.
    expect(text).toMatch(/\| Flash, 4 steps, 128² \| 1\.015× \|/);
    expect(text).toMatch(/\| cold \| 400 ms .* \| 1100 ms .* \| 1 MiB \|/);
  });
});
