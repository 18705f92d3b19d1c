/**
 * The loop that runs due PKI timers. It owns no PKI knowledge: the host computes the timer
 * table (timers.ts) and runs one timer; the scheduler decides *when* to look — on `trigger()`
 * (start, configuration or certificate change, `visibilitychange`, `online`), at the next
 * timer's time, and at least once a minute while open — and makes sure one timer of one
 * trustpoint never runs twice at once: within this instance by a set, across tabs and the
 * service worker by a lock the host provides (Web Locks).
 *
 * Timers are recomputed each time, never trusted from an earlier computation, so a frozen tab
 * or a sleeping laptop simply finds them due when it wakes.
 */
import type { PkiTimer } from './timers.ts';

export interface SchedulerHost {
  now(): number;
  /** The current timer table. */
  timers(): Promise<PkiTimer[]>;
  /** Runs one due timer to its end (errors are the host's to log). */
  run(timer: PkiTimer): Promise<void>;
  /** Runs `fn` only if this instance gets the named lock at once; false when another holds it. */
  withLock(name: string, fn: () => Promise<void>): Promise<boolean>;
  /** Which timer kinds run here (POLL is run by its own workflow; CRL UPDATE by revocation). */
  runs(kind: PkiTimer['kind']): boolean;
}

export interface SchedulerTimers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(id: unknown): void;
  setInterval(fn: () => void, ms: number): unknown;
  clearInterval(id: unknown): void;
}

const GLOBAL_TIMERS: SchedulerTimers = {
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (id) => clearTimeout(id as ReturnType<typeof setTimeout>),
  setInterval: (fn, ms) => setInterval(fn, ms),
  clearInterval: (id) => clearInterval(id as ReturnType<typeof setInterval>),
};

/** Longest single wait (also the "at least once a minute" recomputation). */
export const TICK_MS = 60_000;

export class Scheduler {
  /** The table of the last computation (for `show crypto pki timers` and the GUI). */
  current: PkiTimer[] = [];
  private busy = new Set<string>();
  /** The `at` of the last run of each timer: a timer whose computation did not move is not run again (no loops). */
  private ran = new Map<string, number>();
  private ticking: Promise<void> | undefined;
  private again = false;
  private next: unknown;
  private interval: unknown;
  private stopped = true;

  constructor(
    private readonly host: SchedulerHost,
    private readonly t: SchedulerTimers = GLOBAL_TIMERS,
  ) {}

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.interval = this.t.setInterval(() => this.trigger(), TICK_MS);
    this.trigger();
  }

  stop(): void {
    this.stopped = true;
    this.t.clearInterval(this.interval);
    this.t.clearTimeout(this.next);
  }

  /** Looks at the timers now (coalesced: a trigger during a tick causes one more tick). */
  trigger(): Promise<void> {
    if (this.stopped) return Promise.resolve();
    if (this.ticking) {
      this.again = true;
      return this.ticking;
    }
    this.ticking = (async () => {
      try {
        do {
          this.again = false;
          await this.tick();
        } while (this.again && !this.stopped);
      } finally {
        this.ticking = undefined;
      }
    })();
    return this.ticking;
  }

  /** True while a timer of this trustpoint runs in this instance. */
  isBusy(trustpoint: string): boolean {
    return [...this.busy].some((k) => k.endsWith(`\u0000${trustpoint}`));
  }

  private async tick(): Promise<void> {
    this.current = await this.host.timers();
    const now = this.host.now();
    const due = this.current.filter((x) => x.at <= now && this.host.runs(x.kind));
    for (const timer of due) {
      if (this.stopped) return;
      const key = `${timer.kind}\u0000${timer.trustpoint}`;
      if (this.busy.has(key) || this.ran.get(key) === timer.at) continue;
      this.busy.add(key);
      try {
        if (await this.host.withLock(`trustpoint-auto:${timer.trustpoint}`, () => this.host.run(timer))) this.ran.set(key, timer.at);
      } finally {
        this.busy.delete(key);
      }
    }
    if (due.length) this.current = await this.host.timers();
    this.t.clearTimeout(this.next);
    const upcoming = this.current.find((x) => x.at > this.host.now() && this.host.runs(x.kind));
    if (upcoming && !this.stopped) this.next = this.t.setTimeout(() => this.trigger(), Math.min(Math.max(upcoming.at - this.host.now(), 0) + 5, TICK_MS));
  }
}
