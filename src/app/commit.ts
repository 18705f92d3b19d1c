/**
 * How a change that involves keys and certificates is made, so that a certificate is never
 * left without its key — in the running-config or in the startup-config — whatever fails or
 * wherever the tab is closed:
 *
 * 1. The new configuration is computed on a copy; the startup-config is written only when the
 *    running-config had no unsaved changes (IOS: otherwise `%PKI-4-NOAUTOSAVE`).
 * 2. One IndexedDB transaction (store/commit.ts) writes the key changes (a shadow pair
 *    promoted to current, the pair it replaces *retired*, not deleted), the startup-config and
 *    the end of the enrollment (its pending SCEP record).
 * 3. Only then does the running-config change.
 * 4. Retired pairs are deleted afterwards, and only those that no certificate of the running-
 *    or startup-config, no pending enrollment and no other open tab's running-config names
 *    (`collectRetiredKeys`).
 *
 * At start-up `reconcileKeys` makes the key store agree with the configuration just loaded:
 * a certificate of the startup-config whose key was retired by an unsaved change gets that key
 * back as the current pair.
 */
import type { TrustpointApp } from './app.ts';
import type { Interaction } from './interaction.ts';
import { PENDING_PREFIX, baseLabel, keyState, retiredLabel } from './keys.ts';
import { cloneConfig, type ChainCertKind, type RunningConfig } from '../config/model.ts';
import { readConfig } from '../config/reader.ts';
import { writeConfig } from '../config/writer.ts';
import type { CommitOps } from '../store/commit.ts';
import type { KeyRecord, KeyUsage } from '../store/keystore.ts';
import { summarizeCertificate } from '../pki/x509.ts';
import { toHex } from '../util/hex.ts';

export const STARTUP = 'startup-config';
/** meta key prefix of a pending SCEP transaction (one record each). */
export const PENDING_TX_PREFIX = 'scep-pending:';
/** meta key prefix under which each open tab lists the public keys its running-config names. */
export const RUNNING_REFS_PREFIX = 'running-refs:';
/** A tab that has not refreshed its entry for this long is gone. */
const REFS_STALE_MS = 3 * 60_000;

/** Certificates that are the device's own (they need their private key). */
const OWN_KINDS: ReadonlySet<ChainCertKind> = new Set(['general', 'self-signed', 'rollover']);

export interface Change {
  /** The configuration change: applied to a copy first (the text that is saved), then to the running-config once committed. */
  apply?(cfg: RunningConfig): void;
  /** Pairs that become current under their label: a pending (shadow) or retired pair is promoted, a new record stored; the pair each replaces is retired. */
  activate?: KeyRecord[];
  /** Records to store as they are (a shadow pair beside a rollover certificate). */
  store?: KeyRecord[];
  /** Records to delete outright (`crypto key zeroize`). */
  delete?: KeyRecord[];
  /** Pending SCEP transactions this change ends. */
  endsPending?: string[];
  /** Other small records to set in the same transaction. */
  meta?: [string, unknown][];
}

export interface CommitResult {
  /** the startup-config was written */
  saved: boolean;
}

/** Key operations that make `recs` current, retiring what they replace. */
async function activationOps(app: TrustpointApp, recs: KeyRecord[]): Promise<{ put: KeyRecord[]; remove: [string, KeyUsage][] }> {
  const put: KeyRecord[] = [];
  const remove: [string, KeyUsage][] = [];
  for (const rec of recs) {
    const label = baseLabel(rec);
    if (keyState(rec) !== 'current') remove.push([rec.label, rec.usage]);
    const current = await app.keys.store.get(label, rec.usage);
    if (current && toHex(current.spki) !== toHex(rec.spki)) put.push({ ...current, label: retiredLabel(current) });
    put.push({ ...rec, label });
  }
  return { put, remove };
}

/**
 * Commits one change (see the module comment). Returns whether the startup-config was saved;
 * prints `%PKI-4-NOAUTOSAVE` when a configuration change stays in the running-config only.
 * Nothing changes, in memory or in storage, when it throws.
 */
export async function commitChange(app: TrustpointApp, io: Interaction, change: Change): Promise<CommitResult> {
  const wasSaved = change.apply ? !(await app.isModified()) : false;
  const ops: CommitOps = {};
  const keyOps = await activationOps(app, change.activate ?? []);
  keyOps.put.push(...(change.store ?? []));
  for (const d of change.delete ?? []) keyOps.remove.push([d.label, d.usage]);
  if (keyOps.put.length || keyOps.remove.length) ops.keys = keyOps;
  let text: string | undefined;
  if (change.apply) {
    const copy = cloneConfig(app.running);
    change.apply(copy);
    text = writeConfig(copy);
    if (wasSaved) ops.nvram = { name: STARTUP, text, now: app.clock().getTime() };
  }
  const metaRemove = (change.endsPending ?? []).map((t) => PENDING_TX_PREFIX + t);
  if (metaRemove.length || change.meta?.length) ops.meta = { remove: metaRemove, set: change.meta ?? [] };
  await app.commit(ops);
  if (change.apply) {
    change.apply(app.running);
    app.touch();
    if (ops.nvram) app.baseline = ops.nvram.text;
    if (!wasSaved) io.print('%PKI-4-NOAUTOSAVE: Configuration was modified.  Issue "write memory" to save new certificate');
  }
  app.emitChange();
  app.emitStored();
  await publishRunningRefs(app);
  await collectRetiredKeys(app);
  return { saved: wasSaved };
}

/** Public keys (hex SPKI) of the device's own certificates in a configuration. */
export function ownCertificateKeys(cfg: RunningConfig): Set<string> {
  const out = new Set<string>();
  for (const chain of cfg.chains.values())
    for (const c of chain.certificates) {
      if (!OWN_KINDS.has(c.kind)) continue;
      try {
        out.add(toHex(summarizeCertificate(c.der).spki));
      } catch {
        // a damaged entry names no key we could match
      }
    }
  return out;
}

/** Every public key that must keep its private key; undefined when that cannot be known (NVRAM unreadable). */
export async function referencedKeys(app: TrustpointApp): Promise<Set<string> | undefined> {
  const refs = ownCertificateKeys(app.running);
  try {
    const f = await app.startup();
    if (f) for (const k of ownCertificateKeys((await readConfig(f.text)).config)) refs.add(k);
    for (const [, p] of await app.meta.entries<{ keySpki?: Uint8Array }>(PENDING_TX_PREFIX)) if (p.keySpki) refs.add(toHex(p.keySpki));
    const now = Date.now();
    for (const [key, r] of await app.meta.entries<{ at: number; keys: string[] }>(RUNNING_REFS_PREFIX)) {
      if (key === RUNNING_REFS_PREFIX + app.instanceId) continue;
      if (now - r.at < REFS_STALE_MS) for (const k of r.keys) refs.add(k);
    }
  } catch {
    return undefined;
  }
  return refs;
}

/** Deletes retired pairs nothing names any more. Returns how many. */
export async function collectRetiredKeys(app: TrustpointApp): Promise<number> {
  const refs = await referencedKeys(app);
  if (!refs) return 0;
  const victims = (await app.keys.store.list()).filter((r) => keyState(r) === 'retired' && !refs.has(toHex(r.spki)));
  if (!victims.length) return 0;
  await app.commit({ keys: { remove: victims.map((v) => [v.label, v.usage]) } });
  return victims.length;
}

/** Tells other tabs which public keys this tab's running-config names (so they keep them). */
export async function publishRunningRefs(app: TrustpointApp): Promise<void> {
  try {
    await app.meta.set(RUNNING_REFS_PREFIX + app.instanceId, { at: Date.now(), keys: [...ownCertificateKeys(app.running)] });
  } catch {
    // NVRAM unavailable: nothing to protect across tabs
  }
}

export async function withdrawRunningRefs(app: TrustpointApp): Promise<void> {
  try {
    await app.meta.remove(RUNNING_REFS_PREFIX + app.instanceId);
  } catch {
    // best effort (page closing)
  }
}

/**
 * After the startup-config is loaded: every own certificate gets its key in the right state
 * (current for an active certificate, pending for a rollover certificate), taking back a key an
 * unsaved change had retired. Certificates whose key is gone are reported. Then retired keys
 * nothing names are deleted.
 */
export async function reconcileKeys(app: TrustpointApp, io: Interaction): Promise<void> {
  const activate: KeyRecord[] = [];
  const store: KeyRecord[] = [];
  const drop: KeyRecord[] = [];
  const all = await app.keys.store.list();
  for (const [name, chain] of app.running.chains) {
    for (const c of chain.certificates) {
      if (!OWN_KINDS.has(c.kind)) continue;
      let spki: string;
      try {
        spki = toHex(summarizeCertificate(c.der).spki);
      } catch {
        continue;
      }
      const recs = all.filter((r) => toHex(r.spki) === spki);
      if (!recs.length) {
        io.print(`% Certificate ${c.serial} of trustpoint ${name} has no private key in the key store (zeroized?): it cannot be used. Re-enroll the trustpoint.`);
        continue;
      }
      const want = c.kind === 'rollover' ? 'pending' : 'current';
      if (recs.some((r) => keyState(r) === want)) continue;
      const rec = recs[0]!;
      if (want === 'current') activate.push(rec);
      else {
        drop.push(rec);
        store.push({ ...rec, label: PENDING_PREFIX + baseLabel(rec) });
      }
    }
  }
  if (activate.length || store.length) {
    const ops = await activationOps(app, activate);
    await app.commit({ keys: { remove: [...ops.remove, ...drop.map((d): [string, KeyUsage] => [d.label, d.usage])], put: [...ops.put, ...store] } });
    for (const r of activate) io.print(`% Key pair ${baseLabel(r)}: the saved certificate's key is the current key again (an unsaved renewal was discarded).`);
  }
  await publishRunningRefs(app);
  await collectRetiredKeys(app);
}
