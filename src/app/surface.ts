/**
 * What the console (cli/) needs to know of the layers below app/ — the IOS file systems, the
 * NVRAM capacity, key records — re-exported here, because cli/ (like ui/, through
 * services.ts) imports app/ only (STYLE.md §2a; tests/unit/layering.test.ts checks it).
 */
export { FILESYSTEMS, FILESYSTEM_CAPACITY, normalizePath } from '../store/files.ts';
export { NVRAM_CAPACITY } from '../store/nvram.ts';
export type { KeyRecord } from '../store/keystore.ts';
