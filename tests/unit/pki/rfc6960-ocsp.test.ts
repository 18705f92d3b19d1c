/**
 * OCSP (RFC 6960, src/pki/ocsp.ts): our requests are read by `openssl ocsp` acting as the
 * responder (-reqin … -respout …), and the responses it makes are checked by us — signed by the
 * CA itself or by a delegated responder, good / revoked / unknown, the nonce echoed, a responder
 * without id-kp-OCSPSigning or from another CA refused, a stale answer, a forged signature.
 */
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseChainCert, type ChainCert } from '../../../src/pki/chain/index.ts';
import { buildOcspRequest, certIdOf, checkOcspResponse, parseOcspResponse, type CertId } from '../../../src/pki/ocsp.ts';
import { webCryptoVerify } from '../../../src/pki/verify-webcrypto.ts';
import { OpenSslPki } from './chain-fixtures.ts';

const pki = new OpenSslPki();
afterAll(() => pki.cleanup());
const sha1 = async (d: Uint8Array) => new Uint8Array(createHash('sha1').update(d).digest());

const CA = ['basicConstraints = critical, CA:TRUE', 'keyUsage = critical, keyCertSign, cRLSign, digitalSignature', 'subjectKeyIdentifier = hash'];
const EE = ['basicConstraints = critical, CA:FALSE', 'keyUsage = critical, digitalSignature', 'authorityInfoAccess = OCSP;URI:http://127.0.0.1:9/ocsp'];
const RESPONDER = ['basicConstraints = critical, CA:FALSE', 'keyUsage = critical, digitalSignature', 'extendedKeyUsage = OCSPSigning'];
let ca: ChainCert;
let good: ChainCert;
let bad: ChainCert;
let idGood: CertId;
let idBad: CertId;

beforeAll(async () => {
  pki.cert({ name: 'ca', subject: '/CN=OCSP CA', ext: CA, serial: '01' });
  pki.cert({ name: 'other', subject: '/CN=Other CA', ext: CA, serial: '02' });
  good = parseChainCert(pki.cert({ name: 'good', subject: '/CN=good.example', issuer: 'ca', ext: EE, serial: '1A' }));
  bad = parseChainCert(pki.cert({ name: 'bad', subject: '/CN=revoked.example', issuer: 'ca', ext: EE, serial: '1B' }));
  pki.cert({ name: 'responder', subject: '/CN=Delegated Responder', issuer: 'ca', ext: RESPONDER, serial: '1C' });
  pki.cert({ name: 'noeku', subject: '/CN=Responder without EKU', issuer: 'ca', ext: RESPONDER.slice(0, 2), serial: '1D' });
  pki.cert({ name: 'foreign', subject: '/CN=Foreign Responder', issuer: 'other', ext: RESPONDER, serial: '1E' });
  ca = parseChainCert(pki.der('ca'));
  idGood = await certIdOf(good, ca, sha1);
  idBad = await certIdOf(bad, ca, sha1);
  // the CA database openssl ocsp answers from: 1A valid, 1B revoked (keyCompromise)
  writeFileSync(
    pki.path('ocsp-index', 'txt'),
    ['V\t491231235959Z\t\t1A\tunknown\t/CN=good.example', 'R\t491231235959Z\t240101000000Z,keyCompromise\t1B\tunknown\t/CN=revoked.example', ''].join('\n'),
  );
}, 60_000);

/** openssl ocsp answers `req` as responder `signer` (a certificate name of the fixture). */
function respond(req: Uint8Array, signer: string, extra: string[] = []): Uint8Array {
  const reqFile = pki.path(`req-${signer}`, 'der');
  const respFile = pki.path(`resp-${signer}`, 'der');
  writeFileSync(reqFile, req);
  execFileSync('openssl', ['ocsp', '-index', pki.path('ocsp-index', 'txt'), '-CA', pki.path('ca'), '-rsigner', pki.path(signer), '-rkey', pki.keyOf(signer), '-reqin', reqFile, '-respout', respFile, '-nmin', '60', ...extra], { stdio: 'pipe' });
  return new Uint8Array(readFileSync(respFile));
}

const now = () => Math.floor(Date.now() / 1000);
const nonce = Uint8Array.from({ length: 16 }, (_, i) => i + 1);

describe('requests', () => {
  it('openssl reads our request: SHA-1 CertID, serial, nonce', () => {
    const req = buildOcspRequest(idGood, nonce);
    const file = join(pki.path('req-text', 'der'));
    writeFileSync(file, req);
    const text = execFileSync('openssl', ['ocsp', '-reqin', file, '-req_text'], { encoding: 'utf8' });
    expect(text).toContain('Hash Algorithm: sha1');
    expect(text).toContain(`Issuer Name Hash: ${Buffer.from(idGood.issuerNameHash).toString('hex').toUpperCase()}`);
    expect(text).toContain('Serial Number: 1A');
    expect(text).toMatch(/OCSP Nonce:\s+0410 ?0102030405060708090A0B0C0D0E0F10/);
  });
});

describe('responses made by openssl ocsp', () => {
  const check = async (id: CertId, cert: ChainCert, resp: Uint8Array, opts: { time?: number; nonce?: Uint8Array } = {}) =>
    checkOcspResponse({ response: parseOcspResponse(resp), cert, issuer: ca, id, time: opts.time ?? now(), verify: webCryptoVerify, sha1, ...(opts.nonce ? { nonce: opts.nonce } : {}) });

  it('good, from a delegated responder, nonce echoed', async () => {
    const r = await check(idGood, good, respond(buildOcspRequest(idGood, nonce), 'responder'), { nonce });
    expect(r).toMatchObject({ status: 'good' });
    if (r.status === 'good') expect(r.nextUpdate! - r.thisUpdate).toBe(3600);
  });

  it('good, signed by the CA itself', async () => {
    expect(await check(idGood, good, respond(buildOcspRequest(idGood, nonce), 'ca'), { nonce })).toMatchObject({ status: 'good' });
  });

  it('revoked, with the time and the reason', async () => {
    expect(await check(idBad, bad, respond(buildOcspRequest(idBad, nonce), 'responder'), { nonce })).toEqual(
      expect.objectContaining({ status: 'revoked', reason: 'certificate CN=revoked.example was revoked at 2024-01-01 00:00:00 UTC, reason keyCompromise (OCSP)' }),
    );
  });

  it('a certificate the responder does not know: unknown', async () => {
    const stranger = parseChainCert(pki.cert({ name: 'stranger', subject: '/CN=stranger.example', issuer: 'ca', ext: EE, serial: '2F' }));
    const id = await certIdOf(stranger, ca, sha1);
    expect(await check(id, stranger, respond(buildOcspRequest(id, nonce), 'responder'), { nonce })).toMatchObject({ status: 'unknown', reason: expect.stringContaining('does not know') });
  });

  it('another nonce: refused as a replay', async () => {
    const resp = respond(buildOcspRequest(idGood, nonce), 'responder');
    expect(await check(idGood, good, resp, { nonce: new Uint8Array(16).fill(9) })).toMatchObject({ status: 'unknown', reason: expect.stringContaining('nonce mismatch') });
  });

  it('a delegated responder without id-kp-OCSPSigning: refused', async () => {
    expect(await check(idGood, good, respond(buildOcspRequest(idGood, nonce), 'noeku'), { nonce })).toMatchObject({ status: 'unknown', reason: expect.stringContaining('lacks id-kp-OCSPSigning') });
  });

  it('a responder certified by another CA: refused', async () => {
    expect(await check(idGood, good, respond(buildOcspRequest(idGood, nonce), 'foreign'), { nonce })).toMatchObject({ status: 'unknown', reason: expect.stringContaining('was not issued by the CA') });
  });

  it('stale (past nextUpdate) and dated in the future: refused', async () => {
    const resp = respond(buildOcspRequest(idGood, nonce), 'responder');
    expect(await check(idGood, good, resp, { nonce, time: now() + 3 * 3600 })).toMatchObject({ status: 'unknown', reason: expect.stringContaining('stale') });
    expect(await check(idGood, good, resp, { nonce, time: now() - 3 * 3600 })).toMatchObject({ status: 'unknown', reason: expect.stringContaining('in the future') });
  });

  it('a forged signature: refused', async () => {
    const resp = respond(buildOcspRequest(idGood, nonce), 'responder').slice();
    // the BasicOCSPResponse signature BIT STRING precedes the certs: flip a byte well inside it
    const parsed = parseOcspResponse(resp);
    const sig = parsed.basic!.signature;
    const at = Buffer.from(resp).indexOf(Buffer.from(sig.subarray(0, 16)));
    resp[at + 8]! ^= 0x55;
    expect(await check(idGood, good, resp, { nonce })).toMatchObject({ status: 'unknown', reason: expect.stringContaining('signature does not verify') });
  });

  it('error statuses and garbage are explained', async () => {
    expect(await check(idGood, good, Uint8Array.of(0x30, 0x03, 0x0a, 0x01, 0x03))).toMatchObject({ status: 'unknown', reason: expect.stringContaining('tryLater') });
    expect(() => parseOcspResponse(new TextEncoder().encode('<html>502</html>'))).toThrow(/not a valid OCSP response/);
  });
});
