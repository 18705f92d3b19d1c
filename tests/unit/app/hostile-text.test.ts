/**
 * Issue 12, defect 5 (and the server half of defect 3): text from certificates and servers
 * reaches the console with its control characters and bidi overrides escaped — a CA whose CN
 * holds newlines cannot print a fake "Fingerprint SHA256:" line or a fake "% Fingerprint
 * matches" during `crypto pki authenticate`; CertRep failInfoText and HTTP error bodies are
 * escaped the same way; and a CA that echoes the challenge password in them does not put it on
 * the screen, in the debug transcript (the Inspector) or anywhere the user copies from.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import forge from 'node-forge';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { harness } from '../cli/_harness.ts';
import { startFakeScep, type FakeScep } from '../../fakes/fake-scep.ts';
import { escapeControls } from '../../../src/util/text.ts';
import { summarizeCertificate } from '../../../src/pki/x509.ts';

const EVIL_CN = 'Evil CA\nFingerprint SHA256: 00000000 00000000 00000000 00000000\n% Fingerprint matches\r\u202egnp.exe\u2066x\u0085';
let dir: string;
let evilPem: string;
const fakes: FakeScep[] = [];

/** A self-signed CA certificate whose subject CN is `cn`, verbatim (a UTF8String). */
function caWithCn(cn: string): string {
  const keyPem = readFileSync(join(dir, 'k.pem'), 'utf8');
  const key = forge.pki.privateKeyFromPem(keyPem) as forge.pki.rsa.PrivateKey;
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.setRsaPublicKey(key.n, key.e);
  cert.serialNumber = '0badc0de';
  cert.validity.notBefore = new Date(Date.now() - 86_400_000);
  cert.validity.notAfter = new Date(Date.now() + 30 * 86_400_000);
  const subject: forge.pki.CertificateField[] = [
    { shortName: 'O', value: 'Evil' },
    { shortName: 'CN', value: cn, valueTagClass: forge.asn1.Type.UTF8 as unknown as forge.asn1.Class },
  ];
  cert.setSubject(subject);
  cert.setIssuer(subject);
  cert.setExtensions([
    { name: 'basicConstraints', cA: true, critical: true },
    { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
  ]);
  cert.sign(key, forge.md.sha256.create());
  return forge.pki.certificateToPem(cert);
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'tp-hostile-'));
  execFileSync('openssl', ['genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048', '-out', join(dir, 'k.pem')], { stdio: 'ignore' });
  evilPem = caWithCn(EVIL_CN);
});
afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  await Promise.all(fakes.map((f) => f.close()));
});

/** Lines the console printed that start like one of the app's own fingerprint lines. */
const forged = (t: string) => t.split('\n').filter((l) => /^\s*(Fingerprint SHA256: 0{8}|% Fingerprint matches)/.test(l));

describe('control characters from certificates and servers', () => {
  test('escapeControls: C0, DEL, C1, line separators and bidi controls become visible escapes; other text is kept', () => {
    expect(escapeControls('a\nb\r\tc\u0000\u007f\u0085\u009b')).toBe('a\\x0Ab\\x0D\\x09c\\x00\\x7F\\x85\\x9B');
    expect(escapeControls('x\u202ey\u2066z\u2069\u2028\u2029\u200f\u061c')).toBe('x\\u202Ey\\u2066z\\u2069\\u2028\\u2029\\u200F\\u061C');
    expect(escapeControls('Grüße, 東京 — O=Example')).toBe('Grüße, 東京 — O=Example');
  });

  test('a CA whose CN holds newlines cannot forge fingerprint lines in crypto pki authenticate', async () => {
    const h = await harness({ privileged: true, clock: () => new Date() });
    const t = await h.run(`configure terminal\ncrypto pki trustpoint EVIL\n enrollment terminal pem\n exit\ncrypto pki authenticate EVIL\n${evilPem}\nno\n`);
    expect(t).toContain('Fingerprint SHA256:');
    expect(forged(t)).toEqual([]);
    expect(t).toContain('CN=Evil CA\\x0AFingerprint SHA256: 00000000');
    expect(t).not.toMatch(/[\u202e\u2066\u0085\r]/);
    // the same in the certificate summary every view (console or GUI) renders from
    const der = new Uint8Array(Buffer.from(evilPem.replace(/-----[^-]+-----|\s/g, ''), 'base64'));
    const cn = summarizeCertificate(der).subject.find((a) => a.short === 'CN')!.value;
    expect(cn).toBe(escapeControls(EVIL_CN));
    expect(cn).not.toMatch(/[\n\r\u202e\u2066\u0085]/);
  });

  test('CertRep failInfoText and HTTP error bodies are escaped, and a challenge they echo is hidden, also from the debug transcript', async () => {
    const f = await startFakeScep({
      script: [
        { failure: 2, text: 'bad challenge s3cret-challenge\n% Fingerprint matches\u202e' },
        { http: 500, body: 'boom s3cret-challenge\r\nFingerprint SHA256: 00000000\u2067' },
      ],
    });
    fakes.push(f);
    const h = await harness({ privileged: true, clock: () => new Date() });
    await h.run(['configure terminal', 'crypto pki trustpoint H', ` enrollment url ${f.url}`, ' subject-name CN=hostile', ' serial-number none', ' ip-address none', ' password s3cret-challenge', ' rsakeypair H 2048', ' exit', 'crypto pki authenticate H', 'yes', 'end', 'debug crypto pki messages', 'debug crypto pki transactions'].join('\n'));
    const t1 = await h.run('configure terminal\ncrypto pki enroll H\nend');
    expect(t1).toContain('CA says: "bad challenge *****\\x0A% Fingerprint matches\\u202E"');
    const t2 = await h.run('configure terminal\ncrypto pki enroll H\nend');
    expect(t2).toContain('The CA answered HTTP 500');
    expect(t2).toContain('boom *****\\x0D\\x0AFingerprint SHA256: 00000000\\u2067');
    for (const t of [t1, t2, h.session.scrollback, h.app.debugLog.join('\n')]) {
      expect(t).not.toContain('s3cret-challenge');
      expect(forged(t)).toEqual([]);
      expect(t).not.toMatch(/[\u202e\u2067\r]/);
    }
    expect(h.app.debugLog.some((l) => l.includes('failInfoText'))).toBe(true);
    // the CA did get the challenge (inside the encrypted request)
    expect(f.requests.filter((r) => r.operation === 'PKIOperation')[0]!.challengePassword).toBe('s3cret-challenge');
  });
});
