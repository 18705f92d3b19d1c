// The SIMD Montgomery squaring kernel of the two-lane engine: see kernel.ts for the
// algorithm, the memory layout (forward and reversed doubled pairs) and the bounds.

import { pack, stepAll, mul1, quot } from './kernel';

/**
 * out = a²·R^-1 (mod N per lane). The operand is given twice: as forward pairs `a` and as
 * reversed doubled pairs `a2R` (limb i of 2·a at pair n-1-i, so a 16-byte load there gives
 * (2a_i, 2a_(i-1))); `m` is scratch for the quotients (n pairs; its PAD pairs after n must
 * be zero), `nR` the modulus as reversed pairs. Writes the result as forward pairs to `out`
 * and as reversed doubled pairs to `out2R` (both distinct from the inputs).
 *
 * Columns are computed four at a time, c = k..k+3 for k a multiple of 4, in one pass over
 * the operands: one 16-byte load of (a_i, a_(i+1)) meets (2a_(c-i), 2a_(c-i-1)) for each of
 * the four columns (four loads, 8 bytes apart in the reversed copy), which sums each cross
 * product a_i·a_j (i < j) once, already doubled; the quotients meet the modulus the same
 * way. The steps run over whole limb pairs below 2Q (Q = k/4); the products at i = 2Q and
 * 2Q + 1 (the diagonals a_2Q², a_(2Q+1)² and the last cross products) are added after the
 * loop. Starting a step below the first non-zero term is harmless: the buffers are
 * zero-padded. In the first half the quotients of the block itself (m_k..m_(k+2)) meet
 * N_1..N_3 in the block's quotient chain; older ones come from memory, stored as whole
 * 16-byte pairs so that the loads of the next block are forwarded from the stores. The
 * quotient chain of a block (four dependent steps, ~50 cycles of latency) runs interleaved
 * with the first iterations of the next block (measured: 4% faster in Chromium's V8, the
 * same in Node 20's).
 */
export function montSqr(out: usize, out2R: usize, a: usize, a2R: usize, m: usize, nR: usize, n: i32, w: u32, n0v: v128): void {
  // specialised for each limb width (shift counts and masks become constants)
  if (w == 28) sqrW(out, out2R, a, a2R, m, nR, n, 28, n0v);
  else sqrW(out, out2R, a, a2R, m, nR, n, 26, n0v);
}

/** Stores digit dg (packed) as digit j of the result: forward, and doubled in the reversed copy. */
// @ts-ignore: decorator
@inline function putDigit(out: usize, out2R: usize, nm1: i32, j: i32, dg: v128): void {
  v128.store64_lane(out + <usize>(j << 3), dg, 0);
  v128.store64_lane(out2R + <usize>((nm1 - j) << 3), i32x4.shl(dg, 1), 0);
}

// @ts-ignore: decorator
@inline function sqrW(out: usize, out2R: usize, a: usize, a2R: usize, m: usize, nR: usize, n: i32, w: u32, n0v: v128): void {
  const maskV = i64x2.splat((<i64>1 << w) - 1);
  const n0w = i32x4.shuffle(n0v, n0v, 0, 0, 1, 1);
  const nm1 = n - 1;
  const n0p = v128.load64_zero(nR + <usize>(nm1 << 3)); // N_0
  const n1p = v128.load64_zero(nR + <usize>((nm1 - 1) << 3)); // N_1
  const n21 = v128.load(nR + <usize>((nm1 - 2) << 3)); // (N_2, N_1)
  const n32 = v128.load(nR + <usize>((nm1 - 3) << 3)); // (N_3, N_2)
  const zero = i64x2.splat(0);
  let acc = zero;
  // First half: the blocks k < n (the last may hold columns from n on, which give digits).
  // The quotient chain of a block (four dependent steps) is finished during the loops of the
  // next block, one step between its first iterations (which read older quotients only), so
  // that its latency overlaps their work; the next block's last two m·N steps, which read the
  // four new quotients, come after it.
  let p0 = zero, p1 = zero, p2 = zero, p3 = zero; // sums of the pending block kp
  let kp = -1;
  let k = 0;
  for (; k < n; k += 4) {
    const st = k >> 2; // steps of the triangle (with m·N)
    const sm = k >> 1; // steps of m·N (m_i for i < k)
    const off = <usize>((nm1 - k - 3) << 3);
    let pa = a, pm = m, py = a2R + off, pz = nR + off;
    let s0 = zero, s1 = zero, s2 = zero, s3 = zero;
    if (kp >= 0 && k >= 8) {
      {
        const x = v128.load(pa);
        s3 = i64x2.add(s3, stepAll(x, v128.load(py)));
        s2 = i64x2.add(s2, stepAll(x, v128.load(py, 8)));
        s1 = i64x2.add(s1, stepAll(x, v128.load(py, 16)));
        s0 = i64x2.add(s0, stepAll(x, v128.load(py, 24)));
        const mx = v128.load(pm);
        s3 = i64x2.add(s3, stepAll(mx, v128.load(pz)));
        s2 = i64x2.add(s2, stepAll(mx, v128.load(pz, 8)));
        s1 = i64x2.add(s1, stepAll(mx, v128.load(pz, 16)));
        s0 = i64x2.add(s0, stepAll(mx, v128.load(pz, 24)));
        pa += 16;
        py += 16;
        pm += 16;
        pz += 16;
      }
      let cs = i64x2.add(p0, acc);
      const m0 = quot(cs, n0w, maskV);
      acc = i64x2.shr_u(i64x2.add(cs, mul1(m0, n0p)), w);
      {
        const x = v128.load(pa);
        s3 = i64x2.add(s3, stepAll(x, v128.load(py)));
        s2 = i64x2.add(s2, stepAll(x, v128.load(py, 8)));
        s1 = i64x2.add(s1, stepAll(x, v128.load(py, 16)));
        s0 = i64x2.add(s0, stepAll(x, v128.load(py, 24)));
        const mx = v128.load(pm);
        s3 = i64x2.add(s3, stepAll(mx, v128.load(pz)));
        s2 = i64x2.add(s2, stepAll(mx, v128.load(pz, 8)));
        s1 = i64x2.add(s1, stepAll(mx, v128.load(pz, 16)));
        s0 = i64x2.add(s0, stepAll(mx, v128.load(pz, 24)));
        pa += 16;
        py += 16;
        pm += 16;
        pz += 16;
      }
      cs = i64x2.add(i64x2.add(p1, mul1(m0, n1p)), acc);
      const m1 = quot(cs, n0w, maskV);
      acc = i64x2.shr_u(i64x2.add(cs, mul1(m1, n0p)), w);
      const r01 = i32x4.shuffle(m0, m1, 0, 1, 4, 5); // (m_kp, m_(kp+1))
      for (let c = st - 2; c > 0; c--) {
        const x = v128.load(pa);
        s3 = i64x2.add(s3, stepAll(x, v128.load(py)));
        s2 = i64x2.add(s2, stepAll(x, v128.load(py, 8)));
        s1 = i64x2.add(s1, stepAll(x, v128.load(py, 16)));
        s0 = i64x2.add(s0, stepAll(x, v128.load(py, 24)));
        const mx = v128.load(pm);
        s3 = i64x2.add(s3, stepAll(mx, v128.load(pz)));
        s2 = i64x2.add(s2, stepAll(mx, v128.load(pz, 8)));
        s1 = i64x2.add(s1, stepAll(mx, v128.load(pz, 16)));
        s0 = i64x2.add(s0, stepAll(mx, v128.load(pz, 24)));
        pa += 16;
        py += 16;
        pm += 16;
        pz += 16;
      }
      cs = i64x2.add(i64x2.add(p2, stepAll(r01, n21)), acc);
      const m2 = quot(cs, n0w, maskV);
      acc = i64x2.shr_u(i64x2.add(cs, mul1(m2, n0p)), w);
      for (let c = sm - st - 2; c > 0; c--) {
        const mx = v128.load(pm);
        s3 = i64x2.add(s3, stepAll(mx, v128.load(pz)));
        s2 = i64x2.add(s2, stepAll(mx, v128.load(pz, 8)));
        s1 = i64x2.add(s1, stepAll(mx, v128.load(pz, 16)));
        s0 = i64x2.add(s0, stepAll(mx, v128.load(pz, 24)));
        pm += 16;
        pz += 16;
      }
      cs = i64x2.add(i64x2.add(i64x2.add(p3, stepAll(r01, n32)), mul1(m2, n1p)), acc);
      const m3 = quot(cs, n0w, maskV);
      acc = i64x2.shr_u(i64x2.add(cs, mul1(m3, n0p)), w);
      v128.store(m + <usize>(kp << 3), r01);
      v128.store(m + <usize>((kp + 2) << 3), i32x4.shuffle(m2, m3, 0, 1, 4, 5));
      {
        const mx = v128.load(pm);
        s3 = i64x2.add(s3, stepAll(mx, v128.load(pz)));
        s2 = i64x2.add(s2, stepAll(mx, v128.load(pz, 8)));
        s1 = i64x2.add(s1, stepAll(mx, v128.load(pz, 16)));
        s0 = i64x2.add(s0, stepAll(mx, v128.load(pz, 24)));
        pm += 16;
        pz += 16;
      }
      {
        const mx = v128.load(pm);
        s3 = i64x2.add(s3, stepAll(mx, v128.load(pz)));
        s2 = i64x2.add(s2, stepAll(mx, v128.load(pz, 8)));
        s1 = i64x2.add(s1, stepAll(mx, v128.load(pz, 16)));
        s0 = i64x2.add(s0, stepAll(mx, v128.load(pz, 24)));
        pm += 16;
        pz += 16;
      }
    } else {
      if (kp >= 0) {
        let cs = i64x2.add(p0, acc);
        const m0 = quot(cs, n0w, maskV);
        acc = i64x2.shr_u(i64x2.add(cs, mul1(m0, n0p)), w);
        cs = i64x2.add(i64x2.add(p1, mul1(m0, n1p)), acc);
        const m1 = quot(cs, n0w, maskV);
        acc = i64x2.shr_u(i64x2.add(cs, mul1(m1, n0p)), w);
        const r01 = i32x4.shuffle(m0, m1, 0, 1, 4, 5); // (m_kp, m_(kp+1))
        cs = i64x2.add(i64x2.add(p2, stepAll(r01, n21)), acc);
        const m2 = quot(cs, n0w, maskV);
        acc = i64x2.shr_u(i64x2.add(cs, mul1(m2, n0p)), w);
        cs = i64x2.add(i64x2.add(i64x2.add(p3, stepAll(r01, n32)), mul1(m2, n1p)), acc);
        const m3 = quot(cs, n0w, maskV);
        acc = i64x2.shr_u(i64x2.add(cs, mul1(m3, n0p)), w);
        v128.store(m + <usize>(kp << 3), r01);
        v128.store(m + <usize>((kp + 2) << 3), i32x4.shuffle(m2, m3, 0, 1, 4, 5));
      }
      for (let c = st; c > 0; c--) {
        const x = v128.load(pa);
        s3 = i64x2.add(s3, stepAll(x, v128.load(py)));
        s2 = i64x2.add(s2, stepAll(x, v128.load(py, 8)));
        s1 = i64x2.add(s1, stepAll(x, v128.load(py, 16)));
        s0 = i64x2.add(s0, stepAll(x, v128.load(py, 24)));
        const mx = v128.load(pm);
        s3 = i64x2.add(s3, stepAll(mx, v128.load(pz)));
        s2 = i64x2.add(s2, stepAll(mx, v128.load(pz, 8)));
        s1 = i64x2.add(s1, stepAll(mx, v128.load(pz, 16)));
        s0 = i64x2.add(s0, stepAll(mx, v128.load(pz, 24)));
        pa += 16;
        py += 16;
        pm += 16;
        pz += 16;
      }
      for (let c = sm - st; c > 0; c--) {
        const mx = v128.load(pm);
        s3 = i64x2.add(s3, stepAll(mx, v128.load(pz)));
        s2 = i64x2.add(s2, stepAll(mx, v128.load(pz, 8)));
        s1 = i64x2.add(s1, stepAll(mx, v128.load(pz, 16)));
        s0 = i64x2.add(s0, stepAll(mx, v128.load(pz, 24)));
        pm += 16;
        pz += 16;
      }
    }
    // the top of the triangle: i = 2Q, 2Q + 1 (pa, py are at the step i = 2Q)
    const x = v128.load(pa);
    p0 = i64x2.add(s0, mul1(x, x)); // a_2Q²
    p1 = i64x2.add(s1, mul1(x, v128.load(py, 16))); // a_2Q·2a_(2Q+1)
    p2 = i64x2.add(s2, i64x2.add(mul1(x, v128.load(py, 8)), i64x2.extmul_high_i32x4_u(x, x))); // a_2Q·2a_(2Q+2) + a_(2Q+1)²
    p3 = i64x2.add(s3, stepAll(x, v128.load(py))); // a_2Q·2a_(2Q+3) + a_(2Q+1)·2a_(2Q+2)
    kp = k;
  }
  if (kp >= 0) {
    // the last pending chain: block kp may hold columns from n on, which give digits 0..
    let cs = i64x2.add(p0, acc);
    const m0 = quot(cs, n0w, maskV);
    acc = i64x2.shr_u(i64x2.add(cs, mul1(m0, n0p)), w);
    cs = i64x2.add(i64x2.add(p1, mul1(m0, n1p)), acc);
    let m1 = zero;
    if (kp + 1 < n) {
      m1 = quot(cs, n0w, maskV);
      cs = i64x2.add(cs, mul1(m1, n0p));
    } else {
      putDigit(out, out2R, nm1, 0, pack(v128.and(cs, maskV)));
    }
    acc = i64x2.shr_u(cs, w);
    const r01 = i32x4.shuffle(m0, m1, 0, 1, 4, 5); // (m_kp, m_(kp+1))
    cs = i64x2.add(i64x2.add(p2, stepAll(r01, n21)), acc);
    let m2 = zero;
    if (kp + 2 < n) {
      m2 = quot(cs, n0w, maskV);
      cs = i64x2.add(cs, mul1(m2, n0p));
    } else if (kp + 2 < 2 * n) {
      putDigit(out, out2R, nm1, kp + 2 - n, pack(v128.and(cs, maskV)));
    }
    acc = i64x2.shr_u(cs, w);
    cs = i64x2.add(i64x2.add(i64x2.add(p3, stepAll(r01, n32)), mul1(m2, n1p)), acc);
    let m3 = zero;
    if (kp + 3 < n) {
      m3 = quot(cs, n0w, maskV);
      cs = i64x2.add(cs, mul1(m3, n0p));
    } else if (kp + 3 < 2 * n) {
      putDigit(out, out2R, nm1, kp + 3 - n, pack(v128.and(cs, maskV)));
    }
    acc = i64x2.shr_u(cs, w);
    v128.store(m + <usize>(kp << 3), r01);
    v128.store(m + <usize>((kp + 2) << 3), i32x4.shuffle(m2, m3, 0, 1, 4, 5));
  }
  // second half: the blocks from n on give digits k - n .. k + 3 - n
  for (; k < 2 * n; k += 4) {
    const Q2 = k >> 1; // 2Q
    const lo2 = (k - nm1) & ~1; // first non-zero term of column k, rounded down to a pair
    const mHi = n; // quotients from memory: all
    const st = (Q2 - lo2) >> 1; // steps of the triangle
    const sm = (mHi - lo2 + 1) >> 1; // steps of m·N
    const off = <usize>((nm1 - k + lo2 - 3) << 3);
    let pa = a + <usize>(lo2 << 3), pm = m + <usize>(lo2 << 3), py = a2R + off, pz = nR + off;
    let s0 = zero, s1 = zero, s2 = zero, s3 = zero;
    let c = 0;
    for (; c < st; c++) {
      const x = v128.load(pa);
      s3 = i64x2.add(s3, stepAll(x, v128.load(py)));
      s2 = i64x2.add(s2, stepAll(x, v128.load(py, 8)));
      s1 = i64x2.add(s1, stepAll(x, v128.load(py, 16)));
      s0 = i64x2.add(s0, stepAll(x, v128.load(py, 24)));
      const mx = v128.load(pm);
      s3 = i64x2.add(s3, stepAll(mx, v128.load(pz)));
      s2 = i64x2.add(s2, stepAll(mx, v128.load(pz, 8)));
      s1 = i64x2.add(s1, stepAll(mx, v128.load(pz, 16)));
      s0 = i64x2.add(s0, stepAll(mx, v128.load(pz, 24)));
      pa += 16;
      py += 16;
      pm += 16;
      pz += 16;
    }
    // the top of the triangle: i = 2Q, 2Q + 1 (py now points at the step i = 2Q)
    {
      const x = v128.load(pa);
      s0 = i64x2.add(s0, mul1(x, x)); // a_2Q²
      s1 = i64x2.add(s1, mul1(x, v128.load(py, 16))); // a_2Q·2a_(2Q+1)
      s2 = i64x2.add(s2, i64x2.add(mul1(x, v128.load(py, 8)), i64x2.extmul_high_i32x4_u(x, x))); // a_2Q·2a_(2Q+2) + a_(2Q+1)²
      s3 = i64x2.add(s3, stepAll(x, v128.load(py))); // a_2Q·2a_(2Q+3) + a_(2Q+1)·2a_(2Q+2)
    }
    for (; c < sm; c++) {
      const mx = v128.load(pm);
      s3 = i64x2.add(s3, stepAll(mx, v128.load(pz)));
      s2 = i64x2.add(s2, stepAll(mx, v128.load(pz, 8)));
      s1 = i64x2.add(s1, stepAll(mx, v128.load(pz, 16)));
      s0 = i64x2.add(s0, stepAll(mx, v128.load(pz, 24)));
      pm += 16;
      pz += 16;
    }
    const j = k - n;
    let s = i64x2.add(s0, acc);
    putDigit(out, out2R, nm1, j, pack(v128.and(s, maskV)));
    acc = i64x2.shr_u(s, w);
    s = i64x2.add(s1, acc);
    putDigit(out, out2R, nm1, j + 1, pack(v128.and(s, maskV)));
    acc = i64x2.shr_u(s, w);
    if (j + 2 < n) {
      s = i64x2.add(s2, acc);
      putDigit(out, out2R, nm1, j + 2, pack(v128.and(s, maskV)));
      acc = i64x2.shr_u(s, w);
      s = i64x2.add(s3, acc);
      putDigit(out, out2R, nm1, j + 3, pack(v128.and(s, maskV)));
      acc = i64x2.shr_u(s, w);
    }
  }
}
