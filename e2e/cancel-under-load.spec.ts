// Cancel under a busy CPU: the worker reads the cancel between two steps (it yields to its message loop
// there), so a long base run stops within a step without the hard restart, and a batch stops before
// its next image.
import { expect, test } from '@playwright/test';
import { withCpuLoad } from './cpu-load';
import { moreOptions, ready } from './page-helpers';

// The hard restart (src/engine-actions.ts HARD_CANCEL_MS) comes after 8 s; a soft cancel must land well
// before it, even with every core busy.
const SOFT_CANCEL_MS = 5_000;

test('Esc stops a 200-step base run within a step, under load, without restarting the engine', async ({ page }) => {
  await page.goto('/?ep=wasm');
  await ready(page);
  await moreOptions(page);
  await page.getByLabel('Sampler').selectOption('ddpm');
  await page.getByRole('spinbutton', { name: 'Steps' }).fill('200');
  await withCpuLoad(async () => {
    await page.getByRole('button', { name: 'Generate' }).click();
    await expect(page.getByTestId('generation-progress')).toContainText(/Step ([3-9]|\d\d+) of 200/, {
      timeout: 60_000,
    });
    const pressed = Date.now();
    await page.keyboard.press('Escape');
    await ready(page);
    expect(Date.now() - pressed).toBeLessThan(SOFT_CANCEL_MS);
  });
  await expect(page.getByRole('alert')).toHaveCount(0); // no "the engine was restarted"
  await expect(page.getByTestId('output')).toHaveCount(0); // nothing partial
  // The settings survived: no restart reset them.
  await expect(page.getByLabel('Sampler')).toHaveValue('ddpm');
  await expect(page.getByRole('spinbutton', { name: 'Steps' })).toHaveValue('200');
});

test('cancel during a batch of 8 stops it before its next image, under load', async ({ page }) => {
  await page.goto('/?ep=wasm');
  await ready(page);
  await moreOptions(page);
  // Base images of 25 steps (about a second each under load), so the test sees the first one arrive
  // before the batch is over (eight Flash images take about as long as the test's polling).
  await page.getByLabel('Sampler').selectOption('ddpm');
  await page.getByRole('spinbutton', { name: 'Steps' }).fill('25');
  await page.getByLabel('Images').fill('8');
  await withCpuLoad(async () => {
    await page.getByRole('button', { name: 'Generate' }).click();
    await expect(page.getByTestId('output')).toBeVisible({ timeout: 60_000 }); // the first image
    const pressed = Date.now();
    await page.keyboard.press('Escape');
    await ready(page);
    expect(Date.now() - pressed).toBeLessThan(SOFT_CANCEL_MS);
  });
  await expect(page.getByRole('alert')).toHaveCount(0);
  // The first image, and at most the one being made when Esc came; never the rest of the eight.
  await expect(page.getByTestId('history-entry').first()).toBeVisible();
  expect(await page.getByTestId('history-entry').count()).toBeLessThanOrEqual(2);
  expect(await page.getByTestId('batch-image').count()).toBeLessThanOrEqual(2);
});
