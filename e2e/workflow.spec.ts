// The generation workflow on the real engine (nano, wasm): cancel between steps with nothing partial
// kept, history that survives a reload, and a batch shown as a grid.
import { expect, test, type Page } from '@playwright/test';
import { historyAction, moreOptions } from './page-helpers';

async function ready(page: Page) {
  await expect(page.getByRole('status')).toHaveAttribute('data-status', 'ready', { timeout: 180_000 });
}

test('Esc cancels between steps: the app stays usable, nothing lands in history, and history survives a reload', async ({
  page,
}) => {
  await page.goto('/?ep=wasm');
  await ready(page);
  await moreOptions(page);
  // The base sampler at 1000 steps (the most it takes) runs long enough to be caught mid-way: about
  // 25 s here since small graphs fold their int8 weights once (200 steps took as little as 5 s).
  await page.getByLabel('Sampler').selectOption('ddpm');
  await page.getByRole('spinbutton', { name: 'Steps' }).fill('1000');
  await page.getByRole('button', { name: 'Generate' }).click();
  await expect(page.getByTestId('generation-progress')).toContainText(/Step \d+ of 1000/, { timeout: 60_000 });
  // The image forming: a latent-sized preview from the pack's linear map, updated each step.
  await expect(page.getByTestId('step-preview')).toHaveAttribute('width', '16');
  // At its true shape, crisp, and alone: no "Your image appears here." under it.
  const preview = (await page.getByTestId('step-preview').boundingBox())!;
  expect(preview.width).toBeCloseTo(preview.height, 0);
  expect(await page.getByTestId('step-preview').evaluate((c) => getComputedStyle(c).imageRendering)).toBe('pixelated');
  await expect(page.getByText('Your image appears here.')).toHaveCount(0);
  await page.keyboard.press('Escape');
  await ready(page);
  await expect(page.getByTestId('output')).toHaveCount(0); // no partial image
  await expect(page.getByTestId('history-entry')).toHaveCount(0);

  // Still usable: Flash makes an image, which lands in history and is still there after a reload.
  await page.getByLabel('Sampler').selectOption('flash');
  await page.getByRole('button', { name: 'Generate' }).click();
  await expect(page.getByTestId('output')).toBeVisible({ timeout: 120_000 });
  await expect(page.getByTestId('history-entry')).toHaveCount(1);
  await page.reload();
  await ready(page);
  await expect(page.getByTestId('history-entry')).toHaveCount(1);
  await expect(page.getByTestId('history-entry')).toHaveAttribute('data-seed', '42');
  // Reuse and open bring back its parameters and picture.
  await page.getByLabel('Prompt').fill('something else');
  await historyAction(page, 42, 'Reuse settings');
  await expect(page.getByLabel('Prompt')).toHaveValue('red apple, 3d style');
  await page.getByRole('button', { name: /^Open red apple/ }).click();
  await expect(page.getByTestId('output')).toHaveAttribute('data-seed', '42');
  await historyAction(page, 42, 'Delete');
  await expect(page.getByTestId('history-entry')).toHaveCount(0);
});

test('a batch of 3 is shown as a grid with consecutive seeds', async ({ page }) => {
  await page.goto('/?ep=wasm');
  await ready(page);
  await moreOptions(page);
  await page.getByLabel('Images').fill('3');
  await page.getByRole('button', { name: 'Generate' }).click();
  await expect(page.getByTestId('batch-image')).toHaveCount(3, { timeout: 120_000 });
  await ready(page);
  const seeds = await page.getByTestId('batch-image').evaluateAll((els) => els.map((e) => e.getAttribute('data-seed')));
  expect(seeds).toEqual(['42', '43', '44']);
  await page.getByRole('button', { name: 'Show seed 43' }).click();
  await expect(page.getByTestId('output')).toHaveAttribute('data-seed', '43');
  await expect(page.getByTestId('history-entry')).toHaveCount(3);
});

test('a step that hangs: cancel waits for the worker, then terminates and restarts it', async ({ page }) => {
  await page.goto('/?ep=wasm');
  await ready(page);
  await moreOptions(page);
  await page.evaluate(() => window.kandinskyDebug.hangNextGeneration());
  await page.getByRole('button', { name: 'Generate' }).click();
  await expect(page.getByTestId('generation-progress')).toBeVisible();
  await page.keyboard.press('Escape');
  await expect(page.getByRole('status')).toHaveAttribute('data-status', 'cancelling');
  // No acknowledgement comes: after HARD_CANCEL_MS the worker is replaced and the pack reloads (from IndexedDB).
  const error = page.getByRole('alert');
  await expect(error).toHaveAttribute('data-error', 'EngineRestartedError', { timeout: 60_000 });
  await ready(page);
  await page.getByRole('button', { name: 'Generate' }).click();
  await expect(page.getByTestId('output')).toBeVisible({ timeout: 120_000 });
  await expect(page.getByTestId('history-entry')).toHaveCount(1); // only the finished image
});
