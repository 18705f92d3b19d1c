/**
 * Key pairs: generation (WebCrypto non-extractable by default; the core for exportable keys
 * and where WebCrypto is absent), storage through the key store, and the Signer/Decrypter of
 * a stored key. Mirrors IOS `crypto key generate`, `crypto key zeroize` and the keys a
 * trustpoint names with `rsakeypair`/`eckeypair`.
 */
import type { CallOptions, CoreApi } from '../core/api.ts';
import { coreDecrypter, coreSigner } from '../crypto/core-keys.ts';
import type { Decrypter, KeyInfo, NamedCurve, Signer } from '../crypto/types.ts';
import { webCryptoSigner } from '../crypto/webcrypto.ts';
import type { KeyRecord, KeyStore, KeyUsage } from '../store/keystore.ts';
import { PkiError } from '../util/errors.ts';

/**
 * Label prefix of a regenerated pair waiting for its certificate (`regenerate`): it lives
 * beside the current pair, invisible to `show crypto key` as a separate name, until
 * `activate` makes it the current pair.
 */
export const PENDING_PREFIX = '\u0000pending:';

export function isPending(rec: KeyRecord): boolean {
  return rec.label.startsWith(PENDING_PREFIX);
}

export function displayLabel(rec: KeyRecord): string {
  return isPending(rec) ? `${rec.label.slice(PENDING_PREFIX.length)} (pending: regenerated, waiting for its certificate)` : rec.label;
}

export interface GenerateRequest {
  label: string;
  key: KeyInfo;
  /** general-keys (one pair) or usage-keys (signature + encryption) */
  usageKeys: boolean;
  exportable: boolean;
}

interface RsaGenCore {
  rsaGenerate(bits: number, publicExponent: number, opts?: CallOptions): Promise<{ pkcs8: Uint8Array; spki: Uint8Array }>;
}

export function hasWebCrypto(): boolean {
  return typeof crypto !== 'undefined' && !!crypto.subtle;
}

export class KeyService {
  /** The Signer of a key on a token (`holder: 'token'`): set by the app (src/app/tokens.ts). */
  tokenSigner: ((rec: KeyRecord) => Signer) | undefined;

  constructor(
    readonly store: KeyStore,
    private readonly core: () => Promise<CoreApi>,
    private readonly now: () => Date = () => new Date(),
  ) {}

  list(): Promise<KeyRecord[]> {
    return this.store.list();
  }

  byLabel(label: string): Promise<KeyRecord[]> {
    return this.store.byLabel(label);
  }

  /** Where a new key will live. */
  holderFor(exportable: boolean): 'webcrypto' | 'core' {
    return !exportable && hasWebCrypto() ? 'webcrypto' : 'core';
  }

  /** Generates one key pair (not stored yet). */
  async generateOne(label: string, usage: KeyUsage, key: KeyInfo, exportable: boolean, opts: CallOptions = {}): Promise<KeyRecord> {
    const base = { label, usage, kind: key.kind, exportable, createdAt: this.now().getTime() } as const;
    const sizes = key.kind === 'rsa' ? { bits: key.bits } : { curve: key.curve };
    if (this.holderFor(exportable) === 'webcrypto') {
      const params =
        key.kind === 'rsa'
          ? { name: 'RSASSA-PKCS1-v1_5', modulusLength: key.bits, publicExponent: new Uint8Array([1, 0, 1]), hash: 'SHA-256' }
          : { name: 'ECDSA', namedCurve: key.curve };
      if (opts.signal?.aborted) throw new DOMException('The operation was aborted.', 'AbortError');
      const pair = (await crypto.subtle.generateKey(params, false, ['sign', 'verify'])) as CryptoKeyPair;
      if (opts.signal?.aborted) throw new DOMException('The operation was aborted.', 'AbortError');
      const spki = new Uint8Array(await crypto.subtle.exportKey('spki', pair.publicKey));
      return { ...base, ...sizes, spki, holder: 'webcrypto', privateKey: pair.privateKey, publicKey: pair.publicKey };
    }
    const core = await this.core();
    let kp: { pkcs8: Uint8Array; spki: Uint8Array };
    if (key.kind === 'ec') kp = await core.ecGenerate(key.curve, opts);
    else {
      const rsa = core as unknown as Partial<RsaGenCore>;
      if (typeof rsa.rsaGenerate !== 'function') throw new PkiError('unsupported', 'keys.generate: RSA key generation in the core is not available in this build');
      kp = await rsa.rsaGenerate(key.bits, 65537, opts);
    }
    const wrapped = await this.store.wrap(kp.pkcs8);
    kp.pkcs8.fill(0);
    return { ...base, ...sizes, spki: kp.spki, holder: 'core', wrapped };
  }

  /** Generates the pair(s) of a request (not stored yet). */
  async generate(req: GenerateRequest, opts: CallOptions = {}): Promise<KeyRecord[]> {
    if (!req.usageKeys) return [await this.generateOne(req.label, 'general', req.key, req.exportable, opts)];
    const sign = await this.generateOne(req.label, 'signature', req.key, req.exportable, opts);
    const encr = await this.generateOne(req.label, 'encryption', req.key, req.exportable, opts);
    return [sign, encr];
  }

  /** Stores records, replacing every pair of the same label and kind, in one transaction. */
  async replaceLabel(records: KeyRecord[]): Promise<void> {
    const labels = new Set(records.map((r) => r.label));
    const remove: [string, KeyUsage][] = [];
    for (const l of labels) for (const old of await this.store.byLabel(l)) remove.push([old.label, old.usage]);
    await this.store.put(records, remove);
  }

  async signer(rec: KeyRecord): Promise<Signer> {
    if (rec.holder === 'token') {
      if (!this.tokenSigner) throw new PkiError('unsupported', `keys: ${rec.label} is on ${rec.device ?? 'a token'}, and this build has no token support`);
      return this.tokenSigner(rec);
    }
    const info: KeyInfo = rec.kind === 'rsa' ? { kind: 'rsa', bits: rec.bits ?? 0 } : { kind: 'ec', curve: rec.curve as NamedCurve };
    if (rec.holder === 'webcrypto') {
      if (!rec.privateKey || !rec.publicKey) throw new PkiError('bad-key', `keys: the private key of ${rec.label} is missing from the key store`);
      if (!hasWebCrypto()) throw new PkiError('unsupported', `keys: ${rec.label} is a WebCrypto key, and this page has no WebCrypto (plain HTTP?)`);
      return webCryptoSigner({ privateKey: rec.privateKey, publicKey: rec.publicKey });
    }
    const pkcs8 = await this.store.unwrap(rec.wrapped!);
    return coreSigner(await this.core(), pkcs8, rec.spki, info);
  }

  /** A decrypter for core-held RSA keys; undefined for keys that cannot decrypt (WebCrypto RSASSA, EC). */
  async decrypter(rec: KeyRecord): Promise<Decrypter | undefined> {
    if (rec.holder !== 'core' || rec.kind !== 'rsa') return undefined;
    return coreDecrypter(await this.core(), await this.store.unwrap(rec.wrapped!), rec.spki);
  }

  /**
   * Makes a pending pair the current one (its certificate was just imported): in one
   * transaction the old pair of the same usage goes and the pending one takes its label.
   * A current pair is left as it is.
   */
  async activate(rec: KeyRecord): Promise<void> {
    if (!isPending(rec)) return;
    const label = rec.label.slice(PENDING_PREFIX.length);
    await this.store.put([{ ...rec, label }], [
      [rec.label, rec.usage],
      [label, rec.usage],
    ]);
  }

  /**
   * A key pair from a PKCS#8 (PKCS#12 or PEM import): non-extractable WebCrypto key when the
   * browser can hold it and it need not be exportable, else core-held and wrapped.
   */
  async importPkcs8(label: string, usage: KeyUsage, pkcs8: Uint8Array, exportable: boolean): Promise<KeyRecord> {
    const core = await this.core();
    let key: KeyInfo;
    let spki: Uint8Array;
    try {
      const info = await core.rsaKeyInfo(pkcs8);
      key = { kind: 'rsa', bits: info.bits };
      spki = await core.rsaConvertKey(pkcs8, 'spki');
    } catch {
      try {
        const info = await core.ecKeyInfo(pkcs8);
        key = { kind: 'ec', curve: info.curve as NamedCurve };
        spki = await core.ecConvertKey(pkcs8, 'spki');
      } catch (e) {
        throw new PkiError('bad-key', `keys.import: the private key is neither a usable RSA nor a P-256/P-384/P-521 EC key (${(e as Error).message})`);
      }
    }
    const base = { label, usage, kind: key.kind, exportable, createdAt: this.now().getTime(), spki } as const;
    const sizes = key.kind === 'rsa' ? { bits: key.bits } : { curve: key.curve };
    if (this.holderFor(exportable) === 'webcrypto') {
      const alg = key.kind === 'rsa' ? { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' } : { name: 'ECDSA', namedCurve: key.curve };
      try {
        const privateKey = await crypto.subtle.importKey('pkcs8', pkcs8 as Uint8Array<ArrayBuffer>, alg, false, ['sign']);
        const publicKey = await crypto.subtle.importKey('spki', spki as Uint8Array<ArrayBuffer>, alg, true, ['verify']);
        return { ...base, ...sizes, holder: 'webcrypto', privateKey, publicKey };
      } catch {
        // WebCrypto refused this key (an unusual encoding or size): the core holds it.
      }
    }
    return { ...base, ...sizes, holder: 'core', wrapped: await this.store.wrap(pkcs8) };
  }

  /** PKCS#8 of an exportable key; refused for others. */
  async exportPkcs8(rec: KeyRecord): Promise<Uint8Array> {
    if (!rec.exportable || rec.holder !== 'core' || !rec.wrapped) throw new PkiError('not-exportable', `% The key pair ${rec.label} is not exportable.`);
    return this.store.unwrap(rec.wrapped);
  }
}
