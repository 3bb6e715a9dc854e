// PNG metadata round trip on the real engine: a downloaded PNG carries the A1111-style `parameters`
// text; dropping it on the settings restores them; the setting turns the text off.
import { readFileSync } from 'node:fs';
import { expect, test, type Page } from '@playwright/test';
import { closeSettings, moreOptions, openSettings } from './page-helpers';

async function ready(page: Page) {
  await expect(page.getByRole('status')).toHaveAttribute('data-status', 'ready', { timeout: 180_000 });
}

async function downloadPng(page: Page): Promise<Buffer> {
  const download = page.waitForEvent('download');
  await page.getByRole('button', { name: 'Download PNG' }).click();
  return readFileSync(await (await download).path());
}

test('a downloaded PNG carries its parameters, and dropping it restores them', async ({ page }) => {
  await page.goto('/?ep=wasm');
  await ready(page);
  await moreOptions(page);
  await page.getByLabel('Prompt').fill('green frog, flat style');
  await page.getByRole('spinbutton', { name: 'Seed' }).fill('1234');
  await page.getByRole('button', { name: 'Generate' }).click();
  await expect(page.getByTestId('output')).toHaveAttribute('data-seed', '1234', { timeout: 120_000 });

  const png = await downloadPng(page);
  expect(png.subarray(1, 4).toString('latin1')).toBe('PNG');
  const text = png.toString('latin1');
  expect(text).toContain(
    'parameters\0green frog, flat style\nSteps: 4, Sampler: Kandinsky Flash, CFG scale: 0, Seed: 1234, Size: 64x64, Model: kandinsky3-nano',
  );

  await page.getByLabel('Prompt').fill('something else');
  await page.getByRole('spinbutton', { name: 'Seed' }).fill('7');
  await page.evaluate((bytes) => {
    const data = new DataTransfer();
    data.items.add(new File([new Uint8Array(bytes)], 'frog.png', { type: 'image/png' }));
    document
      .querySelector('form[aria-label="Generation settings"]')!
      .dispatchEvent(new DragEvent('drop', { dataTransfer: data, bubbles: true, cancelable: true }));
  }, Array.from(png));
  await expect(page.getByLabel('Prompt')).toHaveValue('green frog, flat style');
  await expect(page.getByRole('spinbutton', { name: 'Seed' })).toHaveValue('1234');

  // Turned off, the PNG has no parameters (and the choice survives a reload).
  // The choice sits in Settings.
  let settings = await openSettings(page);
  await settings.getByLabel('Save the parameters in downloaded PNGs').uncheck();
  await closeSettings(page);
  const plain = await downloadPng(page);
  expect(plain.toString('latin1')).not.toContain('parameters\0');
  await page.reload();
  await ready(page);
  settings = await openSettings(page);
  await expect(settings.getByLabel('Save the parameters in downloaded PNGs')).not.toBeChecked();
});

test('the Flash refiner makes its own picture, and the PNG records it', async ({ page }) => {
  await page.goto('/?ep=wasm');
  await ready(page);
  await moreOptions(page);
  await page.getByLabel('Prompt').fill('red apple, 3d style');
  await page.getByRole('spinbutton', { name: 'Seed' }).fill('77');
  await page.getByRole('button', { name: 'Generate' }).click();
  await expect(page.getByTestId('output')).toHaveAttribute('data-seed', '77', { timeout: 120_000 });
  const flash = await page.getByTestId('output').evaluate((c: HTMLCanvasElement) => c.toDataURL());

  const sampler = page.getByRole('combobox', { name: 'Sampler' });
  await expect(sampler.locator('option', { hasText: 'Flash refiner' })).toHaveCount(1);
  await sampler.selectOption('refiner');
  // Its steps and guidance are the base model's, from the pack: 12 and 3 to start with.
  await expect(page.getByRole('spinbutton', { name: 'Steps' })).toHaveValue('12');
  await page.getByRole('spinbutton', { name: 'Steps' }).fill('3');
  const before = await page.getByTestId('output').getAttribute('data-id');
  await page.getByRole('button', { name: 'Generate' }).click();
  await expect(page.getByTestId('output')).not.toHaveAttribute('data-id', before!, { timeout: 120_000 });
  await ready(page);
  const refined = await page.getByTestId('output').evaluate((c: HTMLCanvasElement) => c.toDataURL());
  expect(refined).not.toBe(flash);

  const text = (await downloadPng(page)).toString('latin1');
  expect(text).toMatch(
    /parameters\0red apple, 3d style\nSteps: 3, Sampler: Kandinsky Flash refiner, CFG scale: 3, Seed: 77, Size: 64x64, Model: kandinsky3-nano/,
  );
});
