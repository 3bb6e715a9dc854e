// A reload keeps the prompt and the settings, and shows the last result again; Copy says it copied.
import { expect, test } from '@playwright/test';
import { historyAction, moreOptions, ready } from './page-helpers';

test('the prompt, the settings and the last result survive a reload', async ({ page }) => {
  await page.goto('/?ep=wasm');
  await ready(page);
  await moreOptions(page);
  await page.getByRole('textbox', { name: 'Prompt', exact: true }).fill('green frog, flat style');
  await page.getByLabel('Sampler').selectOption('ddpm');
  await page.getByRole('spinbutton', { name: 'Steps' }).fill('3');
  await page.getByRole('spinbutton', { name: 'Guidance' }).fill('2.5');
  await page.getByRole('combobox', { name: 'Size' }).selectOption('112x80');
  await page.getByRole('spinbutton', { name: 'Seed' }).fill('7');
  await page.getByRole('button', { name: 'Generate' }).click();
  await expect(page.getByTestId('output')).toHaveAttribute('data-seed', '7', { timeout: 120_000 });
  // The result is restored from the history, which stores it just after showing it: on a busy machine a
  // reload in the same instant can come first (seen in CI on a slow host).
  await expect(page.getByTestId('history-entry')).toHaveCount(1, { timeout: 30_000 });

  await page.reload();
  await ready(page);
  await expect(page.getByRole('textbox', { name: 'Prompt', exact: true })).toHaveValue('green frog, flat style');
  await expect(page.getByLabel('Sampler')).toHaveValue('ddpm');
  await expect(page.getByRole('spinbutton', { name: 'Steps' })).toHaveValue('3');
  await expect(page.getByRole('spinbutton', { name: 'Guidance' })).toHaveValue('2.5');
  await expect(page.getByRole('combobox', { name: 'Size' })).toHaveValue('112x80');
  await expect(page.getByRole('spinbutton', { name: 'Seed' })).toHaveValue('7');
  const output = page.getByTestId('output');
  await expect(output).toHaveAttribute('data-seed', '7');
  await expect(output).toHaveAttribute('width', '112');
});

test("history's Copy says that it copied", async ({ page, context }) => {
  await context.grantPermissions(['clipboard-read', 'clipboard-write']);
  await page.goto('/?ep=wasm');
  await ready(page);
  await moreOptions(page);
  await page.getByRole('button', { name: 'Generate' }).click();
  const entry = page.getByTestId('history-entry');
  await expect(entry).toHaveCount(1, { timeout: 120_000 });
  await historyAction(page, 42, 'Copy');
  await expect(page.getByTestId('toast')).toHaveText('Copied');
  await expect(page.getByTestId('toast')).toBeHidden({ timeout: 10_000 }); // and gone again
  // What was copied is the picture itself.
  const copied = await page.evaluate(async () => {
    const [item] = await navigator.clipboard.read();
    return item ? (await item.getType('image/png')).size : 0;
  });
  expect(copied).toBeGreaterThan(100);
});
