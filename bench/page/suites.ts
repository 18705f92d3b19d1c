/** Suites beyond hashing: block ciphers and DER scanning (RSA and ECDSA join as the core grows). */
import * as pkijs from 'pkijs';
import * as asn1js from 'asn1js';
import forge from 'node-forge';
import { p256, p384 } from '@noble/curves/nist.js';
import type { Suite } from './bench.ts';
import type { CoreInstance } from '../../src/core/instance.ts';
import { parseCrl, validateChain } from '../../src/pki/chain/index.ts';
import { webCryptoVerify } from '../../src/pki/verify-webcrypto.ts';
import { rsaSuites } from './rsa-suites.ts';

const MiB = 1 << 20;
const data = new Uint8Array(MiB).map((_, i) => (i * 13) & 0xff);
const k16 = new Uint8Array(16).map((_, i) => i + 1);
const k24 = new Uint8Array(24).map((_, i) => i * 3 + 1);
const iv16 = new Uint8Array(16).fill(7);
const iv8 = new Uint8Array(8).fill(9);

async function aesKey(subtle: SubtleCrypto) {
  return subtle.importKey('raw', k16, 'AES-CBC', false, ['encrypt', 'decrypt']);
}

const forgeBuf = forge.util.createBuffer();
for (let o = 0; o < data.length; o += 8192) forgeBuf.putBytes(forge.util.binary.raw.encode(data.subarray(o, o + 8192)));

const msg = new TextEncoder().encode('The quick brown fox jumps over the lazy dog: a certificate request body');

function ecdsaSuites(curve: 'P-256' | 'P-384', hash: 'SHA-256' | 'SHA-384', noble: typeof p256): Suite[] {
  const nobleKeys = noble.keygen();
  return [
    {
      op: `ECDSA ${curve} sign`,
      impls: [
        {
          impl: 'core',
          setup: ({ core }) => {
            const kp = core.ecGenerate(curve);
            core.ecPrepare(curve);
            return () => core.ecSign(kp.pkcs8, hash, msg, 'der');
          },
        },
        {
          impl: 'webcrypto',
          setup: async ({ subtle }) => {
            const kp = (await subtle.generateKey({ name: 'ECDSA', namedCurve: curve }, false, ['sign', 'verify'])) as CryptoKeyPair;
            return () => subtle.sign({ name: 'ECDSA', hash }, kp.privateKey, msg);
          },
        },
        { impl: '@noble/curves', setup: () => () => noble.sign(msg, nobleKeys.secretKey) },
      ],
    },
    {
      op: `ECDSA ${curve} verify`,
      impls: [
        {
          impl: 'core',
          setup: ({ core }) => {
            const kp = core.ecGenerate(curve);
            const sig = core.ecSign(kp.pkcs8, hash, msg, 'der');
            return () => {
              if (!core.ecVerify(kp.spki, hash, msg, sig, 'der')) throw new Error('verify failed');
            };
          },
        },
        {
          impl: 'webcrypto',
          setup: async ({ subtle }) => {
            const kp = (await subtle.generateKey({ name: 'ECDSA', namedCurve: curve }, false, ['sign', 'verify'])) as CryptoKeyPair;
            const sig = await subtle.sign({ name: 'ECDSA', hash }, kp.privateKey, msg);
            return () => subtle.verify({ name: 'ECDSA', hash }, kp.publicKey, sig, msg);
          },
        },
        {
          impl: '@noble/curves',
          setup: () => {
            const sig = noble.sign(msg, nobleKeys.secretKey);
            return () => noble.verify(sig, msg, nobleKeys.publicKey);
          },
        },
      ],
    },
  ];
}

export const suites: Suite[] = [
  ...rsaSuites,
  ...ecdsaSuites('P-256', 'SHA-256', p256),
  ...ecdsaSuites('P-384', 'SHA-384', p384 as unknown as typeof p256),
  {
    op: 'AES-128-CBC encrypt 1 MiB',
    bytes: MiB,
    impls: [
      { impl: 'core', setup: ({ core }) => () => core.encryptCbc('AES-CBC', k16, iv16, data, { padding: false }) },
      {
        impl: 'webcrypto',
        setup: async ({ subtle }) => {
          const key = await aesKey(subtle);
          return () => subtle.encrypt({ name: 'AES-CBC', iv: iv16 }, key, data);
        },
      },
    ],
  },
  {
    op: '3DES-CBC encrypt 1 MiB',
    bytes: MiB,
    impls: [
      { impl: 'core', setup: ({ core }) => () => core.encryptCbc('DES-EDE3-CBC', k24, iv8, data, { padding: false }) },
      {
        impl: 'node-forge',
        setup: () => () => {
          const c = forge.cipher.createCipher('3DES-CBC', forge.util.binary.raw.encode(k24));
          c.start({ iv: forge.util.binary.raw.encode(iv8) });
          c.update(forgeBuf.copy());
          c.finish();
        },
      },
    ],
  },
  {
    op: '3DES-CBC decrypt 1 MiB',
    bytes: MiB,
    impls: [
      {
        impl: 'core',
        setup: ({ core }) => {
          const ct = core.encryptCbc('DES-EDE3-CBC', k24, iv8, data, { padding: false });
          return () => core.decryptCbc('DES-EDE3-CBC', k24, iv8, ct, { padding: false });
        },
      },
    ],
  },
  {
    op: 'CRL scan 100,000 entries (index serials)',
    minMs: 3000,
    impls: [
      {
        impl: 'core',
        setup: ({ core, inputs }) => {
          if (!inputs.crl) throw new Error('no CRL input');
          return () => core.crlSerials(inputs.crl!);
        },
      },
      {
        impl: 'pkijs',
        setup: ({ inputs }) => {
          if (!inputs.crl) throw new Error('no CRL input');
          // asn1js refuses big inputs at its default node limit; lift it for the comparison.
          const buf = inputs.crl.slice().buffer;
          return () => {
            const asn = asn1js.fromBER(buf, { maxNodes: 50_000_000, maxContentLength: 1 << 30 });
            const crl = new pkijs.CertificateRevocationList({ schema: asn.result });
            return crl.revokedCertificates?.map((r) => r.userCertificate.valueBlock.valueHexView);
          };
        },
      },
    ],
    maxRuns: 5,
  },
  {
    // What `revocation-check crl` does for a certificate whose CRL is cached (app/revocation.ts):
    // index the stored DER with the core, verify the CRL's signature, look the serial up — through
    // the RFC 5280 validator, which also checks the certificate's own signature.
    op: 'CRL check 100,000 entries end to end (cached CRL, signature, lookup)',
    minMs: 3000,
    impls: [
      {
        impl: 'core',
        setup: async ({ core, inputs }) => {
          const { crl, crlCa, crlLeaf } = inputs;
          if (!crl || !crlCa || !crlLeaf) throw new Error('no CRL input');
          const first = await crlCheck(core, crl, crlCa, crlLeaf);
          if (!first.ok) throw new Error(`the bench certificate does not validate: ${first.reason}`);
          return () => crlCheck(core, crl, crlCa, crlLeaf);
        },
      },
    ],
    maxRuns: 50,
  },
];

async function crlCheck(core: CoreInstance, crl: Uint8Array, ca: Uint8Array, leaf: Uint8Array) {
  const parsed = parseCrl(crl, { serialIndex: core.crlSerials(crl) });
  return validateChain({ leaf, anchors: [ca], crls: [parsed], verify: webCryptoVerify });
}
