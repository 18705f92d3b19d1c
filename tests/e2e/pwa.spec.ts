/**
 * The installable, offline-capable app, on the servers users run it on: the README's start
 * command (`npm start`: `vite preview`, which answers with `Vary: Origin`) and nginx with the
 * deployment configuration (deploy/nginx.conf: gzip, `Vary: Accept-Encoding`, long-cached
 * assets). Chromium finds the manifest and the service worker, reports the app installable,
 * starts it offline — with the server gone — with the configuration and the crypto core
 * intact, and offers a new version through the update banner.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from '@playwright/test';
import { expect, test, watchCsp, type Page } from '../pw.ts';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../chromium.ts';
import { DIST, cli, enableTestSeam, openApp, startApp } from './fixtures.ts';
import { startCommand, startNginx, type RunningServer } from './servers.ts';

/** The two ways the app is served here; each test gets its own server so it can stop it. */
const HOSTS: Record<string, () => Promise<RunningServer>> = {
  // The start command on the build the global setup made (BUILD=0: no second build).
  'npm start': () => startCommand({ build: false, timeoutMs: 30_000 }),
  'nginx (deploy/nginx.conf)': () => startNginx(DIST),
};

async function waitForController(page: Page) {
  await page.evaluate(async () => {
    await navigator.serviceWorker.ready;
    if (!navigator.serviceWorker.controller) await new Promise((r) => navigator.serviceWorker.addEventListener('controllerchange', r, { once: true }));
  });
}

for (const [host, serve] of Object.entries(HOSTS)) {
  test.describe(`served by ${host}`, () => {
    let server: RunningServer | undefined;
    test.afterEach(async () => {
      await server?.stop();
      server = undefined;
    });

    test('the browser finds the manifest and the service worker and deems the app installable', async () => {
      server = await serve();
      // A persistent profile: Chromium never offers installation from an incognito context.
      const profile = mkdtempSync(join(tmpdir(), 'tp-profile-'));
      const context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
      const csp = await watchCsp(context);
      try {
        const page = context.pages()[0] ?? (await context.newPage());
        const res = await page.goto(server.url);
        await page.waitForFunction(() => document.documentElement.dataset.ready === 'true' && !!window.trustpoint);
        // The policy arrives as a header from both servers (frame-ancestors works only there).
        expect(res!.headers()['content-security-policy']).toContain("frame-ancestors 'none'");
        await waitForController(page);
        const sw = await page.evaluate(async () => (await navigator.serviceWorker.ready).active?.scriptURL);
        expect(sw).toBe(server.url + 'sw.js');
        const cdp = await page.context().newCDPSession(page);
        const manifest = (await cdp.send('Page.getAppManifest')) as { url: string; errors: unknown[]; data?: string };
        expect(manifest.url).toBe(server.url + 'manifest.webmanifest');
        expect(manifest.errors).toEqual([]);
        const data = JSON.parse(manifest.data!);
        expect(data).toMatchObject({ name: expect.stringContaining('Trustpoint'), short_name: 'Trustpoint', display: 'standalone', start_url: './' });
        expect(data.icons.map((i: { sizes: string; purpose?: string }) => `${i.sizes}/${i.purpose ?? 'any'}`)).toEqual(expect.arrayContaining(['192x192/any', '512x512/any', '512x512/maskable']));
        expect(Object.values(data.file_handlers[0].accept).flat()).toEqual(expect.arrayContaining(['.pem', '.cer', '.crt', '.der', '.p7b', '.p12', '.pfx', '.csr']));
        const inst = (await cdp.send('Page.getInstallabilityErrors')) as { installabilityErrors: { errorId: string }[] };
        expect(inst.installabilityErrors).toEqual([]);
        // Every icon the manifest names is served as a PNG of the declared size.
        for (const icon of data.icons as { src: string; sizes: string }[]) {
          const r = await page.request.get(new URL(icon.src, server.url).href);
          expect(r.headers()['content-type']).toBe('image/png');
          const png = await r.body();
          expect(png.subarray(1, 4).toString()).toBe('PNG');
          expect(`${png.readUInt32BE(16)}x${png.readUInt32BE(20)}`).toBe(icon.sizes);
        }
        csp.check();
      } finally {
        await context.close();
        rmSync(profile, { recursive: true, force: true });
      }
    });

    test('after the first load the app starts offline — server gone — with its configuration and the WASM core', async ({ page, context }) => {
      server = await serve();
      await enableTestSeam(page);
      await openApp(page, server.url);
      await waitForController(page);
      // A second load, now controlled by the service worker, as a returning user's would be.
      await page.reload();
      await page.waitForFunction(() => document.documentElement.dataset.ready === 'true' && !!window.trustpoint);
      await cli(page, 'enable\nconf t\nhostname offline1\nend\nwrite memory');
      // Offline for real: the server is stopped, and the browser is told it is offline.
      await server.stop();
      server = undefined;
      await context.setOffline(true);
      const failed: string[] = [];
      page.on('requestfailed', (r) => failed.push(`${r.url()} ${r.failure()?.errorText ?? ''}`));
      await page.reload();
      await page.waitForFunction(() => document.documentElement.dataset.ready === 'true' && !!window.trustpoint, undefined, { timeout: 15_000 }).catch(() => {
        throw new Error(`the app did not start offline; failed requests:\n${failed.join('\n')}`);
      });
      const t = await cli(page, 'enable\nshow running-config');
      expect(t).toContain('hostname offline1');
      const sha = await page.evaluate(async () => {
        const c = await window.trustpoint!.core();
        const d = await c.digest('SHA-1', new TextEncoder().encode('abc'));
        return Array.from(d, (b) => b.toString(16).padStart(2, '0')).join('');
      });
      expect(sha).toBe('a9993e364706816aba3e25717850c26c9cd0d89d');
      await expect(page.locator('tp-app .chip').nth(2)).toHaveText('offline');
      // Nothing the app needs failed (the demo CA probe is not part of the app).
      expect(failed.filter((f) => !f.includes('demo-ca.json'))).toEqual([]);
    });

    test('kiosk mode opens offline with the last known state, and tries again once the network is back', async ({ page, context }) => {
      server = await serve();
      await enableTestSeam(page);
      await openApp(page, server.url);
      await waitForController(page);
      await page.reload();
      await page.waitForFunction(() => document.documentElement.dataset.ready === 'true' && !!window.trustpoint);
      const setup = await cli(
        page,
        [
          'enable',
          'configure terminal',
          'crypto pki trustpoint SELF',
          ' enrollment selfsigned',
          ' rsakeypair SELF 1024',
          ' serial-number none',
          ' ip-address none',
          ' exit',
          'crypto pki trustpoint KIO',
          ' enrollment url http://127.0.0.1:9/scep',
          ' password kiosk-secret',
          ' exit',
          'crypto pki enroll SELF',
          'yes',
          'end',
          'write memory',
        ].join('\n'),
      );
      expect(setup).toContain('Router Self Signed Certificate successfully created');
      const shown = await cli(page, 'show crypto pki certificates SELF');
      const until = /end {3}date: (.+)/.exec(shown)![1]!.trim();
      await server.stop();
      server = undefined;
      await context.setOffline(true);
      const url = page.url().replace(/\?.*$/, '');
      const toCa: string[] = [];
      page.on('request', (r) => {
        if (r.url().startsWith('http://127.0.0.1:9/')) toCa.push(r.url());
      });
      // a kiosk with a valid certificate: its state, from IndexedDB, with the server gone
      await page.goto(`${url}?kiosk=SELF`);
      const status = page.locator('tp-kiosk [data-kiosk-status]');
      await expect(status).toContainText('Certificate valid until');
      await expect(status).toContainText(`Certificate valid until ${until}`);
      await expect(page.locator('tp-kiosk [data-kiosk-offline]')).toHaveText('Offline: showing the last known state.');
      // one without a certificate: no attempt while offline, and it says when the next one is
      await page.goto(`${url}?kiosk=KIO`);
      await expect(status).toHaveText('No certificate yet');
      await expect(page.locator('tp-kiosk [data-kiosk-offline]')).toContainText('Enrollment is tried again as soon as the network is back.');
      await page.waitForTimeout(500);
      await expect(page.locator('tp-kiosk [data-kiosk-last]')).toHaveCount(0);
      expect(toCa).toEqual([]);
      // back online: the kiosk tries at once (the CA is not authenticated here, so it fails and says why)
      await context.setOffline(false);
      await expect(page.locator('tp-kiosk [data-kiosk-offline]')).toHaveCount(0);
      await expect(page.locator('tp-kiosk [role=alert]').first()).not.toBeEmpty();
      await expect(page.locator('tp-kiosk [data-kiosk-last]')).toContainText('next try');
      await expect(status).toHaveText('No certificate yet');
    });
  });
}

test('a new version is offered with a banner and taken on Reload — index.html included, past the HTTP cache', async ({ page }) => {
  // A modified copy of dist/ is published here (a new sw.js and index.html), so this test needs
  // the private static server; it answers with `Cache-Control: max-age=3600` as many hosts do,
  // so a new service worker that took files from the HTTP cache would install the old shell.
  const server = await startApp({ cacheControl: 'max-age=3600' });
  try {
    await openApp(page, server.url);
    await waitForController(page);
    const oldVersion = await page.evaluate(async () => (await caches.keys()).find((k) => k.startsWith('trustpoint-')));
    // Publish a "new version": the service worker script and the page change.
    const swPath = join(server.dir, 'sw.js');
    writeFileSync(swPath, readFileSync(swPath, 'utf8').replace(/trustpoint-[0-9a-f]{16}/, 'trustpoint-feedfacefeedface'));
    const htmlPath = join(server.dir, 'index.html');
    writeFileSync(htmlPath, readFileSync(htmlPath, 'utf8').replace('<title>Trustpoint</title>', '<title>Trustpoint (new)</title>'));
    await page.evaluate(async () => (await navigator.serviceWorker.getRegistration())!.update());
    const banner = page.locator('tp-app .update');
    await expect(banner).toContainText('A new version of Trustpoint is available');
    // Reload: the new worker takes over and the page reloads once it controls it.
    await Promise.all([page.waitForEvent('load'), banner.getByRole('button', { name: 'Reload' }).click()]);
    await page.waitForFunction(() => document.documentElement.dataset.ready === 'true' && !!window.trustpoint);
    // The new worker removes the old version's cache when it activates.
    await expect.poll(() => page.evaluate(async () => (await caches.keys()).filter((k) => k.startsWith('trustpoint-')))).toEqual(['trustpoint-feedfacefeedface']);
    expect(oldVersion).not.toBe('trustpoint-feedfacefeedface');
    await expect(page.locator('tp-app .update')).toHaveCount(0);
    // The new shell, not the HTTP-cached old one, is what the new version serves.
    await expect(page).toHaveTitle('Trustpoint (new)');
    await page.reload();
    await expect(page).toHaveTitle('Trustpoint (new)');
  } finally {
    await server.close();
  }
});
