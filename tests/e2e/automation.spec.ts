/** The scenario through window.trustpoint.cli, then a reload, and a reload in the middle of a write. */
import { expect, test } from '../pw.ts';
import { appServer, cli, configBody, enableTestSeam, openApp, SCENARIO } from './fixtures.ts';

let server: { url: string; close(): Promise<void> };
test.beforeAll(async () => {
  server = await appServer();
});
test.afterAll(async () => {
  await server.close();
});

// The test reads window.trustpoint.session/.app/.core: define the test seam before the app loads.
test.beforeEach(async ({ page }) => {
  await enableTestSeam(page);
});

test('window.trustpoint.cli runs the scenario and resolves to the console transcript', async ({ page }) => {
  await openApp(page, server.url);
  const t = await cli(page, SCENARIO);
  expect(t.startsWith('Router>enable\nRouter#configure terminal\nEnter configuration commands, one per line.  End with CNTL/Z.\n')).toBe(true);
  expect(t).toContain('kiosk7(ca-trustpoint)# auto-enroll 90 regenerate\n');
  expect(t).toMatch(/kiosk7#write memory\nBuilding configuration...\n\[OK\]\n$/);
  // The console shows the same lines.
  expect(await page.evaluate(() => window.trustpoint!.session.scrollback)).toContain(t);
  const before = configBody(t, 'kiosk7#show running-config');

  await page.reload();
  await page.waitForFunction(() => !!window.trustpoint);
  const t2 = await cli(page, 'enable\nshow startup-config\nshow running-config');
  expect(configBody(t2, 'kiosk7#show startup-config')).toBe(before);
  expect(configBody(t2, 'kiosk7#show running-config')).toBe(before);
});

test('a question in the middle of a script is answered by the next line', async ({ page }) => {
  await openApp(page, server.url);
  const t = await cli(page, 'enable\nconfigure\n\nhostname q1\nend\ncopy running-config startup-config\n\nshow startup-config');
  expect(t).toContain('Configuring from terminal, memory, or network [terminal]? \nEnter configuration commands');
  expect(t).toContain('Destination filename [startup-config]? \nBuilding configuration...\n[OK]');
  expect(t).toContain('hostname q1');
});

test('a reload in the middle of write memory leaves a whole startup-config, old or new', async ({ page }) => {
  await openApp(page, server.url);
  await cli(page, 'enable\nconf t\nhostname oldcfg\nend\nwrite memory');
  // Build a large new configuration, then reload while it is being written.
  const many = Array.from({ length: 150 }, (_, i) => `crypto pki trustpoint T${i}\n enrollment terminal pem\n subject-name CN=t${i}.example.com, O=Example\n fingerprint ${'AB'.repeat(32)}`).join('\n');
  await cli(page, `conf t\nhostname newcfg\n${many}\nend`);
  await page.evaluate(() => {
    void window.trustpoint!.cli('write memory');
    setTimeout(() => location.reload(), 0);
  });
  await page.waitForFunction(() => document.documentElement.dataset.ready === 'true' && !!window.trustpoint);
  const t = await cli(page, 'enable\nshow startup-config');
  expect(t).not.toContain('%');
  const host = /hostname (\w+)/.exec(t)?.[1];
  expect(['oldcfg', 'newcfg']).toContain(host);
  if (host === 'newcfg') expect(t).toContain('crypto pki trustpoint T149\n');
  else expect(t).not.toContain('crypto pki trustpoint T0\n');
});
