// A strict little DER reader and a back-to-front DER writer for the few structures of ec/
// (ITU-T X.690 §8.1, §10.1: definite, minimal lengths; single-byte tags).
//
// Reader: `derElem(p, end, tag)` checks one TLV at p (exact tag, minimal definite length that
// fits before `end`) and returns its content length (or -1), leaving the content pointer in
// `derBody`; the next element starts at derBody + length.
// Writer: content is prepended from the end of a scratch buffer, so every length is known when
// its header is written.

/** Content pointer of the element accepted by the last successful derElem. */
export let derBody: usize = 0;

/**
 * Parses the header of a TLV with tag `tag` at p (< end). Returns the content length or -1
 * (wrong tag, high tag number form, indefinite or non-minimal length, content past `end`).
 */
export function derElem(p: usize, end: usize, tag: u32): i32 {
  if (p + 2 > end) return -1;
  if (<u32>load<u8>(p) != tag) return -1;
  let l = <u32>load<u8>(p + 1);
  let q = p + 2;
  if (l >= 0x80) {
    const nb = l & 0x7f;
    if (nb == 0 || nb > 3) return -1; // indefinite, or longer than any input we accept
    if (q + nb > end) return -1;
    l = 0;
    for (let i: u32 = 0; i < nb; i++) l = (l << 8) | <u32>load<u8>(q + i);
    q += nb;
    if (load<u8>(p + 2) == 0) return -1; // leading zero length byte
    if (l < 0x80) return -1; // long form where the short form fits
  }
  if (<u64>q + <u64>l > <u64>end) return -1;
  derBody = q;
  return <i32>l;
}

/**
 * Parses a DER INTEGER at p that must be non-negative, minimally encoded and at most `maxLen`
 * bytes of magnitude. Returns the content length (>= 1) or -1; the magnitude is then the
 * content at derBody without its optional single leading 0x00 (see derUintMag).
 */
export function derUint(p: usize, end: usize, maxLen: i32): i32 {
  const len = derElem(p, end, 0x02);
  if (len < 1) return -1;
  const b0 = <u32>load<u8>(derBody);
  if (b0 & 0x80) return -1; // negative
  if (len > 1 && b0 == 0 && (<u32>load<u8>(derBody + 1) & 0x80) == 0) return -1; // non-minimal
  const mag = b0 == 0 && len > 1 ? len - 1 : len;
  if (mag > maxLen) return -1;
  return len;
}

/** For an INTEGER accepted by derUint with content length len: pointer to the magnitude. */
export function derUintMag(len: i32): usize {
  return len > 1 && load<u8>(derBody) == 0 ? derBody + 1 : derBody;
}

/** Magnitude length for an INTEGER accepted by derUint. */
export function derUintMagLen(len: i32): i32 {
  return len > 1 && load<u8>(derBody) == 0 ? len - 1 : len;
}

/** True iff the `len` bytes at p equal the `len` bytes at q. */
export function bytesEq(p: usize, q: usize, len: i32): bool {
  let d: u32 = 0;
  for (let i = 0; i < len; i++) d |= <u32>(load<u8>(p + <usize>i) ^ load<u8>(q + <usize>i));
  return d == 0;
}

// ---------------------------------------------------------------------------------------
// Writer

const WCAP: usize = 1024;
const wbuf = memory.data(1024);
let wp: usize = 0;

/** Starts a new encoding. */
export function wReset(): void {
  wp = wbuf + WCAP;
}

/** Current start of the encoding (grows downwards). */
export function wPos(): usize {
  return wp;
}

/** Length written since the matching `wPos()` value `mark`. */
export function wLenSince(mark: usize): i32 {
  return <i32>(mark - wp);
}

/** Prepends `len` bytes from src. */
export function wBytes(src: usize, len: i32): void {
  wp -= <usize>len;
  assert(wp >= wbuf);
  memory.copy(wp, src, <usize>len);
}

/** Prepends one byte. */
export function wByte(b: u32): void {
  wp -= 1;
  assert(wp >= wbuf);
  store<u8>(wp, <u8>b);
}

/** Prepends a TLV header for `len` content bytes (minimal length encoding). */
export function wHeader(tag: u32, len: i32): void {
  if (len < 0x80) wByte(<u32>len);
  else if (len < 0x100) {
    wByte(<u32>len);
    wByte(0x81);
  } else {
    wByte(<u32>len & 0xff);
    wByte(<u32>len >> 8);
    wByte(0x82);
  }
  wByte(tag);
}

/** Wraps everything written since `mark` in a TLV with `tag`. */
export function wWrap(tag: u32, mark: usize): void {
  wHeader(tag, wLenSince(mark));
}

/** Prepends a minimal non-negative INTEGER from `len` big-endian magnitude bytes. */
export function wUint(src: usize, len: i32): void {
  const mark = wp;
  let i = 0;
  while (i < len - 1 && load<u8>(src + <usize>i) == 0) i++;
  wBytes(src + <usize>i, len - i);
  if (load<u8>(src + <usize>i) & 0x80) wByte(0);
  wWrap(0x02, mark);
}

/** Copies the finished encoding to out (capacity cap); returns its length or -1 if too long. */
export function wFinish(out: usize, cap: i32): i32 {
  const len = <i32>(wbuf + WCAP - wp);
  if (len > cap) return -1;
  memory.copy(out, wp, <usize>len);
  return len;
}

/** Zeroes the writer buffer (it may have held a private key). */
export function wWipe(): void {
  memory.fill(wbuf, 0, WCAP);
  wp = wbuf + WCAP;
}
