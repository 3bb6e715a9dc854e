// `npm run bench`: times the pipeline in headless Chromium (wasm and WebGPU, through the app's own
// engine worker) and in Node (onnxruntime-node, the same graphs and pipeline code), and writes
// bench/results/<date>-<machine>.{json,md}. A script, not a test: it prints numbers, it asserts none.
//
//   npm run bench -- [--runs 5] [--warmups 1] [--threads 1] [--no-webgpu] [--gpu-flags "<chromium flags>"] [--label name]
//   npx tsx bench/run.ts --report bench/results/<file>.json     (the markdown again, from saved samples)
import { spawn, type ChildProcess } from 'node:child_process';
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { parseArgs } from 'node:util';
import { BrowserBench } from './browser-bench';
import { graphNodeCount } from './graph-nodes';
import { benchNode } from './node-bench';
import { report } from './report';
import { MAX_WASM_THREADS } from '../workers/runtime/wasm-threads';
import type { BenchResults } from './results';

const PORT = 4175; // apart from the e2e servers (4173, 4174), so both can run
const PACK = 'kandinsky3-nano';

const { values: args } = parseArgs({
  options: {
    runs: { type: 'string', default: '5' },
    warmups: { type: 'string', default: '1' },
    // The wasm back end's threads in Chromium; 1 by default, the app's choice on 2 cores.
    threads: { type: 'string', default: '1' },
    'no-webgpu': { type: 'boolean', default: false },
    'gpu-flags': { type: 'string', default: '' },
    label: { type: 'string', default: '' },
    report: { type: 'string' },
  },
});
const runs = Number(args.runs);
const warmups = Number(args.warmups);
const threads = Number(args.threads);
if (!(Number.isInteger(threads) && threads >= 1 && threads <= MAX_WASM_THREADS)) {
  throw new Error(`--threads must be a whole number from 1 to ${MAX_WASM_THREADS}`);
}
if (!(Number.isInteger(runs) && runs >= 1 && Number.isInteger(warmups) && warmups >= 0)) {
  throw new Error('--runs must be a whole number ≥ 1 and --warmups ≥ 0');
}

const root = new URL('../', import.meta.url);
const log = (line: string) => console.log(line);

function packageVersion(name: string): string {
  return JSON.parse(readFileSync(new URL(`node_modules/${name}/package.json`, root), 'utf8')).version;
}

function chromiumPath(): string {
  if (process.env.CHROMIUM_PATH) return process.env.CHROMIUM_PATH;
  try {
    return execFileSync('sh', ['-c', 'command -v chromium'], { encoding: 'utf8' }).trim();
  } catch {
    throw new Error('Chromium not found: apt-get install chromium, or set CHROMIUM_PATH.');
  }
}

function osName(): string {
  try {
    return /PRETTY_NAME="([^"]+)"/.exec(readFileSync('/etc/os-release', 'utf8'))?.[1] ?? os.type();
  } catch {
    return `${os.type()} ${os.release()}`;
  }
}

async function serve(): Promise<ChildProcess> {
  // vite itself, not through npx, so that killing this child stops the server.
  const vite = new URL('node_modules/vite/bin/vite.js', root).pathname;
  const server = spawn(process.execPath, [vite, 'preview', '--port', String(PORT), '--strictPort'], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  for (let i = 0; i < 100; i++) {
    try {
      if ((await fetch(`http://127.0.0.1:${PORT}/bench.html`)).ok) return server;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  server.kill();
  throw new Error(`vite preview did not start on port ${PORT} (is dist/ built? npm run bench builds it)`);
}

function slug(text: string): string {
  return text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');
}

async function main(): Promise<void> {
  const started = Date.now();
  const server = await serve();
  const baseUrl = `http://127.0.0.1:${PORT}`;
  const browser = new BrowserBench({
    baseUrl,
    packUrl: `${baseUrl}/models/${PACK}/manifest.json`,
    chromiumPath: chromiumPath(),
    extraArgs: args['gpu-flags'].split(' ').filter(Boolean),
    runs,
    warmups,
    threads,
    log,
  });
  let results: BenchResults;
  try {
    const chromiumVersion = await browser.start();
    const packDir = new URL(`public/models/${PACK}/`, root);
    const manifest = JSON.parse(readFileSync(new URL('manifest.json', packDir), 'utf8'));
    const variant = manifest.defaults.variant;
    log('onnxruntime-node');
    const defaultThreads = await benchNode(packDir, variant, 'default', runs, warmups, log);
    const oneThread = await benchNode(packDir, variant, 1, runs, warmups, log);
    const wasm = await browser.wasm();
    const starts = await browser.starts();
    const webgpu = args['no-webgpu'] ? { skipped: 'not run (--no-webgpu)' } : await browser.webgpu();
    results = {
      date: new Date().toISOString().slice(0, 10),
      command: ['npm run bench', ...process.argv.slice(2)].join(' ').replace('npm run bench ', 'npm run bench -- '),
      machine: {
        cpu: os.cpus()[0]?.model.trim() ?? 'unknown',
        cores: os.cpus().length,
        memoryGiB: Math.round(os.totalmem() / 2 ** 30),
        os: osName(),
        node: process.version,
        chromium: chromiumVersion,
        onnxruntimeWeb: packageVersion('onnxruntime-web'),
        onnxruntimeNode: packageVersion('onnxruntime-node'),
      },
      pack: PACK,
      variant,
      runs,
      warmups,
      wasmThreads: threads,
      wasm,
      webgpu,
      node: { defaultThreads, oneThread },
      starts,
      memory: browser.memory,
      graphNodes: Object.fromEntries(
        readdirSync(packDir)
          .filter((file) => file.endsWith('.onnx'))
          .map((file) => [file, graphNodeCount(readFileSync(new URL(file, packDir)))]),
      ),
    };
  } finally {
    await browser.close().catch(() => {});
    server.kill();
  }
  const dir = new URL('bench/results/', root);
  mkdirSync(dir, { recursive: true });
  // The machine and the adapter in the name: results from different machines sit side by side.
  const adapter = 'skipped' in results.webgpu ? 'no-webgpu' : results.webgpu.adapter;
  const machine = `${results.machine.cpu}-${results.machine.cores}-core-${adapter}`;
  const name = `${results.date}-${args.label || slug(machine)}`;
  const markdown = report(results);
  writeFileSync(new URL(`${name}.json`, dir), JSON.stringify(results, null, 1) + '\n');
  writeFileSync(new URL(`${name}.md`, dir), markdown);
  log(`\n${markdown}`);
  log(`wrote bench/results/${name}.{json,md} in ${((Date.now() - started) / 60_000).toFixed(1)} min`);
}

if (args.report) console.log(report(JSON.parse(readFileSync(args.report, 'utf8')) as BenchResults));
else await main();
