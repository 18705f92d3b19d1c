// Streaming hashes for the rest of the core: MD5 (RFC 1321) and the SHA family of
// FIPS 180-4 behind one `Hasher` class. Other domains (RSA PKCS#1/PSS/OAEP, ECDSA RFC 6979,
// the KDFs) import this API through `hash/index.ts`; it must stay stable.
//
// A Hasher owns its chaining state and one block buffer (allocated once, in the constructor);
// `update` feeds whole blocks straight from the caller's memory to the block function, so no
// allocation or copy happens per block.

import { md5Blocks } from './md5';
import { sha1Blocks } from './sha1';
import { sha256Blocks } from './sha256';
import { sha512Blocks } from './sha512';

/** MD5, RFC 1321. */
export const HASH_MD5: i32 = 1;
/** SHA-1, FIPS 180-4 §6.1. */
export const HASH_SHA1: i32 = 2;
/** SHA-224, FIPS 180-4 §6.3. */
export const HASH_SHA224: i32 = 3;
/** SHA-256, FIPS 180-4 §6.2. */
export const HASH_SHA256: i32 = 4;
/** SHA-384, FIPS 180-4 §6.5. */
export const HASH_SHA384: i32 = 5;
/** SHA-512, FIPS 180-4 §6.4. */
export const HASH_SHA512: i32 = 6;
/** SHA-512/224, FIPS 180-4 §6.6. */
export const HASH_SHA512_224: i32 = 7;
/** SHA-512/256, FIPS 180-4 §6.7. */
export const HASH_SHA512_256: i32 = 8;

/** The largest digest (SHA-512) and block (SHA-384/512 family) sizes, in bytes. */
export const HASH_MAX_SIZE: i32 = 64;
export const HASH_MAX_BLOCK: i32 = 128;

/** Digest length in bytes of hash `alg`; 0 if `alg` is not a HASH_* id. */
export function hashSize(alg: i32): i32 {
  switch (alg) {
    case HASH_MD5: return 16;
    case HASH_SHA1: return 20;
    case HASH_SHA224: return 28;
    case HASH_SHA256: return 32;
    case HASH_SHA384: return 48;
    case HASH_SHA512: return 64;
    case HASH_SHA512_224: return 28;
    case HASH_SHA512_256: return 32;
  }
  return 0;
}

/** Block length in bytes of hash `alg` (64, or 128 for the SHA-512 family); 0 if unknown. */
export function hashBlockSize(alg: i32): i32 {
  if (alg >= HASH_MD5 && alg <= HASH_SHA256) return 64;
  if (alg >= HASH_SHA384 && alg <= HASH_SHA512_256) return 128;
  return 0;
}

// ---------------------------------------------------------------------------------------
// Low-level helpers over a raw state area (used by Hasher and by the PBKDF2 / PKCS#12 inner
// loops in kdf/, which run the block function on pre-padded single blocks).
// A state area is 64 bytes: eight native-endian u32 words (MD5, SHA-1, SHA-224/256) or eight
// u64 words (SHA-384/512 family).

/** Writes the initial hash value of `alg` (RFC 1321 §3.3, FIPS 180-4 §5.3) to state `st`. */
export function hashStateInit(alg: i32, st: usize): void {
  switch (alg) {
    case HASH_MD5:
      store<u32>(st, 0x67452301, 0); store<u32>(st, 0xefcdab89, 4);
      store<u32>(st, 0x98badcfe, 8); store<u32>(st, 0x10325476, 12);
      break;
    case HASH_SHA1:
      store<u32>(st, 0x67452301, 0); store<u32>(st, 0xefcdab89, 4);
      store<u32>(st, 0x98badcfe, 8); store<u32>(st, 0x10325476, 12);
      store<u32>(st, 0xc3d2e1f0, 16);
      break;
    case HASH_SHA224:
      store<u32>(st, 0xc1059ed8, 0); store<u32>(st, 0x367cd507, 4);
      store<u32>(st, 0x3070dd17, 8); store<u32>(st, 0xf70e5939, 12);
      store<u32>(st, 0xffc00b31, 16); store<u32>(st, 0x68581511, 20);
      store<u32>(st, 0x64f98fa7, 24); store<u32>(st, 0xbefa4fa4, 28);
      break;
    case HASH_SHA256:
      store<u32>(st, 0x6a09e667, 0); store<u32>(st, 0xbb67ae85, 4);
      store<u32>(st, 0x3c6ef372, 8); store<u32>(st, 0xa54ff53a, 12);
      store<u32>(st, 0x510e527f, 16); store<u32>(st, 0x9b05688c, 20);
      store<u32>(st, 0x1f83d9ab, 24); store<u32>(st, 0x5be0cd19, 28);
      break;
    case HASH_SHA384:
      store<u64>(st, 0xcbbb9d5dc1059ed8, 0); store<u64>(st, 0x629a292a367cd507, 8);
      store<u64>(st, 0x9159015a3070dd17, 16); store<u64>(st, 0x152fecd8f70e5939, 24);
      store<u64>(st, 0x67332667ffc00b31, 32); store<u64>(st, 0x8eb44a8768581511, 40);
      store<u64>(st, 0xdb0c2e0d64f98fa7, 48); store<u64>(st, 0x47b5481dbefa4fa4, 56);
      break;
    case HASH_SHA512:
      store<u64>(st, 0x6a09e667f3bcc908, 0); store<u64>(st, 0xbb67ae8584caa73b, 8);
      store<u64>(st, 0x3c6ef372fe94f82b, 16); store<u64>(st, 0xa54ff53a5f1d36f1, 24);
      store<u64>(st, 0x510e527fade682d1, 32); store<u64>(st, 0x9b05688c2b3e6c1f, 40);
      store<u64>(st, 0x1f83d9abfb41bd6b, 48); store<u64>(st, 0x5be0cd19137e2179, 56);
      break;
    case HASH_SHA512_224:
      store<u64>(st, 0x8c3d37c819544da2, 0); store<u64>(st, 0x73e1996689dcd4d6, 8);
      store<u64>(st, 0x1dfab7ae32ff9c82, 16); store<u64>(st, 0x679dd514582f9fcf, 24);
      store<u64>(st, 0x0f6d2b697bd44da8, 32); store<u64>(st, 0x77e36f7304c48942, 40);
      store<u64>(st, 0x3f9d85a86a1d36c8, 48); store<u64>(st, 0x1112e6ad91d692a1, 56);
      break;
    case HASH_SHA512_256:
      store<u64>(st, 0x22312194fc2bf72c, 0); store<u64>(st, 0x9f555fa3c84c64c2, 8);
      store<u64>(st, 0x2393b86b6f53b151, 16); store<u64>(st, 0x963877195940eabd, 24);
      store<u64>(st, 0x96283ee2a88effe3, 32); store<u64>(st, 0xbe5e1e2553863992, 40);
      store<u64>(st, 0x2b0199fc2c85b8aa, 48); store<u64>(st, 0x0eb72ddc81c52ca2, 56);
      break;
    default:
      assert(false, 'unknown hash');
  }
}

/** Runs the block function of `alg` over `n` whole blocks at `p`, updating state `st`. */
// @ts-ignore: decorator
@inline
export function hashBlocks(alg: i32, st: usize, p: usize, n: usize): void {
  if (alg >= HASH_SHA384) sha512Blocks(st, p, n);
  else if (alg >= HASH_SHA224) sha256Blocks(st, p, n);
  else if (alg == HASH_SHA1) sha1Blocks(st, p, n);
  else md5Blocks(st, p, n);
}

/**
 * Serialises the first `size` bytes of the digest from state `st` to `out`: big-endian words
 * for SHA (FIPS 180-4 §6.x.2 final step, truncated per §6.3/§6.5-6.7), little-endian for MD5
 * (RFC 1321 §3.5).
 */
export function hashStateOut(alg: i32, st: usize, out: usize, size: i32): void {
  if (alg == HASH_MD5) {
    memory.copy(out, st, <usize>size);
  } else if (alg >= HASH_SHA384) {
    let i = 0;
    for (; i + 8 <= size; i += 8) store<u64>(out + <usize>i, bswap<u64>(load<u64>(st + <usize>i)));
    if (i < size) store<u32>(out + <usize>i, bswap<u32>(<u32>(load<u64>(st + <usize>i) >>> 32))); // SHA-512/224: half word
  } else {
    for (let i = 0; i < size; i += 4) store<u32>(out + <usize>i, bswap<u32>(load<u32>(st + <usize>i)));
  }
}

/**
 * Writes the Merkle–Damgård padding of a message of `total` bytes into the final block
 * `blk` (which holds `used` message bytes), running the block function once or twice.
 * RFC 1321 §3.1-3.2 (64-bit little-endian bit length), FIPS 180-4 §5.1.1 (64-bit big-endian)
 * and §5.1.2 (128-bit big-endian).
 */
export function hashPadFinal(alg: i32, st: usize, blk: usize, used: i32, total: u64): void {
  const bs = hashBlockSize(alg);
  const lenBytes = bs == 128 ? 16 : 8;
  store<u8>(blk + <usize>used, 0x80);
  used++;
  if (used > bs - lenBytes) {
    memory.fill(blk + <usize>used, 0, <usize>(bs - used));
    hashBlocks(alg, st, blk, 1);
    used = 0;
  }
  memory.fill(blk + <usize>used, 0, <usize>(bs - 8 - used));
  const bits = total << 3;
  if (alg == HASH_MD5) {
    store<u64>(blk + <usize>(bs - 8), bits);
  } else {
    // For 128-byte blocks the upper 64 bits of the 128-bit length stay zero (already filled):
    // a u64 byte count below 2^61 is all this context can have absorbed.
    store<u64>(blk + <usize>(bs - 8), bswap<u64>(bits));
  }
  hashBlocks(alg, st, blk, 1);
}

// ---------------------------------------------------------------------------------------

/**
 * A streaming hash context for one HASH_* algorithm. Allocate one per use site, once (it owns
 * a 64-byte state and a 128-byte block buffer), then `reset` / `update`* / `final` per message.
 */
export class Hasher {
  /** The HASH_* id. */
  readonly alg: i32;
  /** Digest length in bytes. */
  readonly size: i32;
  /** Block length in bytes (64 or 128). */
  readonly blockSize: i32;
  private st: StaticArray<u8> = new StaticArray<u8>(HASH_MAX_SIZE);
  private blk: StaticArray<u8> = new StaticArray<u8>(HASH_MAX_BLOCK);
  private used: i32 = 0;
  private total: u64 = 0;

  /** Creates a context for `alg` (a HASH_* id; anything else is a programming error) and resets it. */
  constructor(alg: i32) {
    const size = hashSize(alg);
    assert(size != 0, 'unknown hash');
    this.alg = alg;
    this.size = size;
    this.blockSize = hashBlockSize(alg);
    this.reset();
  }

  /** Starts a new message (initial hash value, empty buffer). */
  reset(): void {
    hashStateInit(this.alg, changetype<usize>(this.st));
    this.used = 0;
    this.total = 0;
  }

  /**
   * Starts a message from a saved chaining state: copies the state at `st` (HASH_MAX_SIZE
   * bytes, layout of hashStateInit) and records that `total` bytes (a whole number of blocks)
   * were already absorbed. HMAC uses it to restart from its precomputed K0 ^ ipad state.
   */
  resume(st: usize, total: u64): void {
    memory.copy(changetype<usize>(this.st), st, <usize>HASH_MAX_SIZE);
    this.used = 0;
    this.total = total;
  }

  /** Absorbs `len` bytes at `ptr`. */
  update(ptr: usize, len: usize): void {
    if (len == 0) return;
    const bs = <usize>this.blockSize;
    const st = changetype<usize>(this.st);
    const blk = changetype<usize>(this.blk);
    this.total += <u64>len;
    let used = <usize>this.used;
    if (used) {
      const take = min(bs - used, len);
      memory.copy(blk + used, ptr, take);
      used += take;
      ptr += take;
      len -= take;
      if (used < bs) {
        this.used = <i32>used;
        return;
      }
      hashBlocks(this.alg, st, blk, 1);
    }
    const n = len / bs;
    if (n) {
      hashBlocks(this.alg, st, ptr, n);
      ptr += n * bs;
      len -= n * bs;
    }
    if (len) memory.copy(blk, ptr, len);
    this.used = <i32>len;
  }

  /** Absorbs one byte. */
  updateByte(b: u8): void {
    const blk = changetype<usize>(this.blk);
    store<u8>(blk + <usize>this.used, b);
    this.total++;
    if (++this.used == this.blockSize) {
      hashBlocks(this.alg, changetype<usize>(this.st), blk, 1);
      this.used = 0;
    }
  }

  /**
   * Writes the `size`-byte digest to `out`, then wipes the state and the buffered data. The
   * context is left reset, so calling `reset()` before reuse is allowed but not required.
   */
  final(out: usize): void {
    const st = changetype<usize>(this.st);
    const blk = changetype<usize>(this.blk);
    hashPadFinal(this.alg, st, blk, this.used, this.total);
    hashStateOut(this.alg, st, out, this.size);
    this.wipe();
    this.reset();
  }

  /** Zeroes the state and the block buffer (the context must be reset before further use). */
  wipe(): void {
    memory.fill(changetype<usize>(this.st), 0, <usize>HASH_MAX_SIZE);
    memory.fill(changetype<usize>(this.blk), 0, <usize>HASH_MAX_BLOCK);
    this.used = 0;
    this.total = 0;
  }
}

const dState = new StaticArray<u8>(HASH_MAX_SIZE);
const dBlock = new StaticArray<u8>(HASH_MAX_BLOCK);

/**
 * One-shot digest of `len` bytes at `ptr` into `out` (hashSize(alg) bytes; `out` may overlap
 * the input). `alg` must be a HASH_* id. Its scratch is wiped before it returns.
 */
export function digest(alg: i32, ptr: usize, len: usize, out: usize): void {
  const size = hashSize(alg);
  assert(size != 0, 'unknown hash');
  const st = changetype<usize>(dState);
  const blk = changetype<usize>(dBlock);
  const bs = <usize>hashBlockSize(alg);
  hashStateInit(alg, st);
  const n = len / bs;
  if (n) hashBlocks(alg, st, ptr, n);
  const rem = len - n * bs;
  memory.copy(blk, ptr + n * bs, rem);
  hashPadFinal(alg, st, blk, <i32>rem, <u64>len);
  hashStateOut(alg, st, out, size);
  memory.fill(st, 0, <usize>HASH_MAX_SIZE);
  memory.fill(blk, 0, <usize>HASH_MAX_BLOCK);
}
