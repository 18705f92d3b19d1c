import { defineConfig } from '@playwright/test';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from './tests/chromium.ts';

/**
 * e2e tests run the production build in Debian's Chromium, served by the README's start command
 * (`npm start`, LAB=0, a free port: tests/e2e/global-setup.ts builds and starts it once per run)
 * — and, where a deployment matters, by nginx with deploy/nginx.conf (tests/e2e/servers.ts).
 */
export default defineConfig({
  testDir: 'tests/e2e',
  testMatch: /.*\.spec\.ts$/,
  workers: 1,
  retries: 0,
  timeout: 60_000,
  globalSetup: './tests/e2e/global-setup.ts',
  reporter: [['list']],
  use: {
    browserName: 'chromium',
    launchOptions: { executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS },
    trace: 'off',
  },
});
