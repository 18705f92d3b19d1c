/**
 * The guide's cut-and-paste, file and self-signed enrollments end to end through the console,
 * with OpenSSL playing the CA operator and refereeing everything we emit.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { harness, type Harness } from '../cli/_harness.ts';
import { makeCa, openssl, requestsIn, type TestCa } from './_openssl-ca.ts';
import { summarizeCertificate } from '../../../src/pki/x509.ts';
import { readPasted } from '../../../src/pki/pem.ts';
import { authenticate } from '../../../src/app/pki.ts';
import { IOS_GUIDE } from '../../shared.ts';

let ca: TestCa;
let other: TestCa;
const tmp = mkdtempSync(join(tmpdir(), 'tp-enroll-'));

beforeAll(() => {
  ca = makeCa({ subject: '/C=US/O=Example/CN=Example Root CA' });
  other = makeCa({ subject: '/C=US/O=Evil/CN=Other CA' });
});
afterAll(() => {
  ca.close();
  other.close();
});

async function realTime(): Promise<Harness> {
  const h = await harness({ privileged: true });
  (h.app as { clock: () => Date }).clock = () => new Date();
  return h;
}

const SETUP = (tp: string, extra = '') => `conf t
hostname kiosk7
ip domain-name example.com
crypto pki trustpoint ${tp}
 enrollment terminal pem
 serial-number none
 ip-address none
 password lab-secret
${extra}
exit
`;

function csrText(pem: string): string {
  const p = join(tmp, `req-${Math.random().toString(16).slice(2)}.pem`);
  writeFileSync(p, pem);
  return openssl(['req', '-in', p, '-verify', '-noout', '-text'], undefined, undefined, true);
}

describe('cut-and-paste enrollment (RSA)', () => {
  test('authenticate, enroll, OpenSSL signs, import, show, save and reload', async () => {
    const h = await realTime();
    let t = await h.run(SETUP('TP', ' rsakeypair tp-key 2048\n subject-name CN=kiosk7, OU=Spiral Dept., O=example.com\n usage ssl-client') + `crypto pki authenticate TP\n${ca.certPem}\nyes\n`);
    expect(t).toContain('Certificate has the following attributes:');
    expect(t).toMatch(/Fingerprint SHA1: ([0-9A-F]{8} ){4}[0-9A-F]{8}/);
    expect(t).toContain('Trustpoint CA certificate accepted.\n% Certificate successfully imported');
    t = await h.run('crypto pki enroll TP\nyes\nno\n');
    expect(t).toContain('% The key pair tp-key does not exist: generating it.');
    expect(t).toContain('% Generating 2048 bit RSA keys, keys will be non-exportable...');
    const [req] = requestsIn(t);
    const text = csrText(req!);
    expect(text).toContain('Certificate request self-signature verify OK');
    expect(text).toMatch(/Subject: CN ?= ?kiosk7, OU ?= ?Spiral Dept\., O ?= ?example\.com, unstructuredName ?= ?kiosk7\.example\.com/);
    expect(text).toContain('challengePassword');
    expect(text).toContain('lab-secret');
    expect(text).toMatch(/TLS Web Client Authentication/);
    expect(text).toMatch(/Digital Signature, Key Encipherment/);
    expect(h.app.downloads.at(-1)?.name).toBe('TP.csr');
    const cert = ca.sign(req!);
    t = await h.run(`crypto pki import TP certificate\n${cert}\n`);
    expect(t).toContain('% Router Certificate successfully imported');
    t = await h.run('end\nshow crypto pki certificates TP\nwrite memory\n');
    expect(t).toContain('Certificate\n  Status: Available');
    expect(t).toContain('CA Certificate\n  Status: Available');
    expect(t).toContain('  Associated Trustpoints: TP');
    // reload: a new app on the same NVRAM and key store gets everything back
    const { TrustpointApp } = await import('../../../src/app/app.ts');
    const app2 = new TrustpointApp({ nvram: h.app.nvram, keystore: h.app.keys.store, files: h.app.files, meta: h.app.meta, core: () => h.app.core() });
    await app2.boot();
    expect(app2.running.chains.get('TP')?.certificates.map((c) => c.kind)).toEqual(['general', 'ca']);
    expect((await app2.keys.byLabel('tp-key')).length).toBe(1);
  });
});

describe('ECDSA (Suite-B) keys', () => {
  for (const size of [256, 384] as const)
    test(`eckeypair P-${size}: request signed with ${size === 256 ? 'SHA-256' : 'SHA-384'}, certificate imported`, async () => {
      const h = await realTime();
      await h.run(`conf t\nip domain-name example.com\ncrypto key generate ec keysize ${size} label ec${size}\n`);
      await h.run(SETUP('E', ` eckeypair ec${size}`) + `crypto pki authenticate E\n${ca.certPem}\nyes\n`);
      const t = await h.run('crypto pki enroll E\nyes\nno\n');
      const [req] = requestsIn(t);
      const text = csrText(req!);
      expect(text).toContain(`ecdsa-with-SHA${size}`);
      expect(text).toContain(size === 256 ? 'prime256v1' : 'secp384r1');
      const out = await h.run(`crypto pki import E certificate\n${ca.sign(req!)}\n`);
      expect(out).toContain('% Router Certificate successfully imported');
    });
});

describe('usage keys', () => {
  test('two requests; two imports in either order', async () => {
    const h = await realTime();
    await h.run(SETUP('U', ' rsakeypair ukeys 2048 2048') + `crypto pki authenticate U\n${ca.certPem}\nyes\n`);
    const t = await h.run('crypto pki enroll U\nyes\nno\n');
    expect(t).toContain('Signature key certificate request -');
    expect(t).toContain('Encryption key certificate request -');
    const [sign, encr] = requestsIn(t);
    expect(csrText(sign!)).toMatch(/Key Usage: critical\s+Digital Signature\s/);
    expect(csrText(encr!)).toMatch(/Key Usage: critical\s+Key Encipherment\s/);
    expect(await h.run(`crypto pki import U certificate\n${ca.sign(encr!)}\n`)).toContain('successfully imported');
    expect(await h.run(`crypto pki import U certificate\n${ca.sign(sign!)}\n`)).toContain('successfully imported');
    const own = h.app.running.chains.get('U')!.certificates.filter((c) => c.kind === 'general');
    expect(own).toHaveLength(2);
    expect(own.map((c) => summarizeCertificate(c.der).keyUsage?.join())).toEqual(expect.arrayContaining(['digitalSignature', 'keyEncipherment']));
  });
});

describe('file enrollment through flash:', () => {
  test('the CA certificate from flash:tp1.ca, the request to flash:tp1.req, the certificate from flash:tp1.crt', async () => {
    const h = await realTime();
    await h.app.files.write('flash:tp1.ca', new TextEncoder().encode(ca.certPem));
    await h.run('conf t\nhostname kiosk7\nip domain-name example.com\ncrypto pki trustpoint F\n enrollment url flash:tp1\n serial-number none\n ip-address none\n password x\nexit\n');
    let t = await h.run('crypto pki authenticate F\nyes\n');
    expect(t).toContain('Loading flash:tp1.ca');
    expect(t).toContain('% Certificate successfully imported');
    t = await h.run('crypto pki enroll F\nno\n');
    expect(t).toContain('% Certificate request written to flash:tp1.req');
    const req = new TextDecoder().decode((await h.app.files.read('flash:tp1.req'))!.data);
    await h.app.files.write('flash:tp1.crt', new TextEncoder().encode(ca.sign(req)));
    t = await h.run('crypto pki import F certificate\n');
    expect(t).toContain('Loading flash:tp1.crt');
    expect(t).toContain('% Router Certificate successfully imported');
  });

  test('a TFTP URL asks for the file to be pasted or dropped, and offers the request as a download', async () => {
    const h = await realTime();
    await h.run('conf t\nip domain-name example.com\ncrypto pki trustpoint T\n enrollment url tftp://certserver/tp2\n serial-number none\n ip-address none\n password x\nexit\n');
    let t = await h.run(`crypto pki authenticate T\n${ca.certPem}\nyes\n`);
    expect(t).toContain('% TFTP is not possible in a browser: provide tp2.ca instead');
    t = await h.run('crypto pki enroll T\nno\n');
    expect(t).toContain('tp2.req is offered as a download');
    const req = new TextDecoder().decode(h.app.downloads.at(-1)!.data);
    t = await h.run(`crypto pki import T certificate\n${ca.sign(req)}\n`);
    expect(t).toContain('provide tp2.crt');
    expect(t).toContain('% Router Certificate successfully imported');
  });
});

describe('self-signed', () => {
  test('a persistent self-signed certificate that OpenSSL verifies; a second one asks first', async () => {
    const h = await realTime();
    let t = await h.run('conf t\nhostname kiosk7\nip domain-name example.com\ncrypto pki trustpoint local\n enrollment selfsigned\n usage ssl-server\n serial-number\n ip-address none\nexit\ncrypto pki enroll local\nyes\n');
    expect(t).toContain('Router Self Signed Certificate successfully created');
    const der = h.app.running.chains.get('local')!.certificates[0]!.der;
    const p = join(tmp, 'self.der');
    writeFileSync(p, der);
    const pem = openssl(['x509', '-inform', 'DER', '-in', p]);
    writeFileSync(join(tmp, 'self.pem'), pem);
    expect(openssl(['verify', '-CAfile', join(tmp, 'self.pem'), join(tmp, 'self.pem')])).toContain(': OK');
    const txt = openssl(['x509', '-in', join(tmp, 'self.pem'), '-noout', '-subject', '-ext', 'extendedKeyUsage']);
    expect(txt).toMatch(/CN ?= ?IOS-Self-Signed-Certificate-\d+/);
    expect(txt).toContain('TLS Web Server Authentication');
    t = await h.run('crypto pki trustpoint local2\n enrollment selfsigned\nexit\ncrypto pki enroll local2\nno\n');
    expect(t).toContain('% You already have a persistent self-signed certificate (trustpoint local).');
    expect(t).toContain('% Self-signed certificate not replaced.');
    expect(h.app.running.chains.get('local')!.certificates).toHaveLength(1);
    t = await h.run('end\nshow crypto pki certificates\n');
    expect(t).toContain('Router Self-Signed Certificate\n  Status: Available');
  });
});

describe('bad input: a specific error and nothing stored', () => {
  async function authenticated(): Promise<Harness> {
    const h = await realTime();
    await h.run(SETUP('B', ' rsakeypair b-key 2048') + `crypto pki authenticate B\n${ca.certPem}\nyes\ncrypto pki enroll B\nyes\nno\n`);
    return h;
  }
  const snapshot = (h: Harness) => h.app.runningText();

  test('truncated PEM', async () => {
    const h = await authenticated();
    const before = snapshot(h);
    const lines = ca.sign(requestsIn(await h.run('crypto pki enroll B\nyes\nno\n'))[0]!).trim().split('\n');
    const t = await h.run(`crypto pki import B certificate\n${lines.slice(0, -3).concat(lines.slice(-1)).join('\n')}\n\n`);
    expect(t).toMatch(/% .*(line|truncated|length|damaged)/i);
    expect(t).not.toContain('successfully imported');
    expect(snapshot(h)).toBe(before);
  });

  test('base64 with junk characters', async () => {
    const h = await authenticated();
    const before = snapshot(h);
    const t = await h.run('crypto pki import B certificate\nMIIDPDCCAiSgAwIBAgIUHHAEVJU2tSv2FS$$bTKmBOUP7LtQwDQYJKoZIhvcNAQEL\n\n');
    expect(t).toMatch(/% .*(base64|character)/i);
    expect(snapshot(h)).toBe(before);
  });

  test('a certificate for another key', async () => {
    const h = await authenticated();
    const before = snapshot(h);
    const foreignKey = join(tmp, 'foreign.key');
    openssl(['genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048', '-out', foreignKey]);
    const csr = openssl(['req', '-new', '-key', foreignKey, '-subj', '/CN=someone-else']);
    const t = await h.run(`crypto pki import B certificate\n${ca.sign(csr)}\n`);
    expect(t).toContain("% The certificate's public key does not match any key pair of trustpoint B: not imported.");
    expect(snapshot(h)).toBe(before);
  });

  test('a certificate from another CA', async () => {
    const h = await authenticated();
    const before = snapshot(h);
    const [req] = requestsIn(await h.run('crypto pki enroll B\nyes\nno\n'));
    const t = await h.run(`crypto pki import B certificate\n${other.sign(req!)}\n`);
    expect(t).toMatch(/% The certificate does not chain to the CA of trustpoint B: .*Not imported\./);
    expect(snapshot(h)).toBe(before);
  });

  test('an expired CA certificate', async () => {
    const old = makeCa({ subject: '/CN=Expired CA', startDate: '20200101000000Z', endDate: '20210101000000Z' });
    const h = await realTime();
    const before = snapshot(h);
    const t = await h.run(SETUP('X') + `crypto pki authenticate X\n${old.certPem}\nyes\n`);
    expect(t).toMatch(/% The CA certificate expired at .* 2021: not imported\./);
    expect(h.app.running.chains.get('X')).toBeUndefined();
    void before;
    old.close();
  });

  test('a fingerprint mismatch, and a match accepted without asking', async () => {
    const h = await realTime();
    let t = await h.run(SETUP('FP', ' fingerprint 12EF53FA 355CD23E 12EF53FA 355CD23E') + `crypto pki authenticate FP\n${ca.certPem}\n`);
    expect(t).toContain('% The CA certificate fingerprint does not match the configured fingerprint 12EF53FA 355CD23E 12EF53FA 355CD23E: not imported.');
    expect(h.app.running.chains.get('FP')).toBeUndefined();
    const sha1 = openssl(['x509', '-noout', '-fingerprint', '-sha1'], ca.certPem).split('=')[1]!.replace(/:/g, '').trim();
    t = await h.run(`crypto pki trustpoint FP\n fingerprint ${sha1}\nexit\ncrypto pki authenticate FP\n${ca.certPem}\n`);
    expect(t).toContain('% Fingerprint matches the configured SHA-1 fingerprint.');
    expect(t).not.toContain('Do you accept');
    expect(h.app.running.chains.get('FP')?.certificates).toHaveLength(1);
  });

  test('a non-interactive request without a fingerprint is refused', async () => {
    const h = await realTime();
    await h.run(SETUP('NI'));
    const lines = [...ca.certPem.trim().split('\n'), ''];
    const io = {
      interactive: false,
      signal: new AbortController().signal,
      print() {},
      ask: async () => lines.shift() ?? '',
      confirm: async () => true,
    };
    await expect(authenticate(h.app, io, 'NI')).rejects.toThrow(/non-interactive request cannot accept a CA certificate without a pre-entered fingerprint/);
    expect(h.app.running.chains.get('NI')).toBeUndefined();
  });

  test("the guide's OCR-damaged CA certificate fails cleanly", async () => {
    const { readFileSync } = await import('node:fs');
    const guide = readFileSync(IOS_GUIDE, 'utf8');
    const start = guide.indexOf('-----BEGIN CERTIFICATE-----\nMIICNCCAd6g');
    const pem = guide.slice(start, guide.indexOf('-----END CERTIFICATE-----', start) + 25);
    expect(() => readPasted(pem)).toThrow();
    const h = await realTime();
    const t = await h.run(SETUP('G') + `crypto pki authenticate G\n${pem}\n\nyes\n`);
    expect(t).toMatch(/\n% .+/);
    expect(t).not.toContain('Internal error');
    expect(h.app.running.chains.get('G')).toBeUndefined();
  });
});

describe('regenerate: the new key stays pending until its certificate arrives', () => {
  test('old key and certificate in force until the new certificate is imported', async () => {
    const h = await realTime();
    await h.run(SETUP('R', ' rsakeypair rkey 2048') + `crypto pki authenticate R\n${ca.certPem}\nyes\n`);
    const [r1] = requestsIn(await h.run('crypto pki enroll R\nyes\nno\n'));
    await h.run(`crypto pki import R certificate\n${ca.sign(r1!)}\n`);
    const oldKey = (await h.app.keys.byLabel('rkey'))[0]!;
    const t = await h.run('crypto pki trustpoint R\n regenerate\nexit\ncrypto pki enroll R\nyes\nno\n');
    expect(t).toContain('the current one stays in use until the new certificate is imported');
    const [r2] = requestsIn(t);
    expect((await h.app.keys.byLabel('rkey'))[0]!.spki).toEqual(oldKey.spki);
    expect(h.app.running.chains.get('R')!.certificates.filter((c) => c.kind === 'general')).toHaveLength(1);
    await h.run(`crypto pki import R certificate\n${ca.sign(r2!)}\n`);
    const now = (await h.app.keys.byLabel('rkey'))[0]!;
    expect(now.spki).not.toEqual(oldKey.spki);
    const own = h.app.running.chains.get('R')!.certificates.filter((c) => c.kind === 'general');
    expect(own).toHaveLength(1);
    expect(summarizeCertificate(own[0]!.der).spki).toEqual(now.spki);
  });
});
