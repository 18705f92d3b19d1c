/**
 * Playwright global setup: one peer lab (SCEP CA + CORS proxy, lab/README.md) for the whole run.
 *
 * Exports to the tests (Playwright workers inherit the runner's environment):
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

/** Set when this setup started the lab; global-teardown.ts stops exactly that one. */
export const OWNED_ENV = 'TRUSTPOINT_LAB_STARTED_BY_SETUP';

export default async function globalSetup(_config: FullConfig): Promise<void> {
  if (process.env[ENV.dir]) return;
  const lab = await startLab({ dir: '.lab/i/playwright', rawPort: 0, corsPort: 0, anyLocalPort: true });
  process.env[ENV.dir] = lab.dir;
  process.env[ENV.scepUrl] = lab.scepUrl;
  process.env[ENV.rawUrl] = lab.rawUrl;
  process.env[ENV.challenge] = lab.challenge;
  process.env[ENV.caSha256] = lab.fingerprints.sha256;
  process.env[OWNED_ENV] = lab.dir;
}
