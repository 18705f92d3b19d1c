// JS-facing RSA exports (wrapped by src/core/ops/rsa.ts).
//
// Keys cross the boundary as DER with every call: a PKCS#8 PrivateKeyInfo or PKCS#1
// RSAPrivateKey for private operations, a SubjectPublicKeyInfo or PKCS#1 RSAPublicKey (or a
// private key) for public ones. The key is parsed and validated into module buffers and
// wiped before the export returns; there are no key handles. The exception: a two-prime
// private key used for a private operation is kept in the private-key cache (cache.ts, a few
// keys, found again by their exact DER) with its engine constants and blinding pair, until
// evicted or rsa_cache_clear(). Hash ids are the HASH_* ids
// (assembly/README.md). Byte strings are (pointer, length) pairs in the I/O arena; an output
// of "k bytes" needs a slot of at least k (the modulus length) bytes, given as outCap.
//
// Results: a non-negative length (or 1/0 for verify), or a negative E_RSA_* / E_BN_* code.
// Decryption returns E_RSA_DECRYPT for every failure caused by the ciphertext.

import {
  keyLoad, keyWipe, keyEncode, kKind, kBits, kBytes, kPrimes, kPss, kPssParams, kPssHash,
  kPssMgf, kPssSalt, kCrt, FMT_PKCS1_PRIVATE, FMT_SPKI,
} from './key';
import { rsaPublic, rsaPrivate } from './core';
import {
  signPkcs1, verifyPkcs1, signPss, verifyPss, encryptOaep, decryptOaep, encryptPkcs1,
  decryptPkcs1,
} from './pad';
import { rsaGenerate } from './keygen';
import { cacheFind, cacheUse, cacheInsert, cacheRelease, cacheClear } from './cache';
import { randomBytes } from '../bn/random';
import { E_RSA_KEY_USE, E_RSA_BUFFER, E_RSA_PARAM, E_RSA_FAULT } from './errors';

const bTest = new StaticArray<u8>(1024 + 16);
const bTest2 = new StaticArray<u8>(1024 + 16);

/**
 * Loads a key; on failure wipes and returns the error. For a private operation the key comes
 * from the private-key cache when its DER is there, and a two-prime private key parsed here
 * goes into it.
 */
function load(key: usize, keyLen: usize, needPrivate: bool): i32 {
  cacheRelease();
  if (needPrivate) {
    const slot = cacheFind(key, <i32>keyLen);
    if (slot >= 0) {
      keyWipe();
      cacheUse(slot, key);
      return 0;
    }
  }
  const r = keyLoad(key, keyLen);
  if (r < 0) {
    keyWipe();
    return r;
  }
  if (needPrivate && kKind != 2) {
    keyWipe();
    return E_RSA_KEY_USE;
  }
  if (needPrivate && kCrt) cacheInsert(key, <i32>keyLen);
  return 0;
}

/** Returns r after wiping the key. */
function done(r: i32): i32 {
  cacheRelease();
  keyWipe();
  return r;
}

/**
 * Zeroes the private-key cache: every cached key with its engine constants and blinding pair
 * (see cache.ts). Returns 0.
 */
export function rsa_cache_clear(): i32 {
  cacheClear();
  return 0;
}

/**
 * Generates a `bits`-bit RSA key (512..8192, FIPS 186-5 A.1.3) with public exponent e (odd,
 * >= 3), checks it with a pairwise-consistency private operation, and writes it as PKCS#8
 * (outPriv, privCap bytes) and SubjectPublicKeyInfo (outPub, pubCap bytes). The two lengths
 * are stored as u32 at lens and lens + 4. Reports progress(primes found, 2) while searching.
 * Returns 0 or an error.
 */
export function rsa_generate(bits: i32, e: u32, outPriv: usize, privCap: i32, outPub: usize, pubCap: i32, lens: usize): i32 {
  cacheRelease(); // the check below must not use a cached key's constants
  const r = rsaGenerate(bits, e);
  if (r < 0) return done(r);
  // pairwise consistency: a random x < n through the blinded, fault-checked private operation
  const x = changetype<usize>(bTest), y = changetype<usize>(bTest2);
  randomBytes(x, <usize>kBytes);
  store<u8>(x, 0);
  const t = rsaPrivate(y, x, kBytes);
  memory.fill(x, 0, 1040);
  memory.fill(y, 0, 1040);
  if (t != kBytes) return done(E_RSA_FAULT);
  const l1 = keyEncode(2, outPriv, privCap);
  if (l1 < 0) return done(l1);
  const l2 = keyEncode(FMT_SPKI, outPub, pubCap);
  if (l2 < 0) {
    memory.fill(outPriv, 0, <usize>l1);
    return done(l2);
  }
  store<u32>(lens, <u32>l1);
  store<u32>(lens + 4, <u32>l2);
  return done(0);
}

/**
 * Describes a key: writes 8 u32 at out: kind (1 public, 2 private), modulus bits, number of
 * primes (0 for a public key), id-RSASSA-PSS (0/1), PSS parameters present (0/1), and the
 * PSS hash id, MGF1 hash id and salt length. Returns the modulus length in bytes.
 */
export function rsa_key_info(key: usize, keyLen: usize, out: usize): i32 {
  const r = load(key, keyLen, false);
  if (r < 0) return r;
  store<u32>(out, <u32>kKind);
  store<u32>(out + 4, <u32>kBits);
  store<u32>(out + 8, kKind == 2 ? <u32>kPrimes : 0);
  store<u32>(out + 12, kPss ? 1 : 0);
  store<u32>(out + 16, kPssParams ? 1 : 0);
  store<u32>(out + 20, kPssParams ? <u32>kPssHash : 0);
  store<u32>(out + 24, kPssParams ? <u32>kPssMgf : 0);
  store<u32>(out + 28, kPssParams ? <u32>kPssSalt : 0);
  return done(kBytes);
}

/**
 * Re-encodes a key: fmt 1 PKCS#1 RSAPrivateKey, 2 PKCS#8, 3 SubjectPublicKeyInfo, 4 PKCS#1
 * RSAPublicKey (RFC 8017 A.1, RFC 5208, RFC 5280). Returns the length or an error
 * (E_RSA_KEY_USE for a private format from a public key, E_RSA_BUFFER).
 */
export function rsa_convert(key: usize, keyLen: usize, fmt: i32, out: usize, cap: i32): i32 {
  if (fmt < FMT_PKCS1_PRIVATE || fmt > 4) return E_RSA_PARAM;
  const r = load(key, keyLen, false);
  if (r < 0) return r;
  return done(keyEncode(fmt, out, cap));
}

/** RSAEP/RSAVP1 (RFC 8017 5.1.1): out (k bytes) = x^e mod n for the integer x at inp. */
export function rsa_public_raw(key: usize, keyLen: usize, inp: usize, inLen: i32, out: usize, outCap: i32): i32 {
  const r = load(key, keyLen, false);
  if (r < 0) return r;
  if (outCap < kBytes) return done(E_RSA_BUFFER);
  return done(rsaPublic(out, inp, inLen));
}

/** RSADP/RSASP1 (RFC 8017 5.1.2): out (k bytes) = x^d mod n, CRT, blinded, fault-checked. */
export function rsa_private_raw(key: usize, keyLen: usize, inp: usize, inLen: i32, out: usize, outCap: i32): i32 {
  const r = load(key, keyLen, true);
  if (r < 0) return r;
  if (outCap < kBytes) return done(E_RSA_BUFFER);
  return done(rsaPrivate(out, inp, inLen));
}

/**
 * RSASSA-PKCS1-v1_5 signature (RFC 8017 8.2.1) with hash `hash` of the message, or of a
 * digest given directly when prehashed != 0. Writes k bytes; returns k.
 */
export function rsa_sign_pkcs1(key: usize, keyLen: usize, hash: i32, msg: usize, msgLen: i32, prehashed: i32, out: usize, outCap: i32): i32 {
  const r = load(key, keyLen, true);
  if (r < 0) return r;
  if (outCap < kBytes) return done(E_RSA_BUFFER);
  return done(signPkcs1(hash, msg, msgLen, prehashed != 0, out));
}

/** RSASSA-PKCS1-v1_5 verification (RFC 8017 8.2.2, re-encoding): 1 valid, 0 invalid. */
export function rsa_verify_pkcs1(key: usize, keyLen: usize, hash: i32, msg: usize, msgLen: i32, prehashed: i32, sig: usize, sigLen: i32): i32 {
  const r = load(key, keyLen, false);
  if (r < 0) return r;
  return done(verifyPkcs1(hash, msg, msgLen, prehashed != 0, sig, sigLen));
}

/**
 * RSASSA-PSS signature (RFC 8017 8.1.1) with message hash `hash`, MGF1 hash `mgf` and salt
 * length saltLen (-1: the hash length). Writes k bytes; returns k.
 */
export function rsa_sign_pss(key: usize, keyLen: usize, hash: i32, mgf: i32, saltLen: i32, msg: usize, msgLen: i32, prehashed: i32, out: usize, outCap: i32): i32 {
  const r = load(key, keyLen, true);
  if (r < 0) return r;
  if (outCap < kBytes) return done(E_RSA_BUFFER);
  return done(signPss(hash, mgf, saltLen, msg, msgLen, prehashed != 0, out));
}

/**
 * RSASSA-PSS verification (RFC 8017 8.1.2): 1 valid, 0 invalid. saltLen -1 is the hash
 * length, -2 any length. An id-RSASSA-PSS key with parameters only verifies with exactly its
 * hash, MGF1 hash and salt length.
 */
export function rsa_verify_pss(key: usize, keyLen: usize, hash: i32, mgf: i32, saltLen: i32, msg: usize, msgLen: i32, prehashed: i32, sig: usize, sigLen: i32): i32 {
  const r = load(key, keyLen, false);
  if (r < 0) return r;
  return done(verifyPss(hash, mgf, saltLen, msg, msgLen, prehashed != 0, sig, sigLen));
}

/** RSAES-OAEP encryption (RFC 8017 7.1.1) with hash `hash`, MGF1 hash `mgf` and a label. */
export function rsa_encrypt_oaep(key: usize, keyLen: usize, hash: i32, mgf: i32, label: usize, labelLen: i32, msg: usize, msgLen: i32, out: usize, outCap: i32): i32 {
  const r = load(key, keyLen, false);
  if (r < 0) return r;
  if (outCap < kBytes) return done(E_RSA_BUFFER);
  return done(encryptOaep(hash, mgf, label, labelLen, msg, msgLen, out));
}

/** RSAES-OAEP decryption (RFC 8017 7.1.2): the message length, or E_RSA_DECRYPT. */
export function rsa_decrypt_oaep(key: usize, keyLen: usize, hash: i32, mgf: i32, label: usize, labelLen: i32, ct: usize, ctLen: i32, out: usize, outCap: i32): i32 {
  const r = load(key, keyLen, true);
  if (r < 0) return r;
  if (outCap < kBytes) return done(E_RSA_BUFFER);
  return done(decryptOaep(hash, mgf, label, labelLen, ct, ctLen, out));
}

/** RSAES-PKCS1-v1_5 encryption (RFC 8017 7.2.1). */
export function rsa_encrypt_pkcs1(key: usize, keyLen: usize, msg: usize, msgLen: i32, out: usize, outCap: i32): i32 {
  const r = load(key, keyLen, false);
  if (r < 0) return r;
  if (outCap < kBytes) return done(E_RSA_BUFFER);
  return done(encryptPkcs1(msg, msgLen, out));
}

/** RSAES-PKCS1-v1_5 decryption (RFC 8017 7.2.2): the message length, or E_RSA_DECRYPT. */
export function rsa_decrypt_pkcs1(key: usize, keyLen: usize, ct: usize, ctLen: i32, out: usize, outCap: i32): i32 {
  const r = load(key, keyLen, true);
  if (r < 0) return r;
  if (outCap < kBytes) return done(E_RSA_BUFFER);
  return done(decryptPkcs1(ct, ctLen, out));
}
