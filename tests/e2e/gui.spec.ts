/**
 * The GUI by role and label (issue 8): the trustpoint editor writes the same `show
 * running-config` block as typing the commands, shows them in its Commands panel and adds them
 * to the console history; the certificate viewer opens a PKCS#12 made by `openssl pkcs12
 * -export`; a file dropped on the console never runs console commands (issue 12, defect 4).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test, type Page } from '../pw.ts';
import { cli, configBody, openApp, appServer, type RunningApp } from './fixtures.ts';

let server: RunningApp;
let work: string;

test.beforeAll(async () => {
  server = await appServer();
  work = mkdtempSync(join(tmpdir(), 'tp-gui-'));
});
test.afterAll(async () => {
  await server.close();
  rmSync(work, { recursive: true, force: true });
});
test.beforeEach(async ({ page }) => {
  await page.addInitScript(() => {
    (window as unknown as { __TRUSTPOINT_TEST__?: object }).__TRUSTPOINT_TEST__ ??= {};
  });
});

/** The `crypto pki trustpoint NAME` block of a `show running-config` transcript. */
function block(transcript: string, name: string): string {
  const body = configBody(transcript, '#show running-config');
  const lines = body.split('\n');
  const i = lines.indexOf(`crypto pki trustpoint ${name}`);
  expect(i).toBeGreaterThanOrEqual(0);
  const out = [lines[i]];
  for (let j = i + 1; lines[j]?.startsWith(' '); j++) out.push(lines[j]);
  return out.join('\n');
}

const TYPED = [
  'crypto pki trustpoint branch7',
  ' enrollment retry period 5',
  ' enrollment retry count 20',
  ' enrollment url http://ca.example.com/scep',
  ' serial-number none',
  ' ip-address none',
  ' password lab-secret',
  ' subject-name CN=branch7, OU=Spiral Dept., O=example.com',
  ' subject-alt-name branch7.example.com',
  ' revocation-check crl none',
  ' rsakeypair branch7-key 3072',
  ' auto-enroll 80 regenerate',
  ' regenerate',
  ' usage ike ssl-client',
  ' fingerprint 12EF53FA 355CD23E 12EF53FA 355CD23E',
];

async function goto(page: Page, view: string): Promise<void> {
  await page.getByRole('navigation', { name: 'Views' }).getByRole('button', { name: view, exact: true }).click();
}

test('the trustpoint editor writes the same running-config block as typing it', async ({ page, browser }) => {
  await openApp(page, server.url);
  await goto(page, 'Trustpoints');
  await page.getByRole('button', { name: 'New trustpoint' }).click();
  await page.getByLabel('Name', { exact: true }).fill('branch7');
  await expect(page.getByLabel('Enrollment method')).toHaveValue('url');
  await page.getByLabel('Enrollment URL').fill('http://ca.example.com/scep');
  await page.getByLabel('Subject name').fill('CN=branch7, OU=Spiral Dept., O=example.com');
  await page.getByLabel('Subject alternative name').fill('branch7.example.com');
  await page.getByLabel('Challenge password').fill('lab-secret');
  await page.getByLabel('Key pair label').fill('branch7-key');
  await page.getByLabel('Key type').selectOption('rsa');
  // the grammar's own range check, live
  await page.getByLabel('Key size').fill('9999');
  await expect(page.locator('tp-trustpoints small.error').first()).toContainText('% Invalid input');
  await page.getByLabel('Key size').fill('3072');
  await page.getByLabel('Auto-enroll', { exact: true }).check();
  await page.getByLabel('Auto-enroll at %').fill('80');
  await page.getByLabel('New key at auto-enroll').check();
  await page.getByLabel('Regenerate key').check();
  await page.getByLabel('CA fingerprint').fill('12EF53FA355CD23E12EF53FA355CD23E');
  const rev = page.getByRole('group', { name: 'Revocation check' });
  await rev.getByLabel('crl').check();
  await rev.getByLabel('none').check();
  const usage = page.getByRole('group', { name: 'Usage' });
  await usage.getByLabel('ike').check();
  await usage.getByLabel('ssl-client').check();
  await page.getByLabel('Retry period').fill('5');
  await page.getByLabel('Retry count').fill('20');
  await page.getByLabel('Serial number').selectOption('none');
  await page.getByLabel('IP address').fill('none');
  // the live preview is the IOS block (the password as type 7)
  const preview = page.locator('tp-trustpoints pre[data-preview]');
  await expect(preview).toContainText(' rsakeypair branch7-key 3072');
  await expect(preview).toContainText(' password 7 ');
  await expect(preview).not.toContainText('lab-secret');
  await page.getByRole('button', { name: 'Save' }).click();
  await expect(page.getByRole('article', { name: 'Trustpoint branch7' })).toBeVisible();

  // the Commands panel shows the console lines, password redacted
  const cmds = page.getByLabel('Commands', { exact: true });
  await expect(cmds).toContainText('crypto pki trustpoint branch7');
  await expect(cmds).toContainText(' rsakeypair branch7-key 3072');
  await expect(cmds).toContainText(' password *****');
  await expect(cmds).not.toContainText('lab-secret');
  const gui = await cli(page, 'enable\nshow running-config');
  expect(gui).toContain('crypto pki trustpoint branch7');
  const history = await page.evaluate(() => window.trustpoint!.session.history.join('\n'));
  expect(history).toContain('rsakeypair branch7-key 3072');
  expect(history).toContain('password *****');
  expect(history).not.toContain('lab-secret');

  // the same lines typed into a fresh app
  const ctx = await browser.newContext();
  const other = await ctx.newPage();
  try {
    await openApp(other, server.url);
    const typed = await cli(other, ['enable', 'configure terminal', ...TYPED, 'end', 'show running-config'].join('\n'));
    expect(block(gui, 'branch7')).toBe(block(typed, 'branch7'));
  } finally {
    await ctx.close();
  }

  // edit: clear a field; the change is a "no" line, and the block still equals typing it
  await page.getByRole('button', { name: 'Edit branch7' }).click();
  await page.getByLabel('Subject alternative name').fill('');
  await page.getByRole('button', { name: 'Save' }).click();
  await expect(cmds).toContainText(' no subject-alt-name branch7.example.com');
  await expect(page.getByRole('article', { name: 'Trustpoint branch7' })).toBeVisible();
  const after = await cli(page, 'show running-config');
  expect(block(after, 'branch7')).not.toContain('subject-alt-name');

  // delete
  await page.getByRole('button', { name: 'Edit branch7' }).click();
  await page.getByRole('button', { name: 'Delete' }).click();
  await expect(page.getByText('Trustpoint branch7 deleted.')).toBeVisible();
  await expect(page.getByRole('article', { name: 'Trustpoint branch7' })).toHaveCount(0);
  await expect(page.getByLabel('Commands', { exact: true })).toContainText('no crypto pki trustpoint branch7');
  expect(await cli(page, 'show running-config')).not.toContain('crypto pki trustpoint branch7');
});

test('the certificate viewer opens a PKCS#12 file made by openssl pkcs12 -export', async ({ page }) => {
  const o = (args: string[]) => execFileSync('openssl', args, { cwd: work, stdio: ['ignore', 'pipe', 'pipe'] });
  o(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'k.pem', '-out', 'c.pem', '-subj', '/CN=viewer.example.com/O=Viewer Test', '-days', '30', '-addext', 'subjectAltName=DNS:viewer.example.com,DNS:alt.example.com', '-addext', 'extendedKeyUsage=serverAuth']);
  o(['pkcs12', '-export', '-inkey', 'k.pem', '-in', 'c.pem', '-out', 'v.p12', '-passout', 'pass:p12-secret']);
  const fp = o(['x509', '-in', 'c.pem', '-noout', '-fingerprint', '-sha256']).toString().split('=')[1]!.replace(/:/g, '').trim();
  await openApp(page, server.url);
  await goto(page, 'Certificates');
  await page.locator('tp-certificates input[type=file]').setInputFiles(join(work, 'v.p12'));
  await page.getByLabel('PKCS #12 password').fill('p12-secret');
  await page.getByRole('button', { name: 'Open', exact: true }).click();
  const card = page.getByRole('article', { name: /Certificate CN=viewer\.example\.com/ });
  await expect(card).toBeVisible();
  await expect(card.locator('[data-field=subject]')).toHaveText('CN=viewer.example.com, O=Viewer Test');
  await expect(card.locator('[data-field=san]')).toContainText('DNS: alt.example.com');
  await expect(card).toContainText('TLS Web Server Authentication'); // oids.ts: OpenSSL's names, as `show crypto pki certificates verbose` prints them
  await expect(card.locator('[data-field=sha256]')).toHaveText(fp.match(/.{8}/g)!.join(' '));
  await expect(card.locator('[data-field=validation]')).toContainText('Self-signed');
  // downloads as PEM: byte-identical to what openssl wrote (modulo line endings)
  const dl = page.waitForEvent('download');
  await card.getByRole('link', { name: 'Download PEM' }).click();
  const file = await (await dl).path();
  expect(readFileSync(file, 'utf8').trim()).toBe(readFileSync(join(work, 'c.pem'), 'utf8').trim());
  // a wrong password says so in the console's words
  await page.locator('tp-certificates input[type=file]').setInputFiles(join(work, 'v.p12'));
  await page.getByLabel('PKCS #12 password').fill('wrong');
  await page.getByRole('button', { name: 'Open', exact: true }).click();
  await expect(page.getByRole('alert')).toContainText('wrong password');
});

/** Drops `text` as a file named `name` on the element `selector` (deep, through shadow roots). */
async function dropFile(page: Page, target: ReturnType<Page['locator']>, name: string, text: string): Promise<void> {
  const dt = await page.evaluateHandle(
    ([n, t]) => {
      const d = new DataTransfer();
      d.items.add(new File([t], n, { type: 'application/x-pem-file' }));
      return d;
    },
    [name, text] as const,
  );
  await target.dispatchEvent('drop', { dataTransfer: dt });
}

test('a .pem dropped on the console never runs console commands (issue 12, defect 4)', async ({ page }) => {
  await openApp(page, server.url);
  await cli(page, 'enable\nconfigure terminal\ncrypto key generate rsa general-keys label keep-me modulus 1024\nend\nwrite memory');
  const evil = ['enable', 'configure terminal', 'crypto key zeroize', 'yes', 'end', 'erase startup-config', '', 'write erase', ''].join('\n');
  const before = await page.evaluate(() => window.trustpoint!.session.history.length);
  await dropFile(page, page.locator('tp-console .screen'), 'evil.pem', evil);
  // it is shown in the viewer as what it is, and nothing ran
  await expect(page.locator('tp-certificates')).toBeVisible();
  await expect(page.locator('tp-certificates [role=alert]')).toBeVisible();
  await page.waitForTimeout(300);
  expect(await page.evaluate(() => window.trustpoint!.session.history.length)).toBe(before);
  const t = await cli(page, 'show crypto key mypubkey rsa\nshow startup-config');
  expect(t).toContain('keep-me');
  expect(t).not.toContain('startup-config is not present');
  expect(t).not.toContain('zeroize');
});

test('a dropped file may answer a waiting paste question, and only that question', async ({ page }) => {
  await openApp(page, server.url);
  const o = (args: string[]) => execFileSync('openssl', args, { cwd: work, stdio: ['ignore', 'pipe', 'pipe'] });
  o(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.pem', '-subj', '/CN=Drop CA', '-days', '30', '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign']);
  const ca = readFileSync(join(work, 'ca.pem'), 'utf8');
  await cli(page, 'enable\nconfigure terminal\ncrypto pki trustpoint D\n enrollment terminal\n exit\ncrypto pki authenticate D');
  // the console now waits for the paste; the file also carries lines after the certificate
  await dropFile(page, page.locator('tp-console .screen'), 'ca.pem', `${ca}\nyes\ncrypto key zeroize\nyes\n`);
  await page.getByRole('dialog').getByRole('button', { name: 'Yes' }).click();
  // the paste ends at the blank line; the accept question is the user's, not the file's
  await expect.poll(() => page.evaluate(() => window.trustpoint!.session.question()?.text ?? '')).toContain('Do you accept this certificate?');
  const t = await cli(page, 'yes\nend\nshow crypto pki trustpoints D');
  expect(t).toContain('% Certificate successfully imported');
  expect(await page.evaluate(() => window.trustpoint!.session.history.join('\n'))).not.toContain('zeroize');
});
