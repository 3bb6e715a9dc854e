// axe on each main view of the workspace (generate, canvas, history, animation, settings), at a desktop
// size in the light theme and a phone size in the dark one: no serious or critical violations. The
// animation player's controls get room too (each control at least 24 px, none overlapping).
import AxeBuilder from '@axe-core/playwright';
import { expect, test, type Page } from '@playwright/test';
import { moreOptions, openSettings, ready } from './page-helpers';

async function expectAccessible(page: Page, view: string) {
  const { violations } = await new AxeBuilder({ page })
    .withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'])
    .analyze();
  const serious = violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${view}: ${v.id} (${v.impact}): ${v.help} at ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
  expect(serious).toEqual([]);
}

/** Every control at least 24×24 px (WCAG 2.2's target size), inside the region, and none overlapping. */
async function expectRoomy(page: Page, selector: string) {
  const problems = await page.locator(selector).evaluate((region) => {
    const outer = region.getBoundingClientRect();
    const controls = Array.from(region.querySelectorAll('button, select, input, a')).map((c) => ({
      name: c.getAttribute('aria-label') ?? c.textContent?.trim() ?? c.tagName,
      r: c.getBoundingClientRect(),
    }));
    const found: string[] = [];
    for (const [i, a] of controls.entries()) {
      if (a.r.width < 24 || a.r.height < 24) found.push(`${a.name} is ${a.r.width}×${a.r.height}`);
      if (a.r.left < outer.left - 1 || a.r.right > outer.right + 1) found.push(`${a.name} spills out`);
      for (const b of controls.slice(i + 1)) {
        const overlap = a.r.left < b.r.right && b.r.left < a.r.right && a.r.top < b.r.bottom && b.r.top < a.r.bottom;
        if (overlap) found.push(`${a.name} overlaps ${b.name}`);
      }
    }
    return found;
  });
  expect(problems).toEqual([]);
}

for (const size of [
  { name: 'desktop, light', viewport: { width: 1280, height: 800 }, colorScheme: 'light' as const },
  { name: 'phone, dark', viewport: { width: 390, height: 844 }, colorScheme: 'dark' as const },
]) {
  test.describe(size.name, () => {
    test.use({ viewport: size.viewport, colorScheme: size.colorScheme });

    test(`every view passes axe (${size.name})`, async ({ page }) => {
      await page.goto('/?ep=wasm');
      await ready(page);
      await page.getByRole('button', { name: 'Generate' }).click();
      await expect(page.getByTestId('history-entry')).toHaveCount(1, { timeout: 120_000 });
      await ready(page);
      await expectAccessible(page, 'generate');
      await moreOptions(page);
      await expectAccessible(page, 'generate, more options');

      await page.getByRole('button', { name: 'Actions for seed 42' }).click();
      await expect(page.getByRole('menu')).toBeVisible();
      await expectAccessible(page, 'history, with its menu');
      await page.keyboard.press('Escape');
      await expect(page.getByRole('menu')).toHaveCount(0);

      await page.getByRole('button', { name: 'Edit on canvas' }).click();
      await expect(page.getByTestId('canvas-viewport')).toBeVisible();
      await expectAccessible(page, 'canvas');
      await page.getByRole('button', { name: 'Close canvas' }).click();

      await page.getByRole('tab', { name: 'Animate' }).click();
      const controls = page.getByRole('region', { name: 'Animation', exact: true });
      await controls.getByLabel('Frames', { exact: true }).fill('3');
      await controls.getByRole('button', { name: 'Animate' }).click();
      await expect(page.getByTestId('animation-player')).toHaveAttribute('data-frames', '3', { timeout: 120_000 });
      await ready(page);
      await expectAccessible(page, 'animation');
      await expectRoomy(page, '.animation-player');
      await page.getByRole('tab', { name: 'Create' }).click();

      await openSettings(page);
      await expectAccessible(page, 'settings');
    });
  });
}
