/**
 * Playwright global teardown: stops the peer lab global-setup.ts started (and only that one;
 * a lab that was already running when the run began is left alone).
 */
import { execFileSync } from 'node:child_process';
import type { FullConfig } from '@playwright/test';
import { OWNED_ENV } from './global-setup.ts';
import { ENV, LAB_SH } from './lab.ts';

export default async function globalTeardown(_config: FullConfig): Promise<void> {
  const dir = process.env[OWNED_ENV];
  if (!dir) return;
  execFileSync('bash', [LAB_SH, 'stop'], { env: { ...process.env, LAB_DIR: dir }, stdio: 'inherit', timeout: 30_000 });
  delete process.env[OWNED_ENV];
  delete process.env[ENV.dir];
}
