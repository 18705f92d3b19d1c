/**
 * A plain-HTTP intranet page has no `crypto.subtle`. With it removed before the app loads,
 * everything still works on the WASM core alone: key generation, fingerprints, CA
 * authentication (signature checks), requests, self-signed certificates, import, and keys
 * that survive a reload.
 */
import { expect, test } from '../pw.ts';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { appServer, cli, openApp } from './fixtures.ts';

let server: { url: string; close(): Promise<void> };
let dir: string;
const sh = (args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] }).toString();

test.beforeAll(async () => {
  server = await appServer();
  dir = mkdtempSync(join(tmpdir(), 'tp-nosubtle-'));
  for (const [name, alg] of [
    ['ec', ['ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', 'ec.key']],
    ['rsa', ['genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048', '-out', 'rsa.key']],
  ] as const) {
    sh([...alg]);
    sh(['req', '-x509', '-new', '-key', `${name}.key`, '-out', `${name}.pem`, '-subj', `/O=Intranet/CN=${name.toUpperCase()} Root`, '-days', '30', '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign']);
  }
});
test.afterAll(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

test.beforeEach(async ({ page }) => {
  await page.addInitScript(() => {
    Object.defineProperty(Crypto.prototype, 'subtle', { get: () => undefined, configurable: true });
  });
});

function sign(ca: 'ec' | 'rsa', csrPem: string): string {
  writeFileSync(join(dir, 'req.pem'), csrPem);
  sh(['x509', '-req', '-in', 'req.pem', '-CA', `${ca}.pem`, '-CAkey', `${ca}.key`, '-CAcreateserial', '-out', 'cert.pem', '-days', '10', '-copy_extensions', 'copy']);
  return readFileSync(join(dir, 'cert.pem'), 'utf8');
}

const requestOf = (t: string) => t.slice(t.indexOf('-----BEGIN CERTIFICATE REQUEST-----'), t.indexOf('-----END CERTIFICATE REQUEST-----') + 33) + '\n';

for (const ca of ['ec', 'rsa'] as const)
  test(`without crypto.subtle: EC keys, ${ca.toUpperCase()} CA — authenticate, enroll, import, reload`, async ({ page }) => {
    await openApp(page, server.url);
    expect(await page.evaluate(() => typeof crypto.subtle)).toBe('undefined');
    // Without a secure context a private key would be stored unencrypted: refused unless the
    // user agrees to a plain warning, every time.
    let t = await cli(page, 'enable\nshow version\nconf t\nhostname k1\nip domain-name example.com\ncrypto key generate ec keysize 256 label e1\nno\n');
    expect(t).toContain('Crypto: WebCrypto NOT available');
    expect(t).toContain('it would be stored UNENCRYPTED in this browser profile');
    expect(t).toContain('% Private key not stored (no secure context).');
    expect(t).not.toContain('% Generating 256 bit EC keys');
    expect(await cli(page, 'do show crypto key mypubkey ec\n')).not.toContain('Key name: e1');
    t = await cli(page, 'crypto key generate ec keysize 256 label e1\nyes\n');
    expect(t).toContain('% Generating 256 bit EC keys');
    t = await cli(page, 'do show crypto key mypubkey ec\n');
    expect(t).toContain('Key storage: Trustpoint core (not wrapped: no WebCrypto on this page)');
    t = await cli(page, `crypto pki trustpoint T\n enrollment terminal pem\n eckeypair e1\n serial-number none\n ip-address none\n password x\nexit\ncrypto pki authenticate T\n${readFileSync(join(dir, `${ca}.pem`), 'utf8')}\nyes\n`);
    expect(t).toMatch(/Fingerprint SHA1: [0-9A-F]{8}/);
    expect(t).toContain('% Certificate successfully imported');
    t = await cli(page, 'crypto pki enroll T\nyes\nno\n');
    const cert = sign(ca, requestOf(t));
    t = await cli(page, `crypto pki import T certificate\n${cert}\nend\nwrite memory\n`);
    expect(t).toContain('% Router Certificate successfully imported');
    await page.reload();
    await page.waitForFunction(() => document.documentElement.dataset.ready === 'true' && !!window.trustpoint);
    t = await cli(page, 'enable\nshow crypto pki certificates T\nconf t\ncrypto pki trustpoint S\n enrollment selfsigned\n eckeypair e1\n serial-number none\n ip-address none\nexit\ncrypto pki enroll S\nyes\n');
    expect(t).toContain('Certificate\n  Status: Available');
    expect(t).toContain('Router Self Signed Certificate successfully created');
  });
