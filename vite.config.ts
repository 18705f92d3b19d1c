import { defineConfig } from 'vite';
import { serviceWorker } from './scripts/vite/service-worker.ts';
import { contentSecurityPolicy } from './scripts/vite/csp.ts';

export default defineConfig({
  base: './',
  build: {
    target: 'es2022',
    sourcemap: true,
    assetsInlineLimit: 0,
    rollupOptions: {
      input: { index: 'index.html', sw: 'src/sw.ts' },
      output: {
        entryFileNames: (chunk) => (chunk.name === 'sw' ? 'sw.js' : 'assets/[name]-[hash].js'),
      },
    },
  },
  worker: {
    format: 'es',
    // assets/worker-*.js: the servers give the core worker its own policy by this name (deploy/csp.ts).
    rollupOptions: { output: { entryFileNames: 'assets/worker-[name]-[hash].js' } },
  },
  preview: { host: '127.0.0.1', port: Number(process.env.PORT ?? 4173), strictPort: true },
  server: { host: '127.0.0.1', port: 5173 },
  plugins: [serviceWorker(), contentSecurityPolicy()],
});
