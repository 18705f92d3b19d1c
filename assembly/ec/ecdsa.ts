// ECDSA over the current curve (FIPS 186-5 §6.4, SEC 1 v2 §4.1) with deterministic nonces
// (RFC 6979 §3.2, HMAC-DRBG with the message hash), key generation by rejection sampling
// (FIPS 186-5 §A.2.2), signature encodings DER (Ecdsa-Sig-Value, RFC 3279 §2.2.3 / SEC 1
// §C.5, strict) and IEEE P1363 (r || s, FBYTES each).

import { FN, FBYTES, QBITS, gN, gP } from './curve';
import { fmul, fsqr, feqMask, fcopy } from './field';
import { POINT, PX, PZ, wipePointScratch, isIdentity } from './point';
import { mulBase, mulDoubleVar, toAffine } from './mul';
import { smul, sadd, sinv, sreduceOnce, sltN, bits2int } from './scalar';
import { isZeroMask, toBE, fromBE, addN, ltMask } from './limbs';
import { keyD, pubX, pubY } from './keys';
import { derElem, derBody, derUint, derUintMag, derUintMagLen, wReset, wPos, wWrap, wUint, wFinish, wWipe } from './der';
import { Hmac } from '../kdf';
import { hashSize, HASH_MD5 } from '../hash';

// @ts-ignore: decorator
@external('env', 'random_fill')
declare function random_fill(ptr: usize, len: usize): void;

/** Signature formats. */
export const SIG_DER: i32 = 1;
export const SIG_P1363: i32 = 2;

/** True for the hashes ECDSA may use here: SHA-1 and the SHA-2 family (not MD5). */
export function ecdsaHashOk(alg: i32): bool {
  return alg != HASH_MD5 && hashSize(alg) != 0;
}

const sE = memory.data(72);
const sK = memory.data(72);
const sR = memory.data(72);
const sS = memory.data(72);
const sT = memory.data(72);
const sKinv = memory.data(72);
const rx = memory.data(72);
const ry = memory.data(72);
const pt = memory.data(216);
const bytesA = memory.data(80);
const bytesB = memory.data(80);

// RFC 6979 state: K, V (hlen bytes each), T (up to FBYTES + hlen bytes), one-byte separators.
const dK = memory.data(64);
const dV = memory.data(64);
const dT = memory.data(160);
const dX = memory.data(80); // int2octets(x)
const dH = memory.data(80); // bits2octets(h1)
const SEP0 = memory.data<u8>([0]);
const SEP1 = memory.data<u8>([1]);
const hmacs = new StaticArray<Hmac | null>(9);

function hmacFor(alg: i32): Hmac {
  let h = hmacs[alg];
  if (h === null) {
    h = new Hmac(alg);
    hmacs[alg] = h;
  }
  return h;
}

/** K = HMAC_K(V || sep || x || h1); V = HMAC_K(V) (RFC 6979 §3.2 steps d-g). */
function drbgMix(h: Hmac, hlen: usize, sep: usize): void {
  h.init(dK, hlen);
  h.update(dV, hlen);
  h.update(sep, 1);
  h.update(dX, <usize>FBYTES);
  h.update(dH, <usize>FBYTES);
  h.final(dK);
  h.init(dK, hlen);
  h.update(dV, hlen);
  h.final(dV);
}

/** RFC 6979 §3.2 steps a-g for the private key in keyD and the digest h1. */
function drbgInit(h: Hmac, h1: usize, h1len: i32): void {
  const hlen = <usize>h.size;
  memory.fill(dV, 0x01, hlen);
  memory.fill(dK, 0x00, hlen);
  toBE(dX, keyD, FBYTES, FN);
  // bits2octets(h1) = int2octets(bits2int(h1) mod q)
  bits2int(sT, h1, h1len);
  sreduceOnce(sT);
  toBE(dH, sT, FBYTES, FN);
  drbgMix(h, hlen, SEP0);
  drbgMix(h, hlen, SEP1);
}

/** RFC 6979 §3.2 step h: the next candidate k in [1, n-1] into sK. */
function drbgNext(h: Hmac): void {
  const hlen = <usize>h.size;
  for (;;) {
    let tlen: usize = 0;
    while (tlen * 8 < <usize>QBITS) {
      h.update(dV, hlen);
      h.final(dV);
      memory.copy(dT + tlen, dV, hlen);
      tlen += hlen;
    }
    bits2int(sK, dT, <i32>tlen);
    if (isZeroMask(sK, FN) == 0 && sltN(sK) != 0) return;
    drbgRetry(h);
  }
}

/** K = HMAC_K(V || 0x00); V = HMAC_K(V) (after an unsuitable k). */
function drbgRetry(h: Hmac): void {
  const hlen = <usize>h.size;
  h.update(dV, hlen);
  h.update(SEP0, 1);
  h.final(dK);
  h.init(dK, hlen);
  h.update(dV, hlen);
  h.final(dV);
}

function wipeSign(): void {
  memory.fill(dK, 0, 64);
  memory.fill(dV, 0, 64);
  memory.fill(dT, 0, 160);
  memory.fill(dX, 0, 80);
  memory.fill(dH, 0, 80);
  memory.fill(sK, 0, 72);
  memory.fill(sKinv, 0, 72);
  memory.fill(sT, 0, 72);
  memory.fill(pt, 0, 216);
  memory.fill(rx, 0, 72);
  memory.fill(ry, 0, 72);
  memory.fill(bytesA, 0, 80);
  memory.fill(bytesB, 0, 80);
  wipePointScratch();
}

/**
 * Signs the digest h1 (h1len bytes of hash `alg`) with the private key in keyD (current
 * curve): FIPS 186-5 §6.4.1 with k from RFC 6979. Writes the signature in `format` to out
 * (capacity cap); returns its length or -1 if cap is too small. Wipes every secret.
 */
export function signDigest(alg: i32, h1: usize, h1len: i32, format: i32, out: usize, cap: i32): i32 {
  const h = hmacFor(alg);
  // e = bits2int(H(m)) mod n
  bits2int(sE, h1, h1len);
  sreduceOnce(sE);
  drbgInit(h, h1, h1len);
  for (;;) {
    drbgNext(h);
    mulBase(pt, sK);
    toAffine(rx, ry, pt);
    // r = x mod n (x < p < 2n)
    fcopy(sR, rx);
    sreduceOnce(sR);
    if (isZeroMask(sR, FN) == 0) {
      // s = k^-1 (e + r d) mod n
      smul(sT, sR, keyD);
      sadd(sT, sT, sE);
      sinv(sKinv, sK);
      smul(sS, sKinv, sT);
      if (isZeroMask(sS, FN) == 0) break;
    }
    drbgRetry(h);
  }
  h.wipe();
  const n = encodeSig(format, out, cap);
  wipeSign();
  return n;
}

function encodeSig(format: i32, out: usize, cap: i32): i32 {
  toBE(bytesA, sR, FBYTES, FN);
  toBE(bytesB, sS, FBYTES, FN);
  if (format == SIG_P1363) {
    if (cap < 2 * FBYTES) return -1;
    memory.copy(out, bytesA, <usize>FBYTES);
    memory.copy(out + <usize>FBYTES, bytesB, <usize>FBYTES);
    return 2 * FBYTES;
  }
  wReset();
  const m = wPos();
  wUint(bytesB, FBYTES);
  wUint(bytesA, FBYTES);
  wWrap(0x30, m);
  const n = wFinish(out, cap);
  wWipe();
  return n;
}

/** Parses a signature into sR, sS; false if malformed or r, s not in [1, n-1]. */
function decodeSig(sig: usize, len: i32, format: i32): bool {
  if (format == SIG_P1363) {
    if (len != 2 * FBYTES) return false;
    fromBE(sR, sig, FBYTES, FN);
    fromBE(sS, sig + <usize>FBYTES, FBYTES, FN);
  } else {
    const end = sig + <usize>len;
    const l = derElem(sig, end, 0x30);
    if (l < 0 || derBody + <usize>l != end) return false;
    let q = derBody;
    let il = derUint(q, end, FBYTES);
    if (il < 0) return false;
    fromBE(sR, derUintMag(il), derUintMagLen(il), FN);
    q = derBody + <usize>il;
    il = derUint(q, end, FBYTES);
    if (il < 0) return false;
    fromBE(sS, derUintMag(il), derUintMagLen(il), FN);
    if (derBody + <usize>il != end) return false;
  }
  if (isZeroMask(sR, FN) != 0 || sltN(sR) == 0) return false;
  if (isZeroMask(sS, FN) != 0 || sltN(sS) == 0) return false;
  return true;
}

const vW = memory.data(72);
const vU1 = memory.data(72);
const vU2 = memory.data(72);
const vZ2 = memory.data(72);
const vT = memory.data(72);
const vRN = memory.data(80);

/**
 * Verifies a signature over the digest h (hlen bytes) with the public key in pubX/pubY
 * (current curve, validated): FIPS 186-5 §6.4.2. Returns 1 (valid) or 0. Variable time.
 */
export function verifyDigest(h: usize, hlen: i32, sig: usize, sigLen: i32, format: i32): i32 {
  if (!decodeSig(sig, sigLen, format)) return 0;
  bits2int(sE, h, hlen);
  sreduceOnce(sE);
  sinv(vW, sS);
  smul(vU1, sE, vW);
  smul(vU2, sR, vW);
  mulDoubleVar(pt, vU1, vU2, pubX, pubY);
  if (isIdentity(pt)) return 0;
  // x(R) = X / Z^2; accept iff x mod n == r, i.e. X == r Z^2 or (r + n < p and X == (r + n) Z^2).
  fsqr(vZ2, PZ(pt));
  fmul(vT, sR, vZ2);
  if (feqMask(vT, PX(pt)) != 0) return 1;
  memory.fill(vRN, 0, 80);
  const carry = addN(vRN, sR, gN, FN);
  if (carry == 0 && ltMask(vRN, gP, FN) != 0) {
    fmul(vT, vRN, vZ2);
    if (feqMask(vT, PX(pt)) != 0) return 1;
  }
  return 0;
}

/** Random private scalar in [1, n-1] by rejection sampling (FIPS 186-5 §A.2.2) into keyD. */
export function generateScalar(): void {
  const top = QBITS & 7; // significant bits of the leading byte (0 = all 8)
  for (;;) {
    random_fill(bytesA, <usize>FBYTES);
    if (top != 0) {
      const m: i32 = (1 << top) - 1;
      store<u8>(bytesA, load<u8>(bytesA) & <u8>m);
    }
    fromBE(keyD, bytesA, FBYTES, FN);
    const ok = (~isZeroMask(keyD, FN)) & sltN(keyD);
    if (ok != 0) break;
  }
  memory.fill(bytesA, 0, 80);
}

/** pubX/pubY = keyD G (constant time). */
export function derivePublic(): void {
  mulBase(pt, keyD);
  toAffine(pubX, pubY, pt);
  memory.fill(pt, 0, POINT);
  wipePointScratch();
}
