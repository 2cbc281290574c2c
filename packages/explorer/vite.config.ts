/**
 * Builds the explorer's web UI (src/ui) into dist/ui, which the explorer
 * serves. `npm run build:ui -w packages/explorer`; `npx vite` in this folder
 * serves it with hot reload, proxying /api to a running explorer.
 */
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const here = fileURLToPath(new URL('.', import.meta.url));

export default defineConfig({
  root: `${here}src/ui`,
  base: '/',
  esbuild: { jsx: 'automatic', jsxImportSource: 'preact' },
  build: {
    outDir: `${here}dist/ui`,
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: true,
  },
  server: {
    port: 5173,
    proxy: { '/api': process.env.TRACEWIRE_API ?? 'http://127.0.0.1:16686' },
  },
});
