// The canvas editor on the real engine and the bundled nano pack (wasm): brushing a mask, inpainting
// only the masked region, undo/redo, outpainting, uploads, and drawing by touch.
import { readFileSync } from 'node:fs';
import { expect, test, type Page } from '@playwright/test';

async function ready(page: Page) {
  await expect(page.getByRole('status')).toHaveAttribute('data-status', 'ready', { timeout: 180_000 });
}

/** The RGBA bytes of one of the canvas layers, at image resolution. */
async function layer(page: Page, testId: 'canvas-image' | 'canvas-mask'): Promise<number[]> {
  return page
    .getByTestId(testId)
    .evaluate((canvas: HTMLCanvasElement) =>
      Array.from(canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data),
    );
}

/** Screen position of an image pixel, from where the image canvas is drawn. */
async function screenOf(page: Page, x: number, y: number) {
  await page.getByTestId('canvas-viewport').scrollIntoViewIfNeeded();
  const box = (await page.getByTestId('canvas-image').boundingBox())!;
  const width = Number(await page.getByTestId('canvas-image').getAttribute('data-width'));
  const scale = box.width / width;
  return { x: box.x + (x + 0.5) * scale, y: box.y + (y + 0.5) * scale };
}

async function brush(page: Page, from: [number, number], to: [number, number]) {
  const a = await screenOf(page, ...from);
  const b = await screenOf(page, ...to);
  await page.mouse.move(a.x, a.y);
  await page.mouse.down();
  await page.mouse.move(b.x, b.y, { steps: 12 });
  await page.mouse.up();
}

async function generatedImageOnCanvas(page: Page) {
  await page.goto('/?ep=wasm');
  await ready(page);
  await page.getByRole('button', { name: 'Generate' }).click();
  await expect(page.getByTestId('output')).toBeVisible({ timeout: 120_000 });
  await page.getByRole('button', { name: 'Edit on canvas' }).click();
  await expect(page.getByTestId('canvas-image')).toHaveAttribute('data-width', '64');
  await expect(page.getByTestId('canvas-image')).toBeInViewport(); // brought into view, not left far below
}

const maskedPixels = (page: Page) => page.getByTestId('canvas-mask').getAttribute('data-masked-pixels').then(Number);

test('brush, inpaint, accept: only the masked region changes; undo and redo restore each state', async ({ page }) => {
  await generatedImageOnCanvas(page);
  const original = await layer(page, 'canvas-image');
  await brush(page, [20, 32], [44, 32]);
  await expect.poll(() => maskedPixels(page)).toBeGreaterThan(100); // a size-8 stroke 24 px long
  const strokePixels = await maskedPixels(page);
  const mask = (await layer(page, 'canvas-mask')).filter((_, i) => i % 4 === 3).map((a) => a > 0);

  await page.getByLabel('Prompt').fill('blue heart, flat style');
  await page.getByRole('button', { name: 'Inpaint' }).click();
  const staging = page.getByRole('group', { name: 'Result' });
  await expect(staging).toBeVisible({ timeout: 120_000 });
  await staging.getByRole('button', { name: 'Accept' }).click();
  await expect(staging).toBeHidden();
  const result = await layer(page, 'canvas-image');

  // Pixels farther than the feather (2) from the mask are bit-identical; masked ones changed.
  const feather = Number(await page.locator('input[name=feather]').inputValue());
  const near = (x: number, y: number) => {
    for (let dy = -feather - 1; dy <= feather + 1; dy++)
      for (let dx = -feather - 1; dx <= feather + 1; dx++)
        if (mask[Math.min(63, Math.max(0, y + dy)) * 64 + Math.min(63, Math.max(0, x + dx))]) return true;
    return false;
  };
  let changedInside = 0;
  for (let y = 0; y < 64; y++) {
    for (let x = 0; x < 64; x++) {
      const i = 4 * (y * 64 + x);
      const same = [0, 1, 2, 3].every((c) => result[i + c] === original[i + c]);
      if (!near(x, y)) expect(same, `pixel (${x}, ${y}) outside the mask changed`).toBe(true);
      else if (mask[y * 64 + x] && !same) changedInside += 1;
    }
  }
  expect(changedInside).toBeGreaterThan(strokePixels / 2);
  expect(await maskedPixels(page)).toBe(0); // accepting clears the mask

  // Undo: the image before the result, with its mask; then without the stroke. Redo brings both back.
  await page.keyboard.press('Control+z');
  await expect.poll(() => layer(page, 'canvas-image')).toEqual(original);
  await expect.poll(() => maskedPixels(page)).toBe(strokePixels);
  await page.keyboard.press('Control+z');
  await expect.poll(() => maskedPixels(page)).toBe(0);
  await page.keyboard.press('Control+Shift+z');
  await expect.poll(() => maskedPixels(page)).toBe(strokePixels);
  await page.keyboard.press('Control+Shift+z');
  await expect.poll(() => layer(page, 'canvas-image')).toEqual(result);
});

test('outpaint 32 px to the right: the canvas is wider and the original part is unchanged', async ({ page }) => {
  await generatedImageOnCanvas(page);
  const original = await layer(page, 'canvas-image');
  await page.getByLabel('Extend by').selectOption('32');
  await page.getByRole('button', { name: 'Outpaint right' }).click();
  const staging = page.getByRole('group', { name: 'Result' });
  await expect(staging).toContainText('96×64', { timeout: 120_000 });
  // Try again draws a new seed for the result alone: the main Seed field is the user's.
  const firstTry = await staging.textContent();
  await staging.getByRole('button', { name: 'Try again' }).click();
  await expect(staging).not.toHaveText(firstTry!, { timeout: 120_000 });
  await expect(page.getByRole('spinbutton', { name: 'Seed' })).toHaveValue('42');
  const seed = /seed (\d+)/.exec((await staging.textContent())!)![1]!;
  await expect(page.getByTestId('history-entry')).toHaveCount(1); // the generated image
  await staging.getByRole('button', { name: 'Accept' }).click();
  await expect(page.getByTestId('canvas-image')).toHaveAttribute('data-width', '96');
  // The accepted edit is kept: in the history with its seed, and in the canvas's PNG with its parameters.
  await expect(page.getByTestId('history-entry')).toHaveCount(2);
  await expect(page.getByTestId('history-entry').first()).toHaveAttribute('data-seed', seed);
  const download = page.waitForEvent('download');
  await page.getByRole('button', { name: 'Download canvas' }).click();
  const png = readFileSync(await (await download).path()).toString('latin1');
  expect(png).toContain(`Seed: ${seed}, Size: 96x64, Model: kandinsky3-nano`);
  const wide = await layer(page, 'canvas-image');
  for (let y = 0; y < 64; y++) {
    expect(wide.slice(4 * y * 96, 4 * (y * 96 + 64)), `row ${y}`).toEqual(original.slice(4 * y * 64, 4 * (y + 1) * 64));
  }
  // The new strip is generated, not a copy of the last column.
  const strip = wide.slice(4 * (32 * 96 + 64), 4 * (32 * 96 + 96));
  expect(new Set(strip.filter((_, i) => i % 4 === 0)).size).toBeGreaterThan(1);
});

test('an uploaded picture opens fitted to the pack; a file that is not an image says so', async ({ page }) => {
  await page.goto('/?ep=wasm');
  await ready(page);
  await page.locator('input[name=canvasImage]').setInputFiles('docs/nano-sample-grid.png');
  const image = page.getByTestId('canvas-image');
  await expect(image).toHaveAttribute('data-width', /\d+/);
  const [w, h] = [Number(await image.getAttribute('data-width')), Number(await image.getAttribute('data-height'))];
  expect(Math.max(w, h)).toBe(64);
  expect((w % 16) + (h % 16)).toBe(0);
  await page.locator('input[name=canvasImage]').setInputFiles({
    name: 'notes.txt',
    mimeType: 'text/plain',
    buffer: Buffer.from('not a picture'),
  });
  await expect(page.locator('[data-error=ImageLoadError]')).toContainText('is not an image this browser can read');
});

/** A blank canvas on a touch device, and a CDP session to send touches with. */
async function touchCanvas(page: Page) {
  await page.goto('/?ep=wasm');
  await ready(page);
  await page.getByRole('button', { name: 'Blank canvas' }).click();
  return page.context().newCDPSession(page);
}

test.describe('touch', () => {
  test.use({ hasTouch: true });

  test('drawing works under touch emulation, and the page does not scroll', async ({ page }) => {
    const cdp = await touchCanvas(page);
    const start = await screenOf(page, 10, 10);
    const end = await screenOf(page, 50, 40);
    const scrollBefore = await page.evaluate(() => window.scrollY);
    await cdp.send('Input.dispatchTouchEvent', { type: 'touchStart', touchPoints: [{ x: start.x, y: start.y }] });
    for (let k = 1; k <= 10; k++) {
      const x = start.x + ((end.x - start.x) * k) / 10;
      const y = start.y + ((end.y - start.y) * k) / 10;
      await cdp.send('Input.dispatchTouchEvent', { type: 'touchMove', touchPoints: [{ x, y }] });
    }
    await cdp.send('Input.dispatchTouchEvent', { type: 'touchEnd', touchPoints: [] });
    await expect.poll(() => maskedPixels(page)).toBeGreaterThan(100);
    expect(await page.evaluate(() => window.scrollY)).toBe(scrollBefore);
    await page.getByRole('button', { name: 'Undo' }).click();
    await expect.poll(() => maskedPixels(page)).toBe(0);
  });
});

test('a pasted picture and a dropped one open as canvases', async ({ page }) => {
  await page.goto('/?ep=wasm');
  await ready(page);
  // Build the picture in the page: a 128×64 PNG, then paste it and drop it (synthetic events carry Files).
  const open = (how: 'paste' | 'drop') =>
    page.evaluate(async (kind) => {
      const canvas = new OffscreenCanvas(128, 64);
      const context = canvas.getContext('2d')!;
      context.fillStyle = kind === 'paste' ? '#f00' : '#00f';
      context.fillRect(0, 0, 128, 64);
      const file = new File([await canvas.convertToBlob({ type: 'image/png' })], `${kind}.png`, { type: 'image/png' });
      const data = new DataTransfer();
      data.items.add(file);
      if (kind === 'paste') window.dispatchEvent(new ClipboardEvent('paste', { clipboardData: data, bubbles: true }));
      else
        document
          .querySelector('[aria-label=Picture]')!
          .dispatchEvent(new DragEvent('drop', { dataTransfer: data, bubbles: true, cancelable: true }));
    }, how);
  const image = page.getByTestId('canvas-image');
  await open('paste');
  await expect(image).toHaveAttribute('data-width', '64');
  await expect(image).toHaveAttribute('data-height', '32');
  expect((await layer(page, 'canvas-image')).slice(0, 3)).toEqual([255, 0, 0]);
  await open('drop');
  await expect.poll(async () => (await layer(page, 'canvas-image')).slice(0, 3)).toEqual([0, 0, 255]);
});

test.describe('pinch', () => {
  test.use({ hasTouch: true });

  test('two fingers zoom the canvas instead of drawing', async ({ page }) => {
    const cdp = await touchCanvas(page);
    const stage = page.locator('.canvas-stage');
    const zoomBefore = Number(await stage.getAttribute('data-zoom'));
    const c = await screenOf(page, 32, 32);
    const fingers = (spread: number) => [
      { x: c.x - spread, y: c.y, id: 1 },
      { x: c.x + spread, y: c.y, id: 2 },
    ];
    await cdp.send('Input.dispatchTouchEvent', { type: 'touchStart', touchPoints: fingers(20) });
    for (let k = 1; k <= 8; k++) {
      await cdp.send('Input.dispatchTouchEvent', { type: 'touchMove', touchPoints: fingers(20 + 10 * k) });
    }
    await cdp.send('Input.dispatchTouchEvent', { type: 'touchEnd', touchPoints: [] });
    await expect.poll(async () => Number(await stage.getAttribute('data-zoom'))).toBeGreaterThan(zoomBefore * 1.5);
    expect(await maskedPixels(page)).toBe(0);
  });
});

test('image to image: strength 0 gives the canvas back within the autoencoder error, strength 1 ignores it', async ({
  page,
}) => {
  await generatedImageOnCanvas(page);
  const original = await layer(page, 'canvas-image');
  const meanAbsDiff = (a: number[], b: number[]) => {
    let sum = 0;
    for (let i = 0; i < a.length; i += 4) for (let c = 0; c < 3; c++) sum += Math.abs(a[i + c]! - b[i + c]!);
    return sum / ((a.length / 4) * 3);
  };
  const staging = page.getByRole('group', { name: 'Result' });
  const strength = page.locator('input[name=strength]');
  const run = async (value: string) => {
    await strength.fill(value);
    await page.getByRole('button', { name: 'Image to image' }).click();
    await expect(staging).toBeVisible({ timeout: 120_000 });
    const result = await layer(page, 'canvas-image'); // the staged result is what the canvas shows
    await staging.getByRole('button', { name: 'Discard' }).click();
    return result;
  };
  expect(meanAbsDiff(await run('0'), original)).toBeLessThan(12);
  const fromImage = await run('1');
  await page.getByRole('button', { name: 'Blank canvas' }).click();
  const blank = await layer(page, 'canvas-image');
  const fromBlank = await run('1');
  expect(meanAbsDiff(fromImage, fromBlank)).toBeLessThan(meanAbsDiff(original, blank) / 5);
});
