/**
 * src/pki/envelope.ts (CMS EnvelopedData / SignedData for SCEP) refereed by OpenSSL 3, with the
 * engine in both modes (WebCrypto present; `subtle: null` with WebCrypto booby-trapped) and
 * the debug and release core:
 * - `envelope` with AES-128/192/256, 3DES and DES opens with `openssl cms -decrypt`; the DER is
 *   strict, versions 0, KTRI keyEncryptionAlgorithm exactly rsaEncryption + NULL, IV sizes;
 * - `openEnvelope` opens what `openssl cms -encrypt` makes (3DES, DES, AES, RC2), our own
 *   messages (several recipients), rsaEncryption without NULL; refuses OAEP, a foreign
 *   certificate, a mismatched key, and fails alike for a bad key transport and bad padding;
 * - `signData` (RSA and ECDSA, rsaEncryption and sha*WithRSAEncryption, SCEP attributes)
 *   verifies with `openssl cms -verify`, which prints the signed attributes in our (DER) order;
 * - `verifySignedData` accepts ours and OpenSSL's (with and without signed attributes, without
 *   certificates given `trusted`) and rejects tampered attributes, content and signatures.
 */
import { spawnSync } from 'node:child_process';
import * as pkijs from 'pkijs';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { CoreApi, HashAlg } from '../../../src/core/api.ts';
import { coreDecrypter, coreSigner } from '../../../src/crypto/core-keys.ts';
import type { Signer } from '../../../src/crypto/types.ts';
import { webCryptoSigner } from '../../../src/crypto/webcrypto.ts';
import { createPkiEngine, type PkiEngine } from '../../../src/pki/engine.ts';
import { envelope, openEnvelope, signData, verifySignedData, type CmsSignatureAlgorithm, type EnvelopeCipher } from '../../../src/pki/envelope.ts';
import { makeVerify } from '../../../src/pki/verify-core.ts';
import { PkiError } from '../../../src/util/errors.ts';
import { LEGACY, hex, loadCore, openReferee, rnd, text, trapWebCrypto, utf8, type Fixture, addPkcs1Recipient } from './_cms-referee.ts';
import { BER, DER, derCheck, derChildren, type Tlv, readTlv } from '../../../src/pki/der.ts';

// OpenSSL, the referee (and the core loader, WebCrypto trap): ./_cms-referee.ts
const referee = openReferee('envelope-test-', 'Envelope Test');
afterAll(() => referee.close());
const { file, ossl, makeFixture } = referee;

let rsa: Fixture;
let rsa2: Fixture;
let ec: Fixture;
beforeAll(() => {
  rsa = makeFixture(['-newkey', 'rsa:2048'], 'rsa');
  rsa2 = makeFixture(['-newkey', 'rsa:3072'], 'rsa2');
  ec = makeFixture(['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256'], 'ec');
});

/** The children of the element at `path` (indices into successive child lists). */
function walk(der: Uint8Array, ...path: number[]): Tlv {
  let t = readTlv(der, 0, der.length, BER);
  for (const i of path) t = derChildren(der, t, BER)[i]!;
  return t;
}
const bytesOf = (der: Uint8Array, t: Tlv): Uint8Array => der.subarray(t.start, t.end);
const contentsOf = (der: Uint8Array, t: Tlv): Uint8Array => der.subarray(t.contentStart, t.contentEnd);

/** ascending order of encodings (X.690 §11.6) */
function sortedDer(items: Uint8Array[]): boolean {
  for (let i = 1; i < items.length; i++) if (Buffer.compare(Buffer.from(items[i - 1]!), Buffer.from(items[i]!)) > 0) return false;
  return true;
}

const SCEP = {
  messageType: '2.16.840.1.113733.1.9.2',
  pkiStatus: '2.16.840.1.113733.1.9.3',
  senderNonce: '2.16.840.1.113733.1.9.5',
  transactionID: '2.16.840.1.113733.1.9.7',
};
const printable = (s: string): Uint8Array => DER.tlv(0x13, utf8(s));

// ---------------------------------------------------------------------------------------------

const cases = [false, true].flatMap((release) =>
  (['webcrypto', 'core only'] as const).map((mode) => ({ name: `${release ? 'release' : 'debug'} core, ${mode}`, release, coreOnly: mode === 'core only' })),
);

describe.each(cases)('$name', ({ release, coreOnly }) => {
  let core: CoreApi;
  let engine: PkiEngine;
  let untrap = (): void => {};
  let rsaSigner: Signer;
  let ecSigner: Signer;
  const verify = makeVerify(async () => core);

  beforeAll(async () => {
    core = await loadCore(release);
    engine = createPkiEngine(core, coreOnly ? { subtle: null } : { subtle: crypto.subtle });
    if (coreOnly) {
      rsaSigner = coreSigner(core, rsa.pkcs8, rsa.spki, { kind: 'rsa', bits: 2048 });
      ecSigner = coreSigner(core, ec.pkcs8, ec.spki, { kind: 'ec', curve: 'P-256' });
      untrap = trapWebCrypto();
    } else {
      const s = crypto.subtle;
      const rsaAlg = { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' };
      rsaSigner = await webCryptoSigner({ privateKey: await s.importKey('pkcs8', rsa.pkcs8 as Uint8Array<ArrayBuffer>, rsaAlg, false, ['sign']), publicKey: await s.importKey('spki', rsa.spki as Uint8Array<ArrayBuffer>, rsaAlg, true, ['verify']) });
      const ecAlg = { name: 'ECDSA', namedCurve: 'P-256' };
      ecSigner = await webCryptoSigner({ privateKey: await s.importKey('pkcs8', ec.pkcs8 as Uint8Array<ArrayBuffer>, ecAlg, false, ['sign']), publicKey: await s.importKey('spki', ec.spki as Uint8Array<ArrayBuffer>, ecAlg, true, ['verify']) });
    }
  });
  afterAll(() => untrap());

  test(coreOnly ? 'WebCrypto is booby-trapped' : 'WebCrypto is there', async () => {
    if (coreOnly) expect(() => crypto.subtle.digest('SHA-256', new Uint8Array(1))).toThrow(/core-only mode/);
    else await expect(crypto.subtle.digest('SHA-256', new Uint8Array(1))).resolves.toBeInstanceOf(ArrayBuffer);
  });

  const decrypter = (f: Fixture) => coreDecrypter(core, f.pkcs8, f.spki);

  // --- envelope ---------------------------------------------------------------------------------

  describe('envelope', () => {
    const ciphers: { cipher: EnvelopeCipher; oid: string; iv: number; legacy: boolean }[] = [
      { cipher: 'AES-128-CBC', oid: '2.16.840.1.101.3.4.1.2', iv: 16, legacy: false },
      { cipher: 'AES-192-CBC', oid: '2.16.840.1.101.3.4.1.22', iv: 16, legacy: false },
      { cipher: 'AES-256-CBC', oid: '2.16.840.1.101.3.4.1.42', iv: 16, legacy: false },
      { cipher: 'DES-EDE3-CBC', oid: '1.2.840.113549.3.7', iv: 8, legacy: false },
      { cipher: 'DES-CBC', oid: '1.3.14.3.2.7', iv: 8, legacy: true },
    ];

    test.each(ciphers)('$cipher: OpenSSL decrypts; strict DER with the SCEP profile', async ({ cipher, oid, iv, legacy }) => {
      for (const n of [0, 1, 16, 1000]) {
        const content = rnd(n);
        const der = await envelope(content, [rsa.cert], cipher, engine);
        derCheck(der);
        const out = ossl(['cms', '-decrypt', ...(legacy ? LEGACY : []), '-inform', 'DER', '-in', file(der), '-inkey', rsa.keyPem, '-recip', rsa.certPem]);
        expect(hex(out)).toBe(hex(content));
        // ContentInfo { envelopedData, [0] EnvelopedData { version 0, SET { KTRI }, EncryptedContentInfo } }
        expect(hex(bytesOf(der, walk(der, 0)))).toBe('06092a864886f70d010703');
        expect(hex(bytesOf(der, walk(der, 1, 0, 0)))).toBe('020100');
        const ktri = walk(der, 1, 0, 1, 0);
        expect(hex(bytesOf(der, walk(der, 1, 0, 1, 0, 0)))).toBe('020100');
        expect(walk(der, 1, 0, 1, 0, 1).tag).toBe(0x30); // issuerAndSerialNumber
        expect(hex(bytesOf(der, walk(der, 1, 0, 1, 0, 2)))).toBe('300d06092a864886f70d0101010500');
        expect(contentsOf(der, walk(der, 1, 0, 1, 0, 3))).toHaveLength(256);
        expect(derChildren(der, ktri, BER)).toHaveLength(4);
        const alg = walk(der, 1, 0, 2, 1);
        expect(hex(bytesOf(der, derChildren(der, alg, BER)[0]!))).toBe(hex(DER.oid(oid)));
        expect(contentsOf(der, derChildren(der, alg, BER)[1]!)).toHaveLength(iv);
        expect(walk(der, 1, 0, 2, 2).tag).toBe(0x80); // [0] IMPLICIT OCTET STRING, primitive
      }
    });

    test('the issuerAndSerialNumber is the certificate\'s, byte for byte', async () => {
      const der = await envelope(utf8('x'), [rsa.cert], 'AES-128-CBC', engine);
      const tbs = walk(rsa.cert, 0);
      const f = derChildren(rsa.cert, tbs, BER);
      const want = DER.seq(bytesOf(rsa.cert, f[3]!), bytesOf(rsa.cert, f[1]!));
      expect(hex(bytesOf(der, walk(der, 1, 0, 1, 0, 1)))).toBe(hex(want));
    });

    test('two recipients: each can decrypt (OpenSSL and ours), recipient SET in DER order', async () => {
      const content = utf8('for both of you');
      const der = await envelope(content, [rsa.cert, rsa2.cert], 'DES-EDE3-CBC', engine);
      const set = walk(der, 1, 0, 1);
      const ktris = derChildren(der, set, BER).map((t) => bytesOf(der, t));
      expect(ktris).toHaveLength(2);
      expect(sortedDer(ktris)).toBe(true);
      for (const f of [rsa, rsa2]) {
        expect(text(ossl(['cms', '-decrypt', '-inform', 'DER', '-in', file(der), '-inkey', f.keyPem, '-recip', f.certPem]))).toBe('for both of you');
        expect(text(await openEnvelope(der, { recipientCert: f.cert, decrypter: decrypter(f) }, engine))).toBe('for both of you');
      }
    });

    test('refuses non-RSA recipients, unknown ciphers, no recipients', async () => {
      await expect(envelope(utf8('x'), [ec.cert], 'AES-128-CBC', engine)).rejects.toMatchObject({ code: 'unsupported' });
      await expect(envelope(utf8('x'), [rsa.cert], 'AES-128-GCM' as EnvelopeCipher, engine)).rejects.toThrow(RangeError);
      await expect(envelope(utf8('x'), [], 'AES-128-CBC', engine)).rejects.toThrow(RangeError);
      await expect(envelope(utf8('x'), [rnd(40)], 'AES-128-CBC', engine)).rejects.toMatchObject({ code: 'bad-certificate' });
    });
  });

  // --- openEnvelope -----------------------------------------------------------------------------

  describe('openEnvelope', () => {
    test.each([
      ['des3', false],
      ['des', true],
      ['aes128', false],
      ['aes192', false],
      ['aes256', false],
      ['rc2-40-cbc', true],
      ['rc2-cbc', true],
    ])('opens `openssl cms -encrypt -%s -keyopt rsa_padding_mode:pkcs1`', async (cipher, legacy) => {
      for (const n of [0, 5, 64]) {
        const content = rnd(n);
        const der = ossl(['cms', '-encrypt', '-binary', ...(legacy ? LEGACY : []), `-${cipher}`, '-in', file(content), '-outform', 'DER', '-recip', rsa.certPem, '-keyopt', 'rsa_padding_mode:pkcs1']);
        expect(hex(await openEnvelope(der, { recipientCert: rsa.cert, decrypter: decrypter(rsa) }, engine))).toBe(hex(content));
      }
    });

    test('finds the recipient by subjectKeyIdentifier (`openssl cms -encrypt -keyid`, KTRI v2)', async () => {
      const der = ossl(['cms', '-encrypt', '-binary', '-keyid', '-aes128', '-in', file(utf8('by key id')), '-outform', 'DER', '-recip', rsa.certPem]);
      expect(hex(bytesOf(der, walk(der, 1, 0, 1, 0, 0)))).toBe('020102');
      expect(text(await openEnvelope(der, { recipientCert: rsa.cert, decrypter: decrypter(rsa) }, engine))).toBe('by key id');
      await expect(openEnvelope(der, { recipientCert: rsa2.cert, decrypter: decrypter(rsa2) }, engine)).rejects.toMatchObject({ code: 'bad-pkcs7' });
    });

    test('opens indefinite-length BER (`openssl cms -encrypt -stream`)', async () => {
      const content = rnd(3000);
      const der = ossl(['cms', '-encrypt', '-binary', '-stream', '-aes128', '-in', file(content), '-outform', 'DER', '-recip', rsa.certPem]);
      expect(der[1]).toBe(0x80); // indefinite length
      expect(hex(await openEnvelope(der, { recipientCert: rsa.cert, decrypter: decrypter(rsa) }, engine))).toBe(hex(content));
    });

    test('round trip for every cipher', async () => {
      for (const cipher of ['AES-128-CBC', 'AES-192-CBC', 'AES-256-CBC', 'DES-EDE3-CBC', 'DES-CBC'] as const) {
        const content = rnd(50);
        const der = await envelope(content, [rsa.cert], cipher, engine);
        expect(hex(await openEnvelope(der, { recipientCert: rsa.cert, decrypter: decrypter(rsa) }, engine))).toBe(hex(content));
      }
    });

    test('rsaEncryption without parameters is accepted', async () => {
      const env = new pkijs.EnvelopedData();
      addPkcs1Recipient(env, pkijs.Certificate.fromBER(rsa.cert.slice().buffer));
      delete (env.recipientInfos[0]!.value as pkijs.KeyTransRecipientInfo).keyEncryptionAlgorithm.algorithmParams;
      await env.encrypt({ name: 'AES-CBC', length: 128 } as AesKeyAlgorithm, utf8('no NULL').buffer as ArrayBuffer, engine);
      const der = new Uint8Array(new pkijs.ContentInfo({ contentType: '1.2.840.113549.1.7.3', content: env.toSchema() }).toSchema().toBER(false));
      expect(hex(der)).toContain('300b06092a864886f70d0101010482'); // AlgorithmIdentifier without NULL, then the encryptedKey
      expect(text(await openEnvelope(der, { recipientCert: rsa.cert, decrypter: decrypter(rsa) }, engine))).toBe('no NULL');
    });

    test('refuses RSA-OAEP key transport, a foreign certificate, a mismatched decrypter, other content', async () => {
      const oaep = ossl(['cms', '-encrypt', '-binary', '-aes128', '-in', file(utf8('x')), '-outform', 'DER', '-recip', rsa.certPem, '-keyopt', 'rsa_padding_mode:oaep']);
      await expect(openEnvelope(oaep, { recipientCert: rsa.cert, decrypter: decrypter(rsa) }, engine)).rejects.toMatchObject({ code: 'unsupported' });
      const der = await envelope(utf8('x'), [rsa.cert], 'AES-128-CBC', engine);
      await expect(openEnvelope(der, { recipientCert: rsa2.cert, decrypter: decrypter(rsa2) }, engine)).rejects.toMatchObject({ code: 'bad-pkcs7', message: expect.stringMatching(/no KeyTransRecipientInfo/) });
      await expect(openEnvelope(der, { recipientCert: rsa.cert, decrypter: decrypter(rsa2) }, engine)).rejects.toMatchObject({ code: 'key' });
      const signed = ossl(['cms', '-sign', '-binary', '-nodetach', '-in', file(utf8('x')), '-signer', rsa.certPem, '-inkey', rsa.keyPem, '-outform', 'DER']);
      await expect(openEnvelope(signed, { recipientCert: rsa.cert, decrypter: decrypter(rsa) }, engine)).rejects.toMatchObject({ code: 'bad-pkcs7' });
      await expect(openEnvelope(der.subarray(0, der.length - 1), { recipientCert: rsa.cert, decrypter: decrypter(rsa) }, engine)).rejects.toMatchObject({ code: 'bad-pkcs7' });
    });

    test('a damaged key transport and damaged content fail with one and the same error', async () => {
      const der = await envelope(rnd(40), [rsa.cert], 'DES-EDE3-CBC', engine);
      const ek = walk(der, 1, 0, 1, 0, 3);
      const badKey = der.slice();
      badKey[ek.contentStart + 100]! ^= 0x01;
      const badContent = der.slice();
      badContent[der.length - 1]! ^= 0x01;
      const errors: unknown[] = [];
      for (const d of [badKey, badContent]) {
        try {
          await openEnvelope(d, { recipientCert: rsa.cert, decrypter: decrypter(rsa) }, engine);
          errors.push(null);
        } catch (e) {
          errors.push(e);
        }
      }
      for (const e of errors) expect(e).toMatchObject({ code: 'decrypt', message: 'cms.openEnvelope: decryption failed' });
    });

    test('key-holder failures and cancellation are not masked as decryption failures', async () => {
      const der = await envelope(rnd(40), [rsa.cert], 'AES-128-CBC', engine);
      const failing = (e: unknown) => ({ spki: rsa.spki, decryptPkcs1: () => Promise.reject(e) });
      await expect(openEnvelope(der, { recipientCert: rsa.cert, decrypter: failing(new PkiError('pin', 'token: PIN blocked')) }, engine)).rejects.toMatchObject({ code: 'pin' });
      await expect(openEnvelope(der, { recipientCert: rsa.cert, decrypter: failing(new DOMException('stop', 'AbortError')) }, engine)).rejects.toMatchObject({ name: 'AbortError' });
      await expect(openEnvelope(der, { recipientCert: rsa.cert, decrypter: failing(new PkiError('decrypt', 'token: bad padding')) }, engine)).rejects.toMatchObject({ message: 'cms.openEnvelope: decryption failed' });
    });
  });

  // --- signData -----------------------------------------------------------------------------------

  describe('signData', () => {
    const scepAttributes = () => [
      { oid: SCEP.transactionID, values: [printable('0123456789ABCDEF0123456789ABCDEF01234567')] },
      { oid: SCEP.messageType, values: [printable('19')] },
      { oid: SCEP.senderNonce, values: [DER.tlv(0x04, rnd(16))] },
    ];

    const table: { name: string; signer: () => Signer; f: () => Fixture; digest: HashAlg; alg?: CmsSignatureAlgorithm; algOid: string }[] = [
      { name: 'RSA, SHA-256, default algorithm', signer: () => rsaSigner, f: () => rsa, digest: 'SHA-256', algOid: '1.2.840.113549.1.1.11' },
      { name: 'RSA, SHA-256, rsaEncryption', signer: () => rsaSigner, f: () => rsa, digest: 'SHA-256', alg: 'rsaEncryption', algOid: '1.2.840.113549.1.1.1' },
      { name: 'ECDSA P-256, SHA-256', signer: () => ecSigner, f: () => ec, digest: 'SHA-256', algOid: '1.2.840.10045.4.3.2' },
      { name: 'ECDSA P-256, SHA-384', signer: () => ecSigner, f: () => ec, digest: 'SHA-384', alg: 'ecdsa-with-SHA384', algOid: '1.2.840.10045.4.3.3' },
    ];

    test.each(table)('$name: OpenSSL verifies and prints the attributes in DER order', async (t) => {
      const content = rnd(300);
      const der = await signData(
        { content, signer: t.signer(), signerCert: t.f().cert, digest: t.digest, ...(t.alg ? { signatureAlgorithm: t.alg } : {}), signedAttributes: scepAttributes(), signingTime: new Date('2026-01-02T03:04:05Z') },
        engine,
      );
      derCheck(der);
      const out = ossl(['cms', '-verify', '-noverify', '-binary', '-inform', 'DER', '-in', file(der)]);
      expect(hex(out)).toBe(hex(content));
      // SignerInfo: version 1, sid, digestAlgorithm, [0] signedAttrs, signatureAlgorithm, signature
      const si = walk(der, 1, 0, 4, 0);
      const [version, , , attrs, sigAlg] = derChildren(der, si, BER);
      expect(hex(bytesOf(der, version!))).toBe('020101');
      expect(attrs!.tag).toBe(0xa0);
      expect(hex(bytesOf(der, derChildren(der, sigAlg!, BER)[0]!))).toBe(hex(DER.oid(t.algOid)));
      const attrList = derChildren(der, attrs!, BER).map((a) => bytesOf(der, a));
      expect(attrList).toHaveLength(6);
      expect(sortedDer(attrList)).toBe(true);
      const ours = derChildren(der, attrs!, BER).map((a) => hex(bytesOf(der, derChildren(der, a, BER)[0]!)));
      const printed = opensslAttributeOids(der).map((o) => hex(DER.oid(o)));
      expect(printed).toEqual(ours);
      // SignedData version 1 (id-data, issuerAndSerialNumber)
      expect(hex(bytesOf(der, walk(der, 1, 0, 0)))).toBe('020101');
      // and our verifier agrees
      const v = await verifySignedData(der, { verify }, engine);
      expect(hex(v.content)).toBe(hex(content));
      expect(hex(v.signerCert)).toBe(hex(t.f().cert));
      expect(v.signedAttributes.map((a) => a.oid).sort()).toEqual(['1.2.840.113549.1.9.3', '1.2.840.113549.1.9.4', '1.2.840.113549.1.9.5', SCEP.messageType, SCEP.senderNonce, SCEP.transactionID].sort());
    });

    test('the attribute order is by encoding, not by input order or OID', async () => {
      // a long value sorts after short ones although its OID is smaller
      const der = await signData(
        {
          content: utf8('order'),
          signer: rsaSigner,
          signerCert: rsa.cert,
          digest: 'SHA-256',
          signedAttributes: [
            { oid: SCEP.messageType, values: [printable('19')] },
            { oid: '1.2.3.4', values: [DER.tlv(0x04, new Uint8Array(200))] },
          ],
        },
        engine,
      );
      const attrs = walk(der, 1, 0, 4, 0, 3);
      const oids = derChildren(der, attrs, BER).map((a) => hex(contentsOf(der, derChildren(der, a, BER)[0]!)));
      // the SEQUENCE length octet decides first: messageType 30 12, contentType 30 18,
      // messageDigest 30 2f, then the long one 30 81 d5 (its OID 1.2.3.4 is the smallest)
      expect(oids).toEqual([DER.oid(SCEP.messageType), DER.oid('1.2.840.113549.1.9.3'), DER.oid('1.2.840.113549.1.9.4'), DER.oid('1.2.3.4')].map((o) => hex(o.subarray(2))));
      expect(text(ossl(['cms', '-verify', '-noverify', '-inform', 'DER', '-in', file(der)]))).toBe('order');
    });

    test('an eContentType other than id-data gives version 3', async () => {
      const der = await signData({ content: utf8('x'), contentType: '1.2.840.113549.1.7.3', signer: rsaSigner, signerCert: rsa.cert, digest: 'SHA-256' }, engine);
      expect(hex(bytesOf(der, walk(der, 1, 0, 0)))).toBe('020103');
      const v = await verifySignedData(der, { verify }, engine);
      expect(v.contentType).toBe('1.2.840.113549.1.7.3');
    });

    test('misuse: wrong key kind, hash mismatch, duplicate contentType, signer/certificate mismatch', async () => {
      const base = { content: utf8('x'), signer: rsaSigner, signerCert: rsa.cert, digest: 'SHA-256' as HashAlg };
      await expect(signData({ ...base, signatureAlgorithm: 'ecdsa-with-SHA256' }, engine)).rejects.toThrow(RangeError);
      await expect(signData({ ...base, signatureAlgorithm: 'sha1WithRSAEncryption' }, engine)).rejects.toThrow(RangeError);
      await expect(signData({ ...base, signedAttributes: [{ oid: '1.2.840.113549.1.9.3', values: [DER.oid('1.2.3')] }] }, engine)).rejects.toThrow(RangeError);
      await expect(signData({ ...base, signerCert: rsa2.cert }, engine)).rejects.toMatchObject({ code: 'key' });
    });
  });

  // --- verifySignedData ---------------------------------------------------------------------------

  describe('verifySignedData', () => {
    test.each([
      ['RSA, sha256', () => rsa, ['-md', 'sha256']],
      ['RSA, sha1', () => rsa, ['-md', 'sha1']],
      ['RSA, md5', () => rsa, ['-md', 'md5']],
      ['ECDSA, sha256', () => ec, ['-md', 'sha256']],
      ['RSA, no signed attributes', () => rsa, ['-md', 'sha256', '-noattr']],
      ['RSA, PSS', () => rsa, ['-md', 'sha256', '-keyopt', 'rsa_padding_mode:pss']],
      ['RSA, sid subjectKeyIdentifier', () => rsa, ['-md', 'sha256', '-keyid']],
      ['ECDSA, sid subjectKeyIdentifier, no certificates', () => ec, ['-md', 'sha256', '-keyid', '-nocerts']],
    ] as const)('verifies `openssl cms -sign` (%s)', async (_, f, args) => {
      const content = rnd(200);
      const der = ossl(['cms', '-sign', '-binary', '-nodetach', '-in', file(content), '-signer', f().certPem, '-inkey', f().keyPem, ...args, '-outform', 'DER']);
      const v = await verifySignedData(der, { verify, ...((args as readonly string[]).includes('-nocerts') ? { trusted: [rsa.cert, f().cert] } : {}) }, engine);
      expect(hex(v.content)).toBe(hex(content));
      expect(hex(v.signerCert)).toBe(hex(f().cert));
      if ((args as readonly string[]).includes('-noattr')) expect(v.signedAttributes).toEqual([]);
      else expect(v.signedAttributes.map((a) => a.oid)).toContain('1.2.840.113549.1.9.4');
    });

    test('a message without certificates verifies with the signer among `trusted`', async () => {
      const der = ossl(['cms', '-sign', '-binary', '-nodetach', '-nocerts', '-md', 'sha256', '-in', file(utf8('no certs')), '-signer', rsa.certPem, '-inkey', rsa.keyPem, '-outform', 'DER']);
      await expect(verifySignedData(der, { verify }, engine)).rejects.toMatchObject({ code: 'bad-pkcs7' });
      const v = await verifySignedData(der, { verify, trusted: [rsa2.cert, rsa.cert] }, engine);
      expect(text(v.content)).toBe('no certs');
    });

    test('`trusted` not containing the signer is refused', async () => {
      const der = await signData({ content: utf8('x'), signer: rsaSigner, signerCert: rsa.cert, digest: 'SHA-256' }, engine);
      await expect(verifySignedData(der, { verify, trusted: [rsa2.cert] }, engine)).rejects.toMatchObject({ code: 'untrusted' });
      await expect(verifySignedData(der, { verify, trusted: [rsa.cert] }, engine)).resolves.toMatchObject({ contentType: '1.2.840.113549.1.7.1' });
    });

    test('tampered attribute, content or signature is rejected (ours and OpenSSL agree)', async () => {
      const nonce = rnd(16);
      const content = utf8('original content');
      const der = await signData({ content, signer: rsaSigner, signerCert: rsa.cert, digest: 'SHA-256', signedAttributes: [{ oid: SCEP.senderNonce, values: [DER.tlv(0x04, nonce)] }] }, engine);
      const tamper = (needle: Uint8Array, delta: number): Uint8Array => {
        const d = der.slice();
        d[Buffer.from(d).indexOf(Buffer.from(needle)) + delta]! ^= 0x01;
        return d;
      };
      const badAttr = tamper(nonce, 3);
      const badContent = tamper(content, 0);
      const si = walk(der, 1, 0, 4, 0);
      const sigT = derChildren(der, si, BER)[5]!;
      const badSig = der.slice();
      badSig[sigT.contentStart + 7]! ^= 0x01;
      for (const [bad, why] of [
        [badAttr, /signature does not verify/],
        [badContent, /message digest does not match/],
        [badSig, /signature does not verify/],
      ] as const) {
        await expect(verifySignedData(bad, { verify }, engine)).rejects.toMatchObject({ code: 'bad-signature', message: expect.stringMatching(why) });
        expect(spawnSync('openssl', ['cms', '-verify', '-noverify', '-inform', 'DER', '-in', file(bad)]).status).not.toBe(0);
      }
      await expect(verifySignedData(der, { verify }, engine)).resolves.toBeTruthy();
    });

    test('not a SignedData / garbage', async () => {
      const env = await envelope(utf8('x'), [rsa.cert], 'AES-128-CBC', engine);
      await expect(verifySignedData(env, { verify }, engine)).rejects.toMatchObject({ code: 'bad-pkcs7' });
      await expect(verifySignedData(rnd(50), { verify }, engine)).rejects.toMatchObject({ code: 'bad-pkcs7' });
    });
  });
});

/** The signed attribute OIDs in the order `openssl cms -cmsout -print` shows them. */
function opensslAttributeOids(der: Uint8Array): string[] {
  const out = text(ossl(['cms', '-cmsout', '-print', '-inform', 'DER', '-in', file(der)]));
  const block = out.slice(out.indexOf('signedAttrs:'), out.indexOf('signatureAlgorithm:', out.indexOf('signedAttrs:')));
  return [...block.matchAll(/^\s+object: .*\(([\d.]+)\)$/gm)].map((m) => m[1]!);
}
