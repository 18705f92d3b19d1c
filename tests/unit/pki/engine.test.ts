/**
 * src/pki/engine.ts, the pkijs CryptoEngine over the WASM core, refereed by OpenSSL 3 and
 * node:crypto, in both modes — WebCrypto present (node's) and `subtle: null` (core only, with
 * every WebCrypto method booby-trapped) — and against the debug and the release core:
 * - the added OID maps (MD5, SHA-224, SHA-512/t, DES, 3DES, RC2);
 * - digests against node (MD5 included); DES/3DES/RC2 against `openssl enc`; RSAES-PKCS1-v1_5
 *   against `openssl pkeyutl` and node; HMAC, AES-CBC against node;
 * - pkijs classes driven by the engine: EnvelopedData (addPkcs1Recipient, decrypt of OpenSSL's
 *   3DES/DES/AES messages, rsaEncryption with and without NULL), SignedData sign/verify with
 *   RSA and ECDSA keys (MD5 digest included).
 * PKCS#12 and password-based encryption are not the engine's (pkcs12.test.ts, private-key.test.ts).
 */
import { spawnSync } from 'node:child_process';
import * as nc from 'node:crypto';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { CoreApi, HashAlg } from '../../../src/core/api.ts';
import { coreDecrypter } from '../../../src/crypto/core-keys.ts';
import { createPkiEngine, isCoreKey, type PkiEngine } from '../../../src/pki/engine.ts';
import { OID } from '../../../src/pki/oids.ts';
import { PkiError } from '../../../src/util/errors.ts';
import { LEGACY, hex, loadCore, openReferee, rnd, text, trapWebCrypto, utf8, type Fixture, addPkcs1Recipient } from './_cms-referee.ts';

// OpenSSL, the referee (and the core loader, WebCrypto trap): ./_cms-referee.ts
const referee = openReferee('engine-test-', 'Engine Test');
afterAll(() => referee.close());
const { file, ossl, makeFixture } = referee;
/** Registers nothing: tests that only apply to the other mode are left out rather than shown as skipped. */
const noTest = (_name: string, _fn: () => unknown): void => undefined;
const ab = (b: Uint8Array): ArrayBuffer => b.slice().buffer as ArrayBuffer;

let rsa: Fixture;
let ec: Fixture;
beforeAll(() => {
  rsa = makeFixture(['-newkey', 'rsa:2048'], 'rsa');
  ec = makeFixture(['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256'], 'ec');
});

const NODE_HASH: Readonly<Record<HashAlg, string>> = {
  MD5: 'md5',
  'SHA-1': 'sha1',
  'SHA-224': 'sha224',
  'SHA-256': 'sha256',
  'SHA-384': 'sha384',
  'SHA-512': 'sha512',
  'SHA-512/224': 'sha512-224',
  'SHA-512/256': 'sha512-256',
};

// ---------------------------------------------------------------------------------------------
// Mode-independent: the OID maps

describe('OID maps', () => {
  let engine: PkiEngine;
  beforeAll(async () => {
    engine = createPkiEngine(await loadCore(false), { subtle: null });
  });

  const byOid: [string, object][] = [
    [OID.MD5, { name: 'MD5' }],
    [OID['SHA-224'], { name: 'SHA-224' }],
    [OID['SHA-512/256'], { name: 'SHA-512/256' }],
    [OID.md5WithRSAEncryption, { name: 'RSASSA-PKCS1-v1_5', hash: { name: 'MD5' } }],
    [OID.sha224WithRSAEncryption, { name: 'RSASSA-PKCS1-v1_5', hash: { name: 'SHA-224' } }],
    [OID['ecdsa-with-SHA224'], { name: 'ECDSA', hash: { name: 'SHA-224' } }],
    [OID.hmacWithSHA224, { name: 'HMAC', hash: { name: 'SHA-224' } }],
    [OID['DES-CBC'], { name: 'DES-CBC', length: 64 }],
    [OID['DES-EDE3-CBC'], { name: 'DES-EDE3-CBC', length: 192 }],
    [OID['RC2-CBC'], { name: 'RC2-CBC', length: 128 }],
    // pkijs' own entries stay
    [OID.rsaEncryption, { name: 'RSAES-PKCS1-v1_5' }],
    ['2.16.840.1.101.3.4.1.2', { name: 'AES-CBC', length: 128 }],
    ['2.16.840.1.101.3.4.2.1', { name: 'SHA-256' }],
  ];
  test.each(byOid)('getAlgorithmByOID(%s)', (oid, want) => {
    expect(engine.getAlgorithmByOID(oid)).toEqual(want);
    expect(engine.getOIDByAlgorithm(want as Algorithm)).toBe(oid);
  });

  test('unknown OIDs and names', () => {
    expect(engine.getAlgorithmByOID('1.2.3.4')).toEqual({});
    expect(() => engine.getAlgorithmByOID('1.2.3.4', true)).toThrow(/Unsupported algorithm identifier/);
    expect(engine.getOIDByAlgorithm({ name: 'NOPE' })).toBe('');
  });

  test('getAlgorithmByOID returns fresh objects (pkijs mutates them)', () => {
    const a = engine.getAlgorithmByOID(OID.md5WithRSAEncryption) as { hash: { name: string } };
    a.hash.name = 'changed';
    expect(engine.getAlgorithmByOID(OID.md5WithRSAEncryption)).toEqual({ name: 'RSASSA-PKCS1-v1_5', hash: { name: 'MD5' } });
  });

  test.each([
    [OID.md5WithRSAEncryption, 'MD5'],
    [OID.sha224WithRSAEncryption, 'SHA-224'],
    [OID['sha512-256WithRSAEncryption'], 'SHA-512/256'],
    [OID['ecdsa-with-SHA224'], 'SHA-224'],
    ['1.2.840.113549.1.1.11', 'SHA-256'],
  ])('getHashAlgorithm(%s) = %s', (oid, want) => {
    expect(engine.getHashAlgorithm(new pkijs.AlgorithmIdentifier({ algorithmId: oid }))).toBe(want);
  });

  test('getAlgorithmParameters for the 64-bit block ciphers and RSAES', () => {
    const p = engine.getAlgorithmParameters('DES-EDE3-CBC', 'encrypt');
    expect((p.algorithm as { iv: Uint8Array }).iv).toHaveLength(8);
    expect(engine.getAlgorithmParameters('RC2-CBC', 'generateKey').algorithm).toEqual({ name: 'RC2-CBC', length: 128 });
    expect(engine.getAlgorithmParameters('RSAES-PKCS1-v1_5', 'encrypt').algorithm).toEqual({ name: 'RSAES-PKCS1-v1_5' });
    // the verify path of rsaEncryption-signed CMS keeps pkijs' RSASSA mapping
    expect(engine.getAlgorithmParameters('RSAES-PKCS1-v1_5', 'importKey').algorithm).toMatchObject({ name: 'RSASSA-PKCS1-v1_5' });
  });
});

// ---------------------------------------------------------------------------------------------
// Everything else, per build and per mode

const cases = [false, true].flatMap((release) =>
  (['webcrypto', 'core only'] as const).map((mode) => ({ name: `${release ? 'release' : 'debug'} core, ${mode}`, release, coreOnly: mode === 'core only' })),
);

describe.each(cases)('$name', ({ release, coreOnly }) => {
  let core: CoreApi;
  let engine: PkiEngine;
  let untrap = (): void => {};
  beforeAll(async () => {
    core = await loadCore(release);
    engine = createPkiEngine(core, coreOnly ? { subtle: null } : { subtle: crypto.subtle });
    if (coreOnly) untrap = trapWebCrypto();
  });
  afterAll(() => untrap());

  test(coreOnly ? 'WebCrypto is booby-trapped' : 'WebCrypto is there', async () => {
    if (coreOnly) expect(() => crypto.subtle.digest('SHA-256', new Uint8Array(1))).toThrow(/core-only mode/);
    else await expect(crypto.subtle.digest('SHA-256', new Uint8Array(1))).resolves.toBeInstanceOf(ArrayBuffer);
  });

  test('mode', () => {
    expect(engine.web).toBe(coreOnly ? null : crypto.subtle);
  });

  // --- digests ----------------------------------------------------------------------------------

  describe('digest', () => {
    const lengths = [0, 1, 55, 56, 64, 127, 1000, 100_000];
    test.each(Object.keys(NODE_HASH) as HashAlg[])('%s equals node:crypto', async (hash) => {
      for (const n of lengths) {
        const data = rnd(n);
        const want = nc.createHash(NODE_HASH[hash]).update(data).digest('hex');
        expect(hex(new Uint8Array(await engine.digest({ name: hash }, data)))).toBe(want);
      }
    });

    test('names as pkijs spells them', async () => {
      const data = utf8('abc');
      expect(hex(new Uint8Array(await engine.digest('md5', data)))).toBe('900150983cd24fb0d6963f7d28e17f72');
      expect(hex(new Uint8Array(await engine.digest({ name: 'sha-1' }, data)))).toBe('a9993e364706816aba3e25717850c26c9cd0d89d');
      await expect(engine.digest({ name: 'SHA3-256' }, data)).rejects.toThrow(PkiError);
    });
  });

  // --- DES, 3DES, RC2 ---------------------------------------------------------------------------

  describe('64-bit block ciphers', () => {
    const ciphers = [
      { name: 'DES-CBC', bytes: 8, openssl: 'des-cbc' },
      { name: 'DES-EDE3-CBC', bytes: 24, openssl: 'des-ede3-cbc' },
      { name: 'RC2-CBC', bytes: 16, openssl: 'rc2-cbc' },
    ] as const;

    test.each(ciphers)('$name: generateKey, exportKey, encrypt = openssl enc, decrypt', async (c) => {
      const key = await engine.generateKey({ name: c.name, length: c.bytes * 8 }, true, ['encrypt', 'decrypt']);
      expect(isCoreKey(key)).toBe(true);
      const raw = new Uint8Array(await engine.exportKey('raw', key as CryptoKey));
      expect(raw).toHaveLength(c.bytes);
      if (c.name !== 'RC2-CBC') for (const b of raw) expect(popcount(b) % 2).toBe(1); // odd parity
      for (const n of [0, 7, 8, 100]) {
        const iv = rnd(8);
        const data = rnd(n);
        const ct = new Uint8Array(await engine.encrypt({ name: c.name, iv }, key as CryptoKey, data));
        const want = ossl(['enc', `-${c.openssl}`, ...LEGACY, '-K', hex(raw), '-iv', hex(iv), '-in', file(data)]);
        expect(hex(ct)).toBe(hex(want));
        expect(hex(new Uint8Array(await engine.decrypt({ name: c.name, iv }, key as CryptoKey, ct)))).toBe(hex(data));
      }
    });

    test('RC2 with 40 effective bits equals openssl rc2-40-cbc', async () => {
      const raw = rnd(5);
      const iv = rnd(8);
      const data = rnd(33);
      const key = await engine.importKey('raw', raw, { name: 'RC2-CBC' }, false, ['encrypt']);
      const ct = new Uint8Array(await engine.encrypt({ name: 'RC2-CBC', iv, effectiveKeyBits: 40 } as AesCbcParams, key, data));
      expect(hex(ct)).toBe(hex(ossl(['enc', '-rc2-40-cbc', ...LEGACY, '-K', hex(raw), '-iv', hex(iv), '-in', file(data)])));
    });

    test('a 16-byte IV (what pkijs EnvelopedData.encrypt writes) is refused', async () => {
      const key = await engine.generateKey({ name: 'DES-EDE3-CBC' }, true, ['encrypt']);
      await expect(engine.encrypt({ name: 'DES-EDE3-CBC', iv: rnd(16) }, key as CryptoKey, rnd(8))).rejects.toThrow(/IV of 8 bytes.*envelope\(\)/);
    });

    test('bad key lengths, bad padding, non-extractable keys', async () => {
      await expect(engine.importKey('raw', rnd(7), { name: 'DES-CBC' }, true, ['encrypt'])).rejects.toMatchObject({ code: 'key' });
      await expect(engine.importKey('raw', rnd(16), { name: 'DES-EDE3-CBC' }, true, ['encrypt'])).rejects.toMatchObject({ code: 'key' });
      const key = await engine.importKey('raw', rnd(24), { name: 'DES-EDE3-CBC' }, false, ['decrypt']);
      await expect(engine.exportKey('raw', key)).rejects.toMatchObject({ code: 'key' });
      await expect(engine.decrypt({ name: 'DES-EDE3-CBC', iv: rnd(8) }, key, rnd(15))).rejects.toMatchObject({ code: 'decrypt' });
    });
  });

  // --- AES, HMAC (WebCrypto or core) ---------------------------------------------------------------

  test.each([16, 24, 32])('AES-CBC with a %i-byte key equals node', async (n) => {
    const raw = rnd(n);
    const iv = rnd(16);
    const data = rnd(77);
    const key = await engine.importKey('raw', raw, { name: 'AES-CBC' }, true, ['encrypt', 'decrypt']);
    expect(isCoreKey(key)).toBe(coreOnly);
    const ct = new Uint8Array(await engine.encrypt({ name: 'AES-CBC', iv }, key, data));
    const d = nc.createCipheriv(`aes-${n * 8}-cbc`, raw, iv);
    expect(hex(ct)).toBe(hex(Buffer.concat([d.update(data), d.final()])));
    expect(hex(new Uint8Array(await engine.decrypt({ name: 'AES-CBC', iv }, key, ct)))).toBe(hex(data));
    expect(hex(new Uint8Array(await engine.exportKey('raw', key)))).toBe(hex(raw));
  });

  test.each(['SHA-1', 'SHA-224', 'SHA-256', 'SHA-512'] as HashAlg[])('HMAC-%s sign/verify equals node', async (hash) => {
    const raw = rnd(40);
    const msg = rnd(123);
    const key = await engine.importKey('raw', raw, { name: 'HMAC', hash }, false, ['sign', 'verify']);
    expect(isCoreKey(key)).toBe(coreOnly || hash === 'SHA-224');
    const tag = new Uint8Array(await engine.sign('HMAC', key, msg));
    expect(hex(tag)).toBe(nc.createHmac(NODE_HASH[hash], raw).update(msg).digest('hex'));
    expect(await engine.verify('HMAC', key, tag, msg)).toBe(true);
    tag[0]! ^= 1;
    expect(await engine.verify('HMAC', key, tag, msg)).toBe(false);
  });

  (coreOnly ? test : noTest)('key derivation is WebCrypto\'s: PBKDF2 is refused in core-only mode', async () => {
    await expect(engine.importKey('raw', utf8('pw'), 'PBKDF2', false, ['deriveBits'])).rejects.toMatchObject({ code: 'unsupported' });
  });

  // --- RSAES-PKCS1-v1_5 ---------------------------------------------------------------------------

  describe('RSAES-PKCS1-v1_5', () => {
    test('encrypt with the SPKI; OpenSSL decrypts', async () => {
      const pub = await engine.importKey('spki', rsa.spki, { name: 'RSAES-PKCS1-v1_5' }, true, ['encrypt']);
      expect(isCoreKey(pub)).toBe(true);
      expect(pub.algorithm).toMatchObject({ name: 'RSAES-PKCS1-v1_5', modulusLength: 2048 });
      for (const n of [1, 16, 24, 32, 245]) {
        const msg = rnd(n);
        const ct = new Uint8Array(await engine.encrypt({ name: 'RSAES-PKCS1-v1_5' }, pub, msg));
        expect(ct).toHaveLength(256);
        expect(hex(ossl(['pkeyutl', '-decrypt', '-inkey', rsa.keyPem, '-pkeyopt', 'rsa_padding_mode:pkcs1', '-in', file(ct)]))).toBe(hex(msg));
      }
      await expect(engine.encrypt({ name: 'RSAES-PKCS1-v1_5' }, pub, rnd(246))).rejects.toThrow(RangeError);
    });

    test('decrypt with the PKCS#8 key and with a Decrypter handle; node encrypts', async () => {
      const priv = await engine.importKey('pkcs8', rsa.pkcs8, { name: 'RSAES-PKCS1-v1_5' }, false, ['decrypt']);
      const handle = engine.decrypterKey(coreDecrypter(core, rsa.pkcs8, rsa.spki));
      expect(handle.algorithm).toMatchObject({ name: 'RSAES-PKCS1-v1_5', modulusLength: 2048 });
      for (const key of [priv, handle]) {
        const msg = rnd(32);
        const ct = new Uint8Array(nc.publicEncrypt({ key: nc.createPublicKey({ key: Buffer.from(rsa.spki), format: 'der', type: 'spki' }), padding: nc.constants.RSA_PKCS1_PADDING }, msg));
        expect(hex(new Uint8Array(await engine.decrypt({ name: 'RSAES-PKCS1-v1_5' }, key, ct)))).toBe(hex(msg));
        ct[10]! ^= 0x40;
        await expect(engine.decrypt({ name: 'RSAES-PKCS1-v1_5' }, key, ct)).rejects.toMatchObject({ code: 'decrypt' });
      }
      await expect(engine.exportKey('pkcs8', priv)).rejects.toMatchObject({ code: 'key' });
    });
  });

  // --- RSA-PSS, RSA-OAEP, ECDSA, key generation (WebCrypto or core) -------------------------------

  describe('asymmetric keys', () => {
    test('RSA-PSS sign/verify against node', async () => {
      const priv = await engine.importKey('pkcs8', rsa.pkcs8, { name: 'RSA-PSS', hash: 'SHA-256' }, false, ['sign']);
      const pub = await engine.importKey('spki', rsa.spki, { name: 'RSA-PSS', hash: 'SHA-256' }, true, ['verify']);
      expect(isCoreKey(priv)).toBe(coreOnly);
      const msg = rnd(100);
      const sig = new Uint8Array(await engine.sign({ name: 'RSA-PSS', saltLength: 32 }, priv, msg));
      const nodeKey = nc.createPublicKey({ key: Buffer.from(rsa.spki), format: 'der', type: 'spki' });
      expect(nc.verify('sha256', msg, { key: nodeKey, padding: nc.constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 }, sig)).toBe(true);
      const nodeSig = nc.sign('sha256', msg, { key: nc.createPrivateKey({ key: Buffer.from(rsa.pkcs8), format: 'der', type: 'pkcs8' }), padding: nc.constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 });
      expect(await engine.verify({ name: 'RSA-PSS', saltLength: 32 }, pub, nodeSig, msg)).toBe(true);
      expect(await engine.verify({ name: 'RSA-PSS', saltLength: 32 }, pub, nodeSig, rnd(100))).toBe(false);
    });

    test('RSA-OAEP (SHA-256) encrypt; node decrypts', async () => {
      const pub = await engine.importKey('spki', rsa.spki, { name: 'RSA-OAEP', hash: 'SHA-256' }, true, ['encrypt']);
      expect(isCoreKey(pub)).toBe(coreOnly);
      const msg = rnd(32);
      const ct = new Uint8Array(await engine.encrypt({ name: 'RSA-OAEP' }, pub, msg));
      const out = nc.privateDecrypt({ key: nc.createPrivateKey({ key: Buffer.from(rsa.pkcs8), format: 'der', type: 'pkcs8' }), padding: nc.constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' }, ct);
      expect(hex(out)).toBe(hex(msg));
    });

    test('ECDSA generateKey, sign (P1363), export SPKI; node verifies', async () => {
      const pair = (await engine.generateKey({ name: 'ECDSA', namedCurve: 'P-384' }, true, ['sign', 'verify'])) as CryptoKeyPair;
      expect(isCoreKey(pair.privateKey)).toBe(coreOnly);
      const msg = rnd(50);
      const sig = new Uint8Array(await engine.sign({ name: 'ECDSA', hash: 'SHA-384' }, pair.privateKey, msg));
      expect(sig).toHaveLength(96);
      const spki = new Uint8Array(await engine.exportKey('spki', pair.publicKey));
      const nodeKey = nc.createPublicKey({ key: Buffer.from(spki), format: 'der', type: 'spki' });
      expect(nc.verify('sha384', msg, { key: nodeKey, dsaEncoding: 'ieee-p1363' }, sig)).toBe(true);
      expect(await engine.verify({ name: 'ECDSA', hash: 'SHA-384' }, pair.publicKey, sig, msg)).toBe(true);
      await expect(engine.importKey('spki', ec.spki, { name: 'ECDSA', namedCurve: 'P-384' }, true, ['verify'])).rejects.toThrow();
    });

    (coreOnly ? test : noTest)('RSA generateKey in the core (1024 bits); OpenSSL checks the key', async () => {
      const pair = (await engine.generateKey({ name: 'RSASSA-PKCS1-v1_5', modulusLength: 1024, publicExponent: Uint8Array.of(1, 0, 1), hash: 'SHA-256' }, true, ['sign', 'verify'])) as CryptoKeyPair;
      expect(pair.privateKey.algorithm).toMatchObject({ name: 'RSASSA-PKCS1-v1_5', modulusLength: 1024, hash: { name: 'SHA-256' } });
      const pkcs8 = new Uint8Array(await engine.exportKey('pkcs8', pair.privateKey));
      expect(text(ossl(['pkey', '-inform', 'DER', '-in', file(pkcs8), '-check', '-noout']))).toMatch(/valid/i);
      const msg = rnd(20);
      const sig = await engine.sign('RSASSA-PKCS1-v1_5', pair.privateKey, msg);
      expect(await engine.verify('RSASSA-PKCS1-v1_5', pair.publicKey, sig, msg)).toBe(true);
    });

    (coreOnly ? test : noTest)('without WebCrypto: AES-GCM, AES-KW and ECDH are unsupported', async () => {
      await expect(engine.importKey('raw', rnd(16), { name: 'AES-GCM' }, true, ['encrypt'])).rejects.toMatchObject({ code: 'unsupported' });
      await expect(engine.generateKey({ name: 'ECDH', namedCurve: 'P-256' }, true, ['deriveBits'])).rejects.toMatchObject({ code: 'unsupported' });
      const k = await engine.importKey('raw', rnd(16), { name: 'AES-CBC' }, true, ['encrypt']);
      await expect(engine.wrapKey('raw', k, k, { name: 'AES-KW' })).rejects.toMatchObject({ code: 'unsupported' });
    });
  });

  // --- pkijs EnvelopedData through the engine -----------------------------------------------------

  describe('pkijs EnvelopedData', () => {
    const recipient = () => pkijs.Certificate.fromBER(ab(rsa.cert));

    test('addPkcs1Recipient + EnvelopedData.encrypt (AES) opens with OpenSSL; KTRI is rsaEncryption + NULL', async () => {
      const env = new pkijs.EnvelopedData();
      addPkcs1Recipient(env, recipient());
      const content = utf8('pkijs through the engine');
      await env.encrypt({ name: 'AES-CBC', length: 128 } as AesKeyAlgorithm, ab(content), engine);
      const der = new Uint8Array(new pkijs.ContentInfo({ contentType: ENGINE_OID_ENVELOPED, content: env.toSchema() }).toSchema().toBER(false));
      const kea = (env.recipientInfos[0]!.value as pkijs.KeyTransRecipientInfo).keyEncryptionAlgorithm;
      expect(hex(new Uint8Array(kea.toSchema().toBER(false)))).toBe('300d06092a864886f70d0101010500');
      const out = ossl(['cms', '-decrypt', '-inform', 'DER', '-in', file(der), '-inkey', rsa.keyPem, '-recip', rsa.certPem]);
      expect(new TextDecoder().decode(out)).toBe('pkijs through the engine');
    });

    test('EnvelopedData.encrypt with DES is refused (16-byte IV), not silently broken', async () => {
      const env = new pkijs.EnvelopedData();
      addPkcs1Recipient(env, recipient());
      await expect(env.encrypt({ name: 'DES-EDE3-CBC', length: 192 } as unknown as AesKeyAlgorithm, ab(utf8('x')), engine)).rejects.toThrow(/IV of 8 bytes/);
    });

    test('addPkcs1Recipient refuses a non-RSA certificate', () => {
      expect(() => addPkcs1Recipient(new pkijs.EnvelopedData(), pkijs.Certificate.fromBER(ab(ec.cert)))).toThrow(PkiError);
    });

    test.each([
      ['des3', true],
      ['des', true],
      ['aes128', false],
      ['aes256', false],
    ])('EnvelopedData.decrypt of `openssl cms -encrypt -%s`', async (cipher, legacy) => {
      const content = rnd(100);
      const der = ossl(['cms', '-encrypt', '-binary', ...(legacy ? LEGACY : []), `-${cipher}`, '-in', file(content), '-outform', 'DER', '-recip', rsa.certPem, '-keyopt', 'rsa_padding_mode:pkcs1']);
      const env = new pkijs.EnvelopedData({ schema: pkijs.ContentInfo.fromBER(ab(der)).content });
      const out = new Uint8Array(await env.decrypt(0, { recipientCertificate: recipient(), recipientPrivateKey: ab(rsa.pkcs8) }, engine));
      expect(hex(out)).toBe(hex(content));
    });

    test('rsaEncryption without parameters decrypts like rsaEncryption with NULL', async () => {
      const env = new pkijs.EnvelopedData();
      addPkcs1Recipient(env, recipient());
      delete (env.recipientInfos[0]!.value as pkijs.KeyTransRecipientInfo).keyEncryptionAlgorithm.algorithmParams;
      await env.encrypt({ name: 'AES-CBC', length: 256 } as AesKeyAlgorithm, ab(utf8('no NULL')), engine);
      const der = env.toSchema().toBER(false);
      const again = new pkijs.EnvelopedData({ schema: asn1js.fromBER(der).result });
      const kea = (again.recipientInfos[0]!.value as pkijs.KeyTransRecipientInfo).keyEncryptionAlgorithm;
      expect(hex(new Uint8Array(kea.toSchema().toBER(false)))).toBe('300b06092a864886f70d010101');
      const handle = engine.decrypterKey(coreDecrypter(core, rsa.pkcs8, rsa.spki));
      const out = await again.decrypt(0, { recipientCertificate: recipient(), recipientPrivateKey: handle as CryptoKey }, engine);
      expect(new TextDecoder().decode(out)).toBe('no NULL');
    });
  });

  // --- pkijs SignedData / Certificate through the engine ------------------------------------------

  describe('pkijs signatures', () => {
    test.each([
      ['RSASSA-PKCS1-v1_5', 'SHA-256'],
      ['RSASSA-PKCS1-v1_5', 'SHA-224'],
      ['ECDSA', 'SHA-384'],
    ] as const)('SignedData.sign with a %s/%s key; OpenSSL and pkijs verify', async (name, hash) => {
      const f = name === 'ECDSA' ? ec : rsa;
      const alg = name === 'ECDSA' ? { name, namedCurve: 'P-256' } : { name, hash };
      const key = await engine.importKey('pkcs8', f.pkcs8, alg, false, ['sign']);
      expect(isCoreKey(key)).toBe(coreOnly || hash === 'SHA-224');
      const cert = pkijs.Certificate.fromBER(ab(f.cert));
      const content = utf8(`signed with ${name}`);
      const sd = new pkijs.SignedData({
        version: 1,
        encapContentInfo: new pkijs.EncapsulatedContentInfo({ eContentType: '1.2.840.113549.1.7.1', eContent: new asn1js.OctetString({ valueHex: ab(content) }) }),
        signerInfos: [new pkijs.SignerInfo({ version: 1, sid: new pkijs.IssuerAndSerialNumber({ issuer: cert.issuer, serialNumber: cert.serialNumber }) })],
        certificates: [cert],
      });
      await sd.sign(key, 0, hash, undefined, engine);
      const der = new Uint8Array(new pkijs.ContentInfo({ contentType: '1.2.840.113549.1.7.2', content: sd.toSchema(true) }).toSchema().toBER(false));
      const out = ossl(['cms', '-verify', '-noverify', '-inform', 'DER', '-in', file(der)]);
      expect(new TextDecoder().decode(out)).toBe(`signed with ${name}`);
      const parsed = new pkijs.SignedData({ schema: pkijs.ContentInfo.fromBER(ab(der)).content });
      expect(await parsed.verify({ signer: 0, checkChain: false }, engine)).toBe(true);
    });

    test.each(['md5', 'sha1', 'sha256', 'sha512'])('SignedData.verify of `openssl cms -sign -md %s` (RSA)', async (md) => {
      const content = rnd(64);
      const der = ossl(['cms', '-sign', '-binary', '-nodetach', '-md', md, '-in', file(content), '-signer', rsa.certPem, '-inkey', rsa.keyPem, '-outform', 'DER']);
      const sd = new pkijs.SignedData({ schema: pkijs.ContentInfo.fromBER(ab(der)).content });
      expect(await sd.verify({ signer: 0, checkChain: false }, engine)).toBe(true);
      // a changed signed attribute breaks it
      const bad = der.slice();
      const at = findBytes(bad, Uint8Array.of(0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x09, 0x05)); // signingTime
      bad[at + 16]! ^= 1; // OID (11), SET header (2), UTCTime header (2), then the time
      const sd2 = new pkijs.SignedData({ schema: pkijs.ContentInfo.fromBER(ab(bad)).content });
      expect(await sd2.verify({ signer: 0, checkChain: false }, engine)).toBe(false);
    });

    test('Certificate.verify of self-signed RSA and ECDSA certificates', async () => {
      for (const f of [rsa, ec]) {
        const cert = pkijs.Certificate.fromBER(ab(f.cert));
        expect(await cert.verify(undefined, engine)).toBe(true);
      }
    });
  });

  test('getRandomValues fills the array', () => {
    const a = engine.getRandomValues(new Uint8Array(70_000));
    expect(a.slice(65_536).some((x) => x !== 0)).toBe(true);
    expect(a.slice(0, 64).some((x) => x !== 0)).toBe(true);
  });
});

// ---------------------------------------------------------------------------------------------
// Helpers

const ENGINE_OID_ENVELOPED = '1.2.840.113549.1.7.3';

function popcount(b: number): number {
  let n = 0;
  for (let x = b; x; x >>= 1) n += x & 1;
  return n;
}

function findBytes(hay: Uint8Array, needle: Uint8Array): number {
  outer: for (let i = 0; i + needle.length <= hay.length; i++) {
    for (let j = 0; j < needle.length; j++) if (hay[i + j] !== needle[j]) continue outer;
    return i;
  }
  throw new Error('not found');
}
