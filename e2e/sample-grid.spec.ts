// Not a test: draws the README's sample grid (prompts × styles) through the app's own browser
// pipeline, the bundled nano pack on wasm, exactly as a user would get it. Run with `npm run grid`.
import { writeFileSync } from 'node:fs';
import { expect, test } from '@playwright/test';

const CONCEPTS = [
  'red apple',
  'cat face',
  'rocket',
  'pizza',
  'sun',
  'rainbow',
  'red heart',
  'dog face',
  'grinning face',
  'ghost',
  'christmas tree',
  'flag: Japan',
];
const STYLES = ['noto', 'twemoji', '3d'];
const SEED = 1;
const OUT = new URL('../docs/nano-sample-grid.png', import.meta.url);

test.skip(!process.env.SAMPLE_GRID, 'writes docs/nano-sample-grid.png; run with npm run grid');

test('sample grid', async ({ page }) => {
  test.setTimeout(30 * 60_000);
  await page.goto('/?ep=wasm');
  await expect(page.getByRole('status')).toHaveAttribute('data-status', 'ready', { timeout: 120_000 });
  await page.getByRole('spinbutton', { name: 'Seed' }).fill(String(SEED));
  const tiles: string[] = [];
  for (const style of STYLES) {
    for (const concept of CONCEPTS) {
      const output = page.getByTestId('output');
      const previous = (await output.count()) ? Number(await output.getAttribute('data-image-id')) : 0;
      await page.getByRole('textbox', { name: 'Prompt', exact: true }).fill(`${concept}, ${style} style`);
      await page.getByRole('button', { name: 'Generate' }).click();
      const canvas = page.locator(`canvas[data-image-id="${previous + 1}"]`);
      await expect(canvas).toBeVisible({ timeout: 5 * 60_000 });
      tiles.push(await canvas.evaluate((c: HTMLCanvasElement) => c.toDataURL('image/png')));
    }
  }
  // Compose in the page: 2× nearest-neighbour tiles, one row per style.
  const png = await page.evaluate(
    async ({ tiles, columns }) => {
      const size = 128;
      const grid = document.createElement('canvas');
      grid.width = columns * size;
      grid.height = (tiles.length / columns) * size;
      const ctx = grid.getContext('2d')!;
      ctx.imageSmoothingEnabled = false;
      for (const [i, src] of tiles.entries()) {
        const img = new Image();
        img.src = src;
        await img.decode();
        ctx.drawImage(img, (i % columns) * size, Math.floor(i / columns) * size, size, size);
      }
      return grid.toDataURL('image/png').split(',')[1]!;
    },
    { tiles, columns: CONCEPTS.length },
  );
  writeFileSync(OUT, Buffer.from(png, 'base64'));
});
