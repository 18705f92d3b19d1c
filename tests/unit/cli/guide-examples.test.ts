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
