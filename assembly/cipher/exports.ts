// Exports of the cipher domain (see assembly/README.md, "Memory ABI").
import { crypt } from './modes';

/**
 * Encrypts or decrypts `inLen` bytes at `inPtr` into `outPtr` (which may equal `inPtr`).
 *
 * * `alg`: 1 AES-128/192/256 (FIPS 197, by key length 16/24/32), 2 DES (FIPS 46-3, 8-byte
 *   key), 3 TDEA EDE3 (SP 800-67, 24-byte key), 4 two-key TDEA EDE (16-byte key, K3 = K1),
 *   5 RC2 (RFC 2268, 1..128-byte key, `rc2Bits` effective key bits 1..1024; ignored
 *   otherwise). DES key parity bits are ignored.
 * * `mode`: 1 CBC (SP 800-38A §6.2, `ivPtr` = one block), 2 ECB (§6.1, `ivPtr` unused).
 * * `encrypt`: 1 to encrypt, 0 to decrypt. `pad`: 1 for PKCS#7 padding (RFC 5652 §6.3),
 *   0 for none (the input must then be whole blocks).
 * * The output slot must hold `inLen` bytes, plus one block when encrypting with padding.
 *
 * Returns the output length, or: -80 decryption error (bad length or bad padding, one code
 * for both, checked in constant time; the output is zeroed), -81 bad key length, -82 input
 * not whole blocks (no padding), -83 unknown algorithm or mode, -84 bad RC2 effective bits.
 * All ciphers are constant-time; key schedules and scratch are zeroed before returning.
 */
export function cipher_crypt(
  alg: i32,
  mode: i32,
  encrypt: i32,
  keyPtr: usize,
  keyLen: i32,
  ivPtr: usize,
  inPtr: usize,
  inLen: i32,
  outPtr: usize,
  pad: i32,
  rc2Bits: i32,
): i32 {
  return crypt(alg, mode, encrypt != 0, keyPtr, keyLen, ivPtr, inPtr, inLen, outPtr, pad != 0, rc2Bits);
}
