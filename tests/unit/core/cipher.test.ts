/**
 * assembly/cipher through src/core/ops/cipher.ts: FIPS 197 appendix C, SP 800-38A F.2 CBC,
 * RFC 2268 §5 RC2, FIPS 46-3 / SP 800-67 DES and TDEA, PKCS#7 padding edge cases, and
 * differential runs against node:crypto (AES, TDEA) and `openssl enc` with the legacy
 * provider (DES, RC2) on random keys, IVs and lengths, in both directions.
 * Runs against the debug and the release build.
 */
import { execFileSync } from 'node:child_process';
import * as nc from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { Io } from '../../../src/core/io.ts';
import { instantiateCore } from '../../../src/core/instance.ts';
import { cipherOps, type CbcAlg, type CipherExports, type CipherOps } from '../../../src/core/ops/cipher.ts';
import { PkiError } from '../../../src/util/errors.ts';
import { coreWasmPath, domainWasmPath } from '../_core.ts';

/**
 * The builds under test, debug and release: the newer of the domain build
 * (`node scripts/asc-domain.mjs cipher [--release]`) and the full core (`npm run build:wasm[:debug]`)
 * among those that export `cipher_crypt`, so a stale domain build never hides a fresh core;
 * CORE_WASM_FILE overrides both.
 */
const hasExport = (f: string) => WebAssembly.Module.exports(new WebAssembly.Module(readFileSync(f))).some((e) => e.name === 'cipher_crypt');
const builds = [false, true].map((release) => {
  const candidates = [domainWasmPath('cipher', release), coreWasmPath(release ? 'release' : 'debug')].filter((f) => existsSync(f) && hasExport(f));
  candidates.sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs);
  return { name: release ? 'release' : 'debug', file: process.env.CORE_WASM_FILE ?? candidates[0] ?? domainWasmPath('cipher', release) };
});

async function loadCipher(file: string): Promise<{ ops: CipherOps; ex: CipherExports; io: Io }> {
  const inst = await instantiateCore(readFileSync(file));
  const ex = inst.exports as unknown as CipherExports;
  if (typeof ex.cipher_crypt !== 'function') throw new Error(`${file} has no cipher exports: run node scripts/asc-domain.mjs cipher [--release]`);
  const io = new Io(ex);
  return { ops: cipherOps(ex, io), ex, io };
}

const h = (s: string) => Uint8Array.from(Buffer.from(s.replace(/\s+/g, ''), 'hex'));
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const noPad = { padding: false };

/** FIPS 197 appendix C: the example vectors of each key length. */
const FIPS197 = [
  { name: 'C.1 AES-128', key: '000102030405060708090a0b0c0d0e0f', pt: '00112233445566778899aabbccddeeff', ct: '69c4e0d86a7b0430d8cdb78070b4c55a' },
  { name: 'C.2 AES-192', key: '000102030405060708090a0b0c0d0e0f1011121314151617', pt: '00112233445566778899aabbccddeeff', ct: 'dda97ca4864cdfe06eaf70a0ec0d7191' },
  { name: 'C.3 AES-256', key: '000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f', pt: '00112233445566778899aabbccddeeff', ct: '8ea2b7ca516745bfeafc49904b496089' },
];

/** NIST SP 800-38A appendix F.2 (CBC-AES128/192/256), four blocks each. */
const SP800_38A_PT = '6bc1bee22e409f96e93d7e117393172a ae2d8a571e03ac9c9eb76fac45af8e51 30c81c46a35ce411e5fbc1191a0a52ef f69f2445df4f9b17ad2b417be66c3710';
const SP800_38A = [
  { name: 'F.2.1/F.2.2 CBC-AES128', key: '2b7e151628aed2a6abf7158809cf4f3c', ct: '7649abac8119b246cee98e9b12e9197d 5086cb9b507219ee95db113a917678b2 73bed6b8e3c1743b7116e69e22229516 3ff1caa1681fac09120eca307586e1a7' },
  { name: 'F.2.3/F.2.4 CBC-AES192', key: '8e73b0f7da0e6452c810f32b809079e562f8ead2522c6b7b', ct: '4f021db243bc633d7178183a9fa071e8 b4d9ada9ad7dedf4e5e738763f69145a 571b242012fb7ae07fa9baac3df102e0 08b0e27988598881d920a9e64f5615cd' },
  { name: 'F.2.5/F.2.6 CBC-AES256', key: '603deb1015ca71be2b73aef0857d77811f352c073b6108d72d9810a30914dff4', ct: 'f58c4c04d6e5f1ba779eabfb5f7bfbd6 9cfc4e967edb808d679f777bc6702c7d 39f23369a9d9bacfa530e26304231461 b2eb05e2c39be9fcda6c19078c6a9d1b' },
];
const SP800_38A_IV = '000102030405060708090a0b0c0d0e0f';

/** RFC 2268 §5: all eight test vectors (key, effective bits, plaintext, ciphertext). */
const RFC2268 = [
  { key: '0000000000000000', bits: 63, pt: '0000000000000000', ct: 'ebb773f993278eff' },
  { key: 'ffffffffffffffff', bits: 64, pt: 'ffffffffffffffff', ct: '278b27e42e2f0d49' },
  { key: '3000000000000000', bits: 64, pt: '1000000000000001', ct: '30649edf9be7d2c2' },
  { key: '88', bits: 64, pt: '0000000000000000', ct: '61a8a244adacccf0' },
  { key: '88bca90e90875a', bits: 64, pt: '0000000000000000', ct: '6ccf4308974c267f' },
  { key: '88bca90e90875a7f0f79c384627bafb2', bits: 64, pt: '0000000000000000', ct: '1a807d272bbe5db1' },
  { key: '88bca90e90875a7f0f79c384627bafb2', bits: 128, pt: '0000000000000000', ct: '2269552ab0f85ca6' },
  { key: '88bca90e90875a7f0f79c384627bafb216f80a6f85920584c42fceb0be255daf1e', bits: 129, pt: '0000000000000000', ct: '5b78d3a43dfff1f1' },
];

/** DES known answers: the classic worked example, and SP 800-20 / CAVP-style single-bit cases. */
const DES_KAT = [
  { name: 'FIPS 46 worked example', key: '133457799bbcdff1', pt: '0123456789abcdef', ct: '85e813540f0ab405' },
  // parity bits ignored: same key with every low bit flipped
  { name: 'parity bits ignored', key: '123556789abddef0', pt: '0123456789abcdef', ct: '85e813540f0ab405' },
  { name: 'SP 800-17 variable plaintext (first)', key: '0101010101010101', pt: '8000000000000000', ct: '95f8a5e5dd31d900' },
  { name: 'SP 800-17 variable key (first)', key: '8001010101010101', pt: '0000000000000000', ct: '95a8d72813daa94d' },
];

const randomInt = (n: number) => nc.randomInt(n);

/** `openssl enc` with the legacy provider (single DES and RC2 are legacy in OpenSSL 3). */
function opensslEnc(cipher: string, key: Uint8Array, iv: Uint8Array, data: Uint8Array, decrypt: boolean, pad: boolean): Buffer {
  const args = ['enc', '-provider', 'legacy', '-provider', 'default', `-${cipher}`, '-K', hex(key), '-iv', hex(iv)];
  if (decrypt) args.push('-d');
  if (!pad) args.push('-nopad');
  return execFileSync('openssl', args, { input: data });
}

describe.each(builds)('cipher core ($name build)', ({ file }) => {
  let c: CipherOps;
  let ex: CipherExports;
  let io: Io;
  beforeAll(async () => {
    ({ ops: c, ex, io } = await loadCipher(file));
  });

  it.each(FIPS197)('FIPS 197 $name', ({ key, pt, ct }) => {
    expect(hex(c.encryptEcb('AES-ECB', h(key), h(pt), noPad))).toBe(ct);
    expect(hex(c.decryptEcb('AES-ECB', h(key), h(ct), noPad))).toBe(pt);
  });

  it.each(SP800_38A)('SP 800-38A $name', ({ key, ct }) => {
    expect(hex(c.encryptCbc('AES-CBC', h(key), h(SP800_38A_IV), h(SP800_38A_PT), noPad))).toBe(ct.replace(/ /g, ''));
    expect(hex(c.decryptCbc('AES-CBC', h(key), h(SP800_38A_IV), h(ct), noPad))).toBe(SP800_38A_PT.replace(/ /g, ''));
    // Decryption of 1..4 blocks exercises every batch size of the bitsliced core.
    for (let n = 1; n <= 4; n++) {
      expect(hex(c.decryptCbc('AES-CBC', h(key), h(SP800_38A_IV), h(ct).subarray(0, 16 * n), noPad))).toBe(SP800_38A_PT.replace(/ /g, '').slice(0, 32 * n));
    }
  });

  it.each(RFC2268)('RFC 2268 §5: key $key, $bits effective bits', ({ key, bits, pt, ct }) => {
    const iv = new Uint8Array(8); // one block of CBC with a zero IV is ECB
    expect(hex(c.encryptCbc('RC2-CBC', h(key), iv, h(pt), { padding: false, rc2EffectiveBits: bits }))).toBe(ct);
    expect(hex(c.decryptCbc('RC2-CBC', h(key), iv, h(ct), { padding: false, rc2EffectiveBits: bits }))).toBe(pt);
  });

  it.each(DES_KAT)('DES $name', ({ key, pt, ct }) => {
    expect(hex(c.encryptEcb('DES-ECB', h(key), h(pt), noPad))).toBe(ct);
    expect(hex(c.decryptEcb('DES-ECB', h(key), h(ct), noPad))).toBe(pt);
    // TDEA with K1 = K2 = K3 (and two-key with K1 = K2) reduces to single DES.
    expect(hex(c.encryptEcb('DES-EDE3-ECB', h(key + key + key), h(pt), noPad))).toBe(ct);
    expect(hex(c.encryptEcb('DES-EDE-ECB', h(key + key), h(pt), noPad))).toBe(ct);
  });

  const NODE_CBC: { alg: CbcAlg; node: string; keyLen: number; bs: number }[] = [
    { alg: 'AES-CBC', node: 'aes-128-cbc', keyLen: 16, bs: 16 },
    { alg: 'AES-CBC', node: 'aes-192-cbc', keyLen: 24, bs: 16 },
    { alg: 'AES-CBC', node: 'aes-256-cbc', keyLen: 32, bs: 16 },
    { alg: 'DES-EDE3-CBC', node: 'des-ede3-cbc', keyLen: 24, bs: 8 },
    { alg: 'DES-EDE-CBC', node: 'des-ede-cbc', keyLen: 16, bs: 8 },
  ];

  it.each(NODE_CBC)('differential against node:crypto $node, random inputs, both directions', ({ alg, node, keyLen, bs }) => {
    const lengths = [0, 1, bs - 1, bs, bs + 1, 2 * bs, 3 * bs + 5, 4 * bs, 5 * bs, 64, 65, 255, 1000];
    for (let i = 0; i < 40; i++) lengths.push(randomInt(300));
    for (const len of lengths) {
      const key = nc.randomBytes(keyLen);
      const iv = nc.randomBytes(bs);
      const data = nc.randomBytes(len);
      const enc = nc.createCipheriv(node, key, iv);
      const want = Buffer.concat([enc.update(data), enc.final()]);
      expect(hex(c.encryptCbc(alg, key, iv, data)), `${node} encrypt ${len}`).toBe(hex(want));
      expect(hex(c.decryptCbc(alg, key, iv, want)), `${node} decrypt ${len}`).toBe(hex(data));
      // without padding, on whole blocks, against a node decryption of random ciphertext
      const blocks = nc.randomBytes(bs * (len % 7));
      const dec = nc.createDecipheriv(node, key, iv).setAutoPadding(false);
      expect(hex(c.decryptCbc(alg, key, iv, blocks, noPad))).toBe(hex(Buffer.concat([dec.update(blocks), dec.final()])));
    }
  });

  it.each([
    { alg: 'DES-EDE3-ECB' as const, node: 'des-ede3', keyLen: 24 },
    { alg: 'DES-EDE-ECB' as const, node: 'des-ede', keyLen: 16 },
    { alg: 'AES-ECB' as const, node: 'aes-256-ecb', keyLen: 32 },
  ])('differential against node:crypto $node (ECB)', ({ alg, node, keyLen }) => {
    for (let i = 0; i < 30; i++) {
      const key = nc.randomBytes(keyLen);
      const data = nc.randomBytes(randomInt(100));
      const enc = nc.createCipheriv(node, key, null);
      const want = Buffer.concat([enc.update(data), enc.final()]);
      expect(hex(c.encryptEcb(alg, key, data))).toBe(hex(want));
      expect(hex(c.decryptEcb(alg, key, want))).toBe(hex(data));
    }
  });

  it.each([
    { alg: 'DES-CBC' as const, cipher: 'des-cbc', keyLen: 8, bits: undefined },
    { alg: 'RC2-CBC' as const, cipher: 'rc2-40-cbc', keyLen: 5, bits: 40 },
    { alg: 'RC2-CBC' as const, cipher: 'rc2-64-cbc', keyLen: 8, bits: 64 },
    { alg: 'RC2-CBC' as const, cipher: 'rc2-cbc', keyLen: 16, bits: 128 },
  ])('differential against openssl enc -$cipher (legacy provider), both directions', ({ alg, cipher, keyLen, bits }) => {
    const opts = bits === undefined ? {} : { rc2EffectiveBits: bits };
    for (const len of [0, 7, 8, 9, 40, randomInt(200), randomInt(200)]) {
      const key = nc.randomBytes(keyLen);
      const iv = nc.randomBytes(8);
      const data = nc.randomBytes(len);
      const want = opensslEnc(cipher, key, iv, data, false, true);
      expect(hex(c.encryptCbc(alg, key, iv, data, opts)), `${cipher} encrypt ${len}`).toBe(hex(want));
      expect(hex(c.decryptCbc(alg, key, iv, want, opts))).toBe(hex(data));
      const blocks = nc.randomBytes(8 * (1 + (len % 5)));
      expect(hex(c.decryptCbc(alg, key, iv, blocks, { ...opts, padding: false }))).toBe(hex(opensslEnc(cipher, key, iv, blocks, true, false)));
    }
  });

  it('RC2 defaults to effective bits = 8 x key length (PKCS#12 128-bit RC2)', () => {
    const key = nc.randomBytes(16);
    const iv = nc.randomBytes(8);
    const data = nc.randomBytes(33);
    expect(hex(c.encryptCbc('RC2-CBC', key, iv, data))).toBe(hex(c.encryptCbc('RC2-CBC', key, iv, data, { rc2EffectiveBits: 128 })));
    expect(hex(c.encryptCbc('RC2-CBC', key, iv, data))).not.toBe(hex(c.encryptCbc('RC2-CBC', key, iv, data, { rc2EffectiveBits: 40 })));
  });

  describe('PKCS#7 padding (RFC 5652 §6.3)', () => {
    const key = h('000102030405060708090a0b0c0d0e0f');
    const iv = h('0f0e0d0c0b0a09080706050403020100');
    /** CBC-encrypts raw blocks (no padding), so a test can choose the "plaintext padding". */
    const raw = (plain: Uint8Array) => c.encryptCbc('AES-CBC', key, iv, plain, noPad);
    const block = (...tail: number[]) => {
      const b = new Uint8Array(16).fill(0x41);
      b.set(tail, 16 - tail.length);
      return b;
    };

    it.each([
      { name: 'empty message gives one full block of 0x10', len: 0, outLen: 16 },
      { name: 'exact block multiple gains a whole block', len: 32, outLen: 48 },
      { name: 'one short of a block gets one 0x01', len: 15, outLen: 16 },
    ])('encrypt: $name', ({ len, outLen }) => {
      const data = nc.randomBytes(len);
      const ct = c.encryptCbc('AES-CBC', key, iv, data);
      expect(ct.length).toBe(outLen);
      const plain = c.decryptCbc('AES-CBC', key, iv, ct, noPad);
      const v = outLen - len;
      expect(hex(plain)).toBe(hex(data) + v.toString(16).padStart(2, '0').repeat(v));
    });

    it.each([
      { name: 'valid 0x01', plain: block(0x01), want: 15 },
      { name: 'valid 0x10 (whole block)', plain: new Uint8Array(16).fill(16), want: 0 },
      { name: 'valid 0x03', plain: block(3, 3, 3), want: 13 },
    ])('decrypt accepts $name', ({ plain, want }) => {
      expect(c.decryptCbc('AES-CBC', key, iv, raw(plain)).length).toBe(want);
    });

    const bad: { name: string; data: () => Uint8Array }[] = [
      { name: 'padding byte 0x00', data: () => raw(block(0x00)) },
      { name: 'padding byte 0x11 (> block size)', data: () => raw(block(0x11)) },
      { name: 'padding byte 0xff', data: () => raw(block(0xff)) },
      { name: 'inconsistent padding bytes', data: () => raw(block(0x02, 0x03, 0x03)) },
      { name: 'first padding byte wrong', data: () => raw(block(0x01, 0x04, 0x04, 0x04)) },
      { name: '0x10 with one byte wrong', data: () => raw(Uint8Array.from({ length: 16 }, (_, i) => (i === 0 ? 0x11 : 0x10))) },
      { name: 'empty ciphertext', data: () => new Uint8Array(0) },
      { name: 'length not a block multiple', data: () => nc.randomBytes(17) },
      { name: 'length one byte short of a block', data: () => nc.randomBytes(15) },
    ];
    it.each(bad)('decrypt rejects $name with the one decryption error', ({ data }) => {
      let err: unknown;
      try {
        c.decryptCbc('AES-CBC', key, iv, data());
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(PkiError);
      expect((err as PkiError).code).toBe('decrypt');
      expect((err as PkiError).message).toBe('cipher: decryption error');
    });

    it('DES-EDE3 and RC2 reject bad padding and bad lengths with the same error', () => {
      const k3 = nc.randomBytes(24);
      const iv8 = nc.randomBytes(8);
      for (const [alg, k] of [['DES-EDE3-CBC', k3], ['RC2-CBC', k3.subarray(0, 5)], ['DES-CBC', k3.subarray(0, 8)]] as const) {
        const badPad = c.encryptCbc(alg, k, iv8, Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 9), noPad);
        for (const data of [badPad, new Uint8Array(0), new Uint8Array(12)]) {
          expect(() => c.decryptCbc(alg, k, iv8, data)).toThrow(new PkiError('decrypt', 'cipher: decryption error'));
        }
      }
    });

    it('the core returns one code for bad length and bad padding, and zeroes the output', () => {
      const ct = raw(block(0x05));
      const codes = [ct, ct.subarray(0, 15), new Uint8Array(0)].map((d) =>
        io.call([key, iv, d, 32], ([k, v, s, o]) => {
          const r = ex.cipher_crypt(1, 1, 0, k!, 16, v!, s!, d.length, o!, 1, 0);
          expect(hex(io.read(o!, 32))).toBe('00'.repeat(32));
          return r;
        }),
      );
      expect(codes).toEqual([-80, -80, -80]);
    });
  });

  describe('argument checks', () => {
    it.each([
      { alg: 'AES-CBC' as const, len: 15 },
      { alg: 'AES-CBC' as const, len: 20 },
      { alg: 'DES-CBC' as const, len: 16 },
      { alg: 'DES-EDE3-CBC' as const, len: 16 },
      { alg: 'DES-EDE-CBC' as const, len: 24 },
      { alg: 'RC2-CBC' as const, len: 0 },
      { alg: 'RC2-CBC' as const, len: 129 },
    ])('$alg rejects a $len-byte key', ({ alg, len }) => {
      const bs = alg === 'AES-CBC' ? 16 : 8;
      expect(() => c.encryptCbc(alg, new Uint8Array(len), new Uint8Array(bs), new Uint8Array(8))).toThrow(RangeError);
    });

    it('rejects unknown algorithms, bad IVs, bad RC2 bits and partial blocks without padding', () => {
      expect(() => c.encryptCbc('AES-GCM' as CbcAlg, new Uint8Array(16), new Uint8Array(16), new Uint8Array(1))).toThrow(RangeError);
      expect(() => c.encryptEcb('RC2-ECB' as never, new Uint8Array(16), new Uint8Array(1))).toThrow(RangeError);
      expect(() => c.encryptCbc('AES-CBC', new Uint8Array(16), new Uint8Array(8), new Uint8Array(1))).toThrow(/iv must be 16 bytes/);
      expect(() => c.encryptCbc('RC2-CBC', new Uint8Array(5), new Uint8Array(8), new Uint8Array(1), { rc2EffectiveBits: 0 })).toThrow(/rc2EffectiveBits/);
      expect(() => c.encryptCbc('RC2-CBC', new Uint8Array(5), new Uint8Array(8), new Uint8Array(1), { rc2EffectiveBits: 1025 })).toThrow(/rc2EffectiveBits/);
      expect(() => c.encryptCbc('AES-CBC', new Uint8Array(16), new Uint8Array(16), new Uint8Array(17), noPad)).toThrow(/multiple of 16/);
      expect(() => c.decryptCbc('DES-EDE3-CBC', new Uint8Array(24), new Uint8Array(8), new Uint8Array(9), noPad)).toThrow(/multiple of 8/);
    });

    it('core codes for a bad algorithm, mode, key and RC2 bits', () => {
      const call = (alg: number, mode: number, keyLen: number, bits: number) =>
        io.call([32, 16, 16, 32], ([k, v, s, o]) => ex.cipher_crypt(alg, mode, 1, k!, keyLen, v!, s!, 16, o!, 1, bits));
      expect(call(0, 1, 16, 0)).toBe(-83);
      expect(call(6, 1, 16, 0)).toBe(-83);
      expect(call(1, 3, 16, 0)).toBe(-83);
      expect(call(1, 1, 17, 0)).toBe(-81);
      expect(call(5, 1, 16, 0)).toBe(-84);
      expect(call(5, 1, 16, 128)).toBe(24); // 16 bytes + a full 8-byte padding block
    });

    it('the core may write its output over its input (in-place CBC, every algorithm)', () => {
      for (const [alg, id, keyLen, bs] of [['aes-256-cbc', 1, 32, 16], ['des-ede3-cbc', 3, 24, 8]] as const) {
        const key = nc.randomBytes(keyLen);
        const iv = nc.randomBytes(bs);
        const data = nc.randomBytes(bs * 9 + 3);
        const e = nc.createCipheriv(alg, key, iv);
        const ct = Buffer.concat([e.update(data), e.final()]);
        const enc = io.call([key, iv, ct.length], ([k, v, buf]) => {
          io.mem().set(data, buf!);
          expect(ex.cipher_crypt(id, 1, 1, k!, keyLen, v!, buf!, data.length, buf!, 1, 0)).toBe(ct.length);
          return io.read(buf!, ct.length);
        });
        expect(hex(enc), alg).toBe(hex(ct));
        const dec = io.call([key, iv, new Uint8Array(ct)], ([k, v, buf]) => {
          expect(ex.cipher_crypt(id, 1, 0, k!, keyLen, v!, buf!, ct.length, buf!, 1, 0)).toBe(data.length);
          return io.read(buf!, data.length);
        });
        expect(hex(dec), alg).toBe(hex(data));
      }
    });

    it('one op does not leak key state into the next (schedules are rebuilt and wiped)', () => {
      const k1 = nc.randomBytes(16);
      const iv = nc.randomBytes(16);
      const data = nc.randomBytes(64);
      const first = hex(c.encryptCbc('AES-CBC', k1, iv, data));
      c.encryptCbc('DES-EDE3-CBC', nc.randomBytes(24), nc.randomBytes(8), data);
      c.encryptCbc('RC2-CBC', nc.randomBytes(16), nc.randomBytes(8), data);
      expect(hex(c.encryptCbc('AES-CBC', k1, iv, data))).toBe(first);
    });
  });
});
