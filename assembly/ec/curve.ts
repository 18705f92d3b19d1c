// The NIST prime curves y^2 = x^3 - 3x + b over GF(p) with prime order n (cofactor 1):
// P-256, P-384, P-521 (FIPS 186-5 §6 / SP 800-186 §3.2.1.3-3.2.1.5, SEC 2 §2.4.2, 2.5.1, 2.6.1).
//
// One curve is "current" at a time (`useCurve`); the field, scalar and point code read the
// globals below. Each curve's constants are derived once, on first use, into a block that is
// never freed. Field elements and scalars are FN little-endian u32 limbs stored in slots of
// SLOT bytes.

import { fromHex, setSmall, addMod, copyN } from './limbs';
import { modinvSetup, MODINV_INFO_BYTES } from './modinv';

/** Curve ids shared with JS (src/core/ops/ec.ts). */
export const CURVE_P256: i32 = 1;
export const CURVE_P384: i32 = 2;
export const CURVE_P521: i32 = 3;

/** Bytes per field element / scalar slot (17 limbs rounded up). */
export const SLOT: usize = 72;
/** SLOT as an i32 (for static buffer sizes). */
export const SLOT_BYTES: i32 = 72;
/** Largest limb count (P-521). */
export const MAX_LIMBS: i32 = 17;

// Block layout of a curve's constants.
const O_P: usize = 0;
const O_N: usize = SLOT;
const O_B: usize = 2 * SLOT;
const O_GX: usize = 3 * SLOT;
const O_GY: usize = 4 * SLOT;
const O_SQRT: usize = 5 * SLOT;
const O_NR2: usize = 6 * SLOT;
const O_PINV: usize = 7 * SLOT;
const O_NINV: usize = O_PINV + <usize>MODINV_INFO_BYTES;
const O_N0: usize = O_NINV + <usize>MODINV_INFO_BYTES;
const BLOCK: usize = O_N0 + 8;

const blocks = memory.data(4 * sizeof<usize>());

/** Current curve id (CURVE_*), 0 before the first useCurve. */
export let cid: i32 = 0;
/** Limbs per field element and scalar. */
export let FN: i32 = 0;
/** Bytes of an encoded field element or scalar (32, 48, 66). */
export let FBYTES: i32 = 0;
/** Bit length of p and of n (256, 384, 521). */
export let QBITS: i32 = 0;
/** Pointers to the current curve's constants. */
export let gP: usize = 0;
export let gN: usize = 0;
export let gB: usize = 0;
export let gGX: usize = 0;
export let gGY: usize = 0;
/** (p + 1) / 4: square roots are a^((p+1)/4) since p = 3 (mod 4) for all three curves. */
export let gSqrtExp: usize = 0;
/** R^2 mod n with R = 2^(32 FN) (Montgomery form conversion). */
export let gNR2: usize = 0;
/** Inversion data for p and n (modinv.ts). */
export let gPinv: usize = 0;
export let gNinv: usize = 0;
/** -n^-1 mod 2^32. */
export let gN0: u32 = 0;

function limbsOf(id: i32): i32 {
  return id == CURVE_P256 ? 8 : id == CURVE_P384 ? 12 : 17;
}

function setup(id: i32): usize {
  const blk = heap.alloc(BLOCK);
  memory.fill(blk, 0, BLOCK);
  const n = limbsOf(id);
  let bits = 0;
  if (id == CURVE_P256) {
    bits = 256;
    fromHex(blk + O_P, 'ffffffff00000001000000000000000000000000ffffffffffffffffffffffff', n);
    fromHex(blk + O_N, 'ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551', n);
    fromHex(blk + O_B, '5ac635d8aa3a93e7b3ebbd55769886bc651d06b0cc53b0f63bce3c3e27d2604b', n);
    fromHex(blk + O_GX, '6b17d1f2e12c4247f8bce6e563a440f277037d812deb33a0f4a13945d898c296', n);
    fromHex(blk + O_GY, '4fe342e2fe1a7f9b8ee7eb4a7c0f9e162bce33576b315ececbb6406837bf51f5', n);
  } else if (id == CURVE_P384) {
    bits = 384;
    fromHex(blk + O_P, 'fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffeffffffff0000000000000000ffffffff', n);
    fromHex(blk + O_N, 'ffffffffffffffffffffffffffffffffffffffffffffffffc7634d81f4372ddf581a0db248b0a77aecec196accc52973', n);
    fromHex(blk + O_B, 'b3312fa7e23ee7e4988e056be3f82d19181d9c6efe8141120314088f5013875ac656398d8a2ed19d2a85c8edd3ec2aef', n);
    fromHex(blk + O_GX, 'aa87ca22be8b05378eb1c71ef320ad746e1d3b628ba79b9859f741e082542a385502f25dbf55296c3a545e3872760ab7', n);
    fromHex(blk + O_GY, '3617de4a96262c6f5d9e98bf9292dc29f8f41dbd289a147ce9da3113b5f0b8c00a60b1ce1d7e819d7a431d7c90ea0e5f', n);
  } else {
    bits = 521;
    fromHex(blk + O_P, '1ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff', n);
    fromHex(blk + O_N, '1fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffa51868783bf2f966b7fcc0148f709a5d03bb5c9b8899c47aebb6fb71e91386409', n);
    fromHex(blk + O_B, '51953eb9618e1c9a1f929a21a0b68540eea2da725b99b315f3b8b489918ef109e156193951ec7e937b1652c0bd3bb1bf073573df883d2c34f1ef451fd46b503f00', n);
    fromHex(blk + O_GX, 'c6858e06b70404e9cd9e3ecb662395b4429c648139053fb521f828af606b4d3dbaa14b5e77efe75928fe1dc127a2ffa8de3348b3c1856a429bf97e7e31c2e5bd66', n);
    fromHex(blk + O_GY, '11839296a789a3bc0045c8a5fb42c7d1bd998f54449579b446817afbd17273e662c97ee72995ef42640c550b9013fad0761353c7086a272c24088be94769fd16650', n);
  }
  // (p + 1) / 4: p = 3 mod 4, so add 1 and shift right by two.
  const e = blk + O_SQRT;
  copyN(e, blk + O_P, n);
  let c: u64 = 1;
  for (let i = 0; i < n; i++) {
    c += <u64>load<u32>(e + (<usize>i << 2));
    store<u32>(e + (<usize>i << 2), <u32>c);
    c >>= 32;
  }
  for (let i = 0; i < n; i++) {
    const hi: u32 = i + 1 < n ? load<u32>(e + (<usize>(i + 1) << 2)) : <u32>c;
    store<u32>(e + (<usize>i << 2), (load<u32>(e + (<usize>i << 2)) >>> 2) | (hi << 30));
  }
  // R^2 mod n by doubling 1 (64 FN times); public values, setup only.
  const r2 = blk + O_NR2;
  setSmall(r2, 1, n);
  const scratch = heap.alloc(SLOT);
  for (let i = 0; i < 64 * n; i++) addMod(r2, r2, r2, blk + O_N, n, scratch);
  heap.free(scratch);
  // -n^-1 mod 2^32 (Newton).
  const n0 = load<u32>(blk + O_N);
  let x: u32 = n0;
  for (let i = 0; i < 5; i++) x *= 2 - n0 * x;
  store<u32>(blk + O_N0, 0 - x);
  modinvSetup(blk + O_PINV, blk + O_P, n, bits);
  modinvSetup(blk + O_NINV, blk + O_N, n, bits);
  return blk;
}

/** True for a supported curve id. */
export function curveKnown(id: i32): bool {
  return id == CURVE_P256 || id == CURVE_P384 || id == CURVE_P521;
}

/** Makes `id` the current curve (setting it up on first use). Returns false if unknown. */
export function useCurve(id: i32): bool {
  if (!curveKnown(id)) return false;
  if (cid == id) return true;
  const slot = blocks + <usize>id * sizeof<usize>();
  let blk = load<usize>(slot);
  if (blk == 0) {
    blk = setup(id);
    store<usize>(slot, blk);
  }
  cid = id;
  FN = limbsOf(id);
  QBITS = id == CURVE_P256 ? 256 : id == CURVE_P384 ? 384 : 521;
  FBYTES = (QBITS + 7) >> 3;
  gP = blk + O_P;
  gN = blk + O_N;
  gB = blk + O_B;
  gGX = blk + O_GX;
  gGY = blk + O_GY;
  gSqrtExp = blk + O_SQRT;
  gNR2 = blk + O_NR2;
  gPinv = blk + O_PINV;
  gNinv = blk + O_NINV;
  gN0 = load<u32>(blk + O_N0);
  return true;
}
