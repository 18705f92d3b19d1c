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
import * as pkijs from 'pkijs';
import { PkiError } from '../util/errors.ts';
import { parseDer } from './x509-parse.ts';

export const OID_SIGNED_DATA = '1.2.840.113549.1.7.2';

/** The certificates (DER) of a PKCS#7 SignedData; throws PkiError('bad-pkcs7'). */
export function certificatesFromPkcs7(der: Uint8Array): Uint8Array[] {
  const asn = parseDer(der, 'bad-pkcs7', 'pkcs7.parse', 'PKCS#7 data');
  let ci: pkijs.ContentInfo;
  try {
    ci = new pkijs.ContentInfo({ schema: asn });
  } catch (e) {
    throw new PkiError('bad-pkcs7', `pkcs7.parse: not a PKCS#7 ContentInfo (${(e as Error).message})`);
  }
  if (ci.contentType !== OID_SIGNED_DATA) throw new PkiError('bad-pkcs7', `pkcs7.parse: content type ${ci.contentType} is not signedData`);
  let sd: pkijs.SignedData;
  try {
    sd = new pkijs.SignedData({ schema: ci.content });
  } catch (e) {
    throw new PkiError('bad-pkcs7', `pkcs7.parse: malformed SignedData (${(e as Error).message})`);
  }
  const out: Uint8Array[] = [];
  for (const c of sd.certificates ?? []) if (c instanceof pkijs.Certificate) out.push(new Uint8Array(c.toSchema().toBER()));
  return out;
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
  if (!items || !items.length) return 'unknown';
  const tag = (i: number) => (items[i] ? `${items[i]!.idBlock.tagClass}:${items[i]!.idBlock.tagNumber}` : '');
  if (tag(0) === '1:6' && tag(1) === '3:0') return 'pkcs7';
  if (tag(0) === '1:2' && items[0]!.valueBlock?.valueDec === 3 && tag(1) === '1:16') return 'pkcs12';
  if (tag(0) === '1:2' && tag(1) === '1:16' && tag(2) === '1:4') return 'private-key';
  if (tag(0) === '1:16' && tag(1) === '1:16' && tag(2) === '1:3') {
    const tbs = items[0]!.valueBlock?.value as { idBlock: { tagClass: number; tagNumber: number }; valueBlock?: { valueDec?: number } }[] | undefined;
    if (!tbs?.length) return 'unknown';
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
