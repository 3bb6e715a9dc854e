// Bad input while loading a pack, each with a named error and a remedy: offline without a stored
// pack, and a graph that onnxruntime cannot load (its bytes match the manifest, the graph is junk).
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { expect, test } from '@playwright/test';

const nanoManifest = () =>
  JSON.parse(readFileSync(new URL('../public/models/kandinsky3-nano/manifest.json', import.meta.url), 'utf8')) as {
    files: { path: string; bytes: number; sha256: string }[];
  };

test('offline with no stored pack: the error says so, names the file, and how to fix it', async ({ page, context }) => {
  await page.goto('/?ep=wasm');
  await expect(page.getByRole('status')).toHaveAttribute('data-status', 'ready', { timeout: 120_000 });
  await expect(page.getByTestId('offline')).toBeVisible({ timeout: 120_000 }); // the shell is cached
  const panel = page.getByRole('region', { name: 'Stored packs' });
  await panel.getByRole('button', { name: /^Delete / }).click();
  await expect(panel).toContainText('No packs are stored');

  await context.setOffline(true);
  await page.reload();
  const error = page.getByRole('alert');
  await expect(error).toHaveAttribute('data-error', 'PackLoadError', { timeout: 60_000 });
  await expect(error).toContainText('You are offline');
  await expect(error).toContainText('is not stored on this device yet. Connect once to download it');
});

test('a graph that fails to load names its file, and nothing else breaks', async ({ page }) => {
  const junk = Buffer.from('this is not an ONNX graph '.repeat(40));
  const manifest = nanoManifest();
  const flash = manifest.files.find((f) => f.path === 'unet_flash.int8w.onnx')!;
  flash.bytes = junk.length;
  flash.sha256 = createHash('sha256').update(junk).digest('hex'); // the bytes are "right"; the graph is not
  // Later routes take precedence: every other file of the broken pack is the real nano one. (Match on the
  // path: the page's own address carries the manifest path in its query.)
  await page.route(
    (url) => url.pathname.startsWith('/models/broken/'),
    (route) => {
      const url = new URL(route.request().url());
      return route.continue({ url: url.href.replace('/models/broken/', '/models/kandinsky3-nano/') });
    },
  );
  await page.route(
    (url) => url.pathname === '/models/broken/manifest.json',
    (route) => route.fulfill({ contentType: 'application/json', body: JSON.stringify(manifest) }),
  );
  await page.route(
    (url) => url.pathname === '/models/broken/unet_flash.int8w.onnx',
    (route) => route.fulfill({ body: junk }),
  );

  await page.goto('/?ep=wasm&pack=/models/broken/manifest.json');
  const error = page.getByRole('alert');
  await expect(error).toHaveAttribute('data-error', 'GraphLoadError', { timeout: 120_000 });
  await expect(error).toContainText('The model graph unet_flash.int8w.onnx could not be loaded on CPU (wasm)');
  await expect(error).toContainText('re-export it, or pick another pack');
});
