/**
 * SCEP through the console against the scripted FAKE responder (tests/fakes/fake-scep.ts) —
 * the behaviours the real peer (micromdm) never shows: PENDING then SUCCESS with CertPoll,
 * giving up after `enrollment retry count`, a pending request surviving a reload, RA mode with
 * separate signing and encryption RA certificates (NDES-style key usages, and none at all),
 * GetNextCACert, garbage / truncated replies, wrong nonce, wrong transaction, wrong signer,
 * FAILURE with failInfoText, HTTP errors. Each case checks what the user sees and that stored
 * state (configuration, keys, certificates) is intact afterwards.
 */
import { X509Certificate } from 'node:crypto';
import { afterAll, describe, expect, test } from 'vitest';
import { harness, type Harness } from '../cli/_harness.ts';
import { fakeScepPool, type FakeScep, type FakeScepOptions } from '../../fakes/fake-scep.ts';
import { pendingTransactions, resumePending } from '../../../src/app/scep.ts';
import { CliSession } from '../../../src/cli/session.ts';
import { makeCliRunner } from '../../../src/cli/automation.ts';

const pool = fakeScepPool();
const fake = pool.fake;
afterAll(pool.closeAll);

/** A console on a real clock (the fake issues certificates valid from now). */
const console_ = (stores?: Harness['stores']) => harness({ privileged: true, clock: () => new Date(), ...(stores ? { stores } : {}) });

function tpLines(name: string, url: string, extra: string[] = []): string {
  return ['configure terminal', `crypto pki trustpoint ${name}`, ` enrollment url ${url}`, ' subject-name CN=fake-client, O=Trustpoint tests', ' serial-number none', ' ip-address none', ' password s3cret-challenge', ` rsakeypair ${name} 2048`, ...extra, ' exit', 'end'].join('\n');
}

/** Configures and authenticates `name` against `f` (answering the question), then saves. */
async function setUp(h: Harness, name: string, f: FakeScep, extra: string[] = []): Promise<string> {
  const cfg = await h.run(tpLines(name, f.url, extra));
  expect(cfg).not.toMatch(/^% (Invalid|Incomplete|Ambiguous)/m);
  const auth = await h.run(`configure terminal\ncrypto pki authenticate ${name}\nyes\nend\nwrite memory`);
  expect(auth).toContain('Trustpoint CA certificate accepted.');
  return auth;
}

/** Certificate kinds held (the CA's rollover certificate, present with the fake's default caps, aside). */
const kinds = (h: Harness, name: string) => (h.app.running.chains.get(name)?.certificates ?? []).map((c) => c.kind).filter((k) => k !== 'ca-rollover');
const ownCert = (h: Harness, name: string) => {
  const c = h.app.running.chains.get(name)!.certificates.find((x) => x.kind === 'general');
  return c ? new X509Certificate(Buffer.from(c.der)) : undefined;
};
const allKinds = (h: Harness, name: string) => (h.app.running.chains.get(name)?.certificates ?? []).map((c) => c.kind);
const pkiOps = (f: FakeScep) => f.requests.filter((r) => r.operation === 'PKIOperation');

let h: Harness;

describe('PENDING', () => {
  test('PENDING, PENDING, SUCCESS: CertPoll every retry period, then the certificate', async () => {
    const f = await fake({ script: ['pending', 'pending', 'success'] });
    h = await console_();
    h.app.scepPollDelay = () => 5;
    await setUp(h, 'pend', f, [' enrollment retry period 2', ' enrollment retry count 5']);
    const t = await h.run('configure terminal\ncrypto pki enroll pend');
    expect(t).toContain('%PKI-6-CERTPENDING: Certificate request pending: polling the CA in 2 minutes (1 of 5; Ctrl-C cancels).');
    expect(t).toContain('(2 of 5; Ctrl-C cancels)');
    expect(t).not.toContain('(3 of 5');
    expect(t).toContain('%PKI-6-CERTRET: Certificate received from Certificate Authority');
    const ops = pkiOps(f);
    expect(ops.map((r) => r.messageType)).toEqual([19, 20, 20]);
    // one transaction throughout; CertPoll is signed by the same (transport) certificate
    expect(new Set(ops.map((r) => r.transactionID)).size).toBe(1);
    expect(ops[1]!.signerCert).toEqual(ops[0]!.signerCert);
    expect(ops.every((r) => r.signatureValid && r.attributesDerSorted)).toBe(true);
    expect(ops[0]!.challengePassword).toBe('s3cret-challenge');
    const cert = ownCert(h, 'pend')!;
    expect(Buffer.from(f.issued.at(-1)!).equals(Buffer.from(cert.raw))).toBe(true);
    expect(await pendingTransactions(h.app)).toEqual([]);
    // saved: the configuration was saved before, so the certificate went to NVRAM too
    expect(await h.run('end\nshow startup-config')).toContain('crypto pki certificate chain pend');
  });

  test('still PENDING after `enrollment retry count` polls: abandoned, said plainly, nothing stored', async () => {
    const f = await fake({ script: [], then: 'pending' });
    h = await console_();
    h.app.scepPollDelay = () => 2;
    await setUp(h, 'giveup', f, [' enrollment retry count 2']);
    const t = await h.run('configure terminal\ncrypto pki enroll giveup');
    expect(t).toContain('(2 of 2; Ctrl-C cancels)');
    expect(t).toContain('% The CA left the request pending after 2 polls: enrollment abandoned. Run "crypto pki enroll giveup" again when the CA has granted it.');
    expect(pkiOps(f).map((r) => r.messageType)).toEqual([19, 20, 20]);
    expect(kinds(h, 'giveup')).toEqual(['ca']);
    expect(await pendingTransactions(h.app)).toEqual([]);
  });

  test('Ctrl-C while pending cancels and forgets the request', async () => {
    const f = await fake({ script: [], then: 'pending' });
    h = await console_();
    h.app.scepPollDelay = () => 60_000;
    await setUp(h, 'cancel', f);
    const run = h.run('configure terminal\ncrypto pki enroll cancel');
    await expect.poll(async () => (await pendingTransactions(h.app)).length, { timeout: 15_000 }).toBe(1);
    expect(h.app.pendingPolls.get('cancel')).toMatchObject({ attempt: 1, of: 10 });
    // another console (another tab) sees the poll timer
    const timers = await makeCliRunner(new CliSession(h.app, { privileged: true }))('show crypto pki timers');
    expect(timers).toMatch(/\|\s+0:5\d\.\d{3}  POLL cancel \(transaction [0-9A-F]{16}\.\.\., poll 1 of 10\)/);
    h.session.interrupt();
    const t = await run;
    expect(t).toContain('% Enrollment of trustpoint cancel cancelled; the pending request is forgotten.');
    expect(await pendingTransactions(h.app)).toEqual([]);
    expect(kinds(h, 'cancel')).toEqual(['ca']);
  });

  test('a pending request survives a reload and completes when the CA grants it', async () => {
    const f = await fake({ script: ['pending'], then: 'pending' });
    const first = await console_();
    first.app.scepPollDelay = () => 1e9; // the "page" is closed while it waits
    await setUp(first, 'reload', f);
    void first.run('configure terminal\ncrypto pki enroll reload');
    await expect.poll(async () => (await pendingTransactions(first.app)).length, { timeout: 15_000 }).toBe(1);
    const [p] = await pendingTransactions(first.app);
    expect(p).toMatchObject({ trustpoint: 'reload', polls: 1 });

    // reload: a new app over the same NVRAM, keys and metadata
    f.setScript(['success']);
    h = await console_(first.stores);
    h.app.scepPollDelay = () => 5;
    expect(kinds(h, 'reload')).toEqual(['ca']);
    const out: string[] = [];
    await resumePending(h.app, { interactive: false, signal: new AbortController().signal, print: (l) => out.push(l), ask: () => Promise.reject(new Error('no')), confirm: async () => false });
    expect(out[0]).toBe(`%PKI-6-CERTPENDING: Resuming the pending request of trustpoint reload (transaction ${p!.transactionID}).`);
    expect(out).toContain('%PKI-6-CERTRET: Certificate received from Certificate Authority');
    const ops = pkiOps(f);
    expect(ops.at(-1)!.messageType).toBe(20);
    expect(ops.at(-1)!.transactionID).toBe(p!.transactionID);
    const cert = ownCert(h, 'reload')!;
    // the certificate is for the key made before the reload
    const key = (await h.app.keys.byLabel('reload'))[0]!;
    expect(Buffer.from(cert.publicKey.export({ type: 'spki', format: 'der' })).equals(Buffer.from(key.spki))).toBe(true);
    expect(await pendingTransactions(h.app)).toEqual([]);
    expect(await h.run('end\nshow startup-config')).toContain('crypto pki certificate chain reload');
  });
});

describe('RA mode', () => {
  test.each([
    ['proper', 'ra-sign', 'ra-encrypt'],
    ['ndes', 'ra-sign', 'ra-encrypt'],
    ['ndes2', 'ra-sign', 'ra-encrypt'],
  ] as const)('key usage %s: signing and encryption RA certificates told apart; the request goes to the encryption one', async (ku, signKind, encKind) => {
    const f = await fake({ ra: { keyUsage: ku } });
    h = await console_();
    const auth = await setUp(h, `ra${ku}`, f, [' enrollment mode ra']);
    expect(auth).toContain('RA signature certificate:');
    expect(auth).toContain('RA encryption certificate:');
    const chain = h.app.running.chains.get(`ra${ku}`)!.certificates;
    const bySerial = (der: Uint8Array) => chain.find((c) => Buffer.from(c.der).equals(Buffer.from(der)))?.kind;
    expect(bySerial(f.raSignDer!)).toBe(signKind);
    expect(bySerial(f.raEncryptDer!)).toBe(encKind);
    const t = await h.run(`configure terminal\ncrypto pki enroll ra${ku}`);
    expect(t).toContain('%PKI-6-CERTRET');
    const req = pkiOps(f)[0]!;
    expect(req.recipientSerial).toBe(new X509Certificate(Buffer.from(f.raEncryptDer!)).serialNumber);
    expect(ownCert(h, `ra${ku}`)!.checkIssued(new X509Certificate(Buffer.from(f.caDer)))).toBe(true);
    // the running configuration names them the IOS way
    const run = await h.run('end\nshow running-config');
    expect(run).toMatch(/ certificate ra-sign [0-9A-F]+/);
    expect(run).toMatch(/ certificate ra-encrypt [0-9A-F]+/);
  });

  test('no key usages, encryption certificate first: the request is encrypted to both RA certificates', async () => {
    const f = await fake({ ra: { keyUsage: 'none', raOrder: ['encrypt', 'sign', 'ca'] } });
    h = await console_();
    const auth = await setUp(h, 'ranone', f);
    expect(auth).toContain("% Note: the RA certificates' key usages do not say which one decrypts requests: requests are encrypted to all of them.");
    expect(await h.run('configure terminal\ncrypto pki enroll ranone')).toContain('%PKI-6-CERTRET');
  });
});

describe('GetNextCACert', () => {
  test("authenticate keeps the CA's next certificate, signed by the current CA, as a rollover CA certificate", async () => {
    const f = await fake();
    h = await console_();
    const auth = await setUp(h, 'nextca', f);
    expect(auth).toContain('Rollover CA certificate (GetNextCACert), for when the current CA certificate expires:');
    expect(f.requests.map((r) => r.operation)).toContain('GetNextCACert');
    expect(allKinds(h, 'nextca')).toEqual(['ca', 'ca-rollover']);
    const roll = h.app.running.chains.get('nextca')!.certificates.find((c) => c.kind === 'ca-rollover')!;
    expect(Buffer.from(roll.der).equals(Buffer.from(f.nextCaDer))).toBe(true);
    const run = await h.run('show running-config');
    expect(run).toContain(` certificate ca rollover ${roll.serial}`);
    expect(await h.run('show crypto pki certificates nextca')).toContain('Rollover CA Certificate');
    // it survives NVRAM: a reload reads `certificate ca rollover` back
    const again = await console_(h.stores);
    expect(allKinds(again, 'nextca')).toEqual(['ca', 'ca-rollover']);
    // and enrollment still uses the current CA
    expect(await h.run('configure terminal\ncrypto pki enroll nextca')).toContain('%PKI-6-CERTRET');
  });

  test('a CA that does not advertise GetNextCACert is not asked', async () => {
    const f = await fake({ caps: 'POSTPKIOperation\nSHA-256\nAES' });
    h = await console_();
    await setUp(h, 'nonext', f);
    expect(f.requests.map((r) => r.operation)).not.toContain('GetNextCACert');
    expect(allKinds(h, 'nonext')).toEqual(['ca']);
  });
});

describe('replies that must be refused', () => {
  const cases = [
    ['garbage', /^% The CA reply is not a valid pkiMessage \(.+\)\.$/m],
    ['truncated', /^% The CA reply is not a valid pkiMessage \(.+\)\.$/m],
    ['wrong-nonce', /^% The CA reply does not carry our nonce \(its recipientNonce is not our senderNonce\): a replayed or misdirected reply; ignored\.$/m],
    ['wrong-transaction', /^% The CA reply is for transaction \S+, not ours \([0-9A-F]{64}\): ignored\.$/m],
    ['wrong-signer', /^% The CA reply is not signed by the authenticated CA or its RA \(.+\)\.$/m],
  ] as const;
  test.each(cases)('%s: a specific error, nothing stored, and a retry then succeeds', async (action, message) => {
    const f = await fake({ script: [action] });
    h = await console_();
    await setUp(h, 'bad', f);
    const body = (t: string) => t.slice(t.indexOf('\n!\n'));
    const before = body(await h.run('show running-config'));
    const t = await h.run('configure terminal\ncrypto pki enroll bad');
    expect(t).toMatch(message);
    expect(t).not.toContain('%PKI-6-CERTRET');
    expect(t).not.toContain('s3cret-challenge');
    expect(kinds(h, 'bad')).toEqual(['ca']);
    // configuration, CA and key are intact; the same command works once the CA behaves
    const key = (await h.app.keys.byLabel('bad'))[0]!;
    expect(body(await h.run('end\nshow running-config'))).toBe(before);
    const retry = await h.run('configure terminal\ncrypto pki enroll bad');
    expect(retry).toContain('%PKI-6-CERTRET');
    expect(Buffer.from(ownCert(h, 'bad')!.publicKey.export({ type: 'spki', format: 'der' })).equals(Buffer.from(key.spki))).toBe(true);
  });

  test('FAILURE with failInfo and failInfoText: both in plain words', async () => {
    const f = await fake({ script: [{ failure: 4, text: 'no such transaction here' }] });
    h = await console_();
    await setUp(h, 'fail', f);
    const t = await h.run('configure terminal\ncrypto pki enroll fail');
    expect(t).toContain('% The CA refused the request: badCertId — no certificate could be identified that matches the request (CA says: "no such transaction here").');
    expect(kinds(h, 'fail')).toEqual(['ca']);
  });

  test("an HTTP error shows the server's own text", async () => {
    const f = await fake({ script: [{ http: 500, body: 'database is locked' }] });
    h = await console_();
    await setUp(h, 'http', f);
    const t = await h.run('configure terminal\ncrypto pki enroll http');
    expect(t).toContain('% The CA answered HTTP 500');
    expect(t).toContain('database is locked');
    expect(kinds(h, 'http')).toEqual(['ca']);
  });
});

describe('transactionID (RFC 8894 §3.2.1.1: unique per operation)', () => {
  test('a renewal that keeps the key is a transaction of its own: SHA-256 of the key and the serial it renews', async () => {
    const { createHash } = await import('node:crypto');
    const f = await fake();
    h = await console_();
    await setUp(h, 'tid', f, [' usage ike']);
    const first = await h.run('configure terminal\ncrypto pki enroll tid\nend');
    expect(first).toContain('%PKI-6-CERTRET');
    const cert1 = ownCert(h, 'tid')!;
    const [key] = await h.app.keys.byLabel('tid');
    const spki = Buffer.from(key!.spki);
    const again = await h.run('configure terminal\ncrypto pki enroll tid\nyes\nend');
    expect(again).toContain('%PKI-6-CERTRET');
    const cert2 = ownCert(h, 'tid')!;
    expect(cert2.serialNumber).not.toBe(cert1.serialNumber);
    // the same key both times
    expect(cert2.publicKey.export({ format: 'der', type: 'spki' }).equals(spki)).toBe(true);
    const ids = pkiOps(f).map((r) => r.transactionID);
    expect(new Set(ids).size).toBe(2);
    const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex').toUpperCase();
    expect(ids[0]).toBe(sha(spki));
    // the serial's bytes without leading zero bytes, as the certificate model keeps it
    let hex = cert1.serialNumber.replace(/^0+/, '') || '0';
    if (hex.length % 2) hex = `0${hex}`;
    const serial = Buffer.from(hex, 'hex');
    expect(ids[1]).toBe(sha(Buffer.concat([spki, serial])));
  });
});
