/**
 * Playwright global setup of the e2e run: the README's start command (`npm start`, LAB=0, a free
 * PORT) builds the app once and serves it for every spec; its URL is exported as
 * TRUSTPOINT_APP_URL (workers inherit the runner's environment). The returned function stops it.
 */
import type { FullConfig } from '@playwright/test';
import { startCommand } from './servers.ts';

export const APP_URL_ENV = 'TRUSTPOINT_APP_URL';

export default async function globalSetup(_config: FullConfig): Promise<() => Promise<void>> {
  if (process.env[APP_URL_ENV]) return async () => undefined;
  const server = await startCommand();
  process.env[APP_URL_ENV] = server.url;
  return async () => {
    await server.stop();
    delete process.env[APP_URL_ENV];
  };
}
