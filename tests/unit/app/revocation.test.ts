/**
 * `revocation-check` as IOS applies it (app/revocation.ts), headless: CRLs made by
 * `openssl ca -gencrl` served over HTTP, fetched from the certificate's CRL distribution point,
 * cached in NVRAM until nextUpdate (also across a reload), methods tried in order with `none`
 * accepting what the others could not answer, and `revocation-check none` fetching nothing.
 * (Against real Chromium and the lab's nginx + openssl ocsp: tests/interop/revocation.spec.ts.)
 */
import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkPathRevocation, getCrl, revocationCacheEntries } from '../../../src/app/revocation.ts';
import type { Trustpoint } from '../../../src/config/model.ts';
import { harness, type Harness } from '../cli/_harness.ts';
import { OpenSslPki } from '../pki/chain-fixtures.ts';

const pki = new OpenSslPki();
let server: Server;
let port = 0;
let deadPort = 0;
let served: Uint8Array = new Uint8Array();
let requests = 0;
const d: Record<string, Uint8Array> = {};

const CA = ['basicConstraints = critical, CA:TRUE', 'keyUsage = critical, keyCertSign, cRLSign', 'subjectKeyIdentifier = hash'];
const ee = (url: string | null) => ['basicConstraints = critical, CA:FALSE', 'keyUsage = critical, digitalSignature', ...(url ? [`crlDistributionPoints = URI:${url}`] : [])];

function listen(s: Server): Promise<number> {
  return new Promise((ok) => s.listen(0, '127.0.0.1', () => ok((s.address() as { port: number }).port)));
}

beforeAll(async () => {
  server = createServer((req, res) => {
    requests++;
    if (req.url === '/ca.crl') {
      res.writeHead(200, { 'Content-Type': 'application/pkix-crl' });
      res.end(Buffer.from(served));
    } else res.writeHead(404).end('no such CRL');
  });
  port = await listen(server);
  const dead = createServer();
  deadPort = await listen(dead);
  await new Promise((ok) => dead.close(ok));
  d.root = pki.cert({ name: 'root', subject: '/CN=Rev Root', ext: CA, serial: '01' });
  d.leaf = pki.cert({ name: 'leaf', subject: '/CN=leaf.example', issuer: 'root', ext: ee(`http://127.0.0.1:${port}/ca.crl`), serial: '0A' });
  d.deadLeaf = pki.cert({ name: 'deadLeaf', subject: '/CN=dead.example', issuer: 'root', ext: ee(`http://127.0.0.1:${deadPort}/ca.crl`), serial: '0B' });
  d.noCdp = pki.cert({ name: 'noCdp', subject: '/CN=nocdp.example', issuer: 'root', ext: ee(null), serial: '0C' });
  d.good = pki.crl('root', [{ serial: '77' }], { name: 'good' });
  d.revoked = pki.crl('root', [{ serial: '0A', reason: 'keyCompromise' }], { name: 'revoked' });
  served = d.good;
}, 60_000);

afterAll(async () => {
  await new Promise((ok) => server.close(ok));
  pki.cleanup();
});

async function setup(methods: string): Promise<{ h: Harness; tp: Trustpoint }> {
  const h = await harness({ privileged: true, clock: () => new Date() });
  await h.run(`configure terminal\ncrypto pki trustpoint T\n revocation-check ${methods}\n end\n`);
  return { h, tp: h.app.running.trustpoints.get('T')! };
}

describe('revocation-check crl', () => {
  it('fetches the CRL from the CDP once, then uses the NVRAM copy until nextUpdate (also after a reload)', async () => {
    const { h, tp } = await setup('crl');
    const n = requests;
    expect(await checkPathRevocation(h.app, tp, [d.leaf!, d.root!])).toMatchObject({ status: 'good', method: 'crl' });
    expect(await checkPathRevocation(h.app, tp, [d.leaf!, d.root!])).toMatchObject({ status: 'good', method: 'crl' });
    expect(requests - n).toBe(1);
    const [entry] = await revocationCacheEntries(h.app);
    expect(entry).toMatchObject({ kind: 'crl', what: 'CN=Rev Root', url: `http://127.0.0.1:${port}/ca.crl` });
    expect(entry!.nextUpdate!.getTime()).toBeGreaterThan(Date.now());
    // a new app over the same stores (a reload): still cached
    const again = await harness({ privileged: true, clock: () => new Date(), stores: h.stores });
    expect(await checkPathRevocation(again.app, tp, [d.leaf!, d.root!])).toMatchObject({ status: 'good' });
    expect(requests - n).toBe(1);
  });

  it('a revoked certificate once the new CRL is requested', async () => {
    const { h, tp } = await setup('crl');
    served = d.revoked!;
    try {
      await getCrl(h.app, `http://127.0.0.1:${port}/ca.crl`, { force: true });
      expect(await checkPathRevocation(h.app, tp, [d.leaf!, d.root!])).toMatchObject({
        status: 'revoked',
        method: 'crl',
        reason: expect.stringMatching(/^Certificate revoked: certificate CN=leaf\.example \(serial 0A\) was revoked at .*, reason keyCompromise$/),
      });
    } finally {
      served = d.good!;
    }
  });

  it('an unreachable CRL source: unknown with the reason; crl none accepts; none alone fetches nothing', async () => {
    const crlOnly = await setup('crl');
    const r = await checkPathRevocation(crlOnly.h.app, crlOnly.tp, [d.deadLeaf!, d.root!]);
    expect(r.status).toBe('unknown');
    expect(r.reason).toMatch(new RegExp(`^the revocation status could not be determined \\(CRL: the CRL source http://127\\.0\\.0\\.1:${deadPort}/ca\\.crl is unreachable: Could not connect`));
    const withNone = await setup('crl none');
    expect(await checkPathRevocation(withNone.h.app, withNone.tp, [d.deadLeaf!, d.root!])).toMatchObject({ status: 'good', method: 'none', notes: [expect.stringContaining('unreachable')] });
    const none = await setup('none');
    const n = requests;
    expect(await checkPathRevocation(none.h.app, none.tp, [d.leaf!, d.root!])).toMatchObject({ status: 'good', method: 'none', notes: [] });
    expect(requests).toBe(n);
  });

  it('a certificate without a CRL distribution point cannot be checked by CRL; ocsp without a responder neither', async () => {
    const { h, tp } = await setup('ocsp crl');
    const r = await checkPathRevocation(h.app, tp, [d.noCdp!, d.root!]);
    expect(r.status).toBe('unknown');
    expect(r.notes).toEqual([expect.stringMatching(/^OCSP: CN=nocdp\.example names no OCSP responder and trustpoint T has no "ocsp url"/), expect.stringMatching(/^CRL: CN=nocdp\.example names no CRL distribution point/)]);
  });

  it('without revocation-check nothing is checked', async () => {
    const h = await harness({ privileged: true, clock: () => new Date() });
    await h.run('configure terminal\ncrypto pki trustpoint U\n end\n');
    expect(await checkPathRevocation(h.app, h.app.running.trustpoints.get('U')!, [d.leaf!, d.root!])).toMatchObject({ status: 'not-checked' });
  });

  it('`ocsp url` is configuration: validated, written, removed', async () => {
    const h = await harness({ privileged: true });
    let t = await h.run('configure terminal\ncrypto pki trustpoint T\n ocsp url ftp://x/\n ocsp url http://127.0.0.1:8080/ocsp\n end\nshow running-config\n');
    expect(t).toContain('% Invalid OCSP URL "ftp://x/": expected http://host/... or https://host/...');
    expect(t).toContain(' ocsp url http://127.0.0.1:8080/ocsp');
    t = await h.run('configure terminal\ncrypto pki trustpoint T\n no ocsp url\n end\nshow running-config\n');
    expect(t.slice(t.indexOf('Building configuration'))).not.toContain('ocsp url');
  });
});

describe('SCEP RA certificates', () => {
  it('are revocation-checked at authenticate like the CA chain: a revoked RA is refused, nothing is stored', async () => {
    const { authenticateWith } = await import('../../../src/enroll/authenticate.ts');
    const { enrollHost } = await import('../../../src/app/enroll-host.ts');
    const { createHash } = await import('node:crypto');
    const ra = pki.cert({ name: 'ra', subject: '/CN=Rev RA', issuer: 'root', ext: ['basicConstraints = critical, CA:FALSE', 'keyUsage = critical, digitalSignature, keyEncipherment', `crlDistributionPoints = URI:http://127.0.0.1:${port}/ca.crl`], serial: '0D' });
    const raRevoked = pki.crl('root', [{ serial: '0D', reason: 'keyCompromise' }], { name: 'ra-revoked' });
    const fp = createHash('sha256').update(d.root!).digest('hex').toUpperCase();
    const lines: string[] = [];
    const io = { interactive: false, signal: new AbortController().signal, print: (l: string) => void lines.push(l), ask: () => Promise.reject(new Error('no questions')), confirm: async () => false };
    const attempt = async (crl: Uint8Array) => {
      served = crl;
      const { h } = await setup('crl'); // fresh stores: no cached CRL
      await h.run(`configure terminal\ncrypto pki trustpoint T\n enrollment url http://127.0.0.1:${port}/scep\n fingerprint ${fp}\n end\n`);
      const tp = h.app.running.trustpoints.get('T')!;
      const r = await authenticateWith(enrollHost(h.app, io), tp, { cas: [d.root!], ras: [ra] }).then(
        () => 'accepted',
        (e: Error) => e.message,
      );
      return { r, chain: h.app.running.chains.get('T')?.certificates.length ?? 0 };
    };
    try {
      const revoked = await attempt(raRevoked);
      expect(revoked.r).toMatch(/^% The RA certificate CN=Rev RA does not validate: .*CN=Rev RA \(serial 0D\) was revoked .* reason keyCompromise.*Not imported\.$/);
      expect(revoked.chain).toBe(0);
      const good = await attempt(d.good!);
      expect(good.r).toBe('accepted');
      expect(good.chain).toBe(2);
    } finally {
      served = d.good!;
    }
  });
});
