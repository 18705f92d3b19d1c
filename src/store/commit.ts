/**
 * One change across stores, all or nothing: a new key, its certificate in the saved
 * configuration and the end of the enrollment that produced them are written in one IndexedDB
 * transaction over `keys`, `nvram` and `meta` (DESIGN.md §4.3). A tab closed, a crash or a
 * quota error in the middle leaves every store as it was before the commit.
 *
 * The in-memory variant (no IndexedDB, unit tests) applies the parts in order; memory does not
 * survive a crash anyway.
 */
import { StoreError } from '../util/errors.ts';
import type { TrustpointDb } from './db.ts';
import type { KeyRecord, KeyUsage } from './schema.ts';
import { makeNvramRecord, type Nvram } from './nvram.ts';
import type { KeyStore } from './keystore.ts';
import type { MetaStore } from './meta.ts';

export interface CommitOps {
  /** key records to delete (by [label, usage]), then to put */
  keys?: { remove?: [string, KeyUsage][]; put?: KeyRecord[] };
  /** a configuration file to write (the startup-config) */
  nvram?: { name: string; text: string; now: number };
  /** small records to set or delete */
  meta?: { set?: [string, unknown][]; remove?: string[] };
}

export interface Committer {
  commit(ops: CommitOps): Promise<void>;
}

type StoreName = 'keys' | 'nvram' | 'meta';

export class IdbCommitter implements Committer {
  /** `onQueued`: a test seam called once the writes are queued and before the transaction completes. */
  constructor(
    private readonly db: TrustpointDb,
    private readonly onQueued?: () => void,
  ) {}

  async commit(ops: CommitOps): Promise<void> {
    const names: StoreName[] = [];
    if (ops.keys && (ops.keys.put?.length || ops.keys.remove?.length)) names.push('keys');
    if (ops.nvram) names.push('nvram');
    if (ops.meta && (ops.meta.set?.length || ops.meta.remove?.length)) names.push('meta');
    if (!names.length) return;
    // Built before the transaction opens: nothing inside it may wait on anything but IndexedDB.
    const nv = ops.nvram ? makeNvramRecord(ops.nvram.name, ops.nvram.text, ops.nvram.now) : undefined;
    try {
      const tx = this.db.transaction(names, 'readwrite', { durability: 'strict' });
      const pending: Promise<unknown>[] = [];
      if (ops.keys) {
        const ks = tx.objectStore('keys');
        for (const k of ops.keys.remove ?? []) pending.push(ks.delete(k));
        for (const r of ops.keys.put ?? []) pending.push(ks.put(r));
      }
      if (nv) pending.push(tx.objectStore('nvram').put(nv));
      if (ops.meta) {
        const ms = tx.objectStore('meta');
        for (const k of ops.meta.remove ?? []) pending.push(ms.delete(k));
        for (const [key, value] of ops.meta.set ?? []) pending.push(ms.put({ key, value }));
      }
      if (ops.nvram) this.onQueued?.();
      await Promise.all([...pending, tx.done]);
    } catch (e) {
      if (e instanceof StoreError) throw e;
      const name = (e as { name?: string }).name;
      throw new StoreError(name === 'QuotaExceededError' ? 'quota' : 'unavailable', `store.commit: ${(e as Error).message}`, { cause: e });
    }
  }
}

/** Applies the parts one after the other (memory stores; nothing to keep across a crash). */
export class SequentialCommitter implements Committer {
  constructor(private readonly stores: { keystore: KeyStore; nvram: Nvram; meta: MetaStore }) {}

  async commit(ops: CommitOps): Promise<void> {
    if (ops.nvram) makeNvramRecord(ops.nvram.name, ops.nvram.text, ops.nvram.now); // the size check, before anything changes
    if (ops.keys) await this.stores.keystore.put(ops.keys.put ?? [], ops.keys.remove ?? []);
    if (ops.nvram) await this.stores.nvram.write(ops.nvram.name, ops.nvram.text, ops.nvram.now);
    for (const k of ops.meta?.remove ?? []) await this.stores.meta.remove(k);
    for (const [k, v] of ops.meta?.set ?? []) await this.stores.meta.set(k, v);
  }
}
