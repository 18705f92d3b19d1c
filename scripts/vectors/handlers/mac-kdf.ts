/**
 * Wycheproof handlers for HMAC (`MacTest`: hmac_sha*_test.json) and PBKDF2 (`PbkdfTest`:
 * pbkdf2_hmacsha*_test.json), run against the core's `hmac` and `pbkdf2` ops
 * (src/core/ops/kdf.ts). Contract: scripts/vectors/types.ts.
 */
import type { CoreInstance } from '../../../src/core/instance.ts';
import type { HashAlg } from '../../../src/core/ops/hash.ts';
import type { KdfOps } from '../../../src/core/ops/kdf.ts';
import { bytesToHex, hexToBytes, type WycheproofFile, type WycheproofHandler, type WycheproofTest } from '../types.ts';

/** Wycheproof hash spellings (in `algorithm` after the HMAC / PBKDF2-HMAC prefix) → ours. */
const HASHES: Record<string, HashAlg> = {
  SHA1: 'SHA-1',
  SHA224: 'SHA-224',
  SHA256: 'SHA-256',
  SHA384: 'SHA-384',
  SHA512: 'SHA-512',
  'SHA512/224': 'SHA-512/224',
  'SHA512/256': 'SHA-512/256',
};

/** The hash of an `algorithm` such as `HMACSHA256` or `PBKDF2-HMACSHA1`, or why it is skipped. */
function hashOf(file: WycheproofFile, prefix: string): HashAlg | string {
  const algorithm = file.algorithm;
  if (!algorithm.startsWith(prefix)) return `${algorithm}: not an ${prefix} file`;
  const name = algorithm.slice(prefix.length).replace(/^-/, '');
  if (name.startsWith('SHA3-')) return `${algorithm}: SHA-3 is not implemented by the core`;
  return HASHES[name] ?? `${algorithm}: hash ${name} is not implemented by the core`;
}

const kdf = (core: CoreInstance) => core as CoreInstance & KdfOps;
const str = (t: WycheproofTest, field: string) => (typeof t[field] === 'string' ? (t[field] as string) : '');

/** HMAC (RFC 2104) with a possibly truncated tag: the group's `tagSize` is in bits. */
const macHandler: WycheproofHandler = {
  groupTypes: ['MacTest'],
  supports(file, group) {
    const alg = hashOf(file, 'HMAC');
    if (!alg.startsWith('SHA-')) return alg;
    const tagSize = group.tagSize;
    if (typeof tagSize !== 'number' || tagSize % 8 !== 0) return `tagSize ${String(tagSize)} is not a whole number of bytes`;
    return true;
  },
  prepare(_core, file, group) {
    return { alg: hashOf(file, 'HMAC') as HashAlg, tagBytes: (group.tagSize as number) / 8 };
  },
  run(core, test, _group, prepared) {
    const { alg, tagBytes } = prepared as { alg: HashAlg; tagBytes: number };
    try {
      const full = kdf(core).hmac(alg, hexToBytes(str(test, 'key')), hexToBytes(str(test, 'msg')));
      if (tagBytes > full.length) return { accepted: false };
      const got = bytesToHex(full.subarray(0, tagBytes));
      const want = str(test, 'tag').toLowerCase();
      return got === want ? { accepted: true } : { accepted: false, mismatch: `tag ${got}, expected ${want}` };
    } catch {
      return { accepted: false };
    }
  },
};

/** PBKDF2 (RFC 8018 §5.2) with HMAC-SHA-x. */
const pbkdfHandler: WycheproofHandler = {
  groupTypes: ['PbkdfTest'],
  supports(file) {
    const alg = hashOf(file, 'PBKDF2-HMAC');
    return alg.startsWith('SHA-') ? true : alg;
  },
  prepare(_core, file) {
    return hashOf(file, 'PBKDF2-HMAC') as HashAlg;
  },
  run(core, test, _group, prepared) {
    const alg = prepared as HashAlg;
    try {
      const dk = kdf(core).pbkdf2(
        alg,
        hexToBytes(str(test, 'password')),
        hexToBytes(str(test, 'salt')),
        test.iterationCount as number,
        test.dkLen as number,
      );
      const got = bytesToHex(dk);
      const want = str(test, 'dk').toLowerCase();
      return got === want ? { accepted: true } : { accepted: true, mismatch: `dk ${got}, expected ${want}` };
    } catch {
      return { accepted: false };
    }
  },
};

export const handlers: WycheproofHandler[] = [macHandler, pbkdfHandler];
