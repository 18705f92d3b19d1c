/// <reference lib="webworker" />
/**
 * Renewal while the app is closed (issue 13, "While the app is closed"): the service worker's
 * Periodic Background Sync handler runs the due PKI timers headlessly — the same
 * AutoEnrollService the tabs run, over the same IndexedDB, with the WASM core in-thread (a
 * service worker cannot start a Worker) and core.wasm taken from the precache (its own fetches
 * do not pass through its fetch handler, and it may be offline). When a window of the app is
 * open, that window does the work instead (it is told to), so there is one renewer; the Web
 * Lock per trustpoint would keep them apart anyway.
 */
import wasmUrl from './core/gen/core.wasm?url';
import { TrustpointApp } from './app/app.ts';
import { AutoEnrollService, type AutoEnv } from './app/auto.ts';
import { enroll } from './app/pki.ts';
import { pendingTransactions } from './app/scep.ts';
import { acmeRenewalWindow } from './app/acme.ts';
import { createPkiEngine } from './pki/engine.ts';
import { createDirectCore } from './core/direct.ts';
import { openTrustpointDb } from './store/db.ts';
import { IdbNvram } from './store/nvram.ts';
import { IdbKeyStore } from './store/keystore.ts';
import { IdbFileStore } from './store/files.ts';
import { IdbMetaStore } from './store/meta.ts';
import { IdbCommitter } from './store/commit.ts';

export const RENEW_TAG = 'trustpoint-renew';
export const RUN_DUE_MESSAGE = 'trustpoint-run-due';

async function wasm(): Promise<Response> {
  const url = new URL(wasmUrl, self.location.href).href;
  return (await caches.match(url, { ignoreVary: true })) ?? fetch(url);
}

/** Runs due renewals; returns the IOS log lines it produced (or says it delegated to a window). */
export async function renewInBackground(scope: ServiceWorkerGlobalScope): Promise<string[]> {
  const windows = await scope.clients.matchAll({ type: 'window' });
  if (windows.length) {
    for (const w of windows) w.postMessage({ type: RUN_DUE_MESSAGE });
    return [`delegated to ${windows.length} open window${windows.length === 1 ? '' : 's'}`];
  }
  const db = await openTrustpointDb();
  const channel = typeof BroadcastChannel !== 'undefined' ? new BroadcastChannel('trustpoint') : undefined;
  try {
    const app = new TrustpointApp({
      nvram: new IdbNvram(db),
      keystore: new IdbKeyStore(db),
      files: new IdbFileStore(db),
      meta: new IdbMetaStore(db),
      commit: new IdbCommitter(db),
      core: () => createDirectCore(wasm()),
      // no import() in a service worker: the pkijs engine and the workflows are bundled in
      engine: async (c) => createPkiEngine(c),
    });
    await app.boot();
    const locks = (navigator as unknown as { locks?: AutoEnv['locks'] }).locks;
    const auto = new AutoEnrollService(app, {
      ...(locks ? { locks } : {}),
      ...(channel ? { channel } : {}),
      // Only when the user granted notifications (showNotification rejects otherwise).
      notify: (title, body) => void scope.registration.showNotification(title, { body, tag: 'trustpoint-expiry' }).catch(() => undefined),
      background: () => 'Renewal while the app is closed: this run is the service worker (Periodic Background Sync).',
      workflows: async () => ({ enroll, pendingTransactions, acmeRenewalWindow }),
    });
    app.auto = auto;
    await auto.start();
    await auto.runDue();
    auto.stop();
    (scope as unknown as { lastRenewalLog?: string[] }).lastRenewalLog = auto.log;
    return auto.log;
  } finally {
    channel?.close();
    db.close();
  }
}
