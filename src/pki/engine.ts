/**
 * The pkijs crypto engine of Trustpoint: a `pkijs.CryptoEngine` that keeps WebCrypto for what
 * WebCrypto does (SHA-1/SHA-2 digests, AES-CBC/GCM, HMAC, RSA-OAEP, RSASSA-PKCS1-v1_5, RSA-PSS,
 * ECDSA and ECDH with WebCrypto keys, AES-KW) and sends to the WASM core (`CoreApi`) what it
 * lacks:
 *
 * - RSAES-PKCS1-v1_5 (RFC 8017 §7.2): `importKey('spki' | 'pkcs8')` gives a core key,
 *   `encrypt` / `decrypt` run in the core; `decrypterKey()` wraps any `Decrypter` (a token, a
 *   key held elsewhere) as such a key;
 * - DES-CBC, DES-EDE3-CBC (and two-key DES-EDE-CBC), RC2-CBC (RFC 2268, SP 800-67): raw
 *   `generateKey` / `importKey` / `exportKey`, `encrypt` / `decrypt` with `{ name, iv }`;
 * - MD5, SHA-224, SHA-512/224, SHA-512/256 digests, and HMAC / RSA / ECDSA with these hashes
 *   (such keys are imported into the core).
 *
 * Password-based encryption (PKCS#12, PBES1/PBES2) is not here: the one implementation is
 * pkcs12.ts + private-key.ts, which drive the core directly under a work budget.
 *
 * With `subtle: null` (a plain-HTTP page has no `crypto.subtle`) EVERYTHING runs in the core:
 * digests, HMAC, AES-CBC, RSA (PKCS#1 v1.5, PSS, OAEP) and ECDSA with core keys
 * (`importKey('spki' | 'pkcs8' | 'raw')`, `generateKey`); randomness comes from
 * `crypto.getRandomValues`, which insecure pages have. AES-KW, AES-GCM/CTR, PBKDF2, ECDH and
 * HKDF then throw `PkiError('unsupported')`.
 *
 * Core keys are `CoreKey` objects shaped like `CryptoKey` (type, extractable, algorithm,
 * usages); the key bytes are kept out of the object (a module WeakMap), so they do not show in
 * logs or structured clones. They are plain JS memory: not wiped, not stored.
 *
 * pkijs traps this module works around (pkijs 4.0.0):
 * - `EnvelopedData.addRecipientByCertificate` defaults to RSA-OAEP with SHA-512, which SCEP
 *   servers reject: `envelope()` (envelope.ts) writes rsaEncryption with explicit NULL
 *   parameters, issuerAndSerialNumber rid, KTRI version 0.
 * - `EnvelopedData.encrypt` always writes a 16-byte IV and version 2, so 64-bit block ciphers
 *   (DES, 3DES) come out broken: `encrypt` here refuses a DES/RC2 IV that is not 8 bytes. Use
 *   `envelope()` (envelope.ts), which writes correct IVs and version 0.
 * - `CryptoEngine.importKey` maps RSAES-PKCS1-v1_5 to a JWK with `alg: 'PS1'`, which no
 *   WebCrypto accepts; here that key is a core key.
 * - rsaEncryption arrives with NULL parameters (RFC 3370 §4.2.1) or, from some encoders, none
 *   (older pkijs read such a KTRI as RSA-OAEP and failed, PKI.js issue #246): the key transport
 *   here depends on the OID only, `EnvelopedData.decrypt` and `openEnvelope` accept both forms.
 *
 * Layout: this file holds the engine class and `createPkiEngine`; the algorithm tables (the
 * OIDs derived from oids.ts) and argument and byte helpers are in engine-util.ts, core keys in
 * engine-keys.ts.
 */
import * as pkijs from 'pkijs';
import type { CoreApi } from '../core/api.ts';
import { HASH_SIZE } from '../core/ops/hash.ts';
import type { Decrypter } from '../crypto/types.ts';
import { equalBytes, randomBytes } from '../util/bytes.ts';
import { PkiError } from '../util/errors.ts';
import { CoreKey, aUsage, decrypterKey, derOf, exportCoreKey, importCoreKey, material, secretOf } from './engine-keys.ts';
import { OID, oidInfo, oidOfHash, oidOfHmac, signatureOid } from './oids.ts';
import { CANONICAL, CORE_ONLY, HASH_BLOCK, HASH_NAMES, WEB_HASHES, aHash, algName, bufferOf, bytesOf, desParity, engineAlgorithm, hashOf, ivLength, unsupported } from './engine-util.ts';

// The public names that live in the engine-*.ts modules.
export { CoreKey, isCoreKey } from './engine-keys.ts';

// ---------------------------------------------------------------------------------------------
// The engine

/** Options of `createPkiEngine`. */
export interface PkiEngineOptions {
  /**
   * The WebCrypto to use for what it does; `null` sends everything to the core (plain-HTTP
   * pages, tests). Default: `globalThis.crypto.subtle` when present.
   */
  subtle?: SubtleCrypto | null;
}

/**
 * The engine (see the file comment). Construct it with `createPkiEngine`; pass it as the last
 * (`crypto`) argument of pkijs methods, or install it with `pkijs.setEngine`.
 */
export class PkiEngine extends pkijs.CryptoEngine {
  readonly core: CoreApi;
  /** WebCrypto, or null when everything goes to the core. */
  readonly web: SubtleCrypto | null;

  constructor(core: CoreApi, web: SubtleCrypto | null) {
    // pkijs reads `crypto.subtle` in its constructor; without WebCrypto it gets none and this
    // class never calls up into the WebCrypto paths.
    const cryptoLike = { subtle: web ?? undefined, getRandomValues: <T extends ArrayBufferView | null>(a: T): T => crypto.getRandomValues(a as Uint8Array<ArrayBuffer>) as unknown as T } as unknown as Crypto;
    super({ name: 'trustpoint', crypto: cryptoLike });
    this.core = core;
    this.web = web;
  }

  /** True when `name` (and `hash`) should run in the core. */
  private coreFor(name: string, hash?: unknown): boolean {
    if (!this.web) return true;
    const upper = name.toUpperCase();
    if (CORE_ONLY.has(upper)) return true;
    const h = hash === undefined ? undefined : hashOf(hash);
    return h !== undefined && !WEB_HASHES.has(h);
  }

  // --- randomness -----------------------------------------------------------------------------

  /** Fills `array` from `crypto.getRandomValues` (available on insecure pages too). */
  override getRandomValues<T extends ArrayBufferView | null>(array: T): T {
    if (array === null) throw new TypeError('engine.getRandomValues: array is null');
    const v = new Uint8Array(array.buffer as ArrayBuffer, array.byteOffset, array.byteLength);
    for (let o = 0; o < v.length; o += 65536) crypto.getRandomValues(v.subarray(o, Math.min(v.length, o + 65536)));
    return array;
  }

  // --- OID maps -------------------------------------------------------------------------------

  /** pkijs' OID table plus MD5, SHA-224, SHA-512/t, DES, 3DES, RC2 (`engineAlgorithm`). */
  override getAlgorithmByOID<T extends Algorithm = Algorithm>(oid: string, safety?: boolean, target?: string): T | object;
  override getAlgorithmByOID<T extends Algorithm = Algorithm>(oid: string, safety: true, target?: string): T;
  override getAlgorithmByOID(oid: string, safety?: boolean, target?: string): object {
    const extra = engineAlgorithm(oid);
    if (extra) return extra;
    return super.getAlgorithmByOID(oid, safety ?? false, target);
  }

  /** The inverse of `getAlgorithmByOID` for the added algorithms; pkijs' table otherwise. */
  override getOIDByAlgorithm(algorithm: Algorithm, safety?: boolean, target?: string): string {
    const name = algorithm.name.toUpperCase();
    const hash = hashOf((algorithm as { hash?: unknown }).hash);
    let oid: string | undefined;
    const h = hashOf(algorithm);
    if (h && HASH_NAMES[name]) oid = oidOfHash(h);
    else if (name === 'RSASSA-PKCS1-V1_5' && hash && !WEB_HASHES.has(hash)) oid = signatureOid('rsa', hash);
    else if (name === 'ECDSA' && hash && !WEB_HASHES.has(hash)) oid = signatureOid('ec', hash);
    else if (name === 'HMAC' && hash) oid = oidOfHmac(hash);
    else if (name === 'DES-CBC' || name === 'DES-EDE3-CBC' || name === 'RC2-CBC') oid = OID[name];
    if (oid) return oid;
    return super.getOIDByAlgorithm(algorithm, safety ?? false, target);
  }

  /** Default parameters; adds DES/3DES/RC2 and RSAES-PKCS1-v1_5 encrypt/decrypt. */
  override getAlgorithmParameters(algorithmName: string, operation: pkijs.CryptoEngineAlgorithmOperation): pkijs.CryptoEngineAlgorithmParams {
    const name = algorithmName.toUpperCase();
    const op = operation.toLowerCase();
    if (name === 'DES-CBC' || name === 'DES-EDE3-CBC' || name === 'RC2-CBC') {
      const canonical = CANONICAL[name]!;
      const usages: KeyUsage[] = ['encrypt', 'decrypt'];
      if (op === 'encrypt' || op === 'decrypt') return { algorithm: { name: canonical, iv: this.getRandomValues(new Uint8Array(8)) }, usages };
      const length = name === 'DES-CBC' ? 64 : name === 'DES-EDE3-CBC' ? 192 : 128;
      return { algorithm: { name: canonical, length }, usages };
    }
    if (name === 'RSAES-PKCS1-V1_5' && (op === 'encrypt' || op === 'decrypt')) return { algorithm: { name: 'RSAES-PKCS1-v1_5' }, usages: ['encrypt', 'decrypt'] };
    return super.getAlgorithmParameters(algorithmName, operation);
  }

  /** The hash of a signature algorithm; adds md5/sha224/sha512-t WithRSAEncryption and ecdsa-with-SHA224. */
  override getHashAlgorithm(signatureAlgorithm: pkijs.AlgorithmIdentifier): string {
    const extra = engineAlgorithm(signatureAlgorithm.algorithmId);
    const hash = extra && oidInfo(signatureAlgorithm.algorithmId)?.kind === 'signature' ? (extra.hash as { name: string }).name : undefined;
    return hash ?? super.getHashAlgorithm(signatureAlgorithm);
  }

  // --- digests --------------------------------------------------------------------------------

  /** Any core hash; WebCrypto for SHA-1/SHA-2 when present. */
  override async digest(algorithm: AlgorithmIdentifier, data: BufferSource): Promise<ArrayBuffer> {
    const hash = aHash(algorithm, 'digest');
    if (!this.coreFor(hash, hash)) return this.web!.digest(hash, bytesOf(data) as Uint8Array<ArrayBuffer>);
    return bufferOf(await this.core.digest(hash, bytesOf(data)));
  }

  // --- keys -----------------------------------------------------------------------------------

  /**
   * `raw` secret keys (DES, 3DES, RC2, and AES/HMAC in core mode), `spki` / `pkcs8`
   * for RSAES-PKCS1-v1_5 (and RSA/ECDSA in core mode, or with a hash WebCrypto lacks).
   */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the SubtleCrypto overloads
  override async importKey(format: KeyFormat, keyData: BufferSource | JsonWebKey, algorithm: any, extractable: boolean, keyUsages: any): Promise<CryptoKey> {
    const alg = (typeof algorithm === 'string' ? { name: algorithm } : algorithm) as Algorithm & Record<string, unknown>;
    const name = algName(alg, 'importKey');
    const usages = [...((keyUsages ?? []) as Iterable<KeyUsage>)];
    if (!this.coreFor(name, alg.hash)) return super.importKey(format, keyData, algorithm, extractable, usages);
    return importCoreKey(this.core, format, keyData, alg, name, extractable, usages);
  }

  /** `raw` / `spki` / `pkcs8` export of core keys; WebCrypto keys go to WebCrypto. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the SubtleCrypto overloads
  override async exportKey(format: any, key: CryptoKey): Promise<any> {
    if (!(key instanceof CoreKey)) {
      if (!this.web) throw new TypeError('engine.exportKey: not a key of this engine');
      return super.exportKey(format as KeyFormat, key);
    }
    return exportCoreKey(this.core, format, key);
  }

  /**
   * A private-key handle whose RSAES-PKCS1-v1_5 decryption is `decrypter.decryptPkcs1` (for
   * pkijs' `EnvelopedData.decrypt({ recipientPrivateKey })` with keys held elsewhere).
   */
  decrypterKey(decrypter: Decrypter): CryptoKey {
    return decrypterKey(decrypter);
  }

  /** Random DES (odd parity), 3DES, RC2 keys; in core mode AES, HMAC, RSA and ECDSA keys too. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the SubtleCrypto overloads
  override async generateKey(algorithm: any, extractable: boolean, keyUsages: any): Promise<any> {
    const alg = (typeof algorithm === 'string' ? { name: algorithm } : algorithm) as Algorithm & Record<string, unknown>;
    const name = algName(alg, 'generateKey');
    const usages = [...((keyUsages ?? []) as Iterable<KeyUsage>)];
    if (!this.coreFor(name, alg.hash)) return super.generateKey(algorithm, extractable, usages);
    const canonical = CANONICAL[name.toUpperCase()];
    const length = typeof alg.length === 'number' ? alg.length : undefined;
    switch (canonical) {
      case 'DES-CBC':
        return this.importKey('raw', desParity(randomBytes(8)), { name: canonical }, extractable, usages);
      case 'DES-EDE3-CBC':
        return this.importKey('raw', desParity(randomBytes(24)), { name: canonical }, extractable, usages);
      case 'DES-EDE-CBC':
        return this.importKey('raw', desParity(randomBytes(16)), { name: canonical }, extractable, usages);
      case 'RC2-CBC':
      case 'AES-CBC': {
        const bits = length ?? (canonical === 'AES-CBC' ? 256 : 128);
        if (bits % 8) throw new RangeError(`engine.generateKey: ${canonical} length ${bits}`);
        return this.importKey('raw', randomBytes(bits / 8), { name: canonical }, extractable, usages);
      }
      case 'HMAC': {
        const hash = aHash(alg.hash, 'generateKey');
        const bits = length ?? HASH_BLOCK[hash] * 8;
        return this.importKey('raw', randomBytes(Math.ceil(bits / 8)), { name: 'HMAC', hash: { name: hash } }, extractable, usages);
      }
      case 'ECDSA': {
        const pair = await this.core.ecGenerate(alg.namedCurve as 'P-256' | 'P-384' | 'P-521');
        return this.keyPair(pair, alg, extractable, usages);
      }
      case 'RSASSA-PKCS1-v1_5':
      case 'RSA-PSS':
      case 'RSA-OAEP':
      case 'RSAES-PKCS1-v1_5': {
        const bits = Number(alg.modulusLength ?? 2048);
        const e = alg.publicExponent instanceof Uint8Array ? alg.publicExponent : 65537;
        const pair = await this.core.rsaGenerate(bits, e);
        return this.keyPair(pair, alg, extractable, usages);
      }
    }
    throw unsupported('generateKey', `${name} without WebCrypto`);
  }

  private async keyPair(pair: { pkcs8: Uint8Array; spki: Uint8Array }, alg: Algorithm & Record<string, unknown>, extractable: boolean, usages: KeyUsage[]): Promise<CryptoKeyPair> {
    const pub: KeyUsage[] = usages.filter((u) => u === 'verify' || u === 'encrypt' || u === 'wrapKey');
    const priv: KeyUsage[] = usages.filter((u) => u === 'sign' || u === 'decrypt' || u === 'unwrapKey');
    return {
      publicKey: await this.importKey('spki', pair.spki as Uint8Array<ArrayBuffer>, alg, true, pub),
      privateKey: await this.importKey('pkcs8', pair.pkcs8 as Uint8Array<ArrayBuffer>, alg, extractable, priv),
    };
  }

  // --- encryption -----------------------------------------------------------------------------

  /**
   * RSAES-PKCS1-v1_5 (RFC 8017 §7.2.1), DES/3DES/RC2-CBC with `{ iv }` (8 bytes; RC2 takes
   * `effectiveKeyBits`, default 8 × key length), and in core mode AES-CBC and RSA-OAEP.
   */
  override async encrypt(algorithm: AlgorithmIdentifier | RsaOaepParams | AesCbcParams, key: CryptoKey, data: BufferSource): Promise<ArrayBuffer> {
    if (!(key instanceof CoreKey)) {
      if (!this.web) throw new TypeError('engine.encrypt: not a key of this engine');
      return super.encrypt(algorithm as AesCbcParams, key, data);
    }
    return bufferOf(await this.crypt(true, algorithm, key, bytesOf(data)));
  }

  /** The inverse of `encrypt`; a decryption failure throws `PkiError('decrypt')`. */
  override async decrypt(algorithm: AlgorithmIdentifier | RsaOaepParams | AesCbcParams, key: CryptoKey, data: BufferSource): Promise<ArrayBuffer> {
    if (!(key instanceof CoreKey)) {
      if (!this.web) throw new TypeError('engine.decrypt: not a key of this engine');
      return super.decrypt(algorithm as AesCbcParams, key, data);
    }
    return bufferOf(await this.crypt(false, algorithm, key, bytesOf(data)));
  }

  private async crypt(enc: boolean, algorithm: unknown, key: CoreKey, data: Uint8Array): Promise<Uint8Array> {
    const op = enc ? 'encrypt' : 'decrypt';
    const alg = (typeof algorithm === 'string' ? { name: algorithm } : algorithm) as Record<string, unknown> & Algorithm;
    const name = CANONICAL[algName(alg, op).toUpperCase()];
    if (name !== CANONICAL[key.algorithm.name.toUpperCase()]) throw new TypeError(`engine.${op}: a ${key.algorithm.name} key cannot do ${alg.name}`);
    aUsage(key, op, op);
    switch (name) {
      case 'AES-CBC':
      case 'DES-CBC':
      case 'DES-EDE3-CBC':
      case 'DES-EDE-CBC':
      case 'RC2-CBC': {
        const iv = alg.iv === undefined ? undefined : bytesOf(alg.iv as BufferSource);
        const want = ivLength(name);
        if (!iv || iv.length !== want) {
          throw new RangeError(`engine.${op}: ${name} needs an IV of ${want} bytes, got ${iv?.length ?? 'none'}${want === 8 ? ' (pkijs EnvelopedData.encrypt writes 16: use envelope())' : ''}`);
        }
        const k = secretOf(key, op);
        const opts = name === 'RC2-CBC' ? { rc2EffectiveBits: typeof alg.effectiveKeyBits === 'number' ? alg.effectiveKeyBits : Math.min(1024, k.length * 8) } : undefined;
        return enc ? this.core.encryptCbc(name, k, iv, data, opts) : this.core.decryptCbc(name, k, iv, data, opts);
      }
      case 'RSAES-PKCS1-v1_5': {
        const m = material(key, op);
        if (m.kind === 'decrypter') {
          if (enc) throw new TypeError('engine.encrypt: a Decrypter cannot encrypt');
          return m.decrypter.decryptPkcs1(data);
        }
        if (m.kind !== 'rsa') throw new TypeError(`engine.${op}: not an RSA key`);
        if (enc) return this.core.rsaEncryptPkcs1(m.der, data);
        if (key.type !== 'private') throw new PkiError('key', 'engine.decrypt: needs a private key');
        return this.core.rsaDecryptPkcs1(m.der, data);
      }
      case 'RSA-OAEP': {
        const der = derOf(key, 'rsa', op);
        const hash = aHash((key.algorithm as { hash?: unknown }).hash, op);
        const label = alg.label === undefined ? new Uint8Array(0) : bytesOf(alg.label as BufferSource);
        return enc ? this.core.rsaEncryptOaep(der, hash, hash, label, data) : this.core.rsaDecryptOaep(der, hash, hash, label, data);
      }
    }
    throw unsupported(op, `${alg.name} with a core key`);
  }

  // --- signatures -----------------------------------------------------------------------------

  /** HMAC, RSASSA-PKCS1-v1_5, RSA-PSS and ECDSA (P1363 signature, as WebCrypto) with core keys. */
  override async sign(algorithm: AlgorithmIdentifier | RsaPssParams | EcdsaParams, key: CryptoKey, data: BufferSource): Promise<ArrayBuffer> {
    if (!(key instanceof CoreKey)) {
      if (!this.web) throw new TypeError('engine.sign: not a key of this engine');
      return super.sign(algorithm as EcdsaParams, key, data);
    }
    aUsage(key, 'sign', 'sign');
    const msg = bytesOf(data);
    const alg = (typeof algorithm === 'string' ? { name: algorithm } : algorithm) as Record<string, unknown> & Algorithm;
    const name = CANONICAL[algName(alg, 'sign').toUpperCase()];
    const hash = aHash(alg.hash ?? (key.algorithm as { hash?: unknown }).hash, 'sign');
    switch (name) {
      case 'HMAC':
        return bufferOf(await this.core.hmac(aHash((key.algorithm as { hash?: unknown }).hash, 'sign'), secretOf(key, 'sign'), msg));
      case 'RSASSA-PKCS1-v1_5':
        return bufferOf(await this.core.rsaSignPkcs1(derOf(key, 'rsa', 'sign'), hash, msg));
      case 'RSA-PSS':
        return bufferOf(await this.core.rsaSignPss(derOf(key, 'rsa', 'sign'), hash, hash, Number(alg.saltLength ?? HASH_SIZE[hash]), msg));
      case 'ECDSA':
        return bufferOf(await this.core.ecSign(derOf(key, 'ec', 'sign'), hash, msg, 'p1363'));
    }
    throw unsupported('sign', `${alg.name} with a core key`);
  }

  /** The inverse of `sign`; false for any mismatch. */
  override async verify(algorithm: AlgorithmIdentifier | RsaPssParams | EcdsaParams, key: CryptoKey, signature: BufferSource, data: BufferSource): Promise<boolean> {
    if (!(key instanceof CoreKey)) {
      if (!this.web) throw new TypeError('engine.verify: not a key of this engine');
      return super.verify(algorithm as EcdsaParams, key, signature, data);
    }
    const msg = bytesOf(data);
    const sig = bytesOf(signature);
    const alg = (typeof algorithm === 'string' ? { name: algorithm } : algorithm) as Record<string, unknown> & Algorithm;
    const name = CANONICAL[algName(alg, 'verify').toUpperCase()];
    const hash = aHash(alg.hash ?? (key.algorithm as { hash?: unknown }).hash, 'verify');
    switch (name) {
      case 'HMAC': {
        const tag = await this.core.hmac(aHash((key.algorithm as { hash?: unknown }).hash, 'verify'), secretOf(key, 'verify'), msg);
        return equalBytes(tag, sig);
      }
      case 'RSASSA-PKCS1-v1_5':
        return this.core.rsaVerifyPkcs1(derOf(key, 'rsa', 'verify'), hash, msg, sig);
      case 'RSA-PSS':
        return this.core.rsaVerifyPss(derOf(key, 'rsa', 'verify'), hash, hash, Number(alg.saltLength ?? HASH_SIZE[hash]), msg, sig);
      case 'ECDSA':
        return this.core.ecVerify(derOf(key, 'ec', 'verify'), hash, msg, sig, 'p1363');
    }
    throw unsupported('verify', `${alg.name} with a core key`);
  }

  // --- key derivation -------------------------------------------------------------------------

  /** Key derivation (PBKDF2, ECDH, HKDF) exists only in WebCrypto. */
  override async deriveBits(algorithm: AlgorithmIdentifier | Pbkdf2Params | EcdhKeyDeriveParams | HkdfParams, baseKey: CryptoKey, length: number): Promise<ArrayBuffer> {
    if (!this.web || baseKey instanceof CoreKey) throw unsupported('deriveBits', 'key derivation with core keys');
    return super.deriveBits(algorithm as Pbkdf2Params, baseKey, length);
  }

  /** AES-KW and friends exist only in WebCrypto. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the SubtleCrypto overloads
  override async wrapKey(format: KeyFormat, key: CryptoKey, wrappingKey: CryptoKey, wrapAlgorithm: any): Promise<ArrayBuffer> {
    if (!this.web || key instanceof CoreKey || wrappingKey instanceof CoreKey) throw unsupported('wrapKey', 'key wrapping with core keys');
    return super.wrapKey(format, key, wrappingKey, wrapAlgorithm);
  }

  /** AES-KW and friends exist only in WebCrypto. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the SubtleCrypto overloads
  override async unwrapKey(format: KeyFormat, wrappedKey: BufferSource, unwrappingKey: CryptoKey, unwrapAlgorithm: any, unwrappedKeyAlgorithm: any, extractable: boolean, keyUsages: any): Promise<CryptoKey> {
    if (!this.web || unwrappingKey instanceof CoreKey) throw unsupported('unwrapKey', 'key unwrapping with core keys');
    return super.unwrapKey(format, wrappedKey, unwrappingKey, unwrapAlgorithm, unwrappedKeyAlgorithm, extractable, [...(keyUsages as Iterable<KeyUsage>)]);
  }
}

/**
 * Creates the engine over `core`. `opts.subtle` selects WebCrypto (default
 * `globalThis.crypto.subtle`, absent on plain-HTTP pages); `null` sends everything to the core.
 */
export function createPkiEngine(core: CoreApi, opts?: PkiEngineOptions): PkiEngine {
  const web = opts && 'subtle' in opts ? (opts.subtle ?? null) : (globalThis.crypto?.subtle ?? null);
  return new PkiEngine(core, web);
}
