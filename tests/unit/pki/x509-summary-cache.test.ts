/**
 * Issue 12, defect 8 (views): a certificate with 9,000 subjectAltNames took 1.4–2.1 s to
 * summarize and the Certificates view did it on every render. Summaries are now computed once
 * per certificate and shared (frozen); a changed array is summarized again (1,000 names here:
 * identity, not time, is what is checked).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { summarizeCertificate } from '../../../src/pki/x509.ts';
import { chainEntries } from '../../../src/app/certs.ts';
import { emptyConfig } from '../../../src/config/model.ts';

let dir: string;
let der: Uint8Array;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'tp-sans-'));
  const sans = Array.from({ length: 1000 }, (_, i) => `DNS.${i + 1} = host${i}.example.com`).join('\n');
  writeFileSync(join(dir, 'req.cnf'), `[req]\ndistinguished_name=dn\nx509_extensions=v3\nprompt=no\n[dn]\nCN=many\n[v3]\nbasicConstraints=critical,CA:TRUE\nsubjectAltName=@alt\n[alt]\n${sans}\n`);
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', 'k.pem', '-config', 'req.cnf', '-days', '2', '-outform', 'DER', '-out', 'c.der'], { cwd: dir, stdio: 'ignore' });
  der = new Uint8Array(readFileSync(join(dir, 'c.der')));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('certificate summaries are computed once', () => {
  it('the same certificate gives the same (frozen) summary object; a changed array is summarized again', () => {
    const a = summarizeCertificate(der);
    expect(a.subjectAltNames).toHaveLength(1000);
    expect(summarizeCertificate(der)).toBe(a);
    expect(Object.isFrozen(a)).toBe(true);
    expect(Object.isFrozen(a.subjectAltNames[0])).toBe(true);
    // what the Certificates view calls on each render
    const cfg = emptyConfig();
    cfg.chains.set('T', { name: 'T', certificates: [{ kind: 'ca', serial: a.serial, der }] } as never);
    const first = chainEntries(cfg, 'T');
    const again = chainEntries(cfg, 'T');
    expect(again[0]!.summary).toBe(first[0]!.summary);
    // another array with the same bytes, and the same array after a change
    const copy = der.slice();
    expect(summarizeCertificate(copy)).toEqual(a);
    const i = der.length - 5; // inside the signature: still parses, different certificate bytes
    copy[i] = copy[i]! ^ 1;
    expect(summarizeCertificate(copy)).not.toBe(a);
  });
});

describe('certificate size limit', () => {
  it('a certificate over X509_MAX_BYTES is refused before it is parsed, with the reason', async () => {
    const { X509_MAX_BYTES } = await import('../../../src/pki/x509.ts');
    const big = new Uint8Array(X509_MAX_BYTES + 1);
    big[0] = 0x30;
    expect(() => summarizeCertificate(big)).toThrow(`x509.parse: the certificate is ${X509_MAX_BYTES + 1} bytes, more than the ${X509_MAX_BYTES} accepted`);
    expect(der.length).toBeLessThan(X509_MAX_BYTES);
  });
});
