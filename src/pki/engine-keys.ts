/**
 * Core keys of the pkijs engine (engine.ts): `CoreKey`, a key held for the WASM core (RSA and
 * EC keys as DER, secret keys as raw bytes) or a `Decrypter`, shaped like a WebCrypto
 * `CryptoKey` so that pkijs can carry it around. The key bytes are kept out of the object (a
 * module WeakMap), so they do not show in logs or structured clones; they are plain JS memory,
 * not wiped, not stored. Also the core side of `importKey` / `exportKey` (raw secret keys,
 * SPKI / PKCS#8 RSA keys, RFC 8017 A.1, and ECDSA keys) and `decrypterKey` (RSAES-PKCS1-v1_5,
 * RFC 8017 §7.2, through a `Decrypter`). Private to engine.ts; `CoreKey` and `isCoreKey` are
 * re-exported from engine.ts.
 */
import type { CoreApi } from '../core/api.ts';
import type { Decrypter } from '../crypto/types.ts';
import { PkiError } from '../util/errors.ts';
import { rsaPublicParams } from './rsa-exponent.ts';
import { CANONICAL, aHash, bufferOf, bytesOf, hashOf, unsupported } from './engine-util.ts';

/** What a `CoreKey` holds: secret bytes, an RSA or EC key as SPKI / PKCS#8 DER, or a `Decrypter`. */
export type Material =
  | { kind: 'secret'; bytes: Uint8Array }
  | { kind: 'rsa'; der: Uint8Array }
  | { kind: 'ec'; der: Uint8Array }
  | { kind: 'decrypter'; decrypter: Decrypter };

const MATERIAL = new WeakMap<CoreKey, Material>();

/**
 * A key held for the core (or a `Decrypter`), shaped like a WebCrypto `CryptoKey` so that pkijs
 * can carry it around. Its bytes are not properties of the object.
 */
export class CoreKey implements CryptoKey {
  readonly type: KeyType;
  readonly extractable: boolean;
  readonly algorithm: KeyAlgorithm;
  readonly usages: KeyUsage[];
  constructor(type: KeyType, extractable: boolean, algorithm: KeyAlgorithm, usages: readonly KeyUsage[], material: Material) {
    this.type = type;
    this.extractable = extractable;
    this.algorithm = algorithm;
    this.usages = [...usages];
    MATERIAL.set(this, material);
  }
  get [Symbol.toStringTag](): string {
    return 'CoreKey';
  }
}

/** True for a key this engine holds for the core. */
export const isCoreKey = (k: unknown): k is CoreKey => k instanceof CoreKey;

/** The material of a core key; a TypeError for any other key. */
export function material(key: CryptoKey, op: string): Material {
  const m = key instanceof CoreKey ? MATERIAL.get(key) : undefined;
  if (!m) throw new TypeError(`engine.${op}: not a key of this engine`);
  return m;
}

/** The bytes of a core secret key; a TypeError for any other key. */
export function secretOf(key: CryptoKey, op: string): Uint8Array {
  const m = material(key, op);
  if (m.kind !== 'secret') throw new TypeError(`engine.${op}: ${key.algorithm.name} needs a secret key`);
  return m.bytes;
}

/** The DER of a core RSA or EC key; a TypeError for any other key. */
export function derOf(key: CryptoKey, kind: 'rsa' | 'ec', op: string): Uint8Array {
  const m = material(key, op);
  if (m.kind !== kind) throw new TypeError(`engine.${op}: ${key.algorithm.name} needs an ${kind.toUpperCase()} key`);
  return m.der;
}

/** `PkiError('key')` when the key has usages and `usage` is not one of them. */
export function aUsage(key: CryptoKey, usage: KeyUsage, op: string): void {
  if (key.usages.length && !key.usages.includes(usage)) throw new PkiError('key', `engine.${op}: the key is not usable for ${usage}`);
}

/** Secret-key lengths in bytes the core accepts per cipher. */
export function aSecretLength(name: string, n: number, op: string): void {
  const ok =
    name === 'AES-CBC' ? n === 16 || n === 24 || n === 32 : name === 'DES-CBC' ? n === 8 : name === 'DES-EDE3-CBC' ? n === 24 : name === 'DES-EDE-CBC' ? n === 16 : name === 'RC2-CBC' ? n >= 1 && n <= 128 : true;
  if (!ok) throw new PkiError('key', `engine.${op}: a ${name} key of ${n} bytes`);
}

/**
 * The core side of `PkiEngine.importKey`: `raw` secret keys (DES, 3DES, RC2, and AES/HMAC
 * in core mode), `spki` / `pkcs8` RSA keys (RFC 8017 A.1) and ECDSA keys. `name` is the name
 * of `alg`, `usages` the key usages as an array.
 */
export async function importCoreKey(core: CoreApi, format: KeyFormat, keyData: BufferSource | JsonWebKey, alg: Algorithm & Record<string, unknown>, name: string, extractable: boolean, usages: KeyUsage[]): Promise<CryptoKey> {
  const canonical = CANONICAL[name.toUpperCase()];
  if (!canonical) throw unsupported('importKey', `${name} without WebCrypto`);
  if (format === 'jwk') throw unsupported('importKey', 'JWK import into the core');
  const data = bytesOf(keyData as BufferSource).slice();
  switch (canonical) {
    case 'AES-CBC':
    case 'DES-CBC':
    case 'DES-EDE3-CBC':
    case 'DES-EDE-CBC':
    case 'RC2-CBC':
    case 'HMAC': {
      if (format !== 'raw') throw unsupported('importKey', `${format} import of a ${canonical} key`);
      aSecretLength(canonical, data.length, 'importKey');
      const keyAlg: KeyAlgorithm & Record<string, unknown> = { name: canonical };
      if (canonical === 'HMAC') {
        keyAlg.hash = { name: aHash(alg.hash, 'importKey') };
        keyAlg.length = data.length * 8;
      } else keyAlg.length = data.length * 8;
      return new CoreKey('secret', extractable, keyAlg, usages, { kind: 'secret', bytes: data });
    }
    case 'ECDSA': {
      if (format !== 'spki' && format !== 'pkcs8') throw unsupported('importKey', `${format} import of an ECDSA key`);
      const info = await core.ecKeyInfo(data);
      if (info.isPrivate !== (format === 'pkcs8')) throw new PkiError('key', `engine.importKey: not a ${format === 'pkcs8' ? 'private' : 'public'} key`);
      if (alg.namedCurve !== undefined && alg.namedCurve !== info.curve) throw new PkiError('key', `engine.importKey: the key is on ${info.curve}, not ${String(alg.namedCurve)}`);
      const keyAlg: EcKeyAlgorithm = { name: 'ECDSA', namedCurve: info.curve };
      return new CoreKey(info.isPrivate ? 'private' : 'public', extractable || !info.isPrivate, keyAlg, usages, { kind: 'ec', der: data });
    }
    default: {
      // RSAES-PKCS1-v1_5, RSASSA-PKCS1-v1_5, RSA-PSS, RSA-OAEP
      if (format !== 'spki' && format !== 'pkcs8') throw unsupported('importKey', `${format} import of an RSA key`);
      const info = await core.rsaKeyInfo(data);
      if (info.type !== (format === 'pkcs8' ? 'private' : 'public')) throw new PkiError('key', `engine.importKey: not a ${format === 'pkcs8' ? 'private' : 'public'} key`);
      const spki = format === 'spki' ? data : await core.rsaConvertKey(data, 'spki');
      const keyAlg: KeyAlgorithm & Record<string, unknown> = { name: canonical, ...rsaPublicParams(spki) };
      const h = hashOf(alg.hash);
      if (canonical !== 'RSAES-PKCS1-v1_5') keyAlg.hash = { name: h ?? 'SHA-256' };
      return new CoreKey(format === 'pkcs8' ? 'private' : 'public', extractable || format === 'spki', keyAlg, usages, { kind: 'rsa', der: data });
    }
  }
}

/** The core side of `PkiEngine.exportKey`: `raw` export of secret keys, `spki` / `pkcs8` of RSA and EC keys. */
export async function exportCoreKey(core: CoreApi, format: unknown, key: CoreKey): Promise<ArrayBuffer> {
  const m = material(key, 'exportKey');
  if (m.kind === 'decrypter') throw unsupported('exportKey', 'exporting a Decrypter');
  if (m.kind === 'secret') {
    if (format !== 'raw') throw unsupported('exportKey', `${String(format)} export of a secret key`);
    if (!key.extractable) throw new PkiError('key', 'engine.exportKey: the key is not extractable');
    return bufferOf(m.bytes.slice());
  }
  if (format === 'spki') {
    if (m.kind === 'ec') return bufferOf(await core.ecConvertKey(m.der, 'spki'));
    return bufferOf(await core.rsaConvertKey(m.der, 'spki'));
  }
  if (format === 'pkcs8') {
    if (key.type !== 'private') throw new PkiError('key', 'engine.exportKey: a public key has no PKCS#8 form');
    if (!key.extractable) throw new PkiError('key', 'engine.exportKey: the key is not extractable');
    if (m.kind === 'ec') return bufferOf(await core.ecConvertKey(m.der, 'pkcs8'));
    return bufferOf(await core.rsaConvertKey(m.der, 'pkcs8'));
  }
  throw unsupported('exportKey', `${String(format)} export of a core key`);
}

/**
 * A private-key handle whose RSAES-PKCS1-v1_5 decryption (RFC 8017 §7.2.2) is
 * `decrypter.decryptPkcs1` (for pkijs' `EnvelopedData.decrypt({ recipientPrivateKey })` with
 * keys held elsewhere).
 */
export function decrypterKey(decrypter: Decrypter): CryptoKey {
  const keyAlg = { name: 'RSAES-PKCS1-v1_5', ...rsaPublicParams(decrypter.spki) };
  return new CoreKey('private', false, keyAlg, ['decrypt'], { kind: 'decrypter', decrypter });
}
