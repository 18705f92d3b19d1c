/**
 * Auto-enrollment, renewal and rollover (the guide's "Automatic Certificate Enrollment" and
 * "Automated Client Certificate and Key Rollover"), hands-off:
 *
 * - ENROLL: a trustpoint with `auto-enroll`, an authenticated CA, an enrollment method that
 *   can run unattended (SCEP; enrollment profiles and ACME when they can) and no valid
 *   certificate enrolls from the app's start on;
 * - RENEW: at the configured percentage of the certificate's lifetime it requests a rollover
 *   certificate — on a new key with `regenerate` — while the current certificate and key stay
 *   active (src/auto/timers.ts has the arithmetic);
 * - SHADOW: a rollover certificate not yet valid waits beside the current one and becomes
 *   active when it is (app/commit.ts makes the switch one transaction, and deletes the old
 *   key only when nothing names it);
 * - CA ROLLOVER: the CA's next certificate (GetNextCACert, `certificate ca rollover`) becomes
 *   the CA certificate when the current one expires or the next one becomes valid; the old CA
 *   certificate stays (`certificate ca previous`) while a certificate it issued is in use.
 *
 * Nothing is ever guessed: an attempt that would need an answer (no challenge password, an
 * unknown CA) stops with the reason logged. Every attempt, success and failure is logged as
 * an IOS syslog line (`*Dec 21 19:14:15.421: %PKI-6-...`); the workflow's own lines go to
 * `debug crypto pki transactions`. Attempts are spaced by the retry period with backoff and
 * stop after `enrollment retry count` failures until the next start or change.
 *
 * One instance renews a trustpoint at a time: across tabs and the service worker through a
 * Web Lock per trustpoint; other tabs are told on a BroadcastChannel and take the new
 * startup-config when they have no unsaved changes of their own.
 */
import type { TrustpointApp } from './app.ts';
import type { Interaction } from './interaction.ts';
import { commitChange } from './commit.ts';
import type { enroll } from './pki.ts';
import { keyState } from './keys.ts';
import type { KeyRecord } from '../store/keystore.ts';
import type { pendingTransactions } from './scep.ts';
import { revocationCacheEntries, type RevocationCacheEntry } from './revocation.ts';
import type { acmeRenewalWindow } from './acme.ts';
import { DEFAULTS, type ChainCertificate, type RunningConfig, type Trustpoint } from '../config/model.ts';
import { isUrlError, parseEnrollmentUrl } from '../config/url.ts';
import { Scheduler, type SchedulerTimers } from '../auto/scheduler.ts';
import { backoffMs, computeTimers, jitterSeed, renewAt, type AttemptState, type PkiTimer, type TimerInput } from '../auto/timers.ts';
export { formatTimers } from '../auto/timers.ts';
import { summarizeCertificate, type CertificateSummary } from '../pki/x509.ts';
import { issuedBy, pruneOldCa } from './certs.ts';
import { isAbortError } from '../util/errors.ts';
import { iosLogStamp } from '../util/time.ts';
import { toHex } from '../util/hex.ts';

const STATE_PREFIX = 'auto-state:';
/** A certificate this close to expiry (fraction of its lifetime) that could not be renewed raises a warning. */
const WARN_FRACTION = 0.1;

/** What the browser offers the auto-enroller (all optional: node tests and the service worker differ). */
export interface AutoEnv {
  /** navigator.locks */
  locks?: { request(name: string, opts: { ifAvailable: boolean }, cb: (lock: unknown) => Promise<void>): Promise<unknown> };
  /** a BroadcastChannel shared by the app's tabs and service worker */
  channel?: { postMessage(m: unknown): void; addEventListener(t: 'message', fn: (e: { data: unknown }) => void): void };
  /** shows a notification (when the user granted it) */
  notify?(title: string, body: string): void;
  timers?: SchedulerTimers;
  /** how renewal happens while the app is closed (shown by `show crypto pki timers`) */
  background?: () => string;
  /**
   * The enrollment workflows. A page loads them on first use (the console starts light); the
   * service worker, where import() is not allowed, passes them statically imported.
   */
  workflows?: () => Promise<Workflows>;
}

export interface Workflows {
  enroll: typeof enroll;
  pendingTransactions: typeof pendingTransactions;
  acmeRenewalWindow: typeof acmeRenewalWindow;
}

const loadWorkflows = async (): Promise<Workflows> => {
  const [p, s, a] = await Promise.all([import('./pki.ts'), import('./scep.ts'), import('./acme.ts')]);
  return { enroll: p.enroll, pendingTransactions: s.pendingTransactions, acmeRenewalWindow: a.acmeRenewalWindow };
};

export interface AutoMessage {
  type: 'trustpoint-changed';
  from: string;
  trustpoint: string;
}

/** A certificate's lifetime in ms. */
function life(s: CertificateSummary) {
  return { notBefore: s.notBefore.getTime(), notAfter: s.notAfter.getTime() };
}

function parsed(c: ChainCertificate): CertificateSummary | undefined {
  try {
    return summarizeCertificate(c.der);
  } catch {
    return undefined;
  }
}

/** Why this trustpoint's method cannot run without a human, or undefined when it can. */
export function unattendedBlocker(cfg: RunningConfig, tp: Trustpoint): string | undefined {
  const e = tp.enrollment;
  if (!e) return 'no enrollment method';
  switch (e.kind) {
    case 'url': {
      const u = parseEnrollmentUrl(e.url);
      if (isUrlError(u) || u.kind !== 'http') return 'file enrollment (TFTP, file systems) needs an operator';
      return undefined;
    }
    case 'terminal':
      return 'cut-and-paste enrollment needs an operator';
    case 'selfsigned':
      return 'a self-signed certificate is not auto-enrolled';
    case 'pkcs12':
      return 'a PKCS #12 identity is imported by an operator';
    case 'profile': {
      const p = cfg.profiles.get(e.label);
      if (!p) return `enrollment profile ${e.label} is not configured`;
      if ([...p.parameters.values()].some((x) => x.kind === 'prompt')) return `enrollment profile ${e.label} prompts for a parameter`;
      if (p.enrollment?.kind === 'terminal') return `enrollment profile ${e.label} enrolls by cut-and-paste`;
      return undefined;
    }
    default:
      return undefined;
  }
}

/** The renew date `show crypto pki certificates` prints (IOS: 1970 without auto-enroll). */
export function renewDateOf(app: TrustpointApp, tp: Trustpoint, der: Uint8Array): Date {
  if (!tp.autoEnroll) return new Date(0);
  const s = summarizeCertificate(der);
  return new Date(renewAt(life(s), tp.autoEnroll.percent, jitterSeed(app.serialNumber, der)));
}

/** The timer table of an app, with its auto-enroller's attempt states when it runs one. */
export function timersOf(app: TrustpointApp): PkiTimer[] {
  return (app.auto ?? new AutoEnrollService(app)).timers();
}

export class AutoEnrollService {
  readonly scheduler: Scheduler;
  /** Attempt state by trustpoint (mirrored in NVRAM). */
  states: Record<string, AttemptState> = {};
  /** In-app warnings by trustpoint (a certificate near expiry that could not be renewed). */
  readonly warnings = new Map<string, string>();
  /** The last automatic log lines (newest last). */
  readonly log: string[] = [];
  startedAt: number;
  private warned = new Set<string>();

  constructor(
    readonly app: TrustpointApp,
    private readonly env: AutoEnv = {},
  ) {
    this.startedAt = app.clock().getTime();
    this.scheduler = new Scheduler(
      {
        now: () => this.app.clock().getTime(),
        timers: async () => {
          await this.refreshRevocation();
          await this.refreshRenewalInfo();
          return this.timers();
        },
        run: (t) => this.run(t),
        withLock: (name, fn) => this.withLock(name, fn),
        runs: (k) => k === 'ENROLL' || k === 'RENEW' || k === 'SHADOW' || k === 'CA ROLLOVER',
      },
      env.timers,
    );
    env.channel?.addEventListener('message', (e) => void this.onMessage(e.data));
  }

  /** Loads the attempt states (a new start clears "gave up") and starts the loop. */
  async start(): Promise<void> {
    this.startedAt = this.app.clock().getTime();
    for (const [key, st] of await this.app.meta.entries<AttemptState>(STATE_PREFIX)) {
      const name = key.slice(STATE_PREFIX.length);
      this.states[name] = { ...st, gaveUp: false };
    }
    this.app.onChange(() => void this.scheduler.trigger());
    this.app.onStored(() => this.env.channel?.postMessage({ type: 'trustpoint-changed', from: this.app.instanceId, trustpoint: '' } satisfies AutoMessage));
    this.scheduler.start();
  }

  stop(): void {
    this.scheduler.stop();
  }

  /** Runs the due timers now (the service worker's periodic sync; tests). */
  async runDue(): Promise<void> {
    await this.scheduler.trigger();
  }

  /** The timer inputs of every trustpoint, from the running-config. */
  inputs(): TimerInput[] {
    const cfg = this.app.running;
    const out: TimerInput[] = [];
    for (const tp of cfg.trustpoints.values()) {
      const certs = cfg.chains.get(tp.name)?.certificates ?? [];
      const cas = certs.filter((c) => c.kind === 'ca').map(parsed).filter((s): s is CertificateSummary => !!s);
      const own = certs
        .filter((c) => c.kind === 'general')
        .map((c) => ({ c, s: parsed(c) }))
        .filter((x): x is { c: ChainCertificate; s: CertificateSummary } => !!x.s)
        .sort((a, b) => a.s.notAfter.getTime() - b.s.notAfter.getTime())[0];
      const nextCa = certs.filter((c) => c.kind === 'ca-rollover').map(parsed).find((s) => !!s);
      const caSwitch = nextCa && cas[0] ? Math.min(nextCa.notBefore.getTime(), cas[0].notAfter.getTime()) : undefined;
      const shadows = certs.filter((c) => c.kind === 'rollover').map(parsed).filter((s): s is CertificateSummary => !!s);
      let shadowAt: number | undefined;
      for (const s of shadows) {
        // A shadow issued by the CA's rollover certificate waits for the CA rollover too.
        const underNext = nextCa && issuedBy(s, nextCa) && !cas.some((ca) => issuedBy(s, ca));
        const at = Math.max(s.notBefore.getTime(), underNext && caSwitch !== undefined ? caSwitch : -Infinity);
        shadowAt = Math.max(shadowAt ?? -Infinity, at);
      }
      const poll = this.app.pendingPolls.get(tp.name);
      out.push({
        name: tp.name,
        ...(tp.autoEnroll ? { autoEnroll: { ...(tp.autoEnroll.percent !== undefined ? { percent: tp.autoEnroll.percent } : {}) } } : {}),
        unattended: unattendedBlocker(cfg, tp) === undefined,
        authenticated: cas.length > 0 || (tp.enrollment as { kind: string } | undefined)?.kind === 'acme',
        retryPeriodMs: (tp.retryPeriod ?? DEFAULTS.retryPeriodMinutes) * 60_000,
        ...(own ? { own: { ...life(own.s), seed: jitterSeed(this.app.serialNumber, own.c.der) } } : {}),
        ...(shadowAt !== undefined ? { shadowAt } : {}),
        ...(own && this.ari.get(tp.name)?.serial === own.c.serial ? { renewalWindow: this.ari.get(tp.name)!.window } : {}),
        ...(nextCa && cas[0] ? { caRollover: { notBefore: nextCa.notBefore.getTime(), currentNotAfter: cas[0].notAfter.getTime() } } : {}),
        ...(poll ? { pollAt: poll.next, pollNote: `transaction ${poll.transactionID.slice(0, 16)}..., poll ${poll.attempt} of ${poll.of}` } : {}),
      });
    }
    return out;
  }

  /** The timer table now (CRL UPDATE rows from the revocation cache as last read). */
  timers(): PkiTimer[] {
    const now = this.app.clock().getTime();
    this.checkExpiry(now);
    const crl: PkiTimer[] = this.revocation
      .filter((e) => e.nextUpdate)
      .map((e) => ({ kind: 'CRL UPDATE' as const, trustpoint: e.url, at: e.nextUpdate!.getTime(), note: e.kind === 'ocsp' ? `OCSP answer for ${e.what}` : `CRL of ${e.what}` }));
    return [...computeTimers(now, this.inputs(), this.states, this.startedAt), ...crl].sort((a, b) => a.at - b.at);
  }

  /** ACME renewal information by trustpoint, for the certificate of `serial` (asked at most every 6 hours). */
  private ari = new Map<string, { serial: string; at: number; window?: { start: number; end: number } }>();

  async refreshRenewalInfo(): Promise<void> {
    const now = this.app.clock().getTime();
    for (const tp of this.app.running.trustpoints.values()) {
      if (tp.enrollment?.kind !== 'acme' || !tp.autoEnroll) continue;
      const own = (this.app.running.chains.get(tp.name)?.certificates ?? []).find((c) => c.kind === 'general');
      if (!own) continue;
      const known = this.ari.get(tp.name);
      if (known && known.serial === own.serial && now - known.at < 6 * 3_600_000) continue;
      try {
        const w = await (await (this.env.workflows ?? loadWorkflows)()).acmeRenewalWindow(this.app, tp.name);
        this.ari.set(tp.name, { serial: own.serial, at: now, ...(w ? { window: { start: w.start.getTime(), end: w.end.getTime() } } : {}) });
      } catch {
        this.ari.set(tp.name, { serial: own.serial, at: now });
      }
    }
  }

  /** Cached CRLs and OCSP answers (their nextUpdate is a CRL UPDATE timer). */
  private revocation: RevocationCacheEntry[] = [];

  async refreshRevocation(): Promise<void> {
    try {
      this.revocation = await revocationCacheEntries(this.app);
    } catch {
      // NVRAM unreadable: no CRL timers to show
    }
  }

  /** How automatic renewal happens while the app is closed. */
  background(): string {
    return this.env.background?.() ?? 'Renewal while the app is closed: not available here; due renewals run at the next start.';
  }

  // ------------------------------------------------------------------------------ running

  private async withLock(name: string, fn: () => Promise<void>): Promise<boolean> {
    if (!this.env.locks) {
      await fn();
      return true;
    }
    let got = false;
    await this.env.locks.request(name, { ifAvailable: true }, async (lock) => {
      if (!lock) return;
      got = true;
      await fn();
    });
    return got;
  }

  private async onMessage(data: unknown): Promise<void> {
    const m = data as Partial<AutoMessage> | null;
    if (m?.type !== 'trustpoint-changed' || m.from === this.app.instanceId) return;
    if (await this.app.adoptStartupIfUnmodified()) this.say('6', 'CONFIG_SYNC', 'The startup-config was changed by another Trustpoint window; this window took it over (it had no unsaved changes).');
    await this.reloadStates();
    void this.scheduler.trigger();
  }

  private async reloadStates(): Promise<void> {
    for (const [key, st] of await this.app.meta.entries<AttemptState>(STATE_PREFIX)) {
      const name = key.slice(STATE_PREFIX.length);
      this.states[name] = { ...st, gaveUp: this.states[name]?.gaveUp ?? false };
    }
  }

  private async saveState(name: string): Promise<void> {
    try {
      await this.app.meta.set(STATE_PREFIX + name, this.states[name]);
    } catch {
      // NVRAM unavailable: the state lives in memory for this session
    }
  }

  /** An IOS syslog line with its timestamp: to the console and the log. */
  say(severity: string, mnemonic: string, text: string): void {
    const line = `${iosLogStamp(this.app.clock())}: %PKI-${severity}-${mnemonic}: ${text}`;
    this.log.push(line);
    if (this.log.length > 200) this.log.splice(0, this.log.length - 200);
    this.app.notify(line);
  }

  /** An Interaction for unattended work: questions are refused, lines go to the debug log. */
  private io(signal: AbortSignal, lines: string[]): Interaction {
    return {
      interactive: false,
      signal,
      print: (l) => {
        lines.push(l);
        if (/^%PKI-/.test(l)) this.say(l.slice(5, 6), l.slice(7, l.indexOf(':')), l.slice(l.indexOf(':') + 1).trim());
        else if (this.app.debug.transactions && l.trim()) {
          const d = `CRYPTO_PKI: (auto) ${l.replace(/^% ?/, '')}`;
          this.app.recordDebug(d);
          this.app.notify(d);
        }
      },
      ask: (q) => Promise.reject(new Error(`an unattended enrollment cannot answer "${q.text.trim()}"`)),
      confirm: async () => false,
    };
  }

  private async run(t: PkiTimer): Promise<void> {
    // Another window may have just done it: take over its startup-config first (if ours is
    // unchanged), and always its attempt states. They are saved before it lets go of the lock,
    // but the config broadcast arrives earlier: a window that reloaded its states then saw the
    // new certificate without its "already due on arrival" wait, and renewed it again at once.
    await this.app.adoptStartupIfUnmodified();
    await this.reloadStates();
    const still = this.timers().find((x) => x.kind === t.kind && x.trustpoint === t.trustpoint && x.at <= this.app.clock().getTime());
    if (!still) return;
    if (t.kind === 'ENROLL' || t.kind === 'RENEW') await this.enroll(t);
    else if (t.kind === 'SHADOW') await this.activateShadow(t.trustpoint);
    else if (t.kind === 'CA ROLLOVER') await this.activateCaRollover(t.trustpoint);
  }

  private async enroll(t: PkiTimer): Promise<void> {
    const name = t.trustpoint;
    const tp = this.app.running.trustpoints.get(name);
    if (!tp) return;
    const { enroll, pendingTransactions } = await (this.env.workflows ?? loadWorkflows)();
    if ((await pendingTransactions(this.app)).some((p) => p.trustpoint === name)) return; // polled by its own workflow
    const st: AttemptState = (this.states[name] ??= { failures: 0 });
    const now = this.app.clock().getTime();
    st.lastAttempt = now;
    await this.saveState(name);
    if (t.kind === 'ENROLL') this.say('6', 'CERT_ENROLL_AUTO', `Auto initial enrollment for trustpoint ${name}`);
    else this.say('6', 'CERT_RENEW_AUTO', `Auto rollover enrollment for trustpoint ${name}${tp.autoEnroll?.regenerate || tp.regenerate ? ' (new key: regenerate)' : ''}`);
    const lines: string[] = [];
    const controller = new AbortController();
    try {
      await enroll(this.app, this.io(controller.signal, lines), name);
      st.failures = 0;
      st.lastIssuedAt = this.app.clock().getTime();
      st.lastResult = { ok: true, at: st.lastIssuedAt, text: 'certificate received' };
      this.warnings.delete(name);
      this.warned.delete(name);
      this.afterIssue(name, tp, st);
    } catch (e) {
      if (isAbortError(e)) return;
      const reason = ((e as Error).message || String(e)).replace(/^% ?/, '').split('\n')[0]!;
      st.failures++;
      st.lastResult = { ok: false, at: this.app.clock().getTime(), text: reason };
      const count = tp.retryCount ?? DEFAULTS.retryCount;
      this.say('2', 'CERT_ENROLL_FAIL', `Certificate enrollment failed for trustpoint ${name}. Reason: ${reason}`);
      if (st.failures >= count) {
        st.gaveUp = true;
        this.say('3', 'CERT_ENROLL_GIVEUP', `Automatic enrollment of trustpoint ${name} stopped after ${count} failed attempt${count === 1 ? '' : 's'} (enrollment retry count); it starts again at the next start or configuration change, or with "crypto pki enroll ${name}".`);
      } else {
        const next = computeTimers(this.app.clock().getTime(), this.inputs(), this.states, this.startedAt).find((x) => x.trustpoint === name && (x.kind === 'RENEW' || x.kind === 'ENROLL'));
        if (next) this.say('6', 'CERT_ENROLL_RETRY', `Next attempt for trustpoint ${name} at ${new Date(next.at).toISOString()} (attempt ${st.failures + 1} of ${count}).`);
      }
    } finally {
      await this.saveState(name);
    }
  }

  /**
   * After a certificate arrived: one that is already due (a device clock ahead of the CA's, a
   * lifetime shorter than asked) is logged and renewed no sooner than one retry period later,
   * the wait doubling for each such certificate in a row, and not at all after the retry count.
   */
  private afterIssue(name: string, tp: Trustpoint, st: AttemptState): void {
    const own = (this.app.running.chains.get(name)?.certificates ?? []).find((c) => c.kind === 'general');
    const s = own && parsed(own);
    if (!s || !tp.autoEnroll) return;
    const now = this.app.clock().getTime();
    const at = renewAt(life(s), tp.autoEnroll.percent, jitterSeed(this.app.serialNumber, own.der));
    if (at > now) {
      st.early = 0;
      return;
    }
    st.early = (st.early ?? 0) + 1;
    const period = (tp.retryPeriod ?? DEFAULTS.retryPeriodMinutes) * 60_000;
    const count = tp.retryCount ?? DEFAULTS.retryCount;
    const why = now >= s.notAfter.getTime() ? "it has already expired by this device's clock" : now < s.notBefore.getTime() ? "it is not valid yet by this device's clock" : 'its renewal point has already passed';
    st.lastResult = { ok: true, at: now, text: `certificate received, but already due for renewal (${why})` };
    if (st.early >= count) {
      st.gaveUp = true;
      this.say('3', 'CERT_RENEW_EARLY', `The certificate of trustpoint ${name} was already due for renewal when it arrived, ${st.early} times in a row (${why}): automatic renewal stops until the next start. Check this device's clock against the CA's.`);
      return;
    }
    const next = now + Math.max(period, backoffMs(period, st.early));
    this.say('4', 'CERT_RENEW_EARLY', `The new certificate of trustpoint ${name} is already due for renewal (${why}: is this device's clock ahead of the CA's, or did the CA issue a shorter lifetime than asked?). Next renewal no sooner than ${new Date(next).toISOString()}.`);
  }

  /** SHADOW: the rollover certificate(s) become active, their key(s) current, in one commit. */
  async activateShadow(name: string): Promise<void> {
    const certs = this.app.running.chains.get(name)?.certificates ?? [];
    const activated: { cert: ChainCertificate; key: KeyRecord }[] = [];
    for (const c of certs.filter((x) => x.kind === 'rollover')) {
      const recs = await this.app.keys.bySpki(summarizeCertificate(c.der).spki);
      const rec = recs.find((k) => keyState(k) === 'pending') ?? recs[0];
      if (rec) activated.push({ cert: c, key: rec });
      else this.say('2', 'CERT_ROLLOVER_FAIL', `The rollover certificate ${c.serial} of trustpoint ${name} has no key in the key store: it is dropped.`);
    }
    // The usage of each active certificate, by its key: a usage that rolled over replaces its old certificate.
    const usageOf = new Map<ChainCertificate, string | undefined>();
    for (const c of certs.filter((x) => x.kind === 'general')) usageOf.set(c, (await this.app.keys.bySpki(summarizeCertificate(c.der).spki))[0]?.usage);
    const rolled = new Set(activated.map((a) => a.key.usage));
    await commitChange(this.app, this.io(new AbortController().signal, []), {
      activate: activated.map((a) => a.key),
      apply: (cfg) => {
        const chain = cfg.chains.get(name);
        if (!chain) return;
        const keep = chain.certificates.filter((c) => {
          if (c.kind === 'rollover') return false;
          if (c.kind !== 'general') return true;
          const orig = certs.find((x) => x.kind === 'general' && x.serial === c.serial);
          const u = orig ? usageOf.get(orig) : undefined;
          return u !== undefined && !rolled.has(u as KeyRecord['usage']);
        });
        chain.certificates = [...activated.map((a) => ({ ...a.cert, kind: 'general' as const })), ...keep];
        pruneOldCa(chain.certificates);
      },
    });
    if (activated.length) this.say('6', 'CERT_ROLLOVER_ACTIVE', `A rollover ID certificate has been activated under trustpoint ${name} replacing the previous ID certificate.`);
  }

  /** CA ROLLOVER: the CA's rollover certificate becomes the CA certificate. */
  async activateCaRollover(name: string): Promise<void> {
    const lines: string[] = [];
    await commitChange(this.app, this.io(new AbortController().signal, lines), {
      apply: (cfg) => {
        const chain = cfg.chains.get(name);
        if (!chain) return;
        const next = chain.certificates.filter((c) => c.kind === 'ca-rollover');
        if (!next.length) return;
        const rest = chain.certificates.filter((c) => c.kind !== 'ca-rollover' && c.kind !== 'ca');
        const old = chain.certificates.filter((c) => c.kind === 'ca').map((c) => ({ ...c, kind: 'ca-previous' as const }));
        chain.certificates = [...rest.filter((c) => c.kind !== 'ca-previous'), ...next.map((c) => ({ ...c, kind: 'ca' as const })), ...rest.filter((c) => c.kind === 'ca-previous'), ...old];
        pruneOldCa(chain.certificates);
      },
    });
    this.say('6', 'CA_ROLLOVER_ACTIVE', `The CA rollover certificate of trustpoint ${name} is now its CA certificate; certificates issued by the previous CA certificate stay valid until they are renewed.`);
  }

  /** A certificate within 10 % of its lifetime of expiry that could not be renewed: a warning (and a notification). */
  private checkExpiry(now: number): void {
    for (const tp of this.app.running.trustpoints.values()) {
      const own = (this.app.running.chains.get(tp.name)?.certificates ?? []).find((c) => c.kind === 'general');
      const s = own && parsed(own);
      if (!s) {
        this.warnings.delete(tp.name);
        continue;
      }
      const span = s.notAfter.getTime() - s.notBefore.getTime();
      const st = this.states[tp.name];
      const failing = !tp.autoEnroll || (st?.failures ?? 0) > 0 || !!st?.gaveUp;
      if (now >= s.notAfter.getTime() - span * WARN_FRACTION && failing) {
        const text = now >= s.notAfter.getTime() ? `The certificate of trustpoint ${tp.name} expired at ${s.notAfter.toISOString()}.` : `The certificate of trustpoint ${tp.name} expires at ${s.notAfter.toISOString()} and ${tp.autoEnroll ? 'could not be renewed' : 'is not renewed automatically (no auto-enroll)'}.`;
        this.warnings.set(tp.name, text);
        const key = `${tp.name}\u0000${s.serial}`;
        if (!this.warned.has(key)) {
          this.warned.add(key);
          queueMicrotask(() => {
            this.say('4', 'CERT_EXPIRY_WARNING', text);
            this.env.notify?.('Trustpoint: certificate expiring', text);
          });
        }
      } else this.warnings.delete(tp.name);
    }
  }
}
