/**
 * The app's signature verifier (a `VerifyFn`): the WASM core for everything it implements —
 * ECDSA on P-256/P-384/P-521 with any SHA-1/SHA-2 hash, RSA PKCS#1 v1.5 including
 * md5WithRSA and sha224WithRSA that WebCrypto lacks, RSASSA-PSS with its parameters — so
 * verification works the same with or without `crypto.subtle`. WebCrypto is the fallback
 * for what the core does not do (Ed25519). DSA is verified here with BigInt arithmetic
 * (src/pki/dsa.ts) over the core's hashes.
 */
import type { CoreApi, HashAlg } from '../core/api.ts';
import { PkiError } from '../util/errors.ts';
import type { VerifyFn } from '../crypto/types.ts';
import { parsePss } from './verify-webcrypto.ts';
import { checkRsaExponent } from './rsa-exponent.ts';
import { OID, signatureAlgorithm } from './oids.ts';
import { dsaVerify } from './dsa.ts';

/**
 * The core first; for an algorithm the core cannot do (or a build without RSA), `fallback`
 * (WebCrypto, src/pki/verify-webcrypto.ts) when given.
 */
export function makeVerify(core: () => Promise<CoreApi>, fallback?: VerifyFn): VerifyFn {
  const viaCore = coreVerify(core);
  if (!fallback) return viaCore;
  return async (args) => {
    try {
      return await viaCore(args);
    } catch (e) {
      if (e instanceof PkiError && e.code === 'unsupported') return fallback(args);
      throw e;
    }
  };
}

function coreVerify(core: () => Promise<CoreApi>): VerifyFn {
  return async ({ algorithm, parameters, spki, data, signature }) => {
    const c = await core();
    const sig = signatureAlgorithm(algorithm);
    const ecHash = sig?.key === 'ec' ? sig.hash : undefined;
    if (ecHash) {
      try {
        return await c.ecVerify(spki, ecHash, data, signature, 'der');
      } catch {
        return false;
      }
    }
    const rsaHash = sig?.key === 'rsa' ? sig.hash : undefined;
    if (rsaHash || algorithm === OID['RSASSA-PSS']) checkRsaExponent(spki);
    if (rsaHash) {
      try {
        return await c.rsaVerifyPkcs1(spki, rsaHash, data, signature);
      } catch {
        return false;
      }
    }
    if (algorithm === OID['RSASSA-PSS']) {
      let pss;
      try {
        pss = parameters ? parsePss(parameters) : undefined;
      } catch (e) {
        if (e instanceof PkiError && e.code === 'unsupported') throw e;
        return false;
      }
      if (!pss) return false;
      try {
        return await c.rsaVerifyPss(spki, pss.hash as HashAlg, pss.mgfHash as HashAlg, pss.saltLength, data, signature);
      } catch {
        return false;
      }
    }
    // DSA (verification only, for old chains): BigInt arithmetic over the core's hashes
    if (sig?.key === 'dsa' && sig.hash) {
      const hash = sig.hash as HashAlg;
      return dsaVerify(spki, hash, data, signature, (h, d) => c.digest(h, d));
    }
    throw new PkiError('unsupported', `unsupported signature algorithm ${algorithm}`);
  };
}
