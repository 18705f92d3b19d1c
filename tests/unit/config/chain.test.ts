/**
 * `crypto pki certificate chain` blocks: the guide's own example (a real DER certificate in
 * IOS hex, read from ../shared/seed) is parsed, kept and printed back; OpenSSL confirms what
 * we read; damaged blocks are refused without storing anything.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { readConfig } from '../../../src/config/reader.ts';
import { writeConfig } from '../../../src/config/writer.ts';
import { summarizeCertificate } from '../../../src/pki/x509.ts';
import { fromHex, toHex } from '../../../src/util/hex.ts';
import { IOS_GUIDE } from '../../shared.ts';

const GUIDE = IOS_GUIDE;
const guide = readFileSync(GUIDE, 'utf8');

/** The "Configuring Autoenrollment Example" configuration, verbatim from the guide. */
function guideExample(): string {
  const start = guide.indexOf('crypto pki trustpoint trustpt1\n enrollment url http://trustpt1.example.com//');
  const end = guide.indexOf('quit', start) + 4;
  expect(start).toBeGreaterThan(0);
  return guide.slice(start, end);
}

function guideHex(): string {
  const block = guideExample();
  return block.slice(block.indexOf('30820293'), block.lastIndexOf('quit'));
}

describe('the guide certificate', () => {
  test('is a complete DER certificate with serial 0B, as OpenSSL reads it', () => {
    const der = fromHex(guideHex());
    expect(der.length).toBe(0x297);
    const s = summarizeCertificate(der);
    expect(s.serial).toBe('0B');
    expect(s.isCA).toBe(false);
    expect(s.signatureAlgorithm).toBe('1.2.840.113549.1.1.4'); // md5WithRSAEncryption
    expect(s.subject.map((a) => `${a.short}=${a.value}`)).toEqual(['O=Cisco', 'hostname=pki-45b.cisco.com']);
    const ossl = execFileSync('openssl', ['x509', '-inform', 'DER', '-noout', '-serial', '-subject', '-nameopt', 'RFC2253'], { input: der }).toString();
    expect(ossl).toContain('serial=0B');
    expect(ossl).toContain('O=Cisco');
  });

  test('the guide example config loads: the chain is kept, and the guide\'s "rsa-key" line is read as rsakeypair', async () => {
    const { config, errors } = await readConfig(guideExample());
    // "rsa-key trustpt1 2048" is not an IOS command, but the guide means rsakeypair: it is read so.
    expect(errors).toEqual([]);
    expect(config.trustpoints.get('trustpt1')?.rsaKeypair).toEqual({ label: 'trustpt1', size: 2048 });
    const chain = config.chains.get('trustpt1');
    expect(chain?.certificates).toHaveLength(1);
    expect(chain!.certificates[0]!.serial).toBe('0B');
    expect(toHex(chain!.certificates[0]!.der)).toBe(guideHex().replace(/\s+/g, ''));
    expect(config.trustpoints.get('trustpt1')?.ipAddress).toEqual({ kind: 'interface', name: 'ethernet-0' });
  });

  test('printed back as IOS hex, 8 words a line, and read again identically', async () => {
    const { config } = await readConfig(guideExample());
    const text = writeConfig(config);
    expect(text).toContain('crypto pki certificate chain trustpt1\n certificate 0B\n  30820293 3082023D A0030201 0202010B 300D0609 2A864886 F70D0101 04050030\n');
    expect(text).toContain('  0A25550A 25910E27 8B8B428E 32F8D948 3DD1784F 954C70\n  \tquit\n');
    const again = await readConfig(text);
    expect(again.errors).toEqual([]);
    expect(writeConfig(again.config)).toBe(text);
  });
});

describe('damaged chains are refused and nothing is stored', () => {
  const head = 'crypto pki trustpoint T\ncrypto pki certificate chain T\n certificate ca 0B\n';
  const lines = () => guideHex().trim().split('\n').map((l) => '  ' + l.trim());
  const cases: { name: string; body: string; error: RegExp }[] = [
    { name: 'truncated', body: lines().slice(0, -1).join('\n'), error: /Certificate 0B not stored: .*(malformed|bytes after|not an X\.509|decoding)/i },
    { name: 'odd digit count', body: lines().join('\n') + ' A', error: /odd number of hex digits/ },
    { name: 'trailing garbage bytes', body: lines().join('\n') + ' 0000', error: /2 bytes after the certificate/ },
    { name: 'not hex', body: lines().slice(0, 3).join('\n') + '\n  MIIBhTCB7wIBADAl', error: /only hexadecimal digits/ },
    { name: 'serial mismatch', body: lines().join('\n'), error: /serial number is 0B, not 0C/ },
  ];
  for (const c of cases)
    test(c.name, async () => {
      const text = (c.name === 'serial mismatch' ? head.replace('0B', '0C') : head) + c.body + '\n  quit\n';
      const { config, errors } = await readConfig(text);
      expect(errors.length).toBeGreaterThan(0);
      expect(errors.map((e) => e.message).join('\n')).toMatch(c.error);
      expect(config.chains.get('T')?.certificates ?? []).toHaveLength(0);
    });

  test('a block without quit is discarded', async () => {
    const { config, errors } = await readConfig(head + lines().join('\n') + '\n');
    expect(errors.at(-1)?.message).toMatch(/not terminated with "quit"/);
    expect(config.chains.get('T')?.certificates).toHaveLength(0);
  });

  test('a chain for an unknown trustpoint is refused', async () => {
    const { errors } = await readConfig('crypto pki certificate chain NOPE\n');
    expect(errors[0]?.message).toMatch(/Trustpoint "NOPE" does not exist/);
  });
});
