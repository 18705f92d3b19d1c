/**
 * Auto-enrollment in real Chromium, on Playwright's clock (`page.clock`), against the scripted
 * FAKE SCEP CA: enroll at start, renew at N % with and without `regenerate`, retry and give up,
 * rollover activation and CA rollover with GetNextCACert, NOAUTOSAVE (the key-loss defect, over
 * a real reload and real IndexedDB), a browser clock far ahead of the CA's (never hammer it), two
 * tabs (exactly one renewal reaches the CA), and a crash at each step of a renewal with
 * `regenerate` (CDP Page.crash): afterwards the old or the new certificate is active, its key
 * signs a request OpenSSL verifies, and every certificate of both configurations has its key.
 */
import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test, type BrowserContext, type Page } from '../pw.ts';
import { cli, openApp, appServer } from './fixtures.ts';
import { fakeScepPool, type FakeScep, type FakeScepOptions } from '../fakes/fake-scep.ts';

const DAY = 86_400_000;
let app: { url: string; close(): Promise<void> };
let work: string;

test.beforeAll(async () => {
  app = await appServer();
  work = mkdtempSync(join(tmpdir(), 'tp-auto-'));
});
test.afterAll(async () => {
  await app?.close();
  await pool.closeAll();
  rmSync(work, { recursive: true, force: true });
});

const pool = fakeScepPool();
const fake = pool.fake;

const pkiOps = (f: FakeScep) => f.requests.filter((r) => r.operation === 'PKIOperation');

/** The guide's autoenrollment example, pointed at the fake. */
function trustmel(url: string, extra: string[] = []): string {
  return ['crypto pki trustpoint trustmel', ` enrollment url ${url}`, ' subject-name OU=Spiral Dept., O=example.com', ' serial-number none', ' ip-address none', ' password password1', ' rsakeypair trustmel 2048', ...extra, ' exit'].join('\n');
}

/** Contexts whose clock is installed (Playwright's clock belongs to the context: every page shares it). */
const clocked = new WeakSet<BrowserContext>();

/** Opens the app on the context's fake clock, set to `time` (the test seam defined, so `.app` is reachable). */
async function openAt(page: Page, time: number): Promise<void> {
  const context = page.context();
  if (clocked.has(context)) await context.clock.setSystemTime(time);
  else {
    await context.clock.install({ time });
    clocked.add(context);
  }
  await page.addInitScript(() => {
    (window as unknown as { __TRUSTPOINT_TEST__?: object }).__TRUSTPOINT_TEST__ ??= {};
  });
  await openApp(page, app.url);
}

/**
 * A device as the guide leaves it: the trustpoint configured and its CA authenticated, saved;
 * then `auto-enroll` added to the saved configuration only (as if the operator had pasted the
 * guide's block and written memory), so that the next start is the first with auto-enroll.
 */
async function prepare(context: BrowserContext, f: FakeScep, autoEnroll: string, extra: string[] = []): Promise<void> {
  const page = await context.newPage();
  await page.addInitScript(() => {
    (window as unknown as { __TRUSTPOINT_TEST__?: object }).__TRUSTPOINT_TEST__ ??= {};
  });
  await openApp(page, app.url);
  const t = await cli(page, `enable\nconfigure terminal\n${trustmel(f.url, extra)}\ncrypto pki authenticate trustmel\nyes\nend\ncopy system:running-config nvram:startup-config\n\n`);
  expect(t).toContain('Trustpoint CA certificate accepted.');
  expect(t).not.toMatch(/^% (Invalid|Incomplete)/m);
  await page.evaluate(async (line) => {
    const a = window.trustpoint!.app;
    const file = (await a.startup())!;
    await a.nvram.write('startup-config', file.text.replace(' rsakeypair trustmel 2048\n', ` rsakeypair trustmel 2048\n ${line}\n`));
  }, autoEnroll);
  await page.close();
}

interface Own {
  serial: string;
  spki: string;
  notBefore: number;
  notAfter: number;
  der: number[];
}

/** The trustpoint's active own certificate(s) in the running-config. */
async function own(page: Page): Promise<Own[]> {
  const list = await page.evaluate(() => (window.trustpoint!.app.running.chains.get('trustmel')?.certificates ?? []).filter((c) => c.kind === 'general').map((c) => Array.from(c.der)));
  return list.map((der) => {
    const x = new X509Certificate(Buffer.from(der));
    return { serial: x.serialNumber, spki: x.publicKey.export({ type: 'spki', format: 'der' }).toString('hex'), notBefore: Date.parse(x.validFrom), notAfter: Date.parse(x.validTo), der };
  });
}

const autoLog = (page: Page) => page.evaluate(() => window.trustpoint!.app.auto!.log.join('\n'));

/**
 * Waits until no automatic enrollment is in flight here. A fast-forward during a request would
 * fire the transport's 60-second timeout on the fake clock and abort it (as a long sleep would).
 */
async function idle(page: Page): Promise<void> {
  await expect.poll(() => page.evaluate(() => window.trustpoint!.app.auto!.scheduler.isBusy('trustmel')), { timeout: 30_000 }).toBe(false);
}

/**
 * Moves the (context's) fake clock `ms` ahead once nothing is in flight, running the timers
 * that fall due. Long jumps set the date and then run one minute of timers (the scheduler's
 * tick): Playwright's `fastForward` leaves the clock of a later-loaded document stuck.
 */
async function forward(page: Page, ms: number): Promise<void> {
  await idle(page);
  const clock = page.context().clock;
  if (ms <= 10 * 60_000) return clock.runFor(ms);
  const now = await page.evaluate(() => Date.now());
  await clock.setSystemTime(now + ms - 61_000);
  await clock.runFor(61_000);
}

/** Every own certificate of the running- and startup-config has its key in the key store. */
async function everyCertificateHasItsKey(page: Page): Promise<void> {
  const r = await page.evaluate(async () => {
    const a = window.trustpoint!.app;
    const hex = (b: Uint8Array) => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
    const keys = new Set((await a.keys.list()).map((k) => hex(k.spki)));
    const startup = (await a.startup())?.text ?? '';
    return { keys: [...keys], startup };
  });
  const wanted = new Set<string>();
  for (const o of await own(page)) wanted.add(o.spki);
  // The startup-config's certificates: parse its hex blocks for the trustpoint's own certificate.
  for (const block of r.startup.split(/\n certificate /).slice(1)) {
    const m = /^([0-9A-F]+)\n([\s\S]*?)\n\s+quit/.exec(block);
    if (!m) continue;
    const der = Buffer.from(m[2]!.replace(/\s+/g, ''), 'hex');
    const x = new X509Certificate(der);
    if (x.ca) continue;
    wanted.add(x.publicKey.export({ type: 'spki', format: 'der' }).toString('hex'));
  }
  expect(wanted.size).toBeGreaterThan(0);
  for (const w of wanted) expect(r.keys, `a key for ${w.slice(-24)}`).toContain(w);
}

/** The active certificate's key signs a request that OpenSSL verifies, and it is that certificate's key. */
async function activeKeySigns(page: Page, caPem: string): Promise<void> {
  const [cert] = await own(page);
  expect(cert).toBeDefined();
  const probe = cli(page, `enable\nconfigure terminal\ncrypto pki trustpoint probe\n enrollment terminal pem\n rsakeypair trustmel 2048\n serial-number none\n ip-address none\n password x\n exit\ncrypto pki authenticate probe\n${caPem}\nyes\ncrypto pki enroll probe\nyes\nno\nend\n`);
  const t = await probe;
  const pem = t.slice(t.indexOf('-----BEGIN CERTIFICATE REQUEST-----'), t.indexOf('-----END CERTIFICATE REQUEST-----') + 33) + '\n';
  const p = join(work, `probe-${Date.now()}.pem`);
  writeFileSync(p, pem);
  if (!pem.includes('BEGIN')) throw new Error(`no request in:\n${t}`);
  expect(execFileSync('openssl', ['req', '-in', p, '-verify', '-noout'], { stdio: ['ignore', 'pipe', 'pipe'] }).toString() + '').toBe('');
  const pub = execFileSync('openssl', ['req', '-in', p, '-pubkey', '-noout']).toString();
  const certPub = new X509Certificate(Buffer.from(cert!.der)).publicKey.export({ type: 'spki', format: 'pem' }).toString();
  expect(pub.trim()).toBe(certPub.trim());
}

test.describe('auto-enrollment on a fake clock', () => {
  test('the guide example: enrolls at start, renews at 91 % with a new key, saved; without regenerate the key stays', async ({ context }) => {
    const f = await fake();
    await prepare(context, f, 'auto-enroll 90 regenerate');
    const page = await context.newPage();
    await openAt(page, Date.now());
    await expect.poll(async () => (await own(page)).length, { timeout: 20_000 }).toBe(1);
    expect(await autoLog(page)).toMatch(/\*\w{3} +\d+ \d\d:\d\d:\d\d\.\d{3}: %PKI-6-CERT_ENROLL_AUTO: Auto initial enrollment for trustpoint trustmel/);
    const [first] = await own(page);
    expect(await page.evaluate(async () => (await window.trustpoint!.app.startup())!.text)).toContain(`certificate ${first!.serial.replace(/^0+/, '').padStart(2, '0')}`);
    const timers = await cli(page, 'enable\nshow crypto pki timers');
    expect(timers).toMatch(/\|\s+3\d\dd\d\d:\d\d:\d\d\.\d{3}  RENEW trustmel/);
    expect(await cli(page, 'show crypto pki certificates trustmel')).toMatch(/renew date: \d\d:\d\d:\d\d UTC \w+ \d+ \d{4}/);
    // Nothing until the renew point.
    await forward(page, 300 * DAY);
    await page.waitForTimeout(500);
    expect(pkiOps(f)).toHaveLength(1);
    // 91 % of the lifetime: the rollover certificate on a new key, committed and saved. The
    // fake CA keeps step with the browser's clock here (the clock-ahead case is its own test).
    f.setClockOffset(333 * DAY);
    await forward(page, 33 * DAY);
    await expect.poll(async () => (await own(page))[0]?.serial, { timeout: 20_000 }).not.toBe(first!.serial);
    const [second] = await own(page);
    expect(second!.spki).not.toBe(first!.spki);
    expect(pkiOps(f)).toHaveLength(2);
    expect(await autoLog(page)).toContain('%PKI-6-CERT_RENEW_AUTO: Auto rollover enrollment for trustpoint trustmel (new key: regenerate)');
    await everyCertificateHasItsKey(page);
    expect(await page.evaluate(async () => (await window.trustpoint!.app.keys.list()).filter((k) => k.label.includes('trustmel')).length)).toBe(1);

    // Without regenerate: the next renewal keeps the key.
    await cli(page, 'enable\nconfigure terminal\ncrypto pki trustpoint trustmel\n auto-enroll 90\n exit\nend\nwrite memory');
    f.setClockOffset(673 * DAY);
    await forward(page, 340 * DAY);
    await expect.poll(async () => (await own(page))[0]?.serial, { timeout: 20_000 }).not.toBe(second!.serial);
    expect((await own(page))[0]!.spki).toBe(second!.spki);
    await activeKeySigns(page, f.caPem);
  });

  test('retry with backoff, then give up after the retry count; nothing guessed, nothing lost', async ({ context }) => {
    const f = await fake({ then: { failure: 2, text: 'refused by policy' } });
    await prepare(context, f, 'auto-enroll 90', [' enrollment retry period 1', ' enrollment retry count 3']);
    const page = await context.newPage();
    await openAt(page, Date.now());
    await expect.poll(() => pkiOps(f).length, { timeout: 20_000 }).toBe(1);
    await expect.poll(() => autoLog(page)).toContain('%PKI-2-CERT_ENROLL_FAIL: Certificate enrollment failed for trustpoint trustmel. Reason:');
    expect(await autoLog(page)).toContain('refused by policy');
    await forward(page, 61_000); // 1 minute: the second attempt
    await expect.poll(() => pkiOps(f).length, { timeout: 20_000 }).toBe(2);
    await forward(page, 61_000); // the wait doubled (2 minutes): nothing yet
    await page.waitForTimeout(500);
    expect(pkiOps(f)).toHaveLength(2);
    await forward(page, 61_000);
    await expect.poll(() => pkiOps(f).length, { timeout: 20_000 }).toBe(3);
    await expect.poll(() => autoLog(page)).toContain('%PKI-3-CERT_ENROLL_GIVEUP');
    for (let i = 0; i < 5; i++) await forward(page, DAY);
    await page.waitForTimeout(500);
    expect(pkiOps(f)).toHaveLength(3);
    expect(await own(page)).toEqual([]);
    expect(await cli(page, 'enable\nshow crypto pki timers')).toContain('trustmel: last automatic attempt');
  });

  test('a browser clock two years ahead of the CA: the certificate arrives already due; renewed only after the retry period, doubling, then stopped', async ({ context }) => {
    const f = await fake();
    await prepare(context, f, 'auto-enroll 90', [' enrollment retry period 1', ' enrollment retry count 3']);
    const page = await context.newPage();
    await openAt(page, Date.now() + 730 * DAY);
    await expect.poll(() => pkiOps(f).length, { timeout: 20_000 }).toBe(1);
    await expect.poll(() => autoLog(page), { timeout: 20_000 }).toContain('%PKI-4-CERT_RENEW_EARLY');
    expect(await autoLog(page)).toContain("already expired by this device's clock");
    await forward(page, 30_000);
    await page.waitForTimeout(500);
    expect(pkiOps(f)).toHaveLength(1);
    await forward(page, 31_000);
    await expect.poll(() => pkiOps(f).length, { timeout: 20_000 }).toBe(2);
    await forward(page, 61_000); // the wait has doubled: 2 minutes
    await page.waitForTimeout(500);
    expect(pkiOps(f)).toHaveLength(2);
    await forward(page, 61_000);
    await expect.poll(() => pkiOps(f).length, { timeout: 20_000 }).toBe(3);
    await expect.poll(() => autoLog(page), { timeout: 20_000 }).toContain('automatic renewal stops until the next start');
    for (let i = 0; i < 6; i++) await forward(page, 3_600_000);
    await page.waitForTimeout(500);
    expect(pkiOps(f)).toHaveLength(3);
    // A certificate that could not be renewed and is (by this clock) expired: an in-app warning.
    await expect(page.getByRole('alert', { name: 'Certificates expiring' })).toContainText('The certificate of trustpoint trustmel expired at');
  });

  test('CA rollover with GetNextCACert: the next CA certificate becomes active when valid, renewal is issued under it, the old one goes', async ({ context }) => {
    const f = await fake({ nextCaStartsInDays: 30 });
    await prepare(context, f, 'auto-enroll 90');
    const page = await context.newPage();
    await openAt(page, Date.now());
    await expect.poll(async () => (await own(page)).length, { timeout: 20_000 }).toBe(1);
    expect(await cli(page, 'enable\nshow crypto pki timers')).toMatch(/\|\s+29d\d\d:\d\d:\d\d\.\d{3}  CA ROLLOVER trustmel/);
    await forward(page, 31 * DAY);
    await expect.poll(() => autoLog(page), { timeout: 20_000 }).toContain('%PKI-6-CA_ROLLOVER_ACTIVE');
    expect(await cli(page, 'show running-config')).toMatch(/certificate ca previous 01/);
    f.setClockOffset(331 * DAY);
    await forward(page, 300 * DAY);
    await expect.poll(() => pkiOps(f).length, { timeout: 20_000 }).toBe(2);
    expect(pkiOps(f)[1]!.forNextCa).toBe(true);
    await expect.poll(async () => (await cli(page, 'show running-config')).includes('certificate ca previous'), { timeout: 20_000 }).toBe(false);
    const [cert] = await own(page);
    expect(new X509Certificate(Buffer.from(cert!.der)).verify(new X509Certificate(Buffer.from(f.nextCaDer)).publicKey)).toBe(true);
  });

  test("rollover activation: the guide's manual rollover gets a shadow certificate from the next CA; it becomes active with the CA rollover", async ({ context }) => {
    const f = await fake({ certDays: 4015, nextCaStartsInDays: 60 });
    await prepare(context, f, 'auto-enroll 90');
    const page = await context.newPage();
    await openAt(page, Date.now());
    await expect.poll(async () => (await own(page)).length, { timeout: 20_000 }).toBe(1);
    const [first] = await own(page);
    const t = await cli(page, 'enable\nconfigure terminal\ncrypto pki enroll trustmel\nyes\nend');
    expect(t).toContain('%PKI-6-CERT_SHADOW_INSTALL');
    expect(await cli(page, 'show crypto pki certificates trustmel')).toContain('Rollover Certificate');
    expect(await cli(page, 'enable\nshow crypto pki timers')).toMatch(/SHADOW trustmel/);
    await forward(page, 61 * DAY);
    await expect.poll(() => autoLog(page), { timeout: 20_000 }).toContain('%PKI-6-CERT_ROLLOVER_ACTIVE');
    const [now] = await own(page);
    expect(now!.serial).not.toBe(first!.serial);
    expect(await cli(page, 'show crypto pki certificates trustmel')).not.toContain('Rollover Certificate');
    await everyCertificateHasItsKey(page);
    await activeKeySigns(page, f.caPem);
  });

  test('NOAUTOSAVE: an unsaved running-config is not written; after a reload the saved certificate still has its key (the key-loss defect)', async ({ context }) => {
    const f = await fake();
    await prepare(context, f, 'auto-enroll 90 regenerate');
    const page = await context.newPage();
    await openAt(page, Date.now());
    await expect.poll(async () => (await own(page)).length, { timeout: 20_000 }).toBe(1);
    const [saved] = await own(page);
    await cli(page, 'enable\nconfigure terminal\nhostname unsaved-change\nend');
    f.setClockOffset(335 * DAY);
    await forward(page, 335 * DAY);
    await expect.poll(() => autoLog(page), { timeout: 20_000 }).toContain('%PKI-4-NOAUTOSAVE');
    expect((await own(page))[0]!.serial).not.toBe(saved!.serial);
    await everyCertificateHasItsKey(page);
    // A real reload of the tab (IndexedDB, the service worker and the page's clock stay).
    await context.clock.setSystemTime(Date.now());
    const again = page;
    await again.reload();
    await again.waitForFunction(() => document.documentElement.dataset.ready === 'true' && !!window.trustpoint);
    expect((await own(again))[0]!.serial).toBe(saved!.serial);
    await everyCertificateHasItsKey(again);
    await activeKeySigns(again, f.caPem);
  });
});

test('two tabs: exactly one renewal request reaches the CA, and the other tab shows the new certificate', async ({ context }) => {
  const f = await fake();
  await prepare(context, f, 'auto-enroll 90');
  const t0 = Date.now();
  const a = await context.newPage();
  await openAt(a, t0);
  await expect.poll(async () => (await own(a)).length, { timeout: 20_000 }).toBe(1);
  const [first] = await own(a);
  const b = await context.newPage();
  await openAt(b, t0);
  expect((await own(b))[0]!.serial).toBe(first!.serial);
  expect(pkiOps(f)).toHaveLength(1);
  f.setClockOffset(335 * DAY);
  // One clock for both tabs (the context's): both wake at 91 %.
  await idle(b);
  await forward(a, 335 * DAY);
  await expect.poll(() => pkiOps(f).length, { timeout: 20_000 }).toBe(2);
  await expect.poll(async () => (await own(b))[0]?.serial, { timeout: 20_000 }).not.toBe(first!.serial);
  expect((await own(a))[0]!.serial).toBe((await own(b))[0]!.serial);
  // Both tabs keep looking: still exactly one renewal.
  await Promise.all([idle(a), idle(b)]);
  await forward(a, 120_000);
  await a.waitForTimeout(1000);
  expect(pkiOps(f)).toHaveLength(2);
});

for (const stage of ['keys-generated', 'request-sent', 'reply-received', 'commit-queued'] as const)
  test(`a crash at "${stage}" during a renewal with regenerate: old or new certificate active, with its key; every certificate has its key`, async ({ context }) => {
    const f = await fake();
    await prepare(context, f, 'auto-enroll 90 regenerate');
    const setup = await context.newPage();
    await openAt(setup, Date.now());
    await expect.poll(async () => (await own(setup)).length, { timeout: 20_000 }).toBe(1);
    const [before] = await own(setup);
    await setup.close();

    // The renewing page: crashed at the named point (CDP Page.crash).
    const page = await context.newPage();
    let crashed = false;
    const crash = async () => {
      if (crashed) return;
      crashed = true;
      const cdp = await context.newCDPSession(page);
      void cdp.send('Page.crash').catch(() => {}); // a crashed page never answers
    };
    await page.exposeBinding('__tpStage', async (_src, s: string) => {
      if (s === stage) {
        await crash();
        await new Promise(() => {}); // never resolves: the page dies here
      }
    });
    await page.addInitScript(() => {
      (window as unknown as { __TRUSTPOINT_TEST__?: object }).__TRUSTPOINT_TEST__ = { hook: (s: string) => (window as unknown as { __tpStage(s: string): Promise<void> }).__tpStage(s) };
    });
    if (stage === 'request-sent') f.setReplyDelay(10_000);
    f.setClockOffset(335 * DAY);
    await context.clock.setSystemTime(Date.now() + 335 * DAY);
    const crashedEvent = page.waitForEvent('crash', { timeout: 30_000 });
    await page.goto(app.url);
    if (stage === 'request-sent') {
      await expect.poll(() => pkiOps(f).length, { timeout: 20_000 }).toBe(2);
      await crash();
    }
    await crashedEvent;
    f.setReplyDelay(0);

    // Reopen at the real time (so nothing is due): one consistent state.
    await page.close().catch(() => {});
    await context.clock.setSystemTime(Date.now());
    await context.clock.resume();
    const after = await context.newPage();
    await after.addInitScript(() => {
      (window as unknown as { __TRUSTPOINT_TEST__?: object }).__TRUSTPOINT_TEST__ ??= {};
    });
    await openApp(after, app.url);
    const [active] = await own(after);
    expect(active).toBeDefined();
    const issued = f.issued.map((d) => new X509Certificate(Buffer.from(d)).serialNumber);
    expect([before!.serial, ...issued]).toContain(active!.serial);
    await everyCertificateHasItsKey(after);
    await activeKeySigns(after, f.caPem);
  });
