/**
 * The probable-prime test of assembly/bn (src/core/ops/prime.ts): known primes and
 * composites chosen to fool weaker tests (Carmichael numbers, strong pseudoprimes to base 2
 * and to many bases, squares of Wieferich primes, Lucas pseudoprimes), the two's-complement
 * input rules, and a differential run against node:crypto's checkPrimeSync on random odd
 * numbers. The Wycheproof primality vectors run in rsa-wycheproof.test.ts. Debug and release.
 */
import * as nc from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { Io } from '../../../src/core/io.ts';
import { instantiateCore } from '../../../src/core/instance.ts';
import { primeOps, type BnExports, type PrimeOps } from '../../../src/core/ops/prime.ts';
import { coreWasmPath, domainWasmPath } from '../_core.ts';

const builds = [false, true].map((release) => {
  const dom = domainWasmPath('hash-bn-rsa', release);
  return { name: release ? 'release' : 'debug', file: process.env.CORE_WASM_FILE ?? (existsSync(dom) ? dom : coreWasmPath(release ? 'release' : 'debug')) };
});

/** Two's-complement big-endian bytes of x (with a 00 byte when the top bit would be set). */
function twos(x: bigint): Uint8Array {
  if (x >= 0n) {
    let h = x.toString(16);
    if (h.length % 2) h = '0' + h;
    if (parseInt(h.slice(0, 2), 16) & 0x80) h = '00' + h;
    return new Uint8Array(Buffer.from(h, 'hex'));
  }
  let n = 1;
  while (-x > 1n << BigInt(8 * n - 1)) n++;
  const v = (1n << BigInt(8 * n)) + x;
  return new Uint8Array(Buffer.from(v.toString(16).padStart(2 * n, '0'), 'hex'));
}

const M = (p: number) => (1n << BigInt(p)) - 1n;

/** Table: value, expected verdict, and why it is interesting. */
const CASES: { name: string; value: bigint; prime: boolean }[] = [
  { name: '0', value: 0n, prime: false },
  { name: '1', value: 1n, prime: false },
  { name: '2', value: 2n, prime: true },
  { name: '3', value: 3n, prime: true },
  { name: '4', value: 4n, prime: false },
  { name: '65521 (largest prime < 2^16)', value: 65521n, prime: true },
  { name: '65537', value: 65537n, prime: true },
  { name: '65535', value: 65535n, prime: false },
  { name: '2^32 - 5 (prime)', value: 4294967291n, prime: true },
  { name: '2^32 + 1 (641 · 6700417)', value: 4294967297n, prime: false },
  { name: '65537² (no factor below 2^16, needs MR)', value: 65537n * 65537n, prime: false },
  { name: '561 (Carmichael)', value: 561n, prime: false },
  { name: '2047 (strong pseudoprime base 2)', value: 2047n, prime: false },
  { name: '1093² (Wieferich square, spsp(2))', value: 1093n * 1093n, prime: false },
  { name: '3511² (Wieferich square, spsp(2))', value: 3511n * 3511n, prime: false },
  { name: '3215031751 (spsp to bases 2, 3, 5, 7)', value: 3215031751n, prime: false },
  { name: '3825123056546413051 (spsp to bases 2..23)', value: 3825123056546413051n, prime: false },
  { name: '318665857834031151167461 (spsp to bases 2..37)', value: 318665857834031151167461n, prime: false },
  { name: '5777 (strong Lucas pseudoprime with Selfridge parameters)', value: 5777n, prime: false },
  { name: '1000003 · 1000033 (no small factor, caught by Miller–Rabin)', value: 1000003n * 1000033n, prime: false },
  { name: '(2^89 - 1)(2^107 - 1): a product of two large primes', value: M(89) * M(107), prime: false },
  { name: '2^89 - 1', value: M(89), prime: true },
  { name: '2^127 - 1', value: M(127), prime: true },
  { name: '2^521 - 1', value: M(521), prime: true },
  { name: '2^607 - 1', value: M(607), prime: true },
  { name: '2^1279 - 1', value: M(1279), prime: true },
  { name: '2^2203 - 1', value: M(2203), prime: true },
  { name: '2^1279 - 1 squared', value: M(1279) * M(1279), prime: false },
  { name: 'P-256 field prime', value: (1n << 256n) - (1n << 224n) + (1n << 192n) + (1n << 96n) - 1n, prime: true },
  { name: '-7 (negative)', value: -7n, prime: false },
  { name: '-(2^127 - 1) (negative of a prime)', value: -M(127), prime: false },
  { name: '-1', value: -1n, prime: false },
];

describe.each(builds)('isProbablePrime ($name build)', ({ file }) => {
  let ops: PrimeOps;
  beforeAll(async () => {
    const inst = await instantiateCore(readFileSync(file));
    const ex = inst.exports as unknown as BnExports;
    if (typeof ex.bn_is_probable_prime !== 'function') throw new Error(`${file} has no bn exports: run node scripts/asc-domain.mjs hash bn rsa [--release]`);
    ops = primeOps(ex, new Io(ex));
  });

  it.each(CASES)('$name', ({ value, prime }) => {
    expect(ops.isProbablePrime(twos(value))).toBe(prime);
  });

  it('reads two\'s complement: ff is -1, 00 ff is 255, 00 05 is 5, empty is 0', () => {
    expect(ops.isProbablePrime(Uint8Array.of(0x83))).toBe(false); // -125
    expect(ops.isProbablePrime(Uint8Array.of(0x00, 0x83))).toBe(true); // 131
    expect(ops.isProbablePrime(Uint8Array.of(0x00, 0x00, 0x05))).toBe(true);
    expect(ops.isProbablePrime(new Uint8Array(0))).toBe(false);
  });

  it('rejects values longer than 8192 bits', () => {
    const big = new Uint8Array(1030);
    big[1] = 1;
    expect(() => ops.isProbablePrime(big)).toThrow(RangeError);
  });

  it('agrees with node:crypto checkPrimeSync on random odd numbers and on generated primes', () => {
    let seed = 7;
    const rnd = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff);
    for (const bits of [16, 40, 64, 128, 256, 512]) {
      for (let t = 0; t < 25; t++) {
        const b = new Uint8Array(bits / 8);
        for (let i = 0; i < b.length; i++) b[i] = rnd() & 0xff;
        b[0]! |= 0x80;
        b[b.length - 1]! |= 1;
        const x = BigInt('0x' + Buffer.from(b).toString('hex'));
        expect(ops.isProbablePrime(twos(x)), x.toString()).toBe(nc.checkPrimeSync(x));
      }
      const p = nc.generatePrimeSync(bits, { bigint: true });
      expect(ops.isProbablePrime(twos(p))).toBe(true);
      expect(ops.isProbablePrime(twos(p * 3n))).toBe(false);
    }
  });
});
