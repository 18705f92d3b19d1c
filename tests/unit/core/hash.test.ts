/**
 * assembly/hash (MD5, SHA-1, SHA-2) through src/core/ops/hash.ts and the raw exports, against
 * the published examples (RFC 1321 A.5, the FIPS 180-4 example messages) and node:crypto on
 * random inputs and random streaming splits. Runs on the debug and the release build
 * (`npm run build:wasm`, `npm run build:wasm:debug`).
 */
import { readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { coreWasmPath } from '../_core.ts';
import { ALGS, NODE_NAME, prng } from './_hash-common.ts';
import { instantiateCore } from '../../../src/core/instance.ts';
import { Io } from '../../../src/core/io.ts';
import { HASH_ID, HASH_SIZE, hashOps, type HashAlg, type HashExports, type HashOps } from '../../../src/core/ops/hash.ts';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const ascii = (s: string) => new TextEncoder().encode(s);


// RFC 1321 appendix A.5 (the MD5 test suite).
const MD5_SUITE: [string, string][] = [
  ['', 'd41d8cd98f00b204e9800998ecf8427e'],
  ['a', '0cc175b9c0f1b6a831c399e269772661'],
  ['abc', '900150983cd24fb0d6963f7d28e17f72'],
  ['message digest', 'f96b697d7cb7938d525a2f31aaf161d0'],
  ['abcdefghijklmnopqrstuvwxyz', 'c3fcd3d76192e4007dfb496cca67e13b'],
  ['ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789', 'd174ab98d277d9f5a5611c2c9f419d9f'],
  ['1234567890'.repeat(8), '57edf4a22be3c955ac49da2e2107b67a'],
];

// The FIPS 180-4 example messages (NIST CSRC "Examples with Intermediate Values"): "abc", the
// 448-bit and 896-bit messages, one million 'a', plus the empty message.
const M448 = 'abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq';
const M896 = 'abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu';
const FIPS_MESSAGES: Record<string, Uint8Array> = {
  empty: new Uint8Array(0),
  abc: ascii('abc'),
  '448': ascii(M448),
  '896': ascii(M896),
  million: new Uint8Array(1_000_000).fill(0x61),
};
const FIPS: Record<Exclude<HashAlg, 'MD5'>, Record<string, string>> = {
  'SHA-1': {
    empty: 'da39a3ee5e6b4b0d3255bfef95601890afd80709',
    abc: 'a9993e364706816aba3e25717850c26c9cd0d89d',
    '448': '84983e441c3bd26ebaae4aa1f95129e5e54670f1',
    '896': 'a49b2446a02c645bf419f995b67091253a04a259',
    million: '34aa973cd4c4daa4f61eeb2bdbad27316534016f',
  },
  'SHA-224': {
    empty: 'd14a028c2a3a2bc9476102bb288234c415a2b01f828ea62ac5b3e42f',
    abc: '23097d223405d8228642a477bda255b32aadbce4bda0b3f7e36c9da7',
    '448': '75388b16512776cc5dba5da1fd890150b0c6455cb4f58b1952522525',
    '896': 'c97ca9a559850ce97a04a96def6d99a9e0e0e2ab14e6b8df265fc0b3',
    million: '20794655980c91d8bbb4c1ea97618a4bf03f42581948b2ee4ee7ad67',
  },
  'SHA-256': {
    empty: 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
    abc: 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
    '448': '248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1',
    '896': 'cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1',
    million: 'cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0',
  },
  'SHA-384': {
    empty: '38b060a751ac96384cd9327eb1b1e36a21fdb71114be07434c0cc7bf63f6e1da274edebfe76f65fbd51ad2f14898b95b',
    abc: 'cb00753f45a35e8bb5a03d699ac65007272c32ab0eded1631a8b605a43ff5bed8086072ba1e7cc2358baeca134c825a7',
    '448': '3391fdddfc8dc7393707a65b1b4709397cf8b1d162af05abfe8f450de5f36bc6b0455a8520bc4e6f5fe95b1fe3c8452b',
    '896': '09330c33f71147e83d192fc782cd1b4753111b173b3b05d22fa08086e3b0f712fcc7c71a557e2db966c3e9fa91746039',
    million: '9d0e1809716474cb086e834e310a4a1ced149e9c00f248527972cec5704c2a5b07b8b3dc38ecc4ebae97ddd87f3d8985',
  },
  'SHA-512': {
    empty: 'cf83e1357eefb8bdf1542850d66d8007d620e4050b5715dc83f4a921d36ce9ce47d0d13c5d85f2b0ff8318d2877eec2f63b931bd47417a81a538327af927da3e',
    abc: 'ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f',
    '448': '204a8fc6dda82f0a0ced7beb8e08a41657c16ef468b228a8279be331a703c33596fd15c13b1b07f9aa1d3bea57789ca031ad85c7a71dd70354ec631238ca3445',
    '896': '8e959b75dae313da8cf4f72814fc143f8f7779c6eb9f7fa17299aeadb6889018501d289e4900f7e4331b99dec4b5433ac7d329eeb6dd26545e96e55b874be909',
    million: 'e718483d0ce769644e2e42c7bc15b4638e1f98b13b2044285632a803afa973ebde0ff244877ea60a4cb0432ce577c31beb009c5c2c49aa2e4eadb217ad8cc09b',
  },
  'SHA-512/224': {
    empty: '6ed0dd02806fa89e25de060c19d3ac86cabb87d6a0ddd05c333b84f4',
    abc: '4634270f707b6a54daae7530460842e20e37ed265ceee9a43e8924aa',
    '448': 'e5302d6d54bb242275d1e7622d68df6eb02dedd13f564c13dbda2174',
    '896': '23fec5bb94d60b23308192640b0c453335d664734fe40e7268674af9',
    million: '37ab331d76f0d36de422bd0edeb22a28accd487b7a8453ae965dd287',
  },
  'SHA-512/256': {
    empty: 'c672b8d1ef56ed28ab87c3622c5114069bdd3ad7b8f9737498d0c01ecef0967a',
    abc: '53048e2681941ef99b2e29b76b4c7dabe4c2d0c634fc6d46e0e2f13107e7af23',
    '448': 'bde8e1f9f19bb9fd3406c90ec6bc47bd36d8ada9f11880dbc8a22a7078b6a461',
    '896': '3928e184fb8690f840da3988121d31be65cb9d3ef83ee6146feac861e19b563a',
    million: '9a59a052930187a97038cae692f30708aa6491923ef5194394dc68d56c74fb21',
  },
};

describe.each([
  ['debug', false],
  ['release', true],
])('hash (%s build)', (_flavour, release) => {
  let ex: HashExports;
  let io: Io;
  let ops: HashOps;

  beforeAll(async () => {
    const inst = await instantiateCore(readFileSync(coreWasmPath(release ? 'release' : 'debug')));
    ex = inst.exports as unknown as HashExports;
    io = new Io(ex);
    ops = hashOps(ex, io);
  });

  /** Streams `data` through hash_init / hash_update (in the given chunk sizes) / hash_final. */
  const streamed = (alg: HashAlg, data: Uint8Array, splits: number[]) =>
    io.call([data, 64], ([buf, out]) => {
      const id = HASH_ID[alg];
      expect(ex.hash_init(id)).toBe(0);
      let off = 0;
      for (const n of splits) {
        expect(ex.hash_update(id, buf! + off, n)).toBe(0);
        off += n;
      }
      expect(off).toBe(data.length);
      expect(ex.hash_final(id, out!)).toBe(HASH_SIZE[alg]);
      return io.read(out!, HASH_SIZE[alg]);
    });

  it.each(MD5_SUITE)('MD5 RFC 1321 A.5: %j', (msg, want) => {
    expect(hex(ops.digest('MD5', ascii(msg)))).toBe(want);
  });

  for (const [alg, table] of Object.entries(FIPS) as [HashAlg, Record<string, string>][]) {
    it.each(Object.entries(table))(`${alg} FIPS 180-4 example %s`, (name, want) => {
      expect(hex(ops.digest(alg, FIPS_MESSAGES[name]!))).toBe(want);
    });
  }

  it.each(ALGS)('%s matches node:crypto for every length 0..300', (alg) => {
    const rnd = prng(0x5eed + HASH_ID[alg]);
    for (let len = 0; len <= 300; len++) {
      const data = rnd.bytes(len);
      expect(hex(ops.digest(alg, data)), `len ${len}`).toBe(createHash(NODE_NAME[alg]).update(data).digest('hex'));
    }
  });

  it.each(ALGS)('%s streamed in random splits matches node:crypto', (alg) => {
    const rnd = prng(0xc0ffee + HASH_ID[alg]);
    for (let round = 0; round < 60; round++) {
      const len = rnd.int(round < 30 ? 300 : 3000);
      const data = rnd.bytes(len);
      const splits: number[] = [];
      for (let left = len; left > 0; ) {
        // Mostly small pieces (0 included) with the odd block-sized or larger one.
        const n = Math.min(left, rnd.int(4) === 0 ? rnd.int(400) : rnd.int(20));
        splits.push(n);
        left -= n;
      }
      expect(hex(streamed(alg, data, splits)), `len ${len} splits ${splits.join(',')}`).toBe(
        createHash(NODE_NAME[alg]).update(data).digest('hex'),
      );
    }
  });

  it.each(ALGS)('%s: byte-at-a-time and single update agree across block boundaries', (alg) => {
    const data = prng(7).bytes(260);
    const want = createHash(NODE_NAME[alg]).update(data).digest('hex');
    expect(hex(streamed(alg, data, Array<number>(260).fill(1)))).toBe(want);
    expect(hex(streamed(alg, data, [260]))).toBe(want);
  });

  it('inputs larger than the 1 MiB op chunk are streamed correctly', () => {
    const data = prng(99).bytes(3 * (1 << 20) + 77);
    for (const alg of ['SHA-256', 'SHA-512', 'MD5'] as const) {
      expect(hex(ops.digest(alg, data))).toBe(createHash(NODE_NAME[alg]).update(data).digest('hex'));
    }
  });

  it('the streaming context is reusable and independent per algorithm', () => {
    const a = ascii('abc');
    io.call([a, 64, 64], ([buf, out1, out2]) => {
      expect(ex.hash_init(4)).toBe(0);
      expect(ex.hash_init(6)).toBe(0);
      expect(ex.hash_update(4, buf!, 1)).toBe(0);
      expect(ex.hash_update(6, buf!, 3)).toBe(0);
      expect(ex.hash_update(4, buf! + 1, 2)).toBe(0);
      expect(ex.hash_final(6, out2!)).toBe(64);
      expect(ex.hash_final(4, out1!)).toBe(32);
      expect(hex(io.read(out1!, 32))).toBe(FIPS['SHA-256'].abc);
      expect(hex(io.read(out2!, 64))).toBe(FIPS['SHA-512'].abc);
    });
  });

  it('rejects unknown ids and calls out of order with E_ codes', () => {
    expect(ex.hash_init(0)).toBe(-10);
    expect(ex.hash_init(9)).toBe(-10);
    expect(ex.hash_init(-1)).toBe(-10);
    expect(ex.hash_update(42, 0, 0)).toBe(-10);
    expect(ex.hash_final(0, 0)).toBe(-10);
    expect(ex.hash_digest(9, 0, 0, 0)).toBe(-10);
    // After final, the context must be re-initialised.
    expect(ex.hash_init(1)).toBe(0);
    expect(ex.hash_final(1, ex.io_reserve(64))).toBe(16);
    expect(ex.hash_update(1, 0, 0)).toBe(-11);
    expect(ex.hash_final(1, 0)).toBe(-11);
  });

  it('digest() rejects names it does not know', () => {
    expect(() => ops.digest('SHA3-256' as HashAlg, new Uint8Array(1))).toThrow(RangeError);
  });
});
