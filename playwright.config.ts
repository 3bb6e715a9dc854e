import { defineConfig } from '@playwright/test';

import { chromiumArgs, chromiumPath } from './e2e/chromium-launch';

export default defineConfig({
  testDir: 'e2e',
  // SwiftShader WebGPU takes both cores and is ~100× slower than wasm: one test at a time, long limits.
  workers: 1,
  timeout: 10 * 60_000,
  expect: { timeout: 60_000 },
  reporter: [['list']],
  use: {
    baseURL: 'http://127.0.0.1:4173',
    // The upscaler off: the specs compare the model's own pictures (references, masks, sizes at 64 px).
    // e2e/upscaler.spec.ts starts without this, with the upscaler on, as a user does.
    storageState: {
      cookies: [],
      origins: [
        {
          origin: 'http://127.0.0.1:4173',
          localStorage: [{ name: 'kandinsky-web:upscale-results', value: 'false' }],
        },
      ],
    },
    browserName: 'chromium',
    headless: true,
    launchOptions: { executablePath: chromiumPath, args: chromiumArgs },
  },
  webServer: [
    {
      command: 'npx vite preview',
      url: 'http://127.0.0.1:4173',
      reuseExistingServer: !process.env.CI,
      timeout: 60_000,
    },
    {
      // Another origin serving packs with CORS and byte ranges (and slow or dropped connections on request).
      command: 'node e2e/pack-server.mjs',
      url: 'http://127.0.0.1:4174/__log',
      reuseExistingServer: !process.env.CI,
      timeout: 30_000,
    },
  ],
});
