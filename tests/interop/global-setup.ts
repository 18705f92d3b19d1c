/**
 * Playwright global setup: one peer lab (SCEP CA + CORS proxy, lab/README.md) for the whole run.
 *
 * Exports to the tests (Playwright workers inherit the runner's environment):
 *   TRUSTPOINT_APP_URL         the app served by the start command (LAB=0, BUILD=0)
 *   TRUSTPOINT_LAB_DIR         LAB_DIR of the lab (`labFromEnv()` in lab.ts attaches to it)
 *   TRUSTPOINT_SCEP_URL        SCEP URL through the CORS proxy (http://127.0.0.1:<port>/scep)
 *   TRUSTPOINT_SCEP_RAW_URL    SCEP URL of the server itself (no CORS)
 *   TRUSTPOINT_SCEP_CHALLENGE  the challenge password (lab-secret)
 *   TRUSTPOINT_SCEP_CA_SHA256  the CA certificate's SHA-256 fingerprint, IOS style
 *
 * The lab lives in `.lab/i/playwright` on free ports and allows any http://127.0.0.1:<port> and
 * http://localhost:<port> origin, because e2e tests serve the app on random ports. If
 * TRUSTPOINT_LAB_DIR is already set, that (running) lab is used and nothing is started.
 */
import type { FullConfig } from '@playwright/test';
import { ENV, startLab } from './lab.ts';
import { startCommand } from '../e2e/servers.ts';
import { APP_URL_ENV } from '../e2e/global-setup.ts';

/** Set when this setup started the lab; global-teardown.ts stops exactly that one. */
export const OWNED_ENV = 'TRUSTPOINT_LAB_STARTED_BY_SETUP';

export default async function globalSetup(_config: FullConfig): Promise<() => Promise<void>> {
  // The app as the start command serves it (`npm start` with LAB=0 and BUILD=0: the build the
  // e2e run made), for specs that need no modified copy of dist/ (appServer() in e2e/fixtures.ts).
  let stopApp = async () => undefined as void;
  if (!process.env[APP_URL_ENV]) {
    const app = await startCommand({ build: false });
    process.env[APP_URL_ENV] = app.url;
    stopApp = async () => {
      await app.stop();
      delete process.env[APP_URL_ENV];
    };
  }
  if (process.env[ENV.dir]) return stopApp;
  const lab = await startLab({ dir: '.lab/i/playwright', rawPort: 0, corsPort: 0, anyLocalPort: true });
  process.env[ENV.dir] = lab.dir;
  process.env[ENV.scepUrl] = lab.scepUrl;
  process.env[ENV.rawUrl] = lab.rawUrl;
  process.env[ENV.challenge] = lab.challenge;
  process.env[ENV.caSha256] = lab.fingerprints.sha256;
  process.env[OWNED_ENV] = lab.dir;
  return stopApp;
}
