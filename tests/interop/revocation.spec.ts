/**
 * Revocation checking from real Chromium against the revocation lab (lab/revocation.sh): a CA run
 * by `openssl ca`, its CRL made by `openssl ca -gencrl` and served by nginx with CORS, and a real
 * `openssl ocsp` responder (a delegated responder certificate) behind the same nginx. The
 * certificates are the app's own, enrolled by cut-and-paste and signed by that CA; the console
 * commands are the IOS ones: `revocation-check crl | ocsp | none`, `ocsp url`,
 * `crypto pki crl request`, `crypto pki certificate validate`, `show crypto pki crls`.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import { expect, test, type Page } from '../pw.ts';
import { cli, openApp, appServer } from '../e2e/fixtures.ts';

const REPO = resolve(import.meta.dirname, '../..');
const REV_DIR = join(REPO, '.lab/i/revocation-spec');
let app: { url: string; close(): Promise<void> };
let port = 0;
let env: Record<string, string>;

function freePort(): Promise<number> {
  return new Promise((ok, ko) => {
    const s = createServer();
    s.once('error', ko);
    s.listen(0, '127.0.0.1', () => {
      const p = (s.address() as { port: number }).port;
      s.close(() => ok(p));
    });
  });
}

/** Runs lab/revocation.sh with this spec's lab. */
function rev(...args: string[]): string {
  try {
    return execFileSync('bash', [join(REPO, 'lab/revocation.sh'), ...args], { env: { ...process.env, ...env }, encoding: 'utf8', timeout: 60_000 });
  } catch (e) {
    const x = e as { stdout?: string; stderr?: string; message: string };
    throw new Error(`lab/revocation.sh ${args.join(' ')} failed: ${x.message.split('\n')[0]}\n${x.stdout ?? ''}${x.stderr ?? ''}`);
  }
}

/** Requests the browser made to the lab's nginx so far (CRL downloads and OCSP queries). */
function accessLog(): string[] {
  const f = join(REV_DIR, 'nginx/logs/access.log');
  return existsSync(f) ? readFileSync(f, 'utf8').split('\n').filter((l) => l.includes('HeadlessChrome')) : [];
}

test.beforeAll(async () => {
  port = await freePort();
  env = { REV_DIR, REV_PORT: String(port), CORS_ANY_LOCAL_PORT: '1' };
  try {
    rev('reset');
  } catch {
    // nothing to reset
  }
  rev('start');
  expect(rev('test')).toContain('4 passed, 0 failed');
  app = await appServer();
});

test.afterAll(async () => {
  await app?.close();
  try {
    rev('stop');
  } catch {
    // already stopped
  }
  rmSync(REV_DIR, { recursive: true, force: true });
});

const caPem = () => readFileSync(join(REV_DIR, 'ca/ca.pem'), 'utf8');

/** A trustpoint enrolled by cut-and-paste, its certificate signed by the lab CA; returns the certificate's file. */
async function enrollTrustpoint(page: Page, name: string, extra: string[]): Promise<{ certFile: string; transcript: string }> {
  let t = await cli(
    page,
    [
      'enable',
      'configure terminal',
      `crypto key generate rsa general-keys label ${name}-key modulus 2048`,
      `crypto pki trustpoint ${name}`,
      ' enrollment terminal pem',
      ` rsakeypair ${name}-key`,
      ' serial-number none',
      ' ip-address none',
      ' password lab-secret',
      ...extra,
      ' exit',
      `crypto pki authenticate ${name}`,
      caPem(),
      'yes',
    ].join('\n'),
  );
  expect(t).toContain('% Certificate successfully imported');
  t = await cli(page, `crypto pki enroll ${name}\nyes\nno\n`);
  expect(t, t).toContain('-----END CERTIFICATE REQUEST-----');
  const csr = t.slice(t.indexOf('-----BEGIN CERTIFICATE REQUEST-----'), t.indexOf('-----END CERTIFICATE REQUEST-----') + 33) + '\n';
  const csrFile = join(REV_DIR, `${name}.csr`);
  const certFile = join(REV_DIR, `${name}.pem`);
  writeFileSync(csrFile, csr);
  rev('sign', csrFile, certFile);
  t = await cli(page, `crypto pki import ${name} certificate\n${readFileSync(certFile, 'utf8')}\n`);
  return { certFile, transcript: t };
}

test('revocation-check crl: fetched through the CORS front, cached until nextUpdate, revoked / stale / bad signature / unreachable each explained', async ({ page }) => {
  await openApp(page, app.url);
  const before = accessLog().length;
  const { certFile, transcript } = await enrollTrustpoint(page, 'CRLTP', [' revocation-check crl']);
  // crypto pki import checked the new certificate against the CA's CRL, fetched from its CDP.
  expect(transcript).toContain('% Router Certificate successfully imported');
  const fetched = accessLog().slice(before);
  expect(fetched.filter((l) => l.includes('GET /crl/ca.crl'))).toHaveLength(1);

  let t = await cli(page, 'end\ncrypto pki certificate validate CRLTP\n');
  expect(t).toContain('Certificate chain has 2 certificates.');
  expect(t).toContain('Certificate chain for CRLTP is valid');
  expect(t).toContain('Revocation status: good (CRL)');
  // Cached (NVRAM) until its nextUpdate: the second check fetched nothing.
  expect(accessLog().slice(before).filter((l) => l.includes('GET /crl/ca.crl'))).toHaveLength(1);

  t = await cli(page, 'show crypto pki crls\n');
  expect(t).toContain('CRL Issuer Name:\n    CN=Revocation Lab CA, O=Peer Lab');
  expect(t).toContain(`Retrieved from CRL Distribution Point:\n      http://127.0.0.1:${port}/crl/ca.crl`);
  expect(t).toContain('Revoked Certificates: none');

  // The CA revokes the certificate; `crypto pki crl request` fetches the new CRL now.
  rev('revoke', certFile);
  const serial = execFileSync('openssl', ['x509', '-in', certFile, '-noout', '-serial'], { encoding: 'utf8' }).trim().split('=')[1]!;
  t = await cli(page, 'configure terminal\ncrypto pki crl request CRLTP\nend\n');
  expect(t).toMatch(/%PKI-6-CRLHTTPFETCHOK: CRL download from http:\/\/127\.0\.0\.1:\d+\/crl\/ca\.crl succeeded \(1 revoked/);
  t = await cli(page, 'crypto pki certificate validate CRLTP\nshow crypto pki crls\n');
  expect(t).toContain('Certificate chain for CRLTP is not valid');
  expect(t).toMatch(new RegExp(`% Certificate revoked: certificate hostname=Router \\(serial ${serial}\\) was revoked at [^\\n]*, reason keyCompromise`));
  expect(t).toContain(`Serial Number: 0x${serial}`);
  // Importing the revoked certificate again is refused with the same reason.
  t = await cli(page, `configure terminal\ncrypto pki import CRLTP certificate\n${readFileSync(certFile, 'utf8')}\n`);
  expect(t).toMatch(/% The certificate does not chain to the CA of trustpoint CRLTP: Certificate revoked: .* reason keyCompromise\. Not imported\./);

  // A stale CRL (nextUpdate passed).
  rev('crl', 'stale');
  t = await cli(page, 'crypto pki crl request CRLTP\nend\ncrypto pki certificate validate CRLTP\n');
  expect(t).toContain('Certificate chain for CRLTP is not valid');
  expect(t).toMatch(/% the revocation status could not be determined \(CRL: .*stale/);

  // A CRL whose signature does not verify.
  rev('crl', 'badsig');
  t = await cli(page, 'configure terminal\ncrypto pki crl request CRLTP\nend\ncrypto pki certificate validate CRLTP\n');
  expect(t).toMatch(/% the revocation status could not be determined \(CRL: .*the CRL signature does not verify with the key of CN=Revocation Lab CA/);

  // The CRL source down: the fetch fails, explained, and the cached CRL is kept.
  rev('stop');
  try {
    t = await cli(page, 'configure terminal\ncrypto pki crl request CRLTP\nend\n');
    expect(t).toMatch(/%PKI-3-CRL_FETCH_FAIL: CRL fetch for trustpoint CRLTP failed: the CRL source http:\/\/127\.0\.0\.1:\d+\/crl\/ca\.crl is unreachable: Could not connect to 127\.0\.0\.1:\d+.*\(the cached CRL is kept\)/);
    // With `revocation-check crl none`, a certificate whose CRL cannot be had is accepted.
    t = await cli(page, 'configure terminal\ncrypto pki trustpoint CRLTP\n revocation-check crl none\n end\ncrypto pki certificate validate CRLTP\n');
    expect(t).toContain('Certificate chain for CRLTP is valid');
    expect(t).toContain('Revocation status: not checked (revocation-check none)');
  } finally {
    rev('start');
  }
});

test('revocation-check ocsp: a real openssl ocsp responder with a delegated certificate; ocsp url; none fetches nothing', async ({ page }) => {
  await openApp(page, app.url);
  const { certFile, transcript } = await enrollTrustpoint(page, 'OCSPTP', [' revocation-check ocsp']);
  expect(transcript).toContain('% Router Certificate successfully imported');
  // a short request goes by GET (RFC 5019), unless its base64 would put "//" in the path (then POST)
  const ocspLines = accessLog().filter((l) => /"(GET|POST) \/ocsp/.test(l));
  expect(ocspLines.length).toBeGreaterThan(0);
  for (const l of ocspLines) {
    const get = /"GET \/ocsp\/(\S+) HTTP/.exec(l);
    if (get) expect(('/' + decodeURIComponent(get[1]!)).includes('//')).toBe(false);
  }

  let t = await cli(page, 'end\ncrypto pki certificate validate OCSPTP\n');
  expect(t).toContain('Certificate chain for OCSPTP is valid');
  expect(t).toContain('Revocation status: good (OCSP)');

  rev('revoke', certFile, 'superseded');
  // The cached answer holds until its nextUpdate; another responder URL (`ocsp url`) asks again.
  t = await cli(page, `configure terminal\ncrypto pki trustpoint OCSPTP\n ocsp url http://127.0.0.1:${port}/ocsp/\n end\ncrypto pki certificate validate OCSPTP\n`);
  expect(t).toContain('Certificate chain for OCSPTP is not valid');
  expect(t).toMatch(/% Certificate revoked: certificate hostname=Router was revoked at [^\n]*, reason superseded \(OCSP\)/);

  // An unreachable responder.
  const dead = await freePort();
  t = await cli(page, `configure terminal\ncrypto pki trustpoint OCSPTP\n ocsp url http://127.0.0.1:${dead}/ocsp\n end\ncrypto pki certificate validate OCSPTP\n`);
  expect(t).toMatch(new RegExp(`% the revocation status could not be determined \\(OCSP: the OCSP responder http://127\\.0\\.0\\.1:${dead}/ocsp is unreachable: Could not connect`));

  // revocation-check none: nothing is fetched.
  const n = accessLog().length;
  t = await cli(page, 'configure terminal\ncrypto pki trustpoint OCSPTP\n revocation-check none\n end\ncrypto pki certificate validate OCSPTP\nshow running-config\n');
  expect(t).toContain('Certificate chain for OCSPTP is valid');
  expect(t).toContain('Revocation status: not checked (revocation-check none)');
  expect(t).toContain(` ocsp url http://127.0.0.1:${dead}/ocsp`);
  expect(accessLog().length).toBe(n);
});
