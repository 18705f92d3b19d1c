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
import { BER, DER, derCheck, derChildren, readTlv } from './der.ts';
import { OID } from './oids.ts';
import { sniffDerKind } from './pem.ts';

/**
 * Limits on the SignedData this app reads (GetCACert replies, CertReps, .p7b bundles), checked
 * with our own DER reader before pkijs builds objects for it: pkijs spends milliseconds per
 * certificate, and a hostile message could carry thousands. Real ones carry a few (an NDES RA
 * chain: 3) and are a few kilobytes.
 */
export const CMS_LIMITS = { bytes: 256 << 10, certificates: 10 } as const;

const SIGNED_DATA_OID_DER = DER.oid(OID.signedData);

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
  const top = readTlv(der, 0, der.length, BER);
  if (top.tag !== 0x30 || top.end !== der.length) badPkcs7(op, 'not one ContentInfo SEQUENCE');
  const [oid, wrapped] = derChildren(der, top, BER);
  if (!oid || oid.tag !== 0x06 || !equalBytes(der.subarray(oid.start, oid.end), SIGNED_DATA_OID_DER)) badPkcs7(op, 'content type is not signedData');
  if (!wrapped || wrapped.tag !== 0xa0) badPkcs7(op, 'no content');
  const [sdT] = derChildren(der, wrapped, BER);
  if (!sdT || sdT.tag !== 0x30) badPkcs7(op, 'SignedData is not a SEQUENCE');
  const fields = derChildren(der, sdT, BER);
  const certSet = fields.slice(3).find((f) => f.tag === 0xa0);
  if (!certSet) return [];
  const out: Uint8Array[] = [];
  for (const c of derChildren(der, certSet, BER)) {
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
 * Classifies a DER (or BER) object by its structure, not by trusting a file name or PEM label:
 * one well-formed element, then `sniffDerKind`'s shapes (pem.ts) — Certificate, CertificationRequest,
 * CertificateList, ContentInfo, PFX, PrivateKeyInfo.
 */
export function classifyDer(der: Uint8Array): DerKind {
  try {
    derCheck(der, BER);
  } catch {
    return 'unknown';
  }
  const kind = sniffDerKind(der);
  switch (kind) {
    case 'certificate':
    case 'pkcs7':
    case 'crl':
    case 'pkcs12':
    case 'private-key':
      return kind;
    case 'certificate-request':
      return 'csr';
    default:
      return 'unknown';
  }
}
