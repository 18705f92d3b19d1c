// The two-lane Montgomery engine (see kernel.ts and sqr.ts for the multiplication and the
// squaring themselves).
//
// The engine holds one context at a time: two odd moduli (lanes p and q; both lanes may hold
// the same modulus), n limbs of w bits with R = 2^(w·n) ≥ 16·N for both lanes, the Montgomery
// constants n0' = -N^-1 mod 2^w, R mod N, R² mod N and (made on demand) R³ mod N. A caller
// that sees the same moduli again may save ONE, RR and RR3 and restore them with
// monSetupWith (the RSA key cache does). Values outside the kernels are "pairs": n × 8
// bytes, limb i of lane p at 8i and of lane q at 8i + 4 (w-bit digits); the squaring kernel
// also reads its operand as reversed doubled pairs (kernel.ts), which both kernels write.
//
// Lazy reduction: Montgomery outputs are < 2N; inputs may be anything < 4N. Only values
// leaving the engine are fully reduced (canon).
//
// Every routine here is constant time in the values (loops and addresses depend on n, w and
// public exponent lengths only) except the ones named …VT or documented as public-exponent.

import { EL, montMul } from './kernel';
import { montSqr } from './sqr';
import { limb, setLimb, bitLengthVT, zero, MAX_LIMBS } from './limbs';
import { modVT } from './divide';

/** Largest engine length in limbs (8192-bit moduli + 4 bits at 26 bits per limb). */
export const MAXN: i32 = 320;
const PAD: i32 = 4;
const BUF_BYTES: i32 = (MAXN + 2 * PAD) * <i32>EL;
const PAIR_BYTES: i32 = MAXN * 8;
/** Window width of the constant-time exponentiation and its table size. */
const WIN_MAX: i32 = 5;
const TBL_ENTRIES: i32 = 1 << WIN_MAX;

// element buffers of the multiplication kernel
const bufAM0 = new StaticArray<u8>(BUF_BYTES);
const bufBNT = new StaticArray<u8>(BUF_BYTES);
const AM0: usize = changetype<usize>(bufAM0) + <usize>PAD * EL;
const BNT: usize = changetype<usize>(bufBNT) + <usize>PAD * EL;
// padded pair buffers of the squaring kernel and of the exponentiation state: each value as
// forward pairs (SA, SB) and as reversed doubled pairs (SAR, SBR; see kernel.ts)
const SP_BYTES: i32 = (MAXN + 2 * PAD) * 8;
const bufSA = new StaticArray<u8>(SP_BYTES);
const bufSAR = new StaticArray<u8>(SP_BYTES);
const bufSB = new StaticArray<u8>(SP_BYTES);
const bufSBR = new StaticArray<u8>(SP_BYTES);
const bufSM = new StaticArray<u8>(SP_BYTES);
const bufSNR = new StaticArray<u8>(SP_BYTES);
const SA: usize = changetype<usize>(bufSA) + <usize>PAD * 8;
const SAR: usize = changetype<usize>(bufSAR) + <usize>PAD * 8;
const SB: usize = changetype<usize>(bufSB) + <usize>PAD * 8;
const SBR: usize = changetype<usize>(bufSBR) + <usize>PAD * 8;
const SM: usize = changetype<usize>(bufSM) + <usize>PAD * 8;
const SNR: usize = changetype<usize>(bufSNR) + <usize>PAD * 8;

const tbl = new StaticArray<u8>(TBL_ENTRIES * PAIR_BYTES);
const TBL: usize = changetype<usize>(tbl);
const pairRR = new StaticArray<u8>(PAIR_BYTES);
const pairRR3 = new StaticArray<u8>(PAIR_BYTES);
const pairOne = new StaticArray<u8>(PAIR_BYTES);
const pairMod = new StaticArray<u8>(PAIR_BYTES);
const pairT = new StaticArray<u8>(PAIR_BYTES);
const pairU = new StaticArray<u8>(PAIR_BYTES);
/** R² mod N (lazy) per lane. */
export const RR: usize = changetype<usize>(pairRR);
/** R³ mod N (lazy) per lane, valid when rr3Ok (made on first use by monReduceWideMont). */
export const RR3: usize = changetype<usize>(pairRR3);
let rr3Ok = false;
/** R mod N (canonical): the Montgomery form of 1. */
export const ONE: usize = changetype<usize>(pairOne);
/** The moduli as pairs. */
export const MOD: usize = changetype<usize>(pairMod);
const PT: usize = changetype<usize>(pairT);
const PU: usize = changetype<usize>(pairU);

/** Engine length in limbs, limb width in bits, and the per-lane n0' = -N^-1 mod 2^w. */
export let eN: i32 = 0;
export let eW: u32 = 28;
let eMask: u32 = (1 << 28) - 1;
let eN0: v128 = i64x2.splat(0);
/** Largest n used since the last wipe (what monWipe must clear). */
let dirtyN: i32 = 0;

// ---------------------------------------------------------------------------------------
// Pairs

/** Limb i of lane `lane` (0 = p, 1 = q) of the pairs at p. */
// @ts-ignore: decorator
@inline export function pget(p: usize, i: i32, lane: i32): u32 {
  return load<u32>(p + (<usize>i << 3) + (<usize>lane << 2));
}

/** Sets limb i of lane `lane` of the pairs at p. */
// @ts-ignore: decorator
@inline export function pset(p: usize, i: i32, lane: i32, v: u32): void {
  store<u32>(p + (<usize>i << 3) + (<usize>lane << 2), v);
}

/** Bytes of a pair buffer of the current context. */
// @ts-ignore: decorator
@inline export function pairBytes(): usize {
  return <usize>eN << 3;
}

/** dst = src (pairs). */
export function pairCopy(dst: usize, src: usize): void {
  memory.copy(dst, src, pairBytes());
}

/** dst = 0 (pairs). */
export function pairZero(dst: usize): void {
  memory.fill(dst, 0, pairBytes());
}

/** Copies lane `from` of src into lane `to` of dst. */
export function pairCopyLane(dst: usize, to: i32, src: usize, from: i32): void {
  for (let i = 0; i < eN; i++) pset(dst, i, to, pget(src, i, from));
}

/**
 * Lane `lane` of dst = the plain number at src (srcLimbs u32 limbs), repacked into w-bit
 * digits. The number must be < 2^(w·n).
 */
export function pairFromPlain(dst: usize, lane: i32, src: usize, srcLimbs: i32): void {
  const w = eW, mask = eMask;
  let acc: u64 = 0;
  let have: u32 = 0;
  let j = 0;
  for (let i = 0; i < eN; i++) {
    if (have < w) {
      const v: u64 = j < srcLimbs ? <u64>limb(src, j) : 0;
      acc |= v << have;
      have += 32;
      j++;
    }
    pset(dst, i, lane, <u32>acc & mask);
    acc >>= w;
    have -= w;
  }
}

/** The plain number at dst (dstLimbs u32 limbs) = lane `lane` of the pairs at src. */
export function pairToPlain(dst: usize, dstLimbs: i32, lane: i32, src: usize): void {
  const w = eW;
  let acc: u64 = 0;
  let have: u32 = 0;
  let i = 0;
  for (let j = 0; j < dstLimbs; j++) {
    while (have < 32 && i < eN) {
      acc |= <u64>pget(src, i, lane) << have;
      have += w;
      i++;
    }
    setLimb(dst, j, <u32>acc);
    acc >>= 32;
    have = have > 32 ? have - 32 : 0;
  }
}

/** All-ones per lane (as two u32 words in a u64: lane p low) iff a < b, pairs. */
function pairLtMask(a: usize, b: usize): u64 {
  let dp: i64 = 0, dq: i64 = 0;
  const w = <i64>eW;
  for (let i = 0; i < eN; i++) {
    dp += <i64>pget(a, i, 0) - <i64>pget(b, i, 0);
    dq += <i64>pget(a, i, 1) - <i64>pget(b, i, 1);
    dp >>= w;
    dq >>= w;
  }
  return (<u64>(<u32>dp)) | (<u64>(<u32>dq) << 32);
}

/** x = x - N per lane where x ≥ N (constant time); x < 2N gives the canonical value. */
export function pairCanon(x: usize): void {
  const lt = pairLtMask(x, MOD);
  const mp = ~<u32>lt, mq = ~<u32>(lt >> 32);
  let dp: i64 = 0, dq: i64 = 0;
  const w = eW, mask = eMask;
  for (let i = 0; i < eN; i++) {
    dp += <i64>pget(x, i, 0) - <i64>(pget(MOD, i, 0) & mp);
    dq += <i64>pget(x, i, 1) - <i64>(pget(MOD, i, 1) & mq);
    pset(x, i, 0, <u32>dp & mask);
    pset(x, i, 1, <u32>dq & mask);
    dp >>= w;
    dq >>= w;
  }
}

/** out = (a + b) mod N per lane for canonical a, b (constant time). out may alias. */
export function pairAddMod(out: usize, a: usize, b: usize): void {
  let cp: u64 = 0, cq: u64 = 0;
  const w = eW, mask = eMask;
  for (let i = 0; i < eN; i++) {
    cp += <u64>pget(a, i, 0) + <u64>pget(b, i, 0);
    cq += <u64>pget(a, i, 1) + <u64>pget(b, i, 1);
    pset(out, i, 0, <u32>cp & mask);
    pset(out, i, 1, <u32>cq & mask);
    cp >>= w;
    cq >>= w;
  }
  pairCanon(out);
}

/** out = a + b per lane without reduction (constant time); the sum must stay < 2^(w·n). */
export function pairAddRaw(out: usize, a: usize, b: usize): void {
  let cp: u64 = 0, cq: u64 = 0;
  const w = eW, mask = eMask;
  for (let i = 0; i < eN; i++) {
    cp += <u64>pget(a, i, 0) + <u64>pget(b, i, 0);
    cq += <u64>pget(a, i, 1) + <u64>pget(b, i, 1);
    pset(out, i, 0, <u32>cp & mask);
    pset(out, i, 1, <u32>cq & mask);
    cp >>= w;
    cq >>= w;
  }
}

/** out = (a - b) mod N per lane for canonical a, b (constant time). out may alias. */
export function pairSubMod(out: usize, a: usize, b: usize): void {
  let dp: i64 = 0, dq: i64 = 0;
  const w = <i64>eW, mask = eMask;
  for (let i = 0; i < eN; i++) {
    dp += <i64>pget(a, i, 0) - <i64>pget(b, i, 0);
    dq += <i64>pget(a, i, 1) - <i64>pget(b, i, 1);
    pset(out, i, 0, <u32>dp & mask);
    pset(out, i, 1, <u32>dq & mask);
    dp >>= w;
    dq >>= w;
  }
  // add N back where the difference went negative
  const mp = <u32>dp, mq = <u32>dq;
  let cp: u64 = 0, cq: u64 = 0;
  for (let i = 0; i < eN; i++) {
    cp += <u64>pget(out, i, 0) + <u64>(pget(MOD, i, 0) & mp);
    cq += <u64>pget(out, i, 1) + <u64>(pget(MOD, i, 1) & mq);
    pset(out, i, 0, <u32>cp & eMask);
    pset(out, i, 1, <u32>cq & eMask);
    cp >>= <u64>eW;
    cq >>= <u64>eW;
  }
}

/** x = x / 2 mod N per lane for canonical x (constant time). */
export function pairHalveMod(x: usize): void {
  const mp = 0 - (pget(x, 0, 0) & 1), mq = 0 - (pget(x, 0, 1) & 1);
  let cp: u64 = 0, cq: u64 = 0;
  for (let i = 0; i < eN; i++) {
    cp += <u64>pget(x, i, 0) + <u64>(pget(MOD, i, 0) & mp);
    cq += <u64>pget(x, i, 1) + <u64>(pget(MOD, i, 1) & mq);
    pset(x, i, 0, <u32>cp & eMask);
    pset(x, i, 1, <u32>cq & eMask);
    cp >>= <u64>eW;
    cq >>= <u64>eW;
  }
  // x + N·odd < 2N < 2^(w·n): shift right by one bit across the digits
  for (let i = 0; i < eN; i++) {
    const hp: u32 = i + 1 < eN ? pget(x, i + 1, 0) & 1 : 0;
    const hq: u32 = i + 1 < eN ? pget(x, i + 1, 1) & 1 : 0;
    pset(x, i, 0, (pget(x, i, 0) >> 1) | (hp << (eW - 1)));
    pset(x, i, 1, (pget(x, i, 1) >> 1) | (hq << (eW - 1)));
  }
}

/** All-ones per lane (lane p in the low word) iff a == b, pairs. */
export function pairEqMask(a: usize, b: usize): u64 {
  let xp: u32 = 0, xq: u32 = 0;
  for (let i = 0; i < eN; i++) {
    xp |= pget(a, i, 0) ^ pget(b, i, 0);
    xq |= pget(a, i, 1) ^ pget(b, i, 1);
  }
  const mp = <u32>((<u64>xp - 1) >> 63), mq = <u32>((<u64>xq - 1) >> 63);
  return <u64>(0 - mp) | (<u64>(0 - mq) << 32);
}

// ---------------------------------------------------------------------------------------
// Element buffers

/** Writes pairs into the a-slots of an AM buffer. */
function toAM(am: usize, src: usize): void {
  for (let i = 0; i < eN; i++) store<u64>(am + <usize>i * EL, load<u64>(src + (<usize>i << 3)));
}

/** Writes pairs into the b-slots of a BN buffer. */
function toBN(bn: usize, src: usize): void {
  for (let i = 0; i < eN; i++) store<u64>(bn + <usize>i * EL, load<u64>(src + (<usize>i << 3)));
}

/** dstR = src reversed (pairs). */
function toRev(dstR: usize, src: usize): void {
  const last = <usize>(eN - 1) << 3;
  for (let i = 0; i < eN; i++) store<u64>(dstR + last - (<usize>i << 3), load<u64>(src + (<usize>i << 3)));
}

/** dst2R = 2·src reversed (pairs): the squaring kernel's second copy of its operand. */
function toRev2(dst2R: usize, src: usize): void {
  const last = <usize>(eN - 1) << 3;
  for (let i = 0; i < eN; i++) {
    v128.store64_lane(dst2R + last - (<usize>i << 3), i32x4.shl(v128.load64_zero(src + (<usize>i << 3)), 1), 0);
  }
}

/** out = a·b·R^-1 (pairs; out may alias a or b). */
export function monMul(out: usize, a: usize, b: usize): void {
  toAM(AM0, a);
  toBN(BNT, b);
  montMul(SB, SBR, AM0, BNT, eN, eW, eN0);
  memory.copy(out, SB, pairBytes());
}

/** out = a²·R^-1 (pairs; out may alias a). */
export function monSqr(out: usize, a: usize): void {
  memory.copy(SA, a, pairBytes());
  toRev2(SAR, SA);
  montSqr(SB, SBR, SA, SAR, SM, SNR, eN, eW, eN0);
  memory.copy(out, SB, pairBytes());
}

/** out = x·R mod N (into the Montgomery domain; x < 4N). */
export function monTo(out: usize, x: usize): void {
  monMul(out, x, RR);
}

/** out = x·R^-1 mod N, canonical (out of the Montgomery domain). */
export function monFrom(out: usize, x: usize): void {
  pairZero(PT);
  pset(PT, 0, 0, 1);
  pset(PT, 0, 1, 1);
  monMul(out, x, PT);
  pairCanon(out);
}

// ---------------------------------------------------------------------------------------
// Context

/** -x^-1 mod 2^32 for odd x (Newton iteration). */
function negInv32(x: u32): u32 {
  let y: u32 = x; // correct to 3 bits
  for (let i = 0; i < 5; i++) y *= 2 - x * y;
  return 0 - y;
}

/**
 * Sets up the engine for modulus `modP` in lane p and `modQ` in lane q (plain, `limbs` u32
 * limbs each, odd, > 1; may be the same pointer). Constant time in the moduli except for
 * their bit lengths, which decide n.
 */
export function monSetup(modP: usize, modQ: usize, limbs: i32, pub: bool = false): void {
  const bp = bitLengthVT(modP, limbs), bq = bitLengthVT(modQ, limbs);
  setupBase(modP, modQ, limbs, bp > bq ? bp : bq);
  const tb = <i32>eW * eN;
  if (pub) {
    // public moduli: R mod N and R² mod N by long division (variable time)
    powModVT(ONE, 0, tb, modP, limbs);
    powModVT(ONE, 1, tb, modQ, limbs);
    powModVT(RR, 0, 2 * tb, modP, limbs);
    powModVT(RR, 1, 2 * tb, modQ, limbs);
    return;
  }
  // ONE = R mod N: start from 2^(b-1) < N and double (constant time).
  pairZero(ONE);
  pairDoubleFrom(ONE, 0, bp, tb);
  pairDoubleFrom(ONE, 1, bq, tb);
  // PU = 2R mod N, the Montgomery form of 2; RR = (2)^(w·n) in the Montgomery domain = R² mod N.
  pairCopy(PU, ONE);
  pairAddMod(PU, PU, ONE);
  monPowPublicInternal(RR, PU, <u32>tb);
}

/**
 * monSetup for moduli whose constants were computed before: `one`, `rr` and `rr3` hold the
 * ONE, RR and RR3 pairs (pairBytes() each) of an earlier setup of the same moduli (after
 * monEnsureRR3), saved by the caller (the RSA key cache). Skips their computation.
 */
export function monSetupWith(modP: usize, modQ: usize, limbs: i32, one: usize, rr: usize, rr3: usize): void {
  const bp = bitLengthVT(modP, limbs), bq = bitLengthVT(modQ, limbs);
  setupBase(modP, modQ, limbs, bp > bq ? bp : bq);
  pairCopy(ONE, one);
  pairCopy(RR, rr);
  pairCopy(RR3, rr3);
  rr3Ok = true;
}

/** Makes RR3 = R³ mod N (lazy) if it is not there yet. */
export function monEnsureRR3(): void {
  if (rr3Ok) return;
  monMul(RR3, RR, RR);
  rr3Ok = true;
}

/** Context of the moduli without ONE and RR: n, w, the padding, MOD, N in BNT and SNR, n0'. */
function setupBase(modP: usize, modQ: usize, limbs: i32, bits: i32): void {
  let n = (bits + 4 + 27) / 28;
  let w: u32 = 28;
  if (n >= 128) {
    w = 26;
    n = (bits + 4 + 25) / 26;
  }
  assert(n <= MAXN, 'bn: modulus too large');
  eN = n;
  eW = w;
  eMask = (1 << w) - 1;
  rr3Ok = false;
  if (n > dirtyN) dirtyN = n;
  // the padding after n must be zero; it may hold data of a longer earlier context
  memory.fill(AM0 + <usize>n * EL, 0, <usize>(2 * PAD) * EL);
  memory.fill(BNT + <usize>n * EL, 0, <usize>(2 * PAD) * EL);
  const pp = <usize>(2 * PAD) << 3;
  memory.fill(SA + (<usize>n << 3), 0, pp);
  memory.fill(SAR + (<usize>n << 3), 0, pp);
  memory.fill(SB + (<usize>n << 3), 0, pp);
  memory.fill(SBR + (<usize>n << 3), 0, pp);
  memory.fill(SM + (<usize>n << 3), 0, pp);
  memory.fill(SNR + (<usize>n << 3), 0, pp);
  pairFromPlain(MOD, 0, modP, limbs);
  pairFromPlain(MOD, 1, modQ, limbs);
  // N into the N-slots of the multiplication's second operand, and reversed for squaring
  for (let i = 0; i < n; i++) store<u64>(BNT + <usize>i * EL + 8, load<u64>(MOD + (<usize>i << 3)));
  toRev(SNR, MOD);
  const n0p = negInv32(limb(modP, 0)) & eMask, n0q = negInv32(limb(modQ, 0)) & eMask;
  eN0 = i32x4(<i32>n0p, <i32>n0q, 0, 0);
}

const wideBuf = new StaticArray<u32>(2 * MAX_LIMBS + 8);
const WIDE: usize = changetype<usize>(wideBuf);

/** Lane `lane` of x = 2^e mod m (m public, `limbs` limbs), by long division. */
function powModVT(x: usize, lane: i32, e: i32, m: usize, limbs: i32): void {
  const an = e / 32 + 1;
  zero(WIDE, an);
  setLimb(WIDE, e / 32, 1 << <u32>(e % 32));
  const mn = limbLen(m, limbs);
  modVT(WIDE, WIDE, an, m, mn);
  zero(WIDE + (<usize>mn << 2), an - mn);
  pairFromPlain(x, lane, WIDE, an);
  zero(WIDE, an);
}

function limbLen(m: usize, limbs: i32): i32 {
  let i = limbs;
  while (i > 1 && limb(m, i - 1) == 0) i--;
  return i;
}

/**
 * out = x·R mod N per lane (the Montgomery form of x, lazy: < 4N) for a plain x of xLimbs
 * limbs below 2^(2·w·n) (e.g. an RSA input reduced modulo the CRT primes): with x = lo +
 * hi·R, x·R = lo·R + hi·R², i.e. lo·RR·R^-1 + hi·RR3·R^-1. Constant time.
 */
export function monReduceWideMont(out: usize, x: usize, xLimbs: i32): void {
  monEnsureRR3();
  const t = <i32>eW * eN;
  // low t bits -> PT, high part -> PU (both lanes)
  pairFromPlain(PT, 0, x, xLimbs);
  pairFromPlain(PT, 1, x, xLimbs);
  const ls = t >> 5, bs = <u32>(t & 31);
  const hn = xLimbs - ls > 0 ? xLimbs - ls : 1;
  for (let i = 0; i < hn; i++) {
    const a: u32 = i + ls < xLimbs ? limb(x, i + ls) : 0;
    const b: u32 = i + ls + 1 < xLimbs ? limb(x, i + ls + 1) : 0;
    setLimb(WIDE, i, bs ? (a >> bs) | (b << (32 - bs)) : a);
  }
  pairFromPlain(PU, 0, WIDE, hn);
  pairFromPlain(PU, 1, WIDE, hn);
  zero(WIDE, hn);
  monMul(PT, PT, RR); // lo·R, < 3N (lo < R)
  pairCanon(PT); // < 2N
  monMul(PU, PU, RR3); // hi·R², < 3N
  pairCanon(PU); // < 2N
  pairAddRaw(out, PT, PU); // < 4N
}

/** out = x mod N per lane (canonical, plain domain) for x as in monReduceWideMont. */
export function monReduceWide(out: usize, x: usize, xLimbs: i32): void {
  monReduceWideMont(out, x, xLimbs);
  monFrom(out, out);
}

/** Lane `lane` of x = 2^t mod N_lane, where N_lane has b bits (constant time in N). */
function pairDoubleFrom(x: usize, lane: i32, b: i32, t: i32): void {
  // 2^(b-1) < N
  const top = b - 1;
  for (let i = 0; i < eN; i++) pset(x, i, lane, 0);
  pset(x, top / <i32>eW, lane, 1 << <u32>(top % <i32>eW));
  const w = eW, mask = eMask;
  for (let s = top; s < t; s++) {
    // x = 2x; then subtract N if x >= N
    let c: u32 = 0;
    for (let i = 0; i < eN; i++) {
      const v = (pget(x, i, lane) << 1) | c;
      pset(x, i, lane, v & mask);
      c = v >> w;
    }
    let d: i64 = 0;
    for (let i = 0; i < eN; i++) {
      d += <i64>pget(x, i, lane) - <i64>pget(MOD, i, lane);
      d >>= <i64>w;
    }
    const m = ~<u32>d; // x >= N
    d = 0;
    for (let i = 0; i < eN; i++) {
      d += <i64>pget(x, i, lane) - <i64>(pget(MOD, i, lane) & m);
      pset(x, i, lane, <u32>d & mask);
      d >>= <i64>w;
    }
  }
}

/** out = base^e in the Montgomery domain (base Montgomery, e a public word; both lanes). */
function monPowPublicInternal(out: usize, base: usize, e: u32): void {
  const top = 31 - <i32>clz(e);
  toBN(BNT, base);
  memory.copy(SA, base, pairBytes());
  toRev2(SAR, SA);
  let cur = SA, curR = SAR, nxt = SB, nxtR = SBR;
  for (let i = top - 1; i >= 0; i--) {
    montSqr(nxt, nxtR, cur, curR, SM, SNR, eN, eW, eN0);
    let t = cur; cur = nxt; nxt = t;
    t = curR; curR = nxtR; nxtR = t;
    if ((e >> <u32>i) & 1) {
      toAM(AM0, cur);
      montMul(nxt, nxtR, AM0, BNT, eN, eW, eN0);
      t = cur; cur = nxt; nxt = t;
      t = curR; curR = nxtR; nxtR = t;
    }
  }
  memory.copy(out, cur, pairBytes());
}

/** Zeroes every engine buffer touched since the last wipe. */
export function monWipe(): void {
  const n = dirtyN;
  if (n == 0) return;
  const eb = <usize>(n + 2 * PAD) * EL;
  memory.fill(changetype<usize>(bufAM0), 0, eb);
  memory.fill(changetype<usize>(bufBNT), 0, eb);
  const sb = <usize>(n + 2 * PAD) << 3;
  memory.fill(changetype<usize>(bufSA), 0, sb);
  memory.fill(changetype<usize>(bufSAR), 0, sb);
  memory.fill(changetype<usize>(bufSB), 0, sb);
  memory.fill(changetype<usize>(bufSBR), 0, sb);
  memory.fill(changetype<usize>(bufSM), 0, sb);
  memory.fill(changetype<usize>(bufSNR), 0, sb);
  const pb = <usize>n << 3;
  memory.fill(TBL, 0, <usize>TBL_ENTRIES * (<usize>((n + 1) & ~1) << 3));
  memory.fill(RR, 0, pb);
  memory.fill(RR3, 0, pb);
  rr3Ok = false;
  memory.fill(ONE, 0, pb);
  memory.fill(MOD, 0, pb);
  memory.fill(PT, 0, pb);
  memory.fill(PU, 0, pb);
  eN0 = i64x2.splat(0);
  dirtyN = 0;
}

// ---------------------------------------------------------------------------------------
// Exponentiation

/** w bits of the plain number e (limbs) at bit position pos (bits beyond the end are 0). */
// @ts-ignore: decorator
@inline function bitsAt(e: usize, limbs: i32, pos: i32, width: i32): u32 {
  const li = pos >> 5, sh = <u32>(pos & 31);
  let v: u64 = li < limbs ? <u64>limb(e, li) : 0;
  if (li + 1 < limbs) v |= <u64>limb(e, li + 1) << 32;
  return <u32>(v >> sh) & ((1 << <u32>width) - 1);
}

/** Bytes between table entries: the current pairs rounded up to whole 16-byte chunks. */
// @ts-ignore: decorator
@inline function tblStride(): usize {
  return <usize>((eN + 1) & ~1) << 3;
}

/** Table entry i. */
// @ts-ignore: decorator
@inline function tblEntry(i: i32): usize {
  return TBL + <usize>i * tblStride();
}

/**
 * Writes table entry (dp for lane p, dq for lane q) into the b-slots of bn, constant time:
 * every entry is read and masked (the mask of an entry is a vector compare of its index).
 * Eight accumulators per pass are faster in Chromium (V8 keeps them in registers there).
 */
function lookup(bn: usize, entries: i32, dp: u32, dq: u32): void {
  const want = i32x4(<i32>dp, <i32>dq, <i32>dp, <i32>dq);
  const one = i32x4.splat(1);
  const chunks = (eN + 1) >> 1; // 16-byte chunks of two limbs
  const stride = tblStride();
  let c = 0;
  // eight chunks per pass over the entries while all eight are needed
  for (; c + 8 <= chunks; c += 8) {
    let a0 = i64x2.splat(0), a1 = i64x2.splat(0), a2 = i64x2.splat(0), a3 = i64x2.splat(0);
    let a4 = i64x2.splat(0), a5 = i64x2.splat(0), a6 = i64x2.splat(0), a7 = i64x2.splat(0);
    let p = TBL + (<usize>c << 4);
    let ev = i32x4.splat(0);
    for (let e = 0; e < entries; e++) {
      const mk = i32x4.eq(want, ev);
      a0 = v128.or(a0, v128.and(v128.load(p), mk));
      a1 = v128.or(a1, v128.and(v128.load(p, 16), mk));
      a2 = v128.or(a2, v128.and(v128.load(p, 32), mk));
      a3 = v128.or(a3, v128.and(v128.load(p, 48), mk));
      a4 = v128.or(a4, v128.and(v128.load(p, 64), mk));
      a5 = v128.or(a5, v128.and(v128.load(p, 80), mk));
      a6 = v128.or(a6, v128.and(v128.load(p, 96), mk));
      a7 = v128.or(a7, v128.and(v128.load(p, 112), mk));
      ev = i32x4.add(ev, one);
      p += stride;
    }
    const d = bn + <usize>(c << 1) * EL;
    v128.store64_lane(d, a0, 0);
    v128.store64_lane(d + EL, a0, 1);
    v128.store64_lane(d + 2 * EL, a1, 0);
    v128.store64_lane(d + 3 * EL, a1, 1);
    v128.store64_lane(d + 4 * EL, a2, 0);
    v128.store64_lane(d + 5 * EL, a2, 1);
    v128.store64_lane(d + 6 * EL, a3, 0);
    v128.store64_lane(d + 7 * EL, a3, 1);
    v128.store64_lane(d + 8 * EL, a4, 0);
    v128.store64_lane(d + 9 * EL, a4, 1);
    v128.store64_lane(d + 10 * EL, a5, 0);
    v128.store64_lane(d + 11 * EL, a5, 1);
    v128.store64_lane(d + 12 * EL, a6, 0);
    v128.store64_lane(d + 13 * EL, a6, 1);
    v128.store64_lane(d + 14 * EL, a7, 0);
    if ((c << 1) + 15 < eN) v128.store64_lane(d + 15 * EL, a7, 1);
  }
  // then four chunks per pass; the table has room for whole groups of four chunks (MAXN is a
  // multiple of 8), and only the limbs below n are written
  for (; c < chunks; c += 4) {
    let a0 = i64x2.splat(0), a1 = i64x2.splat(0), a2 = i64x2.splat(0), a3 = i64x2.splat(0);
    let p = TBL + (<usize>c << 4);
    let ev = i32x4.splat(0);
    for (let e = 0; e < entries; e++) {
      const mk = i32x4.eq(want, ev);
      a0 = v128.or(a0, v128.and(v128.load(p), mk));
      a1 = v128.or(a1, v128.and(v128.load(p, 16), mk));
      a2 = v128.or(a2, v128.and(v128.load(p, 32), mk));
      a3 = v128.or(a3, v128.and(v128.load(p, 48), mk));
      ev = i32x4.add(ev, one);
      p += stride;
    }
    const d = bn + <usize>(c << 1) * EL;
    const lim = eN - (c << 1); // limbs left from this group
    v128.store64_lane(d, a0, 0);
    if (lim > 1) v128.store64_lane(d + EL, a0, 1);
    if (lim > 2) v128.store64_lane(d + 2 * EL, a1, 0);
    if (lim > 3) v128.store64_lane(d + 3 * EL, a1, 1);
    if (lim > 4) v128.store64_lane(d + 4 * EL, a2, 0);
    if (lim > 5) v128.store64_lane(d + 5 * EL, a2, 1);
    if (lim > 6) v128.store64_lane(d + 6 * EL, a3, 0);
    if (lim > 7) v128.store64_lane(d + 7 * EL, a3, 1);
  }
}

/** The exponentiation state: the current value as forward and reversed pairs. */
let stCur: usize = 0;
let stCurR: usize = 0;
let stNxt: usize = 0;
let stNxtR: usize = 0;

/** Starts the state with the pairs at x (in SA/SAR). */
function stStart(x: usize): void {
  memory.copy(SA, x, pairBytes());
  toRev2(SAR, SA);
  stCur = SA;
  stCurR = SAR;
  stNxt = SB;
  stNxtR = SBR;
}

// @ts-ignore: decorator
@inline function stSwap(): void {
  let t = stCur;
  stCur = stNxt;
  stNxt = t;
  t = stCurR;
  stCurR = stNxtR;
  stNxtR = t;
}

/** state = state² R^-1. */
// @ts-ignore: decorator
@inline function stSqr(): void {
  montSqr(stNxt, stNxtR, stCur, stCurR, SM, SNR, eN, eW, eN0);
  stSwap();
}

/** state = state · (b-slots of BNT) · R^-1. */
// @ts-ignore: decorator
@inline function stMulBNT(): void {
  toAM(AM0, stCur);
  montMul(stNxt, stNxtR, AM0, BNT, eN, eW, eN0);
  stSwap();
}

/**
 * res = base^e mod N per lane, canonical. `base` is plain-domain pairs (< 4N), or with
 * baseMont its Montgomery form (< 2N); the exponents are plain numbers (`expLimbs` limbs
 * each) read over `expBits` bits (public). Constant time: fixed window, every table entry
 * read for every lookup.
 */
export function monExp(res: usize, base: usize, expP: usize, expQ: usize, expLimbs: i32, expBits: i32, baseMont: bool = false): void {
  let win = WIN_MAX;
  if (expBits < 256) win = 4;
  if (expBits < 64) win = 3;
  if (expBits < 16) win = 2;
  const entries = 1 << win;
  const pb = pairBytes();
  // table: T[0] = R mod N, T[1] = base·R, T[2i] = T[i]² (a squaring is cheaper than a
  // multiplication), T[2i+1] = T[2i]·T[1]
  const t1 = tblEntry(1);
  memory.copy(TBL, ONE, pb);
  if (baseMont) memory.copy(t1, base, pb);
  else monMul(t1, base, RR);
  toBN(BNT, t1);
  for (let i = 2; i < entries; i++) {
    if (i & 1) {
      toAM(AM0, tblEntry(i - 1));
      montMul(SB, SBR, AM0, BNT, eN, eW, eN0);
    } else {
      memory.copy(SA, tblEntry(i >> 1), pb);
      toRev2(SAR, SA);
      montSqr(SB, SBR, SA, SAR, SM, SNR, eN, eW, eN0);
    }
    memory.copy(tblEntry(i), SB, pb);
  }
  if (expBits <= 0) {
    pairCopy(res, ONE);
    monFrom(res, res);
    return;
  }
  const windows = (expBits + win - 1) / win;
  let pos = (windows - 1) * win;
  lookup(BNT, entries, bitsAt(expP, expLimbs, pos, win), bitsAt(expQ, expLimbs, pos, win));
  for (let i = 0; i < eN; i++) store<u64>(PT + (<usize>i << 3), load<u64>(BNT + <usize>i * EL));
  stStart(PT);
  for (let wdx = windows - 2; wdx >= 0; wdx--) {
    for (let s = 0; s < win; s++) stSqr();
    pos = wdx * win;
    lookup(BNT, entries, bitsAt(expP, expLimbs, pos, win), bitsAt(expQ, expLimbs, pos, win));
    stMulBNT();
  }
  memory.copy(res, stCur, pb);
  monFrom(res, res);
}

/**
 * res = base^e mod N with the same public exponent in both lanes (e.g. the RSA public
 * exponent): left-to-right binary, variable time in e only. base is plain-domain (< 4N), or
 * with baseMont its Montgomery form (< 4N); res is canonical.
 */
export function monExpPublic(res: usize, base: usize, e: usize, eLimbs: i32, baseMont: bool = false): void {
  const bits = bitLengthVT(e, eLimbs);
  if (bits == 0) {
    pairCopy(res, ONE);
    monFrom(res, res);
    return;
  }
  if (baseMont) pairCopy(PT, base);
  else monMul(PT, base, RR);
  toBN(BNT, PT);
  stStart(PT);
  for (let i = bits - 2; i >= 0; i--) {
    stSqr();
    if ((limb(e, i >> 5) >> <u32>(i & 31)) & 1) stMulBNT();
  }
  memory.copy(res, stCur, pairBytes());
  monFrom(res, res);
}

/**
 * res = 2^e mod N per lane in the Montgomery domain (lazy, < 2N), with per-lane exponents
 * read over expBits bits: square, then double where the lane's bit is set (the doubling is
 * computed for both lanes and kept by mask, so it is constant time). For Miller–Rabin base 2.
 */
export function monPow2(res: usize, expP: usize, expQ: usize, expLimbs: i32, expBits: i32): void {
  stStart(ONE);
  const maskV = i64x2.splat(<i64>eMask);
  const w = eW;
  for (let i = expBits - 1; i >= 0; i--) {
    stSqr();
    const bp = (limb(expP, i >> 5) >> <u32>(i & 31)) & 1;
    const bq = (limb(expQ, i >> 5) >> <u32>(i & 31)) & 1;
    const lm = i64x2(-<i64>bp, -<i64>bq);
    // x + (x & lm) + carry, digit by digit; x < 2N so 2x < 4N < R needs no reduction
    let c = i64x2.splat(0);
    const cur = stCur, curR = stCurR, last = <usize>(eN - 1) << 3;
    for (let k = 0; k < eN; k++) {
      const pa = cur + (<usize>k << 3);
      const x = v128.load32x2_u(pa);
      const v = i64x2.add(i64x2.add(x, v128.and(x, lm)), c);
      const d = i32x4.shuffle(v128.and(v, maskV), v, 0, 2, 0, 2);
      v128.store64_lane(pa, d, 0);
      v128.store64_lane(curR + last - (<usize>k << 3), i32x4.shl(d, 1), 0);
      c = i64x2.shr_u(v, w);
    }
  }
  memory.copy(res, stCur, pairBytes());
}
