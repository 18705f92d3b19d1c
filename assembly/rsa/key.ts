// RSA keys in linear memory: parsing and validation of PKCS#1 (RSAPublicKey, RSAPrivateKey,
// RFC 8017 A.1), SubjectPublicKeyInfo (RFC 5280 4.1, RFC 3279 2.3.1, RFC 4055 §3) and
// PKCS#8 PrivateKeyInfo (RFC 5208 / RFC 5958), and encoding back to them.
//
// One key is loaded at a time into module buffers (the key DER travels with every call) and
// keyWipe() zeroes them before the call returns. Two-prime private keys used for private
// operations are also kept, parsed, in the private-key cache (cache.ts: keySave/keyRestore).

import {
  MAX_LIMBS, zero, limb, fromBytesBE, toBytesBE, bitLengthVT, limbLengthVT, mul, eqMask,
  ltMask, isZeroMask,
} from '../bn/limbs';
import {
  dTag, dStart, dEnd, derRead, derExpect, derPositiveInt, derContentIs, derSize, derHeader,
  derIntContentLen, derWriteInt, derWriteRaw,
} from './der';
import { E_RSA_KEY, E_RSA_KEY_INVALID, E_RSA_KEY_USE, E_RSA_BUFFER } from './errors';
import { HASH_SHA1, HASH_SHA224, HASH_SHA256, HASH_SHA384, HASH_SHA512, HASH_SHA512_224, HASH_SHA512_256, HASH_MD5 } from '../hash';

/** Smallest and largest supported modulus, in bits. */
export const MIN_BITS: i32 = 512;
export const MAX_BITS: i32 = 8192;
/** Largest public exponent, in bits: e < 2^256 (NIST SP 800-56B). */
export const MAX_E_BITS: i32 = 256;

const L: i32 = MAX_LIMBS + 2;
const bN = new StaticArray<u32>(L);
const bE = new StaticArray<u32>(L);
const bD = new StaticArray<u32>(L);
const bP = new StaticArray<u32>(L);
const bQ = new StaticArray<u32>(L);
const bDP = new StaticArray<u32>(L);
const bDQ = new StaticArray<u32>(L);
const bQI = new StaticArray<u32>(L);
const bProd = new StaticArray<u32>(2 * L + 4);
const bProd2 = new StaticArray<u32>(2 * L + 4);
const bTmp = new StaticArray<u32>(L);

/** Key components as plain little-endian limbs. */
export const KN: usize = changetype<usize>(bN);
export const KE: usize = changetype<usize>(bE);
export const KD: usize = changetype<usize>(bD);
export const KP: usize = changetype<usize>(bP);
export const KQ: usize = changetype<usize>(bQ);
export const KDP: usize = changetype<usize>(bDP);
export const KDQ: usize = changetype<usize>(bDQ);
export const KQI: usize = changetype<usize>(bQI);

/** 0 no key, 1 public, 2 private. */
export let kKind: i32 = 0;
/** Limbs of n (and of every other component buffer that is read with it). */
export let kLimbs: i32 = 0;
/** Bits and bytes (k) of n. */
export let kBits: i32 = 0;
export let kBytes: i32 = 0;
/** Limbs of e. */
export let kELimbs: i32 = 0;
/** True for a two-prime private key (CRT), false for multi-prime (private ops use d). */
export let kCrt: bool = false;
/** Number of primes of a private key. */
export let kPrimes: i32 = 0;
/** True when the key's algorithm is id-RSASSA-PSS; then kPssParams says whether it carries
 *  RSASSA-PSS-params, which restrict it to kPssHash / kPssMgf / kPssSalt. */
export let kPss: bool = false;
export let kPssParams: bool = false;
export let kPssHash: i32 = 0;
export let kPssMgf: i32 = 0;
export let kPssSalt: i32 = 0;
/** The AlgorithmIdentifier TLV of an id-RSASSA-PSS key and the otherPrimeInfos TLV of a
 *  multi-prime key, as positions in the caller's input (valid during the call only). */
let kAlgPtr: usize = 0;
let kAlgLen: i32 = 0;
let kOtherPtr: usize = 0;
let kOtherLen: i32 = 0;

// OID contents
const OID_RSA: usize = memory.data<u8>([0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01]);
const OID_PSS: usize = memory.data<u8>([0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0a]);
const OID_MGF1: usize = memory.data<u8>([0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x08]);
const OID_MD5: usize = memory.data<u8>([0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x02, 0x05]);
const OID_SHA1: usize = memory.data<u8>([0x2b, 0x0e, 0x03, 0x02, 0x1a]);
const OID_SHA2: usize = memory.data<u8>([0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x00]);

/** Wipes the loaded key. */
export function keyWipe(): void {
  zero(KN, L);
  zero(KE, L);
  zero(KD, L);
  zero(KP, L);
  zero(KQ, L);
  zero(KDP, L);
  zero(KDQ, L);
  zero(KQI, L);
  zero(changetype<usize>(bProd), 2 * L + 4);
  zero(changetype<usize>(bProd2), 2 * L + 4);
  zero(changetype<usize>(bTmp), L);
  kKind = 0;
  kLimbs = 0;
  kBits = 0;
  kBytes = 0;
  kELimbs = 0;
  kCrt = false;
  kPrimes = 0;
  kPss = false;
  kPssParams = false;
  kAlgPtr = 0;
  kAlgLen = 0;
  kOtherPtr = 0;
  kOtherLen = 0;
}

/** Bytes of the metadata written by keySave. */
export const KEY_META_BYTES: i32 = 64;

/**
 * Copies the loaded two-prime private key (kLimbs limbs of each of n, e, d, p, q, dp, dq,
 * qInv, `compBytes` bytes apart at comps) and its metadata (KEY_META_BYTES at meta) out, for
 * the private-key cache (cache.ts). `der` is the DER the key was parsed from: the PSS
 * AlgorithmIdentifier is kept as an offset into it.
 */
export function keySave(comps: usize, compBytes: usize, meta: usize, der: usize): void {
  const lb = <usize>kLimbs << 2;
  memory.copy(comps, KN, lb);
  memory.copy(comps + compBytes, KE, lb);
  memory.copy(comps + 2 * compBytes, KD, lb);
  memory.copy(comps + 3 * compBytes, KP, lb);
  memory.copy(comps + 4 * compBytes, KQ, lb);
  memory.copy(comps + 5 * compBytes, KDP, lb);
  memory.copy(comps + 6 * compBytes, KDQ, lb);
  memory.copy(comps + 7 * compBytes, KQI, lb);
  store<i32>(meta, kKind);
  store<i32>(meta, kLimbs, 4);
  store<i32>(meta, kBits, 8);
  store<i32>(meta, kBytes, 12);
  store<i32>(meta, kELimbs, 16);
  store<i32>(meta, kCrt ? 1 : 0, 20);
  store<i32>(meta, kPrimes, 24);
  store<i32>(meta, kPss ? 1 : 0, 28);
  store<i32>(meta, kPssParams ? 1 : 0, 32);
  store<i32>(meta, kPssHash, 36);
  store<i32>(meta, kPssMgf, 40);
  store<i32>(meta, kPssSalt, 44);
  store<i32>(meta, kPss ? <i32>(kAlgPtr - der) : 0, 48);
  store<i32>(meta, kAlgLen, 52);
}

/**
 * The inverse of keySave: makes the saved key the loaded key (as keyLoad of the same DER,
 * now at `der`, would). The key buffers must be wiped (keyWipe) before.
 */
export function keyRestore(comps: usize, compBytes: usize, meta: usize, der: usize): void {
  kKind = load<i32>(meta);
  kLimbs = load<i32>(meta, 4);
  kBits = load<i32>(meta, 8);
  kBytes = load<i32>(meta, 12);
  kELimbs = load<i32>(meta, 16);
  kCrt = load<i32>(meta, 20) != 0;
  kPrimes = load<i32>(meta, 24);
  kPss = load<i32>(meta, 28) != 0;
  kPssParams = load<i32>(meta, 32) != 0;
  kPssHash = load<i32>(meta, 36);
  kPssMgf = load<i32>(meta, 40);
  kPssSalt = load<i32>(meta, 44);
  kAlgPtr = kPss ? der + <usize>load<i32>(meta, 48) : 0;
  kAlgLen = load<i32>(meta, 52);
  const lb = <usize>kLimbs << 2;
  memory.copy(KN, comps, lb);
  memory.copy(KE, comps + compBytes, lb);
  memory.copy(KD, comps + 2 * compBytes, lb);
  memory.copy(KP, comps + 3 * compBytes, lb);
  memory.copy(KQ, comps + 4 * compBytes, lb);
  memory.copy(KDP, comps + 5 * compBytes, lb);
  memory.copy(KDQ, comps + 6 * compBytes, lb);
  memory.copy(KQI, comps + 7 * compBytes, lb);
}

/** Marks the components written by key generation (two primes, CRT) as the loaded key. */
export function keySetGenerated(): void {
  kKind = 2;
  kLimbs = limbLengthVT(KN, MAX_LIMBS);
  kBits = bitLengthVT(KN, kLimbs);
  kBytes = (kBits + 7) >> 3;
  kELimbs = limbLengthVT(KE, MAX_LIMBS);
  kCrt = true;
  kPrimes = 2;
  kPss = false;
  kPssParams = false;
}

/** Reads a positive INTEGER at p (< end) into dst (MAX_LIMBS limbs max); returns the next position or 0. */
function readInt(dst: usize, p: usize, end: usize): usize {
  if (!derExpect(p, end, 0x02) || !derPositiveInt()) return 0;
  const len = <i32>(dEnd - dStart);
  if (len > MAX_LIMBS * 4) return 0;
  const next = dEnd;
  fromBytesBE(dst, MAX_LIMBS, dStart, len);
  return next;
}

/** Reads a hash AlgorithmIdentifier (parameters NULL or absent); returns its HASH_* id or 0. */
function readHashAlg(p: usize, end: usize): i32 {
  if (!derExpect(p, end, 0x30)) return 0;
  const e = dEnd;
  if (!derExpect(dStart, e, 0x06)) return 0;
  const os = dStart, ol = dEnd - dStart, after = dEnd;
  if (after != e) {
    if (!derExpect(after, e, 0x05) || dEnd != dStart || dEnd != e) return 0;
  }
  if (ol == 5 && memory.compare(os, OID_SHA1, 5) == 0) return HASH_SHA1;
  if (ol == 8 && memory.compare(os, OID_MD5, 8) == 0) return HASH_MD5;
  if (ol == 9 && memory.compare(os, OID_SHA2, 8) == 0) {
    switch (load<u8>(os + 8)) {
      case 1: return HASH_SHA256;
      case 2: return HASH_SHA384;
      case 3: return HASH_SHA512;
      case 4: return HASH_SHA224;
      case 5: return HASH_SHA512_224;
      case 6: return HASH_SHA512_256;
    }
  }
  return 0;
}

/**
 * Parses RSASSA-PSS-params (RFC 8017 A.2.3) in [p, end) into kPssHash/kPssMgf/kPssSalt.
 * DEFAULT values may be omitted (sha1, mgf1SHA1, 20, trailerFieldBC); the trailer field must
 * be 1.
 */
function readPssParams(p: usize, end: usize): bool {
  kPssHash = HASH_SHA1;
  kPssMgf = HASH_SHA1;
  kPssSalt = 20;
  let q = p;
  let lastTag: u32 = 0;
  while (q < end) {
    if (!derRead(q, end)) return false;
    const tag = dTag, s = dStart, e = dEnd;
    if (tag <= lastTag || tag < 0xa0 || tag > 0xa3) return false; // order and known fields
    lastTag = tag;
    if (tag == 0xa0) {
      const h = readHashAlg(s, e);
      if (h == 0 || dEnd != e) return false;
      kPssHash = h;
    } else if (tag == 0xa1) {
      if (!derExpect(s, e, 0x30) || dEnd != e) return false;
      const ae = dEnd;
      if (!derExpect(dStart, ae, 0x06) || !derContentIs(OID_MGF1, 9)) return false;
      const h = readHashAlg(dEnd, ae);
      if (h == 0 || dEnd != ae) return false;
      kPssMgf = h;
    } else if (tag == 0xa2) {
      if (!derExpect(s, e, 0x02) || dEnd != e || !derPositiveInt()) return false;
      const l = dEnd - dStart;
      if (l > 3) return false;
      let v: i32 = 0;
      for (let i: usize = 0; i < l; i++) v = (v << 8) | <i32>load<u8>(dStart + i);
      kPssSalt = v;
    } else {
      if (!derExpect(s, e, 0x02) || dEnd != e || dEnd - dStart != 1 || load<u8>(dStart) != 1) return false;
    }
    q = e;
  }
  return true;
}

/**
 * Parses an AlgorithmIdentifier at p: rsaEncryption (parameters NULL or absent) or
 * id-RSASSA-PSS (parameters absent or RSASSA-PSS-params). Sets kPss*; returns the end or 0.
 */
function readKeyAlg(p: usize, end: usize): usize {
  if (!derExpect(p, end, 0x30)) return 0;
  const algEnd = dEnd;
  if (!derExpect(dStart, algEnd, 0x06)) return 0;
  const after = dEnd;
  if (derContentIs(OID_RSA, 9)) {
    if (after != algEnd && (!derExpect(after, algEnd, 0x05) || dStart != dEnd || dEnd != algEnd)) return 0;
    kPss = false;
    return algEnd;
  }
  if (derContentIs(OID_PSS, 9)) {
    kPss = true;
    kAlgPtr = p;
    kAlgLen = <i32>(algEnd - p);
    if (after == algEnd) {
      kPssParams = false;
      return algEnd;
    }
    if (!derExpect(after, algEnd, 0x30) || dEnd != algEnd) return 0;
    kPssParams = true;
    return readPssParams(dStart, dEnd) ? algEnd : 0;
  }
  return 0;
}

/** Finishes a public key: sizes and the checks on n and e. */
function finishPublic(): i32 {
  kLimbs = limbLengthVT(KN, MAX_LIMBS);
  kBits = bitLengthVT(KN, kLimbs);
  kBytes = (kBits + 7) >> 3;
  kELimbs = limbLengthVT(KE, MAX_LIMBS);
  if (kBits < MIN_BITS || kBits > MAX_BITS) return E_RSA_KEY_INVALID;
  if ((limb(KN, 0) & 1) == 0) return E_RSA_KEY_INVALID;
  // e odd, 3 <= e < n, and e < 2^256 (NIST SP 800-56B §6.2.1): a public exponent as long as
  // the modulus would make every public operation as slow as a private one (hostile input)
  if ((limb(KE, 0) & 1) == 0 || (kELimbs == 1 && limb(KE, 0) < 3)) return E_RSA_KEY_INVALID;
  if (bitLengthVT(KE, kELimbs) >= kBits) return E_RSA_KEY_INVALID;
  if (bitLengthVT(KE, kELimbs) > MAX_E_BITS) return E_RSA_KEY_INVALID;
  return 0;
}

/** RSAPublicKey content [p, end). */
function parsePublicPkcs1(p: usize, end: usize): i32 {
  p = readInt(KN, p, end);
  if (!p) return E_RSA_KEY;
  p = readInt(KE, p, end);
  if (!p || p != end) return E_RSA_KEY;
  kKind = 1;
  return finishPublic();
}

/** True if the n-limb a is in (0, b) for the n-limb b. */
function inRange(a: usize, b: usize, n: i32): bool {
  return isZeroMask(a, n) == 0 && ltMask(a, b, n) != 0;
}

/** RSAPrivateKey content [p, end). */
function parsePrivatePkcs1(p: usize, end: usize): i32 {
  if (!derExpect(p, end, 0x02) || dEnd - dStart != 1) return E_RSA_KEY;
  const version = load<u8>(dStart);
  if (version > 1) return E_RSA_KEY;
  p = dEnd;
  p = readInt(KN, p, end);
  if (p) p = readInt(KE, p, end);
  if (p) p = readInt(KD, p, end);
  if (p) p = readInt(KP, p, end);
  if (p) p = readInt(KQ, p, end);
  if (p) p = readInt(KDP, p, end);
  if (p) p = readInt(KDQ, p, end);
  if (p) p = readInt(KQI, p, end);
  if (!p) return E_RSA_KEY;
  kKind = 2;
  const r = finishPublic();
  if (r < 0) return r;
  const n = kLimbs;
  // d in (0, n); p, q odd > 1
  if (!inRange(KD, KN, n)) return E_RSA_KEY_INVALID;
  if ((limb(KP, 0) & 1) == 0 || (limb(KQ, 0) & 1) == 0) return E_RSA_KEY_INVALID;
  if (limbLengthVT(KP, MAX_LIMBS) > n || limbLengthVT(KQ, MAX_LIMBS) > n) return E_RSA_KEY_INVALID;
  if (bitLengthVT(KP, n) < 2 || bitLengthVT(KQ, n) < 2) return E_RSA_KEY_INVALID;
  const prod = changetype<usize>(bProd), prod2 = changetype<usize>(bProd2);
  mul(prod, KP, n, KQ, n);
  if (version == 0) {
    if (p != end) return E_RSA_KEY;
    if (limbLengthVT(prod, 2 * n) > n || eqMask(prod, KN, n) == 0) return E_RSA_KEY_INVALID;
    if (!inRange(KDP, KP, n) || !inRange(KDQ, KQ, n) || !inRange(KQI, KP, n)) return E_RSA_KEY_INVALID;
    kCrt = true;
    kPrimes = 2;
    return 0;
  }
  // version 1: otherPrimeInfos; private operations fall back to d
  if (!derExpect(p, end, 0x30) || dEnd != end || dStart == dEnd) return E_RSA_KEY;
  kOtherPtr = p;
  kOtherLen = <i32>(end - p);
  let q = dStart;
  const qe = dEnd;
  const tmp = changetype<usize>(bTmp);
  kPrimes = 2;
  while (q < qe) {
    if (!derExpect(q, qe, 0x30)) return E_RSA_KEY;
    const ie = dEnd;
    let r2 = readInt(tmp, dStart, ie);
    if (!r2) return E_RSA_KEY;
    if ((limb(tmp, 0) & 1) == 0 || bitLengthVT(tmp, MAX_LIMBS) < 2) return E_RSA_KEY_INVALID;
    // prod *= r_i (prod stays below n for a consistent key)
    if (limbLengthVT(prod, 2 * n) > n) return E_RSA_KEY_INVALID;
    mul(prod2, prod, n, tmp, n);
    memory.copy(prod, prod2, <usize>(2 * n) << 2);
    // exponent and coefficient: positive integers (not used)
    r2 = readInt(changetype<usize>(bProd2), r2, ie);
    if (r2) r2 = readInt(changetype<usize>(bProd2), r2, ie);
    if (!r2 || r2 != ie) return E_RSA_KEY;
    kPrimes++;
    if (kPrimes > 16) return E_RSA_KEY_INVALID;
    q = ie;
  }
  zero(prod2, 2 * L + 4);
  if (limbLengthVT(prod, 2 * n) > n || eqMask(prod, KN, n) == 0) return E_RSA_KEY_INVALID;
  kCrt = false;
  return 0;
}

/**
 * Loads a key from DER at [p, p + len): a PKCS#8 PrivateKeyInfo, a PKCS#1 RSAPrivateKey, a
 * SubjectPublicKeyInfo or a PKCS#1 RSAPublicKey (told apart by their structure). Returns 0
 * or E_RSA_KEY / E_RSA_KEY_INVALID. The caller must keyWipe() afterwards in every case.
 */
export function keyLoad(p: usize, len: usize): i32 {
  keyWipe();
  const end = p + len;
  if (!derExpect(p, end, 0x30) || dEnd != end) return E_RSA_KEY;
  const s = dStart;
  if (!derRead(s, end)) return E_RSA_KEY;
  if (dTag == 0x30) {
    // SubjectPublicKeyInfo
    const a = readKeyAlg(s, end);
    if (!a || !derExpect(a, end, 0x03) || dEnd != end) return E_RSA_KEY;
    if (dEnd - dStart < 1 || load<u8>(dStart) != 0) return E_RSA_KEY;
    const ks = dStart + 1, ke = dEnd;
    if (!derExpect(ks, ke, 0x30) || dEnd != ke) return E_RSA_KEY;
    return parsePublicPkcs1(dStart, ke);
  }
  if (dTag != 0x02) return E_RSA_KEY;
  const second = dEnd;
  if (!derRead(second, end)) return E_RSA_KEY;
  if (dTag == 0x30) {
    // PKCS#8: version 0 (or 1, RFC 5958), algorithm, OCTET STRING, [0] attributes, [1] public key
    if (!derExpect(s, end, 0x02) || dEnd - dStart != 1 || load<u8>(dStart) > 1) return E_RSA_KEY;
    const a = readKeyAlg(second, end);
    if (!a || !derExpect(a, end, 0x04)) return E_RSA_KEY;
    const os = dStart, oe = dEnd;
    let q = oe;
    let last: u32 = 0;
    while (q < end) {
      if (!derRead(q, end)) return E_RSA_KEY;
      if ((dTag != 0xa0 && dTag != 0x81) || dTag <= last) return E_RSA_KEY;
      last = dTag;
      q = dEnd;
    }
    if (!derExpect(os, oe, 0x30) || dEnd != oe) return E_RSA_KEY;
    return parsePrivatePkcs1(dStart, oe);
  }
  if (dTag != 0x02) return E_RSA_KEY;
  // PKCS#1: two INTEGERs = RSAPublicKey, more = RSAPrivateKey
  if (dEnd == end) return parsePublicPkcs1(s, end);
  return parsePrivatePkcs1(s, end);
}

// ---------------------------------------------------------------------------------------
// Encoding

/** Key formats of keyEncode. */
export const FMT_PKCS1_PRIVATE: i32 = 1;
export const FMT_PKCS8: i32 = 2;
export const FMT_SPKI: i32 = 3;
export const FMT_PKCS1_PUBLIC: i32 = 4;

const encBuf = new StaticArray<u8>(9 * (MAX_BITS / 8 + 8));
const ENC: usize = changetype<usize>(encBuf);
const SLOT: i32 = MAX_BITS / 8 + 8;
const intLen = new StaticArray<i32>(9);

/** Writes component i (limbs at src) as big-endian bytes into its slot; records the INTEGER size. */
function stage(i: i32, src: usize): void {
  const slot = ENC + <usize>(i * SLOT);
  toBytesBE(slot, SLOT, src, MAX_LIMBS);
  unchecked(intLen[i] = derIntContentLen(slot, SLOT));
}

function writeStaged(p: usize, i: i32): usize {
  return derWriteInt(p, ENC + <usize>(i * SLOT), SLOT);
}

const ALG_RSA: usize = memory.data<u8>([0x30, 0x0d, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01, 0x05, 0x00]);
const ALG_RSA_LEN: i32 = 15;

/**
 * Writes the loaded key in format `fmt` (FMT_*) to out (cap bytes); returns the length,
 * E_RSA_BUFFER, or E_RSA_KEY_USE (a public key cannot give a private format).
 */
export function keyEncode(fmt: i32, out: usize, cap: i32): i32 {
  // RSAPublicKey
  stage(0, KN);
  stage(1, KE);
  const pubContent = derSize(unchecked(intLen[0])) + derSize(unchecked(intLen[1]));
  const pubLen = derSize(pubContent);
  const algLen = kPss ? kAlgLen : ALG_RSA_LEN;
  const algPtr = kPss ? kAlgPtr : ALG_RSA;
  let total = 0;
  if (fmt == FMT_PKCS1_PUBLIC) total = pubLen;
  else if (fmt == FMT_SPKI) total = derSize(algLen + derSize(pubLen + 1));
  else {
    if (kKind != 2) return E_RSA_KEY_USE;
    // RSAPrivateKey: version 0 (two primes) or 1 (multi-prime, otherPrimeInfos kept as read)
    stage(2, KD);
    stage(3, KP);
    stage(4, KQ);
    stage(5, KDP);
    stage(6, KDQ);
    stage(7, KQI);
    let privContent = 3;
    for (let i = 0; i < 8; i++) privContent += derSize(unchecked(intLen[i]));
    if (!kCrt) privContent += kOtherLen;
    const privLen = derSize(privContent);
    total = fmt == FMT_PKCS1_PRIVATE ? privLen : derSize(3 + algLen + derSize(privLen));
    if (total > cap) {
      wipeStage();
      return E_RSA_BUFFER;
    }
    let q = out;
    if (fmt == FMT_PKCS8) {
      q = derHeader(q, 0x30, 3 + algLen + derSize(privLen));
      store<u8>(q, 0x02);
      store<u8>(q + 1, 0x01);
      store<u8>(q + 2, 0x00);
      q = derWriteRaw(q + 3, algPtr, algLen);
      q = derHeader(q, 0x04, privLen);
    }
    q = derHeader(q, 0x30, privContent);
    store<u8>(q, 0x02);
    store<u8>(q + 1, 0x01);
    store<u8>(q + 2, kCrt ? 0x00 : 0x01);
    q += 3;
    for (let i = 0; i < 8; i++) q = writeStaged(q, i);
    if (!kCrt) q = derWriteRaw(q, kOtherPtr, kOtherLen);
    wipeStage();
    return <i32>(q - out);
  }
  if (total > cap) return E_RSA_BUFFER;
  let q = out;
  if (fmt == FMT_SPKI) {
    q = derHeader(q, 0x30, algLen + derSize(pubLen + 1));
    q = derWriteRaw(q, algPtr, algLen);
    q = derHeader(q, 0x03, pubLen + 1);
    store<u8>(q, 0);
    q++;
  }
  q = derHeader(q, 0x30, pubContent);
  q = writeStaged(q, 0);
  q = writeStaged(q, 1);
  wipeStage();
  return <i32>(q - out);
}

function wipeStage(): void {
  memory.fill(ENC, 0, <usize>(9 * SLOT));
}
