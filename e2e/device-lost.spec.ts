// A GPU reset mid-session: the user gets a named error, the pack reloads on a fresh device, and
// generating works again.
import { expect, test } from '@playwright/test';

test('a lost GPU device gets a named error, a fresh device, and generation works again', async ({ page }) => {
  // The random-weight test pack: device loss is about the engine, and SwiftShader is slow.
  await page.goto('/?ep=webgpu&pack=/models/kandinsky3-tiny-random/manifest.json');
  await expect(page.getByRole('status')).toHaveAttribute('data-status', 'ready', { timeout: 8 * 60_000 });
  expect(await page.evaluate(() => window.kandinskyDebug.loseDevice())).toBe(true);

  await page.getByRole('button', { name: 'Generate' }).click();
  const error = page.getByRole('alert');
  await expect(error).toHaveAttribute('data-error', 'GpuDeviceLostError', { timeout: 8 * 60_000 });
  await expect(error).toContainText('reloaded on a fresh device');
  // The pack reloads in a new worker, which gets a new device; then the same button works.
  await expect(page.getByRole('status')).toHaveAttribute('data-status', 'ready', { timeout: 8 * 60_000 });
  await page.getByRole('button', { name: 'Generate' }).click();
  await expect(page.getByTestId('output')).toBeVisible({ timeout: 8 * 60_000 });
});
