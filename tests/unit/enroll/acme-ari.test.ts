/**
 * ACME Renewal Information (RFC 9773): the certificate identifier — the RFC's own example, and
 * from a certificate OpenSSL made with a chosen serial and authority key identifier — and the
 * renewalInfo window.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { certIdFrom, certIdOf, parseRenewalInfo } from '../../../src/enroll/acme/ari.ts';

const hex = (h: string) => new Uint8Array(Buffer.from(h.replace(/:/g, ''), 'hex'));

test('RFC 9773 §4.1 example', () => {
  expect(certIdFrom(hex('69:88:5B:6B:87:46:40:41:E1:B3:7B:84:7B:A0:AE:2C:DE:01:C8:D4'), hex('00:87:65:43:21'))).toBe('aYhba4dGQEHhs3uEe6CuLN4ByNQ.AIdlQyE');
});

test('from a certificate: the serial with its DER sign octet, the issuer key identifier', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tp-ari-'));
  try {
    const run = (args: string[]) => {
      const r = spawnSync('openssl', args, { cwd: dir, encoding: 'utf8' });
      expect(r.status, r.stderr).toBe(0);
      return r.stdout;
    };
    run(['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', 'ca.key', '-out', 'ca.pem', '-subj', '/CN=ARI CA', '-addext', 'subjectKeyIdentifier=69885B6B87464041E1B37B847BA0AE2CDE01C8D4', '-addext', 'basicConstraints=critical,CA:TRUE']);
    run(['req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', 'l.key', '-out', 'l.csr', '-subj', '/CN=leaf']);
    writeFileSync(join(dir, 'ext'), 'authorityKeyIdentifier=keyid\n');
    run(['x509', '-req', '-in', 'l.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-set_serial', '0x87654321', '-extfile', 'ext', '-outform', 'DER', '-out', 'l.der']);
    expect(certIdOf(new Uint8Array(readFileSync(join(dir, 'l.der'))))).toBe('aYhba4dGQEHhs3uEe6CuLN4ByNQ.AIdlQyE');
    // without an AKI there is no identifier
    run(['x509', '-req', '-in', 'l.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-set_serial', '5', '-extfile', '/dev/null', '-outform', 'DER', '-out', 'n.der']);
    expect(() => certIdOf(new Uint8Array(readFileSync(join(dir, 'n.der'))))).toThrow(/no authority key identifier/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('renewalInfo windows', () => {
  expect(parseRenewalInfo({ suggestedWindow: { start: '2027-01-02T04:00:00Z', end: '2027-01-03T04:00:00Z' }, explanationURL: 'https://acme.example/why' })).toEqual({
    start: new Date('2027-01-02T04:00:00Z'),
    end: new Date('2027-01-03T04:00:00Z'),
    explanationURL: 'https://acme.example/why',
  });
  expect(parseRenewalInfo({ suggestedWindow: { start: '2027-01-03T04:00:00Z', end: '2027-01-02T04:00:00Z' } })).toBeUndefined();
  expect(parseRenewalInfo({ suggestedWindow: { start: 'soon' } })).toBeUndefined();
  expect(parseRenewalInfo(null)).toBeUndefined();
});
