/**
 * The bignum domain of the core (assembly/bn): the probable-prime test as an op, and the
 * typed bn exports (modular exponentiation, multiplication, inverse, gcd, division) that
 * tests drive directly.
 */
import type { Io, IoExports } from '../io.ts';

/** Every export of assembly/bn/exports.ts (unsigned big-endian byte strings). */
export interface BnExports extends IoExports {
  bn_is_probable_prime(ptr: number, len: number): number;
  bn_mod_exp(bp: number, bl: number, ep: number, el: number, mp: number, ml: number, out: number, outLen: number): number;
  bn_mod_exp2(
    b1: number, b1l: number, e1: number, e1l: number, m1: number, m1l: number,
    b2: number, b2l: number, e2: number, e2l: number, m2: number, m2l: number,
    out1: number, out2: number, outLen: number,
  ): number;
  bn_mod_mul(ap: number, al: number, bp: number, bl: number, mp: number, ml: number, out: number, outLen: number): number;
  bn_mod_inv(ap: number, al: number, mp: number, ml: number, out: number, outLen: number): number;
  bn_gcd(ap: number, al: number, bp: number, bl: number, out: number, outLen: number): number;
  bn_div(ap: number, al: number, bp: number, bl: number, q: number, qLen: number, r: number, rLen: number): number;
  bn_mul(ap: number, al: number, bp: number, bl: number, out: number, outLen: number): number;
}

/** E_BN_SIZE of assembly/bn/errors.ts. */
const E_BN_SIZE = -30;

/** The primality op of the core. */
export interface PrimeOps {
  /**
   * Probable-prime test (FIPS 186-5 B.3: trial division, Baillie–PSW, then 8 random-base
   * Miller–Rabin rounds) of the integer given as two's-complement big-endian bytes (so
   * `ff` is -1; negative numbers, 0 and 1 are not prime). At most 8192 bits.
   */
  isProbablePrime(value: Uint8Array): boolean;
}

/** Builds the primality op over the core's bn exports and its I/O arena. */
export function primeOps(ex: BnExports, io: Io): PrimeOps {
  return {
    isProbablePrime(value) {
      if (!(value instanceof Uint8Array)) throw new TypeError('isProbablePrime: value must be a Uint8Array');
      return io.call([value], ([p]) => {
        const r = ex.bn_is_probable_prime(p!, value.length);
        if (r === E_BN_SIZE) throw new RangeError('isProbablePrime: the value is longer than 8192 bits');
        if (r < 0) throw new RangeError(`isProbablePrime: core refused the request (code ${r})`);
        return r === 1;
      });
    },
  };
}
