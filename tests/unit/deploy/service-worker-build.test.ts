/**
 * Issue 12, defect 2: the service worker's version must change whenever any file it serves
 * changes — index.html and the files from public/ included — or a release that changes only
 * those (a CSP <meta>, an icon) never reaches installed clients. Real Vite builds of a small
 * app with the real plugin (scripts/vite/service-worker.ts) and the real src/sw.ts.
 */
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { build } from 'vite';
import { precacheVersion, serviceWorker } from '../../../scripts/vite/service-worker.ts';

const SW = fileURLToPath(new URL('../../../src/sw.ts', import.meta.url));
let root: string;

const INDEX = '<!doctype html><html><head><meta charset="utf-8"><title>t</title><script type="module" src="./main.js"></script></head><body></body></html>';

async function buildApp(): Promise<{ version: string; precache: string[]; sw: string }> {
  const outDir = join(root, 'dist');
  await build({
    root,
    configFile: false,
    logLevel: 'silent',
    base: './',
    build: {
      outDir,
      emptyOutDir: true,
      rollupOptions: {
        input: { index: join(root, 'index.html'), sw: SW },
        output: { entryFileNames: (c) => (c.name === 'sw' ? 'sw.js' : 'assets/[name]-[hash].js') },
      },
    },
    plugins: [serviceWorker()],
  });
  const sw = readFileSync(join(outDir, 'sw.js'), 'utf8');
  const version = /trustpoint-([0-9a-f]{16})/.exec(sw)?.[1];
  const precache = JSON.parse([...sw.matchAll(/\["[^\]]*\]/g)].map((m) => m[0]).find((a) => a.includes('"manifest.webmanifest"')) ?? 'null') as string[];
  if (!version) throw new Error('no version in sw.js: ' + sw);
  return { version, precache, sw };
}

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'tp-swbuild-'));
  writeFileSync(join(root, 'index.html'), INDEX);
  writeFileSync(join(root, 'main.js'), 'document.title = "app";\n');
  mkdirSync(join(root, 'public', 'icons'), { recursive: true });
  writeFileSync(join(root, 'public', 'manifest.webmanifest'), '{"name":"t"}');
  cpSync(fileURLToPath(new URL('../../../public/icons/icon-192.png', import.meta.url)), join(root, 'public', 'icons', 'icon-192.png'));
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('service worker version (scripts/vite/service-worker.ts)', () => {
  it('precaches every emitted and public file, and the version follows the content of index.html and public/', async () => {
    const first = await buildApp();
    expect(first.precache).toEqual(expect.arrayContaining(['manifest.webmanifest', 'icons/icon-192.png']));
    expect(first.precache.some((f) => /^assets\/main-.*\.js$/.test(f) || /^assets\/index-.*\.js$/.test(f))).toBe(true);
    expect(first.precache).not.toContain('sw.js');
    expect(first.precache).not.toContain('index.html'); // precached as the shell './'
    expect(/cache:\s*["'`]reload["'`]/.test(first.sw)).toBe(true);
    expect(/ignoreVary:\s*(!0|true)/.test(first.sw)).toBe(true);

    // the same sources give the same version
    expect((await buildApp()).version).toBe(first.version);

    // only index.html changes (say, its Content-Security-Policy)
    writeFileSync(join(root, 'index.html'), INDEX.replace('<title>t</title>', '<title>t</title><meta name="x" content="1">'));
    const html = await buildApp();
    expect(html.version).not.toBe(first.version);
    expect(html.precache).toEqual(first.precache);

    // only an icon in public/ changes (same name, same size)
    const icon = join(root, 'public', 'icons', 'icon-192.png');
    const png = readFileSync(icon);
    png[png.length - 20]! ^= 1;
    writeFileSync(icon, png);
    const pub = await buildApp();
    expect(pub.version).not.toBe(html.version);
    expect(pub.precache).toEqual(first.precache);
  }, 60_000);

  it('precacheVersion: names and contents both count, order does not', () => {
    const a = precacheVersion([{ name: 'a', content: 'x' }, { name: 'b', content: 'y' }]);
    expect(precacheVersion([{ name: 'b', content: 'y' }, { name: 'a', content: 'x' }])).toBe(a);
    expect(precacheVersion([{ name: 'a', content: 'x' }, { name: 'b', content: 'z' }])).not.toBe(a);
    expect(precacheVersion([{ name: 'a', content: 'x' }, { name: 'c', content: 'y' }])).not.toBe(a);
    expect(a).toMatch(/^[0-9a-f]{16}$/);
  });
});
