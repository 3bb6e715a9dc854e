// A browser with neither WebAssembly nor WebGPU gets a screen that says so, not a broken page.
// Chromium cannot be started without WebAssembly, so the engine is told to ignore both back ends;
// the decision itself is unit-tested in workers/runtime/choose-backend.test.ts.
import { expect, test } from '@playwright/test';

test('no usable back end: a clear screen says what is missing', async ({ page }) => {
  await page.goto('/?simulate=no-webgpu,no-wasm');
  await expect(page.getByRole('heading', { name: 'This browser cannot run Kandinsky Web' })).toBeVisible();
  await expect(page.getByRole('alert')).toContainText('no WebGPU (simulated)');
  await expect(page.getByRole('alert')).toContainText('no WebAssembly');
});

test('a forced back end that is missing says so', async ({ page }) => {
  await page.goto('/?ep=webgpu&simulate=no-webgpu');
  await expect(page.getByRole('alert')).toContainText('WebGPU was asked for but');
});
