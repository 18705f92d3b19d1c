/**
 * The fuzz engine: feeds a target mutated seeds (fast-check builds and shrinks the mutation
 * plans, so a failure is reported as a small input) and checks each input ends in a result or
 * the parser's typed error within LIMIT_MS. Time is the process CPU time of the call (so a
 * loaded CI machine does not fail it); an input over the limit is re-run twice and judged by
 * its fastest run. Failing inputs are written to tests/vectors/fuzz/<target>/ and replayed by
 * every later run (`replayCorpus`).
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { applyPlan, describePlan, planArb, type Plan, type Seed } from './mutate.ts';
import { isTyped, type Target } from './targets.ts';

export const LIMIT_MS = 50;
export const CORPUS = fileURLToPath(new URL('../vectors/fuzz/', import.meta.url));

export type OutcomeKind = 'result' | 'typed' | 'crash' | 'slow';

export interface Outcome {
  kind: OutcomeKind;
  cpuMs: number;
  wallMs: number;
  error?: string;
}

async function timed(t: Target, input: Uint8Array): Promise<Outcome> {
  const c0 = process.cpuUsage();
  const w0 = performance.now();
  let kind: OutcomeKind = 'result';
  let error: string | undefined;
  try {
    await t.run(input);
  } catch (e) {
    if (isTyped(e)) kind = 'typed';
    else {
      kind = 'crash';
      error = e instanceof Error ? `${e.name}: ${e.message}\n${(e.stack ?? '').split('\n').slice(1, 6).join('\n')}` : String(e);
    }
  }
  const c = process.cpuUsage(c0);
  return { kind, cpuMs: (c.user + c.system) / 1000, wallMs: performance.now() - w0, ...(error ? { error } : {}) };
}

/** One input: its outcome, with the slow check (fastest of three runs over the limit). */
export async function runOne(t: Target, input: Uint8Array): Promise<Outcome> {
  let o = await timed(t, input);
  if (o.kind === 'crash' || o.cpuMs <= LIMIT_MS) return o;
  for (let i = 0; i < 2 && o.cpuMs > LIMIT_MS; i++) {
    const again = await timed(t, input);
    if (again.cpuMs < o.cpuMs) o = again;
  }
  if (o.cpuMs > LIMIT_MS) return { ...o, kind: 'slow', error: `took ${o.cpuMs.toFixed(1)} ms of CPU (limit ${LIMIT_MS} ms)` };
  return o;
}

export interface Slowest {
  cpuMs: number;
  wallMs: number;
  input: string;
  bytes: number;
}

export interface TargetReport {
  target: string;
  inputs: number;
  results: number;
  typed: number;
  replayed: number;
  failures: { file: string; outcome: Outcome; input: string }[];
  slowest: Slowest[];
}

function newReport(target: string): TargetReport {
  return { target, inputs: 0, results: 0, typed: 0, replayed: 0, failures: [], slowest: [] };
}

function note(r: TargetReport, o: Outcome, input: string, bytes: number): void {
  r.inputs++;
  if (o.kind === 'result') r.results++;
  else if (o.kind === 'typed') r.typed++;
  const s = r.slowest;
  if (s.length < 3 || o.cpuMs > s[s.length - 1]!.cpuMs) {
    s.push({ cpuMs: o.cpuMs, wallMs: o.wallMs, input, bytes });
    s.sort((a, b) => b.cpuMs - a.cpuMs);
    s.length = Math.min(s.length, 3);
  }
}

/** Keeps a failing input for replay: tests/vectors/fuzz/<target>/<sha256>.bin (+ .txt why). */
export function keepFailure(target: string, input: Uint8Array, o: Outcome, how: string): string {
  const dir = join(CORPUS, target);
  mkdirSync(dir, { recursive: true });
  const name = createHash('sha256').update(input).digest('hex').slice(0, 16);
  const file = join(dir, `${name}.bin`);
  writeFileSync(file, input);
  writeFileSync(join(dir, `${name}.txt`), `target: ${target}\nfound: ${new Date().toISOString()}\ninput: ${how}\noutcome: ${o.kind}${o.error ? `\n${o.error}` : ''}\n`);
  return file;
}

/** Replays every kept input of a target; each must now be a result or a typed error in time. */
export async function replayCorpus(t: Target, r: TargetReport = newReport(t.name)): Promise<TargetReport> {
  const dir = join(CORPUS, t.name);
  if (!existsSync(dir)) return r;
  for (const s of t.seeds) await timed(t, s.bytes.slice()); // warm-up (JIT)
  for (const f of readdirSync(dir).filter((x) => x.endsWith('.bin')).sort()) {
    const input = new Uint8Array(readFileSync(join(dir, f)));
    const o = await runOne(t, input);
    r.replayed++;
    note(r, o, `replay ${f}`, input.length);
    if (o.kind === 'crash' || o.kind === 'slow') r.failures.push({ file: join(dir, f), outcome: o, input: `replay ${f}` });
  }
  return r;
}

export interface FuzzOptions {
  runs: number;
  seed?: number;
  /** write failing inputs to the corpus (default true) */
  keep?: boolean;
}

/** Seeds alone first (each must pass as is), then `runs` mutated inputs. */
export async function fuzzTarget(t: Target, opts: FuzzOptions, r: TargetReport = newReport(t.name)): Promise<TargetReport> {
  const seeds: readonly Seed[] = t.seeds;
  // Warm-up: the first calls of a parser pay for compiling it (JIT), which is not its cost.
  for (const s of seeds) await timed(t, s.bytes.slice());
  for (const s of seeds) {
    const o = await runOne(t, s.bytes);
    note(r, o, `seed ${s.name}`, s.bytes.length);
    if (o.kind === 'crash' || o.kind === 'slow') r.failures.push({ file: opts.keep === false ? '' : keepFailure(t.name, s.bytes, o, `seed ${s.name}`), outcome: o, input: `seed ${s.name}` });
  }
  let last: { plan: Plan; o: Outcome } | undefined;
  const details = await fc.check(
    fc.asyncProperty(planArb(seeds.length, t.text), async (plan) => {
      const input = applyPlan(seeds, plan);
      const o = await runOne(t, input);
      note(r, o, describePlan(seeds, plan), input.length);
      if (o.kind === 'crash' || o.kind === 'slow') {
        last = { plan, o };
        return false;
      }
      return true;
    }),
    { numRuns: opts.runs, ...(opts.seed !== undefined ? { seed: opts.seed } : {}), endOnFailure: false, maxSkipsPerRun: 0 },
  );
  if (details.failed && details.counterexample) {
    const plan = details.counterexample[0] as Plan;
    const input = applyPlan(seeds, plan);
    const o = (await runOne(t, input)) ?? last?.o;
    const how = `${describePlan(seeds, plan)} (fast-check seed ${details.seed}, path ${details.counterexamplePath ?? ''})`;
    r.failures.push({ file: opts.keep === false ? '' : keepFailure(t.name, input, o, how), outcome: o, input: how });
  }
  return r;
}

export function formatReport(reports: TargetReport[]): string {
  const rows = reports.map((r) => {
    const top = r.slowest[0];
    return `${r.target.padEnd(14)} ${String(r.inputs).padStart(7)} inputs (${r.results} results, ${r.typed} typed errors${r.replayed ? `, ${r.replayed} replayed` : ''})  slowest ${top ? `${top.cpuMs.toFixed(1)} ms CPU / ${top.wallMs.toFixed(1)} ms wall (${top.bytes} bytes: ${top.input.slice(0, 90)})` : '-'}${r.failures.length ? `  FAILURES: ${r.failures.length}` : ''}`;
  });
  return ['fuzz: target          inputs; slowest input (limit ' + LIMIT_MS + ' ms CPU)', ...rows].join('\n');
}
