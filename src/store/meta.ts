/** Small persistent facts (the device serial number, settings) in the `meta` store. */
import type { TrustpointDb } from './db.ts';

export interface MetaStore {
  get<T>(key: string): Promise<T | undefined>;
  set(key: string, value: unknown): Promise<void>;
  remove(key: string): Promise<void>;
  /** Every record whose key starts with `prefix`, in key order. */
  entries<T>(prefix: string): Promise<[string, T][]>;
}

export class IdbMetaStore implements MetaStore {
  constructor(private readonly db: TrustpointDb) {}
  async get<T>(key: string) {
    return (await this.db.get('meta', key))?.value as T | undefined;
  }
  async set(key: string, value: unknown) {
    await this.db.put('meta', { key, value });
  }
  async remove(key: string) {
    await this.db.delete('meta', key);
  }
  async entries<T>(prefix: string) {
    const all = await this.db.getAll('meta', IDBKeyRange.bound(prefix, prefix + '\uffff'));
    return all.map((r): [string, T] => [r.key, r.value as T]);
  }
}

export class MemoryMetaStore implements MetaStore {
  private m = new Map<string, unknown>();
  async get<T>(key: string) {
    return this.m.get(key) as T | undefined;
  }
  async set(key: string, value: unknown) {
    this.m.set(key, value);
  }
  async remove(key: string) {
    this.m.delete(key);
  }
  async entries<T>(prefix: string) {
    return [...this.m.entries()].filter(([k]) => k.startsWith(prefix)).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)) as [string, T][];
  }
}
