/**
 * The GUI against the real CA (micromdm scepserver behind the nginx CORS proxy), by role and
 * label (issue 8): guided enrollment (the CA fingerprint shown large and compared, progress to
 * "Issued"), kiosk mode enrolling on open and refusing to exit without the PIN, a provisioning
 * desk batch of 10 whose ZIP holds 10 PKCS#12 files that OpenSSL opens and verifies, and a
 * batch interrupted by a reload that resumes without enrolling any name twice, and one cancelled
 * midway that sends nothing more (the CA's depot is counted).
 */
import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { unzipSync, strFromU8 } from 'fflate';
import { chromium } from '@playwright/test';
import { expect, test, type Page } from '../pw.ts';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../chromium.ts';
import { cli, openApp, appServer, type RunningApp } from '../e2e/fixtures.ts';
import { labFromEnv, startLab, type Lab } from './lab.ts';

let lab: Lab;
let ownLab = false;
let app: RunningApp;
let work: string;
const run = Math.random().toString(36).slice(2, 7);

test.beforeAll(async () => {
  const attached = labFromEnv();
  if (attached) lab = attached;
  else {
    lab = await startLab({ dir: '.lab/i/gui-spec', rawPort: 0, corsPort: 0, anyLocalPort: true });
    ownLab = true;
  }
  app = await appServer();
  work = mkdtempSync(join(tmpdir(), 'tp-gui-interop-'));
  writeFileSync(join(work, 'ca.pem'), lab.caPem);
});

test.afterAll(async () => {
  await app?.close();
  if (ownLab) await lab.stop();
  rmSync(work, { recursive: true, force: true });
});

test.beforeEach(async ({ page }) => {
  await page.addInitScript(() => {
    (window as unknown as { __TRUSTPOINT_TEST__?: object }).__TRUSTPOINT_TEST__ ??= {};
  });
});

/** How often the CA's depot lists a certificate for CN=`cn`. */
function depotCount(cn: string): number {
  const index = readFileSync(join(lab.dir, 'scep', 'depot', 'index.txt'), 'utf8');
  return index
    .trim()
    .split('\n')
    .filter((l) => l.split('\t')[5]?.endsWith(`/CN=${cn}`)).length;
}

function verify(pem: string, name: string): string {
  const f = join(work, `${name}.pem`);
  writeFileSync(f, pem);
  return execFileSync('openssl', ['verify', '-CAfile', join(work, 'ca.pem'), f], { stdio: ['ignore', 'pipe', 'pipe'] }).toString();
}

async function configure(page: Page, lines: string[]): Promise<void> {
  const t = await cli(page, ['enable', 'configure terminal', ...lines, 'end', 'write memory'].join('\n'));
  expect(t).not.toContain('% Invalid');
}

async function goto(page: Page, view: string): Promise<void> {
  await page.getByRole('navigation', { name: 'Views' }).getByRole('button', { name: view, exact: true }).click();
}

test('guided enrollment: Authenticate shows the fingerprint large for comparison, Enroll shows progress to Issued', async ({ page }) => {
  await openApp(page, app.url);
  const name = `G${run}`;
  await configure(page, [`crypto pki trustpoint ${name}`, ` enrollment url ${lab.scepUrl}`, ` subject-name CN=gui-${run}, O=Trustpoint GUI`, ' serial-number none', ' ip-address none', ` password ${lab.challenge}`, ' exit']);
  await goto(page, 'Trustpoints');
  const card = page.getByRole('article', { name: `Trustpoint ${name}` });
  await card.getByRole('button', { name: 'Authenticate' }).click();
  const dialog = page.getByRole('dialog');
  await expect(dialog.locator('[data-fp=sha256]').first()).toHaveText(lab.fingerprints.sha256);
  await dialog.getByLabel('Fingerprint to compare (typed or scanned)').fill('00'.repeat(32));
  await expect(dialog.getByRole('status')).toHaveText('Fingerprint does NOT match: do not accept.');
  await dialog.getByLabel('Fingerprint to compare (typed or scanned)').fill(lab.fingerprints.sha256.replace(/ /g, ':'));
  await expect(dialog.getByRole('status')).toHaveText('Fingerprint matches.');
  await dialog.getByRole('button', { name: 'Yes' }).click();
  const panel = page.getByRole('region', { name: `Authenticate ${name}` });
  await expect(panel.locator('[data-stage]')).toHaveText('CA certificate accepted');
  await panel.getByRole('button', { name: 'Close' }).click();
  await expect(card).toContainText('C=DE, O=Peer Lab, OU=SCEP Lab CA');

  await card.getByRole('button', { name: 'Enroll', exact: true }).click();
  const enrollPanel = page.getByRole('region', { name: `Enroll ${name}` });
  await expect(enrollPanel.locator('[data-stage]')).toContainText('Issued: serial', { timeout: 30_000 });
  await expect(enrollPanel.getByRole('button', { name: 'Close' })).toBeVisible();
  const certs = await page.evaluate((n) => (window.trustpoint!.app.running.chains.get(n)?.certificates ?? []).filter((c) => c.kind === 'general').map((c) => Array.from(c.der)), name);
  expect(certs).toHaveLength(1);
  const pem = new X509Certificate(Buffer.from(certs[0]!)).toString();
  expect(verify(pem, name)).toContain(': OK');
  expect(depotCount(`gui-${run}`)).toBe(1);
  await expect(card.locator('[data-status]')).toContainText('Certificate valid until');
  // the Commands panel says what the console would have typed
  await expect(page.getByLabel('Commands', { exact: true })).toContainText(`crypto pki enroll ${name}`);

  // an error is the console's plain explanation, never a stack: a CA that refuses the challenge
  await configure(page, [`crypto pki trustpoint ${name}`, ' password wrong-challenge', ' regenerate', ' exit']);
  await card.getByRole('button', { name: 'Enroll', exact: true }).click();
  await page.getByRole('dialog').getByRole('button', { name: 'Yes' }).click(); // re-enroll?
  await expect(page.getByRole('region', { name: `Enroll ${name}` }).locator('[data-error]')).toContainText('%', { timeout: 30_000 });
  expect(await page.getByRole('region', { name: `Enroll ${name}` }).locator('[data-error]').textContent()).not.toMatch(/at \w+ \(|\.ts:\d+/);
});

test('kiosk mode enrolls on open and does not let anyone out without the PIN', async ({ page }) => {
  await openApp(page, app.url);
  const name = `K${run}`;
  await configure(page, [
    `crypto pki trustpoint ${name}`,
    ` enrollment url ${lab.scepUrl}`,
    ` fingerprint ${lab.fingerprints.sha256}`,
    ` subject-name CN=kiosk-${run}`,
    ' serial-number none',
    ' ip-address none',
    ` password ${lab.challenge}`,
    ' auto-enroll 80',
    ' exit',
  ]);
  await goto(page, 'Trustpoints');
  await page.getByLabel('Administrator PIN').fill('24680');
  await page.getByRole('button', { name: 'Set PIN' }).click();
  await expect(page.getByText('Administrator PIN set.')).toBeVisible();
  // only a PBKDF2 hash is stored
  const stored = await page.evaluate(() => window.trustpoint!.app.meta.get<Record<string, unknown>>('kiosk-pin'));
  expect(JSON.stringify(stored)).not.toContain('24680');
  expect(stored!.iterations).toBeGreaterThanOrEqual(100_000);

  await page.goto(`${app.url}?kiosk=${name}`);
  await page.waitForFunction(() => document.documentElement.dataset.ready === 'true');
  const status = page.locator('tp-kiosk [data-kiosk-status]');
  await expect(status).toContainText('Certificate valid until', { timeout: 30_000 });
  await expect(status).toContainText('renews on');
  // the certificate is in NVRAM (a locked device must keep it across a power cut)
  expect(await page.evaluate(async () => (await window.trustpoint!.app.startup())?.text ?? '')).toContain(`crypto pki certificate chain ${name}`);
  await expect(page.getByRole('navigation')).toHaveCount(0);
  await expect(page.locator('tp-console')).toHaveCount(0);
  expect(depotCount(`kiosk-${run}`)).toBe(1);

  await page.getByRole('button', { name: 'Exit kiosk mode' }).click();
  await page.getByLabel('Administrator PIN').fill('1111');
  await page.getByRole('button', { name: 'Leave kiosk mode' }).click();
  await expect(page.getByRole('alert')).toHaveText('Wrong PIN.');
  await expect(page.locator('tp-kiosk')).toBeVisible();
  expect(new URL(page.url()).searchParams.get('kiosk')).toBe(name);

  // reopened: the certificate is valid, nothing is enrolled again
  await page.reload();
  await expect(page.locator('tp-kiosk [data-kiosk-status]')).toContainText('Certificate valid until');
  await page.waitForTimeout(500);
  expect(depotCount(`kiosk-${run}`)).toBe(1);

  await page.getByRole('button', { name: 'Exit kiosk mode' }).click();
  await page.getByLabel('Administrator PIN').fill('24680');
  await page.getByRole('button', { name: 'Leave kiosk mode' }).click();
  await expect(page.getByRole('navigation', { name: 'Views' })).toBeVisible();
});

async function deskSetup(page: Page, tp: string): Promise<void> {
  await configure(page, [`crypto pki trustpoint ${tp}`, ` enrollment url ${lab.scepUrl}`, ` fingerprint ${lab.fingerprints.sha256}`, ` password ${lab.challenge}`, ' exit', `crypto pki authenticate ${tp}`]);
  expect(await page.evaluate((n) => window.trustpoint!.app.running.chains.get(n)?.certificates.length, tp)).toBe(1);
}

async function zipFromDesk(page: Page): Promise<Record<string, Uint8Array>> {
  const dl = page.waitForEvent('download');
  await page.getByRole('button', { name: 'Download ZIP' }).click();
  const path = await (await dl).path();
  return unzipSync(new Uint8Array(readFileSync(path)));
}

function checkP12(name: string, data: Uint8Array, password: string): void {
  const f = join(work, `${name}.p12`);
  writeFileSync(f, data);
  const cert = execFileSync('openssl', ['pkcs12', '-in', f, '-passin', `pass:${password}`, '-nokeys', '-clcerts'], { stdio: ['ignore', 'pipe', 'pipe'] }).toString();
  const key = execFileSync('openssl', ['pkcs12', '-in', f, '-passin', `pass:${password}`, '-nocerts', '-nodes'], { stdio: ['ignore', 'pipe', 'pipe'] }).toString();
  expect(key).toContain('PRIVATE KEY');
  const pem = cert.slice(cert.indexOf('-----BEGIN CERTIFICATE-----'));
  expect(new X509Certificate(pem).subject).toContain(`CN=${name}`);
  expect(verify(pem, name)).toContain(': OK');
}

test('provisioning desk: 10 devices, one ZIP of PKCS#12 files that OpenSSL opens and verifies', async ({ page }) => {
  test.setTimeout(120_000);
  await openApp(page, app.url);
  const tp = `D${run}`;
  await deskSetup(page, tp);
  const names = Array.from({ length: 10 }, (_, i) => `dev${run}-${i + 1}`);
  await goto(page, 'Provisioning desk');
  await page.getByLabel('Device names').fill(['name,subject,subject-alt-names,challenge', ...names.map((n, i) => (i === 0 ? `${n},"CN=${n}, O=Desk Test",${n}.example.com,` : n))].join('\n'));
  await page.getByLabel('Trustpoint').selectOption(tp);
  await page.getByLabel('Export password').fill('desk-export-1');
  await page.getByRole('button', { name: 'Start' }).click();
  await expect(page.locator('tp-desk [data-message]')).toContainText('10 issued, 0 failed', { timeout: 90_000 });
  await expect(page.getByLabel('Batch progress')).toHaveAttribute('value', '10');
  const files = await zipFromDesk(page);
  expect(Object.keys(files).sort()).toEqual([...names.map((n) => `${n}.p12`), 'report.csv'].sort());
  for (const n of names) checkP12(n, files[`${n}.p12`]!, 'desk-export-1');
  const report = strFromU8(files['report.csv']!);
  expect(report.split('\n')[0]).toBe('name,subject,status,serial,not_after,file,error');
  expect(report).toContain(`${names[0]},"CN=${names[0]}, O=Desk Test",issued,`);
  for (const n of names) expect(depotCount(n)).toBe(1);
  // keys were zeroized after export: none in the key store, no batch left in IndexedDB
  await expect(page.locator('tp-desk [data-message]')).toContainText('batch keys were deleted');
  const left = await page.evaluate(async () => ({ keys: (await window.trustpoint!.app.keys.list()).length, batch: await window.trustpoint!.app.meta.get('desk-batch') }));
  expect(left).toEqual({ keys: 0, batch: null });
});

test('a desk batch interrupted by a reload resumes without enrolling any name twice', async ({ page }) => {
  test.setTimeout(120_000);
  await openApp(page, app.url);
  const tp = `R${run}`;
  await deskSetup(page, tp);
  const names = Array.from({ length: 16 }, (_, i) => `res${run}-${i + 1}`);
  await goto(page, 'Provisioning desk');
  await page.getByLabel('Device names').fill(names.join('\n'));
  await page.getByLabel('Trustpoint').selectOption(tp);
  await page.getByLabel('Export password').fill('desk-export-2');
  await page.getByRole('button', { name: 'Start' }).click();
  await expect.poll(() => page.locator('tp-desk tr[data-state=issued]').count(), { timeout: 60_000, intervals: [50] }).toBeGreaterThanOrEqual(3);
  await page.reload();
  await page.waitForFunction(() => document.documentElement.dataset.ready === 'true');
  await goto(page, 'Provisioning desk');
  const states = async () => page.locator('tp-desk tr[data-row]').evaluateAll((rows) => rows.map((r) => (r as HTMLElement).dataset.state!));
  await expect(page.locator('tp-desk tr[data-row]')).toHaveCount(16);
  const before = await states();
  expect(before.filter((s) => s === 'queued').length).toBeGreaterThan(0);
  const issuedBefore = names.filter((n) => depotCount(n) === 1);
  await page.getByRole('button', { name: 'Resume' }).click();
  await expect(page.locator('tp-desk [data-message]')).toContainText('issued', { timeout: 90_000 });
  const after = await states();
  // every row settled: issued, or interrupted (it was at the CA during the reload: never re-sent)
  expect(after.every((s) => s === 'issued' || s === 'interrupted')).toBe(true);
  for (const n of names) expect(depotCount(n)).toBeLessThanOrEqual(1);
  for (const [i, n] of names.entries()) if (after[i] === 'issued') expect(depotCount(n)).toBe(1);
  for (const n of issuedBefore) expect(depotCount(n)).toBe(1);
  const files = await zipFromDesk(page);
  const issued = names.filter((_, i) => after[i] === 'issued');
  expect(Object.keys(files).filter((f) => f.endsWith('.p12')).sort()).toEqual(issued.map((n) => `${n}.p12`).sort());
  for (const n of issued.slice(0, 3)) checkP12(n, files[`${n}.p12`]!, 'desk-export-2');
});

test('a desk batch cancelled midway stops sending, settles every row and exports only what was issued', async ({ page }) => {
  test.setTimeout(120_000);
  await openApp(page, app.url);
  const tp = `C${run}`;
  await deskSetup(page, tp);
  const names = Array.from({ length: 30 }, (_, i) => `can${run}-${i + 1}`);
  await goto(page, 'Provisioning desk');
  await page.getByLabel('Device names').fill(names.join('\n'));
  await page.getByLabel('Trustpoint').selectOption(tp);
  await page.getByLabel('Export password').fill('desk-export-3');
  await page.getByRole('button', { name: 'Start' }).click();
  await expect.poll(() => page.locator('tp-desk tr[data-state=issued]').count(), { timeout: 60_000, intervals: [50] }).toBeGreaterThanOrEqual(2);
  await page.getByRole('button', { name: 'Cancel' }).click();
  await expect(page.locator('tp-desk [data-message]')).toContainText('not done', { timeout: 30_000 });
  await expect(page.getByRole('button', { name: 'Cancel' })).toHaveCount(0);
  const states = await page.locator('tp-desk tr[data-row]').evaluateAll((rows) => rows.map((r) => (r as HTMLElement).dataset.state!));
  // every row settled; some were never sent
  const rowErrors = await page.locator('tp-desk tr[data-state=failed] td.error').allTextContents();
  expect(states.filter((s) => !['issued', 'cancelled', 'interrupted', 'queued'].includes(s)), rowErrors.join('\n')).toEqual([]);
  expect(states.filter((s) => s === 'cancelled' || s === 'queued').length).toBeGreaterThan(0);
  // nothing reaches the CA after Cancel: the depot does not grow
  const depotNow = names.map(depotCount);
  await page.waitForTimeout(2_000);
  expect(names.map(depotCount)).toEqual(depotNow);
  for (const [i, n] of names.entries()) {
    if (states[i] === 'issued') expect(depotCount(n)).toBe(1);
    if (states[i] === 'cancelled' || states[i] === 'queued') expect(depotCount(n)).toBe(0);
  }
  const files = await zipFromDesk(page);
  const issued = names.filter((_, i) => states[i] === 'issued');
  expect(Object.keys(files).filter((f) => f.endsWith('.p12')).sort()).toEqual(issued.map((n) => `${n}.p12`).sort());
  for (const n of issued.slice(0, 2)) checkP12(n, files[`${n}.p12`]!, 'desk-export-3');
  const report = strFromU8(files['report.csv']!);
  for (const [i, n] of names.entries()) expect(report).toContain(`${n},CN=${n},${states[i]},`);
  await expect(page.locator('tp-desk [data-message]')).toContainText('batch keys were deleted');
  const left = await page.evaluate(async () => ({ keys: (await window.trustpoint!.app.keys.list()).length, batch: await window.trustpoint!.app.meta.get('desk-batch') }));
  expect(left).toEqual({ keys: 0, batch: null });
});

test('guided authenticate compares the fingerprint scanned from a QR code with the camera', async () => {
  // Chromium's fake camera gives a real getUserMedia stream; Debian's Chromium has no
  // BarcodeDetector (Linux has no shape-detection backend), so the page gets a stand-in that
  // "sees" the administrator's QR code once the video plays — the one fake here (README, Tests).
  const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: [...CHROMIUM_ARGS, '--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream'] });
  try {
    const context = await browser.newContext({ permissions: ['camera'] });
    const page = await context.newPage();
    await page.addInitScript((qr) => {
      (window as unknown as { __TRUSTPOINT_TEST__?: object }).__TRUSTPOINT_TEST__ ??= {};
      const seen: { tracks: MediaStreamTrack[]; detections: number } = { tracks: [], detections: 0 };
      (window as unknown as { __qr: typeof seen }).__qr = seen;
      class StandInBarcodeDetector {
        constructor(o: { formats: string[] }) {
          if (!o.formats.includes('qr_code')) throw new TypeError('qr_code not asked for');
        }
        async detect(v: HTMLVideoElement): Promise<{ rawValue: string }[]> {
          const stream = v.srcObject as MediaStream | null;
          const live = stream?.getVideoTracks().filter((t) => t.readyState === 'live') ?? [];
          if (!live.length || v.readyState < 2 || v.videoWidth === 0) return [];
          seen.tracks.push(...live);
          return ++seen.detections < 3 ? [] : [{ rawValue: qr }];
        }
      }
      (window as unknown as { BarcodeDetector: unknown }).BarcodeDetector = StandInBarcodeDetector;
    }, lab.fingerprints.sha256);
    await openApp(page, app.url);
    const name = `Q${run}`;
    await configure(page, [`crypto pki trustpoint ${name}`, ` enrollment url ${lab.scepUrl}`, ' exit']);
    await goto(page, 'Trustpoints');
    await page.getByRole('article', { name: `Trustpoint ${name}` }).getByRole('button', { name: 'Authenticate' }).click();
    const dialog = page.getByRole('dialog');
    await expect(dialog.locator('[data-fp=sha256]').first()).toHaveText(lab.fingerprints.sha256);
    await dialog.getByRole('button', { name: 'Scan QR code' }).click();
    await expect(dialog.getByLabel('Fingerprint to compare (typed or scanned)')).toHaveValue(lab.fingerprints.sha256, { timeout: 15_000 });
    await expect(dialog.getByRole('status')).toHaveText('Fingerprint matches.');
    // the camera is off again once the code was read
    await expect(dialog.getByLabel('Camera')).toHaveCount(0);
    const cam = await page.evaluate(() => {
      const q = (window as unknown as { __qr: { tracks: MediaStreamTrack[]; detections: number } }).__qr;
      return { detections: q.detections, states: [...new Set(q.tracks.map((t) => t.readyState))], labels: [...new Set(q.tracks.map((t) => t.label))] };
    });
    expect(cam.detections).toBe(3);
    expect(cam.states).toEqual(['ended']);
    expect(cam.labels).toEqual(['fake_device_0']);
    await dialog.getByRole('button', { name: 'Yes' }).click();
    await expect(page.getByRole('region', { name: `Authenticate ${name}` }).locator('[data-stage]')).toHaveText('CA certificate accepted');
    await context.close();
  } finally {
    await browser.close();
  }
});

test('without a BarcodeDetector the fingerprint is compared by typing, and no camera is offered', async ({ page }) => {
  await openApp(page, app.url);
  expect(await page.evaluate(() => 'BarcodeDetector' in window)).toBe(false);
  const name = `T${run}`;
  await configure(page, [`crypto pki trustpoint ${name}`, ` enrollment url ${lab.scepUrl}`, ' exit']);
  await goto(page, 'Trustpoints');
  await page.getByRole('article', { name: `Trustpoint ${name}` }).getByRole('button', { name: 'Authenticate' }).click();
  const dialog = page.getByRole('dialog');
  await expect(dialog.locator('[data-fp=sha256]').first()).toHaveText(lab.fingerprints.sha256);
  await expect(dialog.getByRole('button', { name: 'Scan QR code' })).toHaveCount(0);
  await dialog.getByLabel('Fingerprint to compare (typed or scanned)').fill(lab.fingerprints.sha1.toLowerCase());
  await expect(dialog.getByRole('status')).toHaveText('Fingerprint matches.');
  await dialog.getByRole('button', { name: 'No' }).click();
  await expect(page.getByRole('region', { name: `Authenticate ${name}` }).locator('[data-error]')).not.toBeEmpty();
  expect(await page.evaluate((n) => window.trustpoint!.app.running.chains.get(n)?.certificates.length ?? 0, name)).toBe(0);
});
