// Constant-time modular inversion by Bernstein-Yang "safegcd" divsteps
// (D. J. Bernstein, B.-Y. Yang, "Fast constant-time gcd computation and modular inversion",
// TCHES 2019/3), used for both the field primes p and the group orders n of ec/.
//
// divstep(delta, f, g) = (1 - delta, g, (g - f)/2)          if delta > 0 and g is odd
//                        (1 + delta, f, (g + (g mod 2) f)/2) otherwise
// Starting from (1, M, x) with M odd, g reaches 0 after at most floor((49d + 57)/17) steps
// for d-bit inputs, d >= 46 (paper, Theorem 11.2), and then f = +-gcd(M, x) = +-1.
// Alongside f and g we track d and e with d*x = f and e*x = g (mod M); at the end
// x^-1 = sign(f) * d (mod M). Steps are applied in batches of 30 on the low bits only,
// producing a 2x2 matrix (scaled by 2^30) that is then applied to the full-size values, which
// are kept as signed 30-bit limbs (the top limb carries the sign). d and e stay in (-2M, M)
// because M-multiples are added before the exact division by 2^30 (see updateDE).
//
// Everything runs in a fixed number of iterations with masks instead of branches.

const M30: i64 = 0x3fffffff;
/** Largest modulus size handled: 18 limbs of 30 bits (P-521 needs ceil(523/30) = 18). */
const MAX_L = 18;

// Scratch (signed 30-bit limbs) and the transition matrix of the last batch.
const sf = memory.data(MAX_L * 4);
const sg = memory.data(MAX_L * 4);
const sd = memory.data(MAX_L * 4);
const se = memory.data(MAX_L * 4);
let tu: i64 = 0, tv: i64 = 0, tq: i64 = 0, tr: i64 = 0;

/**
 * Layout of a modulus description (built once by `modinvSetup`):
 *   +0 i32 L (30-bit limbs), +4 u32 M^-1 mod 2^30, +8 i32 batches, +12 i32 n (u32 limbs),
 *   +16 .. M as L signed-30 limbs.
 */
export const MODINV_INFO_BYTES: i32 = 16 + MAX_L * 4;

// @ts-ignore: decorator
@inline function L30(p: usize, i: i32): i64 {
  return <i64>load<i32>(p + (<usize>i << 2));
}
// @ts-ignore: decorator
@inline function S30(p: usize, i: i32, v: i64): void {
  store<i32>(p + (<usize>i << 2), <i32>v);
}

/** Reads the n-limb (u32) value a as L non-negative 30-bit limbs. */
function toS30(o: usize, a: usize, n: i32, L: i32): void {
  for (let i = 0; i < L; i++) {
    const bit = i * 30;
    const w = bit >> 5;
    const s = bit & 31;
    let v: u64 = 0;
    if (w < n) v = <u64>load<u32>(a + (<usize>w << 2));
    if (w + 1 < n) v |= <u64>load<u32>(a + (<usize>(w + 1) << 2)) << 32;
    S30(o, i, <i64>((v >> s) & 0x3fffffff));
  }
}

/** Writes the L-limb signed-30 value (normalized, in [0, 2^(32n))) as n u32 limbs. */
function fromS30(o: usize, a: usize, n: i32, L: i32): void {
  memory.fill(o, 0, <usize>n << 2);
  for (let i = 0; i < L; i++) {
    const v = <u64>L30(a, i) & 0x3fffffff;
    const bit = i * 30;
    const w = bit >> 5;
    const s = bit & 31;
    const x = v << s;
    if (w < n) store<u32>(o + (<usize>w << 2), load<u32>(o + (<usize>w << 2)) | <u32>x);
    if (w + 1 < n) store<u32>(o + (<usize>(w + 1) << 2), load<u32>(o + (<usize>(w + 1) << 2)) | <u32>(x >> 32));
  }
}

/** Fills `info` for the odd modulus m (n u32 limbs, `bits` significant bits). */
export function modinvSetup(info: usize, m: usize, n: i32, bits: i32): void {
  const L = (bits + 2 + 29) / 30;
  assert(L <= MAX_L);
  store<i32>(info, L);
  // Newton iteration for m^-1 mod 2^32 (correct to 3 bits for odd m, doubling each round).
  const m0 = load<u32>(m);
  let x: u32 = m0;
  for (let i = 0; i < 5; i++) x *= 2 - m0 * x;
  store<u32>(info, x & 0x3fffffff, 4);
  const steps = (49 * bits + 57) / 17;
  store<i32>(info, (steps + 29) / 30, 8);
  store<i32>(info, n, 12);
  toS30(info + 16, m, n, L);
}

/**
 * 30 divsteps on the low 32 bits of f and g; leaves the scaled transition matrix in
 * (tu, tv; tq, tr) with 2^30 (f', g') = (tu f + tv g, tq f + tr g). Returns the new delta.
 */
function divsteps30(delta: i32, f0: u32, g0: u32): i32 {
  let u: u32 = 1, v: u32 = 0, q: u32 = 0, r: u32 = 1;
  let f = f0, g = g0;
  for (let i = 0; i < 30; i++) {
    const c1 = <u32>((-delta) >> 31); // delta > 0
    const c2 = 0 - (g & 1); // g odd
    // With c1, subtract (f, u, v) from the g row, else add; only when g is odd.
    g += ((f ^ c1) - c1) & c2;
    q += ((u ^ c1) - c1) & c2;
    r += ((v ^ c1) - c1) & c2;
    const c = c1 & c2; // swap: the f row becomes the old g row
    delta = (((delta ^ <i32>c) - <i32>c)) + 1;
    f += g & c;
    u += q & c;
    v += r & c;
    g >>= 1;
    u <<= 1;
    v <<= 1;
  }
  tu = <i64><i32>u;
  tv = <i64><i32>v;
  tq = <i64><i32>q;
  tr = <i64><i32>r;
  return delta;
}

/** (f, g) <- (tu f + tv g, tq f + tr g) / 2^30 (exact). */
function updateFG(L: i32): void {
  const u = tu, v = tv, q = tq, r = tr;
  let f = L30(sf, 0), g = L30(sg, 0);
  let cf = u * f + v * g;
  let cg = q * f + r * g;
  cf >>= 30;
  cg >>= 30;
  for (let i = 1; i < L; i++) {
    f = L30(sf, i);
    g = L30(sg, i);
    cf += u * f + v * g;
    cg += q * f + r * g;
    S30(sf, i - 1, cf & M30);
    S30(sg, i - 1, cg & M30);
    cf >>= 30;
    cg >>= 30;
  }
  S30(sf, L - 1, cf);
  S30(sg, L - 1, cg);
}

/** (d, e) <- (tu d + tv e + md M, tq d + tr e + me M) / 2^30 with md, me making it exact. */
function updateDE(info: usize, L: i32): void {
  const u = tu, v = tv, q = tq, r = tr;
  const mod = info + 16;
  const inv = <i64>load<u32>(info, 4);
  const dneg = L30(sd, L - 1) >> 63; // -1 if d < 0
  const eneg = L30(se, L - 1) >> 63;
  // Adding u*M when d < 0 (and v*M when e < 0) keeps the result in (-2M, M).
  let md = (u & dneg) + (v & eneg);
  let me = (q & dneg) + (r & eneg);
  let d = L30(sd, 0), e = L30(se, 0);
  let cd = u * d + v * e;
  let ce = q * d + r * e;
  // Subtract k*M, k in [0, 2^30), so that the low 30 bits of the sum vanish.
  md -= (inv * cd + md) & M30;
  me -= (inv * ce + me) & M30;
  const m0 = L30(mod, 0);
  cd += m0 * md;
  ce += m0 * me;
  cd >>= 30;
  ce >>= 30;
  for (let i = 1; i < L; i++) {
    d = L30(sd, i);
    e = L30(se, i);
    const mi = L30(mod, i);
    cd += u * d + v * e + mi * md;
    ce += q * d + r * e + mi * me;
    S30(sd, i - 1, cd & M30);
    S30(se, i - 1, ce & M30);
    cd >>= 30;
    ce >>= 30;
  }
  S30(sd, L - 1, cd);
  S30(se, L - 1, ce);
}

/** a <- a + (mask & M), normalizing the limbs. */
function condAddM(a: usize, mod: usize, L: i32, mask: i64): void {
  let c: i64 = 0;
  for (let i = 0; i < L - 1; i++) {
    c += L30(a, i) + (L30(mod, i) & mask);
    S30(a, i, c & M30);
    c >>= 30;
  }
  S30(a, L - 1, c + L30(a, L - 1) + (L30(mod, L - 1) & mask));
}

/** a <- mask ? -a : a, normalizing the limbs. */
function condNeg(a: usize, L: i32, mask: i64): void {
  let c: i64 = 0;
  for (let i = 0; i < L - 1; i++) {
    c += (L30(a, i) ^ mask) - mask;
    S30(a, i, c & M30);
    c >>= 30;
  }
  S30(a, L - 1, c + ((L30(a, L - 1) ^ mask) - mask));
}

/**
 * o = x^-1 mod M (0 when x = 0) for x < M given as n u32 limbs; `info` from modinvSetup.
 * Constant time. o may alias x. Scratch is wiped before returning.
 */
export function modinv(o: usize, x: usize, info: usize): void {
  const L = load<i32>(info);
  const batches = load<i32>(info, 8);
  const n = load<i32>(info, 12);
  const mod = info + 16;
  const bytes = <usize>L << 2;
  memory.copy(sf, mod, bytes);
  toS30(sg, x, n, L);
  memory.fill(sd, 0, bytes);
  memory.fill(se, 0, bytes);
  store<i32>(se, 1);
  let delta: i32 = 1;
  for (let b = 0; b < batches; b++) {
    delta = divsteps30(delta, load<u32>(sf), load<u32>(sg));
    updateDE(info, L);
    updateFG(L);
  }
  // d in (-2M, M); f = +-1.
  condAddM(sd, mod, L, L30(sd, L - 1) >> 63);
  condNeg(sd, L, L30(sf, L - 1) >> 63);
  condAddM(sd, mod, L, L30(sd, L - 1) >> 63);
  fromS30(o, sd, n, L);
  memory.fill(sf, 0, bytes);
  memory.fill(sg, 0, bytes);
  memory.fill(sd, 0, bytes);
  memory.fill(se, 0, bytes);
  tu = 0; tv = 0; tq = 0; tr = 0;
}
