/**
 * The newcomer's path through the console UI: type the scenario key by key, save,
 * reload, and get the same configuration back; paste a whole block; ? and Tab; history.
 */
import { expect, test } from '../pw.ts';
import { appServer, cli, configBody, enableTestSeam, openApp, SCENARIO, typeLine } from './fixtures.ts';

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

test('typing the scenario, write memory, reload: startup-config and running-config come back', async ({ page }) => {
  await openApp(page, server.url);
  await expect(page.locator('tp-console .prompt')).toHaveText('Router>');
  for (const line of SCENARIO.split('\n')) await typeLine(page, line);
  const screen = page.locator('tp-console pre');
  await expect(screen).toContainText('kiosk7(ca-trustpoint)# fingerprint 12EF53FA 355CD23E 12EF53FA 355CD23E');
  await expect(screen).toContainText('Building configuration...\n[OK]');
  await expect(screen).not.toContainText('% Invalid');
  const before = configBody(await page.evaluate(() => window.trustpoint!.session.scrollback), 'kiosk7#show running-config');
  expect(before).toContain('crypto pki profile enrollment E\n authentication url http://entrust:81\n');
  expect(before).toContain(' password 7 ');
  expect(before).not.toContain('password1');

  await page.reload();
  await page.waitForFunction(() => document.documentElement.dataset.ready === 'true');
  await expect(page.locator('tp-console .prompt')).toHaveText('kiosk7>');
  await typeLine(page, 'enable');
  await typeLine(page, 'show startup-config');
  await typeLine(page, 'show running-config');
  const after = await page.evaluate(() => window.trustpoint!.session.scrollback);
  expect(configBody(after, 'kiosk7#show startup-config')).toBe(before);
  expect(configBody(after, 'kiosk7#show running-config')).toBe(before);
  await expect(page.locator('tp-app').locator('.chip').first()).toHaveText('kiosk7');
});

test('pasting the whole block into the console works the same as typing it', async ({ page }) => {
  await openApp(page, server.url);
  await cli(page, 'enable\nerase startup-config\n\n');
  await page.reload();
  await page.waitForFunction(() => document.documentElement.dataset.ready === 'true');
  const input = page.locator('tp-console input');
  await input.focus();
  await page.evaluate((text) => {
    const el = document.querySelector('tp-app')!.shadowRoot!.querySelector('tp-console')!.shadowRoot!.querySelector('input')!;
    const dt = new DataTransfer();
    dt.setData('text/plain', text + '\n');
    el.dispatchEvent(new ClipboardEvent('paste', { clipboardData: dt, bubbles: true, cancelable: true }));
  }, SCENARIO);
  await page.waitForFunction(() => window.trustpoint!.session.isIdle() && window.trustpoint!.session.scrollback.includes('[OK]'));
  const out = await page.evaluate(() => window.trustpoint!.session.scrollback);
  expect(out).not.toContain('% Invalid');
  expect(out).toContain('kiosk7(ca-profile-enroll)# parameter 2 value 5001');
  const startup = await cli(page, 'show startup-config');
  expect(startup).toContain(' auto-enroll 90 regenerate\n');
});

test('? shows help in place, Tab completes, Up recalls history, Ctrl-Z leaves config mode', async ({ page }) => {
  await openApp(page, server.url);
  await typeLine(page, 'enable');
  const input = page.locator('tp-console input');
  await input.focus();
  await page.keyboard.type('show cry');
  await page.keyboard.press('Tab');
  await expect(input).toHaveValue('show crypto ');
  await page.keyboard.type('?');
  await expect(input).toHaveValue('show crypto ');
  await expect(page.locator('tp-console pre')).toContainText('#show crypto ?\n  key  Show long term public keys\n  pki  Show PKI\n');
  await input.fill('');
  await typeLine(page, 'configure terminal');
  await typeLine(page, 'crypto pki trustpoint tpX');
  await expect(page.locator('tp-console .prompt')).toHaveText(/\(ca-trustpoint\)#$/);
  await page.keyboard.press('Control+z');
  await page.waitForFunction(() => window.trustpoint!.session.isIdle());
  await expect(page.locator('tp-console .prompt')).toHaveText(/[^)]#$/);
  await input.focus();
  await page.keyboard.press('ArrowUp');
  await expect(input).toHaveValue('crypto pki trustpoint tpX');
  await page.keyboard.press('ArrowUp');
  await expect(input).toHaveValue('configure terminal');
  await page.keyboard.press('ArrowDown');
  await page.keyboard.press('ArrowDown');
  await expect(input).toHaveValue('');
});

test('the Trustpoints view shows what the console configured', async ({ page }) => {
  await openApp(page, server.url);
  await cli(page, 'enable\nconf t\ncrypto pki trustpoint viewtp\n enrollment terminal pem\n rsakeypair vk 2048\nend');
  await page.getByRole('button', { name: 'Trustpoints' }).click();
  const card = page.locator('tp-trustpoints article[data-trustpoint="viewtp"]');
  await expect(card).toContainText('Cut-and-paste (PEM)');
  await expect(card).toContainText('RSA vk (2048 bits)');
  await page.getByRole('button', { name: 'Console' }).click();
  await expect(page.locator('tp-console pre')).toContainText('crypto pki trustpoint viewtp');
});
