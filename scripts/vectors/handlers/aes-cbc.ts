/**
 * Wycheproof handler for `IndCpaTest` groups of AES-CBC-PKCS5 files
 * (`aes_cbc_pkcs5_test.json`, schema ind_cpa_test_schema_v1.json): AES-CBC with PKCS#7
 * padding (NIST SP 800-38A §6.2, RFC 5652 §6.3).
 *
 * Each test decrypts `ct` (accepted = the core returned a plaintext, which must equal `msg`);
 * for tests that must succeed, `msg` is also encrypted and must give `ct` exactly. Other
 * IndCpaTest algorithms (AES-GCM, ChaCha20, ...) are not ours and are skipped with a reason.
 */
import type { CoreInstance } from '../../../src/core/instance.ts';
import type { CipherOps } from '../../../src/core/ops/cipher.ts';
import { bytesToHex, hexToBytes, type Verdict, type WycheproofHandler } from '../types.ts';

/** The cipher ops of a core (CoreInstance carries them once the cipher domain is wired in). */
const ops = (core: CoreInstance): CipherOps => core as unknown as CipherOps;

const field = (v: unknown, name: string): string => {
  if (typeof v !== 'string') throw new TypeError(`aes-cbc: test field ${name} is not a hex string`);
  return v;
};

export const handlers: WycheproofHandler[] = [
  {
    groupTypes: ['IndCpaTest'],
    supports(file, group) {
      if (file.algorithm !== 'AES-CBC-PKCS5') return `IndCpaTest algorithm ${file.algorithm} is not implemented by the core (only AES-CBC-PKCS5)`;
      const keySize = group['keySize'];
      if (keySize !== 128 && keySize !== 192 && keySize !== 256) return `AES key size ${String(keySize)} is not an AES key size`;
      if (group['ivSize'] !== undefined && group['ivSize'] !== 128) return `IV size ${String(group['ivSize'])} is not 128 bits (CBC needs one block)`;
      return true;
    },
    run(core, test): Verdict {
      const c = ops(core);
      let key: Uint8Array, iv: Uint8Array, plain: Uint8Array;
      const msg = String(test['msg'] ?? '').toLowerCase();
      const ct = String(test['ct'] ?? '').toLowerCase();
      try {
        key = hexToBytes(field(test['key'], 'key'));
        iv = hexToBytes(field(test['iv'], 'iv'));
        plain = c.decryptCbc('AES-CBC', key, iv, hexToBytes(field(test['ct'], 'ct')), undefined);
      } catch {
        // Bad key/IV sizes and bad padding alike: the core did not accept the input.
        return { accepted: false };
      }
      if (bytesToHex(plain) !== msg) return { accepted: true, mismatch: `decrypt gave ${bytesToHex(plain)}` };
      if (test.result !== 'invalid') {
        let enc: string;
        try {
          enc = bytesToHex(c.encryptCbc('AES-CBC', key, iv, hexToBytes(msg), undefined));
        } catch (e) {
          return { accepted: true, mismatch: `encrypt failed: ${(e as Error).message}` };
        }
        if (enc !== ct) return { accepted: true, mismatch: `encrypt gave ${enc}` };
      }
      return { accepted: true };
    },
  },
];
