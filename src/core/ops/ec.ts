/**
 * ECDSA on NIST P-256, P-384 and P-521 in the core (assembly/ec), as synchronous ops.
 *
 * Signing is deterministic (RFC 6979 nonces) and constant time; verification follows
 * FIPS 186-5 §6.4.2 with full public-key validation (SEC 1 §3.2.2.1). Keys travel as DER:
 * private keys as PKCS#8 (RFC 5208/5958) or SEC 1 ECPrivateKey (RFC 5915), public keys as
 * SubjectPublicKeyInfo (RFC 5480) with a named curve. Signatures are DER `Ecdsa-Sig-Value`
 * (RFC 3279 §2.2.3, as X.509/CMS carry them; parsed strictly) or IEEE P1363 `r || s` (what
 * WebCrypto produces).
 */
import { PkiError } from '../../util/errors.ts';
import type { Io, IoExports } from '../io.ts';
import { HASH_SIZE, hashAlgId, type HashAlg } from './hash.ts';

/** The curves of the core, named as WebCrypto names them. */
export type EcCurve = 'P-256' | 'P-384' | 'P-521';
/** `der`: Ecdsa-Sig-Value SEQUENCE { r INTEGER, s INTEGER }; `p1363`: r || s, fixed length. */
export type EcSigFormat = 'der' | 'p1363';
/**
 * Key encodings: `pkcs8` (PrivateKeyInfo), `sec1` (ECPrivateKey with the curve as [0]
 * parameters, what `openssl ecparam -genkey` writes), `spki` (SubjectPublicKeyInfo with an
 * uncompressed point) and `spki-compressed` (SEC 1 §2.3.3 compressed point).
 */
export type EcKeyFormat = 'pkcs8' | 'sec1' | 'spki' | 'spki-compressed';

/** Curve ids of assembly/ec/curve.ts. */
export const EC_CURVE_ID: Readonly<Record<EcCurve, number>> = { 'P-256': 1, 'P-384': 2, 'P-521': 3 };
/** Bytes of a field element / scalar of each curve. */
export const EC_FIELD_BYTES: Readonly<Record<EcCurve, number>> = { 'P-256': 32, 'P-384': 48, 'P-521': 66 };
/** Length of a SubjectPublicKeyInfo with an uncompressed point (RFC 5480) per curve. */
const SPKI_BYTES: Readonly<Record<EcCurve, number>> = { 'P-256': 91, 'P-384': 120, 'P-521': 158 };
const CURVE_BY_ID: readonly EcCurve[] = ['P-256', 'P-256', 'P-384', 'P-521'];
const SIG_FORMAT: Readonly<Record<EcSigFormat, number>> = { der: 1, p1363: 2 };
const KEY_FORMAT: Readonly<Record<EcKeyFormat, number>> = { pkcs8: 1, sec1: 2, spki: 3, 'spki-compressed': 4 };

/** Core return codes (assembly/ec/errors.ts, util/errors.ts) and the reasons EcError carries. */
export const EC_REASON: Readonly<Record<number, EcErrorReason>> = {
  [-60]: 'unsupported-curve',
  [-61]: 'bad-key',
  [-62]: 'bad-point',
  [-63]: 'bad-scalar',
  [-65]: 'key-mismatch',
  [-66]: 'not-private',
};
const E_BUFFER = -2;
const E_EC_HASH = -64;

export type EcErrorReason = 'unsupported-curve' | 'bad-key' | 'bad-point' | 'bad-scalar' | 'key-mismatch' | 'not-private';

const EC_MESSAGE: Readonly<Record<EcErrorReason, string>> = {
  'unsupported-curve': 'the key is not on P-256, P-384 or P-521 (named curves only)',
  'bad-key': 'malformed key (not strict DER PKCS#8 / SEC 1 / SubjectPublicKeyInfo)',
  'bad-point': 'invalid point (bad encoding, not on the curve, or the identity)',
  'bad-scalar': 'private scalar out of range [1, n-1]',
  'key-mismatch': 'the public key inside the private key does not belong to it',
  'not-private': 'a public key cannot be exported as a private key',
};

/** A key or point the core rejects (`code` 'ec'; `reason` says why). */
export class EcError extends PkiError {
  readonly reason: EcErrorReason;
  constructor(op: string, reason: EcErrorReason) {
    super('ec', `${op}: ${EC_MESSAGE[reason]}`);
    this.name = 'EcError';
    this.reason = reason;
  }
}

export interface EcExports extends IoExports {
  ec_prepare(curve: number): number;
  ec_generate(curve: number, out: number, cap: number, spkiOut: number, spkiCap: number): number;
  ec_key_export(key: number, keyLen: number, format: number, out: number, cap: number): number;
  ec_key_info(key: number, keyLen: number, out: number, cap: number): number;
  ec_sign(key: number, keyLen: number, hash: number, msg: number, msgLen: number, format: number, out: number, cap: number): number;
  ec_sign_digest(key: number, keyLen: number, hash: number, dg: number, dgLen: number, format: number, out: number, cap: number): number;
  ec_verify(key: number, keyLen: number, hash: number, msg: number, msgLen: number, sig: number, sigLen: number, format: number): number;
  ec_verify_digest(key: number, keyLen: number, hash: number, dg: number, dgLen: number, sig: number, sigLen: number, format: number): number;
  ec_point_convert(curve: number, pt: number, ptLen: number, compressed: number, out: number, cap: number): number;
}

/** A fresh key pair in the two encodings most callers need. */
export interface EcKeyPair {
  /** PKCS#8 PrivateKeyInfo (the ECPrivateKey inside carries the public key). */
  pkcs8: Uint8Array;
  /** SubjectPublicKeyInfo with the uncompressed point. */
  spki: Uint8Array;
}

/** What a key is (see `ecKeyInfo`). */
export interface EcKeyInfo {
  curve: EcCurve;
  /** True for a private key (PKCS#8 / SEC 1), false for a SubjectPublicKeyInfo. */
  isPrivate: boolean;
  /** The public point, uncompressed (04 || X || Y). */
  publicPoint: Uint8Array;
}

export interface EcOps {
  /**
   * Builds the fixed-base table of `curve` now (about 2 / 5 / 10 ms and 88 / 200 / 379 KB for
   * P-256 / P-384 / P-521); otherwise the first key generation or signature on it does.
   */
  ecPrepare(curve: EcCurve): void;
  /** A random key pair on `curve` (FIPS 186-5 §A.2.2, rejection sampling). */
  ecGenerate(curve: EcCurve): EcKeyPair;
  /**
   * ECDSA signature of `msg` (hashed with `hash`: SHA-1 or SHA-2) under a PKCS#8 or SEC 1
   * private key, with the RFC 6979 deterministic nonce.
   */
  ecSign(privateKey: Uint8Array, hash: HashAlg, msg: Uint8Array, format: EcSigFormat): Uint8Array;
  /** As `ecSign` for an already computed digest (its length must match `hash`). */
  ecSignDigest(privateKey: Uint8Array, hash: HashAlg, digest: Uint8Array, format: EcSigFormat): Uint8Array;
  /**
   * Verifies an ECDSA signature over `msg` against a SubjectPublicKeyInfo. A malformed or
   * wrong signature gives false; an unusable key throws `EcError`.
   */
  ecVerify(spki: Uint8Array, hash: HashAlg, msg: Uint8Array, sig: Uint8Array, format: EcSigFormat): boolean;
  /** As `ecVerify` for an already computed digest (its length must match `hash`). */
  ecVerifyDigest(spki: Uint8Array, hash: HashAlg, digest: Uint8Array, sig: Uint8Array, format: EcSigFormat): boolean;
  /**
   * Re-encodes a key: a private key (PKCS#8 or SEC 1) to any format (`spki*` gives its public
   * key; an embedded public key must match the scalar), a SubjectPublicKeyInfo to `spki` or
   * `spki-compressed`.
   */
  ecConvertKey(key: Uint8Array, to: EcKeyFormat): Uint8Array;
  /** Curve, kind and public point of a PKCS#8 / SEC 1 / SPKI key (validated as ecConvertKey does). */
  ecKeyInfo(key: Uint8Array): EcKeyInfo;
  /** Validates a SEC 1 point (02/03/04 form) on `curve` and returns it compressed (02/03 || X). */
  ecCompressPoint(curve: EcCurve, point: Uint8Array): Uint8Array;
  /** Validates a SEC 1 point (02/03/04 form) on `curve` and returns it uncompressed (04 || X || Y). */
  ecDecompressPoint(curve: EcCurve, point: Uint8Array): Uint8Array;
}

/** Output slot sizes: the largest DER key (P-521 PKCS#8 is 241 bytes) and signature (139). */
const KEY_CAP = 512;
const SIG_CAP = 160;

function aBytes(value: unknown, name: string, op: string): Uint8Array {
  if (!(value instanceof Uint8Array)) throw new TypeError(`${op}: ${name} must be a Uint8Array`);
  return value;
}

function curveId(curve: EcCurve, op: string): number {
  const id = (EC_CURVE_ID as Record<string, number>)[curve];
  if (id === undefined) throw new RangeError(`${op}: unsupported curve ${JSON.stringify(curve)} (P-256, P-384 or P-521)`);
  return id;
}

function ecdsaHash(hash: HashAlg, op: string): number {
  const id = hashAlgId(hash);
  if (hash === 'MD5') throw new RangeError(`${op}: ECDSA needs SHA-1 or SHA-2, not MD5`);
  return id;
}

function sigFormat(format: EcSigFormat, op: string): number {
  const id = (SIG_FORMAT as Record<string, number>)[format];
  if (id === undefined) throw new RangeError(`${op}: signature format must be 'der' or 'p1363', got ${JSON.stringify(format)}`);
  return id;
}

/** Turns a negative core result into the matching exception. */
function fail(op: string, code: number): never {
  const reason = EC_REASON[code];
  if (reason) throw new EcError(op, reason);
  if (code === E_EC_HASH) throw new RangeError(`${op}: the digest length does not match the hash`);
  if (code === E_BUFFER) throw new RangeError(`${op}: output larger than expected`);
  throw new RangeError(`${op}: core refused the request (code ${code})`);
}

export function ecOps(ex: EcExports, io: Io): EcOps {
  const convert = (op: string, key: Uint8Array, format: number): Uint8Array =>
    io.call([key, KEY_CAP], ([k, out]) => {
      const n = ex.ec_key_export(k!, key.length, format, out!, KEY_CAP);
      if (n < 0) fail(op, n);
      return io.read(out!, n);
    });

  const sign = (op: string, key: Uint8Array, hash: HashAlg, data: Uint8Array, format: EcSigFormat, prehashed: boolean): Uint8Array => {
    aBytes(key, 'privateKey', op);
    aBytes(data, prehashed ? 'digest' : 'msg', op);
    const h = ecdsaHash(hash, op);
    const f = sigFormat(format, op);
    if (prehashed && data.length !== HASH_SIZE[hash]) throw new RangeError(`${op}: a ${hash} digest is ${HASH_SIZE[hash]} bytes, got ${data.length}`);
    return io.call([key, data, SIG_CAP], ([k, d, out]) => {
      const n = (prehashed ? ex.ec_sign_digest : ex.ec_sign)(k!, key.length, h, d!, data.length, f, out!, SIG_CAP);
      if (n < 0) fail(op, n);
      return io.read(out!, n);
    });
  };

  const verify = (op: string, spki: Uint8Array, hash: HashAlg, data: Uint8Array, sig: Uint8Array, format: EcSigFormat, prehashed: boolean): boolean => {
    aBytes(spki, 'spki', op);
    aBytes(data, prehashed ? 'digest' : 'msg', op);
    aBytes(sig, 'sig', op);
    const h = ecdsaHash(hash, op);
    const f = sigFormat(format, op);
    if (prehashed && data.length !== HASH_SIZE[hash]) throw new RangeError(`${op}: a ${hash} digest is ${HASH_SIZE[hash]} bytes, got ${data.length}`);
    return io.call([spki, data, sig], ([k, d, s]) => {
      const n = (prehashed ? ex.ec_verify_digest : ex.ec_verify)(k!, spki.length, h, d!, data.length, s!, sig.length, f);
      if (n < 0) fail(op, n);
      return n === 1;
    });
  };

  const point = (op: string, curve: EcCurve, pt: Uint8Array, compressed: boolean): Uint8Array => {
    const id = curveId(curve, op);
    aBytes(pt, 'point', op);
    const cap = 1 + 2 * EC_FIELD_BYTES[curve];
    return io.call([pt, cap], ([p, out]) => {
      const n = ex.ec_point_convert(id, p!, pt.length, compressed ? 1 : 0, out!, cap);
      if (n < 0) fail(op, n);
      return io.read(out!, n);
    });
  };

  return {
    ecPrepare(curve) {
      const n = ex.ec_prepare(curveId(curve, 'ecPrepare'));
      if (n < 0) fail('ecPrepare', n);
    },

    ecGenerate(curve) {
      const id = curveId(curve, 'ecGenerate');
      const spkiLen = SPKI_BYTES[curve];
      return io.call([KEY_CAP, spkiLen], ([out, spki]) => {
        const n = ex.ec_generate(id, out!, KEY_CAP, spki!, spkiLen);
        if (n < 0) fail('ecGenerate', n);
        return { pkcs8: io.read(out!, n), spki: io.read(spki!, spkiLen) };
      });
    },

    ecSign(privateKey, hash, msg, format) {
      return sign('ecSign', privateKey, hash, msg, format, false);
    },

    ecSignDigest(privateKey, hash, digest, format) {
      return sign('ecSignDigest', privateKey, hash, digest, format, true);
    },

    ecVerify(spki, hash, msg, sig, format) {
      return verify('ecVerify', spki, hash, msg, sig, format, false);
    },

    ecVerifyDigest(spki, hash, digest, sig, format) {
      return verify('ecVerifyDigest', spki, hash, digest, sig, format, true);
    },

    ecConvertKey(key, to) {
      aBytes(key, 'key', 'ecConvertKey');
      const f = (KEY_FORMAT as Record<string, number>)[to];
      if (f === undefined) throw new RangeError(`ecConvertKey: unknown key format ${JSON.stringify(to)}`);
      return convert('ecConvertKey', key, f);
    },

    ecKeyInfo(key) {
      aBytes(key, 'key', 'ecKeyInfo');
      return io.call([key, 1 + 2 * 66], ([k, out]) => {
        const n = ex.ec_key_info(k!, key.length, out!, 1 + 2 * 66);
        if (n < 0) fail('ecKeyInfo', n);
        const curve = CURVE_BY_ID[n & 15]!;
        return { curve, isPrivate: (n & 16) !== 0, publicPoint: io.read(out!, 1 + 2 * EC_FIELD_BYTES[curve]) };
      });
    },

    ecCompressPoint(curve, pt) {
      return point('ecCompressPoint', curve, pt, true);
    },

    ecDecompressPoint(curve, pt) {
      return point('ecDecompressPoint', curve, pt, false);
    },
  };
}
