/**
 * OCSP (RFC 6960) for `revocation-check ocsp`: the request (one certificate, SHA-1 CertID, a
 * nonce as RFC 8954 describes), the response codec, and the checks a client must make — the
 * response is signed by the CA itself or by a responder the CA delegated to (a certificate it
 * issued with extKeyUsage id-kp-OCSPSigning, RFC 6960 §4.2.2.2), it answers for this CertID, its
 * nonce (if any) echoes ours, and thisUpdate/nextUpdate frame the validation time.
 *
 * ```asn1
 * OCSPRequest ::= SEQUENCE { tbsRequest TBSRequest, optionalSignature [0] EXPLICIT Signature OPTIONAL }
 * TBSRequest ::= SEQUENCE { version [0] EXPLICIT Version DEFAULT v1, requestorName [1] EXPLICIT GeneralName OPTIONAL,
 *   requestList SEQUENCE OF Request, requestExtensions [2] EXPLICIT Extensions OPTIONAL }
 * Request ::= SEQUENCE { reqCert CertID, singleRequestExtensions [0] EXPLICIT Extensions OPTIONAL }
 * CertID ::= SEQUENCE { hashAlgorithm AlgorithmIdentifier, issuerNameHash OCTET STRING,
 *   issuerKeyHash OCTET STRING, serialNumber CertificateSerialNumber }
 * OCSPResponse ::= SEQUENCE { responseStatus ENUMERATED, responseBytes [0] EXPLICIT ResponseBytes OPTIONAL }
 * ResponseBytes ::= SEQUENCE { responseType OBJECT IDENTIFIER, response OCTET STRING }
 * BasicOCSPResponse ::= SEQUENCE { tbsResponseData ResponseData, signatureAlgorithm AlgorithmIdentifier,
 *   signature BIT STRING, certs [0] EXPLICIT SEQUENCE OF Certificate OPTIONAL }
 * ResponseData ::= SEQUENCE { version [0] EXPLICIT Version DEFAULT v1, responderID ResponderID,
 *   producedAt GeneralizedTime, responses SEQUENCE OF SingleResponse, responseExtensions [1] EXPLICIT Extensions OPTIONAL }
 * ResponderID ::= CHOICE { byName [1] Name, byKey [2] KeyHash }
 * SingleResponse ::= SEQUENCE { certID CertID, certStatus CertStatus, thisUpdate GeneralizedTime,
 *   nextUpdate [0] EXPLICIT GeneralizedTime OPTIONAL, singleExtensions [1] EXPLICIT Extensions OPTIONAL }
 * CertStatus ::= CHOICE { good [0] IMPLICIT NULL, revoked [1] IMPLICIT RevokedInfo, unknown [2] IMPLICIT UnknownInfo }
 * ```
 */
import type { VerifyFn } from '../crypto/types.ts';
import { PkiError } from '../util/errors.ts';
import { contentOf, DerCursor, decodeBitString, decodeBoolean, decodeOid, decodeTime, hex, parseOne, rawOf, sameBytes, TAG, type Tlv } from './chain/_der.ts';
import { formatTime, parseChainCert, readAlgorithmId, type AlgorithmId, type ChainCert } from './chain/cert.ts';
import { EKU } from './chain/oids.ts';
import { checkSignature } from './chain/signature.ts';
import { DER } from './csr.ts';

/** SHA-1, supplied by the caller (the core or WebCrypto). */
export type Sha1 = (data: Uint8Array) => Promise<Uint8Array>;

const SHA1_ALG = DER.seq(DER.oid('1.3.14.3.2.26'), DER.NULL);
const ID_PKIX_OCSP_NONCE = '1.3.6.1.5.5.7.48.1.2';
const ID_PKIX_OCSP_BASIC = '1.3.6.1.5.5.7.48.1.1';
/** Clock skew tolerated around thisUpdate and nextUpdate. */
export const OCSP_SKEW_SECONDS = 300;

const bad = (message: string): PkiError => new PkiError('bad-ocsp', message);

/** The identity of a certificate in OCSP: SHA-1 over its issuer's name and key, and its serial. */
export interface CertId {
  issuerNameHash: Uint8Array;
  issuerKeyHash: Uint8Array;
  serial: Uint8Array;
}

function subjectPublicKeyBits(spki: Uint8Array): Uint8Array {
  const c = DerCursor.of(spki, parseOne(spki, TAG.SEQUENCE, 'subjectPublicKeyInfo'));
  c.next('algorithm');
  return decodeBitString(contentOf(spki, c.take(TAG.BIT_STRING, 'subjectPublicKey')), 'subjectPublicKey').bytes;
}

/** The CertID of `cert` issued by `issuer` (SHA-1, RFC 6960 §4.1.1). */
export async function certIdOf(cert: ChainCert, issuer: ChainCert, sha1: Sha1): Promise<CertId> {
  return { issuerNameHash: await sha1(issuer.subject.der), issuerKeyHash: await sha1(subjectPublicKeyBits(issuer.spki)), serial: cert.serial };
}

/** A DER OCSPRequest for one CertID, with a nonce extension when `nonce` is given. */
export function buildOcspRequest(id: CertId, nonce?: Uint8Array): Uint8Array {
  const certId = DER.seq(SHA1_ALG, DER.tlv(TAG.OCTET_STRING, id.issuerNameHash), DER.tlv(TAG.OCTET_STRING, id.issuerKeyHash), DER.tlv(TAG.INTEGER, id.serial));
  const parts = [DER.seq(DER.seq(certId))];
  if (nonce) parts.push(DER.tlv(0xa2, DER.seq(DER.seq(DER.oid(ID_PKIX_OCSP_NONCE), DER.tlv(TAG.OCTET_STRING, DER.tlv(TAG.OCTET_STRING, nonce))))));
  return DER.seq(DER.seq(...parts));
}

/** One answer of a response. */
export interface SingleResponse {
  certId: CertId;
  hashAlgorithm: string;
  status: 'good' | 'revoked' | 'unknown';
  revocationTime?: number;
  revocationReason?: number;
  thisUpdate: number;
  nextUpdate?: number;
}

/** A parsed OCSPResponse. */
export interface OcspResponse {
  der: Uint8Array;
  /** 0 successful, 1 malformedRequest, 2 internalError, 3 tryLater, 5 sigRequired, 6 unauthorized */
  responseStatus: number;
  basic?: {
    tbs: Uint8Array;
    signatureAlgorithm: AlgorithmId;
    signature: Uint8Array;
    responderName?: Uint8Array;
    responderKeyHash?: Uint8Array;
    producedAt: number;
    responses: SingleResponse[];
    nonce?: Uint8Array;
    certs: Uint8Array[];
  };
}

const STATUS_TEXT: Record<number, string> = {
  1: 'malformedRequest (the responder could not read the request)',
  2: 'internalError (the responder failed)',
  3: 'tryLater (the responder is busy)',
  5: 'sigRequired (the responder wants signed requests)',
  6: 'unauthorized (the responder does not answer for this CA)',
};

function readGenTime(b: Uint8Array, t: Tlv, what: string): number {
  if (t.tag !== TAG.GENERALIZED_TIME) throw bad(`ocsp: ${what} is not a GeneralizedTime`);
  return decodeTime(t.tag, contentOf(b, t), what);
}

function readCertId(b: Uint8Array, t: Tlv): { id: CertId; alg: string } {
  const c = DerCursor.of(b, t);
  const alg = readAlgorithmId(b, c.next('hashAlgorithm'), 'hashAlgorithm');
  const id = {
    issuerNameHash: contentOf(b, c.take(TAG.OCTET_STRING, 'issuerNameHash')),
    issuerKeyHash: contentOf(b, c.take(TAG.OCTET_STRING, 'issuerKeyHash')),
    serial: contentOf(b, c.take(TAG.INTEGER, 'serialNumber')),
  };
  c.finish('CertID');
  return { id, alg: alg.oid };
}

/** Parses an OCSPResponse (DER). Throws `PkiError('bad-ocsp')` when it cannot be read. */
export function parseOcspResponse(der: Uint8Array): OcspResponse {
  try {
    return parseUnchecked(der);
  } catch (e) {
    if (e instanceof PkiError && e.code === 'bad-ocsp') throw e;
    throw bad(`ocsp: not a valid OCSP response (${(e as Error).message})`);
  }
}

function parseUnchecked(der: Uint8Array): OcspResponse {
  const c = DerCursor.of(der, parseOne(der, TAG.SEQUENCE, 'OCSPResponse'));
  const st = contentOf(der, c.take(TAG.ENUMERATED, 'responseStatus'));
  const out: OcspResponse = { der, responseStatus: st[0] ?? -1 };
  const rb = c.optional(0xa0, 'responseBytes');
  c.finish('OCSPResponse');
  if (!rb) return out;
  const rbc = DerCursor.of(der, DerCursor.of(der, rb).take(TAG.SEQUENCE, 'ResponseBytes'));
  const type = decodeOid(contentOf(der, rbc.take(TAG.OID, 'responseType')), 'responseType');
  const body = contentOf(der, rbc.take(TAG.OCTET_STRING, 'response'));
  if (type !== ID_PKIX_OCSP_BASIC) throw bad(`ocsp: unknown response type ${type}`);
  const bc = DerCursor.of(body, parseOne(body, TAG.SEQUENCE, 'BasicOCSPResponse'));
  const tbsT = bc.take(TAG.SEQUENCE, 'tbsResponseData');
  const signatureAlgorithm = readAlgorithmId(body, bc.next('signatureAlgorithm'), 'signatureAlgorithm');
  const signature = decodeBitString(contentOf(body, bc.take(TAG.BIT_STRING, 'signature')), 'signature').bytes;
  const certs: Uint8Array[] = [];
  const certsT = bc.optional(0xa0, 'certs');
  if (certsT) {
    const lc = DerCursor.of(body, DerCursor.of(body, certsT).take(TAG.SEQUENCE, 'certs'));
    while (!lc.done) certs.push(rawOf(body, lc.take(TAG.SEQUENCE, 'certificate')));
  }
  bc.finish('BasicOCSPResponse');
  const t = DerCursor.of(body, tbsT);
  t.optional(0xa0, 'version');
  const rid = t.next('responderID');
  const basic: NonNullable<OcspResponse['basic']> = { tbs: rawOf(body, tbsT), signatureAlgorithm, signature, producedAt: 0, responses: [], certs };
  if (rid.tag === 0xa1) basic.responderName = rawOf(body, DerCursor.of(body, rid).take(TAG.SEQUENCE, 'byName'));
  else if (rid.tag === 0xa2) basic.responderKeyHash = contentOf(body, DerCursor.of(body, rid).take(TAG.OCTET_STRING, 'byKey'));
  else throw bad('ocsp: unknown ResponderID form');
  basic.producedAt = readGenTime(body, t.next('producedAt'), 'producedAt');
  const rl = DerCursor.of(body, t.take(TAG.SEQUENCE, 'responses'));
  while (!rl.done) {
    const sc = DerCursor.of(body, rl.take(TAG.SEQUENCE, 'SingleResponse'));
    const { id, alg } = readCertId(body, sc.take(TAG.SEQUENCE, 'certID'));
    const cs = sc.next('certStatus');
    const r: SingleResponse = { certId: id, hashAlgorithm: alg, status: 'unknown', thisUpdate: 0 };
    if (cs.tag === 0x80) r.status = 'good';
    else if (cs.tag === 0xa1) {
      r.status = 'revoked';
      const ri = DerCursor.of(body, cs);
      r.revocationTime = readGenTime(body, ri.next('revocationTime'), 'revocationTime');
      const reason = ri.optional(0xa0, 'revocationReason');
      if (reason) r.revocationReason = contentOf(body, DerCursor.of(body, reason).take(TAG.ENUMERATED, 'CRLReason'))[0] ?? 0;
    } else if (cs.tag === 0x82) r.status = 'unknown';
    else throw bad('ocsp: unknown CertStatus');
    r.thisUpdate = readGenTime(body, sc.next('thisUpdate'), 'thisUpdate');
    const nu = sc.optional(0xa0, 'nextUpdate');
    if (nu) r.nextUpdate = readGenTime(body, DerCursor.of(body, nu).next('nextUpdate'), 'nextUpdate');
    sc.optional(0xa1, 'singleExtensions');
    sc.finish('SingleResponse');
    basic.responses.push(r);
  }
  const ext = t.optional(0xa1, 'responseExtensions');
  t.finish('ResponseData');
  if (ext) {
    const ec = DerCursor.of(body, DerCursor.of(body, ext).take(TAG.SEQUENCE, 'Extensions'));
    while (!ec.done) {
      const e = DerCursor.of(body, ec.take(TAG.SEQUENCE, 'Extension'));
      const oid = decodeOid(contentOf(body, e.take(TAG.OID, 'extnID')), 'extnID');
      const crit = e.optional(TAG.BOOLEAN, 'critical');
      const critical = crit ? decodeBoolean(contentOf(body, crit), 'critical') : false;
      const value = contentOf(body, e.take(TAG.OCTET_STRING, 'extnValue'));
      if (oid === ID_PKIX_OCSP_NONCE) {
        // RFC 8954: an OCTET STRING; some responders put the raw bytes directly.
        basic.nonce = value[0] === TAG.OCTET_STRING ? contentOf(value, parseOne(value, TAG.OCTET_STRING, 'nonce')) : value;
      } else if (critical) throw bad(`ocsp: unsupported critical response extension ${oid}`);
    }
  }
  out.basic = basic;
  return out;
}

/** The outcome of checking one response. */
export type OcspStatus =
  | { status: 'good'; thisUpdate: number; nextUpdate?: number }
  | { status: 'revoked'; reason: string; thisUpdate: number; nextUpdate?: number }
  | { status: 'unknown'; reason: string };

const REASONS = ['unspecified', 'keyCompromise', 'cACompromise', 'affiliationChanged', 'superseded', 'cessationOfOperation', 'certificateHold', '', 'removeFromCRL', 'privilegeWithdrawn', 'aACompromise'];

/** Inputs of `checkOcspResponse`. */
export interface OcspCheckInput {
  response: OcspResponse;
  cert: ChainCert;
  issuer: ChainCert;
  id: CertId;
  /** seconds since the epoch */
  time: number;
  verify: VerifyFn;
  sha1: Sha1;
  /** the nonce sent; a response that carries another one is refused */
  nonce?: Uint8Array;
}

/**
 * RFC 6960 §3.2 for one response: who signed it (the CA, or a delegated responder certificate
 * the CA issued with id-kp-OCSPSigning, valid now), the answer for our CertID, the nonce, and
 * the thisUpdate/nextUpdate window. Never throws for a bad response.
 */
export async function checkOcspResponse(x: OcspCheckInput): Promise<OcspStatus> {
  const unknown = (reason: string): OcspStatus => ({ status: 'unknown', reason });
  const r = x.response;
  if (r.responseStatus !== 0) return unknown(`the OCSP responder answered ${STATUS_TEXT[r.responseStatus] ?? `status ${r.responseStatus}`}`);
  const b = r.basic;
  if (!b) return unknown('the OCSP response carries no answer');
  // The signer: the CA itself, or a delegated responder among the response's certificates.
  const issuerKeyHash = await x.sha1(subjectPublicKeyBits(x.issuer.spki));
  const isIssuer = b.responderKeyHash ? sameBytes(b.responderKeyHash, issuerKeyHash) : !!b.responderName && sameBytes(b.responderName, x.issuer.subject.der);
  let signer: ChainCert = x.issuer;
  if (!isIssuer) {
    let found: ChainCert | undefined;
    for (const der of b.certs) {
      let c: ChainCert;
      try {
        c = parseChainCert(der);
      } catch {
        continue;
      }
      const match = b.responderKeyHash ? sameBytes(await x.sha1(subjectPublicKeyBits(c.spki)), b.responderKeyHash) : !!b.responderName && sameBytes(c.subject.der, b.responderName);
      if (match) {
        found = c;
        break;
      }
    }
    if (!found) return unknown('the OCSP response is signed by a responder that is neither the CA nor a certificate it included');
    if (found.issuer.key !== x.issuer.subject.key) return unknown(`the OCSP responder certificate ${found.label} was not issued by the CA ${x.issuer.label} (RFC 6960 §4.2.2.2)`);
    const cs = await checkSignature(x.verify, found.signatureAlgorithm, x.issuer.spki, found.tbs, found.signature);
    if (!cs.ok) return unknown(`the OCSP responder certificate ${found.label} is not signed by the CA: ${cs.reason}`);
    if (!found.extKeyUsage?.includes(EKU.OCSPSigning!)) return unknown(`the OCSP responder certificate ${found.label} is not authorized: its extKeyUsage lacks id-kp-OCSPSigning (RFC 6960 §4.2.2.2)`);
    if (x.time < found.notBefore || x.time > found.notAfter) return unknown(`the OCSP responder certificate ${found.label} is not valid now (${formatTime(found.notBefore)} to ${formatTime(found.notAfter)})`);
    signer = found;
  }
  const sig = await checkSignature(x.verify, b.signatureAlgorithm, signer.spki, b.tbs, b.signature);
  if (!sig.ok) return unknown(`the OCSP response signature does not verify with the key of ${signer.label}`);
  if (x.nonce && b.nonce && !sameBytes(x.nonce, b.nonce)) return unknown('the OCSP response answers another request (nonce mismatch): a replayed answer?');
  const mine = b.responses.find(
    (s) => s.hashAlgorithm === '1.3.14.3.2.26' && sameBytes(s.certId.issuerNameHash, x.id.issuerNameHash) && sameBytes(s.certId.issuerKeyHash, x.id.issuerKeyHash) && hex(s.certId.serial) === hex(x.id.serial),
  );
  if (!mine) return unknown(`the OCSP response has no answer for ${x.cert.label}`);
  if (mine.thisUpdate > x.time + OCSP_SKEW_SECONDS) return unknown(`the OCSP answer is dated in the future (thisUpdate ${formatTime(mine.thisUpdate)}): check the clock`);
  if (mine.nextUpdate !== undefined && mine.nextUpdate < x.time - OCSP_SKEW_SECONDS) return unknown(`the OCSP answer is stale: its nextUpdate ${formatTime(mine.nextUpdate)} has passed`);
  const window = { thisUpdate: mine.thisUpdate, ...(mine.nextUpdate !== undefined ? { nextUpdate: mine.nextUpdate } : {}) };
  if (mine.status === 'good') return { status: 'good', ...window };
  if (mine.status === 'revoked') {
    const why = mine.revocationReason !== undefined && REASONS[mine.revocationReason] ? `, reason ${REASONS[mine.revocationReason]}` : '';
    return { status: 'revoked', reason: `certificate ${x.cert.label} was revoked at ${formatTime(mine.revocationTime!)}${why} (OCSP)`, ...window };
  }
  return unknown(`the OCSP responder does not know ${x.cert.label} (status unknown)`);
}
