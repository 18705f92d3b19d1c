// Arithmetic modulo the group order n of the current curve: Montgomery multiplication
// (CIOS, Koc-Acar-Kaliski 1996) with R = 2^(32 FN), modular add/sub, safegcd inversion.
// Scalars are FN u32 limbs in [0, n). Everything is constant time.

import { FN, gN, gN0, gNR2, gNinv, QBITS, FBYTES } from './curve';
import { addMod, subMod, subN, cmov, maskOf, ltMask, fromBE, shrSmall } from './limbs';
import { modinv } from './modinv';

const mt = memory.data(80); // FN + 2 words
const mtmp = memory.data(72);
const ONE = memory.data(72);

/** o = a * b * R^-1 mod n (o may alias a or b). */
export function smontMul(o: usize, a: usize, b: usize): void {
  const n = FN;
  const t = mt;
  const m = gN;
  memory.fill(t, 0, <usize>(n + 2) << 2);
  const n0 = gN0;
  for (let i = 0; i < n; i++) {
    const bi = <u64>load<u32>(b + (<usize>i << 2));
    let c: u64 = 0;
    for (let j = 0; j < n; j++) {
      const p = <usize>j << 2;
      c += <u64>load<u32>(t + p) + <u64>load<u32>(a + p) * bi;
      store<u32>(t + p, <u32>c);
      c >>= 32;
    }
    c += <u64>load<u32>(t + (<usize>n << 2));
    store<u32>(t + (<usize>n << 2), <u32>c);
    store<u32>(t + (<usize>(n + 1) << 2), <u32>(c >> 32));
    // q = t0 * (-n^-1) mod 2^32 (computed in u32 so that it wraps)
    const q32: u32 = load<u32>(t) * n0;
    const q = <u64>q32;
    c = (<u64>load<u32>(t) + q * <u64>load<u32>(m)) >> 32;
    for (let j = 1; j < n; j++) {
      const p = <usize>j << 2;
      c += <u64>load<u32>(t + p) + q * <u64>load<u32>(m + p);
      store<u32>(t + p - 4, <u32>c);
      c >>= 32;
    }
    c += <u64>load<u32>(t + (<usize>n << 2));
    store<u32>(t + (<usize>(n - 1) << 2), <u32>c);
    store<u32>(t + (<usize>n << 2), load<u32>(t + (<usize>(n + 1) << 2)) + <u32>(c >> 32));
  }
  // t < 2n: subtract n unless that borrows (counting the extra top word).
  const bw = subN(mtmp, t, m, n);
  const top = load<u32>(t + (<usize>n << 2));
  const useDiff = maskOf(top | (bw ^ 1));
  memory.copy(o, t, <usize>n << 2);
  cmov(o, mtmp, n, useDiff);
  memory.fill(t, 0, <usize>(n + 2) << 2);
  memory.fill(mtmp, 0, <usize>n << 2);
}

/** o = a * b mod n for plain (non-Montgomery) a and b. */
export function smul(o: usize, a: usize, b: usize): void {
  smontMul(o, a, b); // a b R^-1
  smontMul(o, o, gNR2); // a b
}

/** o = a + b mod n. */
export function sadd(o: usize, a: usize, b: usize): void {
  addMod(o, a, b, gN, FN, mtmp);
  memory.fill(mtmp, 0, 72);
}

/** o = a - b mod n. */
export function ssub(o: usize, a: usize, b: usize): void {
  subMod(o, a, b, gN, FN);
}

/** o = a^-1 mod n (0 for 0). */
export function sinv(o: usize, a: usize): void {
  modinv(o, a, gNinv);
}

/** All-ones iff a < n. */
export function sltN(a: usize): u32 {
  return ltMask(a, gN, FN);
}

/** a <- a - n if a >= n (for a < 2n). */
export function sreduceOnce(a: usize): void {
  const bw = subN(mtmp, a, gN, FN);
  cmov(a, mtmp, FN, maskOf(bw ^ 1));
  memory.fill(mtmp, 0, 72);
}

/**
 * bits2int (RFC 6979 §2.3.2, = the leftmost-QBITS-bits rule of FIPS 186-5 §6.4.1 step 4):
 * the leftmost min(8 len, qlen) bits of `src` as an integer, into o (FN limbs, < 2^qlen).
 */
export function bits2int(o: usize, src: usize, len: i32): void {
  const take = len < FBYTES ? len : FBYTES;
  fromBE(o, src, take, FN);
  // A full FBYTES-byte prefix has 8 FBYTES - qlen surplus bits (7 for P-521).
  if (take == FBYTES) shrSmall(o, (FBYTES << 3) - QBITS, FN);
}

/** The constant 1 (for leaving the Montgomery domain). */
export function sOne(): usize {
  store<u32>(ONE, 1);
  return ONE;
}
