// PBKDF2 (RFC 8018 §5.2) with HMAC over any hash of hash/ as the PRF.
//
//   DK = T_1 || T_2 || ... || T_l (truncated to dkLen),
//   T_i = U_1 ^ U_2 ^ ... ^ U_c,  U_1 = PRF(P, S || INT(i)),  U_j = PRF(P, U_(j-1)).
//
// For j >= 2 the PRF input is a single digest, so each iteration is exactly two compression
// calls: one from the precomputed K0 ^ ipad state over a pre-padded block holding U_(j-1), and
// one from the K0 ^ opad state over a pre-padded block holding the inner digest. The padding
// (RFC 1321 §3.1-3.2 / FIPS 180-4 §5.1) of both blocks is written once per call.

import { HASH_MAX_BLOCK, HASH_MAX_SIZE, HASH_MD5, hashSize } from '../hash';
import { hashBlocks, hashStateOut } from '../hash/hasher';
import { Hmac } from './hmac';

const hmacs = new StaticArray<Hmac | null>(9);
const inBlock = new StaticArray<u8>(HASH_MAX_BLOCK);
const outBlock = new StaticArray<u8>(HASH_MAX_BLOCK);
const work = new StaticArray<u8>(HASH_MAX_SIZE);
const acc = new StaticArray<u8>(HASH_MAX_SIZE);
const ctr = new StaticArray<u8>(4);

/** The Hmac context of `alg` (allocated on first use, then reused). */
export function hmacFor(alg: i32): Hmac {
  let h = hmacs[alg];
  if (h === null) {
    h = new Hmac(alg);
    hmacs[alg] = h;
  }
  return h;
}

/**
 * Lays out a one-block message of `size` bytes followed by its padding in `blk`: the message
 * area [0, size) is left untouched, the rest becomes 0x80, zeros, and the bit length of a
 * message of `prefix + size` bytes (`prefix` = bytes absorbed before this block).
 */
export function padSingleBlock(alg: i32, blk: usize, bs: i32, size: i32, prefix: i32): void {
  memory.fill(blk + <usize>size, 0, <usize>(bs - size));
  store<u8>(blk + <usize>size, 0x80);
  const bits = <u64>(prefix + size) << 3;
  if (alg == HASH_MD5) store<u64>(blk + <usize>(bs - 8), bits);
  else store<u64>(blk + <usize>(bs - 8), bswap<u64>(bits));
}

/**
 * Derives `dkLen` bytes into `out` with PBKDF2-HMAC-`alg` (RFC 8018 §5.2) from the password
 * (`pwPtr`, `pwLen`), the salt (`saltPtr`, `saltLen`) and `iterations` >= 1. `alg` must be a
 * HASH_* id. All key-dependent scratch is wiped before it returns.
 */
export function pbkdf2(
  alg: i32, pwPtr: usize, pwLen: usize, saltPtr: usize, saltLen: usize, iterations: u32, out: usize, dkLen: usize,
): void {
  const size = hashSize(alg);
  assert(size != 0 && iterations >= 1, 'pbkdf2 arguments');
  const h = hmacFor(alg);
  const bs = h.blockSize;
  const ib = changetype<usize>(inBlock);
  const ob = changetype<usize>(outBlock);
  const st = changetype<usize>(work);
  const t = changetype<usize>(acc);
  const ist = changetype<usize>(h.innerState);
  const ost = changetype<usize>(h.outerState);
  const c = changetype<usize>(ctr);
  h.init(pwPtr, pwLen);
  padSingleBlock(alg, ib, bs, size, bs);
  padSingleBlock(alg, ob, bs, size, bs);
  let i: u32 = 1;
  for (let pos: usize = 0; pos < dkLen; pos += <usize>size, i++) {
    // U_1 = PRF(P, S || INT(i)), written straight into the message area of the inner block.
    store<u32>(c, bswap<u32>(i));
    h.update(saltPtr, saltLen);
    h.update(c, 4);
    h.final(ib);
    memory.copy(t, ib, <usize>size);
    for (let j: u32 = 1; j < iterations; j++) {
      memory.copy(st, ist, <usize>HASH_MAX_SIZE);
      hashBlocks(alg, st, ib, 1);
      hashStateOut(alg, st, ob, size);
      memory.copy(st, ost, <usize>HASH_MAX_SIZE);
      hashBlocks(alg, st, ob, 1);
      hashStateOut(alg, st, ib, size); // U_j
      for (let k: usize = 0; k < <usize>size; k += 4) store<u32>(t + k, load<u32>(t + k) ^ load<u32>(ib + k));
    }
    const take = min(<usize>size, dkLen - pos);
    memory.copy(out + pos, t, take);
  }
  h.wipe();
  memory.fill(ib, 0, <usize>HASH_MAX_BLOCK);
  memory.fill(ob, 0, <usize>HASH_MAX_BLOCK);
  memory.fill(st, 0, <usize>HASH_MAX_SIZE);
  memory.fill(t, 0, <usize>HASH_MAX_SIZE);
}
