// Not a test: draws the README's screenshots of the real app (the bundled nano pack on wasm) at a
// desktop size and a phone size, in the light and the dark theme. Run with `npm run screenshots`.
import { expect, test, type Page } from '@playwright/test';
import { ready } from './page-helpers';

test.skip(!process.env.SCREENSHOTS, 'writes docs/screenshots/*.png; run with npm run screenshots');

const SIZES = [
  { name: 'desktop', width: 1280, height: 800, scheme: 'light' as const },
  { name: 'phone', width: 390, height: 844, scheme: 'dark' as const },
];
const PROMPTS = ['rocket, 3d style', 'sun, fluent style', 'red heart, noto style', 'cat face, twemoji style'];

async function make(page: Page, prompt: string, seed: number) {
  await page.getByRole('textbox', { name: 'Prompt', exact: true }).fill(prompt);
  await page.getByRole('spinbutton', { name: 'Seed' }).fill(String(seed));
  const before = (await page.getByTestId('output').count())
    ? await page.getByTestId('output').getAttribute('data-id')
    : '';
  await page.getByRole('button', { name: 'Generate' }).click();
  await expect(page.getByTestId('output')).not.toHaveAttribute('data-id', before ?? '', { timeout: 120_000 });
  await ready(page);
}

for (const size of SIZES) {
  test(`screenshots at ${size.width}×${size.height}`, async ({ browser }) => {
    const context = await browser.newContext({
      viewport: { width: size.width, height: size.height },
      colorScheme: size.scheme,
      deviceScaleFactor: 1,
      hasTouch: size.name === 'phone',
    });
    const page = await context.newPage();
    await page.goto('/?ep=wasm');
    await ready(page);
    for (const [i, prompt] of PROMPTS.entries()) await make(page, prompt, 7 + i);
    await make(page, 'red apple, 3d style', 42);
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.screenshot({ path: `docs/screenshots/${size.name}-create.png` });
    await page.getByRole('button', { name: 'Edit on canvas' }).click();
    await expect(page.getByTestId('canvas-image')).toBeVisible();
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.screenshot({ path: `docs/screenshots/${size.name}-canvas.png` });
    await page.getByRole('button', { name: 'Close canvas' }).click();
    await context.close();
  });
}
