// JS-facing bignum exports (wrapped by src/core/ops/prime.ts; the RSA domain uses the
// internal modules directly). Numbers cross the boundary as unsigned big-endian bytes
// (two's complement only for bn_is_probable_prime). Every export wipes its scratch and the
// engine before returning. Error codes: E_BN_* (bn/errors.ts), E_INVALID.

import { E_INVALID } from '../util/errors';
import { E_BN_SIZE, E_BN_MODULUS, E_BN_NOINVERSE } from './errors';
import {
  MAX_LIMBS, fromBytesBE, toBytesBE, limbLengthVT, limb, ltMask, mul, zero, copy, setLimb,
} from './limbs';
import {
  monSetup, monExp, monMul, monTo, monWipe, pairFromPlain, pairToPlain, pairCanon, MAXN,
} from './mont';
import { isProbablePrime } from './prime';
import { modInvVT, gcdCT } from './inverse';
import { divModCT } from './divide';

const NB = MAX_LIMBS + 4;
const bufA = new StaticArray<u32>(2 * NB);
const bufB = new StaticArray<u32>(2 * NB);
const bufC = new StaticArray<u32>(2 * NB);
const bufD = new StaticArray<u32>(2 * NB);
const bufE = new StaticArray<u32>(2 * NB);
const bufF = new StaticArray<u32>(2 * NB);
const bufT = new StaticArray<u32>(8 * NB);
const A: usize = changetype<usize>(bufA);
const B: usize = changetype<usize>(bufB);
const C: usize = changetype<usize>(bufC);
const D: usize = changetype<usize>(bufD);
const E: usize = changetype<usize>(bufE);
const F: usize = changetype<usize>(bufF);
const T: usize = changetype<usize>(bufT);
const pairA = new StaticArray<u8>(MAXN * 8);
const pairB = new StaticArray<u8>(MAXN * 8);
const PA: usize = changetype<usize>(pairA);
const PB: usize = changetype<usize>(pairB);

/** Reads big-endian bytes into dst; returns the significant limb count (≥ 1), or -1 if too long. */
function loadNum(dst: usize, ptr: usize, len: usize, maxLimbs: i32): i32 {
  // skip leading zero bytes
  let p = ptr, l = len;
  while (l > 0 && load<u8>(p) == 0) {
    p++;
    l--;
  }
  if (l > <usize>maxLimbs * 4) return -1;
  const n = <i32>((l + 3) >> 2);
  const nn = n > 0 ? n : 1;
  fromBytesBE(dst, nn, p, <i32>l);
  return nn;
}

function wipeAll(): void {
  zero(A, 2 * NB);
  zero(B, 2 * NB);
  zero(C, 2 * NB);
  zero(D, 2 * NB);
  zero(E, 2 * NB);
  zero(F, 2 * NB);
  zero(T, 8 * NB);
  memory.fill(PA, 0, MAXN * 8);
  memory.fill(PB, 0, MAXN * 8);
  monWipe();
}

/**
 * Probable-prime test (trial division, Baillie–PSW, and 8 random-base Miller–Rabin rounds;
 * FIPS 186-5 B.3) of the integer given as `len` two's-complement big-endian bytes.
 * Returns 1 (probably prime), 0 (composite, or < 2 including every negative number), or
 * E_BN_SIZE beyond 8192 bits.
 */
export function bn_is_probable_prime(ptr: usize, len: usize): i32 {
  if (len > 0 && (load<u8>(ptr) & 0x80) != 0) return 0;
  const n = loadNum(A, ptr, len, MAX_LIMBS);
  if (n < 0) return E_BN_SIZE;
  const r = isProbablePrime(A, n, 8) ? 1 : 0;
  wipeAll();
  return r;
}

/** Loads an odd modulus > 1 into `dst`; returns its limb count or a negative error. */
function loadModulus(dst: usize, ptr: usize, len: usize): i32 {
  const n = loadNum(dst, ptr, len, MAX_LIMBS);
  if (n < 0) return E_BN_SIZE;
  if ((limb(dst, 0) & 1) == 0 || (n == 1 && limb(dst, 0) < 3)) return E_BN_MODULUS;
  return n;
}

/**
 * out = base^exp mod m (`outLen` bytes, big-endian, left-padded): m odd > 1 and base < m.
 * Constant time in base and exp (fixed window over every bit of the given exponent bytes).
 */
export function bn_mod_exp(
  bp: usize, bl: usize, ep: usize, el: usize, mp: usize, ml: usize, out: usize, outLen: i32,
): i32 {
  const n = loadModulus(C, mp, ml);
  if (n < 0) return n;
  if (el > <usize>MAX_LIMBS * 4) return E_BN_SIZE;
  const bn = loadNum(A, bp, bl, n);
  if (bn < 0 || !ltMask(A, C, n)) return E_INVALID;
  const en = <i32>((el + 3) >> 2);
  fromBytesBE(B, en > 0 ? en : 1, ep, <i32>el);
  monSetup(C, C, n);
  pairFromPlain(PA, 0, A, n);
  pairFromPlain(PA, 1, A, n);
  monExp(PB, PA, B, B, en > 0 ? en : 1, <i32>el * 8);
  pairToPlain(D, n, 0, PB);
  toBytesBE(out, outLen, D, n);
  wipeAll();
  return outLen;
}

/**
 * Two independent modular exponentiations at once on the two engine lanes (how RSA runs its
 * CRT halves): out1 = b1^e1 mod m1 and out2 = b2^e2 mod m2 (each `outLen` bytes). Same rules
 * as bn_mod_exp; the exponents are read over the length of the longer one.
 */
export function bn_mod_exp2(
  b1: usize, b1l: usize, e1: usize, e1l: usize, m1: usize, m1l: usize,
  b2: usize, b2l: usize, e2: usize, e2l: usize, m2: usize, m2l: usize,
  out1: usize, out2: usize, outLen: i32,
): i32 {
  const n1 = loadModulus(C, m1, m1l);
  if (n1 < 0) return n1;
  const n2 = loadModulus(D, m2, m2l);
  if (n2 < 0) return n2;
  const n = n1 > n2 ? n1 : n2;
  const el = e1l > e2l ? e1l : e2l;
  if (el > <usize>MAX_LIMBS * 4) return E_BN_SIZE;
  zero(C + (<usize>n1 << 2), n - n1);
  zero(D + (<usize>n2 << 2), n - n2);
  if (loadNum(A, b1, b1l, n) < 0 || !ltMask(A, C, n)) return E_INVALID;
  if (loadNum(F, b2, b2l, n) < 0 || !ltMask(F, D, n)) return E_INVALID;
  const en = <i32>((el + 3) >> 2);
  const enn = en > 0 ? en : 1;
  fromBytesBE(B, enn, e1, <i32>e1l);
  fromBytesBE(E, enn, e2, <i32>e2l);
  monSetup(C, D, n);
  pairFromPlain(PA, 0, A, n);
  pairFromPlain(PA, 1, F, n);
  monExp(PB, PA, B, E, enn, <i32>el * 8);
  pairToPlain(A, n, 0, PB);
  pairToPlain(F, n, 1, PB);
  toBytesBE(out1, outLen, A, n);
  toBytesBE(out2, outLen, F, n);
  wipeAll();
  return outLen;
}

/** out = a·b mod m (outLen bytes) for odd m > 1 and a, b < m. Constant time. */
export function bn_mod_mul(ap: usize, al: usize, bp: usize, bl: usize, mp: usize, ml: usize, out: usize, outLen: i32): i32 {
  const n = loadModulus(C, mp, ml);
  if (n < 0) return n;
  if (loadNum(A, ap, al, n) < 0 || !ltMask(A, C, n)) return E_INVALID;
  if (loadNum(B, bp, bl, n) < 0 || !ltMask(B, C, n)) return E_INVALID;
  monSetup(C, C, n, true); // the public-modulus setup (R² by long division)
  pairFromPlain(PA, 0, A, n);
  pairFromPlain(PA, 1, A, n);
  pairFromPlain(PB, 0, B, n);
  pairFromPlain(PB, 1, B, n);
  monTo(PA, PA);
  monMul(PA, PA, PB); // a·R·b·R^-1 = a·b
  pairCanon(PA);
  pairToPlain(D, n, 0, PA);
  toBytesBE(out, outLen, D, n);
  wipeAll();
  return outLen;
}

/**
 * out = a^-1 mod m (outLen bytes) for odd m > 1 and a < m; E_BN_NOINVERSE if gcd(a, m) > 1.
 * Variable time (use it on public or blinded values).
 */
export function bn_mod_inv(ap: usize, al: usize, mp: usize, ml: usize, out: usize, outLen: i32): i32 {
  const n = loadModulus(C, mp, ml);
  if (n < 0) return n;
  if (loadNum(A, ap, al, n) < 0 || !ltMask(A, C, n)) return E_INVALID;
  const ok = modInvVT(D, A, C, n);
  if (ok) toBytesBE(out, outLen, D, n);
  wipeAll();
  return ok ? outLen : E_BN_NOINVERSE;
}

/** out = gcd(a, b) (outLen bytes). Constant time in the values. */
export function bn_gcd(ap: usize, al: usize, bp: usize, bl: usize, out: usize, outLen: i32): i32 {
  const na = loadNum(A, ap, al, MAX_LIMBS), nb = loadNum(B, bp, bl, MAX_LIMBS);
  if (na < 0 || nb < 0) return E_BN_SIZE;
  const n = na > nb ? na : nb;
  gcdCT(C, A, B, n, T);
  toBytesBE(out, outLen, C, n);
  wipeAll();
  return outLen;
}

/** q = a / b, r = a mod b (qLen, rLen bytes); E_INVALID if b = 0. Constant time. */
export function bn_div(ap: usize, al: usize, bp: usize, bl: usize, q: usize, qLen: i32, r: usize, rLen: i32): i32 {
  const na = loadNum(A, ap, al, 2 * MAX_LIMBS), nb = loadNum(B, bp, bl, MAX_LIMBS);
  if (na < 0 || nb < 0) return E_BN_SIZE;
  if (nb == 1 && limb(B, 0) == 0) return E_INVALID;
  divModCT(C, D, A, na, B, nb, T);
  toBytesBE(q, qLen, C, na);
  toBytesBE(r, rLen, D, nb);
  wipeAll();
  return qLen;
}

/** out = a·b (outLen bytes). */
export function bn_mul(ap: usize, al: usize, bp: usize, bl: usize, out: usize, outLen: i32): i32 {
  const na = loadNum(A, ap, al, MAX_LIMBS), nb = loadNum(B, bp, bl, MAX_LIMBS);
  if (na < 0 || nb < 0) return E_BN_SIZE;
  mul(C, A, na, B, nb);
  toBytesBE(out, outLen, C, na + nb);
  wipeAll();
  return outLen;
}
