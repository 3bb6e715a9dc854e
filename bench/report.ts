// The markdown report of one benchmark run, computed from its raw samples (bench/results/*.json).
import type { SessionStats } from '../shared/engine-api';
import type { BenchResults, StartRun } from './results';
import { summarize, type Summary } from './stats';
import { SAMPLER_WORKLOADS, SIZE_WORKLOADS, type ImageRun } from './workloads';

const GOALS = { browserVsNative: 1.5, flashSpeedup: 10, overhead: 1.1, upscaleMs: 60 };

function fmt(ms: number): string {
  if (ms >= 10_000) return `${(ms / 1000).toFixed(1)} s`;
  if (ms >= 100) return `${Math.round(ms)} ms`;
  return `${ms.toFixed(ms >= 10 ? 1 : 2)} ms`;
}

function cell(s: Summary | null): string {
  return s ? `${fmt(s.median)} (${fmt(s.min)}–${fmt(s.max)})` : '–';
}

function x(value: number | null, digits = 2): string {
  return value === null || !Number.isFinite(value) ? '–' : `${value.toFixed(digits)}×`;
}

function mib(bytes: number | null): string {
  return bytes === null || bytes === 0 ? '–' : `${(bytes / 2 ** 20).toFixed(0)} MiB`;
}

function goal(met: boolean): string {
  return met ? 'met' : 'not met';
}

/** Every call of a component across a series' images, or whole images (`component` null). */
function calls(series: ImageRun[] | undefined, component: string | null): Summary | null {
  if (!series || series.length === 0) return null;
  const samples =
    component === null
      ? series.map((r) => r.ms)
      : series.flatMap((r) => r.runs.filter((c) => c.component === component).map((c) => c.ms));
  return samples.length > 0 ? summarize(samples) : null;
}

/** Time in U-Net calls per image. */
function unetTime(series: ImageRun[] | undefined): Summary | null {
  if (!series || series.length === 0) return null;
  return summarize(
    series.map((r) => r.runs.filter((c) => c.component.startsWith('unet')).reduce((sum, c) => sum + c.ms, 0)),
  );
}

function over(a: Summary | null, b: Summary | null): number | null {
  return a && b ? a.median / b.median : null;
}

/** End-to-end time over the sum of its session.run times, image by image. */
function overhead(series: ImageRun[] | undefined): Summary | null {
  if (!series || series.length === 0) return null;
  return summarize(series.map((r) => r.ms / r.runs.reduce((sum, c) => sum + c.ms, 0)));
}

function table(head: string[], rows: string[][]): string {
  return [
    `| ${head.join(' | ')} |`,
    `| ${head.map(() => '---').join(' | ')} |`,
    ...rows.map((r) => `| ${r.join(' | ')} |`),
  ].join('\n');
}

function unetCalls(series: ImageRun[] | undefined): number {
  return series?.[0]?.runs.filter((c) => c.component.startsWith('unet')).length ?? 0;
}

export function report(r: BenchResults): string {
  const wasm = r.wasm.images;
  const node = r.node.defaultThreads;
  const node1 = r.node.oneThread;
  const gpu = 'skipped' in r.webgpu ? null : r.webgpu;
  const out: string[] = [];
  out.push(`## Benchmark, ${r.date}`);
  out.push(
    `Pack \`${r.pack}\` (${r.variant}); medians of ${r.runs} runs after ${r.warmups} warm-up, with (min–max). Reproduce: \`${r.command}\`.`,
  );
  out.push(
    table(
      ['machine', ''],
      [
        ['CPU', `${r.machine.cpu}, ${r.machine.cores} cores, ${r.machine.memoryGiB} GiB`],
        ['OS', r.machine.os],
        [
          'browser',
          `Chromium ${r.machine.chromium}, headless; onnxruntime-web ${r.machine.onnxruntimeWeb} (wasm: ${threadCount(r.wasmThreads ?? 1)})`,
        ],
        ['native', `Node ${r.machine.node}, onnxruntime-node ${r.machine.onnxruntimeNode} (CPU)`],
        [
          'WebGPU adapter',
          gpu
            ? `${gpu.adapter}${gpu.isFallbackAdapter ? ' (software: a CPU result)' : ''}`
            : (r.webgpu as { skipped: string }).skipped,
        ],
      ],
    ),
  );

  const rows: [string, string, string | null][] = [
    ['text encoder, batch 1', 'flash-64', 'text_encoder'],
    ['U-Net Flash, batch 1, latent 16²', 'flash-64', 'unet_flash'],
    ['U-Net base, batch 2 (guided), latent 16²', 'ddpm25-64', 'unet_base'],
    ['MoVQ decoder, 64²', 'flash-64', 'movq_decoder'],
    ['end to end: Flash, 4 steps', 'flash-64', null],
    ['end to end: base, 25 steps, guidance 3', 'ddpm25-64', null],
    // Packs with an upscaler (results from 2026-12-07 on).
    ...(wasm['upscale-64']
      ? ([
          ['upscaler, 64² → 256² (session.run)', 'upscale-64', 'upscaler'],
          ['end to end: upscale 64² → 256²', 'upscale-64', null],
        ] as [string, string, string | null][])
      : []),
  ];
  out.push(
    `### 1. Browser (wasm) against native CPU\n\nGoal: wasm ÷ native ≤ ${GOALS.browserVsNative}×. Per graph call (session.run), and end to end as the page waits for it.`,
  );
  out.push(
    table(
      ['run', 'Chromium wasm', 'node, default threads', 'node, 1 thread', 'wasm ÷ node', 'wasm ÷ node 1 thread'],
      rows.map(([label, key, component]) => {
        const w = calls(wasm[key], component);
        const n = calls(node[key], component);
        const n1 = calls(node1[key], component);
        return [label, cell(w), cell(n), cell(n1), x(over(w, n)), x(over(w, n1))];
      }),
    ),
  );
  const e2eRatio = over(calls(wasm['flash-64'], null), calls(node['flash-64'], null));
  out.push(
    `Flash end to end: ${x(e2eRatio)} of native, goal ${goal(e2eRatio !== null && e2eRatio <= GOALS.browserVsNative)}.`,
  );

  const upscaleMs = calls(wasm['upscale-64'], null);
  if (upscaleMs) {
    out.push(
      `Upscaler, 64² → 256² in Chromium wasm as the page waits for it: ${fmt(upscaleMs.median)}, goal ≤ ${GOALS.upscaleMs} ms, ${goal(upscaleMs.median <= GOALS.upscaleMs)}.`,
    );
  }

  out.push('### 2. WebGPU against wasm, same machine');
  if (gpu) {
    out.push(
      table(
        ['run', 'wasm', `WebGPU (${gpu.adapter})`, 'WebGPU ÷ wasm'],
        rows
          .filter(([, key]) => key === 'flash-64')
          .map(([label, key, component]) => {
            const w = calls(wasm[key], component);
            const g = calls(gpu.images[key], component);
            return [label, cell(w), cell(g), x(over(g, w))];
          }),
      ),
    );
    if (gpu.isFallbackAdapter)
      out.push(
        'The adapter is software (a CPU emulating a GPU): this is a CPU result, and why the app prefers wasm on it.',
      );
  } else out.push(`Skipped: ${(r.webgpu as { skipped: string }).skipped}.`);

  out.push(
    `### 3. Flash against base\n\nGoal: Flash ≥ ${GOALS.flashSpeedup}× faster than base with 25 guided steps (the bound from U-Net calls is 12.5×).`,
  );
  const flashW = calls(wasm['flash-64'], null);
  const flashN = calls(node['flash-64'], null);
  out.push(
    table(
      ['run', 'U-Net calls', 'Chromium wasm', 'Flash speed-up', 'node', 'Flash speed-up'],
      ['flash-64', 'ddpm25-64', 'ddpm50-64', 'refiner12-64'].map((key) => {
        const w = calls(wasm[key], null);
        const n = calls(node[key], null);
        const batch = key === 'flash-64' ? '' : key === 'refiner12-64' ? ' (base ones batch 2)' : ' (batch 2)';
        return [
          label(key),
          `${unetCalls(wasm[key])}${batch}`,
          cell(w),
          key === 'flash-64' ? '' : x(over(w, flashW), 1),
          cell(n),
          key === 'flash-64' ? '' : x(over(n, flashN), 1),
        ];
      }),
    ),
  );
  const speedup = over(calls(wasm['ddpm25-64'], null), flashW);
  const unetSpeedup = over(unetTime(wasm['ddpm25-64']), unetTime(wasm['flash-64']));
  out.push(
    `Against 25 guided steps in the browser: ${x(speedup, 1)}, goal ${goal(speedup !== null && speedup >= GOALS.flashSpeedup)}. ` +
      `The U-Net calls alone: ${x(unetSpeedup, 1)}; the text encoder and the decoder run once for either sampler.`,
  );

  out.push(
    `### 4. Pipeline overhead\n\nEnd to end (as the caller waits, worker hop included in the browser) over the sum of the session.run times inside it, image by image. Goal ≤ ${GOALS.overhead}×.`,
  );
  out.push(
    table(
      ['run', 'Chromium wasm', 'node, default threads'],
      ['flash-64', 'ddpm25-64', 'ddpm50-64', 'refiner12-64', 'flash-128', 'inpaint-64'].map((key) => [
        label(key),
        x(overhead(wasm[key])?.median ?? null, 3),
        x(overhead(node[key])?.median ?? null, 3),
      ]),
    ),
  );

  out.push(
    "### 5. Cold and warm start, up to the first image (wasm)\n\nCold: a new browser profile (empty IndexedDB, HTTP cache and code cache), the pack from a local server. Warm: a reload after a visit that stored the pack and made a picture; the pack from IndexedDB, ORT's compiled wasm from Chrome's code cache. Private window: the same reload where Chrome keeps no compiled wasm (results before the evening of 2026-12-06 measured warm starts this way). All verify every chunk and create every session. Each session is created as soon as its file is on hand, while the rest are read or downloaded (since 2026-12-06, evening), so 'sessions after them' is only what was left once the last file was in; the sessions table below has each one's time.",
  );
  const start = (runs: StartRun[], field: keyof StartRun) => cell(summarize(runs.map((s) => s[field])));
  const total = (runs: StartRun[]) => cell(summarize(runs.map((s) => s.loadMs + s.firstImageMs)));
  out.push(
    table(
      ['start', 'pack files on hand', 'sessions after them', 'first image', 'to first image', 'downloaded'],
      (
        [
          ['cold', r.starts.cold],
          ['warm', r.starts.warm],
          ['warm, private window', r.starts.warmPrivate],
        ] as [string, StartRun[] | undefined][]
      )
        .flatMap(([kind, runs]) => (runs ? [[kind, runs] as const] : []))
        .map(([kind, runs]) => {
          return [
            kind,
            start(runs, 'filesMs'),
            start(runs, 'sessionsMs'),
            start(runs, 'firstImageMs'),
            total(runs),
            mib(runs[0]?.downloadedBytes ?? 0),
          ];
        }),
    ),
  );

  out.push(
    "### 6. Peak memory per stage\n\nPeak resident memory of the browser processes during each stage (Linux VmHWM, reset before it), and ORT's wasm heap after it.",
  );
  out.push(
    table(
      ['stage', 'back end', 'renderer (page + worker)', 'GPU process', 'all processes', 'wasm heap'],
      r.memory.map((m) => [
        m.stage,
        m.backend,
        mib(m.rendererPeakBytes),
        mib(m.gpuProcessPeakBytes),
        mib(m.allProcessesPeakBytes),
        mib(m.wasmHeapBytes),
      ]),
    ),
  );
  out.push(sessionTable('wasm', r.wasm.sessions, r.graphNodes));
  if (gpu) out.push(sessionTable('WebGPU', gpu.sessions, r.graphNodes));

  out.push('### 7. Resolution scaling (U-Net Flash, per step)');
  const base16 = calls(wasm['flash-64'], 'unet_flash');
  out.push(
    table(
      ['latent', 'image', 'Chromium wasm', 'node', 'time ×', 'latent pixels ×'],
      [64, 96, 128].map((side) => {
        const key = `flash-${side}`;
        const w = calls(wasm[key], 'unet_flash');
        const latent = side / 4;
        return [
          `${latent}²`,
          `${side}²`,
          cell(w),
          cell(calls(node[key], 'unet_flash')),
          x(over(w, base16)),
          x((latent * latent) / 256),
        ];
      }),
    ),
  );
  return out.join('\n\n') + '\n';
}

/** A workload's label, as bench/workloads.ts names it. */
function label(key: string): string {
  if (key === 'inpaint-64') return 'inpainting, Flash, 64²';
  const workload = [...SAMPLER_WORKLOADS, ...SIZE_WORKLOADS].find((w) => w.key === key);
  return workload?.label ?? key;
}

function sessionTable(backend: string, sessions: SessionStats[], graphNodes?: Record<string, number>): string {
  return (
    `Sessions on ${backend}, in the order they were created (they share one wasm heap):\n\n` +
    table(
      ['component', 'graph nodes', 'file', 'weights in memory', 'compile', 'warm-up run', 'wasm heap growth'],
      sessions.map((s) => [
        s.component,
        graphNodes?.[s.file]?.toLocaleString('en') ?? '–',
        `${(s.fileBytes / 2 ** 20).toFixed(1)} MiB`,
        s.weightsFolded ? 'fp32 (folded once)' : 'as stored',
        fmt(s.createMs),
        fmt(s.warmupMs),
        s.wasmHeapBytesAfter === null
          ? '–'
          : `${((s.wasmHeapBytesAfter - (s.wasmHeapBytesBefore ?? 0)) / 2 ** 20).toFixed(1)} MiB`,
      ]),
    )
  );
}

function threadCount(threads: number): string {
  return threads === 1 ? '1 thread' : `${threads} threads`;
}
