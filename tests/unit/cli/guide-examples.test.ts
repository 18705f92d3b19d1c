/**
 * The guide's configuration examples pasted into the console as printed (its code blocks, in
 * order, comment lines included): what a network engineer copying them would do. Nothing may end
 * in "% Invalid input" — including the guide's own spellings ("rsa-keypair", "rsa-key",
 * "rsa keypair", "ip address") and its certificate-server block, which is ignored with one note —
 * and the running-config shows the canonical commands.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { IOS_GUIDE } from '../../shared.ts';
import { harness } from './_harness.ts';

/** The lines of every code block of the guide's section `title` (up to the next `## `). */
function section(title: string): string[] {
  const g = readFileSync(IOS_GUIDE, 'utf8');
  const start = g.indexOf(`## ${title}\n`);
  expect(start, title).toBeGreaterThan(0);
  const end = g.indexOf('\n## ', start + 4);
  const body = g.slice(start, end < 0 ? undefined : end);
  return [...body.matchAll(/```\n([\s\S]*?)```/g)].flatMap((m) => m[1]!.split('\n')).filter((l) => l.trim() !== '');
}

const errors = (out: string) => out.split('\n').filter((l) => /^% (Invalid|Incomplete|Ambiguous)/.test(l));

describe("the guide's configuration examples, pasted", () => {
  test('"Configuring Certificate Enrollment or Autoenrollment Example": the certificate server is ignored with a note, the trustpoint is configured', async () => {
    const h = await harness({ privileged: true });
    const lines = section('Configuring Certificate Enrollment or Autoenrollment Example');
    expect(lines).toContain('crypto pki server mytp-A');
    expect(lines).toContain('rsa-keypair myTP-A');
    const out = await h.run(['configure terminal', ...lines, 'end'].join('\n'));
    expect(errors(out)).toEqual([]);
    expect(out).toContain('% Trustpoint is an enrollment client: the certificate server "mytp-A" (crypto pki server) is not available, and its sub-commands are ignored.');
    expect(out).toContain('Router(cs-server)#  grant auto');
    expect(out).toContain('% "rsa-keypair" is read as "rsakeypair".');
    const t = h.app.runningText();
    expect(t).toContain('crypto pki trustpoint mytp-A\n');
    expect(t).toMatch(/crypto pki trustpoint mytp-A\n(?: .*\n)* rsakeypair myTP-A\n/);
    expect(t).toMatch(/crypto pki trustpoint mytp-A\n(?: .*\n)* storage usbtoken0:\n/);
    expect(t).toMatch(/crypto pki trustpoint mytp-A\n(?: .*\n)* on usbtoken0:\n/);
    expect(t).not.toMatch(/server|grant|issuer-name|database/);
  });

  test('"Configuring Autoenrollment Example": "rsa-key trustpt1 2048" is read as rsakeypair; the certificate chain block is taken', async () => {
    const h = await harness({ privileged: true });
    const lines = section('Configuring Autoenrollment Example');
    expect(lines).toContain(' rsa-key trustpt1 2048');
    const out = await h.run(['configure terminal', ...lines, 'end'].join('\n'));
    expect(errors(out)).toEqual([]);
    expect(out).toContain('% "rsa-key" is read as "rsakeypair".');
    const t = h.app.runningText();
    expect(t).toMatch(/crypto pki trustpoint trustpt1\n(?: .*\n)* rsakeypair trustpt1 2048\n/);
    expect(t).toMatch(/crypto pki trustpoint trustpt1\n(?: .*\n)* auto-enroll regenerate\n/);
    expect(h.app.running.chains.get('trustpt1')?.certificates.map((c) => c.serial)).toEqual(['0B']);
  });

  test('the guide\'s step examples "rsa keypair key-label 2048 2048" and "ip address 192.168.1.66"; abbreviations of the real commands still work', async () => {
    const h = await harness({ privileged: true });
    const out = await h.run(['configure terminal', 'crypto pki trustpoint mytp', ' rsa keypair key-label 2048 2048', ' ip address 192.168.1.66', ' exit', 'end'].join('\n'));
    expect(errors(out)).toEqual([]);
    const tp = h.app.running.trustpoints.get('mytp')!;
    expect(tp.rsaKeypair).toEqual({ label: 'key-label', size: 2048, encryptionSize: 2048 });
    expect(tp.ipAddress).toEqual({ kind: 'address', value: '192.168.1.66' });
    // "rsa" and "ip" still abbreviate rsakeypair and ip-address; the aliases are never guessed
    const abbrev = await h.run(['configure terminal', 'crypto pki trustpoint mytp', ' rsa lab1 1024', ' ip none', ' exit', 'end'].join('\n'));
    expect(errors(abbrev)).toEqual([]);
    expect(h.app.running.trustpoints.get('mytp')!.rsaKeypair).toEqual({ label: 'lab1', size: 1024 });
    expect(h.app.running.trustpoints.get('mytp')!.ipAddress).toEqual({ kind: 'none' });
    // hidden spellings are not offered by "?" and need to be spelled out
    const help = await h.run('configure terminal\ncrypto pki trustpoint mytp\n ?\n exit\nend');
    expect(help).toContain('rsakeypair');
    expect(help).not.toMatch(/rsa-key|rsa keypair|ip address/);
    expect(errors(await h.run('configure terminal\ncrypto pki trustpoint mytp\n rsa-k lab2\n exit\nend'))).toEqual(["% Invalid input detected at '^' marker."]);
  });
});

describe('a running-config from a real IOS XE router, pasted', () => {
  // what `show running-config` of a Catalyst/ISR prints around its PKI (SLA-TrustPoint is on every
  // IOS XE box), plus the trustpoint sub-commands that do not apply in a browser
  const RUNNING = `crypto pki trustpoint SLA-TrustPoint
 enrollment pkcs12
 revocation-check crl
!
crypto pki trustpoint CA-SERVER
 enrollment url http://10.1.1.1:80
 serial-number none
 ip-address none
 subject-name CN=router1.example.com
 revocation-check crl none
 source interface GigabitEthernet0/0
 hash sha256
 chain-validation continue SLA-TrustPoint
 crl cache delete-after 60
 match certificate MAP1 skip revocation-check
 authorization username subjectname commonname
 crl query http://10.1.1.1/crl
 rsakeypair CA-SERVER 2048
!
crypto pki certificate map MAP1 10
 subject-name co cisco
 issuer-name co example
!
crypto pki trustpool policy
 revocation-check none
 cabundle url http://www.cisco.com/security/pki/trs/ios_core.p7b
!`;

  test('every line is taken: kept settings come back in show running-config, ignored blocks say so once', async () => {
    const h = await harness({ privileged: true });
    const out = await h.run(['configure terminal', RUNNING, 'end'].join('\n'));
    expect(errors(out)).toEqual([]);
    expect(out).toContain('% Note: "source interface" does not apply in a browser');
    expect(out).toContain('% Note: certificate maps (crypto pki certificate map MAP1) are not available');
    expect(out).toContain('% Note: the trustpool (crypto pki trustpool) is not available');
    const t = h.app.runningText();
    expect(t).toContain('crypto pki trustpoint SLA-TrustPoint\n enrollment pkcs12\n revocation-check crl\n');
    for (const l of ['source interface GigabitEthernet0/0', 'hash sha256', 'chain-validation continue SLA-TrustPoint', 'crl cache delete-after 60', 'match certificate MAP1 skip revocation-check', 'authorization username subjectname commonname', 'crl query http://10.1.1.1/crl'])
      expect(t).toContain(`\n ${l}\n`);
    expect(t).not.toMatch(/certificate map|trustpool|cabundle/);
    // written back and read again: the same text (NVRAM round trip)
    const again = await harness({ privileged: true });
    expect(t.trimEnd().endsWith('\nend')).toBe(true); // the text closes configuration mode itself
    expect(errors(await again.run(['configure terminal', t].join('\n')))).toEqual([]);
    expect(again.app.runningText()).toBe(t);
    // "no" removes a kept setting; a new value replaces the old; they do not take part in abbreviations
    await h.run('configure terminal\ncrypto pki trustpoint CA-SERVER\n no hash\n source interface Gi0/1\n end');
    expect(errors(await h.run('configure terminal\ncrypto pki trustpoint CA-SERVER\n au 90\n end'))).toEqual([]);
    expect(h.app.running.trustpoints.get('CA-SERVER')!.autoEnroll).toEqual({ percent: 90, regenerate: false });
    expect(h.app.runningText()).not.toContain(' hash sha256');
    expect(h.app.runningText()).toContain(' source interface Gi0/1\n');
  });

  test('the GUI editor keeps the settings it has no field for: saving an unchanged trustpoint changes nothing', async () => {
    const { planTrustpoint, trustpointFields } = await import('../../../src/app/services.ts');
    const h = await harness({ privileged: true });
    await h.run(['configure terminal', RUNNING, 'end'].join('\n'));
    const plan = await planTrustpoint(h.app, trustpointFields(h.app, 'CA-SERVER'), 'CA-SERVER');
    expect(plan.ok).toBe(true);
    expect(plan.commands).toEqual(['configure terminal', 'crypto pki trustpoint CA-SERVER', 'end']);
    expect(plan.preview).toContain(' source interface GigabitEthernet0/0');
    const sla = await planTrustpoint(h.app, trustpointFields(h.app, 'SLA-TrustPoint'), 'SLA-TrustPoint');
    expect(sla.commands).toEqual(['configure terminal', 'crypto pki trustpoint SLA-TrustPoint', 'end']);
  });

  test('enrollment pkcs12: enroll and authenticate say how such a trustpoint gets its identity; auto-enroll does not try', async () => {
    const h = await harness({ privileged: true });
    await h.run(['configure terminal', 'crypto pki trustpoint SLA-TrustPoint', ' enrollment pkcs12', ' auto-enroll 80', ' exit', 'end'].join('\n'));
    const enroll = await h.run('configure terminal\ncrypto pki enroll SLA-TrustPoint\nend');
    expect(enroll).toContain('% Trustpoint SLA-TrustPoint is enrolled with a PKCS #12 file: use "crypto pki import SLA-TrustPoint pkcs12 URL password PASSWORD".');
    const auth = await h.run('configure terminal\ncrypto pki authenticate SLA-TrustPoint\nend');
    expect(auth).toContain('is enrolled with a PKCS #12 file, which brings its CA certificates');
    const { unattendedBlocker } = await import('../../../src/app/auto.ts');
    expect(unattendedBlocker(h.app.running, h.app.running.trustpoints.get('SLA-TrustPoint')!)).toBe('a PKCS #12 identity is imported by an operator');
    await h.run('configure terminal\ncrypto pki trustpoint SLA-TrustPoint\n no enrollment pkcs12\n end');
    expect(h.app.running.trustpoints.get('SLA-TrustPoint')!.enrollment).toBeUndefined();
  });
});
