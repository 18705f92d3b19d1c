/**
 * The newcomer's minute (issue 5, item 8): the start command writes demo-ca.json beside the app
 * (scripts/demo-ca.mjs); the app announces the demo CA, the Trustpoints view enrolls from it in
 * one press against the real CA, the inspector shows and copies the decoded SCEP transcript
 * (without the challenge password), and when the lab could not start the app says why.
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test, type Page } from '../pw.ts';
import { cli, enableTestSeam, openApp, startApp, type AppServer } from '../e2e/fixtures.ts';
import { REPO, labFromEnv, startLab, type Lab } from './lab.ts';

let lab: Lab;
let ownLab = false;

test.beforeAll(async () => {
  const attached = labFromEnv();
  if (attached) lab = attached;
  else {
    lab = await startLab({ dir: '.lab/i/demo-spec', rawPort: 0, corsPort: 0, anyLocalPort: true });
    ownLab = true;
  }
});

test.afterAll(async () => {
  if (ownLab) await lab.stop();
});

/** The start command writes demo-ca.json into dist/; these tests write their own into a private copy (startApp). */
function demoCaJson(app: AppServer, ...args: string[]): void {
  execFileSync('node', [join(REPO, 'scripts', 'demo-ca.mjs'), ...args, join(app.dir, 'demo-ca.json')]);
}

const consoleText = (page: Page) => page.evaluate(() => (document.querySelector('tp-app')!.shadowRoot!.querySelector('tp-console')!.shadowRoot!.textContent ?? '').replace(/\s+/g, ' '));

// The test reads window.trustpoint.session/.app/.core: define the test seam before the app loads.
test.beforeEach(async ({ page }) => {
  await enableTestSeam(page);
});

test('the demo CA: announced in the console, enrolled in one press, transcript copied from the inspector', async ({ page, context }) => {
  const app = await startApp();
  try {
    demoCaJson(app, 'available', join(lab.dir, 'lab.json'));
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: new URL(app.url).origin });
    await openApp(page, app.url);
    const fp = lab.fingerprints.sha256;
    await expect.poll(() => consoleText(page)).toContain(`% A demo SCEP CA is running beside this app: C=DE, O=Peer Lab, OU=SCEP Lab CA at ${lab.scepUrl}`);
    expect(await consoleText(page)).toContain(`CA fingerprint (SHA-256): ${fp}`);
    expect(await consoleText(page)).not.toContain(lab.challenge);

    // the inspector first: switch debugging on from there
    await page.getByRole('button', { name: 'Inspector' }).click();
    await expect(page.getByText('(no SCEP messages yet)')).toBeVisible();
    await page.getByRole('button', { name: 'Start debugging' }).click();
    await expect(page.getByRole('button', { name: 'Stop debugging' })).toBeVisible();

    await page.getByRole('button', { name: 'Trustpoints' }).click();
    const card = page.locator('tp-trustpoints article[data-demo="available"]');
    await expect(card).toContainText(lab.scepUrl);
    await expect(card).toContainText(fp);
    await card.getByRole('button', { name: 'Enroll from the demo CA' }).click();
    // the GUI calls the same services as the console (it types nothing): progress to Issued
    const panel = page.getByRole('region', { name: 'Enroll DEMO' });
    await expect(panel.locator('[data-stage]')).toContainText('Issued: serial', { timeout: 30_000 });
    await expect(panel.locator('pre')).toContainText('%PKI-6-CERTRET: Certificate received from Certificate Authority');
    await expect(page.getByLabel('Commands', { exact: true })).toContainText('crypto pki enroll DEMO');
    const auth = await page.evaluate(() => window.trustpoint!.app.running.trustpoints.get('DEMO')?.fingerprint);
    expect(auth).toBe(fp.replace(/ /g, ''));
    const shown = await cli(page, 'enable\nshow crypto pki certificates DEMO');
    expect(shown).toContain('CN = Router-demo');
    expect(shown).toContain('Status: Available');
    const certs = await page.evaluate(() => (window.trustpoint!.app.running.chains.get('DEMO')?.certificates ?? []).map((c) => c.kind));
    expect(certs).toEqual(['general', 'ca']);

    // the transcript, decoded, in the inspector; copy puts exactly it on the clipboard
    await page.getByRole('button', { name: 'Inspector' }).click();
    const pre = page.getByLabel('Inspector transcript');
    await expect(pre).toContainText('messageType: 19 (PKCSReq)');
    await expect(pre).toContainText('pkiStatus: 0 (SUCCESS)');
    await page.getByRole('button', { name: 'Copy transcript' }).click();
    await expect(page.locator('tp-inspector [role=status]')).toContainText('Copied');
    const clip = await page.evaluate(() => navigator.clipboard.readText());
    const log = await page.evaluate(() => window.trustpoint!.app.debugLog.join('\n'));
    expect(clip).toBe(log);
    expect(clip).toContain('CRYPTO_PKI: Sending PKIOperation (POST)');
    expect(clip).toContain('recipient: C=DE, O=Peer Lab, OU=SCEP Lab CA serial 01');
    expect(clip).not.toContain(lab.challenge);

    // a second press renews (the re-enrollment question is a dialog; the demo key is
    // non-exportable, so by a new PKCSReq: it cannot decrypt the reply to a RenewalReq)
    await page.getByRole('button', { name: 'Trustpoints' }).click();
    await card.getByRole('button', { name: 'Enroll again from the demo CA' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Yes' }).click();
    const again = page.getByRole('region', { name: 'Enroll DEMO' });
    await expect(again.locator('[data-stage]')).toContainText('Issued: serial', { timeout: 30_000 });
    await expect(again.locator('pre')).toContainText("% Renewing: the current key cannot decrypt the CA's reply to a RenewalReq (a non-exportable key); a new PKCSReq is sent.");
  } finally {
    await app.close();
  }
});

test('no demo CA: the app says why and still works', async ({ page }) => {
  const app = await startApp();
  try {
    demoCaJson(app, 'unavailable', 'installing the Debian packages scep nginx-light socat needs root');
    await openApp(page, app.url);
    await expect.poll(() => consoleText(page)).toContain('% The demo SCEP CA is not running: installing the Debian packages scep nginx-light socat needs root');
    await page.getByRole('button', { name: 'Trustpoints' }).click();
    await expect(page.locator('tp-trustpoints article[data-demo="unavailable"]')).toContainText('needs root');
    const t = await cli(page, 'enable\nshow crypto pki trustpoints');
    expect(t).not.toContain('% Invalid');
  } finally {
    await app.close();
  }
});

test('without demo-ca.json nothing is said about a demo CA', async ({ page }) => {
  const app = await startApp();
  try {
    await openApp(page, app.url);
    await page.waitForTimeout(300);
    expect(await consoleText(page)).not.toContain('demo');
    await page.getByRole('button', { name: 'Trustpoints' }).click();
    await expect(page.locator('tp-trustpoints article[data-demo]')).toHaveCount(0);
  } finally {
    await app.close();
  }
});

test('demo-ca.mjs writes what the app reads', () => {
  const out = join(lab.dir, 'demo-test.json');
  execFileSync('node', [join(REPO, 'scripts', 'demo-ca.mjs'), 'available', join(lab.dir, 'lab.json'), out]);
  const j = JSON.parse(execFileSync('cat', [out]).toString());
  expect(j).toEqual({ available: true, url: lab.scepUrl, fingerprint: lab.fingerprints.sha256.replace(/ /g, ''), challenge: lab.challenge, caSubject: 'C=DE, O=Peer Lab, OU=SCEP Lab CA' });
  writeFileSync(out, '');
});
