// JS-facing KDF exports (HMAC, PBKDF2, PKCS#12 KDF), wrapped by src/core/ops/kdf.ts.
// Inputs and outputs are separate regions of the I/O arena; outputs must not overlap inputs.

import { hashSize } from '../hash';
import { hmac } from './hmac';
import { pbkdf2 } from './pbkdf2';
import { pkcs12Kdf } from './pkcs12';
import { E_KDF_ALG, E_KDF_PARAM } from './errors';

/**
 * HMAC (RFC 2104) of `msgLen` bytes at `msgPtr` under the key at `keyPtr`, written to `out`
 * (hashSize(alg) bytes). Returns the tag length, or E_KDF_ALG.
 */
export function hmac_compute(alg: i32, keyPtr: usize, keyLen: usize, msgPtr: usize, msgLen: usize, out: usize): i32 {
  const size = hashSize(alg);
  if (size == 0) return E_KDF_ALG;
  hmac(alg, keyPtr, keyLen, msgPtr, msgLen, out);
  return size;
}

/**
 * PBKDF2-HMAC-`alg` (RFC 8018 §5.2): writes `dkLen` bytes to `out`. Returns dkLen, E_KDF_ALG,
 * or E_KDF_PARAM for 0 iterations, dkLen 0 or dkLen > (2^32 - 1) * hLen.
 */
export function pbkdf2_derive(
  alg: i32, pwPtr: usize, pwLen: usize, saltPtr: usize, saltLen: usize, iterations: u32, out: usize, dkLen: u32,
): i32 {
  const size = hashSize(alg);
  if (size == 0) return E_KDF_ALG;
  if (iterations == 0 || dkLen == 0 || dkLen > 0x7fffffff) return E_KDF_PARAM;
  pbkdf2(alg, pwPtr, pwLen, saltPtr, saltLen, iterations, out, <usize>dkLen);
  return <i32>dkLen;
}

/**
 * PKCS#12 KDF (RFC 7292 B.2) with hash `alg` and ID byte `id` (1 key, 2 IV, 3 MAC key): writes
 * `n` bytes to `out`. The password must already be encoded (BMPString + 00 00, or empty when
 * absent). Returns n, E_KDF_ALG, or E_KDF_PARAM for a bad id, 0 iterations or n 0.
 */
export function pkcs12_kdf_derive(
  alg: i32, id: i32, pwPtr: usize, pwLen: usize, saltPtr: usize, saltLen: usize, iterations: u32, out: usize, n: u32,
): i32 {
  if (hashSize(alg) == 0) return E_KDF_ALG;
  if (id < 1 || id > 3 || iterations == 0 || n == 0 || n > 0x7fffffff) return E_KDF_PARAM;
  pkcs12Kdf(alg, <u8>id, pwPtr, pwLen, saltPtr, saltLen, iterations, out, <usize>n);
  return <i32>n;
}
