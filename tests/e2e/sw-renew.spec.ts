/**
 * Renewal while the app is closed: with every window of the app closed, a Periodic Background
 * Sync event (dispatched through CDP, as Chromium does for an installed app) makes the service
 * worker renew a due certificate headlessly — IndexedDB, fetch and the WASM core in the worker —
 * and the app opened afterwards has the new certificate, with its key, in its startup-config.
 */
import { X509Certificate } from 'node:crypto';
import { expect, test, type Page } from '../pw.ts';
import { cli, openApp, appServer } from './fixtures.ts';
import { startFakeScep, type FakeScep } from '../fakes/fake-scep.ts';

const DAY = 86_400_000;
let app: { url: string; close(): Promise<void> };
let f: FakeScep;

test.beforeAll(async () => {
  app = await appServer();
  f = await startFakeScep();
});
test.afterAll(async () => {
  await app?.close();
  await f?.close();
});

const pkiOps = () => f.requests.filter((r) => r.operation === 'PKIOperation');

async function ownSerial(page: Page): Promise<string | undefined> {
  const der = await page.evaluate(() => {
    const c = (window.trustpoint!.app.running.chains.get('trustmel')?.certificates ?? []).find((x) => x.kind === 'general');
    return c ? Array.from(c.der) : undefined;
  });
  return der ? new X509Certificate(Buffer.from(der)).serialNumber : undefined;
}

test('with the app closed, a periodic sync makes the service worker renew a due certificate', async ({ context }) => {
  const page = await context.newPage();
  await page.addInitScript(() => {
    (window as unknown as { __TRUSTPOINT_TEST__?: object }).__TRUSTPOINT_TEST__ ??= {};
  });
  await openApp(page, app.url);
  await page.evaluate(async () => {
    await navigator.serviceWorker.ready;
    if (!navigator.serviceWorker.controller) await new Promise((r) => navigator.serviceWorker.addEventListener('controllerchange', r, { once: true }));
  });
  // A certificate whose 90 % point has passed: issued by a CA whose clock is 360 days behind.
  f.setClockOffset(-360 * DAY);
  const t = await cli(
    page,
    `enable\nconfigure terminal\ncrypto pki trustpoint trustmel\n enrollment url ${f.url}\n subject-name OU=Spiral Dept., O=example.com\n serial-number none\n ip-address none\n password password1\n rsakeypair trustmel 2048\n exit\ncrypto pki authenticate trustmel\nyes\ncrypto pki enroll trustmel\nend\nwrite memory`,
  );
  expect(t).toContain('%PKI-6-CERTRET');
  const first = await ownSerial(page);
  f.setClockOffset(0);
  // auto-enroll goes into the saved configuration only: this window never runs it.
  await page.evaluate(async () => {
    const a = window.trustpoint!.app;
    const file = (await a.startup())!;
    await a.nvram.write('startup-config', file.text.replace(' rsakeypair trustmel 2048\n', ' rsakeypair trustmel 2048\n auto-enroll 90 regenerate\n'));
  });
  const scope = new URL(app.url).href;
  await page.close();

  // No window of the app is open. A blank page hosts the CDP session that fires the event.
  const blank = await context.newPage();
  const cdp = await context.newCDPSession(blank);
  const registration = new Promise<string>((resolve) => {
    cdp.on('ServiceWorker.workerRegistrationUpdated', (e: { registrations: { registrationId: string; scopeURL: string; isDeleted: boolean }[] }) => {
      const r = e.registrations.find((x) => x.scopeURL === scope && !x.isDeleted);
      if (r) resolve(r.registrationId);
    });
  });
  await cdp.send('ServiceWorker.enable');
  const registrationId = await registration;
  const swErrors: string[] = [];
  cdp.on('ServiceWorker.workerErrorReported', (e: { errorMessage: { errorMessage: string } }) => swErrors.push(e.errorMessage.errorMessage));
  await cdp.send('ServiceWorker.dispatchPeriodicSyncEvent', { origin: new URL(app.url).origin, registrationId, tag: 'trustpoint-renew' });
  await expect.poll(() => pkiOps().length, { timeout: 30_000 }).toBe(2);
  // The service worker itself did it, headlessly, and logged it the IOS way.
  const sw = context.serviceWorkers().find((w) => w.url().startsWith(scope))!;
  await expect.poll(() => sw.evaluate(() => (self as unknown as { lastRenewalLog?: string[] }).lastRenewalLog?.join('\n') ?? ''), { timeout: 30_000 }).toContain('%PKI-6-CERTRET');
  const log = await sw.evaluate(() => (self as unknown as { lastRenewalLog?: string[] }).lastRenewalLog!.join('\n'));
  expect(log).toContain('%PKI-6-CERT_RENEW_AUTO: Auto rollover enrollment for trustpoint trustmel (new key: regenerate)');
  expect(swErrors).toEqual([]);

  // Reopen the app: the renewed certificate is the trustpoint's, saved, with its new key.
  const again = await context.newPage();
  await again.addInitScript(() => {
    (window as unknown as { __TRUSTPOINT_TEST__?: object }).__TRUSTPOINT_TEST__ ??= {};
  });
  await expect
    .poll(
      async () => {
        await openApp(again, app.url);
        return ownSerial(again);
      },
      { timeout: 30_000 },
    )
    .not.toBe(first);
  const serial = await ownSerial(again);
  expect(f.issued.map((d) => new X509Certificate(Buffer.from(d)).serialNumber)).toContain(serial);
  const startup = await again.evaluate(async () => (await window.trustpoint!.app.startup())!.text);
  expect(startup).toContain(`certificate ${serial!.replace(/^0+/, '').padStart(2, '0')}`);
  const keys = await again.evaluate(async () => (await window.trustpoint!.app.keys.list()).map((k) => k.label));
  expect(keys).toEqual(['trustmel']);
});
