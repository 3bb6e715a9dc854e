// Image fusion (IP-Adapter) on the real engine with the bundled nano pack: the current image steers an
// empty prompt towards a variation of it, pictures from files mix by weight, strength 0 and weight 0 are
// exact no-ops, and fusion without a picture is refused by name.
import { expect, test, type Page } from '@playwright/test';
import { generated, meanAbsDiff, moreOptions, ready } from './page-helpers';

/** Mean colour of each 8×8 block of a 64×64 RGBA image: the layout and palette, not the texture. */
function blockColours(pixels: number[]): number[] {
  const out: number[] = [];
  for (let by = 0; by < 8; by++) {
    for (let bx = 0; bx < 8; bx++) {
      for (let c = 0; c < 3; c++) {
        let sum = 0;
        for (let y = 0; y < 8; y++)
          for (let x = 0; x < 8; x++) sum += pixels[4 * ((by * 8 + y) * 64 + bx * 8 + x) + c]!;
        out.push(sum / 64);
      }
    }
  }
  return out;
}

const fusionPanel = (page: Page) => page.getByRole('group', { name: 'Image fusion' });

test('a variation: the current image steers an empty prompt; strength 0 is the plain image', async ({ page }) => {
  await page.goto('/?ep=wasm');
  await ready(page);
  await moreOptions(page);
  const reference = await generated(page); // the default prompt, an emoji

  await page.getByLabel('Take after pictures (image fusion)').check();
  // No picture yet: generating says what is missing instead of running.
  await page.getByRole('button', { name: 'Generate' }).click();
  await expect(page.getByRole('alert')).toContainText('Image fusion is on but has no reference picture');

  await fusionPanel(page).getByRole('button', { name: 'Use the current image' }).click();
  await expect(fusionPanel(page).getByRole('img', { name: /^Reference picture: image/ })).toBeVisible();

  await page.getByRole('textbox', { name: 'Prompt', exact: true }).fill('');
  let closer = 0;
  const seeds = [3, 11, 19];
  for (const seed of seeds) {
    await page.getByRole('spinbutton', { name: 'Seed' }).fill(String(seed));
    await page.getByLabel('Take after pictures (image fusion)').check();
    const variation = await generated(page);
    await page.getByLabel('Take after pictures (image fusion)').uncheck();
    const free = await generated(page);
    const toVariation = meanAbsDiff(blockColours(variation), blockColours(reference));
    const toFree = meanAbsDiff(blockColours(free), blockColours(reference));
    test.info().annotations.push({ type: `seed ${seed}`, description: `variation ${toVariation}, free ${toFree}` });
    if (toVariation < 0.75 * toFree) closer++;
    expect(meanAbsDiff(variation, free)).toBeGreaterThan(2);
  }
  // An empty prompt alone draws anything; with the picture, the image takes after it (measured on nano:
  // block-colour distance 25–29 to the picture with it, 57–79 without).
  expect(closer).toBe(seeds.length);

  // Strength 0: the image branch is off, so the image is the unguided one exactly.
  await page.getByLabel('Take after pictures (image fusion)').check();
  await page.getByLabel(/^Image strength/).fill('0');
  const off = await generated(page);
  await page.getByLabel('Take after pictures (image fusion)').uncheck();
  const plain = await generated(page);
  expect(meanAbsDiff(off, plain)).toBe(0);
});

/** A 64×64 PNG drawn in the page: a filled disc or square of a colour on white. */
async function pictureFile(page: Page, shape: 'disc' | 'square', colour: string, name: string) {
  const base64 = await page.evaluate(
    async ([shape, colour]) => {
      const canvas = new OffscreenCanvas(64, 64);
      const g = canvas.getContext('2d')!;
      g.fillStyle = '#fff';
      g.fillRect(0, 0, 64, 64);
      g.fillStyle = colour!;
      if (shape === 'disc') {
        g.beginPath();
        g.arc(32, 32, 22, 0, 2 * Math.PI);
        g.fill();
      } else g.fillRect(12, 12, 40, 40);
      const bytes = new Uint8Array(await (await canvas.convertToBlob({ type: 'image/png' })).arrayBuffer());
      return btoa(String.fromCharCode(...bytes));
    },
    [shape, colour],
  );
  return { name, mimeType: 'image/png', buffer: Buffer.from(base64, 'base64') };
}

test('pictures from files mix by weight; weight 0 and removing a picture agree', async ({ page }) => {
  await page.goto('/?ep=wasm');
  await ready(page);
  await moreOptions(page);
  await page.getByLabel('Take after pictures (image fusion)').check();
  const files = [
    await pictureFile(page, 'disc', '#e02020', 'red-disc.png'),
    await pictureFile(page, 'square', '#2040e0', 'blue-square.png'),
  ];
  await fusionPanel(page).getByLabel('Add pictures').setInputFiles(files);
  await expect(fusionPanel(page).getByRole('img', { name: 'Reference picture: red-disc.png' })).toBeVisible();
  await expect(fusionPanel(page).getByRole('img', { name: 'Reference picture: blue-square.png' })).toBeVisible();
  await page.getByRole('textbox', { name: 'Prompt', exact: true }).fill('');
  await page.getByRole('spinbutton', { name: 'Seed' }).fill('5');

  const mix = await generated(page);
  await fusionPanel(page)
    .getByLabel(/^Weight/)
    .nth(1)
    .fill('0');
  const discOnly = await generated(page);
  expect(meanAbsDiff(mix, discOnly)).toBeGreaterThan(1); // the square's share counted

  // Removing the square gives the same image as weighting it 0: its embedding left the sum exactly.
  await fusionPanel(page).getByRole('button', { name: 'Remove blue-square.png' }).click();
  await expect(fusionPanel(page).getByRole('img', { name: 'Reference picture: blue-square.png' })).toHaveCount(0);
  const removed = await generated(page);
  expect(meanAbsDiff(removed, discOnly)).toBe(0);

  // Weight 0 everywhere is refused by name rather than run as no fusion at all.
  await fusionPanel(page)
    .getByLabel(/^Weight/)
    .first()
    .fill('0');
  await page.getByRole('button', { name: 'Generate' }).click();
  await expect(page.getByRole('alert')).toContainText('Every reference picture has weight 0');
});
