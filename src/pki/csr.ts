/**
 * PKCS#10 certification requests (RFC 2986) as `crypto pki enroll` builds them, and a small
 * view of any request for `show`/inspection.
 *
 * ```asn1
 * CertificationRequest ::= SEQUENCE {
 *   certificationRequestInfo CertificationRequestInfo,
 *   signatureAlgorithm       AlgorithmIdentifier,
 *   signature                BIT STRING }
 * CertificationRequestInfo ::= SEQUENCE {
 *   version       INTEGER { v1(0) },
 *   subject       Name,
 *   subjectPKInfo SubjectPublicKeyInfo,
 *   attributes    [0] IMPLICIT SET OF Attribute }
 * ```
 *
 * The request is encoded here, byte by byte, as DER (X.690 §10): definite minimal lengths,
 * SET OF sorted by encoding (§11.6 — multi-valued RDNs, the attribute set), DEFAULT FALSE
 * omitted, named bit strings without trailing zero bits (§11.2.2). Signing goes through the
 * `Signer` seam; the signature covers the exact CertificationRequestInfo bytes.
 *
 * @remarks IOS puts its identity into the subject, not into extensions: the FQDN as
 * unstructuredName (PKCS#9, RFC 2985 §5.4.2 — IA5String), the router serial number as
 * serialNumber (X.520) and the IP address as unstructuredAddress (RFC 2985 §5.4.3), all in
 * one multi-valued RDN (`serialNumber=C63EBBE9+ipaddress=10.3.0.18+hostname=test.example.com`
 * in the guide's `show crypto pki trustpoints`). `iosSubject` builds that.
 */
import type { HashAlg } from '../core/api.ts';
import type { KeyInfo, NamedCurve, Signer, VerifyFn } from '../crypto/types.ts';
import { PkiError } from '../util/errors.ts';
import { shortNameOf, type Attribute } from './names.ts';
import { BER, DER, decodeOid, derCheck, derChildren, readTlv, type Tlv } from './der.ts';
import { KEY_USAGE_NAMES, OID, curveOfOid, signatureOid } from './oids.ts';
import { escapeControls } from '../util/text.ts';

// ---------------------------------------------------------------------------------------------
// Algorithms

/** The hash each curve pairs with by default (Suite B, RFC 5759 §3; SEC 1). */
const CURVE_HASH: Readonly<Record<NamedCurve, HashAlg>> = { 'P-256': 'SHA-256', 'P-384': 'SHA-384', 'P-521': 'SHA-512' };

// ---------------------------------------------------------------------------------------------
// Parameters

/** One RDN: a single attribute, or several (a multi-valued RDN, encoded as a sorted SET). */
export type Rdn = Attribute | readonly Attribute[];

/** The GeneralName choices requests carry: dNSName, iPAddress, rfc822Name, uniformResourceIdentifier. */
export type GeneralNameType = 'dns' | 'ip' | 'email' | 'uri';

/** A subjectAltName entry (RFC 5280 §4.2.1.6): dNSName, iPAddress (v4 or v6 text), rfc822Name, URI. */
export interface GeneralName {
  type: GeneralNameType;
  value: string;
}

/** A KeyUsage bit by its RFC 5280 name (nonRepudiation is X.509's contentCommitment). */
export type KeyUsageName = (typeof KEY_USAGE_NAMES)[number];

/** What goes into a request. */
export interface CsrParams {
  /**
   * The subject, RDN by RDN in DER order (the order `summarizeCertificate` returns and
   * `formatX500Name` prints). May be empty only when `subjectAltName` is given (RFC 5280
   * §4.2.1.6; the extension is then critical). See `iosSubject` for what IOS puts here.
   */
  subject: readonly Rdn[];
  /** PKCS#9 challengePassword (RFC 2985 §5.4.1): PrintableString if it fits, else UTF8String. */
  challengePassword?: string;
  /** requested subjectAltName (non-critical unless the subject is empty) */
  subjectAltName?: readonly GeneralName[];
  /** requested keyUsage (critical, as RFC 5280 §4.2.1.3 recommends and IOS does) */
  keyUsage?: readonly KeyUsageName[];
  /** requested extendedKeyUsage OIDs (non-critical), e.g. `OID.serverAuth` (oids.ts) */
  extendedKeyUsage?: readonly string[];
}

function badCsr(message: string): never {
  throw new PkiError('bad-csr', message);
}

// ---------------------------------------------------------------------------------------------
// IOS policy helpers

/** Where IOS's identity values come from (`hostname`.`ip domain-name`, `serial-number`, `ip-address`). */
export interface IosSubjectParams {
  /** the parsed `subject-name` (parseX500Name), if configured; kept in the order written */
  subjectName?: readonly Attribute[];
  /** the FQDN → unstructuredName (IA5String) */
  fqdn?: string;
  /** the router serial number → serialNumber (PrintableString) */
  serialNumber?: string;
  /** the IP address (v4 or v6 text; the caller resolves `ip-address ethernet0`) → unstructuredAddress (PrintableString) */
  ipAddress?: string;
}

/**
 * The subject IOS requests: the `subject-name` attributes, each its own RDN in the order
 * written, then one RDN holding the FQDN (unstructuredName), serial number (serialNumber)
 * and IP address (unstructuredAddress) that were asked for — one multi-valued RDN, sorted
 * as DER requires, as IOS shows it (`serialNumber=…+ipaddress=…+hostname=…`). With no
 * `subject-name` the subject is that RDN alone (the guide's requests: `hostname=` only).
 *
 * @remarks Choices: the `subject-name` order is kept as written (string order = DER order,
 * as OpenSSL's `-subj` does and as the rest of this code base prints names); the identity
 * RDN goes last (most specific in DER order).
 */
export function iosSubject(p: IosSubjectParams): Rdn[] {
  const rdns: Rdn[] = [...(p.subjectName ?? [])];
  const id: Attribute[] = [];
  if (p.fqdn) id.push({ oid: OID.unstructuredName, short: shortNameOf(OID.unstructuredName), value: p.fqdn });
  if (p.serialNumber) id.push({ oid: OID.serialNumber, short: shortNameOf(OID.serialNumber), value: p.serialNumber });
  if (p.ipAddress) {
    parseIp(p.ipAddress, 'csr.iosSubject');
    id.push({ oid: OID.unstructuredAddress, short: shortNameOf(OID.unstructuredAddress), value: p.ipAddress });
  }
  if (id.length === 1) rdns.push(id[0]!);
  else if (id.length > 1) rdns.push(id);
  return rdns;
}

/** IOS `usage` keywords (ca-trustpoint). */
export type IosUsage = 'ike' | 'ssl-client' | 'ssl-server';
/** Which key of a pair: general-purpose, or the signature / encryption key of `usage-keys`. */
export type IosKeyPurpose = 'general' | 'signature' | 'encryption';

/**
 * Maps IOS `usage` and the key purpose to requested keyUsage bits and EKU OIDs.
 *
 * keyUsage (RFC 5280 §4.2.1.3), from the key purpose and type:
 * - `signature` key: digitalSignature (the guide's signature-key request asks exactly this);
 * - `encryption` key: keyEncipherment for RSA (the guide's encryption certificate), keyAgreement
 *   for EC (an EC key cannot encipher);
 * - general-purpose: digitalSignature + keyEncipherment for RSA, digitalSignature for EC.
 *
 * extendedKeyUsage (RFC 5280 §4.2.1.12): `ssl-client` → clientAuth, `ssl-server` → serverAuth.
 * `ike` alone asks for no EKU — the guide's requests carry keyUsage only, and RFC 4945
 * §5.1.3.12 has IKE peers accept certificates without OID. When an SSL usage puts an EKU in
 * and `ike` is also wanted, id-kp-ipsecIKE is added so EKU-checking IKE peers still accept it.
 */
export function iosKeyUsage(usage: readonly IosUsage[], purpose: IosKeyPurpose, key: KeyInfo): { keyUsage: KeyUsageName[]; extendedKeyUsage: string[] } {
  const rsa = key.kind === 'rsa';
  const keyUsage: KeyUsageName[] =
    purpose === 'signature'
      ? ['digitalSignature']
      : purpose === 'encryption'
        ? [rsa ? 'keyEncipherment' : 'keyAgreement']
        : rsa
          ? ['digitalSignature', 'keyEncipherment']
          : ['digitalSignature'];
  const eku: string[] = [];
  if (usage.includes('ssl-client')) eku.push(OID.clientAuth);
  if (usage.includes('ssl-server')) eku.push(OID.serverAuth);
  if (eku.length && usage.includes('ike')) eku.push(OID.ipsecIKE);
  return { keyUsage, extendedKeyUsage: eku };
}

// ---------------------------------------------------------------------------------------------
// DER encoding of names and extensions (X.690 §10, §11; the writer is der.ts)

const { tlv, seq, setOf, oid, NULL, BOOLEAN_TRUE } = DER;
const INTEGER_0 = Uint8Array.of(0x02, 0x01, 0x00);
const enc = new TextEncoder();
const ascii = (s: string) => Uint8Array.from(s, (c) => c.charCodeAt(0));

const PRINTABLE = /^[A-Za-z0-9 '()+,\-./:=?]*$/;
const IA5 = /^[\x00-\x7f]*$/;

const printableString = (s: string) => tlv(0x13, ascii(s));
const ia5String = (s: string) => tlv(0x16, ascii(s));
const utf8String = (s: string) => tlv(0x0c, enc.encode(s));
/** DirectoryString (X.520): PrintableString when the characters allow, else UTF8String (RFC 5280 §4.1.2.4). */
const directoryString = (s: string) => (PRINTABLE.test(s) ? printableString(s) : utf8String(s));

/** The AttributeValue encoding for `oid` (X.520, RFC 4519, RFC 2985). */
function attributeValue(a: Attribute): Uint8Array {
  const v = a.value;
  if (v.length === 0) badCsr(`csr.build: empty value for ${a.short}`);
  switch (a.oid) {
    case OID.countryName:
      if (!/^[A-Za-z]{2}$/.test(v)) badCsr(`csr.build: country "${v}" must be a two-letter code`);
      return printableString(v);
    case OID.serialNumber:
    case OID.dnQualifier:
      if (!PRINTABLE.test(v)) badCsr(`csr.build: ${a.short} "${v}" has characters a PrintableString cannot hold`);
      return printableString(v);
    case OID.emailAddress:
    case OID.domainComponent:
      if (!IA5.test(v)) badCsr(`csr.build: ${a.short} "${v}" must be ASCII (IA5String)`);
      return ia5String(v);
    case OID.unstructuredName:
      // PKCS9String: IA5String, or DirectoryString when it does not fit (RFC 2985 §5.4.2)
      return IA5.test(v) ? ia5String(v) : utf8String(v);
    default:
      return directoryString(v);
  }
}

function rdnBytes(rdn: Rdn): Uint8Array {
  const list: readonly Attribute[] = Array.isArray(rdn) ? (rdn as readonly Attribute[]) : [rdn as Attribute];
  if (list.length === 0) badCsr('csr.build: empty RDN');
  const seen = new Set<string>();
  for (const a of list) {
    if (seen.has(a.oid)) badCsr(`csr.build: ${a.short} twice in one RDN`);
    seen.add(a.oid);
  }
  return setOf(list.map((a) => seq(oid(a.oid), attributeValue(a))));
}

/** Name ::= SEQUENCE OF RelativeDistinguishedName (RFC 5280 §4.1.2.4). */
function nameBytes(subject: readonly Rdn[]): Uint8Array {
  return seq(...subject.map(rdnBytes));
}

// ---------------------------------------------------------------------------------------------
// IP addresses (RFC 791 dotted quad; RFC 4291 §2.2 text forms, RFC 5952 output)

function parseIpv4(s: string): number[] | undefined {
  const parts = s.split('.');
  if (parts.length !== 4) return undefined;
  const out: number[] = [];
  for (const p of parts) {
    if (!/^(0|[1-9]\d{0,2})$/.test(p) || Number(p) > 255) return undefined;
    out.push(Number(p));
  }
  return out;
}

function parseIpv6(s: string): number[] | undefined {
  if (!/^[0-9A-Fa-f:.]+$/.test(s)) return undefined;
  const halves = s.split('::');
  if (halves.length > 2) return undefined;
  const groups = (h: string): number[] | undefined => {
    if (h === '') return [];
    const out: number[] = [];
    const parts = h.split(':');
    for (let i = 0; i < parts.length; i++) {
      const p = parts[i]!;
      if (i === parts.length - 1 && p.includes('.')) {
        const v4 = parseIpv4(p);
        if (!v4) return undefined;
        out.push((v4[0]! << 8) | v4[1]!, (v4[2]! << 8) | v4[3]!);
      } else {
        if (!/^[0-9A-Fa-f]{1,4}$/.test(p)) return undefined;
        out.push(parseInt(p, 16));
      }
    }
    return out;
  };
  const head = groups(halves[0]!);
  const tail = halves.length === 2 ? groups(halves[1]!) : [];
  if (!head || !tail) return undefined;
  if (halves.length === 2 ? head.length + tail.length > 7 : head.length !== 8) return undefined;
  const words = [...head, ...new Array<number>(8 - head.length - tail.length).fill(0), ...tail];
  return words.flatMap((w) => [w >> 8, w & 0xff]);
}

/** Parses an IPv4 or IPv6 address to its 4 or 16 bytes. Throws PkiError('bad-csr'). */
export function parseIp(text: string, op = 'csr.parseIp'): Uint8Array {
  const b = text.includes(':') ? parseIpv6(text) : parseIpv4(text);
  if (!b) badCsr(`${op}: "${text}" is not an IPv4 or IPv6 address`);
  return Uint8Array.from(b);
}

/** Formats 4 or 16 address bytes (RFC 5952 §4 for IPv6); other lengths as hex. */
export function formatIp(b: Uint8Array): string {
  if (b.length === 4) return Array.from(b).join('.');
  if (b.length !== 16) return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
  const w: number[] = [];
  for (let i = 0; i < 16; i += 2) w.push((b[i]! << 8) | b[i + 1]!);
  let best = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (w[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && w[j] === 0) j++;
    if (j - i > bestLen) {
      best = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = (a: number[]) => a.map((x) => x.toString(16)).join(':');
  return best < 0 ? hex(w) : `${hex(w.slice(0, best))}::${hex(w.slice(best + bestLen))}`;
}

// ---------------------------------------------------------------------------------------------
// Extensions

/** GeneralNames (RFC 5280 §4.2.1.6) for subjectAltName. */
function generalNames(names: readonly GeneralName[]): Uint8Array {
  return seq(
    ...names.map((n) => {
      const v = n.value;
      switch (n.type) {
        case 'dns':
          if (!/^(\*\.)?[A-Za-z0-9_]([A-Za-z0-9_-]*[A-Za-z0-9_])?(\.[A-Za-z0-9_]([A-Za-z0-9_-]*[A-Za-z0-9_])?)*\.?$/.test(v) || v.length > 253)
            badCsr(`csr.build: "${v}" is not a DNS name (use the ASCII/punycode form)`);
          return tlv(0x82, ascii(v));
        case 'ip':
          return tlv(0x87, parseIp(v, 'csr.build'));
        case 'email':
          if (!IA5.test(v) || !/^[^@\s]+@[^@\s]+$/.test(v)) badCsr(`csr.build: "${v}" is not an ASCII e-mail address`);
          return tlv(0x81, ascii(v));
        case 'uri':
          if (!IA5.test(v) || !/^[A-Za-z][A-Za-z0-9+.-]*:\S+$/.test(v)) badCsr(`csr.build: "${v}" is not an ASCII URI`);
          return tlv(0x86, ascii(v));
        default:
          throw new RangeError(`csr.build: unknown general name type ${JSON.stringify((n as { type: unknown }).type)}`);
      }
    }),
  );
}

/** KeyUsage ::= BIT STRING, DER named-bit form: trailing zero bits removed (X.690 §11.2.2). */
function keyUsageBits(names: readonly KeyUsageName[]): Uint8Array {
  let bits = 0;
  for (const n of names) {
    const i = KEY_USAGE_NAMES.indexOf(n);
    if (i < 0) throw new RangeError(`csr.build: unknown keyUsage "${n}"`);
    bits |= 1 << i;
  }
  let high = 0;
  for (let i = 0; i < 9; i++) if (bits & (1 << i)) high = i;
  const nbytes = (high >> 3) + 1;
  const out = new Uint8Array(1 + nbytes);
  out[0] = 7 - (high & 7);
  for (let i = 0; i <= high; i++) if (bits & (1 << i)) out[1 + (i >> 3)]! |= 0x80 >> (i & 7);
  return tlv(0x03, out);
}

/** Extension ::= SEQUENCE { extnID, critical BOOLEAN DEFAULT FALSE, extnValue OCTET STRING } */
function extension(id: string, critical: boolean, value: Uint8Array): Uint8Array {
  return critical ? seq(oid(id), BOOLEAN_TRUE, tlv(0x04, value)) : seq(oid(id), tlv(0x04, value));
}

function extensionsOf(p: CsrParams): Uint8Array[] {
  const exts: Uint8Array[] = [];
  if (p.keyUsage && p.keyUsage.length) exts.push(extension(OID.keyUsage, true, keyUsageBits(p.keyUsage)));
  if (p.extendedKeyUsage && p.extendedKeyUsage.length) {
    const ids = [...new Set(p.extendedKeyUsage)];
    exts.push(extension(OID.extKeyUsage, false, seq(...ids.map(oid))));
  }
  if (p.subjectAltName && p.subjectAltName.length) exts.push(extension(OID.subjectAltName, p.subject.length === 0, generalNames(p.subjectAltName)));
  return exts;
}

// ---------------------------------------------------------------------------------------------
// Building

/** The signatureAlgorithm a signer uses with `hash` (or its default) and the hash chosen. */
export function csrSignatureAlgorithm(signer: Signer, hash?: HashAlg): { hash: HashAlg; oid: string; der: Uint8Array } {
  const kind = signer.key.kind;
  const h: HashAlg = hash ?? (kind === 'ec' ? CURVE_HASH[signer.key.curve] : signer.hashes.includes('SHA-256') ? 'SHA-256' : (signer.hashes[0] ?? 'SHA-256'));
  // RFC 8017 App. C / RFC 5758 §3.2 signatures with MD5 (RSA only), SHA-1 and SHA-2 (no SHA-512/t)
  const id = h === 'SHA-512/224' || h === 'SHA-512/256' ? undefined : signatureOid(kind, h);
  if (!id) throw new PkiError('unsupported', `csr.build: no ${kind === 'rsa' ? 'RSA' : 'ECDSA'} signature algorithm with ${h}`);
  if (!signer.hashes.includes(h)) throw new PkiError('unsupported', `csr.build: this key cannot sign with ${h} (it signs with ${signer.hashes.join(', ')})`);
  // RSA AlgorithmIdentifiers carry NULL parameters (RFC 8017 App. C); ECDSA ones none (RFC 5758 §3.2).
  return { hash: h, oid: id, der: kind === 'rsa' ? seq(oid(id), NULL) : seq(oid(id)) };
}

/**
 * Builds and signs a PKCS#10 request (RFC 2986 §4) with `signer`, hashing with `hash` (default:
 * SHA-256 for RSA, the curve's hash for ECDSA: P-256 SHA-256, P-384 SHA-384, P-521 SHA-512).
 * Returns the DER. Throws PkiError('bad-csr') for values that cannot be encoded,
 * PkiError('unsupported') for a hash the signer cannot use; `signal` goes to the signer
 * (an abort rejects with its AbortError).
 */
export async function buildCsr(params: CsrParams, signer: Signer, hash?: HashAlg, signal?: AbortSignal): Promise<Uint8Array> {
  const alg = csrSignatureAlgorithm(signer, hash);
  if (params.subject.length === 0 && !(params.subjectAltName && params.subjectAltName.length))
    badCsr('csr.build: the subject is empty and there is no subjectAltName');
  derCheck(signer.spki, { what: 'csr.build: the signer public key' });
  const attributes: Uint8Array[] = [];
  const pw = params.challengePassword;
  if (pw !== undefined) {
    if (pw.length === 0 || pw.length > 255) badCsr('csr.build: the challenge password must be 1 to 255 characters');
    attributes.push(seq(oid(OID.challengePassword), setOf([directoryString(pw)])));
  }
  const exts = extensionsOf(params);
  if (exts.length) attributes.push(seq(oid(OID.extensionRequest), setOf([seq(...exts)])));
  const info = seq(INTEGER_0, nameBytes(params.subject), signer.spki, setOf(attributes, 0xa0));
  const sig = await signer.sign(info, alg.hash, signal);
  if (signer.key.kind === 'ec') derCheck(sig, { what: 'csr.build: the ECDSA signature' });
  return seq(info, alg.der, tlv(0x03, Uint8Array.of(0), sig));
}

// ---------------------------------------------------------------------------------------------
// Parsing

/** A subjectAltName entry as read: the four types above, or 'other' with the hex of the entry. */
export interface ParsedGeneralName {
  type: GeneralNameType | 'other';
  value: string;
}

/** A request, decoded for `show` and inspection. */
export interface CsrView {
  /** CertificationRequestInfo as sent: the bytes the signature covers */
  info: Uint8Array;
  /** subject attributes, flattened, in DER order */
  subject: Attribute[];
  /** the same, grouped by RDN */
  subjectRdns: Attribute[][];
  /** SubjectPublicKeyInfo DER as sent */
  spki: Uint8Array;
  publicKey: KeyInfo | { kind: 'other'; algorithm: string };
  /** every attribute: type and the DER of each value */
  attributes: { oid: string; values: Uint8Array[] }[];
  /** the challengePassword attribute (a secret: redact when displaying) */
  challengePassword?: string;
  /** the extensionRequest contents */
  extensions: { oid: string; critical: boolean; value: Uint8Array }[];
  subjectAltName?: ParsedGeneralName[];
  keyUsage?: KeyUsageName[];
  extendedKeyUsage?: string[];
  signatureAlgorithm: string;
  /** DER of the AlgorithmIdentifier parameters, if any */
  signatureParameters?: Uint8Array;
  signature: Uint8Array;
  /** the self-signature checked with `verify`; undefined when no VerifyFn was given */
  signatureValid?: boolean;
}

const LATIN1 = new TextDecoder('latin1');
const UTF8 = new TextDecoder('utf-8', { fatal: true });

/** Decodes a string-typed value (X.680 string types) to text; other types as `#hex` (RFC 4514 §2.4). */
function stringValue(der: Uint8Array, t: Tlv): string {
  const c = der.subarray(t.contentStart, t.contentEnd);
  switch (t.tag) {
    case 0x0c:
      try {
        return UTF8.decode(c);
      } catch {
        badCsr('csr.parse: invalid UTF-8 in a UTF8String');
      }
    case 0x12:
    case 0x13:
    case 0x14:
    case 0x16:
    case 0x1a:
      return LATIN1.decode(c);
    case 0x1e: {
      let s = '';
      for (let i = 0; i + 1 < c.length; i += 2) s += String.fromCharCode((c[i]! << 8) | c[i + 1]!);
      return s;
    }
    case 0x1c: {
      let s = '';
      for (let i = 0; i + 3 < c.length; i += 4) {
        const cp = ((c[i]! << 24) | (c[i + 1]! << 16) | (c[i + 2]! << 8) | c[i + 3]!) >>> 0;
        if (cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) badCsr('csr.parse: invalid code point in a UniversalString');
        s += String.fromCodePoint(cp);
      }
      return s;
    }
    default:
      return '#' + Array.from(der.subarray(t.start, t.end), (x) => x.toString(16).padStart(2, '0')).join('');
  }
}

function expectTag(t: Tlv | undefined, tag: number, what: string): Tlv {
  if (!t || t.tag !== tag) badCsr(`csr.parse: ${what}`);
  return t;
}

function oidOf(der: Uint8Array, t: Tlv | undefined, what: string): string {
  const o = expectTag(t, 0x06, what);
  return decodeOid(der.subarray(o.contentStart, o.contentEnd), what);
}

function parseName(der: Uint8Array, name: Tlv): Attribute[][] {
  return derChildren(der, name, BER).map((rdn) => {
    expectTag(rdn, 0x31, 'subject RDN is not a SET');
    const atvs = derChildren(der, rdn, BER);
    if (atvs.length === 0) badCsr('csr.parse: empty RDN in the subject');
    return atvs.map((atv) => {
      const [type, value] = derChildren(der, expectTag(atv, 0x30, 'subject attribute is not a SEQUENCE'), BER);
      const id = oidOf(der, type, 'subject attribute without a type');
      if (!value) badCsr('csr.parse: subject attribute without a value');
      return { oid: id, short: shortNameOf(id), value: escapeControls(stringValue(der, value)) };
    });
  });
}

function bitLength(b: Uint8Array): number {
  let i = 0;
  while (i < b.length && b[i] === 0) i++;
  if (i === b.length) return 0;
  return (b.length - i - 1) * 8 + (32 - Math.clz32(b[i]!));
}

function publicKeyOf(der: Uint8Array, spki: Tlv): CsrView['publicKey'] {
  const [algId, key] = derChildren(der, spki, BER);
  const [algOid, algParams] = derChildren(der, expectTag(algId, 0x30, 'public key algorithm is not a SEQUENCE'), BER);
  const algorithm = oidOf(der, algOid, 'public key algorithm without an OID');
  const bits = expectTag(key, 0x03, 'public key is not a BIT STRING');
  if (algorithm === OID.rsaEncryption) {
    try {
      const rsa = readTlv(der, bits.contentStart + 1, bits.contentEnd, BER);
      const n = derChildren(der, rsa, BER)[0];
      if (rsa.tag === 0x30 && n && n.tag === 0x02) return { kind: 'rsa', bits: bitLength(der.subarray(n.contentStart, n.contentEnd)) };
    } catch {
      /* fall through */
    }
    badCsr('csr.parse: malformed RSA public key');
  }
  if (algorithm === OID.ecPublicKey && algParams && algParams.tag === 0x06) {
    const curve = curveOfOid(oidOf(der, algParams, ''))?.curve;
    if (curve) return { kind: 'ec', curve };
  }
  return { kind: 'other', algorithm };
}

function parseExtensions(der: Uint8Array, exts: Tlv, view: CsrView): void {
  for (const e of derChildren(der, expectTag(exts, 0x30, 'extensionRequest is not a SEQUENCE'), BER)) {
    const parts = derChildren(der, expectTag(e, 0x30, 'extension is not a SEQUENCE'), BER);
    const id = oidOf(der, parts[0], 'extension without an OID');
    let critical = false;
    let k = 1;
    if (parts[k]?.tag === 0x01) critical = der[parts[k++]!.contentStart] !== 0;
    const v = expectTag(parts[k], 0x04, `extension ${id} without an OCTET STRING value`);
    const value = der.subarray(v.contentStart, v.contentEnd);
    view.extensions.push({ oid: id, critical, value });
    const what = `csr.parse: extension ${id}`;
    if (id === OID.keyUsage) {
      derCheck(value, { what });
      const b = expectTag(readTlv(value, 0, value.length, BER), 0x03, 'keyUsage is not a BIT STRING');
      const bytes = value.subarray(b.contentStart + 1, b.contentEnd);
      view.keyUsage = KEY_USAGE_NAMES.filter((_, i) => ((bytes[i >> 3] ?? 0) & (0x80 >> (i & 7))) !== 0);
    } else if (id === OID.extKeyUsage) {
      derCheck(value, { what });
      view.extendedKeyUsage = derChildren(value, expectTag(readTlv(value, 0, value.length, BER), 0x30, 'extKeyUsage is not a SEQUENCE'), BER).map((o) => oidOf(value, o, 'extKeyUsage entry is not an OID'));
    } else if (id === OID.subjectAltName) {
      derCheck(value, { what });
      view.subjectAltName = derChildren(value, expectTag(readTlv(value, 0, value.length, BER), 0x30, 'subjectAltName is not a SEQUENCE'), BER).map((g) => {
        const c = value.subarray(g.contentStart, g.contentEnd);
        switch (g.tag) {
          case 0x81:
            return { type: 'email', value: LATIN1.decode(c) };
          case 0x82:
            return { type: 'dns', value: LATIN1.decode(c) };
          case 0x86:
            return { type: 'uri', value: LATIN1.decode(c) };
          case 0x87:
            return { type: 'ip', value: formatIp(c) };
          default:
            return { type: 'other', value: Array.from(value.subarray(g.start, g.end), (x) => x.toString(16).padStart(2, '0')).join('') };
        }
      });
    }
  }
}

/**
 * Parses a DER PKCS#10 request (RFC 2986 §4) into a view. Strict about the encoding (one
 * DER element, nothing after it). With `verify`, checks the self-signature over the
 * CertificationRequestInfo bytes as sent. Throws PkiError('bad-der' | 'bad-csr').
 */
export async function parseCsr(der: Uint8Array, verify?: VerifyFn): Promise<CsrView> {
  derCheck(der, { what: 'csr.parse' });
  const top = readTlv(der, 0, der.length, BER);
  const [infoT, algT, sigT] = derChildren(der, expectTag(top, 0x30, 'not a SEQUENCE'), BER);
  const infoParts = derChildren(der, expectTag(infoT, 0x30, 'no CertificationRequestInfo'), BER);
  const version = expectTag(infoParts[0], 0x02, 'no version');
  if (version.contentEnd - version.contentStart !== 1 || der[version.contentStart] !== 0) badCsr('csr.parse: version is not v1 (0)');
  const nameT = expectTag(infoParts[1], 0x30, 'no subject Name');
  const spkiT = expectTag(infoParts[2], 0x30, 'no SubjectPublicKeyInfo');
  const attrsT = infoParts[3];
  if (attrsT && attrsT.tag !== 0xa0) badCsr('csr.parse: attributes are not [0]');
  if (infoParts.length > 4) badCsr('csr.parse: unexpected fields after the attributes');
  const algParts = derChildren(der, expectTag(algT, 0x30, 'no signatureAlgorithm'), BER);
  const sigBits = expectTag(sigT, 0x03, 'no signature BIT STRING');
  if (der[sigBits.contentStart] !== 0) badCsr('csr.parse: signature BIT STRING with unused bits');
  if (top.contentEnd !== sigBits.end) badCsr('csr.parse: unexpected fields after the signature');
  const subjectRdns = parseName(der, nameT);
  const view: CsrView = {
    info: der.subarray(infoT!.start, infoT!.end),
    subject: subjectRdns.flat(),
    subjectRdns,
    spki: der.subarray(spkiT.start, spkiT.end),
    publicKey: publicKeyOf(der, spkiT),
    attributes: [],
    extensions: [],
    signatureAlgorithm: oidOf(der, algParts[0], 'signatureAlgorithm without an OID'),
    signature: der.subarray(sigBits.contentStart + 1, sigBits.contentEnd),
  };
  if (algParts[1]) view.signatureParameters = der.subarray(algParts[1].start, algParts[1].end);
  for (const a of attrsT ? derChildren(der, attrsT, BER) : []) {
    const [typeT, valuesT] = derChildren(der, expectTag(a, 0x30, 'attribute is not a SEQUENCE'), BER);
    const id = oidOf(der, typeT, 'attribute without a type');
    const values = derChildren(der, expectTag(valuesT, 0x31, `attribute ${id} without a SET of values`), BER);
    view.attributes.push({ oid: id, values: values.map((v) => der.subarray(v.start, v.end)) });
    if (id === OID.challengePassword && values[0]) view.challengePassword = stringValue(der, values[0]);
    if (id === OID.extensionRequest && values[0]) parseExtensions(der, values[0], view);
  }
  if (verify) {
    const args: Parameters<VerifyFn>[0] = { algorithm: view.signatureAlgorithm, spki: view.spki, data: view.info, signature: view.signature };
    if (view.signatureParameters && !(view.signatureParameters.length === 2 && view.signatureParameters[0] === 0x05)) args.parameters = view.signatureParameters;
    view.signatureValid = await verify(args);
  }
  return view;
}

/**
 * The X.509 encoders of this module, for the other builders of `pki/` (the self-signed
 * certificate of certgen.ts) so that names and extensions are encoded one way only.
 */
export const X509_DER = { nameBytes, keyUsageBits, extension, generalNames } as const;
