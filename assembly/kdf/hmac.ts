// HMAC (RFC 2104) over any hash of hash/ (HASH_* ids).
//
//   HMAC(K, m) = H((K0 ^ opad) || H((K0 ^ ipad) || m))
//
// K0 is the key zero-padded to the block size B; keys longer than B are first replaced by
// H(K) (RFC 2104 §2). `init` absorbs the two padded key blocks once and keeps copies of the
// resulting chaining states (`innerState` / `outerState`); every message (and every PBKDF2
// iteration) starts from those copies without touching the key again.

import { Hasher, hashSize, HASH_MAX_BLOCK, HASH_MAX_SIZE } from '../hash';
import { hashBlocks, hashStateInit } from '../hash/hasher';

/**
 * An HMAC context for one hash (RFC 2104). Allocate once per use site; `init(key)` per key,
 * then `update`* / `final` per message (after `final`, `update` starts a new message with the
 * same key). `wipe()` erases all key-dependent state.
 */
export class Hmac {
  /** The HASH_* id. */
  readonly alg: i32;
  /** Tag length in bytes (the digest size). */
  readonly size: i32;
  /** Hash block size B in bytes. */
  readonly blockSize: i32;
  private inner: Hasher;
  private outer: Hasher;
  /** Chaining state after absorbing K0 ^ ipad (HASH_MAX_SIZE bytes). */
  readonly innerState: StaticArray<u8> = new StaticArray<u8>(HASH_MAX_SIZE);
  /** Chaining state after absorbing K0 ^ opad (HASH_MAX_SIZE bytes). */
  readonly outerState: StaticArray<u8> = new StaticArray<u8>(HASH_MAX_SIZE);
  private pad: StaticArray<u8> = new StaticArray<u8>(HASH_MAX_BLOCK);
  private mac: StaticArray<u8> = new StaticArray<u8>(HASH_MAX_SIZE);
  private fresh: bool = false;

  /** Creates a context for hash `alg` (a HASH_* id; anything else is a programming error). */
  constructor(alg: i32) {
    assert(hashSize(alg) != 0, 'unknown hash');
    this.alg = alg;
    this.inner = new Hasher(alg);
    this.outer = new Hasher(alg);
    this.size = this.inner.size;
    this.blockSize = this.inner.blockSize;
  }

  /** Sets the key (RFC 2104 §2 steps 1-2) and starts a message. */
  init(keyPtr: usize, keyLen: usize): void {
    const bs = <usize>this.blockSize;
    const pad = changetype<usize>(this.pad);
    memory.fill(pad, 0, bs);
    if (keyLen > bs) {
      // Keys longer than B are hashed first (K0 = H(K) || 0...).
      this.inner.reset();
      this.inner.update(keyPtr, keyLen);
      this.inner.final(pad);
    } else {
      memory.copy(pad, keyPtr, keyLen);
    }
    // K0 ^ ipad -> inner state, K0 ^ opad -> outer state.
    for (let i: usize = 0; i < bs; i += 8) store<u64>(pad + i, load<u64>(pad + i) ^ 0x3636363636363636);
    const ist = changetype<usize>(this.innerState);
    hashStateInit(this.alg, ist);
    hashBlocks(this.alg, ist, pad, 1);
    for (let i: usize = 0; i < bs; i += 8) store<u64>(pad + i, load<u64>(pad + i) ^ 0x6a6a6a6a6a6a6a6a); // 0x36 ^ 0x5c
    const ost = changetype<usize>(this.outerState);
    hashStateInit(this.alg, ost);
    hashBlocks(this.alg, ost, pad, 1);
    memory.fill(pad, 0, bs);
    this.restart();
  }

  /** Starts a new message with the current key. */
  restart(): void {
    this.inner.resume(changetype<usize>(this.innerState), <u64>this.blockSize);
    this.fresh = true;
  }

  /** Absorbs `len` message bytes at `ptr`. */
  update(ptr: usize, len: usize): void {
    if (!this.fresh) this.restart();
    this.inner.update(ptr, len);
  }

  /** Writes the `size`-byte tag to `out` and gets ready for the next message with the same key. */
  final(out: usize): void {
    if (!this.fresh) this.restart();
    const mac = changetype<usize>(this.mac);
    this.inner.final(mac);
    this.outer.resume(changetype<usize>(this.outerState), <u64>this.blockSize);
    this.outer.update(mac, <usize>this.size);
    this.outer.final(out);
    memory.fill(mac, 0, <usize>HASH_MAX_SIZE);
    this.fresh = false;
  }

  /** Erases the key-dependent states and any buffered message data. */
  wipe(): void {
    memory.fill(changetype<usize>(this.innerState), 0, <usize>HASH_MAX_SIZE);
    memory.fill(changetype<usize>(this.outerState), 0, <usize>HASH_MAX_SIZE);
    memory.fill(changetype<usize>(this.mac), 0, <usize>HASH_MAX_SIZE);
    this.inner.wipe();
    this.outer.wipe();
    this.inner.reset();
    this.outer.reset();
    this.fresh = false;
  }
}

const hmacCtx = new StaticArray<Hmac | null>(9);

/**
 * One-shot HMAC (RFC 2104): writes hashSize(alg) bytes of HMAC-H(key, msg) to `out` (which
 * may overlap the inputs). `alg` must be a HASH_* id. Wipes its key state before returning.
 */
export function hmac(alg: i32, keyPtr: usize, keyLen: usize, msgPtr: usize, msgLen: usize, out: usize): void {
  assert(hashSize(alg) != 0, 'unknown hash');
  let h = hmacCtx[alg];
  if (h === null) {
    h = new Hmac(alg);
    hmacCtx[alg] = h;
  }
  h.init(keyPtr, keyLen);
  h.update(msgPtr, msgLen);
  h.final(out);
  h.wipe();
}
