/**
 * Shared e2e helpers: where the app is served (`appUrl()`: the start command the global setup
 * runs; `startApp()`: a private copy of dist/ for tests that must modify it), the test seam,
 * opening the app, driving the console.
 */
import { cpSync, mkdtempSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from '@playwright/test';
import { serveDir, type StaticServer } from './static-server.ts';

export const DIST = fileURLToPath(new URL('../../dist/', import.meta.url));

export interface AppServer extends StaticServer {
  dir: string;
}

/**
 * The app as `npm start` serves it (tests/e2e/global-setup.ts runs the start command once per
 * e2e run). Interop and single runs without that setup get a private copy instead.
 */
export interface RunningApp {
  url: string;
  close(): Promise<void>;
}

export async function appServer(): Promise<RunningApp> {
  const url = process.env.TRUSTPOINT_APP_URL;
  if (url) return { url, close: async () => undefined };
  return startApp();
}

/**
 * Serves a fresh copy of the production build with the private static server — only for tests
 * that change files in it (say why at the call).
 */
export async function startApp(opts: { cacheControl?: string } = {}): Promise<AppServer> {
  if (!existsSync(join(DIST, 'index.html'))) throw new Error('dist/ is missing: run `npm run build` first');
  const dir = mkdtempSync(join(tmpdir(), 'tp-e2e-'));
  cpSync(DIST, dir, { recursive: true });
  const s = await serveDir(dir, opts);
  return {
    ...s,
    dir,
    close: async () => {
      await s.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * Defines the test seam before the app loads: without it a production build exposes only
 * `window.trustpoint.cli` and `.version`; with it also `.app`, `.session` and `.core()`.
 */
export async function enableTestSeam(page: Page, seam: Record<string, unknown> = {}): Promise<void> {
  await page.addInitScript((s) => {
    const w = window as unknown as { __TRUSTPOINT_TEST__?: Record<string, unknown> };
    w.__TRUSTPOINT_TEST__ = { ...(w.__TRUSTPOINT_TEST__ ?? {}), ...s };
  }, seam);
}

export async function openApp(page: Page, url: string): Promise<void> {
  await page.goto(url);
  await page.waitForFunction(() => document.documentElement.dataset.ready === 'true' && !!window.trustpoint);
}

/** Runs lines through window.trustpoint.cli and returns the transcript. */
export function cli(page: Page, text: string): Promise<string> {
  return page.evaluate((t) => window.trustpoint!.cli(t), text);
}

/** Types one line into the console UI and presses Return, then waits for the session to settle. */
export async function typeLine(page: Page, line: string): Promise<void> {
  const input = page.locator('tp-console input');
  await input.focus();
  await page.keyboard.type(line);
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => window.trustpoint!.session.isIdle());
}

export const SCENARIO = `enable
configure terminal
hostname kiosk7
ip domain-name example.com
crypto pki trustpoint trustpt1
 enrollment url http://trustpt1.example.com/
 subject-name OU=Spiral Dept., O=example.com
 ip-address 192.0.2.66
 serial-number none
 usage ike
 auto-enroll 90 regenerate
 password password1
 rsakeypair trustpt1 2048
 fingerprint 12EF53FA 355CD23E 12EF53FA 355CD23E
exit
crypto pki profile enrollment E
 authentication url http://entrust:81
 authentication command GET /certs/cacert.der
 enrollment url http://entrust:81/cda-cgi/clientcgi.exe
 enrollment command POST reference_number=$P2&authcode=$P1&retrievedAs=rawDER&action=getServerCert&pkcs10Request=$REQ
 parameter 1 value aaaa-bbbb-cccc
 parameter 2 value 5001
end
show running-config
write memory`;

/** The configuration body of `show running-config`/`show startup-config` (from the first `!` line after the header). */
export function configBody(transcript: string, command: string): string {
  const start = transcript.lastIndexOf(command);
  const after = transcript.slice(start);
  const body = after.slice(after.indexOf('\n!\n') + 1);
  return body
    .slice(0, body.indexOf('\nend\n') + 5)
    .split('\n')
    .filter((l) => !/^! (Last configuration change|NVRAM config last updated)/.test(l))
    .join('\n');
}
