/**
 * Loads the in-thread core for unit tests. The debug build (asserts on, unchecked() checked)
 * is the default; CORE_WASM=release tests the shipped build.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createDirectCore } from '../../src/core/direct.ts';
import { instantiateCore, type CoreInstance } from '../../src/core/instance.ts';
import type { CoreApi } from '../../src/core/api.ts';

export const coreWasmPath = (flavour = process.env.CORE_WASM ?? 'debug') =>
  process.env.CORE_WASM_FILE ??
  fileURLToPath(new URL(`../../src/core/gen/${flavour === 'release' ? 'core.wasm' : 'core.debug.wasm'}`, import.meta.url));

/** A domain-only build made by scripts/asc-domain.mjs (e.g. 'rsa', or 'hash-kdf'). */
export const domainWasmPath = (tag: string, release = false) =>
  fileURLToPath(new URL(`../../src/core/gen/domain-${tag}${release ? '' : '.debug'}.wasm`, import.meta.url));

export function loadCoreBytes(flavour?: string): Uint8Array {
  return readFileSync(coreWasmPath(flavour));
}

export const loadCore = (flavour?: string): Promise<CoreApi> => createDirectCore(loadCoreBytes(flavour));
export const loadCoreInstance = (flavour?: string): Promise<CoreInstance> => instantiateCore(loadCoreBytes(flavour));
