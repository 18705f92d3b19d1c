/**
 * A small, strict DER reader for the chain validator (X.690 §8 and §10): definite lengths in
 * their shortest form, low tag numbers only, nothing after the outer value. It returns offsets
 * into the caller's buffer and copies nothing, so signatures are checked over the exact bytes
 * received (never a re-encoding).
 *
 * Private to `src/pki` (the chain validator and the WebCrypto verifier).
 */
import { PkiError } from '../../util/errors.ts';

/** A malformed encoding (the message names what was being read). */
export class DerError extends PkiError {
  constructor(message: string) {
    super('bad-der', message);
    this.name = 'DerError';
  }
}

/** Universal and context tags used by X.509 (identifier octets). */
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

/** One TLV: `tag` is the identifier octet; content is `b[body, end)`. */
export interface Tlv {
  tag: number;
  start: number;
  body: number;
  end: number;
}

/** Reads the TLV at `pos`, which must end at or before `limit`. */
export function readTlv(b: Uint8Array, pos: number, limit: number, what: string): Tlv {
  if (pos + 2 > limit) throw new DerError(`der: ${what}: truncated`);
  const tag = b[pos]!;
  if ((tag & 0x1f) === 0x1f) throw new DerError(`der: ${what}: high tag numbers are not used in X.509`);
  let len = b[pos + 1]!;
  let body = pos + 2;
  if (len & 0x80) {
    const n = len & 0x7f;
    if (n === 0) throw new DerError(`der: ${what}: indefinite length`);
    if (n > 4) throw new DerError(`der: ${what}: length field too long`);
    if (body + n > limit) throw new DerError(`der: ${what}: truncated length`);
    if (b[body] === 0) throw new DerError(`der: ${what}: non-minimal length`);
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + b[body + i]!;
    body += n;
    if (len < 0x80) throw new DerError(`der: ${what}: non-minimal length`);
  }
  const end = body + len;
  if (end > limit) throw new DerError(`der: ${what}: length exceeds the enclosing value`);
  return { tag, start: pos, body, end };
}

/** Sequential reader over the content of a constructed value. */
export class DerCursor {
  pos: number;
  constructor(
    readonly b: Uint8Array,
    start: number,
    readonly end: number,
  ) {
    this.pos = start;
  }

  /** A cursor over the content of `t`. */
  static of(b: Uint8Array, t: Tlv): DerCursor {
    return new DerCursor(b, t.body, t.end);
  }

  /** True when everything was read. */
  get done(): boolean {
    return this.pos >= this.end;
  }

  /** The next identifier octet, or -1 at the end. */
  peek(): number {
    return this.pos < this.end ? this.b[this.pos]! : -1;
  }

  /** The next TLV, whatever its tag. */
  next(what: string): Tlv {
    const t = readTlv(this.b, this.pos, this.end, what);
    this.pos = t.end;
    return t;
  }

  /** The next TLV, which must carry `tag`. */
  take(tag: number, what: string): Tlv {
    if (this.done) throw new DerError(`der: ${what}: missing`);
    const t = this.next(what);
    if (t.tag !== tag) throw new DerError(`der: ${what}: expected tag 0x${tag.toString(16)}, found 0x${t.tag.toString(16)}`);
    return t;
  }

  /** The next TLV if it carries `tag`. */
  optional(tag: number, what: string): Tlv | undefined {
    return this.peek() === tag ? this.next(what) : undefined;
  }

  /** Throws unless everything was read. */
  finish(what: string): void {
    if (!this.done) throw new DerError(`der: ${what}: unexpected data after the last field`);
  }
}

/** Parses `b` as exactly one TLV with tag `tag`. */
export function parseOne(b: Uint8Array, tag: number, what: string): Tlv {
  const t = readTlv(b, 0, b.length, what);
  if (t.tag !== tag) throw new DerError(`der: ${what}: expected tag 0x${tag.toString(16)}, found 0x${t.tag.toString(16)}`);
  if (t.end !== b.length) throw new DerError(`der: ${what}: ${b.length - t.end} bytes after the value`);
  return t;
}

/** The content octets of `t` (a view, not a copy). */
export const contentOf = (b: Uint8Array, t: Tlv): Uint8Array => b.subarray(t.body, t.end);
/** The whole encoding of `t`, identifier and length included (a view). */
export const rawOf = (b: Uint8Array, t: Tlv): Uint8Array => b.subarray(t.start, t.end);

/** Dotted form of an OBJECT IDENTIFIER's content (X.690 §8.19), rejecting non-minimal arcs. */
export function decodeOid(v: Uint8Array, what: string): string {
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

/** A DER BOOLEAN's value (content must be 00 or FF). */
export function decodeBoolean(v: Uint8Array, what: string): boolean {
  if (v.length !== 1 || (v[0] !== 0 && v[0] !== 0xff)) throw new DerError(`der: ${what}: invalid BOOLEAN`);
  return v[0] === 0xff;
}

/** Checks a DER INTEGER's content is minimal (X.690 §8.3.2) and returns it. */
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

/** A BIT STRING's content: the bits (unused trailing bits cleared) and their count. */
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
  } else throw new DerError(`der: ${what}: not a UTCTime or GeneralizedTime (tag 0x${tag.toString(16)})`);
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

/** Reads a time TLV from a cursor (either form); `misencoded` is set when the form is the wrong one for the date. */
export function readTime(c: DerCursor, what: string, form?: { misencoded?: boolean }): number {
  const t = c.next(what);
  const v = decodeTime(t.tag, contentOf(c.b, t), what);
  if (form && t.tag === TAG.GENERALIZED_TIME && v < Y2050) form.misencoded = true;
  return v;
}

const HEX = Array.from({ length: 256 }, (_, i) => (i < 16 ? '0' : '') + i.toString(16));

/** Lower-case hex of bytes. */
export function hex(b: Uint8Array): string {
  let s = '';
  for (let i = 0; i < b.length; i++) s += HEX[b[i]!]!;
  return s;
}

/** Byte equality (not constant time: nothing here is secret). */
export function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
