/**
 * Issue 8's architecture rule, as a test: the views (src/ui/) call app/ services only — they
 * import no store/, enroll/ or pki/ module (types included), and no view types console lines
 * (the old `tp-run-lines` event is gone).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, test } from 'vitest';

const UI = fileURLToPath(new URL('../../../src/ui/', import.meta.url));
const files = readdirSync(UI).filter((f) => f.endsWith('.ts'));

function imports(src: string): string[] {
  const out: string[] = [];
  for (const m of src.matchAll(/(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|import\s*\(\s*['"]([^'"]+)['"]\s*\)|import\s+['"]([^'"]+)['"]/g)) out.push(m[1] ?? m[2] ?? m[3]!);
  return out;
}

test('there are views to check', () => {
  expect(files.length).toBeGreaterThanOrEqual(8);
});

test.each(files)('%s imports no store/, enroll/ or pki/ module', (f) => {
  const bad = imports(readFileSync(join(UI, f), 'utf8')).filter((p) => /(^|\/)(store|enroll|pki)\//.test(p) || /^(idb|pkijs|asn1js)$/.test(p));
  expect(bad).toEqual([]);
});

test.each(files.filter((f) => f !== 'tp-console.ts'))('%s types no console lines (the console itself excepted)', (f) => {
  const src = readFileSync(join(UI, f), 'utf8');
  expect(src).not.toContain('tp-run-lines');
  expect(src).not.toMatch(/session\.paste\(/);
});

test('the rule catches a violation (the checker itself is not blind)', () => {
  expect(imports("import { x } from '../pki/x509.ts';\nimport type { K } from '../store/keystore.ts';\nconst m = import('../enroll/scep/ca.ts');").filter((p) => /(^|\/)(store|enroll|pki)\//.test(p))).toHaveLength(3);
});
