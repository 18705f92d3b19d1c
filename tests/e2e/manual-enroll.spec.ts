/**
 * The guide's cut-and-paste scenario in Chromium: the console generates a key, authenticates
 * the CA from a paste, shows the request; OpenSSL plays the CA operator (`openssl ca`); the
 * certificate is pasted back; after a reload `show crypto pki certificates` still lists
 * everything and the key is still in the browser's key store.
 */
import { expect, test } from '../pw.ts';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { appServer, cli, enableTestSeam, openApp, typeLine } from './fixtures.ts';

let server: { url: string; close(): Promise<void> };
let caDir: string;
const sh = (args: string[]) => execFileSync('openssl', args, { cwd: caDir, stdio: ['ignore', 'pipe', 'pipe'] }).toString();

test.beforeAll(async () => {
  server = await appServer();
  caDir = mkdtempSync(join(tmpdir(), 'tp-e2e-ca-'));
  sh(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.pem', '-subj', '/C=US/O=Example/CN=E2E Root CA', '-days', '365', '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign']);
  writeFileSync(join(caDir, 'index.txt'), '');
  writeFileSync(join(caDir, 'serial'), '1000\n');
  writeFileSync(
    join(caDir, 'ca.cnf'),
    `[ca]\ndefault_ca=d\n[d]\ndatabase=index.txt\nserial=serial\nnew_certs_dir=.\ncertificate=ca.pem\nprivate_key=ca.key\ndefault_md=sha256\ndefault_days=90\npolicy=p\ncopy_extensions=copy\nunique_subject=no\n[p]\nunstructuredName=optional\ncommonName=optional\norganizationName=optional\n`,
  );
});
test.afterAll(async () => {
  await server.close();
  rmSync(caDir, { recursive: true, force: true });
});

// The test reads window.trustpoint.session/.app/.core: define the test seam before the app loads.
test.beforeEach(async ({ page }) => {
  await enableTestSeam(page);
});

test('cut-and-paste enrollment with an OpenSSL CA, then reload', async ({ page }) => {
  await openApp(page, server.url);
  const caPem = readFileSync(join(caDir, 'ca.pem'), 'utf8');
  const fp = sh(['x509', '-in', 'ca.pem', '-noout', '-fingerprint', '-sha1']).split('=')[1]!.replace(/:/g, '').trim();
  // Typed, as a user would: the key, the trustpoint with the out-of-band fingerprint.
  for (const line of [
    'enable',
    'configure terminal',
    'hostname kiosk7',
    'ip domain-name example.com',
    'crypto key generate rsa general-keys label tp-key modulus 2048',
    'crypto pki trustpoint TP',
    ' enrollment terminal pem',
    ' rsakeypair tp-key',
    ' serial-number none',
    ' ip-address none',
    ' password lab-secret',
    ` fingerprint ${fp}`,
    'exit',
  ])
    await typeLine(page, line);
  let t = await cli(page, `crypto pki authenticate TP\n${caPem}\n`);
  expect(t).toContain('% Fingerprint matches the configured SHA-1 fingerprint.');
  expect(t).toContain('% Certificate successfully imported');
  t = await cli(page, 'crypto pki enroll TP\nyes\nno\n');
  const csr = t.slice(t.indexOf('-----BEGIN CERTIFICATE REQUEST-----'), t.indexOf('-----END CERTIFICATE REQUEST-----') + 33) + '\n';
  // The request is also offered as a file.
  const link = page.locator('tp-console .offers a', { hasText: 'TP.csr' });
  await expect(link).toBeVisible();
  const [download] = await Promise.all([page.waitForEvent('download'), link.click()]);
  expect(download.suggestedFilename()).toBe('TP.csr');
  expect(readFileSync(await download.path(), 'utf8')).toBe(csr);
  writeFileSync(join(caDir, 'req.pem'), csr);
  // The human CA operator: openssl ca signs what the console showed.
  sh(['ca', '-batch', '-config', 'ca.cnf', '-in', 'req.pem', '-out', 'cert.pem', '-notext']);
  const cert = readFileSync(join(caDir, 'cert.pem'), 'utf8');
  t = await cli(page, `crypto pki import TP certificate\n${cert}\nend\nwrite memory\nshow crypto pki certificates\n`);
  expect(t).toContain('% Router Certificate successfully imported');
  expect(t).toContain('Certificate\n  Status: Available\n  Certificate Serial Number (hex): 1000');
  expect(t).toContain('CA Certificate\n  Status: Available');

  await page.getByRole('button', { name: 'Certificates' }).click();
  await expect(page.locator('tp-certificates article[data-serial="1000"]')).toContainText('Available');
  await page.getByRole('button', { name: 'Keys' }).click();
  await expect(page.locator('tp-keys')).toContainText('tp-key');
  await page.getByRole('button', { name: 'Console' }).click();
  await page.reload();
  await page.waitForFunction(() => document.documentElement.dataset.ready === 'true' && !!window.trustpoint);
  t = await cli(page, 'enable\nshow crypto pki certificates\nshow crypto key mypubkey rsa tp-key\nshow crypto pki trustpoints TP status\n');
  expect(t).toContain('Certificate\n  Status: Available\n  Certificate Serial Number (hex): 1000');
  expect(t).toContain('  Associated Trustpoints: TP\n  Key Label: tp-key');
  expect(t).toContain('CA Certificate\n  Status: Available');
  expect(t).toContain('Key name: tp-key');
  expect(t).toContain('Key storage: browser key store (WebCrypto, non-extractable)');
  expect(t).toContain('Keys generated ............. Yes (General Purpose, non-exportable)');
  // The key survived as a CryptoKey and still signs: a fresh request verifies with OpenSSL.
  t = await cli(page, 'configure terminal\ncrypto pki enroll TP\nyes\nno\n');
  const csr2 = t.slice(t.indexOf('-----BEGIN CERTIFICATE REQUEST-----'), t.indexOf('-----END CERTIFICATE REQUEST-----') + 33) + '\n';
  writeFileSync(join(caDir, 'req2.pem'), csr2);
  const v = spawnSync('openssl', ['req', '-in', join(caDir, 'req2.pem'), '-verify', '-noout']);
  expect(v.status).toBe(0);
  expect(v.stderr.toString() + v.stdout.toString()).toMatch(/verify OK/);
});
