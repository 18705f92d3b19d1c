/**
 * ECDSA (assembly/ec through src/core/ops/ec.ts) beyond the known answers of
 * ec-rfc6979.test.ts and ec-wycheproof.test.ts:
 * - differential against node:crypto (OpenSSL) in both directions, DER and IEEE P1363, for
 *   P-256/P-384/P-521 and hashes shorter and longer than the order;
 * - key interop with the openssl CLI: `openssl ecparam -genkey` (SEC 1) and `openssl genpkey`
 *   (PKCS#8) keys import and re-encode to exactly OpenSSL's bytes; our keys pass
 *   `openssl pkey -check`;
 * - SEC 1 point compression / decompression against node, and point validation;
 * - strict DER: malformed signatures are false, malformed keys are refused with a reason.
 * Runs against the debug and the release build.
 */
import * as nc from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { Io } from '../../../src/core/io.ts';
import { instantiateCore } from '../../../src/core/instance.ts';
import { EcError, ecOps, type EcCurve, type EcExports, type EcOps } from '../../../src/core/ops/ec.ts';
import type { HashAlg } from '../../../src/core/ops/hash.ts';
import { coreWasmPath, domainWasmPath } from '../_core.ts';

const builds = [false, true].map((release) => {
  const dom = domainWasmPath('hash-kdf-ec', release);
  return { name: release ? 'release' : 'debug', file: process.env.CORE_WASM_FILE ?? (existsSync(dom) ? dom : coreWasmPath(release ? 'release' : 'debug')) };
});

async function loadEc(file: string): Promise<EcOps> {
  const inst = await instantiateCore(readFileSync(file));
  const ex = inst.exports as unknown as EcExports;
  if (typeof ex.ec_sign !== 'function') throw new Error(`${file} has no ec exports: run node scripts/asc-domain.mjs hash kdf ec [--release]`);
  return ecOps(ex, new Io(ex));
}

const CURVES: EcCurve[] = ['P-256', 'P-384', 'P-521'];
const BYTES: Record<EcCurve, number> = { 'P-256': 32, 'P-384': 48, 'P-521': 66 };
const OSSL_NAME: Record<EcCurve, string> = { 'P-256': 'prime256v1', 'P-384': 'secp384r1', 'P-521': 'secp521r1' };
const N: Record<EcCurve, bigint> = {
  'P-256': 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n,
  'P-384': 0xffffffffffffffffffffffffffffffffffffffffffffffffc7634d81f4372ddf581a0db248b0a77aecec196accc52973n,
  'P-521': 0x01fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffa51868783bf2f966b7fcc0148f709a5d03bb5c9b8899c47aebb6fb71e91386409n,
};
const HASHES: HashAlg[] = ['SHA-1', 'SHA-224', 'SHA-256', 'SHA-384', 'SHA-512', 'SHA-512/256'];
const nodeHash = (h: HashAlg) => h.toLowerCase().replace('-', '').replace('/', '-');

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const unhex = (h: string) => new Uint8Array(Buffer.from(h, 'hex'));
const be = (v: bigint, len: number) => unhex(v.toString(16).padStart(2 * len, '0'));
const nodePriv = (pkcs8: Uint8Array) => nc.createPrivateKey({ key: Buffer.from(pkcs8), format: 'der', type: 'pkcs8' });
const nodePub = (spki: Uint8Array) => nc.createPublicKey({ key: Buffer.from(spki), format: 'der', type: 'spki' });
/** SEC 1 ECPrivateKey { 1, d, [0] namedCurve } without the public key (RFC 5915). */
const SEC1_PREFIX: Record<EcCurve, [string, string]> = {
  'P-256': ['30310201010420', 'a00a06082a8648ce3d030107'],
  'P-384': ['303e0201010430', 'a00706052b81040022'],
  'P-521': ['30500201010442', 'a00706052b81040023'],
};
const sec1FromScalar = (curve: EcCurve, d: bigint) => unhex(SEC1_PREFIX[curve][0] + hex(be(d, BYTES[curve])) + SEC1_PREFIX[curve][1]);

let haveOpenssl = true;
try {
  execFileSync('openssl', ['version'], { stdio: 'pipe' });
} catch {
  haveOpenssl = false;
}
const openssl = (args: string[], input?: Uint8Array): Buffer => execFileSync('openssl', args, { input: input ? Buffer.from(input) : undefined, stdio: 'pipe' });
const pemBody = (pem: string) => unhex(Buffer.from(pem.replace(/-----[^-]+-----/g, '').replace(/\s+/g, ''), 'base64').toString('hex'));

/** Throws unless fn throws an EcError with `reason`. */
function expectEcError(fn: () => unknown, reason: string): void {
  let err: unknown;
  try {
    fn();
  } catch (e) {
    err = e;
  }
  expect(err).toBeInstanceOf(EcError);
  expect((err as EcError).reason).toBe(reason);
}

describe.each(builds)('ECDSA core ($name build)', ({ file }) => {
  let ec: EcOps;
  beforeAll(async () => {
    ec = await loadEc(file);
  });

  describe('differential against node:crypto', () => {
    it.each(CURVES)('%s: our signatures verify in node (DER and P1363) for every hash', (curve) => {
      const kp = ec.ecGenerate(curve);
      const pub = nodePub(kp.spki);
      for (const hash of HASHES) {
        for (let i = 0; i < 3; i++) {
          const msg = nc.randomBytes(i * 37);
          const der = ec.ecSign(kp.pkcs8, hash, msg, 'der');
          const p1363 = ec.ecSign(kp.pkcs8, hash, msg, 'p1363');
          expect(p1363.length).toBe(2 * BYTES[curve]);
          expect(nc.verify(nodeHash(hash), msg, { key: pub, dsaEncoding: 'der' }, der), `${hash} der`).toBe(true);
          expect(nc.verify(nodeHash(hash), msg, { key: pub, dsaEncoding: 'ieee-p1363' }, p1363), `${hash} p1363`).toBe(true);
          // deterministic: same (r, s) in both encodings
          expect(hex(ec.ecSign(kp.pkcs8, hash, msg, 'p1363'))).toBe(hex(p1363));
        }
      }
    });

    it.each(CURVES)('%s: node signatures verify with us, and altered ones do not', (curve) => {
      const { privateKey, publicKey } = nc.generateKeyPairSync('ec', { namedCurve: OSSL_NAME[curve] });
      const spki = new Uint8Array(publicKey.export({ format: 'der', type: 'spki' }));
      for (const hash of HASHES) {
        const msg = nc.randomBytes(50);
        for (const enc of ['der', 'p1363'] as const) {
          const sig = new Uint8Array(nc.sign(nodeHash(hash), msg, { key: privateKey, dsaEncoding: enc === 'der' ? 'der' : 'ieee-p1363' }));
          expect(ec.ecVerify(spki, hash, msg, sig, enc), `${hash} ${enc}`).toBe(true);
          const bad = sig.slice();
          bad[bad.length - 1]! ^= 1;
          expect(ec.ecVerify(spki, hash, msg, bad, enc)).toBe(false);
          const msg2 = Buffer.from(msg);
          msg2[0]! ^= 0x80;
          expect(ec.ecVerify(spki, hash, msg2, sig, enc)).toBe(false);
          // a digest-level verify agrees
          const dg = nc.createHash(nodeHash(hash)).update(msg).digest();
          expect(ec.ecVerifyDigest(spki, hash, dg, sig, enc)).toBe(true);
        }
      }
    });

    it.each(CURVES)('%s: edge private scalars 1, 2, n-1, n-2 sign and verify in node', (curve) => {
      for (const d of [1n, 2n, N[curve] - 1n, N[curve] - 2n]) {
        const sec1 = sec1FromScalar(curve, d);
        const spki = ec.ecConvertKey(sec1, 'spki');
        const msg = nc.randomBytes(20);
        const sig = ec.ecSign(sec1, 'SHA-256', msg, 'der');
        expect(nc.verify('sha256', msg, { key: nodePub(spki), dsaEncoding: 'der' }, sig)).toBe(true);
        // d = 1 gives G itself; n - 1 gives -G
        const ecdh = nc.createECDH(OSSL_NAME[curve]);
        ecdh.setPrivateKey(be(d, BYTES[curve]));
        expect(hex(ec.ecKeyInfo(sec1).publicPoint)).toBe(ecdh.getPublicKey('hex'));
      }
    });

    it.each(CURVES)('%s: keys and P1363 signatures interoperate with WebCrypto both ways', async (curve) => {
      const subtle = globalThis.crypto.subtle;
      const hash = curve === 'P-256' ? 'SHA-256' : curve === 'P-384' ? 'SHA-384' : 'SHA-512';
      const msg = nc.randomBytes(33);
      // WebCrypto key -> core
      const wk = (await subtle.generateKey({ name: 'ECDSA', namedCurve: curve }, true, ['sign', 'verify'])) as CryptoKeyPair;
      const wPkcs8 = new Uint8Array(await subtle.exportKey('pkcs8', wk.privateKey));
      const wSpki = new Uint8Array(await subtle.exportKey('spki', wk.publicKey));
      expect(hex(ec.ecConvertKey(wPkcs8, 'spki'))).toBe(hex(wSpki));
      const ours = ec.ecSign(wPkcs8, hash, msg, 'p1363');
      expect(await subtle.verify({ name: 'ECDSA', hash }, wk.publicKey, ours as Uint8Array<ArrayBuffer>, msg)).toBe(true);
      const theirs = new Uint8Array(await subtle.sign({ name: 'ECDSA', hash }, wk.privateKey, msg));
      expect(ec.ecVerify(wSpki, hash, msg, theirs, 'p1363')).toBe(true);
      // core key -> WebCrypto (its PKCS#8 import is strict)
      const kp = ec.ecGenerate(curve);
      const priv = await subtle.importKey('pkcs8', kp.pkcs8 as Uint8Array<ArrayBuffer>, { name: 'ECDSA', namedCurve: curve }, false, ['sign']);
      const pub = await subtle.importKey('spki', kp.spki as Uint8Array<ArrayBuffer>, { name: 'ECDSA', namedCurve: curve }, false, ['verify']);
      const s2 = new Uint8Array(await subtle.sign({ name: 'ECDSA', hash }, priv, msg));
      expect(ec.ecVerify(kp.spki, hash, msg, s2, 'p1363')).toBe(true);
      expect(await subtle.verify({ name: 'ECDSA', hash }, pub, ec.ecSign(kp.pkcs8, hash, msg, 'p1363') as Uint8Array<ArrayBuffer>, msg)).toBe(true);
      // node's own SEC 1 and PKCS#8 exports import too
      const np = nodePriv(kp.pkcs8);
      expect(hex(ec.ecConvertKey(new Uint8Array(np.export({ format: 'der', type: 'sec1' })), 'pkcs8'))).toBe(hex(kp.pkcs8));
      expect(hex(new Uint8Array(np.export({ format: 'der', type: 'pkcs8' })))).toBe(hex(kp.pkcs8));
    });

    it.each(CURVES)('%s: generated public keys match node for random scalars', (curve) => {
      for (let i = 0; i < 20; i++) {
        const kp = ec.ecGenerate(curve);
        const exported = nodePriv(kp.pkcs8).export({ format: 'jwk' });
        const d = Buffer.from(exported.d!, 'base64url');
        const ecdh = nc.createECDH(OSSL_NAME[curve]);
        ecdh.setPrivateKey(d);
        expect(hex(ec.ecKeyInfo(kp.spki).publicPoint)).toBe(ecdh.getPublicKey('hex'));
      }
    });
  });

  describe.skipIf(!haveOpenssl)('key interop with the openssl CLI', () => {
    it.each(CURVES)('%s: `openssl ecparam -genkey` SEC 1 keys import and re-encode byte for byte', (curve) => {
      const sec1 = new Uint8Array(openssl(['ecparam', '-name', OSSL_NAME[curve], '-genkey', '-noout', '-outform', 'DER']));
      expect(hex(ec.ecConvertKey(sec1, 'sec1'))).toBe(hex(sec1));
      const spki = openssl(['ec', '-inform', 'DER', '-pubout', '-outform', 'DER'], sec1);
      expect(hex(ec.ecConvertKey(sec1, 'spki'))).toBe(hex(spki));
      const spkiC = openssl(['ec', '-inform', 'DER', '-pubout', '-outform', 'DER', '-conv_form', 'compressed'], sec1);
      expect(hex(ec.ecConvertKey(sec1, 'spki-compressed'))).toBe(hex(spkiC));
      expect(hex(ec.ecConvertKey(spkiC, 'spki'))).toBe(hex(spki));
      const pkcs8 = openssl(['pkcs8', '-topk8', '-nocrypt', '-inform', 'DER', '-outform', 'DER'], sec1);
      expect(hex(ec.ecConvertKey(sec1, 'pkcs8'))).toBe(hex(pkcs8));
      expect(hex(ec.ecConvertKey(pkcs8, 'sec1'))).toBe(hex(sec1));
      const info = ec.ecKeyInfo(sec1);
      expect(info).toMatchObject({ curve, isPrivate: true });
    });

    it.each(CURVES)('%s: `openssl genpkey` PKCS#8 keys sign; openssl verifies', (curve) => {
      const pem = openssl(['genpkey', '-algorithm', 'EC', '-pkeyopt', `ec_paramgen_curve:${OSSL_NAME[curve]}`]).toString();
      expect(pem).toContain('BEGIN PRIVATE KEY');
      const pkcs8 = pemBody(pem);
      expect(hex(ec.ecConvertKey(pkcs8, 'pkcs8'))).toBe(hex(pkcs8));
      const msg = nc.randomBytes(64);
      const sig = ec.ecSign(pkcs8, 'SHA-384', msg, 'der');
      const spki = ec.ecConvertKey(pkcs8, 'spki');
      expect(nc.verify('sha384', msg, { key: nodePub(spki), dsaEncoding: 'der' }, sig)).toBe(true);
    });

    it.each(CURVES)('%s: our keys pass `openssl pkey -check` as PKCS#8 and as SEC 1', (curve) => {
      const kp = ec.ecGenerate(curve);
      const out8 = openssl(['pkey', '-inform', 'DER', '-check', '-noout'], kp.pkcs8).toString();
      expect(out8).toMatch(/Key is valid/);
      const sec1 = ec.ecConvertKey(kp.pkcs8, 'sec1');
      const out1 = openssl(['ec', '-inform', 'DER', '-check', '-noout'], sec1).toString() + openssl(['pkey', '-inform', 'DER', '-check', '-noout'], sec1).toString();
      expect(out1).toMatch(/Key is valid/);
      const pub = openssl(['pkey', '-pubin', '-inform', 'DER', '-pubcheck', '-noout'], kp.spki).toString();
      expect(pub).toMatch(/Key is valid/);
    });

    it('refuses explicit-parameter and non-NIST curve keys with unsupported-curve', () => {
      const explicit = new Uint8Array(openssl(['ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-param_enc', 'explicit', '-outform', 'DER']));
      expectEcError(() => ec.ecKeyInfo(explicit), 'unsupported-curve');
      const explicitSpki = new Uint8Array(openssl(['ec', '-inform', 'DER', '-pubout', '-outform', 'DER', '-param_enc', 'explicit'], explicit));
      expectEcError(() => ec.ecKeyInfo(explicitSpki), 'unsupported-curve');
      const k1 = new Uint8Array(openssl(['ecparam', '-name', 'secp256k1', '-genkey', '-noout', '-outform', 'DER']));
      expectEcError(() => ec.ecKeyInfo(k1), 'unsupported-curve');
      const k1spki = new Uint8Array(openssl(['ec', '-inform', 'DER', '-pubout', '-outform', 'DER'], k1));
      expectEcError(() => ec.ecVerify(k1spki, 'SHA-256', new Uint8Array(1), new Uint8Array(64), 'p1363'), 'unsupported-curve');
    });
  });

  describe('points (SEC 1 §2.3.3-2.3.4)', () => {
    it.each(CURVES)('%s: compression round trips and matches node', (curve) => {
      for (let i = 0; i < 20; i++) {
        const ecdh = nc.createECDH(OSSL_NAME[curve]);
        ecdh.generateKeys();
        const u = new Uint8Array(ecdh.getPublicKey());
        const c = new Uint8Array(ecdh.getPublicKey(undefined, 'compressed'));
        expect(hex(ec.ecCompressPoint(curve, u))).toBe(hex(c));
        expect(hex(ec.ecDecompressPoint(curve, c))).toBe(hex(u));
        expect(hex(ec.ecDecompressPoint(curve, u))).toBe(hex(u));
        expect(hex(ec.ecCompressPoint(curve, c))).toBe(hex(c));
      }
    });

    it.each(CURVES)('%s: invalid points are refused', (curve) => {
      const n = BYTES[curve];
      const ecdh = nc.createECDH(OSSL_NAME[curve]);
      ecdh.generateKeys();
      const u = new Uint8Array(ecdh.getPublicKey());
      const c = new Uint8Array(ecdh.getPublicKey(undefined, 'compressed'));
      const offCurve = u.slice();
      offCurve[offCurve.length - 1]! ^= 1;
      const p = curve === 'P-256' ? 'ffffffff00000001000000000000000000000000ffffffffffffffffffffffff' : curve === 'P-384' ? 'f'.repeat(64) + 'effffffff0000000000000000ffffffff' : '01' + 'f'.repeat(130);
      const xIsP = unhex('02' + p);
      const hybrid = u.slice();
      hybrid[0] = 6 | (u[u.length - 1]! & 1);
      // x = 0..: find an x with no square root (x^3 - 3x + b not a QR) by trying small x
      let noRoot: Uint8Array | undefined;
      for (let x = 1; x < 50 && !noRoot; x++) {
        const cand = unhex('02' + x.toString(16).padStart(2 * n, '0'));
        try {
          ec.ecDecompressPoint(curve, cand);
        } catch (e) {
          if (e instanceof EcError) noRoot = cand;
        }
      }
      expect(noRoot).toBeDefined();
      const cases: [string, Uint8Array][] = [
        ['empty', new Uint8Array(0)],
        ['identity 00', new Uint8Array([0])],
        ['off the curve', offCurve],
        ['x = p', xIsP],
        ['hybrid 06/07', hybrid],
        ['truncated uncompressed', u.subarray(0, u.length - 1)],
        ['truncated compressed', c.subarray(0, c.length - 1)],
        ['uncompressed with trailing byte', new Uint8Array([...u, 0])],
        ['compressed, no square root', noRoot!],
        ['bad prefix 05', new Uint8Array([5, ...c.subarray(1)])],
      ];
      for (const [name, pt] of cases) {
        expect(() => ec.ecDecompressPoint(curve, pt), name).toThrow(EcError);
        expect(() => ec.ecCompressPoint(curve, pt), name).toThrow(EcError);
      }
    });
  });

  describe('strict DER signatures (X.690 §10)', () => {
    it('accepts exactly the minimal encoding and refuses every BER/DER violation', () => {
      const kp = ec.ecGenerate('P-256');
      const msg = new TextEncoder().encode('strict');
      let der = ec.ecSign(kp.pkcs8, 'SHA-256', msg, 'der');
      // make sure r has its high bit set (so it carries a 00 pad) for the cases below
      for (let i = 0; der[4] !== 0 && i < 64; i++) der = ec.ecSign(kp.pkcs8, 'SHA-256', (msg[0]!++, msg), 'der');
      expect(der[3]).toBe(0x21);
      const d = hex(der);
      const body = d.slice(4);
      const rTlv = body.slice(0, 2 + 2 * 0x21);
      const sTlv = body.slice(rTlv.length);
      const seq = (b: string, len = b.length / 2) => '30' + len.toString(16).padStart(2, '0') + b;
      const cases: [string, string][] = [
        ['long-form length where short fits', '3081' + d.slice(2)],
        ['indefinite length', '3080' + body + '0000'],
        ['trailing byte after the SEQUENCE', d + '00'],
        ['trailing byte inside the SEQUENCE', seq(body + '00')],
        ['extra leading 00 in r', seq('0222' + '00' + rTlv.slice(4) + sTlv)],
        ['r without its 00 pad (negative)', seq('0220' + rTlv.slice(6) + sTlv)],
        ['SET instead of SEQUENCE', '31' + d.slice(2)],
        ['BIT STRING instead of INTEGER', seq('03' + rTlv.slice(2) + sTlv)],
        ['missing s', seq(rTlv)],
        ['three integers', seq(rTlv + sTlv + '020101')],
        ['r = 0', seq('020100' + sTlv)],
        ['empty r', seq('0200' + sTlv)],
        ['length too long for the input', '30ff' + body],
        ['r = n', seq('022100' + N['P-256'].toString(16) + sTlv)],
        ['r too long (33 bytes of magnitude)', seq('022201' + rTlv.slice(4) + sTlv)],
      ];
      const spki = kp.spki;
      expect(ec.ecVerify(spki, 'SHA-256', msg, der, 'der')).toBe(true);
      for (const [name, sig] of cases) expect(ec.ecVerify(spki, 'SHA-256', msg, unhex(sig), 'der'), name).toBe(false);
      // P1363 must be exactly 2 * 32 bytes, r and s in [1, n-1]
      const p = ec.ecSign(kp.pkcs8, 'SHA-256', msg, 'p1363');
      expect(ec.ecVerify(spki, 'SHA-256', msg, p, 'p1363')).toBe(true);
      expect(ec.ecVerify(spki, 'SHA-256', msg, p.subarray(1), 'p1363')).toBe(false);
      expect(ec.ecVerify(spki, 'SHA-256', msg, new Uint8Array([0, ...p]), 'p1363')).toBe(false);
      expect(ec.ecVerify(spki, 'SHA-256', msg, new Uint8Array(64), 'p1363')).toBe(false);
      // the DER signature is not a P1363 one and vice versa
      expect(ec.ecVerify(spki, 'SHA-256', msg, der, 'p1363')).toBe(false);
      expect(ec.ecVerify(spki, 'SHA-256', msg, p, 'der')).toBe(false);
    });
  });

  describe('keys: strict parsing and errors', () => {
    const sec1 = () => sec1FromScalar('P-256', 0x1234567890abcdefn);

    it('refuses malformed keys with a reason', () => {
      const good = ec.ecConvertKey(sec1(), 'pkcs8');
      const spki = ec.ecConvertKey(sec1(), 'spki');
      const g = hex(good);
      const cases: [string, Uint8Array, string][] = [
        ['empty', new Uint8Array(0), 'bad-key'],
        ['truncated PKCS#8', good.subarray(0, good.length - 1), 'bad-key'],
        ['trailing byte', new Uint8Array([...good, 0]), 'bad-key'],
        ['non-minimal outer length (82 00 87)', unhex('308200' + g.slice(4)), 'bad-key'],
        ['indefinite outer length', unhex('3080' + g.slice(6) + '0000'), 'bad-key'],
        ['PKCS#8 version 2', unhex(g.slice(0, 8) + '02' + g.slice(10)), 'bad-key'],
        ['SEC 1 version 2', unhex('30310201020420' + hex(sec1()).slice(14)), 'bad-key'],
        ['scalar 0', sec1FromScalar('P-256', 0n), 'bad-scalar'],
        ['scalar n', sec1FromScalar('P-256', N['P-256']), 'bad-scalar'],
        ['scalar 2^256 - 1', sec1FromScalar('P-256', 2n ** 256n - 1n), 'bad-scalar'],
        ['SEC 1 without curve', unhex('30250201010420' + hex(be(5n, 32))), 'bad-key'],
        ['SPKI truncated', spki.subarray(0, spki.length - 1), 'bad-key'],
        ['SPKI off-curve point', unhex(hex(spki).slice(0, -2) + ((spki[spki.length - 1]! ^ 1).toString(16).padStart(2, '0'))), 'bad-point'],
        ['SPKI unknown curve OID (secp256k1)', unhex('3056301006072a8648ce3d020106052b8104000a034200' + hex(spki).slice(-130)), 'unsupported-curve'],
        ['SPKI with unused bits', unhex(hex(spki).replace('03420004', '03420104')), 'bad-key'],
      ];
      for (const [name, key, reason] of cases) {
        let err: unknown;
        try {
          ec.ecKeyInfo(key);
        } catch (e) {
          err = e;
        }
        expect(err, name).toBeInstanceOf(EcError);
        expect((err as EcError).reason, name).toBe(reason);
      }
    });

    it('refuses a private key whose embedded public key belongs to another scalar', () => {
      const a = ec.ecConvertKey(sec1FromScalar('P-256', 7n), 'sec1');
      const b = ec.ecConvertKey(sec1FromScalar('P-256', 8n), 'sec1');
      // swap the [1] public keys (the last 68 bytes) of the two keys
      const mixed = new Uint8Array([...a.subarray(0, a.length - 68), ...b.subarray(b.length - 68)]);
      expectEcError(() => ec.ecKeyInfo(mixed), 'key-mismatch');
      expectEcError(() => ec.ecConvertKey(mixed, 'spki'), 'key-mismatch');
    });

    it('converts between all formats and describes keys', () => {
      const kp = ec.ecGenerate('P-384');
      const sec = ec.ecConvertKey(kp.pkcs8, 'sec1');
      expect(hex(ec.ecConvertKey(sec, 'pkcs8'))).toBe(hex(kp.pkcs8));
      expect(hex(ec.ecConvertKey(sec, 'spki'))).toBe(hex(kp.spki));
      const c = ec.ecConvertKey(kp.spki, 'spki-compressed');
      expect(c.length).toBe(kp.spki.length - 48);
      expect(hex(ec.ecConvertKey(c, 'spki'))).toBe(hex(kp.spki));
      const pub = ec.ecKeyInfo(kp.spki);
      expect(pub.isPrivate).toBe(false);
      expect(hex(ec.ecKeyInfo(kp.pkcs8).publicPoint)).toBe(hex(pub.publicPoint));
      expectEcError(() => ec.ecConvertKey(kp.spki, 'pkcs8'), 'not-private');
      // a compressed SPKI verifies like the uncompressed one
      const msg = new Uint8Array([1, 2, 3]);
      expect(ec.ecVerify(c, 'SHA-384', msg, ec.ecSign(sec, 'SHA-384', msg, 'der'), 'der')).toBe(true);
      // a private key is not a verification key
      expectEcError(() => ec.ecVerify(kp.pkcs8, 'SHA-384', msg, new Uint8Array(96), 'p1363'), 'bad-key');
      expectEcError(() => ec.ecSign(kp.spki, 'SHA-384', msg, 'der'), 'bad-key');
    });

    it('rejects programmer errors with TypeError / RangeError', () => {
      const key = ec.ecConvertKey(sec1(), 'pkcs8');
      const msg = new Uint8Array(3);
      expect(() => ec.ecGenerate('P-192' as EcCurve)).toThrow(RangeError);
      expect(() => ec.ecSign(key, 'MD5', msg, 'der')).toThrow(RangeError);
      expect(() => ec.ecSign(key, 'SHA-3' as HashAlg, msg, 'der')).toThrow(RangeError);
      expect(() => ec.ecSign(key, 'SHA-256', msg, 'ber' as 'der')).toThrow(RangeError);
      expect(() => ec.ecSignDigest(key, 'SHA-256', new Uint8Array(31), 'der')).toThrow(RangeError);
      expect(() => ec.ecVerifyDigest(key, 'SHA-256', new Uint8Array(33), new Uint8Array(64), 'p1363')).toThrow(RangeError);
      expect(() => ec.ecConvertKey(key, 'jwk' as 'pkcs8')).toThrow(RangeError);
      expect(() => ec.ecSign('key' as unknown as Uint8Array, 'SHA-256', msg, 'der')).toThrow(TypeError);
    });

    it.each(CURVES)('%s: mutated keys and signatures never trap the core (EcError or false only)', (curve) => {
      const kp = ec.ecGenerate(curve);
      const sec1 = ec.ecConvertKey(kp.pkcs8, 'sec1');
      const msg = new Uint8Array([9, 9, 9]);
      const der = ec.ecSign(kp.pkcs8, 'SHA-256', msg, 'der');
      let seed = 0x2545f491;
      const rnd = (n: number) => {
        seed ^= seed << 13;
        seed ^= seed >>> 17;
        seed ^= seed << 5;
        return (seed >>> 0) % n;
      };
      const mutate = (b: Uint8Array): Uint8Array => {
        const out = Array.from(b);
        for (let k = 1 + rnd(3); k > 0; k--) {
          const op = rnd(4);
          const at = rnd(out.length + 1);
          if (op === 0 && out.length) out[at % out.length] = rnd(256);
          else if (op === 1 && out.length) out.splice(at % out.length, 1);
          else if (op === 2) out.splice(at, 0, rnd(256));
          else out.length = at;
        }
        return new Uint8Array(out);
      };
      let accepted = 0;
      for (let i = 0; i < 400; i++) {
        for (const key of [kp.pkcs8, sec1, kp.spki]) {
          try {
            ec.ecKeyInfo(mutate(key));
            accepted++;
          } catch (e) {
            expect(e).toBeInstanceOf(EcError);
          }
        }
        const bad = mutate(der);
        const ok = ec.ecVerify(kp.spki, 'SHA-256', msg, bad, 'der');
        if (ok) expect(hex(bad)).toBe(hex(der));
        expect(ec.ecVerify(kp.spki, 'SHA-256', msg, mutate(new Uint8Array(2 * BYTES[curve])), 'p1363')).toBe(false);
      }
      // some mutations (e.g. inside the scalar) still give a valid key; most must not
      expect(accepted).toBeLessThan(1200);
    });

    it('prepares the fixed-base tables on demand', () => {
      for (const curve of CURVES) expect(ec.ecPrepare(curve)).toBeUndefined();
      expect(() => ec.ecPrepare('P-224' as EcCurve)).toThrow(RangeError);
    });

    it('generates distinct keys', () => {
      const seen = new Set<string>();
      for (let i = 0; i < 10; i++) seen.add(hex(ec.ecGenerate('P-256').pkcs8));
      expect(seen.size).toBe(10);
    });
  });
});
