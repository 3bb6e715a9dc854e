// The pack's memory plan, checked per image size: a size the plan says cannot fit this device is
// refused with the stage and the numbers, and the app goes on working at a size that fits.
// e2e/pack-server.mjs /heavy/ serves the nano pack with a plan whose largest size needs 5 GiB to decode.
import { expect, test } from '@playwright/test';

const SERVER = 'http://127.0.0.1:4174';

test('a size the memory plan cannot fit is refused by name; a size that fits still generates', async ({ page }) => {
  await page.goto(`/?ep=wasm&pack=${SERVER}/heavy/kandinsky3-nano/manifest.json`);
  // At the default size (64 px) the plan fits: the pack is offered and loads.
  const panel = page.getByRole('region', { name: 'Model download' });
  await panel.getByRole('button', { name: /^Download / }).click();
  await expect(page.getByRole('status')).toHaveAttribute('data-status', 'ready', { timeout: 180_000 });

  await page.getByRole('combobox', { name: 'Size' }).selectOption('256x256');
  await page.getByRole('button', { name: 'Generate' }).click();
  const error = page.getByRole('alert');
  await expect(error).toHaveAttribute('data-error', 'InvalidParamsError', { timeout: 60_000 });
  await expect(error).toContainText('256×256 is too large for this device');
  await expect(error).toContainText(
    'for the decode stage at 256×256, more than the 4.29 GB the CPU (wasm) back end can address',
  );
  await expect(page.getByTestId('output')).toHaveCount(0);

  await page.getByRole('combobox', { name: 'Size' }).selectOption('64x64');
  await page.getByRole('button', { name: 'Generate' }).click();
  await expect(page.getByTestId('output')).toBeVisible({ timeout: 120_000 });
});
