// The pack is stored in IndexedDB on the first visit; later visits read it from there, and a damaged
// stored file is found by its SHA-256 and downloaded again, alone. Real engine, bundled nano pack.
import { readFileSync } from 'node:fs';
import { expect, test, type Page } from '@playwright/test';
import { openSettings } from './page-helpers';

const manifest = JSON.parse(
  readFileSync(new URL('../public/models/kandinsky3-nano/manifest.json', import.meta.url), 'utf8'),
) as { files: { path: string; bytes: number; sha256: string; chunks: { bytes: number; sha256: string[] } }[] };
/** The pack's size as the app writes it (megabytes, one decimal), escaped for a pattern. */
const megabytes = (manifest.files.reduce((sum, f) => sum + f.bytes, 0) / 1e6).toFixed(1);
const PACK_MB = `${megabytes.replace('.', '\\.')} MB`;
/** Graphs, and the int8 weights kept beside them. */
const isWeights = (path: string) => /\.(onnx|safetensors)$/.test(path);
const flash = manifest.files.find((f) => f.path === 'unet_flash.int8w.safetensors')!;

async function ready(page: Page) {
  await expect(page.getByRole('status')).toHaveAttribute('data-status', 'ready', { timeout: 120_000 });
}

async function generates(page: Page) {
  await page.getByRole('button', { name: 'Generate' }).click();
  await expect(page.getByTestId('output')).toBeVisible({ timeout: 120_000 });
}

test('weights are stored on the first visit, read from IndexedDB after a reload, and a corrupted chunk is repaired', async ({
  page,
}) => {
  const weightRequests: string[] = [];
  page.on('request', (r) => {
    const path = new URL(r.url()).pathname;
    const range = r.headers()['range'];
    if (isWeights(path)) weightRequests.push(range ? `${path} ${range}` : path);
  });

  await page.goto('/?ep=wasm');
  await ready(page);
  await expect(page.getByTestId('storage')).toContainText('saved for offline use');
  // The whole pack in its one weight format, so inpainting works offline too.
  expect(weightRequests.sort()).toEqual(
    manifest.files
      .filter((f) => isWeights(f.path))
      .map((f) => `/models/kandinsky3-nano/${f.path}`)
      .sort(),
  );

  weightRequests.length = 0;
  await page.reload();
  await ready(page);
  await expect(page.getByTestId('storage')).toHaveText(' · loaded from this device');
  expect(weightRequests).toEqual([]);
  await generates(page);

  // Damage the second chunk of the stored Flash U-Net, as a disk error would (right size, wrong bytes).
  await page.evaluate(
    async ({ sha256, size }) => {
      const db = await new Promise<IDBDatabase>((resolve, reject) => {
        const request = indexedDB.open('kandinsky-web');
        request.onsuccess = () => resolve(request.result);
        request.onerror = () => reject(request.error);
      });
      const tx = db.transaction('pack-files', 'readwrite');
      tx.objectStore('pack-files').put(new Blob([new Uint8Array(size).fill(7)]), `chunk:${sha256}:1`);
      await new Promise((resolve, reject) => {
        tx.oncomplete = resolve;
        tx.onerror = () => reject(tx.error);
      });
      db.close();
    },
    { sha256: flash.sha256, size: flash.chunks.bytes },
  );

  weightRequests.length = 0;
  await page.reload();
  await ready(page);
  await expect(page.getByRole('note')).toContainText(
    'Downloading again what was damaged on disk (unet_flash.int8w.safetensors: chunk 1 does not match its SHA-256)',
  );
  // That chunk alone, by a Range request.
  expect(weightRequests).toEqual([
    `/models/kandinsky3-nano/unet_flash.int8w.safetensors bytes=${flash.chunks.bytes}-${2 * flash.chunks.bytes - 1}`,
  ]);
  await generates(page);

  // Repaired: the next visit reads everything from IndexedDB again.
  weightRequests.length = 0;
  await page.reload();
  await ready(page);
  await expect(page.getByTestId('storage')).toHaveText(' · loaded from this device');
  expect(weightRequests).toEqual([]);
});

test('stored packs are listed with their size on disk, and deleting one frees its storage', async ({ page }) => {
  await page.goto('/?ep=wasm');
  await ready(page);
  const panel = (await openSettings(page)).getByRole('region', { name: 'Stored packs' });
  await expect(panel.getByTestId('stored-pack')).toHaveText(
    new RegExp(`^Kandinsky 3 nano \\(emoji, 64 px\\): ${PACK_MB} of ${PACK_MB}`),
  );
  const storedKeys = () =>
    page.evaluate(async () => {
      const db = await new Promise<IDBDatabase>((resolve, reject) => {
        const request = indexedDB.open('kandinsky-web');
        request.onsuccess = () => resolve(request.result);
        request.onerror = () => reject(request.error);
      });
      const all = await new Promise<IDBValidKey[]>((resolve, reject) => {
        const request = db.transaction('pack-files').objectStore('pack-files').getAllKeys();
        request.onsuccess = () => resolve(request.result);
        request.onerror = () => reject(request.error);
      });
      db.close();
      return all.map(String);
    });
  // Every chunk of every file, one IndexedDB value each.
  await expect
    .poll(async () => (await storedKeys()).filter((k) => k.startsWith('chunk:')).length)
    .toBe(manifest.files.reduce((sum, f) => sum + f.chunks.sha256.length, 0));

  // It is the pack in use: deleting asks first, and "Keep" keeps it.
  await panel.getByRole('button', { name: 'Delete Kandinsky 3 nano (emoji, 64 px)' }).click();
  await panel.getByRole('button', { name: 'Keep' }).click();
  await expect(panel.getByTestId('stored-pack')).toHaveCount(1);
  await expect(page.getByRole('status')).toHaveAttribute('data-status', 'ready');
  await panel.getByRole('button', { name: 'Delete Kandinsky 3 nano (emoji, 64 px)' }).click();
  await panel.getByRole('button', { name: 'Delete and unload' }).click();
  await expect(panel).toContainText('No packs are stored');
  await expect.poll(storedKeys).toEqual([]);
  // Unloaded, and the page says so: no stale "ready offline", Generate off.
  await expect(page.getByRole('alert')).toHaveAttribute('data-error', 'NoPackLoadedError');
  await expect(page.getByRole('status')).toContainText('No model is loaded');
  await expect(page.getByTestId('offline')).toHaveCount(0);
  await expect(page.getByRole('button', { name: 'Generate' })).toBeDisabled();

  await page.reload();
  await ready(page);
  await expect(page.getByTestId('storage')).toContainText('saved for offline use'); // downloaded again
});
