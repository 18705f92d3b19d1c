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

export interface Harness {
  app: TrustpointApp;
  session: CliSession;
  nvram: Nvram;
  run(text: string): Promise<string>;
}

export async function harness(opts: { nvram?: Nvram; privileged?: boolean } = {}): Promise<Harness> {
  const nvram = opts.nvram ?? new MemoryNvram();
  const meta = new MemoryMetaStore();
  await meta.set('serial-number', 'C63EBBE9');
  const app = new TrustpointApp({ nvram, keystore: new MemoryKeyStore(), files: new MemoryFileStore(), meta, clock: () => FIXED_NOW, core: sharedCore });
  await app.boot();
  const session = new CliSession(app, { privileged: opts.privileged ?? false });
  return { app, session, nvram, run: makeCliRunner(session) };
}
