/**
 * `npm run bench`: builds the release core and the benchmark page, runs it in headless Debian
 * Chromium, and writes bench/results.json (operation, implementation, median ms, ops/s, MB/s,
 * ratio to WebCrypto measured in the same run) plus the targets with pass/fail, and
 * prints a table.
 *
 *   --quick        short runs (for a smoke test)
 *   --only TEXT    only operations whose name contains TEXT; their rows replace the same rows
 *                  in bench/results.json, which keeps the others
 *
 * `ratioToWebCrypto` is a time ratio: this implementation's median time divided by
 * WebCrypto's for the same operation (2.0 = twice as slow; 0.5 = twice as fast). Operations
 * WebCrypto does not have (MD5, 3DES, DER scanning) have none.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { chromium } from 'playwright-core';
import { serveDir } from '../tests/e2e/static-server.ts';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../tests/chromium.ts';
import { ensureBigCrl, ensureBigCrlChain } from './crl.ts';
import type { Measured, Sample } from './page/bench.ts';
import { runGuiBench, type GuiResult } from './gui.ts';

const root = fileURLToPath(new URL('..', import.meta.url));
const args = process.argv.slice(2);
const quick = args.includes('--quick');
const onlyIdx = args.indexOf('--only');
const only = onlyIdx >= 0 ? args[onlyIdx + 1] : undefined;

interface Row extends Sample {
  ratioToWebCrypto?: number;
}

interface Target {
  target: string;
  measured: string;
  pass: boolean;
}

function sh(cmd: string, argv: string[]) {
  execFileSync(cmd, argv, { cwd: root, stdio: 'inherit' });
}

async function main() {
  console.log('building the release core and the benchmark page …');
  sh('npx', ['asc', 'assembly/index.ts', '--target', 'release']);
  sh('npx', ['vite', 'build', '--config', 'bench/vite.config.ts']);
  const wasmBytes = readFileSync(`${root}/src/core/gen/core.wasm`);
  const wasmGzip = gzipSync(wasmBytes, { level: 9 }).length;

  const inputs: Record<string, number[]> = {};
  if (!only || /crl|der/i.test(only)) {
    const crl = ensureBigCrl(`${root}/bench/tmp`, quick ? 10_000 : 100_000);
    if (crl) inputs.crl = Array.from(readFileSync(crl));
    const chain = ensureBigCrlChain(`${root}/bench/tmp`, quick ? 10_000 : 100_000);
    if (chain) {
      inputs.crlCa = Array.from(readFileSync(chain.ca));
      inputs.crlLeaf = Array.from(readFileSync(chain.leaf));
    }
  }

  const server = await serveDir(`${root}/bench/tmp/dist`);
  const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
  let measured: Measured;
  let gui: GuiResult | undefined;
  try {
    const page = await browser.newPage();
    page.on('pageerror', (e) => console.error('page error:', e.message));
    page.on('console', (m) => {
      if (m.type() === 'error') console.error('page:', m.text());
    });
    await page.goto(server.url);
    await page.waitForFunction(() => !!window.runBench);
    page.setDefaultTimeout(0);
    measured = await page.evaluate((o) => window.runBench!(o), { quick, only, inputs });
    // The GUI rows (issue 8): first-load bytes, start to data-ready, the provisioning desk.
    if (!only || /gui|desk|start|load/i.test(only)) gui = await runGuiBench(root, browser, { quick });
  } finally {
    await browser.close();
    await server.close();
  }

  const rows: Row[] = measured.samples.map((s) => {
    const wc = measured.samples.find((x) => x.op === s.op && x.impl === 'webcrypto');
    return wc ? { ...s, ratioToWebCrypto: s.medianMs / wc.medianMs } : { ...s };
  });
  const get = (op: string, impl: string) => rows.find((r) => r.op === op && r.impl === impl);
  const targets: Target[] = [];
  const add = (target: string, measuredText: string | undefined, pass: boolean | undefined) => {
    if (measuredText !== undefined && pass !== undefined) targets.push({ target, measured: measuredText, pass });
  };
  const t = (op: string, a: string, b: string) => {
    const x = get(op, a);
    const y = get(op, b);
    return x && y ? x.medianMs / y.medianMs : undefined;
  };
  const f = (n: number | undefined, d = 2) => (n === undefined ? undefined : n.toFixed(d));
  for (const op of ['RSA-2048 sign', 'RSA-2048 PKCS#1 v1.5 decrypt']) {
    const r = t(op, 'core', 'webcrypto');
    add(`${op}: core ≤ 2× WebCrypto time`, r === undefined ? undefined : `${f(r)}×`, r === undefined ? undefined : r <= 2);
    const b = t(op, 'core', 'JS BigInt');
    add(`${op}: core faster than plain-JS BigInt`, b === undefined ? undefined : `${f(b)}× BigInt time`, b === undefined ? undefined : b < 1);
  }
  const kg = t('RSA-2048 keygen', 'core', 'webcrypto');
  add('RSA-2048 keygen median ≤ 2× WebCrypto', kg === undefined ? undefined : `${f(kg)}×`, kg === undefined ? undefined : kg <= 2);
  const ec = t('ECDSA P-256 sign', '@noble/curves', 'core');
  add('ECDSA P-256 sign ≥ 3× @noble/curves', ec === undefined ? undefined : `${f(ec)}×`, ec === undefined ? undefined : ec >= 3);
  const sw = get('SHA-256 1 MiB', 'core');
  const swc = get('SHA-256 1 MiB', 'webcrypto');
  const swn = get('SHA-256 1 MiB', '@noble/hashes');
  if (sw && swc) add('SHA-256 ≥ 0.5× WebCrypto throughput', `${f(sw.mbPerSec! / swc.mbPerSec!)}× (${f(sw.mbPerSec, 0)} vs ${f(swc.mbPerSec, 0)} MB/s)`, sw.mbPerSec! >= 0.5 * swc.mbPerSec!);
  if (sw && swn) add('SHA-256 ≥ 3× @noble/hashes', `${f(sw.mbPerSec! / swn.mbPerSec!)}×`, sw.mbPerSec! >= 3 * swn.mbPerSec!);
  const crl = rows.find((r) => r.op.startsWith('CRL scan') && r.impl === 'core');
  const crlPkijs = rows.find((r) => r.op.startsWith('CRL scan') && r.impl === 'pkijs');
  if (crl && !quick) add('100,000-entry CRL scanned and indexed ≤ 50 ms', `${f(crl.medianMs, 1)} ms`, crl.medianMs <= 50);
  if (crl && crlPkijs) add('CRL scan ≥ 200× pkijs', `${f(crlPkijs.medianMs / crl.medianMs, 0)}×`, crlPkijs.medianMs / crl.medianMs >= 200);
  const check = rows.find((r) => r.op.startsWith('CRL check') && r.impl === 'core');
  if (check && !quick) add('CRL check 100,000 entries end to end (cached CRL, signature, lookup) ≤ 100 ms', `${f(check.medianMs, 1)} ms`, check.medianMs <= 100);
  add('core.wasm ≤ 150 KB gzipped', `${(wasmGzip / 1024).toFixed(1)} KiB`, wasmGzip <= 150 * 1024);
  add('core.wasm instantiated ≤ 20 ms', `${f(measured.wasm.instantiateMs, 1)} ms`, measured.wasm.instantiateMs <= 20);
  if (gui) {
    rows.push(...gui.rows.map((r) => ({ op: r.operation, impl: r.implementation, medianMs: r.medianMs, opsPerSec: r.opsPerSec, runs: r.runs })));
    targets.push(...gui.targets);
  }

  const result = {
    date: new Date().toISOString(),
    browser: measured.userAgent,
    quick,
    note: 'ratioToWebCrypto = median time of this implementation / median time of WebCrypto for the same operation, measured in the same run',
    wasm: { bytes: wasmBytes.length, gzipBytes: wasmGzip, instantiateMs: measured.wasm.instantiateMs },
    results: rows.map((r) => ({
      operation: r.op,
      implementation: r.impl,
      medianMs: +r.medianMs.toPrecision(4),
      opsPerSec: +r.opsPerSec.toPrecision(4),
      ...(r.mbPerSec !== undefined ? { mbPerSec: +r.mbPerSec.toPrecision(4) } : {}),
      ...(r.ratioToWebCrypto !== undefined ? { ratioToWebCrypto: +r.ratioToWebCrypto.toPrecision(3) } : {}),
      runs: r.runs,
    })),
    targets,
    ...(gui ? { gui: gui.details } : {}),
  };
  mkdirSync(`${root}/bench`, { recursive: true });
  const file = `${root}/bench/results.json`;
  // `--only` measures a few rows: they replace their own rows in the last full results, which
  // keep every other row (bench/results.json is read by people and tests as the whole table).
  if (only && existsSync(file)) {
    const old = JSON.parse(readFileSync(file, 'utf8')) as typeof result & { gui?: unknown };
    const rowKey = (r: { operation: string; implementation: string }) => `${r.operation}\u0000${r.implementation}`;
    const fresh = new Map(result.results.map((r) => [rowKey(r), r]));
    const results = old.results.map((r) => fresh.get(rowKey(r)) ?? r);
    const seen = new Set(old.results.map(rowKey));
    results.push(...result.results.filter((r) => !seen.has(rowKey(r))));
    const freshTargets = new Map(result.targets.map((t) => [t.target, t]));
    const merged = {
      ...old,
      note: `${old.note} Rows matching --only ${JSON.stringify(only)} were measured on ${result.date} and merged in.`,
      wasm: result.wasm,
      results,
      targets: [...old.targets.map((t) => freshTargets.get(t.target) ?? t), ...result.targets.filter((t) => !old.targets.some((o) => o.target === t.target))],
      ...(gui ? { gui: gui.details } : {}),
    };
    writeFileSync(file, JSON.stringify(merged, null, 2) + '\n');
  } else writeFileSync(file, JSON.stringify(result, null, 2) + '\n');

  const w = [34, 16, 12, 12, 10, 10];
  const line = (c: string[]) => c.map((x, i) => (i < 2 ? x.padEnd(w[i]!) : x.padStart(w[i]!))).join(' ');
  console.log('\n' + line(['operation', 'implementation', 'median ms', 'ops/s', 'MB/s', '× WebCrypto']));
  for (const r of rows)
    console.log(line([r.op, r.impl, r.medianMs.toFixed(3), r.opsPerSec.toFixed(1), r.mbPerSec?.toFixed(0) ?? '', r.ratioToWebCrypto?.toFixed(2) ?? '']));
  console.log(`\ncore.wasm: ${wasmBytes.length} bytes, ${wasmGzip} gzipped; instantiated in ${measured.wasm.instantiateMs.toFixed(1)} ms`);
  console.log('\ntargets:');
  for (const tg of targets) console.log(`  ${tg.pass ? 'MET   ' : 'MISSED'} ${tg.target}: ${tg.measured}`);
  console.log('\nwritten: bench/results.json');
}

if (!existsSync(CHROMIUM_PATH)) {
  console.error(`bench: ${CHROMIUM_PATH} not found (apt-get install chromium)`);
  process.exit(1);
}
main().catch((e) => {
  console.error(e);
  process.exit(1);
});
