/**
 * Makes (once, cached under bench/tmp) a DER CRL with `n` revoked entries, signed by a
 * throwaway CA, with OpenSSL's `ca -gencrl`: 16-byte serials and a reason code per entry,
 * which gives the ≈ 4.9 MB for 100,000 entries a large real CRL has.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';

export function ensureBigCrl(dir: string, n: number): string | undefined {
  const der = `${dir}/crl-${n}.der`;
  if (existsSync(der)) return der;
  const work = `${dir}/crl-${n}`;
  mkdirSync(work, { recursive: true });
  const run = (args: string[]) => execFileSync('openssl', args, { cwd: work, stdio: ['ignore', 'ignore', 'inherit'] });
  run(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.pem', '-subj', '/CN=Bench CRL CA', '-days', '3650']);
  const lines: string[] = [];
  const seen = new Set<string>();
  while (lines.length < n) {
    const b = randomBytes(16);
    b[0]! &= 0x7f;
    b[0]! |= 0x10;
    const serial = b.toString('hex').toUpperCase();
    if (seen.has(serial)) continue;
    seen.add(serial);
    lines.push(`R\t301231000000Z\t260101000000Z,keyCompromise\t${serial}\tunknown\t/CN=revoked-${lines.length}`);
  }
  writeFileSync(`${work}/index.txt`, lines.join('\n') + '\n');
  writeFileSync(`${work}/crlnumber`, '1000\n');
  writeFileSync(
    `${work}/openssl.cnf`,
    `[ca]\ndefault_ca = CA_default\n[CA_default]\ndatabase = index.txt\ncrlnumber = crlnumber\ndefault_md = sha256\ndefault_crl_days = 30\nunique_subject = no\n`,
  );
  run(['ca', '-batch', '-gencrl', '-config', 'openssl.cnf', '-keyfile', 'ca.key', '-cert', 'ca.pem', '-out', 'crl.pem']);
  run(['crl', '-in', 'crl.pem', '-outform', 'DER', '-out', '../' + `crl-${n}.der`]);
  return der;
}
