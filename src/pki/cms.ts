/**
 * CMS / PKCS#7 pieces that are not SCEP-specific: reading the certificates out of a
 * "certs-only" (degenerate) SignedData, as .p7b files and SCEP GetCACert replies carry them,
 * and telling what a DER blob is.
 *
 * ```asn1
 * ContentInfo ::= SEQUENCE { contentType OBJECT IDENTIFIER, content [0] EXPLICIT ANY }
 * SignedData ::= SEQUENCE { version, digestAlgorithms SET, encapContentInfo,
 *                           certificates [0] IMPLICIT CertificateSet OPTIONAL, crls [1] ..., signerInfos SET }
 * ```
 */
import { PkiError } from '../util/errors.ts';
import { equalBytes } from '../util/bytes.ts';
import { derCheck, derChildren, derRead } from './pem.ts';
import { parseDer } from './x509-parse.ts';

export const OID_SIGNED_DATA = '1.2.840.113549.1.7.2';

/**
 * Limits on the SignedData this app reads (GetCACert replies, CertReps, .p7b bundles), checked
 * with our own DER reader before pkijs builds objects for it: pkijs spends milliseconds per
 * certificate, and a hostile message could carry thousands. Real ones carry a few (an NDES RA
 * chain: 3) and are a few kilobytes.
 */
export const CMS_LIMITS = { bytes: 256 << 10, certificates: 10 } as const;

const SIGNED_DATA_OID_DER = Uint8Array.of(0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x02);

function badPkcs7(op: string, why: string): never {
  throw new PkiError('bad-pkcs7', `${op}: ${why}`);
}

/**
 * The certificates of a ContentInfo holding a SignedData, as the exact bytes the message carries
 * (no re-encoding), read with our DER reader (BER lengths allowed); checks CMS_LIMITS.
 * Throws PkiError('bad-pkcs7' | 'bad-der').
 */
export function signedDataCertificates(der: Uint8Array, op = 'pkcs7.parse'): Uint8Array[] {
  if (der.length > CMS_LIMITS.bytes) badPkcs7(op, `${der.length} bytes is more than the ${CMS_LIMITS.bytes} accepted`);
  const top = derRead(der, 0);
  if (top.tag !== 0x30 || top.end !== der.length) badPkcs7(op, 'not one ContentInfo SEQUENCE');
  const [oid, wrapped] = derChildren(der, top);
  if (!oid || oid.tag !== 0x06 || !equalBytes(der.subarray(oid.start, oid.end), SIGNED_DATA_OID_DER)) badPkcs7(op, 'content type is not signedData');
  if (!wrapped || wrapped.tag !== 0xa0) badPkcs7(op, 'no content');
  const [sdT] = derChildren(der, wrapped);
  if (!sdT || sdT.tag !== 0x30) badPkcs7(op, 'SignedData is not a SEQUENCE');
  const fields = derChildren(der, sdT);
  const certSet = fields.slice(3).find((f) => f.tag === 0xa0);
  if (!certSet) return [];
  const out: Uint8Array[] = [];
  for (const c of derChildren(der, certSet)) {
    if (c.tag !== 0x30) continue; // attribute and other certificate formats are not X.509 certificates
    if (out.length === CMS_LIMITS.certificates) badPkcs7(op, `more than ${CMS_LIMITS.certificates} certificates`);
    out.push(der.slice(c.start, c.end));
  }
  return out;
}

/** The certificates (DER) of a PKCS#7 SignedData; throws PkiError('bad-pkcs7'). */
export function certificatesFromPkcs7(der: Uint8Array): Uint8Array[] {
  let certs: Uint8Array[];
  try {
    certs = signedDataCertificates(der);
  } catch (e) {
    if (e instanceof PkiError && e.code === 'bad-der') badPkcs7('pkcs7.parse', `malformed PKCS#7 data (${e.message})`);
    throw e;
  }
  for (const c of certs) {
    try {
      derCheck(c, { what: 'certificate' });
    } catch (e) {
      badPkcs7('pkcs7.parse', `a certificate is not DER (${(e as Error).message})`);
    }
  }
  return certs;
}

export type DerKind = 'certificate' | 'pkcs7' | 'csr' | 'crl' | 'pkcs12' | 'private-key' | 'unknown';

/**
 * Classifies a DER object by its structure (not by trusting a file name or PEM label):
 * Certificate = SEQ{ SEQ(tbs with [0] version or INTEGER serial), SEQ(alg), BIT STRING };
 * CertificationRequest = SEQ{ SEQ{ INTEGER 0, Name, SPKI, [0] attrs }, ... };
 * CertificateList = SEQ{ SEQ{ ..., thisUpdate time, ...}, ...}; ContentInfo = SEQ{ OID, [0] };
 * PFX = SEQ{ INTEGER 3, ContentInfo, ...}; PrivateKeyInfo = SEQ{ INTEGER 0, SEQ(alg), OCTET STRING }.
 */
export function classifyDer(der: Uint8Array): DerKind {
  let asn: ReturnType<typeof parseDer>;
  try {
    asn = parseDer(der, 'bad-der', 'der', 'object');
  } catch {
    return 'unknown';
  }
  const items = (asn as { valueBlock?: { value?: unknown[] } }).valueBlock?.value as { idBlock: { tagClass: number; tagNumber: number }; valueBlock?: { value?: unknown[]; valueDec?: number } }[] | undefined;
  // A constructed element's children; anything else (a primitive's value) is not one of ours.
  if (!Array.isArray(items) || !items.length || !items.every((x) => x && typeof x === 'object' && 'idBlock' in x)) return 'unknown';
  const tag = (i: number) => (items[i] ? `${items[i]!.idBlock.tagClass}:${items[i]!.idBlock.tagNumber}` : '');
  if (tag(0) === '1:6' && tag(1) === '3:0') return 'pkcs7';
  if (tag(0) === '1:2' && items[0]!.valueBlock?.valueDec === 3 && tag(1) === '1:16') return 'pkcs12';
  if (tag(0) === '1:2' && tag(1) === '1:16' && tag(2) === '1:4') return 'private-key';
  if (tag(0) === '1:16' && tag(1) === '1:16' && tag(2) === '1:3') {
    const tbs = items[0]!.valueBlock?.value as { idBlock: { tagClass: number; tagNumber: number }; valueBlock?: { valueDec?: number } }[] | undefined;
    if (!Array.isArray(tbs) || !tbs.length || !tbs.every((x) => x && typeof x === 'object' && 'idBlock' in x)) return 'unknown';
    const t0 = `${tbs[0]!.idBlock.tagClass}:${tbs[0]!.idBlock.tagNumber}`;
    if (t0 === '3:0') return 'certificate';
    if (t0 === '1:2' && tbs.length >= 4 && `${tbs[3]!.idBlock.tagClass}:${tbs[3]!.idBlock.tagNumber}` === '3:0' && tbs[0]!.valueBlock?.valueDec === 0) return 'csr';
    // v1 certificate (no [0] version): serial, sigalg, issuer, validity, subject, spki
    if (t0 === '1:2' && tbs.length >= 6) return 'certificate';
    const times = tbs.filter((x) => x.idBlock.tagClass === 1 && (x.idBlock.tagNumber === 23 || x.idBlock.tagNumber === 24));
    if (times.length >= 1) return 'crl';
  }
  return 'unknown';
}
