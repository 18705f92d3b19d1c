/** A headless console for tests: a TrustpointApp on in-memory NVRAM with a fixed clock. */
import { TrustpointApp } from '../../../src/app/app.ts';
import { MemoryNvram, type Nvram } from '../../../src/store/nvram.ts';
import { CliSession } from '../../../src/cli/session.ts';
import { makeCliRunner } from '../../../src/cli/automation.ts';

export const FIXED_NOW = new Date('2026-11-27T03:12:44Z');

export interface Harness {
  app: TrustpointApp;
  session: CliSession;
  nvram: Nvram;
  run(text: string): Promise<string>;
}

export async function harness(opts: { nvram?: Nvram; privileged?: boolean } = {}): Promise<Harness> {
  const nvram = opts.nvram ?? new MemoryNvram();
  const app = new TrustpointApp({ nvram, clock: () => FIXED_NOW });
  await app.boot();
  const session = new CliSession(app, { privileged: opts.privileged ?? false });
  return { app, session, nvram, run: makeCliRunner(session) };
}
