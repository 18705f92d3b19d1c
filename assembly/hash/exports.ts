// JS-facing hash exports (assembly/README.md, "Hash ids"): one streaming context per
// algorithm, driven synchronously by src/core/ops/hash.ts (init, update*, final).

import { Hasher, digest, hashSize } from './hasher';
import { E_HASH_ALG, E_HASH_STATE } from './errors';

const contexts = new StaticArray<Hasher | null>(9);
const active = new StaticArray<bool>(9);

/** Starts a digest with algorithm `alg` (HASH_* id). Returns 0, or E_HASH_ALG. */
export function hash_init(alg: i32): i32 {
  if (hashSize(alg) == 0) return E_HASH_ALG;
  let h = unchecked(contexts[alg]);
  if (h === null) {
    h = new Hasher(alg);
    unchecked((contexts[alg] = h));
  } else {
    h.reset();
  }
  unchecked((active[alg] = true));
  return 0;
}

/** Absorbs `len` bytes at `ptr` into the digest started by hash_init(alg). Returns 0 or E_*. */
export function hash_update(alg: i32, ptr: usize, len: usize): i32 {
  if (hashSize(alg) == 0) return E_HASH_ALG;
  const h = unchecked(contexts[alg]);
  if (h === null || !unchecked(active[alg])) return E_HASH_STATE;
  h.update(ptr, len);
  return 0;
}

/**
 * Writes the digest to `out`, wipes the context and returns the digest length in bytes
 * (or E_HASH_ALG / E_HASH_STATE).
 */
export function hash_final(alg: i32, out: usize): i32 {
  if (hashSize(alg) == 0) return E_HASH_ALG;
  const h = unchecked(contexts[alg]);
  if (h === null || !unchecked(active[alg])) return E_HASH_STATE;
  h.final(out);
  unchecked((active[alg] = false));
  return h.size;
}

/**
 * One-shot digest of `len` bytes at `ptr` into `out` (the one-shot `digest` of hasher.ts).
 * Returns the digest length, or E_HASH_ALG. Independent of the streaming contexts.
 */
export function hash_digest(alg: i32, ptr: usize, len: usize, out: usize): i32 {
  const size = hashSize(alg);
  if (size == 0) return E_HASH_ALG;
  digest(alg, ptr, len, out);
  return size;
}
