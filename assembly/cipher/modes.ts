// Block cipher modes (NIST SP 800-38A: ECB §6.1, CBC §6.2) with PKCS#7 padding
// (RFC 5652 §6.3, equal to PKCS#5 v2.1 §6.1.1 step 4 for 8-byte blocks) over the
// constant-time ciphers of this folder.

import { aesDecrypt, aesEncrypt, aesSetKey, aesWipe } from './aes';
import { desCrypt, desSetKey, desWipe } from './des';
import { rc2Decrypt, rc2Encrypt, rc2SetKey, rc2Wipe } from './rc2';
import { E_CIPHER_ALG, E_CIPHER_DECRYPT, E_CIPHER_KEY, E_CIPHER_LENGTH, E_CIPHER_PARAM } from './errors';

/** AES-128/192/256 (FIPS 197); the key length picks the variant. */
export const CIPHER_AES: i32 = 1;
/** Single DES (FIPS 46-3), 8-byte key. */
export const CIPHER_DES: i32 = 2;
/** Three-key TDEA EDE3 (SP 800-67), 24-byte key K1||K2||K3. */
export const CIPHER_DES_EDE3: i32 = 3;
/** Two-key TDEA EDE, 16-byte key K1||K2 with K3 = K1. */
export const CIPHER_DES_EDE: i32 = 4;
/** RC2 (RFC 2268), 1..128-byte key plus effective key bits. */
export const CIPHER_RC2: i32 = 5;

/** Cipher block chaining (SP 800-38A §6.2). */
export const MODE_CBC: i32 = 1;
/** Electronic codebook (SP 800-38A §6.1). */
export const MODE_ECB: i32 = 2;

/** Up to four AES blocks (CBC decryption batches four). */
const BLK = new StaticArray<u8>(64);
/** Saved ciphertext of the current batch (so that output may alias input). */
const SAVE = new StaticArray<u8>(64);
/** The chaining value (IV, then the previous ciphertext block). */
const CHAIN = new StaticArray<u8>(16);

// @ts-ignore: decorator
@inline function xorInto(dst: usize, src: usize, n: usize): void {
  for (let i: usize = 0; i < n; i += 8) store<u64>(dst + i, load<u64>(dst + i) ^ load<u64>(src + i));
}

/** Encrypts (or decrypts) one block of `bs` bytes in place with the loaded key. */
function block(alg: i32, p: usize, decrypt: bool): void {
  if (alg == CIPHER_AES) {
    if (decrypt) aesDecrypt(p, p, 1);
    else aesEncrypt(p, p, 1);
  } else if (alg == CIPHER_RC2) {
    if (decrypt) rc2Decrypt(p);
    else rc2Encrypt(p);
  } else {
    store<u64>(p, bswap<u64>(desCrypt(bswap<u64>(load<u64>(p)), decrypt)));
  }
}

function wipeAll(): void {
  aesWipe();
  desWipe();
  rc2Wipe();
  memory.fill(changetype<usize>(BLK), 0, 64);
  memory.fill(changetype<usize>(SAVE), 0, 64);
  memory.fill(changetype<usize>(CHAIN), 0, 16);
}

function setKey(alg: i32, key: usize, keyLen: i32, rc2Bits: i32, decrypt: bool): i32 {
  if (alg == CIPHER_AES) return aesSetKey(key, keyLen, decrypt) ? 0 : E_CIPHER_KEY;
  if (alg == CIPHER_DES) return keyLen == 8 && desSetKey(key, 8) ? 0 : E_CIPHER_KEY;
  if (alg == CIPHER_DES_EDE) return keyLen == 16 && desSetKey(key, 16) ? 0 : E_CIPHER_KEY;
  if (alg == CIPHER_DES_EDE3) return keyLen == 24 && desSetKey(key, 24) ? 0 : E_CIPHER_KEY;
  if (alg == CIPHER_RC2) {
    if (keyLen < 1 || keyLen > 128) return E_CIPHER_KEY;
    if (rc2Bits < 1 || rc2Bits > 1024) return E_CIPHER_PARAM;
    return rc2SetKey(key, keyLen, rc2Bits) ? 0 : E_CIPHER_KEY;
  }
  return E_CIPHER_ALG;
}

function encrypt(alg: i32, cbc: bool, bs: usize, src: usize, len: usize, dst: usize, pad: bool): i32 {
  const full = len - (len % bs);
  const chain = changetype<usize>(CHAIN);
  const blk = changetype<usize>(BLK);
  let off: usize = 0;
  for (; off < full; off += bs) {
    memory.copy(blk, src + off, bs);
    if (cbc) xorInto(blk, chain, bs);
    block(alg, blk, false);
    if (cbc) memory.copy(chain, blk, bs);
    memory.copy(dst + off, blk, bs);
  }
  if (!pad) return <i32>full;
  // Final block: the tail plus (bs - tail) bytes of value (bs - tail), 1..bs.
  const tail = len - full;
  const v = <u8>(bs - tail);
  memory.copy(blk, src + full, tail);
  memory.fill(blk + tail, v, bs - tail);
  if (cbc) xorInto(blk, chain, bs);
  block(alg, blk, false);
  memory.copy(dst + full, blk, bs);
  return <i32>(full + bs);
}

function decrypt(alg: i32, cbc: bool, bs: usize, src: usize, len: usize, dst: usize): void {
  const chain = changetype<usize>(CHAIN);
  const blk = changetype<usize>(BLK);
  const save = changetype<usize>(SAVE);
  // AES decrypts four independent blocks per pass of the bitsliced core.
  const batch: usize = alg == CIPHER_AES ? 64 : bs;
  for (let off: usize = 0; off < len; off += batch) {
    const n = len - off < batch ? len - off : batch;
    memory.copy(save, src + off, n);
    if (alg == CIPHER_AES) aesDecrypt(save, blk, <i32>(n >> 4));
    else {
      memory.copy(blk, save, n);
      block(alg, blk, true);
    }
    if (cbc) {
      xorInto(blk, chain, bs);
      if (n > bs) xorInto(blk + bs, save, n - bs);
      memory.copy(chain, save + n - bs, bs);
    }
    memory.copy(dst + off, blk, n);
  }
}

/**
 * Checks the PKCS#7 padding of the `len`-byte plaintext at `p` in constant time: the last
 * byte v must be 1..bs and the last v bytes must all equal v. Returns v, or 0 if invalid.
 */
function unpad(p: usize, len: usize, bs: u32): u32 {
  const v = <u32>load<u8>(p + len - 1);
  let bad: u32 = ((v - 1) >> 31) | ((bs - v) >> 31); // v == 0 or v > bs
  let diff: u32 = 0;
  for (let i: u32 = 0; i < bs; i++) {
    const inPad = <u32>0 - ((i - v) >> 31); // all ones when i < v
    diff |= (<u32>load<u8>(p + len - 1 - <usize>i) ^ v) & inPad;
  }
  bad |= (<u32>0 - diff) >> 31;
  return v & (bad - 1);
}

/**
 * One ECB or CBC encryption or decryption; see `cipher_crypt` in exports.ts for the
 * contract. The key schedule and every scratch buffer are wiped before returning.
 */
export function crypt(alg: i32, mode: i32, enc: bool, key: usize, keyLen: i32, iv: usize, src: usize, len: i32, dst: usize, pad: bool, rc2Bits: i32): i32 {
  if (alg < CIPHER_AES || alg > CIPHER_RC2 || (mode != MODE_CBC && mode != MODE_ECB)) return E_CIPHER_ALG;
  if (len < 0) return E_CIPHER_LENGTH;
  const bs: usize = alg == CIPHER_AES ? 16 : 8;
  const n = <usize>len;
  if (!enc && n % bs != 0) return pad ? E_CIPHER_DECRYPT : E_CIPHER_LENGTH;
  if (!enc && pad && n == 0) return E_CIPHER_DECRYPT;
  if (enc && !pad && n % bs != 0) return E_CIPHER_LENGTH;
  const cbc = mode == MODE_CBC;
  const err = setKey(alg, key, keyLen, rc2Bits, !enc);
  if (err < 0) {
    wipeAll();
    return err;
  }
  if (cbc) memory.copy(changetype<usize>(CHAIN), iv, bs);
  let result: i32;
  if (enc) result = encrypt(alg, cbc, bs, src, n, dst, pad);
  else {
    decrypt(alg, cbc, bs, src, n, dst);
    result = len;
    if (pad) {
      const v = unpad(dst, n, <u32>bs);
      if (v == 0) {
        memory.fill(dst, 0, n);
        result = E_CIPHER_DECRYPT;
      } else result = len - <i32>v;
    }
  }
  wipeAll();
  return result;
}
