/**
 * Signer over WebCrypto keys. Keys made here are non-extractable by default: the private key
 * never leaves the browser's key store, and IndexedDB can keep the CryptoKey as is.
 */
import type { HashAlg } from '../core/api.ts';
import { PkiError } from '../util/errors.ts';
import type { KeyInfo, NamedCurve, Signer } from './types.ts';

const CURVE_BYTES: Record<NamedCurve, number> = { 'P-256': 32, 'P-384': 48, 'P-521': 66 };

/** Converts an IEEE P1363 (r‖s) ECDSA signature to DER Ecdsa-Sig-Value. */
export function p1363ToDer(sig: Uint8Array): Uint8Array {
  const n = sig.length / 2;
  const int = (b: Uint8Array) => {
    let i = 0;
    while (i < b.length - 1 && b[i] === 0) i++;
    let v = b.subarray(i);
    if (v[0]! & 0x80) v = Uint8Array.of(0, ...v);
    return Uint8Array.of(0x02, ...len(v.length), ...v);
  };
  const len = (l: number) => (l < 0x80 ? [l] : l < 0x100 ? [0x81, l] : [0x82, l >> 8, l & 0xff]);
  const r = int(sig.subarray(0, n));
  const s = int(sig.subarray(n));
  return Uint8Array.of(0x30, ...len(r.length + s.length), ...r, ...s);
}

async function spkiOf(key: CryptoKey): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.exportKey('spki', key));
}

/** Wraps a WebCrypto key pair (RSASSA-PKCS1-v1_5 or ECDSA) as a Signer. */
export async function webCryptoSigner(pair: CryptoKeyPair): Promise<Signer> {
  const alg = pair.privateKey.algorithm as RsaHashedKeyAlgorithm | EcKeyAlgorithm;
  const spki = await spkiOf(pair.publicKey);
  if (alg.name === 'RSASSA-PKCS1-v1_5') {
    const a = alg as RsaHashedKeyAlgorithm;
    const hash = a.hash.name as HashAlg;
    const key: KeyInfo = { kind: 'rsa', bits: a.modulusLength };
    return {
      key,
      spki,
      hashes: [hash],
      async sign(data, h) {
        if (h !== hash) throw new PkiError('unsupported', `webcrypto.sign: this RSA key signs with ${hash} only, not ${h}`);
        return new Uint8Array(await crypto.subtle.sign('RSASSA-PKCS1-v1_5', pair.privateKey, data as Uint8Array<ArrayBuffer>));
      },
    };
  }
  if (alg.name === 'ECDSA') {
    const curve = (alg as EcKeyAlgorithm).namedCurve as NamedCurve;
    if (!(curve in CURVE_BYTES)) throw new PkiError('unsupported', `webcrypto.signer: curve ${curve} is not supported`);
    return {
      key: { kind: 'ec', curve },
      spki,
      hashes: ['SHA-1', 'SHA-256', 'SHA-384', 'SHA-512'],
      async sign(data, h) {
        const raw = new Uint8Array(await crypto.subtle.sign({ name: 'ECDSA', hash: h }, pair.privateKey, data as Uint8Array<ArrayBuffer>));
        return p1363ToDer(raw);
      },
    };
  }
  throw new PkiError('unsupported', `webcrypto.signer: ${alg.name} keys cannot sign certificate requests`);
}

/** Generates a WebCrypto key pair for signing (non-extractable unless asked). */
export async function generateWebCryptoSigner(key: KeyInfo, opts: { extractable?: boolean; hash?: HashAlg } = {}): Promise<{ signer: Signer; pair: CryptoKeyPair }> {
  const extractable = opts.extractable ?? false;
  const params =
    key.kind === 'rsa'
      ? { name: 'RSASSA-PKCS1-v1_5', modulusLength: key.bits, publicExponent: new Uint8Array([1, 0, 1]), hash: opts.hash ?? 'SHA-256' }
      : { name: 'ECDSA', namedCurve: key.curve };
  const pair = (await crypto.subtle.generateKey(params, extractable, ['sign', 'verify'])) as CryptoKeyPair;
  return { signer: await webCryptoSigner(pair), pair };
}
