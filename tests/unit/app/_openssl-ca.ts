/**
 * OpenSSL as the CA operator in tests: makes CAs (root, intermediate, expired, ECDSA) and
 * signs pasted CSRs with `openssl x509 -req` (copying the requested extensions), in a temp dir.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface TestCa {
  dir: string;
  certPem: string;
  keyPath: string;
  certPath: string;
  /** Signs a PEM CSR; returns the certificate PEM. */
  sign(csrPem: string, opts?: { days?: number; ext?: string }): string;
  close(): void;
}

let counter = 0;

/** Runs openssl; returns stdout (and stderr when `withStderr`); throws with stderr on failure. */
export function openssl(args: string[], input?: string | Uint8Array, cwd?: string, withStderr = false): string {
  const r = spawnSync('openssl', args, { cwd, input, stdio: ['pipe', 'pipe', 'pipe'] });
  if (r.status !== 0) throw new Error(`openssl ${args.join(' ')} failed: ${r.stderr.toString()}`);
  return r.stdout.toString() + (withStderr ? r.stderr.toString() : '');
}


export function makeCa(opts: { subject?: string; key?: 'rsa' | 'ec'; days?: number; issuer?: TestCa; startDate?: string; endDate?: string } = {}): TestCa {
  const dir = mkdtempSync(join(tmpdir(), 'tp-ca-'));
  const key = join(dir, 'ca.key');
  const cert = join(dir, 'ca.pem');
  const subject = opts.subject ?? `/C=US/O=Example/CN=Test CA ${++counter}`;
  openssl(opts.key === 'ec' ? ['ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', key] : ['genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048', '-out', key]);
  const ext = 'basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\n';
  writeFileSync(join(dir, 'ca.ext'), ext);
  if (!opts.issuer && !opts.startDate) {
    openssl(['req', '-x509', '-new', '-key', key, '-out', cert, '-subj', subject, '-days', String(opts.days ?? 365), '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign']);
  } else {
    openssl(['req', '-new', '-key', key, '-out', join(dir, 'ca.csr'), '-subj', subject]);
    const issuerKey = opts.issuer?.keyPath ?? key;
    const issuerCert = opts.issuer?.certPath;
    if (opts.startDate) {
      // `openssl ca` is the tool that can set both dates.
      writeFileSync(join(dir, 'index.txt'), '');
      writeFileSync(join(dir, 'serial'), '01\n');
      writeFileSync(
        join(dir, 'ca.cnf'),
        `[ca]\ndefault_ca=d\n[d]\ndatabase=${join(dir, 'index.txt')}\nserial=${join(dir, 'serial')}\nnew_certs_dir=${dir}\ndefault_md=sha256\npolicy=p\nunique_subject=no\n[p]\ncommonName=supplied\n[v3]\n${ext}`,
      );
      openssl(['ca', '-batch', '-config', join(dir, 'ca.cnf'), '-extensions', 'v3', '-in', join(dir, 'ca.csr'), '-out', cert, '-startdate', opts.startDate, '-enddate', opts.endDate!, ...(issuerCert ? ['-cert', issuerCert, '-keyfile', issuerKey] : ['-selfsign', '-keyfile', key])]);
    } else {
      openssl(['x509', '-req', '-in', join(dir, 'ca.csr'), '-CA', issuerCert!, '-CAkey', issuerKey, '-CAcreateserial', '-out', cert, '-days', String(opts.days ?? 365), '-extfile', join(dir, 'ca.ext')]);
    }
  }
  const certPem = openssl(['x509', '-in', cert]);
  return {
    dir,
    certPem,
    keyPath: key,
    certPath: cert,
    sign(csrPem, o = {}) {
      const req = join(dir, `r${++counter}.csr`);
      writeFileSync(req, csrPem);
      const out = join(dir, `c${counter}.pem`);
      const args = ['x509', '-req', '-in', req, '-CA', cert, '-CAkey', key, '-CAcreateserial', '-out', out, '-days', String(o.days ?? 30), '-copy_extensions', 'copy'];
      if (o.ext) {
        writeFileSync(join(dir, `e${counter}.ext`), o.ext);
        args.push('-extfile', join(dir, `e${counter}.ext`));
      }
      openssl(args);
      return readFileSync(out, 'utf8');
    },
    close() {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The PEM request(s) a transcript shows ("Certificate Request follows:"). */
export function requestsIn(transcript: string): string[] {
  return [...transcript.matchAll(/-----BEGIN CERTIFICATE REQUEST-----[\s\S]*?-----END CERTIFICATE REQUEST-----/g)].map((m) => m[0] + '\n');
}
