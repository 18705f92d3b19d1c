/**
 * Accessibility and layout of every view (issue 8, item 7): axe-core finds 0 violations in the
 * light and the dark colour scheme; buttons, links and fields are at least 44 px; nothing
 * overflows sideways on a phone (390×844), a tablet in portrait (820×1180) or a desktop; the
 * question dialog and the kiosk page are checked too. With TP_SCREENSHOTS=DIR (set by
 * `npm run screenshots`) the same run writes a screenshot of each view to DIR.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { expect, test, type Page } from '../pw.ts';
import { cli, openApp, appServer, type RunningApp } from './fixtures.ts';

const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
const SHOTS = process.env.TP_SCREENSHOTS;
let server: RunningApp;

test.beforeAll(async () => {
  server = await appServer();
  if (SHOTS) mkdirSync(SHOTS, { recursive: true });
});
test.afterAll(async () => {
  await server.close();
});
test.beforeEach(async ({ page }) => {
  await page.addInitScript(() => {
    (window as unknown as { __TRUSTPOINT_TEST__?: object }).__TRUSTPOINT_TEST__ ??= {};
  });
});

interface AxeResult {
  violations: { id: string; impact: string; help: string; nodes: { target: unknown[]; failureSummary?: string }[] }[];
}

async function axe(page: Page): Promise<AxeResult['violations']> {
  // Evaluated over CDP: the app's Trusted Types policy forbids a <script> element with this text.
  if (!(await page.evaluate(() => 'axe' in window))) await page.evaluate(AXE_SOURCE);
  const r = (await page.evaluate(() => (window as unknown as { axe: { run(o: object): Promise<unknown> } }).axe.run({ resultTypes: ['violations'] }))) as AxeResult;
  return r.violations;
}

/** Interactive elements smaller than 44×44 px (checkboxes count with their margin). */
async function smallTargets(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const out: string[] = [];
    const walk = (root: Document | ShadowRoot) => {
      for (const el of root.querySelectorAll<HTMLElement>('*')) {
        if (el.shadowRoot) walk(el.shadowRoot);
        const tag = el.tagName.toLowerCase();
        const interactive = tag === 'button' || tag === 'select' || tag === 'summary' || (tag === 'a' && el.hasAttribute('href')) || (tag === 'input' && !['checkbox', 'radio', 'hidden', 'file'].includes((el as HTMLInputElement).type) && !el.classList.contains('sr-only'));
        if (!interactive) continue;
        const r = el.getBoundingClientRect();
        if (r.width === 0 && r.height === 0) continue; // not shown
        if (r.height < 43.5 || (r.width < 43.5 && tag !== 'input')) out.push(`${tag} "${(el.textContent ?? el.getAttribute('aria-label') ?? '').trim().slice(0, 30)}" ${Math.round(r.width)}×${Math.round(r.height)}`);
      }
    };
    walk(document);
    return out;
  });
}

async function goto(page: Page, view: string): Promise<void> {
  await page.getByRole('navigation', { name: 'Views' }).getByRole('button', { name: view, exact: true }).click();
}

/** State so every view has something to show: a self-signed trustpoint, a SCEP one, a key. */
async function seed(page: Page): Promise<void> {
  const t = await cli(
    page,
    [
      'enable',
      'configure terminal',
      'hostname kiosk7',
      'ip domain-name example.com',
      'crypto pki trustpoint SELF',
      ' enrollment selfsigned',
      ' rsakeypair SELF 1024',
      ' serial-number none',
      ' ip-address none',
      ' auto-enroll 70',
      ' exit',
      'crypto pki enroll SELF',
      'yes',
      'crypto pki trustpoint SCEP',
      ' enrollment url http://ca.example.com/scep',
      ' subject-name CN=kiosk7, O=example.com',
      ' exit',
      'end',
      'write memory',
    ].join('\n'),
  );
  expect(t).toContain('Router Self Signed Certificate successfully created');
}

const TAGS: Record<string, string> = { Console: 'tp-console', Trustpoints: 'tp-trustpoints', Certificates: 'tp-certificates', 'Provisioning desk': 'tp-desk', Keys: 'tp-keys', Tokens: 'tp-tokens', Inspector: 'tp-inspector', Storage: 'tp-storage' };
const VIEWS = ['Console', 'Trustpoints', 'Certificates', 'Provisioning desk', 'Keys', 'Tokens', 'Inspector', 'Storage'];

for (const scheme of ['light', 'dark'] as const) {
  test(`axe-core: 0 violations on every view, ${scheme}`, async ({ page }) => {
    test.setTimeout(120_000);
    await page.emulateMedia({ colorScheme: scheme });
    await page.setViewportSize({ width: 1280, height: 860 });
    await openApp(page, server.url);
    await seed(page);
    const report: string[] = [];
    const check = async (what: string) => {
      await page.waitForTimeout(150);
      for (const v of await axe(page)) report.push(`${what}: ${v.id} (${v.impact}) ${v.help} — ${v.nodes.map((n) => JSON.stringify(n.target)).join(', ')}`);
      if (scheme === 'light') for (const s of await smallTargets(page)) report.push(`${what}: target under 44 px: ${s}`);
      if (SHOTS && (scheme === 'light' || ['Trustpoints', 'Certificates', 'Kiosk'].includes(what)))
        await page.screenshot({ path: join(SHOTS, `${what.toLowerCase().replace(/[^a-z0-9]+/g, '-')}-${scheme}.png`) });
    };
    for (const v of VIEWS) {
      await goto(page, v);
      await expect(page.locator(TAGS[v]!)).toBeVisible();
      if (v === 'Certificates') {
        await page.getByRole('button', { name: 'Details' }).first().click();
        await expect(page.locator('tp-certificates [data-field=sha256]').first()).toBeVisible();
      }
      if (v === 'Trustpoints') await expect(page.getByRole('article', { name: 'Trustpoint SELF' })).toBeVisible();
      await check(v);
    }
    // the editor, and the question dialog
    await goto(page, 'Trustpoints');
    await page.getByRole('button', { name: 'Edit SCEP' }).click();
    await expect(page.locator('tp-trustpoints pre[data-preview]')).toContainText('enrollment url');
    await check('Trustpoint editor');
    await page.getByRole('button', { name: 'Close' }).click();
    await page.getByRole('article', { name: 'Trustpoint SELF' }).getByRole('button', { name: 'Enroll', exact: true }).click();
    await expect(page.getByRole('dialog')).toBeVisible();
    await check('Question dialog');
    await page.getByRole('dialog').getByRole('button', { name: 'No' }).click();
    await expect(page.getByRole('region', { name: 'Enroll SELF' }).locator('[data-error]')).toContainText('not replaced');
    await check('Enrollment progress');
    // kiosk mode
    await page.goto(`${server.url}?kiosk=SELF`);
    await expect(page.locator('tp-kiosk [data-kiosk-status]')).toContainText('Certificate valid until');
    await check('Kiosk');
    expect(report).toEqual([]);
  });
}

for (const [layout, size] of [
  ['phone', { width: 390, height: 844 }],
  ['tablet', { width: 820, height: 1180 }],
  ['desktop', { width: 1440, height: 900 }],
] as const) {
  test(`layout: ${layout} ${size.width}×${size.height}, nothing overflows sideways`, async ({ page }) => {
    await page.setViewportSize(size);
    await openApp(page, server.url);
    await seed(page);
    const wide: string[] = [];
    for (const v of VIEWS) {
      await goto(page, v);
      await page.waitForTimeout(100);
      const over = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      if (over > 0) wide.push(`${v}: ${over} px too wide`);
      if (SHOTS && layout !== 'desktop' && (v === 'Trustpoints' || v === 'Certificates')) await page.screenshot({ path: join(SHOTS, `${v.toLowerCase()}-${layout}.png`) });
    }
    expect(wide).toEqual([]);
    // the whole nav is reachable by keyboard: Tab moves through it in order
    await page.locator('body').focus();
    const seen: string[] = [];
    for (let i = 0; i < 12 && seen.length < VIEWS.length; i++) {
      await page.keyboard.press('Tab');
      const label = await page.evaluate(() => {
        let a: Element | null = document.activeElement;
        while (a?.shadowRoot?.activeElement) a = a.shadowRoot.activeElement;
        return a?.closest('nav') ? a.textContent?.trim() : undefined;
      });
      if (label && !seen.includes(label)) seen.push(label);
    }
    expect(seen).toEqual(VIEWS);
  });
}
