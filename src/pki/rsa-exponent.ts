/**
 * RSA public keys as we use them: `rsaPublicParams` (modulus size, exponent) and the
 * public-exponent limit on keys we verify with (issue 12, defect 8): e < 2^256, as
 * NIST SP 800-56B §6.2.1 requires. A public operation costs one modular squaring per bit of
 * e, so an exponent as long as the modulus makes each verification as slow as a private-key
 * operation; a hostile chain could ask for a hundred of them. The core refuses such keys too
 * (assembly/rsa/key.ts); this says why, before any work.
 */
import { PkiError } from '../util/errors.ts';
import { BER, derChildren, readTlv } from './der.ts';

export const RSA_MAX_EXPONENT_BITS = 256;

/** Throws PkiError('bad-key') for an RSA SubjectPublicKeyInfo with e >= 2^256; other input passes (the verifier judges it). */
export function checkRsaExponent(spki: Uint8Array): void {
  let e: Uint8Array;
  try {
    e = rsaPublicParams(spki).publicExponent;
  } catch {
    return;
  }
  const bits = e.length && e[0] ? (e.length - 1) * 8 + (32 - Math.clz32(e[0])) : 0;
  if (bits > RSA_MAX_EXPONENT_BITS) throw new PkiError('bad-key', `RSA public exponent of ${bits} bits refused: it must be below 2^${RSA_MAX_EXPONENT_BITS} (NIST SP 800-56B)`);
}

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
