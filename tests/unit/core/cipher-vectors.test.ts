/**
 * External vectors for assembly/cipher: Wycheproof AES-CBC-PKCS5 through the handler in
 * scripts/vectors/handlers/aes-cbc.ts, and the NIST CAVP TDES known answers through
 * scripts/vectors/tdes.ts (all 470 records), read from ../shared/vectors.
 * Runs against the debug and the release build.
 */
import * as nc from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join, sep } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { Io } from '../../../src/core/io.ts';
import { instantiateCore, type CoreInstance } from '../../../src/core/instance.ts';
import { cipherOps, type CipherExports, type CipherOps } from '../../../src/core/ops/cipher.ts';
import { handlers } from '../../../scripts/vectors/handlers/aes-cbc.ts';
import { parseTdesFile, runTdesFile } from '../../../scripts/vectors/tdes.ts';
import type { WycheproofFile, WycheproofGroup, WycheproofTest } from '../../../scripts/vectors/types.ts';
import { coreWasmPath, domainWasmPath } from '../_core.ts';
import { sharedPath } from '../../shared.ts';

/** ../shared/vectors relative to the repo root, or $TRUSTPOINT_SHARED/vectors (as scripts/test.sh). */
const VECTORS = sharedPath('vectors') + sep;

/**
 * The builds under test, debug and release: the newer of the domain build
 * (`node scripts/asc-domain.mjs cipher [--release]`) and the full core (`npm run build:wasm[:debug]`)
 * among those that export `cipher_crypt`, so a stale domain build never hides a fresh core;
 * CORE_WASM_FILE overrides both.
 */
const hasExport = (f: string) => WebAssembly.Module.exports(new WebAssembly.Module(readFileSync(f))).some((e) => e.name === 'cipher_crypt');
const builds = [false, true].map((release) => {
  const candidates = [domainWasmPath('cipher', release), coreWasmPath(release ? 'release' : 'debug')].filter((f) => existsSync(f) && hasExport(f));
  candidates.sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs);
  return { name: release ? 'release' : 'debug', file: process.env.CORE_WASM_FILE ?? candidates[0] ?? domainWasmPath('cipher', release) };
});

async function loadCipher(file: string): Promise<CipherOps> {
  const inst = await instantiateCore(readFileSync(file));
  const ex = inst.exports as unknown as CipherExports;
  if (typeof ex.cipher_crypt !== 'function') throw new Error(`${file} has no cipher exports: run node scripts/asc-domain.mjs cipher [--release]`);
  return cipherOps(ex, new Io(ex));
}

/** The runner's judgement (scripts/vectors/types.ts): counts of pass/fail/skip and failure ids. */
function runWycheproof(core: CoreInstance, file: WycheproofFile) {
  let pass = 0;
  let skip = 0;
  const failures: string[] = [];
  const reasons = new Set<string>();
  for (const group of file.testGroups) {
    const handler = handlers.find((h) => h.groupTypes.includes(group.type));
    const ok = handler ? handler.supports(file, group) : `no handler for ${group.type}`;
    if (ok !== true || !handler) {
      skip += group.tests.length;
      reasons.add(String(ok));
      continue;
    }
    const prepared = handler.prepare?.(core, file, group);
    for (const test of group.tests) {
      const v = handler.run(core, test, group, prepared, file);
      const good =
        test.result === 'valid' ? v.accepted && !v.mismatch : test.result === 'invalid' ? !v.accepted : !v.accepted || !v.mismatch;
      if (good) pass++;
      else failures.push(`#${test.tcId} ${test.result} accepted=${v.accepted} ${v.mismatch ?? ''}`);
    }
  }
  return { pass, skip, failures, reasons };
}

const readJson = (name: string) => JSON.parse(readFileSync(VECTORS + name, 'utf8')) as WycheproofFile;
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

describe.each(builds)('cipher vectors ($name build)', ({ file }) => {
  let c: CipherOps;
  let core: CoreInstance;
  beforeAll(async () => {
    c = await loadCipher(file);
    core = c as unknown as CoreInstance;
  });

  it('Wycheproof aes_cbc_pkcs5_test.json: every test passes, none skipped', () => {
    const wp = readJson('wycheproof/aes_cbc_pkcs5_test.json');
    const r = runWycheproof(core, wp);
    expect(r.failures).toEqual([]);
    expect(r.skip).toBe(0);
    expect(r.pass).toBe(wp.numberOfTests);
    expect(r.pass).toBe(216);
  });

  it('the handler fails a wrong implementation (a corrupted expected ciphertext is caught)', () => {
    const wp = readJson('wycheproof/aes_cbc_pkcs5_test.json');
    const group = wp.testGroups[0]!;
    const valid = group.tests.find((t) => t.result === 'valid' && String(t['msg']).length > 0)!;
    const tampered: WycheproofTest = { ...valid, ct: String(valid['ct']).replace(/^./, (d) => (d === '0' ? '1' : '0')) };
    const r = runWycheproof(core, { ...wp, testGroups: [{ ...group, tests: [tampered] }] });
    expect(r.failures.length).toBe(1);
  });

  it('other IndCpaTest algorithms are skipped with a reason, never passed', () => {
    const gcm: WycheproofFile = {
      algorithm: 'AES-GCM',
      numberOfTests: 1,
      testGroups: [{ type: 'IndCpaTest', keySize: 128, ivSize: 96, tests: [{ tcId: 1, comment: '', flags: [], result: 'valid', key: '00'.repeat(16), iv: '00'.repeat(12), msg: '', ct: '' }] } as WycheproofGroup],
    };
    const r = runWycheproof(core, gcm);
    expect(r).toMatchObject({ pass: 0, skip: 1, failures: [] });
    expect([...r.reasons][0]).toMatch(/AES-GCM/);
  });

  it('NIST CAVP tdes_cbc.txt: all 470 records pass', () => {
    const text = readFileSync(VECTORS + 'nist-cavp-tdes/tdes_cbc.txt', 'utf8');
    expect(parseTdesFile(text).length).toBe(470);
    const r = runTdesFile(c, text);
    expect(r.lines).toEqual([]);
    expect(r).toMatchObject({ passed: 470, failed: 0, skipped: 0 });
  });

  it('the TDES runner takes every cipher of the format, both operations, and skips the rest', () => {
    const rec = (cipher: string, op: string | undefined, key: Buffer, iv: Buffer | undefined, nodeName: string) => {
      const pt = nc.randomBytes(16);
      const e = nc.createCipheriv(nodeName, key, iv ?? null).setAutoPadding(false);
      const ct = Buffer.concat([e.update(pt), e.final()]);
      return [`Cipher: ${cipher}`, ...(op ? [`Operation: ${op}`] : []), `Key: ${hex(key)}`, ...(iv ? [`IV: ${hex(iv)}`] : []), `Plaintext: ${hex(pt)}`, `Ciphertext: ${hex(ct)}`].join('\n');
    };
    const k1 = nc.randomBytes(8);
    const k2 = nc.randomBytes(16);
    const k3 = nc.randomBytes(24);
    const iv = nc.randomBytes(8);
    // single DES is legacy in node: use K1 = K2 = K3 TDEA as its reference
    const single = Buffer.concat([k1, k1, k1]);
    const records = [
      rec('DES-EDE3-CBC', 'ENCRYPT', k3, iv, 'des-ede3-cbc'),
      rec('DES-EDE3-CBC', 'DECRYPT', k3, iv, 'des-ede3-cbc'),
      rec('DES-EDE3', 'ENCRYPT', k3, undefined, 'des-ede3'),
      rec('DES-EDE3-ECB', undefined, k3, undefined, 'des-ede3'),
      rec('DES-EDE-CBC', 'DECRYPT', k2, iv, 'des-ede-cbc'),
      rec('DES-EDE', 'ENCRYPT', k2, undefined, 'des-ede'),
      rec('DES-EDE-ECB', undefined, k2, undefined, 'des-ede'),
      rec('DES-CBC', 'ENCRYPT', single, iv, 'des-ede3-cbc').replace(`Key: ${hex(single)}`, `Key: ${hex(k1)}`),
      rec('DES-ECB', 'DECRYPT', single, undefined, 'des-ede3').replace(`Key: ${hex(single)}`, `Key: ${hex(k1)}`),
      rec('DES', undefined, single, undefined, 'des-ede3').replace(`Key: ${hex(single)}`, `Key: ${hex(k1)}`),
      'Cipher: AES-128-CBC\nOperation: ENCRYPT\nKey: 00\nIV: 00\nPlaintext: 00\nCiphertext: 00',
      rec('DES-EDE3-CBC', 'InvalidDecrypt', k3, iv, 'des-ede3-cbc'),
    ];
    const r = runTdesFile(c, `# synthetic\n\n${records.join('\n\n')}\n`);
    expect(r.lines.filter((l) => l.startsWith('line'))).toEqual([]);
    expect(r).toMatchObject({ passed: 10, failed: 0, skipped: 2 });
    expect(r.lines).toEqual(['skipped 1: cipher "AES-128-CBC" is not a DES/TDES cipher of the core', 'skipped 1: operation "InvalidDecrypt" is not ENCRYPT or DECRYPT']);
  });

  it('the TDES runner reports wrong answers and malformed records as failures', () => {
    const text = [
      'Cipher: DES-EDE3-CBC\nOperation: ENCRYPT\nKey: 010101010101010101010101010101010101010101010101\nIV: 0000000000000000\nPlaintext: 95f8a5e5dd31d900\nCiphertext: 8000000000000001',
      'Cipher: DES-EDE3-CBC\nOperation: ENCRYPT\nKey: 0101010101010101\nIV: 0000000000000000\nPlaintext: 95f8a5e5dd31d900\nCiphertext: 8000000000000000',
      'Cipher: DES-EDE3-CBC\nOperation: DECRYPT\nKey: 010101010101010101010101010101010101010101010101\nPlaintext: 00\nCiphertext: 00',
      'Cipher: DES-EDE3-CBC\nOperation: ENCRYPT\nKey: 010101010101010101010101010101010101010101010101\nIV: 0000000000000000\nPlaintext: 95f8a5e5dd31d900\nCiphertext: 8000000000000000',
    ].join('\n\n');
    const r = runTdesFile(c, text);
    expect(r).toMatchObject({ passed: 1, failed: 3, skipped: 0 });
    expect(r.lines[0]).toMatch(/^line 1: DES-EDE3-CBC ENCRYPT: encrypt gave 8000000000000000, want 8000000000000001$/);
    expect(r.lines[1]).toMatch(/key must be 24 bytes/);
    expect(r.lines[2]).toMatch(/missing IV/);
  });
});
