/**
 * What the console (cli/) and the views (ui/) need to know of the layers below app/ — storage
 * limits and file systems, key records, key types, PEM — re-exported here, because cli/ and ui/
 * import app/ (and util/) only (STYLE.md §2a; tests/unit/layering.test.ts checks it).
 */
export { FILESYSTEMS, FILESYSTEM_CAPACITY, normalizePath } from '../store/files.ts';
export { NVRAM_CAPACITY } from '../store/nvram.ts';
export { storageEstimate } from '../store/persist.ts';
export type { NvramFile } from '../store/schema.ts';
export type { KeyRecord } from '../store/keystore.ts';
export type { KeyInfo, NamedCurve } from '../crypto/types.ts';
export { writePem } from '../pki/pem.ts';
