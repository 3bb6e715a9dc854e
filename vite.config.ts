import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';
import { VitePWA } from 'vite-plugin-pwa';

// Cross-origin isolation makes SharedArrayBuffer (wasm threads) available; the production host must
// send the same two headers.
const crossOriginIsolation = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};

// Installable, offline app: the service worker precaches the shell, the engine worker and ORT's two
// wasm runtimes (the plain CPU one, 14 MB, and the WebGPU one, 27 MB, hence the raised size limit), plus
// each bundled pack's manifest and tokenizer. Pack weights are not precached: they live in IndexedDB (workers/pack/chunk-store.ts), stored on first use.
const pwa = VitePWA({
  registerType: 'prompt', // updates wait for the user's "Reload", never swapped in mid-generation
  injectRegister: false, // src/components/UpdatePrompt.tsx registers it
  includeAssets: ['favicon.svg'],
  manifest: {
    name: 'Kandinsky Web',
    short_name: 'Kandinsky',
    description: 'Kandinsky 3 image generation that runs entirely in your browser, offline.',
    theme_color: '#ffffff',
    background_color: '#ffffff',
    display: 'standalone',
    start_url: '.',
    icons: [
      { src: 'icons/icon-192.png', sizes: '192x192', type: 'image/png' },
      { src: 'icons/icon-512.png', sizes: '512x512', type: 'image/png' },
      { src: 'icons/maskable-512.png', sizes: '512x512', type: 'image/png', purpose: 'maskable' },
    ],
  },
  workbox: {
    globPatterns: [
      '**/*.{js,mjs,css,html,wasm,svg,png,webmanifest}',
      'models/*/manifest.json',
      'models/*/tokenizer.json',
    ],
    globIgnores: ['**/*.onnx', 'bench.html', 'assets/bench-*.js'],
    maximumFileSizeToCacheInBytes: 64 * 1024 * 1024,
    navigateFallback: 'index.html',
    navigateFallbackDenylist: [/^\/models\//],
    clientsClaim: true, // the first visit's page is controlled at once, so it can go offline without a reload
    cleanupOutdatedCaches: true,
  },
});

export default defineConfig({
  plugins: [react(), pwa],
  // Pre-bundling ORT rewrites its wasm URL and, found late in the worker, reloads the dev page mid-run.
  optimizeDeps: { exclude: ['onnxruntime-web'], include: ['comlink'] },
  worker: { format: 'es' },
  server: { host: '127.0.0.1', port: 5173, strictPort: true, headers: crossOriginIsolation },
  preview: { host: '127.0.0.1', port: 4173, strictPort: true, headers: crossOriginIsolation },
  build: {
    target: 'es2022',
    chunkSizeWarningLimit: 1024,
    // bench.html: the page `npm run bench` drives (the engine without the UI); not part of the offline app.
    rollupOptions: { input: { main: 'index.html', bench: 'bench.html' } },
  },
});
