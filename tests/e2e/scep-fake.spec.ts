/**
 * SCEP in real Chromium against the scripted FAKE responder (tests/fakes/fake-scep.ts): a
 * request left PENDING survives a real page reload (the transaction is in IndexedDB) and
 * completes when the CA grants it; a connection the CA drops is explained as such — not as
 * CORS, not as "Failed to fetch" — and the configuration survives.
 */
import { expect, test, type Page } from '../pw.ts';
import { appServer, cli, enableTestSeam, openApp } from './fixtures.ts';
import { startFakeScep, type FakeScep } from '../fakes/fake-scep.ts';

let app: { url: string; close(): Promise<void> };
const fakes: FakeScep[] = [];

test.beforeAll(async () => {
  app = await appServer();
});
test.afterAll(async () => {
  await app?.close();
  await Promise.all(fakes.map((f) => f.close()));
});

async function fake(...args: Parameters<typeof startFakeScep>): Promise<FakeScep> {
  const f = await startFakeScep(...args);
  fakes.push(f);
  return f;
}

function trustpoint(name: string, url: string): string {
  return ['enable', 'configure terminal', `crypto pki trustpoint ${name}`, ` enrollment url ${url}`, ' subject-name CN=e2e-fake, O=Trustpoint tests', ' serial-number none', ' ip-address none', ' password fake-challenge', ` rsakeypair ${name} 2048`, ' exit'].join('\n');
}

const consoleText = (page: Page) => page.evaluate(() => document.querySelector('tp-app')!.shadowRoot!.querySelector('tp-console')!.shadowRoot!.textContent ?? '');

// The test reads window.trustpoint.session/.app/.core: define the test seam before the app loads.
test.beforeEach(async ({ page }) => {
  await enableTestSeam(page);
});

test('a PENDING request survives a page reload and completes when the CA grants it', async ({ page }) => {
  const f = await fake({ script: [], then: 'pending' });
  // The CertPoll wait (IOS counts it in minutes) through the documented test seam.
  await page.addInitScript(() => {
    (window as unknown as { __TRUSTPOINT_TEST__: object }).__TRUSTPOINT_TEST__ = { pollDelayMs: 600_000 };
  });
  await openApp(page, app.url);
  const cfg = await cli(page, trustpoint('pend', f.url));
  expect(cfg).not.toMatch(/^% Invalid/m);
  expect(await cli(page, 'crypto pki authenticate pend\nyes\nend\nwrite memory')).toContain('Trustpoint CA certificate accepted.');
  // The command is still waiting when the page goes away: its transcript never arrives.
  const abandoned = cli(page, 'configure terminal\ncrypto pki enroll pend').catch((e: Error) => e.message);
  await expect.poll(() => consoleText(page)).toContain('%PKI-6-CERTPENDING: Certificate request pending: polling the CA in 1 minute (1 of 10; Ctrl-C cancels).');
  const tid = f.requests.find((r) => r.operation === 'PKIOperation')!.transactionID!;
  // One record per pending transaction, keeping only what CertPoll needs: no CSR, so no challenge password at rest.
  const kept = await page.evaluate(async () => (await window.trustpoint!.app.meta.entries<Record<string, unknown>>('scep-pending:')).map(([, p]) => ({ tid: p.transactionID, fields: Object.keys(p).sort() })));
  expect(kept.map((p) => p.tid)).toEqual([tid]);
  expect(kept[0]!.fields).not.toContain('csr');
  expect(kept[0]!.fields).toContain('subject');
  const stored = await page.evaluate(async () => JSON.stringify(await window.trustpoint!.app.meta.entries('scep-pending:'), (_, v) => (v instanceof Uint8Array ? String.fromCharCode(...v) : v)));
  expect(stored).not.toContain('fake-challenge');

  // The CA grants it while the page is gone; the reloaded app resumes on its own.
  f.setScript(['success']);
  await page.addInitScript(() => {
    (window as unknown as { __TRUSTPOINT_TEST__: object }).__TRUSTPOINT_TEST__ = { pollDelayMs: 50 };
  });
  await page.reload();
  expect(await abandoned).toMatch(/Execution context was destroyed|Target page, context or browser has been closed/);
  await page.waitForFunction(() => document.documentElement.dataset.ready === 'true' && !!window.trustpoint);
  await expect.poll(() => consoleText(page), { timeout: 20_000 }).toContain(`%PKI-6-CERTPENDING: Resuming the pending request of trustpoint pend (transaction ${tid}).`);
  await expect.poll(() => consoleText(page), { timeout: 20_000 }).toContain('%PKI-6-CERTRET: Certificate received from Certificate Authority');
  const polls = f.requests.filter((r) => r.operation === 'PKIOperation');
  expect(polls.at(-1)!.messageType).toBe(20);
  expect(polls.at(-1)!.transactionID).toBe(tid);
  const show = await cli(page, 'enable\nshow crypto pki certificates pend');
  expect(show).toContain('Subject:\n    Name: Router\n    hostname = Router\n    O = Trustpoint tests\n    CN = e2e-fake');
  expect(show).toContain('Key Label: pend');
  // saved to NVRAM (the configuration was saved before), and nothing is pending any more
  expect(await cli(page, 'show startup-config')).toContain('crypto pki certificate chain pend');
  expect(await page.evaluate(async () => (await window.trustpoint!.app.meta.get<unknown[]>('scep-pending')) ?? [])).toEqual([]);
});

test('a connection the CA drops is explained as a dropped request; nothing is lost', async ({ page }) => {
  // Every attempt dropped: Chromium itself retries a request once when a kept-alive connection
  // closes without an answer, so a single drop would be hidden by the browser.
  const f = await fake({ script: [], then: 'drop' });
  await openApp(page, app.url);
  await cli(page, trustpoint('drop', f.url));
  await cli(page, 'crypto pki authenticate drop\nyes');
  const t = await cli(page, 'crypto pki enroll drop');
  expect(t).toContain(`% The connection to ${new URL(f.url).host} was dropped before the CA answered`);
  expect(t).not.toContain('Failed to fetch');
  expect(t).not.toContain('Access-Control-Allow-Origin');
  // diagnosing the failure did not send the request again (only the browser's own retry may have)
  expect(f.requests.filter((r) => r.operation === 'PKIOperation').length).toBeLessThanOrEqual(2);
  expect(f.requests.filter((r) => r.operation === 'PKIOperation' && r.method === 'GET')).toHaveLength(0);
  const kinds = await page.evaluate(() => (window.trustpoint!.app.running.chains.get('drop')?.certificates ?? []).map((c) => c.kind).filter((k) => k !== 'ca-rollover'));
  expect(kinds).toEqual(['ca']);
  // the next attempt works once the CA does
  f.setScript([], 'success');
  expect(await cli(page, 'crypto pki enroll drop')).toContain('%PKI-6-CERTRET');
});

test('GET PKIOperation is sent with a percent-encoded standard-base64 message, exactly once on failure', async ({ page }) => {
  const f = await fake({ caps: 'SHA-256\nAES\nDES3', script: [{ http: 500, body: 'no' }] });
  await openApp(page, app.url);
  await cli(page, trustpoint('viaget', f.url));
  await cli(page, 'crypto pki authenticate viaget\nyes');
  const t = await cli(page, 'crypto pki enroll viaget');
  expect(t).toContain('% The CA answered HTTP 500');
  const ops = f.requests.filter((r) => r.operation === 'PKIOperation');
  expect(ops).toHaveLength(1);
  expect(ops[0]!.method).toBe('GET');
  expect(ops[0]!.getMessageEncoding).toBe('std-base64-percent-encoded');
  expect(await cli(page, 'crypto pki enroll viaget')).toContain('%PKI-6-CERTRET');
});

test('redirects in the browser: followed within the CA\'s origin, refused to another origin — which never gets a SCEP request', async ({ page }) => {
  // Browsers hide where a redirect goes (opaqueredirect): the app finds out without resending.
  const other = await fake();
  const away = await fake({ redirects: { '/scep': other.url } });
  const moved = await fake({ redirects: { '/old': '/scep' } });
  await openApp(page, app.url);
  await cli(page, trustpoint('away', away.url));
  const t = await cli(page, 'crypto pki authenticate away\nyes\ncrypto pki enroll away');
  expect(t).toContain('Trustpoint follows redirects only within the same origin');
  // The other origin got at most the app's probe — a bare GET of the path, no operation, no
  // message, no body — never a SCEP request.
  expect(other.requests.filter((r) => r.operation !== '' || r.method !== 'GET')).toEqual([]);
  expect(away.requests.every((r) => r.operation !== 'PKIOperation' || r.redirectedTo !== undefined)).toBe(true);

  await cli(page, 'end\n' + trustpoint('moved', moved.url.replace('/scep', '/old')));
  expect(await cli(page, 'crypto pki authenticate moved\nyes')).toContain('Trustpoint CA certificate accepted.');
  expect(await cli(page, 'crypto pki enroll moved')).toContain('%PKI-6-CERTRET');
  const posts = moved.requests.filter((r) => r.operation === 'PKIOperation' && r.method === 'POST');
  // the POST to /old was redirected (the browser did not follow it), then sent to /scep
  expect(posts.map((r) => r.redirectedTo !== undefined)).toEqual([true, false]);
  expect(posts[1]!.challengePassword).toBe('fake-challenge');
});
