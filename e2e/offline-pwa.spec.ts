// Installable and offline: a web manifest with icons, a service worker that precaches the shell and
// the runtime, and the pack's weights in IndexedDB, so an offline reload still generates.
import { expect, test } from '@playwright/test';

test('installable; "ready offline" once shell, runtime and pack are local; offline reload still generates', async ({
  page,
  context,
}) => {
  await page.goto('/?ep=wasm');
  await expect(page.getByRole('status')).toHaveAttribute('data-status', 'ready', { timeout: 120_000 });

  const manifestHref = await page.locator('link[rel="manifest"]').getAttribute('href');
  const webManifest = await (await page.request.get(manifestHref!)).json();
  expect(webManifest).toMatchObject({ name: 'Kandinsky Web', display: 'standalone' });
  expect(webManifest.icons.map((i: { sizes: string }) => i.sizes)).toEqual(
    expect.arrayContaining(['192x192', '512x512']),
  );

  // Precaching the 27 MB runtime takes a moment; the badge waits for the worker to control the page.
  await expect(page.getByTestId('offline')).toHaveText(' · ready offline', { timeout: 120_000 });

  await context.setOffline(true);
  await page.reload();
  await expect(page.getByRole('status')).toHaveAttribute('data-status', 'ready', { timeout: 120_000 });
  await expect(page.getByTestId('storage')).toHaveText(' · loaded from this device');
  await page.getByRole('textbox', { name: 'Prompt', exact: true }).fill('red heart, 3d style');
  await page.getByRole('button', { name: 'Generate' }).click();
  await expect(page.getByTestId('output')).toBeVisible({ timeout: 120_000 });
  // Really offline: the network is unreachable (navigator.onLine is no proof: Chromium's emulation
  // leaves it true in pages a service worker served).
  const reached = await page.evaluate(() =>
    fetch(`/?probe=${Date.now()}`, { method: 'HEAD', cache: 'no-store' }).then(
      () => true,
      () => false,
    ),
  );
  expect(reached).toBe(false);
});
