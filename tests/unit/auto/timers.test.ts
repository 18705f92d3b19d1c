/**
 * The timer arithmetic (src/auto/timers.ts) as properties over random lifetimes and clocks:
 * the guide's percentage, no percentage, the 3-minute minimum, jitter bounds (earlier only),
 * catch-up after a missed time, backoff, the anti-hammer rule, rollover and CA rollover timers.
 */
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import {
  MAX_BACKOFF_MS,
  MAX_JITTER_MS,
  MIN_ROLLOVER_WINDOW_MS,
  backoffMs,
  computeTimers,
  formatTimers,
  iosTimeLeft,
  jitterMs,
  jitterSeed,
  renewAt,
  renewPoint,
  type TimerInput,
} from '../../../src/auto/timers.ts';

const DAY = 86_400_000;
const MIN = 60_000;
const T0 = Date.UTC(2026, 10, 27, 3, 12, 44);

/** Lifetimes from 4 minutes to 20 years, starting around 2020–2040. */
const lifetime = fc.record({ notBefore: fc.integer({ min: Date.UTC(2020, 0, 1), max: Date.UTC(2040, 0, 1) }), span: fc.integer({ min: 4 * MIN, max: 20 * 365 * DAY }) }).map(({ notBefore, span }) => ({ notBefore, notAfter: notBefore + span }));
const percent = fc.option(fc.integer({ min: 10, max: 100 }), { nil: undefined });
const seed = fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true });

function input(over: Partial<TimerInput> = {}): TimerInput {
  return { name: 'tp', autoEnroll: { percent: 90 }, unattended: true, authenticated: true, retryPeriodMs: MIN, ...over };
}

describe('renewal point (the guide)', () => {
  test('90 % of one year is 36.5 days before expiry', () => {
    const life = { notBefore: T0, notAfter: T0 + 365 * DAY };
    expect(life.notAfter - renewPoint(life, 90)).toBe(36.5 * DAY);
  });

  test('no percentage: at expiry, less the 3-minute rollover window', () => {
    const life = { notBefore: T0, notAfter: T0 + 365 * DAY };
    expect(renewPoint(life, undefined)).toBe(life.notAfter - MIN_ROLLOVER_WINDOW_MS);
    expect(renewPoint(life, 100)).toBe(life.notAfter - MIN_ROLLOVER_WINDOW_MS);
  });

  test('property: percent of the lifetime, never later than 3 minutes before expiry, never before the start', () => {
    fc.assert(
      fc.property(lifetime, percent, (life, p) => {
        const at = renewPoint(life, p);
        const span = life.notAfter - life.notBefore;
        const ideal = life.notBefore + (span * (p ?? 100)) / 100;
        expect(at).toBeGreaterThanOrEqual(life.notBefore);
        expect(at).toBeLessThanOrEqual(Math.max(life.notBefore, life.notAfter - MIN_ROLLOVER_WINDOW_MS));
        if (ideal <= life.notAfter - MIN_ROLLOVER_WINDOW_MS) expect(at).toBeCloseTo(ideal, 3);
      }),
      { numRuns: 2000 },
    );
  });
});

describe('jitter', () => {
  test('property: earlier, never later; at most 1 % of the lifetime and at most one hour', () => {
    fc.assert(
      fc.property(lifetime, percent, seed, (life, p, s) => {
        const j = jitterMs(life, s);
        const span = life.notAfter - life.notBefore;
        expect(j).toBeGreaterThanOrEqual(0);
        expect(j).toBeLessThanOrEqual(Math.min(span * 0.01, MAX_JITTER_MS));
        const at = renewAt(life, p, s);
        expect(at).toBeLessThanOrEqual(renewPoint(life, p));
        expect(at).toBeGreaterThanOrEqual(Math.max(life.notBefore, renewPoint(life, p) - Math.min(span * 0.01, MAX_JITTER_MS)));
      }),
      { numRuns: 2000 },
    );
  });

  test('the seed is fixed per device and certificate, and spreads a fleet', () => {
    const cert = new Uint8Array(400).map((_, i) => (i * 7) & 0xff);
    expect(jitterSeed('C63EBBE9', cert)).toBe(jitterSeed('C63EBBE9', cert));
    const seeds = Array.from({ length: 200 }, (_, i) => jitterSeed(`DEV${i.toString(16).padStart(5, '0')}`, cert));
    for (const s of seeds) expect(s >= 0 && s < 1).toBe(true);
    expect(new Set(seeds.map((s) => Math.floor(s * 10))).size).toBe(10); // every decile is used
  });
});

describe('timer table', () => {
  test('property: catch-up — a renewal time in the past is due at once, whatever the clock', () => {
    fc.assert(
      fc.property(lifetime, percent, seed, fc.integer({ min: 0, max: 40 * 365 * DAY }), (life, p, s, drift) => {
        const own = { ...life, seed: s };
        const at = renewAt(life, p, s);
        const now = Math.min(at + drift, life.notAfter - 1);
        if (now < at) return;
        const timers = computeTimers(now, [input({ autoEnroll: p === undefined ? {} : { percent: p }, own })], {});
        expect(timers).toEqual([{ kind: 'RENEW', trustpoint: 'tp', at }]);
        expect(timers[0]!.at).toBeLessThanOrEqual(now);
      }),
      { numRuns: 1000 },
    );
  });

  test('property: the table does not depend on when it is computed (before the certificate expires)', () => {
    fc.assert(
      fc.property(lifetime, percent, seed, fc.integer({ min: 0, max: 1000 }), fc.integer({ min: 0, max: 1000 }), (life, p, s, a, b) => {
        const own = { ...life, seed: s };
        const t = (k: number) => life.notBefore + ((life.notAfter - life.notBefore - 1) * k) / 1000;
        const one = computeTimers(t(a), [input({ autoEnroll: { ...(p ? { percent: p } : {}) }, own })], {});
        const two = computeTimers(t(b), [input({ autoEnroll: { ...(p ? { percent: p } : {}) }, own })], {});
        expect(one).toEqual(two);
      }),
      { numRuns: 500 },
    );
  });

  test('property: backoff — the retry period doubled per failure, at most one hour', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 60 }), fc.integer({ min: 1, max: 100 }), fc.integer({ min: T0, max: T0 + 100 * DAY }), (periodMin, failures, last) => {
        const period = periodMin * MIN;
        const b = backoffMs(period, failures);
        expect(b).toBe(Math.min(period * 2 ** (failures - 1), Math.max(MAX_BACKOFF_MS, period)));
        const [timer] = computeTimers(last, [input({ retryPeriodMs: period })], { tp: { failures, lastAttempt: last } });
        expect(timer).toEqual({ kind: 'ENROLL', trustpoint: 'tp', at: last + b });
      }),
      { numRuns: 500 },
    );
  });

  test('never hammer the CA: a certificate already due when it arrives waits one retry period', () => {
    // The device clock is two years ahead of the CA: the new certificate looks expired.
    const life = { notBefore: T0, notAfter: T0 + 365 * DAY, seed: 0.5 };
    const now = T0 + 730 * DAY;
    const timers = computeTimers(now, [input({ own: life, retryPeriodMs: 5 * MIN })], { tp: { failures: 0, lastIssuedAt: now, lastAttempt: now } });
    // No valid certificate by this clock: enrollment, but not before one retry period after the last arrival.
    expect(timers).toEqual([{ kind: 'ENROLL', trustpoint: 'tp', at: now + 5 * MIN }]);
    // A certificate past its renew point (shorter lifetime than asked): the same rule.
    const short = { notBefore: now - 10 * MIN, notAfter: now + 2 * MIN, seed: 0.1 };
    expect(computeTimers(now, [input({ own: short })], { tp: { failures: 0, lastIssuedAt: now } })).toEqual([{ kind: 'RENEW', trustpoint: 'tp', at: now + MIN }]);
    // Each further certificate that arrives already due doubles the wait: no loop.
    for (const [early, wait] of [[1, MIN], [2, 2 * MIN], [3, 4 * MIN], [8, 128 * MIN > MAX_BACKOFF_MS ? MAX_BACKOFF_MS : 128 * MIN]] as const)
      expect(computeTimers(now, [input({ own: short })], { tp: { failures: 0, lastIssuedAt: now, early } })[0]!.at).toBe(now + wait);
  });

  test('ENROLL from the start time; nothing without auto-enroll, an authenticated CA, an unattended method, or after giving up', () => {
    expect(computeTimers(T0 + 5, [input()], {}, T0)).toEqual([{ kind: 'ENROLL', trustpoint: 'tp', at: T0 }]);
    expect(computeTimers(T0, [input({ autoEnroll: undefined })], {})).toEqual([]);
    expect(computeTimers(T0, [input({ authenticated: false })], {})).toEqual([]);
    expect(computeTimers(T0, [input({ unattended: false })], {})).toEqual([]);
    expect(computeTimers(T0, [input()], { tp: { failures: 10, lastAttempt: T0, gaveUp: true } })).toEqual([]);
  });

  test('a rollover certificate waiting: SHADOW at its activation, no renewal meanwhile; POLL while pending', () => {
    const own = { notBefore: T0, notAfter: T0 + 365 * DAY, seed: 0 };
    expect(computeTimers(T0, [input({ own, shadowAt: T0 + DAY })], {})).toEqual([{ kind: 'SHADOW', trustpoint: 'tp', at: T0 + DAY }]);
    expect(computeTimers(T0, [input({ own, pollAt: T0 + MIN, pollNote: 'poll 1 of 10' })], {})).toEqual([{ kind: 'POLL', trustpoint: 'tp', at: T0 + MIN, note: 'poll 1 of 10' }]);
  });

  test('property: an ACME renewal window (ARI) replaces the percentage: renewal at a fixed point inside it', () => {
    fc.assert(
      fc.property(lifetime, seed, fc.integer({ min: 0, max: 30 * DAY }), fc.integer({ min: 0, max: 5 * DAY }), (life, s, off, len) => {
        const window = { start: life.notBefore + off, end: life.notBefore + off + len };
        const [t] = computeTimers(life.notBefore, [input({ own: { ...life, seed: s }, renewalWindow: window })], {});
        expect(t!.kind).toBe('RENEW');
        expect(t!.at).toBeGreaterThanOrEqual(window.start);
        expect(t!.at).toBeLessThanOrEqual(window.end);
        expect(t!.note).toBe("the CA's renewal window (ARI)");
      }),
      { numRuns: 300 },
    );
  });

  test('property: CA rollover when the current CA expires or the next one becomes valid, whichever first', () => {
    fc.assert(
      fc.property(fc.integer({ min: T0, max: T0 + 3650 * DAY }), fc.integer({ min: T0, max: T0 + 3650 * DAY }), (next, end) => {
        const [t] = computeTimers(T0, [input({ autoEnroll: undefined, caRollover: { notBefore: next, currentNotAfter: end } })], {});
        expect(t).toEqual({ kind: 'CA ROLLOVER', trustpoint: 'tp', at: Math.min(next, end) });
      }),
    );
  });
});

describe('show crypto pki timers layout', () => {
  test('IOS time-left forms', () => {
    expect(iosTimeLeft(9 * MIN + 59_520)).toBe('9:59.520');
    expect(iosTimeLeft(3600_000 + 59 * MIN + 58_392)).toBe('1:59:58.392');
    expect(iosTimeLeft(4 * DAY + 23 * 3600_000 + 59 * MIN + 58_484)).toBe('4d23:59:58.484');
    expect(iosTimeLeft(-5)).toBe('0:00.000');
  });

  test('the first line is the next timer, then one line each', () => {
    const lines = formatTimers(T0, [
      { kind: 'POLL', trustpoint: 'a', at: T0 + 59_000, note: 'poll 1 of 10' },
      { kind: 'RENEW', trustpoint: 'trustmel', at: T0 + 4 * DAY },
    ]);
    expect(lines).toEqual(['PKI Timers', '|         0:59.000', '|         0:59.000  POLL a (poll 1 of 10)', '|   4d00:00:00.000  RENEW trustmel']);
  });
});
