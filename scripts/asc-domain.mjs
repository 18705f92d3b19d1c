#!/usr/bin/env node
// Builds a core.wasm containing only the I/O arena and the named domains, so that a domain
// can be developed and tested while the others are unfinished.
//   node scripts/asc-domain.mjs rsa [ec ...] [--release]
// Output: src/core/gen/domain-<names>(.debug).wasm
import { mkdirSync, writeFileSync, rmSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
const args = process.argv.slice(2);
const release = args.includes('--release');
const domains = args.filter((a) => !a.startsWith('--'));
if (!domains.length) throw new Error('usage: asc-domain.mjs <domain>... [--release]');
const tag = domains.join('-');
const entry = `assembly/_entry_${tag}.ts`;
writeFileSync(entry, [`export { io_reserve, io_capacity, io_wipe } from './util/io';`, ...domains.map((d) => `export * from './${d}/exports';`)].join('\n') + '\n');
mkdirSync('src/core/gen', { recursive: true });
const out = `src/core/gen/domain-${tag}${release ? '' : '.debug'}.wasm`;
try {
  execFileSync('npx', ['asc', entry, '--target', release ? 'release' : 'debug', '-o', out, ...(release ? [] : ['-t', out.replace(/\.wasm$/, '.wat')])], { stdio: 'inherit' });
} finally {
  rmSync(entry, { force: true });
}
console.log(out);
