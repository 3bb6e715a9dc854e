// Number fields keep what was typed: a value out of range is named beside its field, Generate says why
// it is off, and Ctrl/Cmd+Enter names the field instead of using an older value.
import { expect, test } from '@playwright/test';
import { moreOptions, ready } from './page-helpers';

test('what was typed stays, bad values are named, and Generate says why it waits', async ({ page }) => {
  await page.goto('/?ep=wasm');
  await ready(page);
  await moreOptions(page);
  const generate = page.getByRole('button', { name: 'Generate' });
  const images = page.getByRole('spinbutton', { name: 'Images' });
  const seed = page.getByRole('spinbutton', { name: 'Seed' });

  await images.fill('0');
  await expect(images).toHaveValue('0'); // not snapped to 1, 8 or 10
  await expect(page.getByTestId('problem-batchSize')).toHaveText(
    'Images must be a whole number from 1 to 8; 0 is not.',
  );
  await expect(images).toHaveAttribute('aria-invalid', 'true');
  await expect(generate).toBeDisabled();
  await expect(page.getByTestId('generate-blocked')).toHaveText('Images must be a whole number from 1 to 8; 0 is not.');
  await images.fill('');
  await expect(page.getByTestId('problem-batchSize')).toHaveText('Images is empty: enter a whole number from 1 to 8.');
  await images.fill('1');
  await expect(page.getByTestId('problem-batchSize')).toHaveCount(0);
  await expect(generate).toBeEnabled();

  for (const typed of ['-1', '1e20', '4294967296', '2.5']) {
    await seed.fill(typed);
    await expect(seed).toHaveValue(typed);
    await expect(page.getByTestId('problem-seed')).toHaveText(
      `Seed must be a whole number from 0 to 4294967295; ${typed} is not.`,
    );
  }
  // The keyboard shortcut names the problem too, and does not generate with the last good seed.
  await page.getByLabel('Prompt').press('Control+Enter');
  await expect(page.getByRole('alert')).toContainText('Seed must be a whole number from 0 to 4294967295');
  await expect(page.getByTestId('output')).toHaveCount(0);

  // Steps follow the pack's schedule: 0 and 1001 are named for the base sampler.
  await page.getByLabel('Sampler').selectOption('ddpm');
  const steps = page.getByRole('spinbutton', { name: 'Steps' });
  await steps.fill('0');
  await expect(page.getByTestId('problem-steps')).toHaveText('Steps must be a whole number from 1 to 1000; 0 is not.');
  await steps.fill('1001');
  await expect(page.getByTestId('problem-steps')).toContainText('1001 is not');
  await steps.fill('2');

  // Fixed, it generates with exactly what was typed.
  await seed.fill('4294967295');
  await expect(generate).toBeEnabled();
  await generate.click();
  await expect(page.getByTestId('output')).toHaveAttribute('data-seed', '4294967295', { timeout: 120_000 });
});
