// Arithmetic in GF(p) of the current curve (curve.ts). Elements are FN u32 limbs, fully
// reduced to [0, p). mul/sqr/add/sub dispatch to the unrolled kernels (kernels.ts); all of
// them are constant time. Only fpowVar and fsqrtVar are variable time (public inputs only).

import { cid, FN, FBYTES, gP, gPinv, gSqrtExp, QBITS, CURVE_P256, CURVE_P384 } from './curve';
import {
  p256_mul, p256_sqr, p256_add, p256_sub,
  p384_mul, p384_sqr, p384_add, p384_sub,
  p521_mul, p521_sqr, p521_add, p521_sub,
} from './kernels';
import { modinv } from './modinv';
import { fromBE, toBE, ltMask, copyN, setSmall, isZeroMask, eqMask, bitAt } from './limbs';

/** A zero element (any curve). */
export const F_ZERO = memory.data(72);

/** o = a * b mod p. */
// @ts-ignore: decorator
@inline export function fmul(o: usize, a: usize, b: usize): void {
  const c = cid;
  if (c == CURVE_P256) p256_mul(o, a, b);
  else if (c == CURVE_P384) p384_mul(o, a, b);
  else p521_mul(o, a, b);
}

/** o = a^2 mod p. */
// @ts-ignore: decorator
@inline export function fsqr(o: usize, a: usize): void {
  const c = cid;
  if (c == CURVE_P256) p256_sqr(o, a);
  else if (c == CURVE_P384) p384_sqr(o, a);
  else p521_sqr(o, a);
}

/** o = a + b mod p. */
// @ts-ignore: decorator
@inline export function fadd(o: usize, a: usize, b: usize): void {
  const c = cid;
  if (c == CURVE_P256) p256_add(o, a, b);
  else if (c == CURVE_P384) p384_add(o, a, b);
  else p521_add(o, a, b);
}

/** o = a - b mod p. */
// @ts-ignore: decorator
@inline export function fsub(o: usize, a: usize, b: usize): void {
  const c = cid;
  if (c == CURVE_P256) p256_sub(o, a, b);
  else if (c == CURVE_P384) p384_sub(o, a, b);
  else p521_sub(o, a, b);
}

/** o = -a mod p. */
// @ts-ignore: decorator
@inline export function fneg(o: usize, a: usize): void {
  fsub(o, F_ZERO, a);
}

/** o = a^-1 mod p (0 for 0), constant time (safegcd). */
export function finv(o: usize, a: usize): void {
  modinv(o, a, gPinv);
}

/** o = a. */
// @ts-ignore: decorator
@inline export function fcopy(o: usize, a: usize): void {
  copyN(o, a, FN);
}

/** o = small constant v. */
// @ts-ignore: decorator
@inline export function fset(o: usize, v: u32): void {
  setSmall(o, v, FN);
}

/** All-ones iff a == 0. */
// @ts-ignore: decorator
@inline export function fzeroMask(a: usize): u32 {
  return isZeroMask(a, FN);
}

/** All-ones iff a == b. */
// @ts-ignore: decorator
@inline export function feqMask(a: usize, b: usize): u32 {
  return eqMask(a, b, FN);
}

/**
 * Reads an FBYTES big-endian field element; returns false (and leaves garbage in o) if it is
 * not < p. SEC 1 §2.3.6 (Octet-String-to-Field-Element).
 */
export function fromBytes(o: usize, src: usize): bool {
  if (fromBE(o, src, FBYTES, FN) != 0) return false;
  return ltMask(o, gP, FN) != 0;
}

/** Writes a as FBYTES big-endian bytes (SEC 1 §2.3.5). */
export function toBytes(dst: usize, a: usize): void {
  toBE(dst, a, FBYTES, FN);
}

const powT = memory.data(72);

/** o = a^e mod p for the public FN-limb exponent e; variable time (public data only). */
export function fpowVar(o: usize, a: usize, e: usize): void {
  const t = powT;
  fset(t, 1);
  for (let i = QBITS - 1; i >= 0; i--) {
    fsqr(t, t);
    if (bitAt(e, i)) fmul(t, t, a);
  }
  fcopy(o, t);
}

const sqrtT = memory.data(72);
const sqrtR = memory.data(72);

/**
 * o = a square root of a (p = 3 mod 4: a^((p+1)/4)); returns false if a is not a square.
 * Variable time: only for public values (point decompression, SEC 1 §2.3.4).
 */
export function fsqrtVar(o: usize, a: usize): bool {
  fpowVar(sqrtR, a, gSqrtExp);
  fsqr(sqrtT, sqrtR);
  const ok = feqMask(sqrtT, a) != 0;
  fcopy(o, sqrtR);
  return ok;
}
