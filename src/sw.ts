/// <reference lib="webworker" />
/**
 * The service worker: precaches the app shell, the bundles and core.wasm at install, serves
 * them cache-first (so the app starts offline), and swaps to a new version only when the page
 * asks (the "new version — reload" banner). Cross-origin requests (CAs, proxies) are never
 * touched. The precache list and version are injected at build time (scripts/vite/service-worker.ts):
 * the version is a hash of the content of every precached file, index.html and public/ included.
 *
 * Two rules make it work on any server:
 * - install fetches with `cache: 'reload'`, past the HTTP cache: a host that lets browsers cache
 *   index.html or an icon must not make a new version precache the old file;
 * - lookups ignore `Vary`: precached entries are stored from the worker's own requests, while
 *   the page's module scripts are CORS-mode requests carrying `Origin`; servers that answer
 *   with `Vary: Origin` (`vite preview`, i.e. `npm start`) would otherwise never match them and
 *   the app would not start offline. The URL alone names a precached file.
 */
import { RENEW_TAG, renewInBackground } from './sw-renew.ts';
declare const self: ServiceWorkerGlobalScope;

const PRECACHE = '__TP_PRECACHE__' as unknown as string[];
const VERSION = '__TP_VERSION__';
const CACHE = `trustpoint-${VERSION}`;
const SHELL = './';

// A violation of the worker's own policy (deploy/csp.ts) is told to the open pages, which log it
// on their console (main.ts), where the page's own reports go.
self.addEventListener('securitypolicyviolation', (event) => {
  const e = event as SecurityPolicyViolationEvent;
  const text = `Content-Security-Policy violation in the service worker: ${e.effectiveDirective} blocked ${e.blockedURI || '(inline)'}`;
  console.error(text);
  void self.clients.matchAll({ includeUncontrolled: true }).then((clients) => {
    for (const c of clients) c.postMessage({ type: 'csp-violation', text });
  });
});

self.addEventListener('install', (event) => {
  event.waitUntil(
    (async () => {
      const cache = await caches.open(CACHE);
      await cache.addAll([SHELL, ...PRECACHE].map((url) => new Request(url, { cache: 'reload' })));
    })(),
  );
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    (async () => {
      for (const key of await caches.keys()) if (key.startsWith('trustpoint-') && key !== CACHE) await caches.delete(key);
      await self.clients.claim();
    })(),
  );
});

self.addEventListener('message', (event) => {
  const type = (event.data as { type?: string } | null)?.type;
  if (type === 'SKIP_WAITING') void self.skipWaiting();
  // Tests (and a page that wants it) may ask for a background renewal run and get its log back.
  if (type === 'RUN_RENEWALS') event.waitUntil(renewInBackground(self).then((log) => event.source?.postMessage({ type: 'RENEWALS_DONE', log })));
});

/** Periodic Background Sync: due renewals while the app is closed (sw-renew.ts). */
self.addEventListener('periodicsync', (event) => {
  const e = event as ExtendableEvent & { tag?: string };
  if (e.tag === RENEW_TAG) e.waitUntil(renewInBackground(self).catch((err) => console.error('trustpoint: background renewal failed', err)));
});

self.addEventListener('fetch', (event) => {
  const req = event.request;
  if (req.method !== 'GET') return;
  const url = new URL(req.url);
  if (url.origin !== self.location.origin) return;
  event.respondWith(
    (async () => {
      const cache = await caches.open(CACHE);
      if (req.mode === 'navigate') {
        const shell = await cache.match(SHELL, { ignoreVary: true });
        if (shell) return shell;
        return fetch(req);
      }
      const hit = await cache.match(req, { ignoreVary: true, ignoreSearch: url.pathname.endsWith('.webmanifest') });
      return hit ?? fetch(req);
    })(),
  );
});
