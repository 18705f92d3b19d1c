/**
 * RSA suites: key generation (core vs WebCrypto), the private operation (PKCS#1 v1.5 sign and
 * decrypt) and verification, against WebCrypto, node-forge and a plain-JS BigInt CRT.
 * One extractable WebCrypto key per size is the common key (exported as PKCS#8 for the core
 * and forge, as JWK for the BigInt code).
 */
import forge from 'node-forge';
import type { BenchCtx, Suite } from './bench.ts';

const msg = new TextEncoder().encode('certificate request to be signed: CN=kiosk7.example.com');

interface Keys {
  pair: CryptoKeyPair;
  oaep: CryptoKeyPair;
  pkcs8: Uint8Array;
  spki: Uint8Array;
  jwk: JsonWebKey;
}

const cache = new Map<number, Promise<Keys>>();

function keys(subtle: SubtleCrypto, bits: number): Promise<Keys> {
  let p = cache.get(bits);
  if (!p) {
    p = (async () => {
      const pair = (await subtle.generateKey({ name: 'RSASSA-PKCS1-v1_5', modulusLength: bits, publicExponent: new Uint8Array([1, 0, 1]), hash: 'SHA-256' }, true, ['sign', 'verify'])) as CryptoKeyPair;
      const pkcs8 = new Uint8Array(await subtle.exportKey('pkcs8', pair.privateKey));
      const spki = new Uint8Array(await subtle.exportKey('spki', pair.publicKey));
      const jwk = await subtle.exportKey('jwk', pair.privateKey);
      const oaepPriv = await subtle.importKey('pkcs8', pkcs8, { name: 'RSA-OAEP', hash: 'SHA-256' }, false, ['decrypt']);
      const oaepPub = await subtle.importKey('spki', spki, { name: 'RSA-OAEP', hash: 'SHA-256' }, false, ['encrypt']);
      return { pair, oaep: { privateKey: oaepPriv, publicKey: oaepPub }, pkcs8, spki, jwk };
    })();
    cache.set(bits, p);
  }
  return p;
}

const b64u = (s: string): bigint => {
  const bin = atob(s.replace(/-/g, '+').replace(/_/g, '/') + '==='.slice((s.length + 3) % 4));
  let x = 0n;
  for (let i = 0; i < bin.length; i++) x = (x << 8n) | BigInt(bin.charCodeAt(i));
  return x;
};

function modPow(b: bigint, e: bigint, m: bigint): bigint {
  let r = 1n;
  b %= m;
  while (e > 0n) {
    if (e & 1n) r = (r * b) % m;
    b = (b * b) % m;
    e >>= 1n;
  }
  return r;
}

/** Plain-JS RSA private operation with CRT (the "JS BigInt" baseline of the issue). */
function bigintPrivate(jwk: JsonWebKey) {
  const [p, q, dp, dq, qi, n] = [jwk.p!, jwk.q!, jwk.dp!, jwk.dq!, jwk.qi!, jwk.n!].map(b64u) as [bigint, bigint, bigint, bigint, bigint, bigint];
  const x = (n >> 2n) | 1n;
  return () => {
    const m1 = modPow(x % p, dp, p);
    const m2 = modPow(x % q, dq, q);
    const h = (qi * ((m1 - m2 + p) % p)) % p;
    return m2 + h * q;
  };
}

function forgeKey(pkcs8: Uint8Array) {
  const der = forge.util.createBuffer(String.fromCharCode(...pkcs8));
  return forge.pki.privateKeyFromAsn1(forge.asn1.fromDer(der)) as forge.pki.rsa.PrivateKey;
}

function signSuite(bits: number): Suite {
  return {
    op: `RSA-${bits} sign`,
    impls: [
      {
        impl: 'core',
        setup: async ({ core, subtle }: BenchCtx) => {
          const k = await keys(subtle, bits);
          return () => core.rsaSignPkcs1(k.pkcs8, 'SHA-256', msg);
        },
      },
      {
        impl: 'webcrypto',
        setup: async ({ subtle }: BenchCtx) => {
          const k = await keys(subtle, bits);
          return () => subtle.sign('RSASSA-PKCS1-v1_5', k.pair.privateKey, msg);
        },
      },
      {
        impl: 'JS BigInt',
        setup: async ({ subtle }: BenchCtx) => bigintPrivate((await keys(subtle, bits)).jwk),
      },
      {
        impl: 'node-forge',
        setup: async ({ subtle }: BenchCtx) => {
          const key = forgeKey((await keys(subtle, bits)).pkcs8);
          return () => {
            const md = forge.md.sha256.create();
            md.update(String.fromCharCode(...msg));
            return key.sign(md);
          };
        },
      },
    ],
    minMs: 2000,
  };
}

function decryptSuite(bits: number): Suite {
  return {
    op: `RSA-${bits} PKCS#1 v1.5 decrypt`,
    impls: [
      {
        impl: 'core',
        setup: async ({ core, subtle }: BenchCtx) => {
          const k = await keys(subtle, bits);
          const ct = core.rsaEncryptPkcs1(k.spki, new Uint8Array(24).fill(7));
          return () => core.rsaDecryptPkcs1(k.pkcs8, ct);
        },
      },
      {
        // WebCrypto has no RSAES-PKCS1-v1_5: its RSA-OAEP decryption is the same private operation.
        impl: 'webcrypto',
        setup: async ({ subtle }: BenchCtx) => {
          const k = await keys(subtle, bits);
          const ct = await subtle.encrypt({ name: 'RSA-OAEP' }, k.oaep.publicKey, new Uint8Array(24).fill(7));
          return () => subtle.decrypt({ name: 'RSA-OAEP' }, k.oaep.privateKey, ct);
        },
      },
      {
        impl: 'JS BigInt',
        setup: async ({ subtle }: BenchCtx) => bigintPrivate((await keys(subtle, bits)).jwk),
      },
      {
        impl: 'node-forge',
        setup: async ({ subtle }: BenchCtx) => {
          const k = await keys(subtle, bits);
          const key = forgeKey(k.pkcs8);
          const pub = forge.pki.setRsaPublicKey(key.n, key.e);
          const ct = pub.encrypt('0123456789abcdef01234567', 'RSAES-PKCS1-V1_5');
          return () => key.decrypt(ct, 'RSAES-PKCS1-V1_5');
        },
      },
    ],
    minMs: 2000,
  };
}

function keygenSuite(bits: number): Suite {
  return {
    op: `RSA-${bits} keygen`,
    minMs: bits >= 4096 ? 12000 : 6000,
    minRuns: 9,
    maxRuns: bits >= 4096 ? 25 : 60,
    impls: [
      { impl: 'core', setup: ({ core }: BenchCtx) => () => core.rsaGenerate(bits, 65537) },
      {
        impl: 'webcrypto',
        setup: ({ subtle }: BenchCtx) => () => subtle.generateKey({ name: 'RSASSA-PKCS1-v1_5', modulusLength: bits, publicExponent: new Uint8Array([1, 0, 1]), hash: 'SHA-256' }, false, ['sign', 'verify']),
      },
    ],
  };
}

export const rsaSuites: Suite[] = [
  keygenSuite(2048),
  keygenSuite(3072),
  keygenSuite(4096),
  signSuite(2048),
  signSuite(4096),
  decryptSuite(2048),
  decryptSuite(4096),
  {
    op: 'RSA-2048 verify',
    impls: [
      {
        impl: 'core',
        setup: async ({ core, subtle }: BenchCtx) => {
          const k = await keys(subtle, 2048);
          const sig = core.rsaSignPkcs1(k.pkcs8, 'SHA-256', msg);
          return () => {
            if (!core.rsaVerifyPkcs1(k.spki, 'SHA-256', msg, sig)) throw new Error('verify failed');
          };
        },
      },
      {
        impl: 'webcrypto',
        setup: async ({ subtle }: BenchCtx) => {
          const k = await keys(subtle, 2048);
          const sig = await subtle.sign('RSASSA-PKCS1-v1_5', k.pair.privateKey, msg);
          return () => subtle.verify('RSASSA-PKCS1-v1_5', k.pair.publicKey, sig, msg);
        },
      },
    ],
  },
];
