/**
 * The view model of an X.509 certificate (`CertificateSummary`) that the configuration layer,
 * enrollment, `show crypto pki certificates` and the GUI render. It is a projection of the one
 * certificate model (chain/cert.ts, read leniently as pkijs read certificates before: BER
 * lengths, odd extension values) — no second parser. The certificate must be one complete
 * element with nothing after it, so a damaged hex block or paste is rejected instead of
 * half-read; at most `X509_MAX_BYTES`; summaries are cached per array (views render them on
 * every update).
 */
import { PkiError } from '../util/errors.ts';
import { toHex } from '../util/hex.ts';
import { equalBytes } from '../util/bytes.ts';
import { escapeControls } from '../util/text.ts';
import { parseChainCert, type ChainCert } from './chain/cert.ts';
import type { Ava, GeneralName } from './chain/name.ts';
import { BER, decodeOid, derChildren, readTlv } from './der.ts';
import { shortNameOf, type Attribute } from './names.ts';
import { KEY_USAGE_NAMES, OID, curveOfOid } from './oids.ts';
import { rsaPublicParams } from './rsa-exponent.ts';

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
  /** the subject and issuer in RFC 5280 §7.1 comparison form: equal keys are the same name (chain/name.ts) */
  subjectKey: string;
  issuerKey: string;
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

const utf8 = new TextDecoder('utf-8', { fatal: true });
const latin1 = new TextDecoder('latin1');

/** An attribute value as text (the string types; anything else shows empty, as pkijs showed it). */
function valueText(a: Ava): string {
  const v = a.value;
  switch (a.tag) {
    case 0x0c:
      try {
        return utf8.decode(v);
      } catch {
        return latin1.decode(v); // not UTF-8: the bytes as they are, escaped on display
      }
    case 0x12:
    case 0x13:
    case 0x14:
    case 0x15:
    case 0x16:
    case 0x19:
    case 0x1a:
    case 0x1b:
      return latin1.decode(v);
    case 0x1e: {
      let out = '';
      for (let i = 0; i + 1 < v.length; i += 2) out += String.fromCharCode((v[i]! << 8) | v[i + 1]!);
      return out;
    }
    case 0x1c: {
      let out = '';
      for (let i = 0; i + 3 < v.length; i += 4) {
        const cp = ((v[i]! << 24) | (v[i + 1]! << 16) | (v[i + 2]! << 8) | v[i + 3]!) >>> 0;
        out += cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff) ? '\ufffd' : String.fromCodePoint(cp);
      }
      return out;
    }
    default:
      return '';
  }
}

function attrs(rdns: readonly (readonly Ava[])[]): Attribute[] {
  // shown in the console and the GUI: control characters escaped (util/text.ts)
  return rdns.flat().map((a) => ({ oid: a.oid, short: shortNameOf(a.oid), value: escapeControls(valueText(a)) }));
}

function generalName(n: GeneralName): GeneralNameView {
  switch (n.type) {
    case 'email':
    case 'dns':
    case 'uri':
      return { kind: n.type, value: escapeControls(n.text) };
    case 'ip': {
      const b = n.bytes;
      if (b.length === 4) return { kind: 'ip', value: Array.from(b).join('.') };
      const groups: string[] = [];
      for (let i = 0; i < b.length; i += 2) groups.push((((b[i]! << 8) | (b[i + 1] ?? 0)) >>> 0).toString(16));
      return { kind: 'ip', value: groups.join(':') };
    }
    case 'dn':
      return { kind: 'dn', value: attrs(n.name.rdns).map((a) => `${a.short}=${a.value}`).join(', ') };
    default:
      return { kind: 'other', value: `[${n.raw[0]! & 0x1f}]` };
  }
}

function publicKeyInfo(c: ChainCert): PublicKeyInfo {
  const oid = c.spkiAlgorithm;
  if (oid === OID.rsaEncryption) {
    try {
      return { kind: 'rsa', bits: rsaPublicParams(c.spki).modulusLength };
    } catch {
      return { kind: 'rsa', bits: 0 };
    }
  }
  if (oid === OID.ecPublicKey) {
    let curveOid = '';
    try {
      const [alg] = derChildren(c.spki, readTlv(c.spki, 0, c.spki.length, BER), BER);
      const params = derChildren(c.spki, alg!, BER)[1];
      if (params?.tag === 0x06) curveOid = decodeOid(c.spki.subarray(params.contentStart, params.contentEnd), 'namedCurve');
    } catch {
      /* no named curve */
    }
    return { kind: 'ec', curve: curveOfOid(curveOid)?.curve ?? curveOid };
  }
  return { kind: 'other', oid };
}

/**
 * The largest certificate read: generous for real ones (a few kilobytes, a hundred-name SAN list
 * under 8 KB) and a bound on what one hostile certificate costs to parse (a 300 KB certificate
 * with 9,000 names took seconds to read with pkijs).
 */
export const X509_MAX_BYTES = 32 << 10;

/**
 * Summaries by certificate: views render from them on every update, and a hostile certificate
 * (thousands of subjectAltNames) costs to parse. Keyed by the DER array the configuration
 * holds; a hit is checked against a copy of the bytes, so an array changed in place is parsed
 * again. Summaries are frozen: they are shared.
 */
const summaries = new WeakMap<Uint8Array, { der: Uint8Array; summary: CertificateSummary }>();

function deepFreeze<T>(o: T): T {
  if (o && typeof o === 'object' && !ArrayBuffer.isView(o) && !(o instanceof Date) && !Object.isFrozen(o)) {
    Object.freeze(o);
    for (const v of Object.values(o as object)) deepFreeze(v);
  }
  return o;
}

/** The view model of a DER certificate (cached per array; see above). Throws PkiError('bad-certificate') with the reason. */
export function summarizeCertificate(der: Uint8Array): CertificateSummary {
  const hit = summaries.get(der);
  if (hit && equalBytes(hit.der, der)) return hit.summary;
  const copy = der.slice();
  const summary = deepFreeze(summarize(copy));
  summaries.set(der, { der: copy, summary });
  return summary;
}

function summarize(der: Uint8Array): CertificateSummary {
  if (der.length < 2 || der[0] !== 0x30) throw new PkiError('bad-certificate', 'x509.parse: not a DER certificate (no SEQUENCE)');
  if (der.length > X509_MAX_BYTES) throw new PkiError('bad-certificate', `x509.parse: the certificate is ${der.length} bytes, more than the ${X509_MAX_BYTES} accepted`);
  let c: ChainCert;
  try {
    const end = readTlv(der, 0, der.length, BER).end;
    if (end !== der.length) throw new PkiError('bad-certificate', `x509.parse: ${der.length - end} bytes after the certificate`);
    c = parseChainCert(der, { lenient: true });
  } catch (e) {
    if (e instanceof PkiError && e.message.startsWith('x509.parse: ')) throw e;
    const why = (e as Error).message.replace(/^x509: (?:not a valid certificate \((.*)\)$)?/s, '$1');
    throw new PkiError('bad-certificate', `x509.parse: not an X.509 certificate (${why})`, { cause: e });
  }
  let serial = c.serial;
  while (serial.length > 1 && serial[0] === 0) serial = serial.subarray(1);
  const s: CertificateSummary = {
    serial: toHex(serial),
    subject: attrs(c.subject.rdns),
    issuer: attrs(c.issuer.rdns),
    subjectKey: c.subject.key,
    issuerKey: c.issuer.key,
    notBefore: new Date(c.notBefore * 1000),
    notAfter: new Date(c.notAfter * 1000),
    isCA: !!c.basicConstraints?.ca,
    selfIssued: equalBytes(c.subject.der, c.issuer.der),
    signatureAlgorithm: c.signatureAlgorithm.oid,
    publicKey: publicKeyInfo(c),
    spki: c.spki,
    subjectAltNames: (c.subjectAltName ?? []).map(generalName),
    crlDistributionPoints: (c.crlDistributionPoints ?? []).flatMap((dp) => (dp.fullName ?? []).map((n) => generalName(n).value)),
  };
  if (c.keyUsage !== undefined) s.keyUsage = KEY_USAGE_NAMES.filter((_, i) => c.keyUsage! & (1 << i));
  if (c.extKeyUsage) s.extKeyUsage = [...c.extKeyUsage];
  if (c.subjectKeyId) s.subjectKeyId = toHex(c.subjectKeyId);
  if (c.authorityKeyId) s.authorityKeyId = toHex(c.authorityKeyId);
  return s;
}

/** True when `issuer`'s subject is `cert`'s issuer name (RFC 5280 §7.1 name comparison, chain/name.ts). */
export function issuedBy(cert: CertificateSummary, issuer: CertificateSummary): boolean {
  return cert.issuerKey === issuer.subjectKey;
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
