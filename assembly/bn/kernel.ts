// SIMD Montgomery multiplication and squaring kernels of the two-lane engine (mont.ts): the
// multiplication and the shared helpers here, the squaring in sqr.ts.
//
// Two independent moduli ("lanes" p and q, e.g. the two CRT primes of an RSA key) are
// processed together in the two 64-bit lanes of a v128: one i64x2.extmul_low_i32x4_u
// multiplies a limb of lane p and a limb of lane q at once. Limbs are w = 28 (or 26) bits, so
// a column of the product can be summed in a 64-bit accumulator without carries ("lazy"
// limbs); the column sum is split into a digit and a carry once per column.
//
// Algorithm: Montgomery multiplication in product-scanning form (FIPS, "finely integrated
// product scanning", Koç, Acar, Kaliski 1996, §5) with R = 2^(w·n). For column k:
//   S_k = carry + Σ_i a_i·b_(k-i) + Σ_(i<k) m_i·N_(k-i);   m_k = (S_k · n0') mod 2^w (k < n);
//   digit_(k-n) = (S_k + m_k·N_0) mod 2^w (k ≥ n);  carry = S_k >> w.
// The result is a·b·R^-1 mod N, not fully reduced: inputs < 4N give an output < 2N when
// R ≥ 16N (see mont.ts), so no final subtraction is needed between operations.
//
// Memory layout. A "pair" is 8 bytes per limb index: u32 lane p, u32 lane q. Results are
// written as pairs twice: forward (limb i at 8i) and reversed and doubled (2·limb i at
// 8(n-1-i); 2·limb < 2^(w+1)), the form in which the squaring reads its operand again.
// * Multiplication reads "element" buffers of 16 bytes per limb index:
//     AM buffer: u32 a.p, u32 a.q, u32 m.p, u32 m.q   (first operand; m = Montgomery quotients)
//     BN buffer: u32 b.p, u32 b.q, u32 N.p, u32 N.q   (second operand and the modulus)
//   so one 16-byte load feeds both the a·b (low half) and the m·N (high half) products.
// * Squaring reads the operand as forward pairs and as reversed doubled pairs, its quotients
//   m as forward pairs and the modulus as reversed pairs: one 16-byte load of each covers
//   two limbs, (a_i, a_(i+1)) · (2a_(k-i), 2a_(k-i-1)), so each cross product a_i·a_j
//   (i < j) is summed once, already doubled, at the rate of the multiplication's steps.
// Every buffer has at least PAD zero limbs (pairs or elements) on both sides.
//
// Bounds: a column sums at most 2n products below 2^(2w) (the doubled cross products count
// twice), plus the carry: below 2^64 for n < 128 at w = 28 and n <= 320 at w = 26.
//
// Timing: the loops depend only on n; the data never selects a branch or an address.

/** Element size in bytes. */
export const EL: usize = 16;

// @ts-ignore: decorator
@inline export function pack(v: v128): v128 {
  // low 32 bits of each 64-bit lane -> i32 lanes 0, 1 (and copies in 2, 3)
  return i32x4.shuffle(v, v, 0, 2, 0, 2);
}

// @ts-ignore: decorator
@inline export function stepAll(x: v128, y: v128): v128 {
  return i64x2.add(i64x2.extmul_low_i32x4_u(x, y), i64x2.extmul_high_i32x4_u(x, y));
}

/** Sum of the steps i in [lo, hi] of column k (padded to an even count). */
// @ts-ignore: decorator
@inline function col1(am: usize, bn: usize, k: i32, lo: i32, hi: i32): v128 {
  let px = am + <usize>lo * EL, py = bn + <usize>(k - lo) * EL;
  let s0 = i64x2.splat(0), s1 = i64x2.splat(0);
  for (let c = (hi - lo + 2) >> 1; c > 0; c--) {
    s0 = i64x2.add(s0, stepAll(v128.load(px), v128.load(py)));
    s1 = i64x2.add(s1, stepAll(v128.load(px, 16), v128.load(py - 16)));
    px += 32; py -= 32;
  }
  return i64x2.add(s0, s1);
}

/**
 * out = a·b·R^-1 (mod N per lane). `am` holds a in its a-slots (its m-slots are scratch),
 * `bn` holds b and N. Writes the result as forward pairs to `out` and reversed doubled pairs
 * to `out2R`. `n` limbs of `w` bits; `n0v` = (n0'.p, n0'.q, 0, 0).
 * Columns are computed two at a time (k and k + 1 share every load of b: a_i·b_(k-i) and
 * a_(i+1)·b_(k-i)); the buffers need PAD zero elements on both sides (mont.ts). A new
 * quotient is written with its whole 16-byte element, so that the next columns' loads of
 * that element are forwarded from the store; in the first half the quotients of a pair are
 * made during the first iterations of the next pair's loop (as in montSqr).
 */
export function montMul(out: usize, out2R: usize, am: usize, bn: usize, n: i32, w: u32, n0v: v128): void {
  // specialised for each limb width (shift counts and masks become constants)
  if (w == 28) mulW(out, out2R, am, bn, n, 28, n0v);
  else mulW(out, out2R, am, bn, n, 26, n0v);
}

// @ts-ignore: decorator
@inline function mulW(out: usize, outR: usize, am: usize, bn: usize, n: i32, w: u32, n0v: v128): void {
  const maskV = i64x2.splat((<i64>1 << w) - 1);
  const n0w = i32x4.shuffle(n0v, n0v, 0, 0, 1, 1);
  const nvec = v128.load(bn);
  const nvec1 = v128.load(bn + EL);
  for (let i = 0; i < n; i++) v128.store64_lane(am + <usize>i * EL + 8, i64x2.splat(0), 0);
  let acc = i64x2.splat(0);
  let k = 0;
  // first half in pairs (k, k+1), k + 1 < n. The quotient chain of a pair (two dependent
  // steps) is finished during the first iterations of the next pair's loop, whose later
  // iterations read the two new quotients.
  let qa = i64x2.splat(0), qb = i64x2.splat(0); // sums of the pending pair kp
  let kp = -1;
  for (; k + 1 < n; k += 2) {
    let px = am, py = bn + <usize>k * EL;
    let x = v128.load(px);
    let sa = i64x2.splat(0), sb = i64x2.splat(0);
    if (kp >= 0 && k >= 6) {
      {
        const y = v128.load(py);
        const x1 = v128.load(px, 16);
        sa = i64x2.add(sa, stepAll(x, y));
        sb = i64x2.add(sb, stepAll(x1, y));
        x = x1;
        px += 16;
        py -= 16;
      }
      let s = i64x2.add(qa, acc);
      let mq = quot(s, n0w, maskV);
      v128.store(am + <usize>kp * EL, i64x2.shuffle(v128.load64_zero(am + <usize>kp * EL), mq, 0, 2));
      s = i64x2.add(s, i64x2.extmul_high_i32x4_u(mq, nvec));
      acc = i64x2.shr_u(s, w);
      {
        const y = v128.load(py);
        const x1 = v128.load(px, 16);
        sa = i64x2.add(sa, stepAll(x, y));
        sb = i64x2.add(sb, stepAll(x1, y));
        x = x1;
        px += 16;
        py -= 16;
      }
      s = i64x2.add(i64x2.add(qb, acc), i64x2.extmul_high_i32x4_u(mq, nvec1));
      mq = quot(s, n0w, maskV);
      v128.store(am + <usize>(kp + 1) * EL, i64x2.shuffle(v128.load64_zero(am + <usize>(kp + 1) * EL), mq, 0, 2));
      s = i64x2.add(s, i64x2.extmul_high_i32x4_u(mq, nvec));
      acc = i64x2.shr_u(s, w);
      for (let c = k - 1; c > 0; c--) {
        const y = v128.load(py);
        const x1 = v128.load(px, 16);
        sa = i64x2.add(sa, stepAll(x, y));
        sb = i64x2.add(sb, stepAll(x1, y));
        x = x1;
        px += 16;
        py -= 16;
      }
    } else {
      if (kp >= 0) {
        let s = i64x2.add(qa, acc);
        let mq = quot(s, n0w, maskV);
        v128.store(am + <usize>kp * EL, i64x2.shuffle(v128.load64_zero(am + <usize>kp * EL), mq, 0, 2));
        s = i64x2.add(s, i64x2.extmul_high_i32x4_u(mq, nvec));
        acc = i64x2.shr_u(s, w);
        s = i64x2.add(i64x2.add(qb, acc), i64x2.extmul_high_i32x4_u(mq, nvec1));
        mq = quot(s, n0w, maskV);
        v128.store(am + <usize>(kp + 1) * EL, i64x2.shuffle(v128.load64_zero(am + <usize>(kp + 1) * EL), mq, 0, 2));
        s = i64x2.add(s, i64x2.extmul_high_i32x4_u(mq, nvec));
        acc = i64x2.shr_u(s, w);
        x = v128.load(px); // the chain may have written quotient m_0
      }
      for (let c = k + 1; c > 0; c--) {
        const y = v128.load(py);
        const x1 = v128.load(px, 16);
        sa = i64x2.add(sa, stepAll(x, y));
        sb = i64x2.add(sb, stepAll(x1, y));
        x = x1;
        px += 16;
        py -= 16;
      }
    }
    qa = sa;
    qb = i64x2.add(sb, stepAll(v128.load(am), v128.load(bn + <usize>(k + 1) * EL)));
    kp = k;
  }
  if (kp >= 0) {
    // the last pending chain
    let s = i64x2.add(qa, acc);
    let mq = quot(s, n0w, maskV);
    v128.store(am + <usize>kp * EL, i64x2.shuffle(v128.load64_zero(am + <usize>kp * EL), mq, 0, 2));
    s = i64x2.add(s, i64x2.extmul_high_i32x4_u(mq, nvec));
    acc = i64x2.shr_u(s, w);
    s = i64x2.add(i64x2.add(qb, acc), i64x2.extmul_high_i32x4_u(mq, nvec1));
    mq = quot(s, n0w, maskV);
    v128.store(am + <usize>(kp + 1) * EL, i64x2.shuffle(v128.load64_zero(am + <usize>(kp + 1) * EL), mq, 0, 2));
    s = i64x2.add(s, i64x2.extmul_high_i32x4_u(mq, nvec));
    acc = i64x2.shr_u(s, w);
  }
  if (k < n) {
    let s = i64x2.add(col1(am, bn, k, 0, k), acc);
    const m = quot(s, n0w, maskV);
    v128.store(am + <usize>k * EL, i64x2.shuffle(v128.load64_zero(am + <usize>k * EL), m, 0, 2));
    s = i64x2.add(s, i64x2.extmul_high_i32x4_u(m, nvec));
    acc = i64x2.shr_u(s, w);
    k++;
  }
  // second half in pairs (k, k+1), k + 1 <= 2n - 2
  for (; k + 1 < 2 * n - 1; k += 2) {
    const lo = k - n + 1;
    let px = am + <usize>lo * EL, py = bn + <usize>(n - 1) * EL;
    let x = v128.load(px);
    let sa = i64x2.splat(0), sb = i64x2.splat(0);
    for (let c = n - lo; c > 0; c--) {
      const y = v128.load(py);
      const x1 = v128.load(px, 16);
      sa = i64x2.add(sa, stepAll(x, y));
      sb = i64x2.add(sb, stepAll(x1, y));
      x = x1;
      px += 16; py -= 16;
    }
    let s = i64x2.add(sa, acc);
    let d = pack(v128.and(s, maskV));
    v128.store64_lane(out + (<usize>(k - n) << 3), d, 0);
    v128.store64_lane(outR + (<usize>(2 * n - 1 - k) << 3), i32x4.shl(d, 1), 0);
    acc = i64x2.shr_u(s, w);
    s = i64x2.add(sb, acc);
    d = pack(v128.and(s, maskV));
    v128.store64_lane(out + (<usize>(k + 1 - n) << 3), d, 0);
    v128.store64_lane(outR + (<usize>(2 * n - 2 - k) << 3), i32x4.shl(d, 1), 0);
    acc = i64x2.shr_u(s, w);
  }
  if (k < 2 * n - 1) {
    const s = i64x2.add(col1(am, bn, k, k - n + 1, n - 1), acc);
    const d = pack(v128.and(s, maskV));
    v128.store64_lane(out + (<usize>(k - n) << 3), d, 0);
    v128.store64_lane(outR + (<usize>(2 * n - 1 - k) << 3), i32x4.shl(d, 1), 0);
    acc = i64x2.shr_u(s, w);
  }
  const d = pack(acc);
  v128.store64_lane(out + (<usize>(n - 1) << 3), d, 0);
  v128.store64_lane(outR, i32x4.shl(d, 1), 0);
}

/** (x.p·y.p, x.q·y.q) for the limb pairs in i32 lanes 0, 1 of x and y. */
// @ts-ignore: decorator
@inline export function mul1(x: v128, y: v128): v128 {
  return i64x2.extmul_low_i32x4_u(x, y);
}

/**
 * The Montgomery quotient digit m = (s mod 2^w)·n0' mod 2^w per lane (packed in i32 lanes 0,
 * 1): the low 32 bits of s times n0' (n0w = n0'.p, -, n0'.q, - in i32 lanes) are enough.
 */
// @ts-ignore: decorator
@inline export function quot(s: v128, n0w: v128, maskV: v128): v128 {
  return pack(v128.and(i32x4.mul(s, n0w), maskV));
}
