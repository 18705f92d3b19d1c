// The strict DER identifier-and-length reader shared by the scanner and the CRL walker
// (X.690 §8.1.2, §8.1.3 and the DER restrictions of §10.1).

import { E_DER_FORM, E_DER_INDEFINITE, E_DER_LENGTH_SIZE, E_DER_NONMINIMAL, E_DER_OVERFLOW, E_DER_TAG, E_DER_TRUNCATED } from './errors';

/** Tag of the last header read: first identifier octet | tag number << 8. */
export let hTag: u32 = 0;
/** Header length (identifier + length octets) of the last header read. */
export let hHeader: u32 = 0;
/** Content length of the last header read. */
export let hLength: u32 = 0;

/**
 * Reads the header of the element at `pos`, which must lie, content included, before `end`.
 * Returns 0 and sets hTag/hHeader/hLength, or a negative E_DER_* code.
 */
export function readHeader(base: usize, pos: u32, end: u32): i32 {
  if (pos >= end) return E_DER_TRUNCATED;
  let p = pos;
  const id = <u32>load<u8>(base + <usize>(p++));
  let number = id & 0x1f;
  if (number == 0x1f) {
    // High tag number form: base-128 digits, no leading 0x80 digit, value >= 31.
    number = 0;
    let digits = 0;
    while (true) {
      if (p >= end) return E_DER_TRUNCATED;
      const b = <u32>load<u8>(base + <usize>(p++));
      if (digits == 0 && b == 0x80) return E_DER_TAG;
      if (++digits > 3) return E_DER_TAG;
      number = (number << 7) | (b & 0x7f);
      if ((b & 0x80) == 0) break;
    }
    if (number < 31) return E_DER_TAG;
  } else if (id == 0) return E_DER_TAG;
  if ((id & 0xc0) == 0) {
    // universal class: constructed exactly for EXTERNAL, EMBEDDED PDV, SEQUENCE, SET, CHARACTER STRING
    const mustConstruct = number == 16 || number == 17 || number == 8 || number == 11 || number == 29;
    if (mustConstruct != ((id & 0x20) != 0)) return E_DER_FORM;
  }
  if (p >= end) return E_DER_TRUNCATED;
  const lb = <u32>load<u8>(base + <usize>(p++));
  let len: u32 = lb;
  if (lb >= 0x80) {
    if (lb == 0x80) return E_DER_INDEFINITE;
    const n = lb & 0x7f;
    if (n > 4) return E_DER_LENGTH_SIZE;
    if (n > end - p) return E_DER_TRUNCATED;
    if (load<u8>(base + <usize>p) == 0) return E_DER_NONMINIMAL;
    len = 0;
    for (let i: u32 = 0; i < n; i++) len = (len << 8) | <u32>load<u8>(base + <usize>(p++));
    if (len < 0x80) return E_DER_NONMINIMAL;
  }
  if (len > end - p) return E_DER_OVERFLOW;
  hTag = id | (number << 8);
  hHeader = p - pos;
  hLength = len;
  return 0;
}
