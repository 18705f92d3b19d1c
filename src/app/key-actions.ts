/**
 * The `crypto key` workflows the console (and the GUI) call: storing newly generated pairs
 * under a label, and `crypto key zeroize`. The console only parses and prints.
 */
import type { TrustpointApp } from './app.ts';
import type { Interaction } from './interaction.ts';
import { PENDING_TX_PREFIX, commitChange, ownCertificateKeys, publishRunningRefs } from './commit.ts';
import { baseLabel } from './keys.ts';
import { readConfig } from '../config/reader.ts';
import type { KeyRecord } from '../store/keystore.ts';
import { summarizeCertificate } from '../pki/x509.ts';
import { toHex } from '../util/hex.ts';

/**
 * Makes freshly generated pairs the current pairs of their label. A pair they replace is
 * retired, not deleted, while a certificate (saved or not) still names it.
 */
export async function storeGeneratedKeys(app: TrustpointApp, io: Interaction, records: KeyRecord[]): Promise<void> {
  await commitChange(app, io, { activate: records });
}

/** The pairs `crypto key zeroize [rsa|ec] [LABEL]` removes: every state (current, shadow, retired). */
export async function zeroizeTargets(app: TrustpointApp, kind?: 'rsa' | 'ec', label?: string): Promise<KeyRecord[]> {
  return (await app.keys.list()).filter((k) => (kind === undefined || k.kind === kind) && (label === undefined || baseLabel(k) === label));
}

/**
 * `crypto key zeroize`: in one commit the pairs, and every pending enrollment that holds one of
 * them or a transport key for it, are deleted; the certificates issued for them leave the
 * running-config; every signer handed out for them is wiped and refuses from now on; the
 * core forgets cached private keys. The startup-config is not written (as on IOS): the
 * certificates it still holds are reported and go with the next `write memory`.
 */
export async function zeroizeKeys(app: TrustpointApp, io: Interaction, victims: KeyRecord[]): Promise<{ certificates: number }> {
  const ids = new Set(victims.map((v) => toHex(v.spki)));
  const labels = new Set(victims.map((v) => `${baseLabel(v)}\u0000${v.usage}`));
  const pending = (await app.meta.entries<{ keySpki?: Uint8Array; key?: { label: string; usage: string } }>(PENDING_TX_PREFIX))
    .filter(([, p]) => (p.keySpki && ids.has(toHex(p.keySpki))) || (p.key && labels.has(`${p.key.label}\u0000${p.key.usage}`)))
    .map(([k]) => k);
  await app.commit({ keys: { remove: victims.map((v) => [v.label, v.usage]) }, meta: { remove: pending } });
  app.keys.forget(victims.map((v) => v.spki));
  if (victims.some((v) => v.holder === 'core')) await (await app.core()).rsaCacheClear();
  let certificates = 0;
  for (const chain of app.running.chains.values()) {
    chain.certificates = chain.certificates.filter((c) => {
      if (c.kind === 'ca' || c.kind.startsWith('ca-') || c.kind.startsWith('ra-')) return true;
      try {
        if (ids.has(toHex(summarizeCertificate(c.der).spki))) {
          certificates++;
          return false;
        }
      } catch {
        /* keep what we cannot read */
      }
      return true;
    });
  }
  if (certificates) app.touch();
  else app.emitChange();
  await publishRunningRefs(app);
  try {
    const f = await app.startup();
    const saved = f ? [...ownCertificateKeys((await readConfig(f.text)).config)].filter((k) => ids.has(k)).length : 0;
    if (saved)
      io.print(`% The startup-config still holds ${saved} certificate${saved === 1 ? '' : 's'} of these keys: ${saved === 1 ? 'it is' : 'they are'} removed from it with the next "write memory".`);
  } catch {
    // NVRAM unreadable: nothing more to report
  }
  return { certificates };
}
