/**
 * Public keys as a PIV card returns them (GENERATE ASYMMETRIC KEY PAIR: `7F49 { 81 n, 82 e }`
 * or `7F49 { 86 point }`, SP 800-73-4 Part 2 Table 10) turned into SubjectPublicKeyInfo DER,
 * and the PKCS #1 v1.5 DigestInfo prefixes the host needs to pad RSA signatures itself.
 * The token layer may not use pkijs (only pki/ does), and these are a few fixed encodings.
 */
import { concatBytes } from '../../util/bytes.ts';
import type { HashAlg } from '../../core/api.ts';
import type { KeyInfo, NamedCurve } from '../../crypto/types.ts';
import { TokenError } from '../errors.ts';
import { decodeTlvs, findTlv } from '../apdu/tlv.ts';
import { ALGORITHM, type KeyAlgorithm } from './constants.ts';

function derLen(n: number): Uint8Array {
  if (n < 0x80) return Uint8Array.of(n);
  if (n < 0x100) return Uint8Array.of(0x81, n);
  return Uint8Array.of(0x82, n >> 8, n & 0xff);
}

function der(tag: number, ...parts: Uint8Array[]): Uint8Array {
  const v = concatBytes(...parts);
  return concatBytes(Uint8Array.of(tag), derLen(v.length), v);
}

/** A DER INTEGER from unsigned big-endian bytes (minimal, positive). */
function derUint(b: Uint8Array): Uint8Array {
  let i = 0;
  while (i < b.length - 1 && b[i] === 0) i++;
  const v = b.subarray(i);
  return der(0x02, v[0]! & 0x80 ? concatBytes(Uint8Array.of(0), v) : v);
}

const OID_RSA = Uint8Array.of(0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01);
const OID_EC = Uint8Array.of(0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01);
const OID_CURVE: Record<'P-256' | 'P-384', Uint8Array> = {
  'P-256': Uint8Array.of(0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07),
  'P-384': Uint8Array.of(0x06, 0x05, 0x2b, 0x81, 0x04, 0x00, 0x22),
};
const NULL = Uint8Array.of(0x05, 0x00);

export function rsaSpki(n: Uint8Array, e: Uint8Array): Uint8Array {
  const key = der(0x30, derUint(n), derUint(e));
  return der(0x30, der(0x30, OID_RSA, NULL), der(0x03, Uint8Array.of(0), key));
}

export function ecSpki(curve: 'P-256' | 'P-384', point: Uint8Array): Uint8Array {
  return der(0x30, der(0x30, OID_EC, OID_CURVE[curve]), der(0x03, Uint8Array.of(0), point));
}

export function keyInfoOf(alg: KeyAlgorithm): KeyInfo {
  switch (alg) {
    case ALGORITHM.RSA1024:
      return { kind: 'rsa', bits: 1024 };
    case ALGORITHM.RSA2048:
      return { kind: 'rsa', bits: 2048 };
    case ALGORITHM.ECCP256:
      return { kind: 'ec', curve: 'P-256' };
    case ALGORITHM.ECCP384:
      return { kind: 'ec', curve: 'P-384' };
  }
}

/** The PIV algorithm for a key type, or undefined when PIV has none (RSA 3072, P-521 ...). */
export function algorithmOf(key: KeyInfo): KeyAlgorithm | undefined {
  if (key.kind === 'rsa') return key.bits === 2048 ? ALGORITHM.RSA2048 : key.bits === 1024 ? ALGORITHM.RSA1024 : undefined;
  return key.curve === 'P-256' ? ALGORITHM.ECCP256 : key.curve === 'P-384' ? ALGORITHM.ECCP384 : undefined;
}

export const CURVE_BYTES: Record<NamedCurve, number> = { 'P-256': 32, 'P-384': 48, 'P-521': 66 };

/** SPKI DER from the card's `7F49` public key template. */
export function spkiFromTemplate(alg: KeyAlgorithm, resp: Uint8Array): Uint8Array {
  const op = 'piv.generateKey';
  const tpl = findTlv(resp, 0x7f49, op);
  if (!tpl) throw new TokenError('protocol', `${op}: the answer has no public key template (7F49)`);
  const inner = decodeTlvs(tpl, op);
  const info = keyInfoOf(alg);
  if (info.kind === 'rsa') {
    const n = findTlv(inner, 0x81);
    const e = findTlv(inner, 0x82);
    if (!n || !e) throw new TokenError('protocol', `${op}: the RSA public key lacks its modulus or exponent`);
    let i = 0;
    while (i < n.length && n[i] === 0) i++;
    if ((n.length - i) * 8 < info.bits - 7 || (n.length - i) * 8 > info.bits) throw new TokenError('protocol', `${op}: the card returned a ${(n.length - i) * 8}-bit modulus for an RSA-${info.bits} key`);
    return rsaSpki(n, e);
  }
  const point = findTlv(inner, 0x86);
  const size = CURVE_BYTES[info.curve];
  if (!point || point.length !== 1 + 2 * size || point[0] !== 4) throw new TokenError('protocol', `${op}: the EC public key is not an uncompressed ${info.curve} point`);
  return ecSpki(info.curve as 'P-256' | 'P-384', point);
}

/** DER of DigestInfo up to the digest (RFC 8017 §9.2 note 1). */
export const DIGEST_INFO_PREFIX: Partial<Record<HashAlg, Uint8Array>> = {
  'SHA-1': Uint8Array.of(0x30, 0x21, 0x30, 0x09, 0x06, 0x05, 0x2b, 0x0e, 0x03, 0x02, 0x1a, 0x05, 0x00, 0x04, 0x14),
  'SHA-224': Uint8Array.of(0x30, 0x2d, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x04, 0x05, 0x00, 0x04, 0x1c),
  'SHA-256': Uint8Array.of(0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x05, 0x00, 0x04, 0x20),
  'SHA-384': Uint8Array.of(0x30, 0x41, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x02, 0x05, 0x00, 0x04, 0x30),
  'SHA-512': Uint8Array.of(0x30, 0x51, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x03, 0x05, 0x00, 0x04, 0x40),
};

/** EMSA-PKCS1-v1_5 (RFC 8017 §9.2): 00 01 FF…FF 00 ‖ DigestInfo, `k` bytes. */
export function pkcs1Pad(hash: HashAlg, digest: Uint8Array, k: number): Uint8Array {
  const prefix = DIGEST_INFO_PREFIX[hash];
  if (!prefix) throw new TokenError('not-supported', `piv.sign: ${hash} cannot be used with a token RSA key`);
  const t = concatBytes(prefix, digest);
  if (k < t.length + 11) throw new RangeError('piv.sign: the RSA key is too short for this hash');
  const em = new Uint8Array(k).fill(0xff);
  em[0] = 0;
  em[1] = 1;
  em[k - t.length - 1] = 0;
  em.set(t, k - t.length);
  return em;
}

/**
 * The hash as an ECDSA card takes it (yubikit `_pad_message`): the leftmost field-size bytes,
 * or left-padded with zeros — the same integer ECDSA derives from the hash (FIPS 186-5 §6.4.1).
 */
export function ecHashInput(digest: Uint8Array, curve: NamedCurve): Uint8Array {
  const size = CURVE_BYTES[curve];
  if (digest.length >= size) return digest.slice(0, size);
  const out = new Uint8Array(size);
  out.set(digest, size - digest.length);
  return out;
}
