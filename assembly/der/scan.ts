// A strict, allocation-free DER TLV scanner (X.690 §10; modelled on the strictness of
// noble-curves' abstract/der.ts). It walks the buffer depth-first and reports every
// element; primitive contents are not looked into.

import { E_BUFFER, E_INVALID } from '../util/errors';
import { E_DER_DEPTH, E_DER_TRAILING, E_DER_TRUNCATED } from './errors';
import { hHeader, hLength, hTag, readHeader } from './header';

/** The deepest nesting a caller may allow (top-level element = depth 0). */
export const DER_MAX_DEPTH: i32 = 64;
/** u32 words per reported element: tag, header length, content offset, content length, depth. */
export const DER_STRIDE: i32 = 5;

/** Ends of the enclosing elements. */
const ENDS = new StaticArray<u32>(DER_MAX_DEPTH + 1);

/** Offset of the element whose header was rejected by the last failed call. */
export let errorOffset: u32 = 0;

/**
 * Scans one DER element spanning exactly `len` bytes at `src`. For each element, in
 * document order, writes DER_STRIDE u32 at `out`: tag (first identifier octet | tag number
 * << 8), header length, content offset, content length, depth. Returns the element count or
 * a negative code (E_DER_*, E_BUFFER when more than `maxElems` elements, E_INVALID for a
 * depth bound outside 0..DER_MAX_DEPTH).
 */
export function scan(src: usize, len: u32, out: usize, maxElems: u32, maxDepth: i32): i32 {
  if (maxDepth < 0 || maxDepth > DER_MAX_DEPTH) return E_INVALID;
  let pos: u32 = 0;
  let end: u32 = len;
  let depth: i32 = 0;
  let count: u32 = 0;
  errorOffset = 0;
  if (len == 0) return E_DER_TRUNCATED;
  while (true) {
    if (pos == end) {
      if (depth == 0) break;
      depth--;
      end = unchecked(ENDS[depth]);
      continue;
    }
    const r = readHeader(src, pos, end);
    if (r < 0) {
      errorOffset = pos;
      return r;
    }
    const content = pos + hHeader;
    const next = content + hLength;
    if (depth == 0 && next != len) {
      errorOffset = next;
      return E_DER_TRAILING;
    }
    if (count >= maxElems) {
      errorOffset = pos;
      return E_BUFFER;
    }
    const o = out + <usize>count * 20;
    store<u32>(o, hTag, 0);
    store<u32>(o, hHeader, 4);
    store<u32>(o, content, 8);
    store<u32>(o, hLength, 12);
    store<u32>(o, <u32>depth, 16);
    count++;
    if ((hTag & 0x20) != 0 && hLength != 0) {
      if (depth >= maxDepth) {
        errorOffset = content;
        return E_DER_DEPTH;
      }
      unchecked((ENDS[depth] = end));
      depth++;
      end = next;
      pos = content;
    } else pos = next;
  }
  return <i32>count;
}
