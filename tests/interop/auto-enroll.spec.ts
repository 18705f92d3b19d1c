/**
 * Auto-enrollment against the real CA (micromdm scepserver behind the nginx CORS proxy): the
 * guide's autoenrollment example enrolls by itself at start; the browser's clock is then moved
 * to 91 % of the real certificate's lifetime and the renewal arrives from the real CA, on a new
 * key (`regenerate`), saved, with the old key gone. OpenSSL verifies both certificates against
 * the lab CA, and both are in the CA's own depot. Two tabs open on one device: exactly one
 * renewal reaches the real CA (its depot counted), although the certificate it returns is
 * already due by the browser's clock — the case that made a second tab renew again at once.
 */
import { spawnSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test, type Page } from '../pw.ts';
import { cli, openApp, appServer } from '../e2e/fixtures.ts';
import { labFromEnv, serialHex, startLab, type Lab } from './lab.ts';

let lab: Lab;
let ownLab = false;
let app: { url: string; close(): Promise<void> };
let work: string;

test.beforeAll(async () => {
  const attached = labFromEnv();
  if (attached) lab = attached;
  else {
    lab = await startLab({ dir: '.lab/i/auto-spec', rawPort: 0, corsPort: 0, anyLocalPort: true });
    ownLab = true;
  }
  app = await appServer();
  work = mkdtempSync(join(tmpdir(), 'tp-auto-interop-'));
  writeFileSync(join(work, 'ca.pem'), lab.caPem);
});

test.afterAll(async () => {
  await app?.close();
  if (ownLab) await lab.stop();
  rmSync(work, { recursive: true, force: true });
});

function depotSerials(): string[] {
  return readFileSync(join(lab.dir, 'scep', 'depot', 'index.txt'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => l.split('\t')[3]!.toUpperCase());
}

async function own(page: Page): Promise<X509Certificate | undefined> {
  const der = await page.evaluate(() => {
    const c = (window.trustpoint!.app.running.chains.get('trustmel')?.certificates ?? []).find((x) => x.kind === 'general');
    return c ? Array.from(c.der) : undefined;
  });
  if (!der) return undefined;
  const cert = new X509Certificate(Buffer.from(der));
  const path = join(work, `own-${cert.serialNumber}.pem`);
  writeFileSync(path, cert.toString());
  const v = spawnSync('openssl', ['verify', '-CAfile', join(work, 'ca.pem'), path], { encoding: 'utf8' });
  expect(v.stdout.trim()).toBe(`${path}: OK`);
  return cert;
}

const serialOf = (c: X509Certificate) => serialHex(c);
const spki = (c: X509Certificate) => c.publicKey.export({ type: 'spki', format: 'der' }).toString('hex');

test("the guide's example against the real CA: enrolled at start, renewed at 91 % of the real lifetime with a new key", async ({ context }) => {
  const page = await context.newPage();
  await page.addInitScript(() => {
    (window as unknown as { __TRUSTPOINT_TEST__?: object }).__TRUSTPOINT_TEST__ ??= {};
  });
  const t0 = Date.now();
  await context.clock.install({ time: t0 });
  await openApp(page, app.url);
  const t = await cli(
    page,
    [
      'enable',
      'configure terminal',
      'crypto pki trustpoint trustmel',
      ` enrollment url ${lab.scepUrl}`,
      ' subject-name OU=Spiral Dept., O=example.com',
      ' serial-number none',
      ' ip-address none',
      ' auto-enroll 90 regenerate',
      ` password ${lab.challenge}`,
      ' rsakeypair trustmel 2048',
      ' exit',
      `crypto pki trustpoint trustmel\n fingerprint ${lab.fingerprints.sha256.replace(/ /g, '')}\n exit`,
      'crypto pki authenticate trustmel',
      'end',
      'copy system:running-config nvram:startup-config',
      '', // Destination filename [startup-config]? (Return)
      '',
    ].join('\n'),
  );
  expect(t).toContain('% Fingerprint matches the configured SHA-256 fingerprint.');
  // Nobody types "crypto pki enroll": the auto-enroller does it.
  await expect.poll(async () => (await own(page))?.serialNumber, { timeout: 30_000 }).toBeDefined();
  const first = (await own(page))!;
  expect(depotSerials()).toContain(serialOf(first));
  const log1 = await page.evaluate(() => window.trustpoint!.app.auto!.log.join('\n'));
  expect(log1).toContain('%PKI-6-CERT_ENROLL_AUTO: Auto initial enrollment for trustpoint trustmel');
  expect(await page.evaluate(async () => (await window.trustpoint!.app.startup())!.text)).toContain(`certificate ${serialOf(first)}`);

  // 91 % of the real certificate's lifetime (micromdm's CA clock stays behind the browser's).
  const life = Date.parse(first.validTo) - Date.parse(first.validFrom);
  await expect.poll(() => page.evaluate(() => window.trustpoint!.app.auto!.scheduler.isBusy('trustmel'))).toBe(false);
  await context.clock.setSystemTime(Date.parse(first.validFrom) + 0.91 * life - 61_000);
  await context.clock.runFor(61_000);
  await expect.poll(async () => (await own(page))?.serialNumber, { timeout: 30_000 }).not.toBe(first.serialNumber);
  const second = (await own(page))!;
  expect(spki(second)).not.toBe(spki(first));
  expect(depotSerials()).toContain(serialOf(second));
  const log2 = await page.evaluate(() => window.trustpoint!.app.auto!.log.join('\n'));
  expect(log2).toContain('%PKI-6-CERT_RENEW_AUTO: Auto rollover enrollment for trustpoint trustmel (new key: regenerate)');
  // The real CA's clock is behind the browser's now: the new certificate is already due, and the
  // app says so rather than asking again at once.
  expect(log2).toContain('%PKI-4-CERT_RENEW_EARLY');
  // Saved (the running-config was unchanged), and only the new key is left.
  await expect.poll(() => page.evaluate(async () => (await window.trustpoint!.app.startup())!.text)).toContain(`certificate ${serialOf(second)}`);
  const keys = await page.evaluate(async () => (await window.trustpoint!.app.keys.list()).map((k) => Array.from(k.spki, (b) => b.toString(16).padStart(2, '0')).join('')));
  expect(keys).toEqual([spki(second)]);
});

test('two tabs against the real CA: exactly one renewal request reaches it (counted in its depot), and both tabs show the new certificate', async ({ context }) => {
  const cn = `twotabs-${Math.random().toString(36).slice(2, 8)}`;
  const depotCount = () =>
    readFileSync(join(lab.dir, 'scep', 'depot', 'index.txt'), 'utf8')
      .trim()
      .split('\n')
      .filter((l) => l.split('\t')[5]?.endsWith(`/CN=${cn}`)).length;
  const serialIn = (page: Page) =>
    page.evaluate(() => (window.trustpoint!.app.running.chains.get('twotabs')?.certificates ?? []).find((x) => x.kind === 'general')?.serial);
  const open = async () => {
    const page = await context.newPage();
    await page.addInitScript(() => {
      (window as unknown as { __TRUSTPOINT_TEST__?: object }).__TRUSTPOINT_TEST__ ??= {};
    });
    await openApp(page, app.url);
    return page;
  };
  await context.clock.install({ time: Date.now() });
  const a = await open();
  const t = await cli(
    a,
    [
      'enable',
      'configure terminal',
      'crypto pki trustpoint twotabs',
      ` enrollment url ${lab.scepUrl}`,
      ` subject-name CN=${cn}, O=example.com`,
      ' serial-number none',
      ' ip-address none',
      ' auto-enroll 90',
      ` password ${lab.challenge}`,
      ` fingerprint ${lab.fingerprints.sha256.replace(/ /g, '')}`,
      ' exit',
      'crypto pki authenticate twotabs',
      'end',
      'write memory',
    ].join('\n'),
  );
  expect(t).toContain('% Fingerprint matches the configured SHA-256 fingerprint.');
  await expect.poll(() => serialIn(a), { timeout: 30_000 }).toBeDefined();
  expect(depotCount()).toBe(1);
  const first = (await serialIn(a))!;
  const b = await open();
  await expect.poll(() => serialIn(b), { timeout: 10_000 }).toBe(first);
  const der = await a.evaluate(() => Array.from((window.trustpoint!.app.running.chains.get('twotabs')?.certificates ?? []).find((x) => x.kind === 'general')!.der));
  const cert = new X509Certificate(Buffer.from(der));
  const life = Date.parse(cert.validTo) - Date.parse(cert.validFrom);
  for (const p of [a, b]) await expect.poll(() => p.evaluate(() => window.trustpoint!.app.auto!.scheduler.isBusy('twotabs'))).toBe(false);
  // One clock for both tabs (the context's): past 90 %, then forward in small steps until the
  // renewal arrives. The real CA's certificate is already due by the browser's clock, so a next
  // renewal is allowed one retry period (1 minute) later: the clock stops well before that.
  await context.clock.setSystemTime(Date.parse(cert.validFrom) + 0.91 * life);
  let renewedAfter = 0;
  for (; renewedAfter < 70_000 && (await serialIn(a)) === first; renewedAfter += 5_000) {
    await context.clock.runFor(5_000);
    await a.waitForTimeout(200);
  }
  await expect.poll(() => serialIn(a), { timeout: 30_000 }).not.toBe(first);
  await expect.poll(() => serialIn(b), { timeout: 30_000 }).toBe(await serialIn(a));
  expect(depotCount()).toBe(2);
  // both tabs keep looking, for half a retry period: still one renewal
  await context.clock.runFor(25_000);
  await a.waitForTimeout(2_000);
  expect(depotCount()).toBe(2);
  const log = (await a.evaluate(() => window.trustpoint!.app.auto!.log.join('\n'))) + (await b.evaluate(() => window.trustpoint!.app.auto!.log.join('\n')));
  expect(log.match(/%PKI-6-CERT_RENEW_AUTO: Auto rollover enrollment for trustpoint twotabs/g)).toHaveLength(1);
});
