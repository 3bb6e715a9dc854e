// Pictures at their true shape: a 128×80 result is shown 8:5 (not square) and labelled so, and its
// history thumbnail fits its box without being stretched.
import { expect, test } from '@playwright/test';
import { ready } from './page-helpers';

test('a non-square picture keeps its aspect ratio in the output and the history', async ({ page }) => {
  await page.goto('/?ep=wasm');
  await ready(page);
  const size = page.getByRole('combobox', { name: 'Size' });
  await expect(size.locator('option[value="128x80"]')).toHaveText(/8:5/);
  await size.selectOption('128x80');
  await page.getByRole('button', { name: 'Generate' }).click();
  const output = page.getByTestId('output');
  await expect(output).toHaveAttribute('width', '128', { timeout: 120_000 });
  const box = (await output.boundingBox())!;
  expect(box.width / box.height).toBeCloseTo(128 / 80, 1);
  expect(box.width).toBeGreaterThan(256); // scaled up to its frame…
  expect(await output.evaluate((c) => getComputedStyle(c).imageRendering)).toBe('pixelated'); // …crisp

  const thumbnail = page.getByTestId('history-entry').locator('img.thumbnail');
  await expect(thumbnail).toHaveJSProperty('naturalWidth', 128);
  expect(await thumbnail.evaluate((img) => getComputedStyle(img).objectFit)).toBe('contain');
  expect(await thumbnail.evaluate((img) => getComputedStyle(img).imageRendering)).toBe('pixelated');

  // On the canvas too: the same shape, crisp.
  await page.getByRole('button', { name: 'Edit on canvas' }).click();
  const canvasImage = page.getByTestId('canvas-image');
  const onCanvas = (await canvasImage.boundingBox())!;
  expect(onCanvas.width / onCanvas.height).toBeCloseTo(128 / 80, 1);
  expect(await canvasImage.evaluate((c) => getComputedStyle(c).imageRendering)).toBe('pixelated');
});
