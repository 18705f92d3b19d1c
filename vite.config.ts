import { createHash } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { defineConfig, type Plugin } from 'vite';

/**
 * Builds src/sw.ts as /sw.js (a fixed name, so browsers find updates) and injects the list of
 * every emitted file and a version hash into it, so the service worker precaches exactly the
 * build it belongs to (shell, bundles, worker, core.wasm, manifest and icons).
 */
function serviceWorker(): Plugin {
  return {
    name: 'trustpoint-service-worker',
    apply: 'build',
    generateBundle(_opts, bundle) {
      const sw = Object.values(bundle).find((f) => f.type === 'chunk' && f.name === 'sw');
      if (!sw || sw.type !== 'chunk') this.error('sw chunk missing');
      const publicFiles = (readdirSync('public', { recursive: true, withFileTypes: true }) as import('node:fs').Dirent[])
        .filter((d) => d.isFile())
        .map((d) => `${d.parentPath.replace(/^public\/?/, '')}${d.parentPath === 'public' ? '' : '/'}${d.name}`);
      const files = [...Object.keys(bundle), ...publicFiles]
        .filter((f) => f !== sw.fileName && !f.endsWith('.map') && f !== 'index.html')
        .sort();
      const version = createHash('sha256').update(files.join('\n')).update(JSON.stringify(Object.values(bundle).map((f) => (f.type === 'chunk' ? f.code.length : 0)))).digest('hex').slice(0, 16);
      const before = sw.code;
      // The minifier may fold the markers into template literals: replace the array marker with
      // its quotes, and the version marker wherever it stands.
      sw.code = sw.code.replace(/([`"'])__TP_PRECACHE__\1/, JSON.stringify(files)).replaceAll('__TP_VERSION__', version);
      if (sw.code === before || sw.code.includes('__TP_')) this.error('could not inject the precache list into sw.js: ' + sw.code.slice(0, 400));
    },
  };
}

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
  worker: { format: 'es' },
  preview: { host: '127.0.0.1', port: Number(process.env.PORT ?? 4173), strictPort: true },
  server: { host: '127.0.0.1', port: 5173 },
  plugins: [serviceWorker()],
});
