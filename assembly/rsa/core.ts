// The RSA primitives (RFC 8017 §5): RSAEP/RSAVP1 (public) and RSADP/RSASP1 (private).
//
// The private operation uses the CRT on the two engine lanes (x^dp mod p and x^dq mod q at
// once, bn/mont.ts) with
// * base blinding: per prime a random r, the base is multiplied by r^e and the result by
//   r^-1 (the inverse is computed in variable time, but of r·b for another random b, then
//   multiplied by b: its timing depends only on a uniformly random value). For a key in the
//   private-key cache (cache.ts) the pair is kept and squared after each use, and made afresh
//   every BLIND_USES uses; the cache also keeps the engine constants of the primes;
// * a fault check: the result s must satisfy s^e ≡ x modulo p and modulo q (equivalently
//   modulo n) before it is released (Boneh–DeMillo–Lipton; "Bellcore attack").
// Multi-prime keys use d modulo n with the same blinding and check (never cached).
// All scratch is wiped before returning; a key that fails the fault check leaves the cache.

import {
  MAX_LIMBS, zero, copy, limb, setLimb, fromBytesBE, toBytesBE, bitLengthVT, limbLengthVT,
  ltMask, isZeroMask, mul, add,
} from '../bn/limbs';
import {
  MAXN, monSetup, monSetupWith, monEnsureRR3, monExp, monExpPublic, monMul, monSqr, monTo,
  monFrom, monWipe, monReduceWide, monReduceWideMont, pairFromPlain, pairToPlain, pairCanon,
  pairSubMod, pairEqMask, pairCopyLane, pairCopy,
} from '../bn/mont';
import { modInvVT } from '../bn/inverse';
import { randomBits } from '../bn/random';
import {
  KN, KE, KD, KP, KQ, KDP, KDQ, KQI, kKind, kLimbs, kBits, kBytes, kELimbs, kCrt,
} from './key';
import { E_RSA_INPUT, E_RSA_KEY_USE, E_RSA_FAULT } from './errors';
import {
  BLIND_USES, cacheSlot, cacheEvict, cacheHasConsts, cacheOne, cacheRR, cacheRR3, cacheQInv,
  cacheSaveConsts, cacheBlindLeft, cacheBlindA, cacheBlindI, cacheSetBlindLeft,
} from './cache';

const L: i32 = 2 * MAX_LIMBS + 8;
const bX = new StaticArray<u32>(L);
const bS = new StaticArray<u32>(L);
const bT = new StaticArray<u32>(L);
const bU = new StaticArray<u32>(L);
const bV = new StaticArray<u32>(L);
const X: usize = changetype<usize>(bX);
const S: usize = changetype<usize>(bS);
const T: usize = changetype<usize>(bT);
const U: usize = changetype<usize>(bU);
const V: usize = changetype<usize>(bV);

const PB = MAXN * 8;
const pXR = new StaticArray<u8>(PB);
const pR = new StaticArray<u8>(PB);
const pA = new StaticArray<u8>(PB);
const pB = new StaticArray<u8>(PB);
const pM = new StaticArray<u8>(PB);
const pW = new StaticArray<u8>(PB);
const pY = new StaticArray<u8>(PB);
const pXM = new StaticArray<u8>(PB);
const pQI = new StaticArray<u8>(PB);
const XR: usize = changetype<usize>(pXR);
const RB: usize = changetype<usize>(pR);
const AB: usize = changetype<usize>(pA);
const BB: usize = changetype<usize>(pB);
const M: usize = changetype<usize>(pM);
const W: usize = changetype<usize>(pW);
const Y: usize = changetype<usize>(pY);
const XM: usize = changetype<usize>(pXM);
const QI: usize = changetype<usize>(pQI);

function wipeAll(): void {
  zero(X, L);
  zero(S, L);
  zero(T, L);
  zero(U, L);
  zero(V, L);
  memory.fill(XR, 0, PB);
  memory.fill(RB, 0, PB);
  memory.fill(AB, 0, PB);
  memory.fill(BB, 0, PB);
  memory.fill(M, 0, PB);
  memory.fill(W, 0, PB);
  memory.fill(Y, 0, PB);
  memory.fill(XM, 0, PB);
  memory.fill(QI, 0, PB);
  monWipe();
}

/** Loads `len` big-endian bytes as the integer X (kLimbs limbs); true if X < n. */
function loadInput(inp: usize, len: i32): bool {
  zero(X, L);
  if (len > kBytes) {
    // leading bytes beyond k must be zero
    for (let i = 0; i < len - kBytes; i++) if (load<u8>(inp + <usize>i) != 0) return false;
    inp += <usize>(len - kBytes);
    len = kBytes;
  }
  fromBytesBE(X, kLimbs, inp, len);
  return ltMask(X, KN, kLimbs) != 0;
}

/**
 * RSAEP / RSAVP1: out (k bytes, big-endian) = x^e mod n for the loaded key and the integer
 * x given as `len` big-endian bytes. Returns k, or E_RSA_INPUT if x >= n.
 */
export function rsaPublic(out: usize, inp: usize, len: i32): i32 {
  if (!loadInput(inp, len)) {
    wipeAll();
    return E_RSA_INPUT;
  }
  monSetup(KN, KN, kLimbs, true);
  pairFromPlain(XR, 0, X, kLimbs);
  pairFromPlain(XR, 1, X, kLimbs);
  monExpPublic(Y, XR, KE, kELimbs);
  pairToPlain(S, kLimbs, 0, Y);
  toBytesBE(out, kBytes, S, kLimbs);
  wipeAll();
  return kBytes;
}

/** Lane `lane` of pairs dst = a random number in [1, 2^(bits-1)) (below a `bits`-bit modulus). */
function randomLane(dst: usize, lane: i32, limbs: i32, bits: i32): void {
  randomBits(T, limbs, bits - 1);
  if (isZeroMask(T, limbs)) setLimb(T, 0, 1);
  pairFromPlain(dst, lane, T, limbs);
  zero(T, limbs);
}

/**
 * Lane-wise r^-1·R (the Montgomery form of r^-1) for the random r in RB (canonical), into W:
 * inverts r·b for a random b in variable time and multiplies the result by b. The moduli
 * are the plain mod0 / mod1 of `limbs` limbs. Returns false if an inversion failed (r not
 * invertible).
 */
function blindedInverse(mod0: usize, mod1: usize, limbs: i32, bits0: i32, bits1: i32): bool {
  randomLane(BB, 0, limbs, bits0);
  randomLane(BB, 1, limbs, bits1);
  monTo(W, RB);
  monMul(W, W, BB); // r·b, canonical below
  pairCanon(W);
  for (let lane = 0; lane < 2; lane++) {
    pairToPlain(U, limbs, lane, W);
    if (!modInvVT(V, U, lane == 0 ? mod0 : mod1, limbs)) return false;
    pairFromPlain(W, lane, V, limbs);
  }
  zero(U, limbs);
  zero(V, limbs);
  monTo(W, W); // (r·b)^-1·R
  monTo(BB, BB); // b·R
  monMul(W, W, BB); // (r·b)^-1·b·R = r^-1·R
  return true;
}

/**
 * A fresh blinding pair in the Montgomery domain: AB = r^e·R and W = r^-1·R per lane, for a
 * random r below each modulus (mod0 / mod1, bits0 / bits1 bits, `limbs` limbs; the engine is
 * set up for them). Returns false if r was not invertible.
 */
function freshBlinding(mod0: usize, mod1: usize, limbs: i32, bits0: i32, bits1: i32, sameLanes: bool): bool {
  randomLane(RB, 0, limbs, bits0);
  if (sameLanes) pairCopyLane(RB, 1, RB, 0);
  else randomLane(RB, 1, limbs, bits1);
  monExpPublic(AB, RB, KE, kELimbs);
  monTo(AB, AB);
  return blindedInverse(mod0, mod1, limbs, bits0, bits1);
}

/**
 * RSADP / RSASP1 with the loaded private key: out (k bytes) = x^d mod n, blinded and
 * fault-checked. Returns k, E_RSA_INPUT (x >= n), E_RSA_KEY_USE (public key) or
 * E_RSA_FAULT (the result did not verify: inconsistent key or a computation fault).
 */
export function rsaPrivate(out: usize, inp: usize, len: i32): i32 {
  if (kKind != 2) return E_RSA_KEY_USE;
  if (!loadInput(inp, len)) {
    wipeAll();
    return E_RSA_INPUT;
  }
  const r = kCrt ? privateCrt() : privateD();
  if (r == 0) toBytesBE(out, kBytes, S, kLimbs);
  else if (r == E_RSA_FAULT && cacheSlot >= 0) cacheEvict(cacheSlot);
  wipeAll();
  return r == 0 ? kBytes : r;
}

function privateCrt(): i32 {
  const np = limbLengthVT(KP, MAX_LIMBS), nq = limbLengthVT(KQ, MAX_LIMBS);
  const nm = np > nq ? np : nq;
  const bp = bitLengthVT(KP, nm), bq = bitLengthVT(KQ, nm);
  const slot = cacheSlot;
  if (slot >= 0 && cacheHasConsts(slot)) {
    monSetupWith(KP, KQ, nm, cacheOne(slot), cacheRR(slot), cacheRR3(slot));
    pairCopy(QI, cacheQInv(slot));
  } else {
    monSetup(KP, KQ, nm);
    monEnsureRR3();
    pairFromPlain(QI, 0, KQI, nm);
    pairCopyLane(QI, 1, QI, 0);
    monTo(QI, QI); // lane p: qInv·R mod p
    if (slot >= 0) cacheSaveConsts(slot, QI);
  }
  // x·R (Montgomery form) and x modulo p and q
  monReduceWideMont(XM, X, kLimbs);
  monFrom(XR, XM);
  // the blinding pair AB = r^e·R, W = r^-1·R: the cached one, or a fresh one
  const left = slot >= 0 ? cacheBlindLeft(slot) : 0;
  if (left > 0) {
    pairCopy(AB, cacheBlindA(slot));
    pairCopy(W, cacheBlindI(slot));
  } else if (!freshBlinding(KP, KQ, nm, bp, bq, false)) {
    return E_RSA_FAULT;
  }
  if (slot >= 0) {
    // the pair of the next call: both squared (r <- r²)
    monSqr(cacheBlindA(slot), AB);
    monSqr(cacheBlindI(slot), W);
    cacheSetBlindLeft(slot, left > 0 ? left - 1 : BLIND_USES - 1);
  }
  // m' = (x·r^e)^(dp, dq) = x^(dp, dq)·r (the base enters in the Montgomery domain), then
  // m = m'·r^-1
  monMul(M, XM, AB);
  monExp(M, M, KDP, KDQ, nm, bp > bq ? bp : bq, true);
  monMul(M, M, W);
  pairCanon(M);
  // Garner: h = qInv·(m_p - m_q) mod p; s = m_q + h·q
  pairToPlain(U, nm, 1, M); // m_q
  if (bp == bq) {
    // m_q < q < 2p: one conditional subtraction reduces it modulo p
    pairCopyLane(W, 0, M, 1);
    pairCopyLane(W, 1, M, 1);
    pairCanon(W);
  } else {
    monReduceWide(W, U, nm); // lane p: m_q mod p
  }
  pairSubMod(W, M, W); // lane p: m_p - m_q mod p
  monMul(Y, QI, W);
  pairCanon(Y); // lane p: h
  pairToPlain(V, nm, 0, Y);
  zero(S, L);
  mul(S, V, np, KQ, nq); // h·q < p·q = n
  zero(T, L);
  copy(T, U, nq);
  add(S, S, T, kLimbs);
  zero(U, L);
  zero(V, L);
  // fault check: s^e ≡ x (mod p) and (mod q)
  monReduceWideMont(W, S, kLimbs);
  monExpPublic(Y, W, KE, kELimbs, true);
  const ok = pairEqMask(Y, XR);
  if (ok != 0xffffffffffffffff) return E_RSA_FAULT;
  return 0;
}

function privateD(): i32 {
  const n = kLimbs;
  monSetup(KN, KN, n, true);
  pairFromPlain(XR, 0, X, n);
  pairFromPlain(XR, 1, X, n);
  if (!freshBlinding(KN, KN, n, kBits, kBits, true)) return E_RSA_FAULT;
  monMul(M, XR, AB); // x·r^e
  monExp(M, M, KD, KD, n, kBits);
  monMul(M, M, W); // ·r^-1
  pairCanon(M);
  pairToPlain(S, n, 0, M);
  // fault check: s^e ≡ x (mod n)
  monExpPublic(Y, M, KE, kELimbs);
  const ok = pairEqMask(Y, XR);
  if (ok != 0xffffffffffffffff) return E_RSA_FAULT;
  return 0;
}
