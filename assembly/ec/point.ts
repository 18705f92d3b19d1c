// Group law of y^2 = x^3 - 3x + b in two coordinate systems.
//
// * Homogeneous projective (X:Y:Z), x = X/Z, with the complete, exception-free formulas of
//   Renes, Costello, Batina, "Complete addition formulas for prime order elliptic curves"
//   (EUROCRYPT 2016, eprint 2015/1060), Algorithms 4 (add), 5 (mixed add), 6 (double) for
//   a = -3. No input needs special handling (the identity is (0:1:0)), so these run in
//   constant time and serve every computation on a secret scalar.
// * Jacobian (X:Y:Z), x = X/Z^2, with the short a = -3 formulas of the Explicit-Formulas
//   Database (dbl-2001-b, add-2007-bl, madd-2007-bl) and explicit branches for the
//   exceptional cases; variable time, used only on public data (signature verification).
//
// A point is three consecutive SLOT-byte field elements X, Y, Z; an affine point is passed
// as two pointers (x, y). Outputs may alias inputs.

import { SLOT, SLOT_BYTES, gB } from './curve';
import { fmul, fsqr, fadd, fsub, fcopy, fset, fzeroMask, feqMask, F_ZERO } from './field';

/** Bytes of a projective / Jacobian point. */
export const POINT: usize = 3 * SLOT;
/** POINT as an i32 (for static buffer sizes). */
export const POINT_BYTES: i32 = 3 * SLOT_BYTES;

// @ts-ignore: decorator
@inline export function PX(p: usize): usize { return p; }
// @ts-ignore: decorator
@inline export function PY(p: usize): usize { return p + SLOT; }
// @ts-ignore: decorator
@inline export function PZ(p: usize): usize { return p + 2 * SLOT; }

// Scratch for the projective formulas (11 elements) and for the Jacobian ones (two sets,
// because jAdd / jAddMixed fall back to jDouble).
const R = memory.data(12 * SLOT_BYTES);
const J = memory.data(14 * SLOT_BYTES);
const JD = memory.data(8 * SLOT_BYTES);

// @ts-ignore: decorator
@inline function r(i: i32): usize { return R + <usize>i * SLOT; }
// @ts-ignore: decorator
@inline function j(i: i32): usize { return J + <usize>i * SLOT; }
// @ts-ignore: decorator
@inline function jd(i: i32): usize { return JD + <usize>i * SLOT; }

/** Sets p to the identity (0:1:0) (also the Jacobian identity with Z = 0). */
export function setIdentity(p: usize): void {
  fset(PX(p), 0);
  fset(PY(p), 1);
  fset(PZ(p), 0);
}

/** Sets p = (x : y : 1). */
export function setAffine(p: usize, x: usize, y: usize): void {
  fcopy(PX(p), x);
  fcopy(PY(p), y);
  fset(PZ(p), 1);
}

/** o = p (point copy). */
export function copyPoint(o: usize, p: usize): void {
  fcopy(PX(o), PX(p));
  fcopy(PY(o), PY(p));
  fcopy(PZ(o), PZ(p));
}

/** Wipes the projective scratch (it holds secret-dependent values after a scalar mult). */
export function wipePointScratch(): void {
  memory.fill(R, 0, 12 * SLOT);
  memory.fill(J, 0, 14 * SLOT);
  memory.fill(JD, 0, 8 * SLOT);
}

// o = 3 a
// @ts-ignore: decorator
@inline function triple(o: usize, a: usize, tmp: usize): void {
  fadd(tmp, a, a);
  fadd(o, tmp, a);
}

/**
 * The tail shared by the three RCB formulas. Inputs (in scratch): xy = r(3), yz = r(4),
 * xz = r(5) (the cross sums X1Y2+X2Y1, Y1Z2+Y2Z1, X1Z2+X2Z1), xx = r(0), yy = r(1),
 * zz = r(2). Writes o.
 */
function rcbTail(o: usize): void {
  const xx = r(0), yy = r(1), zz = r(2), xy = r(3), yz = r(4), xz = r(5);
  const t0 = r(6), t1 = r(7), t2 = r(8), t3 = r(9), t4 = r(10);
  // t0 = 3 (xz - b zz); yy - t0, yy + t0
  fmul(t1, gB, zz);
  fsub(t1, xz, t1);
  triple(t0, t1, t2);
  fsub(t3, yy, t0); // yy - 3(xz - b zz)
  fadd(t4, yy, t0); // yy + 3(xz - b zz)
  // t1 = 3 (b xz - 3 zz - xx)
  triple(t2, zz, t1); // 3 zz
  fmul(t0, gB, xz);
  fsub(t0, t0, t2);
  fsub(t0, t0, xx);
  triple(t1, t0, xz); // t1 = 3 (b xz - 3zz - xx); xz is free now
  // t0 = 3 xx - 3 zz
  triple(t0, xx, xz);
  fsub(t0, t0, t2);
  // X3 = t4 xy - yz t1 ; Y3 = t4 t3 + t0 t1 ; Z3 = t3 yz + xy t0
  fmul(t2, t4, xy);
  fmul(xz, yz, t1);
  fsub(PX(o), t2, xz);
  fmul(t2, t4, t3);
  fmul(xz, t0, t1);
  fadd(PY(o), t2, xz);
  fmul(t2, t3, yz);
  fmul(xz, xy, t0);
  fadd(PZ(o), t2, xz);
}

/** o = p + q, complete projective addition (RCB Algorithm 4, a = -3). */
export function rcbAdd(o: usize, p: usize, q: usize): void {
  const xx = r(0), yy = r(1), zz = r(2), xy = r(3), yz = r(4), xz = r(5), a = r(6), b = r(7);
  fmul(xx, PX(p), PX(q));
  fmul(yy, PY(p), PY(q));
  fmul(zz, PZ(p), PZ(q));
  fadd(a, PX(p), PY(p));
  fadd(b, PX(q), PY(q));
  fmul(xy, a, b);
  fadd(a, xx, yy);
  fsub(xy, xy, a);
  fadd(a, PY(p), PZ(p));
  fadd(b, PY(q), PZ(q));
  fmul(yz, a, b);
  fadd(a, yy, zz);
  fsub(yz, yz, a);
  fadd(a, PX(p), PZ(p));
  fadd(b, PX(q), PZ(q));
  fmul(xz, a, b);
  fadd(a, xx, zz);
  fsub(xz, xz, a);
  rcbTail(o);
}

/** o = p + (x2, y2) for an affine (non-identity) point, complete (RCB Algorithm 5). */
export function rcbAddMixed(o: usize, p: usize, x2: usize, y2: usize): void {
  const xx = r(0), yy = r(1), zz = r(2), xy = r(3), yz = r(4), xz = r(5), a = r(6), b = r(7);
  fmul(xx, PX(p), x2);
  fmul(yy, PY(p), y2);
  fadd(a, PX(p), PY(p));
  fadd(b, x2, y2);
  fmul(xy, a, b);
  fadd(a, xx, yy);
  fsub(xy, xy, a);
  fmul(yz, y2, PZ(p));
  fadd(yz, yz, PY(p));
  fmul(xz, x2, PZ(p));
  fadd(xz, xz, PX(p));
  fcopy(zz, PZ(p));
  rcbTail(o);
}

/** o = 2 p, exception-free doubling (RCB Algorithm 6, a = -3). */
export function rcbDouble(o: usize, p: usize): void {
  // Doubling is addition with q = p: the same tail with xy = 2XY, yz = 2YZ, xz = 2XZ.
  const xx = r(0), yy = r(1), zz = r(2), xy = r(3), yz = r(4), xz = r(5);
  fsqr(xx, PX(p));
  fsqr(yy, PY(p));
  fsqr(zz, PZ(p));
  fmul(xy, PX(p), PY(p));
  fadd(xy, xy, xy);
  fmul(yz, PY(p), PZ(p));
  fadd(yz, yz, yz);
  fmul(xz, PX(p), PZ(p));
  fadd(xz, xz, xz);
  rcbTail(o);
}

/** Affine coordinates of a projective point (x = X/Z, y = Y/Z) given 1/Z. */
export function projToAffine(x: usize, y: usize, p: usize, zinv: usize): void {
  fmul(x, PX(p), zinv);
  fmul(y, PY(p), zinv);
}

// ---------------------------------------------------------------------------------------
// Jacobian, variable time (public data only).

/** True iff the Jacobian / projective point p is the identity (Z = 0). */
export function isIdentity(p: usize): bool {
  return fzeroMask(PZ(p)) != 0;
}

/** o = 2 p (Jacobian, dbl-2001-b for a = -3). The identity maps to itself. */
export function jDouble(o: usize, p: usize): void {
  const delta = jd(0), gamma = jd(1), beta = jd(2), alpha = jd(3), t = jd(4), u = jd(5);
  fsqr(delta, PZ(p));
  fsqr(gamma, PY(p));
  fmul(beta, PX(p), gamma);
  fsub(t, PX(p), delta);
  fadd(u, PX(p), delta);
  fmul(alpha, t, u);
  triple(alpha, alpha, t);
  // Z3 = (Y + Z)^2 - gamma - delta (before X/Y of o are overwritten)
  fadd(t, PY(p), PZ(p));
  fsqr(t, t);
  fsub(t, t, gamma);
  fsub(PZ(o), t, delta);
  // X3 = alpha^2 - 8 beta
  fadd(beta, beta, beta);
  fadd(beta, beta, beta); // 4 beta
  fadd(u, beta, beta); // 8 beta
  fsqr(t, alpha);
  fsub(PX(o), t, u);
  // Y3 = alpha (4 beta - X3) - 8 gamma^2
  fsub(t, beta, PX(o));
  fmul(t, alpha, t);
  fsqr(u, gamma);
  fadd(u, u, u);
  fadd(u, u, u);
  fadd(u, u, u);
  fsub(PY(o), t, u);
}

/** o = p + (x2, y2) (Jacobian + affine, madd-2007-bl), handling every special case. */
export function jAddMixed(o: usize, p: usize, x2: usize, y2: usize): void {
  if (isIdentity(p)) {
    setAffine(o, x2, y2);
    return;
  }
  const z1z1 = j(0), u2 = j(1), s2 = j(2), h = j(3), rr = j(4), hh = j(5), i4 = j(6), jj = j(7), v = j(8), t = j(9);
  fsqr(z1z1, PZ(p));
  fmul(u2, x2, z1z1);
  fmul(s2, y2, PZ(p));
  fmul(s2, s2, z1z1);
  fsub(h, u2, PX(p));
  fsub(rr, s2, PY(p));
  if (fzeroMask(h) != 0) {
    if (fzeroMask(rr) != 0) jDouble(o, p);
    else setIdentity(o);
    return;
  }
  fadd(rr, rr, rr);
  fsqr(hh, h);
  fadd(i4, hh, hh);
  fadd(i4, i4, i4);
  fmul(jj, h, i4);
  fmul(v, PX(p), i4);
  // Z3 = (Z1 + H)^2 - Z1Z1 - HH (Z1 is read before o is written)
  fadd(t, PZ(p), h);
  fsqr(t, t);
  fsub(t, t, z1z1);
  fsub(u2, t, hh); // u2 <- Z3
  // Y1 J (needed after X3 overwrites o)
  fmul(s2, PY(p), jj);
  // X3 = r^2 - J - 2V
  fsqr(t, rr);
  fsub(t, t, jj);
  fsub(t, t, v);
  fsub(PX(o), t, v);
  // Y3 = r (V - X3) - 2 Y1 J
  fsub(t, v, PX(o));
  fmul(t, rr, t);
  fadd(s2, s2, s2);
  fsub(PY(o), t, s2);
  fcopy(PZ(o), u2);
}

/** o = p + q (Jacobian, add-2007-bl), handling every special case. */
export function jAdd(o: usize, p: usize, q: usize): void {
  if (isIdentity(p)) {
    copyPoint(o, q);
    return;
  }
  if (isIdentity(q)) {
    copyPoint(o, p);
    return;
  }
  const z1z1 = j(0), z2z2 = j(1), u1 = j(2), u2 = j(3), s1 = j(4), s2 = j(5), h = j(6), rr = j(7), i = j(8), jj = j(9), v = j(10), t = j(11), z3 = j(12);
  fsqr(z1z1, PZ(p));
  fsqr(z2z2, PZ(q));
  fmul(u1, PX(p), z2z2);
  fmul(u2, PX(q), z1z1);
  fmul(s1, PY(p), PZ(q));
  fmul(s1, s1, z2z2);
  fmul(s2, PY(q), PZ(p));
  fmul(s2, s2, z1z1);
  fsub(h, u2, u1);
  fsub(rr, s2, s1);
  if (fzeroMask(h) != 0) {
    if (fzeroMask(rr) != 0) jDouble(o, p);
    else setIdentity(o);
    return;
  }
  fadd(rr, rr, rr);
  fadd(i, h, h);
  fsqr(i, i);
  fmul(jj, h, i);
  fmul(v, u1, i);
  // Z3 = ((Z1 + Z2)^2 - Z1Z1 - Z2Z2) H
  fadd(t, PZ(p), PZ(q));
  fsqr(t, t);
  fsub(t, t, z1z1);
  fsub(t, t, z2z2);
  fmul(z3, t, h);
  // X3 = r^2 - J - 2V
  fsqr(t, rr);
  fsub(t, t, jj);
  fsub(t, t, v);
  fsub(PX(o), t, v);
  // Y3 = r (V - X3) - 2 S1 J
  fsub(t, v, PX(o));
  fmul(t, rr, t);
  fmul(s1, s1, jj);
  fadd(s1, s1, s1);
  fsub(PY(o), t, s1);
  fcopy(PZ(o), z3);
}

/** o = -p (both coordinate systems). */
export function negPoint(o: usize, p: usize): void {
  fcopy(PX(o), PX(p));
  fsub(PY(o), F_ZERO, PY(p));
  fcopy(PZ(o), PZ(p));
}

const vT = memory.data(4 * SLOT_BYTES);

/** True iff (x, y) satisfies y^2 = x^3 - 3x + b (x, y already < p). SEC 1 §3.2.2.1 step 3. */
export function onCurve(x: usize, y: usize): bool {
  const l = vT + 2 * SLOT, rr = vT + 3 * SLOT;
  fsqr(l, y);
  curveRhs(rr, x);
  return feqMask(l, rr) != 0;
}

/** o = x^3 - 3x + b (the right-hand side of the curve equation). */
export function curveRhs(o: usize, x: usize): void {
  const t = vT, u = vT + SLOT;
  fsqr(t, x);
  fmul(t, t, x);
  fadd(u, x, x);
  fadd(u, u, x);
  fsub(t, t, u);
  fadd(o, t, gB);
}
