import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

/** Builds the benchmark page (bench/page) against the release core into bench/tmp/dist. */
export default defineConfig({
  root: fileURLToPath(new URL('./page/', import.meta.url)),
  base: './',
  logLevel: 'warn',
  build: {
    outDir: fileURLToPath(new URL('./tmp/dist/', import.meta.url)),
    emptyOutDir: true,
    target: 'es2022',
    assetsInlineLimit: 0,
    minify: true,
  },
  worker: { format: 'es' },
});
