/**
 * @peculiar/webcrypto (the design card's WebCrypto polyfill) as a second, independent
 * implementation of the WebCrypto *API* in node, refereeing the crypto our core and our pkijs
 * engine (src/pki/engine.ts, a WebCrypto-shaped CryptoEngine) produce and consume, next to
 * OpenSSL: RSAES-PKCS1-v1_5 (SCEP key transport), 3DES (SCEP and legacy PKCS#12 content),
 * RSASSA-PKCS1-v1_5 / RSA-PSS / ECDSA signatures (CSRs, certificates, CMS), both ways.
 *
 * What it is and is not (README, "Tests"): it is a TypeScript WebCrypto front (parameter
 * checks, key formats, PKCS#7 padding, P1363 signatures, hash binding — the API layer our engine
 * imitates) over node:crypto, i.e. over the same OpenSSL as our other referee; it is no
 * independent *cryptographic* implementation. Version 1.7.2 on Node 20 offers RSAES-PKCS1-v1_5
 * encryption but not its private-key decryption (Node refuses it since CVE-2023-46809), and
 * DES-EDE3-CBC but not single DES-CBC (OpenSSL 3's legacy provider, not loaded): the first
 * describe pins that down, so a Node or package upgrade that changes it is noticed.
 */
import * as nc from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Crypto } from '@peculiar/webcrypto';
import { beforeAll, describe, expect, test } from 'vitest';
import type { CoreApi, HashAlg } from '../../../src/core/api.ts';
import { coreDecrypter, coreSigner } from '../../../src/crypto/core-keys.ts';
import { createPkiEngine, type PkiEngine } from '../../../src/pki/engine.ts';
import { makeVerify } from '../../../src/pki/verify-core.ts';
import type { VerifyFn } from '../../../src/crypto/types.ts';
import { loadCore } from '../_core.ts';

const peculiar = new Crypto();
const ps = peculiar.subtle;
const bytes = (n: number) => new Uint8Array(nc.randomBytes(n));
const hex = (b: ArrayBuffer | Uint8Array) => Buffer.from(b instanceof Uint8Array ? b : new Uint8Array(b)).toString('hex');
const buf = (b: Uint8Array) => b.slice().buffer as ArrayBuffer;

let core: CoreApi;
let engine: PkiEngine;
let verify: VerifyFn;
beforeAll(async () => {
  core = await loadCore();
  engine = createPkiEngine(core, { subtle: null }); // core only: nothing of node's WebCrypto in the way
  verify = makeVerify(async () => core);
});

/** A key pair as DER (PKCS#8, SPKI): the committed RSA fixture, or an EC key node makes. */
function rsaFixture() {
  const k = nc.createPrivateKey(readFileSync(new URL('../../vectors/fixtures/router-a.key', import.meta.url)));
  return { pkcs8: new Uint8Array(k.export({ type: 'pkcs8', format: 'der' })), spki: new Uint8Array(nc.createPublicKey(k).export({ type: 'spki', format: 'der' })) };
}
function ecKey(curve: 'P-256' | 'P-384') {
  const { privateKey, publicKey } = nc.generateKeyPairSync('ec', { namedCurve: curve });
  return { pkcs8: new Uint8Array(privateKey.export({ type: 'pkcs8', format: 'der' })), spki: new Uint8Array(publicKey.export({ type: 'spki', format: 'der' })) };
}

/** ECDSA-Sig-Value (DER) ⇄ r‖s (P1363, what WebCrypto uses), by hand. */
function derToP1363(der: Uint8Array, n: number): Uint8Array {
  let o = der[1]! & 0x80 ? 2 + (der[1]! & 0x7f) : 2;
  const out = new Uint8Array(2 * n);
  for (let i = 0; i < 2; i++) {
    const len = der[o + 1]!;
    let v = der.subarray(o + 2, o + 2 + len);
    while (v.length > n && v[0] === 0) v = v.subarray(1);
    out.set(v, (i + 1) * n - v.length);
    o += 2 + len;
  }
  return out;
}
function p1363ToDer(sig: Uint8Array): Uint8Array {
  const n = sig.length / 2;
  const int = (v: Uint8Array) => {
    let i = 0;
    while (i < v.length - 1 && v[i] === 0) i++;
    const t = v.subarray(i);
    return t[0]! & 0x80 ? Uint8Array.of(0x02, t.length + 1, 0, ...t) : Uint8Array.of(0x02, t.length, ...t);
  };
  const body = Uint8Array.of(...int(sig.subarray(0, n)), ...int(sig.subarray(n)));
  return Uint8Array.of(0x30, ...(body.length < 128 ? [body.length] : [0x81, body.length]), ...body);
}

const RSA_SHA_OID: Partial<Record<HashAlg, string>> = {
  'SHA-1': '1.2.840.113549.1.1.5',
  'SHA-256': '1.2.840.113549.1.1.11',
  'SHA-384': '1.2.840.113549.1.1.12',
  'SHA-512': '1.2.840.113549.1.1.13',
};
const ECDSA_OID: Partial<Record<HashAlg, string>> = { 'SHA-256': '1.2.840.10045.4.3.2', 'SHA-384': '1.2.840.10045.4.3.3' };

// ---------------------------------------------------------------------------------------------

describe('what @peculiar/webcrypto 1.7 offers on this Node (pinned: a change must be noticed)', () => {
  test('RSAES-PKCS1-v1_5: public-key encryption works; private-key decryption is refused by Node (CVE-2023-46809)', async () => {
    const pair = (await ps.generateKey({ name: 'RSAES-PKCS1-v1_5', modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]) } as AlgorithmIdentifier, true, ['encrypt', 'decrypt'])) as CryptoKeyPair;
    const ct = await ps.encrypt({ name: 'RSAES-PKCS1-v1_5' }, pair.publicKey, bytes(16));
    expect(ct.byteLength).toBe(256);
    await expect(ps.decrypt({ name: 'RSAES-PKCS1-v1_5' }, pair.privateKey, ct)).rejects.toThrow(/RSA_PKCS1_PADDING is no longer supported for private decryption/);
  });

  test('DES-EDE3-CBC works; single DES-CBC is not offered (OpenSSL 3 keeps it in the legacy provider, so @peculiar does not register it)', async () => {
    const k3 = await ps.importKey('raw', bytes(24), { name: 'DES-EDE3-CBC' }, true, ['encrypt']);
    expect((await ps.encrypt({ name: 'DES-EDE3-CBC', iv: bytes(8) }, k3, bytes(5))).byteLength).toBe(8);
    await expect(ps.importKey('raw', bytes(8), { name: 'DES-CBC' }, true, ['encrypt'])).rejects.toThrow(/Unrecognized name/);
  });
});

describe('RSAES-PKCS1-v1_5: @peculiar encrypts, our core and engine decrypt', () => {
  test('the 2048-bit fixture key and a 3072-bit key; every content-key length SCEP uses, and the longest message', async () => {
    const fixture = rsaFixture();
    const kp = nc.generateKeyPairSync('rsa', { modulusLength: 3072 });
    const made = { pkcs8: new Uint8Array(kp.privateKey.export({ type: 'pkcs8', format: 'der' })), spki: new Uint8Array(kp.publicKey.export({ type: 'spki', format: 'der' })) };
    for (const k of [fixture, made]) {
      const pub = await ps.importKey('spki', buf(k.spki), { name: 'RSAES-PKCS1-v1_5' }, true, ['encrypt']);
      const bytesLen = (pub.algorithm as RsaKeyAlgorithm).modulusLength / 8;
      const dec = coreDecrypter(core, k.pkcs8, k.spki);
      const priv = await engine.importKey('pkcs8', buf(k.pkcs8), { name: 'RSAES-PKCS1-v1_5' }, false, ['decrypt']);
      for (const n of [8, 16, 24, 32, bytesLen - 11]) {
        const msg = bytes(n);
        const ct = new Uint8Array(await ps.encrypt({ name: 'RSAES-PKCS1-v1_5' }, pub, msg));
        expect(hex(await dec.decryptPkcs1(ct)), `${bytesLen * 8} bits, ${n} bytes`).toBe(hex(msg));
        expect(hex(await engine.decrypt({ name: 'RSAES-PKCS1-v1_5' }, priv, ct))).toBe(hex(msg));
        const bad = ct.slice();
        bad[1]! ^= 0x80;
        await expect(dec.decryptPkcs1(bad)).rejects.toMatchObject({ code: 'decrypt' });
      }
    }
  });
});

describe('3DES (DES-EDE3-CBC, PKCS#7 padding): the core and the engine agree with @peculiar both ways', () => {
  test('random keys, IVs and every length across two blocks', async () => {
    for (let n = 0; n <= 17; n++) {
      const key = bytes(24);
      const iv = bytes(8);
      const data = bytes(n);
      const pk = await ps.importKey('raw', key, { name: 'DES-EDE3-CBC' }, true, ['encrypt', 'decrypt']);
      const theirs = new Uint8Array(await ps.encrypt({ name: 'DES-EDE3-CBC', iv }, pk, data));
      const ours = await core.encryptCbc('DES-EDE3-CBC', key, iv, data);
      expect(hex(ours), `${n} bytes`).toBe(hex(theirs));
      const ek = await engine.importKey('raw', buf(key), { name: 'DES-EDE3-CBC' }, true, ['encrypt', 'decrypt']);
      expect(hex(await engine.encrypt({ name: 'DES-EDE3-CBC', iv }, ek, data))).toBe(hex(theirs));
      expect(hex(await core.decryptCbc('DES-EDE3-CBC', key, iv, theirs))).toBe(hex(data));
      expect(hex(await ps.decrypt({ name: 'DES-EDE3-CBC', iv }, pk, buf(ours)))).toBe(hex(data));
    }
  });
});

describe('signatures: ours verify in @peculiar, @peculiar’s verify in ours', () => {
  test('RSASSA-PKCS1-v1_5 with SHA-1, SHA-256, SHA-384, SHA-512 (the core signer, the engine, and our VerifyFn)', async () => {
    const k = rsaFixture();
    const signer = coreSigner(core, k.pkcs8, k.spki, { kind: 'rsa', bits: 2048 });
    const theirPriv = (h: string) => ps.importKey('pkcs8', buf(k.pkcs8), { name: 'RSASSA-PKCS1-v1_5', hash: h }, false, ['sign']);
    const theirPub = (h: string) => ps.importKey('spki', buf(k.spki), { name: 'RSASSA-PKCS1-v1_5', hash: h }, true, ['verify']);
    for (const hash of ['SHA-1', 'SHA-256', 'SHA-384', 'SHA-512'] as const) {
      const data = bytes(300);
      const ours = await signer.sign(data, hash);
      expect(await ps.verify('RSASSA-PKCS1-v1_5', await theirPub(hash), buf(ours), data), hash).toBe(true);
      expect(await ps.verify('RSASSA-PKCS1-v1_5', await theirPub(hash), buf(ours), bytes(300))).toBe(false);
      const ek = await engine.importKey('pkcs8', buf(k.pkcs8), { name: 'RSASSA-PKCS1-v1_5', hash }, false, ['sign']);
      const viaEngine = new Uint8Array(await engine.sign('RSASSA-PKCS1-v1_5', ek, data));
      expect(hex(viaEngine)).toBe(hex(ours)); // PKCS#1 v1.5 is deterministic
      const theirs = new Uint8Array(await ps.sign('RSASSA-PKCS1-v1_5', await theirPriv(hash), data));
      expect(hex(theirs)).toBe(hex(ours));
      expect(await verify({ algorithm: RSA_SHA_OID[hash]!, spki: k.spki, data, signature: theirs })).toBe(true);
      theirs[0]! ^= 1;
      expect(await verify({ algorithm: RSA_SHA_OID[hash]!, spki: k.spki, data, signature: theirs })).toBe(false);
    }
  });

  test('RSA-PSS (SHA-256, salt 32): the core signs, @peculiar verifies; @peculiar signs, the engine verifies', async () => {
    const k = rsaFixture();
    const data = bytes(100);
    const ours = await core.rsaSignPss(k.pkcs8, 'SHA-256', 'SHA-256', 32, data);
    const pub = await ps.importKey('spki', buf(k.spki), { name: 'RSA-PSS', hash: 'SHA-256' }, true, ['verify']);
    expect(await ps.verify({ name: 'RSA-PSS', saltLength: 32 }, pub, buf(ours), data)).toBe(true);
    expect(await ps.verify({ name: 'RSA-PSS', saltLength: 32 }, pub, buf(ours), bytes(100))).toBe(false);
    const priv = await ps.importKey('pkcs8', buf(k.pkcs8), { name: 'RSA-PSS', hash: 'SHA-256' }, false, ['sign']);
    const theirs = await ps.sign({ name: 'RSA-PSS', saltLength: 32 }, priv, data);
    const epub = await engine.importKey('spki', buf(k.spki), { name: 'RSA-PSS', hash: 'SHA-256' }, true, ['verify']);
    expect(await engine.verify({ name: 'RSA-PSS', saltLength: 32 }, epub, theirs, data)).toBe(true);
    expect(await engine.verify({ name: 'RSA-PSS', saltLength: 32 }, epub, theirs, bytes(100))).toBe(false);
  });

  test('ECDSA P-256/SHA-256 and P-384/SHA-384: the core signs (DER, as X.509 and CMS carry it), @peculiar verifies (P1363); and back', async () => {
    for (const [curve, hash, n] of [
      ['P-256', 'SHA-256', 32],
      ['P-384', 'SHA-384', 48],
    ] as const) {
      const k = ecKey(curve);
      const signer = coreSigner(core, k.pkcs8, k.spki, { kind: 'ec', curve });
      const pub = await ps.importKey('spki', buf(k.spki), { name: 'ECDSA', namedCurve: curve }, true, ['verify']);
      const priv = await ps.importKey('pkcs8', buf(k.pkcs8), { name: 'ECDSA', namedCurve: curve }, false, ['sign']);
      for (let i = 0; i < 3; i++) {
        const data = bytes(64);
        const ours = await signer.sign(data, hash);
        expect(await ps.verify({ name: 'ECDSA', hash }, pub, buf(derToP1363(ours, n)), data), curve).toBe(true);
        expect(await ps.verify({ name: 'ECDSA', hash }, pub, buf(derToP1363(ours, n)), bytes(64))).toBe(false);
        const theirs = new Uint8Array(await ps.sign({ name: 'ECDSA', hash }, priv, data));
        expect(theirs).toHaveLength(2 * n);
        expect(await verify({ algorithm: ECDSA_OID[hash]!, spki: k.spki, data, signature: p1363ToDer(theirs) })).toBe(true);
        expect(await verify({ algorithm: ECDSA_OID[hash]!, spki: k.spki, data: bytes(64), signature: p1363ToDer(theirs) })).toBe(false);
      }
    }
  });
});
