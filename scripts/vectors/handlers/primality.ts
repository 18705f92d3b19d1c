/**
 * Wycheproof handler for `PrimalityTest` groups (primality_test_schema_v1.json): `value` is a
 * two's-complement big-endian hex integer; the core accepts it when it reports a probable
 * prime.
 */
import { Io } from '../../../src/core/io.ts';
import type { CoreInstance } from '../../../src/core/instance.ts';
import { primeOps, type BnExports, type PrimeOps } from '../../../src/core/ops/prime.ts';
import { hexToBytes, type WycheproofHandler } from '../types.ts';

const cache = new WeakMap<CoreInstance, PrimeOps>();

/** The prime ops of a core instance (built from its exports when the instance lacks them). */
export function primesOf(core: CoreInstance): PrimeOps {
  const own = core as unknown as Partial<PrimeOps>;
  if (typeof own.isProbablePrime === 'function') return own as PrimeOps;
  let ops = cache.get(core);
  if (!ops) {
    const ex = core.exports as unknown as BnExports;
    ops = primeOps(ex, new Io(ex));
    cache.set(core, ops);
  }
  return ops;
}

export const handlers: WycheproofHandler[] = [
  {
    groupTypes: ['PrimalityTest'],
    supports: () => true,
    run(core, test) {
      const value = hexToBytes(String(test.value ?? ''));
      try {
        return { accepted: primesOf(core).isProbablePrime(value) };
      } catch {
        return { accepted: false };
      }
    },
  },
];
