/**
 * PKI helpers of the FAKE SCEP responder (tests/fakes/fake-scep.ts): a tiny DER writer, a BER
 * reader, certificate field extraction, the CMS structures a SCEP server emits (RFC 5652
 * SignedData / EnvelopedData, RFC 8894 §3) and an async `openssl` runner.
 *
 * Deliberately independent of `src/`: it is the referee of the code in `src/`, so it must not
 * share its bugs. Node's `crypto` signs, hashes, encrypts (AES/3DES, RSA PKCS#1 v1.5 *public*
 * encryption); private-key RSA PKCS#1 v1.5 *decryption* is done by the `openssl` CLI because
 * Node 20 refuses it (CVE-2023-46809).
 */
import { spawn } from 'node:child_process';
import * as nc from 'node:crypto';

// ---------------------------------------------------------------------------------------------
// OIDs (RFC 5652, RFC 8017, RFC 5280, RFC 8894 §3.2.1, RFC 2985)

/** Object identifiers used by the fake. */
export const OID = {
  data: '1.2.840.113549.1.7.1',
  signedData: '1.2.840.113549.1.7.2',
  envelopedData: '1.2.840.113549.1.7.3',
  contentType: '1.2.840.113549.1.9.3',
  messageDigest: '1.2.840.113549.1.9.4',
  signingTime: '1.2.840.113549.1.9.5',
  challengePassword: '1.2.840.113549.1.9.7',
  rsaEncryption: '1.2.840.113549.1.1.1',
  rsassaPss: '1.2.840.113549.1.1.10',
  sha1: '1.3.14.3.2.26',
  sha224: '2.16.840.1.101.3.4.2.4',
  sha256: '2.16.840.1.101.3.4.2.1',
  sha384: '2.16.840.1.101.3.4.2.2',
  sha512: '2.16.840.1.101.3.4.2.3',
  md5: '1.2.840.113549.2.5',
  aes128cbc: '2.16.840.1.101.3.4.1.2',
  aes192cbc: '2.16.840.1.101.3.4.1.22',
  aes256cbc: '2.16.840.1.101.3.4.1.42',
  desCbc: '1.3.14.3.2.7',
  desEde3Cbc: '1.2.840.113549.3.7',
  subjectKeyIdentifier: '2.5.29.14',
  // SCEP attributes, RFC 8894 §3.2.1
  scepMessageType: '2.16.840.1.113733.1.9.2',
  scepPkiStatus: '2.16.840.1.113733.1.9.3',
  scepFailInfo: '2.16.840.1.113733.1.9.4',
  scepSenderNonce: '2.16.840.1.113733.1.9.5',
  scepRecipientNonce: '2.16.840.1.113733.1.9.6',
  scepTransactionId: '2.16.840.1.113733.1.9.7',
  /** id-aa-... failInfoText, RFC 8894 §3.2.1.4 (1.3.6.1.5.5.7.24.1) */
  scepFailInfoText: '1.3.6.1.5.5.7.24.1',
} as const;

/** Digest algorithm OID → Node hash name (RFC 5754, RFC 3370). */
export const DIGEST_NAMES: Record<string, string> = {
  [OID.md5]: 'md5',
  [OID.sha1]: 'sha1',
  [OID.sha224]: 'sha224',
  [OID.sha256]: 'sha256',
  [OID.sha384]: 'sha384',
  [OID.sha512]: 'sha512',
};

// ---------------------------------------------------------------------------------------------
// DER writer (X.690 §8 / §10)

/** Concatenates byte arrays. */
export function concat(...parts: Uint8Array[]): Uint8Array {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

function lengthBytes(n: number): Uint8Array {
  if (n < 0x80) return Uint8Array.of(n);
  const bytes: number[] = [];
  for (let v = n; v > 0; v = Math.floor(v / 256)) bytes.unshift(v & 0xff);
  return Uint8Array.of(0x80 | bytes.length, ...bytes);
}

/** One DER TLV with a single-byte identifier `tag` (X.690 §8.1). */
export function tlv(tag: number, ...content: Uint8Array[]): Uint8Array {
  const body = concat(...content);
  return concat(Uint8Array.of(tag), lengthBytes(body.length), body);
}

/** SEQUENCE. */
export const seq = (...items: Uint8Array[]): Uint8Array => tlv(0x30, ...items);
/** SET in the given order (use `setOf` for a DER SET OF). */
export const set = (...items: Uint8Array[]): Uint8Array => tlv(0x31, ...items);
/** DER SET OF: elements sorted by their encodings (X.690 §11.6). */
export const setOf = (...items: Uint8Array[]): Uint8Array => tlv(0x31, ...sortDer(items));
/** OCTET STRING. */
export const octets = (b: Uint8Array): Uint8Array => tlv(0x04, b);
/** NULL. */
export const derNull = (): Uint8Array => Uint8Array.of(0x05, 0x00);
/** PrintableString (no character check: the fake may be asked to emit anything). */
export const printable = (s: string): Uint8Array => tlv(0x13, new Uint8Array(Buffer.from(s, 'latin1')));
/** UTF8String. */
export const utf8 = (s: string): Uint8Array => tlv(0x0c, new Uint8Array(Buffer.from(s, 'utf8')));
/** Context-specific constructed [n] (EXPLICIT, or IMPLICIT of a constructed type). */
export const ctx = (n: number, ...items: Uint8Array[]): Uint8Array => tlv(0xa0 | n, ...items);
/** Context-specific primitive [n] IMPLICIT. */
export const ctxPrim = (n: number, b: Uint8Array): Uint8Array => tlv(0x80 | n, b);

/** INTEGER from a non-negative safe integer. */
export function int(n: number): Uint8Array {
  const bytes: number[] = [];
  let v = n;
  do {
    bytes.unshift(v & 0xff);
    v = Math.floor(v / 256);
  } while (v > 0);
  if ((bytes[0] ?? 0) & 0x80) bytes.unshift(0);
  return tlv(0x02, Uint8Array.from(bytes));
}

/** OBJECT IDENTIFIER from dotted notation (X.690 §8.19). */
export function oid(dotted: string): Uint8Array {
  const arcs = dotted.split('.').map((a) => BigInt(a));
  const first = (arcs[0] ?? 0n) * 40n + (arcs[1] ?? 0n);
  const out: number[] = [];
  for (const arc of [first, ...arcs.slice(2)]) {
    const groups: number[] = [];
    let v = arc;
    do {
      groups.unshift(Number(v & 0x7fn));
      v >>= 7n;
    } while (v > 0n);
    for (let i = 0; i < groups.length - 1; i++) groups[i] = (groups[i] ?? 0) | 0x80;
    out.push(...groups);
  }
  return tlv(0x06, Uint8Array.from(out));
}

/** AlgorithmIdentifier { oid, params } (params omitted when undefined). */
export const algId = (o: string, params?: Uint8Array): Uint8Array => (params ? seq(oid(o), params) : seq(oid(o)));

/** Sorts DER encodings as X.690 §11.6 orders SET OF components (plain byte order suffices for TLVs). */
export function sortDer(items: Uint8Array[]): Uint8Array[] {
  return [...items].sort(compareBytes);
}

/** Lexicographic byte comparison. */
export function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const d = (a[i] ?? 0) - (b[i] ?? 0);
    if (d !== 0) return d;
  }
  return a.length - b.length;
}

/** Byte equality. */
export function equalBytes(a: Uint8Array | undefined, b: Uint8Array | undefined): boolean {
  return !!a && !!b && a.length === b.length && compareBytes(a, b) === 0;
}

// ---------------------------------------------------------------------------------------------
// BER reader (X.690 §8.1: definite and indefinite lengths, constructed forms)

/** A parsed TLV; offsets index the buffer it was read from. */
export interface Node {
  buf: Uint8Array;
  /** 0 universal, 1 application, 2 context, 3 private */
  cls: number;
  constructed: boolean;
  tag: number;
  start: number;
  contentStart: number;
  contentEnd: number;
  end: number;
  children: Node[];
}

/** The full encoding of a node as transmitted. */
export const raw = (n: Node): Uint8Array => n.buf.subarray(n.start, n.end);
/** The content octets of a node. */
export const content = (n: Node): Uint8Array => n.buf.subarray(n.contentStart, n.contentEnd);

/** Reads one TLV at `offset`; throws on malformed input. */
export function readNode(buf: Uint8Array, offset = 0, depth = 0): Node {
  if (depth > 64) throw new Error('BER nesting too deep');
  let p = offset;
  const at = (i: number): number => {
    const b = buf[i];
    if (b === undefined) throw new Error(`BER truncated at ${i}`);
    return b;
  };
  const id = at(p++);
  const cls = id >> 6;
  const constructed = (id & 0x20) !== 0;
  let tag = id & 0x1f;
  if (tag === 0x1f) {
    tag = 0;
    let b: number;
    do {
      b = at(p++);
      tag = tag * 128 + (b & 0x7f);
    } while (b & 0x80);
  }
  const l0 = at(p++);
  let len = -1;
  if (l0 < 0x80) len = l0;
  else if (l0 > 0x80) {
    const k = l0 & 0x7f;
    if (k > 6) throw new Error('BER length too long');
    len = 0;
    for (let i = 0; i < k; i++) len = len * 256 + at(p++);
  } else if (!constructed) throw new Error('indefinite length on a primitive');
  const contentStart = p;
  const children: Node[] = [];
  if (len >= 0) {
    const contentEnd = contentStart + len;
    if (contentEnd > buf.length) throw new Error(`BER length ${len} exceeds the data at ${offset}`);
    if (constructed) {
      let q = contentStart;
      while (q < contentEnd) {
        const c = readNode(buf, q, depth + 1);
        if (c.end > contentEnd) throw new Error('BER child overruns its parent');
        children.push(c);
        q = c.end;
      }
    }
    return { buf, cls, constructed, tag, start: offset, contentStart, contentEnd, end: contentEnd, children };
  }
  let q = contentStart;
  for (;;) {
    if (at(q) === 0 && at(q + 1) === 0) break;
    const c = readNode(buf, q, depth + 1);
    children.push(c);
    q = c.end;
  }
  return { buf, cls, constructed, tag, start: offset, contentStart, contentEnd: q, end: q + 2, children };
}

/** Parses a complete BER value; trailing bytes are an error. */
export function parseBer(buf: Uint8Array): Node {
  const n = readNode(buf, 0);
  if (n.end !== buf.length) throw new Error(`${buf.length - n.end} trailing bytes after the BER value`);
  return n;
}

/** The i-th child, or a thrown error naming `what`. */
export function child(n: Node, i: number, what = 'element'): Node {
  const c = n.children[i];
  if (!c) throw new Error(`missing ${what}`);
  return c;
}

/** Content of an OCTET STRING in primitive or constructed (chunked) form. */
export function octetValue(n: Node): Uint8Array {
  if (!n.constructed) return content(n);
  return concat(...n.children.map(octetValue));
}

/** Decodes an OBJECT IDENTIFIER node to dotted notation. */
export function oidValue(n: Node): string {
  if (n.cls !== 0 || n.tag !== 6) throw new Error('expected an OBJECT IDENTIFIER');
  const b = content(n);
  const arcs: bigint[] = [];
  let v = 0n;
  for (const x of b) {
    v = (v << 7n) | BigInt(x & 0x7f);
    if (!(x & 0x80)) {
      arcs.push(v);
      v = 0n;
    }
  }
  const first = arcs.shift() ?? 0n;
  const a = first < 40n ? 0n : first < 80n ? 1n : 2n;
  return [a, first - a * 40n, ...arcs].join('.');
}

/** Decodes a character string node (Printable/IA5/UTF8/Teletex/Visual as UTF-8/latin1, BMP). */
export function stringValue(n: Node): string {
  const b = Buffer.from(content(n));
  if (n.tag === 0x1e) return b.swap16().toString('utf16le');
  if (n.tag === 0x0c) return b.toString('utf8');
  return b.toString('latin1');
}

/** Upper-case hex of an INTEGER's content without its sign byte (as Node's X509Certificate.serialNumber). */
export function serialHex(intNode: Node): string {
  let b = content(intNode);
  while (b.length > 1 && b[0] === 0) b = b.subarray(1);
  return Buffer.from(b).toString('hex').toUpperCase();
}

// ---------------------------------------------------------------------------------------------
// Certificates (RFC 5280 §4.1)

/** The fields of a certificate the fake needs. */
export interface CertFields {
  der: Uint8Array;
  serial: Uint8Array; // the INTEGER TLV
  serialHex: string;
  issuer: Uint8Array; // Name TLV
  subject: Uint8Array; // Name TLV
  spki: Uint8Array; // SubjectPublicKeyInfo TLV
  ski?: Uint8Array; // subjectKeyIdentifier extension value, if present
}

/** Extracts serial, issuer, subject, SPKI and SKI from a DER certificate. */
export function certFields(der: Uint8Array): CertFields {
  const cert = parseBer(der);
  const tbs = child(cert, 0, 'tbsCertificate');
  let i = 0;
  if (child(tbs, 0).cls === 2) i = 1; // [0] version
  const serial = child(tbs, i, 'serial');
  const issuer = child(tbs, i + 2, 'issuer');
  const subject = child(tbs, i + 4, 'subject');
  const spki = child(tbs, i + 5, 'subjectPublicKeyInfo');
  let ski: Uint8Array | undefined;
  for (const f of tbs.children.slice(i + 6)) {
    if (f.cls === 2 && f.tag === 3) {
      for (const ext of child(f, 0).children) {
        if (oidValue(child(ext, 0)) === OID.subjectKeyIdentifier) {
          const v = parseBer(octetValue(child(ext, ext.children.length - 1)));
          ski = content(v);
        }
      }
    }
  }
  return { der, serial: raw(serial), serialHex: serialHex(serial), issuer: raw(issuer), subject: raw(subject), spki: raw(spki), ...(ski ? { ski } : {}) };
}

/** The public key of a DER certificate. */
export function certPublicKey(der: Uint8Array): nc.KeyObject {
  return nc.createPublicKey({ key: Buffer.from(certFields(der).spki), format: 'der', type: 'spki' });
}

/** DER → PEM. */
export function toPem(der: Uint8Array, label = 'CERTIFICATE'): string {
  const b64 = Buffer.from(der).toString('base64').replace(/(.{64})/g, '$1\n').replace(/\n$/, '');
  return `-----BEGIN ${label}-----\n${b64}\n-----END ${label}-----\n`;
}

/** First PEM block → DER. */
export function fromPem(pem: string): Uint8Array {
  const m = /-----BEGIN [^-]+-----([\s\S]*?)-----END/.exec(pem);
  if (!m?.[1]) throw new Error('no PEM block');
  return new Uint8Array(Buffer.from(m[1].replace(/\s+/g, ''), 'base64'));
}

// ---------------------------------------------------------------------------------------------
// PKCS#10 (RFC 2986)

/** Subject Name TLV and challengePassword (RFC 2985 §5.4.1) of a DER CSR. */
export function csrFields(der: Uint8Array): { subject: Uint8Array; challengePassword?: string } {
  const csr = parseBer(der);
  const info = child(csr, 0, 'certificationRequestInfo');
  const subject = raw(child(info, 1, 'subject'));
  let challengePassword: string | undefined;
  const attrs = info.children[3];
  if (attrs && attrs.cls === 2 && attrs.tag === 0) {
    for (const a of attrs.children) {
      if (oidValue(child(a, 0)) === OID.challengePassword) {
        const v = child(a, 1).children[0];
        if (v) challengePassword = stringValue(v);
      }
    }
  }
  return challengePassword === undefined ? { subject } : { subject, challengePassword };
}

// ---------------------------------------------------------------------------------------------
// CMS parsing (RFC 5652 §5, §6)

/** One signed attribute as transmitted. */
export interface Attr {
  oid: string;
  values: Node[];
  raw: Uint8Array;
}

/** A parsed SignerInfo (RFC 5652 §5.3). */
export interface SignerInfoFields {
  sidIssuer?: Uint8Array;
  sidSerial?: Uint8Array;
  sidSki?: Uint8Array;
  digestOid: string;
  /** undefined when the SignerInfo has no signed attributes */
  signedAttrs?: Attr[];
  signatureOid: string;
  signature: Uint8Array;
}

/** A parsed SignedData (RFC 5652 §5.1) with its ContentInfo wrapper. */
export interface SignedDataFields {
  eContentType: string;
  eContent?: Uint8Array;
  certificates: Uint8Array[];
  signerInfos: SignerInfoFields[];
}

/** Parses ContentInfo(SignedData), DER or BER. */
export function parseSignedData(der: Uint8Array): SignedDataFields {
  const ci = parseBer(der);
  if (oidValue(child(ci, 0, 'contentType')) !== OID.signedData) throw new Error('not a SignedData ContentInfo');
  const sd = child(child(ci, 1, 'content'), 0, 'SignedData');
  let i = 2;
  const eci = child(sd, i++, 'encapContentInfo');
  const eContentType = oidValue(child(eci, 0, 'eContentType'));
  const ec = eci.children[1];
  const eContent = ec ? octetValue(child(ec, 0, 'eContent')) : undefined;
  const certificates: Uint8Array[] = [];
  let next = sd.children[i];
  if (next && next.cls === 2 && next.tag === 0) {
    for (const c of next.children) if (c.cls === 0 && c.tag === 16) certificates.push(new Uint8Array(raw(c)));
    next = sd.children[++i];
  }
  if (next && next.cls === 2 && next.tag === 1) next = sd.children[++i];
  if (!next) throw new Error('missing signerInfos');
  const signerInfos = next.children.map(parseSignerInfo);
  return { eContentType, ...(eContent ? { eContent: new Uint8Array(eContent) } : {}), certificates, signerInfos };
}

function parseSignerInfo(si: Node): SignerInfoFields {
  const sid = child(si, 1, 'sid');
  const out: Partial<SignerInfoFields> = {};
  if (sid.cls === 2 && sid.tag === 0) out.sidSki = new Uint8Array(content(sid));
  else {
    out.sidIssuer = new Uint8Array(raw(child(sid, 0, 'issuer')));
    out.sidSerial = new Uint8Array(raw(child(sid, 1, 'serial')));
  }
  out.digestOid = oidValue(child(child(si, 2, 'digestAlgorithm'), 0));
  let i = 3;
  const maybeAttrs = child(si, i, 'signatureAlgorithm');
  if (maybeAttrs.cls === 2 && maybeAttrs.tag === 0) {
    out.signedAttrs = maybeAttrs.children.map((a) => ({ oid: oidValue(child(a, 0)), values: child(a, 1, 'attrValues').children, raw: new Uint8Array(raw(a)) }));
    i++;
  }
  out.signatureOid = oidValue(child(child(si, i, 'signatureAlgorithm'), 0));
  out.signature = new Uint8Array(octetValue(child(si, i + 1, 'signature')));
  return out as SignerInfoFields;
}

/** A parsed KeyTransRecipientInfo (RFC 5652 §6.2.1). */
export interface KtriFields {
  issuer?: Uint8Array;
  serialHex?: string;
  ski?: Uint8Array;
  keyEncryptionOid: string;
}

/** Parses ContentInfo(EnvelopedData): content-encryption OID and the KTRIs. */
export function parseEnvelopedData(der: Uint8Array): { cipherOid: string; recipients: KtriFields[] } {
  const ci = parseBer(der);
  if (oidValue(child(ci, 0, 'contentType')) !== OID.envelopedData) throw new Error('not an EnvelopedData ContentInfo');
  const ed = child(child(ci, 1, 'content'), 0, 'EnvelopedData');
  let i = 1;
  if (child(ed, i).cls === 2) i++; // originatorInfo
  const ris = child(ed, i, 'recipientInfos');
  const eci = child(ed, i + 1, 'encryptedContentInfo');
  const cipherOid = oidValue(child(child(eci, 1, 'contentEncryptionAlgorithm'), 0));
  const recipients: KtriFields[] = [];
  for (const ri of ris.children) {
    if (ri.cls !== 0 || ri.tag !== 16) continue; // not a KTRI
    const rid = child(ri, 1, 'rid');
    const r: KtriFields = { keyEncryptionOid: oidValue(child(child(ri, 2), 0)) };
    if (rid.cls === 2 && rid.tag === 0) r.ski = new Uint8Array(content(rid));
    else {
      r.issuer = new Uint8Array(raw(child(rid, 0)));
      r.serialHex = serialHex(child(rid, 1));
    }
    recipients.push(r);
  }
  return { cipherOid, recipients };
}

/** Attribute value helper: first value node of `oid`, if any. */
export function attrValue(attrs: Attr[] | undefined, o: string): Node | undefined {
  return attrs?.find((a) => a.oid === o)?.values[0];
}

/** The DER SET OF of signed attributes (sorted), over which RFC 5652 §5.4 computes the signature. */
export function signedAttrsDer(attrs: Attr[]): Uint8Array {
  return setOf(...attrs.map((a) => a.raw));
}

// ---------------------------------------------------------------------------------------------
// CMS building

/** A signer: certificate DER and private key. */
export interface SignerKey {
  certDer: Uint8Array;
  key: nc.KeyObject;
}

/** Attribute { type, SET { values } }. */
export const attribute = (o: string, ...values: Uint8Array[]): Uint8Array => seq(oid(o), setOf(...values));

/** IssuerAndSerialNumber (RFC 5652 §10.2.4) of a certificate. */
export function issuerAndSerial(certDer: Uint8Array): Uint8Array {
  const f = certFields(certDer);
  return seq(f.issuer, f.serial);
}

/**
 * ContentInfo(SignedData) signed by `signer` with SHA-256 / rsaEncryption, signed attributes
 * contentType=data + messageDigest + `attrs`, DER-sorted (RFC 5652 §5.3, §5.4).
 * `eContent` undefined → encapContentInfo without eContent (messageDigest over the empty string).
 */
export function buildSignedData(opts: { eContent?: Uint8Array; certificates: Uint8Array[]; signer: SignerKey; attrs: Uint8Array[] }): Uint8Array {
  const digest = nc.createHash('sha256').update(opts.eContent ?? new Uint8Array(0)).digest();
  const attrs = [attribute(OID.contentType, oid(OID.data)), attribute(OID.messageDigest, octets(digest)), ...opts.attrs];
  const signedAttrs = setOf(...attrs);
  const signature = nc.sign('sha256', signedAttrs, opts.signer.key);
  const signerInfo = seq(
    int(1),
    issuerAndSerial(opts.signer.certDer),
    algId(OID.sha256, derNull()),
    ctx(0, ...sortDer(attrs)),
    algId(OID.rsaEncryption, derNull()),
    octets(new Uint8Array(signature)),
  );
  const eci = opts.eContent ? seq(oid(OID.data), ctx(0, octets(opts.eContent))) : seq(oid(OID.data));
  const sd = seq(int(1), set(algId(OID.sha256, derNull())), eci, ctx(0, ...opts.certificates), set(signerInfo));
  return seq(oid(OID.signedData), ctx(0, sd));
}

/** Degenerate certificates-only ContentInfo(SignedData) (RFC 8894 §3.4), certificates in the given order. */
export function degenerate(certs: Uint8Array[]): Uint8Array {
  const sd = seq(int(1), set(), seq(oid(OID.data)), ctx(0, ...certs), set());
  return seq(oid(OID.signedData), ctx(0, sd));
}

/** Content-encryption ciphers the fake emits. */
export type ReplyCipher = 'aes-128-cbc' | 'des-ede3-cbc';

/** A source of random bytes (default: node:crypto; a seeded one makes the fake reproducible). */
export type RandomBytes = (n: number) => Uint8Array;

export const cryptoRandom: RandomBytes = (n) => new Uint8Array(nc.randomBytes(n));

/**
 * RSAES-PKCS1-v1_5 encryption (RFC 8017 §7.2.1). With node:crypto's padding unless `random` is
 * given: then the padding string comes from `random`, so the output is reproducible.
 */
export function rsaPkcs1Encrypt(key: nc.KeyObject, m: Uint8Array, random?: RandomBytes): Uint8Array {
  if (!random) return new Uint8Array(nc.publicEncrypt({ key, padding: nc.constants.RSA_PKCS1_PADDING }, m));
  const k = Math.ceil((key.asymmetricKeyDetails?.modulusLength ?? 0) / 8);
  if (m.length > k - 11) throw new RangeError('rsaPkcs1Encrypt: message too long');
  const ps = new Uint8Array(k - m.length - 3);
  for (let i = 0; i < ps.length; i++) {
    let b = random(1)[0]!;
    while (b === 0) b = random(1)[0]!;
    ps[i] = b;
  }
  const em = concat(Uint8Array.of(0, 2), ps, Uint8Array.of(0), m);
  return new Uint8Array(nc.publicEncrypt({ key, padding: nc.constants.RSA_NO_PADDING }, em));
}

/**
 * ContentInfo(EnvelopedData) v0 (RFC 5652 §6.1) of `plain` for one KTRI v0 (issuerAndSerialNumber,
 * rsaEncryption = RSAES-PKCS1-v1_5, RFC 3370 §4.2.1) to `recipientCertDer`. `random` (content
 * key, IV, padding) defaults to node:crypto.
 */
export function buildEnvelopedData(plain: Uint8Array, recipientCertDer: Uint8Array, cipher: ReplyCipher, random?: RandomBytes): Uint8Array {
  const keyLen = cipher === 'aes-128-cbc' ? 16 : 24;
  const ivLen = cipher === 'aes-128-cbc' ? 16 : 8;
  const cek = (random ?? cryptoRandom)(keyLen);
  const iv = (random ?? cryptoRandom)(ivLen);
  const c = nc.createCipheriv(cipher, cek, iv);
  const ct = Buffer.concat([c.update(plain), c.final()]);
  const ek = rsaPkcs1Encrypt(certPublicKey(recipientCertDer), cek, random);
  const ktri = seq(int(0), issuerAndSerial(recipientCertDer), algId(OID.rsaEncryption, derNull()), octets(new Uint8Array(ek)));
  const cipherOid = cipher === 'aes-128-cbc' ? OID.aes128cbc : OID.desEde3Cbc;
  const eci = seq(oid(OID.data), algId(cipherOid, octets(new Uint8Array(iv))), ctxPrim(0, new Uint8Array(ct)));
  const ed = seq(int(0), set(ktri), eci);
  return seq(oid(OID.envelopedData), ctx(0, ed));
}

// ---------------------------------------------------------------------------------------------
// openssl runner

/** Result of a child process. */
export interface RunResult {
  code: number;
  stdout: Uint8Array;
  stderr: string;
}

/** Runs a command asynchronously with optional stdin; never throws (code -1 if it could not start). */
export function run(cmd: string, args: string[], input?: Uint8Array | string, cwd?: string): Promise<RunResult> {
  return new Promise((resolve) => {
    const p = spawn(cmd, args, { cwd, stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    p.stdout.on('data', (d: Buffer) => out.push(d));
    p.stderr.on('data', (d: Buffer) => err.push(d));
    p.on('error', (e) => resolve({ code: -1, stdout: new Uint8Array(0), stderr: String(e) }));
    p.on('close', (code) => resolve({ code: code ?? -1, stdout: new Uint8Array(Buffer.concat(out)), stderr: Buffer.concat(err).toString() }));
    p.stdin.on('error', () => undefined);
    p.stdin.end(input ?? '');
  });
}

/** Runs `openssl`; throws with stderr on a non-zero exit. */
export async function openssl(args: string[], input?: Uint8Array | string, cwd?: string): Promise<Uint8Array> {
  const r = await run('openssl', args, input, cwd);
  if (r.code !== 0) throw new Error(`openssl ${args[0] ?? ''} failed: ${r.stderr.trim()}`);
  return r.stdout;
}
