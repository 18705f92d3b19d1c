/**
 * The pkiMessage codec (RFC 8894 §3): a SignedData whose signed attributes carry the SCEP
 * fields, over an EnvelopedData (pkcsPKIEnvelope) encrypted to the CA or RA.
 *
 * ```asn1
 * pkiMessage        ::= ContentInfo { SignedData { encapContentInfo id-data
 *                         OCTET STRING (DER of pkcsPKIEnvelope) } }
 * pkcsPKIEnvelope   ::= ContentInfo { EnvelopedData { ... PKCS#10 | IssuerAndSubject |
 *                         IssuerAndSerialNumber ... } }
 * IssuerAndSubject  ::= SEQUENCE { issuer Name, subject Name }          -- CertPoll
 * ```
 * Signed attributes: messageType and transactionID (PrintableString), senderNonce /
 * recipientNonce (OCTET STRING), pkiStatus and failInfo (PrintableString), failInfoText
 * (UTF8String); signData sorts the SET into DER order (micromdm rejects anything else).
 */
import type * as pkijs from 'pkijs';
import type { HashAlg } from '../../core/api.ts';
import type { Decrypter, Signer, VerifyFn } from '../../crypto/types.ts';
import { DER } from '../../pki/csr.ts';
import { envelope, openEnvelope, signData, verifySignedData, type CmsAttribute } from '../../pki/envelope.ts';
import { certificatesFromPkcs7 } from '../../pki/cms.ts';
import { derChildren, derRead } from '../../pki/pem.ts';
import { PkiError } from '../../util/errors.ts';
import { toHex } from '../../util/hex.ts';
import type { ScepCipher } from './caps.ts';
import { MESSAGE_TYPE, OID, PKI_STATUS, type MessageTypeName } from './types.ts';
import { ScepError } from './errors.ts';
import { escapeControls } from '../../util/text.ts';

const ascii = (s: string) => Uint8Array.from(s, (c) => c.charCodeAt(0));
const printable = (s: string) => DER.tlv(0x13, ascii(s));
const octets = (b: Uint8Array) => DER.tlv(0x04, b);

/** RFC 8894 §3.2.1.1: PrintableString characters only. */
const PRINTABLE = /^[A-Za-z0-9 '()+,\-./:=?]+$/;

export interface PkiMessageParams {
  messageType: Exclude<MessageTypeName, 'CertRep'>;
  transactionID: string;
  senderNonce: Uint8Array;
  /** PKCS#10 (PKCSReq, RenewalReq), IssuerAndSubject (CertPoll), IssuerAndSerialNumber (GetCert, GetCRL) */
  content: Uint8Array;
  /** the CA or RA encryption certificate(s) the envelope is for */
  recipients: readonly Uint8Array[];
  cipher: ScepCipher;
  digest: HashAlg;
  signer: Signer;
  signerCert: Uint8Array;
  /** more certificates to carry (micromdm encrypts its reply to every one of them) */
  extraCertificates?: readonly Uint8Array[];
  signingTime?: Date;
  signal?: AbortSignal;
}

/** Builds a pkiMessage (DER). */
export async function buildPkiMessage(p: PkiMessageParams, engine: pkijs.ICryptoEngine): Promise<Uint8Array> {
  if (!PRINTABLE.test(p.transactionID)) throw new RangeError('scep.build: transactionID must be a PrintableString');
  if (p.senderNonce.length !== 16) throw new RangeError('scep.build: senderNonce must be 16 bytes');
  const env = await envelope(p.content, p.recipients, p.cipher, engine);
  const attrs: CmsAttribute[] = [
    { oid: OID.messageType, values: [printable(String(MESSAGE_TYPE[p.messageType]))] },
    { oid: OID.transactionID, values: [printable(p.transactionID)] },
    { oid: OID.senderNonce, values: [octets(p.senderNonce)] },
  ];
  return signData(
    {
      content: env,
      signer: p.signer,
      signerCert: p.signerCert,
      ...(p.extraCertificates ? { certificates: p.extraCertificates } : {}),
      signedAttributes: attrs,
      digest: p.digest,
      ...(p.signingTime ? { signingTime: p.signingTime } : {}),
      ...(p.signal ? { signal: p.signal } : {}),
    },
    engine,
  );
}

/** IssuerAndSubject (RFC 8894 §3.3.3) from the issuer's and the request's subject Names (DER). */
export function issuerAndSubject(issuerNameDer: Uint8Array, subjectNameDer: Uint8Array): Uint8Array {
  return DER.seq(issuerNameDer, subjectNameDer);
}

/** The subject Name (DER) of a PKCS#10 request, and the subject/issuer Names of a certificate. */
export function csrSubjectDer(csr: Uint8Array): Uint8Array {
  const top = derRead(csr, 0);
  const [info] = derChildren(csr, top);
  const [, subject] = derChildren(csr, info!);
  return csr.slice(subject!.start, subject!.end);
}

export function certNamesDer(cert: Uint8Array): { issuer: Uint8Array; subject: Uint8Array } {
  const top = derRead(cert, 0);
  const [tbs] = derChildren(cert, top);
  const parts = derChildren(cert, tbs!);
  const off = parts[0]!.tag === 0xa0 ? 1 : 0;
  const issuer = parts[off + 2]!;
  const subject = parts[off + 4]!;
  return { issuer: cert.slice(issuer.start, issuer.end), subject: cert.slice(subject.start, subject.end) };
}

export interface CertRep {
  pkiStatus: number;
  status: 'SUCCESS' | 'FAILURE' | 'PENDING';
  failInfo?: number;
  failInfoText?: string;
  transactionID?: string;
  senderNonce?: Uint8Array;
  recipientNonce?: Uint8Array;
  messageType: number;
  /** the pkcsPKIEnvelope (SUCCESS) */
  envelope: Uint8Array;
  /** the certificate that signed the reply */
  signerCert: Uint8Array;
  attributes: CmsAttribute[];
}

function stringValue(der: Uint8Array): string {
  const t = derRead(der, 0);
  return new TextDecoder().decode(der.subarray(t.contentStart, t.contentEnd));
}

function octetValue(der: Uint8Array): Uint8Array {
  const t = derRead(der, 0);
  if (t.tag !== 0x04) throw new ScepError('protocol', 'The CA reply has a nonce that is not an OCTET STRING.');
  return der.slice(t.contentStart, t.contentEnd);
}

/**
 * Verifies and reads a CertRep: the signature must verify with one of `trusted` (the CA/RA
 * certificates); the SCEP attributes are decoded. Nonce and transactionID checks are the
 * caller's (it knows what it sent).
 */
export async function parseCertRep(der: Uint8Array, p: { verify: VerifyFn; trusted: readonly Uint8Array[] }, engine: pkijs.ICryptoEngine): Promise<CertRep> {
  let v;
  try {
    v = await verifySignedData(der, { verify: p.verify, trusted: p.trusted, absentContentIsEmpty: true }, engine);
  } catch (e) {
    if (e instanceof PkiError && (e.code === 'bad-signature' || e.code === 'untrusted'))
      throw new ScepError('reply', `The CA reply is not signed by the authenticated CA or its RA (${e.message.replace(/^[\w.]+: /, '')}).`);
    if (e instanceof PkiError) throw new ScepError('reply', `The CA reply is not a valid pkiMessage (${e.message.replace(/^[\w.]+: /, '')}).`);
    throw e;
  }
  const get = (oid: string) => v.signedAttributes.find((a) => a.oid === oid)?.values[0];
  const mt = get(OID.messageType);
  const st = get(OID.pkiStatus);
  if (!mt || !st) throw new ScepError('reply', 'The CA reply lacks messageType or pkiStatus.');
  const messageType = Number(stringValue(mt));
  if (messageType !== MESSAGE_TYPE.CertRep) throw new ScepError('reply', `The CA reply has messageType ${stringValue(mt)}, not CertRep (3).`);
  const pkiStatus = Number(stringValue(st));
  const status = pkiStatus === PKI_STATUS.SUCCESS ? 'SUCCESS' : pkiStatus === PKI_STATUS.FAILURE ? 'FAILURE' : pkiStatus === PKI_STATUS.PENDING ? 'PENDING' : undefined;
  if (!status) throw new ScepError('reply', `The CA reply has an unknown pkiStatus ${stringValue(st)}.`);
  const rep: CertRep = { pkiStatus, status, messageType, envelope: v.content, signerCert: v.signerCert, attributes: v.signedAttributes };
  const fi = get(OID.failInfo);
  if (fi) rep.failInfo = Number(stringValue(fi));
  const fit = get(OID.failInfoText);
  // the CA's own words, shown to the user: control characters escaped (util/text.ts)
  if (fit) rep.failInfoText = escapeControls(stringValue(fit));
  const tid = get(OID.transactionID);
  if (tid) rep.transactionID = stringValue(tid);
  const sn = get(OID.senderNonce);
  if (sn) rep.senderNonce = octetValue(sn);
  const rn = get(OID.recipientNonce);
  if (rn) rep.recipientNonce = octetValue(rn);
  return rep;
}

/** Opens a SUCCESS CertRep's envelope and returns the certificates of its degenerate SignedData. */
export async function certRepCertificates(rep: CertRep, p: { recipientCert: Uint8Array; decrypter: Decrypter }, engine: pkijs.ICryptoEngine): Promise<Uint8Array[]> {
  if (!rep.envelope.length) throw new ScepError('reply', 'The CA reply says SUCCESS but carries no certificate.');
  let inner: Uint8Array;
  try {
    inner = await openEnvelope(rep.envelope, p, engine);
  } catch (e) {
    if (e instanceof PkiError) throw new ScepError('reply', `The CA reply could not be decrypted (${e.message.replace(/^[\w.]+: /, '')}).`);
    throw e;
  }
  try {
    return certificatesFromPkcs7(inner);
  } catch (e) {
    throw new ScepError('reply', `The decrypted CA reply is not a certificate bundle (${(e as Error).message.replace(/^[\w.]+: /, '')}).`);
  }
}

/** A transactionID derived from the public key (RFC 8894 §3.2.1.1): hex SHA-256 of the SPKI. */
export function transactionIdFor(sha256OfSpki: Uint8Array): string {
  return toHex(sha256OfSpki);
}
