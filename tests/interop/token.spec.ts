/**
 * A PIV token from real Chromium, end to end — without USB hardware (none exists on the test
 * machines): a fake `USBDevice` is injected at `navigator.usb` (tests/token/fake-usb.ts) whose
 * bulk transfers are bridged to a CCID reader in Node (tests/token/ccid-bridge.ts) in front of
 * the software PIV card of lab/pivcard.sh over PC/SC. The app's production build runs its
 * WebUSB → CCID → APDU → PIV stack unchanged, and every answer is the card's.
 *
 * Enrollment is against the real micromdm SCEP CA of the interop lab with the key on the card:
 * the certificate is verified by OpenSSL against the lab CA, and its public key is shown to be
 * the card's slot key by yubico-piv-tool (a signature made in slot 9a verifies with it) — not
 * by our code. The plain-page case (no token route) and a token pulled mid-operation are here too.
 */
import { spawnSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test, type Page } from '../pw.ts';
import { cli, openApp, appServer, type RunningApp } from '../e2e/fixtures.ts';
import { labFromEnv, startLab, type Lab } from './lab.ts';
import { startPivCard, type PivCardLab } from '../token/_pivcard.ts';
import { pcsc, type PcscSession } from '../token/_pcsc.ts';
import { CcidBridge, ccidConfigDescriptor } from '../token/ccid-bridge.ts';
import { installFakeUsb } from '../token/fake-usb.ts';

let lab: Lab;
let ownLab = false;
let app: RunningApp;
let card: PivCardLab;
let pc: PcscSession;
let work: string;

test.beforeAll(async () => {
  const attached = labFromEnv();
  if (attached) lab = attached;
  else {
    lab = await startLab({ dir: '.lab/i/token-spec', rawPort: 0, corsPort: 0, anyLocalPort: true });
    ownLab = true;
  }
  card = startPivCard('.lab/i/pivcard/e2e');
  pc = pcsc(card.socket);
  app = await appServer();
  work = mkdtempSync(join(tmpdir(), 'tp-token-spec-'));
  writeFileSync(join(work, 'ca.pem'), lab.caPem);
});

test.afterAll(async () => {
  await app?.close();
  pc?.close();
  card?.stop();
  if (ownLab) await lab.stop();
  if (work) rmSync(work, { recursive: true, force: true });
});

/** Opens the app with the fake CCID device bridged to the card; returns the bridge. */
async function openWithToken(page: Page, opts: { unplugOnIns?: number } = {}): Promise<CcidBridge> {
  const bridge = new CcidBridge(pc);
  await page.addInitScript(() => {
    (window as unknown as { __TRUSTPOINT_TEST__: object }).__TRUSTPOINT_TEST__ ??= {};
  });
  await page.addInitScript(installFakeUsb, { configDescriptor: ccidConfigDescriptor(), productName: 'Software PIV card via PC/SC bridge (no USB hardware)' });
  await page.exposeBinding('__tpUsbOut', async (_src, hex: string) => {
    const bytes = Buffer.from(hex, 'hex');
    // fault injection: pull the device out when the driver sends this instruction
    if (opts.unplugOnIns !== undefined && bytes[0] === 0x6f && bytes.length > 11 && bytes[11] === opts.unplugOnIns) {
      opts.unplugOnIns = undefined;
      await page.evaluate(() => (window as unknown as { __tpFakeUsb: { unplug(): void } }).__tpFakeUsb.unplug());
      return;
    }
    await bridge.write(bytes);
  });
  await page.exposeBinding('__tpUsbIn', (_src, len: number) => Buffer.from(bridge.read(len)).toString('hex'));
  await openApp(page, app.url);
  return bridge;
}

function ypt(...args: string[]): { out: string; code: number } {
  const r = spawnSync('yubico-piv-tool', ['-r', 'Virtual PCD', ...args], { env: { ...process.env, PCSCLITE_CSOCK_NAME: card.socket }, encoding: 'utf8', timeout: 60_000 });
  return { out: `${r.stdout}${r.stderr}`, code: r.status ?? -1 };
}

test('a PIV token over WebUSB CCID (fake USBDevice bridged to the software card, no USB hardware): login, key on the card, SCEP enrollment at micromdm; OpenSSL verifies; the certificate key is the card slot key', async ({ page }) => {
  test.setTimeout(120_000);
  const bridge = await openWithToken(page);
  const script = [
    'enable',
    'configure terminal',
    'hostname tokrouter',
    'ip domain-name example.com',
    'crypto pki token usbtoken0: login',
    '123456',
    'crypto key generate rsa label tok1 modulus 2048 on usbtoken0:',
    'crypto pki trustpoint tokTP',
    ` enrollment url ${lab.scepUrl}`,
    ' rsakeypair tok1',
    ' on usbtoken0:',
    ` password ${lab.challenge}`,
    ' subject-name OU=Tokens, O=example.com',
    ' serial-number none',
    ' ip-address none',
    ' exit',
    'crypto pki authenticate tokTP',
    'yes',
    'crypto pki enroll tokTP',
    'end',
    'dir usbtoken0:',
    'show crypto key mypubkey rsa tok1',
  ].join('\n');
  const out = await cli(page, script);
  expect(out).not.toContain('123456');
  expect(out).toContain('%CRYPTO-6-TOKENLOGIN: Cryptographic Token usbtoken0: Login Successful');
  expect(out).toContain('% Generating 2048 bit RSA keys, keys will be on-token, non-exportable...');
  expect(out).toContain('%PKI-6-CERTRET: Certificate received from Certificate Authority');
  expect(out).toContain('% Certificate written to usbtoken0: slot 9a (PIV Authentication).');
  expect(out).toMatch(/9a\.key\s+RSA 2048 key "tok1"/);
  expect(out).toMatch(/9a\.crt\s+certificate object 5FC105/);
  expect(out).toContain('Key storage: usbtoken0: (PIV slot 9a; generated on the token, the private key never leaves it)');
  expect(out).not.toMatch(/% (Internal|Token usbtoken0: was removed|No token)/);

  // the CCID stack met what real readers do: time extensions, chained blocks both ways, 64-byte IN packets
  expect(bridge.stats.timeExtensions).toBeGreaterThan(0);
  expect(bridge.stats.chainedAnswers).toBeGreaterThan(0);
  expect(bridge.stats.chainedCommands).toBeGreaterThan(0);
  expect(bridge.instructions).toEqual(expect.arrayContaining([0xa4, 0x20, 0x87, 0x47, 0xdb]));

  // the issued certificate: OpenSSL verifies it against the lab CA
  const chain = await page.evaluate(() => (window.trustpoint!.app.running.chains.get('tokTP')?.certificates ?? []).map((c) => ({ kind: c.kind, der: Array.from(c.der) })));
  const own = chain.filter((c) => c.kind === 'general');
  expect(own).toHaveLength(1);
  const cert = new X509Certificate(Buffer.from(own[0]!.der));
  const certPem = join(work, 'tok.pem');
  writeFileSync(certPem, cert.toString());
  const v = spawnSync('openssl', ['verify', '-CAfile', join(work, 'ca.pem'), certPem], { encoding: 'utf8' });
  expect(v.stdout + v.stderr).toContain(': OK');
  // its public key is the key record's ...
  const spki = await page.evaluate(async () => Array.from((await window.trustpoint!.app.keys.byLabel('tok1'))[0]!.spki));
  expect(cert.publicKey.export({ format: 'der', type: 'spki' }).equals(Buffer.from(spki))).toBe(true);
  // ... and the card's: yubico-piv-tool reads the same certificate from slot 9a, and a signature
  // the card makes in slot 9a verifies with the certificate's key (OpenSSL)
  const read = ypt('-a', 'read-certificate', '-s', '9a', '-o', join(work, 'slot9a.pem'));
  expect(read.code, read.out).toBe(0);
  expect(new X509Certificate(readFileSync(join(work, 'slot9a.pem'))).raw.equals(cert.raw)).toBe(true);
  writeFileSync(join(work, 'data.txt'), 'made in slot 9a\n');
  const sig = ypt('-a', 'verify-pin', '-P', '123456', '--sign', '-s', '9a', '-A', 'RSA2048', '-H', 'SHA256', '-i', join(work, 'data.txt'), '-o', join(work, 'data.sig'));
  expect(sig.code, sig.out).toBe(0);
  writeFileSync(join(work, 'certpub.pem'), cert.publicKey.export({ format: 'pem', type: 'spki' }));
  const ok = spawnSync('openssl', ['dgst', '-sha256', '-verify', join(work, 'certpub.pem'), '-signature', join(work, 'data.sig'), join(work, 'data.txt')], { encoding: 'utf8' });
  expect(ok.stdout).toContain('Verified OK');

  // the Tokens view shows the connected token and its key
  await page.getByRole('button', { name: 'Tokens' }).click();
  const view = page.locator('tp-tokens');
  await expect(view).toContainText('via WebUSB (CCID)');
  await expect(view).toContainText('Trustpoint software PIV');
  await expect(view.locator('table')).toContainText('usbtoken0: 9a');
});

test('token pulled out during key generation (fault injected at navigator.usb): one % line, nothing stored, the session recovers after plugging it back', async ({ page }) => {
  await openWithToken(page, { unplugOnIns: 0x47 });
  await cli(page, 'enable\nconfigure terminal\nhostname tokrouter\nip domain-name example.com\nend');
  const before = await page.evaluate(async () => (await window.trustpoint!.app.keys.list()).length);
  // slot 9a still holds the certificate of the first test, from another configuration: the app asks first
  const out = await cli(page, 'configure terminal\ncrypto key generate ec keysize 256 label tok9 on usbtoken0:\nyes\nend');
  expect(out).toContain('holds a certificate that is not from this configuration');
  expect(out).toContain('% Token usbtoken0: was removed or stopped answering during the operation');
  expect(out).toContain('nothing was stored');
  expect(await page.evaluate(async () => (await window.trustpoint!.app.keys.list()).length)).toBe(before);
  await page.evaluate(() => (window as unknown as { __tpFakeUsb: { plug(): void } }).__tpFakeUsb.plug());
  const again = await cli(page, 'configure terminal\ncrypto key generate ec keysize 256 label tok9 on usbtoken0:\nyes\nend');
  expect(again).toContain('keys will be on-token, non-exportable');
  expect(again).not.toMatch(/% Token|% No token/);
  expect(await page.evaluate(async () => (await window.trustpoint!.app.keys.byLabel('tok9'))[0]?.holder)).toBe('token');
});

test('the plain web page (no token route): the token commands explain why tokens need the installed app', async ({ page }) => {
  await page.addInitScript(() => {
    (window as unknown as { __TRUSTPOINT_TEST__: object }).__TRUSTPOINT_TEST__ ??= {};
  });
  await openApp(page, app.url);
  const out = await cli(page, 'enable\ncrypto pki token usbtoken0: login\nshow crypto pki token');
  expect(out).not.toContain('Enter PIN');
  expect(out).toContain('% usbtoken0: is not available: Hardware tokens (PIV, e.g. a YubiKey) are not reachable from http://127.0.0.1');
  expect(out).toContain('Isolated Web App');
  expect(out).toContain('WebHID and WebAuthn cannot reach PIV keys');
  expect(out).toContain('WebUSB (CCID reader / token): not available');
  expect(out).toContain('needs: the Trustpoint Isolated Web App installed (npm run build:iwa; README "Tokens")');
  const gen = await cli(page, 'configure terminal\ncrypto key generate rsa label t modulus 2048 on usbtoken0:\nend');
  expect(gen).toContain('% usbtoken0: is not available');
  expect(await page.evaluate(async () => (await window.trustpoint!.app.keys.byLabel('t')).length)).toBe(0);
  // the Tokens view says the same, with what the user would need
  await page.getByRole('button', { name: 'Tokens' }).click();
  const view = page.locator('tp-tokens');
  await expect(view.locator('.why')).toContainText('Install the Trustpoint Isolated Web App');
  await expect(view.locator('[data-route=webusb-ccid]')).toContainText('not available');
  await expect(view.locator('[data-route=webusb-ccid]')).toContainText('CCID enabled on the token');
  await expect(view.locator('[data-route=web-smart-card]')).toContainText('navigator.smartCard');
});
