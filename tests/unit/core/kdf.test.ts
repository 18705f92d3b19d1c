/**
 * assembly/kdf (HMAC, PBKDF2, PKCS#12 KDF) through src/core/ops/kdf.ts: RFC 2202 / RFC 4231
 * HMAC cases, RFC 6070 PBKDF2 cases, the PKCS#12 KDF vectors of S. Henson (as used by
 * BouncyCastle's PKCS12Test), node:crypto differentials, and the MAC of real PKCS#12 files
 * written by the local OpenSSL (legacy SHA-1 MAC, OpenSSL 3 default SHA-256 MAC, SHA-512 MAC).
 * Runs on the debug and the release build (`npm run build:wasm`, `npm run build:wasm:debug`).
 */
import { execFileSync } from 'node:child_process';
import { createHmac, pbkdf2Sync } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, sep } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { coreWasmPath } from '../_core.ts';
import { ALGS, NODE_NAME, prng } from './_hash-common.ts';
import { instantiateCore } from '../../../src/core/instance.ts';
import { Io } from '../../../src/core/io.ts';
import { HASH_SIZE, type HashAlg } from '../../../src/core/ops/hash.ts';
import { bmpPassword, kdfOps, type KdfExports, type KdfOps } from '../../../src/core/ops/kdf.ts';
import type { CoreInstance } from '../../../src/core/instance.ts';
import { handlers } from '../../../scripts/vectors/handlers/mac-kdf.ts';
import type { WycheproofFile } from '../../../scripts/vectors/types.ts';
import { sharedPath } from '../../shared.ts';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const unhex = (h: string) => new Uint8Array(Buffer.from(h, 'hex'));
const ascii = (s: string) => new TextEncoder().encode(s);


// RFC 2202 §2 (HMAC-MD5) and §3 (HMAC-SHA-1): [key, data, md5 tag, sha1 key, sha1 tag].
const K25 = '0102030405060708090a0b0c0d0e0f10111213141516171819';
const RFC2202: [string, string, string, string, string][] = [
  ['0b'.repeat(16), hex(ascii('Hi There')), '9294727a3638bb1c13f48ef8158bfc9d', '0b'.repeat(20), 'b617318655057264e28bc0b6fb378c8ef146be00'],
  ['4a656665', hex(ascii('what do ya want for nothing?')), '750c783e6ab0b503eaa86e310a5db738', '4a656665', 'effcdf6ae5eb2fa2d27416d5f184df9c259a7c79'],
  ['aa'.repeat(16), 'dd'.repeat(50), '56be34521d144c88dbb8c733f0e8b3f6', 'aa'.repeat(20), '125d7342b9ac11cd91a39af48aa17b4f63f175d3'],
  [K25, 'cd'.repeat(50), '697eaf0aca3a3aea3a75164746ffaa79', K25, '4c9007f4026250c6bc8414f9bf50c86c2d7235da'],
  ['0c'.repeat(16), hex(ascii('Test With Truncation')), '56461ef2342edc00f9bab995690efd4c', '0c'.repeat(20), '4c1a03424b55e07fe7f27be1d58bb9324a9a5a04'],
  ['aa'.repeat(80), hex(ascii('Test Using Larger Than Block-Size Key - Hash Key First')), '6b1ab7fe4bd7bf8f0b62e6ce61b9d0cd', 'aa'.repeat(80), 'aa4ae5e15272d00e95705637ce8a3b55ed402112'],
  ['aa'.repeat(80), hex(ascii('Test Using Larger Than Block-Size Key and Larger Than One Block-Size Data')), '6f630fad67cda0ee1fb1f562db3aa53e', 'aa'.repeat(80), 'e8e99d0f45237d786d6bbaa7965c7808bbff1a91'],
];

// RFC 4231 §4.2-4.8: key, data, then HMAC-SHA-224/256/384/512 (case 5 is truncated to 128 bits).
const RFC4231: { key: string; data: string; tags: [string, string, string, string]; truncate?: number }[] = [
  {
    key: '0b'.repeat(20),
    data: hex(ascii('Hi There')),
    tags: [
      '896fb1128abbdf196832107cd49df33f47b4b1169912ba4f53684b22',
      'b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7',
      'afd03944d84895626b0825f4ab46907f15f9dadbe4101ec682aa034c7cebc59cfaea9ea9076ede7f4af152e8b2fa9cb6',
      '87aa7cdea5ef619d4ff0b4241a1d6cb02379f4e2ce4ec2787ad0b30545e17cdedaa833b7d6b8a702038b274eaea3f4e4be9d914eeb61f1702e696c203a126854',
    ],
  },
  {
    key: '4a656665',
    data: hex(ascii('what do ya want for nothing?')),
    tags: [
      'a30e01098bc6dbbf45690f3a7e9e6d0f8bbea2a39e6148008fd05e44',
      '5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843',
      'af45d2e376484031617f78d2b58a6b1b9c7ef464f5a01b47e42ec3736322445e8e2240ca5e69e2c78b3239ecfab21649',
      '164b7a7bfcf819e2e395fbe73b56e0a387bd64222e831fd610270cd7ea2505549758bf75c05a994a6d034f65f8f0e6fdcaeab1a34d4a6b4b636e070a38bce737',
    ],
  },
  {
    key: 'aa'.repeat(20),
    data: 'dd'.repeat(50),
    tags: [
      '7fb3cb3588c6c1f6ffa9694d7d6ad2649365b0c1f65d69d1ec8333ea',
      '773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe',
      '88062608d3e6ad8a0aa2ace014c8a86f0aa635d947ac9febe83ef4e55966144b2a5ab39dc13814b94e3ab6e101a34f27',
      'fa73b0089d56a284efb0f0756c890be9b1b5dbdd8ee81a3655f83e33b2279d39bf3e848279a722c806b485a47e67c807b946a337bee8942674278859e13292fb',
    ],
  },
  {
    key: K25,
    data: 'cd'.repeat(50),
    tags: [
      '6c11506874013cac6a2abc1bb382627cec6a90d86efc012de7afec5a',
      '82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b',
      '3e8a69b7783c25851933ab6290af6ca77a9981480850009cc5577c6e1f573b4e6801dd23c4a7d679ccf8a386c674cffb',
      'b0ba465637458c6990e5a8c5f61d4af7e576d97ff94b872de76f8050361ee3dba91ca5c11aa25eb4d679275cc5788063a5f19741120c4f2de2adebeb10a298dd',
    ],
  },
  {
    key: '0c'.repeat(20),
    data: hex(ascii('Test With Truncation')),
    truncate: 16,
    tags: ['0e2aea68a90c8d37c988bcdb9fca6fa8', 'a3b6167473100ee06e0c796c2955552b', '3abf34c3503b2a23a46efc619baef897', '415fad6271580a531d4179bc891d87a6'],
  },
  {
    key: 'aa'.repeat(131),
    data: hex(ascii('Test Using Larger Than Block-Size Key - Hash Key First')),
    tags: [
      '95e9a0db962095adaebe9b2d6f0dbce2d499f112f2d2b7273fa6870e',
      '60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54',
      '4ece084485813e9088d2c63a041bc5b44f9ef1012a2b588f3cd11f05033ac4c60c2ef6ab4030fe8296248df163f44952',
      '80b24263c7c1a3ebb71493c1dd7be8b49b46d1f41b4aeec1121b013783f8f3526b56d037e05f2598bd0fd2215d6a1e5295e64f73f63f0aec8b915a985d786598',
    ],
  },
  {
    key: 'aa'.repeat(131),
    data: hex(
      ascii(
        'This is a test using a larger than block-size key and a larger than block-size data. The key needs to be hashed before being used by the HMAC algorithm.',
      ),
    ),
    tags: [
      '3a854166ac5d9f023f54d517d0b39dbd946770db9c2b95c9f6f565d1',
      '9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2',
      '6617178e941f020d351e2f254e8fd32c602420feb0b8fb9adccebb82461e99c5a678cc31e799176d3860e6110c46523e',
      'e37b6a775dc87dbaa4dfa9f96e5e3ffddebd71f8867289865df5a32d20cdc944b6022cac3c4982b10d5eeb55c3e4de15134676fb6de0446065c97440fa8c6a58',
    ],
  },
];

// RFC 6070 §2 (PBKDF2-HMAC-SHA1); the 16777216-iteration case runs in the Wycheproof test.
const RFC6070: [string, string, number, number, string][] = [
  ['password', 'salt', 1, 20, '0c60c80f961f0e71f3a9b524af6012062fe037a6'],
  ['password', 'salt', 2, 20, 'ea6c014dc72d6f8ccd1ed92ace1d41f0d8de8957'],
  ['password', 'salt', 4096, 20, '4b007901b765489abead49d926f721d065a429c1'],
  ['passwordPASSWORDpassword', 'saltSALTsaltSALTsaltSALTsaltSALTsalt', 4096, 25, '3d2eec4fe41c849b80c8d83662c0e44a8b291a964cf2f07038'],
  ['pass\0word', 'sa\0lt', 4096, 16, '56fa6aa75548099dcc37d7f03425e0c3'],
];

// PKCS#12 KDF with SHA-1 (RFC 7292 B.2): Dr S. Henson's vectors, as in BouncyCastle
// core/src/test/java/org/bouncycastle/crypto/test/PKCS12Test.java.
const HENSON: [string, 1 | 2 | 3, string, number, string][] = [
  ['smeg', 1, '0a58cf64530d823f', 1, '8aaae6297b6cb04642ab5b077851284eb7128f1a2a7fbca3'],
  ['smeg', 2, '0a58cf64530d823f', 1, '79993dfe048d3b76'],
  ['smeg', 1, '642b99ab44fb4b1f', 1, 'f3a95fec48d7711e985cfe67908c5ab79fa3d7c5caa5d966'],
  ['smeg', 2, '642b99ab44fb4b1f', 1, 'c0a38d64a79bea1d'],
  ['smeg', 3, '3d83c0e4546ac140', 1, '8d967d88f6caa9d714800ab3d48051d63f73a312'],
  ['queeg', 1, '05dec959acff72f7', 1000, 'ed2034e36328830ff09df1e1a07dd357185dac0d4f9eb3d4'],
  ['queeg', 2, '05dec959acff72f7', 1000, '11dedad7758d4860'],
  ['queeg', 1, '1682c0fc5b3f7ec5', 1000, '483dd6e919d7de2e8e648ba8f862f3fbfbdc2bcb2c02957f'],
  ['queeg', 2, '1682c0fc5b3f7ec5', 1000, '9d461d1b00355c50'],
  ['queeg', 3, '263216fcc2fab31c', 1000, '5ec4c7a80df652294c3925b6489a7ab857c83476'],
];

// ---- a few lines of DER walking for the OpenSSL PKCS#12 files --------------------------------

interface Tlv {
  tag: number;
  start: number; // offset of the value
  end: number;
}

function tlv(b: Uint8Array, pos: number): Tlv {
  const tag = b[pos]!;
  let len = b[pos + 1]!;
  let start = pos + 2;
  if (len & 0x80) {
    const n = len & 0x7f;
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + b[start + i]!;
    start += n;
  }
  return { tag, start, end: start + len };
}

function children(b: Uint8Array, t: Tlv): Tlv[] {
  const out: Tlv[] = [];
  for (let p = t.start; p < t.end; ) {
    const c = tlv(b, p);
    out.push(c);
    p = c.end;
  }
  return out;
}

const OID_HASH: Record<string, HashAlg> = {
  '2b0e03021a': 'SHA-1',
  '608648016503040201': 'SHA-256',
  '608648016503040202': 'SHA-384',
  '608648016503040203': 'SHA-512',
};

/** PFX ::= SEQUENCE { version, authSafe ContentInfo, macData MacData } (RFC 7292 §4). */
function parsePfxMac(der: Uint8Array) {
  const [, authSafe, macData] = children(der, tlv(der, 0));
  const [, explicit] = children(der, authSafe!);
  const octets = children(der, explicit!)[0]!; // [0] EXPLICIT OCTET STRING (data)
  const [digestInfo, salt, iter] = children(der, macData!);
  const [algId, mac] = children(der, digestInfo!);
  const oid = children(der, algId!)[0]!;
  let iterations = 1;
  if (iter) iterations = der.subarray(iter.start, iter.end).reduce((a, x) => a * 256 + x, 0);
  const alg = OID_HASH[hex(der.subarray(oid.start, oid.end))];
  if (!alg) throw new Error('unexpected MAC hash');
  return {
    alg,
    content: der.subarray(octets.start, octets.end),
    mac: der.subarray(mac!.start, mac!.end),
    salt: der.subarray(salt!.start, salt!.end),
    iterations,
  };
}

// ---- OpenSSL fixtures (made once per run) -----------------------------------------------------

const NON_BMP_PASSWORD = 'pässwörd-😀';
let dir = '';
const p12 = new Map<string, Uint8Array>();

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'tp-p12-'));
  const ssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
  ssl('req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-subj', '/CN=kdf test', '-days', '1', '-keyout', 'k.pem', '-out', 'c.pem');
  const make = (name: string, pass: string, ...extra: string[]) => {
    ssl('pkcs12', '-export', '-inkey', 'k.pem', '-in', 'c.pem', '-passout', `pass:${pass}`, '-out', `${name}.p12`, ...extra);
    p12.set(name, new Uint8Array(readFileSync(join(dir, `${name}.p12`))));
  };
  make('legacy', 'secret', '-legacy');
  make('default', 'secret');
  make('sha512', 'secret', '-macalg', 'sha512');
  make('empty', '');
  make('unicode', NON_BMP_PASSWORD);
});

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('bmpPassword (RFC 7292 B.1)', () => {
  it.each([
    ['', '0000'],
    ['smeg', '0073006d006500670000'],
    ['ä€', '00e420ac0000'],
    ['😀', 'd83dde000000'],
  ])('%j', (pw, want) => {
    expect(hex(bmpPassword(pw))).toBe(want);
  });
});

describe.each([
  ['debug', false],
  ['release', true],
])('kdf (%s build)', (_flavour, release) => {
  let ex: KdfExports;
  let ops: KdfOps;

  let core: CoreInstance;

  beforeAll(async () => {
    const inst = await instantiateCore(readFileSync(coreWasmPath(release ? 'release' : 'debug')));
    ex = inst.exports as unknown as KdfExports;
    ops = kdfOps(ex, new Io(ex));
    // Until instance.ts spreads kdfOps, give the handlers a CoreInstance that has them.
    core = Object.assign(Object.create(null) as object, inst, ops) as CoreInstance;
  });

  describe('HMAC', () => {
    it.each(RFC2202.map((r, i) => [i + 1, ...r] as const))('RFC 2202 case %i', (_n, kMd5, data, md5, kSha1, sha1) => {
      expect(hex(ops.hmac('MD5', unhex(kMd5), unhex(data)))).toBe(md5);
      expect(hex(ops.hmac('SHA-1', unhex(kSha1), unhex(data)))).toBe(sha1);
    });

    it.each(RFC4231.map((r, i) => [i + 1, r] as const))('RFC 4231 case %i', (_n, c) => {
      (['SHA-224', 'SHA-256', 'SHA-384', 'SHA-512'] as const).forEach((alg, i) => {
        const tag = ops.hmac(alg, unhex(c.key), unhex(c.data));
        expect(tag.length).toBe(HASH_SIZE[alg]);
        expect(hex(tag.subarray(0, c.truncate ?? tag.length)), alg).toBe(c.tags[i]);
      });
    });

    it.each(ALGS)('%s matches node:crypto for key lengths around the block size', (alg) => {
      const rnd = prng(0xabc + ALGS.indexOf(alg));
      for (let keyLen = 0; keyLen <= 300; keyLen += keyLen < 140 ? 1 : 17) {
        const key = rnd.bytes(keyLen);
        const msg = rnd.bytes(rnd.int(300));
        expect(hex(ops.hmac(alg, key, msg)), `key ${keyLen}`).toBe(createHmac(NODE_NAME[alg], key).update(msg).digest('hex'));
      }
    });
  });

  describe('PBKDF2', () => {
    it.each(RFC6070)('RFC 6070 %j / %j, c = %i, dkLen = %i', (p, s, c, dkLen, want) => {
      expect(hex(ops.pbkdf2('SHA-1', ascii(p), ascii(s), c, dkLen))).toBe(want);
    });

    it.each(ALGS)('%s matches node:crypto (iterations 1..5, multi-block and partial outputs)', (alg) => {
      const rnd = prng(0xdef + ALGS.indexOf(alg));
      for (let round = 0; round < 25; round++) {
        const pw = rnd.bytes(rnd.int(round < 5 ? 3 : 200));
        const salt = rnd.bytes(rnd.int(80));
        const iterations = 1 + rnd.int(5);
        const len = 1 + rnd.int(3 * HASH_SIZE[alg] + 5);
        expect(hex(ops.pbkdf2(alg, pw, salt, iterations, len)), `round ${round}`).toBe(
          hex(pbkdf2Sync(pw, salt, iterations, len, NODE_NAME[alg])),
        );
      }
    });

    it('matches node:crypto for 10000 iterations', () => {
      const pw = ascii('correct horse battery staple');
      const salt = unhex('00112233445566778899aabbccddeeff');
      for (const alg of ['SHA-256', 'SHA-512', 'SHA-512/224'] as const) {
        expect(hex(ops.pbkdf2(alg, pw, salt, 10000, 40))).toBe(hex(pbkdf2Sync(pw, salt, 10000, 40, NODE_NAME[alg])));
      }
    });
  });

  describe('PKCS#12 KDF', () => {
    it.each(HENSON)('Henson vector %j id %i salt %s c = %i', (pw, id, salt, c, want) => {
      expect(hex(ops.pkcs12Kdf('SHA-1', id, bmpPassword(pw), unhex(salt), c, want.length / 2))).toBe(want);
    });

    it('long outputs, salts and passwords exercise the I_j update across several blocks', () => {
      // Self-consistency: a longer output extends a shorter one (A_1 || A_2 || ...).
      const pw = bmpPassword('x'.repeat(70));
      const salt = prng(5).bytes(130);
      for (const alg of ALGS) {
        const long = ops.pkcs12Kdf(alg, 1, pw, salt, 3, 5 * HASH_SIZE[alg] + 3);
        const short = ops.pkcs12Kdf(alg, 1, pw, salt, 3, 2 * HASH_SIZE[alg] - 1);
        expect(hex(long.subarray(0, short.length))).toBe(hex(short));
        expect(hex(long)).not.toBe(hex(ops.pkcs12Kdf(alg, 2, pw, salt, 3, long.length)));
      }
    });

    it.each([
      ['legacy', 'secret', 'SHA-1'],
      ['default', 'secret', 'SHA-256'],
      ['sha512', 'secret', 'SHA-512'],
      ['unicode', NON_BMP_PASSWORD, 'SHA-256'],
    ] as const)('derives the MAC key of an OpenSSL PKCS#12 (%s: %s, %s MAC)', (name, pw, wantAlg) => {
      const m = parsePfxMac(p12.get(name)!);
      expect(m.alg).toBe(wantAlg);
      const key = ops.pkcs12Kdf(m.alg, 3, bmpPassword(pw), m.salt, m.iterations, HASH_SIZE[m.alg]);
      expect(hex(ops.hmac(m.alg, key, m.content))).toBe(hex(m.mac));
      // The wrong password must not verify.
      const bad = ops.pkcs12Kdf(m.alg, 3, bmpPassword(pw + '!'), m.salt, m.iterations, HASH_SIZE[m.alg]);
      expect(hex(ops.hmac(m.alg, bad, m.content))).not.toBe(hex(m.mac));
    });

    it('an empty OpenSSL password is the two-zero-byte BMPString, not the absent password', () => {
      const m = parsePfxMac(p12.get('empty')!);
      const mac = (pw: Uint8Array) => hex(ops.hmac(m.alg, ops.pkcs12Kdf(m.alg, 3, pw, m.salt, m.iterations, HASH_SIZE[m.alg]), m.content));
      expect(mac(bmpPassword(''))).toBe(hex(m.mac));
      expect(mac(new Uint8Array(0))).not.toBe(hex(m.mac));
    });
  });

  describe('argument checks', () => {
    it('rejects nonsense with RangeError / TypeError', () => {
      const b = new Uint8Array(4);
      expect(() => ops.pbkdf2('SHA-256', b, b, 0, 32)).toThrow(RangeError);
      expect(() => ops.pbkdf2('SHA-256', b, b, 1.5, 32)).toThrow(RangeError);
      expect(() => ops.pbkdf2('SHA-256', b, b, 1, 0)).toThrow(RangeError);
      expect(() => ops.pbkdf2('SHA-256', b, b, 2 ** 31, 32)).toThrow(RangeError);
      expect(() => ops.pbkdf2('SHA-3' as HashAlg, b, b, 1, 32)).toThrow(RangeError);
      expect(() => ops.pkcs12Kdf('SHA-1', 4 as 1, b, b, 1, 20)).toThrow(RangeError);
      expect(() => ops.pkcs12Kdf('SHA-1', 1, b, b, 0, 20)).toThrow(RangeError);
      expect(() => ops.pkcs12Kdf('SHA-1', 1, b, b, 1, -1)).toThrow(RangeError);
      expect(() => ops.hmac('SHA-256', 'key' as unknown as Uint8Array, b)).toThrow(TypeError);
    });

    it('the core returns E_ codes for bad arguments instead of trapping', () => {
      const p = ex.io_reserve(256);
      expect(ex.hmac_compute(0, p, 0, p, 0, p + 128)).toBe(-20);
      expect(ex.hmac_compute(9, p, 0, p, 0, p + 128)).toBe(-20);
      expect(ex.pbkdf2_derive(4, p, 4, p, 4, 0, p + 128, 32)).toBe(-21);
      expect(ex.pbkdf2_derive(4, p, 4, p, 4, 1, p + 128, 0)).toBe(-21);
      expect(ex.pbkdf2_derive(99, p, 4, p, 4, 1, p + 128, 32)).toBe(-20);
      expect(ex.pkcs12_kdf_derive(2, 0, p, 4, p, 4, 1, p + 128, 20)).toBe(-21);
      expect(ex.pkcs12_kdf_derive(2, 4, p, 4, p, 4, 1, p + 128, 20)).toBe(-21);
      expect(ex.pkcs12_kdf_derive(2, 1, p, 4, p, 4, 0, p + 128, 20)).toBe(-21);
      expect(ex.pkcs12_kdf_derive(0, 1, p, 4, p, 4, 1, p + 128, 20)).toBe(-20);
      ex.io_wipe();
    });
  });

  describe('Wycheproof (scripts/vectors/handlers/mac-kdf.ts)', () => {
    const root = sharedPath('vectors', 'wycheproof') + sep;
    const files = readdirSync(root).filter((f) => /^(hmac|pbkdf2)_.*_test\.json$/.test(f));

    it('finds the HMAC and PBKDF2 files', () => {
      expect(files.length).toBeGreaterThanOrEqual(6);
    });

    it.each(files)('%s: every test passes', { timeout: 120_000 }, (name) => {
      const file = JSON.parse(readFileSync(join(root, name), 'utf8')) as WycheproofFile;
      const failures: string[] = [];
      let passed = 0;
      let skipped = 0;
      for (const group of file.testGroups) {
        // The runner logic of scripts/vectors/types.ts.
        const handler = handlers.find((h) => h.groupTypes.includes(group.type));
        const ok = handler?.supports(file, group);
        if (!handler || ok !== true) {
          skipped += group.tests.length;
          continue;
        }
        const prepared = handler.prepare?.(core, file, group);
        for (const test of group.tests) {
          const v = handler.run(core, test, group, prepared, file);
          const pass =
            test.result === 'valid' ? v.accepted && !v.mismatch : test.result === 'invalid' ? !v.accepted : !v.accepted || !v.mismatch;
          if (pass) passed++;
          else failures.push(`${name}#${test.tcId} (${test.result}) ${v.mismatch ?? (v.accepted ? 'accepted' : 'rejected')}`);
        }
      }
      expect(failures).toEqual([]);
      expect(skipped).toBe(0);
      expect(passed).toBe(file.numberOfTests);
    });

    it('declines SHA-3 and non-HMAC MacTest files with a reason', () => {
      const group = { type: 'MacTest', tagSize: 256, tests: [] };
      const mac = handlers.find((h) => h.groupTypes.includes('MacTest'))!;
      const fake = (algorithm: string) => ({ algorithm, numberOfTests: 0, testGroups: [group] });
      expect(mac.supports(fake('HMACSHA3-256'), group)).toMatch(/SHA-3/);
      expect(mac.supports(fake('AES-CMAC'), group)).toMatch(/AES-CMAC/);
      expect(mac.supports(fake('HMACSHA512/256'), group)).toBe(true);
      expect(mac.supports(fake('HMACSHA256'), { ...group, tagSize: 100 })).toMatch(/tagSize/);
      const pbkdf = handlers.find((h) => h.groupTypes.includes('PbkdfTest'))!;
      expect(pbkdf.supports(fake('PBKDF2-HMACSHA3-256'), group)).toMatch(/SHA-3/);
    });
  });
});
