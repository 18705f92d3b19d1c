/**
 * assembly/bn against JS BigInt: modular exponentiation (one modulus, and two moduli on the
 * two engine lanes), modular multiplication (public-modulus setup), modular inverse, gcd,
 * division and multiplication, on random operands of many sizes (property style, seeded)
 * and on edge cases (0, 1, m - 1, all-ones limbs, carries across every limb, tiny moduli,
 * the 26-bit-limb engine above ~3550 bits). Runs against the debug and the release build.
 */
import { existsSync, readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { Io } from '../../../src/core/io.ts';
import { instantiateCore } from '../../../src/core/instance.ts';
import type { BnExports } from '../../../src/core/ops/prime.ts';
import { coreWasmPath, domainWasmPath } from '../_core.ts';

const builds = [false, true].map((release) => {
  const dom = domainWasmPath('hash-bn-rsa', release);
  return { name: release ? 'release' : 'debug', file: process.env.CORE_WASM_FILE ?? (existsSync(dom) ? dom : coreWasmPath(release ? 'release' : 'debug')) };
});

/** A small deterministic PRNG (xorshift128+) so that failures reproduce. */
function prng(seed: number) {
  let a = BigInt(seed) | 1n, b = 0x9e3779b97f4a7c15n;
  const M = (1n << 64n) - 1n;
  const next = () => {
    let x = a;
    const y = b;
    a = y;
    x ^= (x << 23n) & M;
    b = x ^ y ^ (x >> 17n) ^ (y >> 26n);
    return (b + y) & M;
  };
  return {
    bits(n: number): bigint {
      let v = 0n;
      for (let i = 0; i < n; i += 64) v = (v << 64n) | next();
      return v & ((1n << BigInt(n)) - 1n);
    },
    int(n: number): number {
      return Number(next() % BigInt(n));
    },
  };
}

const toBytes = (x: bigint, len?: number): Uint8Array => {
  let h = x.toString(16);
  if (h.length % 2) h = '0' + h;
  const b = Buffer.from(h === '00' && len === 0 ? '' : h, 'hex');
  if (len === undefined) return new Uint8Array(b);
  const o = new Uint8Array(len);
  o.set(b.subarray(Math.max(0, b.length - len)), Math.max(0, len - b.length));
  return o;
};
const fromBytes = (b: Uint8Array): bigint => (b.length ? BigInt('0x' + Buffer.from(b).toString('hex')) : 0n);
const byteLen = (x: bigint) => Math.max(1, Math.ceil(x.toString(16).length / 2));

function modPow(b: bigint, e: bigint, m: bigint): bigint {
  let r = 1n % m;
  b %= m;
  while (e > 0n) {
    if (e & 1n) r = (r * b) % m;
    b = (b * b) % m;
    e >>= 1n;
  }
  return r;
}
function modInv(a: bigint, m: bigint): bigint | undefined {
  let [r0, r1, s0, s1] = [a % m, m, 1n, 0n];
  while (r1) {
    const q = r0 / r1;
    [r0, r1] = [r1, r0 - q * r1];
    [s0, s1] = [s1, s0 - q * s1];
  }
  return r0 === 1n ? ((s0 % m) + m) % m : undefined;
}
const gcd = (a: bigint, b: bigint): bigint => (b ? gcd(b, a % b) : a);
const oddModulus = (r: ReturnType<typeof prng>, bits: number) => r.bits(bits) | 1n | (1n << BigInt(bits - 1));

describe.each(builds)('bn ($name build)', ({ file }) => {
  let ex: BnExports;
  let io: Io;
  beforeAll(async () => {
    const inst = await instantiateCore(readFileSync(file));
    ex = inst.exports as unknown as BnExports;
    if (typeof ex.bn_mod_exp !== 'function') throw new Error(`${file} has no bn exports: run node scripts/asc-domain.mjs hash bn rsa [--release]`);
    io = new Io(ex);
  });

  const modExp = (b: bigint, e: bigint, m: bigint, eLen?: number): bigint | number => {
    const bb = toBytes(b), eb = toBytes(e, eLen), mb = toBytes(m), ol = mb.length;
    return io.call([bb, eb, mb, ol], ([bp, ep, mp, out]) => {
      const r = ex.bn_mod_exp(bp!, bb.length, ep!, eb.length, mp!, mb.length, out!, ol);
      return r < 0 ? r : fromBytes(io.read(out!, ol));
    });
  };
  const modExp2 = (b1: bigint, e1: bigint, m1: bigint, b2: bigint, e2: bigint, m2: bigint): [bigint, bigint] => {
    const p = [b1, e1, m1, b2, e2, m2].map((x) => toBytes(x));
    const ol = Math.max(p[2]!.length, p[5]!.length);
    return io.call([...p, ol, ol], (ptr) => {
      const r = ex.bn_mod_exp2(ptr[0]!, p[0]!.length, ptr[1]!, p[1]!.length, ptr[2]!, p[2]!.length, ptr[3]!, p[3]!.length, ptr[4]!, p[4]!.length, ptr[5]!, p[5]!.length, ptr[6]!, ptr[7]!, ol);
      if (r < 0) throw new Error(`bn_mod_exp2: ${r}`);
      return [fromBytes(io.read(ptr[6]!, ol)), fromBytes(io.read(ptr[7]!, ol))];
    });
  };
  const binop = (name: 'bn_mod_mul', a: bigint, b: bigint, m: bigint): bigint | number => {
    const ab = toBytes(a), bb = toBytes(b), mb = toBytes(m), ol = mb.length;
    return io.call([ab, bb, mb, ol], ([ap, bp, mp, out]) => {
      const r = ex[name](ap!, ab.length, bp!, bb.length, mp!, mb.length, out!, ol);
      return r < 0 ? r : fromBytes(io.read(out!, ol));
    });
  };

  it('mod exp matches BigInt on random operands of many sizes', () => {
    const r = prng(1);
    const sizes = [2, 3, 8, 31, 32, 33, 63, 64, 65, 100, 255, 256, 257, 512, 521, 1000, 1023, 1024, 1025, 1536, 2047, 2048, 3072, 3500, 3600, 4096];
    for (const bits of sizes) {
      for (let t = 0; t < 3; t++) {
        const m = bits <= 2 ? 3n : oddModulus(r, bits);
        const b = r.bits(bits + 8) % m;
        const e = r.bits(1 + r.int(bits + 64));
        expect(modExp(b, e, m), `${bits} bits`).toBe(modPow(b, e, m));
      }
    }
  });

  it('mod exp edge cases: 0, 1, m - 1, e = 0/1/2, all-ones moduli and leading zero bytes', () => {
    const r = prng(2);
    const moduli = [3n, 5n, 0xffffffffn, (1n << 1024n) - 1n, (1n << 2048n) - 1n, (1n << 127n) - 1n, (1n << 64n) + 1n, oddModulus(r, 1024)];
    for (const m of moduli) {
      for (const b of [0n, 1n, 2n, m - 1n, m - 2n]) {
        for (const e of [0n, 1n, 2n, 3n, 65537n, m - 1n, (1n << 300n) - 1n]) {
          expect(modExp(b, e, m)).toBe(modPow(b, e, m));
        }
      }
    }
    // exponent bytes with leading zeros are read over their full length (constant time)
    expect(modExp(7n, 5n, 1000003n, 64)).toBe(modPow(7n, 5n, 1000003n));
    // an empty exponent is 0
    const mb = toBytes(101n);
    const got = io.call([toBytes(5n), new Uint8Array(0), mb, 1], ([bp, ep, mp, out]) => {
      expect(ex.bn_mod_exp(bp!, 1, ep!, 0, mp!, 1, out!, 1)).toBe(1);
      return io.read(out!, 1)[0];
    });
    expect(got).toBe(1);
  });

  it('mod exp rejects even or tiny moduli, base >= m and oversized numbers', () => {
    expect(modExp(1n, 1n, 10n)).toBe(-31);
    expect(modExp(0n, 1n, 1n)).toBe(-31);
    expect(modExp(7n, 1n, 7n)).toBe(-1);
    expect(modExp(1n, 1n, (1n << 8200n) + 1n)).toBe(-30);
  });

  it('two lanes with different moduli, sizes and exponents', () => {
    const r = prng(3);
    for (const [b1, b2] of [[512, 512], [1024, 1023], [1024, 1000], [2048, 2040], [1536, 64], [100, 3000]] as const) {
      for (let t = 0; t < 2; t++) {
        const m1 = oddModulus(r, b1), m2 = oddModulus(r, b2);
        const x1 = r.bits(b1) % m1, x2 = r.bits(b2) % m2;
        const e1 = r.bits(b1), e2 = r.bits(Math.max(8, b2 - 7));
        expect(modExp2(x1, e1, m1, x2, e2, m2)).toEqual([modPow(x1, e1, m1), modPow(x2, e2, m2)]);
      }
    }
  });

  it('mod mul (public-modulus setup) matches BigInt', () => {
    const r = prng(4);
    for (const bits of [5, 32, 64, 127, 512, 1024, 2048, 4096, 8192]) {
      for (let t = 0; t < 4; t++) {
        const m = oddModulus(r, bits);
        const a = t === 0 ? m - 1n : r.bits(bits) % m, b = t === 1 ? m - 1n : r.bits(bits) % m;
        expect(binop('bn_mod_mul', a, b, m), `${bits}`).toBe((a * b) % m);
      }
    }
    expect(binop('bn_mod_mul', 5n, 3n, 4n)).toBe(-31);
  });

  it('mod inverse matches BigInt and reports non-invertible values', () => {
    const r = prng(5);
    const inv = (a: bigint, m: bigint): bigint | number => {
      const ab = toBytes(a), mb = toBytes(m), ol = mb.length;
      return io.call([ab, mb, ol], ([ap, mp, out]) => {
        const n = ex.bn_mod_inv(ap!, ab.length, mp!, mb.length, out!, ol);
        return n < 0 ? n : fromBytes(io.read(out!, ol));
      });
    };
    for (const bits of [3, 17, 31, 32, 33, 63, 64, 65, 95, 96, 97, 200, 512, 1024, 2048, 4096]) {
      for (let t = 0; t < 6; t++) {
        const m = oddModulus(r, bits);
        const a = t === 0 ? 1n : t === 1 ? m - 1n : r.bits(bits) % m;
        const want = modInv(a, m);
        expect(inv(a, m), `${bits} bits`).toBe(want ?? -32);
      }
    }
    expect(inv(0n, 101n)).toBe(-32);
    expect(inv(21n, 35n)).toBe(-32);
    expect(inv(3n * 1000003n, 3n * 998244353n)).toBe(-32);
  });

  it('gcd, division and multiplication match BigInt', () => {
    const r = prng(6);
    const call3 = (name: 'bn_gcd' | 'bn_mul', a: bigint, b: bigint, ol: number) => {
      const ab = toBytes(a), bb = toBytes(b);
      return io.call([ab, bb, ol], ([ap, bp, out]) => {
        const n = ex[name](ap!, ab.length, bp!, bb.length, out!, ol);
        if (n < 0) throw new Error(`${name}: ${n}`);
        return fromBytes(io.read(out!, ol));
      });
    };
    const div = (a: bigint, b: bigint) => {
      const ab = toBytes(a), bb = toBytes(b), ql = byteLen(a) + 1, rl = byteLen(b) + 1;
      return io.call([ab, bb, ql, rl], ([ap, bp, q, rr]) => {
        const n = ex.bn_div(ap!, ab.length, bp!, bb.length, q!, ql, rr!, rl);
        if (n < 0) return n;
        return [fromBytes(io.read(q!, ql)), fromBytes(io.read(rr!, rl))];
      });
    };
    for (const bits of [1, 8, 32, 33, 64, 100, 512, 1024, 2048]) {
      for (let t = 0; t < 4; t++) {
        const g = r.bits(1 + r.int(Math.min(bits, 200))) + 1n;
        const a = (r.bits(bits) + 1n) * g * (1n << BigInt(r.int(5))), b = (r.bits(Math.max(1, bits - 3)) + 1n) * g;
        expect(call3('bn_gcd', a, b, byteLen(a) + byteLen(b)), `gcd ${bits}`).toBe(gcd(a, b));
        expect(call3('bn_mul', a, b, byteLen(a) + byteLen(b)), `mul ${bits}`).toBe(a * b);
        expect(div(a, b), `div ${bits}`).toEqual([a / b, a % b]);
        expect(div(b, a), `div ${bits}`).toEqual([b / a, b % a]);
      }
    }
    expect(call3('bn_gcd', 0n, 12n, 4)).toBe(12n);
    expect(call3('bn_gcd', 12n, 0n, 4)).toBe(12n);
    expect(call3('bn_gcd', (1n << 64n), (1n << 40n) * 3n, 16)).toBe(1n << 40n);
    expect(div(5n, 0n)).toBe(-1);
  });
});
