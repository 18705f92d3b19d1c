/**
 * `crypto pki import NAME pkcs12` and `crypto pki export NAME pkcs12|pem` through the console,
 * with files OpenSSL makes and OpenSSL reading ours.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { harness, type Harness } from '../cli/_harness.ts';
import { makeCa, openssl, requestsIn, type TestCa } from './_openssl-ca.ts';

let ca: TestCa;
const tmp = mkdtempSync(join(tmpdir(), 'tp-p12-'));

beforeAll(() => {
  ca = makeCa({ subject: '/C=US/O=Example/CN=P12 Root CA' });
  openssl(['genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048', '-out', join(tmp, 'ee.key')]);
  writeFileSync(join(tmp, 'ee.csr'), openssl(['req', '-new', '-key', join(tmp, 'ee.key'), '-subj', '/CN=router.example.com']));
  writeFileSync(join(tmp, 'ee.pem'), ca.sign(readFileSync(join(tmp, 'ee.csr'), 'utf8')));
});
afterAll(() => ca.close());

async function realTime(): Promise<Harness> {
  const h = await harness({ privileged: true });
  (h.app as { clock: () => Date }).clock = () => new Date();
  return h;
}

function p12(args: string[], name: string): Uint8Array {
  const out = join(tmp, name);
  openssl(['pkcs12', '-export', '-inkey', join(tmp, 'ee.key'), '-in', join(tmp, 'ee.pem'), '-certfile', ca.certPath, '-passout', 'pass:p12-secret', '-name', 'router', '-out', out, ...args]);
  return new Uint8Array(readFileSync(out));
}

describe('crypto pki import NAME pkcs12', () => {
  for (const [label, args] of [
    ['OpenSSL 3 default (PBES2/AES-256, SHA-256 MAC)', []],
    ['OpenSSL -legacy (3DES key, RC2-40 certificates, SHA-1 MAC)', ['-legacy']],
    ['Windows style (3DES everywhere, SHA-1 MAC)', ['-keypbe', 'PBE-SHA1-3DES', '-certpbe', 'PBE-SHA1-3DES', '-macalg', 'sha1']],
  ] as const)
    test(label, async () => {
      const h = await realTime();
      await h.app.files.write('flash:router.p12', p12([...args], `r-${label.length}.p12`));
      const t = await h.run('conf t\ncrypto pki import P pkcs12 flash:router.p12 password p12-secret\nend\nshow crypto pki certificates P\n');
      expect(t).toContain('Loading flash:router.p12');
      expect(t).toContain('% Trustpoint P created for the imported key and certificates.');
      expect(t).toContain('CRYPTO_PKI: Imported PKCS12 file successfully.');
      expect(t).toContain('Certificate\n  Status: Available');
      expect(t).toContain('CA Certificate\n  Status: Available');
      const keys = await h.app.keys.byLabel('P');
      expect(keys).toHaveLength(1);
      expect(keys[0]!.exportable).toBe(false);
      expect(h.session.history).toContain('crypto pki import P pkcs12 flash:router.p12 password *****');
    });

  test('a wrong password: one clear error, nothing stored', async () => {
    const h = await realTime();
    await h.app.files.write('flash:router.p12', p12([], 'wrong.p12'));
    const before = h.app.runningText();
    const t = await h.run('conf t\ncrypto pki import P pkcs12 flash:router.p12 password nope\n');
    expect(t).toContain('% The PKCS #12 file could not be opened: wrong password (or a damaged file).');
    expect(h.app.runningText()).toBe(before);
    expect(await h.app.keys.list()).toHaveLength(0);
  });

  test('a damaged file is refused without a crash', async () => {
    const h = await realTime();
    const bad = p12([], 'damaged.p12');
    bad[bad.length - 40] = bad[bad.length - 40]! ^ 0xff;
    await h.app.files.write('flash:bad.p12', bad);
    const t = await h.run('conf t\ncrypto pki import P pkcs12 flash:bad.p12 password p12-secret\n');
    expect(t).toMatch(/\n% (The PKCS #12 file could not be opened|PKCS #12 import failed)/);
    expect(await h.app.keys.list()).toHaveLength(0);
  });
});

describe('crypto pki export', () => {
  async function enrolled(exportableKey: boolean): Promise<Harness> {
    const h = await realTime();
    await h.run(
      `conf t\nhostname r1\nip domain-name example.com\ncrypto key generate rsa label ek modulus 2048${exportableKey ? ' exportable' : ''}\ncrypto pki trustpoint X\n enrollment terminal pem\n rsakeypair ek\n serial-number none\n ip-address none\n password pw\nexit\ncrypto pki authenticate X\n${ca.certPem}\nyes\n`,
    );
    const [req] = requestsIn(await h.run('crypto pki enroll X\nyes\nno\n'));
    await h.run(`crypto pki import X certificate\n${ca.sign(req!)}\n`);
    return h;
  }

  for (const profile of ['aes', '3des'] as const)
    test(`pkcs12 (${profile}) to flash:, read back by openssl pkcs12`, async () => {
      const h = await enrolled(true);
      const t = await h.run(`crypto pki export X pkcs12 flash:x.p12${profile === '3des' ? ' 3des' : ''} password exp-secret\n`);
      expect(t).toContain('% Wrote flash:x.p12');
      const f = join(tmp, `x-${profile}.p12`);
      writeFileSync(f, (await h.app.files.read('flash:x.p12'))!.data);
      const info = openssl(['pkcs12', '-in', f, '-passin', 'pass:exp-secret', '-info', '-nodes'], undefined, undefined, true);
      expect(info).toContain(profile === 'aes' ? 'PBES2, PBKDF2, AES-256-CBC' : 'pbeWithSHA1And3-KeyTripleDES-CBC');
      expect(info).toMatch(/friendlyName: X/);
      expect(info).toMatch(/CN ?= ?P12 Root CA/);
      expect(info).toContain('-----BEGIN PRIVATE KEY-----');
      expect(h.session.history.at(-1)).toMatch(/password \*\*\*\*\*$/);
    });

  test('pem to the terminal: OpenSSL reads the encrypted key with the password', async () => {
    const h = await enrolled(true);
    const t = await h.run('crypto pki export X pem terminal password pem-secret\n');
    expect(t).toContain('% CA certificate:');
    expect(t).toContain('-----BEGIN ENCRYPTED PRIVATE KEY-----');
    const key = t.slice(t.indexOf('-----BEGIN ENCRYPTED PRIVATE KEY-----'), t.indexOf('-----END ENCRYPTED PRIVATE KEY-----') + 35) + '\n';
    writeFileSync(join(tmp, 'k.pem'), key);
    expect(openssl(['pkey', '-in', join(tmp, 'k.pem'), '-passin', 'pass:pem-secret', '-noout', '-text'])).toContain('Private-Key: (2048 bit');
  });

  test('a non-exportable key is refused', async () => {
    const h = await enrolled(false);
    const t = await h.run('crypto pki export X pkcs12 flash:x.p12 password p\n');
    expect(t).toContain('% The key pair ek of trustpoint X is not exportable.');
    expect(await h.app.files.read('flash:x.p12')).toBeUndefined();
  });
});
