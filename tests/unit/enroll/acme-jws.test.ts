/**
 * JWS for ACME (RFC 8555 §6.2, RFC 7515/7518/7638): base64url, the account key as a JWK (node's
 * own JWK export as the referee), the RFC 7638 thumbprint example, ES256/ES384/RS256 signatures
 * made through the app's WebCrypto Signer and verified by node:crypto, DER → r‖s, and the
 * external account binding MAC (RFC 8555 §7.3.4).
 */
import { createHash, createHmac, createPublicKey, generateKeyPairSync, verify, webcrypto } from 'node:crypto';
import { describe, expect, test } from 'vitest';
import { b64url, b64urlDecode, canonicalJwk, derToP1363, eabJws, jwkFromSpki, jwkThumbprint, jwsSigner, signJws } from '../../../src/enroll/acme/jws.ts';
import { webCryptoSigner } from '../../../src/crypto/webcrypto.ts';

const sha256 = async (d: Uint8Array) => new Uint8Array(createHash('sha256').update(d).digest());
const spkiOf = (k: ReturnType<typeof createPublicKey>) => new Uint8Array(k.export({ type: 'spki', format: 'der' }));

describe('base64url', () => {
  test('matches node for every length mod 3, and decodes back', () => {
    for (let n = 0; n < 40; n++) {
      const b = new Uint8Array(n).map((_, i) => (i * 37 + n) & 255);
      expect(b64url(b)).toBe(Buffer.from(b).toString('base64url'));
      expect(b64urlDecode(b64url(b))).toEqual(b);
    }
  });
  test('refuses what is not base64url', () => {
    expect(() => b64urlDecode('ab$c')).toThrow(/not base64url/);
    expect(() => b64urlDecode('abcde')).toThrow(/not base64url/);
  });
});

describe('JWK of the account key', () => {
  for (const curve of ['P-256', 'P-384'] as const) {
    test(`EC ${curve}: the same JWK node exports`, () => {
      const { publicKey } = generateKeyPairSync('ec', { namedCurve: curve });
      expect(jwkFromSpki(spkiOf(publicKey))).toEqual(publicKey.export({ format: 'jwk' }));
    });
  }
  test('RSA: the same JWK node exports', () => {
    const { publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    expect(jwkFromSpki(spkiOf(publicKey))).toEqual(publicKey.export({ format: 'jwk' }));
  });
  test('RFC 7638 §3.1: the thumbprint of the RFC example key', async () => {
    const n =
      '0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw';
    const key = createPublicKey({ key: { kty: 'RSA', n, e: 'AQAB' }, format: 'jwk' });
    const jwk = jwkFromSpki(spkiOf(key));
    expect(canonicalJwk(jwk)).toBe(`{"e":"AQAB","kty":"RSA","n":"${n}"}`);
    expect(await jwkThumbprint(jwk, sha256)).toBe('NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs');
  });
  test('an unsupported key is refused in words', () => {
    const { publicKey } = generateKeyPairSync('ed25519');
    expect(() => jwkFromSpki(spkiOf(publicKey))).toThrow(/the account key cannot be a JWK/);
  });
});

test('derToP1363 pads short integers and strips DER sign octets', () => {
  // r = 0x00FF.. (33 bytes with sign octet), s = 0x01 (1 byte)
  const r = Uint8Array.of(0x00, ...new Uint8Array(32).fill(0xff));
  const der = Uint8Array.of(0x30, 2 + r.length + 3, 0x02, r.length, ...r, 0x02, 0x01, 0x01);
  const raw = derToP1363(der, 32);
  expect(raw.length).toBe(64);
  expect([...raw.subarray(0, 32)].every((b) => b === 0xff)).toBe(true);
  expect([...raw.subarray(32, 63)].every((b) => b === 0)).toBe(true);
  expect(raw[63]).toBe(1);
});

describe('signed requests', () => {
  const cases = [
    { alg: 'ES256', params: { name: 'ECDSA', namedCurve: 'P-256' } },
    { alg: 'ES384', params: { name: 'ECDSA', namedCurve: 'P-384' } },
    { alg: 'RS256', params: { name: 'RSASSA-PKCS1-v1_5', modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: 'SHA-256' } },
  ] as const;
  for (const c of cases)
    test(`${c.alg}: a flattened JWS node verifies (non-extractable WebCrypto key)`, async () => {
      const pair = (await webcrypto.subtle.generateKey(c.params as never, false, ['sign', 'verify'])) as CryptoKeyPair;
      const s = jwsSigner(await webCryptoSigner(pair));
      expect(s.alg).toBe(c.alg);
      const jws = await signJws(s, { nonce: 'n0nce', url: 'https://acme.example/new-order', kid: 'https://acme.example/acct/1' }, { identifiers: [{ type: 'dns', value: 'a.example' }] });
      const header = JSON.parse(Buffer.from(jws.protected, 'base64url').toString());
      expect(header).toEqual({ alg: c.alg, nonce: 'n0nce', url: 'https://acme.example/new-order', kid: 'https://acme.example/acct/1' });
      expect(JSON.parse(Buffer.from(jws.payload, 'base64url').toString())).toEqual({ identifiers: [{ type: 'dns', value: 'a.example' }] });
      const key = createPublicKey({ key: s.jwk as never, format: 'jwk' });
      const ok = verify(c.alg === 'RS256' ? 'sha256' : c.alg === 'ES256' ? 'sha256' : 'sha384', Buffer.from(`${jws.protected}.${jws.payload}`), { key, ...(c.alg !== 'RS256' ? { dsaEncoding: 'ieee-p1363' as const } : {}) }, Buffer.from(jws.signature, 'base64url'));
      expect(ok).toBe(true);
    });
  test('POST-as-GET has an empty payload', async () => {
    const pair = (await webcrypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, false, ['sign', 'verify'])) as CryptoKeyPair;
    const jws = await signJws(jwsSigner(await webCryptoSigner(pair)), { nonce: 'x', url: 'u', kid: 'k' }, '');
    expect(jws.payload).toBe('');
  });
});

test('external account binding: HS256 over the account JWK with the CA key, kid and url protected', async () => {
  const { publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const jwk = jwkFromSpki(spkiOf(publicKey));
  const key = 'zWNDZM6eQGHWpSRTPal5eIUYFTu7EajVIoguysqZ9wG44nMEtx3MUAsUDkMTQ12W';
  const hmac = async (k: Uint8Array, d: Uint8Array) => new Uint8Array(createHmac('sha256', k).update(d).digest());
  const e = await eabJws(hmac, 'kid-1', key, jwk, 'https://acme.example/new-acct');
  expect(JSON.parse(Buffer.from(e.protected, 'base64url').toString())).toEqual({ alg: 'HS256', kid: 'kid-1', url: 'https://acme.example/new-acct' });
  expect(JSON.parse(Buffer.from(e.payload, 'base64url').toString())).toEqual(jwk);
  const want = createHmac('sha256', Buffer.from(key, 'base64url')).update(`${e.protected}.${e.payload}`).digest('base64url');
  expect(e.signature).toBe(want);
});
