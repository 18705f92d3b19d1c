/**
 * SCEP enrollment from real Chromium against the real CA (micromdm scepserver) through the real
 * CORS proxy (nginx), driven through the console exactly as a user types it (issue 5): the
 * console scenario with write memory and reload, RSA 2048 and 3072, renewal (RenewalReq with
 * the current certificate) and renewal with `regenerate`, a wrong challenge, a wrong
 * fingerprint, the CA restarted between authenticate and enroll, POST and GET transports, an EC
 * key the CA refuses, and a CA without CORS. Every issued certificate is checked by OpenSSL
 * against the lab's CA and found in the CA's own depot.
 */
import { spawnSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test, type Page } from '../pw.ts';
import { appServer, cli, enableTestSeam, openApp } from '../e2e/fixtures.ts';
import { labFromEnv, serialHex, startLab, type Lab } from './lab.ts';

let lab: Lab;
let ownLab = false;
let app: { url: string; close(): Promise<void> };
let work: string;

test.beforeAll(async () => {
  const attached = labFromEnv();
  if (attached) lab = attached;
  else {
    lab = await startLab({ dir: '.lab/i/scep-spec', rawPort: 0, corsPort: 0, anyLocalPort: true });
    ownLab = true;
  }
  app = await appServer();
  work = mkdtempSync(join(tmpdir(), 'tp-scep-spec-'));
  writeFileSync(join(work, 'ca.pem'), lab.caPem);
});

test.afterAll(async () => {
  await app?.close();
  if (ownLab) await lab.stop();
  rmSync(work, { recursive: true, force: true });
});

/** The trustpoint of the scenario, pointing at `url`. */
function trustpoint(name: string, url: string, extra: string[] = []): string {
  return [
    `crypto pki trustpoint ${name}`,
    ` enrollment url ${url}`,
    ' subject-name OU=Spiral Dept., O=example.com',
    ' serial-number none',
    ' ip-address none',
    ` password ${lab.challenge}`,
    ...extra,
    ' exit',
  ].join('\n');
}

interface StoredCert {
  kind: string;
  der: number[];
}

/** The certificates the app holds for trustpoint `name` (from the running configuration). */
function storedCerts(page: Page, name: string): Promise<StoredCert[]> {
  return page.evaluate((n) => (window.trustpoint!.app.running.chains.get(n)?.certificates ?? []).map((c) => ({ kind: c.kind, der: Array.from(c.der) })), name);
}

/** The public key (SPKI DER) of key pair `label` as the app holds it. */
function keySpki(page: Page, label: string): Promise<number[]> {
  return page.evaluate(async (l) => {
    const recs = await window.trustpoint!.app.keys.byLabel(l);
    return Array.from(recs[0]!.spki);
  }, label);
}

/** The trustpoint's own certificate, checked by `openssl verify` against the lab CA. */
async function ownCertificate(page: Page, name: string): Promise<X509Certificate> {
  const own = (await storedCerts(page, name)).filter((c) => c.kind === 'general');
  expect(own).toHaveLength(1);
  const der = Buffer.from(own[0]!.der);
  const path = join(work, `${name}-${Date.now()}.pem`);
  writeFileSync(path, new X509Certificate(der).toString());
  const v = spawnSync('openssl', ['verify', '-CAfile', join(work, 'ca.pem'), path], { encoding: 'utf8' });
  expect(v.stdout.trim()).toBe(`${path}: OK`);
  const cert = new X509Certificate(der);
  expect(cert.checkIssued(new X509Certificate(lab.caPem))).toBe(true);
  return cert;
}

/** The CA's own record of issued certificates (micromdm's file depot). */
function depotSerials(): string[] {
  const index = readFileSync(join(lab.dir, 'scep', 'depot', 'index.txt'), 'utf8');
  return index
    .trim()
    .split('\n')
    .map((l) => l.split('\t')[3]!.toUpperCase());
}

const spkiOf = (c: X509Certificate) => Array.from(c.publicKey.export({ type: 'spki', format: 'der' }));

/** Runs configuration lines; none may be refused (a typo in a test must not pass silently). */
async function configure(page: Page, lines: string[]): Promise<string> {
  const t = await cli(page, lines.join('\n'));
  expect(t).not.toMatch(/^% (Invalid|Incomplete|Ambiguous|Unknown)/m);
  return t;
}

async function authenticate(page: Page, name: string): Promise<string> {
  const t = await cli(page, `crypto pki authenticate ${name}\nyes`);
  expect(t).toContain(`Fingerprint SHA256: ${lab.fingerprints.sha256}`);
  expect(t).toContain('Trustpoint CA certificate accepted.');
  return t;
}

// The test reads window.trustpoint.session/.app/.core: define the test seam before the app loads.
test.beforeEach(async ({ page }) => {
  await enableTestSeam(page);
});

test('the console scenario: authenticate, enroll RSA-2048 through the CORS proxy, write memory, reload, show', async ({ page }) => {
  await openApp(page, app.url);
  await configure(page, ['enable', 'configure terminal', 'hostname kiosk7', 'ip domain-name example.com', trustpoint('trustpt1', lab.scepUrl, [' rsakeypair trustpt1 2048'])]);
  const auth = await authenticate(page, 'trustpt1');
  expect(auth).toContain('Subject: C=DE, O=Peer Lab, OU=SCEP Lab CA');
  expect(auth).toContain('% Do you accept this certificate? [yes/no]: yes');

  const enroll = await cli(page, 'crypto pki enroll trustpt1');
  expect(enroll).toContain('% Start certificate enrollment ..');
  expect(enroll).toContain('% Generating 2048 bit RSA keys');
  expect(enroll).toContain('%PKI-6-CERTRET: Certificate received from Certificate Authority');
  expect(enroll).not.toMatch(/^% (?!Start|Generating|The subject|The key pair)/m);

  const cert = await ownCertificate(page, 'trustpt1');
  expect(cert.subject).toBe('O=example.com\nOU=Spiral Dept.');
  expect(cert.publicKey.asymmetricKeyDetails?.modulusLength).toBe(2048);
  expect(spkiOf(cert)).toEqual(await keySpki(page, 'trustpt1'));
  expect(depotSerials()).toContain(serialHex(cert));

  await cli(page, 'end\nwrite memory');
  const before = await cli(page, 'show crypto pki certificates trustpt1');
  expect(before).toContain(`Certificate Serial Number (hex): ${serialHex(cert)}`);
  expect(before).toContain('Associated Trustpoints: trustpt1');
  expect(before).toContain('Key Label: trustpt1');

  await page.reload();
  await page.waitForFunction(() => document.documentElement.dataset.ready === 'true' && !!window.trustpoint);
  const after = await cli(page, 'enable\nshow crypto pki certificates trustpt1');
  expect(after.slice(after.indexOf('Certificate\n'))).toBe(before.slice(before.indexOf('Certificate\n')));
  expect(spkiOf(await ownCertificate(page, 'trustpt1'))).toEqual(await keySpki(page, 'trustpt1'));
  const running = await cli(page, 'show running-config');
  expect(running).toContain(`enrollment url ${lab.scepUrl}`);
  expect(running).toContain('crypto pki certificate chain trustpt1');
});

test('RSA-3072: the key is made in the browser and certified by the CA', async ({ page }) => {
  await openApp(page, app.url);
  await configure(page, ['enable', 'configure terminal', trustpoint('tp3072', lab.scepUrl, [' rsakeypair tp3072 3072'])]);
  await authenticate(page, 'tp3072');
  const t = await cli(page, 'crypto pki enroll tp3072');
  expect(t).toContain('% Generating 3072 bit RSA keys');
  expect(t).toContain('%PKI-6-CERTRET');
  const cert = await ownCertificate(page, 'tp3072');
  expect(cert.publicKey.asymmetricKeyDetails?.modulusLength).toBe(3072);
  expect(spkiOf(cert)).toEqual(await keySpki(page, 'tp3072'));
});

test('renewal: RenewalReq signed with the current certificate keeps the key; with regenerate a new key is certified', async ({ page }) => {
  await openApp(page, app.url);
  // An exportable (core-held) key can decrypt the CA's reply to a RenewalReq, which RFC 8894 has
  // the CA encrypt to the certificate that signed the request.
  await configure(page, ['enable', 'configure terminal', 'ip domain-name example.com', 'crypto key generate rsa label renew modulus 2048 exportable', trustpoint('renew', lab.scepUrl, [' rsakeypair renew 2048'])]);
  await authenticate(page, 'renew');
  expect(await cli(page, 'crypto pki enroll renew')).toContain('%PKI-6-CERTRET');
  const first = await ownCertificate(page, 'renew');

  const again = await cli(page, 'do debug crypto pki messages\ncrypto pki enroll renew\nyes');
  expect(again).toContain('% You already have a certificate from this CA: the request renews it.');
  expect(again).toContain(`% Renewing: RenewalReq signed with the current certificate (serial ${serialHex(first)}).`);
  expect(again).toContain('messageType: 17 (RenewalReq)');
  expect(again).toContain('%PKI-6-CERTRET');
  const second = await ownCertificate(page, 'renew');
  expect(second.serialNumber).not.toBe(first.serialNumber);
  expect(spkiOf(second)).toEqual(spkiOf(first));
  expect(spkiOf(second)).toEqual(await keySpki(page, 'renew'));

  const regen = await cli(page, 'crypto pki trustpoint renew\n regenerate\n exit\ncrypto pki enroll renew\nyes');
  expect(regen).toContain('% Generating a new key pair for renew (regenerate)');
  expect(regen).toContain('messageType: 17 (RenewalReq)');
  expect(regen).toContain('%PKI-6-CERTRET');
  const third = await ownCertificate(page, 'renew');
  expect(spkiOf(third)).not.toEqual(spkiOf(second));
  // the new key replaced the old one under the same label
  expect(spkiOf(third)).toEqual(await keySpki(page, 'renew'));
  expect(await page.evaluate(async () => (await window.trustpoint!.app.keys.byLabel('renew')).length)).toBe(1);
  // The CA's own records: three certificates, the first two revoked-by-reissue as micromdm does.
  const serials = depotSerials();
  for (const c of [first, second, third]) expect(serials).toContain(serialHex(c));
});

test('renewal of a non-exportable key: a new PKCSReq (the key could not decrypt a RenewalReq reply), same key certified again', async ({ page }) => {
  await openApp(page, app.url);
  await configure(page, ['enable', 'configure terminal', trustpoint('renewne', lab.scepUrl, [' rsakeypair renewne 2048'])]);
  await authenticate(page, 'renewne');
  expect(await cli(page, 'crypto pki enroll renewne')).toContain('%PKI-6-CERTRET');
  const first = await ownCertificate(page, 'renewne');
  const again = await cli(page, 'do debug crypto pki messages\ncrypto pki enroll renewne\nyes');
  expect(again).toContain("% Renewing: the current key cannot decrypt the CA's reply to a RenewalReq (a non-exportable key); a new PKCSReq is sent.");
  expect(again).toContain('messageType: 19 (PKCSReq)');
  expect(again).toContain('%PKI-6-CERTRET');
  const second = await ownCertificate(page, 'renewne');
  expect(second.serialNumber).not.toBe(first.serialNumber);
  expect(spkiOf(second)).toEqual(spkiOf(first));
});

test('a wrong challenge password: the CA refuses with badRequest, said in plain words; nothing is stored', async ({ page }) => {
  await openApp(page, app.url);
  await configure(page, ['enable', 'configure terminal', trustpoint('wrongpw', lab.scepUrl, [' rsakeypair wrongpw 2048', ' password not-the-secret'])]);
  await authenticate(page, 'wrongpw');
  const t = await cli(page, 'crypto pki enroll wrongpw');
  expect(t).toContain('% The CA refused the request: badRequest — the CA refused the request (transaction not permitted or not supported: often a wrong or missing challenge password');
  expect(t).not.toContain('not-the-secret');
  expect(t).not.toContain('%PKI-6-CERTRET');
  const certs = await storedCerts(page, 'wrongpw');
  expect(certs.map((c) => c.kind)).toEqual(['ca']);
  // the CA and configuration are intact: a corrected password enrolls
  const fixed = await cli(page, `crypto pki trustpoint wrongpw\n password ${lab.challenge}\n exit\ncrypto pki enroll wrongpw`);
  expect(fixed).toContain('%PKI-6-CERTRET');
  await ownCertificate(page, 'wrongpw');
});

test('a wrong fingerprint: the CA certificate is refused and enrollment cannot start', async ({ page }) => {
  await openApp(page, app.url);
  const wrong = lab.fingerprints.sha256.replace(/^./, (c) => (c === '0' ? '1' : '0'));
  await configure(page, ['enable', 'configure terminal', trustpoint('wrongfp', lab.scepUrl, [` fingerprint ${wrong}`])]);
  const t = await cli(page, 'crypto pki authenticate wrongfp');
  expect(t).toContain(`Fingerprint SHA256: ${lab.fingerprints.sha256}`);
  expect(t).toContain(`% The CA certificate fingerprint does not match the configured fingerprint ${wrong}: not imported.`);
  expect(await storedCerts(page, 'wrongfp')).toEqual([]);
  const e = await cli(page, 'crypto pki enroll wrongfp');
  expect(e).toContain('% You must authenticate the Certificate Authority before you can enroll with it ("crypto pki authenticate wrongfp").');
  // the right fingerprint is accepted without a question
  const ok = await cli(page, `crypto pki trustpoint wrongfp\n fingerprint ${lab.fingerprints.sha256}\n exit\ncrypto pki authenticate wrongfp`);
  expect(ok).toContain('% Fingerprint matches the configured SHA-256 fingerprint.');
  expect(ok).not.toContain('Do you accept this certificate?');
});

test('the CA restarted between authenticate and enroll: enrollment still succeeds', async ({ page }) => {
  await openApp(page, app.url);
  await configure(page, ['enable', 'configure terminal', trustpoint('restart', lab.scepUrl, [' rsakeypair restart 2048'])]);
  await authenticate(page, 'restart');
  const pidBefore = lab.pids().scepserver;
  await lab.restartCa();
  expect(lab.pids().scepserver).not.toBe(pidBefore);
  const t = await cli(page, 'crypto pki enroll restart');
  expect(t).toContain('%PKI-6-CERTRET');
  await ownCertificate(page, 'restart');
});

test('POST and GET transports: PKIOperation by POST when advertised, by GET with a percent-encoded message otherwise', async ({ page }) => {
  await openApp(page, app.url);
  await configure(page, ['enable', 'configure terminal', 'do debug crypto pki transactions', trustpoint('viapost', lab.scepUrl), trustpoint('viaget', lab.scepGetUrl)]);
  await authenticate(page, 'viapost');
  await authenticate(page, 'viaget');
  const log = join(lab.dir, 'nginx', 'logs', 'access.log');
  const mark = readFileSync(log, 'utf8').length;

  const post = await cli(page, 'crypto pki enroll viapost');
  expect(post).toContain('CRYPTO_PKI: CA capabilities: Renewal, SHA-1, SHA-256, AES, DES3, SCEPStandard, POSTPKIOperation');
  expect(post).toContain('Sending PKIOperation (POST)');
  expect(post).toContain('%PKI-6-CERTRET');
  await ownCertificate(page, 'viapost');

  const get = await cli(page, 'crypto pki enroll viaget');
  expect(get).toContain('CRYPTO_PKI: CA capabilities: Renewal, SHA-1, SHA-256, AES, DES3');
  expect(get).toContain('Sending PKIOperation (GET)');
  expect(get).toContain('%PKI-6-CERTRET');
  await ownCertificate(page, 'viaget');

  const lines = readFileSync(log, 'utf8').slice(mark);
  expect(lines).toMatch(/"POST \/scep\?operation=PKIOperation HTTP\/1\.1" 200 /);
  const gets = lines.match(/"GET \/scep-get\?operation=PKIOperation&message=([^ ]+) HTTP\/1\.1" 200 /);
  expect(gets).not.toBeNull();
  // standard base64, every + / = percent-encoded (REPORT §3: the server rejects anything else)
  expect(gets![1]).toMatch(/^[A-Za-z0-9%]+$/);
  expect(Buffer.from(decodeURIComponent(gets![1]!), 'base64').length).toBeGreaterThan(1000);
});

test('an EC key: the CA refuses it, and the user is told why', async ({ page }) => {
  await openApp(page, app.url);
  await configure(page, ['enable', 'configure terminal', trustpoint('ectp', lab.scepUrl, [' eckeypair ectp'])]);
  await authenticate(page, 'ectp');
  const t = await cli(page, 'do debug crypto pki transactions\ncrypto pki enroll ectp');
  expect(t).toContain('EC key ectp: an ephemeral RSA transport key signs the envelope and receives the reply.');
  expect(t).toContain('% The CA refused the request: badRequest');
  expect(t).toContain('% Note: many SCEP CAs (micromdm among them) certify RSA keys only, and this request was for an EC key.');
  expect((await storedCerts(page, 'ectp')).map((c) => c.kind)).toEqual(['ca']);
});

test('a CA without CORS headers (the raw server port): the block is recognised and explained', async ({ page }) => {
  await openApp(page, app.url);
  await configure(page, ['enable', 'configure terminal', trustpoint('nocors', lab.rawUrl)]);
  const t = await cli(page, 'crypto pki authenticate nocors');
  expect(t).toContain(`The CA at ${new URL(lab.rawUrl).host} answered, but the browser withheld the reply because it carries no Access-Control-Allow-Origin header for this page`);
  expect(t).not.toContain('Failed to fetch');
  expect(await storedCerts(page, 'nocors')).toEqual([]);
});

test('the certificate key pair and the issued certificate match in the console too', async ({ page }) => {
  await openApp(page, app.url);
  await configure(page, ['enable', 'configure terminal', trustpoint('pubkey', lab.scepUrl, [' rsakeypair pubkey 2048'])]);
  await authenticate(page, 'pubkey');
  expect(await cli(page, 'crypto pki enroll pubkey')).toContain('%PKI-6-CERTRET');
  const cert = await ownCertificate(page, 'pubkey');
  const shown = await cli(page, 'do show crypto key mypubkey rsa pubkey');
  const hex = shown
    .slice(shown.indexOf('Key Data:'))
    .split('\n')
    .slice(1)
    .filter((l) => /^\s+[0-9A-F ]+$/.test(l))
    .join('')
    .replace(/\s+/g, '');
  expect(hex).toBe(Buffer.from(cert.publicKey.export({ type: 'spki', format: 'der' })).toString('hex').toUpperCase());
});
