/**
 * Which key pair(s) a trustpoint enrolls with, made on demand the way IOS does:
 * `rsakeypair LABEL [size [enc-size]]` (enc-size = usage keys), `eckeypair LABEL`, or the
 * FQDN-named general-purpose RSA pair by default; a missing pair is generated at enrollment,
 * and `regenerate` (or `auto-enroll ... regenerate`) makes a new pair that stays *pending*
 * beside the current one until a certificate for it is imported — the current key and
 * certificate stay in force until then (shadow/rollover semantics).
 */
import type { TrustpointApp } from './app.ts';
import type { Interaction } from './interaction.ts';
import { fqdnOf, type Trustpoint } from '../config/model.ts';
import type { KeyInfo } from '../crypto/types.ts';
import type { KeyRecord } from '../store/keystore.ts';
import { PENDING_PREFIX, assertCanStoreKeys, baseLabel } from './keys.ts';

export interface KeySpec {
  label: string;
  key: KeyInfo;
  usageKeys: boolean;
  /** `on usbtoken0:` — generated on that token (src/app/tokens.ts) */
  device?: string;
}

/** The key pair a trustpoint names (IOS defaults: FQDN label, general purpose, 2048 bits here). */
export function keySpecOf(app: TrustpointApp, tp: Trustpoint): KeySpec {
  const on = tp.onDevice ? { device: tp.onDevice } : {};
  if (tp.ecKeypair) {
    return { label: tp.ecKeypair, key: { kind: 'ec', curve: 'P-256' }, usageKeys: false, ...on };
  }
  const label = tp.rsaKeypair?.label ?? fqdnOf(app.running);
  const bits = tp.rsaKeypair?.size ?? 2048;
  return { label, key: { kind: 'rsa', bits }, usageKeys: tp.rsaKeypair?.encryptionSize !== undefined, ...on };
}

/**
 * Generates the pair(s) of `spec` under `label` as IOS reports it (`% Generating 2048 bit RSA
 * keys ... [OK] (elapsed time was N seconds)`) — not stored yet. Cancelled by `io.signal`.
 */
export async function generatePairs(app: TrustpointApp, io: Interaction, label: string, spec: Omit<KeySpec, 'label'>, exportable: boolean): Promise<KeyRecord[]> {
  const kind = spec.key.kind === 'rsa' ? 'RSA' : 'EC';
  const size = spec.key.kind === 'rsa' ? spec.key.bits : spec.key.curve.slice(2);
  const out: KeyRecord[] = [];
  for (const usage of spec.usageKeys ? (['signature', 'encryption'] as const) : (['general'] as const)) {
    io.print(`% Generating ${size} bit ${kind} keys, keys will be ${spec.device ? 'on-token, ' : ''}${exportable ? 'exportable' : 'non-exportable'}...`);
    const algorithm = `${kind}-${size}`;
    io.progress?.({ stage: 'keygen', label: baseLabel(label), algorithm, done: false });
    const t0 = Date.now();
    out.push(spec.device ? await app.tokens.generate(io, label, usage, spec.key, spec.device) : await app.keys.generateOne(label, usage, spec.key, exportable, { signal: io.signal }));
    io.progress?.({ stage: 'keygen', label: baseLabel(label), algorithm, done: true });
    io.print(`[OK] (elapsed time was ${Math.round((Date.now() - t0) / 1000)} seconds)`);
  }
  return out;
}

/**
 * Generates and stores the trustpoint's pair(s) under `label` (current: a first key, made
 * where none exists), or as its pending (shadow) pair beside the current one (`regenerate`).
 * Stored at once, before any request names them, so a tab closed after this leaves at worst an
 * unused shadow pair — never a certificate without a key.
 */
export async function generateKeysFor(app: TrustpointApp, io: Interaction, spec: KeySpec, pending: boolean, exportable: boolean): Promise<KeyRecord[]> {
  if (!spec.device && app.keys.holderFor(exportable) === 'core') await assertCanStoreKeys(io, 'the new private key');
  const out = await generatePairs(app, io, pending ? PENDING_PREFIX + spec.label : spec.label, spec, exportable);
  await app.commit({ keys: { put: out, remove: out.map((r) => [r.label, r.usage]) } });
  await app.testHook?.('keys-generated');
  return out;
}

/**
 * The records to use. For enrollment: the pending pair if `regenerate` asks for one (made
 * now, replacing an older pending pair), else the current pair, generated if missing. For
 * import: every current and pending pair of the label (a certificate may be for either).
 */
export async function keyRecordsFor(app: TrustpointApp, io: Interaction, tp: Trustpoint, opts: { forEnrollment: boolean; generalOnly?: boolean; reusePending?: boolean }): Promise<KeyRecord[]> {
  const spec = keySpecOf(app, tp);
  if (opts.generalOnly) spec.usageKeys = false;
  const kind = spec.key.kind;
  const current = (await app.keys.byLabel(spec.label)).filter((k) => k.kind === kind);
  const pending = (await app.keys.byLabel(PENDING_PREFIX + spec.label)).filter((k) => k.kind === kind);
  if (!opts.forEnrollment) return [...current, ...pending];
  const wantRegen = tp.regenerate || !!tp.autoEnroll?.regenerate;
  const exportable = current.some((k) => k.exportable);
  if (current.length === 0) {
    io.print(`% The key pair ${spec.label} does not exist: generating it.`);
    return generateKeysFor(app, io, spec, false, false);
  }
  if (wantRegen && opts.reusePending && pending.length && (!spec.usageKeys || pending.length >= 2)) {
    // An automatic retry: the shadow pair of the earlier attempt is still waiting for its certificate.
    io.print(`% Using the shadow key pair of ${spec.label} made by an earlier attempt (regenerate).`);
    return pending;
  }
  if (wantRegen) {
    io.print(`% Generating a new key pair for ${spec.label} (regenerate); the current one stays in use until the new certificate is imported.`);
    return generateKeysFor(app, io, spec, true, exportable);
  }
  const usages = new Set(current.map((k) => k.usage));
  if (spec.usageKeys && !(usages.has('signature') && usages.has('encryption')) && usages.has('general'))
    io.print(`% ${spec.label} is a general purpose key pair: one request is made.`);
  return opts.generalOnly ? current.filter((k) => k.usage === 'general').slice(0, 1).concat(current.filter((k) => k.usage !== 'general')).slice(0, 1) : current;
}
