/**
 * The installable, offline-capable app: Chromium finds the manifest and the service worker,
 * reports the app installable, starts it offline with the configuration and the crypto core
 * intact, and offers a new version through the update banner.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from '@playwright/test';
import { expect, test } from '../pw.ts';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../chromium.ts';
import { cli, openApp, startApp, type AppServer } from './fixtures.ts';

let server: AppServer;
test.beforeEach(async () => {
  server = await startApp();
});
test.afterEach(async () => {
  await server.close();
});

async function waitForController(page: import('@playwright/test').Page) {
  await page.evaluate(async () => {
    await navigator.serviceWorker.ready;
    if (!navigator.serviceWorker.controller) await new Promise((r) => navigator.serviceWorker.addEventListener('controllerchange', r, { once: true }));
  });
}

test('the browser finds the manifest and the service worker and deems the app installable', async () => {
  // A persistent profile: Chromium never offers installation from an incognito context.
  const profile = mkdtempSync(join(tmpdir(), 'tp-profile-'));
  const context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
  try {
  const page = context.pages()[0] ?? (await context.newPage());
  await openApp(page, server.url);
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
    const png = readFileSync(join(server.dir, icon.src));
    expect(png.subarray(1, 4).toString()).toBe('PNG');
    expect(`${png.readUInt32BE(16)}x${png.readUInt32BE(20)}`).toBe(icon.sizes);
  }
  } finally {
    await context.close();
    rmSync(profile, { recursive: true, force: true });
  }
});

test('after the first load the app starts offline, with its configuration and the WASM core', async ({ page, context }) => {
  await openApp(page, server.url);
  await waitForController(page);
  await cli(page, 'enable\nconf t\nhostname offline1\nend\nwrite memory');
  await context.setOffline(true);
  const before = server.log.length;
  await page.reload();
  await page.waitForFunction(() => document.documentElement.dataset.ready === 'true' && !!window.trustpoint);
  expect(server.log.length).toBe(before);
  const t = await cli(page, 'enable\nshow running-config');
  expect(t).toContain('hostname offline1');
  const sha = await page.evaluate(async () => {
    const c = await window.trustpoint!.core();
    const d = await c.digest('SHA-1', new TextEncoder().encode('abc'));
    return Array.from(d, (b) => b.toString(16).padStart(2, '0')).join('');
  });
  expect(sha).toBe('a9993e364706816aba3e25717850c26c9cd0d89d');
  await expect(page.locator('tp-app .chip').nth(2)).toHaveText('offline');
  expect(server.log.length).toBe(before);
});

test('a new version is offered with a banner and taken on Reload', async ({ page }) => {
  await openApp(page, server.url);
  await waitForController(page);
  const oldVersion = await page.evaluate(async () => (await caches.keys()).find((k) => k.startsWith('trustpoint-')));
  // Publish a "new version": the service worker script changes.
  const swPath = join(server.dir, 'sw.js');
  const sw = readFileSync(swPath, 'utf8').replace(/trustpoint-[0-9a-f]{16}/, 'trustpoint-feedfacefeedface');
  writeFileSync(swPath, sw);
  await page.evaluate(async () => (await navigator.serviceWorker.getRegistration())!.update());
  const banner = page.locator('tp-app .update');
  await expect(banner).toContainText('A new version of Trustpoint is available');
  await banner.getByRole('button', { name: 'Reload' }).click();
  await page.waitForFunction(async () => (await caches.keys()).includes('trustpoint-feedfacefeedface') && !!window.trustpoint);
  await page.waitForFunction(() => document.documentElement.dataset.ready === 'true');
  // The new worker removes the old version's cache when it activates.
  await expect.poll(() => page.evaluate(async () => (await caches.keys()).filter((k) => k.startsWith('trustpoint-')))).toEqual(['trustpoint-feedfacefeedface']);
  expect(oldVersion).not.toBe('trustpoint-feedfacefeedface');
  await expect(page.locator('tp-app .update')).toHaveCount(0);
});
