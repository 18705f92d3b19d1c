/**
 * The public-exponent limit on RSA keys we verify with (issue 12, defect 8): e < 2^256, as
 * NIST SP 800-56B §6.2.1 requires. A public operation costs one modular squaring per bit of
 * e, so an exponent as long as the modulus makes each verification as slow as a private-key
 * operation; a hostile chain could ask for a hundred of them. The core refuses such keys too
 * (assembly/rsa/key.ts); this says why, before any work.
 */
import { PkiError } from '../util/errors.ts';
import { rsaPublicParams } from './engine-der.ts';

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
