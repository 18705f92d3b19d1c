/**
 * The WebCrypto `VerifyFn` (src/pki/verify-webcrypto.ts): certificates OpenSSL signs with every
 * supported algorithm are accepted exactly when `openssl verify -check_ss_sig` accepts them
 * (also after corrupting the signature); unsupported algorithms throw `unsupported`; ECDSA DER
 * signatures are read strictly; random messages agree with node:crypto.
 */
import { createPublicKey, generateKeyPairSync, randomBytes, sign, verify as nodeVerify } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { parseChainCert } from '../../../src/pki/chain/index.ts';
import { ecdsaDerToP1363, webCryptoVerify } from '../../../src/pki/verify-webcrypto.ts';
import { PkiError } from '../../../src/util/errors.ts';
import { OpenSslPki, toPem, type KeyAlg } from './chain-fixtures.ts';

const pki = new OpenSslPki();
afterAll(() => pki.cleanup());

const ext = ['basicConstraints = critical, CA:TRUE', 'keyUsage = keyCertSign'];

/** Runs our verifier over the certificate's own signature. */
async function selfVerify(der: Uint8Array): Promise<boolean> {
  const c = parseChainCert(der);
  const args: Parameters<typeof webCryptoVerify>[0] = { algorithm: c.signatureAlgorithm.oid, spki: c.spki, data: c.tbs, signature: c.signature };
  if (c.signatureAlgorithm.params) args.parameters = c.signatureAlgorithm.params;
  return webCryptoVerify(args);
}

function opensslSelfVerify(name: string, der: Uint8Array): boolean {
  writeFileSync(pki.path(name), toPem(der));
  return pki.opensslVerify(name, [name], [], ['-check_ss_sig', '-auth_level', '0']);
}

/** The certificate with one bit of its signature flipped (the encoding stays valid). */
function corrupt(der: Uint8Array): Uint8Array {
  const out = der.slice();
  const c = parseChainCert(der);
  const sigEnd = out.length; // the signature BIT STRING is last
  const at = sigEnd - Math.max(1, Math.floor(c.signature.length / 3));
  out[at]! ^= 0x01;
  return out;
}

const supported: [string, KeyAlg, string, string[]][] = [
  ['sha1WithRSAEncryption', 'rsa', 'sha1', []],
  ['sha256WithRSAEncryption', 'rsa', 'sha256', []],
  ['sha384WithRSAEncryption', 'rsa', 'sha384', []],
  ['sha512WithRSAEncryption', 'rsa', 'sha512', []],
  ['RSASSA-PSS SHA-256 salt 32', 'rsa', 'sha256', ['rsa_padding_mode:pss', 'rsa_pss_saltlen:32']],
  ['RSASSA-PSS SHA-384 salt 0', 'rsa', 'sha384', ['rsa_padding_mode:pss', 'rsa_pss_saltlen:0']],
  ['RSASSA-PSS SHA-512 max salt', 'rsa', 'sha512', ['rsa_padding_mode:pss', 'rsa_pss_saltlen:max']],
  ['RSASSA-PSS SHA-1 defaults (salt 20)', 'rsa', 'sha1', ['rsa_padding_mode:pss', 'rsa_pss_saltlen:20']],
  ['RSASSA-PSS key (id-RSASSA-PSS SPKI)', 'rsa-pss', 'sha256', ['rsa_padding_mode:pss', 'rsa_pss_saltlen:32']],
  ['ecdsa-with-SHA1 P-256', 'ec', 'sha1', []],
  ['ecdsa-with-SHA256 P-256', 'ec', 'sha256', []],
  ['ecdsa-with-SHA384 P-384', 'ec384', 'sha384', []],
  ['ecdsa-with-SHA512 P-521', 'ec521', 'sha512', []],
  ['ecdsa-with-SHA256 P-521', 'ec521', 'sha256', []],
  ['Ed25519', 'ed25519', 'none', []],
];

describe('webCryptoVerify against openssl verify', () => {
  it.each(supported)('%s', async (name, keyAlg, md, sigopt) => {
    const stem = name.replace(/[^A-Za-z0-9]+/g, '-');
    const der = pki.cert({ name: stem, subject: `/CN=${stem}`, key: `k-${keyAlg}`, keyAlg, md, sigopt, ext });
    expect(opensslSelfVerify(`${stem}-ok`, der)).toBe(true);
    expect(await selfVerify(der)).toBe(true);
    const bad = corrupt(der);
    expect(opensslSelfVerify(`${stem}-bad`, bad)).toBe(false);
    expect(await selfVerify(bad)).toBe(false);
  });

  const unsupported: [string, KeyAlg, string][] = [
    ['sha224WithRSAEncryption', 'rsa', 'sha224'],
    ['md5WithRSAEncryption', 'rsa', 'md5'],
    ['ecdsa-with-SHA224', 'ec', 'sha224'],
  ];
  it.each(unsupported)('%s is reported as unsupported, not as a bad signature', async (name, keyAlg, md) => {
    const der = pki.cert({ name, subject: `/CN=${name}`, key: `k-${keyAlg}`, keyAlg, md, ext });
    const err = await selfVerify(der).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PkiError);
    expect((err as PkiError).code).toBe('unsupported');
    expect((err as PkiError).message).toContain(name);
  });

  it('an EC key on an unsupported curve is unsupported', async () => {
    const { publicKey } = generateKeyPairSync('ec', { namedCurve: 'secp256k1' });
    const spki = new Uint8Array(publicKey.export({ type: 'spki', format: 'der' }));
    await expect(webCryptoVerify({ algorithm: '1.2.840.10045.4.3.2', spki, data: new Uint8Array(1), signature: new Uint8Array(8) })).rejects.toThrow(/curve/);
  });

  it('an unknown signature algorithm is unsupported', async () => {
    const { publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const spki = new Uint8Array(publicKey.export({ type: 'spki', format: 'der' }));
    await expect(webCryptoVerify({ algorithm: '1.2.840.10040.4.3', spki, data: new Uint8Array(1), signature: new Uint8Array(8) })).rejects.toMatchObject({ code: 'unsupported' });
  });
});

describe('webCryptoVerify: bad input is false, never a throw', () => {
  const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const spki = new Uint8Array(ec.publicKey.export({ type: 'spki', format: 'der' }));
  const data = new Uint8Array(randomBytes(100));
  const sigDer = new Uint8Array(sign('sha256', data, ec.privateKey));
  const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const rsaSpki = new Uint8Array(rsa.publicKey.export({ type: 'spki', format: 'der' }));
  const cases: [string, Parameters<typeof webCryptoVerify>[0]][] = [
    ['garbage SPKI', { algorithm: '1.2.840.10045.4.3.2', spki: new Uint8Array([0x30, 0x00]), data, signature: sigDer }],
    ['RSA key for an ECDSA signature', { algorithm: '1.2.840.10045.4.3.2', spki: rsaSpki, data, signature: sigDer }],
    ['EC key for an RSA signature', { algorithm: '1.2.840.113549.1.1.11', spki, data, signature: new Uint8Array(256) }],
    ['ECDSA signature not DER', { algorithm: '1.2.840.10045.4.3.2', spki, data, signature: new Uint8Array(64) }],
    ['ECDSA with parameters', { algorithm: '1.2.840.10045.4.3.2', parameters: new Uint8Array([0x04, 0x00]), spki, data, signature: sigDer }],
    ['PKCS#1 v1.5 with non-NULL parameters', { algorithm: '1.2.840.113549.1.1.11', parameters: new Uint8Array([0x04, 0x00]), spki: rsaSpki, data, signature: new Uint8Array(256) }],
    ['PSS without parameters', { algorithm: '1.2.840.113549.1.1.10', spki: rsaSpki, data, signature: new Uint8Array(256) }],
    ['malformed RSA key (limbo invalid-issuer-key)', { algorithm: '1.2.840.113549.1.1.11', spki: Uint8Array.from([0x30, 0x12, 0x30, 0x0d, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01, 0x05, 0x00, 0x03, 0x01, 0x00]), data, signature: Uint8Array.of(0x30, 0x00) }],
  ];
  it.each(cases)('%s', async (_n, args) => expect(await webCryptoVerify(args)).toBe(false));
  it('accepts the good signature (control)', async () => expect(await webCryptoVerify({ algorithm: '1.2.840.10045.4.3.2', spki, data, signature: sigDer })).toBe(true));
});

describe('ecdsaDerToP1363 (strict DER)', () => {
  const hex = (s: string) => Uint8Array.from(Buffer.from(s.replace(/\s/g, ''), 'hex'));
  const cases: [string, string, string | undefined][] = [
    ['small r and s are left-padded', '3006 020101 020102', '0001 0002'],
    ['positive with 00 pad', '3008 02020080 02020081', '0080 0081'],
    ['non-minimal 00 pad', '3008 02020001 020101', undefined],
    ['negative r', '3006 020181 020101', undefined],
    ['zero s', '3006 020101 020100', undefined],
    ['too long for the curve', '3009 0203010203 020101', undefined],
    ['trailing data', '3007 020101 020101 00', undefined],
    ['indefinite length', '3080 020101 020101 0000', undefined],
  ];
  it.each(cases)('%s', (_n, input, want) => {
    const r = ecdsaDerToP1363(hex(input), 2);
    expect(r === undefined ? undefined : Buffer.from(r).toString('hex')).toBe(want?.replace(/\s/g, ''));
  });
});

describe('differential against node:crypto on random inputs', () => {
  const curves: [string, string, string, string][] = [
    ['P-256', 'sha256', '1.2.840.10045.4.3.2', 'prime256v1'],
    ['P-384', 'sha384', '1.2.840.10045.4.3.3', 'secp384r1'],
    ['P-521', 'sha512', '1.2.840.10045.4.3.4', 'secp521r1'],
  ];
  it.each(curves)('ECDSA %s: 40 messages, half corrupted', async (curve, hash, oid) => {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: curve });
    const spki = new Uint8Array(publicKey.export({ type: 'spki', format: 'der' }));
    for (let i = 0; i < 40; i++) {
      const data = new Uint8Array(randomBytes(1 + (i * 37) % 300));
      const sig = new Uint8Array(sign(hash, data, privateKey));
      if (i % 2) sig[4 + (i % (sig.length - 4))]! ^= 1 << i % 8;
      const node = (() => {
        try {
          return nodeVerify(hash, data, createPublicKey({ key: Buffer.from(spki), format: 'der', type: 'spki' }), sig);
        } catch {
          return false;
        }
      })();
      // node accepts some non-DER encodings OpenSSL tolerates; ours is strict, so only "node says no ⇒ we say no" and valid ⇒ both yes.
      const ours = await webCryptoVerify({ algorithm: oid, spki, data, signature: sig });
      if (i % 2 === 0) expect(ours).toBe(true);
      if (!node) expect(ours).toBe(false);
    }
  });
  it('RSA PKCS#1 v1.5 SHA-256: 20 messages, half corrupted', async () => {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const spki = new Uint8Array(publicKey.export({ type: 'spki', format: 'der' }));
    for (let i = 0; i < 20; i++) {
      const data = new Uint8Array(randomBytes(1 + i * 13));
      const sig = new Uint8Array(sign('sha256', data, privateKey));
      if (i % 2) sig[i * 7]! ^= 0x40;
      expect(await webCryptoVerify({ algorithm: '1.2.840.113549.1.1.11', spki, data, signature: sig })).toBe(nodeVerify('sha256', data, publicKey, sig));
    }
  });
});
