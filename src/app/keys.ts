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
import type { Interaction } from './interaction.ts';
import { PkiError } from '../util/errors.ts';
import { toHex } from '../util/hex.ts';

/**
 * Label prefix of a regenerated pair waiting for its certificate (`regenerate`, the shadow key
 * of a rollover): it lives beside the current pair until its certificate is committed, which
 * makes it the current pair.
 */
export const PENDING_PREFIX = '\u0000pending:';

/**
 * Label prefix of a pair that was replaced (by a rollover, a re-import, a new key under the
 * same label) but is still named by a certificate in the startup-config, in another tab's
 * running-config or by a pending enrollment: it is kept, unused, until nothing names it
 * (`collectRetiredKeys`), so a certificate is never left without its key.
 * Form: `\0retired:<12 bytes of the SPKI in hex>:<label>`.
 */
export const RETIRED_PREFIX = '\u0000retired:';

export type KeyState = 'current' | 'pending' | 'retired';

export function keyState(rec: KeyRecord | string): KeyState {
  const l = typeof rec === 'string' ? rec : rec.label;
  return l.startsWith(PENDING_PREFIX) ? 'pending' : l.startsWith(RETIRED_PREFIX) ? 'retired' : 'current';
}

export function isPending(rec: KeyRecord): boolean {
  return keyState(rec) === 'pending';
}

/** The label a user gave the pair, whatever its state. */
export function baseLabel(rec: KeyRecord | string): string {
  const l = typeof rec === 'string' ? rec : rec.label;
  if (l.startsWith(PENDING_PREFIX)) return l.slice(PENDING_PREFIX.length);
  if (l.startsWith(RETIRED_PREFIX)) return l.slice(l.indexOf(':', RETIRED_PREFIX.length) + 1);
  return l;
}

/** The store label under which `rec` is kept once retired (unique per public key). */
export function retiredLabel(rec: KeyRecord): string {
  return `${RETIRED_PREFIX}${toHex(rec.spki.subarray(-12))}:${baseLabel(rec)}`;
}

export function displayLabel(rec: KeyRecord): string {
  const state = keyState(rec);
  if (state === 'pending') return `${baseLabel(rec)} (shadow: regenerated, waiting for its certificate)`;
  if (state === 'retired') return `${baseLabel(rec)} (previous key, kept while a saved certificate names it)`;
  return rec.label;
}

/**
 * Without a secure context there is no WebCrypto to wrap a private key with: it would be stored
 * as it is. Refuse unless the user, told so, agrees — every time (a non-interactive caller never
 * agrees).
 */
export async function assertCanStoreKeys(io: Interaction, what: string): Promise<void> {
  if (hasWebCrypto()) return;
  io.print('% WARNING: this page is not a secure context (plain http?), so the browser offers no way to');
  io.print(`%          encrypt ${what} at rest: it would be stored UNENCRYPTED in this browser profile.`);
  io.print('%          Serve Trustpoint over https (or from localhost) to have keys protected.');
  if (!io.interactive || !(await io.confirm('% Store the private key unencrypted anyway? [yes/no]: '))) throw new PkiError('refused', '% Private key not stored (no secure context).');
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
  /** Signers and decrypters handed out, by public key, so zeroize can wipe them. */
  private live = new Map<string, { wipe?(): void }[]>();
  /** Public keys zeroized in this session: their signers refuse even if a copy survived. */
  private zeroized = new Set<string>();
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

  async signer(rec: KeyRecord): Promise<Signer> {
    if (rec.holder === 'token') {
      if (!this.tokenSigner) throw new PkiError('unsupported', `keys: ${baseLabel(rec)} is on ${rec.device ?? 'a token'}, and this build has no token support`);
      return this.track(rec.spki, this.tokenSigner(rec));
    }
    const info: KeyInfo = rec.kind === 'rsa' ? { kind: 'rsa', bits: rec.bits ?? 0 } : { kind: 'ec', curve: rec.curve as NamedCurve };
    let inner: Signer;
    if (rec.holder === 'webcrypto') {
      if (!rec.privateKey || !rec.publicKey) throw new PkiError('bad-key', `keys: the private key of ${baseLabel(rec)} is missing from the key store`);
      if (!hasWebCrypto()) throw new PkiError('unsupported', `keys: ${baseLabel(rec)} is a WebCrypto key, and this page has no WebCrypto (plain HTTP?)`);
      inner = await webCryptoSigner({ privateKey: rec.privateKey, publicKey: rec.publicKey });
    } else {
      const pkcs8 = await this.store.unwrap(rec.wrapped!);
      inner = coreSigner(await this.core(), pkcs8, rec.spki, info);
      pkcs8.fill(0);
    }
    return this.track(rec.spki, inner);
  }

  /** A decrypter for core-held RSA keys; undefined for keys that cannot decrypt (WebCrypto RSASSA, EC). */
  async decrypter(rec: KeyRecord): Promise<Decrypter | undefined> {
    if (rec.holder !== 'core' || rec.kind !== 'rsa') return undefined;
    const pkcs8 = await this.store.unwrap(rec.wrapped!);
    const d = coreDecrypter(await this.core(), pkcs8, rec.spki);
    pkcs8.fill(0);
    return this.track(rec.spki, d);
  }

  /** Registers a signer/decrypter for `wipe` and makes it refuse once its key is zeroized. */
  private track<T extends Signer | Decrypter>(spki: Uint8Array, inner: T): T {
    const id = toHex(spki);
    const refuse = () => {
      if (this.zeroized.has(id)) throw new PkiError('bad-key', 'keys: this key was zeroized ("crypto key zeroize"); it no longer signs or decrypts');
    };
    const list = this.live.get(id) ?? [];
    list.push(inner);
    this.live.set(id, list);
    if ('sign' in inner) {
      const s = inner as Signer;
      return { ...s, sign: async (d, h, sig) => (refuse(), s.sign(d, h, sig)) } as T;
    }
    const d = inner as Decrypter;
    return { ...d, decryptPkcs1: async (c, sig) => (refuse(), d.decryptPkcs1(c, sig)) } as T;
  }

  /**
   * `crypto key zeroize`: every signer and decrypter handed out for these public keys
   * overwrites its private copy and refuses from now on. (The records themselves are deleted
   * by the caller, in the same step as the certificates that named them.)
   */
  forget(spkis: Uint8Array[]): void {
    for (const spki of spkis) {
      const id = toHex(spki);
      this.zeroized.add(id);
      for (const x of this.live.get(id) ?? []) x.wipe?.();
      this.live.delete(id);
    }
  }

  /** Every record (any state) holding this public key. */
  async bySpki(spki: Uint8Array): Promise<KeyRecord[]> {
    const id = toHex(spki);
    return (await this.store.list()).filter((r) => toHex(r.spki) === id);
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
