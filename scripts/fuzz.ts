/**
 * `npm run fuzz -- [--minutes N] [--target NAME]... [--seed S] [--no-keep]`: the fuzz suite for
 * longer than `npm test` runs it (tests/unit/fuzz/fuzz.test.ts: a few thousand inputs per
 * parser). Replays every kept failing input (tests/vectors/fuzz/), then feeds the targets
 * mutated seeds in turn, 500 inputs at a time with fresh fast-check seeds, until the minutes are
 * up (default 1). New failing inputs are kept in tests/vectors/fuzz/<target>/ (commit them:
 * they are replayed by every run from then on). Prints, per target, the inputs run and the
 * slowest input; exits 1 if anything failed.
 */
import { fuzzTarget, formatReport, replayCorpus, type TargetReport } from '../tests/fuzz/engine.ts';
import { fuzzTargets } from '../tests/fuzz/targets.ts';

function parseArgs(argv: string[]) {
  const o = { minutes: 1, targets: [] as string[], seed: Date.now() % 2 ** 31, keep: true, batch: 500 };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const next = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value`);
      return v;
    };
    if (a === '--minutes') o.minutes = Number(next());
    else if (a === '--target') o.targets.push(next());
    else if (a === '--seed') o.seed = Number(next());
    else if (a === '--batch') o.batch = Number(next());
    else if (a === '--no-keep') o.keep = false;
    else if (a === '--help' || a === '-h') {
      console.log('usage: npm run fuzz -- [--minutes N] [--target NAME]... [--seed S] [--batch N] [--no-keep]');
      process.exit(0);
    } else throw new Error(`unknown option ${a}`);
  }
  if (!(o.minutes > 0)) throw new Error('--minutes must be a positive number');
  return o;
}

const opts = parseArgs(process.argv.slice(2));
const all = await fuzzTargets();
const targets = opts.targets.length ? all.filter((t) => opts.targets.includes(t.name)) : all;
if (!targets.length) throw new Error(`no such target: ${opts.targets.join(', ')} (targets: ${all.map((t) => t.name).join(', ')})`);
console.log(`fuzz: ${targets.length} targets (${targets.map((t) => t.name).join(', ')}), ${opts.minutes} min, seed ${opts.seed}`);
const reports = new Map<string, TargetReport>();
for (const t of targets) reports.set(t.name, await replayCorpus(t));
const until = Date.now() + opts.minutes * 60_000;
for (let round = 0; Date.now() < until; round++) {
  for (const t of targets) {
    if (Date.now() >= until) break;
    await fuzzTarget(t, { runs: opts.batch, seed: opts.seed + round * 7919 + t.name.length, keep: opts.keep }, reports.get(t.name));
  }
}
const list = [...reports.values()];
console.log(formatReport(list));
const failures = list.flatMap((r) => r.failures.map((f) => ({ target: r.target, ...f })));
for (const f of failures) console.log(`\nFAIL ${f.target}: ${f.outcome.kind} — ${f.input}\n  kept: ${f.file || '(not kept)'}\n  ${f.outcome.error ?? ''}`);
process.exit(failures.length ? 1 : 0);
