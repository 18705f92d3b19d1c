/**
 * The private-key cache of assembly/rsa (cache.ts) through src/core/ops/rsa.ts: a two-prime
 * private key used for a private operation (RFC 8017 §5.1.2) stays parsed in the core, with
 * its engine constants and a blinding pair that is squared after each use and made afresh
 * every 32 uses. Checked here:
 * - results stay byte-exact (PKCS#1 v1.5 signatures are deterministic: equal to node:crypto's)
 *   over many uses of one key (several blinding refreshes) and over more keys than slots
 *   (eviction and re-insertion), for PKCS#8 and PKCS#1 forms of one key;
 * - the secrets leave memory: a key's prime (as DER bytes and as little-endian limbs) is in
 *   the core's memory while cached and nowhere after rsaCacheClear() or after its eviction;
 * - a key that fails the fault check is not kept.
 * Runs against the debug and the release build.
 */
import * as nc from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { Io } from '../../../src/core/io.ts';
import { instantiateCore, type CoreInstance } from '../../../src/core/instance.ts';
import { rsaOps, type RsaExports, type RsaOps } from '../../../src/core/ops/rsa.ts';
import { CoreError } from '../../../src/util/errors.ts';
import { coreWasmPath, domainWasmPath } from '../_core.ts';

const builds = [false, true].map((release) => {
  const dom = domainWasmPath('hash-bn-rsa', release);
  return { name: release ? 'release' : 'debug', file: process.env.CORE_WASM_FILE ?? (existsSync(dom) ? dom : coreWasmPath(release ? 'release' : 'debug')) };
});

const te = (s: string) => new TextEncoder().encode(s);

interface TestKey {
  pkcs8: Uint8Array;
  pkcs1: Uint8Array;
  obj: nc.KeyObject;
  /** The prime p, big-endian as in the DER, and as the little-endian u32 limbs of the core. */
  pBE: Buffer;
  pLE: Buffer;
}

function makeKey(bits: number): TestKey {
  const { privateKey } = nc.generateKeyPairSync('rsa', { modulusLength: bits });
  const p = Buffer.from(privateKey.export({ format: 'jwk' }).p!, 'base64url');
  return {
    pkcs8: new Uint8Array(privateKey.export({ format: 'der', type: 'pkcs8' })),
    pkcs1: new Uint8Array(privateKey.export({ format: 'der', type: 'pkcs1' })),
    obj: privateKey,
    pBE: p,
    pLE: Buffer.from(p).reverse(),
  };
}

const keys = { k2048: makeKey(2048), small: Array.from({ length: 6 }, () => makeKey(1024)), tiny: makeKey(512) };

describe.each(builds)('rsa key cache ($name build)', ({ file }) => {
  let rsa: RsaOps;
  let inst: CoreInstance;
  /** Whether the bytes occur anywhere in the core's linear memory. */
  const inMemory = (b: Buffer) => Buffer.from(inst.exports.memory.buffer).indexOf(b) >= 0;
  const holds = (k: TestKey) => inMemory(k.pBE) || inMemory(k.pLE);
  const signsLikeNode = (k: TestKey, der: Uint8Array, msg: Uint8Array) =>
    Buffer.from(rsa.rsaSignPkcs1(der, 'SHA-256', msg)).equals(nc.sign('sha256', msg, k.obj));

  beforeAll(async () => {
    inst = await instantiateCore(readFileSync(file));
    const ex = inst.exports as unknown as RsaExports;
    rsa = rsaOps(ex, new Io(ex));
  });

  it('one key: byte-exact signatures and decryptions over 70 uses (blinding pair refreshed twice)', () => {
    const k = keys.k2048;
    rsa.rsaCacheClear();
    for (let i = 0; i < 70; i++) expect(signsLikeNode(k, k.pkcs8, te(`message ${i}`)), `use ${i}`).toBe(true);
    const pub = nc.createPublicKey(k.obj);
    for (let i = 0; i < 5; i++) {
      const ct = nc.publicEncrypt({ key: pub, padding: nc.constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' }, te(`secret ${i}`));
      expect(Buffer.from(rsa.rsaDecryptOaep(k.pkcs8, 'SHA-256', 'SHA-256', new Uint8Array(0), new Uint8Array(ct))).toString()).toBe(`secret ${i}`);
    }
    // the PKCS#1 form of the same key is another entry with the same results
    for (let i = 0; i < 3; i++) expect(signsLikeNode(k, k.pkcs1, te(`pkcs1 ${i}`))).toBe(true);
  });

  it('more keys than slots: round-robin use evicts and re-inserts, results stay exact', () => {
    rsa.rsaCacheClear();
    for (let round = 0; round < 3; round++) {
      keys.small.forEach((k, i) => expect(signsLikeNode(k, k.pkcs8, te(`r${round} k${i}`)), `round ${round} key ${i}`).toBe(true));
    }
  });

  it('rsaCacheClear() removes every trace of a cached key from memory; the cache refills', () => {
    const k = keys.k2048;
    rsa.rsaCacheClear();
    expect(holds(k)).toBe(false);
    expect(signsLikeNode(k, k.pkcs8, te('a'))).toBe(true);
    expect(inMemory(k.pBE)).toBe(true); // the DER copy
    expect(inMemory(k.pLE)).toBe(true); // the parsed prime
    rsa.rsaCacheClear();
    expect(holds(k)).toBe(false);
    expect(signsLikeNode(k, k.pkcs8, te('b'))).toBe(true);
    expect(holds(k)).toBe(true);
  });

  it('the least recently used key is evicted and wiped when a fifth key arrives', () => {
    rsa.rsaCacheClear();
    // a 2048-bit key evicted by a 512-bit one, whose shorter DER and components cannot
    // overwrite its prime by chance: only the wipe removes it
    const k0 = keys.k2048;
    const [f0, f1, f2] = keys.small as [TestKey, TestKey, TestKey];
    for (const k of [k0, f0, f1, f2]) expect(signsLikeNode(k, k.pkcs8, te('fill'))).toBe(true);
    expect(holds(k0)).toBe(true); // four slots
    expect(signsLikeNode(f0, f0.pkcs8, te('again'))).toBe(true); // k0 is now the least recently used
    expect(signsLikeNode(keys.tiny, keys.tiny.pkcs8, te('fifth'))).toBe(true);
    expect(holds(k0)).toBe(false);
    for (const k of [f0, f1, f2, keys.tiny]) expect(holds(k)).toBe(true);
    // and k0 comes back
    expect(signsLikeNode(k0, k0.pkcs8, te('back'))).toBe(true);
  });

  it('a key that fails the fault check is not kept (and does not disturb the others)', () => {
    rsa.rsaCacheClear();
    const good = keys.small[0]!;
    expect(signsLikeNode(good, good.pkcs1, te('good'))).toBe(true);
    // change the last byte of dp: a consistent-looking key whose CRT result is wrong mod p
    const dp = Buffer.from(good.obj.export({ format: 'jwk' }).dp!, 'base64url');
    const at = Buffer.from(good.pkcs1).indexOf(dp);
    expect(at).toBeGreaterThan(0);
    const broken = good.pkcs1.slice();
    broken[at + dp.length - 1]! ^= 2;
    for (let i = 0; i < 3; i++) expect(() => rsa.rsaSignPkcs1(broken, 'SHA-256', te('fault'))).toThrow(CoreError);
    expect(inMemory(Buffer.from(broken.subarray(at, at + dp.length)))).toBe(false);
    expect(signsLikeNode(good, good.pkcs1, te('still good'))).toBe(true);
  });
});
