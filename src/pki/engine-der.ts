/**
 * Minimal DER readers and writers for the AlgorithmIdentifier parameters the pkijs engine
 * (engine.ts) handles itself: CBC cipher parameters (an OCTET STRING IV, RFC 3370 §5.1 DES,
 * RFC 8018 B.2.2, RFC 3565 AES; RC2-CBC-Parameter, RFC 8018 B.2.3 and RFC 2268 §6), small
 * INTEGERs and OCTET STRINGs of PBE parameters, OIDs, and the modulus size and exponent of an
 * RSA SubjectPublicKeyInfo (RFC 8017 A.1.1). Private to engine.ts and its engine-*.ts modules;
 * `cbcParameters` and `cbcParametersDer` are re-exported from engine.ts.
 */
import * as asn1js from 'asn1js';
import { PkiError } from '../util/errors.ts';
import type { CoreCbc } from './engine-oids.ts';
import { ivLength } from './engine-util.ts';
import { BER, derChildren, readTlv, type Tlv, DER } from './der.ts';

/** The DER of pkijs' `algorithmParams`; `PkiError('bad-pkcs7')` when they are absent. */
export function paramsDer(params: unknown, op: string, what: string): Uint8Array {
  if (!params || params instanceof asn1js.Any || typeof (params as asn1js.BaseBlock).toBER !== 'function') throw new PkiError('bad-pkcs7', `engine.${op}: ${what} parameters missing`);
  return new Uint8Array((params as asn1js.BaseBlock).toBER(false));
}

/** `t` when it is present with tag `tag`, else `PkiError('bad-pkcs7')`. */
export function expect(der: Uint8Array, t: Tlv | undefined, tag: number, op: string, what: string): Tlv {
  if (!t || t.tag !== tag) throw new PkiError('bad-pkcs7', `engine.${op}: malformed ${what}`);
  return t;
}

/** The contents of an OCTET STRING (a copy). */
export function readOctets(der: Uint8Array, t: Tlv | undefined, op: string, what: string): Uint8Array {
  const o = expect(der, t, 0x04, op, what);
  return der.slice(o.contentStart, o.contentEnd);
}

/** A non-negative INTEGER that fits 31 bits. */
export function readSmallInt(der: Uint8Array, t: Tlv | undefined, op: string, what: string): number {
  const o = expect(der, t, 0x02, op, what);
  let b = der.subarray(o.contentStart, o.contentEnd);
  if (b.length === 0 || b[0]! & 0x80) throw new PkiError('bad-pkcs7', `engine.${op}: ${what} is negative or empty`);
  while (b.length > 1 && b[0] === 0) b = b.subarray(1);
  if (b.length > 4 || (b.length === 4 && b[0]! & 0x80)) throw new PkiError('unsupported', `engine.${op}: ${what} is too large`);
  let v = 0;
  for (const x of b) v = v * 256 + x;
  return v;
}

/** RC2 effective key bits from an RC2ParameterVersion (RFC 8018 B.2.3; RFC 2268 §6). */
function rc2BitsOfVersion(v: number): number {
  if (v === 160) return 40;
  if (v === 120) return 64;
  if (v === 58) return 128;
  if (v >= 256 && v <= 1024) return v;
  throw new PkiError('unsupported', `engine: RC2 parameter version ${v}`);
}

function rc2VersionOfBits(bits: number): number {
  if (bits === 40) return 160;
  if (bits === 64) return 120;
  if (bits === 128) return 58;
  if (bits >= 256 && bits <= 1024) return bits;
  throw new RangeError(`engine: RC2 effective key bits ${bits} have no parameter version`);
}

/**
 * The IV (and RC2 effective key bits) of a CBC AlgorithmIdentifier's parameters: an OCTET
 * STRING IV (RFC 3370 §5.1 DES, RFC 8018 B.2.2, RFC 3565 AES), or for RC2 an
 * RC2-CBC-Parameter SEQUENCE { rc2ParameterVersion INTEGER OPTIONAL, iv OCTET STRING }
 * (RFC 8018 B.2.3; absent version = 32 effective bits, RFC 2268 §6).
 */
export function cbcParameters(cipher: CoreCbc, params: Uint8Array, op: string): { iv: Uint8Array; rc2Bits?: number } {
  const top = readTlv(params, 0, params.length, BER);
  if (top.end !== params.length) throw new PkiError('bad-pkcs7', `engine.${op}: trailing bytes after the ${cipher} parameters`);
  let iv: Uint8Array;
  let rc2Bits: number | undefined;
  if (cipher === 'RC2-CBC' && top.tag === 0x30) {
    const kids = derChildren(params, top, BER);
    if (kids.length === 2) {
      rc2Bits = rc2BitsOfVersion(readSmallInt(params, kids[0], op, 'RC2 parameter version'));
      iv = readOctets(params, kids[1], op, 'RC2 IV');
    } else if (kids.length === 1) {
      rc2Bits = 32;
      iv = readOctets(params, kids[0], op, 'RC2 IV');
    } else throw new PkiError('bad-pkcs7', `engine.${op}: malformed RC2-CBC parameters`);
  } else {
    iv = readOctets(params, top, op, `${cipher} IV`);
    if (cipher === 'RC2-CBC') rc2Bits = 32;
  }
  if (iv.length !== ivLength(cipher)) throw new PkiError('bad-pkcs7', `engine.${op}: ${cipher} IV of ${iv.length} bytes (needs ${ivLength(cipher)})`);
  return rc2Bits === undefined ? { iv } : { iv, rc2Bits };
}

/** The DER AlgorithmIdentifier parameters of a CBC cipher for `iv` (see `cbcParameters`). */
export function cbcParametersDer(cipher: CoreCbc, iv: Uint8Array, rc2Bits?: number): Uint8Array {
  if (cipher === 'RC2-CBC') return DER.seq(DER.tlv(0x02, ...intBytes(rc2VersionOfBits(rc2Bits ?? 128))), DER.tlv(0x04, iv));
  return DER.tlv(0x04, iv);
}

/** The content octets of a DER INTEGER for a non-negative `n` (as one spread-able element). */
export function intBytes(n: number): Uint8Array[] {
  const out: number[] = [];
  for (let v = n; v > 0; v = Math.floor(v / 256)) out.unshift(v & 0xff);
  if (!out.length || out[0]! & 0x80) out.unshift(0);
  return [Uint8Array.from(out)];
}

/** An asn1js object parsed from DER (for pkijs' `algorithmParams`). */
export const toAsn1 = (der: Uint8Array): asn1js.AsnType => asn1js.fromBER(der.slice().buffer).result;

/** The public modulus size and exponent of an RSA SubjectPublicKeyInfo (RFC 8017 A.1.1). */
export function rsaPublicParams(spki: Uint8Array): { modulusLength: number; publicExponent: Uint8Array } {
  const top = readTlv(spki, 0, spki.length, BER);
  const [, bits] = derChildren(spki, top, BER);
  if (!bits || bits.tag !== 0x03) throw new PkiError('bad-key', 'engine: not a SubjectPublicKeyInfo');
  const inner = spki.subarray(bits.contentStart + 1, bits.contentEnd);
  const [n, e] = derChildren(inner, readTlv(inner, 0, inner.length, BER), BER);
  if (!n || !e || n.tag !== 0x02 || e.tag !== 0x02) throw new PkiError('bad-key', 'engine: not an RSA public key');
  let m = inner.subarray(n.contentStart, n.contentEnd);
  while (m.length > 1 && m[0] === 0) m = m.subarray(1);
  const modulusLength = (m.length - 1) * 8 + (32 - Math.clz32(m[0]!));
  let x = inner.subarray(e.contentStart, e.contentEnd);
  while (x.length > 1 && x[0] === 0) x = x.subarray(1);
  return { modulusLength, publicExponent: x.slice() };
}

/** The dotted form of the OBJECT IDENTIFIER `t` in `der`. */
export function oidAt(der: Uint8Array, t: Tlv | undefined, op: string): string {
  const o = expect(der, t, 0x06, op, 'algorithm identifier');
  const asn = asn1js.fromBER(der.slice(o.start, o.end).buffer);
  return (asn.result as asn1js.ObjectIdentifier).valueBlock.toString();
}
