/**
 * NVRAM: named configuration files (`startup-config`). A write is one `put` in one
 * transaction, so it is atomic: a tab closed mid-write leaves the previous file intact. Every
 * record carries its length and CRC-32; a record that fails the check is reported as
 * corrupt, never returned as if it were good.
 */
import { StoreError } from '../util/errors.ts';
import { crc32 } from '../util/crc32.ts';
import { utf8 } from '../util/bytes.ts';
import type { TrustpointDb } from './db.ts';
import type { NvramFile } from './schema.ts';

/** The size IOS-style commands report and the largest configuration we accept. */
export const NVRAM_CAPACITY = 1_048_576;

export interface Nvram {
  /** true when the data survives a reload (IndexedDB), false for the in-memory fallback */
  readonly persistent: boolean;
  read(name: string): Promise<NvramFile | undefined>;
  write(name: string, text: string, now?: number): Promise<NvramFile>;
  erase(name: string): Promise<boolean>;
  list(): Promise<NvramFile[]>;
}

/** A checked NVRAM record (size limit, length and CRC-32), ready to store. */
export function makeNvramRecord(name: string, text: string, now: number): NvramFile {
  const bytes = utf8(text);
  if (bytes.length > NVRAM_CAPACITY) throw new StoreError('quota', `nvram.write: ${bytes.length} bytes do not fit in NVRAM (${NVRAM_CAPACITY} bytes)`);
  return { name, text, bytes: bytes.length, crc32: crc32(bytes), savedAt: now };
}

function check(rec: NvramFile | undefined): NvramFile | undefined {
  if (!rec) return undefined;
  const bytes = utf8(rec.text ?? '');
  if (typeof rec.text !== 'string' || bytes.length !== rec.bytes || crc32(bytes) !== rec.crc32)
    throw new StoreError('corrupt', `nvram.read: ${rec.name} is damaged (checksum mismatch)`);
  return rec;
}

function wrapQuota(e: unknown, op: string): never {
  if (e instanceof StoreError) throw e;
  const name = (e as { name?: string }).name;
  if (name === 'QuotaExceededError') throw new StoreError('quota', `${op}: the browser refused to store more data (quota exceeded)`, { cause: e });
  throw new StoreError('unavailable', `${op}: ${(e as Error).message}`, { cause: e });
}

export class IdbNvram implements Nvram {
  readonly persistent = true;
  constructor(private readonly db: TrustpointDb) {}

  async read(name: string) {
    try {
      return check(await this.db.get('nvram', name));
    } catch (e) {
      return wrapQuota(e, 'nvram.read');
    }
  }

  async write(name: string, text: string, now = Date.now()) {
    const rec = makeNvramRecord(name, text, now);
    try {
      const tx = this.db.transaction('nvram', 'readwrite', { durability: 'strict' });
      await tx.store.put(rec);
      await tx.done;
    } catch (e) {
      wrapQuota(e, 'nvram.write');
    }
    return rec;
  }

  async erase(name: string) {
    try {
      const tx = this.db.transaction('nvram', 'readwrite', { durability: 'strict' });
      const had = (await tx.store.getKey(name)) !== undefined;
      await tx.store.delete(name);
      await tx.done;
      return had;
    } catch (e) {
      return wrapQuota(e, 'nvram.erase');
    }
  }

  async list() {
    const all = await this.db.getAll('nvram');
    return all.map((r) => check(r)!);
  }
}

/** Used when IndexedDB is unavailable: works, but says plainly that nothing survives a reload. */
export class MemoryNvram implements Nvram {
  readonly persistent = false;
  private files = new Map<string, NvramFile>();
  async read(name: string) {
    return check(this.files.get(name));
  }
  async write(name: string, text: string, now = Date.now()) {
    const rec = makeNvramRecord(name, text, now);
    this.files.set(name, rec);
    return rec;
  }
  async erase(name: string) {
    return this.files.delete(name);
  }
  async list() {
    return [...this.files.values()];
  }
}
