import type { Io, IoExports } from '../io.ts';

/** Hash algorithms of the core, named as WebCrypto names them. */
export type HashAlg = 'MD5' | 'SHA-1' | 'SHA-224' | 'SHA-256' | 'SHA-384' | 'SHA-512' | 'SHA-512/224' | 'SHA-512/256';

/** Algorithm ids of assembly/hash (HASH_* in assembly/README.md). */
export const HASH_ID: Readonly<Record<HashAlg, number>> = {
  MD5: 1,
  'SHA-1': 2,
  'SHA-224': 3,
  'SHA-256': 4,
  'SHA-384': 5,
  'SHA-512': 6,
  'SHA-512/224': 7,
  'SHA-512/256': 8,
};

export const HASH_SIZE: Readonly<Record<HashAlg, number>> = {
  MD5: 16,
  'SHA-1': 20,
  'SHA-224': 28,
  'SHA-256': 32,
  'SHA-384': 48,
  'SHA-512': 64,
  'SHA-512/224': 28,
  'SHA-512/256': 32,
};

export interface HashExports extends IoExports {
  hash_init(alg: number): number;
  hash_update(alg: number, ptr: number, len: number): number;
  hash_final(alg: number, out: number): number;
  hash_digest(alg: number, ptr: number, len: number, out: number): number;
}

export interface HashOps {
  /** One-shot digest of `data`. */
  digest(alg: HashAlg, data: Uint8Array): Uint8Array;
}

/** Inputs larger than this are fed to the core in chunks, keeping the arena small. */
const CHUNK = 1 << 20;

export function hashAlgId(alg: string): number {
  const id = (HASH_ID as Record<string, number>)[alg];
  if (id === undefined) throw new RangeError(`digest: unsupported hash algorithm ${JSON.stringify(alg)}`);
  return id;
}

export function hashOps(ex: HashExports, io: Io): HashOps {
  return {
    digest(alg, data) {
      const id = hashAlgId(alg);
      const size = HASH_SIZE[alg];
      if (data.length <= CHUNK) {
        // One call: the data fits the arena comfortably.
        return io.call([data, 64], ([buf, out]) => {
          const n = ex.hash_digest(id, buf!, data.length, out!);
          if (n !== size) throw new RangeError(`digest: core returned ${n} for ${alg}`);
          return io.read(out!, size);
        });
      }
      const chunk = CHUNK;
      return io.call([chunk, 64], ([buf, out]) => {
        if (ex.hash_init(id) < 0) throw new RangeError(`digest: core refused ${alg}`);
        const mem = () => io.mem();
        for (let off = 0; off < data.length; off += chunk) {
          const part = data.subarray(off, Math.min(off + chunk, data.length));
          mem().set(part, buf!);
          ex.hash_update(id, buf!, part.length);
        }
        const n = ex.hash_final(id, out!);
        if (n !== size) throw new RangeError(`digest: core returned ${n} bytes for ${alg}`);
        return io.read(out!, size);
      });
    },
  };
}
