/** A headless console for tests: a TrustpointApp on in-memory NVRAM with a fixed clock. */
import { TrustpointApp } from '../../../src/app/app.ts';
import { MemoryNvram, type Nvram } from '../../../src/store/nvram.ts';
import { CliSession } from '../../../src/cli/session.ts';
import { makeCliRunner } from '../../../src/cli/automation.ts';
import { MemoryKeyStore } from '../../../src/store/keystore.ts';
import { MemoryFileStore } from '../../../src/store/files.ts';
import { MemoryMetaStore } from '../../../src/store/meta.ts';
import { loadCore } from '../_core.ts';
import type { CoreApi } from '../../../src/core/api.ts';

let corePromise: Promise<CoreApi> | undefined;
/** One in-thread core (debug build) shared by the tests of a file. */
export const sharedCore = () => (corePromise ??= loadCore());

export const FIXED_NOW = new Date('2026-11-27T03:12:44Z');

/** Everything a TrustpointApp keeps across a reload (IndexedDB in the browser). */
export interface Stores {
  nvram: Nvram;
  keystore: MemoryKeyStore;
  files: MemoryFileStore;
  meta: MemoryMetaStore;
}

export interface Harness {
  app: TrustpointApp;
  session: CliSession;
  nvram: Nvram;
  /** pass to `harness({ stores })` to "reload": a new app over the same NVRAM, keys and files */
  stores: Stores;
  run(text: string): Promise<string>;
}

export async function harness(opts: { nvram?: Nvram; privileged?: boolean; stores?: Stores; clock?: () => Date } = {}): Promise<Harness> {
  const stores: Stores = opts.stores ?? { nvram: opts.nvram ?? new MemoryNvram(), keystore: new MemoryKeyStore(), files: new MemoryFileStore(), meta: new MemoryMetaStore() };
  if (!opts.stores) await stores.meta.set('serial-number', 'C63EBBE9');
  const app = new TrustpointApp({ ...stores, clock: opts.clock ?? (() => FIXED_NOW), core: sharedCore });
  await app.boot();
  const session = new CliSession(app, { privileged: opts.privileged ?? false });
  return { app, session, nvram: stores.nvram, stores, run: makeCliRunner(session) };
}
