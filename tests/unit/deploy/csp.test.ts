/**
 * One policy everywhere: deploy/nginx.conf carries a copy of the Content-Security-Policy of
 * deploy/csp.ts (nginx cannot import it) — the page's, the core worker's and the service
 * worker's, chosen by the same paths — and the build's <meta> is the page policy without the
 * header-only frame-ancestors.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { META_CSP, PAGE_CSP, SECURITY_HEADERS, SW_CSP, WORKER_CSP, cspFor } from '../../../deploy/csp.ts';

const nginx = readFileSync(new URL('../../../deploy/nginx.conf', import.meta.url), 'utf8');

function mapEntries(name: string): [string, string][] {
  const block = new RegExp(`map \\$uri \\$${name} \\{([^}]*)\\}`).exec(nginx)?.[1];
  if (!block) throw new Error(`deploy/nginx.conf: no map for $${name}`);
  return [...block.matchAll(/^\s*(\S+)\s+"([^"]*)";/gm)].map((m) => [m[1]!, m[2]!]);
}

describe('Content-Security-Policy', () => {
  it('the page policy has what the issue asks for', () => {
    for (const d of ["default-src 'self'", "script-src 'self' 'wasm-unsafe-eval'", "object-src 'none'", "base-uri 'none'", "frame-ancestors 'none'", "require-trusted-types-for 'script'", 'trusted-types lit-html trustpoint-url', "connect-src 'self' http: https:"])
      expect(PAGE_CSP.split('; ')).toContain(d);
    expect(META_CSP).not.toContain('frame-ancestors');
    expect(META_CSP.split('; ')).toEqual(PAGE_CSP.split('; ').filter((d) => !d.startsWith('frame-ancestors')));
    expect(PAGE_CSP).not.toMatch(/'unsafe-inline'|'unsafe-eval'|\s\*/);
  });

  it('paths get the page, worker or service-worker policy', () => {
    expect(cspFor('/')).toBe(PAGE_CSP);
    expect(cspFor('/index.html')).toBe(PAGE_CSP);
    expect(cspFor('/assets/index-abc.js')).toBe(PAGE_CSP);
    expect(cspFor('/sw.js')).toBe(SW_CSP);
    expect(cspFor('/app/sw.js')).toBe(SW_CSP);
    expect(cspFor('/assets/worker-wasm-worker-Bies7Umu.js')).toBe(WORKER_CSP);
    expect(cspFor('/app/assets/worker-x.js')).toBe(WORKER_CSP);
  });

  it('deploy/nginx.conf sends the same policies for the same paths, and the other headers', () => {
    const entries = mapEntries('trustpoint_csp');
    const byKey = new Map(entries);
    expect(byKey.get('default')).toBe(PAGE_CSP);
    for (const [path, want] of [
      ['/sw.js', SW_CSP],
      ['/assets/worker-wasm-worker-Bies7Umu.js', WORKER_CSP],
      ['/assets/index-abc.js', PAGE_CSP],
      ['/', PAGE_CSP],
    ] as const) {
      // nginx picks the first matching regex, else the default
      const hit = entries.find(([k]) => k.startsWith('~') && new RegExp(k.slice(1)).test(path));
      expect(hit ? hit[1] : byKey.get('default'), path).toBe(want);
      expect(cspFor(path), path).toBe(want);
    }
    expect(nginx).toContain('add_header Content-Security-Policy $trustpoint_csp always;');
    for (const [k, v] of Object.entries(SECURITY_HEADERS)) expect(nginx).toContain(`add_header ${k} ${v} always;`);
  });
});
