// Edge guidance (ControlNet) on the real engine with the bundled nano pack: a drawing and a picture's
// edges each steer the image, the hint shown is the one used, and a missing hint is refused by name.
import { expect, test } from '@playwright/test';
import { generated, meanAbsDiff, moreOptions, ready } from './page-helpers';
import { sobelEdges } from '../shared/edge-map';

/** Pearson r between the edge maps of two 64×64 RGBA images. */
function edgeCorrelation(a: number[], b: number[]): number {
  const [ea, eb] = [a, b].map((p) => {
    const e = sobelEdges(Uint8ClampedArray.from(p), 64, 64);
    return Array.from({ length: 64 * 64 }, (_, i) => e[4 * i]!);
  });
  const mean = (v: number[]) => v.reduce((s, x) => s + x, 0) / v.length;
  const [ma, mb] = [mean(ea!), mean(eb!)];
  let [ab, aa, bb] = [0, 0, 0];
  for (let i = 0; i < ea!.length; i++) {
    ab += (ea![i]! - ma) * (eb![i]! - mb);
    aa += (ea![i]! - ma) ** 2;
    bb += (eb![i]! - mb) ** 2;
  }
  return ab / Math.sqrt(aa * bb);
}

test('a drawing steers the image; the drawing pad shows the hint; missing hints are refused by name', async ({
  page,
}) => {
  await page.goto('/?ep=wasm');
  await ready(page);
  await moreOptions(page);
  const plain = await generated(page);

  await page.getByLabel('Follow edges (ControlNet)').check();
  // Nothing drawn yet: generating says what is missing instead of running.
  await page.getByRole('button', { name: 'Generate' }).click();
  await expect(page.getByRole('alert')).toContainText('Edge guidance needs a drawing');

  // A circle drawn on the pad.
  const pad = page.getByTestId('edge-hint');
  await pad.scrollIntoViewIfNeeded(); // page.mouse works in viewport coordinates
  const box = (await pad.boundingBox())!;
  const [cx, cy, r] = [box.x + box.width / 2, box.y + box.height / 2, box.width * 0.3];
  await page.mouse.move(cx + r, cy);
  await page.mouse.down();
  for (let a = 0; a <= 64; a++) {
    await page.mouse.move(cx + r * Math.cos((a / 64) * 2 * Math.PI), cy + r * Math.sin((a / 64) * 2 * Math.PI));
  }
  await page.mouse.up();
  // The pad is the hint at the image's size: white strokes on black.
  const hint = await pad.evaluate((c: HTMLCanvasElement) => {
    const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
    let white = 0;
    for (let i = 0; i < d.length; i += 4) if (d[i]! > 200) white++;
    return { width: c.width, white, pixels: d.length / 4 };
  });
  expect(hint.width).toBe(64);
  expect(hint.white).toBeGreaterThan(0.05 * hint.pixels);
  expect(hint.white).toBeLessThan(0.5 * hint.pixels);

  const guided = await generated(page);
  expect(meanAbsDiff(plain, guided)).toBeGreaterThan(2);

  // Strength 0 gives back the unguided image exactly (the ControlNet does not run).
  await page.getByLabel(/^Edge strength/).fill('0');
  const off = await generated(page);
  expect(meanAbsDiff(plain, off)).toBe(0);
});

test("a picture's edges: the current image's edge map steers a new prompt towards its layout", async ({ page }) => {
  await page.goto('/?ep=wasm');
  await ready(page);
  await moreOptions(page);
  const first = await generated(page); // red apple, 3d style
  await page.getByLabel('Follow edges (ControlNet)').check();
  await page.getByLabel('Edges of a picture').check();
  await page.getByRole('button', { name: 'Use the current image' }).click();
  const edges = await page.getByTestId('edge-hint').evaluate((c: HTMLCanvasElement) => {
    const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
    let sum = 0;
    for (let i = 0; i < d.length; i += 4) sum += d[i]!;
    return sum / (d.length / 4);
  });
  expect(edges).toBeGreaterThan(5); // an emoji has outlines

  await page.getByLabel('Prompt').fill('cat face, noto style');
  await page.getByRole('spinbutton', { name: 'Seed' }).fill('7');
  const guided = await generated(page);
  await page.getByLabel('Follow edges (ControlNet)').uncheck();
  const free = await generated(page);
  // The guided cat keeps the apple's outline: its edges correlate with the apple's far more than the
  // free cat's do.
  const [withEdges, without] = [edgeCorrelation(first, guided), edgeCorrelation(first, free)];
  test.info().annotations.push({ type: 'edge correlation', description: `guided ${withEdges}, free ${without}` });
  expect(withEdges).toBeGreaterThan(without + 0.1);
  expect(meanAbsDiff(guided, free)).toBeGreaterThan(2);
});
