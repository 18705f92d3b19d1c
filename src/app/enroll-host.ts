/**
 * The app as the enrollment workflows of enroll/ see it (the `EnrollHost` port of
 * enroll/host.ts): the running-config, the clock, the trustpoint's key pairs and signers
 * (app/trustpoint-keys.ts, the key store), chain validation with the trustpoint's revocation
 * checking, the IOS file systems, downloads, and the one commit of app/commit.ts.
 */
import type { TrustpointApp } from './app.ts';
import type { Interaction } from './interaction.ts';
import { fingerprints } from './certs.ts';
import { commitChange } from './commit.ts';
import { keyRecordsFor } from './trustpoint-keys.ts';
import type { EnrollHost } from '../enroll/host.ts';
import type { KeyRecord } from '../store/keystore.ts';

/** The host of one workflow run, driven by `io`. */
export function enrollHost(app: TrustpointApp, io: Interaction): EnrollHost<KeyRecord> {
  return {
    io,
    get running() {
      return app.running;
    },
    get serialNumber() {
      return app.serialNumber;
    },
    clock: () => app.clock(),
    fingerprints: async (der) => fingerprints(await app.core(), der),
    sha1: async (data) => (await app.core()).digest('SHA-1', data),
    verify: app.verify,
    engine: () => app.engine(),
    validateChain: (c) => app.validateChain(c),
    keysFor: (tp, opts) => keyRecordsFor(app, io, tp, opts),
    signer: (k) => app.keys.signer(k),
    commit: async (change) => {
      await commitChange(app, io, change);
      // token keys made current (self-signed, cut-and-paste, file, import): their certificates into the slots too
      await app.tokens.afterCommit(io, change.activate ?? []);
    },
    readFile: async (path) => (await app.files.read(path))?.data,
    writeFile: async (path, data) => {
      await app.files.write(path, data, app.clock().getTime());
    },
    offerDownload: (name, data, mime) => app.offerDownload(name, data, mime),
  };
}

