/**
 * Enrollment profiles and ACME run by a caller with nobody to ask (the auto-enrollment timers:
 * an Interaction with `interactive: false` whose `ask` rejects), against the real lab peers —
 * the HTTP CA (lab/http-ca.sh) and pebble (lab/acme.sh) — from node: what needs no human
 * completes, and what does (a prompted parameter, terms of service, a pending authorization)
 * is refused with the reason before anything is sent, instructions included. Also the ARI
 * renewal window the timers ask for.
 *
 * The app talks to pebble through a node https transport that trusts the lab's TLS root
 * (setAcmeHttp); the browser transport is what tests/interop/acme.spec.ts covers.
 */
import { request } from 'node:https';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { harness, type Harness } from '../cli/_harness.ts';
import { enroll } from '../../../src/app/pki.ts';
import { acmeRenewalWindow, setAcmeHttp } from '../../../src/app/acme.ts';
import { acmeOrderOf } from '../../../src/app/enrollment-status.ts';
import type { Interaction } from '../../../src/app/interaction.ts';
import type { AcmeHttp } from '../../../src/enroll/acme/transport.ts';
import { httpAcme } from '../../../src/enroll/acme/transport.ts';
import { startHttpCa, type HttpCa } from '../../interop/http-ca.ts';
import { Http01Server, startAcmeLab, type AcmeLab } from '../../interop/acme-lab.ts';

let ca: HttpCa;
let acme: AcmeLab;
let web: Http01Server;

/** ACME over node's https, trusting exactly the lab's TLS root. */
function nodeAcme(caPem: string): AcmeHttp {
  return (req) =>
    new Promise((resolve, reject) => {
      const r = request(req.url, { method: req.method, ca: caPem, headers: { ...(req.body ? { 'content-type': 'application/jose+json', 'content-length': String(Buffer.byteLength(req.body)) } : {}), ...(req.accept ? { accept: req.accept } : {}) } }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            contentType: (res.headers['content-type'] ?? '').split(';')[0]!.trim(),
            body: new Uint8Array(Buffer.concat(chunks)),
            header: (n) => {
              const v = res.headers[n.toLowerCase()];
              return Array.isArray(v) ? v.join(', ') : v;
            },
          }),
        );
      });
      r.on('error', reject);
      if (req.body) r.write(req.body);
      r.end();
    });
}

beforeAll(async () => {
  web = await Http01Server.start();
  [ca, acme] = await Promise.all([
    startHttpCa({ dir: '.lab/i/unit-unattended' }),
    startAcmeLab('.lab/i/unit-unattended', { happy: {}, val: { alwaysValid: false, authzReuse: 0, http01Port: web.port } }),
  ]);
  setAcmeHttp(nodeAcme(readFileSync(acme.tlsRoot, 'utf8')));
}, 120_000);

afterAll(async () => {
  setAcmeHttp(httpAcme);
  await Promise.all([ca?.stop(), acme?.stop(), web?.close()]);
});

/** What the timers give a workflow: no one to ask; every line kept (the log). */
function unattended(): Interaction & { lines: string[] } {
  const lines: string[] = [];
  return {
    interactive: false,
    signal: new AbortController().signal,
    lines,
    print: (l) => void lines.push(l),
    ask: (q) => Promise.reject(new Error(`an unattended enrollment asked: ${q.text}`)),
    confirm: (t) => Promise.reject(new Error(`an unattended enrollment asked: ${t}`)),
  };
}

const real = () => harness({ privileged: true, clock: () => new Date() });
const own = (h: Harness, tp: string) => h.app.running.chains.get(tp)?.certificates.filter((c) => c.kind === 'general') ?? [];

async function configure(h: Harness, lines: string[]): Promise<void> {
  const t = await h.run(['configure terminal', 'hostname kiosk7', 'ip domain-name example.com', ...lines, 'end'].join('\n'));
  expect(t).not.toMatch(/^% (Invalid|Incomplete|Ambiguous|Unknown)/m);
}

const guide = (prof: string, p1: string) => [
  'crypto pki trustpoint Entrust',
  '  enrollment profile E',
  '  serial',
  `crypto pki profile enrollment ${prof}`,
  `  authentication url ${ca.base}`,
  '  authentication command GET /certs/cacert.der',
  `  enrollment url ${ca.enrollmentUrl}`,
  '  enrollment command POST reference_number=$P2&authcode=$P1',
  '    &retrievedAs=rawDER&action=getServerCert&pkcs10Request=$REQ',
  p1,
  '  parameter 2 value 5001',
];

describe('enrollment profile, unattended', () => {
  test("the guide's example enrolls with nothing asked (no ip-address or password question either)", async () => {
    const h = await real();
    await configure(h, guide('E', '  parameter 1 value aaaa-bbbb-cccc'));
    expect(await h.run('configure terminal\ncrypto pki authenticate Entrust\nyes\nend')).toContain('Trustpoint CA certificate accepted.');
    const io = unattended();
    await enroll(h.app, io, 'Entrust');
    expect(io.lines).toContain('%PKI-6-CERTRET: Certificate received from Certificate Authority');
    expect(own(h, 'Entrust')).toHaveLength(1);
    expect(ca.cgiLog()).toMatch(/result=issued .* request=pkcs10 retrievedAs=rawDER subject="[^"]*serialNumber=C63EBBE9/);
  });

  test('a prompted parameter: refused with the reason before anything is sent', async () => {
    const h = await real();
    await configure(h, guide('E', '  parameter 1 prompt Enter the authcode'));
    await h.run('configure terminal\ncrypto pki authenticate Entrust\nyes\nend');
    const before = ca.cgiLog();
    const io = unattended();
    await expect(enroll(h.app, io, 'Entrust')).rejects.toThrow(
      '% Enrollment profile E asks for parameter 1 ("Enter the authcode") at enrollment: a non-interactive request cannot answer it. Enroll from the console, or configure "parameter 1 value ...".',
    );
    expect(ca.cgiLog()).toBe(before);
    expect(io.lines).not.toContain('% Start certificate enrollment ..');
    expect(own(h, 'Entrust')).toHaveLength(0);
  });
});

describe('ACME, unattended', () => {
  test('terms of service need a person once; then renewals run unattended (challenge http-01)', async () => {
    const h = await real();
    const dir = acme.instances.happy!.directory;
    await configure(h, ['crypto pki trustpoint LE', ` enrollment acme ${dir} challenge http-01`]);
    const first = unattended();
    await expect(enroll(h.app, first, 'LE')).rejects.toThrow(/% The ACME server has terms of service \(data:text\/plain,Do%20what%20thou%20wilt\) that a person must agree to: run "crypto pki enroll LE" from the console once\./);
    // a person agrees once, at the console
    const t = await h.run('configure terminal\ncrypto pki enroll LE\nyes\nend');
    expect(t).toContain('%PKI-6-CERTRET');
    const serial1 = own(h, 'LE')[0]!.serial;
    // the timers renew with nobody there
    const io = unattended();
    await enroll(h.app, io, 'LE');
    expect(io.lines).toContain('%PKI-6-CERTRET: Certificate received from Certificate Authority');
    expect(io.lines.join('\n')).not.toContain('terms of service');
    expect(own(h, 'LE')).toHaveLength(1);
    expect(own(h, 'LE')[0]!.serial).not.toBe(serial1);
    // pebble 2.4 offers no renewal information: the timers fall back to the auto-enroll percentage
    expect(await acmeRenewalWindow(h.app, 'LE')).toBeUndefined();
  });

  test('a pending authorization: refused with what to publish; the order is kept for "check again"', async () => {
    const h = await real();
    const dir = acme.instances.val!.directory;
    await configure(h, ['crypto pki trustpoint PEND', ` enrollment acme ${dir}`, ' fqdn unattended.example.com']);
    // the account (terms of service) at the console, the authorization left for later
    const t = await h.run('configure terminal\ncrypto pki enroll PEND\nyes\n\nend');
    expect(t).toContain('% The order is kept');
    const io = unattended();
    await expect(enroll(h.app, io, 'PEND')).rejects.toThrow(
      /% ACME authorization pending for unattended\.example\.com: a person must publish the challenge shown above, then check again with "crypto pki enroll PEND"/,
    );
    const log = io.lines.join('\n');
    expect(log).toMatch(/% {3}http-01: http:\/\/unattended\.example\.com\/\.well-known\/acme-challenge\/[A-Za-z0-9_-]+/);
    expect(log).toMatch(/% {3}dns-01: {2}_acme-challenge\.unattended\.example\.com\. 300 IN TXT "[A-Za-z0-9_-]{43}"/);
    expect(await acmeOrderOf(h.app, 'PEND')).toMatchObject({ directory: dir, identifiers: [{ type: 'dns', value: 'unattended.example.com' }] });
    expect(own(h, 'PEND')).toHaveLength(0);
  });
});

describe('ARI renewal window', () => {
  test('from renewalInfo when the server offers it (scripted server: Debian’s pebble has no ARI)', async () => {
    const h = await real();
    await configure(h, ['crypto pki trustpoint ARI', ` enrollment acme ${acme.instances.happy!.directory} challenge http-01`]);
    await h.run('configure terminal\ncrypto pki enroll ARI\nyes\nend');
    const cert = own(h, 'ARI')[0]!;
    const seen: string[] = [];
    setAcmeHttp(async (req) => {
      seen.push(`${req.method} ${req.url}`);
      const json = req.url.endsWith('/dir')
        ? { newNonce: 'https://ari.test/n', newAccount: 'https://ari.test/a', newOrder: 'https://ari.test/o', renewalInfo: 'https://ari.test/renewal-info/' }
        : { suggestedWindow: { start: '2030-01-01T00:00:00Z', end: '2030-01-02T00:00:00Z' }, explanationURL: 'https://ari.test/why' };
      return { status: 200, contentType: 'application/json', body: new TextEncoder().encode(JSON.stringify(json)), header: () => undefined };
    });
    try {
      const w = await acmeRenewalWindow(h.app, 'ARI');
      expect(w).toEqual({ start: new Date('2030-01-01T00:00:00Z'), end: new Date('2030-01-02T00:00:00Z'), explanationURL: 'https://ari.test/why' });
      const { certIdOf } = await import('../../../src/enroll/acme/ari.ts');
      expect(seen[1]).toBe(`GET https://ari.test/renewal-info/${certIdOf(cert.der)}`);
      // not an ACME trustpoint, or no certificate: nothing to ask
      expect(await acmeRenewalWindow(h.app, 'nope')).toBeUndefined();
    } finally {
      setAcmeHttp(nodeAcme(readFileSync(acme.tlsRoot, 'utf8')));
    }
  });
});
