/**
 * A view model of an X.509 certificate for the configuration layer, enrollment and the
 * `show crypto pki certificates` renderer. Parsing is strict about the outer encoding (one
 * complete DER SEQUENCE, nothing after it) so that a damaged hex block or paste is rejected
 * instead of half-read. The original bytes are kept; nothing is re-encoded.
 */
import { PkiError } from '../util/errors.ts';
import { toHex } from '../util/hex.ts';
import { equalBytes } from '../util/bytes.ts';
import { escapeControls } from '../util/text.ts';
import { shortNameOf, type Attribute } from './names.ts';
import { derCheck, derChildren, derRead, type Tlv } from './pem.ts';
import { decodeOid, decodeTime } from './chain/_der.ts';

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

const KU_NAMES = ['digitalSignature', 'nonRepudiation', 'keyEncipherment', 'dataEncipherment', 'keyAgreement', 'keyCertSign', 'cRLSign', 'encipherOnly', 'decipherOnly'];

const CURVES: Record<string, string> = {
  '1.2.840.10045.3.1.7': 'P-256',
  '1.3.132.0.34': 'P-384',
  '1.3.132.0.35': 'P-521',
};

const fail = (why: string): never => {
  throw new PkiError('bad-certificate', `x509.parse: not an X.509 certificate (${why})`);
};

const utf8 = new TextDecoder('utf-8');
const latin1 = new TextDecoder('latin1');

/** A directory string as pkijs reads it (UTF8, Printable, IA5, Teletex, BMP, Universal …). */
function directoryString(der: Uint8Array, t: Tlv): string {
  const v = der.subarray(t.contentStart, t.contentEnd);
  switch (t.tag) {
    case 0x0c:
      return utf8.decode(v);
    case 0x12:
    case 0x13:
    case 0x16:
    case 0x1a:
    case 0x14:
    case 0x15:
    case 0x19:
    case 0x1b:
      return latin1.decode(v);
    case 0x1e: {
      let out = '';
      for (let i = 0; i + 1 < v.length; i += 2) out += String.fromCharCode((v[i]! << 8) | v[i + 1]!);
      return out;
    }
    case 0x1c: {
      let out = '';
      for (let i = 0; i + 3 < v.length; i += 4) out += String.fromCodePoint(((v[i]! << 24) | (v[i + 1]! << 16) | (v[i + 2]! << 8) | v[i + 3]!) >>> 0);
      return out;
    }
    default:
      return '';
  }
}

const oidOf = (der: Uint8Array, t: Tlv, what: string): string => {
  if (t.tag !== 0x06) fail(`${what} is not an OBJECT IDENTIFIER`);
  return decodeOid(der.subarray(t.contentStart, t.contentEnd), what);
};

function nameAttrs(der: Uint8Array, name: Tlv): Attribute[] {
  if (name.tag !== 0x30) fail('a name is not a SEQUENCE');
  const out: Attribute[] = [];
  for (const rdn of derChildren(der, name)) {
    if (rdn.tag !== 0x31) fail('a relative distinguished name is not a SET');
    for (const atv of derChildren(der, rdn)) {
      const [type, value] = derChildren(der, atv);
      if (!type || !value) fail('an attribute has no value');
      const oid = oidOf(der, type!, 'attribute type');
      // shown in the console and the GUI: control characters escaped (util/text.ts)
      out.push({ oid, short: shortNameOf(oid), value: escapeControls(directoryString(der, value!)) });
    }
  }
  return out;
}

function timeOf(der: Uint8Array, t: Tlv): Date {
  return new Date(decodeTime(t.tag, der.subarray(t.contentStart, t.contentEnd), 'validity') * 1000);
}

function publicKeyInfo(der: Uint8Array, spki: Tlv): PublicKeyInfo {
  const [alg, key] = derChildren(der, spki);
  if (!alg || alg.tag !== 0x30 || !key || key.tag !== 0x03) fail('bad subjectPublicKeyInfo');
  const [algOid, params] = derChildren(der, alg!);
  const oid = oidOf(der, algOid!, 'key algorithm');
  if (oid === '1.2.840.113549.1.1.1') {
    try {
      const bits = der.subarray(key!.contentStart + 1, key!.contentEnd);
      const seq = derRead(bits, 0);
      const [n] = derChildren(bits, seq);
      let mod = bits.subarray(n!.contentStart, n!.contentEnd);
      while (mod.length && mod[0] === 0) mod = mod.subarray(1);
      return { kind: 'rsa', bits: mod.length ? (mod.length - 1) * 8 + (32 - Math.clz32(mod[0]!)) : 0 };
    } catch {
      return { kind: 'rsa', bits: 0 };
    }
  }
  if (oid === '1.2.840.10045.2.1') {
    const curveOid = params?.tag === 0x06 ? decodeOid(der.subarray(params.contentStart, params.contentEnd), 'curve') : '';
    return { kind: 'ec', curve: CURVES[curveOid] ?? curveOid };
  }
  return { kind: 'other', oid };
}

function generalName(der: Uint8Array, t: Tlv): GeneralNameView {
  const v = der.subarray(t.contentStart, t.contentEnd);
  switch (t.tag) {
    case 0x81:
      return { kind: 'email', value: escapeControls(latin1.decode(v)) };
    case 0x82:
      return { kind: 'dns', value: escapeControls(latin1.decode(v)) };
    case 0x86:
      return { kind: 'uri', value: escapeControls(latin1.decode(v)) };
    case 0x87: {
      if (v.length === 4) return { kind: 'ip', value: Array.from(v).join('.') };
      const groups: string[] = [];
      for (let i = 0; i < v.length; i += 2) groups.push((((v[i]! << 8) | (v[i + 1] ?? 0)) >>> 0).toString(16));
      return { kind: 'ip', value: groups.join(':') };
    }
    case 0xa4: {
      const inner = derChildren(der, t)[0];
      return { kind: 'dn', value: inner ? nameAttrs(der, inner).map((a) => `${a.short}=${a.value}`).join(', ') : '' };
    }
    default:
      return { kind: 'other', value: `[${t.tagNumber}]` };
  }
}

/**
 * The largest certificate read: generous for real ones (a few kilobytes, a hundred-name SAN list
 * under 8 KB) and a bound on what one hostile certificate costs to parse.
 */
export const X509_MAX_BYTES = 32 << 10;

/**
 * Summaries by certificate: views render from them on every update, and a hostile certificate
 * (thousands of subjectAltNames) costs time to parse. Keyed by the DER array the
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

/** The view model of a DER certificate (cached per array; see above). */
export function summarizeCertificate(der: Uint8Array): CertificateSummary {
  const hit = summaries.get(der);
  if (hit && equalBytes(hit.der, der)) return hit.summary;
  const summary = deepFreeze(summarize(der));
  summaries.set(der, { der: der.slice(), summary });
  return summary;
}

/**
 * A certificate's summary, read straight from its DER (no pkijs: the console needs these at
 * start-up and stays light). Strict about the outer encoding: one complete element, nothing
 * after it.
 */
function summarize(der: Uint8Array): CertificateSummary {
  if (der.length < 2 || der[0] !== 0x30) throw new PkiError('bad-certificate', 'x509.parse: not a DER certificate (no SEQUENCE)');
  if (der.length > X509_MAX_BYTES) throw new PkiError('bad-certificate', `x509.parse: the certificate is ${der.length} bytes, more than the ${X509_MAX_BYTES} accepted`);
  let top: Tlv;
  try {
    top = derRead(der, 0);
    derCheck(der.subarray(0, top.end), { ber: true, what: 'x509.parse' });
  } catch (e) {
    throw new PkiError('bad-certificate', `x509.parse: malformed DER (${(e as Error).message.replace(/^x509\.parse: |^der: /, '')})`, { cause: e });
  }
  if (top.end !== der.length) throw new PkiError('bad-certificate', `x509.parse: ${der.length - top.end} bytes after the certificate`);
  try {
    const [tbsT, algT, sigT] = derChildren(der, top);
    if (!tbsT || tbsT.tag !== 0x30 || !algT || algT.tag !== 0x30 || !sigT || sigT.tag !== 0x03) fail('not Certificate ::= SEQUENCE { tbs, algorithm, signature }');
    const tbs = derChildren(der, tbsT!);
    let i = tbs[0]?.tag === 0xa0 ? 1 : 0;
    const serialT = tbs[i++];
    const sigAlgT = tbs[i++];
    const issuerT = tbs[i++];
    const validityT = tbs[i++];
    const subjectT = tbs[i++];
    const spkiT = tbs[i++];
    if (!serialT || serialT.tag !== 0x02 || !sigAlgT || !issuerT || !validityT || validityT.tag !== 0x30 || !subjectT || !spkiT || spkiT.tag !== 0x30) fail('bad TBSCertificate');
    const extsT = tbs.slice(i).find((t) => t.tag === 0xa3);
    let serialBytes = der.subarray(serialT!.contentStart, serialT!.contentEnd);
    while (serialBytes.length > 1 && serialBytes[0] === 0) serialBytes = serialBytes.subarray(1);
    const [nb, na] = derChildren(der, validityT!);
    if (!nb || !na) fail('bad validity');
    const raw = (t: Tlv) => der.subarray(t.start, t.end);
    const s: CertificateSummary = {
      serial: toHex(serialBytes),
      subject: nameAttrs(der, subjectT!),
      issuer: nameAttrs(der, issuerT!),
      notBefore: timeOf(der, nb!),
      notAfter: timeOf(der, na!),
      isCA: false,
      selfIssued: toHex(raw(subjectT!)) === toHex(raw(issuerT!)),
      signatureAlgorithm: oidOf(der, derChildren(der, algT!)[0]!, 'signature algorithm'),
      publicKey: publicKeyInfo(der, spkiT!),
      spki: der.slice(spkiT!.start, spkiT!.end),
      subjectAltNames: [],
      crlDistributionPoints: [],
    };
    const exts = extsT ? derChildren(der, derChildren(der, extsT)[0]!) : [];
    for (const e of exts) {
      const parts = derChildren(der, e);
      const oid = oidOf(der, parts[0]!, 'extension');
      const octets = parts[parts.length - 1]!;
      if (octets.tag !== 0x04) continue;
      const v = der.subarray(octets.contentStart, octets.contentEnd);
      const body = derRead(v, 0);
      if (oid === '2.5.29.19') {
        const f = derChildren(v, body)[0];
        s.isCA = !!f && f.tag === 0x01 && v[f.contentStart] !== 0;
      } else if (oid === '2.5.29.15' && body.tag === 0x03) {
        const view = v.subarray(body.contentStart + 1, body.contentEnd);
        s.keyUsage = KU_NAMES.filter((_, k) => ((view[k >> 3] ?? 0) >> (7 - (k & 7))) & 1);
      } else if (oid === '2.5.29.37') {
        s.extKeyUsage = derChildren(v, body).map((t) => oidOf(v, t, 'key purpose'));
      } else if (oid === '2.5.29.17') {
        s.subjectAltNames = derChildren(v, body).map((t) => generalName(v, t));
      } else if (oid === '2.5.29.31') {
        for (const dp of derChildren(v, body)) {
          const dpn = derChildren(v, dp).find((t) => t.tag === 0xa0);
          const full = dpn ? derChildren(v, dpn).find((t) => t.tag === 0xa0) : undefined;
          for (const n of full ? derChildren(v, full) : []) s.crlDistributionPoints.push(generalName(v, n).value);
        }
      } else if (oid === '2.5.29.14' && body.tag === 0x04) {
        s.subjectKeyId = toHex(v.subarray(body.contentStart, body.contentEnd));
      } else if (oid === '2.5.29.35') {
        const kid = derChildren(v, body).find((t) => t.tag === 0x80);
        if (kid) s.authorityKeyId = toHex(v.subarray(kid.contentStart, kid.contentEnd));
      }
    }
    return s;
  } catch (e) {
    if (e instanceof PkiError && e.code === 'bad-certificate') throw e;
    throw new PkiError('bad-certificate', `x509.parse: not an X.509 certificate (${(e as Error).message})`, { cause: e });
  }
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
