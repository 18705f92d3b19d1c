/**
 * DER and BER (X.690) for all of `pki/` (and the codecs of `enroll/` that read DER): one
 * reader, one writer, OBJECT IDENTIFIER encoding and decoding, one TLV type, one error class.
 *
 * - **Reading** (X.690 §8.1, §10.1): `readTlv` reads one element's identifier and length and
 *   returns offsets into the caller's buffer (nothing is copied, so signatures are checked over
 *   the bytes exactly as received). DER by default — definite lengths in their shortest form,
 *   at most 4 length octets — or BER with `{ ber: true }` (indefinite and non-minimal lengths,
 *   constructed strings), which CMS (RFC 5652 §1) and PKCS#12 (RFC 7292 §4) allow. `derCheck`
 *   walks a whole element and everything inside it. Two ways to navigate: `DerCursor` reads the
 *   contents of a constructed element field by field (`take`, `optional`, `finish`), and
 *   `DerReader` hands out children as arrays with counts checked and reports every failure as a
 *   `PkiError` with the caller's code (PKCS#12, PKCS#8).
 * - **Primitive values**: `decodeOid` (rejecting non-minimal arcs), `decodeBoolean`,
 *   `checkInteger`, `decodeSmallUint`, `decodeBitString`, `decodeTime` (the RFC 5280 forms).
 * - **Writing** (`DER`): definite minimal lengths, SET OF sorted by encoding (X.690 §11.6),
 *   minimal INTEGERs, OBJECT IDENTIFIERs from dotted strings (`encodeOid`), RFC 5280 times.
 *
 * Every malformed encoding is a `DerError` (code 'bad-der') naming what was read and the
 * offset, modelled on noble-curves' `DERErr`. The WASM core has its own allocation-free scanner
 * (`derScan`, `crlSerials`) for the large-CRL path; this module is the reader of everything else.
 */
import { concatBytes } from '../util/bytes.ts';
import { PkiError } from '../util/errors.ts';

// ---------------------------------------------------------------------------------------------
// Errors, tags, the TLV

/** A malformed encoding; `offset` is where the element that failed starts (-1: not known). */
export class DerError extends PkiError {
  readonly offset: number;
  constructor(message: string, offset = -1, options?: { cause?: unknown }) {
    super('bad-der', message, options);
    this.name = 'DerError';
    this.offset = offset;
  }
}

/** Universal tags (identifier octets) used in X.509, CMS and PKCS#12. */
export const TAG = {
  BOOLEAN: 0x01,
  INTEGER: 0x02,
  BIT_STRING: 0x03,
  OCTET_STRING: 0x04,
  NULL: 0x05,
  OID: 0x06,
  ENUMERATED: 0x0a,
  UTF8_STRING: 0x0c,
  PRINTABLE_STRING: 0x13,
  TELETEX_STRING: 0x14,
  IA5_STRING: 0x16,
  UTC_TIME: 0x17,
  GENERALIZED_TIME: 0x18,
  VISIBLE_STRING: 0x1a,
  UNIVERSAL_STRING: 0x1c,
  BMP_STRING: 0x1e,
  SEQUENCE: 0x30,
  SET: 0x31,
} as const;

/** One element's position in its buffer. */
export interface Tlv {
  /** the first identifier octet (class, constructed bit, and the tag number when below 31) */
  tag: number;
  /** the full tag number (high tag numbers included) */
  tagNumber: number;
  constructed: boolean;
  start: number;
  contentStart: number;
  /** end of the contents (before the end-of-contents octets of an indefinite length) */
  contentEnd: number;
  /** end of the whole element */
  end: number;
}

/** How to read. */
export interface DerOptions {
  /** accept BER lengths: indefinite (constructed elements only) and non-minimal */
  ber?: boolean;
  /** what is being read, for messages (default 'der') */
  what?: string;
}

/** BER reading, for `readTlv`/`derChildren` of CMS and PKCS#12 structures. */
export const BER: DerOptions = { ber: true };

/** Nesting deeper than this is refused (certificates nest about 8 deep). */
export const DER_MAX_DEPTH = 64;

function badDer(what: string, message: string, offset: number): never {
  throw new DerError(`${what}: ${message} at offset ${offset} (truncated or damaged data?)`, offset);
}

// ---------------------------------------------------------------------------------------------
// Reading

interface Header {
  tag: number;
  tagNumber: number;
  constructed: boolean;
  contentStart: number;
  /** -1 for an indefinite length */
  length: number;
}

function readHeader(d: Uint8Array, pos: number, end: number, ber: boolean, what: string): Header {
  if (pos >= end) badDer(what, 'missing element', pos);
  const tag = d[pos]!;
  let p = pos + 1;
  let tagNumber = tag & 0x1f;
  if (tagNumber === 0x1f) {
    tagNumber = 0;
    let n = 0;
    for (;;) {
      if (p >= end) badDer(what, 'truncated tag', pos);
      const b = d[p++]!;
      if (n === 0 && b === 0x80) badDer(what, 'non-minimal tag number', pos);
      if (++n > 4) badDer(what, 'tag number too large', pos);
      tagNumber = tagNumber * 128 + (b & 0x7f);
      if (!(b & 0x80)) break;
    }
    if (tagNumber < 31) badDer(what, 'non-minimal tag number', pos);
  }
  if (p >= end) badDer(what, 'truncated length', pos);
  const l0 = d[p++]!;
  let length: number;
  if (l0 < 0x80) length = l0;
  else if (l0 === 0x80) {
    if (!ber) badDer(what, 'indefinite length (BER, not DER)', pos);
    if (!(tag & 0x20)) badDer(what, 'indefinite length on a primitive element', pos);
    length = -1;
  } else {
    const n = l0 & 0x7f;
    if (n > 4) badDer(what, `length field of ${n} bytes`, pos);
    if (p + n > end) badDer(what, 'truncated length', pos);
    if (d[p] === 0 && !ber) badDer(what, 'non-minimal length', pos);
    length = 0;
    for (let k = 0; k < n; k++) length = length * 256 + d[p++]!;
    if (length < 0x80 && !ber) badDer(what, 'non-minimal length', pos);
  }
  if (length > end - p) badDer(what, `length ${length} runs past the end (${end - p} bytes left)`, pos);
  return { tag, tagNumber, constructed: (tag & 0x20) !== 0, contentStart: p, length };
}

/** Universal tags that DER encodes primitive only (X.690 §10.2 and the basic types). */
const PRIMITIVE_ONLY: ReadonlySet<number> = new Set([1, 2, 3, 4, 5, 6, 9, 10, 12, 13, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30]);

/** Checks the element at `pos` and everything inside it; returns its end offset. */
function walk(d: Uint8Array, pos: number, end: number, ber: boolean, depth: number, what: string): number {
  if (depth > DER_MAX_DEPTH) badDer(what, `nesting deeper than ${DER_MAX_DEPTH}`, pos);
  const h = readHeader(d, pos, end, ber, what);
  const { tag, constructed } = h;
  const universal = (tag & 0xc0) === 0;
  const p = h.contentStart;
  if (universal) {
    const t = h.tagNumber;
    if (t === 0) badDer(what, 'unexpected end-of-contents', pos);
    if ((t === 16 || t === 17) && !constructed) badDer(what, 'primitive SEQUENCE/SET', pos);
    if (constructed && PRIMITIVE_ONLY.has(t) && !(ber && (t === 3 || t === 4 || t >= 12))) badDer(what, 'constructed encoding of a primitive type', pos);
  }
  if (h.length < 0) {
    let q = p;
    for (;;) {
      if (q + 2 <= end && d[q] === 0 && d[q + 1] === 0) return q + 2;
      if (q >= end) badDer(what, 'missing end-of-contents', pos);
      q = walk(d, q, end, ber, depth + 1, what);
    }
  }
  const stop = p + h.length;
  if (constructed) {
    let q = p;
    while (q < stop) q = walk(d, q, stop, ber, depth + 1, what);
    return stop;
  }
  if (universal) {
    const len = h.length;
    switch (h.tagNumber) {
      case 1:
        if (len !== 1) badDer(what, 'BOOLEAN not 1 byte', pos);
        break;
      case 2:
      case 10:
        if (len === 0) badDer(what, 'empty INTEGER', pos);
        if (len > 1 && ((d[p] === 0 && !(d[p + 1]! & 0x80)) || (d[p] === 0xff && d[p + 1]! & 0x80))) badDer(what, 'non-minimal INTEGER', pos);
        break;
      case 3:
        if (len === 0 || d[p]! > 7 || (len === 1 && d[p] !== 0)) badDer(what, 'malformed BIT STRING', pos);
        break;
      case 5:
        if (len !== 0) badDer(what, 'NULL with contents', pos);
        break;
      case 6:
        if (len === 0 || d[stop - 1]! & 0x80) badDer(what, 'malformed OBJECT IDENTIFIER', pos);
        for (let k = p; k < stop; k++) if (d[k] === 0x80 && (k === p || !(d[k - 1]! & 0x80))) badDer(what, 'non-minimal OBJECT IDENTIFIER', pos);
        break;
    }
  }
  return stop;
}

/**
 * Checks that `der` is exactly one well-formed element: DER (definite, minimal lengths;
 * X.690 §10.1), or BER lengths when `ber` is set; nested elements walked; nothing after it.
 * Throws `DerError` naming the offset.
 */
export function derCheck(der: Uint8Array, opts?: DerOptions): void {
  const what = opts?.what ?? 'der';
  if (der.length === 0) badDer(what, 'no data', 0);
  const end = walk(der, 0, der.length, opts?.ber ?? false, 0, what);
  if (end !== der.length) badDer(what, `${der.length - end} bytes after the end of the data`, end);
}

/**
 * The element at `pos`, which must end by `end`: its header checked (DER, or BER with
 * `ber`), its contents not walked — except to find the end of an indefinite length.
 */
export function readTlv(der: Uint8Array, pos: number, end: number = der.length, opts?: DerOptions): Tlv {
  const ber = opts?.ber ?? false;
  const what = opts?.what ?? 'der';
  const h = readHeader(der, pos, end, ber, what);
  if (h.length >= 0) {
    const stop = h.contentStart + h.length;
    return { tag: h.tag, tagNumber: h.tagNumber, constructed: h.constructed, start: pos, contentStart: h.contentStart, contentEnd: stop, end: stop };
  }
  const stop = walk(der, pos, end, true, 0, what);
  return { tag: h.tag, tagNumber: h.tagNumber, constructed: true, start: pos, contentStart: h.contentStart, contentEnd: stop - 2, end: stop };
}

/** The elements directly inside a constructed element. */
export function derChildren(der: Uint8Array, parent: Tlv, opts?: DerOptions): Tlv[] {
  const out: Tlv[] = [];
  for (let q = parent.contentStart; q < parent.contentEnd; ) {
    const c = readTlv(der, q, parent.contentEnd, opts);
    out.push(c);
    q = c.end;
  }
  return out;
}

/** The content octets of `t` (a view, not a copy). */
export const contentOf = (b: Uint8Array, t: Tlv): Uint8Array => b.subarray(t.contentStart, t.contentEnd);
/** The whole encoding of `t`, identifier and length included (a view). */
export const rawOf = (b: Uint8Array, t: Tlv): Uint8Array => b.subarray(t.start, t.end);

const tagHex = (tag: number): string => `0x${tag.toString(16)}`;

/** Parses `b` as exactly one element with tag `tag` (DER unless `opts.ber`). */
export function parseOne(b: Uint8Array, tag: number, what: string, opts?: DerOptions): Tlv {
  const t = readTlv(b, 0, b.length, { ...opts, what: `der: ${what}` });
  if (t.tag !== tag) throw new DerError(`der: ${what}: expected tag ${tagHex(tag)}, found ${tagHex(t.tag)}`, 0);
  if (t.end !== b.length) throw new DerError(`der: ${what}: ${b.length - t.end} bytes after the value`, t.end);
  return t;
}

/** Sequential reader over the contents of a constructed element (DER unless `ber`). */
export class DerCursor {
  pos: number;
  constructor(
    readonly b: Uint8Array,
    start: number,
    readonly end: number,
    readonly ber = false,
  ) {
    this.pos = start;
  }

  /** A cursor over the contents of `t`. */
  static of(b: Uint8Array, t: Tlv, ber = false): DerCursor {
    return new DerCursor(b, t.contentStart, t.contentEnd, ber);
  }

  /** True when everything was read. */
  get done(): boolean {
    return this.pos >= this.end;
  }

  /** The next identifier octet, or -1 at the end. */
  peek(): number {
    return this.pos < this.end ? this.b[this.pos]! : -1;
  }

  /** The next element, whatever its tag. */
  next(what: string): Tlv {
    const t = readTlv(this.b, this.pos, this.end, { ber: this.ber, what: `der: ${what}` });
    this.pos = t.end;
    return t;
  }

  /** The next element, which must carry `tag`. */
  take(tag: number, what: string): Tlv {
    if (this.done) throw new DerError(`der: ${what}: missing`, this.pos);
    const t = this.next(what);
    if (t.tag !== tag) throw new DerError(`der: ${what}: expected tag ${tagHex(tag)}, found ${tagHex(t.tag)}`, t.start);
    return t;
  }

  /** The next element if it carries `tag`. */
  optional(tag: number, what: string): Tlv | undefined {
    return this.peek() === tag ? this.next(what) : undefined;
  }

  /** Throws unless everything was read. */
  finish(what: string): void {
    if (!this.done) throw new DerError(`der: ${what}: unexpected data after the last field`, this.pos);
  }
}

/**
 * A reader over one encoded structure that hands out children as arrays and reports every
 * failure as `PkiError(code, "op: ...")` naming the element. BER by default (indefinite and
 * non-minimal lengths, constructed OCTET STRINGs), as PKCS#12 files from Windows and Java need
 * (RFC 7292 §4).
 */
export class DerReader {
  constructor(
    readonly d: Uint8Array,
    readonly code: string,
    readonly op: string,
    readonly ber = true,
  ) {}

  /** Throws `PkiError(code, "op: message")`. */
  fail(message: string): never {
    throw new PkiError(this.code, `${this.op}: ${message}`);
  }

  private wrap<T>(what: string, f: () => T): T {
    try {
      return f();
    } catch (e) {
      if (e instanceof PkiError) this.fail(`${what}: ${e.message.replace(/^der: /, '')}`);
      throw e;
    }
  }

  /** The one element that spans all of the bytes. */
  root(what: string): Tlv {
    const t = this.wrap(what, () => readTlv(this.d, 0, this.d.length, { ber: this.ber }));
    if (t.end !== this.d.length) this.fail(`${this.d.length - t.end} bytes after the ${what}`);
    return t;
  }

  /** The elements inside a constructed element of tag `tag`, between `min` and `max` of them. */
  children(t: Tlv | undefined, tag: number, what: string, min = 0, max = Infinity): Tlv[] {
    this.expect(t, tag, what);
    if (!t!.constructed) this.fail(`${what} is not constructed`);
    const kids = this.wrap(what, () => derChildren(this.d, t!, { ber: this.ber }));
    if (kids.length < min) this.fail(`${what} has ${kids.length} element${kids.length === 1 ? '' : 's'}, expected at least ${min}`);
    if (kids.length > max) this.fail(`${what} has ${kids.length} elements, expected at most ${max}`);
    return kids;
  }

  /** The elements of a SEQUENCE. */
  seq(t: Tlv | undefined, what: string, min = 0, max = Infinity): Tlv[] {
    return this.children(t, TAG.SEQUENCE, what, min, max);
  }

  /** Checks presence and tag. */
  expect(t: Tlv | undefined, tag: number, what: string): Tlv {
    if (!t) this.fail(`${what} is missing`);
    if (t.tag !== tag) this.fail(`${what} has tag 0x${t.tag.toString(16).padStart(2, '0')}, expected 0x${tag.toString(16).padStart(2, '0')}`);
    return t;
  }

  /** The whole element (header and contents). */
  raw(t: Tlv): Uint8Array {
    return rawOf(this.d, t);
  }

  /** The contents of a primitive element. */
  content(t: Tlv): Uint8Array {
    return contentOf(this.d, t);
  }

  /** An OBJECT IDENTIFIER as a dotted string. */
  oid(t: Tlv | undefined, what: string): string {
    this.expect(t, TAG.OID, what);
    try {
      return decodeOid(this.content(t!), what);
    } catch {
      return this.fail(`${what} is a malformed OBJECT IDENTIFIER`);
    }
  }

  /** A non-negative INTEGER up to 2^53 - 1. */
  uint(t: Tlv | undefined, what: string): number {
    this.expect(t, TAG.INTEGER, what);
    const v = this.content(t!);
    if (v.length === 0) this.fail(`${what} is an empty INTEGER`);
    if (v[0]! & 0x80) this.fail(`${what} is negative`);
    let n = 0;
    for (const b of v) {
      n = n * 256 + b;
      if (n > Number.MAX_SAFE_INTEGER) this.fail(`${what} is too large`);
    }
    return n;
  }

  /**
   * The value of an OCTET STRING (tag 0x04, or 0x24 constructed of segments, X.690 §8.7.3) or
   * of an IMPLICIT-tagged one: `tag` is then the primitive form and `tag | 0x20` the constructed.
   */
  octets(t: Tlv | undefined, what: string, tag: number = TAG.OCTET_STRING): Uint8Array {
    if (!t) this.fail(`${what} is missing`);
    if (t.tag === tag) return this.content(t);
    if (t.tag !== (tag | 0x20)) this.expect(t, tag, what);
    const parts: Uint8Array[] = [];
    const collect = (p: Tlv, depth: number): void => {
      for (const c of this.wrap(what, () => derChildren(this.d, p, { ber: this.ber }))) {
        if (c.tag === TAG.OCTET_STRING) parts.push(this.content(c));
        else if (c.tag === 0x24 && depth < 8) collect(c, depth + 1);
        else this.fail(`${what}: a segment of a constructed OCTET STRING has tag 0x${c.tag.toString(16)}`);
      }
    };
    collect(t, 0);
    return parts.length === 1 ? parts[0]! : concatBytes(...parts);
  }

  /** AlgorithmIdentifier ::= SEQUENCE { algorithm OID, parameters ANY OPTIONAL } (NULL parameters dropped). */
  algorithm(t: Tlv | undefined, what: string): { oid: string; params?: Tlv } {
    const [o, p] = this.seq(t, what, 1, 2);
    const r: { oid: string; params?: Tlv } = { oid: this.oid(o, `${what} OID`) };
    if (p && p.tag !== TAG.NULL) r.params = p;
    return r;
  }
}

/**
 * The same structure with BER lengths re-encoded as DER (definite, minimal); identifiers and
 * contents are kept (so a constructed string stays constructed). For lenient readers of data
 * such as a certificate that pkijs would have read; never for bytes a signature covers.
 * Throws `DerError` unless `b` is exactly one BER element.
 */
export function berToDer(b: Uint8Array): Uint8Array {
  const t = readTlv(b, 0, b.length, BER);
  if (t.end !== b.length) throw new DerError(`der: ${b.length - t.end} bytes after the value`, t.end);
  const join = (parts: readonly Uint8Array[]): Uint8Array => {
    const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
    let o = 0;
    for (const p of parts) {
      out.set(p, o);
      o += p.length;
    }
    return out;
  };
  const encode = (e: Tlv, depth: number): Uint8Array => {
    if (depth > DER_MAX_DEPTH) throw new DerError(`der: nesting deeper than ${DER_MAX_DEPTH}`, e.start);
    let idLength = 1;
    if ((b[e.start]! & 0x1f) === 0x1f) while (b[e.start + idLength++]! & 0x80);
    const body = e.constructed ? join(derChildren(b, e, BER).map((k) => encode(k, depth + 1))) : contentOf(b, e);
    return join([b.subarray(e.start, e.start + idLength), Uint8Array.from(lengthOctets(body.length)), body]);
  };
  return encode(t, 0);
}

// ---------------------------------------------------------------------------------------------
// Primitive values

/** Dotted form of an OBJECT IDENTIFIER's contents (X.690 §8.19), rejecting non-minimal arcs. */
export function decodeOid(v: Uint8Array, what = 'OBJECT IDENTIFIER'): string {
  if (v.length === 0) throw new DerError(`der: ${what}: empty OBJECT IDENTIFIER`);
  let out = '';
  let i = 0;
  while (i < v.length) {
    if (v[i] === 0x80) throw new DerError(`der: ${what}: non-minimal OBJECT IDENTIFIER arc`);
    let n = 0;
    let big: bigint | undefined;
    for (;;) {
      if (i >= v.length) throw new DerError(`der: ${what}: truncated OBJECT IDENTIFIER`);
      const x = v[i++]!;
      if (big === undefined && n >= 2 ** 45) big = BigInt(n);
      if (big === undefined) n = n * 128 + (x & 0x7f);
      else big = (big << 7n) | BigInt(x & 0x7f);
      if (!(x & 0x80)) break;
    }
    if (out === '') {
      // The first subidentifier packs two arcs (X.690 §8.19.4).
      if (big !== undefined) out = `2.${big - 80n}`;
      else out = n < 40 ? `0.${n}` : n < 80 ? `1.${n - 40}` : `2.${n - 80}`;
    } else out += `.${big !== undefined ? big : n}`;
  }
  return out;
}

const OID_RE = /^[0-2](?:\.(?:0|[1-9]\d*))+$/;

/** OBJECT IDENTIFIER contents of a dotted string (X.690 §8.19). RangeError on a malformed string. */
export function encodeOid(oid: string): Uint8Array {
  if (!OID_RE.test(oid)) throw new RangeError(`der: invalid OID "${oid}"`);
  const arcs = oid.split('.').map((s) => BigInt(s));
  if (arcs[0]! < 2n && arcs[1]! >= 40n) throw new RangeError(`der: invalid OID "${oid}"`);
  const first = arcs[0]! * 40n + arcs[1]!;
  const out: number[] = [];
  for (const arc of [first, ...arcs.slice(2)]) {
    const groups: number[] = [Number(arc & 0x7fn)];
    for (let v = arc >> 7n; v > 0n; v >>= 7n) groups.unshift(Number(v & 0x7fn) | 0x80);
    out.push(...groups);
  }
  return Uint8Array.from(out);
}

/** A DER BOOLEAN's value (contents must be 00 or FF). */
export function decodeBoolean(v: Uint8Array, what: string): boolean {
  if (v.length !== 1 || (v[0] !== 0 && v[0] !== 0xff)) throw new DerError(`der: ${what}: invalid BOOLEAN`);
  return v[0] === 0xff;
}

/** Checks a DER INTEGER's contents are minimal (X.690 §8.3.2) and returns them. */
export function checkInteger(v: Uint8Array, what: string): Uint8Array {
  if (v.length === 0) throw new DerError(`der: ${what}: empty INTEGER`);
  if (v.length > 1 && ((v[0] === 0 && !(v[1]! & 0x80)) || (v[0] === 0xff && v[1]! & 0x80))) throw new DerError(`der: ${what}: non-minimal INTEGER`);
  return v;
}

/** A small non-negative INTEGER (up to 2^48), or a DerError. */
export function decodeSmallUint(v: Uint8Array, what: string): number {
  checkInteger(v, what);
  if (v[0]! & 0x80) throw new DerError(`der: ${what}: negative INTEGER`);
  if (v.length > 7) throw new DerError(`der: ${what}: INTEGER too large`);
  let n = 0;
  for (const x of v) n = n * 256 + x;
  return n;
}

/** A BIT STRING's contents: the bits (unused trailing bits must be zero) and their count. */
export function decodeBitString(v: Uint8Array, what: string): { bytes: Uint8Array; bits: number } {
  if (v.length === 0) throw new DerError(`der: ${what}: empty BIT STRING`);
  const unused = v[0]!;
  if (unused > 7 || (v.length === 1 && unused !== 0)) throw new DerError(`der: ${what}: invalid unused-bits count`);
  if (unused && v[v.length - 1]! & ((1 << unused) - 1)) throw new DerError(`der: ${what}: unused bits are not zero`);
  return { bytes: v.subarray(1), bits: (v.length - 1) * 8 - unused };
}

const digits = (s: string, i: number, n: number): number => {
  let x = 0;
  for (let k = 0; k < n; k++) {
    const c = s.charCodeAt(i + k) - 48;
    if (c < 0 || c > 9) return -1;
    x = x * 10 + c;
  }
  return x;
};

/**
 * A UTCTime or GeneralizedTime as seconds since the epoch, in the forms RFC 5280 §4.1.2.5.1
 * and §4.1.2.5.2 allow: `YYMMDDHHMMSSZ` (YY ≥ 50 → 19YY) and `YYYYMMDDHHMMSSZ`, no fractions.
 */
export function decodeTime(tag: number, v: Uint8Array, what: string): number {
  let s = '';
  for (const x of v) s += String.fromCharCode(x);
  let year: number;
  let i: number;
  if (tag === TAG.UTC_TIME) {
    if (s.length !== 13) throw new DerError(`der: ${what}: UTCTime must be YYMMDDHHMMSSZ ("${s}")`);
    const yy = digits(s, 0, 2);
    year = yy < 0 ? -1 : yy >= 50 ? 1900 + yy : 2000 + yy;
    i = 2;
  } else if (tag === TAG.GENERALIZED_TIME) {
    if (s.length !== 15) throw new DerError(`der: ${what}: GeneralizedTime must be YYYYMMDDHHMMSSZ ("${s}")`);
    year = digits(s, 0, 4);
    i = 4;
  } else throw new DerError(`der: ${what}: not a UTCTime or GeneralizedTime (tag ${tagHex(tag)})`);
  const mo = digits(s, i, 2);
  const d = digits(s, i + 2, 2);
  const h = digits(s, i + 4, 2);
  const mi = digits(s, i + 6, 2);
  const se = digits(s, i + 8, 2);
  if (year < 0 || mo < 1 || mo > 12 || d < 1 || h < 0 || h > 23 || mi < 0 || mi > 59 || se < 0 || se > 59 || s[i + 10] !== 'Z')
    throw new DerError(`der: ${what}: invalid time "${s}"`);
  const dt = new Date(0);
  dt.setUTCFullYear(year, mo - 1, d); // also right for years below 100, unlike Date.UTC
  dt.setUTCHours(h, mi, se, 0);
  if (dt.getUTCDate() !== d) throw new DerError(`der: ${what}: invalid date "${s}"`);
  return dt.getTime() / 1000;
}

/** 2050-01-01T00:00:00Z: RFC 5280 §4.1.2.5 and §5.1.2.4 want UTCTime before it, GeneralizedTime from it. */
export const Y2050 = 2524608000;

/** Reads a time element from a cursor (either form); `misencoded` is set when the form is the wrong one for the date. */
export function readTime(c: DerCursor, what: string, form?: { misencoded?: boolean }): number {
  const t = c.next(what);
  const v = decodeTime(t.tag, contentOf(c.b, t), what);
  if (form && t.tag === TAG.GENERALIZED_TIME && v < Y2050) form.misencoded = true;
  return v;
}

// ---------------------------------------------------------------------------------------------
// Writing (X.690 §8, §10, §11)

function lengthOctets(n: number): number[] {
  if (n < 0x80) return [n];
  const out: number[] = [];
  for (let v = n; v > 0; v = Math.floor(v / 256)) out.unshift(v & 0xff);
  return [0x80 | out.length, ...out];
}

function tlv(tag: number, ...parts: Uint8Array[]): Uint8Array {
  let n = 0;
  for (const p of parts) n += p.length;
  const len = lengthOctets(n);
  const out = new Uint8Array(1 + len.length + n);
  out[0] = tag;
  out.set(len, 1);
  let o = 1 + len.length;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** X.690 §11.6: SET OF components in ascending order of their encodings (shorter padded with 0s). */
function compareDer(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  const rest = a.length > n ? a : b;
  for (let i = n; i < rest.length; i++) if (rest[i] !== 0) return rest === a ? 1 : -1;
  return 0;
}

/** An INTEGER of a non-negative safe integer (X.690 §8.3, minimal). */
function uint(n: number): Uint8Array {
  if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`der: ${n} is not a non-negative safe integer`);
  const bytes: number[] = [];
  let v = n;
  do {
    bytes.unshift(v % 256);
    v = Math.floor(v / 256);
  } while (v > 0);
  if (bytes[0]! & 0x80) bytes.unshift(0);
  return tlv(TAG.INTEGER, Uint8Array.from(bytes));
}

/** An INTEGER of unsigned big-endian bytes (leading zeros dropped, a 00 added before a high bit). */
function unsigned(b: Uint8Array): Uint8Array {
  let i = 0;
  while (i < b.length - 1 && b[i] === 0) i++;
  const v = b.subarray(i);
  return tlv(TAG.INTEGER, v.length && v[0]! & 0x80 ? Uint8Array.of(0, ...v) : v.length ? v : Uint8Array.of(0));
}

const p2 = (n: number): string => String(n).padStart(2, '0');

/** A Time (RFC 5280 §4.1.2.5, RFC 5652 §11.3): UTCTime for 1950–2049, GeneralizedTime otherwise; whole seconds, Z. */
function time(d: Date): Uint8Array {
  const y = d.getUTCFullYear();
  const body = `${p2(d.getUTCMonth() + 1)}${p2(d.getUTCDate())}${p2(d.getUTCHours())}${p2(d.getUTCMinutes())}${p2(d.getUTCSeconds())}Z`;
  const utc = y >= 1950 && y < 2050;
  const text = utc ? `${p2(y % 100)}${body}` : `${String(y).padStart(4, '0')}${body}`;
  return tlv(utc ? TAG.UTC_TIME : TAG.GENERALIZED_TIME, Uint8Array.from(text, (ch) => ch.charCodeAt(0)));
}

/** A BMPString (X.680 §41: UCS-2, big-endian); RangeError for characters outside the BMP. */
function bmp(s: string): Uint8Array {
  if (/[\ud800-\udfff]/.test(s)) throw new RangeError('der: a BMPString cannot hold characters outside the Basic Multilingual Plane');
  const v = new Uint8Array(2 * s.length);
  for (let i = 0; i < s.length; i++) {
    const u = s.charCodeAt(i);
    v[2 * i] = u >>> 8;
    v[2 * i + 1] = u & 0xff;
  }
  return tlv(TAG.BMP_STRING, v);
}

/** The DER writer: every encoder of `pki/` builds on these. */
export const DER = {
  tlv,
  seq: (...parts: Uint8Array[]): Uint8Array => tlv(TAG.SEQUENCE, ...parts),
  /** SET OF (or an IMPLICIT [n] SET OF with `tag`), components sorted (X.690 §11.6) */
  setOf: (items: readonly Uint8Array[], tag: number = TAG.SET): Uint8Array => tlv(tag, ...[...items].sort(compareDer)),
  oid: (s: string): Uint8Array => tlv(TAG.OID, encodeOid(s)),
  octets: (b: Uint8Array): Uint8Array => tlv(TAG.OCTET_STRING, b),
  uint,
  unsigned,
  time,
  bmp,
  NULL: Uint8Array.of(TAG.NULL, 0x00),
  BOOLEAN_TRUE: Uint8Array.of(TAG.BOOLEAN, 0x01, 0xff),
} as const;
