/**
 * BER-TLV as PIV uses it (SP 800-73-4 Part 2 §3.3, ISO 7816-4 §5.2): tags of one to three
 * bytes, definite lengths in the short form or 81 xx / 82 xx xx. Strict: a truncated or
 * over-long encoding is refused with its own message.
 */
import { concatBytes } from '../../util/bytes.ts';
import { TokenError } from '../errors.ts';

/** One TLV; `tag` as the integer of its bytes (0x7F49, 0x5FC105). */
export function encodeTlv(tag: number, value: Uint8Array): Uint8Array {
  if (!Number.isInteger(tag) || tag < 0 || tag > 0xffffff) throw new RangeError(`tlv: tag ${tag} out of range`);
  const t: number[] = [];
  for (let v = tag; ; v >>>= 8) {
    t.unshift(v & 0xff);
    if (v < 0x100) break;
  }
  const n = value.length;
  if (n > 0xffff) throw new RangeError(`tlv: value of ${n} bytes is too long`);
  const l = n < 0x80 ? [n] : n < 0x100 ? [0x81, n] : [0x82, n >> 8, n & 0xff];
  return concatBytes(Uint8Array.from(t), Uint8Array.from(l), value);
}

export interface Tlv {
  tag: number;
  value: Uint8Array;
}

/** All TLVs of `data`, in order. */
export function decodeTlvs(data: Uint8Array, op = 'tlv'): Tlv[] {
  const out: Tlv[] = [];
  let i = 0;
  const fail = (why: string): never => {
    throw new TokenError('protocol', `${op}: malformed TLV data from the token (${why} at offset ${i})`);
  };
  while (i < data.length) {
    let tag = data[i++]!;
    if ((tag & 0x1f) === 0x1f) {
      for (let k = 0; ; k++) {
        if (i >= data.length) fail('truncated tag');
        if (k === 2) fail('tag longer than three bytes');
        const b = data[i++]!;
        tag = (tag << 8) | b;
        if (!(b & 0x80)) break;
      }
    }
    if (i >= data.length) fail('missing length');
    let n = data[i++]!;
    if (n === 0x81) {
      if (i >= data.length) fail('truncated length');
      n = data[i++]!;
    } else if (n === 0x82) {
      if (i + 1 >= data.length) fail('truncated length');
      n = (data[i]! << 8) | data[i + 1]!;
      i += 2;
    } else if (n > 0x82) fail(`length form ${n.toString(16)}`);
    if (i + n > data.length) fail(`value of ${n} bytes runs past the end`);
    out.push({ tag, value: data.subarray(i, i + n) });
    i += n;
  }
  return out;
}

/** The value of the first TLV with `tag`, or undefined. */
export function findTlv(data: Uint8Array | Tlv[], tag: number, op = 'tlv'): Uint8Array | undefined {
  const list = data instanceof Uint8Array ? decodeTlvs(data, op) : data;
  return list.find((t) => t.tag === tag)?.value;
}

/** The value of the first TLV with `tag`; a protocol error when missing. */
export function requireTlv(data: Uint8Array | Tlv[], tag: number, op: string): Uint8Array {
  const v = findTlv(data, tag, op);
  if (!v) throw new TokenError('protocol', `${op}: the token's answer lacks tag ${tag.toString(16).toUpperCase()}`);
  return v;
}
