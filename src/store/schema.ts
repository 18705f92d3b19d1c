/**
 * The IndexedDB schema ("NVRAM"), versioned. Each version's upgrade is one cumulative step
 * (`if (oldVersion < N)`), as idb's README recommends, so a browser that skipped versions runs
 * every step it missed, in order, inside the one versionchange transaction.
 *
 * Version 1: `nvram` — configuration files by name (`startup-config`), each a single record
 *            written in one transaction, with its length and CRC-32;
 *            `meta`  — small facts about the database (schema version history).
 */
import type { DBSchema, IDBPDatabase, IDBPTransaction, StoreNames } from 'idb';

export const DB_NAME = 'trustpoint';

export interface NvramFile {
  name: string;
  text: string;
  /** bytes of UTF-8 text */
  bytes: number;
  crc32: number;
  /** ms since the epoch */
  savedAt: number;
}

export interface MetaRecord {
  key: string;
  value: unknown;
}

export interface TrustpointDB extends DBSchema {
  nvram: { key: string; value: NvramFile };
  meta: { key: string; value: MetaRecord };
}

export type UpgradeTx = IDBPTransaction<TrustpointDB, StoreNames<TrustpointDB>[], 'versionchange'>;

/** One schema step: brings a database at version `to - 1` to version `to`. */
export interface Migration {
  to: number;
  run(db: IDBPDatabase<TrustpointDB>, tx: UpgradeTx): void;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    to: 1,
    run(db) {
      db.createObjectStore('nvram', { keyPath: 'name' });
      db.createObjectStore('meta', { keyPath: 'key' });
    },
  },
];

export const SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1]!.to;
