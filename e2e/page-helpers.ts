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
