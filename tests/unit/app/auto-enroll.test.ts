/**
 * Auto-enrollment (app/auto.ts) end to end in node against the scripted fake SCEP CA, with the
 * app's clock moved by hand: enroll at start, renew at N % (with and without `regenerate`),
 * retry with backoff and give up, never guess a challenge password, NOAUTOSAVE keeping the
 * saved certificate's key, CA rollover with GetNextCACert, and the guide's manual rollover to
 * the CA's next certificate. The browser versions (page.clock, two tabs, crashes) are in
 * tests/e2e/auto-enroll.spec.ts.
 */
import { X509Certificate } from 'node:crypto';
import { afterAll, describe, expect, test } from 'vitest';
import { harness, type Harness } from '../cli/_harness.ts';
import { fakeScepPool, type FakeScep, type FakeScepOptions } from '../../fakes/fake-scep.ts';
import { AutoEnrollService } from '../../../src/app/auto.ts';
import { ownCertificateKeys } from '../../../src/app/commit.ts';
import { keyState } from '../../../src/app/keys.ts';
import { readConfig } from '../../../src/config/reader.ts';
import { toHex } from '../../../src/util/hex.ts';

const DAY = 86_400_000;
const pool = fakeScepPool();
const fake = pool.fake;
afterAll(pool.closeAll);

/** A console whose clock the test moves (starts at the real time: the fake issues from now). */
async function rig(extra: string[] = [], opts: FakeScepOptions = {}, pre: string[] = []) {
  const f = await fake(opts);
  let offset = 0;
  const h = await harness({ privileged: true, clock: () => new Date(Date.now() + offset) });
  const lines = [
    'configure terminal',
    ...pre,
    'crypto pki trustpoint trustmel',
    ` enrollment url ${f.url}`,
    ' subject-name OU=Spiral Dept., O=example.com',
    ' serial-number none',
    ' ip-address none',
    ' password password1',
    ' rsakeypair trustmel 2048',
    ...extra,
    ' exit',
    'end',
  ];
  const cfg = await h.run(lines.join('\n'));
  expect(cfg).not.toMatch(/^% (Invalid|Incomplete|Ambiguous)/m);
  expect(await h.run('configure terminal\ncrypto pki authenticate trustmel\nyes\nend\ncopy system:running-config nvram:startup-config\n\n')).toContain('Trustpoint CA certificate accepted.');
  const log: string[] = [];
  h.app.onMessage((l) => log.push(l));
  const auto = new AutoEnrollService(h.app, { timers: { setTimeout: () => 0, clearTimeout: () => {}, setInterval: () => 0, clearInterval: () => {} } });
  h.app.auto = auto;
  await auto.start();
  await auto.runDue();
  return {
    f,
    h,
    auto,
    log,
    advance: async (ms: number) => {
      offset += ms;
      await auto.runDue();
    },
    setOffset: async (ms: number) => {
      offset = ms;
      await auto.runDue();
    },
  };
}

const own = (h: Harness) => h.app.running.chains.get('trustmel')?.certificates.filter((c) => c.kind === 'general') ?? [];
const x509 = (der: Uint8Array) => new X509Certificate(Buffer.from(der));
const pkiOps = (f: FakeScep) => f.requests.filter((r) => r.operation === 'PKIOperation');

async function savedOwnKeys(h: Harness): Promise<Set<string>> {
  return ownCertificateKeys((await readConfig((await h.app.startup())!.text)).config);
}

describe('enroll at start and renew at N %', () => {
  test('the guide example: enrolls at start by itself, renews at 90 % with a new key, saves, deletes the old key', async () => {
    const r = await rig([' auto-enroll 90 regenerate']);
    expect(r.log.some((l) => /^\*\w{3} +\d+ \d\d:\d\d:\d\d\.\d{3}: %PKI-6-CERT_ENROLL_AUTO: Auto initial enrollment for trustpoint trustmel$/.test(l))).toBe(true);
    expect(own(r.h)).toHaveLength(1);
    const first = x509(own(r.h)[0]!.der);
    expect(pkiOps(r.f)).toHaveLength(1);
    expect(r.f.requests.at(-1)!.challengePassword).toBe('password1');
    expect(await savedOwnKeys(r.h)).toEqual(new Set([toHex(new Uint8Array(first.publicKey.export({ type: 'spki', format: 'der' })))]));
    // Nothing more while the certificate is young.
    await r.advance(300 * DAY);
    expect(pkiOps(r.f)).toHaveLength(1);
    const timers = await r.h.run('show crypto pki timers');
    expect(timers).toMatch(/\|\s+\d+d\d\d:\d\d:\d\d\.\d{3}  RENEW trustmel/);
    // 91 % of the lifetime: the rollover certificate, on a new key.
    await r.advance(32.5 * DAY);
    expect(r.log.join('\n')).toContain('%PKI-6-CERT_RENEW_AUTO: Auto rollover enrollment for trustpoint trustmel (new key: regenerate)');
    expect(pkiOps(r.f)).toHaveLength(2);
    const second = x509(own(r.h)[0]!.der);
    expect(second.serialNumber).not.toBe(first.serialNumber);
    expect(second.publicKey.equals(first.publicKey)).toBe(false);
    expect(second.verify(x509(r.f.caDer).publicKey)).toBe(true);
    // Saved (the running-config was unchanged), one key left, and it is the new certificate's.
    const keys = await r.h.app.keys.list();
    expect(keys.map((k) => keyState(k))).toEqual(['current']);
    expect(toHex(keys[0]!.spki)).toBe(toHex(new Uint8Array(second.publicKey.export({ type: 'spki', format: 'der' }))));
    expect(await savedOwnKeys(r.h)).toEqual(new Set([toHex(keys[0]!.spki)]));
    expect(r.log.join('\n')).not.toContain('NOAUTOSAVE');
  });

  test('without regenerate: the same key renews — RenewalReq signed with the current certificate when the key can receive the reply', async () => {
    const r = await rig([' auto-enroll 50'], {}, ['ip domain-name example.com', 'crypto key generate rsa label trustmel modulus 2048 exportable']);
    const first = x509(own(r.h)[0]!.der);
    await r.advance(183 * DAY);
    const ops = pkiOps(r.f);
    expect(ops).toHaveLength(2);
    expect(ops[1]!.messageType).toBe(17); // RenewalReq
    expect(toHex(ops[1]!.signerCert!)).toBe(toHex(new Uint8Array(first.raw)));
    const second = x509(own(r.h)[0]!.der);
    expect(second.serialNumber).not.toBe(first.serialNumber);
    expect(second.publicKey.equals(first.publicKey)).toBe(true);
  });

  test('a non-exportable key renews with a PKCSReq (the CA encrypts a RenewalReq reply to the current certificate, which that key cannot decrypt)', async () => {
    const r = await rig([' auto-enroll 50']);
    const first = x509(own(r.h)[0]!.der);
    await r.advance(183 * DAY);
    const ops = pkiOps(r.f);
    expect(ops.map((o) => o.messageType)).toEqual([19, 19]);
    expect(x509(own(r.h)[0]!.der).publicKey.equals(first.publicKey)).toBe(true);
  });

  test('no percentage: renews at expiry (3 minutes before, less at most an hour of jitter)', async () => {
    const r = await rig([' auto-enroll']);
    const first = x509(own(r.h)[0]!.der);
    const end = new Date(first.validTo).getTime();
    await r.setOffset(end - Date.now() - 64 * 60_000);
    expect(pkiOps(r.f)).toHaveLength(1);
    await r.setOffset(end - Date.now() - 2.5 * 60_000);
    expect(pkiOps(r.f)).toHaveLength(2);
  });
});

describe('failures', () => {
  test('retry with backoff, then give up after the retry count; a start begins again', async () => {
    const r = await rig([' auto-enroll 90', ' enrollment retry period 2', ' enrollment retry count 3'], { script: [{ failure: 2, text: 'no' }, { failure: 2, text: 'no' }, { failure: 2, text: 'no' }], then: 'success' });
    expect(pkiOps(r.f)).toHaveLength(1);
    expect(r.log.join('\n')).toMatch(/%PKI-2-CERT_ENROLL_FAIL: Certificate enrollment failed for trustpoint trustmel\. Reason: .*badRequest/);
    await r.advance(60_000); // before the 2-minute retry period: nothing
    expect(pkiOps(r.f)).toHaveLength(1);
    await r.advance(61_000);
    expect(pkiOps(r.f)).toHaveLength(2);
    await r.advance(3 * 60_000); // backoff doubled: 4 minutes
    expect(pkiOps(r.f)).toHaveLength(2);
    await r.advance(60_000);
    expect(pkiOps(r.f)).toHaveLength(3);
    expect(r.log.join('\n')).toContain('%PKI-3-CERT_ENROLL_GIVEUP: Automatic enrollment of trustpoint trustmel stopped after 3 failed attempts');
    await r.advance(DAY);
    expect(pkiOps(r.f)).toHaveLength(3);
    expect(own(r.h)).toHaveLength(0);
    // A new start (a reload) tries again — and the CA now issues.
    const again = new AutoEnrollService(r.h.app, { timers: { setTimeout: () => 0, clearTimeout: () => {}, setInterval: () => 0, clearInterval: () => {} } });
    r.auto.stop();
    await again.start();
    await again.runDue();
    expect(pkiOps(r.f)).toHaveLength(4);
    expect(own(r.h)).toHaveLength(1);
  });

  test('no challenge password configured: nothing is sent, the reason is logged', async () => {
    const f = await fake();
    const h = await harness({ privileged: true, clock: () => new Date() });
    await h.run(`configure terminal\ncrypto pki trustpoint nopw\n enrollment url ${f.url}\n serial-number none\n ip-address none\n auto-enroll 80\n exit\ncrypto pki authenticate nopw\nyes\nend\nwrite memory`);
    const log: string[] = [];
    h.app.onMessage((l) => log.push(l));
    const auto = new AutoEnrollService(h.app, { timers: { setTimeout: () => 0, clearTimeout: () => {}, setInterval: () => 0, clearInterval: () => {} } });
    await auto.start();
    await auto.runDue();
    expect(pkiOps(f)).toHaveLength(0);
    expect(log.join('\n')).toContain('Reason: No challenge password is configured for trustpoint nopw ("password" in the trustpoint): an unattended enrollment cannot ask for one.');
  });

  test('an unauthenticated CA or a cut-and-paste trustpoint never auto-enrolls, and show crypto pki timers says why', async () => {
    const h = await harness({ privileged: true, clock: () => new Date() });
    await h.run('configure terminal\ncrypto pki trustpoint paste\n enrollment terminal\n auto-enroll 90\n exit\nend');
    const auto = new AutoEnrollService(h.app);
    h.app.auto = auto;
    expect(auto.timers()).toEqual([]);
    expect(await h.run('show crypto pki timers')).toContain('paste: auto-enroll is configured but cannot run: cut-and-paste enrollment needs an operator.');
  });

  test('the running-config has unsaved changes: NOAUTOSAVE, and the saved certificate keeps its key', async () => {
    const r = await rig([' auto-enroll 90 regenerate']);
    const first = own(r.h)[0]!;
    await r.h.run('configure terminal\nhostname changed\nend');
    await r.advance(330 * DAY);
    expect(r.log.join('\n')).toContain('%PKI-4-NOAUTOSAVE');
    const saved = await savedOwnKeys(r.h);
    expect(saved).toEqual(new Set([toHex(new Uint8Array(x509(first.der).publicKey.export({ type: 'spki', format: 'der' })))]));
    const keys = await r.h.app.keys.list();
    for (const k of saved) expect(keys.some((x) => toHex(x.spki) === k)).toBe(true);
    expect(keys.map((k) => keyState(k)).sort()).toEqual(['current', 'retired']);
  });
});

describe('rollover', () => {
  test('CA rollover: the next CA certificate becomes the CA certificate when it becomes valid; renewal goes to it; the old one goes when unused', async () => {
    const r = await rig([' auto-enroll 90'], { nextCaStartsInDays: 30 });
    const kinds = () => r.h.app.running.chains.get('trustmel')!.certificates.map((c) => c.kind).sort();
    expect(kinds()).toEqual(['ca', 'ca-rollover', 'general']);
    expect(await r.h.run('show crypto pki timers')).toMatch(/CA ROLLOVER trustmel/);
    await r.advance(31 * DAY);
    expect(r.log.join('\n')).toContain('%PKI-6-CA_ROLLOVER_ACTIVE');
    expect(kinds()).toEqual(['ca', 'ca-previous', 'general']);
    const ca = r.h.app.running.chains.get('trustmel')!.certificates.find((c) => c.kind === 'ca')!;
    expect(toHex(ca.der)).toBe(toHex(r.f.nextCaDer));
    expect((await r.h.run('show running-config')).match(/certificate ca previous \w+/)).not.toBeNull();
    // Renewal: the request goes to the new CA, which issues under its key; the previous CA certificate goes.
    await r.advance(300 * DAY);
    expect(pkiOps(r.f).at(-1)!.forNextCa).toBe(true);
    expect(kinds()).toEqual(['ca', 'general']);
    expect(x509(own(r.h)[0]!.der).verify(x509(r.f.nextCaDer).publicKey)).toBe(true);
  });

  test("the guide's manual rollover: a certificate outliving the CA's renews to the CA's next certificate as a shadow, active with the CA rollover", async () => {
    // The fake's CA lives 10 years; certificates of 11 years outlive it.
    const r = await rig([], { certDays: 4015, nextCaStartsInDays: 3000 });
    expect(await r.h.run('configure terminal\ncrypto pki enroll trustmel\nend')).toContain('%PKI-6-CERTRET');
    const first = own(r.h)[0]!;
    const t = await r.h.run('configure terminal\ncrypto pki enroll trustmel\nyes\nend');
    expect(t).toContain("requesting a rollover (shadow) certificate from the CA's rollover certificate");
    expect(t).toContain('%PKI-6-CERT_SHADOW_INSTALL');
    expect(pkiOps(r.f).at(-1)!.forNextCa).toBe(true);
    const show = await r.h.run('show crypto pki certificates trustmel');
    expect(show).toContain('Rollover Certificate');
    expect(own(r.h)[0]!.serial).toBe(first.serial);
    expect(await r.h.run('show crypto pki timers')).toMatch(/SHADOW trustmel/);
    await r.advance(3001 * DAY);
    expect(r.log.join('\n')).toContain('%PKI-6-CA_ROLLOVER_ACTIVE');
    expect(r.log.join('\n')).toContain('%PKI-6-CERT_ROLLOVER_ACTIVE');
    const now = own(r.h);
    expect(now).toHaveLength(1);
    expect(now[0]!.serial).not.toBe(first.serial);
    expect(x509(now[0]!.der).verify(x509(r.f.nextCaDer).publicKey)).toBe(true);
    expect(r.h.app.running.chains.get('trustmel')!.certificates.map((c) => c.kind).sort()).toEqual(['ca', 'general']);
  });
});
