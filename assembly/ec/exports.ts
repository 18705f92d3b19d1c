// JS-facing ECDSA exports (P-256, P-384, P-521), driven by src/core/ops/ec.ts.
//
// Curve ids: 1 P-256, 2 P-384, 3 P-521. Hash ids: the HASH_* ids (SHA-1 and SHA-2 only).
// Key formats: 1 PKCS#8, 2 SEC 1 ECPrivateKey (with the curve as [0] parameters),
// 3 SubjectPublicKeyInfo (uncompressed point), 4 SubjectPublicKeyInfo (compressed point).
// Signature formats: 1 DER Ecdsa-Sig-Value, 2 IEEE P1363 r || s.
// Every function returns a non-negative result or a negative E_* code (ec/errors.ts,
// E_BUFFER when `cap` is too small). Private keys never stay in memory after a call.

import { E_BUFFER } from '../util/errors';
import { digest, hashSize } from '../hash';
import { useCurve, FBYTES, FN } from './curve';
import { prepareBase } from './mul';
import { keyD, pubX, pubY, keyHasPub, parsePrivateKey, parsePublicKey, decodePoint, encodePoint, writeSpki, writeEcPrivateKey, writePkcs8 } from './keys';
import { signDigest, verifyDigest, generateScalar, derivePublic, ecdsaHashOk, SIG_DER, SIG_P1363 } from './ecdsa';
import { derElem, derBody, wReset, wFinish, wWipe } from './der';
import { feqMask } from './field';
import { toBE } from './limbs';
import { E_EC_CURVE, E_EC_FORMAT, E_EC_HASH, E_EC_KEY, E_EC_MISMATCH } from './errors';

const KEY_PKCS8 = 1;
const KEY_SEC1 = 2;
const KEY_SPKI = 3;
const KEY_SPKI_COMPRESSED = 4;

const hbuf = memory.data(64);
const dBytes = memory.data(80);
const alt = memory.data(72);
const altY = memory.data(72);

function wipeKey(): void {
  memory.fill(keyD, 0, 72);
  memory.fill(dBytes, 0, 80);
  memory.fill(hbuf, 0, 64);
  wWipe();
}

/** True if the DER at p looks like a private key (SEQUENCE starting with an INTEGER). */
function isPrivateShape(p: usize, len: i32): bool {
  const end = p + <usize>len;
  if (derElem(p, end, 0x30) < 0) return false;
  return derBody < end && load<u8>(derBody) == 0x02;
}

/** Parses a private key and derives its public key; checks an embedded public key. */
function loadPrivate(key: usize, keyLen: i32): i32 {
  const id = parsePrivateKey(key, keyLen);
  if (id < 0) return id;
  const had = keyHasPub;
  if (had) {
    memory.copy(alt, pubX, 72);
    memory.copy(altY, pubY, 72);
  }
  derivePublic();
  if (had && (feqMask(alt, pubX) & feqMask(altY, pubY)) == 0) return E_EC_MISMATCH;
  return id;
}

/** Writes `format` for the key loaded in keyD/pubX/pubY (private when `priv`). */
function writeKey(priv: bool, format: i32, out: usize, cap: i32): i32 {
  wReset();
  if (format == KEY_SPKI || format == KEY_SPKI_COMPRESSED) writeSpki(pubX, pubY, format == KEY_SPKI_COMPRESSED);
  else if (!priv) return E_EC_FORMAT;
  else {
    toBE(dBytes, keyD, FBYTES, FN);
    if (format == KEY_PKCS8) writePkcs8(dBytes, pubX, pubY);
    else if (format == KEY_SEC1) writeEcPrivateKey(dBytes, pubX, pubY, true);
    else return E_EC_FORMAT;
  }
  const n = wFinish(out, cap);
  return n < 0 ? E_BUFFER : n;
}

/** Builds the fixed-base table of `curve` now (otherwise done by its first operation). */
export function ec_prepare(curve: i32): i32 {
  if (!useCurve(curve)) return E_EC_CURVE;
  prepareBase();
  return 0;
}

/**
 * Generates a key pair on `curve` (FIPS 186-5 §A.2.2 rejection sampling): writes PKCS#8 (with
 * the public key inside the ECPrivateKey) to out and the SubjectPublicKeyInfo (uncompressed
 * point) to spkiOut. Returns the PKCS#8 length; the SPKI length is fixed per curve
 * (91, 120, 158 bytes).
 */
export function ec_generate(curve: i32, out: usize, cap: i32, spkiOut: usize, spkiCap: i32): i32 {
  if (!useCurve(curve)) return E_EC_CURVE;
  generateScalar();
  derivePublic();
  let n = writeKey(false, KEY_SPKI, spkiOut, spkiCap);
  if (n >= 0) n = writeKey(true, KEY_PKCS8, out, cap);
  wipeKey();
  return n;
}

/**
 * Re-encodes a key. A private key (PKCS#8 or SEC 1) converts to any format (its public key is
 * recomputed, and an embedded one must match); a SubjectPublicKeyInfo only to SPKI forms.
 */
export function ec_key_export(key: usize, keyLen: i32, format: i32, out: usize, cap: i32): i32 {
  if (format < KEY_PKCS8 || format > KEY_SPKI_COMPRESSED) return E_EC_FORMAT;
  let n: i32;
  if (isPrivateShape(key, keyLen)) {
    const id = loadPrivate(key, keyLen);
    n = id < 0 ? id : writeKey(true, format, out, cap);
  } else {
    const id = parsePublicKey(key, keyLen);
    n = id < 0 ? id : writeKey(false, format, out, cap);
  }
  wipeKey();
  return n;
}

/**
 * Describes a key: returns curve id | 16 for a private key, and writes the uncompressed public
 * point (1 + 2 FBYTES bytes) to out.
 */
export function ec_key_info(key: usize, keyLen: i32, out: usize, cap: i32): i32 {
  let id: i32;
  const priv = isPrivateShape(key, keyLen);
  id = priv ? loadPrivate(key, keyLen) : parsePublicKey(key, keyLen);
  wipeKey();
  if (id < 0) return id;
  if (cap < 1 + 2 * FBYTES) return E_BUFFER;
  encodePoint(out, pubX, pubY, false);
  return id | (priv ? 16 : 0);
}

function signWith(key: usize, keyLen: i32, hash: i32, dg: usize, dgLen: i32, format: i32, out: usize, cap: i32): i32 {
  if (format != SIG_DER && format != SIG_P1363) return E_EC_FORMAT;
  if (!isPrivateShape(key, keyLen)) return E_EC_KEY;
  const id = parsePrivateKey(key, keyLen);
  if (id < 0) return id;
  const n = signDigest(hash, dg, dgLen, format, out, cap);
  return n < 0 ? E_BUFFER : n;
}

/**
 * Signs `msg` with a PKCS#8 or SEC 1 private key: hash with `hash`, then ECDSA with an
 * RFC 6979 nonce. Writes the signature in `format`; returns its length.
 */
export function ec_sign(key: usize, keyLen: i32, hash: i32, msg: usize, msgLen: i32, format: i32, out: usize, cap: i32): i32 {
  if (!ecdsaHashOk(hash)) return E_EC_HASH;
  digest(hash, msg, <usize>msgLen, hbuf);
  const n = signWith(key, keyLen, hash, hbuf, hashSize(hash), format, out, cap);
  wipeKey();
  return n;
}

/** As ec_sign for a precomputed digest (dgLen must be the digest size of `hash`). */
export function ec_sign_digest(key: usize, keyLen: i32, hash: i32, dg: usize, dgLen: i32, format: i32, out: usize, cap: i32): i32 {
  if (!ecdsaHashOk(hash) || dgLen != hashSize(hash)) return E_EC_HASH;
  const n = signWith(key, keyLen, hash, dg, dgLen, format, out, cap);
  wipeKey();
  return n;
}

function verifyWith(key: usize, keyLen: i32, dg: usize, dgLen: i32, sig: usize, sigLen: i32, format: i32): i32 {
  if (format != SIG_DER && format != SIG_P1363) return E_EC_FORMAT;
  const id = parsePublicKey(key, keyLen);
  if (id < 0) return id;
  return verifyDigest(dg, dgLen, sig, sigLen, format);
}

/**
 * Verifies a signature (in `format`) over `msg` hashed with `hash` against a
 * SubjectPublicKeyInfo. Returns 1 (valid), 0 (invalid or malformed signature) or a negative
 * E_* for an unusable key / hash / format.
 */
export function ec_verify(key: usize, keyLen: i32, hash: i32, msg: usize, msgLen: i32, sig: usize, sigLen: i32, format: i32): i32 {
  if (!ecdsaHashOk(hash)) return E_EC_HASH;
  digest(hash, msg, <usize>msgLen, hbuf);
  return verifyWith(key, keyLen, hbuf, hashSize(hash), sig, sigLen, format);
}

/** As ec_verify for a precomputed digest (dgLen must be the digest size of `hash`). */
export function ec_verify_digest(key: usize, keyLen: i32, hash: i32, dg: usize, dgLen: i32, sig: usize, sigLen: i32, format: i32): i32 {
  if (!ecdsaHashOk(hash) || dgLen != hashSize(hash)) return E_EC_HASH;
  return verifyWith(key, keyLen, dg, dgLen, sig, sigLen, format);
}

/**
 * Validates a SEC 1 point of `curve` (compressed or uncompressed, SEC 1 §2.3.4 and §3.2.2.1)
 * and writes it compressed (compressed != 0) or uncompressed. Returns the output length.
 */
export function ec_point_convert(curve: i32, pt: usize, ptLen: i32, compressed: i32, out: usize, cap: i32): i32 {
  if (!useCurve(curve)) return E_EC_CURVE;
  const r = decodePoint(pt, ptLen, pubX, pubY);
  if (r < 0) return r;
  const need = compressed ? 1 + FBYTES : 1 + 2 * FBYTES;
  if (cap < need) return E_BUFFER;
  return encodePoint(out, pubX, pubY, compressed != 0);
}
