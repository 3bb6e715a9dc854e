// Bad input while loading a pack, each with a named error and a remedy: offline without a stored
// pack, a graph or its int8 weights that cannot be loaded (the bytes match the manifest, the file is junk), a pack
// too large for the device, and manifest addresses that are wrong.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { expect, test, type Page } from '@playwright/test';
import { openSettings, ready, serveNanoAs } from './page-helpers';

const nanoManifest = () =>
  JSON.parse(readFileSync(new URL('../public/models/kandinsky3-nano/manifest.json', import.meta.url), 'utf8')) as {
    files: { path: string; bytes: number; sha256: string; chunks: { bytes: number; sha256: string[] } }[];
  };

test('offline with no stored pack: the error says so, names the file, and how to fix it', async ({ page, context }) => {
  await page.goto('/?ep=wasm');
  await expect(page.getByRole('status')).toHaveAttribute('data-status', 'ready', { timeout: 120_000 });
  await expect(page.getByTestId('offline')).toBeVisible({ timeout: 120_000 }); // the shell is cached
  const panel = (await openSettings(page)).getByRole('region', { name: 'Stored packs' });
  await panel.getByRole('button', { name: /^Delete / }).click();
  await panel.getByRole('button', { name: 'Delete and unload' }).click(); // it is the pack in use
  await expect(panel).toContainText('No packs are stored');

  await context.setOffline(true);
  await page.reload();
  const error = page.getByRole('alert');
  await expect(error).toHaveAttribute('data-error', 'PackLoadError', { timeout: 60_000 });
  await expect(error).toContainText('You are offline');
  await expect(error).toContainText('is not stored on this device yet. Connect once to download it');
});

/** Serves /models/broken/: the nano pack with one file of the Flash U-Net (its graph, unless told) whose
 * bytes match its manifest but are junk. */
async function serveBrokenPack(page: Page, broken = 'unet_flash.int8w.onnx') {
  const junk = Buffer.from('this is not an ONNX graph '.repeat(40));
  const manifest = nanoManifest();
  const flash = manifest.files.find((f) => f.path === broken)!;
  flash.bytes = junk.length;
  flash.sha256 = createHash('sha256').update(junk).digest('hex'); // the bytes are "right"; the graph is not
  flash.chunks.sha256 = [flash.sha256];
  await serveNanoAs(page, 'broken', manifest, { [broken]: junk });
}

test('a graph that fails to load names its file, and nothing else breaks', async ({ page }) => {
  await serveBrokenPack(page);
  await page.goto('/?ep=wasm&pack=/models/broken/manifest.json');
  const error = page.getByRole('alert');
  await expect(error).toHaveAttribute('data-error', 'GraphLoadError', { timeout: 120_000 });
  await expect(error).toContainText('A part of this model (unet_flash.int8w.onnx) could not be loaded on CPU (wasm)');
  await expect(error).toContainText('pick another pack, or get a fresh copy of this one');
  // ORT's own words and the maker's remedy are under Details, not in the message.
  const details = error.locator('details');
  await expect(details).not.toHaveAttribute('open');
  await details.locator('summary').click();
  await expect(details).toContainText('reason');
  await expect(details).toContainText('remedy for makers');
  await expect(details).toContainText('model/run-python -m model.export');
});

test('int8 weights beside a graph that cannot be widened name their file', async ({ page }) => {
  await serveBrokenPack(page, 'unet_flash.int8w.safetensors');
  await page.goto('/?ep=wasm&pack=/models/broken/manifest.json');
  const error = page.getByRole('alert');
  await expect(error).toHaveAttribute('data-error', 'GraphLoadError', { timeout: 120_000 });
  await expect(error).toContainText('A part of this model (unet_flash.int8w.safetensors) could not be loaded');
  await error.locator('details summary').click();
  await expect(error.locator('details')).toContainText('runs past the end');
});

test('a pack that fails to load is marked broken, with Try again and Delete, and the working one comes back', async ({
  page,
}) => {
  test.setTimeout(240_000);
  await serveBrokenPack(page);
  await page.goto('/?ep=wasm');
  await ready(page);
  const settings = await openSettings(page);
  await settings.getByLabel('Manifest URL').fill('/models/broken/manifest.json');
  await settings.getByRole('button', { name: 'Open', exact: true }).click();
  await expect(settings).toBeHidden(); // the loading shows on the page (a pack of this site starts at once)
  await expect(page.getByRole('alert')).toHaveAttribute('data-error', 'GraphLoadError', { timeout: 120_000 });
  // The bundled model is back, and works; the failure stays on show.
  await ready(page);
  await expect(page.getByRole('status')).toContainText('Kandinsky 3 nano');
  await expect(page.getByRole('alert')).toHaveAttribute('data-error', 'GraphLoadError');
  await page.getByRole('button', { name: 'Generate' }).click();
  await expect(page.getByTestId('output')).toBeVisible({ timeout: 120_000 });
  await ready(page);

  await openSettings(page);
  const broken = settings.getByTestId('stored-pack').filter({ has: page.getByTestId('broken-pack') });
  await expect(broken).toHaveCount(1);
  await expect(broken).toContainText('Broken: A part of this model (unet_flash.int8w.onnx) could not be loaded');
  await expect(broken.getByRole('button', { name: /^Use / })).toHaveCount(0);
  // Trying again fails the same way and still leaves the bundled model loaded.
  await broken.getByRole('button', { name: /^Try .* again$/ }).click();
  await expect(page.getByRole('alert')).toHaveAttribute('data-error', 'GraphLoadError', { timeout: 120_000 });
  await ready(page);
  await expect(page.getByRole('status')).toContainText('Kandinsky 3 nano');
  await broken.getByRole('button', { name: /^Delete / }).click();
  await expect(settings.getByTestId('stored-pack')).toHaveCount(1);
  await expect(settings.getByTestId('stored-pack')).toContainText('Kandinsky 3 nano');
});

test('a pack too large for this device is refused before anything downloads, naming the file', async ({ page }) => {
  const manifest = nanoManifest();
  const flash = manifest.files.find((f) => f.path === 'unet_flash.int8w.onnx')!;
  // A 3 GB graph (with a chunk list to match, so the manifest itself is valid).
  flash.bytes = 3_000_000_000;
  flash.chunks = { bytes: 64 * 1024 * 1024, sha256: Array.from({ length: 45 }, () => flash.sha256) };
  const weights: string[] = [];
  page.on('request', (r) => {
    if (r.url().endsWith('.onnx')) weights.push(r.url());
  });
  await page.route(
    (url) => url.pathname === '/models/huge/manifest.json',
    (route) => route.fulfill({ contentType: 'application/json', body: JSON.stringify(manifest) }),
  );
  await page.goto('/?ep=wasm&pack=/models/huge/manifest.json');
  const error = page.getByRole('alert');
  await expect(error).toHaveAttribute('data-error', 'PackTooLargeError', { timeout: 60_000 });
  await expect(error).toContainText('unet_flash.int8w.onnx is 3.00 GB, over the 2.15 GB a browser can load');
  await expect(error).toContainText('Pick a smaller weight format or pack');
  expect(weights).toEqual([]);
});

test('a pack address that does not exist gets an error with a remedy', async ({ page }) => {
  await page.goto('/?pack=/models/nope/manifest.json');
  await expect(page.getByRole('alert')).toHaveAttribute('data-error', 'PackLoadError');
  await expect(page.getByRole('alert')).toContainText('(the server sent a web page). Check the pack address.');
  // A first visit with a bad address still has a way to the model that ships with the app.
  await page.getByRole('button', { name: 'Open the bundled model' }).click();
  await expect(page.getByRole('status')).toHaveAttribute('data-status', 'ready', { timeout: 120_000 });
  await expect(page.getByRole('button', { name: 'Generate' })).toBeEnabled();
  await expect(page.getByRole('button', { name: 'Open the bundled model' })).toHaveCount(0);
});

test('a manifest that answers 404 on another origin, or is not a manifest, is named as such', async ({ page }) => {
  await page.goto('/?pack=http://127.0.0.1:4174/plain/nope/manifest.json');
  await expect(page.getByRole('alert')).toHaveAttribute('data-error', 'PackLoadError');
  await expect(page.getByRole('alert')).toContainText('answered 404');
  // The tokenizer is JSON but not a manifest: the schema problems are listed under Details.
  await page.goto('/?pack=http://127.0.0.1:4174/plain/kandinsky3-nano/tokenizer.json');
  await expect(page.getByRole('alert')).toHaveAttribute('data-error', 'InvalidManifestError');
  await expect(page.getByRole('alert')).toContainText("must have required property 'schemaVersion'");
});
