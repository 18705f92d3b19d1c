/**
 * Wycheproof handler for `PbeTest` groups (schema pbe_test_schema.json, files
 * pbes2_hmacsha*_aes_*_test.json): PBES2 (RFC 8018 §6.2) with PBKDF2-HMAC-SHA-x as the key
 * derivation and AES-CBC with PKCS#7 padding as the encryption scheme — what PKCS#12 files and
 * encrypted PKCS#8 keys use (src/pki/private-key.ts), run here on the core's `pbkdf2` and
 * `decryptCbc`/`encryptCbc` ops.
 *
 * The password is raw octets (the schema leaves the string-to-octets conversion open), the key
 * is PBKDF2(password, salt, iterationCount, keySize/8). Each test decrypts `ct` (accepted = a
 * plaintext came out, which must equal `msg`); tests that must succeed also encrypt `msg`,
 * which must give `ct` exactly. An algorithm outside PbeWithHmacSha{1,224,256,384,512}AndAes_
 * {128,192,256} is skipped with its reason. Contract: scripts/vectors/types.ts.
 */
import type { CoreInstance } from '../../../src/core/instance.ts';
import type { CipherOps } from '../../../src/core/ops/cipher.ts';
import type { HashAlg } from '../../../src/core/ops/hash.ts';
import type { KdfOps } from '../../../src/core/ops/kdf.ts';
import { bytesToHex, hexToBytes, type Verdict, type WycheproofFile, type WycheproofHandler } from '../types.ts';

const HASHES: Record<string, HashAlg> = { Sha1: 'SHA-1', Sha224: 'SHA-224', Sha256: 'SHA-256', Sha384: 'SHA-384', Sha512: 'SHA-512' };

interface Scheme {
  prf: HashAlg;
  keyBytes: number;
}

/** `PbeWithHmacSha256AndAes_128` → PBKDF2-HMAC-SHA-256, a 16-byte AES key; or why it is skipped. */
function schemeOf(file: WycheproofFile): Scheme | string {
  const m = /^PbeWithHmac(Sha\d+)AndAes_(\d+)$/.exec(file.algorithm);
  if (!m) return `${file.algorithm}: not a PBES2 PBKDF2-HMAC / AES-CBC algorithm`;
  const prf = HASHES[m[1]!];
  if (!prf) return `${file.algorithm}: PRF HMAC-${m[1]} is not implemented by the core`;
  const bits = Number(m[2]);
  if (bits !== 128 && bits !== 192 && bits !== 256) return `${file.algorithm}: AES-${bits} is not an AES key size`;
  return { prf, keyBytes: bits / 8 };
}

const hex = (v: unknown, name: string): Uint8Array => {
  if (typeof v !== 'string') throw new TypeError(`pbe: test field ${name} is not a hex string`);
  return hexToBytes(v);
};

export const handlers: WycheproofHandler[] = [
  {
    groupTypes: ['PbeTest'],
    supports(file) {
      const s = schemeOf(file);
      return typeof s === 'string' ? s : true;
    },
    prepare(_core, file) {
      return schemeOf(file) as Scheme;
    },
    run(core: CoreInstance, test, _group, prepared): Verdict {
      const { prf, keyBytes } = prepared as Scheme;
      const kdf = core as unknown as KdfOps;
      const cipher = core as unknown as CipherOps;
      const msg = String(test['msg'] ?? '').toLowerCase();
      const ct = String(test['ct'] ?? '').toLowerCase();
      let key: Uint8Array;
      let iv: Uint8Array;
      let plain: Uint8Array;
      try {
        const iterations = test['iterationCount'];
        if (typeof iterations !== 'number') return { accepted: false };
        key = kdf.pbkdf2(prf, hex(test['password'], 'password'), hex(test['salt'], 'salt'), iterations, keyBytes);
        iv = hex(test['iv'], 'iv');
        plain = cipher.decryptCbc('AES-CBC', key, iv, hex(test['ct'], 'ct'), undefined);
      } catch {
        // bad sizes, bad padding, a refused iteration count: not accepted
        return { accepted: false };
      }
      if (bytesToHex(plain) !== msg) return { accepted: true, mismatch: `decrypt gave ${bytesToHex(plain)}` };
      if (test.result !== 'invalid') {
        let enc: string;
        try {
          enc = bytesToHex(cipher.encryptCbc('AES-CBC', key, iv, hexToBytes(msg), undefined));
        } catch (e) {
          return { accepted: true, mismatch: `encrypt failed: ${(e as Error).message}` };
        }
        if (enc !== ct) return { accepted: true, mismatch: `encrypt gave ${enc}` };
      }
      return { accepted: true };
    },
  },
];
