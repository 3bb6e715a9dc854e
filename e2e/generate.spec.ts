// Real engine, real pack, real Chromium: type a prompt, get an image computed in the page's worker.
import { expect, test, type Page } from '@playwright/test';

const ORIGIN = 'http://127.0.0.1:4173';

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

test('wasm: a prompt gives an image; the same seed repeats it exactly, another seed changes it', async ({ page }) => {
  const { foreign } = await guard(page);
  await page.goto('/?ep=wasm');
  await expect(page.getByTestId('backend')).toHaveText('CPU (wasm)');
  await expect(page.getByRole('status')).toHaveAttribute('data-status', 'ready', { timeout: 120_000 });
  await page.getByRole('textbox', { name: 'Prompt', exact: true }).fill('grinning face, noto style');

  const first = await generate(page, 1234);
  expect(first).toHaveLength(64 * 64 * 4);
  expect(channelSpread(first)).toBeGreaterThan(20);
  const again = await generate(page, 1234);
  expect(again).toEqual(first);
  const other = await generate(page, 1235);
  expect(other).not.toEqual(first);
  expect(foreign).toEqual([]);
});

test('webgpu (SwiftShader, forced): a prompt gives an image, not a constant colour', async ({ page }) => {
  const { foreign, gpuErrors } = await guard(page);
  await page.goto('/?ep=webgpu');
  await expect(page.getByRole('status')).toHaveAttribute('data-status', 'ready', { timeout: 8 * 60_000 });
  await expect(page.getByTestId('backend')).toContainText('WebGPU');
  const pixels = await generate(page, 7);
  expect(channelSpread(pixels)).toBeGreaterThan(20);
  expect(gpuErrors).toEqual([]);
  expect(foreign).toEqual([]);
});

test('without a forced back end, a software WebGPU adapter is passed over for wasm', async ({ page }) => {
  await page.goto('/');
  await expect(page.getByRole('status')).toHaveAttribute('data-status', 'ready', { timeout: 120_000 });
  await expect(page.getByTestId('backend')).toHaveText('CPU (wasm)');
});
