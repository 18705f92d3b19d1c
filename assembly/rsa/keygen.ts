// RSA key generation (FIPS 186-5 A.1.3 "probable primes", with the incremental search that
// OpenSSL and GnuPG use): for each prime a random odd start with the two top bits set, a
// sieve over the next 2·W integers by the odd primes below 2^16 (and the condition
// gcd(p - 1, e) = 1), then Miller–Rabin base 2 on the survivors in order and, for the first
// one that passes, the random-base rounds of FIPS 186-5 table B.1.
//
// p and q are searched at the same time on the two engine lanes (one MR exponentiation tests
// a p-candidate and a q-candidate); a lane whose prime is found helps the other. Progress is
// reported as progress(primes found, 2) after every engine round.
//
// d = e^-1 mod λ(n) with λ = (p-1)(q-1)/gcd(p-1, q-1), dp = e^-1 mod (p-1), dq = e^-1 mod
// (q-1) (inverses of the small e by d = (1 + k·m)/e, k = -m^-1 mod e), qInv = q^(p-2) mod p.
// All of it is constant time in the secrets; the candidates that are rejected leak nothing
// that matters. A pairwise consistency test (a blinded, fault-checked private operation)
// ends the generation.

import {
  MAX_LIMBS, zero, copy, limb, setLimb, bitLengthVT, limbLengthVT, mul, subWord, addWord,
  sub, ltMask, isZeroMask,
} from '../bn/limbs';
import { randomBits } from '../bn/random';
import {
  initSmallPrimes, smallPrime, smallRecip, SMALL_PRIME_COUNT, mrPrepare, mrRound, mrWipe,
} from '../bn/prime';
import { remWord, recipWord, divExactWord, divModCT } from '../bn/divide';
import { invWord, gcdCT } from '../bn/inverse';
import { monSetup, monExp, monWipe, pairFromPlain, pairToPlain, MAXN } from '../bn/mont';
import {
  KN, KE, KD, KP, KQ, KDP, KDQ, KQI, keyWipe, keySetGenerated,
} from './key';
import { E_RSA_PARAM } from './errors';

// @ts-ignore: decorator
@external("env", "progress")
declare function progress(done: i32, total: i32): void;

/** Odd candidates per sieve window. */
const W: i32 = 8192;
const LL: i32 = MAX_LIMBS / 2 + 4;
const sieve0 = new StaticArray<u8>(W);
const sieve1 = new StaticArray<u8>(W);
const bStart0 = new StaticArray<u32>(LL);
const bStart1 = new StaticArray<u32>(LL);
const bCand0 = new StaticArray<u32>(LL);
const bCand1 = new StaticArray<u32>(LL);
const bPrime0 = new StaticArray<u32>(LL);
const bPrime1 = new StaticArray<u32>(LL);
const START0: usize = changetype<usize>(bStart0);
const START1: usize = changetype<usize>(bStart1);
const CAND0: usize = changetype<usize>(bCand0);
const CAND1: usize = changetype<usize>(bCand1);
const PR0: usize = changetype<usize>(bPrime0);
const PR1: usize = changetype<usize>(bPrime1);

const G = 2 * MAX_LIMBS + 8;
const bG1 = new StaticArray<u32>(G);
const bG2 = new StaticArray<u32>(G);
const bG3 = new StaticArray<u32>(G);
const bG4 = new StaticArray<u32>(G);
const bG5 = new StaticArray<u32>(4 * G);
const T1: usize = changetype<usize>(bG1);
const T2: usize = changetype<usize>(bG2);
const T3: usize = changetype<usize>(bG3);
const T4: usize = changetype<usize>(bG4);
const T5: usize = changetype<usize>(bG5);
const pairBase = new StaticArray<u8>(MAXN * 8);
const PBASE: usize = changetype<usize>(pairBase);

/** Prime factors of e (at most 9 distinct ones below 2^32). */
const eFactors = new StaticArray<u32>(10);
let eFactorCount = 0;

/** Sieve state per lane. */
let next0 = 0;
let next1 = 0;
let win0 = false;
let win1 = false;
let pbitsG = 0;
let limbsG = 0;

function factorE(e: u32): void {
  eFactorCount = 0;
  let x = e;
  for (let f: u32 = 3; f <= x / f; f += 2) {
    if (x % f == 0) {
      unchecked(eFactors[eFactorCount++] = f);
      while (x % f == 0) x /= f;
    }
  }
  if (x > 1) unchecked(eFactors[eFactorCount++] = x);
}

/** Marks, in the sieve of a window starting at `start`, the j with (start + 2j) ≡ t (mod f). */
// @ts-ignore: decorator
@inline function markResidue(sv: usize, start: usize, limbs: i32, f: u32, recip: u64, t: u32): void {
  const r = remWord(start, limbs, f, recip);
  // start + 2j ≡ t  <=>  j ≡ (t - r)·2^-1 (mod f)
  const inv2 = (f + 1) >> 1;
  const diff = (t + f - r) % f;
  let j = <i32>(<u32>((<u64>diff * <u64>inv2) % <u64>f));
  while (j < W) {
    store<u8>(sv + <usize>j, 1);
    j += <i32>f;
  }
}

/** A new random window for lane `lane`: start odd, top two bits set, sieve filled. */
function newWindow(lane: i32): void {
  const start = lane == 0 ? START0 : START1;
  const sv = changetype<usize>(lane == 0 ? sieve0 : sieve1);
  const limbs = limbsG, bits = pbitsG;
  randomBits(start, limbs, bits);
  setLimb(start, (bits - 1) >> 5, limb(start, (bits - 1) >> 5) | (1 << <u32>((bits - 1) & 31)));
  setLimb(start, (bits - 2) >> 5, limb(start, (bits - 2) >> 5) | (1 << <u32>((bits - 2) & 31)));
  setLimb(start, 0, limb(start, 0) | 1);
  memory.fill(sv, 0, <usize>W);
  for (let i = 0; i < SMALL_PRIME_COUNT; i++) markResidue(sv, start, limbs, smallPrime(i), smallRecip(i), 0);
  // gcd(p - 1, e) = 1: p ≢ 1 modulo every prime factor of e
  for (let i = 0; i < eFactorCount; i++) {
    const f = unchecked(eFactors[i]);
    markResidue(sv, start, limbs, f, recipWord(f), 1 % f);
  }
  if (lane == 0) {
    next0 = 0;
    win0 = true;
  } else {
    next1 = 0;
    win1 = true;
  }
}

/** The next sieve survivor of lane `win` into dst; opens new windows as needed. */
function nextCandidate(win: i32, dst: usize): void {
  const limbs = limbsG;
  while (true) {
    if (win == 0 ? !win0 : !win1) newWindow(win);
    const sv = changetype<usize>(win == 0 ? sieve0 : sieve1);
    let j = win == 0 ? next0 : next1;
    while (j < W && load<u8>(sv + <usize>j) != 0) j++;
    if (j >= W) {
      if (win == 0) win0 = false;
      else win1 = false;
      continue;
    }
    if (win == 0) next0 = j + 1;
    else next1 = j + 1;
    copy(dst, win == 0 ? START0 : START1, limbs);
    addWord(dst, dst, limbs, <u32>(2 * j));
    if (bitLengthVT(dst, limbs) == pbitsG) return;
  }
}

/** FIPS 186-5 table B.1 (and FIPS 186-4 C.3 below 1024 bits): random-base MR rounds. */
function mrRounds(bits: i32): i32 {
  if (bits >= 1536) return 4;
  if (bits >= 1024) return 5;
  if (bits >= 512) return 7;
  return 16;
}

/** Confirms a candidate that passed base 2 with the random-base rounds (two per engine round). */
function confirm(c: usize): bool {
  const t = mrRounds(pbitsG);
  mrPrepare(c, c, limbsG);
  for (let r = 0; r < t; r += 2) if (mrRound(false) != 3) return false;
  return true;
}

/** Finds two primes of pbits bits into PR0 and PR1 (only those lanes with need set). */
function findPrimes(need0: bool, need1: bool): void {
  const limbs = limbsG;
  let found = (need0 ? 0 : 1) + (need1 ? 0 : 1);
  progress(found, 2);
  while (need0 || need1) {
    // lane p takes a candidate of the window of its own target when it still needs one,
    // otherwise it helps the other search (and likewise for lane q)
    const w0 = need0 ? 0 : 1, w1 = need1 ? 1 : 0;
    nextCandidate(w0, CAND0);
    nextCandidate(w1, CAND1);
    mrPrepare(CAND0, CAND1, limbs);
    const pass = mrRound(true);
    if (pass & 1) {
      if ((w0 == 0 ? need0 : need1) && confirm(CAND0)) {
        if (w0 == 0) {
          copy(PR0, CAND0, limbs);
          need0 = false;
        } else {
          copy(PR1, CAND0, limbs);
          need1 = false;
        }
        found++;
      }
    }
    if (pass & 2) {
      if ((w1 == 0 ? need0 : need1) && confirm(CAND1)) {
        if (w1 == 0) {
          copy(PR0, CAND1, limbs);
          need0 = false;
        } else {
          copy(PR1, CAND1, limbs);
          need1 = false;
        }
        found++;
      }
    }
    progress(found, 2);
  }
}

/**
 * d = e^-1 mod m for the small odd e (gcd(e, m) = 1), m of `limbs` limbs: k = -m^-1 mod e,
 * d = (1 + k·m)/e. Constant time in m. dst gets limbs + 1 limbs.
 */
function invSmallE(dst: usize, m: usize, limbs: i32, e: u32): void {
  const rm = remWord(m, limbs, e, recipWord(e));
  const inv = invWord(rm, e);
  const k = inv == 0 ? 0 : e - inv;
  zero(dst, limbs + 1);
  // dst = k·m + 1
  let c: u64 = 1;
  for (let i = 0; i < limbs; i++) {
    c += <u64>limb(m, i) * <u64>k;
    setLimb(dst, i, <u32>c);
    c >>= 32;
  }
  setLimb(dst, limbs, <u32>c);
  divExactWord(dst, limbs + 1, e);
}

/**
 * Generates a `bits`-bit key (512..8192) with public exponent e (odd, >= 3) and loads it as
 * the current key (key.ts). Returns 0 or E_RSA_PARAM.
 */
export function rsaGenerate(bits: i32, e: u32): i32 {
  if (bits < 512 || bits > 8192 || (e & 1) == 0 || e < 3) return E_RSA_PARAM;
  initSmallPrimes();
  factorE(e);
  // d ≤ 2^(bits/2) has negligible probability; start over if it happens
  let r = generateOnce(bits, e);
  while (r == 1) r = generateOnce(bits, e);
  return r;
}

function generateOnce(bits: i32, e: u32): i32 {
  keyWipe();
  const pbits = (bits + 1) >> 1;
  const qbits = bits - pbits;
  const limbs = (pbits + 31) >> 5;
  // the primes: p of pbits bits in PR0, q of qbits bits in PR1 (equal unless bits is odd)
  setSearch(pbits);
  if (qbits == pbits) {
    findPrimes(true, true);
  } else {
    findPrimes(true, false);
    setSearch(qbits);
    findPrimes(false, true);
  }
  while (true) {
    // |p - q| > 2^(bits/2 - 100) (FIPS 186-5 A.1.3 step 5.4)
    zero(T1, limbs + 1);
    if (ltMask(PR0, PR1, limbs)) sub(T1, PR1, PR0, limbs);
    else sub(T1, PR0, PR1, limbs);
    if (bitLengthVT(T1, limbs) > (bits >> 1) - 100) break;
    setSearch(qbits);
    findPrimes(false, true);
  }
  // p > q
  if (ltMask(PR0, PR1, limbs)) {
    copy(T1, PR0, limbs);
    copy(PR0, PR1, limbs);
    copy(PR1, T1, limbs);
  }
  const ok = derive(bits, e, limbs);
  wipeAll();
  return ok;
}

/** Starts searching primes of `bits` bits (new windows on both lanes). */
function setSearch(bits: i32): void {
  pbitsG = bits;
  limbsG = (bits + 31) >> 5;
  win0 = false;
  win1 = false;
}

/** Computes n, d, dp, dq, qInv from PR0 = p > PR1 = q and loads the key. */
function derive(bits: i32, e: u32, limbs: i32): i32 {
  const nl = 2 * limbs;
  // p - 1, q - 1
  copy(T1, PR0, limbs);
  subWord(T1, T1, limbs, 1);
  copy(T2, PR1, limbs);
  subWord(T2, T2, limbs, 1);
  // dp, dq
  invSmallE(KDP, T1, limbs, e);
  invSmallE(KDQ, T2, limbs, e);
  // λ = (p-1)(q-1) / gcd(p-1, q-1)
  gcdCT(T3, T1, T2, limbs, T5);
  mul(T4, T1, limbs, T2, limbs); // φ, nl limbs
  divModCT(T1, T2, T4, nl, T3, limbs, T5); // T1 = λ (nl limbs)
  zero(T2, G);
  // d = e^-1 mod λ
  invSmallE(KD, T1, nl, e);
  // n = p·q
  mul(KN, PR0, limbs, PR1, limbs);
  setLimb(KE, 0, e);
  copy(KP, PR0, limbs);
  copy(KQ, PR1, limbs);
  // qInv = q^(p-2) mod p (Fermat; p is prime), constant time
  copy(T3, PR0, limbs);
  subWord(T3, T3, limbs, 2);
  monSetup(KP, KP, limbs);
  pairFromPlain(PBASE, 0, KQ, limbs);
  pairFromPlain(PBASE, 1, KQ, limbs);
  monExp(PBASE, PBASE, T3, T3, limbs, bitLengthVT(KP, limbs));
  pairToPlain(KQI, limbs, 0, PBASE);
  monWipe();
  keySetGenerated();
  // FIPS 186-5 A.1.1: d > 2^(nlen/2); fails with negligible probability
  if (bitLengthVT(KD, nl) <= bits >> 1) return 1;
  return 0;
}

function wipeAll(): void {
  memory.fill(changetype<usize>(sieve0), 0, <usize>W);
  memory.fill(changetype<usize>(sieve1), 0, <usize>W);
  zero(START0, LL);
  zero(START1, LL);
  zero(CAND0, LL);
  zero(CAND1, LL);
  zero(PR0, LL);
  zero(PR1, LL);
  zero(T1, G);
  zero(T2, G);
  zero(T3, G);
  zero(T4, G);
  zero(T5, 4 * G);
  memory.fill(PBASE, 0, MAXN * 8);
  mrWipe();
  monWipe();
}
