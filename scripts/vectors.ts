/**
 * The vector runner (`npm run vectors -- ...`). Runs external test vectors against the core
 * that ships (the release build of core.wasm, in-thread):
 *
 *   --wycheproof DIR   every Wycheproof v1 JSON file under DIR (also .json.gz)
 *   --tdes FILE        a NIST CAVP TDES known-answer file (BoringSSL's text format)
 *   --limbo FILE       an x509-limbo file (path validation: src/pki/chain with the core's verifier)
 *   --dsa FILE         a NIST CAVP DSA SigVer.rsp file (src/pki/dsa.ts, hashes by the core)
 *   --pkits DIR        NIST PKITS in the standard layout (certs/, crls/): sections 4.1–4.16 by the
 *                      test list in tests/vectors/pkits, per-section figures, OpenSSL alongside
 *   --core debug       use the debug build instead (asserts on)
 *   --verbose          print every failing test case, not just the first few per file
 *
 * Options may repeat. Prints one line per file and closes with
 * `N passed, N failed, N skipped` (test cases). A group nobody handles, or a handler
 * declines, is counted as skipped with its reason — never as passed. Exit code 1 when
 * anything failed or when a file could not be read.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { instantiateCore, type CoreInstance } from '../src/core/instance.ts';
import type { Verdict, WycheproofFile, WycheproofHandler } from './vectors/types.ts';

interface Totals {
  passed: number;
  failed: number;
  skipped: number;
  errors: number;
}

function parseArgs(argv: string[]) {
  const opts = { wycheproof: [] as string[], tdes: [] as string[], limbo: [] as string[], pkits: [] as string[], dsa: [] as string[], core: 'release', verbose: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const next = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value`);
      return v;
    };
    if (a === '--wycheproof') opts.wycheproof.push(next());
    else if (a === '--tdes') opts.tdes.push(next());
    else if (a === '--limbo') opts.limbo.push(next());
    else if (a === '--pkits') opts.pkits.push(next());
    else if (a === '--dsa') opts.dsa.push(next());
    else if (a === '--core') opts.core = next();
    else if (a === '--verbose' || a === '-v') opts.verbose = true;
    else if (a === '--help' || a === '-h') {
      console.log('usage: npm run vectors -- [--wycheproof DIR]... [--tdes FILE]... [--limbo FILE]... [--pkits DIR]... [--dsa FILE]... [--core release|debug] [--verbose]');
      process.exit(0);
    } else throw new Error(`unknown option ${a}`);
  }
  if (!opts.wycheproof.length && !opts.tdes.length && !opts.limbo.length && !opts.pkits.length && !opts.dsa.length) throw new Error('nothing to run: give --wycheproof DIR, --tdes FILE, --limbo FILE, --pkits DIR and/or --dsa FILE');
  return opts;
}

async function loadHandlers(): Promise<WycheproofHandler[]> {
  const dir = fileURLToPath(new URL('./vectors/handlers/', import.meta.url));
  const out: WycheproofHandler[] = [];
  for (const f of readdirSync(dir).filter((f) => f.endsWith('.ts')).sort()) {
    const mod = (await import(pathToFileURL(join(dir, f)).href)) as { handlers?: WycheproofHandler[] };
    if (!Array.isArray(mod.handlers)) throw new Error(`handler module ${f} exports no "handlers" array`);
    out.push(...mod.handlers);
  }
  return out;
}

function listJson(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (/\.json(\.gz)?$/.test(e.name)) out.push(p);
    }
  };
  if (statSync(dir).isDirectory()) walk(dir);
  else out.push(dir);
  return out;
}

/** The text of `file`, or undefined after an ERROR line (counted). */
function readOrReport(file: string, totals: Totals): string | undefined {
  try {
    return readText(file);
  } catch (e) {
    console.log(`ERROR ${file}: cannot read (${(e as Error).message})`);
    totals.errors++;
    return undefined;
  }
}

function tally(totals: Totals, r: { passed: number; failed: number; skipped: number }): void {
  totals.passed += r.passed;
  totals.failed += r.failed;
  totals.skipped += r.skipped;
}

function readText(path: string): string {
  const raw = readFileSync(path);
  return (path.endsWith('.gz') ? gunzipSync(raw) : raw).toString('utf8');
}

function judge(expected: string, v: Verdict): boolean {
  if (expected === 'valid') return v.accepted && !v.mismatch;
  if (expected === 'invalid') return !v.accepted;
  return !v.accepted || !v.mismatch; // acceptable
}

function runWycheproofFile(core: CoreInstance, handlers: WycheproofHandler[], path: string, root: string, totals: Totals, verbose: boolean): void {
  const name = relative(root, path) || basename(path);
  let file: WycheproofFile;
  try {
    file = JSON.parse(readText(path)) as WycheproofFile;
  } catch (e) {
    console.log(`ERROR ${name}: cannot read (${(e as Error).message})`);
    totals.errors++;
    return;
  }
  if (!Array.isArray(file.testGroups)) {
    console.log(`SKIP  ${name}: not a Wycheproof test vector file (no testGroups)`);
    return;
  }
  let passed = 0;
  let failed = 0;
  let skipped = 0;
  const reasons = new Set<string>();
  const failures: string[] = [];
  for (const group of file.testGroups) {
    const tests = Array.isArray(group.tests) ? group.tests : [];
    const h = handlers.find((x) => x.groupTypes.includes(group.type));
    const ok = h ? h.supports(file, group) : `no handler for test group type ${group.type} (${file.algorithm})`;
    if (ok !== true) {
      skipped += tests.length;
      reasons.add(ok);
      continue;
    }
    let prepared: unknown;
    try {
      prepared = h!.prepare?.(core, file, group);
    } catch (e) {
      // A key the core refuses: every test of the group is judged as "not accepted".
      prepared = { prepareError: e };
    }
    for (const t of tests) {
      let v: Verdict;
      try {
        v = (prepared as { prepareError?: unknown } | undefined)?.prepareError ? { accepted: false } : h!.run(core, t, group, prepared, file);
      } catch (e) {
        v = { accepted: false, mismatch: `threw ${(e as Error).message}` };
        if (t.result === 'valid') failures.push(`#${t.tcId} threw: ${(e as Error).message}`);
      }
      if (judge(t.result, v)) passed++;
      else {
        failed++;
        failures.push(`#${t.tcId} (${t.result}${t.flags?.length ? ', ' + t.flags.join(',') : ''}) ${t.comment || ''}: ${v.accepted ? 'accepted' : 'rejected'}${v.mismatch ? ' — ' + v.mismatch : ''}`);
      }
    }
  }
  totals.passed += passed;
  totals.failed += failed;
  totals.skipped += skipped;
  const status = failed ? 'FAIL ' : passed === 0 ? 'SKIP ' : 'PASS ';
  const why = reasons.size ? ` — skipped: ${[...reasons].join('; ')}` : '';
  console.log(`${status} ${name}: ${passed} passed, ${failed} failed, ${skipped} skipped${why}`);
  for (const f of verbose ? failures : failures.slice(0, 5)) console.log(`        ${f}`);
  if (!verbose && failures.length > 5) console.log(`        ... ${failures.length - 5} more (--verbose)`);
}

async function main(): Promise<void> {
  const opts = parseArgs(process.argv.slice(2));
  const wasm = fileURLToPath(new URL(`../src/core/gen/${opts.core === 'debug' ? 'core.debug.wasm' : 'core.wasm'}`, import.meta.url));
  const core = await instantiateCore(readFileSync(wasm));
  console.log(`core: ${relative(process.cwd(), wasm)} (${opts.core} build)`);
  const totals: Totals = { passed: 0, failed: 0, skipped: 0, errors: 0 };
  if (opts.wycheproof.length) {
    const handlers = await loadHandlers();
    for (const dir of opts.wycheproof) for (const f of listJson(dir)) runWycheproofFile(core, handlers, f, dir, totals, opts.verbose);
  }
  for (const file of opts.tdes) {
    const { runTdesFile } = (await import('./vectors/' + 'tdes.ts')) as {
      runTdesFile(core: CoreInstance, text: string): { passed: number; failed: number; skipped: number; lines: string[] };
    };
    const text = readOrReport(file, totals);
    if (text === undefined) continue;
    const r = runTdesFile(core, text);
    tally(totals, r);
    console.log(`${r.failed ? 'FAIL ' : r.passed ? 'PASS ' : 'SKIP '} ${basename(file)}: ${r.passed} passed, ${r.failed} failed, ${r.skipped} skipped`);
    for (const l of opts.verbose ? r.lines : r.lines.slice(0, 5)) console.log(`        ${l}`);
  }
  for (const file of opts.dsa) {
    const { runDsaFile } = await import('./vectors/dsa.ts');
    const { wrapDirect } = await import('../src/core/direct.ts');
    const api = wrapDirect(core);
    const text = readOrReport(file, totals);
    if (text === undefined) continue;
    const r = await runDsaFile(text, (h, d) => api.digest(h, d));
    tally(totals, r);
    console.log(`${r.failed ? 'FAIL ' : r.passed ? 'PASS ' : 'SKIP '} DSA ${file.split('/').slice(-2).join('/')}: ${r.passed} passed, ${r.failed} failed, ${r.skipped} skipped`);
    for (const l of opts.verbose ? r.lines : r.lines.slice(0, 5)) console.log(`        ${l}`);
  }
  for (const file of opts.limbo) {
    const { runLimboFile } = await import('./vectors/limbo.ts');
    const { webCryptoVerify } = await import('../src/pki/verify-webcrypto.ts');
    const { makeVerify } = await import('../src/pki/verify-core.ts');
    const { wrapDirect } = await import('../src/core/direct.ts');
    const api = wrapDirect(core);
    const verify = makeVerify(() => Promise.resolve(api), webCryptoVerify);
    const text = readOrReport(file, totals);
    if (text === undefined) continue;
    const r = await runLimboFile(text, { verify, verbose: opts.verbose });
    tally(totals, r);
    console.log(`${r.failed ? 'FAIL ' : r.passed ? 'PASS ' : 'SKIP '} ${basename(file)}: ${r.passed} passed, ${r.failed} failed, ${r.skipped} skipped`);
    const shown = opts.verbose ? r.lines : r.lines.filter((l) => !l.includes(': skipped (')).slice(0, 20);
    for (const l of shown) console.log(`        ${l}`);
    if (!opts.verbose && r.lines.length > shown.length) console.log(`        ... ${r.lines.length - shown.length} more lines (--verbose)`);
  }
  for (const dir of opts.pkits) {
    const { runPkitsDir } = await import('./vectors/pkits.ts');
    const { webCryptoVerify } = await import('../src/pki/verify-webcrypto.ts');
    const { makeVerify } = await import('../src/pki/verify-core.ts');
    const { wrapDirect } = await import('../src/core/direct.ts');
    const api = wrapDirect(core);
    const verify = makeVerify(() => Promise.resolve(api), webCryptoVerify);
    let r: Awaited<ReturnType<typeof runPkitsDir>>;
    try {
      r = await runPkitsDir(dir, { verify, verbose: opts.verbose });
    } catch (e) {
      console.log(`ERROR ${dir}: ${(e as Error).message}`);
      totals.errors++;
      continue;
    }
    tally(totals, r);
    console.log(`${r.failed ? 'FAIL ' : r.passed ? 'PASS ' : 'SKIP '} PKITS ${dir}: ${r.passed} passed, ${r.failed} failed, ${r.skipped} skipped`);
    for (const l of r.summary) console.log(`        ${l}`);
    for (const l of r.lines) console.log(`        ${l}`);
  }
  console.log(`${totals.passed} passed, ${totals.failed} failed, ${totals.skipped} skipped`);
  if (totals.errors) console.log(`${totals.errors} file(s) could not be read`);
  process.exitCode = totals.failed || totals.errors ? 1 : 0;
}

main().catch((e) => {
  console.error(`vectors: ${(e as Error).message}`);
  process.exitCode = 2;
});
