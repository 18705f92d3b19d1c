/**
 * The GUI's one door into the application: a facade over the workflows the console runs
 * (src/app/pki.ts, scep.ts, transfer.ts, keys.ts …), so the views (src/ui/) call exactly the
 * code `crypto pki …` calls and never type console lines. Views import this module (and
 * types from it) and nothing below app/ (tests/unit/ui/layering.test.ts holds them to it).
 *
 * A promise to whoever moves code underneath (the SCEP loop into enroll/scep/client.ts,
 * authenticate into enroll/, the auto-enroller behind `kioskEnroll`): keep these signatures.
 *
 *   Commands feed (commands-feed.ts, in the first chunk)
 *     onCommands(app, fn: (c: CommandRecord) => void): () => void;  recentCommands(app): CommandRecord[]
 *     recordCommands(app, title: string, lines: string[]): CommandRecord      (passwords redacted)
 *     redactCommand(line: string): string;  explain(e: unknown): string        (the console's words, never a stack)
 *   Trustpoints
 *     listTrustpoints(app): TrustpointStatus[]       (status area: certificate, renewAt, pending, auto: next timer / last attempt)
 *     setAutoStatusProvider(app, (name) => TrustpointStatus['auto'])          (optional override of the auto status)
 *     trustpointFields(app, name?): TrustpointFields                          (a new one when name is undefined)
 *     fieldLines(fields): { field, line }[];  FIELD_LABELS;  ENROLLMENT_METHODS (add `acme`, `est` … rows here)
 *     planTrustpoint(app, fields, original?): Promise<TrustpointPlan>        (validated by the grammar, live preview, commands)
 *     saveTrustpoint(app, io, fields, original?): Promise<TrustpointPlan>    (applies; write memory when NVRAM was in sync)
 *     deleteTrustpoint(app, io, name): Promise<void>
 *     trustpointBlock(app, name): string[]                                   (as `show running-config` prints it)
 *     demoTrustpoint(app, io): Promise<string>                               (the demo CA's trustpoint, if missing)
 *   Enrollment (questions through `io.ask/confirm`, progress through `io.progress`: EnrollProgress in interaction.ts)
 *     authenticate(app, io, name): Promise<void>
 *     enroll(app, io, name): Promise<void>
 *     kioskEnroll(app, io, name): Promise<'enrolled' | 'valid' | 'skipped'>   (auto-enroller first, then interactive, under its lock)
 *     setKioskEnroller(fn: KioskEnroller): void                               (replace the kiosk's enrollment wholesale)
 *   Certificates
 *     storedCertificates(app): StoredCertificate[]
 *     inspectData(app, bytes, opts?: { password?: string; name?: string }): Promise<Inspection>
 *     certificateDetails(app, der, pool?: Uint8Array[]): Promise<CertificateDetails>
 *     encodeCertificate(der, 'pem' | 'der'): Uint8Array
 *     exportTrustpointPkcs12(app, io, name, password, profile: 'aes' | '3des'): Promise<Uint8Array>
 *     importPkcs12(app, io, name, bytes, password, fileName?): Promise<void>
 *     timeline(app): TimelineEntry[]
 *   Kiosk
 *     kioskStatus(app, name): Promise<KioskStatus>;  noteKioskAttempt(app, name, result, nextTry?): Promise<void>
 *     setKioskPin(app, pin): Promise<void>; hasKioskPin(app): Promise<boolean>; checkKioskPin(app, pin): Promise<boolean>
 *   Provisioning desk (src/app/desk.ts, loaded on first use)
 *     parseDeskRows(text): { rows: DeskRow[]; errors: string[] }
 *     deskBatch(app): Promise<DeskBatch | undefined>
 *     startDeskBatch(app, io, spec: DeskSpec): Promise<DeskBatch>
 *     resumeDeskBatch(app, io): Promise<DeskBatch | undefined>
 *     cancelDeskBatch(): Promise<void>
 *     deskZip(app, batch): Promise<Uint8Array>
 *     finishDeskBatch(app, keepKeys: boolean): Promise<void>
 *     onDesk(app, fn: (b: DeskBatch) => void): () => void
 *   Other views
 *     setDebugging(app, on): void;  listKeys(app): Promise<KeyView[]>;  storageInfo(app): Promise<StorageView>
 *
 * Every action records the IOS commands that do the same (`recordCommands`): the GUI shows
 * them in its "Commands" panel and the console adds them to its history.
 */
import type { TrustpointApp } from './app.ts';
import type { Interaction } from './interaction.ts';
import { refuse } from './refuse.ts';
import { renewDateOf } from './auto.ts';
import { chainEntries, fingerprints, type Fingerprints } from './certs.ts';
import { DEFAULTS, emptyConfig, fqdnOf, type RunningConfig, type Trustpoint, type ChainCertKind } from '../config/model.ts';
import { readConfig } from '../config/reader.ts';
import { writeConfig } from '../config/writer.ts';
import { decodeType7 } from '../config/type7.ts';
import { readPasted, writePem, encodeBase64, type PemBlock } from '../pki/pem.ts';
import { certificatesFromPkcs7, classifyDer } from '../pki/cms.ts';
import { issuedBy, summarizeCertificate, type CertificateSummary } from '../pki/x509.ts';
import { parseChainCert } from '../pki/chain/cert.ts';
import { oidDisplay } from '../pki/oids.ts';
import { parseCsr } from '../pki/csr.ts';
import { readPkcs12, keyCertificate } from '../pki/pkcs12.ts';
import { isAbortError, PkiError } from '../util/errors.ts';
import { userMessage } from './messages.ts';
import { iosDate } from '../util/time.ts';
import { toHex } from '../util/hex.ts';
import type { DeskBatch, DeskRow, DeskSpec } from './desk-types.ts';

export type { ProgressEvent, Interaction } from './interaction.ts';
export type { Question } from './prompter.ts';
export type { CertificateSummary } from '../pki/x509.ts';
export type { Fingerprints } from './certs.ts';
export type { DeskBatch, DeskRow, DeskSpec, DeskRowState } from './desk-types.ts';
export type { TrustpointApp } from './app.ts';
export type { KeyRecord } from '../store/keystore.ts';
export type { DemoState } from './demo.ts';

// ---------------------------------------------------------------------------------------
// the commands feed

export { onCommands, recentCommands, recordCommands, redactCommand, type CommandRecord } from './commands-feed.ts';
import { recordCommands } from './commands-feed.ts';

/** A user-facing message for any failure (the console's words, never a stack). */
export function explain(e: unknown): string {
  if (isAbortError(e)) return '% Operation aborted.';
  if (e instanceof PkiError) return userMessage(e);
  const m = (e as Error)?.message ?? String(e);
  return m.startsWith('%') ? m : `% ${m}`;
}

// ---------------------------------------------------------------------------------------
// trustpoints

export interface TrustpointStatus {
  name: string;
  method: string;
  url?: string;
  caAuthenticated: boolean;
  /** the CA certificate's subject, when authenticated */
  ca?: string;
  /** the trustpoint's own (general or self-signed) certificate */
  certificate?: { serial: string; notBefore: Date; notAfter: Date; subject: string };
  /** `auto-enroll P`: when the renewal is due (P % of the lifetime) */
  renewAt?: Date;
  /** a SCEP request waiting at the CA */
  pending?: { attempt: number; of: number; next: number };
  /**
   * Filled in by the auto-enroller (issue 13): next timer and last automatic attempt. The
   * Trustpoints view shows whatever is here in the trustpoint's status area.
   */
  auto?: { nextTimer?: Date; nextKind?: string; lastAttempt?: { at: Date; result: string } };
  valid: boolean;
  /** the configuration in words: subject, key pair, usage, auto-enroll, pre-entered CA fingerprint */
  subject: string;
  keyPair: string;
  usage: string;
  autoEnroll: string;
  fingerprint: string;
}

export const dn = (attrs: CertificateSummary['subject']) => attrs.map((a) => `${a.short}=${a.value}`).join(', ');

function ownOf(cfg: RunningConfig, name: string) {
  return chainEntries(cfg, name).find((e) => e.cert.kind === 'general' || e.cert.kind === 'self-signed');
}

/** Extra status from the auto-enroller; it registers a provider here (issue 13). */
export type AutoStatusProvider = (name: string) => TrustpointStatus['auto'] | undefined;
const autoProviders = new WeakMap<TrustpointApp, AutoStatusProvider>();
export function setAutoStatusProvider(app: TrustpointApp, p: AutoStatusProvider): void {
  autoProviders.set(app, p);
}

/** What the auto-enroller (app/auto.ts) knows: its next timer and last attempt for `name`. */
function autoStatus(app: TrustpointApp, name: string): TrustpointStatus['auto'] | undefined {
  const auto = app.auto;
  if (!auto) return undefined;
  const next = auto.scheduler.current.filter((t) => t.trustpoint === name).sort((a, b) => a.at - b.at)[0];
  const last = auto.states[name]?.lastResult;
  if (!next && !last) return undefined;
  return {
    ...(next ? { nextTimer: new Date(next.at), nextKind: next.kind } : {}),
    ...(last ? { lastAttempt: { at: new Date(last.at), result: `${last.ok ? 'succeeded' : 'failed'}: ${last.text}` } } : {}),
  };
}

export function listTrustpoints(app: TrustpointApp): TrustpointStatus[] {
  const cfg = app.running;
  const now = app.clock();
  return [...cfg.trustpoints.values()].map((tp) => {
    const e = tp.enrollment;
    const entries = chainEntries(cfg, tp.name);
    const ca = entries.find((x) => x.cert.kind === 'ca');
    const own = ownOf(cfg, tp.name);
    const p = app.pendingPolls.get(tp.name);
    const st: TrustpointStatus = {
      name: tp.name,
      method: methodText(tp),
      ...(e?.kind === 'url' ? { url: e.url } : e?.kind === 'acme' ? { url: e.directory } : {}),
      caAuthenticated: !!ca,
      ...(ca ? { ca: dn(ca.summary.subject) } : {}),
      valid: !!own && now >= own.summary.notBefore && now <= own.summary.notAfter,
      subject: tp.subjectName ? tp.subjectName : `${fqdnOf(cfg)} (default)`,
      keyPair: tp.rsaKeypair ? `RSA ${tp.rsaKeypair.label}${tp.rsaKeypair.size ? ` (${tp.rsaKeypair.size} bits)` : ''}` : tp.ecKeypair ? `EC ${tp.ecKeypair}` : `${fqdnOf(cfg)} (default)`,
      usage: (tp.usage ?? DEFAULTS.usage).join(', '),
      autoEnroll: tp.autoEnroll ? `at ${tp.autoEnroll.percent ?? 100}% of lifetime${tp.autoEnroll.regenerate ? ', new key' : ''}` : 'off',
      fingerprint: tp.fingerprint ? tp.fingerprint.match(/.{1,8}/g)!.join(' ') : 'not pre-entered',
    };
    if (own) {
      st.certificate = { serial: own.summary.serial, notBefore: own.summary.notBefore, notAfter: own.summary.notAfter, subject: dn(own.summary.subject) };
      // the renew date `show crypto pki certificates` prints (with the auto-enroller's jitter)
      const r = tp.autoEnroll ? renewDateOf(app, tp, own.cert.der) : undefined;
      if (r) st.renewAt = r;
    }
    if (p) st.pending = { attempt: p.attempt, of: p.of, next: p.next };
    const auto = autoProviders.get(app)?.(tp.name) ?? autoStatus(app, tp.name);
    if (auto) st.auto = auto;
    return st;
  });
}

function methodText(t: Trustpoint): string {
  const e = t.enrollment;
  if (!e) return 'Not configured';
  if (e.kind === 'url') return /^https?:/i.test(e.url) ? `SCEP${t.raMode ? ' (RA mode)' : ''}` : 'File';
  if (e.kind === 'terminal') return `Cut-and-paste${e.pem ? ' (PEM)' : ''}`;
  if (e.kind === 'selfsigned') return 'Self-signed';
  if (e.kind === 'pkcs12') return 'PKCS #12 import';
  if (e.kind === 'profile') return `Enrollment profile ${e.label}`;
  if (e.kind === 'acme') return `ACME${e.eab ? ` (EAB ${e.eab.kid})` : ''}`;
  return String((e as { kind: string }).kind);
}

/**
 * The editor's fields: one per trustpoint sub-command (strings as typed; '' = not set). The
 * labels the GUI shows are in FIELD_LABELS.
 */
export interface TrustpointFields {
  name: string;
  /** url | terminal | selfsigned | profile | '' (and, later, acme …) */
  method: string;
  url: string;
  pem: boolean;
  profile: string;
  /** ACME: `challenge http-01` ('' or 'http-01'), external account binding key ID and key */
  acmeChallenge: string;
  eabKid: string;
  eabKey: string;
  raMode: boolean;
  retryPeriod: string;
  retryCount: string;
  httpProxy: string;
  subjectName: string;
  subjectAltName: string;
  fqdn: string;
  ipAddress: string;
  /** '' (ask) | include | none */
  serialNumber: string;
  password: string;
  keyLabel: string;
  /** rsa | ec */
  keyType: string;
  keySize: string;
  usageKeys: boolean;
  autoEnroll: boolean;
  autoEnrollPercent: string;
  autoEnrollRegenerate: boolean;
  regenerate: boolean;
  fingerprint: string;
  revocationCheck: string[];
  usage: string[];
  vrf: string;
  onDevice: string;
  storageDevice: string;
}

/** Enrollment methods the editor offers; issues adding methods (profiles, ACME, EST) add rows. */
export const ENROLLMENT_METHODS: { value: string; label: string }[] = [
  { value: '', label: 'Not configured' },
  { value: 'url', label: 'SCEP or file URL (enrollment url)' },
  { value: 'terminal', label: 'Cut-and-paste (enrollment terminal)' },
  { value: 'selfsigned', label: 'Self-signed (enrollment selfsigned)' },
  { value: 'pkcs12', label: 'PKCS #12 import (enrollment pkcs12)' },
  { value: 'profile', label: 'Enrollment profile (enrollment profile)' },
  { value: 'acme', label: 'ACME, RFC 8555 (enrollment acme)' },
];

export const FIELD_LABELS: Record<keyof TrustpointFields, string> = {
  name: 'Name',
  method: 'Enrollment method',
  url: 'Enrollment URL',
  pem: 'PEM boundaries',
  profile: 'Enrollment profile',
  acmeChallenge: 'ACME challenge',
  eabKid: 'EAB key ID',
  eabKey: 'EAB key',
  raMode: 'RA mode',
  retryPeriod: 'Retry period',
  retryCount: 'Retry count',
  httpProxy: 'HTTP proxy',
  subjectName: 'Subject name',
  subjectAltName: 'Subject alternative name',
  fqdn: 'FQDN',
  ipAddress: 'IP address',
  serialNumber: 'Serial number',
  password: 'Challenge password',
  keyLabel: 'Key pair label',
  keyType: 'Key type',
  keySize: 'Key size',
  usageKeys: 'Usage keys',
  autoEnroll: 'Auto-enroll',
  autoEnrollPercent: 'Auto-enroll at %',
  autoEnrollRegenerate: 'New key at auto-enroll',
  regenerate: 'Regenerate key',
  fingerprint: 'CA fingerprint',
  revocationCheck: 'Revocation check',
  usage: 'Usage',
  vrf: 'VRF',
  onDevice: 'Key device',
  storageDevice: 'Storage device',
};

export function trustpointFields(app: TrustpointApp, name?: string): TrustpointFields {
  const t = name ? app.running.trustpoints.get(name) : undefined;
  const e = t?.enrollment;
  return {
    name: t?.name ?? '',
    method: e?.kind ?? (t ? '' : 'url'),
    url: e?.kind === 'url' ? e.url : e?.kind === 'acme' ? e.directory : '',
    pem: (e?.kind === 'url' || e?.kind === 'terminal') && e.pem,
    profile: e?.kind === 'profile' ? e.label : '',
    acmeChallenge: e?.kind === 'acme' ? (e.autoChallenge ?? '') : '',
    eabKid: e?.kind === 'acme' ? (e.eab?.kid ?? '') : '',
    eabKey: e?.kind === 'acme' ? (e.eab?.key ?? '') : '',
    raMode: t?.raMode ?? false,
    retryPeriod: t?.retryPeriod?.toString() ?? '',
    retryCount: t?.retryCount?.toString() ?? '',
    httpProxy: t?.httpProxy ? `${t.httpProxy.host} ${t.httpProxy.port}` : '',
    subjectName: t?.subjectName ?? '',
    subjectAltName: t?.subjectAltName ?? '',
    fqdn: t?.fqdn === undefined ? '' : typeof t.fqdn === 'string' ? t.fqdn : 'none',
    ipAddress: !t?.ipAddress ? '' : t.ipAddress.kind === 'address' ? t.ipAddress.value : t.ipAddress.kind === 'interface' ? t.ipAddress.name : 'none',
    serialNumber: t?.serialNumber ?? '',
    password: t?.password ?? '',
    keyLabel: t?.rsaKeypair?.label ?? t?.ecKeypair ?? '',
    keyType: t?.ecKeypair ? 'ec' : 'rsa',
    keySize: t?.rsaKeypair?.size?.toString() ?? '',
    usageKeys: t?.rsaKeypair?.encryptionSize !== undefined,
    autoEnroll: !!t?.autoEnroll,
    autoEnrollPercent: t?.autoEnroll?.percent?.toString() ?? '',
    autoEnrollRegenerate: t?.autoEnroll?.regenerate ?? false,
    regenerate: t?.regenerate ?? false,
    fingerprint: t?.fingerprint ? t.fingerprint.match(/.{1,8}/g)!.join(' ') : '',
    revocationCheck: t?.revocationCheck ? [...t.revocationCheck] : [],
    usage: t?.usage ? [...t.usage] : [],
    vrf: t?.vrf ?? '',
    onDevice: t?.onDevice ?? '',
    storageDevice: t?.storageDevice ?? '',
  };
}

/** The sub-command lines the fields stand for, each tagged with its field (for errors). */
export function fieldLines(f: TrustpointFields): { field: keyof TrustpointFields; line: string }[] {
  const out: { field: keyof TrustpointFields; line: string }[] = [];
  const add = (field: keyof TrustpointFields, line: string) => out.push({ field, line });
  const v = (s: string) => s.trim();
  if (f.raMode) add('raMode', 'enrollment mode ra');
  if (v(f.retryPeriod)) add('retryPeriod', `enrollment retry period ${v(f.retryPeriod)}`);
  if (v(f.retryCount)) add('retryCount', `enrollment retry count ${v(f.retryCount)}`);
  if (f.method === 'url') add('url', `enrollment url ${v(f.url)}${f.pem ? ' pem' : ''}`);
  else if (f.method === 'terminal') add('method', `enrollment terminal${f.pem ? ' pem' : ''}`);
  else if (f.method === 'selfsigned') add('method', 'enrollment selfsigned');
  else if (f.method === 'pkcs12') add('method', 'enrollment pkcs12');
  else if (f.method === 'profile') add('profile', `enrollment profile ${v(f.profile)}`);
  else if (f.method === 'acme')
    add('url', `enrollment acme ${v(f.url)}${f.acmeChallenge ? ` challenge ${f.acmeChallenge}` : ''}${v(f.eabKid) ? ` eab ${v(f.eabKid)} ${v(f.eabKey)}` : ''}`);
  else if (f.method) add('method', `enrollment ${f.method}`);
  if (v(f.httpProxy)) add('httpProxy', `enrollment http-proxy ${v(f.httpProxy)}`);
  if (f.serialNumber === 'include') add('serialNumber', 'serial-number');
  if (f.serialNumber === 'none') add('serialNumber', 'serial-number none');
  if (v(f.fqdn)) add('fqdn', `fqdn ${v(f.fqdn)}`);
  if (v(f.ipAddress)) add('ipAddress', `ip-address ${v(f.ipAddress)}`);
  if (f.password !== '') add('password', `password ${f.password}`);
  if (v(f.subjectName)) add('subjectName', `subject-name ${v(f.subjectName)}`);
  if (v(f.subjectAltName)) add('subjectAltName', `subject-alt-name ${v(f.subjectAltName)}`);
  if (f.revocationCheck.length) add('revocationCheck', `revocation-check ${f.revocationCheck.join(' ')}`);
  if (v(f.keyLabel)) {
    if (f.keyType === 'ec') add('keyLabel', `eckeypair ${v(f.keyLabel)}`);
    else {
      const size = v(f.keySize);
      add(size ? 'keySize' : 'keyLabel', `rsakeypair ${v(f.keyLabel)}${size ? ` ${size}${f.usageKeys ? ` ${size}` : ''}` : ''}`);
    }
  }
  if (v(f.onDevice)) add('onDevice', `on ${v(f.onDevice)}`);
  if (v(f.storageDevice)) add('storageDevice', `storage ${v(f.storageDevice)}`);
  if (f.autoEnroll) add('autoEnrollPercent', `auto-enroll${v(f.autoEnrollPercent) ? ` ${v(f.autoEnrollPercent)}` : ''}${f.autoEnrollRegenerate ? ' regenerate' : ''}`);
  if (f.regenerate) add('regenerate', 'regenerate');
  if (f.usage.length) add('usage', `usage ${f.usage.join(' ')}`);
  if (v(f.vrf)) add('vrf', `vrf ${v(f.vrf)}`);
  if (v(f.fingerprint)) add('fingerprint', `fingerprint ${v(f.fingerprint)}`);
  return out;
}

export interface TrustpointPlan {
  ok: boolean;
  /** field → the console's error for it */
  errors: Partial<Record<keyof TrustpointFields, string>>;
  /** the IOS block the trustpoint will have (as `show running-config` prints it) */
  preview: string[];
  /** the console lines that make the change */
  commands: string[];
}

/** The trustpoint's block as `show running-config` prints it. */
export function trustpointBlock(app: TrustpointApp, name: string): string[] {
  const tp = app.running.trustpoints.get(name);
  if (!tp) return [];
  return blockOf(tp);
}

function blockOf(tp: Trustpoint): string[] {
  const cfg = emptyConfig();
  cfg.trustpoints.set(tp.name, tp);
  const lines = writeConfig(cfg).split('\n');
  const i = lines.findIndex((l) => l.startsWith('crypto pki trustpoint '));
  const out = [lines[i]!];
  for (let j = i + 1; j < lines.length && lines[j]!.startsWith(' '); j++) out.push(lines[j]!);
  return out;
}

/** Sub-command lines as written (without the leading space), with type 7 passwords decoded for comparison. */
function subLines(block: string[]): string[] {
  return block.slice(1).map((l) => l.trim());
}

/**
 * Validates the fields with the console's own grammar (ranges, names, URLs, fingerprints) on
 * a scratch copy, and plans the console lines that turn the current trustpoint into it.
 */
export async function planTrustpoint(app: TrustpointApp, f: TrustpointFields, original?: string): Promise<TrustpointPlan> {
  const errors: TrustpointPlan['errors'] = {};
  const name = f.name.trim();
  const scratch = emptyConfig();
  scratch.hostname = app.running.hostname;
  if (app.running.domainName) scratch.domainName = app.running.domainName;
  const head = await readConfig(`crypto pki trustpoint ${name}`, scratch);
  if (!name) errors.name = '% Give the trustpoint a name.';
  else if (head.errors.length) errors.name = head.errors[0]!.message;
  else if (name !== original && app.running.trustpoints.has(name)) errors.name = `% Trustpoint ${name} already exists.`;
  if (f.method === 'acme' && !f.url.trim()) errors.url = '% Give the ACME directory URL (https://…/directory).';
  if (f.method === 'acme' && !!f.eabKid.trim() !== !!f.eabKey.trim()) errors.eabKey = '% Give both the EAB key ID and the EAB key, or neither.';
  if (f.method === 'url' && !f.url.trim()) errors.url = '% Give the enrollment URL (http://…, https://…, tftp://… or flash:…).';
  if (f.method === 'profile' && !f.profile.trim()) errors.profile = '% Give the enrollment profile name.';
  if (!f.keyLabel.trim() && (f.keySize.trim() || f.usageKeys || f.keyType === 'ec')) errors.keyLabel = '% Give the key pair label (rsakeypair LABEL [SIZE], eckeypair LABEL).';
  const tagged = fieldLines(f);
  if (!errors.name) {
    for (const t of tagged) {
      if (errors[t.field]) continue;
      const r = await readConfig(`crypto pki trustpoint ${name}\n ${t.line}`, scratch);
      if (r.errors.length) errors[t.field === 'url' && /\bEAB\b/.test(r.errors[0]!.message) ? 'eabKey' : t.field] = r.errors[0]!.message;
    }
  }
  const tp = scratch.trustpoints.get(name);
  // sub-commands the editor has no field for (IOS settings kept for compatibility) stay as they are
  const kept = original ? app.running.trustpoints.get(original)?.compat : undefined;
  if (tp && kept?.size) tp.compat = new Map(kept);
  const preview = tp ? blockOf(tp) : [`crypto pki trustpoint ${name}`];
  // The console lines: remove what is no longer there, then set what is new or changed.
  const before = original && app.running.trustpoints.has(original) && original === name ? subLines(trustpointBlock(app, original)) : [];
  const after = subLines(preview);
  // type 7 text (password, ACME EAB key) compares as the clear text it stands for
  const norm = (l: string) =>
    l.startsWith('password 7 ') ? `password ${decodeType7(l.slice(11)) ?? l}` : l.replace(/^(enrollment acme .* eab \S+) 7 (\S+)$/, (_m, head: string, enc: string) => `${head} ${decodeType7(enc) ?? enc}`);
  const afterSet = new Set(after.map(norm));
  const beforeSet = new Set(before.map(norm));
  const typed = new Map(tagged.map((t) => [norm(t.line), t.line]));
  const commands = ['configure terminal'];
  if (original && original !== name && app.running.trustpoints.has(original)) commands.push(`no crypto pki trustpoint ${original}`);
  commands.push(`crypto pki trustpoint ${name}`);
  // a new `enrollment url|terminal|selfsigned|pkcs12|profile|acme` replaces the old method: no "no" line for it
  const method = /^enrollment (url|terminal|selfsigned|pkcs12|profile|acme)\b/;
  const newMethod = after.some((l) => method.test(l));
  for (const l of before) if (!afterSet.has(norm(l)) && !(newMethod && method.test(l))) commands.push(` no ${l.replace(/^password 7 .*/, 'password').replace(/^(enrollment acme) .*/, '$1')}`);
  for (const l of after) if (!beforeSet.has(norm(l))) commands.push(` ${typed.get(norm(l)) ?? l}`);
  commands.push('end');
  return { ok: Object.keys(errors).length === 0, errors, preview, commands };
}

/** Applies `lines` (configuration text) to the running-config with the console's handlers. */
async function applyLines(app: TrustpointApp, lines: string[]): Promise<void> {
  const body = lines.filter((l) => l !== 'configure terminal' && l !== 'end' && l !== 'write memory');
  const r = await readConfig(body.join('\n'), app.running);
  if (r.errors.length) refuse(r.errors[0]!.message);
  app.touch();
}

/** Writes NVRAM the IOS way after a GUI change: only when nothing else was unsaved. */
async function saveIfInSync(app: TrustpointApp, wasSaved: boolean, lines: string[]): Promise<void> {
  if (!wasSaved) return;
  await app.saveRunning();
  lines.push('write memory');
}

export async function saveTrustpoint(app: TrustpointApp, io: Interaction, f: TrustpointFields, original?: string): Promise<TrustpointPlan> {
  const plan = await planTrustpoint(app, f, original);
  if (!plan.ok) return plan;
  const wasSaved = !(await app.isModified());
  if (original && original !== f.name.trim() && app.running.trustpoints.has(original)) {
    // a rename: IOS has none; the old trustpoint goes (its certificates with it, after asking)
    if ((app.running.chains.get(original)?.certificates.length ?? 0) > 0 && !(await io.confirm(`% Renaming removes the certificates of trustpoint ${original}. Continue? [yes/no]: `)))
      refuse('% Trustpoint not changed.');
  }
  await applyLines(app, plan.commands);
  const lines = [...plan.commands];
  await saveIfInSync(app, wasSaved, lines);
  recordCommands(app, `Save trustpoint ${f.name.trim()}`, lines);
  io.print(`% Trustpoint ${f.name.trim()} saved.`);
  return { ...plan, commands: lines };
}

export async function deleteTrustpoint(app: TrustpointApp, io: Interaction, name: string): Promise<void> {
  if (!app.running.trustpoints.has(name)) refuse(`% Trustpoint "${name}" does not exist.`);
  if ((app.running.chains.get(name)?.certificates.length ?? 0) > 0) {
    io.print('% Removing an enrolled trustpoint will destroy all certificates received from the related Certificate Authority.');
    if (!(await io.confirm('Are you sure you want to do this? [yes/no]: '))) refuse('% Trustpoint not removed.');
  }
  const wasSaved = !(await app.isModified());
  app.running.trustpoints.delete(name);
  app.running.chains.delete(name);
  app.touch();
  const lines = ['configure terminal', `no crypto pki trustpoint ${name}`, 'end'];
  await saveIfInSync(app, wasSaved, lines);
  recordCommands(app, `Delete trustpoint ${name}`, lines);
}

// ---------------------------------------------------------------------------------------
// enrollment

export async function authenticate(app: TrustpointApp, io: Interaction, name: string): Promise<void> {
  recordCommands(app, `Authenticate ${name}`, ['configure terminal', `crypto pki authenticate ${name}`, 'end']);
  const { authenticate: run } = await import('./pki.ts');
  await run(app, io, name);
}

export async function enroll(app: TrustpointApp, io: Interaction, name: string): Promise<void> {
  recordCommands(app, `Enroll ${name}`, ['configure terminal', `crypto pki enroll ${name}`, 'end']);
  const { enroll: run } = await import('./pki.ts');
  await run(app, io, name);
}

/**
 * What kiosk mode runs on open: enroll when the trustpoint has no valid certificate. The
 * auto-enroller (issue 13) replaces the body; callers rely only on the result.
 */
export type KioskEnroller = (app: TrustpointApp, io: Interaction, name: string) => Promise<'enrolled' | 'valid' | 'skipped'>;
let kioskEnroller: KioskEnroller | undefined;
export function setKioskEnroller(fn: KioskEnroller): void {
  kioskEnroller = fn;
}

export async function kioskEnroll(app: TrustpointApp, io: Interaction, name: string): Promise<'enrolled' | 'valid' | 'skipped'> {
  if (kioskEnroller) return kioskEnroller(app, io, name);
  const st = listTrustpoints(app).find((t) => t.name === name);
  if (!st) refuse(`% Trustpoint ${name} not found.`);
  if (st.valid && !(st.renewAt && app.clock() >= st.renewAt)) return 'valid';
  if (!st.caAuthenticated) await authenticate(app, io, name);
  const tp = app.running.trustpoints.get(name)!;
  if (app.auto && tp.autoEnroll) {
    // The auto-enroller owns automatic enrollment of this trustpoint: let it run (one run per
    // trustpoint across tabs); only what it could not do unattended is done here, with the user.
    await app.auto.runDue();
    if (listTrustpoints(app).find((t) => t.name === name)?.valid) {
      await keepKioskCertificate(app, io);
      await noteKioskAttempt(app, name, 'enrolled');
      return 'enrolled';
    }
  }
  // The auto-enroller's lock: it never runs this trustpoint while the kiosk enrolls it.
  const locks = (globalThis.navigator as { locks?: { request(n: string, f: () => Promise<void>): Promise<void> } } | undefined)?.locks;
  // Inside the lock, look again: the auto-enroller may have enrolled while we waited for it.
  const run = async () => {
    if (!listTrustpoints(app).find((t) => t.name === name)?.valid) await enroll(app, io, name);
  };
  if (locks) await locks.request(`trustpoint-auto:${name}`, run);
  else await run();
  await keepKioskCertificate(app, io);
  await noteKioskAttempt(app, name, 'enrolled');
  return 'enrolled';
}

/**
 * A kiosk has no console to "write memory" from: when the enrollment left the running-config
 * ahead of NVRAM (%PKI-4-NOAUTOSAVE), the kiosk saves it, so a power cut does not lose the
 * certificate (and a reopened kiosk does not enroll again).
 */
async function keepKioskCertificate(app: TrustpointApp, io: Interaction): Promise<void> {
  if (!(await app.isModified())) return;
  await app.saveRunning();
  recordCommands(app, 'Kiosk: keep the certificate', ['write memory']);
  io.print('% Kiosk: the configuration with the new certificate was saved (write memory).');
}

// ---------------------------------------------------------------------------------------
// certificates

export interface StoredCertificate {
  trustpoint: string;
  kind: ChainCertKind;
  der: Uint8Array;
  summary: CertificateSummary;
}

export function storedCertificates(app: TrustpointApp): StoredCertificate[] {
  const out: StoredCertificate[] = [];
  for (const name of app.running.trustpoints.keys()) for (const e of chainEntries(app.running, name)) out.push({ trustpoint: name, kind: e.cert.kind, der: e.cert.der, summary: e.summary });
  return out;
}

export interface CertificateDetails {
  der: Uint8Array;
  summary: CertificateSummary;
  subject: string;
  issuer: string;
  serial: string;
  notBefore: Date;
  notAfter: Date;
  key: string;
  signatureAlgorithm: string;
  san: string[];
  keyUsage: string[];
  extendedKeyUsage: string[];
  extensions: { oid: string; name: string; critical: boolean }[];
  fingerprints: Fingerprints;
  /** the chain path (leaf first) as subjects, and the RFC 5280 result */
  path: string[];
  validation: string;
  validationOk: boolean;
}

/** Everything the viewer shows about a certificate; `pool` are certificates to build a path from. */
export async function certificateDetails(app: TrustpointApp, der: Uint8Array, pool: Uint8Array[] = []): Promise<CertificateDetails> {
  const s = summarizeCertificate(der);
  const cert = parseChainCert(der, { lenient: true });
  const fp = await fingerprints(await app.core(), der);
  const all = [...pool, ...storedCertificates(app).filter((c) => c.summary.isCA).map((c) => c.der)].filter((d) => toHex(d) !== toHex(der));
  const unique = all.filter((d, i) => all.findIndex((x) => toHex(x) === toHex(d)) === i);
  const sums = unique.map((d) => ({ d, s: summarizeCertificate(d) }));
  // path: follow issuer names up to a self-issued certificate
  const path = [dn(s.subject)];
  const chain: Uint8Array[] = [];
  let cur = s;
  for (let i = 0; i < 8 && !cur.selfIssued; i++) {
    const up = sums.find((x) => issuedBy(cur, x.s) && !chain.includes(x.d));
    if (!up) break;
    chain.push(up.d);
    path.push(dn(up.s.subject));
    cur = up.s;
  }
  let validation: string;
  let validationOk = false;
  if (s.selfIssued && !chain.length) {
    const v = await app.validateChain({ leaf: der, intermediates: [], anchors: [der], time: app.clock(), ca: s.isCA });
    validationOk = v.ok;
    validation = v.ok ? 'Self-signed: the signature verifies; trust it only after comparing its fingerprint.' : `Not valid: ${v.reason}`;
  } else if (!chain.length || !summarizeCertificate(chain[chain.length - 1]!).selfIssued) {
    validation = `Issuer not known: ${dn(cur.issuer)} (authenticate its CA, or add the chain to the file).`;
  } else {
    const v = await app.validateChain({ leaf: der, intermediates: chain.slice(0, -1), anchors: [chain[chain.length - 1]!], time: app.clock(), ca: s.isCA });
    validationOk = v.ok;
    validation = v.ok ? `Valid: chains to ${path[path.length - 1]}.` : `Not valid: ${v.reason}`;
  }
  return {
    der,
    summary: s,
    subject: dn(s.subject) || '(empty)',
    issuer: dn(s.issuer) || '(empty)',
    serial: s.serial,
    notBefore: s.notBefore,
    notAfter: s.notAfter,
    key: s.publicKey.kind === 'rsa' ? `RSA ${s.publicKey.bits} bits` : s.publicKey.kind === 'ec' ? `EC ${s.publicKey.curve}` : s.publicKey.oid,
    signatureAlgorithm: s.signatureAlgorithm,
    san: s.subjectAltNames.map((n) => `${n.kind.toUpperCase()}: ${n.value}`),
    keyUsage: s.keyUsage ?? [],
    extendedKeyUsage: (s.extKeyUsage ?? []).map(oidDisplay),
    extensions: cert.extensions.map((e) => ({ oid: e.oid, name: oidDisplay(e.oid), critical: e.critical })),
    fingerprints: fp,
    path,
    validation,
    validationOk,
  };
}

export type Inspection =
  | { kind: 'certificates'; certificates: CertificateDetails[]; source: string }
  | { kind: 'csr'; subject: string; key: string; san: string[]; signatureOk: boolean; challenge: boolean; source: string }
  | { kind: 'pkcs12'; certificates: CertificateDetails[]; hasKey: boolean; keyMatches: boolean; warnings: string[]; source: string }
  | { kind: 'needs-password'; source: string }
  | { kind: 'private-key'; source: string }
  | { kind: 'other'; message: string; source: string };

/** Reads any dropped or pasted data: PEM, DER, base64, PKCS#7, CSR, PKCS#12 (with its password). */
export async function inspectData(app: TrustpointApp, bytes: Uint8Array, opts: { password?: string; name?: string } = {}): Promise<Inspection> {
  const source = opts.name ?? 'pasted data';
  let blocks: PemBlock[];
  try {
    blocks = readPasted(bytes);
  } catch (e) {
    return { kind: 'other', message: explain(e), source };
  }
  if (!blocks.length) return { kind: 'other', message: '% No certificate, request or PKCS #12 data found.', source };
  const kinds = blocks.map((b) => classifyDer(b.der));
  if (kinds.includes('pkcs12')) {
    const der = blocks[kinds.indexOf('pkcs12')]!.der;
    if (opts.password === undefined) return { kind: 'needs-password', source };
    let c;
    try {
      c = await readPkcs12(der, opts.password, await app.core());
    } catch (e) {
      return { kind: 'other', message: explain(e), source };
    }
    const own = keyCertificate(c);
    const pool = c.certificates.map((x) => x.der);
    const certs = [];
    const ordered = own ? [own, ...c.certificates.filter((x) => x !== own)] : c.certificates;
    for (const x of ordered) certs.push(await certificateDetails(app, x.der, pool));
    return { kind: 'pkcs12', certificates: certs, hasKey: !!c.key, keyMatches: !!own && !!c.key, warnings: c.warnings, source };
  }
  if (kinds.includes('csr')) {
    const v = await parseCsr(blocks[kinds.indexOf('csr')]!.der, app.verify);
    return {
      kind: 'csr',
      subject: v.subject.map((a) => `${a.short}=${a.value}`).join(', '),
      key: v.publicKey.kind === 'rsa' ? `RSA ${v.publicKey.bits} bits` : v.publicKey.kind === 'ec' ? `EC ${v.publicKey.curve}` : 'other',
      san: (v.subjectAltName ?? []).map((n) => `${n.type.toUpperCase()}: ${n.value}`),
      signatureOk: v.signatureValid ?? false,
      challenge: v.challengePassword !== undefined,
      source,
    };
  }
  if (kinds.includes('private-key')) return { kind: 'private-key', source };
  const ders: Uint8Array[] = [];
  for (const [i, b] of blocks.entries()) {
    if (kinds[i] === 'certificate') ders.push(b.der);
    else if (kinds[i] === 'pkcs7') ders.push(...certificatesFromPkcs7(b.der));
  }
  if (!ders.length) return { kind: 'other', message: '% The data is not a certificate, chain, request or PKCS #12 file.', source };
  const certs = [];
  for (const d of ders) certs.push(await certificateDetails(app, d, ders));
  return { kind: 'certificates', certificates: certs, source };
}

export function encodeCertificate(der: Uint8Array, format: 'pem' | 'der'): Uint8Array {
  return format === 'der' ? der : new TextEncoder().encode(writePem('CERTIFICATE', der));
}

/** `crypto pki export NAME pkcs12 …`: the file's bytes (also offered as a download by the workflow). */
export async function exportTrustpointPkcs12(app: TrustpointApp, io: Interaction, name: string, password: string, profile: 'aes' | '3des'): Promise<Uint8Array> {
  const file = `${name}.p12`;
  const url = `tftp://download/${file}`;
  recordCommands(app, `Export ${name} as PKCS #12`, ['configure terminal', `crypto pki export ${name} pkcs12 ${url} ${profile} password ${password}`, 'end']);
  let got: Uint8Array | undefined;
  const off = app.onDownload((d) => {
    if (d.name === file) got = d.data;
  });
  try {
    const { exportPkcs12 } = await import('./transfer.ts');
    await exportPkcs12(app, io, name, url, password, profile);
  } finally {
    off();
  }
  if (!got) refuse('% The PKCS #12 file was not produced.');
  return got;
}

/**
 * `crypto pki import NAME pkcs12 tftp://…/FILE password P` with the dropped file answering
 * the paste question the console would ask.
 */
export async function importPkcs12(app: TrustpointApp, io: Interaction, name: string, bytes: Uint8Array, password: string, fileName = `${name}.p12`): Promise<void> {
  const url = `tftp://upload/${fileName.replace(/[^\w.-]/g, '_')}`;
  recordCommands(app, `Import ${fileName} into ${name}`, ['configure terminal', `crypto pki import ${name} pkcs12 ${url} password ${password}`, 'end']);
  const answers = [...(encodeBase64(bytes).match(/.{1,64}/g) ?? []), ''];
  const feeding: Interaction = {
    interactive: io.interactive,
    signal: io.signal,
    print: (l) => io.print(l),
    confirm: (t) => io.confirm(t),
    ask: (q) => (q.text === '' && q.kind === 'text' && answers.length ? Promise.resolve(answers.shift()!) : io.ask(q)),
    ...(io.progress ? { progress: io.progress.bind(io) } : {}),
  };
  const { importPkcs12: run } = await import('./transfer.ts');
  await run(app, feeding, name, url, password);
}

// ---------------------------------------------------------------------------------------
// the lifetime timeline

export interface TimelineEntry {
  trustpoint: string;
  kind: ChainCertKind;
  label: string;
  subject: string;
  notBefore: Date;
  notAfter: Date;
  renewAt?: Date;
  state: 'valid' | 'expiring' | 'expired' | 'not-yet-valid' | 'rollover';
}

/** Every certificate the app holds, with its renew point and state (soon = within 30 days or past the renew point). */
export function timeline(app: TrustpointApp): TimelineEntry[] {
  const now = app.clock().getTime();
  const out: TimelineEntry[] = [];
  for (const c of storedCertificates(app)) {
    const tp = app.running.trustpoints.get(c.trustpoint)!;
    const s = c.summary;
    const r = (c.kind === 'general' || c.kind === 'self-signed') && tp.autoEnroll ? renewDateOf(app, tp, c.der) : undefined;
    const a = s.notBefore.getTime();
    const b = s.notAfter.getTime();
    const state: TimelineEntry['state'] =
      c.kind === 'ca-rollover' || c.kind === 'rollover' ? 'rollover' : now > b ? 'expired' : now < a ? 'not-yet-valid' : b - now < 30 * 86_400_000 || (r && now >= r.getTime()) ? 'expiring' : 'valid';
    const label = c.kind === 'ca' ? 'CA' : c.kind === 'ca-rollover' ? 'CA rollover' : c.kind.startsWith('ra-') ? 'RA' : c.kind === 'self-signed' ? 'Self-signed' : c.kind === 'rollover' ? 'Rollover' : 'Own';
    out.push({ trustpoint: c.trustpoint, kind: c.kind, label, subject: dn(s.subject) || dn(s.issuer), notBefore: s.notBefore, notAfter: s.notAfter, ...(r ? { renewAt: r } : {}), state });
  }
  return out;
}

// ---------------------------------------------------------------------------------------
// kiosk

export interface KioskStatus {
  name: string;
  exists: boolean;
  valid: boolean;
  text: string;
  validUntil?: Date;
  renewsOn?: Date;
  needsChallenge: boolean;
  lastAttempt?: { at: number; result: string };
  nextTry?: number;
}

const KIOSK_STATE = 'kiosk-state';

export async function noteKioskAttempt(app: TrustpointApp, name: string, result: string, nextTry?: number): Promise<void> {
  await app.meta.set(KIOSK_STATE, { name, at: app.clock().getTime(), result, ...(nextTry ? { nextTry } : {}) });
}

export async function kioskStatus(app: TrustpointApp, name: string): Promise<KioskStatus> {
  const tp = app.running.trustpoints.get(name);
  const last = await app.meta.get<{ name: string; at: number; result: string; nextTry?: number }>(KIOSK_STATE).catch(() => undefined);
  const mine = last?.name === name ? last : undefined;
  const base = { name, ...(mine ? { lastAttempt: { at: mine.at, result: mine.result } } : {}), ...(mine?.nextTry ? { nextTry: mine.nextTry } : {}) };
  if (!tp) return { ...base, exists: false, valid: false, needsChallenge: false, text: `Trustpoint ${name} is not configured on this device.` };
  const st = listTrustpoints(app).find((t) => t.name === name)!;
  const needsChallenge = tp.password === undefined && tp.enrollment?.kind === 'url';
  if (st.valid && st.certificate) {
    return {
      ...base,
      exists: true,
      valid: true,
      needsChallenge,
      validUntil: st.certificate.notAfter,
      ...(st.renewAt ? { renewsOn: st.renewAt } : {}),
      text: `Certificate valid until ${iosDate(st.certificate.notAfter)}${st.renewAt ? `, renews on ${iosDate(st.renewAt)}` : ''}`,
    };
  }
  return { ...base, exists: true, valid: false, needsChallenge, text: st.certificate ? `Certificate expired on ${iosDate(st.certificate.notAfter)}` : 'No certificate yet' };
}

const PIN_KEY = 'kiosk-pin';
const PIN_ITERATIONS = 210_000;

interface PinRecord {
  salt: number[];
  iterations: number;
  hash: number[];
}

async function pinHash(app: TrustpointApp, pin: string, salt: Uint8Array, iterations: number): Promise<Uint8Array> {
  const core = await app.core();
  return core.pbkdf2('SHA-256', new TextEncoder().encode(pin), salt, iterations, 32);
}

/** Stores only a PBKDF2-SHA-256 hash (random salt, 210,000 iterations) of the administrator PIN. */
export async function setKioskPin(app: TrustpointApp, pin: string): Promise<void> {
  if (!/^\d{4,12}$/.test(pin)) refuse('% The PIN must be 4 to 12 digits.');
  const salt = crypto.getRandomValues(new Uint8Array(16));
  const hash = await pinHash(app, pin, salt, PIN_ITERATIONS);
  await app.meta.set(PIN_KEY, { salt: Array.from(salt), iterations: PIN_ITERATIONS, hash: Array.from(hash) } satisfies PinRecord);
}

export async function hasKioskPin(app: TrustpointApp): Promise<boolean> {
  return !!(await app.meta.get<PinRecord>(PIN_KEY));
}

export async function checkKioskPin(app: TrustpointApp, pin: string): Promise<boolean> {
  const rec = await app.meta.get<PinRecord>(PIN_KEY);
  if (!rec) return false;
  const h = await pinHash(app, pin, new Uint8Array(rec.salt), rec.iterations);
  let diff = h.length ^ rec.hash.length;
  for (let i = 0; i < h.length; i++) diff |= h[i]! ^ (rec.hash[i] ?? 0);
  return diff === 0;
}

// ---------------------------------------------------------------------------------------
// provisioning desk (the workflow lives in desk.ts, loaded on first use)

export { parseDeskRows } from './desk-types.ts';

export async function deskBatch(app: TrustpointApp): Promise<DeskBatch | undefined> {
  return (await import('./desk.ts')).loadBatch(app);
}

export async function startDeskBatch(app: TrustpointApp, io: Interaction, spec: DeskSpec): Promise<DeskBatch> {
  const d = await import('./desk.ts');
  const first = spec.rows[0];
  recordCommands(app, `Provisioning desk: ${spec.rows.length} devices from trustpoint ${spec.trustpoint}`, d.deskCommands(app, spec, first));
  return d.startBatch(app, io, spec);
}

export async function resumeDeskBatch(app: TrustpointApp, io: Interaction): Promise<DeskBatch | undefined> {
  return (await import('./desk.ts')).resumeBatch(app, io);
}

export async function deskZip(app: TrustpointApp, batch: DeskBatch): Promise<Uint8Array> {
  return (await import('./desk.ts')).batchZip(app, batch);
}

export async function finishDeskBatch(app: TrustpointApp, keepKeys: boolean): Promise<void> {
  return (await import('./desk.ts')).finishBatch(app, keepKeys);
}

export async function cancelDeskBatch(): Promise<void> {
  return (await import('./desk.ts')).cancelBatch();
}

export function onDesk(app: TrustpointApp, fn: (b: DeskBatch) => void): () => void {
  return deskListeners(app, fn);
}

const deskFeeds = new WeakMap<TrustpointApp, Set<(b: DeskBatch) => void>>();
function deskListeners(app: TrustpointApp, fn: (b: DeskBatch) => void): () => void {
  let s = deskFeeds.get(app);
  if (!s) deskFeeds.set(app, (s = new Set()));
  s.add(fn);
  return () => s.delete(fn);
}
/** desk.ts tells the views about row changes through this. */
export function emitDesk(app: TrustpointApp, b: DeskBatch): void {
  for (const f of deskFeeds.get(app) ?? []) f(b);
}

// ---------------------------------------------------------------------------------------
// small things the views need

export function fqdn(app: TrustpointApp): string {
  return fqdnOf(app.running);
}

export const defaults = DEFAULTS;

export { iosDate };

/** The downloads the workflows offered (CSRs, exports), for views that show links. */
export function onDownload(app: TrustpointApp, fn: (d: { name: string; data: Uint8Array; mime: string }) => void): () => void {
  return app.onDownload(fn);
}

export type { DeskRow as DeskRowType };

export { isYes } from './prompter.ts';

/** `debug crypto pki messages` + `transactions` on, or `undebug all` (the Inspector's switches). */
export function setDebugging(app: TrustpointApp, on: boolean): void {
  app.debug.messages = on;
  app.debug.transactions = on;
  recordCommands(app, on ? 'Start debugging' : 'Stop debugging', on ? ['debug crypto pki messages', 'debug crypto pki transactions'] : ['undebug all']);
}

/** Configures the demo CA's trustpoint (DEMO) if it is not there yet; resolves to its name. */
export async function demoTrustpoint(app: TrustpointApp, io: Interaction): Promise<string> {
  const { DEMO_TRUSTPOINT, demoLines } = await import('./demo.ts');
  if (app.demo.kind !== 'available') refuse('% The demo CA is not running.');
  if (app.running.trustpoints.has(DEMO_TRUSTPOINT)) return DEMO_TRUSTPOINT;
  const lines = demoLines(app.demo.ca, app.running.hostname).filter((l) => l.startsWith(' ') || l.startsWith('crypto pki trustpoint'));
  const scratch = emptyConfig();
  scratch.hostname = app.running.hostname;
  const r = await readConfig(lines.join('\n'), scratch);
  const plan = await planTrustpoint(app, trustpointFieldsOf(r.config.trustpoints.get(DEMO_TRUSTPOINT)!));
  const wasSaved = !(await app.isModified());
  await applyLines(app, plan.commands);
  const cmds = [...plan.commands];
  await saveIfInSync(app, wasSaved, cmds);
  recordCommands(app, `Demo trustpoint ${DEMO_TRUSTPOINT}`, cmds);
  io.print(`% Trustpoint ${DEMO_TRUSTPOINT} configured for the demo CA.`);
  return DEMO_TRUSTPOINT;
}

function trustpointFieldsOf(tp: Trustpoint): TrustpointFields {
  const c = emptyConfig();
  c.trustpoints.set(tp.name, tp);
  return trustpointFields({ running: c } as unknown as TrustpointApp, tp.name);
}

// ---------------------------------------------------------------------------------------
// keys and storage (read-only views)

export interface KeyView {
  label: string;
  type: string;
  usage: string;
  exportable: boolean;
  holder: string;
  created: Date;
}

export async function listKeys(app: TrustpointApp): Promise<KeyView[]> {
  const { displayLabel } = await import('./keys.ts');
  return (await app.keys.list()).map((k) => ({
    label: displayLabel(k),
    type: k.kind === 'rsa' ? `RSA ${k.bits}` : `EC ${k.curve}`,
    usage: k.usage,
    exportable: k.exportable,
    holder: k.holder === 'token' ? `token ${k.device} slot ${k.slot}` : k.holder === 'webcrypto' ? 'browser key store (non-extractable)' : 'Trustpoint core',
    created: new Date(k.createdAt),
  }));
}

export interface StorageView {
  files: { name: string; bytes: number; savedAt: number }[];
  capacity: number;
  estimate?: { usage: number; quota: number };
  error?: string;
}

export async function storageInfo(app: TrustpointApp): Promise<StorageView> {
  const { NVRAM_CAPACITY } = await import('../store/nvram.ts');
  const { storageEstimate } = await import('../store/persist.ts');
  const out: StorageView = { files: [], capacity: NVRAM_CAPACITY };
  try {
    out.files = (await app.nvram.list()).map((f) => ({ name: f.name, bytes: f.bytes, savedAt: f.savedAt }));
  } catch (e) {
    out.error = (e as Error).message;
  }
  const est = await storageEstimate();
  if (est) out.estimate = est;
  return out;
}

export { iosTimestamp } from '../util/time.ts';
