// Not a test: draws the README's sample grid (24 prompts × 2 seeds) through the app's own browser
// pipeline, the bundled nano pack on wasm, exactly as a user would get it. Run with `npm run grid`.
import { readFileSync, writeFileSync } from 'node:fs';
import { expect, test } from '@playwright/test';

// 24 prompts across the seven styles, none of them a held-out evaluation pair (checked below), each
// drawn with two seeds so the grid also shows how much one prompt varies.
const PROMPTS = [
  ['red apple', 'noto'],
  ['cat face', 'twemoji'],
  ['rocket', '3d'],
  ['pizza', 'flat'],
  ['sun', 'fluent'],
  ['rainbow', 'blob'],
  ['red heart', 'emojione'],
  ['dog face', 'noto'],
  ['grinning face', '3d'],
  ['ghost', 'twemoji'],
  ['christmas tree', 'flat'],
  ['flag: Japan', 'twemoji'],
  ['banana', '3d'],
  ['birthday cake', 'noto'],
  ['house', 'fluent'],
  ['fire', 'twemoji'],
  ['snowman', '3d'],
  ['smiling face with sunglasses', 'noto'],
  ['strawberry', 'emojione'],
  ['tiger face', 'fluent'],
  ['hamburger', 'blob'],
  ['guitar', 'flat'],
  ['crescent moon', '3d'],
  ['sunflower', 'twemoji'],
] as const;
const SEEDS = [1, 2];
const COLUMNS = 12;
const OUT = new URL('../docs/nano-sample-grid.png', import.meta.url);
const HELDOUT = new URL('../model/nano/heldout-pairs.json', import.meta.url);

test.skip(!process.env.SAMPLE_GRID, 'writes docs/nano-sample-grid.png; run with npm run grid');

test('sample grid', async ({ page }) => {
  test.setTimeout(30 * 60_000);
  const heldOut = JSON.parse(readFileSync(HELDOUT, 'utf8')) as { concept: string; style: string }[];
  const shown = heldOut.filter((p) =>
    PROMPTS.some(([c, s]) => c.toLowerCase() === p.concept.toLowerCase() && s === p.style),
  );
  expect(shown, 'the grid shows no held-out pair').toEqual([]);
  await page.goto('/?ep=wasm');
  await expect(page.getByRole('status')).toHaveAttribute('data-status', 'ready', { timeout: 120_000 });
  // Rows of 12 prompts: the first 12 with each seed, then the next 12 with each seed.
  const order = [0, 1].flatMap((half) =>
    SEEDS.flatMap((seed) => PROMPTS.slice(half * COLUMNS, (half + 1) * COLUMNS).map((p) => [p, seed] as const)),
  );
  const tiles: string[] = [];
  for (const [[concept, style], seed] of order) {
    const output = page.getByTestId('output');
    const previous = (await output.count()) ? Number(await output.getAttribute('data-image-id')) : 0;
    await page.getByRole('spinbutton', { name: 'Seed' }).fill(String(seed));
    await page.getByRole('textbox', { name: 'Prompt', exact: true }).fill(`${concept}, ${style} style`);
    await page.getByRole('button', { name: 'Generate' }).click();
    const canvas = page.locator(`canvas[data-image-id="${previous + 1}"]`);
    await expect(canvas).toBeVisible({ timeout: 5 * 60_000 });
    tiles.push(await canvas.evaluate((c: HTMLCanvasElement) => c.toDataURL('image/png')));
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
    { tiles, columns: COLUMNS },
  );
  writeFileSync(OUT, Buffer.from(png, 'base64'));
});
