/** Small persistent facts (the device serial number, settings) in the `meta` store. */
import type { TrustpointDb } from './db.ts';

export interface MetaStore {
  get<T>(key: string): Promise<T | undefined>;
  set(key: string, value: unknown): Promise<void>;
}

export class IdbMetaStore implements MetaStore {
  constructor(private readonly db: TrustpointDb) {}
  async get<T>(key: string) {
    return (await this.db.get('meta', key))?.value as T | undefined;
  }
  async set(key: string, value: unknown) {
    await this.db.put('meta', { key, value });
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
}
