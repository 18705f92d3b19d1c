/**
 * The benchmark page. Runs each operation with every implementation available on this page
 * — the release core (in-thread, as src/core/direct.ts runs it), native WebCrypto, and the
 * leading pure-JS libraries — and reports medians. bench/run.ts drives it in headless
 * Chromium and writes bench/results.json.
 */
import { sha256 as nobleSha256 } from '@noble/hashes/sha2.js';
import { md5 as nobleMd5 } from '@noble/hashes/legacy.js';
import wasmUrl from '../../src/core/gen/core.wasm?url';
import { instantiateCore, type CoreInstance } from '../../src/core/instance.ts';
import { suites as extraSuites } from './suites.ts';

export interface Sample {
  op: string;
  impl: string;
  /** median wall time of one operation (ms) */
  medianMs: number;
  opsPerSec: number;
  /** for throughput operations: MB (10^6 bytes) per second */
  mbPerSec?: number;
  runs: number;
}

export interface Measured {
  samples: Sample[];
  wasm: { instantiateMs: number; bytes: number };
  userAgent: string;
}

export interface BenchCtx {
  core: CoreInstance;
  subtle: SubtleCrypto;
  /** extra inputs from the runner (e.g. the CRL) */
  inputs: Record<string, Uint8Array>;
  quick: boolean;
}

export interface Impl {
  impl: string;
  /** returns the op to time; may do one-off setup (key import, etc.) */
  setup(ctx: BenchCtx): Promise<() => unknown> | (() => unknown);
}

export interface Suite {
  op: string;
  /** bytes processed per op (throughput suites) */
  bytes?: number;
  /** minimum measured time and runs */
  minMs?: number;
  minRuns?: number;
  maxRuns?: number;
  impls: Impl[];
}

const log = (s: string) => {
  const el = document.getElementById('log')!;
  el.textContent += '\n' + s;
};

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

async function measure(fn: () => unknown, minMs: number, minRuns: number, maxRuns: number): Promise<number[]> {
  // warm up (lets V8 tier up the JS and the core's wasm)
  const w0 = performance.now();
  for (let i = 0; i < 3 || performance.now() - w0 < Math.min(300, minMs / 3); i++) {
    await fn();
    if (i > maxRuns) break;
  }
  const out: number[] = [];
  const t0 = performance.now();
  while ((out.length < minRuns || performance.now() - t0 < minMs) && out.length < maxRuns) {
    // Batch fast ops so timer resolution does not dominate.
    const s = performance.now();
    let n = 0;
    do {
      await fn();
      n++;
    } while (performance.now() - s < 25 && n < 10_000);
    out.push((performance.now() - s) / n);
  }
  return out;
}

const MiB = 1 << 20;
const data1M = new Uint8Array(MiB).map((_, i) => (i * 7) & 0xff);

const hashSuites: Suite[] = [
  {
    op: 'SHA-256 1 MiB',
    bytes: MiB,
    impls: [
      { impl: 'core', setup: ({ core }) => () => core.digest('SHA-256', data1M) },
      { impl: 'webcrypto', setup: ({ subtle }) => () => subtle.digest('SHA-256', data1M) },
      { impl: '@noble/hashes', setup: () => () => nobleSha256(data1M) },
    ],
  },
  {
    op: 'MD5 1 MiB',
    bytes: MiB,
    impls: [
      { impl: 'core', setup: ({ core }) => () => core.digest('MD5', data1M) },
      { impl: '@noble/hashes', setup: () => () => nobleMd5(data1M) },
    ],
  },
];

async function run(opts: { quick?: boolean; only?: string; inputs?: Record<string, number[]> } = {}): Promise<Measured> {
  const t0 = performance.now();
  const resp = await fetch(wasmUrl);
  const bytes = (await resp.clone().arrayBuffer()).byteLength;
  const t1 = performance.now();
  const core = await instantiateCore(resp);
  const instantiateMs = performance.now() - t1;
  void t0;
  const inputs: Record<string, Uint8Array> = {};
  for (const [k, v] of Object.entries(opts.inputs ?? {})) inputs[k] = new Uint8Array(v);
  const ctx: BenchCtx = { core, subtle: crypto.subtle, inputs, quick: !!opts.quick };
  const samples: Sample[] = [];
  for (const suite of [...hashSuites, ...extraSuites]) {
    if (opts.only && !suite.op.includes(opts.only)) continue;
    for (const im of suite.impls) {
      let fn: () => unknown;
      try {
        fn = await im.setup(ctx);
      } catch (e) {
        log(`${suite.op} / ${im.impl}: setup failed: ${(e as Error).message}`);
        continue;
      }
      const minMs = (suite.minMs ?? 1500) * (opts.quick ? 0.2 : 1);
      const xs = await measure(fn, minMs, opts.quick ? 2 : (suite.minRuns ?? 5), suite.maxRuns ?? 100_000);
      const med = median(xs);
      const s: Sample = { op: suite.op, impl: im.impl, medianMs: med, opsPerSec: 1000 / med, runs: xs.length };
      if (suite.bytes) s.mbPerSec = suite.bytes / 1e6 / (med / 1000);
      samples.push(s);
      log(`${suite.op.padEnd(32)} ${im.impl.padEnd(16)} ${med.toFixed(3).padStart(10)} ms`);
    }
  }
  return { samples, wasm: { instantiateMs, bytes }, userAgent: navigator.userAgent };
}

declare global {
  interface Window {
    runBench?: typeof run;
  }
}
window.runBench = run;
document.getElementById('log')!.textContent = 'ready';
