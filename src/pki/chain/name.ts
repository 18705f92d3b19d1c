/**
 * X.500 names and GeneralNames as the chain validator sees them.
 *
 * ```asn1
 * Name ::= CHOICE { rdnSequence RDNSequence }
 * RDNSequence ::= SEQUENCE OF RelativeDistinguishedName
 * RelativeDistinguishedName ::= SET SIZE (1..MAX) OF AttributeTypeAndValue
 * AttributeTypeAndValue ::= SEQUENCE { type AttributeType, value AttributeValue }
 *
 * GeneralName ::= CHOICE {
 *   otherName [0] OtherName, rfc822Name [1] IA5String, dNSName [2] IA5String,
 *   x400Address [3] ORAddress, directoryName [4] Name, ediPartyName [5] EDIPartyName,
 *   uniformResourceIdentifier [6] IA5String, iPAddress [7] OCTET STRING,
 *   registeredID [8] OBJECT IDENTIFIER }
 * ```
 *
 * Names are compared as RFC 5280 §7.1 asks: attribute values of the directory string types
 * are compared after Unicode decoding, trimming, collapsing inner white space and case folding
 * (a practical subset of RFC 4518 string preparation); other values byte for byte. Each Name
 * carries a `key` built that way, so equality is a string comparison.
 */
import { shortNameOf } from '../names.ts';
import { formatX500Name } from '../names.ts';
import { contentOf, DerCursor, DerError, decodeOid, hex, rawOf, TAG, type Tlv } from './_der.ts';

/** One attribute of a relative distinguished name. */
export interface Ava {
  oid: string;
  /** universal tag of the value (e.g. 0x0c UTF8String) */
  tag: number;
  value: Uint8Array;
}

/** A parsed Name: the DER as received, the RDNs in order, and the comparison key. */
export interface Name {
  der: Uint8Array;
  rdns: Ava[][];
  /** normalized form: equal keys ⇔ equal names under RFC 5280 §7.1 */
  key: string;
}

const STRING_TAGS = new Set<number>([TAG.UTF8_STRING, TAG.PRINTABLE_STRING, TAG.TELETEX_STRING, TAG.IA5_STRING, TAG.VISIBLE_STRING, TAG.UNIVERSAL_STRING, TAG.BMP_STRING]);
const utf8 = new TextDecoder('utf-8', { fatal: true });

/** The text of a directory string value, or undefined when it cannot be decoded. */
export function decodeString(tag: number, v: Uint8Array): string | undefined {
  try {
    switch (tag) {
      case TAG.UTF8_STRING:
        return utf8.decode(v);
      case TAG.PRINTABLE_STRING:
      case TAG.IA5_STRING:
      case TAG.VISIBLE_STRING: {
        let s = '';
        for (const x of v) {
          if (x > 0x7f) return undefined;
          s += String.fromCharCode(x);
        }
        return s;
      }
      case TAG.TELETEX_STRING: {
        // T.61 in theory; Latin-1 in practice.
        let s = '';
        for (const x of v) s += String.fromCharCode(x);
        return s;
      }
      case TAG.BMP_STRING: {
        if (v.length % 2) return undefined;
        let s = '';
        for (let i = 0; i < v.length; i += 2) s += String.fromCharCode((v[i]! << 8) | v[i + 1]!);
        return s;
      }
      case TAG.UNIVERSAL_STRING: {
        if (v.length % 4) return undefined;
        let s = '';
        for (let i = 0; i < v.length; i += 4) s += String.fromCodePoint(((v[i]! << 24) | (v[i + 1]! << 16) | (v[i + 2]! << 8) | v[i + 3]!) >>> 0);
        return s;
      }
    }
  } catch {
    return undefined;
  }
  return undefined;
}

/** RFC 4518-style preparation for comparisons: trim, collapse white space, case fold. */
function prepare(s: string): string {
  return s.normalize('NFKC').trim().replace(/\s+/g, ' ').toLowerCase();
}

function avaKey(a: Ava): string {
  const text = STRING_TAGS.has(a.tag) ? decodeString(a.tag, a.value) : undefined;
  if (text !== undefined) return `${a.oid}=${JSON.stringify(prepare(text))}`;
  return `${a.oid}#${a.tag.toString(16)}:${hex(a.value)}`;
}

/** Parses a Name TLV (an RDNSequence) out of `b`. */
export function parseName(b: Uint8Array, t: Tlv, what: string): Name {
  if (t.tag !== TAG.SEQUENCE) throw new DerError(`der: ${what}: Name is not a SEQUENCE`);
  const rdns: Ava[][] = [];
  const keys: string[] = [];
  const c = DerCursor.of(b, t);
  while (!c.done) {
    const set = c.take(TAG.SET, `${what} RDN`);
    const sc = DerCursor.of(b, set);
    const avas: Ava[] = [];
    while (!sc.done) {
      const seq = sc.take(TAG.SEQUENCE, `${what} attribute`);
      const ac = DerCursor.of(b, seq);
      const oid = decodeOid(contentOf(b, ac.take(TAG.OID, `${what} attribute type`)), `${what} attribute type`);
      const val = ac.next(`${what} attribute value`);
      ac.finish(`${what} attribute`);
      avas.push({ oid, tag: val.tag, value: contentOf(b, val) });
    }
    if (!avas.length) throw new DerError(`der: ${what}: empty RDN`);
    rdns.push(avas);
    keys.push(avas.map(avaKey).sort().join('+'));
  }
  return { der: rawOf(b, t), rdns, key: keys.join(',') };
}

/**
 * The AVAs of an IMPLICIT RelativeDistinguishedName (`nameRelativeToCRLIssuer` of a
 * DistributionPointName, RFC 5280 §4.2.1.13): the content of `t` is a SET OF AttributeTypeAndValue.
 */
export function parseRelativeName(b: Uint8Array, t: Tlv, what: string): Ava[] {
  const sc = DerCursor.of(b, t);
  const avas: Ava[] = [];
  while (!sc.done) {
    const ac = DerCursor.of(b, sc.take(TAG.SEQUENCE, `${what} attribute`));
    const oid = decodeOid(contentOf(b, ac.take(TAG.OID, `${what} attribute type`)), `${what} attribute type`);
    const val = ac.next(`${what} attribute value`);
    ac.finish(`${what} attribute`);
    avas.push({ oid, tag: val.tag, value: contentOf(b, val) });
  }
  if (!avas.length) throw new DerError(`der: ${what}: empty RDN`);
  return avas;
}

/** The comparison key of `base` with one more RDN appended (RFC 5280 §4.2.1.13, §5.2.5). */
export function appendRdnKey(base: Name, rdn: readonly Ava[]): string {
  const k = rdn.map(avaKey).sort().join('+');
  return base.key ? `${base.key},${k}` : k;
}

/** True when `prefix`'s RDNs are the first RDNs of `name` (directoryName constraints, §4.2.1.10). */
export function nameHasPrefix(name: Name, prefix: Name): boolean {
  if (prefix.rdns.length > name.rdns.length) return false;
  for (let i = 0; i < prefix.rdns.length; i++) {
    const a = prefix.rdns[i]!.map(avaKey).sort().join('+');
    const b = name.rdns[i]!.map(avaKey).sort().join('+');
    if (a !== b) return false;
  }
  return true;
}

/** The decoded values of the attributes of type `oid`, in order. */
export function attributeValues(name: Name, oid: string): string[] {
  const out: string[] = [];
  for (const rdn of name.rdns) for (const a of rdn) if (a.oid === oid) out.push(decodeString(a.tag, a.value) ?? '');
  return out;
}

/** `CN=Root A, O=Example` (short names, certificate order) for messages. */
export function formatName(name: Name): string {
  if (!name.rdns.length) return '(empty name)';
  return formatX500Name(
    name.rdns.flat().map((a) => ({ oid: a.oid, short: shortNameOf(a.oid), value: decodeString(a.tag, a.value) ?? `#${hex(a.value)}` })),
  );
}

/** A parsed GeneralName; `raw` is the whole TLV. */
export type GeneralName =
  | { type: 'dns' | 'email' | 'uri'; text: string; raw: Uint8Array }
  | { type: 'ip'; bytes: Uint8Array; raw: Uint8Array }
  | { type: 'dn'; name: Name; raw: Uint8Array }
  | { type: 'other' | 'x400' | 'edi' | 'rid'; raw: Uint8Array };

/** Parses one GeneralName TLV (RFC 5280 §4.2.1.6). IA5String forms must be ASCII. */
export function parseGeneralName(b: Uint8Array, t: Tlv, what: string): GeneralName {
  const raw = rawOf(b, t);
  const ia5 = () => {
    const s = decodeString(TAG.IA5_STRING, contentOf(b, t));
    if (s === undefined) throw new DerError(`der: ${what}: IA5String with non-ASCII bytes`);
    return s;
  };
  switch (t.tag) {
    case 0xa0:
      return { type: 'other', raw };
    case 0x81:
      return { type: 'email', text: ia5(), raw };
    case 0x82:
      return { type: 'dns', text: ia5(), raw };
    case 0xa3:
      return { type: 'x400', raw };
    case 0xa4: {
      const c = DerCursor.of(b, t);
      const inner = c.next(`${what} directoryName`);
      c.finish(`${what} directoryName`);
      return { type: 'dn', name: parseName(b, inner, `${what} directoryName`), raw };
    }
    case 0xa5:
      return { type: 'edi', raw };
    case 0x86:
      return { type: 'uri', text: ia5(), raw };
    case 0x87:
      return { type: 'ip', bytes: contentOf(b, t), raw };
    case 0x88:
      decodeOid(contentOf(b, t), `${what} registeredID`);
      return { type: 'rid', raw };
    default:
      throw new DerError(`der: ${what}: unknown GeneralName tag 0x${t.tag.toString(16)}`);
  }
}

/** Parses GeneralNames (a SEQUENCE SIZE (1..MAX) OF GeneralName). */
export function parseGeneralNames(b: Uint8Array, t: Tlv, what: string): GeneralName[] {
  if (t.tag !== TAG.SEQUENCE) throw new DerError(`der: ${what}: GeneralNames is not a SEQUENCE`);
  const out: GeneralName[] = [];
  const c = DerCursor.of(b, t);
  while (!c.done) out.push(parseGeneralName(b, c.next(what), what));
  if (!out.length) throw new DerError(`der: ${what}: empty GeneralNames`);
  return out;
}

/** A GeneralName for messages (`DNS:example.com`, `IP:192.0.2.1`, ...). */
export function formatGeneralName(g: GeneralName): string {
  switch (g.type) {
    case 'dns':
      return `DNS:${g.text}`;
    case 'email':
      return `email:${g.text}`;
    case 'uri':
      return `URI:${g.text}`;
    case 'ip':
      return `IP:${formatIp(g.bytes)}`;
    case 'dn':
      return `DirName:${formatName(g.name)}`;
    default:
      return `${g.type}Name`;
  }
}

/** An IPv4/IPv6 address (or address+mask) for messages. */
export function formatIp(b: Uint8Array): string {
  const v4 = (x: Uint8Array) => Array.from(x).join('.');
  const v6 = (x: Uint8Array) => {
    const parts: string[] = [];
    for (let i = 0; i < 16; i += 2) parts.push(((x[i]! << 8) | x[i + 1]!).toString(16));
    return parts.join(':').replace(/(^|:)0(:0)+(:|$)/, '::').replace(/:{3,}/, '::');
  };
  if (b.length === 4) return v4(b);
  if (b.length === 16) return v6(b);
  if (b.length === 8) return `${v4(b.subarray(0, 4))}/${v4(b.subarray(4))}`;
  if (b.length === 32) return `${v6(b.subarray(0, 16))}/${v6(b.subarray(16))}`;
  return `#${hex(b)}`;
}
