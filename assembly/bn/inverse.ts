// Modular inverses and the gcd.
//
// * invWord: x^-1 mod m for words, constant time (binary extended gcd, fixed iterations).
// * modInvVT: x^-1 mod m for big odd m, variable time. It is Pornin's binary gcd with
//   approximations ("Optimized Binary GCD for Modular Inversion", eprint 2020/972,
//   Algorithm 2): 31 inner steps on 64-bit approximations of a and b (the top 33 and low 31
//   bits), then one exact update of the big numbers with the resulting 2x2 matrix. Callers
//   with a secret x blind it first (invert x·b for a random b, multiply by b after), so the
//   timing only depends on a uniformly random value.
// * gcdCT: gcd of two numbers, constant time (Stein's algorithm, fixed iteration count).

import { limb, setLimb, zero, copy, bitLengthVT, isZeroMask, ltMask } from './limbs';

/**
 * x^-1 mod m for an odd word m > 1 and gcd(x, m) = 1 (x < m), constant time in x.
 * Returns 0 if x is not invertible.
 */
export function invWord(x: u32, m: u32): u32 {
  // invariants: a ≡ u·x, b ≡ v·x (mod m); b odd
  let a: u64 = <u64>x, b: u64 = <u64>m, u: u64 = 1, v: u64 = 0;
  const mm = <u64>m;
  for (let i = 0; i < 64; i++) {
    const odd = 0 - (a & 1);
    const lt = 0 - ((a - b) >> 63); // a < b
    const sw = odd & lt;
    // conditional swap
    let t = (a ^ b) & sw;
    a ^= t;
    b ^= t;
    t = (u ^ v) & sw;
    u ^= t;
    v ^= t;
    // a -= b, u -= v (mod m) when odd
    a -= b & odd;
    let du = u - (v & odd);
    du += mm & (0 - (du >> 63));
    u = du;
    // a /= 2, u /= 2 (mod m)
    a >>= 1;
    u = (u + (mm & (0 - (u & 1)))) >> 1;
  }
  // b is the gcd
  const ok = 0 - ((b ^ 1) - 1 >> 63);
  return <u32>(v & ok);
}

// ---------------------------------------------------------------------------------------

const MAXL: i32 = 260;
const sA = new StaticArray<u32>(MAXL + 2);
const sB = new StaticArray<u32>(MAXL + 2);
const sU = new StaticArray<u32>(MAXL + 2);
const sV = new StaticArray<u32>(MAXL + 2);
const sT = new StaticArray<u32>(MAXL + 2);
const sW = new StaticArray<u32>(MAXL + 2);
const sX = new StaticArray<u32>(MAXL + 2);

/** The top 33 bits of x at bit length len, and its low 31 bits, as one 64-bit value. */
function approx(x: usize, n: i32, len: i32): u64 {
  const lo = <u64>(limb(x, 0) & 0x7fffffff);
  if (len <= 64) {
    // exact
    const v = <u64>limb(x, 0) | (n > 1 ? <u64>limb(x, 1) << 32 : 0);
    return v;
  }
  // bits [len-33, len) of x
  const s = len - 33;
  const li = s >> 5, sh = <u64>(s & 31);
  let v: u64 = <u64>limb(x, li) >> sh;
  if (li + 1 < n) v |= <u64>limb(x, li + 1) << (32 - sh);
  if (sh > 0 && li + 2 < n) v |= <u64>limb(x, li + 2) << (64 - sh);
  v &= 0x1ffffffff;
  return (v << 31) | lo;
}

/** o = (f·x + g·y) >> 31 for x, y ≥ 0 (n limbs), |f| + |g| ≤ 2^31; returns the sign (-1/0). */
function linComb(o: usize, x: usize, y: usize, n: i32, f: i64, g: i64): i64 {
  let c: i64 = 0;
  let prev: u32 = 0;
  for (let i = 0; i < n; i++) {
    c += f * <i64>limb(x, i) + g * <i64>limb(y, i);
    const cur = <u32>c;
    c >>= 32;
    if (i > 0) setLimb(o, i - 1, (prev >> 31) | (cur << 1));
    prev = cur;
  }
  // top limb: prev plus the sign-extended carry
  setLimb(o, n - 1, (prev >> 31) | (<u32>c << 1));
  return c >> 63;
}

/** x = -x (n limbs, two's complement). */
function negate(x: usize, n: i32): void {
  let c: u64 = 1;
  for (let i = 0; i < n; i++) {
    c += <u64>(~limb(x, i));
    setLimb(x, i, <u32>c);
    c >>= 32;
  }
}

/**
 * o = (f·u + g·v)·2^-31 mod m for u, v in [0, m) (n limbs), m odd; minv = -m^-1 mod 2^32.
 * Result in [0, m).
 */
function linCombMod(o: usize, u: usize, v: usize, m: usize, n: i32, f: i64, g: i64, minv: u32, t: usize): void {
  // t = f·u + g·v (n + 1 limbs, signed)
  let c: i64 = 0;
  for (let i = 0; i < n; i++) {
    c += f * <i64>limb(u, i) + g * <i64>limb(v, i);
    setLimb(t, i, <u32>c);
    c >>= 32;
  }
  setLimb(t, n, <u32>c);
  const neg = c < 0;
  // make t non-negative: add 2^32·m·... simply add m·2^31·4 worth: add m << 33 when negative
  // (|t| < 2^32·m), then add k·m with k = t·(-m^-1) mod 2^31 so t + k·m ≡ 0 mod 2^31.
  if (neg) {
    // t += m·2^32
    let cc: i64 = 0;
    for (let i = 0; i <= n; i++) {
      const mi: i64 = i >= 1 ? <i64>limb(m, i - 1) : 0;
      cc += <i64>limb(t, i) + mi;
      setLimb(t, i, <u32>cc);
      cc >>= 32;
    }
  }
  const k = (limb(t, 0) * minv) & 0x7fffffff;
  let cc: u64 = 0;
  for (let i = 0; i <= n; i++) {
    const mi: u64 = i < n ? <u64>limb(m, i) : 0;
    cc += <u64>limb(t, i) + <u64>k * mi;
    setLimb(t, i, <u32>cc);
    cc >>= 32;
  }
  // o = t >> 31 (t < 2^32·m + 2^31·m, so the result is < 3m)
  const top = <u32>cc;
  for (let i = 0; i < n; i++) {
    const hi: u32 = i + 1 <= n ? limb(t, i + 1) : top;
    setLimb(o, i, (limb(t, i) >> 31) | (hi << 1));
  }
  let extra: u32 = (limb(t, n) >> 31) | (top << 1);
  // reduce below m (at most a few subtractions)
  while (extra != 0 || !ltMask(o, m, n)) {
    let d: i64 = 0;
    for (let i = 0; i < n; i++) {
      d += <i64>limb(o, i) - <i64>limb(m, i);
      setLimb(o, i, <u32>d);
      d >>= 32;
    }
    extra += <u32>d;
  }
}

/**
 * o = x^-1 mod m (n limbs) for odd m > 1 and x < m. Returns false if gcd(x, m) != 1.
 * Variable time: callers blind secret inputs.
 */
export function modInvVT(o: usize, x: usize, m: usize, n: i32): bool {
  assert(n <= MAXL);
  const a = changetype<usize>(sA), b = changetype<usize>(sB);
  const u = changetype<usize>(sU), v = changetype<usize>(sV);
  const t = changetype<usize>(sT), w = changetype<usize>(sW);
  copy(a, x, n);
  copy(b, m, n);
  zero(u, n);
  setLimb(u, 0, 1);
  zero(v, n);
  let minv: u32 = limb(m, 0);
  for (let i = 0; i < 5; i++) minv *= 2 - limb(m, 0) * minv;
  minv = 0 - minv;
  const cap = (2 * n * 32) / 20 + 8;
  let iter = 0;
  while (!isZeroMask(a, n)) {
    if (++iter > cap) return false;
    const la = bitLengthVT(a, n), lb = bitLengthVT(b, n);
    const len = la > lb ? la : lb;
    let xa = approx(a, n, len), xb = approx(b, n, len);
    let f0: i64 = 1, g0: i64 = 0, f1: i64 = 0, g1: i64 = 1;
    for (let j = 0; j < 31; j++) {
      if (xa & 1) {
        if (xa < xb) {
          const tx = xa; xa = xb; xb = tx;
          let tf = f0; f0 = f1; f1 = tf;
          tf = g0; g0 = g1; g1 = tf;
        }
        xa -= xb;
        f0 -= f1;
        g0 -= g1;
      }
      xa >>= 1;
      f1 <<= 1;
      g1 <<= 1;
    }
    const na = linComb(t, a, b, n, f0, g0);
    const nb = linComb(w, a, b, n, f1, g1);
    copy(a, t, n);
    copy(b, w, n);
    if (na) {
      negate(a, n);
      f0 = -f0;
      g0 = -g0;
    }
    if (nb) {
      negate(b, n);
      f1 = -f1;
      g1 = -g1;
    }
    const x2 = changetype<usize>(sX);
    linCombMod(t, u, v, m, n, f0, g0, minv, x2);
    linCombMod(w, u, v, m, n, f1, g1, minv, x2);
    copy(u, t, n);
    copy(v, w, n);
  }
  // b = gcd
  let ok = limb(b, 0) == 1;
  for (let i = 1; i < n; i++) if (limb(b, i) != 0) ok = false;
  if (ok) copy(o, v, n);
  zero(a, n + 2);
  zero(b, n + 2);
  zero(u, n + 2);
  zero(v, n + 2);
  zero(t, n + 2);
  zero(w, n + 2);
  zero(changetype<usize>(sX), n + 2);
  return ok;
}

// ---------------------------------------------------------------------------------------

/**
 * g = gcd(x, y) (n limbs), constant time in the values: strips the common factor 2^k with
 * masks, then runs 2·32n steps of Stein's algorithm. `t` is scratch of 3n limbs.
 */
export function gcdCT(g: usize, x: usize, y: usize, n: i32, t: usize): void {
  const u = t, v = t + (<usize>n << 2), d = t + (<usize>(2 * n) << 2);
  copy(u, x, n);
  copy(v, y, n);
  // k = common trailing zeros; count by shifting while both are even (constant iterations)
  let k: u32 = 0;
  let still: u32 = 0xffffffff;
  for (let i = 0; i < n * 32; i++) {
    const even = ~(limb(u, 0) | limb(v, 0)) & 1;
    still &= 0 - even;
    k += still & 1;
    // shift both right by one where still
    for (let j = 0; j < n; j++) {
      const hu: u32 = j + 1 < n ? limb(u, j + 1) : 0, hv: u32 = j + 1 < n ? limb(v, j + 1) : 0;
      const nu = (limb(u, j) >> 1) | (hu << 31), nv = (limb(v, j) >> 1) | (hv << 31);
      setLimb(u, j, limb(u, j) ^ ((limb(u, j) ^ nu) & still));
      setLimb(v, j, limb(v, j) ^ ((limb(v, j) ^ nv) & still));
    }
  }
  // now u or v is odd (or both zero)
  for (let i = 0; i < 2 * n * 32; i++) {
    const bothOdd = 0 - (limb(u, 0) & limb(v, 0) & 1);
    const lt = ltMask(u, v, n);
    // if both odd: if u < v: v -= u else u -= v
    let bw: i64 = 0;
    const su = bothOdd & ~lt, sv = bothOdd & lt;
    for (let j = 0; j < n; j++) {
      bw += <i64>limb(u, j) - <i64>limb(v, j);
      setLimb(d, j, <u32>bw);
      bw >>= 32;
    }
    for (let j = 0; j < n; j++) {
      const dj = limb(d, j);
      setLimb(u, j, limb(u, j) ^ ((limb(u, j) ^ dj) & su));
    }
    // v - u = -(u - v): negate d into v where sv
    let c: u64 = 1;
    for (let j = 0; j < n; j++) {
      c += <u64>(~limb(d, j));
      const nd = <u32>c;
      c >>= 32;
      setLimb(v, j, limb(v, j) ^ ((limb(v, j) ^ nd) & sv));
    }
    // halve the even one (u first; if u is odd then v is even or zero)
    const uEven = 0 - (~limb(u, 0) & 1);
    const vHalve = ~uEven;
    for (let j = 0; j < n; j++) {
      const hu: u32 = j + 1 < n ? limb(u, j + 1) : 0, hv: u32 = j + 1 < n ? limb(v, j + 1) : 0;
      const nu = (limb(u, j) >> 1) | (hu << 31), nv = (limb(v, j) >> 1) | (hv << 31);
      setLimb(u, j, limb(u, j) ^ ((limb(u, j) ^ nu) & uEven));
      setLimb(v, j, limb(v, j) ^ ((limb(v, j) ^ nv) & vHalve));
    }
  }
  // one of u, v is zero: g = (u | v) << k
  for (let j = 0; j < n; j++) setLimb(g, j, limb(u, j) | limb(v, j));
  // shift left by k (constant time: n·32 conditional single-bit shifts)
  for (let i = 0; i < n * 32; i++) {
    const m = 0 - (<u32>(<u32>i < k));
    let c: u32 = 0;
    for (let j = 0; j < n; j++) {
      const x = limb(g, j);
      const nx = (x << 1) | c;
      c = x >> 31;
      setLimb(g, j, x ^ ((x ^ nx) & m));
    }
  }
  zero(t, 3 * n);
}
