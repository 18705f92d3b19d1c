// Probable-prime testing.
//
// * Small primes (< 2^16) for trial division and for the key-generation sieve.
// * Miller–Rabin rounds on the two-lane engine: two candidates (or one candidate with two
//   bases) per round (FIPS 186-5 B.3.1). Base 2 uses square-and-double (monPow2).
// * The strong Lucas test with Selfridge's parameters (FIPS 186-5 B.3.3), which together
//   with Miller–Rabin base 2 is the Baillie–PSW test.
// * isProbablePrime: trial division, then BPSW, then extra random-base Miller–Rabin rounds.

import {
  limb, setLimb, zero, copy, bitLengthVT, limbLengthVT, subWord, isZeroMask, MAX_LIMBS,
} from './limbs';
import {
  eN, ONE, MOD, monSetup, monExp, monPow2, monMul, monSqr, monTo, pairCopy, pairCanon,
  pairEqMask, pairSubMod, pairAddMod, pairHalveMod, pairFromPlain, pairZero, pset, pget, MAXN,
} from './mont';
import { remWord, recipWord } from './divide';
import { randomBits } from './random';

// ---------------------------------------------------------------------------------------
// Small primes

/** Number of odd primes below 2^16. */
export const SMALL_PRIME_COUNT: i32 = 6541;
const smallPrimes = new StaticArray<u16>(SMALL_PRIME_COUNT);
const smallRecips = new StaticArray<u64>(SMALL_PRIME_COUNT);
let smallReady = false;

/** The i-th odd prime (3, 5, 7, ...), i < SMALL_PRIME_COUNT. */
// @ts-ignore: decorator
@inline export function smallPrime(i: i32): u32 {
  return <u32>unchecked(smallPrimes[i]);
}

/** recipWord(smallPrime(i)). */
// @ts-ignore: decorator
@inline export function smallRecip(i: i32): u64 {
  return unchecked(smallRecips[i]);
}

/** Builds the small-prime table (once). */
export function initSmallPrimes(): void {
  if (smallReady) return;
  const LIM = 65536;
  const comp = new StaticArray<u8>(LIM);
  let k = 0;
  for (let i = 3; i < LIM; i += 2) {
    if (unchecked(comp[i])) continue;
    unchecked(smallPrimes[k] = <u16>i);
    unchecked(smallRecips[k] = recipWord(<u32>i));
    k++;
    if (i < 256) for (let j = i * i; j < LIM; j += 2 * i) unchecked(comp[j] = 1);
  }
  assert(k == SMALL_PRIME_COUNT);
  smallReady = true;
}

// ---------------------------------------------------------------------------------------
// Miller–Rabin on the engine

const mrBuf = new StaticArray<u32>(2 * MAX_LIMBS + 4);
const MR_DP: usize = changetype<usize>(mrBuf);
const MR_DQ: usize = changetype<usize>(mrBuf) + (<usize>(MAX_LIMBS + 2) << 2);
let mrLimbs: i32 = 0;
let mrSP: i32 = 0;
let mrSQ: i32 = 0;
let mrBitsP: i32 = 0;
let mrBitsQ: i32 = 0;

const pairY = new StaticArray<u8>(MAXN * 8);
const pairC = new StaticArray<u8>(MAXN * 8);
const pairM1 = new StaticArray<u8>(MAXN * 8);
const PY: usize = changetype<usize>(pairY);
const PC: usize = changetype<usize>(pairC);
const PM1: usize = changetype<usize>(pairM1);
const rndBuf = new StaticArray<u32>(MAX_LIMBS + 2);
const RND: usize = changetype<usize>(rndBuf);

/** Trailing zero bits of the n-limb x (x != 0). Variable time. */
function ctzVT(x: usize, n: i32): i32 {
  for (let i = 0; i < n; i++) {
    const w = limb(x, i);
    if (w != 0) return i * 32 + <i32>ctz(w);
  }
  return n * 32;
}

/** d = (x - 1) >> s with s = ctz(x - 1); returns s. x odd > 1. */
function splitMinusOne(d: usize, x: usize, n: i32): i32 {
  copy(d, x, n);
  subWord(d, d, n, 1);
  const s = ctzVT(d, n);
  // shift right by s
  const ls = s >> 5, bs = <u32>(s & 31);
  for (let i = 0; i < n; i++) {
    const a: u32 = i + ls < n ? limb(d, i + ls) : 0;
    const b: u32 = i + ls + 1 < n ? limb(d, i + ls + 1) : 0;
    setLimb(d, i, bs ? (a >> bs) | (b << (32 - bs)) : a);
  }
  return s;
}

/**
 * Prepares Miller–Rabin for the odd candidates candP (lane p) and candQ (lane q), `limbs`
 * limbs each (they may be the same number): sets up the engine and d, s with cand - 1 = d·2^s.
 */
export function mrPrepare(candP: usize, candQ: usize, limbs: i32): void {
  monSetup(candP, candQ, limbs);
  mrLimbs = limbs;
  mrSP = splitMinusOne(MR_DP, candP, limbs);
  mrSQ = splitMinusOne(MR_DQ, candQ, limbs);
  mrBitsP = bitLengthVT(candP, limbs);
  mrBitsQ = bitLengthVT(candQ, limbs);
  // MINUS_ONE = N - R mod N (canonical)
  pairZero(PM1);
  pairSubMod(PM1, PM1, ONE);
}

/** Zeroes the Miller–Rabin state (d, s and the pair scratch: secret during key generation). */
export function mrWipe(): void {
  memory.fill(changetype<usize>(mrBuf), 0, <usize>(2 * MAX_LIMBS + 4) << 2);
  memory.fill(PY, 0, <usize>MAXN * 8);
  memory.fill(PC, 0, <usize>MAXN * 8);
  memory.fill(PM1, 0, <usize>MAXN * 8);
  memory.fill(RND, 0, <usize>(MAX_LIMBS + 2) << 2);
  mrLimbs = 0;
  mrSP = 0;
  mrSQ = 0;
  mrBitsP = 0;
  mrBitsQ = 0;
}

/**
 * One Miller–Rabin round per lane; base 2 (both lanes) or independent random bases in
 * [2, N - 2]. Returns a bit mask: bit 0 set if lane p passed, bit 1 if lane q passed.
 */
export function mrRound(base2: bool): i32 {
  const limbs = mrLimbs;
  const db = bitLengthVT(MR_DP, limbs), dq = bitLengthVT(MR_DQ, limbs);
  const dbits = db > dq ? db : dq;
  if (base2) {
    monPow2(PY, MR_DP, MR_DQ, limbs, dbits);
  } else {
    for (let lane = 0; lane < 2; lane++) {
      const bits = lane == 0 ? mrBitsP : mrBitsQ;
      // uniform in [0, 2^(bits-1)) < N, then forced into [2, N - 2]
      randomBits(RND, limbs, bits - 1);
      if (limbLengthVT(RND, limbs) == 1 && limb(RND, 0) < 2) setLimb(RND, 0, 2);
      pairFromPlain(PC, lane, RND, limbs);
    }
    monExp(PY, PC, MR_DP, MR_DQ, limbs, dbits);
    monTo(PY, PY);
  }
  zero(RND, limbs);
  // y_0 = a^d: pass if 1 or -1; then y_j = y_(j-1)^2: pass if -1 for some j < s
  pairCopy(PC, PY);
  pairCanon(PC);
  let pass = pairEqMask(PC, ONE) | pairEqMask(PC, PM1);
  const smax = mrSP > mrSQ ? mrSP : mrSQ;
  for (let j = 1; j < smax; j++) {
    monSqr(PY, PY);
    pairCopy(PC, PY);
    pairCanon(PC);
    const m1 = pairEqMask(PC, PM1);
    const live = (j < mrSP ? <u64>0xffffffff : 0) | (j < mrSQ ? <u64>0xffffffff00000000 : 0);
    pass |= m1 & live;
  }
  return <i32>(pass & 1) | (<i32>((pass >> 32) & 1) << 1);
}

// ---------------------------------------------------------------------------------------
// Lucas

/** Jacobi symbol (a / m) for words, m odd positive. */
function jacobiWord(a: u32, m: u32): i32 {
  let t = 1;
  a = a % m;
  while (a != 0) {
    while ((a & 1) == 0) {
      a >>= 1;
      const r = m & 7;
      if (r == 3 || r == 5) t = -t;
    }
    const x = a;
    a = m;
    m = x;
    if ((a & 3) == 3 && (m & 3) == 3) t = -t;
    a = a % m;
  }
  return m == 1 ? t : 0;
}

/** Jacobi symbol (D / n) for a small odd D (|D| < 2^31) and odd n > |D|. */
function jacobiSmall(d: i32, n: usize, limbs: i32): i32 {
  const a = <u32>(d < 0 ? -d : d);
  // (a / n) = (n mod a / a)·(-1)^((a-1)/2·(n-1)/2) for odd a
  const nmod = remWord(n, limbs, a, recipWord(a));
  let j = jacobiWord(nmod, a);
  const n0 = limb(n, 0);
  if ((a & 3) == 3 && (n0 & 3) == 3) j = -j;
  if (d < 0 && (n0 & 3) == 3) j = -j; // (-1 / n)
  return j;
}

const sqA = new StaticArray<u32>(MAX_LIMBS + 2);
const sqR = new StaticArray<u32>(MAX_LIMBS + 2);
const sqT = new StaticArray<u32>(MAX_LIMBS + 2);
const sqB = new StaticArray<u32>(MAX_LIMBS + 2);

/** True if the n-limb x is a perfect square (digit-by-digit square root). Variable time. */
export function isSquareVT(x: usize, n: i32): bool {
  // quick quadratic-residue filters
  const m64 = limb(x, 0) & 63;
  if (((0xfdfdfdedfdfcfdec >> <u64>m64) & 1) != 0) return false;
  const a = changetype<usize>(sqA), r = changetype<usize>(sqR), t = changetype<usize>(sqT), b = changetype<usize>(sqB);
  copy(a, x, n);
  zero(r, n);
  zero(b, n);
  const bits = bitLengthVT(x, n);
  let top = bits & ~1;
  if (top >= bits) top -= 2;
  if (top < 0) return true; // x == 0
  setLimb(b, top >> 5, 1 << <u32>(top & 31));
  while (!isZeroMask(b, n)) {
    // t = r + b
    let c: u64 = 0;
    for (let i = 0; i < n; i++) {
      c += <u64>limb(r, i) + <u64>limb(b, i);
      setLimb(t, i, <u32>c);
      c >>= 32;
    }
    // r >>= 1
    for (let i = 0; i < n; i++) setLimb(r, i, (limb(r, i) >> 1) | (i + 1 < n ? limb(r, i + 1) << 31 : 0));
    // if a >= t: a -= t, r += b
    let d: i64 = 0;
    for (let i = 0; i < n; i++) {
      d += <i64>limb(a, i) - <i64>limb(t, i);
      d >>= 32;
    }
    if (d == 0) {
      d = 0;
      for (let i = 0; i < n; i++) {
        d += <i64>limb(a, i) - <i64>limb(t, i);
        setLimb(a, i, <u32>d);
        d >>= 32;
      }
      c = 0;
      for (let i = 0; i < n; i++) {
        c += <u64>limb(r, i) + <u64>limb(b, i);
        setLimb(r, i, <u32>c);
        c >>= 32;
      }
    }
    // b >>= 2
    for (let i = 0; i < n; i++) setLimb(b, i, (limb(b, i) >> 2) | (i + 1 < n ? limb(b, i + 1) << 30 : 0));
  }
  return isZeroMask(a, n) != 0;
}

const pU = new StaticArray<u8>(MAXN * 8);
const pV = new StaticArray<u8>(MAXN * 8);
const pQk = new StaticArray<u8>(MAXN * 8);
const pD = new StaticArray<u8>(MAXN * 8);
const pQ = new StaticArray<u8>(MAXN * 8);
const pT = new StaticArray<u8>(MAXN * 8);
const lucasD = new StaticArray<u32>(MAX_LIMBS + 2);

/** Lane p and q of pairs x = the small signed integer v mod N (both lanes), Montgomery form. */
function smallToMont(x: usize, v: i32, limbs: i32): void {
  const t = changetype<usize>(lucasD);
  zero(t, limbs);
  pairZero(x);
  const a = <u32>(v < 0 ? -v : v);
  setLimb(t, 0, a);
  pairFromPlain(x, 0, t, limbs);
  pairFromPlain(x, 1, t, limbs);
  zero(t, limbs);
  if (v < 0) {
    pairZero(changetype<usize>(pT));
    pairSubMod(x, changetype<usize>(pT), x);
  }
  monTo(x, x);
  pairCanon(x);
}

/**
 * Strong Lucas probable-prime test (FIPS 186-5 B.3.3) of the odd n (> 2, not a perfect
 * square unless the result is false anyway), with Selfridge's parameters: the first D in
 * 5, -7, 9, -11, ... with (D/n) = -1, P = 1, Q = (1 - D)/4. The engine must not be in use;
 * it is set up for n in both lanes. Variable time (public input).
 */
export function strongLucas(n: usize, limbs: i32): bool {
  let d: i32 = 5;
  let tries = 0;
  while (true) {
    const j = jacobiSmall(d, n, limbs);
    if (j == -1) break;
    if (j == 0) {
      // D shares a factor with n: composite unless n == |D|
      const ad = <u32>(d < 0 ? -d : d);
      return limbLengthVT(n, limbs) == 1 && limb(n, 0) == ad;
    }
    if (++tries == 8 && isSquareVT(n, limbs)) return false;
    d = d > 0 ? -(d + 2) : -d + 2;
    if (tries > 1000) return false;
  }
  const q: i32 = (1 - d) / 4;
  monSetup(n, n, limbs);
  const U = changetype<usize>(pU), V = changetype<usize>(pV), Qk = changetype<usize>(pQk);
  const PD = changetype<usize>(pD), PQ = changetype<usize>(pQ), T = changetype<usize>(pT);
  smallToMont(PD, d, limbs);
  smallToMont(PQ, q, limbs);
  // n + 1 = k·2^s
  const k = changetype<usize>(lucasD);
  copy(k, n, limbs);
  let c: u64 = 1;
  for (let i = 0; i < limbs; i++) {
    c += <u64>limb(k, i);
    setLimb(k, i, <u32>c);
    c >>= 32;
  }
  // (n < 2^(32·limbs) - 1 always holds for a public n here: its top limb is nonzero and odd n
  // + 1 cannot overflow unless every limb is 0xffffffff, in which case n is divisible by 3.)
  let s = 0;
  while ((limb(k, 0) & 1) == 0) {
    for (let i = 0; i < limbs; i++) setLimb(k, i, (limb(k, i) >> 1) | (i + 1 < limbs ? limb(k, i + 1) << 31 : 0));
    s++;
  }
  // U_1 = 1, V_1 = P = 1, Q^1 = Q (all in the Montgomery domain, canonical)
  const W = changetype<usize>(pW);
  pairCopy(U, ONE);
  pairCopy(V, ONE);
  pairCopy(Qk, PQ);
  const kb = bitLengthVT(k, limbs);
  for (let i = kb - 2; i >= 0; i--) {
    // doubling: U_2k = U_k·V_k, V_2k = V_k² - 2·Q^k, Q^2k = (Q^k)²
    monMul(U, U, V);
    pairCanon(U);
    monSqr(V, V);
    pairCanon(V);
    pairSubMod(V, V, Qk);
    pairSubMod(V, V, Qk);
    monSqr(Qk, Qk);
    pairCanon(Qk);
    if ((limb(k, i >> 5) >> <u32>(i & 31)) & 1) {
      // U_(k+1) = (P·U_k + V_k)/2, V_(k+1) = (D·U_k + P·V_k)/2, Q^(k+1) = Q·Q^k
      pairAddMod(T, U, V);
      monMul(W, PD, U);
      pairCanon(W);
      pairAddMod(W, W, V);
      pairCopy(U, T);
      pairHalveMod(U);
      pairCopy(V, W);
      pairHalveMod(V);
      monMul(Qk, Qk, PQ);
      pairCanon(Qk);
    }
  }
  pairZero(T);
  if (pairEqMask(U, T) & 1 || pairEqMask(V, T) & 1) return true;
  for (let r = 1; r < s; r++) {
    monSqr(V, V);
    pairCanon(V);
    pairSubMod(V, V, Qk);
    pairSubMod(V, V, Qk);
    if (pairEqMask(V, T) & 1) return true;
    monSqr(Qk, Qk);
    pairCanon(Qk);
  }
  return false;
}
const pW = new StaticArray<u8>(MAXN * 8);

// ---------------------------------------------------------------------------------------

/**
 * Probable-prime test of the n-limb x for arbitrary (public) input: trial division by the
 * odd primes below 2^16, Miller–Rabin base 2, the strong Lucas test (together BPSW), then
 * `extraRounds` Miller–Rabin rounds with random bases (two bases per engine round).
 * Variable time. Wipes the engine afterwards.
 */
export function isProbablePrime(x: usize, n: i32, extraRounds: i32): bool {
  const len = limbLengthVT(x, n);
  const bits = bitLengthVT(x, len);
  if (bits <= 1) return false;
  const x0 = limb(x, 0);
  if (bits <= 2) return true; // 2, 3
  if ((x0 & 1) == 0) return false;
  initSmallPrimes();
  const small = len == 1;
  for (let i = 0; i < SMALL_PRIME_COUNT; i++) {
    const p = smallPrime(i);
    if (small && p >= x0) return true; // x0 is itself one of the small primes (checked so far)
    if (remWord(x, len, p, smallRecip(i)) == 0) return small && p == x0;
  }
  if (small) return true; // x < 2^32 without a prime factor below 2^16

  mrPrepare(x, x, len);
  let ok = mrRound(true) == 3;
  if (ok) ok = strongLucas(x, len);
  if (ok) {
    mrPrepare(x, x, len);
    for (let r = 0; r < extraRounds && ok; r += 2) ok = mrRound(false) == 3;
  }
  return ok;
}
