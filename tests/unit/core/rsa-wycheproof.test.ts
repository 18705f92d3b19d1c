/**
 * Wycheproof RSA and primality vectors through scripts/vectors/handlers/rsa.ts and
 * primality.ts: every file under ../shared/vectors/wycheproof with a group type one of the
 * handlers knows runs completely, judged as the runner judges (scripts/vectors/types.ts:
 * valid must be accepted without mismatch, invalid must not be accepted, acceptable either
 * way but without mismatch when accepted). Zero failures and zero skipped groups, on the
 * debug and the release build.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { instantiateCore, type CoreInstance } from '../../../src/core/instance.ts';
import { handlers as rsaHandlers } from '../../../scripts/vectors/handlers/rsa.ts';
import { handlers as primeHandlers } from '../../../scripts/vectors/handlers/primality.ts';
import type { WycheproofFile, WycheproofHandler } from '../../../scripts/vectors/types.ts';
import { coreWasmPath, domainWasmPath } from '../_core.ts';
import { sep } from 'node:path';
import { sharedPath } from '../../shared.ts';

const DIR = sharedPath('vectors', 'wycheproof') + sep;
const handlers: WycheproofHandler[] = [...rsaHandlers, ...primeHandlers];

const hasExport = (f: string) => WebAssembly.Module.exports(new WebAssembly.Module(readFileSync(f))).some((e) => e.name === 'rsa_verify_pkcs1');
const builds = [false, true].map((release) => {
  const dom = domainWasmPath('hash-bn-rsa', release);
  const full = coreWasmPath(release ? 'release' : 'debug');
  const file = process.env.CORE_WASM_FILE ?? (existsSync(dom) ? dom : full);
  return { name: release ? 'release' : 'debug', file };
});

const GROUP_TYPES = new Set(handlers.flatMap((h) => h.groupTypes));
const files = readdirSync(DIR)
  .filter((f) => f.endsWith('.json') && f !== 'MANIFEST.json')
  .filter((f) => {
    const j = JSON.parse(readFileSync(DIR + f, 'utf8')) as WycheproofFile;
    return Array.isArray(j.testGroups) && j.testGroups.some((g) => GROUP_TYPES.has(g.type));
  })
  .sort();

function run(core: CoreInstance, file: WycheproofFile) {
  let pass = 0;
  let total = 0;
  const skipped: string[] = [];
  const failures: string[] = [];
  for (const group of file.testGroups) {
    total += group.tests.length;
    const handler = handlers.find((h) => h.groupTypes.includes(group.type));
    const ok = handler ? handler.supports(file, group) : `no handler for ${group.type}`;
    if (ok !== true || !handler) {
      skipped.push(String(ok));
      continue;
    }
    const prepared = handler.prepare?.(core, file, group);
    for (const test of group.tests) {
      const v = handler.run(core, test, group, prepared, file);
      const good = test.result === 'valid' ? v.accepted && !v.mismatch : test.result === 'invalid' ? !v.accepted : !v.accepted || !v.mismatch;
      if (good) pass++;
      else failures.push(`#${test.tcId} (${test.result}, ${test.comment}) accepted=${v.accepted} ${v.mismatch ?? ''}`);
    }
  }
  return { pass, total, skipped, failures };
}

describe.each(builds)('Wycheproof RSA + primality ($name build)', ({ file }) => {
  let core: CoreInstance;
  beforeAll(async () => {
    if (!existsSync(file) || !hasExport(file)) throw new Error(`${file} has no rsa exports: run node scripts/asc-domain.mjs hash bn rsa [--release]`);
    core = await instantiateCore(readFileSync(file));
  });

  it('finds the vector files', () => {
    expect(files.length).toBeGreaterThanOrEqual(35);
    expect(files).toContain('primality_test.json');
    expect(files).toContain('rsa_pss_2048_sha256_mgf1_32_params_test.json');
  });

  it.each(files)('%s: every test passes', (name) => {
    const f = JSON.parse(readFileSync(DIR + name, 'utf8')) as WycheproofFile;
    const r = run(core, f);
    expect(r.skipped).toEqual([]);
    expect(r.failures).toEqual([]);
    expect(r.pass).toBe(r.total);
    expect(r.total).toBe(f.numberOfTests);
  }, 120_000);
});
