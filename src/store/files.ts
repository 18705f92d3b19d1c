/**
 * The device file systems IOS enrollment URLs name — `flash:`, `disk0:`, `usbflash0:`,
 * `bootflash:`, `slot0:` — kept in IndexedDB as files by path, so `enrollment url flash:tp1`
 * writes `flash:tp1.req` and later reads `flash:tp1.crt` (the operator moves files in and out
 * through the Storage view). `nvram:` files named by enrollment URLs (`nvram:tp1.req`) live
 * here too; the startup-config itself is kept by store/nvram.ts.
 */
import { StoreError } from '../util/errors.ts';
import type { TrustpointDb } from './db.ts';
import type { FileRecord } from './schema.ts';

export type { FileRecord } from './schema.ts';

export const FILESYSTEMS = ['flash', 'bootflash', 'disk0', 'disk1', 'usbflash0', 'usbflash1', 'slot0', 'nvram'] as const;
export const FILESYSTEM_CAPACITY = 64 * 1024 * 1024;

/** `flash:/a//b.req` → `flash:a/b.req`; throws StoreError for an unknown file system or bad path. */
export function normalizePath(fs: string, path: string): string {
  const f = fs.toLowerCase();
  if (!(FILESYSTEMS as readonly string[]).includes(f)) throw new StoreError('unavailable', `files: ${fs}: is not a file system here (use flash:, disk0:, usbflash0: ...)`);
  const parts = path.split('/').filter((p) => p && p !== '.');
  if (parts.some((p) => p === '..' || /[\u0000-\u001f]/.test(p))) throw new StoreError('unavailable', `files: invalid path ${JSON.stringify(path)}`);
  return `${f}:${parts.join('/')}`;
}

export interface FileStore {
  read(path: string): Promise<FileRecord | undefined>;
  write(path: string, data: Uint8Array, now?: number): Promise<FileRecord>;
  remove(path: string): Promise<boolean>;
  /** Files of one file system (`flash`), sorted by path. */
  list(fs: string): Promise<FileRecord[]>;
}

export class IdbFileStore implements FileStore {
  constructor(private readonly db: TrustpointDb) {}
  async read(path: string) {
    return this.db.get('files', path);
  }
  async write(path: string, data: Uint8Array, now = Date.now()) {
    const rec: FileRecord = { path, data: data.slice(), savedAt: now };
    try {
      await this.db.put('files', rec);
    } catch (e) {
      const name = (e as { name?: string }).name;
      throw new StoreError(name === 'QuotaExceededError' ? 'quota' : 'unavailable', `files.write: ${(e as Error).message}`, { cause: e });
    }
    return rec;
  }
  async remove(path: string) {
    const had = (await this.db.getKey('files', path)) !== undefined;
    await this.db.delete('files', path);
    return had;
  }
  async list(fs: string) {
    const lo = `${fs}:`;
    return this.db.getAll('files', IDBKeyRange.bound(lo, lo + '\uffff'));
  }
}

export class MemoryFileStore implements FileStore {
  private files = new Map<string, FileRecord>();
  async read(path: string) {
    return this.files.get(path);
  }
  async write(path: string, data: Uint8Array, now = Date.now()) {
    const rec: FileRecord = { path, data: data.slice(), savedAt: now };
    this.files.set(path, rec);
    return rec;
  }
  async remove(path: string) {
    return this.files.delete(path);
  }
  async list(fs: string) {
    return [...this.files.values()].filter((f) => f.path.startsWith(`${fs}:`)).sort((a, b) => a.path.localeCompare(b.path));
  }
}
