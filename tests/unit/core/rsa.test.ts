/**
 * assembly/rsa through src/core/ops/rsa.ts (RFC 8017, RFC 5208, RFC 5280, RFC 4055):
 * - key generation of 512/1024/2048/3072 bits (and odd sizes, e = 3 / 17) checked by
 *   `openssl pkey -check` and `openssl rsa -check`, with SPKI equal to OpenSSL's;
 * - import of keys made by `openssl genpkey` (PKCS#8), `openssl genrsa -traditional`
 *   (PKCS#1) and a 3-prime key, with byte-exact format conversions;
 * - differential signatures and encryption against node:crypto and `openssl pkeyutl` in
 *   both directions (PKCS#1 v1.5 with every hash, PSS with several salt and MGF1 hashes, OAEP
 *   with several hashes and labels, PKCS#1 v1.5 encryption);
 * - failure behaviour: one decryption error for every bad ciphertext, tampered signatures,
 *   PSS-restricted keys, public keys in private operations, malformed DER, and a fault
 *   (inconsistent CRT exponent) caught by the check before the result is released.
 * Runs against the debug and the release build.
 */
import { execFileSync } from 'node:child_process';
import * as nc from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Io } from '../../../src/core/io.ts';
import { instantiateCore, type CoreInstance } from '../../../src/core/instance.ts';
import type { HashAlg } from '../../../src/core/ops/hash.ts';
import { rsaOps, type RsaExports, type RsaOps } from '../../../src/core/ops/rsa.ts';
import { CoreError, PkiError } from '../../../src/util/errors.ts';
import { coreWasmPath, domainWasmPath } from '../_core.ts';

const builds = [false, true].map((release) => {
  const dom = domainWasmPath('hash-bn-rsa', release);
  return { name: release ? 'release' : 'debug', file: process.env.CORE_WASM_FILE ?? (existsSync(dom) ? dom : coreWasmPath(release ? 'release' : 'debug')) };
});

const dir = mkdtempSync(join(tmpdir(), 'rsa-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let fileNo = 0;
const tmp = (data: Uint8Array, ext = 'der') => {
  const f = join(dir, `f${fileNo++}.${ext}`);
  writeFileSync(f, data);
  return f;
};
const openssl = (...args: string[]) => execFileSync('openssl', args, { stdio: ['ignore', 'pipe', 'pipe'] });
const opensslDer = (...args: string[]) => new Uint8Array(openssl(...args));
const u8 = (b: Buffer | Uint8Array) => new Uint8Array(b);
const te = (s: string) => new TextEncoder().encode(s);

/** node:crypto / OpenSSL digest names of the HashAlg values. */
const NODE_HASH: Record<HashAlg, string> = {
  MD5: 'md5',
  'SHA-1': 'sha1',
  'SHA-224': 'sha224',
  'SHA-256': 'sha256',
  'SHA-384': 'sha384',
  'SHA-512': 'sha512',
  'SHA-512/224': 'sha512-224',
  'SHA-512/256': 'sha512-256',
};
const ALL_HASHES = Object.keys(NODE_HASH) as HashAlg[];
const SHA_HASHES = ALL_HASHES.filter((h) => h !== 'MD5');

/**
 * Keys made once by OpenSSL (shared by both builds): `genpkey` writes PKCS#8 PEM, which
 * `openssl pkcs8 -topk8 -nocrypt -outform DER` turns into PKCS#8 DER (genpkey's own DER
 * output is the traditional PKCS#1 form for rsaEncryption keys).
 */
const genpkey = (bits: number, ...extra: string[]) => {
  const pem = openssl('genpkey', '-algorithm', 'RSA', '-pkeyopt', `rsa_keygen_bits:${bits}`, ...extra);
  return new Uint8Array(execFileSync('openssl', ['pkcs8', '-topk8', '-nocrypt', '-outform', 'DER'], { input: pem }));
};
const OSSL = {
  pkcs8: genpkey(2048),
  threePrime: genpkey(2048, '-pkeyopt', 'rsa_keygen_primes:3'),
  small: genpkey(1024),
};
const traditionalPem = openssl('genrsa', '-traditional', '2048').toString();
const traditionalDer = u8(nc.createPrivateKey(traditionalPem).export({ format: 'der', type: 'pkcs1' }));

describe.each(builds)('rsa ($name build)', ({ file }) => {
  let rsa: RsaOps;
  let inst: CoreInstance;
  let kp2048: { pkcs8: Uint8Array; spki: Uint8Array };
  beforeAll(async () => {
    inst = await instantiateCore(readFileSync(file));
    const ex = inst.exports as unknown as RsaExports;
    if (typeof ex.rsa_generate !== 'function') throw new Error(`${file} has no rsa exports: run node scripts/asc-domain.mjs hash bn rsa [--release]`);
    rsa = rsaOps(ex, new Io(ex));
    kp2048 = rsa.rsaGenerate(2048, 65537);
  });

  describe('key generation', () => {
    it.each([512, 1024, 2048, 3072])('%i bits passes openssl pkey -check and rsa -check', (bits) => {
      const events: [number, number][] = [];
      inst.setProgress((d, t) => events.push([d, t]));
      const kp = bits === 2048 ? rsa.rsaGenerate(bits, 65537) : rsa.rsaGenerate(bits, 65537);
      inst.setProgress(undefined);
      const f = tmp(kp.pkcs8);
      expect(openssl('pkey', '-check', '-inform', 'DER', '-in', f, '-noout').toString()).toMatch(/Key is valid/);
      expect(openssl('rsa', '-check', '-inform', 'DER', '-in', f, '-noout').toString()).toMatch(/RSA key ok/);
      const text = openssl('pkey', '-inform', 'DER', '-in', f, '-noout', '-text').toString();
      expect(text).toContain(`Private-Key: (${bits} bit, 2 primes)`);
      expect(text).toMatch(/publicExponent: 65537/);
      // the SPKI is what OpenSSL derives from the private key
      expect(Buffer.from(kp.spki).equals(openssl('pkey', '-inform', 'DER', '-in', f, '-pubout', '-outform', 'DER'))).toBe(true);
      expect(rsa.rsaKeyInfo(kp.pkcs8)).toEqual({ type: 'private', bits, primes: 2 });
      // progress: (found, 2) ending with (2, 2)
      expect(events.length).toBeGreaterThan(0);
      expect(events.at(-1)).toEqual([2, 2]);
      expect(events.every(([d, t]) => t === 2 && d >= 0 && d <= 2)).toBe(true);
    }, 60_000);

    it.each([
      [1025, 65537],
      [1031, 3],
      [768, 17],
    ])('%i bits with e = %i is valid too', (bits, e) => {
      const kp = rsa.rsaGenerate(bits, e);
      const f = tmp(kp.pkcs8);
      expect(openssl('pkey', '-check', '-inform', 'DER', '-in', f, '-noout').toString()).toMatch(/Key is valid/);
      expect(openssl('pkey', '-inform', 'DER', '-in', f, '-noout', '-text').toString()).toContain(`(${bits} bit, 2 primes)`);
      const sig = rsa.rsaSignPkcs1(kp.pkcs8, 'SHA-256', te('x'));
      expect(nc.verify('sha256', te('x'), nc.createPublicKey({ key: Buffer.from(kp.spki), format: 'der', type: 'spki' }), sig)).toBe(true);
    }, 60_000);

    it('accepts the exponent as big-endian bytes and rejects bad sizes and exponents', () => {
      expect(rsa.rsaKeyInfo(rsa.rsaGenerate(512, Uint8Array.of(1, 0, 1)).spki).bits).toBe(512);
      expect(() => rsa.rsaGenerate(511, 65537)).toThrow(RangeError);
      expect(() => rsa.rsaGenerate(8193, 65537)).toThrow(RangeError);
      expect(() => rsa.rsaGenerate(1024, 65536)).toThrow(RangeError);
      expect(() => rsa.rsaGenerate(1024, 1)).toThrow(RangeError);
      expect(() => rsa.rsaGenerate(1024, Uint8Array.of(1, 0, 0, 0, 1))).toThrow(RangeError);
    });
  });

  describe('key import and conversion', () => {
    it('openssl genpkey PKCS#8 round-trips byte-exact through PKCS#1 and SPKI', () => {
      const k = OSSL.pkcs8;
      const f = tmp(k);
      const pkcs1 = rsa.rsaConvertKey(k, 'pkcs1');
      expect(Buffer.from(pkcs1).equals(openssl('rsa', '-inform', 'DER', '-in', f, '-traditional', '-outform', 'DER'))).toBe(true);
      expect(Buffer.from(rsa.rsaConvertKey(pkcs1, 'pkcs8')).equals(Buffer.from(k))).toBe(true);
      expect(Buffer.from(rsa.rsaConvertKey(k, 'spki')).equals(openssl('pkey', '-inform', 'DER', '-in', f, '-pubout', '-outform', 'DER'))).toBe(true);
      expect(Buffer.from(rsa.rsaConvertKey(k, 'pkcs1-public')).equals(openssl('rsa', '-inform', 'DER', '-in', f, '-RSAPublicKey_out', '-outform', 'DER'))).toBe(true);
      const spki = rsa.rsaConvertKey(k, 'spki');
      expect(Buffer.from(rsa.rsaConvertKey(rsa.rsaConvertKey(spki, 'pkcs1-public'), 'spki')).equals(Buffer.from(spki))).toBe(true);
      expect(() => rsa.rsaConvertKey(spki, 'pkcs8')).toThrow(PkiError);
      expect(rsa.rsaKeyInfo(spki)).toEqual({ type: 'public', bits: 2048, primes: 0 });
    });

    it('openssl genpkey -outform DER (traditional PKCS#1) is read as is', () => {
      const k = opensslDer('genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:1024', '-outform', 'DER');
      expect(Buffer.from(rsa.rsaConvertKey(k, 'pkcs1')).equals(Buffer.from(k))).toBe(true);
      expect(rsa.rsaKeyInfo(k)).toEqual({ type: 'private', bits: 1024, primes: 2 });
    });

    it('openssl genrsa -traditional (PKCS#1) keys sign and decrypt', () => {
      const pub = nc.createPublicKey(traditionalPem);
      const sig = rsa.rsaSignPkcs1(traditionalDer, 'SHA-256', te('traditional'));
      expect(nc.verify('sha256', te('traditional'), pub, sig)).toBe(true);
      const ct = nc.publicEncrypt({ key: pub, padding: nc.constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' }, te('m'));
      expect(Buffer.from(rsa.rsaDecryptOaep(traditionalDer, 'SHA-256', 'SHA-256', new Uint8Array(0), u8(ct))).toString()).toBe('m');
      const pkcs8 = rsa.rsaConvertKey(traditionalDer, 'pkcs8');
      expect(Buffer.from(pkcs8).equals(nc.createPrivateKey(traditionalPem).export({ format: 'der', type: 'pkcs8' }))).toBe(true);
    });

    it('a 3-prime key (RSAPrivateKey version 1) is accepted, used via d, and re-encoded exactly', () => {
      const k = OSSL.threePrime;
      expect(rsa.rsaKeyInfo(k)).toEqual({ type: 'private', bits: 2048, primes: 3 });
      const pub = nc.createPublicKey(nc.createPrivateKey({ key: Buffer.from(k), format: 'der', type: 'pkcs8' }));
      const msg = te('three primes');
      expect(nc.verify('sha384', msg, pub, rsa.rsaSignPkcs1(k, 'SHA-384', msg))).toBe(true);
      const ct = nc.publicEncrypt({ key: pub, padding: nc.constants.RSA_PKCS1_OAEP_PADDING }, msg);
      expect(Buffer.from(rsa.rsaDecryptOaep(k, 'SHA-1', 'SHA-1', new Uint8Array(0), u8(ct))).toString()).toBe('three primes');
      const f = tmp(k);
      expect(Buffer.from(rsa.rsaConvertKey(k, 'pkcs1')).equals(openssl('rsa', '-inform', 'DER', '-in', f, '-traditional', '-outform', 'DER'))).toBe(true);
      expect(Buffer.from(rsa.rsaConvertKey(rsa.rsaConvertKey(k, 'pkcs1'), 'pkcs8')).equals(Buffer.from(k))).toBe(true);
    });

    it('rejects malformed, non-minimal or inconsistent DER with PkiError("key")', () => {
      const pkcs1 = rsa.rsaConvertKey(OSSL.small, 'pkcs1');
      const bad: Uint8Array[] = [
        new Uint8Array(0),
        Uint8Array.of(0x30, 0x00),
        pkcs1.subarray(0, pkcs1.length - 1), // truncated
        Uint8Array.from([...pkcs1, 0x00]), // trailing byte
        Uint8Array.from([0x31, ...pkcs1.subarray(1)]), // SET instead of SEQUENCE
        Uint8Array.from([0x30, 0x83, 0x00, pkcs1[2]!, pkcs1[3]!, ...pkcs1.subarray(4)]), // non-minimal length
      ];
      for (const k of bad) {
        expect(() => rsa.rsaKeyInfo(k)).toThrow(PkiError);
        expect(() => rsa.rsaSignPkcs1(k, 'SHA-256', te('x'))).toThrow(PkiError);
      }
      // n != p·q: flip a bit inside n (which starts at byte 11: 30 82 LL LL 02 01 00 02 81 81 00)
      const broken = pkcs1.slice();
      broken[20]! ^= 0x10;
      expect(() => rsa.rsaSignPkcs1(broken, 'SHA-256', te('x'))).toThrow(/invalid or of an unsupported size/);
    });
  });

  describe('PKCS#1 v1.5 signatures', () => {
    it.each(ALL_HASHES)('%s: we sign, node verifies; node signs, we verify; tampering fails', (hash) => {
      const { pkcs8, spki } = kp2048;
      const priv = nc.createPrivateKey({ key: Buffer.from(pkcs8), format: 'der', type: 'pkcs8' });
      const pub = nc.createPublicKey({ key: Buffer.from(spki), format: 'der', type: 'spki' });
      for (const len of [0, 1, 55, 56, 64, 111, 112, 128, 1000]) {
        const msg = u8(nc.randomBytes(len));
        const sig = rsa.rsaSignPkcs1(pkcs8, hash, msg);
        expect(sig.length).toBe(256);
        expect(nc.verify(NODE_HASH[hash], msg, pub, sig)).toBe(true);
        // deterministic: equal to node's signature
        expect(Buffer.from(sig).equals(nc.sign(NODE_HASH[hash], msg, priv))).toBe(true);
        const nsig = u8(nc.sign(NODE_HASH[hash], msg, priv));
        expect(rsa.rsaVerifyPkcs1(spki, hash, msg, nsig)).toBe(true);
        expect(rsa.rsaVerifyPkcs1(pkcs8, hash, msg, nsig)).toBe(true);
        const t = nsig.slice();
        t[len % 256]! ^= 1;
        expect(rsa.rsaVerifyPkcs1(spki, hash, msg, t)).toBe(false);
        expect(rsa.rsaVerifyPkcs1(spki, hash, Uint8Array.from([...msg, 0]), nsig)).toBe(false);
      }
    });

    it('digest variants: sign/verify a digest computed elsewhere, same signatures as over the message', () => {
      const { pkcs8, spki } = kp2048;
      for (const hash of ALL_HASHES) {
        const msg = u8(nc.randomBytes(77));
        const dig = u8(nc.createHash(NODE_HASH[hash]).update(msg).digest());
        const sig = rsa.rsaSignPkcs1Digest(pkcs8, hash, dig);
        expect(Buffer.from(sig).equals(Buffer.from(rsa.rsaSignPkcs1(pkcs8, hash, msg)))).toBe(true);
        expect(rsa.rsaVerifyPkcs1Digest(spki, hash, dig, sig)).toBe(true);
        expect(rsa.rsaVerifyPkcs1Digest(spki, hash, dig.map((b, i) => (i === 0 ? b ^ 1 : b)), sig)).toBe(false);
        expect(() => rsa.rsaSignPkcs1Digest(pkcs8, hash, msg)).toThrow(RangeError);
        if (hash === 'MD5') continue;
        const psig = rsa.rsaSignPssDigest(pkcs8, hash, 'SHA-256', 11, dig);
        expect(rsa.rsaVerifyPss(spki, hash, 'SHA-256', 11, msg, psig)).toBe(true);
        expect(rsa.rsaVerifyPssDigest(spki, hash, 'SHA-256', -1, dig, rsa.rsaSignPss(pkcs8, hash, 'SHA-256', 5, msg))).toBe(true);
      }
    });

    it('rejects signatures of the wrong length, >= n, or with another hash', () => {
      const { pkcs8, spki } = kp2048;
      const msg = te('m');
      const sig = rsa.rsaSignPkcs1(pkcs8, 'SHA-256', msg);
      expect(rsa.rsaVerifyPkcs1(spki, 'SHA-384', msg, sig)).toBe(false);
      expect(rsa.rsaVerifyPkcs1(spki, 'SHA-256', msg, Uint8Array.from([0, ...sig]))).toBe(false);
      expect(rsa.rsaVerifyPkcs1(spki, 'SHA-256', msg, sig.subarray(1))).toBe(false);
      expect(rsa.rsaVerifyPkcs1(spki, 'SHA-256', msg, new Uint8Array(256).fill(0xff))).toBe(false);
      expect(rsa.rsaVerifyPkcs1(spki, 'SHA-256', msg, new Uint8Array(256))).toBe(false);
      expect(() => rsa.rsaSignPkcs1(spki, 'SHA-256', msg)).toThrow(/cannot be used/);
      expect(() => rsa.rsaSignPkcs1(pkcs8, 'SHA-3' as HashAlg, msg)).toThrow(RangeError);
    });

    it('a 512-bit key cannot sign with SHA-512 (EM too short) but can with SHA-256', () => {
      const kp = rsa.rsaGenerate(512, 65537);
      expect(() => rsa.rsaSignPkcs1(kp.pkcs8, 'SHA-512', te('x'))).toThrow(RangeError);
      expect(rsa.rsaVerifyPkcs1(kp.spki, 'SHA-256', te('x'), rsa.rsaSignPkcs1(kp.pkcs8, 'SHA-256', te('x')))).toBe(true);
    });
  });

  describe('PSS', () => {
    it.each(SHA_HASHES)('%s: salt lengths 0, 20, hLen, max; node and openssl verify ours, we verify theirs', (hash) => {
      const { pkcs8, spki } = kp2048;
      const priv = nc.createPrivateKey({ key: Buffer.from(pkcs8), format: 'der', type: 'pkcs8' });
      const pub = nc.createPublicKey({ key: Buffer.from(spki), format: 'der', type: 'spki' });
      const hLen = nc.createHash(NODE_HASH[hash]).digest().length;
      const maxSalt = 256 - hLen - 2;
      for (const salt of [0, 20, hLen, maxSalt]) {
        const msg = u8(nc.randomBytes(33));
        const sig = rsa.rsaSignPss(pkcs8, hash, hash, salt, msg);
        expect(nc.verify(NODE_HASH[hash], msg, { key: pub, padding: nc.constants.RSA_PKCS1_PSS_PADDING, saltLength: salt }, sig)).toBe(true);
        const nsig = u8(nc.sign(NODE_HASH[hash], msg, { key: priv, padding: nc.constants.RSA_PKCS1_PSS_PADDING, saltLength: salt }));
        expect(rsa.rsaVerifyPss(spki, hash, hash, salt, msg, nsig)).toBe(true);
        expect(rsa.rsaVerifyPss(spki, hash, hash, -1, msg, nsig)).toBe(true);
        if (salt !== 20) expect(rsa.rsaVerifyPss(spki, hash, hash, 20, msg, nsig)).toBe(false);
        const t = nsig.slice();
        t[7]! ^= 0x40;
        expect(rsa.rsaVerifyPss(spki, hash, hash, salt, msg, t)).toBe(false);
      }
      expect(() => rsa.rsaSignPss(pkcs8, hash, hash, maxSalt + 1, te('x'))).toThrow(RangeError);
    });

    it('MGF1 with another hash than the message hash, checked by openssl', () => {
      const { pkcs8, spki } = kp2048;
      const keyFile = tmp(pkcs8);
      const pubFile = tmp(spki);
      for (const [hash, mgf, salt] of [
        ['SHA-256', 'SHA-1', 32],
        ['SHA-512', 'SHA-256', 0],
        ['SHA-1', 'SHA-512', 20],
      ] as const) {
        const msg = u8(nc.randomBytes(50));
        const sig = rsa.rsaSignPss(pkcs8, hash, mgf, salt, msg);
        const mf = tmp(msg, 'bin'), sf = tmp(sig, 'sig');
        const o = openssl('dgst', `-${NODE_HASH[hash]}`, '-keyform', 'DER', '-verify', pubFile, '-sigopt', 'rsa_padding_mode:pss', '-sigopt', `rsa_mgf1_md:${NODE_HASH[mgf]}`, '-sigopt', `rsa_pss_saltlen:${salt}`, '-signature', sf, mf);
        expect(o.toString()).toMatch(/Verified OK/);
        const osig = opensslDer('dgst', `-${NODE_HASH[hash]}`, '-keyform', 'DER', '-sign', keyFile, '-sigopt', 'rsa_padding_mode:pss', '-sigopt', `rsa_mgf1_md:${NODE_HASH[mgf]}`, '-sigopt', `rsa_pss_saltlen:${salt}`, mf);
        expect(rsa.rsaVerifyPss(spki, hash, mgf, salt, msg, osig)).toBe(true);
        expect(rsa.rsaVerifyPss(spki, hash, hash, salt, msg, osig)).toBe(hash === mgf);
      }
    });

    it('works for moduli whose length is 1 mod 8 (emLen = k - 1)', () => {
      const kp = rsa.rsaGenerate(1025, 65537);
      const pub = nc.createPublicKey({ key: Buffer.from(kp.spki), format: 'der', type: 'spki' });
      for (let i = 0; i < 5; i++) {
        const msg = u8(nc.randomBytes(10));
        const sig = rsa.rsaSignPss(kp.pkcs8, 'SHA-256', 'SHA-256', 32, msg);
        expect(nc.verify('sha256', msg, { key: pub, padding: nc.constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 }, sig)).toBe(true);
        expect(rsa.rsaVerifyPss(kp.spki, 'SHA-256', 'SHA-256', 32, msg, sig)).toBe(true);
      }
    });

    it('an id-RSASSA-PSS key is PSS-only and, with parameters, only for exactly those', () => {
      const restricted = opensslDer('genpkey', '-algorithm', 'RSA-PSS', '-pkeyopt', 'rsa_keygen_bits:1024', '-pkeyopt', 'rsa_pss_keygen_md:sha256', '-pkeyopt', 'rsa_pss_keygen_mgf1_md:sha256', '-pkeyopt', 'rsa_pss_keygen_saltlen:32', '-outform', 'DER');
      const info = rsa.rsaKeyInfo(restricted);
      expect(info.pss).toEqual({ params: { hash: 'SHA-256', mgfHash: 'SHA-256', saltLength: 32 } });
      const spki = rsa.rsaConvertKey(restricted, 'spki');
      expect(Buffer.from(spki).equals(openssl('pkey', '-inform', 'DER', '-in', tmp(restricted), '-pubout', '-outform', 'DER'))).toBe(true);
      const msg = te('pss only');
      const sig = rsa.rsaSignPss(restricted, 'SHA-256', 'SHA-256', 32, msg);
      expect(rsa.rsaVerifyPss(spki, 'SHA-256', 'SHA-256', 32, msg, sig)).toBe(true);
      expect(rsa.rsaVerifyPss(spki, 'SHA-256', 'SHA-256', -1, msg, sig)).toBe(true);
      expect(rsa.rsaVerifyPss(spki, 'SHA-256', 'SHA-1', 32, msg, sig)).toBe(false);
      expect(() => rsa.rsaSignPss(restricted, 'SHA-384', 'SHA-256', 32, msg)).toThrow(/cannot be used/);
      expect(() => rsa.rsaSignPkcs1(restricted, 'SHA-256', msg)).toThrow(/cannot be used/);
      expect(() => rsa.rsaEncryptOaep(spki, 'SHA-256', 'SHA-256', new Uint8Array(0), msg)).toThrow(/cannot be used/);
      const unrestricted = opensslDer('genpkey', '-algorithm', 'RSA-PSS', '-pkeyopt', 'rsa_keygen_bits:1024', '-outform', 'DER');
      expect(rsa.rsaKeyInfo(unrestricted).pss).toEqual({});
      const s2 = rsa.rsaSignPss(unrestricted, 'SHA-384', 'SHA-1', 7, msg);
      expect(rsa.rsaVerifyPss(rsa.rsaConvertKey(unrestricted, 'spki'), 'SHA-384', 'SHA-1', 7, msg, s2)).toBe(true);
    });
  });

  describe('OAEP', () => {
    it.each(SHA_HASHES)('%s with labels: node encrypts, we decrypt; we encrypt, node decrypts', (hash) => {
      const { pkcs8, spki } = kp2048;
      const priv = nc.createPrivateKey({ key: Buffer.from(pkcs8), format: 'der', type: 'pkcs8' });
      const pub = nc.createPublicKey({ key: Buffer.from(spki), format: 'der', type: 'spki' });
      const hLen = nc.createHash(NODE_HASH[hash]).digest().length;
      for (const label of [new Uint8Array(0), te('label'), u8(nc.randomBytes(300))]) {
        for (const len of [0, 1, 256 - 2 * hLen - 2]) {
          const msg = u8(nc.randomBytes(len));
          const opts = { padding: nc.constants.RSA_PKCS1_OAEP_PADDING, oaepHash: NODE_HASH[hash], ...(label.length ? { oaepLabel: label } : {}) };
          const ct = nc.publicEncrypt({ key: pub, ...opts }, msg);
          expect(Buffer.from(rsa.rsaDecryptOaep(pkcs8, hash, hash, label, u8(ct))).equals(msg)).toBe(true);
          const ours = rsa.rsaEncryptOaep(spki, hash, hash, label, msg);
          expect(nc.privateDecrypt({ key: priv, ...opts }, ours).equals(msg)).toBe(true);
          // a different label or hash fails with the one decryption error
          expect(() => rsa.rsaDecryptOaep(pkcs8, hash, hash, te('other'), u8(ct))).toThrow('rsa: decryption error');
        }
      }
      expect(() => rsa.rsaEncryptOaep(spki, hash, hash, new Uint8Array(0), new Uint8Array(256 - 2 * hLen - 1))).toThrow(RangeError);
    });

    it('MGF1 with another hash, against openssl pkeyutl', () => {
      const { pkcs8, spki } = kp2048;
      const keyFile = tmp(pkcs8), pubFile = tmp(spki);
      for (const [hash, mgf] of [
        ['SHA-256', 'SHA-1'],
        ['SHA-512', 'SHA-224'],
      ] as const) {
        const msg = u8(nc.randomBytes(40));
        const ct = rsa.rsaEncryptOaep(spki, hash, mgf, new Uint8Array(0), msg);
        const pt = opensslDer('pkeyutl', '-decrypt', '-keyform', 'DER', '-inkey', keyFile, '-pkeyopt', 'rsa_padding_mode:oaep', '-pkeyopt', `rsa_oaep_md:${NODE_HASH[hash]}`, '-pkeyopt', `rsa_mgf1_md:${NODE_HASH[mgf]}`, '-in', tmp(ct, 'ct'));
        expect(Buffer.from(pt).equals(msg)).toBe(true);
        const oct = opensslDer('pkeyutl', '-encrypt', '-pubin', '-keyform', 'DER', '-inkey', pubFile, '-pkeyopt', 'rsa_padding_mode:oaep', '-pkeyopt', `rsa_oaep_md:${NODE_HASH[hash]}`, '-pkeyopt', `rsa_mgf1_md:${NODE_HASH[mgf]}`, '-in', tmp(msg, 'pt'));
        expect(Buffer.from(rsa.rsaDecryptOaep(pkcs8, hash, mgf, new Uint8Array(0), oct)).equals(msg)).toBe(true);
        expect(() => rsa.rsaDecryptOaep(pkcs8, hash, hash, new Uint8Array(0), oct)).toThrow('rsa: decryption error');
      }
    });
  });

  describe('PKCS#1 v1.5 encryption', () => {
    it('node encrypts, we decrypt; we encrypt, openssl pkeyutl decrypts', () => {
      const { pkcs8, spki } = kp2048;
      const pub = nc.createPublicKey({ key: Buffer.from(spki), format: 'der', type: 'spki' });
      const keyFile = tmp(pkcs8);
      for (const len of [0, 1, 16, 48, 245]) {
        const msg = u8(nc.randomBytes(len));
        const ct = nc.publicEncrypt({ key: pub, padding: nc.constants.RSA_PKCS1_PADDING }, msg);
        expect(Buffer.from(rsa.rsaDecryptPkcs1(pkcs8, u8(ct))).equals(msg)).toBe(true);
        const ours = rsa.rsaEncryptPkcs1(spki, msg);
        expect(ours.length).toBe(256);
        const pt = opensslDer('pkeyutl', '-decrypt', '-keyform', 'DER', '-inkey', keyFile, '-pkeyopt', 'rsa_padding_mode:pkcs1', '-in', tmp(ours, 'ct'));
        expect(Buffer.from(pt).equals(msg)).toBe(true);
        // PS is nonzero and at least 8 bytes: check the encoding through the raw primitive
        const em = rsa.rsaPrivateRaw(pkcs8, ours);
        expect([em[0], em[1]]).toEqual([0, 2]);
        const sep = em.indexOf(0, 2);
        expect(sep).toBe(256 - len - 1);
        expect(sep).toBeGreaterThanOrEqual(10);
      }
      expect(() => rsa.rsaEncryptPkcs1(spki, new Uint8Array(246))).toThrow(RangeError);
    });

    it('every malformed ciphertext gives the same error', () => {
      const { pkcs8, spki } = kp2048;
      const encode = (em: number[]) => rsa.rsaPublicRaw(spki, Uint8Array.from(em));
      // 00 02 || 250 bytes of 09 || 00 || the message 01 02 03
      const valid = [0, 2, ...Array(250).fill(9), 0, 1, 2, 3];
      const cases: Uint8Array[] = [
        encode([0, 1, ...Array(250).fill(0xff), 0, 1, 2, 3]), // type 1 block
        encode([1, 2, ...Array(249).fill(5), 0, 1, 2, 3]), // first byte not zero (still below n)
        encode([0, 2, ...Array(254).fill(5)]), // no separator
        encode([0, 2, 1, 2, 3, 4, 5, 6, 7, 0, ...Array(246).fill(1)]), // PS of 7 bytes
        encode([0, 2, 0, ...Array(253).fill(1)]), // empty PS
        new Uint8Array(256), // zero ciphertext
        new Uint8Array(255).fill(1), // wrong length
        new Uint8Array(256).fill(0xff), // >= n
      ];
      expect(Buffer.from(rsa.rsaDecryptPkcs1(pkcs8, encode(valid))).equals(Buffer.from([1, 2, 3]))).toBe(true);
      const messages = new Set<string>();
      for (const ct of cases) {
        try {
          rsa.rsaDecryptPkcs1(pkcs8, ct);
          messages.add('no error');
        } catch (e) {
          expect(e).toBeInstanceOf(PkiError);
          expect((e as PkiError).code).toBe('decrypt');
          messages.add((e as Error).message);
        }
        try {
          rsa.rsaDecryptOaep(pkcs8, 'SHA-256', 'SHA-256', new Uint8Array(0), ct);
          messages.add('no error');
        } catch (e) {
          messages.add((e as Error).message);
        }
      }
      expect([...messages]).toEqual(['rsa: decryption error']);
    });
  });

  describe('raw operations, faults and misuse', () => {
    it('private then public raw is the identity; inputs >= n are refused', () => {
      const { pkcs8, spki } = kp2048;
      for (let i = 0; i < 5; i++) {
        const x = u8(nc.randomBytes(256));
        x[0] = i;
        const y = rsa.rsaPrivateRaw(pkcs8, x);
        expect(Buffer.from(rsa.rsaPublicRaw(spki, y)).equals(x)).toBe(true);
      }
      expect(Buffer.from(rsa.rsaPrivateRaw(pkcs8, Uint8Array.of(1))).equals(Buffer.from([...new Uint8Array(255), 1]))).toBe(true);
      expect(() => rsa.rsaPublicRaw(spki, new Uint8Array(256).fill(0xff))).toThrow(RangeError);
      expect(() => rsa.rsaPrivateRaw(pkcs8, new Uint8Array(257).fill(1))).toThrow(RangeError);
      expect(() => rsa.rsaPrivateRaw(spki, Uint8Array.of(1))).toThrow(/cannot be used/);
      expect(() => rsa.rsaDecryptPkcs1(spki, new Uint8Array(256))).toThrow(/cannot be used/);
    });

    it('an inconsistent CRT exponent is caught by the fault check (nothing is released)', () => {
      // change dp (keep it below p): the result would leak q via gcd(s^e - m, n) if released
      const pkcs1 = rsa.rsaConvertKey(OSSL.small, 'pkcs1');
      const f = tmp(pkcs1);
      const text = openssl('rsa', '-inform', 'DER', '-in', f, '-noout', '-text').toString();
      expect(text).toContain('exponent1');
      const dpHex = /exponent1:\s*([\s\S]*?)exponent2/.exec(text)![1]!.replace(/[\s:]/g, '');
      const dp = Buffer.from(dpHex, 'hex').subarray(dpHex.startsWith('00') ? 1 : 0);
      const at = Buffer.from(pkcs1).indexOf(dp);
      expect(at).toBeGreaterThan(0);
      const broken = pkcs1.slice();
      broken[at + dp.length - 1]! ^= 2;
      expect(() => rsa.rsaSignPkcs1(broken, 'SHA-256', te('fault'))).toThrow(CoreError);
      expect(() => rsa.rsaDecryptOaep(broken, 'SHA-256', 'SHA-256', new Uint8Array(0), new Uint8Array(128))).toThrow('rsa: decryption error');
      expect(rsa.rsaVerifyPkcs1(rsa.rsaConvertKey(pkcs1, 'spki'), 'SHA-256', te('ok'), rsa.rsaSignPkcs1(pkcs1, 'SHA-256', te('ok')))).toBe(true);
    });

    it('type errors for non-byte arguments and unknown formats', () => {
      const bad = 'x' as unknown as Uint8Array;
      expect(() => rsa.rsaSignPkcs1(bad, 'SHA-256', te('x'))).toThrow(TypeError);
      expect(() => rsa.rsaConvertKey(kp2048.pkcs8, 'pem' as 'spki')).toThrow(RangeError);
      expect(() => rsa.rsaSignPss(kp2048.pkcs8, 'MD5', 'SHA-256', 0, te('x'))).toThrow(RangeError);
    });
  });
});
