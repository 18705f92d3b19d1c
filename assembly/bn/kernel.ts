// SIMD Montgomery multiplication and squaring kernels of the two-lane engine (mont.ts).
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
// written as pairs twice: forward (limb i at 8i) and reversed (limb i at 8(n-1-i)).
// * Multiplication reads "element" buffers of 16 bytes per limb index:
//     AM buffer: u32 a.p, u32 a.q, u32 m.p, u32 m.q   (first operand; m = Montgomery quotients)
//     BN buffer: u32 b.p, u32 b.q, u32 N.p, u32 N.q   (second operand and the modulus)
//   so one 16-byte load feeds both the a·b (low half) and the m·N (high half) products.
// * Squaring reads the operand as forward and reversed pairs, its quotients m as forward
//   pairs and the modulus as reversed pairs: one 16-byte load of each covers two limbs
//   (a_i, a_(i+1)) · (a_(k-i), a_(k-i-1)), so the half-triangle of a_i·a_j (i < j) and the
//   full m·N run at the rate of the multiplication's steps.
// Every buffer has at least PAD zero limbs (pairs or elements) on both sides.
//
// Timing: the loops depend only on n; the data never selects a branch or an address.

/** Element size in bytes. */
export const EL: usize = 16;

// @ts-ignore: decorator
@inline function pack(v: v128): v128 {
  // low 32 bits of each 64-bit lane -> i32 lanes 0, 1 (and copies in 2, 3)
  return i32x4.shuffle(v, v, 0, 2, 0, 2);
}

// @ts-ignore: decorator
@inline function stepAll(x: v128, y: v128): v128 {
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
 * `bn` holds b and N. Writes the result as forward pairs to `out` and reversed pairs to
 * `outR`. `n` limbs of `w` bits; `n0v` = (n0'.p, n0'.q, 0, 0).
 * Columns are computed two at a time (k and k + 1 share every load of b: a_i·b_(k-i) and
 * a_(i+1)·b_(k-i)); the buffers need PAD zero elements on both sides (mont.ts).
 */
export function montMul(out: usize, outR: usize, am: usize, bn: usize, n: i32, w: u32, n0v: v128): void {
  const maskV = i64x2.splat((<i64>1 << w) - 1);
  const nvec = v128.load(bn);
  const nvec1 = v128.load(bn + EL);
  for (let i = 0; i < n; i++) v128.store64_lane(am + <usize>i * EL + 8, i64x2.splat(0), 0);
  let acc = i64x2.splat(0);
  let k = 0;
  // first half in pairs (k, k+1), k + 1 < n
  for (; k + 1 < n; k += 2) {
    let px = am, py = bn + <usize>k * EL;
    let x = v128.load(px);
    let sa = i64x2.splat(0), sb = i64x2.splat(0);
    for (let c = k + 1; c > 0; c--) {
      const y = v128.load(py);
      const x1 = v128.load(px, 16);
      sa = i64x2.add(sa, stepAll(x, y));
      sb = i64x2.add(sb, stepAll(x1, y));
      x = x1;
      px += 16; py -= 16;
    }
    sb = i64x2.add(sb, stepAll(v128.load(am), v128.load(bn + <usize>(k + 1) * EL)));
    let s = i64x2.add(sa, acc);
    let m = pack(v128.and(i64x2.extmul_low_i32x4_u(pack(s), n0v), maskV));
    v128.store64_lane(am + <usize>k * EL + 8, m, 0);
    s = i64x2.add(s, i64x2.extmul_high_i32x4_u(m, nvec));
    acc = i64x2.shr_u(s, w);
    s = i64x2.add(i64x2.add(sb, acc), i64x2.extmul_high_i32x4_u(m, nvec1));
    m = pack(v128.and(i64x2.extmul_low_i32x4_u(pack(s), n0v), maskV));
    v128.store64_lane(am + <usize>(k + 1) * EL + 8, m, 0);
    s = i64x2.add(s, i64x2.extmul_high_i32x4_u(m, nvec));
    acc = i64x2.shr_u(s, w);
  }
  if (k < n) {
    let s = i64x2.add(col1(am, bn, k, 0, k), acc);
    const m = pack(v128.and(i64x2.extmul_low_i32x4_u(pack(s), n0v), maskV));
    v128.store64_lane(am + <usize>k * EL + 8, m, 0);
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
    v128.store64_lane(outR + (<usize>(2 * n - 1 - k) << 3), d, 0);
    acc = i64x2.shr_u(s, w);
    s = i64x2.add(sb, acc);
    d = pack(v128.and(s, maskV));
    v128.store64_lane(out + (<usize>(k + 1 - n) << 3), d, 0);
    v128.store64_lane(outR + (<usize>(2 * n - 2 - k) << 3), d, 0);
    acc = i64x2.shr_u(s, w);
  }
  if (k < 2 * n - 1) {
    const s = i64x2.add(col1(am, bn, k, k - n + 1, n - 1), acc);
    const d = pack(v128.and(s, maskV));
    v128.store64_lane(out + (<usize>(k - n) << 3), d, 0);
    v128.store64_lane(outR + (<usize>(2 * n - 1 - k) << 3), d, 0);
    acc = i64x2.shr_u(s, w);
  }
  const d = pack(acc);
  v128.store64_lane(out + (<usize>(n - 1) << 3), d, 0);
  v128.store64_lane(outR, d, 0);
}

/**
 * out = a²·R^-1 (mod N per lane) for a given as forward pairs `a` and reversed pairs `aR`;
 * `m` is scratch for the quotients (n pairs, zeroed here), `nR` the modulus as reversed
 * pairs. Writes forward pairs to `out` and reversed pairs to `outR` (both distinct from the
 * inputs). Each cross product a_i·a_j (i < j) is computed once and doubled.
 */
export function montSqr(out: usize, outR: usize, a: usize, aR: usize, m: usize, nR: usize, n: i32, w: u32, n0v: v128): void {
  const maskV = i64x2.splat((<i64>1 << w) - 1);
  const nm1 = n - 1;
  const n0pair = v128.load64_zero(nR + (<usize>nm1 << 3)); // N_0
  memory.fill(m, 0, <usize>n << 3);
  let acc = i64x2.splat(0);
  // columns k < n: i from 0; the reversed operands start at limb n-1-k
  let pr = aR + (<usize>nm1 << 3);
  const n21 = v128.load(nR + (<usize>(nm1 - 2) << 3)); // (N_2, N_1)
  let m1 = i64x2.splat(0), m2 = i64x2.splat(0); // m_(k-1), m_(k-2) (packed in lanes 0, 1)
  for (let k = 0; k < n; k++) {
    let s = sqrHalf(a, pr, (k + 1) >> 1);
    if ((k & 1) == 0) {
      const x = v128.load64_zero(a + (<usize>(k >> 1) << 3));
      s = i64x2.add(s, i64x2.extmul_low_i32x4_u(x, x));
    }
    // m_i·N_(k-i) for i <= k - 3 from memory; m_(k-2) and m_(k-1) from registers (a 16-byte
    // load right after their 8-byte stores could not be forwarded and would stall)
    let t = stepAll(i64x2.shuffle(m2, m1, 0, 2), n21);
    if (k >= 3) {
      const cnt = k - 2;
      const pn = nR + (pr - aR);
      t = i64x2.add(t, mulSum(m, pn, cnt >> 1));
      if (cnt & 1) {
        const o = <usize>(cnt - 1) << 3;
        t = i64x2.add(t, i64x2.extmul_low_i32x4_u(v128.load64_zero(m + o), v128.load64_zero(pn + o)));
      }
    }
    s = i64x2.add(i64x2.add(s, acc), t);
    const mk = pack(v128.and(i64x2.extmul_low_i32x4_u(pack(s), n0v), maskV));
    v128.store64_lane(m + (<usize>k << 3), mk, 0);
    m2 = m1;
    m1 = mk;
    s = i64x2.add(s, i64x2.extmul_low_i32x4_u(mk, n0pair));
    acc = i64x2.shr_u(s, w);
    pr -= 8;
  }
  // columns k >= n: i from lo = k - n + 1; the reversed operands start at limb 0
  let pa = a + 8, pm = m + 8;
  for (let k = n; k < 2 * n - 1; k++) {
    const lo = k - n + 1;
    let s = sqrHalf(pa, aR, ((k + 1) >> 1) - lo);
    if ((k & 1) == 0) {
      const x = v128.load64_zero(a + (<usize>(k >> 1) << 3));
      s = i64x2.add(s, i64x2.extmul_low_i32x4_u(x, x));
    }
    s = i64x2.add(i64x2.add(s, acc), mulSum(pm, nR, (n - lo + 1) >> 1));
    const d = pack(v128.and(s, maskV));
    v128.store64_lane(out + (<usize>(k - n) << 3), d, 0);
    v128.store64_lane(outR + (<usize>(nm1 - (k - n)) << 3), d, 0);
    acc = i64x2.shr_u(s, w);
    pa += 8;
    pm += 8;
  }
  const d = pack(acc);
  v128.store64_lane(out + (<usize>nm1 << 3), d, 0);
  v128.store64_lane(outR, d, 0);
}

/** 2·Σ a_i·a_(k-i) over cnt consecutive i from pa (forward) against pr (reversed): two limbs per load. */
// @ts-ignore: decorator
@inline function sqrHalf(pa: usize, pr: usize, cnt: i32): v128 {
  let s0 = i64x2.splat(0), s1 = i64x2.splat(0);
  for (let c = cnt >> 2; c > 0; c--) {
    s0 = i64x2.add(s0, stepAll(v128.load(pa), v128.load(pr)));
    s1 = i64x2.add(s1, stepAll(v128.load(pa, 16), v128.load(pr, 16)));
    pa += 32;
    pr += 32;
  }
  if (cnt & 2) {
    s0 = i64x2.add(s0, stepAll(v128.load(pa), v128.load(pr)));
    pa += 16;
    pr += 16;
  }
  if (cnt & 1) s1 = i64x2.add(s1, i64x2.extmul_low_i32x4_u(v128.load64_zero(pa), v128.load64_zero(pr)));
  return i64x2.shl(i64x2.add(s0, s1), 1);
}

/** Σ m_i·N_(k-i) over `pairs` pairs of limbs from pm (forward) against pn (reversed). */
// @ts-ignore: decorator
@inline function mulSum(pm: usize, pn: usize, pairs: i32): v128 {
  let t0 = i64x2.splat(0), t1 = i64x2.splat(0);
  for (let c = pairs >> 1; c > 0; c--) {
    t0 = i64x2.add(t0, stepAll(v128.load(pm), v128.load(pn)));
    t1 = i64x2.add(t1, stepAll(v128.load(pm, 16), v128.load(pn, 16)));
    pm += 32;
    pn += 32;
  }
  if (pairs & 1) t0 = i64x2.add(t0, stepAll(v128.load(pm), v128.load(pn)));
  return i64x2.add(t0, t1);
}
