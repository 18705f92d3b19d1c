/**
 * The one place e2e and interop specs get Playwright's `test` and `expect` from, so fixtures
 * every browser test must have (e.g. recording Content-Security-Policy violations) are added
 * here once and apply to every spec. Specs import from this module, never from
 * '@playwright/test' directly (types excepted).
 */
import { test as base, expect } from '@playwright/test';

export const test = base;
export { expect };
export type { Page, BrowserContext, Browser } from '@playwright/test';
