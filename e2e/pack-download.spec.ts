// Downloading a pack from another origin (e2e/pack-server.mjs: CORS, byte ranges): the size before
// anything starts, byte-accurate progress per file and in total, cancel, resume after a reload and
// after a dropped connection without fetching stored chunks again; and packs opened from local files.
import { readFileSync, readdirSync } from 'node:fs';
import { expect, test, type APIRequestContext, type Page } from '@playwright/test';
import { openSettings } from './page-helpers';

const SERVER = 'http://127.0.0.1:4174';
const nanoDir = new URL('../public/models/kandinsky3-nano/', import.meta.url);
const nano = JSON.parse(readFileSync(new URL('manifest.json', nanoDir), 'utf8')) as {
  files: { path: string; bytes: number; chunks: { bytes: number } }[];
};
const totalBytes = nano.files.reduce((sum, f) => sum + f.bytes, 0);
/** The pack's size as the app writes it (megabytes, one decimal), e.g. "21.0 MB". */
const TOTAL = `${(totalBytes / 1e6).toFixed(1)} MB`;
const escaped = TOTAL.replace('.', '\\.');
const CHUNK = nano.files[0]!.chunks.bytes;
/** Graphs, and the int8 weights kept beside them. */
const isWeights = (path: string) => /\.(onnx|safetensors)$/.test(path);

interface Served {
  path: string;
  range: string | null;
  status: number;
  sentBytes: number;
}

async function served(request: APIRequestContext): Promise<Served[]> {
  return (await (await request.get(`${SERVER}/__log`)).json()) as Served[];
}

async function ready(page: Page) {
  await expect(page.getByRole('status')).toHaveAttribute('data-status', 'ready', { timeout: 180_000 });
}

const totalDone = async (page: Page) =>
  Number(await page.getByRole('progressbar', { name: 'Total downloaded' }).getAttribute('value'));

test.beforeEach(async ({ request }) => {
  await request.get(`${SERVER}/__reset`);
});

test('another origin: size first, progress per file, cancel, and resume after a reload without refetching', async ({
  page,
  request,
}) => {
  await page.goto(`/?ep=wasm&pack=${SERVER}/slow/kandinsky3-nano/manifest.json`);
  const panel = page.getByRole('region', { name: 'Model download' });
  await expect(panel.getByTestId('download-size')).toHaveText(
    `${TOTAL} in ${nano.files.length} files · ${TOTAL} to download`,
  );
  await expect(panel.getByTestId('download-file')).toHaveCount(nano.files.length);
  expect((await served(request)).map((r) => r.path)).toEqual(['/slow/kandinsky3-nano/manifest.json']); // nothing else yet

  await panel.getByRole('button', { name: `Download ${TOTAL}` }).click();
  await expect(panel).toHaveAttribute('data-status', 'loading');
  // A few files at a time, each with its own byte count.
  await expect.poll(() => totalDone(page), { timeout: 60_000 }).toBeGreaterThan(4e6);
  const downloading = await panel.locator('[data-testid=download-file][data-state=downloading]').count();
  expect(downloading).toBeGreaterThanOrEqual(1);
  expect(downloading).toBeLessThanOrEqual(3);
  await expect(panel.getByTestId('download-total')).toHaveText(new RegExp(`^\\d+\\.\\d MB of ${escaped}$`));

  const doneAtCancel = await totalDone(page);
  await panel.getByRole('button', { name: 'Cancel download' }).click();
  const note = page.locator('[data-error=DownloadCancelledError]');
  await expect(note).toContainText(
    new RegExp(`Download cancelled: \\d+\\.\\d MB of ${escaped} are kept on this device`),
  );
  const kept = await totalDone(page);
  // Whole chunks are kept; each of the (at most 3) files in flight loses only its unfinished chunk.
  expect(kept).toBeGreaterThanOrEqual(doneAtCancel - 3 * CHUNK);
  expect(kept).toBeGreaterThanOrEqual(CHUNK);
  expect(kept).toBeLessThan(totalBytes);

  // A reload offers the rest: the chunks already stored count as done.
  await page.reload();
  await expect(panel.getByTestId('download-size')).toContainText(`MB already on this device`);
  const before = (await served(request)).length;
  await panel.getByRole('button', { name: /^Download \d+\.\d MB$/ }).click();
  await ready(page);

  const resumed = (await served(request)).slice(before).filter((r) => isWeights(r.path));
  // Files cut off mid-way continue with a Range request at a chunk boundary.
  const ranged = resumed.filter((r) => r.range);
  expect(ranged.length).toBeGreaterThan(0);
  for (const r of ranged) expect(Number(/^bytes=(\d+)-/.exec(r.range!)![1]) % CHUNK).toBe(0);
  // Nothing stored was fetched again: all bytes sent over both visits exceed the pack by at most
  // the chunks that were in flight at the cancel (one per download lane).
  const sent = (await served(request))
    .filter((r) => !r.path.endsWith('manifest.json'))
    .reduce((s, r) => s + r.sentBytes, 0);
  expect(sent).toBeGreaterThanOrEqual(totalBytes);
  expect(sent).toBeLessThanOrEqual(totalBytes + 3 * CHUNK);

  await page.getByRole('button', { name: 'Generate' }).click();
  await expect(page.getByTestId('output')).toBeVisible({ timeout: 120_000 });
});

test('a dropped connection resumes by itself from the last whole chunk, with a Range request', async ({
  page,
  request,
}) => {
  await page.goto(`/?ep=wasm&pack=${SERVER}/flaky/kandinsky3-nano/manifest.json`);
  const panel = page.getByRole('region', { name: 'Model download' });
  await panel.getByRole('button', { name: `Download ${TOTAL}` }).click();
  await ready(page);
  const log = (await served(request)).filter((r) => isWeights(r.path));
  const cut = 1.5 * 1024 * 1024;
  const big = nano.files.filter((f) => isWeights(f.path) && f.bytes > cut);
  let resumedMidFile = 0;
  for (const file of big) {
    const requests = log.filter((r) => r.path.endsWith(`/${file.path}`));
    expect(requests).toHaveLength(2);
    expect(requests[0]).toMatchObject({ range: null, sentBytes: cut });
    // The retry starts at the first chunk not verified and stored: chunk 1 when all of chunk 0 got
    // through; chunk 0 again when the browser dropped buffered bytes with the connection.
    const start = requests[1]!.range ? Number(/^bytes=(\d+)-/.exec(requests[1]!.range)![1]) : 0;
    expect([0, CHUNK]).toContain(start);
    expect(requests[1]!.sentBytes).toBe(file.bytes - start);
    if (start > 0) resumedMidFile += 1;
  }
  expect(resumedMidFile).toBeGreaterThan(0);
  await expect(page.getByTestId('storage')).toContainText('saved for offline use');
});

test('a pack from local files: picked, stored, listed, and used again without the files', async ({ page }) => {
  await page.goto('/?ep=wasm');
  await ready(page);
  const tinyDir = new URL('../public/models/kandinsky3-tiny-random/', import.meta.url);
  const files = readdirSync(tinyDir).map((name) => ({
    name,
    mimeType: 'application/octet-stream',
    buffer: readFileSync(new URL(name, tinyDir)),
  }));
  await page.locator('input[name=packFiles]').setInputFiles(files);
  await ready(page);
  await expect(page.getByRole('status')).toContainText('random weights');
  const stored = (await openSettings(page)).getByRole('region', { name: 'Stored packs' }).getByTestId('stored-pack');
  await expect(stored.filter({ hasText: 'from local files' })).toHaveCount(1);

  // Back to the bundled pack, then the local one again: from the store, no files needed.
  await stored.filter({ hasText: 'nano' }).getByRole('button', { name: /^Use / }).click();
  await ready(page);
  await expect(page.getByRole('status')).toContainText('Kandinsky 3 nano');
  await stored.filter({ hasText: 'from local files' }).getByRole('button', { name: /^Use / }).click();
  await ready(page);
  await expect(page.getByRole('status')).toContainText('random weights');
  await expect(page.getByTestId('storage')).toHaveText(' · loaded from this device');
});

test('a pack folder dropped on the page opens like picked files', async ({ page }) => {
  await page.goto('/?ep=wasm');
  await ready(page);
  const names = readdirSync(new URL('../public/models/kandinsky3-tiny-random/', import.meta.url));
  // Build the drop in the page from the same bytes (a synthetic drop carries Files, not folder entries).
  const drop = await page.evaluateHandle(async (list) => {
    const transfer = new DataTransfer();
    for (const name of list) {
      const blob = await (await fetch(`/models/kandinsky3-tiny-random/${name}`)).blob();
      transfer.items.add(new File([blob], name));
    }
    return transfer;
  }, names);
  const settings = await openSettings(page);
  await settings.getByRole('region', { name: 'Open a model pack' }).dispatchEvent('drop', { dataTransfer: drop });
  await ready(page);
  await expect(page.getByRole('status')).toContainText('random weights');
});
