// Vite build of the dispatcher console. `npm run build:web` → command-ui/web/dist, served by the hub at `/`.
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const root = fileURLToPath(new URL('.', import.meta.url));

export default defineConfig({
  root,
  base: '/',
  publicDir: false,
  build: {
    outDir: fileURLToPath(new URL('./dist', import.meta.url)),
    emptyOutDir: true,
    target: 'es2022',
    // maplibre-gl alone is ~1 MB minified; it is one cached file, so do not warn about it.
    chunkSizeWarningLimit: 1500,
    sourcemap: false,
    // the console, the review pages (printable incident report, replay), the daily supervision board and
    // the phone inspection page (docs/prepare.md)
    rollupOptions: {
      input: {
        main: fileURLToPath(new URL('./index.html', import.meta.url)),
        review: fileURLToPath(new URL('./review.html', import.meta.url)),
        supervise: fileURLToPath(new URL('./supervise.html', import.meta.url)),
        inspect: fileURLToPath(new URL('./inspect.html', import.meta.url)),
      },
    },
  },
  server: {
    // `npx vite --config command-ui/web/vite.config.ts` during development: the hub runs on 8080.
    proxy: {
      '/api': 'http://127.0.0.1:8080',
      '/socket.io': { target: 'http://127.0.0.1:8080', ws: true },
    },
  },
});
