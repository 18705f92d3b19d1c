/**
 * Signers and decrypters over keys the WASM core holds (PKCS#8 in memory): exportable keys,
 * imported PKCS#12 keys, SCEP transport keys, and every key when WebCrypto is absent.
 */
import type { CoreApi, HashAlg } from '../core/api.ts';
import { PkiError } from '../util/errors.ts';
import type { Decrypter, KeyInfo, NamedCurve, Signer } from './types.ts';

const ALL_HASHES: readonly HashAlg[] = ['SHA-1', 'SHA-224', 'SHA-256', 'SHA-384', 'SHA-512', 'SHA-512/224', 'SHA-512/256', 'MD5'];

/** The RSA ops this module needs (provided by src/core/ops/rsa.ts once wired). */
interface RsaCore {
  rsaSignPkcs1(pkcs8: Uint8Array, hash: HashAlg, msg: Uint8Array): Promise<Uint8Array>;
  rsaDecryptPkcs1(pkcs8: Uint8Array, ct: Uint8Array): Promise<Uint8Array>;
}

function rsaCore(core: CoreApi): RsaCore {
  const c = core as unknown as Partial<RsaCore>;
  if (typeof c.rsaSignPkcs1 !== 'function' || typeof c.rsaDecryptPkcs1 !== 'function') throw new PkiError('unsupported', 'core: RSA is not available in this build of the core');
  return c as RsaCore;
}

/** A private key copy that can be overwritten (`crypto key zeroize`); use after that refuses. */
function wipeable(pkcs8: Uint8Array): { get(): Uint8Array; wipe(): void } {
  const priv = pkcs8.slice();
  let wiped = false;
  return {
    get() {
      if (wiped) throw new PkiError('bad-key', 'keys: this key was zeroized');
      return priv;
    },
    wipe() {
      priv.fill(0);
      wiped = true;
    },
  };
}

export function coreSigner(core: CoreApi, pkcs8: Uint8Array, spki: Uint8Array, key: KeyInfo): Signer {
  const priv = wipeable(pkcs8);
  if (key.kind === 'ec') {
    return {
      key,
      spki,
      hashes: ALL_HASHES.filter((h) => h !== 'MD5'),
      sign: async (data, hash, signal) => core.ecSign(priv.get(), hash, data, 'der', signal ? { signal } : undefined),
      wipe: priv.wipe,
    };
  }
  return {
    key,
    spki,
    hashes: ALL_HASHES,
    sign: async (data, hash) => rsaCore(core).rsaSignPkcs1(priv.get(), hash, data),
    wipe: priv.wipe,
  };
}

export function coreDecrypter(core: CoreApi, pkcs8: Uint8Array, spki: Uint8Array): Decrypter {
  const priv = wipeable(pkcs8);
  return {
    spki,
    decryptPkcs1: async (ct) => rsaCore(core).rsaDecryptPkcs1(priv.get(), ct),
    wipe: priv.wipe,
  };
}

export const CURVE_BITS: Record<NamedCurve, number> = { 'P-256': 256, 'P-384': 384, 'P-521': 521 };
