/**
 * The key store: key pairs by label and usage (IOS keeps usage keys — a signature and an
 * encryption pair — under one label). WebCrypto keys are stored as non-extractable
 * CryptoKeys (structured clone keeps them opaque); core-held keys (exportable ones, and every
 * key when WebCrypto is absent) are stored as PKCS#8 wrapped with AES-GCM under a
 * non-extractable wrapping key that itself lives in the database. Raw private-key bytes are
 * never stored where a wrapping key is available.
 *
 * Several records change together (a regenerated pair replaces the old one, usage keys come
 * in twos): `put` takes a list and writes it in one transaction.
 */
import { StoreError } from '../util/errors.ts';
import type { TrustpointDb } from './db.ts';
import type { KeyRecord, KeyUsage } from './schema.ts';

export type { KeyRecord, KeyUsage } from './schema.ts';

export interface KeyStore {
  readonly persistent: boolean;
  list(): Promise<KeyRecord[]>;
  get(label: string, usage: KeyUsage): Promise<KeyRecord | undefined>;
  byLabel(label: string): Promise<KeyRecord[]>;
  /** Stores (replacing) all records in one transaction, after deleting `remove`. */
  put(records: KeyRecord[], remove?: [string, KeyUsage][]): Promise<void>;
  /** Deletes every pair with this label (or all when undefined); returns how many. */
  remove(label?: string, kind?: 'rsa' | 'ec'): Promise<number>;
  /** Wraps PKCS#8 for storage (AES-GCM with the store's wrapping key when WebCrypto exists). */
  wrap(pkcs8: Uint8Array): Promise<NonNullable<KeyRecord['wrapped']>>;
  unwrap(w: NonNullable<KeyRecord['wrapped']>): Promise<Uint8Array>;
}

const WRAP_KEY = 'wrap-key';

function subtle(): SubtleCrypto | undefined {
  return typeof crypto !== 'undefined' ? crypto.subtle : undefined;
}

async function wrapWith(key: CryptoKey | undefined, pkcs8: Uint8Array): Promise<NonNullable<KeyRecord['wrapped']>> {
  const s = subtle();
  if (!s || !key) return { alg: 'none', iv: new Uint8Array(0), data: pkcs8.slice() };
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const data = new Uint8Array(await s.encrypt({ name: 'AES-GCM', iv }, key, pkcs8 as Uint8Array<ArrayBuffer>));
  return { alg: 'AES-GCM', iv, data };
}

async function unwrapWith(key: CryptoKey | undefined, w: NonNullable<KeyRecord['wrapped']>): Promise<Uint8Array> {
  if (w.alg === 'none') return w.data.slice();
  const s = subtle();
  if (!s || !key) throw new StoreError('unavailable', 'keystore.unwrap: this key is wrapped with WebCrypto, which this page does not have (plain HTTP?)');
  try {
    return new Uint8Array(await s.decrypt({ name: 'AES-GCM', iv: w.iv as Uint8Array<ArrayBuffer> }, key, w.data as Uint8Array<ArrayBuffer>));
  } catch (e) {
    throw new StoreError('corrupt', 'keystore.unwrap: the stored key does not decrypt (damaged record or wrapping key)', { cause: e });
  }
}

export class IdbKeyStore implements KeyStore {
  readonly persistent = true;
  private wrapKey: Promise<CryptoKey | undefined> | undefined;

  constructor(private readonly db: TrustpointDb) {}

  /** The wrapping key: created once (non-extractable AES-256-GCM), kept in `meta`. */
  private key(): Promise<CryptoKey | undefined> {
    this.wrapKey ??= (async () => {
      const s = subtle();
      if (!s) return undefined;
      const rec = await this.db.get('meta', WRAP_KEY);
      if (rec?.value instanceof CryptoKey) return rec.value;
      const k = await s.generateKey({ name: 'AES-GCM', length: 256 }, false, ['encrypt', 'decrypt']);
      // Another tab may have made one meanwhile: look again and store ours in one transaction,
      // so every tab ends up with the same wrapping key (the loser's key is dropped unused).
      const tx = this.db.transaction('meta', 'readwrite', { durability: 'strict' });
      const now = await tx.store.get(WRAP_KEY);
      if (now?.value instanceof CryptoKey) {
        await tx.done;
        return now.value;
      }
      await tx.store.put({ key: WRAP_KEY, value: k });
      await tx.done;
      return k;
    })();
    return this.wrapKey;
  }

  async list() {
    return this.db.getAll('keys');
  }

  async get(label: string, usage: KeyUsage) {
    return this.db.get('keys', [label, usage]);
  }

  async byLabel(label: string) {
    return this.db.getAllFromIndex('keys', 'label', label);
  }

  async put(records: KeyRecord[], remove: [string, KeyUsage][] = []) {
    try {
      const tx = this.db.transaction('keys', 'readwrite', { durability: 'strict' });
      for (const k of remove) await tx.store.delete(k);
      for (const r of records) await tx.store.put(r);
      await tx.done;
    } catch (e) {
      const name = (e as { name?: string }).name;
      throw new StoreError(name === 'QuotaExceededError' ? 'quota' : 'unavailable', `keystore.put: ${(e as Error).message}`, { cause: e });
    }
  }

  async remove(label?: string, kind?: 'rsa' | 'ec') {
    const tx = this.db.transaction('keys', 'readwrite', { durability: 'strict' });
    let n = 0;
    for (const r of await tx.store.getAll()) {
      if ((label === undefined || r.label === label) && (kind === undefined || r.kind === kind)) {
        await tx.store.delete([r.label, r.usage]);
        n++;
      }
    }
    await tx.done;
    return n;
  }

  async wrap(pkcs8: Uint8Array) {
    return wrapWith(await this.key(), pkcs8);
  }

  async unwrap(w: NonNullable<KeyRecord['wrapped']>) {
    return unwrapWith(await this.key(), w);
  }
}

/** In-memory key store (no IndexedDB, and unit tests). */
export class MemoryKeyStore implements KeyStore {
  readonly persistent = false;
  private recs = new Map<string, KeyRecord>();
  private k: Promise<CryptoKey | undefined> | undefined;
  private id = (label: string, usage: KeyUsage) => `${label}\u0000${usage}`;

  private key() {
    const s = subtle();
    this.k ??= s ? s.generateKey({ name: 'AES-GCM', length: 256 }, false, ['encrypt', 'decrypt']) : Promise.resolve(undefined);
    return this.k;
  }
  async list() {
    return [...this.recs.values()];
  }
  async get(label: string, usage: KeyUsage) {
    return this.recs.get(this.id(label, usage));
  }
  async byLabel(label: string) {
    return [...this.recs.values()].filter((r) => r.label === label);
  }
  async put(records: KeyRecord[], remove: [string, KeyUsage][] = []) {
    for (const [l, u] of remove) this.recs.delete(this.id(l, u));
    for (const r of records) this.recs.set(this.id(r.label, r.usage), r);
  }
  async remove(label?: string, kind?: 'rsa' | 'ec') {
    let n = 0;
    for (const [id, r] of this.recs)
      if ((label === undefined || r.label === label) && (kind === undefined || r.kind === kind)) {
        this.recs.delete(id);
        n++;
      }
    return n;
  }
  async wrap(pkcs8: Uint8Array) {
    return wrapWith(await this.key(), pkcs8);
  }
  async unwrap(w: NonNullable<KeyRecord['wrapped']>) {
    return unwrapWith(await this.key(), w);
  }
}
