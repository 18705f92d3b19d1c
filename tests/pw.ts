/**
 * The one place e2e and interop specs get Playwright's `test` and `expect` from, so fixtures
 * every browser test must have are added here once and apply to every spec. Specs import from
 * this module, never from '@playwright/test' directly (types excepted).
 *
 * Fixtures:
 * - `csp` (automatic): records every Content-Security-Policy / Trusted Types violation in the
 *   test's browser context — `securitypolicyviolation` events of every page and frame, and the
 *   browser's "Refused to …" / Trusted Types console reports (which also cover workers) — and
 *   fails the test if any is left at its end. A test that provokes violations on purpose takes
 *   them with `csp.take()`. Contexts a spec creates itself (e.g. a persistent profile) get the
 *   same watch with `watchCsp(context)` and `.check()`.
 */
import { test as base, expect, type BrowserContext } from '@playwright/test';

export interface CspWatch {
  /** Violations seen so far (and not taken). */
  readonly violations: string[];
  /** Returns and forgets the violations seen so far. */
  take(): string[];
  /** Throws if any violation was seen. */
  check(): void;
}

const BINDING = '__tpCspViolation';
const REPORT = /Content Security Policy|Content-Security-Policy|Trusted ?Type|TrustedHTML|TrustedScript/i;

export async function watchCsp(context: BrowserContext): Promise<CspWatch> {
  const violations: string[] = [];
  await context.exposeBinding(BINDING, (_source, v: string) => {
    violations.push(v);
  });
  await context.addInitScript((name: string) => {
    document.addEventListener(
      'securitypolicyviolation',
      (e) => {
        const w = window as unknown as Record<string, ((v: string) => void) | undefined>;
        w[name]?.(`${e.disposition} ${e.effectiveDirective}: blocked ${e.blockedURI || '(inline)'} at ${e.sourceFile || location.href}:${e.lineNumber}${e.sample ? ` (${e.sample})` : ''}`);
      },
      true,
    );
  }, BINDING);
  context.on('console', (m) => {
    if ((m.type() === 'error' || m.type() === 'warning') && REPORT.test(m.text())) violations.push(`console ${m.type()}: ${m.text()} (${m.location().url})`);
  });
  return {
    violations,
    take: () => violations.splice(0),
    check: () => {
      if (violations.length) throw new Error(`Content-Security-Policy violations:\n${violations.join('\n')}`);
    },
  };
}

export const test = base.extend<{ csp: CspWatch }>({
  csp: [
    async ({ context }, use) => {
      const watch = await watchCsp(context);
      await use(watch);
      watch.check();
    },
    { auto: true },
  ],
});
export { expect };
export type { Page, BrowserContext, Browser } from '@playwright/test';
