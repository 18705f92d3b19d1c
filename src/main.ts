/**
 * The composition root: opens NVRAM, boots the app from the startup-config, starts the
 * console session, mounts the shell, exposes `window.trustpoint`, asks for persistent storage
 * and registers the service worker (offline start and the "new version" flow).
 */
import { TrustpointApp, VERSION } from './app/app.ts';
import { AutoEnrollService, type AutoEnv } from './app/auto.ts';
import { publishRunningRefs, withdrawRunningRefs } from './app/commit.ts';
import { userMessage } from './app/messages.ts';
import { DEMO_TRUSTPOINT, demoBanner, probeDemoCa } from './app/demo.ts';
import { CliSession } from './cli/session.ts';
import { makeCliRunner } from './cli/automation.ts';
import { createWorkerCore } from './core/client.ts';
import type { CoreApi } from './core/api.ts';
import { openTrustpointDb } from './store/db.ts';
import { IdbNvram, MemoryNvram, type Nvram } from './store/nvram.ts';
import { IdbKeyStore, MemoryKeyStore, type KeyStore } from './store/keystore.ts';
import { IdbFileStore, MemoryFileStore, type FileStore } from './store/files.ts';
import { IdbMetaStore, MemoryMetaStore, type MetaStore } from './store/meta.ts';
import { requestPersistentStorage } from './store/persist.ts';
import { IdbCommitter, type Committer } from './store/commit.ts';
import { PkiError } from './util/errors.ts';
import { trustedScriptUrl } from './util/trusted-types.ts';
import type { TpApp } from './ui/tp-app.ts';
import { onCommands } from './app/commands-feed.ts';
import './ui/tp-app.ts';

export interface TrustpointGlobal {
  /** Runs console lines as if pasted; resolves to the transcript shown. */
  cli(text: string): Promise<string>;
  version: string;
  // Present only in development builds and with the test seam (`exposeGlobal`); typed as
  // present for the tests that define the seam.
  /** The services. */
  app: TrustpointApp;
  /** The console session. */
  session: CliSession;
  /** The crypto core (Worker), loaded on first use. */
  core(): Promise<CoreApi>;
}

declare global {
  interface Window {
    trustpoint?: TrustpointGlobal;
  }
}

interface Stores {
  nvram: Nvram;
  keystore: KeyStore;
  files: FileStore;
  meta: MetaStore;
  commit?: Committer;
}

/** The e2e test seam (README, "Tests"): defined by a test before the app loads, never in normal use. */
function testSeam(): { pollDelayMs?: unknown; hook?: (stage: string) => Promise<void> | void } | undefined {
  return (window as unknown as { __TRUSTPOINT_TEST__?: { pollDelayMs?: unknown; hook?: (stage: string) => Promise<void> | void } }).__TRUSTPOINT_TEST__;
}

async function openStores(notes: string[], notify: (line: string) => void): Promise<Stores> {
  try {
    const db = await openTrustpointDb({
      onBlocked: () => notify('% NVRAM: waiting for another Trustpoint tab (older version) to close.'),
      onVersionChange: () => notify('% NVRAM: a newer version of Trustpoint was opened in another tab; reload this tab to continue saving.'),
      onTerminated: () => notify('% NVRAM: the browser closed the storage connection; reload to continue saving.'),
    });
    return { nvram: new IdbNvram(db), keystore: new IdbKeyStore(db), files: new IdbFileStore(db), meta: new IdbMetaStore(db), commit: new IdbCommitter(db, () => void testSeam()?.hook?.('commit-queued')) };
  } catch (e) {
    notes.push(e instanceof PkiError ? userMessage(e) : `% NVRAM: ${(e as Error).message}`);
    notes.push('% Running with memory-only NVRAM: nothing is kept across reloads.');
    return { nvram: new MemoryNvram(), keystore: new MemoryKeyStore(), files: new MemoryFileStore(), meta: new MemoryMetaStore() };
  }
}

async function start(): Promise<void> {
  const notes: string[] = [];
  let appRef: TrustpointApp | undefined;
  const stores = await openStores(notes, (l) => appRef?.notify(l));
  const app = new TrustpointApp({ ...stores, core: async () => createWorkerCore(), reload: () => location.reload() });
  appRef = app;
  // Test seam (README, "Tests"): e2e tests shorten the CertPoll wait, which IOS counts in minutes.
  const seam = testSeam();
  if (typeof seam?.pollDelayMs === 'number' && seam.pollDelayMs >= 0) {
    const ms = seam.pollDelayMs;
    app.scepPollDelay = () => ms;
  }
  if (typeof seam?.hook === 'function') app.testHook = seam.hook;
  const boot = await app.boot();
  const session = new CliSession(app);

  const shell = document.createElement('tp-app') as TpApp;
  shell.app = app;
  shell.session = session;
  // Kiosk mode: /?kiosk=NAME (the manifest shortcut opens /?kiosk=, the first trustpoint).
  const kiosk = new URLSearchParams(location.search).get('kiosk');
  if (kiosk !== null) shell.kiosk = kiosk;
  // What the GUI does joins the console history as the commands that do the same (redacted).
  onCommands(app, (c) => {
    for (const l of c.lines) if (!l.startsWith('!')) session.history.push(l.trim());
    if (session.history.length > 256) session.history.splice(0, session.history.length - 256);
  });
  document.body.replaceChildren(shell);
  const startView = new URLSearchParams(location.search).get('view');
  if (startView && ['trustpoints', 'certificates', 'desk', 'keys', 'inspector', 'storage'].includes(startView)) shell.go(startView as Parameters<TpApp['go']>[0]);

  session.print(`Trustpoint Software, Version ${VERSION}`);
  for (const n of notes) session.print(n);
  if (boot.failure) {
    session.print(`% ${boot.failure}`);
    session.print('% Starting with the default configuration; the damaged startup-config is left in NVRAM until you "write memory".');
  } else if (boot.loaded) {
    for (const e of boot.errors) {
      session.print(`% startup-config line ${e.line}: ${e.text.trim()}`);
      session.print(`  ${e.message}`);
    }
    for (const n of boot.notes ?? []) session.print(n);
  } else session.print('startup-config is not present; using the default configuration.');
  session.print('');

  exposeGlobal(app, session);
  document.documentElement.dataset.ready = 'true';
  performance.mark('trustpoint-ready');

  void requestPersistentStorage().then((state) => {
    app.persistState = state;
    shell.requestUpdate();
  });

  startAutoEnrollment(app);

  // SCEP requests left pending at the CA when the page closed resume in the background.
  void import('./app/scep.ts').then(async ({ pendingTransactions, resumePending }) => {
    if (!(await pendingTransactions(app)).length) return;
    const controller = new AbortController();
    await resumePending(app, {
      interactive: false,
      signal: controller.signal,
      print: (l) => app.notify(l),
      ask: () => Promise.reject(new Error('non-interactive')),
      confirm: async () => false,
    });
  });

  // The demo CA the start command may have brought up (dist/demo-ca.json).
  void probeDemoCa().then((state) => {
    app.demo = state;
    for (const l of demoBanner(state, app.running.trustpoints.has(DEMO_TRUSTPOINT))) app.notify(l);
    shell.requestUpdate();
  });

  registerServiceWorker(shell);
  handleLaunchedFiles(shell);
}

/**
 * `window.trustpoint`: the automation API (README) is `cli` and `version`. The services, the
 * session and the core — everything a script in the page could use to read keys or change
 * state without the console — are added only in development builds and where a test defined the
 * seam `window.__TRUSTPOINT_TEST__` before the app loaded.
 */
function exposeGlobal(app: TrustpointApp, session: CliSession): void {
  const api: Pick<TrustpointGlobal, 'cli' | 'version'> & Partial<TrustpointGlobal> = { cli: makeCliRunner(session), version: VERSION };
  const seam = (window as unknown as { __TRUSTPOINT_TEST__?: unknown }).__TRUSTPOINT_TEST__;
  if (!import.meta.env.PROD || (typeof seam === 'object' && seam !== null)) Object.assign(api, { app, session, core: () => app.core() });
  window.trustpoint = Object.freeze(api) as TrustpointGlobal;
}

/** How renewal runs while the app is closed (set once the service worker is registered). */
let backgroundStatus = 'Renewal while the app is closed: not available (no service worker); due renewals run at the next start.';

/**
 * Auto-enrollment in this tab: timers recomputed at start, on configuration and certificate
 * changes, when the tab becomes visible, when the network comes back, and every minute; one
 * renewal per trustpoint across tabs (Web Locks), other tabs told (BroadcastChannel).
 */
function startAutoEnrollment(app: TrustpointApp): void {
  const channel = typeof BroadcastChannel !== 'undefined' ? new BroadcastChannel('trustpoint') : undefined;
  const auto = new AutoEnrollService(app, {
    ...(navigator.locks ? { locks: navigator.locks as unknown as NonNullable<AutoEnv['locks']> } : {}),
    ...(channel ? { channel } : {}),
    notify: (title, body) => {
      if (typeof Notification === 'undefined' || Notification.permission !== 'granted') return;
      void navigator.serviceWorker?.ready.then((r) => r.showNotification(title, { body, tag: 'trustpoint-expiry' }));
    },
    background: () => backgroundStatus,
  });
  app.auto = auto;
  void auto.start();
  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'visible') void auto.runDue();
  });
  window.addEventListener('online', () => void auto.runDue());
  // The service worker's periodic sync hands the work to an open window.
  navigator.serviceWorker?.addEventListener('message', (e) => {
    if ((e.data as { type?: string } | null)?.type === 'trustpoint-run-due') void auto.runDue();
  });
  // This tab's running-config names keys other tabs must not delete: refreshed every minute.
  void publishRunningRefs(app);
  setInterval(() => void publishRunningRefs(app), 60_000);
  window.addEventListener('pagehide', () => void withdrawRunningRefs(app));
}

function registerServiceWorker(shell: TpApp): void {
  if (!import.meta.env.PROD || !('serviceWorker' in navigator)) return;
  let accepted = false;
  void navigator.serviceWorker.register(trustedScriptUrl(new URL('./sw.js', location.href)), { scope: './', type: 'module' }).then((reg) => {
    void registerPeriodicRenewal(reg);
    const offer = () => {
      if (reg.waiting && navigator.serviceWorker.controller) shell.showUpdate();
    };
    offer();
    reg.addEventListener('updatefound', () => {
      reg.installing?.addEventListener('statechange', offer);
    });
    shell.addEventListener('tp-update-accepted', () => {
      accepted = true;
      reg.waiting?.postMessage({ type: 'SKIP_WAITING' });
    });
  });
  navigator.serviceWorker.addEventListener('message', (e: MessageEvent<{ type?: string; text?: string } | null>) => {
    if (e.data?.type === 'csp-violation') console.error(e.data.text);
  });
  navigator.serviceWorker.addEventListener('controllerchange', () => {
    // The first install also changes the controller (clients.claim); only an update the
    // user accepted reloads the page.
    if (!accepted) return;
    accepted = false;
    location.reload();
  });
}

/**
 * Periodic Background Sync (installed app, Chromium): the service worker runs due renewals
 * while the app is closed. Where the browser does not offer it, renewal waits for the next start.
 */
async function registerPeriodicRenewal(reg: ServiceWorkerRegistration): Promise<void> {
  const ps = (reg as unknown as { periodicSync?: { register(tag: string, o: { minInterval: number }): Promise<void> } }).periodicSync;
  if (!ps) {
    backgroundStatus = 'Renewal while the app is closed: this browser has no Periodic Background Sync; due renewals run at the next start.';
    return;
  }
  try {
    const perm = await navigator.permissions.query({ name: 'periodic-background-sync' as PermissionName });
    if (perm.state !== 'granted') {
      backgroundStatus = 'Renewal while the app is closed: Periodic Background Sync is not granted (install the app to allow it); due renewals run at the next start.';
      return;
    }
    await ps.register('trustpoint-renew', { minInterval: 12 * 3_600_000 });
    backgroundStatus = 'Renewal while the app is closed: Periodic Background Sync registered (about every 12 hours, as the browser allows).';
  } catch (e) {
    backgroundStatus = `Renewal while the app is closed: Periodic Background Sync could not be registered (${(e as Error).message}); due renewals run at the next start.`;
  }
}

/** Files opened with the installed app (manifest file_handlers): shown in the viewer, never run. */
function handleLaunchedFiles(shell: TpApp): void {
  const lq = (window as unknown as { launchQueue?: { setConsumer(f: (p: { files: FileSystemFileHandle[] }) => void): void } }).launchQueue;
  lq?.setConsumer(async (params) => {
    for (const h of params.files) {
      const f = await h.getFile();
      await shell.openFile(f.name, new Uint8Array(await f.arrayBuffer()));
    }
  });
}

void start().catch((e) => {
  console.error(e);
  document.body.textContent = `Trustpoint failed to start: ${(e as Error).message}`;
});
