/**
 * The app's signature verifier (a `VerifyFn`): the WASM core for everything it implements —
 * ECDSA on P-256/P-384/P-521 with any SHA-1/SHA-2 hash, RSA PKCS#1 v1.5 including
 * md5WithRSA and sha224WithRSA that WebCrypto lacks, RSASSA-PSS with its parameters — so
 * verification works the same with or without `crypto.subtle`. WebCrypto is the fallback
 * for what the core does not do (Ed25519).
 */
import type { CoreApi, HashAlg } from '../core/api.ts';
import { PkiError } from '../util/errors.ts';
import type { VerifyFn } from '../crypto/types.ts';
import { parsePss } from './verify-webcrypto.ts';
import { checkRsaExponent } from './rsa-exponent.ts';

const ECDSA: Record<string, HashAlg> = {
  '1.2.840.10045.4.1': 'SHA-1',
  '1.2.840.10045.4.3.1': 'SHA-224',
  '1.2.840.10045.4.3.2': 'SHA-256',
  '1.2.840.10045.4.3.3': 'SHA-384',
  '1.2.840.10045.4.3.4': 'SHA-512',
};

const RSA_PKCS1: Record<string, HashAlg> = {
  '1.2.840.113549.1.1.4': 'MD5',
  '1.2.840.113549.1.1.5': 'SHA-1',
  '1.3.14.3.2.29': 'SHA-1',
  '1.2.840.113549.1.1.14': 'SHA-224',
  '1.2.840.113549.1.1.11': 'SHA-256',
  '1.2.840.113549.1.1.12': 'SHA-384',
  '1.2.840.113549.1.1.13': 'SHA-512',
  '1.2.840.113549.1.1.15': 'SHA-512/224',
  '1.2.840.113549.1.1.16': 'SHA-512/256',
};

export const OID_RSASSA_PSS = '1.2.840.113549.1.1.10';


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
    const ecHash = ECDSA[algorithm];
    if (ecHash) {
      try {
        return await c.ecVerify(spki, ecHash, data, signature, 'der');
      } catch {
        return false;
      }
    }
    const rsaHash = RSA_PKCS1[algorithm];
    if (rsaHash || algorithm === OID_RSASSA_PSS) checkRsaExponent(spki);
    if (rsaHash) {
      try {
        return await c.rsaVerifyPkcs1(spki, rsaHash, data, signature);
      } catch {
        return false;
      }
    }
    if (algorithm === OID_RSASSA_PSS) {
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
    throw new PkiError('unsupported', `unsupported signature algorithm ${algorithm}`);
  };
}
