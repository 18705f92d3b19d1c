/**
 * The plug-in contract of the Wycheproof runner (`npm run vectors -- --wycheproof DIR`).
 *
 * A handler module exports `handlers: WycheproofHandler[]`. For each test group the runner
 * picks the first handler whose `groupTypes` contains `group.type`; `supports` may still
 * decline with a reason (counted as skipped, never as passed). For each test, `run`
 * performs the operation with the core and reports whether the implementation ACCEPTED the
 * input (verify returned true / decrypt succeeded / MAC matched ...) and, when it produced an
 * output, whether that output differs from the expected one (`mismatch`).
 *
 * The runner then judges: valid → pass iff accepted and no mismatch; invalid → pass iff not
 * accepted; acceptable → pass iff not accepted, or accepted without mismatch.
 * A handler must never throw for bad input: an error result from the core is "not accepted".
 */
import type { CoreInstance } from '../../src/core/instance.ts';

export interface WycheproofTest {
  tcId: number;
  comment: string;
  flags: string[];
  result: 'valid' | 'invalid' | 'acceptable';
  [field: string]: unknown;
}

export interface WycheproofGroup {
  type: string;
  tests: WycheproofTest[];
  [field: string]: unknown;
}

export interface WycheproofFile {
  algorithm: string;
  schema?: string;
  numberOfTests: number;
  testGroups: WycheproofGroup[];
  [field: string]: unknown;
}

export interface Verdict {
  accepted: boolean;
  /** Set when the operation produced an output that differs from the expected one. */
  mismatch?: string;
}

export interface WycheproofHandler {
  /** Group `type` values this handler understands (e.g. 'RsassaPkcs1Verify'). */
  groupTypes: string[];
  /** `true`, or the reason this group is skipped. */
  supports(file: WycheproofFile, group: WycheproofGroup): true | string;
  /** Optional per-group preparation (parse and load the key once); passed to `run`. */
  prepare?(core: CoreInstance, file: WycheproofFile, group: WycheproofGroup): unknown;
  run(core: CoreInstance, test: WycheproofTest, group: WycheproofGroup, prepared: unknown, file: WycheproofFile): Verdict;
}

export const hexToBytes = (h: string): Uint8Array => {
  if (h.length % 2) throw new RangeError('odd hex');
  const out = new Uint8Array(h.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(h.slice(2 * i, 2 * i + 2), 16);
  return out;
};

export const bytesToHex = (b: Uint8Array): string => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
