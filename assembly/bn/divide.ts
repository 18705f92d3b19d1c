// Division helpers: constant-time long division (bit by bit), remainders by a word, and
// exact division by an odd word. Used by key generation (λ(n), d) where the operands are
// secret, so everything here is constant time in the values (lengths are public).

import { limb, setLimb, zero, copy } from './limbs';

/** hi 64 bits of the 128-bit product x·y. */
// @ts-ignore: decorator
@inline function mulhi64(x: u64, y: u64): u64 {
  const x0 = x & 0xffffffff, x1 = x >> 32, y0 = y & 0xffffffff, y1 = y >> 32;
  const p00 = x0 * y0, p01 = x0 * y1, p10 = x1 * y0, p11 = x1 * y1;
  const mid = (p00 >> 32) + (p01 & 0xffffffff) + (p10 & 0xffffffff);
  return p11 + (p01 >> 32) + (p10 >> 32) + (mid >> 32);
}

/** floor(2^64 / d) - 1 style reciprocal for remWord (any d > 1). */
export function recipWord(d: u32): u64 {
  return <u64>-1 / <u64>d;
}

/** (v mod d) for any u64 v using the reciprocal of recipWord(d); constant time. */
// @ts-ignore: decorator
@inline function remStep(v: u64, d: u64, recip: u64): u64 {
  const q = mulhi64(v, recip);
  let r = v - q * d; // r < 3d
  r -= d & (0 - ((r - d) >> 63 ^ 1)); // r >= d ? r - d : r
  r -= d & (0 - ((r - d) >> 63 ^ 1));
  return r;
}

/**
 * The n-limb a modulo the word d (1 < d < 2^32), constant time in a. `recip` must be
 * recipWord(d).
 */
export function remWord(a: usize, n: i32, d: u32, recip: u64): u32 {
  const dd = <u64>d;
  let r: u64 = 0;
  for (let i = n - 1; i >= 0; i--) r = remStep((r << 32) | <u64>limb(a, i), dd, recip);
  return <u32>r;
}

/**
 * a = a / d for an odd word d that divides a exactly (n limbs), constant time (exact
 * division by the inverse of d mod 2^32, Jebelean 1993).
 */
export function divExactWord(a: usize, n: i32, d: u32): void {
  let inv: u32 = d;
  for (let i = 0; i < 5; i++) inv *= 2 - d * inv;
  let borrow: u64 = 0;
  for (let i = 0; i < n; i++) {
    const x = <u64>limb(a, i) - borrow; // may wrap: then the true limb is x + 2^64
    const q = <u32>x * inv;
    setLimb(a, i, q);
    // borrow into the next limb: (q·d - (x mod 2^32)) / 2^32 plus the wrap
    const qd = <u64>q * <u64>d;
    borrow = (qd >> 32) + ((x >> 63) & 1);
  }
}

/**
 * Constant-time long division: q = floor(a / b) (an limbs, if q != 0) and r = a mod b
 * (bn limbs). b must be nonzero. `t` is scratch of 2·(bn + 1) limbs. One iteration per bit
 * of a, each touching every limb of r and b.
 */
export function divModCT(q: usize, r: usize, a: usize, an: i32, b: usize, bn: i32, t: usize): void {
  const rn = bn + 1;
  const rr = t, tt = t + (<usize>rn << 2);
  zero(rr, rn);
  if (q) zero(q, an);
  for (let i = an * 32 - 1; i >= 0; i--) {
    // rr = 2·rr + bit
    let c: u32 = (limb(a, i >> 5) >> <u32>(i & 31)) & 1;
    for (let j = 0; j < rn; j++) {
      const v = limb(rr, j);
      setLimb(rr, j, (v << 1) | c);
      c = v >> 31;
    }
    // tt = rr - b; keep it if no borrow
    let d: i64 = 0;
    for (let j = 0; j < rn; j++) {
      const bj: u32 = j < bn ? limb(b, j) : 0;
      d += <i64>limb(rr, j) - <i64>bj;
      setLimb(tt, j, <u32>d);
      d >>= 32;
    }
    const keep = ~<u32>d; // all-ones when rr >= b
    for (let j = 0; j < rn; j++) {
      const v = limb(rr, j);
      setLimb(rr, j, v ^ ((v ^ limb(tt, j)) & keep));
    }
    if (q) setLimb(q, i >> 5, limb(q, i >> 5) | ((keep & 1) << <u32>(i & 31)));
  }
  copy(r, rr, bn);
  zero(t, 2 * rn);
}

const kA = new StaticArray<u32>(2 * 8192 / 32 + 8);
const kM = new StaticArray<u32>(8192 / 32 + 8);

/**
 * r = a mod m (Knuth, TAOCP vol. 2, 4.3.1 Algorithm D) for an `an`-limb a and an `mn`-limb
 * m whose top limb is nonzero; r has mn limbs. Variable time: public operands only
 * (e.g. R² mod N for a public modulus).
 */
export function modVT(r: usize, a: usize, an: i32, m: usize, mn: i32): void {
  const A = changetype<usize>(kA), M = changetype<usize>(kM);
  assert(an <= 2 * 8192 / 32 + 4 && mn <= 8192 / 32 + 4);
  if (an < mn) {
    copy(r, a, an);
    zero(r + (<usize>an << 2), mn - an);
    return;
  }
  const s = <u32>clz(limb(m, mn - 1));
  // normalize: M = m << s, A = a << s (an + 1 limbs)
  for (let i = mn - 1; i >= 0; i--) {
    const lo: u32 = i > 0 && s ? limb(m, i - 1) >> (32 - s) : 0;
    setLimb(M, i, (limb(m, i) << s) | lo);
  }
  setLimb(A, an, s ? limb(a, an - 1) >> (32 - s) : 0);
  for (let i = an - 1; i >= 0; i--) {
    const lo: u32 = i > 0 && s ? limb(a, i - 1) >> (32 - s) : 0;
    setLimb(A, i, (limb(a, i) << s) | lo);
  }
  const top = <u64>limb(M, mn - 1);
  const next: u64 = mn > 1 ? <u64>limb(M, mn - 2) : 0;
  for (let j = an - mn; j >= 0; j--) {
    const num = (<u64>limb(A, j + mn) << 32) | <u64>limb(A, j + mn - 1);
    let qhat = num / top;
    let rhat = num - qhat * top;
    while (qhat > 0xffffffff || (mn > 1 && qhat * next > ((rhat << 32) | <u64>limb(A, j + mn - 2)))) {
      qhat--;
      rhat += top;
      if (rhat > 0xffffffff) break;
    }
    // A[j..j+mn] -= qhat·M
    let borrow: i64 = 0;
    let carry: u64 = 0;
    for (let i = 0; i < mn; i++) {
      const p = qhat * <u64>limb(M, i) + carry;
      carry = p >> 32;
      const t = <i64>limb(A, i + j) - <i64>(p & 0xffffffff) + borrow;
      setLimb(A, i + j, <u32>t);
      borrow = t >> 32;
    }
    const t = <i64>limb(A, j + mn) - <i64>carry + borrow;
    setLimb(A, j + mn, <u32>t);
    if (t < 0) {
      // add back
      let c: u64 = 0;
      for (let i = 0; i < mn; i++) {
        c += <u64>limb(A, i + j) + <u64>limb(M, i);
        setLimb(A, i + j, <u32>c);
        c >>= 32;
      }
      setLimb(A, j + mn, limb(A, j + mn) + <u32>c);
    }
  }
  // r = A[0..mn] >> s
  for (let i = 0; i < mn; i++) {
    const hi: u32 = s ? limb(A, i + 1) << (32 - s) : 0;
    setLimb(r, i, (limb(A, i) >> s) | hi);
  }
  zero(A, an + 1);
  zero(M, mn);
}
