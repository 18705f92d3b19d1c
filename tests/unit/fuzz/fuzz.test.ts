/**
 * The fuzz suite in `npm test` (issue 12): every parser that reads outside input gets its seeds
 * (../shared/vectors, captured SCEP messages, OpenSSL-made structures, console inputs) and a few
 * thousand mutations of them (bit flips, truncation, length-field edits, deep nesting, repeats,
 * splices, line edits); each input must end in the parser's own typed error or a result —
 * never another exception — within 50 ms of CPU (tests/fuzz/engine.ts). Every input that ever
 * failed is kept in tests/vectors/fuzz/ and replayed first. The report (inputs, slowest input
 * per parser) is printed at the end. Longer runs: `npm run fuzz -- --minutes N`.
 *
 * FUZZ_RUNS=N changes the inputs per parser (default 2000); FUZZ_SEED=S fixes the seed (by
 * default it changes every run, so CI explores).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatReport, fuzzTarget, replayCorpus, type TargetReport } from '../../fuzz/engine.ts';
import { fuzzTargets, type Target } from '../../fuzz/targets.ts';

const RUNS = Number(process.env.FUZZ_RUNS ?? 2000);
const SEED = process.env.FUZZ_SEED !== undefined ? Number(process.env.FUZZ_SEED) : Date.now() % 2 ** 31;
const NAMES = ['der-core', 'der-js', 'pem', 'x509', 'chain-cert', 'csr', 'crl', 'ocsp', 'cms', 'scep-certrep', 'scep-caps', 'pkcs12', 'private-key', 'cli', 'config'];

let targets: Target[];
const reports: TargetReport[] = [];

beforeAll(async () => {
  targets = await fuzzTargets();
}, 60_000);

afterAll(() => {
  if (reports.length) console.log(`${formatReport(reports)}\n(fast-check seed ${SEED}; FUZZ_SEED=${SEED} reproduces)`);
});

describe('fuzz: every parser of outside input', () => {
  it('has a target for each parser, each with seeds', () => {
    expect(targets.map((t) => t.name)).toEqual(NAMES);
    for (const t of targets) expect(t.seeds.length, t.name).toBeGreaterThan(0);
  });

  for (const [i, name] of NAMES.entries())
    it(`${name}: kept failures replay clean; ${RUNS} mutated inputs end in a result or a typed error within 50 ms`, async () => {
      const t = targets.find((x) => x.name === name)!;
      const r = await replayCorpus(t);
      await fuzzTarget(t, { runs: RUNS, seed: SEED + i }, r);
      reports.push(r);
      expect(r.failures.map((f) => `${f.outcome.kind}: ${f.input}\n${f.outcome.error ?? ''}\nkept as ${f.file}`)).toEqual([]);
      expect(r.inputs).toBeGreaterThanOrEqual(RUNS);
    }, 600_000);
});
