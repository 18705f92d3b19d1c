// RSA encoding methods of RFC 8017: EMSA-PKCS1-v1_5 (9.2), EMSA-PSS (9.1), RSAES-OAEP (7.1),
// RSAES-PKCS1-v1_5 (7.2) and MGF1 (B.2.1), over the primitives of core.ts.
//
// Verification of PKCS#1 v1.5 signatures re-encodes the expected EM and compares it with
// the recovered one byte for byte (never parses the DigestInfo).
//
// Decryption (OAEP and PKCS#1 v1.5) computes one "good" mask with a constant-time scan of
// the whole encoded message (no early exit, no data-dependent branch or index) and returns
// the single E_RSA_DECRYPT code for every failure, whatever its cause: wrong length, integer
// out of range, bad leading bytes, wrong label hash, missing separator, short padding. Only
// after the check does the code branch once on the result (the one bit the caller learns
// anyway) to copy the message out. There is no implicit rejection: callers that expose
// PKCS#1 v1.5 decryption to a network peer must treat every failure alike.

import { hashSize, digest, HASH_MD5 } from '../hash';
import { randomBytes } from '../bn/random';
import { rsaPublic, rsaPrivate } from './core';
import { kBits, kBytes, kKind, kPss, kPssParams, kPssHash, kPssMgf, kPssSalt } from './key';
import { E_RSA_INPUT, E_RSA_DECRYPT, E_RSA_PARAM, E_RSA_KEY_USE } from './errors';

const EM_MAX: i32 = 1024 + 16;
const bEM = new StaticArray<u8>(EM_MAX);
const bEM2 = new StaticArray<u8>(EM_MAX);
const bMG = new StaticArray<u8>(EM_MAX + 80);
const bH = new StaticArray<u8>(128);
const bH2 = new StaticArray<u8>(128);
const EM: usize = changetype<usize>(bEM);
const EM2: usize = changetype<usize>(bEM2);
const MG: usize = changetype<usize>(bMG);
const HB: usize = changetype<usize>(bH);
const HB2: usize = changetype<usize>(bH2);

function wipe(): void {
  memory.fill(EM, 0, <usize>EM_MAX);
  memory.fill(EM2, 0, <usize>EM_MAX);
  memory.fill(MG, 0, <usize>(EM_MAX + 80));
  memory.fill(HB, 0, 128);
  memory.fill(HB2, 0, 128);
}

/** DigestInfo prefixes (RFC 8017 9.2, note 1) for HASH_* ids 1..8. */
const DI_MD5: usize = memory.data<u8>([0x30, 0x20, 0x30, 0x0c, 0x06, 0x08, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x02, 0x05, 0x05, 0x00, 0x04, 0x10]);
const DI_SHA1: usize = memory.data<u8>([0x30, 0x21, 0x30, 0x09, 0x06, 0x05, 0x2b, 0x0e, 0x03, 0x02, 0x1a, 0x05, 0x00, 0x04, 0x14]);
// SHA-2: 30 LL 30 0d 06 09 60 86 48 01 65 03 04 02 XX 05 00 04 HH
const DI_SHA2: usize = memory.data<u8>([0x30, 0x00, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x00, 0x05, 0x00, 0x04, 0x00]);

/** Writes the DigestInfo prefix of alg at p; returns its length, or 0 for an unknown alg. */
function digestInfoPrefix(alg: i32, p: usize): i32 {
  if (alg == HASH_MD5) {
    memory.copy(p, DI_MD5, 18);
    return 18;
  }
  if (alg == 2) {
    memory.copy(p, DI_SHA1, 15);
    return 15;
  }
  let oid: u8 = 0;
  switch (alg) {
    case 3: oid = 4; break; // SHA-224
    case 4: oid = 1; break; // SHA-256
    case 5: oid = 2; break; // SHA-384
    case 6: oid = 3; break; // SHA-512
    case 7: oid = 5; break; // SHA-512/224
    case 8: oid = 6; break; // SHA-512/256
    default: return 0;
  }
  const h = hashSize(alg);
  memory.copy(p, DI_SHA2, 19);
  store<u8>(p + 1, <u8>(17 + h));
  store<u8>(p + 14, oid);
  store<u8>(p + 18, <u8>h);
  return 19;
}

/**
 * The message representative of a signature: hashes msg into out, or (prehashed) checks that
 * msg is a digest of the right length and copies it. Returns hLen or E_RSA_PARAM/E_RSA_INPUT.
 */
function messageHash(alg: i32, msg: usize, msgLen: i32, prehashed: bool, out: usize): i32 {
  const h = hashSize(alg);
  if (h == 0) return E_RSA_PARAM;
  if (prehashed) {
    if (msgLen != h) return E_RSA_INPUT;
    memory.copy(out, msg, <usize>h);
  } else {
    digest(alg, msg, <usize>msgLen, out);
  }
  return h;
}

/** EM = 0x00 01 FF..FF 00 || DigestInfo (k bytes at em) for the digest at h. */
function emsaPkcs1(em: usize, alg: i32, h: usize, hLen: i32): i32 {
  const k = kBytes;
  const t = MG;
  const pl = digestInfoPrefix(alg, t);
  if (pl == 0) return E_RSA_PARAM;
  memory.copy(t + <usize>pl, h, <usize>hLen);
  const tLen = pl + hLen;
  if (k < tLen + 11) return E_RSA_INPUT;
  store<u8>(em, 0);
  store<u8>(em + 1, 1);
  memory.fill(em + 2, 0xff, <usize>(k - tLen - 3));
  store<u8>(em + <usize>(k - tLen - 1), 0);
  memory.copy(em + <usize>(k - tLen), t, <usize>tLen);
  return 0;
}

/** RSASSA-PKCS1-v1_5 signature (RFC 8017 8.2.1) into out (k bytes). */
export function signPkcs1(alg: i32, msg: usize, msgLen: i32, prehashed: bool, out: usize): i32 {
  if (kPss) return E_RSA_KEY_USE;
  let r = messageHash(alg, msg, msgLen, prehashed, HB);
  if (r >= 0) r = emsaPkcs1(EM, alg, HB, r);
  if (r >= 0) r = rsaPrivate(out, EM, kBytes);
  wipe();
  return r;
}

/** RSASSA-PKCS1-v1_5 verification (RFC 8017 8.2.2): 1 valid, 0 invalid, < 0 error. */
export function verifyPkcs1(alg: i32, msg: usize, msgLen: i32, prehashed: bool, sig: usize, sigLen: i32): i32 {
  if (kPss) return E_RSA_KEY_USE;
  const k = kBytes;
  let r = messageHash(alg, msg, msgLen, prehashed, HB);
  if (r < 0) return r;
  r = emsaPkcs1(EM, alg, HB, r);
  if (r < 0) {
    wipe();
    return r == E_RSA_INPUT ? 0 : r;
  }
  let ok = sigLen == k && rsaPublic(EM2, sig, sigLen) == k;
  if (ok) ok = memory.compare(EM, EM2, <usize>k) == 0;
  wipe();
  return ok ? 1 : 0;
}

/** dst[0..dstLen) ^= MGF1(alg, seed[0..seedLen)) (RFC 8017 B.2.1). seed must not overlap MG. */
function mgf1Xor(alg: i32, seed: usize, seedLen: i32, dst: usize, dstLen: i32): void {
  const h = hashSize(alg);
  memory.copy(MG, seed, <usize>seedLen);
  const c = MG + <usize>seedLen;
  let done = 0;
  for (let counter: u32 = 0; done < dstLen; counter++) {
    store<u8>(c, <u8>(counter >> 24));
    store<u8>(c + 1, <u8>(counter >> 16));
    store<u8>(c + 2, <u8>(counter >> 8));
    store<u8>(c + 3, <u8>counter);
    digest(alg, MG, <usize>(seedLen + 4), HB2);
    const n = dstLen - done < h ? dstLen - done : h;
    for (let i = 0; i < n; i++) {
      const p = dst + <usize>(done + i);
      store<u8>(p, load<u8>(p) ^ load<u8>(HB2 + <usize>i));
    }
    done += n;
  }
  memory.fill(MG, 0, <usize>(seedLen + 4));
  memory.fill(HB2, 0, 64);
}

/** Hash ids accepted by PSS and OAEP: SHA-1 and SHA-2. */
function okPssHash(alg: i32): bool {
  return alg != HASH_MD5 && hashSize(alg) != 0;
}

/** Checks the PSS parameters against an id-RSASSA-PSS key's restrictions. */
function pssAllowed(alg: i32, mgf: i32, saltLen: i32): bool {
  if (!kPss || !kPssParams) return true;
  return alg == kPssHash && mgf == kPssMgf && saltLen == kPssSalt;
}

/**
 * RSASSA-PSS signature (RFC 8017 8.1.1, EMSA-PSS 9.1.1) into out (k bytes). saltLen -1 means
 * the hash length.
 */
export function signPss(alg: i32, mgf: i32, saltLen: i32, msg: usize, msgLen: i32, prehashed: bool, out: usize): i32 {
  if (!okPssHash(alg) || !okPssHash(mgf)) return E_RSA_PARAM;
  const hLen = hashSize(alg);
  if (saltLen == -1) saltLen = hLen;
  if (saltLen < 0) return E_RSA_PARAM;
  if (!pssAllowed(alg, mgf, saltLen)) return E_RSA_KEY_USE;
  const emBits = kBits - 1;
  const emLen = (emBits + 7) >> 3;
  if (emLen < hLen + saltLen + 2) return E_RSA_INPUT;
  let r = messageHash(alg, msg, msgLen, prehashed, HB);
  if (r < 0) return r;
  // M' = 0^8 || mHash || salt, with the salt also written into DB
  const dbLen = emLen - hLen - 1;
  const salt = EM + <usize>(dbLen - saltLen);
  randomBytes(salt, <usize>saltLen);
  memory.fill(EM2, 0, 8);
  memory.copy(EM2 + 8, HB, <usize>hLen);
  memory.copy(EM2 + 8 + <usize>hLen, salt, <usize>saltLen);
  const H = EM + <usize>dbLen;
  digest(alg, EM2, <usize>(8 + hLen + saltLen), H);
  memory.fill(EM, 0, <usize>(dbLen - saltLen - 1));
  store<u8>(EM + <usize>(dbLen - saltLen - 1), 1);
  mgf1Xor(mgf, H, hLen, EM, dbLen);
  store<u8>(EM, load<u8>(EM) & <u8>(<u32>0xff >> <u32>(8 * emLen - emBits)));
  store<u8>(EM + <usize>(emLen - 1), 0xbc);
  r = rsaPrivate(out, EM, emLen);
  wipe();
  return r;
}

/**
 * RSASSA-PSS verification (RFC 8017 8.1.2, 9.1.2): 1 valid, 0 invalid, < 0 error. saltLen -1
 * means the hash length, -2 any salt length (recovered from the encoding).
 */
export function verifyPss(alg: i32, mgf: i32, saltLen: i32, msg: usize, msgLen: i32, prehashed: bool, sig: usize, sigLen: i32): i32 {
  if (!okPssHash(alg) || !okPssHash(mgf)) return E_RSA_PARAM;
  const hLen = hashSize(alg);
  if (saltLen == -1) saltLen = hLen;
  if (saltLen == -2 && kPss && kPssParams) saltLen = kPssSalt;
  if (saltLen < -2) return E_RSA_PARAM;
  if (!pssAllowed(alg, mgf, saltLen)) return 0;
  const r = messageHash(alg, msg, msgLen, prehashed, HB);
  if (r < 0) return r;
  const ok = pssCheck(alg, mgf, saltLen, hLen, sig, sigLen);
  wipe();
  return ok ? 1 : 0;
}

function pssCheck(alg: i32, mgf: i32, saltLen: i32, hLen: i32, sig: usize, sigLen: i32): bool {
  const k = kBytes;
  if (sigLen != k) return false;
  if (rsaPublic(EM2, sig, sigLen) != k) return false;
  const emBits = kBits - 1;
  const emLen = (emBits + 7) >> 3;
  // the integer must fit emLen bytes (the leading byte of k is zero when emLen = k - 1)
  if (emLen < k && load<u8>(EM2) != 0) return false;
  const em = EM2 + <usize>(k - emLen);
  if (emLen < hLen + (saltLen > 0 ? saltLen : 0) + 2) return false;
  if (load<u8>(em + <usize>(emLen - 1)) != 0xbc) return false;
  const dbLen = emLen - hLen - 1;
  const topMask = <u8>(<u32>0xff >> <u32>(8 * emLen - emBits));
  if ((load<u8>(em) & ~topMask) != 0) return false;
  const H = em + <usize>dbLen;
  mgf1Xor(mgf, H, hLen, em, dbLen);
  store<u8>(em, load<u8>(em) & topMask);
  // DB = PS (zeros) || 0x01 || salt
  let i = 0;
  while (i < dbLen && load<u8>(em + <usize>i) == 0) i++;
  if (i >= dbLen || load<u8>(em + <usize>i) != 1) return false;
  const sLen = dbLen - i - 1;
  if (saltLen >= 0 && sLen != saltLen) return false;
  // H' = Hash(0^8 || mHash || salt)
  memory.fill(EM, 0, 8);
  memory.copy(EM + 8, HB, <usize>hLen);
  memory.copy(EM + 8 + <usize>hLen, em + <usize>(i + 1), <usize>sLen);
  digest(alg, EM, <usize>(8 + hLen + sLen), HB2);
  return memory.compare(HB2, H, <usize>hLen) == 0;
}

/** RSAES-OAEP encryption (RFC 8017 7.1.1) into out (k bytes). */
export function encryptOaep(alg: i32, mgf: i32, label: usize, labelLen: i32, msg: usize, msgLen: i32, out: usize): i32 {
  if (kPss) return E_RSA_KEY_USE;
  if (!okPssHash(alg) || !okPssHash(mgf)) return E_RSA_PARAM;
  const k = kBytes, hLen = hashSize(alg);
  if (k < 2 * hLen + 2 || msgLen > k - 2 * hLen - 2) return E_RSA_INPUT;
  const dbLen = k - hLen - 1;
  const seed = EM + 1, db = EM + 1 + <usize>hLen;
  store<u8>(EM, 0);
  randomBytes(seed, <usize>hLen);
  digest(alg, label, <usize>labelLen, db);
  memory.fill(db + <usize>hLen, 0, <usize>(dbLen - hLen - msgLen - 1));
  store<u8>(db + <usize>(dbLen - msgLen - 1), 1);
  memory.copy(db + <usize>(dbLen - msgLen), msg, <usize>msgLen);
  mgf1Xor(mgf, seed, hLen, db, dbLen);
  mgf1Xor(mgf, db, dbLen, seed, hLen);
  const r = rsaPublic(out, EM, k);
  wipe();
  return r;
}

// @ts-ignore: decorator
@inline function eqByteMask(a: u32, b: u32): u32 {
  return <u32>((<u64>(a ^ b) - 1) >> 63) * 0xffffffff; // all-ones iff a == b
}

/**
 * RSAES-OAEP decryption (RFC 8017 7.1.2) into out (at least k bytes); returns the message
 * length or E_RSA_DECRYPT for every failure (constant-time check, see the file comment).
 */
export function decryptOaep(alg: i32, mgf: i32, label: usize, labelLen: i32, ct: usize, ctLen: i32, out: usize): i32 {
  if (kKind != 2) return E_RSA_KEY_USE;
  if (kPss) return E_RSA_KEY_USE;
  if (!okPssHash(alg) || !okPssHash(mgf)) return E_RSA_PARAM;
  const k = kBytes, hLen = hashSize(alg);
  let good: u32 = 0;
  if (k >= 2 * hLen + 2 && ctLen == k && rsaPrivate(EM, ct, ctLen) == k) {
    good = 0xffffffff;
  }
  const dbLen = k - hLen - 1;
  let idx: u32 = 0;
  if (k >= 2 * hLen + 2) {
    const seed = EM + 1, db = EM + 1 + <usize>hLen;
    mgf1Xor(mgf, db, dbLen, seed, hLen);
    mgf1Xor(mgf, seed, hLen, db, dbLen);
    digest(alg, label, <usize>labelLen, HB);
    good &= eqByteMask(load<u8>(EM), 0);
    for (let i = 0; i < hLen; i++) good &= eqByteMask(load<u8>(db + <usize>i), load<u8>(HB + <usize>i));
    // PS || 0x01 || M: the first nonzero byte after lHash must be 0x01
    let looking: u32 = 0xffffffff;
    let bad: u32 = 0;
    for (let i = hLen; i < dbLen; i++) {
      const b = <u32>load<u8>(db + <usize>i);
      const isZero = eqByteMask(b, 0), isOne = eqByteMask(b, 1);
      idx ^= (idx ^ <u32>i) & (looking & isOne);
      bad |= looking & ~isZero & ~isOne;
      looking &= isZero;
    }
    good &= ~looking & ~bad;
  } else {
    good = 0;
  }
  let r = E_RSA_DECRYPT;
  if (good) {
    const start = 1 + hLen + <i32>idx + 1;
    r = k - start;
    memory.copy(out, EM + <usize>start, <usize>r);
  }
  wipe();
  return r;
}

/** RSAES-PKCS1-v1_5 encryption (RFC 8017 7.2.1) into out (k bytes). */
export function encryptPkcs1(msg: usize, msgLen: i32, out: usize): i32 {
  if (kPss) return E_RSA_KEY_USE;
  const k = kBytes;
  if (msgLen > k - 11) return E_RSA_INPUT;
  const psLen = k - msgLen - 3;
  store<u8>(EM, 0);
  store<u8>(EM + 1, 2);
  const ps = EM + 2;
  randomBytes(ps, <usize>psLen);
  for (let i = 0; i < psLen; i++) {
    while (load<u8>(ps + <usize>i) == 0) randomBytes(ps + <usize>i, 1);
  }
  store<u8>(EM + <usize>(2 + psLen), 0);
  memory.copy(EM + <usize>(3 + psLen), msg, <usize>msgLen);
  const r = rsaPublic(out, EM, k);
  wipe();
  return r;
}

/**
 * RSAES-PKCS1-v1_5 decryption (RFC 8017 7.2.2) into out (at least k bytes); returns the
 * message length or E_RSA_DECRYPT for every failure (constant-time check, see above).
 */
export function decryptPkcs1(ct: usize, ctLen: i32, out: usize): i32 {
  if (kKind != 2) return E_RSA_KEY_USE;
  if (kPss) return E_RSA_KEY_USE;
  const k = kBytes;
  let good: u32 = 0;
  if (ctLen == k && rsaPrivate(EM, ct, ctLen) == k) good = 0xffffffff;
  good &= eqByteMask(load<u8>(EM), 0) & eqByteMask(load<u8>(EM + 1), 2);
  // first zero byte after the two leading bytes; PS must be at least 8 bytes
  let looking: u32 = 0xffffffff;
  let idx: u32 = 0;
  for (let i = 2; i < k; i++) {
    const z = eqByteMask(load<u8>(EM + <usize>i), 0);
    idx ^= (idx ^ <u32>i) & (looking & z);
    looking &= ~z;
  }
  good &= ~looking;
  good &= 0 - <u32>((<u64>idx - 10) >> 63 ^ 1); // idx >= 10
  let r = E_RSA_DECRYPT;
  if (good) {
    r = k - <i32>idx - 1;
    memory.copy(out, EM + <usize>(idx + 1), <usize>r);
  }
  wipe();
  return r;
}
