// Random numbers from the host CSPRNG (crypto.getRandomValues through env.random_fill).

import { limb, setLimb, zero } from './limbs';

// @ts-ignore: decorator
@external("env", "random_fill")
declare function random_fill(ptr: usize, len: usize): void;

/** Fills `len` bytes at `ptr` with CSPRNG output. */
export function randomBytes(ptr: usize, len: usize): void {
  if (len) random_fill(ptr, len);
}

/**
 * p = a uniformly random number of exactly `bits` bits or fewer (the top `32n - bits` bits
 * cleared), n limbs.
 */
export function randomBits(p: usize, n: i32, bits: i32): void {
  zero(p, n);
  const full = bits >> 5, rest = bits & 31;
  const fill = rest ? full + 1 : full;
  randomBytes(p, <usize>fill << 2);
  if (rest) setLimb(p, full, limb(p, full) & ((1 << <u32>rest) - 1));
}
