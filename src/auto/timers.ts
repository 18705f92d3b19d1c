/**
 * The PKI timer table (`show crypto pki timers`): pure arithmetic over the certificates, the
 * configuration and what earlier attempts left in NVRAM — never over wall-clock intervals
 * alone, so a laptop that slept or a tab that was frozen catches up at the next computation.
 *
 * Renewal follows the IOS guide ("Automated Client Certificate and Key Rollover"): at `percent`
 * of the certificate's lifetime (90 % of one year = 36.5 days before expiry), at expiry without
 * a percent, always leaving at least 3 minutes for the rollover; minus a small jitter (earlier,
 * never later: at most 1 % of the lifetime and at most one hour) that is fixed per device and
 * certificate, so a fleet enrolled at once does not renew at once. Attempts are spaced by the
 * trustpoint's `enrollment retry period`, doubled after each failure (at most one hour), and stop
 * after `enrollment retry count` failures until the next start or change. A certificate that is
 * already due when it arrives (a device clock ahead of the CA's, a CA issuing shorter lifetimes
 * than asked) is renewed no sooner than one retry period later, the wait doubling with each such
 * certificate in a row and stopping after the retry count — never in a loop.
 */
export const MIN_ROLLOVER_WINDOW_MS = 3 * 60_000;
export const MAX_JITTER_MS = 3_600_000;
export const MAX_BACKOFF_MS = 3_600_000;

export type TimerKind = 'ENROLL' | 'RENEW' | 'SHADOW' | 'CA ROLLOVER' | 'POLL' | 'CRL UPDATE';

export interface PkiTimer {
  kind: TimerKind;
  trustpoint: string;
  /** when it fires (ms since the epoch); at or before `now` = due */
  at: number;
  /** what `show crypto pki timers` adds after the name */
  note?: string;
}

/** What earlier automatic attempts left (per trustpoint, in NVRAM). */
export interface AttemptState {
  /** consecutive failures since the last success */
  failures: number;
  /** when the last attempt started */
  lastAttempt?: number;
  /** the last attempt's outcome, for the GUI and `show crypto pki timers` */
  lastResult?: { ok: boolean; at: number; text: string };
  /** when a certificate last arrived (no renewal sooner than one retry period after it) */
  lastIssuedAt?: number;
  /** certificates in a row that were already due when they arrived (a clock ahead of the CA's): the wait doubles each time */
  early?: number;
  /** `enrollment retry count` failures in a row: no more automatic attempts until the next start or change */
  gaveUp?: boolean;
}

export interface Lifetime {
  notBefore: number;
  notAfter: number;
}

/** The guide's renewal point, before jitter. */
export function renewPoint(life: Lifetime, percent?: number): number {
  const span = life.notAfter - life.notBefore;
  const p = percent ?? 100;
  return Math.max(life.notBefore, Math.min(life.notBefore + (span * p) / 100, life.notAfter - MIN_ROLLOVER_WINDOW_MS));
}

/** The jitter, earlier only: `seed` ∈ [0, 1) scales up to min(1 % of the lifetime, one hour). */
export function jitterMs(life: Lifetime, seed: number): number {
  const span = Math.max(0, life.notAfter - life.notBefore);
  return Math.floor(Math.min(span * 0.01, MAX_JITTER_MS) * Math.min(Math.max(seed, 0), 0.999999));
}

/** When to renew: the guide's point minus the jitter (never before the certificate is valid). */
export function renewAt(life: Lifetime, percent: number | undefined, seed: number): number {
  return Math.max(life.notBefore, renewPoint(life, percent) - jitterMs(life, seed));
}

/** A stable seed in [0, 1) for a device and a certificate (FNV-1a over both; not a secret). */
export function jitterSeed(device: string, certificate: Uint8Array): number {
  let h = 0x811c9dc5;
  const mix = (b: number) => {
    h ^= b;
    h = Math.imul(h, 0x01000193) >>> 0;
  };
  for (let i = 0; i < device.length; i++) mix(device.charCodeAt(i) & 0xff);
  for (const b of certificate) mix(b);
  return h / 0x1_0000_0000;
}

/** The wait after `failures` failed attempts: the retry period, doubled each time, at most one hour (or the period, if longer). */
export function backoffMs(retryPeriodMs: number, failures: number): number {
  if (failures <= 0) return 0;
  return Math.min(retryPeriodMs * 2 ** Math.min(failures - 1, 20), Math.max(MAX_BACKOFF_MS, retryPeriodMs));
}

/** The earliest an automatic attempt may start, given what earlier ones left. */
export function earliestAttempt(state: AttemptState | undefined, retryPeriodMs: number): number {
  if (!state) return -Infinity;
  let t = -Infinity;
  if (state.failures > 0 && state.lastAttempt !== undefined) t = state.lastAttempt + backoffMs(retryPeriodMs, state.failures);
  if (state.lastIssuedAt !== undefined) t = Math.max(t, state.lastIssuedAt + Math.max(retryPeriodMs, backoffMs(retryPeriodMs, state.early ?? 0)));
  return t;
}

/** One trustpoint as the timer arithmetic sees it. */
export interface TimerInput {
  name: string;
  /** `auto-enroll [percent]` */
  autoEnroll?: { percent?: number };
  /** the enrollment method can run without a human (SCEP, profiles without prompts, ACME) */
  unattended: boolean;
  /** the CA is authenticated (its certificate is in the trustpoint) */
  authenticated: boolean;
  retryPeriodMs: number;
  /** the active own certificate (the one that expires first, with usage keys) */
  own?: Lifetime & { seed: number };
  /** the CA's suggested renewal window (ACME renewal information, RFC 9773): replaces the percentage */
  renewalWindow?: { start: number; end: number };
  /** a rollover (shadow) certificate waiting: when it may become active */
  shadowAt?: number;
  /** the CA's rollover certificate (GetNextCACert) and the current CA's expiry */
  caRollover?: { notBefore: number; currentNotAfter: number };
  /** a SCEP request pending at the CA: the next CertPoll */
  pollAt?: number;
  pollNote?: string;
  /** cached CRLs / OCSP answers to refresh (nextUpdate) */
  crlUpdates?: { at: number; note?: string }[];
}

/**
 * The timer table at `now`. Pure: the same inputs give the same table, and a time in the past
 * is simply due (catch-up after sleep). `since` is when automatic enrollment started here (the
 * app's start): a trustpoint without a valid certificate enrolls from then on.
 */
export function computeTimers(now: number, inputs: TimerInput[], states: Record<string, AttemptState | undefined>, since = now): PkiTimer[] {
  const out: PkiTimer[] = [];
  for (const t of inputs) {
    const state = states[t.name];
    if (t.pollAt !== undefined) out.push({ kind: 'POLL', trustpoint: t.name, at: t.pollAt, ...(t.pollNote ? { note: t.pollNote } : {}) });
    if (t.caRollover) out.push({ kind: 'CA ROLLOVER', trustpoint: t.name, at: Math.min(t.caRollover.notBefore, t.caRollover.currentNotAfter) });
    for (const c of t.crlUpdates ?? []) out.push({ kind: 'CRL UPDATE', trustpoint: t.name, at: c.at, ...(c.note ? { note: c.note } : {}) });
    if (t.shadowAt !== undefined) {
      // A rollover certificate is waiting: it becomes active; no renewal meanwhile.
      out.push({ kind: 'SHADOW', trustpoint: t.name, at: t.shadowAt });
      continue;
    }
    if (!t.autoEnroll || !t.authenticated || !t.unattended || t.pollAt !== undefined || state?.gaveUp) continue;
    const earliest = earliestAttempt(state, t.retryPeriodMs);
    const own = t.own && t.own.notAfter > now ? t.own : undefined;
    if (own) {
      // RFC 9773 §4.2: a time in the server's window, fixed per device and certificate (the seed).
      const w = t.renewalWindow;
      const at = w && w.end >= w.start ? w.start + Math.floor((w.end - w.start) * own.seed) : renewAt(own, t.autoEnroll.percent, own.seed);
      out.push({ kind: 'RENEW', trustpoint: t.name, at: Math.max(at, earliest), ...(w ? { note: 'the CA\'s renewal window (ARI)' } : {}) });
    }
    else out.push({ kind: 'ENROLL', trustpoint: t.name, at: Math.max(since, earliest) });
  }
  return out.sort((a, b) => a.at - b.at || a.trustpoint.localeCompare(b.trustpoint));
}

/** `4d23:59:58.484`, `1:59:58.392`, `9:59.520` — IOS's time-left format. */
export function iosTimeLeft(ms: number): string {
  const t = Math.max(0, Math.floor(ms));
  const milli = String(t % 1000).padStart(3, '0');
  const s = Math.floor(t / 1000);
  const d = Math.floor(s / 86_400);
  const h = Math.floor((s % 86_400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = String(s % 60).padStart(2, '0');
  if (d > 0) return `${d}d${String(h).padStart(2, '0')}:${String(m).padStart(2, '0')}:${sec}.${milli}`;
  if (h > 0) return `${h}:${String(m).padStart(2, '0')}:${sec}.${milli}`;
  return `${m}:${sec}.${milli}`;
}

/** The `show crypto pki timers` table (IOS layout: the first line is the next timer to fire). */
export function formatTimers(now: number, timers: PkiTimer[]): string[] {
  const out = ['PKI Timers'];
  if (!timers.length) return out;
  const col = (ms: number) => iosTimeLeft(ms).padStart(17);
  out.push(`|${col(timers[0]!.at - now)}`);
  for (const t of timers) out.push(`|${col(t.at - now)}  ${t.kind} ${t.trustpoint}${t.note ? ` (${t.note})` : ''}`);
  return out;
}
