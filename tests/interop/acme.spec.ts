/**
 * ACME (issue 10) from real Chromium against Debian's pebble (lab/acme.sh), through the
 * console as a user types it: an account without and with external account binding, an order
 * for the trustpoint's names, finalize, the chain installed and verified against pebble's root,
 * a renewal, a pending authorization shown to the user with exactly what to publish and checked
 * again (pebble validating for real: http-01 from a site web server, dns-01 from
 * pebble-challtestsrv), stateless http-01 answered without asking, and badNonce recovery
 * (pebble rejects a share of good nonces on purpose; one instance here rejects half of them).
 *
 * The browser trusts the lab's TLS server key only (acme-lab.ts, chromiumTlsArgs).
 */
import { spawnSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test as base, type Page } from '../pw.ts';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../chromium.ts';
import { cli, openApp, appServer, type RunningApp } from '../e2e/fixtures.ts';
import { freePort } from './lab.ts';
import { chromiumTlsArgs, Http01Server, publishTxt, startAcmeLab, type AcmeLab } from './acme-lab.ts';

const EAB = { kid: 'kid-1', key: 'zWNDZM6eQGHWpSRTPal5eIUYFTu7EajVIoguysqZ9wG44nMEtx3MUAsUDkMTQ12W' };

interface Ctx {
  lab: AcmeLab;
  web: Http01Server;
  app: RunningApp;
  work: string;
}

const test = base.extend<object, { acme: Ctx }>({
  acme: [
    async ({}, use) => {
      const web = await Http01Server.start(await freePort());
      const lab = await startAcmeLab('.lab/i/acme-spec', {
        happy: {},
        eab: { eab: [EAB] },
        val: { alwaysValid: false, authzReuse: 0, http01Port: web.port },
        nonce: { nonceReject: 50 },
      });
      const app = await appServer();
      const work = mkdtempSync(join(tmpdir(), 'tp-acme-spec-'));
      await use({ lab, web, app, work });
      await app.close();
      await web.close();
      await lab.stop();
      rmSync(work, { recursive: true, force: true });
    },
    { scope: 'worker' },
  ],
  launchOptions: [
    async ({ acme }, use) => {
      await use({ executablePath: CHROMIUM_PATH, args: [...CHROMIUM_ARGS, ...chromiumTlsArgs(acme.lab)] });
    },
    { scope: 'worker' },
  ],
});

test.beforeEach(async ({ page }) => {
  await page.addInitScript(() => {
    (window as unknown as { __TRUSTPOINT_TEST__?: object }).__TRUSTPOINT_TEST__ ??= {};
  });
});

async function setup(page: Page, acme: Ctx, lines: string[]): Promise<void> {
  await openApp(page, acme.app.url);
  const t = await cli(page, ['enable', 'configure terminal', 'hostname kiosk7', 'ip domain-name example.com', ...lines, 'exit'].join('\n'));
  expect(t).not.toMatch(/^% (Invalid|Incomplete|Ambiguous|Unknown)/m);
}

interface StoredCert {
  kind: string;
  der: number[];
}

function storedCerts(page: Page, name: string): Promise<StoredCert[]> {
  return page.evaluate((n) => (window.trustpoint!.app.running.chains.get(n)?.certificates ?? []).map((c) => ({ kind: c.kind, der: Array.from(c.der) })), name);
}

const pem = (der: number[]) => new X509Certificate(Buffer.from(der)).toString();

/** The trustpoint's certificate, verified by `openssl verify` against pebble's root with the stored CA certificates as the chain. */
async function verifiedCertificate(page: Page, acme: Ctx, name: string, rootPem: string): Promise<X509Certificate> {
  const certs = await storedCerts(page, name);
  const own = certs.filter((c) => c.kind === 'general');
  expect(own).toHaveLength(1);
  const dir = mkdtempSync(join(acme.work, `${name}-`));
  writeFileSync(join(dir, 'root.pem'), rootPem);
  writeFileSync(join(dir, 'chain.pem'), certs.filter((c) => c.kind === 'ca').map((c) => pem(c.der)).join(''));
  writeFileSync(join(dir, 'leaf.pem'), pem(own[0]!.der));
  const v = spawnSync('openssl', ['verify', '-CAfile', join(dir, 'root.pem'), '-untrusted', join(dir, 'chain.pem'), join(dir, 'leaf.pem')], { encoding: 'utf8' });
  expect(v.stdout.trim(), v.stderr).toBe(`${join(dir, 'leaf.pem')}: OK`);
  return new X509Certificate(Buffer.from(own[0]!.der));
}

test('account without EAB, order, finalize: the chain is installed, verified against pebble’s root, and survives a reload', async ({ page, acme }) => {
  const pebble = acme.lab.instances.happy!;
  await setup(page, acme, ['crypto pki trustpoint LE', ` enrollment acme ${pebble.directory} challenge http-01`, ' subject-alt-name www.example.com']);
  const running = await cli(page, 'do show running-config');
  expect(running).toContain(` enrollment acme ${pebble.directory} challenge http-01\n`);

  const t = await cli(page, 'do debug crypto pki transactions\ncrypto pki enroll LE\nyes');
  expect(t).toContain(`% ACME server ${pebble.directory}, names: kiosk7.example.com, www.example.com`);
  expect(t).toContain('% Generating the ACME account key (ECDSA P-256, label LE-acme-account) ...');
  expect(t).toContain("% The ACME server's terms of service: data:text/plain,Do%20what%20thou%20wilt");
  expect(t).toMatch(/% ACME account registered: https:\/\/127\.0\.0\.1:\d+\/my-account\/\S+/);
  expect(t).toMatch(/% ACME order https:\/\/127\.0\.0\.1:\d+\/my-order\/\S+ \(pending\)/);
  expect(t).toContain('% Authorization for kiosk7.example.com: answering http-01');
  expect(t).toContain('% Finalizing the order with the certificate request (RSA 2048) ...');
  expect(t).toContain('CRYPTO_PKI: ACME newAccount: POST');
  expect(t).toContain('CRYPTO_PKI: ACME finalize: POST');
  expect(t).toContain('Trustpoint CA certificate from the ACME server (delivered over https):');
  expect(t).toContain('%PKI-6-CERTRET: Certificate received from Certificate Authority');

  const cert = await verifiedCertificate(page, acme, 'LE', pebble.rootPem);
  expect(cert.subjectAltName).toBe('DNS:kiosk7.example.com, DNS:www.example.com');
  expect(cert.issuer).toBe(new X509Certificate(pebble.intermediatePem).subject);
  const cas = (await storedCerts(page, 'LE')).filter((c) => c.kind === 'ca');
  expect(cas.map((c) => pem(c.der))).toEqual([new X509Certificate(pebble.intermediatePem).toString()]);
  // the certificate is for the trustpoint's key; the account key is a separate EC key in the key store
  const keys = await page.evaluate(async () => (await window.trustpoint!.app.keys.list()).map((k) => ({ label: k.label, kind: k.kind, spki: Array.from(k.spki) })));
  expect(keys.find((k) => k.label === 'LE-acme-account')?.kind).toBe('ec');
  const tpKey = keys.find((k) => k.label === 'kiosk7.example.com')!;
  expect(Buffer.from(cert.publicKey.export({ type: 'spki', format: 'der' }))).toEqual(Buffer.from(tpKey.spki));

  const shown = await cli(page, 'do show crypto pki trustpoints LE');
  expect(shown).toContain(`    ACME directory: ${pebble.directory}`);
  expect(shown).toContain('      Challenges: http-01, answered without asking');
  expect(shown).toMatch(/ {6}Account: https:\/\/\S+ \(key LE-acme-account\)/);
  expect(shown).not.toContain('Pending order');

  await cli(page, 'do write memory');
  await page.reload();
  await page.waitForFunction(() => document.documentElement.dataset.ready === 'true' && !!window.trustpoint);
  expect((await storedCerts(page, 'LE')).find((c) => c.kind === 'general')!.der).toEqual(Array.from(cert.raw));
  expect(await cli(page, 'enable\nshow running-config')).toContain(` enrollment acme ${pebble.directory} challenge http-01\n`);
});

test('a renewal: a new certificate for the same key, then with regenerate for a new key; the account is reused', async ({ page, acme }) => {
  const pebble = acme.lab.instances.happy!;
  await setup(page, acme, ['crypto pki trustpoint RENEW', ` enrollment acme ${pebble.directory} challenge http-01`, ' fqdn renew.example.com']);
  expect(await cli(page, 'crypto pki enroll RENEW\nyes')).toContain('%PKI-6-CERTRET');
  const first = await verifiedCertificate(page, acme, 'RENEW', pebble.rootPem);

  const again = await cli(page, 'crypto pki enroll RENEW\nyes');
  expect(again).toContain('% You already have a certificate from this CA: the request renews it.');
  expect(again).not.toContain('ACME account registered');
  expect(again).not.toContain('terms of service');
  expect(again).toContain('%PKI-6-CERTRET');
  const second = await verifiedCertificate(page, acme, 'RENEW', pebble.rootPem);
  expect(second.serialNumber).not.toBe(first.serialNumber);
  expect(second.publicKey.export({ type: 'spki', format: 'der' })).toEqual(first.publicKey.export({ type: 'spki', format: 'der' }));

  const regen = await cli(page, 'crypto pki trustpoint RENEW\n regenerate\n exit\ncrypto pki enroll RENEW\nyes');
  // the key pair is named after hostname.domain (IOS's default label), not after fqdn
  expect(regen).toContain('% Generating a new key pair for kiosk7.example.com (regenerate)');
  expect(regen).toContain('%PKI-6-CERTRET');
  const third = await verifiedCertificate(page, acme, 'RENEW', pebble.rootPem);
  expect(third.publicKey.export({ type: 'spki', format: 'der' })).not.toEqual(second.publicKey.export({ type: 'spki', format: 'der' }));
  expect(await page.evaluate(async () => (await window.trustpoint!.app.keys.byLabel('kiosk7.example.com')).length)).toBe(1);
});

test('external account binding: required and missing is explained; with eab the account is bound; the key never shows', async ({ page, acme }) => {
  const pebble = acme.lab.instances.eab!;
  await setup(page, acme, ['crypto pki trustpoint BOUND', ` enrollment acme ${pebble.directory} challenge http-01`, ' fqdn bound.example.com']);
  const missing = await cli(page, 'crypto pki enroll BOUND');
  expect(missing).toContain(`% The ACME server requires external account binding: configure "enrollment acme ${pebble.directory} eab KID KEY" with the key ID and MAC key the CA gave you.`);
  expect((await storedCerts(page, 'BOUND')).length).toBe(0);

  const wrongKey = EAB.key.replace(/^z/, 'y');
  await cli(page, `crypto pki trustpoint BOUND\n enrollment acme ${pebble.directory} challenge http-01 eab ${EAB.kid} ${wrongKey}\n exit`);
  const wrong = await cli(page, 'crypto pki enroll BOUND\nyes');
  expect(wrong).toMatch(/% The ACME server refused the account request \(newAccount\) \(HTTP 4\d\d, (unauthorized|malformed)/);
  expect(wrong).not.toContain('%PKI-6-CERTRET');

  await cli(page, `crypto pki trustpoint BOUND\n enrollment acme ${pebble.directory} challenge http-01 eab ${EAB.kid} ${EAB.key}\n exit`);
  const running = await cli(page, 'do show running-config');
  expect(running).toMatch(new RegExp(` enrollment acme ${pebble.directory.replace(/[./]/g, '\\$&')} challenge http-01 eab kid-1 7 [0-9A-F]+\\n`));
  expect(running).not.toContain(EAB.key);
  const t = await cli(page, 'do debug crypto pki transactions\ncrypto pki enroll BOUND\nyes');
  expect(t).toContain('(external account binding kid-1)');
  expect(t).toContain('%PKI-6-CERTRET');
  await verifiedCertificate(page, acme, 'BOUND', pebble.rootPem);
  expect(await cli(page, 'do show crypto pki trustpoints BOUND')).toContain('      External account binding: key ID kid-1 (MAC key not shown)');
  // (the console's scrollback shows what the user typed, as a router's terminal does; the history does not keep it)
  const everything = await page.evaluate(() => [window.trustpoint!.app.runningText(), ...window.trustpoint!.app.debugLog, ...window.trustpoint!.session.history].join('\n'));
  expect(everything).not.toContain(EAB.key);
  expect(everything).not.toContain(wrongKey);
});

/** The http-01 token and content the console told the user to publish. */
function publishedHttp01(t: string): { token: string; content: string } {
  const m = /http-01: http:\/\/\S+\/\.well-known\/acme-challenge\/([A-Za-z0-9_-]+)\n%\s+answering with the text \(Content-Type text\/plain\): (\S+)/.exec(t);
  expect(m, t).not.toBeNull();
  return { token: m![1]!, content: m![2]! };
}

test('a pending authorization: what to publish is shown, kept for later, checked again after publishing (http-01, validated by pebble)', async ({ page, acme }) => {
  const pebble = acme.lab.instances.val!;
  await setup(page, acme, ['crypto pki trustpoint PEND', ` enrollment acme ${pebble.directory}`, ' fqdn pend.example.com']);
  // 1. the order's authorization is pending: shown, and the user says "later"
  const first = await cli(page, 'crypto pki enroll PEND\nyes\n\n');
  expect(first).toContain('% Authorization pending for pend.example.com: publish ONE of');
  const { token, content } = publishedHttp01(first);
  expect(first).toContain(`%   http-01: http://pend.example.com/.well-known/acme-challenge/${token}`);
  expect(first).toMatch(/%   dns-01: {2}_acme-challenge\.pend\.example\.com\. 300 IN TXT "[A-Za-z0-9_-]{43}"/);
  expect(first).toContain('% When it is published, type http-01 or dns-01 to check again (Return: later): ');
  expect(first).toContain('% The order is kept: "crypto pki enroll PEND" checks again.');
  expect(first).not.toContain('%PKI-6-CERTRET');
  expect(content.startsWith(`${token}.`)).toBe(true);
  const shown = await cli(page, 'do show crypto pki trustpoints PEND');
  expect(shown).toMatch(/ {6}Pending order: https:\/\/\S+ \(pend\.example\.com\); "crypto pki enroll PEND" checks again/);
  expect(shown).toContain(`      Account key thumbprint: ${content.slice(token.length + 1)}`);

  // 2. the site publishes the answer; "check again" resumes the same order, pebble fetches it
  acme.web.publish(token, content);
  const seen = acme.web.requests.length;
  const second = await cli(page, 'crypto pki enroll PEND\nhttp-01');
  expect(second).toMatch(/% Resuming the ACME order https:\/\/\S+ \(pending\)/);
  expect(second).toContain('% Checking pend.example.com with http-01 ...');
  expect(second).toContain('% Authorization for pend.example.com: valid');
  expect(second).toContain('%PKI-6-CERTRET');
  expect(acme.web.requests.slice(seen)).toContain(`/.well-known/acme-challenge/${token}`);
  await verifiedCertificate(page, acme, 'PEND', pebble.rootPem);
  expect(await cli(page, 'do show crypto pki trustpoints PEND')).not.toContain('Pending order');
});

test('a pending authorization answered with dns-01 (TXT published in the lab DNS), and a failed validation explained', async ({ page, acme }) => {
  const pebble = acme.lab.instances.val!;
  await setup(page, acme, ['crypto pki trustpoint DNS', ` enrollment acme ${pebble.directory}`, ' fqdn dns.example.com', 'crypto pki trustpoint FAIL', ` enrollment acme ${pebble.directory}`, ' fqdn fail.example.com']);
  const t = await cli(page, 'crypto pki enroll DNS\nyes\n\n');
  const m = /dns-01: {2}(_acme-challenge\.dns\.example\.com\.) 300 IN TXT "([A-Za-z0-9_-]+)"/.exec(t);
  expect(m).not.toBeNull();
  await publishTxt(pebble, m![1]!, m![2]!);
  const done = await cli(page, 'crypto pki enroll DNS\ndns-01');
  expect(done).toContain('% Checking dns.example.com with dns-01 ...');
  expect(done).toContain('%PKI-6-CERTRET');
  await verifiedCertificate(page, acme, 'DNS', pebble.rootPem);

  // nothing published: pebble's validation fails, the user is told why, the order is dropped
  const fail = await cli(page, 'crypto pki enroll FAIL\nyes\nhttp-01');
  expect(fail).toMatch(/% Validation of fail\.example\.com with http-01 failed \((unauthorized|connection|incorrectResponse)[^)]*\): the order is invalid\./);
  expect(fail).not.toContain('%PKI-6-CERTRET');
  expect(await cli(page, 'do show crypto pki trustpoints FAIL')).not.toContain('Pending order');
  expect((await storedCerts(page, 'FAIL')).length).toBe(0);
});

test('stateless http-01: the web server answers every token with the account thumbprint, so nothing is asked', async ({ page, acme }) => {
  const pebble = acme.lab.instances.val!;
  await setup(page, acme, ['crypto pki trustpoint AUTO', ` enrollment acme ${pebble.directory}`, ' fqdn auto.example.com']);
  // the account is made (and its thumbprint shown) by a first attempt, left for later
  const first = await cli(page, 'crypto pki enroll AUTO\nyes\n\n');
  const thumb = /% Account key thumbprint \(.*\): ([A-Za-z0-9_-]{43})/.exec(first)![1]!;
  acme.web.setStateless(thumb);
  try {
    await cli(page, `crypto pki trustpoint AUTO\n enrollment acme ${pebble.directory} challenge http-01\n exit`);
    const seen = acme.web.requests.length;
    const t = await cli(page, 'crypto pki enroll AUTO');
    expect(t).toContain('% Authorization for auto.example.com: answering http-01');
    expect(t).not.toContain('check again');
    expect(t).toContain('%PKI-6-CERTRET');
    expect(acme.web.requests.length).toBeGreaterThan(seen);
    await verifiedCertificate(page, acme, 'AUTO', pebble.rootPem);
  } finally {
    acme.web.setStateless(undefined);
  }
});

test('authenticate pins pebble’s root: the delivered chain must lead to it', async ({ page, acme }) => {
  const pebble = acme.lab.instances.happy!;
  await setup(page, acme, ['crypto pki trustpoint PINNED', ` enrollment acme ${pebble.directory} challenge http-01`, ' fqdn pinned.example.com']);
  const auth = await cli(page, `crypto pki authenticate PINNED\n${pebble.rootPem}\nyes`);
  expect(auth).toContain('% An ACME server does not publish its root certificate');
  expect(auth).toContain('Trustpoint CA certificate accepted.');
  const t = await cli(page, 'crypto pki enroll PINNED\nyes');
  expect(t).toContain('Trustpoint CA certificates under the authenticated root:');
  expect(t).toContain('%PKI-6-CERTRET');
  const cas = (await storedCerts(page, 'PINNED')).filter((c) => c.kind === 'ca').map((c) => pem(c.der));
  expect(cas).toEqual([new X509Certificate(pebble.intermediatePem).toString(), new X509Certificate(pebble.rootPem).toString()]);
  await verifiedCertificate(page, acme, 'PINNED', pebble.rootPem);

  // a root of another ACME server: the chain does not lead to it, nothing is stored
  await cli(page, `crypto pki trustpoint OTHER\n enrollment acme ${pebble.directory} challenge http-01\n fqdn other.example.com\n exit`);
  await cli(page, `crypto pki authenticate OTHER\n${acme.lab.instances.eab!.rootPem}\nyes`);
  const other = await cli(page, 'crypto pki enroll OTHER\nyes');
  expect(other).toContain('% The certificate chain from the ACME server does not lead to the root authenticated for trustpoint OTHER');
  expect((await storedCerts(page, 'OTHER')).filter((c) => c.kind === 'general')).toHaveLength(0);
});

test('badNonce: pebble rejects half of the good nonces, every one is retried and the enrollment completes', async ({ page, acme }) => {
  const pebble = acme.lab.instances.nonce!;
  await setup(page, acme, ['crypto pki trustpoint NONCE', ` enrollment acme ${pebble.directory} challenge http-01`, ' fqdn nonce.example.com']);
  await cli(page, 'do debug crypto pki transactions');
  let t = await cli(page, 'crypto pki enroll NONCE\nyes');
  // with 50 % rejected, a run without one badNonce is a 1-in-several-thousand event: renew until seen (at most twice more)
  for (let i = 0; i < 2 && !t.includes('(badNonce)'); i++) t += await cli(page, 'crypto pki enroll NONCE\nyes');
  expect(t).toMatch(/CRYPTO_PKI: ACME \w+: POST \S+ -> HTTP 400 application\/problem\+json, \d+ bytes \(badNonce\)/);
  expect(t).toMatch(/CRYPTO_PKI: ACME \w+: POST \S+ -> HTTP 20\d [^\n]* \[retry \d+ after badNonce\]/);
  expect(t).toContain('%PKI-6-CERTRET');
  expect(t).not.toMatch(/^% The ACME server refused/m);
  await verifiedCertificate(page, acme, 'NONCE', pebble.rootPem);
});
