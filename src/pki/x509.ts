/**
 * A view model of an X.509 certificate for the configuration layer, enrollment and the
 * `show crypto pki certificates` renderer. Parsing is strict about the outer encoding (one
 * complete DER SEQUENCE, nothing after it) so that a damaged hex block or paste is rejected
 * instead of half-read. The original bytes are kept; nothing is re-encoded.
 */
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { PkiError } from '../util/errors.ts';
import { toHex } from '../util/hex.ts';
import { equalBytes } from '../util/bytes.ts';
import { escapeControls } from '../util/text.ts';
import { shortNameOf, type Attribute } from './names.ts';
import { KEY_USAGE_NAMES, OID, curveOfOid } from './oids.ts';

export type PublicKeyInfo = { kind: 'rsa'; bits: number } | { kind: 'ec'; curve: string } | { kind: 'other'; oid: string };

export interface GeneralNameView {
  kind: 'dns' | 'ip' | 'email' | 'uri' | 'dn' | 'other';
  value: string;
}

export interface CertificateSummary {
  /** Serial number as IOS prints it: upper-case hex without leading zero bytes (at least one byte). */
  serial: string;
  subject: Attribute[];
  issuer: Attribute[];
  notBefore: Date;
  notAfter: Date;
  /** basicConstraints cA = TRUE */
  isCA: boolean;
  /** subject == issuer (byte-wise) */
  selfIssued: boolean;
  signatureAlgorithm: string;
  publicKey: PublicKeyInfo;
  /** SubjectPublicKeyInfo DER */
  spki: Uint8Array;
  /** keyUsage bit names (digitalSignature, keyEncipherment, ...) when the extension is present */
  keyUsage?: string[];
  /** extendedKeyUsage OIDs when present */
  extKeyUsage?: string[];
  subjectAltNames: GeneralNameView[];
  crlDistributionPoints: string[];
  subjectKeyId?: string;
  authorityKeyId?: string;
}

function attrs(name: pkijs.RelativeDistinguishedNames): Attribute[] {
  return name.typesAndValues.map((tv) => ({
    oid: tv.type,
    short: shortNameOf(tv.type),
    // shown in the console and the GUI: control characters escaped (util/text.ts)
    value: escapeControls(String((tv.value as { valueBlock?: { value?: unknown } }).valueBlock?.value ?? '')),
  }));
}

/** Parses one complete DER element; throws PkiError(code) naming the problem. */
export function parseDer(der: Uint8Array, code: string, op: string, noun: string): asn1js.AsnType {
  const buf = der.slice().buffer;
  let asn: ReturnType<typeof asn1js.fromBER>;
  try {
    asn = asn1js.fromBER(buf);
  } catch (e) {
    // asn1js throws plain Errors for some bad contents (a GeneralizedTime that is not one)
    throw new PkiError(code, `${op}: malformed DER (${(e as Error).message})`, { cause: e });
  }
  if (asn.offset === -1) throw new PkiError(code, `${op}: malformed DER (${asn.result.error || 'decoding failed'})`);
  if (asn.offset !== der.length) throw new PkiError(code, `${op}: ${der.length - asn.offset} bytes after the ${noun}`);
  return asn.result;
}

/**
 * The largest certificate read: generous for real ones (a few kilobytes, a hundred-name SAN list
 * under 8 KB) and a bound on what one hostile certificate costs to parse (pkijs builds an
 * object per element: a 300 KB certificate with 9,000 names took seconds).
 */
export const X509_MAX_BYTES = 32 << 10;

/** Parses a DER certificate. Throws PkiError('bad-certificate') with the reason. */
export function parseCertificate(der: Uint8Array): pkijs.Certificate {
  if (der.length < 2 || der[0] !== 0x30) throw new PkiError('bad-certificate', 'x509.parse: not a DER certificate (no SEQUENCE)');
  if (der.length > X509_MAX_BYTES) throw new PkiError('bad-certificate', `x509.parse: the certificate is ${der.length} bytes, more than the ${X509_MAX_BYTES} accepted`);
  const asn = parseDer(der, 'bad-certificate', 'x509.parse', 'certificate');
  try {
    return new pkijs.Certificate({ schema: asn });
  } catch (e) {
    throw new PkiError('bad-certificate', `x509.parse: not an X.509 certificate (${(e as Error).message})`, { cause: e });
  }
}

function publicKeyInfo(spki: pkijs.PublicKeyInfo): PublicKeyInfo {
  const oid = spki.algorithm.algorithmId;
  if (oid === OID.rsaEncryption) {
    try {
      const rsa = spki.parsedKey as pkijs.RSAPublicKey | undefined;
      let mod = new Uint8Array(rsa!.modulus.valueBlock.valueHexView);
      while (mod.length && mod[0] === 0) mod = mod.subarray(1);
      const bits = mod.length ? (mod.length - 1) * 8 + (32 - Math.clz32(mod[0]!)) : 0;
      return { kind: 'rsa', bits };
    } catch {
      return { kind: 'rsa', bits: 0 };
    }
  }
  if (oid === OID.ecPublicKey) {
    const p = spki.algorithm.algorithmParams as asn1js.ObjectIdentifier | undefined;
    const curveOid = p?.valueBlock?.toString?.() ?? '';
    return { kind: 'ec', curve: curveOfOid(curveOid)?.curve ?? curveOid };
  }
  return { kind: 'other', oid };
}

function generalName(n: pkijs.GeneralName): GeneralNameView {
  switch (n.type) {
    case 1:
      return { kind: 'email', value: escapeControls(String(n.value)) };
    case 2:
      return { kind: 'dns', value: escapeControls(String(n.value)) };
    case 6:
      return { kind: 'uri', value: escapeControls(String(n.value)) };
    case 7: {
      const b = new Uint8Array((n.value as asn1js.OctetString).valueBlock.valueHexView);
      if (b.length === 4) return { kind: 'ip', value: Array.from(b).join('.') };
      const groups: string[] = [];
      for (let i = 0; i < b.length; i += 2) groups.push(((b[i]! << 8) | b[i + 1]!).toString(16));
      return { kind: 'ip', value: groups.join(':') };
    }
    case 4:
      return { kind: 'dn', value: attrs(n.value as pkijs.RelativeDistinguishedNames).map((a) => `${a.short}=${a.value}`).join(', ') };
    default:
      return { kind: 'other', value: `[${n.type}]` };
  }
}

/**
 * Summaries by certificate: views render from them on every update, and a hostile certificate
 * (thousands of subjectAltNames) costs seconds to parse. Keyed by the DER array the
 * configuration holds; a hit is checked against a copy of the bytes, so an array changed in
 * place is parsed again. Summaries are frozen: they are shared.
 */
const summaries = new WeakMap<Uint8Array, { der: Uint8Array; summary: CertificateSummary }>();

function deepFreeze<T>(o: T): T {
  if (o && typeof o === 'object' && !ArrayBuffer.isView(o) && !(o instanceof Date) && !Object.isFrozen(o)) {
    Object.freeze(o);
    for (const v of Object.values(o as object)) deepFreeze(v);
  }
  return o;
}

/** The view model of a DER certificate (cached per array; see above). Throws like `parseCertificate`. */
export function summarizeCertificate(der: Uint8Array): CertificateSummary {
  const hit = summaries.get(der);
  if (hit && equalBytes(hit.der, der)) return hit.summary;
  const summary = deepFreeze(summarize(der));
  summaries.set(der, { der: der.slice(), summary });
  return summary;
}

function summarize(der: Uint8Array): CertificateSummary {
  const cert = parseCertificate(der);
  let serialBytes = new Uint8Array(cert.serialNumber.valueBlock.valueHexView);
  while (serialBytes.length > 1 && serialBytes[0] === 0) serialBytes = serialBytes.subarray(1);
  const ext = (oid: string) => cert.extensions?.find((e) => e.extnID === oid);
  const bc = ext(OID.basicConstraints);
  const isCA = !!(bc?.parsedValue as pkijs.BasicConstraints | undefined)?.cA;
  const subjectDer = new Uint8Array(cert.subject.toSchema().toBER());
  const issuerDer = new Uint8Array(cert.issuer.toSchema().toBER());
  const spki = new Uint8Array(cert.subjectPublicKeyInfo.toSchema().toBER());
  const s: CertificateSummary = {
    serial: toHex(serialBytes),
    subject: attrs(cert.subject),
    issuer: attrs(cert.issuer),
    notBefore: cert.notBefore.value,
    notAfter: cert.notAfter.value,
    isCA,
    selfIssued: toHex(subjectDer) === toHex(issuerDer),
    signatureAlgorithm: cert.signatureAlgorithm.algorithmId,
    publicKey: publicKeyInfo(cert.subjectPublicKeyInfo),
    spki,
    subjectAltNames: [],
    crlDistributionPoints: [],
  };
  const ku = ext(OID.keyUsage);
  if (ku) {
    const bits = ku.parsedValue as asn1js.BitString | undefined;
    const view = bits ? new Uint8Array(bits.valueBlock.valueHexView) : new Uint8Array();
    s.keyUsage = KEY_USAGE_NAMES.filter((_, i) => ((view[i >> 3] ?? 0) >> (7 - (i & 7))) & 1);
  }
  const eku = ext(OID.extKeyUsage)?.parsedValue as pkijs.ExtKeyUsage | undefined;
  if (eku) s.extKeyUsage = [...eku.keyPurposes];
  const san = ext(OID.subjectAltName)?.parsedValue as pkijs.AltName | undefined;
  if (san) s.subjectAltNames = san.altNames.map(generalName);
  const cdp = ext(OID.cRLDistributionPoints)?.parsedValue as pkijs.CRLDistributionPoints | undefined;
  for (const dp of cdp?.distributionPoints ?? []) {
    const names = Array.isArray(dp.distributionPoint) ? dp.distributionPoint : [];
    for (const n of names as pkijs.GeneralName[]) s.crlDistributionPoints.push(generalName(n).value);
  }
  const ski = ext(OID.subjectKeyIdentifier)?.parsedValue as asn1js.OctetString | undefined;
  if (ski) s.subjectKeyId = toHex(new Uint8Array(ski.valueBlock.valueHexView));
  const aki = ext(OID.authorityKeyIdentifier)?.parsedValue as pkijs.AuthorityKeyIdentifier | undefined;
  if (aki?.keyIdentifier) s.authorityKeyId = toHex(new Uint8Array(aki.keyIdentifier.valueBlock.valueHexView));
  return s;
}

/** The usage IOS shows for a certificate: Signature, Encryption or General Purpose. */
export function iosCertificateUsage(s: CertificateSummary): 'General Purpose' | 'Signature' | 'Encryption' {
  const ku = s.keyUsage;
  if (!ku) return 'General Purpose';
  const sign = ku.includes('digitalSignature') || ku.includes('nonRepudiation') || ku.includes('keyCertSign') || ku.includes('cRLSign');
  const enc = ku.includes('keyEncipherment') || ku.includes('dataEncipherment') || ku.includes('keyAgreement');
  if (sign && !enc) return 'Signature';
  if (enc && !sign) return 'Encryption';
  return 'General Purpose';
}
