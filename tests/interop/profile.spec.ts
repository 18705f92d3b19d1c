/**
 * Enrollment profiles (issue 10) from real Chromium against the lab's real HTTP CA (nginx +
 * fcgiwrap + a CGI driving `openssl ca`, lab/http-ca.sh), typed into the console as a user would:
 * the IOS guide's "Configuring Direct HTTP Enrollment Example" verbatim (host changed, its
 * continuation line included), a prompted parameter, a wrong authcode, every reply format, the
 * two-templates case both ways, and re-enrollment with `enrollment credential` whose CMS
 * signature the CA checks with `openssl cms -verify`. Every certificate is checked by OpenSSL.
 */
import { spawnSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test, type Page } from '../pw.ts';
import { cli, openApp, appServer, type RunningApp } from '../e2e/fixtures.ts';
import { iosFingerprint, labFromEnv, startLab, type Lab } from './lab.ts';
import { startHttpCa, type HttpCa } from './http-ca.ts';

let lab: Lab;
let ownLab = false;
let ca: HttpCa;
let app: RunningApp;
let work: string;

test.beforeAll(async () => {
  const attached = labFromEnv();
  if (attached) lab = attached;
  else {
    lab = await startLab({ dir: '.lab/i/profile-spec', rawPort: 0, corsPort: 0, anyLocalPort: true });
    ownLab = true;
  }
  // The SCEP lab's CA plays the guide's "third-party vendor CA" for enrollment credential.
  ca = await startHttpCa({ dir: '.lab/i/http-ca-spec', trust: [join(lab.dir, 'scep', 'ca.pem')] });
  app = await appServer();
  work = mkdtempSync(join(tmpdir(), 'tp-profile-spec-'));
  writeFileSync(join(work, 'ca.pem'), ca.caPem);
});

test.afterAll(async () => {
  await app?.close();
  await ca?.stop();
  if (ownLab) await lab.stop();
  rmSync(work, { recursive: true, force: true });
});

test.beforeEach(async ({ page }) => {
  await page.addInitScript(() => {
    (window as unknown as { __TRUSTPOINT_TEST__?: object }).__TRUSTPOINT_TEST__ ??= {};
  });
});

/** The guide's example, verbatim but for the host (and, where given, the profile's name and parameter lines). */
function guideExample(opts: { tp?: string; profile?: string; params?: string[]; retrievedAs?: string } = {}): string {
  const tp = opts.tp ?? 'Entrust';
  const prof = opts.profile ?? 'E';
  return [
    `crypto pki trustpoint ${tp}`,
    `  enrollment profile ${prof}`,
    '  serial',
    `crypto pki profile enrollment ${prof}`,
    `  authentication url ${ca.base}`,
    '  authentication command GET /certs/cacert.der',
    `  enrollment url ${ca.enrollmentUrl}`,
    '  enrollment command POST reference_number=$P2&authcode=$P1',
    `    &retrievedAs=${opts.retrievedAs ?? 'rawDER'}&action=getServerCert&pkcs10Request=$REQ`,
    ...(opts.params ?? ['  parameter 1 value aaaa-bbbb-cccc', '  parameter 2 value 5001']),
  ].join('\n');
}

async function configure(page: Page, text: string): Promise<string> {
  const t = await cli(page, text);
  expect(t).not.toMatch(/^% (Invalid|Incomplete|Ambiguous|Unknown)/m);
  return t;
}

async function setup(page: Page, text: string): Promise<void> {
  await openApp(page, app.url);
  await configure(page, `enable\nconfigure terminal\nhostname kiosk7\nip domain-name example.com\n${text}\nexit`);
}

interface StoredCert {
  kind: string;
  der: number[];
}

function storedCerts(page: Page, name: string): Promise<StoredCert[]> {
  return page.evaluate((n) => (window.trustpoint!.app.running.chains.get(n)?.certificates ?? []).map((c) => ({ kind: c.kind, der: Array.from(c.der) })), name);
}

/** The trustpoint's certificate, verified by `openssl verify` against the HTTP CA. */
async function ownCertificate(page: Page, name: string, caFile = join(work, 'ca.pem')): Promise<X509Certificate> {
  const own = (await storedCerts(page, name)).filter((c) => c.kind === 'general');
  expect(own).toHaveLength(1);
  const cert = new X509Certificate(Buffer.from(own[0]!.der));
  const path = join(work, `${name}-${Date.now()}.pem`);
  writeFileSync(path, cert.toString());
  const v = spawnSync('openssl', ['verify', '-CAfile', caFile, path], { encoding: 'utf8' });
  expect(v.stdout.trim()).toBe(`${path}: OK`);
  return cert;
}

/** The request a cut-and-paste enrollment printed, as PEM for `openssl`. */
function requestPem(transcript: string): string {
  const start = transcript.indexOf('Certificate Request follows:') + 'Certificate Request follows:'.length;
  const b64 = transcript.slice(start, transcript.indexOf('---End - This line not part of the certificate request---')).replace(/\s+/g, '');
  return `-----BEGIN CERTIFICATE REQUEST-----\n${b64.match(/.{1,64}/g)!.join('\n')}\n-----END CERTIFICATE REQUEST-----\n`;
}

const serialOf = (c: X509Certificate) => c.serialNumber.toUpperCase();
/** openssl ca's database: the serials it issued. */
const issuedSerials = () =>
  ca
    .index()
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((l) => l.split('\t')[3]!.toUpperCase());

test("the guide's Direct HTTP Enrollment example: authenticate, enroll, verify, write memory, reload", async ({ page }) => {
  await setup(page, guideExample());
  const running = await cli(page, 'do show running-config');
  // the continuation line is kept in the guide's layout
  expect(running).toContain(' enrollment command POST reference_number=$P2&authcode=$P1\n   &retrievedAs=rawDER&action=getServerCert&pkcs10Request=$REQ\n');

  const auth = await cli(page, 'crypto pki authenticate Entrust\nyes');
  expect(auth).toContain(`% Retrieving the CA certificate (enrollment profile E): GET ${ca.base}/certs/cacert.der`);
  expect(auth).toContain('Subject: C=DE, O=Peer Lab, OU=HTTP Lab CA, CN=Peer Lab HTTP CA');
  expect(auth).toContain(`Fingerprint SHA256: ${iosFingerprint('sha256', ca.caDer)}`);
  expect(auth).toContain('Trustpoint CA certificate accepted.');

  // no ip-address configured: IOS asks; no password: an empty one
  const enroll = await cli(page, 'crypto pki enroll Entrust\nno\n\n');
  expect(enroll).toContain('% Start certificate enrollment ..');
  expect(enroll).toContain('% The serial number in the certificate will be:');
  expect(enroll).toContain(`% Sending the certificate request to ${new URL(ca.base).host} (enrollment profile E) ...`);
  expect(enroll).toContain('%PKI-6-CERTRET: Certificate received from Certificate Authority');
  expect(enroll).not.toContain('aaaa-bbbb-cccc');

  const cert = await ownCertificate(page, 'Entrust');
  expect(cert.subject).toContain('unstructuredName=kiosk7.example.com');
  expect(cert.subject).toMatch(/serialNumber=[0-9A-F]{8}/);
  expect(issuedSerials()).toContain(serialOf(cert));
  expect(ca.cgiLog()).toContain(`result=issued serial=${serialOf(cert)} request=pkcs10 retrievedAs=rawDER`);

  const tps = await cli(page, 'do show crypto pki trustpoints Entrust');
  expect(tps).toContain('    Enrollment profile E:');
  expect(tps).toContain(`      Authentication: GET ${ca.base}/certs/cacert.der`);
  expect(tps).toContain(`      Enrollment: POST ${ca.enrollmentUrl} (form fields reference_number, authcode, retrievedAs, action, pkcs10Request)`);
  expect(tps).toContain('      Parameters: $P1 value, $P2 value');

  await cli(page, 'do write memory');
  const before = await cli(page, 'do show crypto pki certificates Entrust');
  await page.reload();
  await page.waitForFunction(() => document.documentElement.dataset.ready === 'true' && !!window.trustpoint);
  const after = await cli(page, 'enable\nconfigure terminal\ndo show crypto pki certificates Entrust');
  expect(after.slice(after.indexOf('Certificate\n'))).toBe(before.slice(before.indexOf('Certificate\n')));
  expect(serialOf(await ownCertificate(page, 'Entrust'))).toBe(serialOf(cert));
  const reread = await cli(page, 'do show running-config');
  expect(reread).toContain('   &retrievedAs=rawDER&action=getServerCert&pkcs10Request=$REQ\n');
});

test('parameter 1 prompt: asked at enrollment, never echoed, stored or logged', async ({ page }) => {
  await setup(page, guideExample({ tp: 'Prompted', profile: 'P', params: ['  parameter 1 prompt Enter the authcode', '  parameter 2 value 5001'] }) + '\ncrypto pki trustpoint Prompted\n ip-address none\n password 0 lab');
  await cli(page, 'crypto pki authenticate Prompted\nyes\ndo debug crypto pki transactions');
  const t = await cli(page, `crypto pki enroll Prompted\n${ca.authcode}`);
  expect(t).toContain('Enter the authcode: ');
  expect(t).toContain('%PKI-6-CERTRET');
  expect(t).toContain(`CRYPTO_PKI: profile P: POST ${ca.enrollmentUrl} (application/x-www-form-urlencoded) body: reference_number=<$P2: *****>&authcode=<$P1: *****>`);
  expect(t).toContain('CRYPTO_PKI: profile P: HTTP 200 OK application/pkix-cert');
  expect(t).not.toContain(ca.authcode);
  await ownCertificate(page, 'Prompted');
  await cli(page, 'do write memory');
  const saved = await cli(page, 'do show startup-config');
  expect(saved).toContain('parameter 1 prompt Enter the authcode');
  expect(saved).not.toContain(ca.authcode);
  const everything = await page.evaluate(() => [window.trustpoint!.app.runningText(), ...window.trustpoint!.app.debugLog, window.trustpoint!.session.scrollback, ...window.trustpoint!.session.history].join('\n'));
  expect(everything).not.toContain(ca.authcode);
});

test('a wrong authcode: the CA answers 403 with an HTML page, explained; nothing is stored', async ({ page }) => {
  await setup(page, guideExample({ tp: 'Wrong', profile: 'W', params: ['  parameter 1 value not-the-code', '  parameter 2 value 5001'] }) + '\ncrypto pki trustpoint Wrong\n ip-address none\n password 0 lab');
  await cli(page, 'crypto pki authenticate Wrong\nyes');
  const t = await cli(page, 'crypto pki enroll Wrong');
  expect(t).toContain('% The CA answered HTTP 403 Forbidden with an HTML page: "403 Forbidden: Wrong authcode for reference number 5001. Peer Lab HTTP CA"');
  expect(t).not.toContain('<html');
  expect(t).not.toContain('%PKI-6-CERTRET');
  expect((await storedCerts(page, 'Wrong')).map((c) => c.kind)).toEqual(['ca']);
  expect(ca.cgiLog()).toContain('status=403 ref=5001 403 Forbidden: Wrong authcode for reference number 5001.');
  // fixed in place, the same trustpoint enrolls
  const fixed = await cli(page, `crypto pki profile enrollment W\n parameter 1 value ${ca.authcode}\nexit\ncrypto pki enroll Wrong`);
  expect(fixed).toContain('%PKI-6-CERTRET');
  await ownCertificate(page, 'Wrong');
});

test('retrievedAs PEM, PKCS7 (the chain) and base64: each reply format installs and verifies', async ({ page }) => {
  const formats = [
    { as: 'PEM', tp: 'AsPem', said: 'application/x-pem-file' },
    { as: 'PKCS7', tp: 'AsP7', said: 'application/pkcs7-mime' },
    { as: 'base64', tp: 'AsB64', said: 'text/plain' },
  ];
  await setup(
    page,
    formats
      .map((f) => `${guideExample({ tp: f.tp, profile: `F${f.as}`, retrievedAs: f.as })}\ncrypto pki trustpoint ${f.tp}\n ip-address none\n password 0 lab`)
      .join('\n'),
  );
  await cli(page, 'do debug crypto pki transactions');
  for (const f of formats) {
    await cli(page, `crypto pki authenticate ${f.tp}\nyes`);
    const t = await cli(page, `crypto pki enroll ${f.tp}`);
    expect(t).toContain('%PKI-6-CERTRET');
    expect(t).toContain(`CRYPTO_PKI: profile F${f.as}: HTTP 200 OK ${f.said}`);
    if (f.as === 'PKCS7') expect(t).toContain('a PKCS #7 certs-only chain (DER), 2 certificates');
    if (f.as === 'PEM') expect(t).toContain('PEM certificate(s)');
    if (f.as === 'base64') expect(t).toContain('an X.509 certificate (base64)');
    const cert = await ownCertificate(page, f.tp);
    expect(ca.cgiLog()).toContain(`serial=${serialOf(cert)} request=pkcs10 retrievedAs=${f.as}`);
  }
});

test('two templates: authenticate by URL and enroll by cut-and-paste, and the reverse', async ({ page }) => {
  await setup(
    page,
    [
      'crypto pki trustpoint UrlThenPaste',
      ' enrollment profile UP',
      ' serial-number none',
      ' ip-address none',
      ' password 0 lab',
      'crypto pki profile enrollment UP',
      ` authentication url ${ca.base}`,
      ' authentication command GET /certs/cacert.der',
      ' enrollment terminal',
      'crypto pki trustpoint PasteThenUrl',
      ' enrollment profile PU',
      ' serial-number none',
      ' ip-address none',
      ' password 0 lab',
      'crypto pki profile enrollment PU',
      ' authentication terminal',
      ` enrollment url ${ca.enrollmentUrl}`,
      ' enrollment command POST reference_number=$P2&authcode=$P1&retrievedAs=PEM&action=getServerCert&pkcs10Request=$REQ',
      ` parameter 1 value ${ca.authcode}`,
      ' parameter 2 value 5001',
    ].join('\n'),
  );
  // 1. authentication url, enrollment terminal: the request is shown, the CA operator signs it
  // (here with the same openssl CA, by hand), and the certificate is pasted back.
  const auth1 = await cli(page, 'crypto pki authenticate UrlThenPaste\nyes');
  expect(auth1).toContain(`GET ${ca.base}/certs/cacert.der`);
  const enroll1 = await cli(page, 'crypto pki enroll UrlThenPaste\nyes\nno');
  expect(enroll1).toContain('Certificate Request follows:');
  writeFileSync(join(work, 'up.csr'), requestPem(enroll1));
  const signed = spawnSync('openssl', ['ca', '-batch', '-config', join(ca.dir, 'ca', 'ca.cnf'), '-preserveDN', '-notext', '-days', '30', '-in', join(work, 'up.csr'), '-out', join(work, 'up.pem')], { encoding: 'utf8' });
  expect(signed.status, signed.stderr).toBe(0);
  const imp = await cli(page, `crypto pki import UrlThenPaste certificate\n${readFileSync(join(work, 'up.pem'), 'utf8')}\n`);
  expect(imp).toContain('% Router Certificate successfully imported');
  await ownCertificate(page, 'UrlThenPaste');

  // 2. authentication terminal, enrollment url
  const auth2 = await cli(page, `crypto pki authenticate PasteThenUrl\n${ca.caPem}\nyes`);
  expect(auth2).toContain('Enter the base 64 encoded CA certificate.');
  expect(auth2).toContain('Trustpoint CA certificate accepted.');
  const enroll2 = await cli(page, 'crypto pki enroll PasteThenUrl');
  expect(enroll2).toContain('%PKI-6-CERTRET');
  const cert2 = await ownCertificate(page, 'PasteThenUrl');
  expect(ca.cgiLog()).toContain(`serial=${serialOf(cert2)} request=pkcs10 retrievedAs=PEM`);
});

test('re-enrollment with enrollment credential: CMS SignedData signed by the other trustpoint, verified by openssl cms on the CA', async ({ page }) => {
  await setup(
    page,
    [
      // the "third-party vendor CA": the lab's SCEP CA
      'crypto pki trustpoint Vendor',
      ` enrollment url ${lab.scepUrl}`,
      ' serial-number none',
      ' ip-address none',
      ` password ${lab.challenge}`,
      ' rsakeypair vendor 2048',
      'crypto pki trustpoint IosCa',
      ' enrollment profile R',
      ' serial-number none',
      ' ip-address none',
      ' password 0 lab',
      'crypto pki profile enrollment R',
      ` authentication url ${ca.base}`,
      ' authentication command GET /certs/cacert.der',
      ` enrollment url ${ca.enrollmentUrl}`,
      ' enrollment credential Vendor',
      // no authcode: a request signed with a trusted credential is granted by the CA
      ' enrollment command POST action=getServerCert&retrievedAs=rawDER&pkcs10Request=$REQ',
    ].join('\n'),
  );
  // without the credential's certificate, nothing is sent
  await cli(page, 'crypto pki authenticate IosCa\nyes');
  const early = await cli(page, 'crypto pki enroll IosCa');
  expect(early).toContain('% enrollment credential Vendor: trustpoint Vendor has no certificate yet; enroll it first ("crypto pki enroll Vendor").');

  expect(await cli(page, 'crypto pki authenticate Vendor\nyes')).toContain('Trustpoint CA certificate accepted.');
  expect(await cli(page, 'crypto pki enroll Vendor')).toContain('%PKI-6-CERTRET');
  const vendorCert = (await storedCerts(page, 'Vendor')).find((c) => c.kind === 'general')!;
  const vendor = new X509Certificate(Buffer.from(vendorCert.der));

  const logBefore = ca.cgiLog().length;
  const requestsBefore = new Set(readdirSync(join(ca.dir, 'requests')));
  const t = await cli(page, 'do debug crypto pki transactions\ncrypto pki enroll IosCa');
  expect(t).toContain(`% The request is signed with the certificate of trustpoint Vendor (serial ${serialOf(vendor)}).`);
  expect(t).toContain('pkcs10Request=<PKCS#7 SignedData over the PKCS#10:');
  expect(t).toContain('%PKI-6-CERTRET');
  const cert = await ownCertificate(page, 'IosCa');

  // The CA's side: openssl cms -verify accepted the signature of the Vendor certificate ...
  const log = ca.cgiLog().slice(logBefore);
  expect(log).toContain(`cms-verify=OK signer="subject=;serial=${serialOf(vendor)};issuer=OU=SCEP Lab CA,O=Peer Lab,C=DE"`);
  expect(log).toContain(`result=issued serial=${serialOf(cert)} request=cms credential=`);
  // ... and so does an independent openssl run over the kept request, against the SCEP CA alone
  const kept = readdirSync(join(ca.dir, 'requests')).filter((f) => !requestsBefore.has(f));
  expect(kept).toHaveLength(1);
  const v = spawnSync('openssl', ['cms', '-verify', '-inform', 'DER', '-in', join(ca.dir, 'requests', kept[0]!), '-CAfile', join(lab.dir, 'scep', 'ca.pem'), '-purpose', 'any', '-binary', '-signer', join(work, 'signer.pem'), '-out', join(work, 'inner.der')], { encoding: 'utf8' });
  expect(v.status, v.stderr).toBe(0);
  expect(new X509Certificate(readFileSync(join(work, 'signer.pem'))).fingerprint256).toBe(vendor.fingerprint256);
  const inner = spawnSync('openssl', ['req', '-inform', 'DER', '-in', join(work, 'inner.der'), '-noout', '-pubkey'], { encoding: 'utf8' });
  expect(inner.stdout).toBe(cert.publicKey.export({ type: 'spki', format: 'pem' }));

  // A credential from a CA the HTTP CA does not trust: refused with 403 after openssl cms -verify.
  const stranger = join(work, 'stranger');
  spawnSync('mkdir', ['-p', stranger]);
  const mk = spawnSync(
    'openssl',
    ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', join(stranger, 'ca.key'), '-out', join(stranger, 'ca.pem'), '-days', '30', '-subj', '/O=Stranger/CN=Stranger CA', '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign'],
    { encoding: 'utf8' },
  );
  expect(mk.status, mk.stderr).toBe(0);
  await configure(page, 'crypto pki trustpoint Stranger\n enrollment terminal\n serial-number none\n ip-address none\n password 0 x\n rsakeypair stranger 2048\ncrypto pki profile enrollment R\n enrollment credential Stranger\nexit');
  await cli(page, `crypto pki authenticate Stranger\n${readFileSync(join(stranger, 'ca.pem'), 'utf8')}\nyes`);
  const req = await cli(page, 'crypto pki enroll Stranger\nyes\nno');
  writeFileSync(join(stranger, 'r.csr'), requestPem(req));
  const sg = spawnSync('openssl', ['x509', '-req', '-in', join(stranger, 'r.csr'), '-CA', join(stranger, 'ca.pem'), '-CAkey', join(stranger, 'ca.key'), '-CAcreateserial', '-days', '10', '-out', join(stranger, 'r.pem')], { encoding: 'utf8' });
  expect(sg.status, sg.stderr).toBe(0);
  expect(await cli(page, `crypto pki import Stranger certificate\n${readFileSync(join(stranger, 'r.pem'), 'utf8')}\n`)).toContain('% Router Certificate successfully imported');
  const refused = await cli(page, 'crypto pki enroll IosCa\nyes');
  expect(refused).toContain('% The CA answered HTTP 403 Forbidden with an HTML page: "403 Forbidden: The credential signature does not verify (openssl cms -verify:');
  expect(refused).not.toContain('%PKI-6-CERTRET');
  // the certificate from before stays installed
  expect(serialOf(await ownCertificate(page, 'IosCa'))).toBe(serialOf(cert));
});
