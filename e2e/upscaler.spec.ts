// The bundled pack's upscaler on the real engine: results and animation frames shown, stored and
// downloaded at 256 px, and at 64 px once it is turned off; the canvas edits at the model's size and enlarges each accepted edit
// afresh; "Upscale" on the canvas, and the bad inputs named: a picture it does not take, a pack whose
// upscaler is declared but missing. (playwright.config.ts turns the upscaler off for every other spec,
// which compare the model's own 64 px pictures.)
import { readFileSync } from 'node:fs';
import { expect, test, type Page } from '@playwright/test';
import { closeSettings, historyAction, openSettings, ready, serveNanoAs } from './page-helpers';

test.use({ storageState: { cookies: [], origins: [] } });

const nanoManifest = () =>
  JSON.parse(readFileSync(new URL('../public/models/kandinsky3-nano/manifest.json', import.meta.url), 'utf8')) as {
    components: Record<string, unknown>;
    defaults: Record<string, unknown>;
  };

/** A PNG's size from its IHDR, and its text. */
function png(bytes: Buffer): { width: number; height: number; text: string } {
  return { width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20), text: bytes.toString('latin1') };
}

async function downloadPng(page: Page) {
  const download = page.waitForEvent('download');
  await page.getByRole('button', { name: 'Download PNG' }).click();
  return png(readFileSync(await (await download).path()));
}

async function generate(page: Page, seed: number) {
  await page.getByRole('spinbutton', { name: 'Seed' }).fill(String(seed));
  await page.getByRole('button', { name: 'Generate' }).click();
  await expect(page.getByTestId('output')).toHaveAttribute('data-seed', String(seed), { timeout: 120_000 });
  await ready(page);
}

/** The app on the CPU back end, with one picture made. */
async function openWithResult(page: Page, seed: number) {
  await page.goto('/?ep=wasm');
  await ready(page);
  await generate(page, seed);
}

const outputSize = (page: Page) =>
  page.getByTestId('output').evaluate((c: HTMLCanvasElement) => [c.width, c.height, Number(c.dataset.modelWidth)]);

test('results are shown, stored and downloaded at 256 px; turned off, at 64 px; the PNG says which', async ({
  page,
}) => {
  await openWithResult(page, 11);
  expect(await outputSize(page)).toEqual([256, 256, 64]);
  await expect(page.locator('.output-info')).toContainText('64 × 64, shown at 256 × 256 (upscaled)');
  const shown = await downloadPng(page);
  expect([shown.width, shown.height]).toEqual([256, 256]);
  expect(shown.text).toContain('Size: 64x64, Model: kandinsky3-nano, Upscale: 4x');
  const thumbnail = page.getByTestId('history-entry').first().locator('img');
  await expect.poll(() => thumbnail.evaluate((i: HTMLImageElement) => i.naturalWidth)).toBe(256);

  // Opened again from the history: the enlarged picture on show, the model's one behind it.
  await page
    .getByRole('button', { name: /^Open .*seed 11$/ })
    .first()
    .click();
  expect(await outputSize(page)).toEqual([256, 256, 64]);

  // Animation frames are made at the model's size (each feeds the next) and kept enlarged.
  await page.getByRole('tab', { name: 'Animate' }).click();
  const panel = page.getByRole('region', { name: 'Animation', exact: true });
  await panel.getByLabel('Frames', { exact: true }).fill('3');
  await panel.getByRole('button', { name: 'Animate' }).click();
  const player = page.getByTestId('animation-player');
  await expect(player).toHaveAttribute('data-frames', '3', { timeout: 120_000 });
  await ready(page);
  expect(await player.evaluate((c: HTMLCanvasElement) => [c.width, c.height])).toEqual([256, 256]);
  await page.getByRole('tab', { name: 'Create' }).click();

  const settings = await openSettings(page);
  await settings.getByLabel('Enlarge results 4× with the model’s upscaler').uncheck();
  await closeSettings(page);
  await generate(page, 12);
  expect(await outputSize(page)).toEqual([64, 64, 64]);
  const plain = await downloadPng(page);
  expect([plain.width, plain.height]).toEqual([64, 64]);
  expect(plain.text).toContain('Size: 64x64, Model: kandinsky3-nano, Upscale: off');
  await expect
    .poll(() =>
      page
        .getByTestId('history-entry')
        .first()
        .locator('img')
        .evaluate((i: HTMLImageElement) => i.naturalWidth),
    )
    .toBe(64);
  await page.reload();
  await ready(page);
  await expect((await openSettings(page)).getByLabel(/^Enlarge results/)).not.toBeChecked();
});

test('the canvas edits at 64 px and enlarges each accepted edit afresh; Upscale; a size it does not take is named', async ({
  page,
}) => {
  await openWithResult(page, 21);
  await historyAction(page, 21, 'Edit on canvas');
  const image = page.getByTestId('canvas-image');
  await expect(image).toHaveAttribute('data-width', '64');
  await expect(image).toHaveAttribute('data-shown-width', '256');

  // An accepted edit: the model's 64 px result, enlarged again from it.
  await page.getByRole('button', { name: 'Image to image' }).click();
  await expect(page.getByRole('group', { name: 'Result' })).toContainText('64×64');
  await expect(image).toHaveAttribute('data-shown-width', '64'); // the staged result, at the model's size
  await page.getByRole('button', { name: 'Accept' }).click();
  await expect(image).toHaveAttribute('data-shown-width', '256', { timeout: 60_000 });
  await expect(image).toHaveAttribute('data-width', '64');
  await ready(page);

  // Upscale: the canvas picture, enlarged, becomes the result on show and goes into the history.
  await page.getByRole('button', { name: 'Upscale', exact: true }).click();
  await ready(page);
  await page.getByRole('button', { name: 'Close canvas' }).click();
  expect(await outputSize(page)).toEqual([256, 256, 64]);
  const stored = page.getByTestId('history-entry').first().locator('img');
  await expect.poll(() => stored.evaluate((i: HTMLImageElement) => i.naturalWidth)).toBe(256);

  // 64 → 128 → 192 px wide by outpainting: over the 128 px the upscaler takes.
  await historyAction(page, 21, 'Edit on canvas');
  for (const width of ['128', '192']) {
    await page.getByLabel('Extend by').selectOption({ label: '64 px' });
    await page.getByRole('button', { name: 'Outpaint right' }).click();
    await page.getByRole('button', { name: 'Accept' }).click();
    await expect(image).toHaveAttribute('data-width', width, { timeout: 120_000 });
    await ready(page);
  }
  await expect(image).toHaveAttribute('data-shown-width', '192'); // too wide to enlarge: shown as it is
  await page.getByRole('button', { name: 'Upscale', exact: true }).click();
  const error = page.getByRole('alert');
  await expect(error).toHaveAttribute('data-error', 'UpscaleSizeError');
  await expect(error).toContainText('This picture is 192×64 px, and the upscaler takes pictures from 16 to 128 px');
});

test('a pack whose upscaler is declared but missing is refused by name', async ({ page }) => {
  const manifest = nanoManifest();
  delete manifest.components.upscaler;
  await serveNanoAs(page, 'no-upscaler', manifest);
  await page.goto('/?ep=wasm&pack=/models/no-upscaler/manifest.json');
  const error = page.getByRole('alert');
  await expect(error).toHaveAttribute('data-error', 'InvalidManifestError', { timeout: 60_000 });
  await error.locator('details summary').click();
  await expect(error.locator('details')).toContainText(
    'defaults/upscaler: the pack declares the upscaler upscaler, but has no upscaler component of that name',
  );
});
