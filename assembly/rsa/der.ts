// A strict little DER reader and writer for the RSA key formats (X.690 §10): definite
// minimal lengths, single-byte tags, minimal positive INTEGERs. Nothing is allocated: the
// reader reports positions in module variables, the writer writes to a caller's buffer.

/** Result of the last successful derRead: tag, content start and end (exclusive). */
export let dTag: u32 = 0;
export let dStart: usize = 0;
export let dEnd: usize = 0;

/**
 * Reads one TLV at `p` that must end by `end`. Sets dTag, dStart, dEnd and returns true, or
 * returns false for anything that is not DER (high tag numbers, indefinite or non-minimal
 * lengths, lengths running past `end`).
 */
export function derRead(p: usize, end: usize): bool {
  if (p + 2 > end) return false;
  const tag = <u32>load<u8>(p);
  if ((tag & 0x1f) == 0x1f) return false;
  let l = <u32>load<u8>(p + 1);
  let q = p + 2;
  if (l >= 0x80) {
    const nb = l & 0x7f;
    if (nb == 0 || nb > 3 || q + nb > end) return false; // indefinite, or > 16 MB
    l = 0;
    for (let i: u32 = 0; i < nb; i++) l = (l << 8) | <u32>load<u8>(q + i);
    q += nb;
    if (l < 0x80) return false; // should have used the short form
    if (nb > 1 && (l >> ((nb - 1) * 8)) == 0) return false; // leading zero length byte
  }
  if (<u64>q + <u64>l > <u64>end) return false;
  dTag = tag;
  dStart = q;
  dEnd = q + l;
  return true;
}

/** Reads a TLV with the given tag (see derRead). */
export function derExpect(p: usize, end: usize, tag: u32): bool {
  return derRead(p, end) && dTag == tag;
}

/**
 * Checks that the content [dStart, dEnd) of the last read is a minimal non-negative INTEGER
 * and returns the position and length of its magnitude (leading 0x00 dropped) in
 * dStart/dEnd. Returns false for negative or non-minimal encodings.
 */
export function derPositiveInt(): bool {
  const s = dStart, e = dEnd;
  if (s == e) return false;
  const b0 = load<u8>(s);
  if (b0 & 0x80) return false; // negative
  if (b0 == 0 && e - s > 1) {
    if ((load<u8>(s + 1) & 0x80) == 0) return false; // non-minimal
    dStart = s + 1;
  }
  return true;
}

/** Compares the content of the last read with `len` bytes at `ref`. */
export function derContentIs(ref: usize, len: usize): bool {
  if (dEnd - dStart != len) return false;
  return memory.compare(dStart, ref, len) == 0;
}

// ---------------------------------------------------------------------------------------
// Writer

/** Bytes of a DER length field for a content of `len` bytes. */
export function derLenSize(len: i32): i32 {
  if (len < 0x80) return 1;
  if (len < 0x100) return 2;
  if (len < 0x10000) return 3;
  return 4;
}

/** Size of a whole TLV with a content of `len` bytes. */
export function derSize(len: i32): i32 {
  return 1 + derLenSize(len) + len;
}

/** Writes tag and length at p; returns the position of the content. */
export function derHeader(p: usize, tag: u32, len: i32): usize {
  store<u8>(p, <u8>tag);
  p++;
  if (len < 0x80) {
    store<u8>(p, <u8>len);
    return p + 1;
  }
  const nb = derLenSize(len) - 1;
  store<u8>(p, <u8>(0x80 | nb));
  p++;
  for (let i = nb - 1; i >= 0; i--) {
    store<u8>(p, <u8>(len >> (i * 8)));
    p++;
  }
  return p;
}

/** Content length of the DER INTEGER for the unsigned big-endian magnitude of `len` bytes at m. */
export function derIntContentLen(m: usize, len: i32): i32 {
  let s = 0;
  while (s < len - 1 && load<u8>(m + <usize>s) == 0) s++;
  const l = len - s;
  return (load<u8>(m + <usize>s) & 0x80) != 0 ? l + 1 : l;
}

/** Writes the DER INTEGER of the magnitude at m (len bytes); returns the end position. */
export function derWriteInt(p: usize, m: usize, len: i32): usize {
  let s = 0;
  while (s < len - 1 && load<u8>(m + <usize>s) == 0) s++;
  const l = len - s;
  const pad = (load<u8>(m + <usize>s) & 0x80) != 0;
  p = derHeader(p, 0x02, pad ? l + 1 : l);
  if (pad) {
    store<u8>(p, 0);
    p++;
  }
  memory.copy(p, m + <usize>s, <usize>l);
  return p + <usize>l;
}

/** Writes `len` raw bytes; returns the end position. */
export function derWriteRaw(p: usize, src: usize, len: i32): usize {
  memory.copy(p, src, <usize>len);
  return p + <usize>len;
}
