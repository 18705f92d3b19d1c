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

/**
 * The CA of `ensureBigCrl(dir, n)` as DER and a certificate it issued that is not on the CRL
 * (for the end-to-end revocation check); made once beside the CRL.
 */
export function ensureBigCrlChain(dir: string, n: number): { ca: string; leaf: string } | undefined {
  if (!ensureBigCrl(dir, n)) return undefined;
  const work = `${dir}/crl-${n}`;
  const ca = `${work}/ca.der`;
  const leaf = `${work}/leaf.der`;
  if (existsSync(ca) && existsSync(leaf)) return { ca, leaf };
  const run = (args: string[]) => execFileSync('openssl', args, { cwd: work, stdio: ['ignore', 'ignore', 'inherit'] });
  writeFileSync(`${work}/leaf.ext`, 'basicConstraints = critical, CA:FALSE\nkeyUsage = critical, digitalSignature\n');
  run(['req', '-new', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'leaf.key', '-out', 'leaf.csr', '-subj', '/CN=bench leaf']);
  run(['x509', '-req', '-in', 'leaf.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-set_serial', '0x0FEDCBA987654321', '-days', '3650', '-extfile', 'leaf.ext', '-outform', 'DER', '-out', 'leaf.der']);
  run(['x509', '-in', 'ca.pem', '-outform', 'DER', '-out', 'ca.der']);
  return { ca, leaf };
}
