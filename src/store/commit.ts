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
    const keys = ops.keys && (ops.keys.put?.length || ops.keys.remove?.length) ? ops.keys : undefined;
    const meta = ops.meta && (ops.meta.set?.length || ops.meta.remove?.length) ? ops.meta : undefined;
    const names: StoreName[] = [];
    if (keys) names.push('keys');
    if (ops.nvram) names.push('nvram');
    if (meta) names.push('meta');
    if (!names.length) return;
    // Built before the transaction opens: nothing inside it may wait on anything but IndexedDB.
    const nv = ops.nvram ? makeNvramRecord(ops.nvram.name, ops.nvram.text, ops.nvram.now) : undefined;
    let abort: (() => void) | undefined;
    try {
      const tx = this.db.transaction(names, 'readwrite', { durability: 'strict' });
      abort = () => tx.abort();
      // Every request is watched from the start: if a later one throws, the aborted ones
      // reject, are handled here, and the error that matters is the one rethrown below.
      const pending: Promise<unknown>[] = [];
      const q = (p: Promise<unknown>) => {
        p.catch(() => undefined);
        pending.push(p);
      };
      q(tx.done);
      if (keys) {
        const ks = tx.objectStore('keys');
        for (const k of keys.remove ?? []) q(ks.delete(k));
        for (const r of keys.put ?? []) q(ks.put(r));
      }
      if (nv) q(tx.objectStore('nvram').put(nv));
      if (meta) {
        const ms = tx.objectStore('meta');
        for (const k of meta.remove ?? []) q(ms.delete(k));
        for (const [key, value] of meta.set ?? []) q(ms.put({ key, value }));
      }
      if (nv) this.onQueued?.();
      await Promise.all(pending);
    } catch (e) {
      // Whatever was queued must not commit on its own when this throws: all or nothing.
      try {
        abort?.();
      } catch {
        // already finished or aborted
      }
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
