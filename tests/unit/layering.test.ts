/**
 * STYLE.md §2a as a test (issue 9 §1): who may import what, checked over every module of src/
 * (type-only imports and dynamic `import()` included).
 * - cli/ and ui/ reach the layers below through app/: no store/, pki/ or enroll/ import (the
 *   GUI's stricter view rule is tests/unit/ui/layering.test.ts once it lands);
 * - enroll/ never imports store/, ui/, cli/ or app/;
 * - only pki/ imports pkijs or asn1js; only store/ imports idb.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';

const SRC = fileURLToPath(new URL('../../src/', import.meta.url));

function* files(d: string): Generator<string> {
  for (const f of readdirSync(d).sort()) {
    const p = join(d, f);
    if (statSync(p).isDirectory()) yield* files(p);
    else if (/\.ts$/.test(f) && !f.endsWith('.d.ts')) yield p;
  }
}

/** Every module specifier a source imports or re-exports, statically or dynamically. */
export function importsOf(src: string): string[] {
  const out: string[] = [];
  for (const m of src.matchAll(/(?:^|[\s;])(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|import\s*\(\s*['"]([^'"]+)['"]\s*\)|(?:^|[\s;])import\s+['"]([^'"]+)['"]/g)) out.push(m[1] ?? m[2] ?? m[3]!);
  return out;
}

/** The src/ top-level directory a relative specifier from `file` lands in ('' for src/ itself), or the package name. */
function target(file: string, spec: string): string {
  if (!spec.startsWith('.')) return spec;
  const rel = relative(SRC, join(file, '..', spec));
  return rel.includes('/') ? rel.split('/')[0]! : '';
}

const modules = [...files(SRC)].map((f) => ({ file: relative(SRC, f), layer: relative(SRC, f).split('/')[0]!, deps: importsOf(readFileSync(f, 'utf8')).map((s) => target(f, s)) }));

const RULES: { name: string; applies: (layer: string) => boolean; forbidden: (dep: string) => boolean }[] = [
  { name: 'cli/ and ui/ import no store/, pki/ or enroll/ module (app/ re-exports what they show)', applies: (l) => l === 'cli' || l === 'ui', forbidden: (d) => d === 'store' || d === 'pki' || d === 'enroll' },
  { name: 'enroll/ imports no store/, ui/, cli/ or app/ module', applies: (l) => l === 'enroll', forbidden: (d) => ['store', 'ui', 'cli', 'app'].includes(d) },
  { name: 'only pki/ imports pkijs or asn1js', applies: (l) => l !== 'pki', forbidden: (d) => d === 'pkijs' || d === 'asn1js' },
  { name: 'only store/ imports idb', applies: (l) => l !== 'store', forbidden: (d) => d === 'idb' },
];

describe('layering (STYLE.md §2a)', () => {
  test('there is something to check', () => {
    expect(modules.length).toBeGreaterThan(100);
    expect(modules.filter((m) => m.layer === 'cli').length).toBeGreaterThan(5);
  });
  test.each(RULES)('$name', (rule) => {
    const bad = modules.filter((m) => rule.applies(m.layer)).flatMap((m) => m.deps.filter(rule.forbidden).map((d) => `${m.file} -> ${d}`));
    expect(bad).toEqual([]);
  });
  test('the checker sees static, type-only, re-export and dynamic imports', () => {
    const src = "import { x } from '../store/keystore.ts';\nimport type { K } from '../pki/x509.ts';\nexport { y } from '../enroll/scep/ca.ts';\nconst m = import('../store/nvram.ts');\nimport '../ui/tp-app.ts';\nimport * as pkijs from 'pkijs';";
    expect(importsOf(src)).toEqual(['../store/keystore.ts', '../pki/x509.ts', '../enroll/scep/ca.ts', '../store/nvram.ts', '../ui/tp-app.ts', 'pkijs']);
    expect(importsOf(src).map((s) => target(join(SRC, 'cli/commands/x.ts'), s))).toEqual(['cli', 'cli', 'cli', 'cli', 'cli', 'pkijs']);
    expect(importsOf(src).map((s) => target(join(SRC, 'cli/x.ts'), s))).toEqual(['store', 'pki', 'enroll', 'store', 'ui', 'pkijs']);
  });
});
