// The only export surface of core.wasm (see assembly/README.md for the ABI).
// Each domain keeps its exports in <domain>/exports.ts; add one line per domain here.
export { io_reserve, io_capacity, io_wipe } from './util/io';
export * from './hash/exports';
export * from './kdf/exports';
export * from './cipher/exports';
export * from './der/exports';
export * from './ec/exports';
export * from './bn/exports';
export * from './rsa/exports';
