/**
 * The SCEP codec (src/enroll/scep/: message.ts, ca.ts, caps.ts, inspect.ts, over
 * src/pki/envelope.ts) against messages CAPTURED from real peers — micromdm `scepserver`
 * 2.1.0, Debian's `scepclient` and Trustpoint itself — in tests/vectors/scep/ (README there:
 * how they were captured, which key opens which). What each message holds was read at capture
 * time by OpenSSL and by the fake's independent DER reader (captures.json, *.csr.der,
 * *.issued.pem), never by the code under test; the way smallstep/scep tests its codec over
 * testdata/PKCSReq.der and CertRep.der.
 *
 * Requests are checked as a CA would: signature with the certificate they carry, the SCEP
 * attributes, the envelope opened with the CA key to exactly the CSR OpenSSL found. Replies
 * as our client does: signature to the CA, status, nonces, transaction, the envelope opened
 * with the requester's key to exactly the certificates OpenSSL found. And every way a message
 * can be wrong (another CA, a flipped bit, a cut message, the wrong key) is refused.
 */
import { X509Certificate, createPrivateKey, createPublicKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, test } from 'vitest';
import { loadCore } from '../_core.ts';
import type { CoreApi } from '../../../src/core/api.ts';
import type { VerifyFn } from '../../../src/crypto/types.ts';
import { coreDecrypter } from '../../../src/crypto/core-keys.ts';
import { createPkiEngine, type PkiEngine } from '../../../src/pki/engine.ts';
import { makeVerify } from '../../../src/pki/verify-core.ts';
import { webCryptoVerify } from '../../../src/pki/verify-webcrypto.ts';
import { openEnvelope, verifySignedData, type CmsAttribute } from '../../../src/pki/envelope.ts';
import { parseCsr } from '../../../src/pki/csr.ts';
import { readPem } from '../../../src/pki/pem.ts';
import { validateChain } from '../../../src/pki/chain/index.ts';
import { certRepCertificates, parseCertRep } from '../../../src/enroll/scep/message.ts';
import { parseCaCertReply } from '../../../src/enroll/scep/ca.ts';
import { chooseFromCaps, parseCaCaps, type ScepChoices } from '../../../src/enroll/scep/caps.ts';
import { describeMessage } from '../../../src/enroll/scep/inspect.ts';
import { OID, MESSAGE_TYPE } from '../../../src/enroll/scep/types.ts';
import { ScepError } from '../../../src/enroll/scep/errors.ts';
import { parseSignedData } from '../../fakes/fake-scep-pki.ts';

const file = (f: string) => new Uint8Array(readFileSync(new URL(`../../vectors/scep/${f}`, import.meta.url)));
const text = (f: string) => readFileSync(new URL(`../../vectors/scep/${f}`, import.meta.url), 'utf8');
const hex = (b: Uint8Array | undefined) => Buffer.from(b ?? []).toString('hex').toUpperCase();
const der = (pem: string) => readPem(pem).map((b) => b.der);

interface Captured {
  messageType: string;
  pkiStatus?: string;
  failInfo?: string;
  transactionID: string;
  senderNonce: string;
  recipientNonce?: string;
  plaintext?: string;
}
const captures = JSON.parse(text('captures.json')) as { capturedAt: string; files: Record<string, Captured> };
const meta = (f: string): Captured => captures.files[f]!;

let core: CoreApi;
let engine: PkiEngine;
let verify: VerifyFn;
const caDer = der(text('micromdm-ca.pem'))[0]!;

/** A decrypter over a committed PKCS#8 key, and its SPKI. */
function decrypterOf(keyFile: string) {
  const pem = text(keyFile);
  const pkcs8 = new Uint8Array(createPrivateKey(pem).export({ type: 'pkcs8', format: 'der' }));
  const spki = new Uint8Array(createPublicKey(pem).export({ type: 'spki', format: 'der' }));
  return { decrypter: coreDecrypter(core, pkcs8, spki), spki };
}

beforeAll(async () => {
  core = await loadCore();
  engine = createPkiEngine(core, { subtle: globalThis.crypto.subtle });
  verify = makeVerify(async () => core, webCryptoVerify);
});

/** The signed attribute `oid` of a verified message, decoded as text (PrintableString) or hex (OCTET STRING). */
function attr(attrs: readonly CmsAttribute[], oid: string): string | undefined {
  const v = attrs.find((a) => a.oid === oid)?.values[0];
  if (!v) return undefined;
  const body = v.subarray(2); // short-form lengths: every SCEP attribute value is < 128 bytes
  return v[0] === 0x04 ? hex(body) : new TextDecoder().decode(body);
}

const choices: ScepChoices = { cipher: 'AES-128-CBC', digest: 'SHA-256', post: true, renewal: true, getNextCACert: false };

// ---------------------------------------------------------------------------------------------

const REQUESTS = [
  { f: 'scepclient-pkcsreq.der', type: 'PKCSReq', cn: 'scepclient.capture.example', challenge: 'lab-secret', signer: undefined, digest: 'SHA-1', cipher: 'DES-CBC' },
  { f: 'scepclient-bad-pkcsreq.der', type: 'PKCSReq', cn: 'scepclient-bad.capture.example', challenge: 'definitely-wrong', signer: undefined, digest: 'SHA-1', cipher: 'DES-CBC' },
  { f: 'trustpoint-pkcsreq.der', type: 'PKCSReq', cn: 'trustpoint.capture.example', challenge: 'lab-secret', signer: undefined, digest: 'SHA-256', cipher: 'AES-128-CBC' },
  { f: 'trustpoint-renewalreq.der', type: 'RenewalReq', cn: 'trustpoint.capture.example', challenge: 'lab-secret', signer: 'trustpoint-certrep-success.issued.pem', digest: 'SHA-256', cipher: 'AES-128-CBC' },
] as const;

describe('captured requests, read as the CA reads them', () => {
  const caKey = () => decrypterOf('micromdm-ca.key');

  for (const r of REQUESTS) {
    test(`${r.f}: ${r.type} signed by ${r.signer ? 'the current certificate' : 'its self-signed certificate'}, attributes as captured, the CA key opens it to the CSR OpenSSL found`, async () => {
      const msg = file(r.f);
      const m = meta(r.f);
      const carried = parseSignedData(msg).certificates;
      const trusted = r.signer ? [der(text(r.signer))[0]!] : carried;
      const v = await verifySignedData(msg, { verify, trusted }, engine);
      expect(hex(v.signerCert)).toBe(hex(trusted[0]));
      expect(attr(v.signedAttributes, OID.messageType)).toBe(String(MESSAGE_TYPE[r.type]));
      expect(attr(v.signedAttributes, OID.messageType)).toBe(m.messageType);
      expect(attr(v.signedAttributes, OID.transactionID)).toBe(m.transactionID);
      expect(attr(v.signedAttributes, OID.senderNonce)).toBe(m.senderNonce);
      expect(attr(v.signedAttributes, OID.senderNonce)).toHaveLength(32);

      // the inspector shows the same, and never the encrypted content
      const lines = await describeMessage(msg, 'request', choices);
      expect(lines).toContain(`CRYPTO_PKI:     messageType: ${MESSAGE_TYPE[r.type]} (${r.type})`);
      expect(lines).toContain(`CRYPTO_PKI:     transactionID: ${m.transactionID}`);
      expect(lines).toContain(`CRYPTO_PKI:     digest: ${r.digest}; signature: ${r.digest === 'SHA-1' ? 'sha1' : 'sha256'}WithRSAEncryption`);
      expect(lines).toContain(`CRYPTO_PKI:     envelope: ${r.cipher}, key transport rsaEncryption`);
      expect(lines).toContain('CRYPTO_PKI:     content: encrypted (not shown)');
      expect(lines.join('\n')).not.toContain(r.challenge);

      const { decrypter } = caKey();
      const csrDer = await openEnvelope(v.content, { recipientCert: caDer, decrypter }, engine);
      expect(hex(csrDer)).toBe(hex(file(m.plaintext!)));
      const csr = await parseCsr(csrDer, verify);
      expect(csr.signatureValid).toBe(true);
      expect(csr.subject.find((a) => a.short === 'CN')?.value).toBe(r.cn);
      expect(csr.challengePassword).toBe(r.challenge);
    });
  }

  test("the RenewalReq's signer is the certificate the CA issued for the first request, for the same key", async () => {
    const first = new X509Certificate(text('trustpoint-certrep-success.issued.pem'));
    const csr = await parseCsr(file('trustpoint-renewalreq.csr.der'));
    expect(hex(csr.spki)).toBe(hex(new Uint8Array(first.publicKey.export({ type: 'spki', format: 'der' }))));
    await expect(verifySignedData(file('trustpoint-renewalreq.der'), { verify, trusted: [caDer] }, engine)).rejects.toThrow();
  });

  test('an envelope for the CA does not open with another key', async () => {
    const v = await verifySignedData(file('trustpoint-pkcsreq.der'), { verify, trusted: parseSignedData(file('trustpoint-pkcsreq.der')).certificates }, engine);
    const other = decrypterOf('scepclient-key.pem');
    const otherCert = parseSignedData(file('scepclient-pkcsreq.der')).certificates[0]!;
    await expect(openEnvelope(v.content, { recipientCert: otherCert, decrypter: other.decrypter }, engine)).rejects.toThrow(/no KeyTransRecipientInfo for this certificate/);
  });
});

// ---------------------------------------------------------------------------------------------

const REPLIES = [
  { f: 'scepclient-certrep-success.der', req: 'scepclient-pkcsreq.der', key: 'scepclient-key.pem', issued: 'scepclient-issued.pem' },
  { f: 'trustpoint-certrep-success.der', req: 'trustpoint-pkcsreq.der', key: 'trustpoint-key.pem', issued: 'trustpoint-certrep-success.issued.pem' },
  { f: 'trustpoint-certrep-renewal.der', req: 'trustpoint-renewalreq.der', key: 'trustpoint-key.pem', issued: 'trustpoint-certrep-renewal.issued.pem' },
] as const;

describe('captured CertReps, read as our client reads them', () => {
  for (const r of REPLIES) {
    test(`${r.f}: SUCCESS signed by the CA, for our nonce and transaction; our key opens it to the certificates OpenSSL found, which chain to the CA`, async () => {
      const m = meta(r.f);
      const rq = meta(r.req);
      const rep = await parseCertRep(file(r.f), { verify, trusted: [caDer] }, engine);
      expect(rep).toMatchObject({ status: 'SUCCESS', pkiStatus: 0, messageType: 3, transactionID: rq.transactionID });
      expect(rep.failInfo).toBeUndefined();
      expect(hex(rep.recipientNonce)).toBe(rq.senderNonce);
      expect(hex(rep.senderNonce)).toBe(m.senderNonce);
      expect(hex(rep.signerCert)).toBe(hex(caDer));

      // the reply goes to the certificate that signed the request
      const recipientCert = parseSignedData(file(r.req)).certificates[0]!;
      const { decrypter, spki } = decrypterOf(r.key);
      const certs = await certRepCertificates(rep, { recipientCert, decrypter }, engine);
      expect(certs.map(hex)).toEqual(der(text(r.issued)).map(hex));
      const mine = certs.find((c) => hex(new Uint8Array(new X509Certificate(c).publicKey.export({ type: 'spki', format: 'der' }))) === hex(spki));
      expect(mine).toBeDefined();
      const v = await validateChain({ leaf: mine!, anchors: [caDer], time: new Date(Date.parse(captures.capturedAt) + 86_400_000), verify }); // a day after the capture
      expect(v, JSON.stringify(v)).toMatchObject({ ok: true });

      const lines = await describeMessage(file(r.f), 'reply', choices, rep);
      expect(lines).toContain('CRYPTO_PKI:     pkiStatus: 0 (SUCCESS)');
      expect(lines).toContain(`CRYPTO_PKI:     recipientNonce: ${rq.senderNonce}`);
      expect(lines).toContain('CRYPTO_PKI:     envelope: DES-CBC, key transport rsaEncryption'); // micromdm answers in single DES
    });
  }

  test('scepclient-bad-certrep-failure.der: FAILURE badRequest for the wrong challenge, no certificate, said in plain words', async () => {
    const rq = meta('scepclient-bad-pkcsreq.der');
    const rep = await parseCertRep(file('scepclient-bad-certrep-failure.der'), { verify, trusted: [caDer] }, engine);
    expect(rep).toMatchObject({ status: 'FAILURE', pkiStatus: 2, failInfo: 2, transactionID: rq.transactionID });
    expect(hex(rep.recipientNonce)).toBe(rq.senderNonce);
    expect(rep.envelope).toHaveLength(0);
    const { decrypter } = decrypterOf('scepclient-bad-key.pem');
    await expect(certRepCertificates(rep, { recipientCert: parseSignedData(file('scepclient-bad-pkcsreq.der')).certificates[0]!, decrypter }, engine)).rejects.toThrow(/says SUCCESS but carries no certificate/);
    const lines = await describeMessage(file('scepclient-bad-certrep-failure.der'), 'reply', choices, rep);
    expect(lines).toContain('CRYPTO_PKI:     failInfo: 2 (badRequest)');
    expect(lines).toContain('CRYPTO_PKI:     content: 0 bytes');
    expect(lines.at(-1)).toMatch(/^CRYPTO_PKI: {5}=> FAILURE: the CA refused the request/);
  });

  test('a reply signed by another CA, with a flipped signature bit, or cut short is refused', async () => {
    const good = file('trustpoint-certrep-success.der');
    const other = parseSignedData(file('scepclient-pkcsreq.der')).certificates;
    await expect(parseCertRep(good, { verify, trusted: other }, engine)).rejects.toThrow(/not signed by the authenticated CA or its RA/);
    const flipped = good.slice();
    flipped[flipped.length - 1]! ^= 0x01; // the last byte of the SignerInfo's signature
    const e = await parseCertRep(flipped, { verify, trusted: [caDer] }, engine).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(ScepError);
    expect((e as Error).message).toMatch(/not signed by the authenticated CA/);
    for (const n of [0, 1, 100, good.length >> 1, good.length - 1]) {
      const cut = await parseCertRep(good.subarray(0, n), { verify, trusted: [caDer] }, engine).catch((x: unknown) => x);
      expect(cut, `cut at ${n}`).toBeInstanceOf(ScepError);
      expect((cut as Error).message, `cut at ${n}`).toMatch(/^% The CA reply (is not a valid pkiMessage|is not signed)/);
    }
  });

  test("a reply opened with another requester's key fails without telling why (RFC 3218)", async () => {
    const rep = await parseCertRep(file('trustpoint-certrep-success.der'), { verify, trusted: [caDer] }, engine);
    const { decrypter } = decrypterOf('scepclient-key.pem');
    const scepclientCert = parseSignedData(file('scepclient-pkcsreq.der')).certificates[0]!;
    await expect(certRepCertificates(rep, { recipientCert: scepclientCert, decrypter }, engine)).rejects.toThrow(/^% The CA reply could not be decrypted/);
  });
});

// ---------------------------------------------------------------------------------------------

describe('captured GetCACert and GetCACaps', () => {
  test('getcacert.der: the bare DER CA certificate (application/x-x509-ca-cert)', () => {
    const r = parseCaCertReply('application/x-x509-ca-cert', file('getcacert.der'));
    expect(r.cas.map(hex)).toEqual([hex(caDer)]);
    expect(r.ras).toEqual([]);
  });

  test('getcacaps.txt: AES, SHA-256, POST and RenewalReq are chosen; no GetNextCACert', () => {
    const caps = parseCaCaps(text('getcacaps.txt'));
    expect(caps.raw).toEqual(['Renewal', 'SHA-1', 'SHA-256', 'AES', 'DES3', 'SCEPStandard', 'POSTPKIOperation']);
    expect(chooseFromCaps(caps)).toEqual({ cipher: 'AES-128-CBC', digest: 'SHA-256', post: true, renewal: true, getNextCACert: false });
  });
});
