/**
 * The IndexedDB schema ("NVRAM"), versioned. Each version's upgrade is one cumulative step
 * (`if (oldVersion < N)`), as idb's README recommends, so a browser that skipped versions runs
 * every step it missed, in order, inside the one versionchange transaction.
 *
 * Version 1: `nvram` — configuration files by name (`startup-config`), each a single record
 *            written in one transaction, with its length and CRC-32;
 *            `meta`  — small facts about the database (schema version history).
 * Version 2: `keys`  — key pairs by [label, usage] (IOS keeps usage keys under one label):
 *            a non-extractable WebCrypto CryptoKey kept by structured clone, or a core-held
 *            key wrapped under a non-extractable AES-GCM key kept in `meta`;
 *            `files` — the device file systems (`flash:`, `disk0:`, `usbflash0:` ...) that IOS
 *            enrollment URLs may name, as files by path (`flash:tp1.req`).
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

export type KeyUsage = 'general' | 'signature' | 'encryption';

export interface KeyRecord {
  label: string;
  usage: KeyUsage;
  kind: 'rsa' | 'ec';
  /** RSA modulus bits */
  bits?: number;
  /** EC curve */
  curve?: 'P-256' | 'P-384' | 'P-521';
  exportable: boolean;
  /** ms since the epoch */
  createdAt: number;
  /** SubjectPublicKeyInfo DER */
  spki: Uint8Array;
  /** where the private key lives ('token': in a PIV slot of `device`, never here) */
  holder: 'webcrypto' | 'core' | 'token';
  /** webcrypto: the non-extractable private key (and its public half) */
  privateKey?: CryptoKey;
  publicKey?: CryptoKey;
  /** core: PKCS#8, AES-GCM-wrapped under meta 'wrap-key' (alg 'none' only where WebCrypto is absent) */
  wrapped?: { alg: 'AES-GCM' | 'none'; iv: Uint8Array; data: Uint8Array };
  /** `on usbtoken0:` keys: the token device */
  device?: string;
  /** token keys: the PIV slot ('9a', '9c', '9d', '9e') */
  slot?: string;
  /** token keys: the token's identity (CHUID GUID or serial), to notice another token */
  tokenId?: string;
}

export interface FileRecord {
  /** `flash:tp1.req` — the file system and the path, normalised */
  path: string;
  data: Uint8Array;
  savedAt: number;
}

export interface TrustpointDB extends DBSchema {
  nvram: { key: string; value: NvramFile };
  meta: { key: string; value: MetaRecord };
  keys: { key: [string, KeyUsage]; value: KeyRecord; indexes: { label: string } };
  files: { key: string; value: FileRecord };
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
  {
    to: 2,
    run(db) {
      const keys = db.createObjectStore('keys', { keyPath: ['label', 'usage'] });
      keys.createIndex('label', 'label');
      db.createObjectStore('files', { keyPath: 'path' });
    },
  },
];

export const SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1]!.to;
