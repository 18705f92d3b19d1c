/**
 * RSA of the core (assembly/rsa) as synchronous ops: key generation, PKCS#1 v1.5 and PSS
 * signatures, OAEP and PKCS#1 v1.5 encryption, raw RSA, and key format conversion
 * (RFC 8017, RFC 5208, RFC 5280, RFC 4055).
 *
 * Keys are DER byte strings passed with every call: private operations take a PKCS#8
 * PrivateKeyInfo or a PKCS#1 RSAPrivateKey, public ones a SubjectPublicKeyInfo, a PKCS#1
 * RSAPublicKey or a private key. Every decryption failure caused by the ciphertext throws the
 * same `PkiError('decrypt', 'rsa: decryption error')`.
 *
 * The core keeps one thing between calls: a cache of the last few two-prime private keys used
 * for a private operation (found again by their exact DER), with their precomputed constants
 * and blinding pairs, which makes repeated operations with one key faster. It holds secrets in
 * the core's memory (inside the Worker) until a slot is evicted or `rsaCacheClear()` wipes it.
 */
import { CoreError, PkiError } from '../../util/errors.ts';
import type { Io, IoExports } from '../io.ts';
import { HASH_ID, HASH_SIZE, hashAlgId, type HashAlg } from './hash.ts';

/** The exports of assembly/rsa/exports.ts (pointers into the I/O arena, lengths in bytes). */
export interface RsaExports extends IoExports {
  rsa_generate(bits: number, e: number, outPriv: number, privCap: number, outPub: number, pubCap: number, lens: number): number;
  rsa_key_info(key: number, keyLen: number, out: number): number;
  rsa_convert(key: number, keyLen: number, fmt: number, out: number, cap: number): number;
  rsa_public_raw(key: number, keyLen: number, inp: number, inLen: number, out: number, outCap: number): number;
  rsa_private_raw(key: number, keyLen: number, inp: number, inLen: number, out: number, outCap: number): number;
  rsa_sign_pkcs1(key: number, keyLen: number, hash: number, msg: number, msgLen: number, prehashed: number, out: number, outCap: number): number;
  rsa_verify_pkcs1(key: number, keyLen: number, hash: number, msg: number, msgLen: number, prehashed: number, sig: number, sigLen: number): number;
  rsa_sign_pss(key: number, keyLen: number, hash: number, mgf: number, saltLen: number, msg: number, msgLen: number, prehashed: number, out: number, outCap: number): number;
  rsa_verify_pss(key: number, keyLen: number, hash: number, mgf: number, saltLen: number, msg: number, msgLen: number, prehashed: number, sig: number, sigLen: number): number;
  rsa_encrypt_oaep(key: number, keyLen: number, hash: number, mgf: number, label: number, labelLen: number, msg: number, msgLen: number, out: number, outCap: number): number;
  rsa_decrypt_oaep(key: number, keyLen: number, hash: number, mgf: number, label: number, labelLen: number, ct: number, ctLen: number, out: number, outCap: number): number;
  rsa_encrypt_pkcs1(key: number, keyLen: number, msg: number, msgLen: number, out: number, outCap: number): number;
  rsa_decrypt_pkcs1(key: number, keyLen: number, ct: number, ctLen: number, out: number, outCap: number): number;
  rsa_cache_clear(): number;
}

/** Key encodings of `rsaConvertKey`. */
export type RsaKeyFormat = 'pkcs1' | 'pkcs8' | 'spki' | 'pkcs1-public';

/** What `rsaKeyInfo` reports about a key. */
export interface RsaKeyInfo {
  type: 'public' | 'private';
  /** Modulus length in bits. */
  bits: number;
  /** Number of primes of a private key (2, or more for a multi-prime key); 0 for a public key. */
  primes: number;
  /**
   * Present for an id-RSASSA-PSS key (RFC 4055): such a key only signs/verifies PSS, and when
   * `params` is set only with exactly these parameters.
   */
  pss?: { params?: { hash: HashAlg; mgfHash: HashAlg; saltLength: number } };
}

/** A new key pair from `rsaGenerate`. */
export interface RsaKeyPair {
  /** PKCS#8 PrivateKeyInfo (RFC 5208) with rsaEncryption. */
  pkcs8: Uint8Array;
  /** SubjectPublicKeyInfo (RFC 5280) with rsaEncryption. */
  spki: Uint8Array;
}

/** The RSA operations of the core (all synchronous; see the file comment for key formats). */
export interface RsaOps {
  /**
   * Generates an RSA key pair of `bits` bits (512..8192) with the public exponent (an odd
   * integer >= 3, as a number or big-endian bytes of at most 4 bytes; 65537 is the usual
   * choice), FIPS 186-5 A.1.3. Progress: (primes found, 2).
   */
  rsaGenerate(bits: number, publicExponent: number | Uint8Array): RsaKeyPair;
  /** Type, size and algorithm restrictions of a key in any supported DER format. */
  rsaKeyInfo(key: Uint8Array): RsaKeyInfo;
  /**
   * Re-encodes a key: 'pkcs1' (RSAPrivateKey), 'pkcs8' (PrivateKeyInfo), 'spki'
   * (SubjectPublicKeyInfo) or 'pkcs1-public' (RSAPublicKey). A private key gives every
   * format; a public key only the public ones.
   */
  rsaConvertKey(key: Uint8Array, format: RsaKeyFormat): Uint8Array;
  /** Raw RSA public operation x^e mod n (RFC 8017 RSAEP/RSAVP1); x < n. Returns k bytes. */
  rsaPublicRaw(key: Uint8Array, input: Uint8Array): Uint8Array;
  /** Raw RSA private operation x^d mod n (RSADP/RSASP1, CRT, blinded, fault-checked); x < n. */
  rsaPrivateRaw(key: Uint8Array, input: Uint8Array): Uint8Array;
  /** RSASSA-PKCS1-v1_5 signature (RFC 8017 8.2.1) of `msg` with `hash`. */
  rsaSignPkcs1(key: Uint8Array, hash: HashAlg, msg: Uint8Array): Uint8Array;
  /** RSASSA-PKCS1-v1_5 verification (RFC 8017 8.2.2, by re-encoding the expected EM). */
  rsaVerifyPkcs1(key: Uint8Array, hash: HashAlg, msg: Uint8Array, sig: Uint8Array): boolean;
  /** rsaSignPkcs1 over a digest computed elsewhere (`digest` must have the hash's length). */
  rsaSignPkcs1Digest(key: Uint8Array, hash: HashAlg, digest: Uint8Array): Uint8Array;
  /** rsaVerifyPkcs1 over a digest computed elsewhere. */
  rsaVerifyPkcs1Digest(key: Uint8Array, hash: HashAlg, digest: Uint8Array, sig: Uint8Array): boolean;
  /**
   * RSASSA-PSS signature (RFC 8017 8.1.1): message hash `hash` (SHA-1/SHA-2), MGF1 with
   * `mgfHash`, `saltLength` bytes of salt.
   */
  rsaSignPss(key: Uint8Array, hash: HashAlg, mgfHash: HashAlg, saltLength: number, msg: Uint8Array): Uint8Array;
  /**
   * RSASSA-PSS verification (RFC 8017 8.1.2). `saltLength` -1 accepts any salt length. An
   * id-RSASSA-PSS key with parameters verifies only with exactly its own parameters.
   */
  rsaVerifyPss(key: Uint8Array, hash: HashAlg, mgfHash: HashAlg, saltLength: number, msg: Uint8Array, sig: Uint8Array): boolean;
  /** rsaSignPss over a digest (mHash of RFC 8017 9.1.1) computed elsewhere. */
  rsaSignPssDigest(key: Uint8Array, hash: HashAlg, mgfHash: HashAlg, saltLength: number, digest: Uint8Array): Uint8Array;
  /** rsaVerifyPss over a digest computed elsewhere. */
  rsaVerifyPssDigest(key: Uint8Array, hash: HashAlg, mgfHash: HashAlg, saltLength: number, digest: Uint8Array, sig: Uint8Array): boolean;
  /** RSAES-OAEP encryption (RFC 8017 7.1.1) with `hash`, MGF1 with `mgfHash` and `label`. */
  rsaEncryptOaep(key: Uint8Array, hash: HashAlg, mgfHash: HashAlg, label: Uint8Array, msg: Uint8Array): Uint8Array;
  /** RSAES-OAEP decryption (RFC 8017 7.1.2); any failure throws the one decryption error. */
  rsaDecryptOaep(key: Uint8Array, hash: HashAlg, mgfHash: HashAlg, label: Uint8Array, ct: Uint8Array): Uint8Array;
  /** RSAES-PKCS1-v1_5 encryption (RFC 8017 7.2.1). */
  rsaEncryptPkcs1(key: Uint8Array, msg: Uint8Array): Uint8Array;
  /**
   * RSAES-PKCS1-v1_5 decryption (RFC 8017 7.2.2) with a constant-time padding check; any
   * failure throws the one decryption error.
   */
  rsaDecryptPkcs1(key: Uint8Array, ct: Uint8Array): Uint8Array;
  /**
   * Wipes the core's private-key cache (every cached key, its precomputed constants and
   * blinding pair). Call it when private keys are deleted or the session ends.
   */
  rsaCacheClear(): void;
}

// Error codes of assembly/rsa/errors.ts and assembly/bn/errors.ts.
const E_RSA_KEY = -40;
const E_RSA_KEY_INVALID = -41;
const E_RSA_KEY_USE = -42;
const E_RSA_INPUT = -43;
const E_RSA_DECRYPT = -44;
const E_RSA_PARAM = -45;
const E_RSA_FAULT = -46;

const FORMAT_ID: Readonly<Record<RsaKeyFormat, number>> = { pkcs1: 1, pkcs8: 2, spki: 3, 'pkcs1-public': 4 };
const HASH_NAME: Readonly<Record<number, HashAlg>> = Object.fromEntries(Object.entries(HASH_ID).map(([k, v]) => [v, k as HashAlg]));

/** The error every RSA decryption failure throws. */
export const rsaDecryptionError = (): PkiError => new PkiError('decrypt', 'rsa: decryption error');

function fail(op: string, code: number): never {
  switch (code) {
    case E_RSA_DECRYPT:
      throw rsaDecryptionError();
    case E_RSA_KEY:
      throw new PkiError('key', `${op}: not an RSA key in a supported DER format`);
    case E_RSA_KEY_INVALID:
      throw new PkiError('key', `${op}: the RSA key is invalid or of an unsupported size`);
    case E_RSA_KEY_USE:
      throw new PkiError('key', `${op}: the key cannot be used for this operation`);
    case E_RSA_INPUT:
      throw new RangeError(`${op}: the input does not fit the key`);
    case E_RSA_PARAM:
      throw new RangeError(`${op}: unsupported parameter`);
    case E_RSA_FAULT:
      throw new CoreError('rsa', `${op}: the private-key operation failed its consistency check`);
  }
  throw new CoreError('rsa', `${op}: core refused the request (code ${code})`);
}

function bytes(v: unknown, name: string, op: string): Uint8Array {
  if (!(v instanceof Uint8Array)) throw new TypeError(`${op}: ${name} must be a Uint8Array`);
  return v;
}

function pssHash(alg: HashAlg, op: string): number {
  if (alg === 'MD5') throw new RangeError(`${op}: MD5 is not supported here`);
  return hashAlgId(alg);
}

function saltLen(v: number, op: string, allowAny: boolean): number {
  if (!Number.isInteger(v) || v < (allowAny ? -1 : 0) || v > 1024) throw new RangeError(`${op}: saltLength must be an integer in ${allowAny ? -1 : 0}..1024, got ${v}`);
  return allowAny && v === -1 ? -2 : v;
}

function exponent(e: number | Uint8Array, op: string): number {
  let v = 0;
  if (e instanceof Uint8Array) {
    let i = 0;
    while (i < e.length && e[i] === 0) i++;
    if (e.length - i > 4) throw new RangeError(`${op}: the public exponent must be below 2^32`);
    for (; i < e.length; i++) v = v * 256 + e[i]!;
  } else v = e;
  if (!Number.isInteger(v) || v < 3 || v > 0xffffffff || v % 2 === 0) throw new RangeError(`${op}: the public exponent must be an odd integer in 3..2^32-1, got ${v}`);
  return v;
}

/** Builds the RSA ops over the core's exports and its I/O arena. */
export function rsaOps(ex: RsaExports, io: Io): RsaOps {
  /** Runs a core op that writes k <= key.length bytes into `out` and returns the length. */
  const withOut = (op: string, inputs: Uint8Array[], key: Uint8Array, run: (ptrs: number[], out: number, cap: number) => number): Uint8Array => {
    const cap = key.length + 16;
    return io.call([...inputs, cap], (ptrs) => {
      const out = ptrs[ptrs.length - 1]!;
      const n = run(ptrs, out, cap);
      if (n < 0) fail(op, n);
      return io.read(out, n);
    });
  };

  /** A digest given directly must have the hash's length (checked here for a clear error). */
  const checkDigest = (op: string, hash: HashAlg, digest: Uint8Array, prehashed: number) => {
    if (prehashed && digest.length !== HASH_SIZE[hash]) throw new RangeError(`${op}: a ${hash} digest is ${HASH_SIZE[hash]} bytes, got ${digest.length}`);
  };
  const signPkcs1 = (op: string, key: Uint8Array, hash: HashAlg, msg: Uint8Array, prehashed: number): Uint8Array => {
    bytes(key, 'key', op);
    bytes(msg, prehashed ? 'digest' : 'msg', op);
    const h = hashAlgId(hash);
    checkDigest(op, hash, msg, prehashed);
    return withOut(op, [key, msg], key, ([k, m], out, cap) => ex.rsa_sign_pkcs1(k!, key.length, h, m!, msg.length, prehashed, out, cap));
  };
  const verifyPkcs1 = (op: string, key: Uint8Array, hash: HashAlg, msg: Uint8Array, sig: Uint8Array, prehashed: number): boolean => {
    bytes(key, 'key', op);
    bytes(msg, prehashed ? 'digest' : 'msg', op);
    bytes(sig, 'sig', op);
    const h = hashAlgId(hash);
    checkDigest(op, hash, msg, prehashed);
    return io.call([key, msg, sig], ([k, m, s]) => {
      const r = ex.rsa_verify_pkcs1(k!, key.length, h, m!, msg.length, prehashed, s!, sig.length);
      if (r < 0) fail(op, r);
      return r === 1;
    });
  };
  const signPss = (op: string, key: Uint8Array, hash: HashAlg, mgfHash: HashAlg, saltLength: number, msg: Uint8Array, prehashed: number): Uint8Array => {
    bytes(key, 'key', op);
    bytes(msg, prehashed ? 'digest' : 'msg', op);
    const h = pssHash(hash, op), g = pssHash(mgfHash, op), s = saltLen(saltLength, op, false);
    checkDigest(op, hash, msg, prehashed);
    return withOut(op, [key, msg], key, ([k, m], out, cap) => ex.rsa_sign_pss(k!, key.length, h, g, s, m!, msg.length, prehashed, out, cap));
  };
  const verifyPss = (op: string, key: Uint8Array, hash: HashAlg, mgfHash: HashAlg, saltLength: number, msg: Uint8Array, sig: Uint8Array, prehashed: number): boolean => {
    bytes(key, 'key', op);
    bytes(msg, prehashed ? 'digest' : 'msg', op);
    bytes(sig, 'sig', op);
    const h = pssHash(hash, op), g = pssHash(mgfHash, op), s = saltLen(saltLength, op, true);
    checkDigest(op, hash, msg, prehashed);
    return io.call([key, msg, sig], ([k, m, sp]) => {
      const r = ex.rsa_verify_pss(k!, key.length, h, g, s, m!, msg.length, prehashed, sp!, sig.length);
      if (r < 0) fail(op, r);
      return r === 1;
    });
  };

  return {
    rsaGenerate(bits, publicExponent) {
      const op = 'rsaGenerate';
      if (!Number.isInteger(bits) || bits < 512 || bits > 8192) throw new RangeError(`${op}: bits must be an integer in 512..8192, got ${bits}`);
      const e = exponent(publicExponent, op);
      const privCap = 10 * (bits >> 3) + 256;
      const pubCap = (bits >> 3) + 128;
      return io.call([privCap, pubCap, 8], ([priv, pub, lens]) => {
        const r = ex.rsa_generate(bits, e >>> 0, priv!, privCap, pub!, pubCap, lens!);
        if (r < 0) fail(op, r);
        return { pkcs8: io.read(priv!, io.u32(lens!)), spki: io.read(pub!, io.u32(lens! + 4)) };
      });
    },

    rsaKeyInfo(key) {
      bytes(key, 'key', 'rsaKeyInfo');
      return io.call([key, 32], ([k, out]) => {
        const r = ex.rsa_key_info(k!, key.length, out!);
        if (r < 0) fail('rsaKeyInfo', r);
        const w = (i: number) => io.u32(out! + 4 * i);
        const info: RsaKeyInfo = { type: w(0) === 2 ? 'private' : 'public', bits: w(1), primes: w(2) };
        if (w(3)) {
          info.pss = {};
          if (w(4)) info.pss.params = { hash: HASH_NAME[w(5)]!, mgfHash: HASH_NAME[w(6)]!, saltLength: w(7) };
        }
        return info;
      });
    },

    rsaConvertKey(key, format) {
      const op = 'rsaConvertKey';
      bytes(key, 'key', op);
      const fmt = FORMAT_ID[format];
      if (fmt === undefined) throw new RangeError(`${op}: unknown format ${JSON.stringify(format)}`);
      const cap = key.length + 64;
      return io.call([key, cap], ([k, out]) => {
        const n = ex.rsa_convert(k!, key.length, fmt, out!, cap);
        if (n < 0) fail(op, n);
        return io.read(out!, n);
      });
    },

    rsaPublicRaw(key, input) {
      const op = 'rsaPublicRaw';
      bytes(key, 'key', op);
      bytes(input, 'input', op);
      return withOut(op, [key, input], key, ([k, i], out, cap) => ex.rsa_public_raw(k!, key.length, i!, input.length, out, cap));
    },

    rsaPrivateRaw(key, input) {
      const op = 'rsaPrivateRaw';
      bytes(key, 'key', op);
      bytes(input, 'input', op);
      return withOut(op, [key, input], key, ([k, i], out, cap) => ex.rsa_private_raw(k!, key.length, i!, input.length, out, cap));
    },

    rsaSignPkcs1(key, hash, msg) {
      return signPkcs1('rsaSignPkcs1', key, hash, msg, 0);
    },

    rsaVerifyPkcs1(key, hash, msg, sig) {
      return verifyPkcs1('rsaVerifyPkcs1', key, hash, msg, sig, 0);
    },

    rsaSignPkcs1Digest(key, hash, digest) {
      return signPkcs1('rsaSignPkcs1Digest', key, hash, digest, 1);
    },

    rsaVerifyPkcs1Digest(key, hash, digest, sig) {
      return verifyPkcs1('rsaVerifyPkcs1Digest', key, hash, digest, sig, 1);
    },

    rsaSignPss(key, hash, mgfHash, saltLength, msg) {
      return signPss('rsaSignPss', key, hash, mgfHash, saltLength, msg, 0);
    },

    rsaVerifyPss(key, hash, mgfHash, saltLength, msg, sig) {
      return verifyPss('rsaVerifyPss', key, hash, mgfHash, saltLength, msg, sig, 0);
    },

    rsaSignPssDigest(key, hash, mgfHash, saltLength, digest) {
      return signPss('rsaSignPssDigest', key, hash, mgfHash, saltLength, digest, 1);
    },

    rsaVerifyPssDigest(key, hash, mgfHash, saltLength, digest, sig) {
      return verifyPss('rsaVerifyPssDigest', key, hash, mgfHash, saltLength, digest, sig, 1);
    },

    rsaEncryptOaep(key, hash, mgfHash, label, msg) {
      const op = 'rsaEncryptOaep';
      bytes(key, 'key', op);
      bytes(label, 'label', op);
      bytes(msg, 'msg', op);
      const h = pssHash(hash, op), g = pssHash(mgfHash, op);
      return withOut(op, [key, label, msg], key, ([k, l, m], out, cap) => ex.rsa_encrypt_oaep(k!, key.length, h, g, l!, label.length, m!, msg.length, out, cap));
    },

    rsaDecryptOaep(key, hash, mgfHash, label, ct) {
      const op = 'rsaDecryptOaep';
      bytes(key, 'key', op);
      bytes(label, 'label', op);
      bytes(ct, 'ct', op);
      const h = pssHash(hash, op), g = pssHash(mgfHash, op);
      return withOut(op, [key, label, ct], key, ([k, l, c], out, cap) => ex.rsa_decrypt_oaep(k!, key.length, h, g, l!, label.length, c!, ct.length, out, cap));
    },

    rsaEncryptPkcs1(key, msg) {
      const op = 'rsaEncryptPkcs1';
      bytes(key, 'key', op);
      bytes(msg, 'msg', op);
      return withOut(op, [key, msg], key, ([k, m], out, cap) => ex.rsa_encrypt_pkcs1(k!, key.length, m!, msg.length, out, cap));
    },

    rsaDecryptPkcs1(key, ct) {
      const op = 'rsaDecryptPkcs1';
      bytes(key, 'key', op);
      bytes(ct, 'ct', op);
      return withOut(op, [key, ct], key, ([k, c], out, cap) => ex.rsa_decrypt_pkcs1(k!, key.length, c!, ct.length, out, cap));
    },

    rsaCacheClear() {
      ex.rsa_cache_clear();
    },
  };
}
