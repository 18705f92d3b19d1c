/**
 * Opens the Trustpoint database with its migrations and the idb lifecycle callbacks wired to
 * events the app can show: another tab holding an older version open (`blocked`), a newer
 * version wanting this connection to close (`versionchange`: we close at once so the other
 * tab can upgrade), and the browser dropping the connection (`terminated`).
 */
import { openDB, type IDBPDatabase } from 'idb';
import { StoreError } from '../util/errors.ts';
import { DB_NAME, MIGRATIONS, type Migration, type TrustpointDB } from './schema.ts';

export interface StoreEvents {
  /** Another tab keeps an older version open; the upgrade waits until it closes. */
  onBlocked?(): void;
  /** A newer version of the app wants to upgrade the database; this connection was closed. */
  onVersionChange?(): void;
  /** The browser closed the connection abnormally (storage cleared, disk error). */
  onTerminated?(): void;
}

export interface OpenOptions extends StoreEvents {
  name?: string;
  /** For tests: a different list of migrations (default: the shipped ones). */
  migrations?: readonly Migration[];
}

export type TrustpointDb = IDBPDatabase<TrustpointDB>;

export async function openTrustpointDb(opts: OpenOptions = {}): Promise<TrustpointDb> {
  const migrations = opts.migrations ?? MIGRATIONS;
  const version = migrations[migrations.length - 1]!.to;
  if (typeof indexedDB === 'undefined') throw new StoreError('unavailable', 'store.open: IndexedDB is not available in this browser');
  let db: TrustpointDb;
  try {
    db = await openDB<TrustpointDB>(opts.name ?? DB_NAME, version, {
      upgrade(database, oldVersion, _newVersion, tx) {
        for (const m of migrations) if (oldVersion < m.to) m.run(database, tx);
        void tx.objectStore('meta').put({ key: `migrated-to-${version}`, value: { from: oldVersion, at: Date.now() } });
      },
      blocked() {
        opts.onBlocked?.();
      },
      blocking() {
        db?.close();
        opts.onVersionChange?.();
      },
      terminated() {
        opts.onTerminated?.();
      },
    });
  } catch (e) {
    const name = (e as { name?: string }).name;
    if (name === 'VersionError')
      throw new StoreError('version', 'store.open: the saved data was written by a newer version of Trustpoint; reload to get the newer version', { cause: e });
    if (name === 'QuotaExceededError') throw new StoreError('quota', 'store.open: the browser refused storage (quota exceeded)', { cause: e });
    throw new StoreError('unavailable', `store.open: IndexedDB could not be opened (${(e as Error).message})`, { cause: e });
  }
  return db;
}
