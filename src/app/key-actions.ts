/**
 * The `crypto key` workflows the console (and the GUI) call: `crypto key generate rsa|ec`
 * (label, device and size checks, the modulus question, replacing a pair, storing the new ones),
 * `crypto key zeroize` (question and removal) and the key list of `show crypto key mypubkey`.
 * The console only parses and prints (cli/commands/crypto-key.ts).
 */
import type { TrustpointApp } from './app.ts';
import type { Interaction } from './interaction.ts';
import { PENDING_TX_PREFIX, commitChange, ownCertificateKeys, publishRunningRefs } from './commit.ts';
import { assertCanStoreKeys, baseLabel, keyState } from './keys.ts';
import { generatePairs } from './trustpoint-keys.ts';
import { TOKEN_DEVICE, isTokenDevice } from './tokens.ts';
import { fqdnOf } from '../config/model.ts';
import { readConfig } from '../config/reader.ts';
import type { KeyInfo } from '../crypto/types.ts';
import type { KeyRecord } from '../store/keystore.ts';
import { summarizeCertificate } from '../pki/x509.ts';
import { toHex } from '../util/hex.ts';
import { isAbortError } from '../util/errors.ts';

/** What `crypto key generate` was asked for. */
export interface KeyGenerateRequest {
  kind: 'rsa' | 'ec';
  /** `label WORD`; default: the FQDN (IOS names general keys after hostname.domain) */
  label?: string;
  /** RSA `modulus N`; asked for when absent */
  bits?: number;
  /** EC `keysize`: 256 or 384 */
  size?: 256 | 384;
  usageKeys?: boolean;
  exportable?: boolean;
  /** `on usbtoken0:` */
  device?: string;
}

/**
 * Generates and stores keys the IOS way: names them, asks before replacing, reports
 * `[OK] (elapsed time was N seconds)`. Shared with enrollment (keys made on demand).
 */
export async function generateKeysInteractive(
  app: TrustpointApp,
  io: Interaction,
  label: string,
  key: KeyInfo,
  usageKeys: boolean,
  exportable: boolean,
  opts: { announceName?: boolean; confirmReplace?: boolean; device?: string } = {},
): Promise<KeyRecord[] | undefined> {
  const kind = key.kind === 'rsa' ? 'RSA' : 'EC';
  if (opts.announceName !== false) {
    io.print(`The name for the keys will be: ${label}`);
  }
  const existing = (await app.keys.byLabel(label)).filter((k) => k.kind === key.kind);
  if (existing.length && opts.confirmReplace !== false) {
    io.print(`% You already have ${kind} keys defined named ${label}.`);
    if (!(await io.confirm('% Do you really want to replace them? [yes/no]: '))) return undefined;
  }
  if (key.kind === 'rsa') {
    io.print('');
    io.print(`% The key modulus size is ${key.bits} bits`);
    if (key.bits < 2048) io.print('% A key modulus of less than 2048 bits is not recommended.');
  }
  if (!opts.device && app.keys.holderFor(exportable) === 'core') await assertCanStoreKeys(io, 'the new private key');
  const records = await generatePairs(app, io, label, { key, usageKeys, ...(opts.device ? { device: opts.device } : {}) }, exportable);
  await storeGeneratedKeys(app, io, records);
  return records;
}

/** The label to generate under, or undefined after printing why there is none (IOS checks). */
function keyLabelFor(app: TrustpointApp, io: Interaction, r: KeyGenerateRequest): string | undefined {
  if (r.device) {
    if (!isTokenDevice(r.device)) {
      io.print(`% Invalid device "${r.device}": keys can be generated on a token, ${TOKEN_DEVICE}`);
      return undefined;
    }
    if (r.exportable) {
      io.print(`% Keys generated on ${r.device} never leave it: "exportable" cannot be used with "on ${r.device}".`);
      return undefined;
    }
  }
  const label = r.label ?? (app.running.domainName ? fqdnOf(app.running) : undefined);
  if (!label) io.print('% Please define a domain-name first.');
  return label;
}

/** `crypto key generate rsa|ec ...`: the checks, the modulus question when no size was given, then `generateKeysInteractive`. */
export async function generateKeys(app: TrustpointApp, io: Interaction, r: KeyGenerateRequest): Promise<KeyRecord[] | undefined> {
  const label = keyLabelFor(app, io, r);
  if (!label) return undefined;
  const device = r.device ? { device: r.device.toLowerCase() } : {};
  const exportable = r.exportable ?? false;
  if (r.kind === 'ec') return generateKeysInteractive(app, io, label, { kind: 'ec', curve: r.size === 384 ? 'P-384' : 'P-256' }, false, exportable, device);
  const usageKeys = r.usageKeys ?? false;
  if (r.bits !== undefined) return generateKeysInteractive(app, io, label, { kind: 'rsa', bits: r.bits }, usageKeys, exportable, device);
  io.print(`The name for the keys will be: ${label}`);
  io.print(`Choose the size of the key modulus in the range of 512 to 4096 for your`);
  io.print(`  ${usageKeys ? 'Signature Keys' : 'General Purpose Keys'}. Choosing a key modulus greater than 2048 may take`);
  io.print('  a few seconds.');
  io.print('');
  const ans = (await io.ask({ text: 'How many bits in the modulus [2048]: ', kind: 'text', default: '2048' })).trim();
  const bits = Number(ans);
  if (!/^\d+$/.test(ans) || bits < 512 || bits > 4096) {
    io.print('% Invalid modulus: use 512 to 4096 bits.');
    return undefined;
  }
  return generateKeysInteractive(app, io, label, { kind: 'rsa', bits }, usageKeys, exportable, { announceName: false, ...device });
}

/** `crypto key zeroize [rsa|ec] [LABEL]`: says what goes, asks, removes (`zeroizeKeys`). */
export async function zeroize(app: TrustpointApp, io: Interaction, kind?: 'rsa' | 'ec', label?: string): Promise<void> {
  const victims = await zeroizeTargets(app, kind, label);
  const kindText = kind === 'ec' ? 'EC' : kind === 'rsa' ? 'RSA' : 'RSA and EC';
  if (!victims.length) {
    io.print(label ? `% No ${kindText} keys named ${label}.` : `% No ${kindText} keys to remove.`);
    return;
  }
  if (label) io.print(`% Keys to be removed are named '${label}'.`);
  else io.print(`% All ${kindText} keys will be removed.`);
  io.print('% All router certs issued using these keys will also be removed.');
  if (!(await io.confirm('Do you really want to remove these keys? [yes/no]: '))) return;
  await zeroizeKeys(app, io, victims);
}

/** The pairs `show crypto key mypubkey rsa|ec [LABEL]` lists, in its order: by label, current before pending before retired, general/signature/encryption. */
export async function publicKeys(app: TrustpointApp, kind: 'rsa' | 'ec', label?: string): Promise<KeyRecord[]> {
  const list = (await app.keys.list()).filter((k) => k.kind === kind && (label === undefined || baseLabel(k) === label));
  const order = { general: 0, signature: 1, encryption: 2 } as const;
  const state = { current: 0, pending: 1, retired: 2 } as const;
  return list.sort((x, y) => baseLabel(x).localeCompare(baseLabel(y)) || state[keyState(x)] - state[keyState(y)] || order[x.usage] - order[y.usage]);
}

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
  // keys on a token: destroyed on the card first (a cancel here leaves everything as it was)
  for (const v of victims) {
    if (v.holder !== 'token') continue;
    try {
      await app.tokens.erase(io, v);
      io.print(`% Key ${baseLabel(v)} erased from ${v.device ?? TOKEN_DEVICE} slot ${v.slot} (overwritten by a throwaway key; the slot's certificate deleted).`);
    } catch (e) {
      if (isAbortError(e)) throw e;
      io.print(`% Warning: key ${baseLabel(v)} could not be erased from ${v.device ?? TOKEN_DEVICE} slot ${v.slot} (${(e as Error).message.replace(/^% /, '')}).`);
      io.print(`% It is removed from this configuration, but its private key stays on the token until that slot is overwritten (the next "crypto key generate ... on ${TOKEN_DEVICE}" uses it).`);
    }
  }
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
