// Animation on the real engine with the bundled nano pack (wasm): a camera zoom made frame by frame
// with Flash, the player, export to WebM and MP4 through WebCodecs with progress and cancel, and an
// infinite zoom from outpainted keyframes.
import { readFileSync } from 'node:fs';
import { expect, test, type Page } from '@playwright/test';
import { canvasPixels, meanAbsDiff, ready } from './page-helpers';

async function showFrame(page: Page, index: number): Promise<number[]> {
  await page.getByRole('slider', { name: /^Frame \d+ of/ }).fill(String(index));
  await expect(page.getByTestId('animation-player')).toHaveAttribute('data-frame', String(index));
  return canvasPixels(page.getByTestId('animation-player'));
}

test('zoom in: frames made with Flash, watched in the player, exported to WebM and MP4, export cancellable', async ({
  page,
}) => {
  await page.goto('/?ep=wasm');
  await ready(page);
  await page.getByRole('tab', { name: 'Animate' }).click();
  const panel = page.getByRole('region', { name: 'Animation', exact: true });
  const player = page.getByRole('region', { name: 'Animation player' });
  await panel.getByLabel('Motion').selectOption('zoom-in');
  await panel.getByLabel('Frames', { exact: true }).fill('9');
  await panel.getByLabel('Cadence').fill('2');
  await panel.getByRole('button', { name: 'Animate' }).click();
  await expect(player.getByTestId('animation-player')).toHaveAttribute('data-frames', '9', { timeout: 120_000 });
  await ready(page);

  // Consecutive frames are close (coherent), the clip as a whole moves.
  const first = await showFrame(page, 0);
  const second = await showFrame(page, 1);
  const last = await showFrame(page, 8);
  expect(meanAbsDiff(first, second)).toBeGreaterThan(0);
  expect(meanAbsDiff(first, second)).toBeLessThan(meanAbsDiff(first, last));

  // Play advances the frames by itself.
  await player.getByRole('button', { name: 'Play' }).click();
  await expect(player.getByTestId('animation-player')).not.toHaveAttribute('data-frame', '8');
  await player.getByRole('button', { name: 'Pause' }).click();

  for (const [format, magic] of [
    ['webm', [0x1a, 0x45, 0xdf, 0xa3]], // EBML header
    ['mp4', [0x66, 0x74, 0x79, 0x70]], // "ftyp" at byte 4
  ] as const) {
    await player.getByLabel('Video').selectOption(format);
    const download = page.waitForEvent('download');
    await player.getByRole('button', { name: 'Export video' }).click();
    const file = await download;
    expect(file.suggestedFilename()).toBe(`kandinsky-42.${format}`);
    const bytes = readFileSync((await file.path())!);
    const at = format === 'webm' ? 0 : 4;
    expect(Array.from(bytes.subarray(at, at + 4))).toEqual(magic);
    expect(bytes.length).toBeGreaterThan(1000);
  }

  // A long, large export can be cancelled: no file, and the panel is usable again.
  await panel.getByLabel('Frames', { exact: true }).fill('60');
  await panel.getByLabel('Cadence').fill('8');
  await panel.getByRole('button', { name: 'Animate' }).click();
  await expect(player.getByTestId('animation-player')).toHaveAttribute('data-frames', '60', { timeout: 120_000 });
  await ready(page);
  await player.getByLabel('Scale').selectOption('8');
  let downloaded = false;
  page.on('download', () => (downloaded = true));
  await player.getByRole('button', { name: 'Export video' }).click();
  await expect(player.getByTestId('export-progress')).toBeVisible();
  await player.getByRole('button', { name: 'Cancel export' }).click();
  await expect(player.getByTestId('export-progress')).toHaveCount(0);
  await expect(player.getByRole('button', { name: 'Export video' })).toBeEnabled();
  expect(downloaded).toBe(false);
});

test('infinite zoom: outpainted keyframes, each holding the one before in its centre', async ({ page }) => {
  await page.goto('/?ep=wasm');
  await ready(page);
  await page.getByRole('tab', { name: 'Animate' }).click();
  const panel = page.getByRole('region', { name: 'Animation', exact: true });
  const player = page.getByRole('region', { name: 'Animation player' });
  await panel.getByLabel('Motion').selectOption('infinite-zoom');
  await panel.getByLabel('Keyframes').fill('2');
  await panel.getByLabel('Frames per keyframe').fill('4');
  await panel.getByRole('button', { name: 'Animate' }).click();
  await expect(player.getByTestId('animation-player')).toHaveAttribute('data-frames', '9', { timeout: 180_000 });
  await ready(page);
  const first = await showFrame(page, 0);
  const middle = await showFrame(page, 4); // the first outpainted keyframe, whole
  // Its centre half is the first frame shrunk to half: compare 2×2 means of frame 0 with it.
  let diff = 0;
  for (let y = 0; y < 32; y++) {
    for (let x = 0; x < 32; x++) {
      for (let c = 0; c < 3; c++) {
        const shrunk =
          [0, 1]
            .flatMap((dy) => [0, 1].map((dx) => first[4 * ((2 * y + dy) * 64 + 2 * x + dx) + c]!))
            .reduce((a, b) => a + b) / 4;
        diff += Math.abs(shrunk - middle[4 * ((y + 16) * 64 + x + 16) + c]!);
      }
    }
  }
  expect(diff / (32 * 32 * 3)).toBeLessThan(1); // kept bit for bit by the blend mask, up to rounding
  // The border is new: it is not the stretched edge of the old image everywhere.
  expect(meanAbsDiff(first, middle)).toBeGreaterThan(5);
});
