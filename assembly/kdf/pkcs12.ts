// The PKCS#12 key derivation function (RFC 7292 appendix B.2), over any hash of hash/.
//
// With u = digest size, v = block size, D = v copies of the ID byte (1 = key material,
// 2 = IV, 3 = MAC key), S and P the salt and password each repeated to a multiple of v bytes,
// and I = S || P:  A_i = H^r(D || I);  then I_j = (I_j + B + 1) mod 2^(8v) for every v-byte
// block I_j of I, where B is A_i repeated to v bytes; the key is A_1 || A_2 || ... truncated.
// The password is given already encoded (BMPString + two zero bytes, RFC 7292 B.1; see
// src/core/ops/kdf.ts), or empty for an absent password.

import { HASH_MAX_BLOCK, HASH_MAX_SIZE, Hasher, hashSize } from '../hash';
import { hashBlocks, hashStateInit, hashStateOut } from '../hash/hasher';
import { padSingleBlock } from './pbkdf2';

const hashers = new StaticArray<Hasher | null>(9);
const blk = new StaticArray<u8>(HASH_MAX_BLOCK);
const dBlock = new StaticArray<u8>(HASH_MAX_BLOCK);
const bBlock = new StaticArray<u8>(HASH_MAX_BLOCK);
const work = new StaticArray<u8>(HASH_MAX_SIZE);
/** Holds I = S || P; grows on demand, wiped after every call. */
let iBuf = new StaticArray<u8>(256);

/** Fills `dst` (`dstLen` bytes, a multiple of v) with `src` repeated; nothing if `srcLen` is 0. */
function repeatInto(dst: usize, dstLen: usize, src: usize, srcLen: usize): void {
  for (let o: usize = 0; o < dstLen; o += srcLen) memory.copy(dst + o, src, min(srcLen, dstLen - o));
}

/**
 * Derives `n` bytes into `out` with the PKCS#12 KDF (RFC 7292 B.2) for hash `alg` (a HASH_*
 * id), ID byte `id` (1, 2 or 3), the encoded password (`pwPtr`, `pwLen`), the salt and
 * `iterations` >= 1. All password-dependent scratch is wiped before it returns.
 */
export function pkcs12Kdf(
  alg: i32, id: u8, pwPtr: usize, pwLen: usize, saltPtr: usize, saltLen: usize, iterations: u32, out: usize, n: usize,
): void {
  const u = hashSize(alg);
  assert(u != 0 && iterations >= 1, 'pkcs12 kdf arguments');
  let h = hashers[alg];
  if (h === null) {
    h = new Hasher(alg);
    hashers[alg] = h;
  }
  const v = <usize>h.blockSize;
  // Steps 1-4: D, S, P, I = S || P.
  const sLen = (saltLen + v - 1) / v * v;
  const pLen = (pwLen + v - 1) / v * v;
  const iLen = sLen + pLen;
  if (<usize>iBuf.length < iLen) {
    memory.fill(changetype<usize>(iBuf), 0, <usize>iBuf.length);
    iBuf = new StaticArray<u8>(<i32>iLen);
  }
  const ib = changetype<usize>(iBuf);
  repeatInto(ib, sLen, saltPtr, saltLen);
  repeatInto(ib + sLen, pLen, pwPtr, pwLen);
  const d = changetype<usize>(dBlock);
  memory.fill(d, id, v);
  const b = changetype<usize>(blk);
  const bb = changetype<usize>(bBlock);
  const st = changetype<usize>(work);
  for (let pos: usize = 0; pos < n; pos += <usize>u) {
    // Step 6a: A_i = H^r(D || I); iterations 2..r hash one u-byte digest (a single padded block).
    h.reset();
    h.update(d, v);
    h.update(ib, iLen);
    h.final(b);
    if (iterations > 1) {
      padSingleBlock(alg, b, <i32>v, u, 0);
      for (let j: u32 = 1; j < iterations; j++) {
        hashStateInit(alg, st);
        hashBlocks(alg, st, b, 1);
        hashStateOut(alg, st, b, u);
      }
    }
    const take = min(<usize>u, n - pos);
    memory.copy(out + pos, b, take);
    if (pos + take >= n) break;
    // Steps 6b-6c: B = A_i repeated to v bytes; I_j = (I_j + B + 1) mod 2^(8v), big-endian.
    repeatInto(bb, v, b, <usize>u);
    for (let j: usize = 0; j < iLen; j += v) {
      let carry: u32 = 1;
      for (let k = <isize>v - 1; k >= 0; k--) {
        const p = ib + j + <usize>k;
        const sum = <u32>load<u8>(p) + <u32>load<u8>(bb + <usize>k) + carry;
        store<u8>(p, <u8>sum);
        carry = sum >>> 8;
      }
    }
  }
  h.wipe();
  h.reset();
  memory.fill(ib, 0, iLen);
  memory.fill(b, 0, <usize>HASH_MAX_BLOCK);
  memory.fill(bb, 0, <usize>HASH_MAX_BLOCK);
  memory.fill(st, 0, <usize>HASH_MAX_SIZE);
}
