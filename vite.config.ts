import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// Cross-origin isolation makes SharedArrayBuffer (wasm threads) available; the production host must
// send the same two headers.
const crossOriginIsolation = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};

export default defineConfig({
  plugins: [react()],
  // Pre-bundling ORT rewrites its wasm URL and, found late in the worker, reloads the dev page mid-run.
  optimizeDeps: { exclude: ['onnxruntime-web'], include: ['comlink'] },
  worker: { format: 'es' },
  server: { host: '127.0.0.1', port: 5173, strictPort: true, headers: crossOriginIsolation },
  preview: { host: '127.0.0.1', port: 4173, strictPort: true, headers: crossOriginIsolation },
  build: { target: 'es2022', chunkSizeWarningLimit: 1024 },
});
