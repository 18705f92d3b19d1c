// Scalar multiplication.
//
// * mulBase (secret k, constant time): fixed-window comb over a table of the multiples
//   j 2^(6i) G, j = 1..32, i = 0..W-1 (W = ceil((qlen + 1)/6)), in affine coordinates. k is
//   recoded into W signed digits in [-31, 32]; each window costs one constant-time table scan
//   (every entry is read), a conditional negation and one complete mixed addition (RCB), whose
//   result is discarded by a mask when the digit is 0. No doublings are needed.
//   The table is public and is computed once per curve on first use (in node: 1.8 / 4.9 /
//   10 ms and 88 / 200 / 379 KB for P-256 / P-384 / P-521); it is never freed.
// * mulDoubleVar (public u1, u2, Q; variable time): u1 G through the same table, skipping
//   zero digits, plus u2 Q by width-5 wNAF with Jacobian doublings (Hankerson, Menezes,
//   Vanstone, Guide to ECC, Alg. 3.36), then one Jacobian addition.

import { SLOT, SLOT_BYTES, FN, QBITS, cid, gGX, gGY, MAX_LIMBS } from './curve';
import { fmul, fsub, fcopy, F_ZERO, finv } from './field';
import {
  POINT, POINT_BYTES, PX, PY, PZ, setAffine, setIdentity, copyPoint, rcbAdd, rcbAddMixed, rcbDouble,
  jDouble, jAdd, jAddMixed, negPoint,
} from './point';
import { cmov, maskOf } from './limbs';

const WBITS = 6;
const TEETH: i32 = 32; // 2^(WBITS-1) entries per window
const tables = memory.data(4 * sizeof<usize>());

/** Number of comb windows for the current curve. */
// @ts-ignore: decorator
@inline function windows(): i32 {
  return (QBITS + 1 + WBITS - 1) / WBITS;
}

/** Builds the current curve's comb table (public data; variable time is fine). */
function buildTable(): usize {
  const W = windows();
  const E = <usize>FN << 3; // affine entry: x then y, FN limbs each
  const tbl = heap.alloc(<usize>W * <usize>TEETH * E);
  const proj = heap.alloc(<usize>TEETH * POINT);
  const pre = heap.alloc(<usize>TEETH * SLOT);
  const base = heap.alloc(POINT + 2 * SLOT);
  const inv = base + POINT, zi = inv + SLOT;
  setAffine(base, gGX, gGY);
  for (let i = 0; i < W; i++) {
    copyPoint(proj, base);
    for (let j = 1; j < TEETH; j++) rcbAdd(proj + <usize>j * POINT, proj + <usize>(j - 1) * POINT, base);
    rcbDouble(base, proj + <usize>(TEETH - 1) * POINT); // 64 (2^(6i) G) = 2^(6(i+1)) G
    // Batch inversion of the Z coordinates (Montgomery's trick); no Z is 0 since n is a
    // large prime and the multiples j 2^(6i) have only small prime factors.
    fcopy(pre, PZ(proj));
    for (let j = 1; j < TEETH; j++) fmul(pre + <usize>j * SLOT, pre + <usize>(j - 1) * SLOT, PZ(proj + <usize>j * POINT));
    finv(inv, pre + <usize>(TEETH - 1) * SLOT);
    for (let j = TEETH - 1; j >= 0; j--) {
      const p = proj + <usize>j * POINT;
      if (j > 0) {
        fmul(zi, inv, pre + <usize>(j - 1) * SLOT);
        fmul(inv, inv, PZ(p));
      } else fcopy(zi, inv);
      const e = tbl + (<usize>i * TEETH + <usize>j) * E;
      fmul(e, PX(p), zi);
      fmul(e + (<usize>FN << 2), PY(p), zi);
    }
  }
  heap.free(proj);
  heap.free(pre);
  heap.free(base);
  return tbl;
}

/** The current curve's comb table (built on first use). */
function table(): usize {
  const slot = tables + <usize>cid * sizeof<usize>();
  let t = load<usize>(slot);
  if (t == 0) {
    t = buildTable();
    store<usize>(slot, t);
  }
  return t;
}

/** Forces the comb table of the current curve to exist (for benchmarks / warm-up). */
export function prepareBase(): void {
  table();
}

// Scratch: the zero-padded scalar, its digits, the selected entry, the accumulator.
const kbuf = memory.data(4 * (MAX_LIMBS + 3));
const digits = memory.data(4 * 96);
const sel = memory.data(3 * SLOT_BYTES);
const acc = memory.data(POINT_BYTES);
const tmpP = memory.data(POINT_BYTES);

/** Signed radix-2^6 digits of k (< 2^qlen), constant time: k = sum d_i 2^(6i), d_i in [-31, 32]. */
function recode(k: usize): void {
  memory.fill(kbuf, 0, 4 * (MAX_LIMBS + 3));
  memory.copy(kbuf, k, <usize>FN << 2);
  const W = windows();
  let carry: i32 = 0;
  for (let i = 0; i < W; i++) {
    const pos = i * WBITS;
    const w = <usize>(pos >> 5) << 2;
    const v64 = (<u64>load<u32>(kbuf + w) | (<u64>load<u32>(kbuf + w + 4) << 32)) >> (pos & 31);
    const v = <i32>(v64 & 63) + carry;
    carry = (v + 31) >> WBITS;
    store<i32>(digits + (<usize>i << 2), v - (carry << WBITS));
  }
}

/** All-ones (u64) iff a == j + 1, without branches (a, j small and non-negative). */
// @ts-ignore: decorator
@inline function hitMask(a: i32, j: i32): u64 {
  const diff: u32 = <u32>(a ^ (j + 1)); // 0 iff a == j + 1
  const hit: u32 = (diff - 1) >> 31; // 1 iff diff == 0 (diff < 2^31)
  return 0 - <u64>hit;
}

/** The P-256 table scan with the 64-byte entry held in locals (same access pattern). */
function select8(win: usize, a: i32): void {
  let x0: u64 = 0, x1: u64 = 0, x2: u64 = 0, x3: u64 = 0, x4: u64 = 0, x5: u64 = 0, x6: u64 = 0, x7: u64 = 0;
  for (let j = 0; j < TEETH; j++) {
    const m = hitMask(a, j);
    const e = win + (<usize>j << 6);
    x0 |= load<u64>(e, 0) & m;
    x1 |= load<u64>(e, 8) & m;
    x2 |= load<u64>(e, 16) & m;
    x3 |= load<u64>(e, 24) & m;
    x4 |= load<u64>(e, 32) & m;
    x5 |= load<u64>(e, 40) & m;
    x6 |= load<u64>(e, 48) & m;
    x7 |= load<u64>(e, 56) & m;
  }
  store<u64>(sel, x0, 0);
  store<u64>(sel, x1, 8);
  store<u64>(sel, x2, 16);
  store<u64>(sel, x3, 24);
  store<u64>(sel, x4, 32);
  store<u64>(sel, x5, 40);
  store<u64>(sel, x6, 48);
  store<u64>(sel, x7, 56);
}

/**
 * o = k G (projective) for a secret scalar 0 <= k < n, constant time. Wipes its scratch
 * (digits, selected points); `o` holds the (secret-dependent) result.
 */
export function mulBase(o: usize, k: usize): void {
  const tbl = table();
  const W = windows();
  const n = FN;
  const E = <usize>n << 3;
  const words = n; // u64 words per entry
  const sy = sel + (<usize>n << 2);
  const ny = sel + 2 * SLOT;
  recode(k);
  setIdentity(acc);
  for (let i = 0; i < W; i++) {
    const d = load<i32>(digits + (<usize>i << 2));
    const sgn = d >> 31;
    const a = (d ^ sgn) - sgn; // |d| in [0, 32]
    // Constant-time scan of the whole window.
    const win = tbl + <usize>i * TEETH * E;
    if (n == 8) select8(win, a);
    else {
      memory.fill(sel, 0, E);
      for (let j = 0; j < TEETH; j++) {
        const m = hitMask(a, j);
        const e = win + <usize>j * E;
        for (let w = 0; w < words; w++) {
          const off = <usize>w << 3;
          store<u64>(sel + off, load<u64>(sel + off) | (load<u64>(e + off) & m));
        }
      }
    }
    fsub(ny, F_ZERO, sy);
    cmov(sy, ny, n, <u32>sgn);
    rcbAddMixed(tmpP, acc, sel, sy);
    const az: u32 = (<u32>a - 1) >> 31; // 1 iff a == 0
    const take = maskOf(az ^ 1);
    cmov(PX(acc), PX(tmpP), n, take);
    cmov(PY(acc), PY(tmpP), n, take);
    cmov(PZ(acc), PZ(tmpP), n, take);
  }
  copyPoint(o, acc);
  memory.fill(acc, 0, POINT);
  memory.fill(tmpP, 0, POINT);
  memory.fill(sel, 0, 3 * SLOT);
  memory.fill(digits, 0, 4 * 96);
  memory.fill(kbuf, 0, 4 * (MAX_LIMBS + 3));
}

// ---------------------------------------------------------------------------------------
// Verification: variable time.

const naf = memory.data(540);
const qtab = memory.data(8 * POINT_BYTES);
const acc1 = memory.data(POINT_BYTES);
const acc2 = memory.data(POINT_BYTES);
const two = memory.data(POINT_BYTES);
const negY = memory.data(SLOT_BYTES);

/** Width-5 NAF of k into `naf` (one i8 per bit); returns the number of digits. */
function wnaf5(k: usize): i32 {
  memory.fill(kbuf, 0, 4 * (MAX_LIMBS + 3));
  memory.copy(kbuf, k, <usize>FN << 2);
  const len = QBITS + 1;
  memory.fill(naf, 0, len + 8);
  let carry: u32 = 0;
  let bit = 0;
  while (bit < len) {
    const w = <usize>(bit >> 5) << 2;
    const win = <u32>(((<u64>load<u32>(kbuf + w) | (<u64>load<u32>(kbuf + w + 4) << 32)) >> (bit & 31)) & 31);
    if ((win & 1) == carry) {
      bit++;
      continue;
    }
    let d = <i32>(win + carry); // odd
    if (d & 16) {
      d -= 32;
      carry = 1;
    } else carry = 0;
    store<i8>(naf + <usize>bit, <i8>d);
    bit += 5;
  }
  return len;
}

/**
 * o = u1 G + u2 Q (Jacobian) for public scalars u1, u2 < n and an affine point Q on the
 * curve. Variable time.
 */
export function mulDoubleVar(o: usize, u1: usize, u2: usize, qx: usize, qy: usize): void {
  const tbl = table();
  const n = FN;
  const E = <usize>n << 3;
  // u1 G: one mixed addition per nonzero comb digit.
  recode(u1);
  setIdentity(acc1);
  const W = windows();
  for (let i = 0; i < W; i++) {
    const d = load<i32>(digits + (<usize>i << 2));
    if (d == 0) continue;
    const a = d < 0 ? -d : d;
    const e = tbl + (<usize>i * TEETH + <usize>(a - 1)) * E;
    const ey = e + (<usize>n << 2);
    if (d < 0) {
      fsub(negY, F_ZERO, ey);
      jAddMixed(acc1, acc1, e, negY);
    } else jAddMixed(acc1, acc1, e, ey);
  }
  // u2 Q: odd multiples Q, 3Q, ..., 15Q, then wNAF.
  setAffine(qtab, qx, qy);
  jDouble(two, qtab);
  for (let i = 1; i < 8; i++) jAdd(qtab + <usize>i * POINT, qtab + <usize>(i - 1) * POINT, two);
  const len = wnaf5(u2);
  setIdentity(acc2);
  let started = false;
  for (let i = len - 1; i >= 0; i--) {
    if (started) jDouble(acc2, acc2);
    const d = <i32>load<i8>(naf + <usize>i);
    if (d == 0) continue;
    const q = qtab + <usize>(((d < 0 ? -d : d) - 1) >> 1) * POINT;
    if (d < 0) {
      negPoint(tmpP, q);
      jAdd(acc2, acc2, tmpP);
    } else jAdd(acc2, acc2, q);
    started = true;
  }
  jAdd(o, acc1, acc2);
}

/** Converts the projective point p to affine (x, y) (constant time); false for the identity. */
export function toAffine(x: usize, y: usize, p: usize): bool {
  const zi = tmpP;
  finv(zi, PZ(p));
  fmul(x, PX(p), zi);
  fmul(y, PY(p), zi);
  let z: u32 = 0;
  for (let i = 0; i < FN; i++) z |= load<u32>(PZ(p) + (<usize>i << 2));
  memory.fill(zi, 0, SLOT);
  return z != 0;
}
