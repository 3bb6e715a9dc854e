// The workspace as a user meets it, at a desktop size and a phone size: one surface for the picture and
// the canvas, nothing that moves when the model becomes ready, the prompt and Generate under the thumb
// on a phone, a canvas that refits when the window changes, nothing spilling out of its box, and a
// history that pages through thousands of pictures and clears.
import { expect, test, type Locator, type Page } from '@playwright/test';
import { openSettings, ready } from './page-helpers';

const box = async (locator: Locator) => (await locator.boundingBox())!;
const scrollY = (page: Page) => page.evaluate(() => window.scrollY);

/** Nothing wider than the window: the page never scrolls sideways. */
async function expectNoSidewaysSpill(page: Page) {
  const { scrollWidth, innerWidth } = await page.evaluate(() => ({
    scrollWidth: document.documentElement.scrollWidth,
    innerWidth: window.innerWidth,
  }));
  expect(scrollWidth).toBeLessThanOrEqual(innerWidth);
}

/** The canvas image lies inside its viewport and fills it one way: fitted, not left at an old size. */
async function expectCanvasFitted(page: Page) {
  await expect
    .poll(async () => {
      const viewport = await box(page.getByTestId('canvas-viewport'));
      const image = await box(page.getByTestId('canvas-image'));
      const inside =
        image.x >= viewport.x - 1 &&
        image.y >= viewport.y - 1 &&
        image.x + image.width <= viewport.x + viewport.width + 1 &&
        image.y + image.height <= viewport.y + viewport.height + 1;
      const fills = Math.abs(image.width - viewport.width) <= 1.5 || Math.abs(image.height - viewport.height) <= 1.5;
      return inside && fills;
    })
    .toBe(true);
}

test('desktop: nothing moves when the model is ready; generate, edit and accept on one surface without scrolling', async ({
  page,
}) => {
  await page.setViewportSize({ width: 1280, height: 800 });
  await page.goto('/?ep=wasm');
  const prompt = page.getByRole('textbox', { name: 'Prompt', exact: true });
  const generate = page.getByRole('button', { name: 'Generate' });
  const frame = page.locator('.picture-frame');
  await expect(page.getByRole('status')).not.toHaveAttribute('data-status', 'ready'); // still loading
  const before = [await box(prompt), await box(generate), await box(frame)];
  await ready(page);
  expect([await box(prompt), await box(generate), await box(frame)]).toEqual(before);

  await generate.click();
  await expect(page.getByTestId('output')).toBeVisible({ timeout: 120_000 });
  await ready(page);
  await expect(page.getByTestId('output')).toBeInViewport({ ratio: 1 });
  await page.getByRole('button', { name: 'Edit on canvas' }).click();
  // The canvas takes the picture's place: tools, canvas and Inpaint all on the first screen.
  await expect(page.getByTestId('output')).toHaveCount(0);
  await expect(page.getByTestId('canvas-viewport')).toBeInViewport({ ratio: 1 });
  await expect(page.getByRole('toolbar', { name: 'Canvas tools' })).toBeInViewport({ ratio: 1 });
  const viewport = await box(page.getByTestId('canvas-viewport'));
  await page.mouse.move(viewport.x + viewport.width / 2 - 40, viewport.y + viewport.height / 2);
  await page.mouse.down();
  await page.mouse.move(viewport.x + viewport.width / 2 + 40, viewport.y + viewport.height / 2, { steps: 8 });
  await page.mouse.up();
  await page.getByRole('button', { name: 'Inpaint' }).click();
  const accept = page.getByRole('group', { name: 'Result' }).getByRole('button', { name: 'Accept' });
  await expect(accept).toBeEnabled({ timeout: 120_000 });
  await expect(accept).toBeInViewport({ ratio: 1 });
  await accept.click();
  await expect(page.getByTestId('history-entry')).toHaveCount(2);
  expect(await scrollY(page)).toBe(0);
  await expectNoSidewaysSpill(page);

  // A smaller window refits the canvas.
  await page.setViewportSize({ width: 900, height: 600 });
  await expectCanvasFitted(page);
});

test.describe('phone', () => {
  test.use({ viewport: { width: 390, height: 844 }, hasTouch: true, isMobile: true });

  test('390×844: prompt and Generate under the thumb, nothing spills, the canvas refits when turned', async ({
    page,
  }) => {
    await page.goto('/?ep=wasm');
    await ready(page);
    const prompt = page.getByRole('textbox', { name: 'Prompt', exact: true });
    const generate = page.getByRole('button', { name: 'Generate' });
    // In the lower half of the screen, whole, wherever the page is scrolled.
    const underThumb = async () => {
      for (const control of [prompt, generate]) {
        const b = await box(control);
        expect(b.y).toBeGreaterThan(844 / 2);
        expect(b.y + b.height).toBeLessThanOrEqual(844);
      }
    };
    await underThumb();
    await expectNoSidewaysSpill(page);
    await generate.tap();
    await expect(page.getByTestId('output')).toBeVisible({ timeout: 120_000 });
    await ready(page);
    await page.mouse.wheel(0, 2000);
    await underThumb();
    await expectNoSidewaysSpill(page);

    await page.getByRole('button', { name: 'Edit on canvas' }).tap();
    await expectCanvasFitted(page);
    await expectNoSidewaysSpill(page);
    // Turned to landscape and back: refitted each time.
    await page.setViewportSize({ width: 844, height: 390 });
    await expectCanvasFitted(page);
    await page.setViewportSize({ width: 390, height: 844 });
    await expectCanvasFitted(page);
    await page.getByRole('button', { name: 'Close canvas' }).tap();

    await page.getByRole('tab', { name: 'Animate' }).tap();
    await expectNoSidewaysSpill(page);
    await page.getByRole('tab', { name: 'Create' }).tap();

    // The settings dialog: the manifest address field stays inside the dialog.
    const settings = await openSettings(page);
    const dialog = await box(settings);
    const url = await box(settings.getByLabel('Manifest URL'));
    expect(url.x).toBeGreaterThanOrEqual(dialog.x);
    expect(url.x + url.width).toBeLessThanOrEqual(dialog.x + dialog.width);
    expect(dialog.x + dialog.width).toBeLessThanOrEqual(390);
    expect(await settings.evaluate((d) => d.scrollWidth <= d.clientWidth)).toBe(true);
  });
});

test('history pages through thousands of pictures, and "Clear all" asks, then empties it for good', async ({
  page,
}) => {
  await page.goto('/?ep=wasm');
  await ready(page);
  await page.getByRole('button', { name: 'Generate' }).click();
  await expect(page.getByTestId('history-entry')).toHaveCount(1, { timeout: 120_000 });
  // 2,999 more, copies of the real one, written straight into the gallery's store.
  await page.evaluate(async () => {
    const db = await new Promise<IDBDatabase>((resolve, reject) => {
      const request = indexedDB.open('kandinsky-web-history');
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    });
    const objects = () => db.transaction('images', 'readwrite').objectStore('images');
    const [real] = await new Promise<{ createdAt: number; parameters: { seed: number } }[]>((resolve) => {
      const request = objects().getAll();
      request.onsuccess = () => resolve(request.result);
    });
    const writes = objects();
    for (let i = 1; i < 3000; i++) {
      const createdAt = real!.createdAt - i * 1000;
      const id = `${createdAt}-copy${i}`;
      writes.put({ ...real, id, createdAt, parameters: { ...real!.parameters, seed: 100_000 + i } }, id);
    }
    await new Promise((resolve) => (writes.transaction.oncomplete = resolve));
    db.close();
  });
  await page.reload();
  await ready(page);
  const entries = page.getByTestId('history-entry');
  await expect(page.getByRole('heading', { name: 'History (3000)' })).toBeVisible();
  await expect(entries).toHaveCount(48); // one page on screen, not three thousand
  await expect(page.getByTestId('history-range')).toHaveText('1–48 of 3000');
  await expect(entries.first()).toHaveAttribute('data-seed', '42');
  await page.getByRole('button', { name: 'Older pictures' }).click();
  await expect(page.getByTestId('history-range')).toHaveText('49–96 of 3000');
  await expect(entries.first()).toHaveAttribute('data-seed', String(100_000 + 48));
  await page.getByRole('button', { name: 'Newer pictures' }).click();
  await expect(entries.first()).toHaveAttribute('data-seed', '42');

  await page.getByRole('button', { name: 'Clear all…' }).click();
  const confirm = page.getByRole('group', { name: 'Clear the history?' });
  await expect(confirm).toContainText('Delete all 3000 pictures');
  await confirm.getByRole('button', { name: 'Keep' }).click();
  await expect(entries).toHaveCount(48);
  await page.getByRole('button', { name: 'Clear all…' }).click();
  await confirm.getByRole('button', { name: 'Delete all' }).click();
  await expect(entries).toHaveCount(0);
  await page.reload();
  await ready(page);
  await expect(entries).toHaveCount(0);
  await expect(page.getByTestId('output')).toHaveCount(0); // no last result to show either
});
