/** Shared by the hash and KDF tests: node:crypto's names for our hashes and a reproducible PRNG. */
import type { HashAlg } from '../../../src/core/ops/hash.ts';

/** node:crypto names of our algorithms. */
export const NODE_NAME: Record<HashAlg, string> = {
  MD5: 'md5',
  'SHA-1': 'sha1',
  'SHA-224': 'sha224',
  'SHA-256': 'sha256',
  'SHA-384': 'sha384',
  'SHA-512': 'sha512',
  'SHA-512/224': 'sha512-224',
  'SHA-512/256': 'sha512-256',
};
export const ALGS = Object.keys(NODE_NAME) as HashAlg[];

/** A small deterministic PRNG (xorshift32) so that failures reproduce. */
export function prng(seed: number) {
  let s = seed >>> 0 || 1;
  const next = () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>>= 0);
  };
  return {
    int: (n: number) => next() % n,
    bytes: (n: number) => Uint8Array.from({ length: n }, () => next() & 0xff),
  };
}
