// What the end-to-end specs of the generation features share: waiting for the engine, and reading a
// canvas's pixels to compare images.
import { expect, type Locator, type Page } from '@playwright/test';

export async function ready(page: Page) {
  await expect(page.getByRole('status')).toHaveAttribute('data-status', 'ready', { timeout: 180_000 });
}

/** RGBA of a canvas, as numbers. */
export async function canvasPixels(canvas: Locator): Promise<number[]> {
  return canvas.evaluate((c: HTMLCanvasElement) =>
    Array.from(c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data),
  );
}

export const meanAbsDiff = (a: number[], b: number[]) =>
  a.reduce((sum, v, i) => sum + Math.abs(v - b[i]!), 0) / a.length;

/** Clicks Generate, waits for a new image and the engine to be ready again, and reads the image. */
export async function generated(page: Page): Promise<number[]> {
  const output = page.getByTestId('output');
  const before = (await output.count()) > 0 ? await output.getAttribute('data-id') : null;
  await page.getByRole('button', { name: 'Generate' }).click();
  await expect(page.getByTestId('output')).not.toHaveAttribute('data-id', before ?? '-', { timeout: 120_000 });
  await ready(page);
  return canvasPixels(page.getByTestId('output'));
}

/** Unfolds "More options" (sampler, steps, guidance, negative prompt, edge guidance, image fusion). */
export async function moreOptions(page: Page) {
  const details = page.locator('details.advanced');
  if (!(await details.evaluate((d: HTMLDetailsElement) => d.open))) await details.locator('summary').click();
}

/** Opens the settings dialog (packs, storage, preferences, credits). */
export async function openSettings(page: Page): Promise<Locator> {
  await page.getByRole('button', { name: 'Settings', exact: true }).click();
  const dialog = page.getByRole('dialog', { name: 'Settings' });
  await expect(dialog).toBeVisible();
  return dialog;
}

export async function closeSettings(page: Page) {
  const dialog = page.getByRole('dialog', { name: 'Settings' });
  await dialog.getByRole('button', { name: 'Close' }).click();
  await expect(dialog).toBeHidden();
}

/** Chooses an action from a history picture's menu. */
export async function historyAction(page: Page, seed: number, action: string) {
  await page
    .getByRole('button', { name: `Actions for seed ${seed}` })
    .first()
    .click();
  await page.getByRole('menuitem', { name: action }).click();
}

/** Serves the bundled nano pack again under /models/<name>/ with `manifest` in place of its own: every
 * other file is the real one. `files` answer chosen paths with other bytes. */
export async function serveNanoAs(page: Page, name: string, manifest: unknown, files: Record<string, Buffer> = {}) {
  const prefix = `/models/${name}/`;
  // Later routes take precedence. (Match on the path: the page's own address carries the manifest path
  // in its query.)
  await page.route(
    (url) => url.pathname.startsWith(prefix),
    (route) => route.continue({ url: route.request().url().replace(prefix, '/models/kandinsky3-nano/') }),
  );
  await page.route(
    (url) => url.pathname === `${prefix}manifest.json`,
    (route) => route.fulfill({ contentType: 'application/json', body: JSON.stringify(manifest) }),
  );
  for (const [path, body] of Object.entries(files)) {
    await page.route(
      (url) => url.pathname === `${prefix}${path}`,
      (route) => route.fulfill({ body }),
    );
  }
}
