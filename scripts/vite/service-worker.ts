/**
 * Vite plugin: builds src/sw.ts as /sw.js (a fixed name, so browsers find updates) and injects
 * the list of every emitted file and a version into it, so the service worker precaches exactly
 * the build it belongs to (shell, bundles, worker, core.wasm, manifest and icons).
 *
 * The version is a hash of the CONTENT of every file the worker serves — index.html and the
 * files copied from public/ included — so a release that changes only the page (say its
 * Content-Security-Policy) or an icon still installs as a new version on every client.
 */
import { createHash } from 'node:crypto';
import { readFileSync, readdirSync, type Dirent } from 'node:fs';
import { join, relative, sep } from 'node:path';
import type { Plugin } from 'vite';

export interface PrecacheFile {
  name: string;
  content: string | Uint8Array;
}

/** The version of a set of files: SHA-256 over every name and the SHA-256 of its content (16 hex digits). */
export function precacheVersion(files: readonly PrecacheFile[]): string {
  const h = createHash('sha256');
  for (const f of [...files].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    h.update(f.name).update('\0').update(createHash('sha256').update(f.content).digest()).update('\n');
  }
  return h.digest('hex').slice(0, 16);
}

function publicFiles(dir: string): PrecacheFile[] {
  let entries: Dirent[];
  try {
    entries = readdirSync(dir, { recursive: true, withFileTypes: true }) as Dirent[];
  } catch {
    return [];
  }
  return entries
    .filter((d) => d.isFile())
    .map((d) => {
      const path = join(d.parentPath, d.name);
      return { name: relative(dir, path).split(sep).join('/'), content: readFileSync(path) };
    });
}

export function serviceWorker(): Plugin {
  let publicDir = '';
  return {
    name: 'trustpoint-service-worker',
    apply: 'build',
    // after Vite has emitted index.html into the bundle
    enforce: 'post',
    configResolved(config) {
      publicDir = config.publicDir;
    },
    generateBundle(_opts, bundle) {
      const sw = Object.values(bundle).find((f) => f.type === 'chunk' && f.name === 'sw');
      if (!sw || sw.type !== 'chunk') this.error('sw chunk missing');
      const served: PrecacheFile[] = [];
      for (const f of Object.values(bundle)) {
        if (f.fileName === sw.fileName || f.fileName.endsWith('.map')) continue;
        served.push({ name: f.fileName, content: f.type === 'chunk' ? f.code : f.source });
      }
      const fromPublic = publicDir ? publicFiles(publicDir) : [];
      served.push(...fromPublic.filter((p) => !served.some((s) => s.name === p.name)));
      // index.html is precached as the shell ('./'), not under its own name.
      const files = served.map((f) => f.name).filter((n) => n !== 'index.html').sort();
      const version = precacheVersion(served);
      const before = sw.code;
      // The minifier may fold the markers into template literals: replace the array marker with
      // its quotes, and the version marker wherever it stands.
      sw.code = sw.code.replace(/([`"'])__TP_PRECACHE__\1/, JSON.stringify(files)).replaceAll('__TP_VERSION__', version);
      if (sw.code === before || sw.code.includes('__TP_')) this.error('could not inject the precache list into sw.js: ' + sw.code.slice(0, 400));
    },
  };
}
