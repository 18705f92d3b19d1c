/**
 * Wycheproof ECDSA verification (EcdsaVerify / EcdsaP1363Verify) through the handler of
 * scripts/vectors/handlers/ecdsa.ts: every file under ../shared/vectors/wycheproof that has
 * such groups runs completely, with the runner's judgement (valid must verify, invalid must
 * not, acceptable either way), on the debug and the release build. Zero failures, and every
 * group on our curves with a SHA-1/SHA-2 hash is actually run (not skipped).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { instantiateCore, type CoreInstance } from '../../../src/core/instance.ts';
import { Io } from '../../../src/core/io.ts';
import { ecOps, type EcExports } from '../../../src/core/ops/ec.ts';
import { handlers } from '../../../scripts/vectors/handlers/ecdsa.ts';
import type { WycheproofFile } from '../../../scripts/vectors/types.ts';
import { coreWasmPath, domainWasmPath } from '../_core.ts';
import { sep } from 'node:path';
import { sharedPath } from '../../shared.ts';

const DIR = sharedPath('vectors', 'wycheproof') + sep;

const builds = [false, true].map((release) => {
  const dom = domainWasmPath('hash-kdf-ec', release);
  return { name: release ? 'release' : 'debug', file: process.env.CORE_WASM_FILE ?? (existsSync(dom) ? dom : coreWasmPath(release ? 'release' : 'debug')) };
});

/** A CoreInstance stand-in carrying the ec ops (the handler only calls those). */
async function loadCore(file: string): Promise<CoreInstance> {
  const inst = await instantiateCore(readFileSync(file));
  const ex = inst.exports as unknown as EcExports;
  if (typeof ex.ec_verify !== 'function') throw new Error(`${file} has no ec exports: run node scripts/asc-domain.mjs hash kdf ec [--release]`);
  return Object.assign(inst, ecOps(ex, new Io(ex)));
}

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
  let skip = 0;
  let total = 0;
  const failures: string[] = [];
  const reasons = new Set<string>();
  for (const group of file.testGroups) {
    total += group.tests.length;
    const handler = handlers.find((h) => h.groupTypes.includes(group.type));
    const ok = handler ? handler.supports(file, group) : `no handler for ${group.type}`;
    if (ok !== true || !handler) {
      skip += group.tests.length;
      reasons.add(String(ok));
      continue;
    }
    let prepared: unknown;
    let prepErr: unknown;
    try {
      prepared = handler.prepare?.(core, file, group);
    } catch (e) {
      prepErr = e;
    }
    for (const test of group.tests) {
      const v = prepErr ? { accepted: false } : handler.run(core, test, group, prepared, file);
      const good = test.result === 'valid' ? v.accepted && !v.mismatch : test.result === 'invalid' ? !v.accepted : !v.accepted || !v.mismatch;
      if (good) pass++;
      else failures.push(`#${test.tcId} ${test.result} (${test.comment}) accepted=${v.accepted}${prepErr ? ' [key refused]' : ''}`);
    }
  }
  return { pass, skip, total, failures, reasons };
}

describe('Wycheproof files with ECDSA verification groups', () => {
  it('finds the P-256 and P-384 files of ../shared/vectors', () => {
    expect(files).toEqual(expect.arrayContaining(['ecdsa_secp256r1_sha256_test.json', 'ecdsa_secp256r1_sha256_p1363_test.json', 'ecdsa_secp384r1_sha384_p1363_test.json']));
    expect(files.length).toBeGreaterThanOrEqual(7);
  });
});

describe.each(builds)('Wycheproof ECDSA verify ($name build)', ({ file }) => {
  let core: CoreInstance;
  beforeAll(async () => {
    core = await loadCore(file);
  });

  it.each(files)('%s: every supported test passes', (name) => {
    const wf = JSON.parse(readFileSync(DIR + name, 'utf8')) as WycheproofFile;
    const r = run(core, wf);
    expect(r.failures).toEqual([]);
    expect(r.pass + r.skip).toBe(r.total);
    expect(r.total).toBe(wf.numberOfTests);
    // Our curves with SHA-1/SHA-2 must never be skipped.
    if (/secp(256|384|521)r1_sha(1|224|256|384|512)(_p1363)?_test\.json$/.test(name)) expect(r.skip, [...r.reasons].join('; ')).toBe(0);
    expect(r.pass).toBeGreaterThan(0);
  });
});
