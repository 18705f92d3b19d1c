/**
 * HMAC, PBKDF2 and the PKCS#12 KDF of the core (assembly/kdf), as synchronous ops.
 */
import type { Io, IoExports } from '../io.ts';
import { HASH_SIZE, hashAlgId, type HashAlg } from './hash.ts';

export interface KdfExports extends IoExports {
  hmac_compute(alg: number, keyPtr: number, keyLen: number, msgPtr: number, msgLen: number, out: number): number;
  pbkdf2_derive(alg: number, pwPtr: number, pwLen: number, saltPtr: number, saltLen: number, iterations: number, out: number, dkLen: number): number;
  pkcs12_kdf_derive(alg: number, id: number, pwPtr: number, pwLen: number, saltPtr: number, saltLen: number, iterations: number, out: number, n: number): number;
}

/** PKCS#12 KDF purpose byte (RFC 7292 B.3): 1 = key material, 2 = IV, 3 = MAC key. */
export type Pkcs12KdfId = 1 | 2 | 3;

export interface KdfOps {
  /** HMAC (RFC 2104) of `msg` under `key`; returns the full, untruncated tag. */
  hmac(alg: HashAlg, key: Uint8Array, msg: Uint8Array): Uint8Array;
  /**
   * PBKDF2 with HMAC-`alg` as PRF (RFC 8018 §5.2). `iterations` and `length` (bytes) must be
   * integers >= 1; `length` at most 2^31 - 1.
   */
  pbkdf2(alg: HashAlg, password: Uint8Array, salt: Uint8Array, iterations: number, length: number): Uint8Array;
  /**
   * The PKCS#12 KDF (RFC 7292 B.2). `passwordBmp` is the already encoded password: use
   * `bmpPassword(text)` for a password (even the empty one), and an EMPTY array only for an
   * absent password (see `bmpPassword`).
   */
  pkcs12Kdf(alg: HashAlg, id: Pkcs12KdfId, passwordBmp: Uint8Array, salt: Uint8Array, iterations: number, length: number): Uint8Array;
}

/** The largest `length`/`iterations` accepted (the core takes u32 and returns i32). */
const MAX_U31 = 0x7fffffff;

function aCount(value: number, name: string, op: string): void {
  if (!Number.isSafeInteger(value) || value < 1 || value > MAX_U31) {
    throw new RangeError(`${op}: ${name} must be an integer in 1..${MAX_U31}, got ${value}`);
  }
}

function aBytes(value: unknown, name: string, op: string): void {
  if (!(value instanceof Uint8Array)) throw new TypeError(`${op}: ${name} must be a Uint8Array`);
}

/**
 * Encodes a password as PKCS#12 expects it (RFC 7292 B.1): a BMPString, i.e. UTF-16BE code
 * units, followed by two zero bytes. The empty password `''` becomes `00 00`.
 *
 * This differs from an ABSENT password, which is the zero-length byte string (OpenSSL:
 * `PKCS12_key_gen_utf8(NULL, ...)`). Files exist with either form for "no password", which is
 * why OpenSSL's own reader (`PKCS12_parse`) tries both when given an empty password; a reader
 * here should do the same: first `bmpPassword('')` (`00 00`), then `new Uint8Array(0)`.
 * Characters outside the BMP are written as their UTF-16 surrogate pairs (what OpenSSL's
 * UTF-8 to BMP conversion produces for them as well; a strict BMPString cannot hold them).
 */
export function bmpPassword(password: string): Uint8Array {
  const out = new Uint8Array(2 * password.length + 2);
  for (let i = 0; i < password.length; i++) {
    const c = password.charCodeAt(i);
    out[2 * i] = c >>> 8;
    out[2 * i + 1] = c & 0xff;
  }
  return out;
}

export function kdfOps(ex: KdfExports, io: Io): KdfOps {
  return {
    hmac(alg, key, msg) {
      const id = hashAlgId(alg);
      aBytes(key, 'key', 'hmac');
      aBytes(msg, 'msg', 'hmac');
      const size = HASH_SIZE[alg];
      return io.call([key, msg, size], ([k, m, out]) => {
        const n = ex.hmac_compute(id, k!, key.length, m!, msg.length, out!);
        if (n !== size) throw new RangeError(`hmac: core refused ${alg} (${n})`);
        return io.read(out!, size);
      });
    },

    pbkdf2(alg, password, salt, iterations, length) {
      const id = hashAlgId(alg);
      aBytes(password, 'password', 'pbkdf2');
      aBytes(salt, 'salt', 'pbkdf2');
      aCount(iterations, 'iterations', 'pbkdf2');
      aCount(length, 'length', 'pbkdf2');
      return io.call([password, salt, length], ([p, s, out]) => {
        const n = ex.pbkdf2_derive(id, p!, password.length, s!, salt.length, iterations, out!, length);
        if (n !== length) throw new RangeError(`pbkdf2: core refused the arguments (${n})`);
        return io.read(out!, length);
      });
    },

    pkcs12Kdf(alg, id, passwordBmp, salt, iterations, length) {
      const hid = hashAlgId(alg);
      if (id !== 1 && id !== 2 && id !== 3) throw new RangeError(`pkcs12Kdf: id must be 1, 2 or 3, got ${String(id)}`);
      aBytes(passwordBmp, 'passwordBmp', 'pkcs12Kdf');
      aBytes(salt, 'salt', 'pkcs12Kdf');
      aCount(iterations, 'iterations', 'pkcs12Kdf');
      aCount(length, 'length', 'pkcs12Kdf');
      return io.call([passwordBmp, salt, length], ([p, s, out]) => {
        const n = ex.pkcs12_kdf_derive(hid, id, p!, passwordBmp.length, s!, salt.length, iterations, out!, length);
        if (n !== length) throw new RangeError(`pkcs12Kdf: core refused the arguments (${n})`);
        return io.read(out!, length);
      });
    },
  };
}
