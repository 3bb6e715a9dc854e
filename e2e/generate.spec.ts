// Real engine, real pack, real Chromium: type a prompt, get an image computed in the page's worker.
import { readFileSync, writeFileSync } from 'node:fs';
import { expect, test, type Page } from '@playwright/test';
import { closeSettings, openSettings } from './page-helpers';

const ORIGIN = 'http://127.0.0.1:4173';
const RANDOM_PACK = '/models/kandinsky3-tiny-random/manifest.json';
// One image of the bundled nano pack on wasm, stored once (UPDATE_REFERENCE=1 npm run test:e2e rewrites it).
const REFERENCE = new URL('./fixtures/nano-reference.json', import.meta.url);

interface Reference {
  prompt: string;
  seed: number;
  width: number;
  height: number;
  rgbaBase64: string;
}

/** Fails the test on any request that leaves the origin, and on WebGPU validation errors (which
 * JSEP reports only on the console while returning zeros). */
async function guard(page: Page) {
  const foreign: string[] = [];
  const gpuErrors: string[] = [];
  page.on('request', (r) => {
    const url = r.url();
    if (!url.startsWith(ORIGIN) && !url.startsWith('data:') && !url.startsWith('blob:')) foreign.push(url);
  });
  page.on('console', (m) => {
    if (/WebGPU validation error|f16.*without.*extension/i.test(m.text())) gpuErrors.push(m.text());
  });
  return { foreign, gpuErrors };
}

/** The files of ORT's runtime the page and its workers request, as they are requested. */
function ortRuntimeFiles(page: Page): string[] {
  const files: string[] = [];
  page.on('request', (r) => {
    const file = new URL(r.url()).pathname.split('/').pop()!;
    if (file.startsWith('ort-wasm-simd-threaded')) files.push(file);
  });
  return files;
}

/** Opens the app at `address` with the guard and the runtime watch on, and waits until the engine,
 * on the back end named `backend`, is ready. */
async function openOnWasm(page: Page, address: string, backend: string) {
  const watched = { ...(await guard(page)), runtimes: ortRuntimeFiles(page) };
  await page.goto(address);
  await expect(page.getByTestId('backend')).toHaveText(backend);
  await expect(page.getByRole('status')).toHaveAttribute('data-status', 'ready', { timeout: 120_000 });
  return watched;
}

async function generate(page: Page, seed: number): Promise<number[]> {
  const output = page.getByTestId('output');
  const previous = (await output.count()) ? Number(await output.getAttribute('data-image-id')) : 0;
  await page.getByRole('spinbutton', { name: 'Seed' }).fill(String(seed));
  await page.getByRole('button', { name: 'Generate' }).click();
  const canvas = page.locator(`canvas[data-image-id="${previous + 1}"]`);
  await expect(canvas).toBeVisible({ timeout: 8 * 60_000 });
  await expect(canvas).toHaveAttribute('data-seed', String(seed));
  await expect(page.getByRole('status')).toHaveAttribute('data-status', 'ready');
  return canvas.evaluate((c: HTMLCanvasElement) => {
    const ctx = c.getContext('2d')!;
    return Array.from(ctx.getImageData(0, 0, c.width, c.height).data);
  });
}

function channelSpread(pixels: number[]): number {
  let lo = 255;
  let hi = 0;
  for (let i = 0; i < pixels.length; i += 4) {
    lo = Math.min(lo, pixels[i]!, pixels[i + 1]!, pixels[i + 2]!);
    hi = Math.max(hi, pixels[i]!, pixels[i + 1]!, pixels[i + 2]!);
  }
  return hi - lo;
}

/** Mean and largest absolute difference between two RGBA byte arrays, over the colour channels. */
function difference(a: number[], b: number[]): { mean: number; max: number } {
  let sum = 0;
  let max = 0;
  let n = 0;
  for (let i = 0; i < a.length; i++) {
    if (i % 4 === 3) continue;
    const d = Math.abs(a[i]! - b[i]!);
    sum += d;
    max = Math.max(max, d);
    n++;
  }
  return { mean: sum / n, max };
}

test('wasm, bundled nano pack: a prompt gives the stored reference image; seeds repeat and differ', async ({
  page,
}) => {
  const { foreign, runtimes } = await openOnWasm(page, '/?ep=wasm', 'CPU (wasm)');
  // On the CPU, the plain wasm build and never the WebGPU (asyncify) one, which creates sessions
  // about twice as slowly (docs/performance.md).
  expect(runtimes.length).toBeGreaterThan(0);
  expect(runtimes.filter((file) => file.includes('asyncify'))).toEqual([]);
  await expect(page.getByRole('status')).toContainText('Kandinsky 3 nano');
  // The default is the quantized Flash model: 4 steps, no guidance, 64 px.
  await expect(page.locator('select[name=sampler]')).toHaveValue('flash'); // folded under More options
  // Attribution for the image sets the weights were trained on (Twemoji is CC-BY-4.0).
  // Always in sight in one line, and in full under Settings.
  await expect(page.locator('.credit-line')).toContainText('Twemoji (@iconify-json/twemoji) (CC-BY-4.0)');
  const credits = (await openSettings(page)).getByRole('region', { name: 'Model credits' });
  await expect(credits).toContainText('Twemoji');
  await expect(credits).toContainText('CC-BY-4.0');
  await closeSettings(page);

  const prompt = 'grinning face, noto style';
  await page.getByRole('textbox', { name: 'Prompt', exact: true }).fill(prompt);
  const first = await generate(page, 1234);
  expect(first).toHaveLength(64 * 64 * 4);
  expect(channelSpread(first)).toBeGreaterThan(100);

  if (process.env.UPDATE_REFERENCE) {
    const reference: Reference = {
      prompt,
      seed: 1234,
      width: 64,
      height: 64,
      rgbaBase64: Buffer.from(first).toString('base64'),
    };
    writeFileSync(REFERENCE, JSON.stringify(reference, null, 1) + '\n');
    test.info().annotations.push({ type: 'reference', description: `wrote ${REFERENCE.pathname}` });
  }
  const reference = JSON.parse(readFileSync(REFERENCE, 'utf8')) as Reference;
  expect([reference.prompt, reference.seed]).toEqual([prompt, 1234]);
  // wasm arithmetic is IEEE, but builds and CPUs may differ in fused operations: a small tolerance.
  const diff = difference(first, Array.from(Buffer.from(reference.rgbaBase64, 'base64')));
  expect(diff.mean).toBeLessThan(1);
  expect(diff.max).toBeLessThan(16);

  const again = await generate(page, 1234);
  expect(again).toEqual(first);
  const other = await generate(page, 1235);
  expect(difference(other, first).mean).toBeGreaterThan(5);
  expect(foreign).toEqual([]);
});

test('wasm on two threads (?threads=2): ORT loads its glue on its own and gives the reference picture', async ({
  page,
}) => {
  const { foreign, runtimes } = await openOnWasm(page, '/?ep=wasm&threads=2', 'CPU (wasm, 2 threads)');
  // Each wasm thread is a worker running ORT's Emscripten glue: it must come as its own file, not
  // inside the engine worker's bundle (workers/runtime/ort-module.ts).
  expect(runtimes.filter((file) => file.endsWith('.mjs')).length).toBeGreaterThan(0);
  const reference = JSON.parse(readFileSync(REFERENCE, 'utf8')) as Reference;
  await page.getByRole('textbox', { name: 'Prompt', exact: true }).fill(reference.prompt);
  const pixels = await generate(page, reference.seed);
  // Threads split the same sums differently at most in the last bits.
  const diff = difference(pixels, Array.from(Buffer.from(reference.rgbaBase64, 'base64')));
  expect(diff.mean).toBeLessThan(1);
  expect(diff.max).toBeLessThan(16);
  expect(foreign).toEqual([]);
});

test('webgpu (SwiftShader, forced), bundled nano pack: the int8w graphs make a picture', async ({ page }) => {
  // What a user with a real GPU gets by default. SwiftShader is ~100× slower than wasm (about 2 min).
  const { foreign, gpuErrors } = await guard(page);
  await page.goto('/?ep=webgpu');
  await expect(page.getByRole('status')).toHaveAttribute('data-status', 'ready', { timeout: 8 * 60_000 });
  await expect(page.getByTestId('backend')).toContainText('WebGPU');
  await page.getByRole('textbox', { name: 'Prompt', exact: true }).fill('red heart, 3d style');
  const pixels = await generate(page, 7);
  expect(channelSpread(pixels)).toBeGreaterThan(100);
  // A red heart on white: the centre is red, a corner is near white.
  const at = (x: number, y: number) => pixels.slice(4 * (y * 64 + x), 4 * (y * 64 + x) + 3);
  const [r, g, b] = at(32, 34);
  expect(r! - Math.max(g!, b!)).toBeGreaterThan(60);
  expect(Math.min(...at(2, 2))).toBeGreaterThan(200);
  expect(gpuErrors).toEqual([]);
  expect(foreign).toEqual([]);
});

test('webgpu (SwiftShader, forced), random test pack: the fp16w graphs run', async ({ page }) => {
  const { gpuErrors } = await guard(page);
  await page.goto(`/?ep=webgpu&pack=${RANDOM_PACK}`);
  await expect(page.getByRole('status')).toHaveAttribute('data-status', 'ready', { timeout: 8 * 60_000 });
  const pixels = await generate(page, 7);
  expect(channelSpread(pixels)).toBeGreaterThan(20);
  expect(gpuErrors).toEqual([]);
});

test('without a forced back end, a software WebGPU adapter is passed over for wasm', async ({ page }) => {
  await page.goto('/');
  await expect(page.getByRole('status')).toHaveAttribute('data-status', 'ready', { timeout: 120_000 });
  await expect(page.getByTestId('backend')).toHaveText('CPU (wasm)');
});
