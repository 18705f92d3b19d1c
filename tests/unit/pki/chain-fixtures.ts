/**
 * Test fixtures for the chain validator, made at test time:
 *
 * - `OpenSslPki`: keys, certificates and CRLs made by the `openssl` CLI (`openssl ca` for full
 *   control over validity dates, serial numbers and extensions), plus `openssl verify` as the
 *   independent oracle;
 * - `der` / `signTbs`: a tiny DER writer and node:crypto signing, for certificates OpenSSL
 *   refuses to make (empty issuer, duplicate extensions, broken encodings).
 *
 * Nothing here is committed as binary; every run makes fresh material in a temp directory.
 */
import { execFileSync } from 'node:child_process';
import { createPrivateKey, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export type KeyAlg = 'ec' | 'ec384' | 'ec521' | 'rsa' | 'rsa-pss' | 'ed25519';

/** An `openssl ca` certificate request. */
export interface CertSpec {
  /** file stem; also the default key name */
  name: string;
  /** `/CN=x/O=y` (openssl -subj syntax) */
  subject: string;
  /** name of the issuing certificate; absent = self-signed */
  issuer?: string;
  /** key file stem to use (default: `name`), created with `keyAlg` if missing */
  key?: string;
  keyAlg?: KeyAlg;
  /** extension lines (openssl x509v3_config syntax) */
  ext?: string[];
  /** YYYYMMDDHHMMSSZ or YYMMDDHHMMSSZ (default 20000101000000Z) */
  start?: string;
  /** default 20491231235959Z */
  end?: string;
  /** hex serial (default random) */
  serial?: string;
  /** digest (default sha256) */
  md?: string;
  /** -sigopt values, e.g. ['rsa_padding_mode:pss', 'rsa_pss_saltlen:32'] */
  sigopt?: string[];
}

/** A revoked entry of a CRL made by `OpenSslPki.crl`. */
export interface RevokedSpec {
  serial: string;
  /** YYMMDDHHMMSSZ (default 230101000000Z) */
  date?: string;
  reason?: string;
}

const run = (args: string[], opts: { input?: string } = {}): string =>
  execFileSync('openssl', args, { stdio: ['pipe', 'pipe', 'pipe'], input: opts.input ?? '', maxBuffer: 1 << 28 }).toString();

/** A throwaway PKI in a temp directory, driven by the openssl CLI. */
export class OpenSslPki {
  readonly dir = mkdtempSync(join(tmpdir(), 'tp-chain-'));
  private serialCounter = 0x1000;
  /** certificate name → its private key file */
  private readonly keys = new Map<string, string>();

  path(stem: string, ext = 'pem'): string {
    return join(this.dir, `${stem}.${ext}`);
  }

  /** The private key file of certificate `name`. */
  keyOf(name: string): string {
    const k = this.keys.get(name);
    if (!k) throw new Error(`no certificate ${name}`);
    return k;
  }

  /** Makes (once) and returns the private key file of `stem`. */
  key(stem: string, alg: KeyAlg = 'ec'): string {
    const file = this.path(`key-${stem}`, 'pem');
    if (existsSync(file)) return file;
    const args =
      alg === 'rsa'
        ? ['genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048']
        : alg === 'rsa-pss'
          ? ['genpkey', '-algorithm', 'RSA-PSS', '-pkeyopt', 'rsa_keygen_bits:2048']
          : alg === 'ed25519'
            ? ['genpkey', '-algorithm', 'ED25519']
            : ['genpkey', '-algorithm', 'EC', '-pkeyopt', `ec_paramgen_curve:${alg === 'ec384' ? 'P-384' : alg === 'ec521' ? 'P-521' : 'P-256'}`];
    run([...args, '-out', file]);
    return file;
  }

  /** Issues a certificate with `openssl ca`; returns its DER. */
  cert(spec: CertSpec): Uint8Array {
    const keyStem = spec.key ?? spec.name;
    const keyFile = this.key(keyStem, spec.keyAlg);
    const csr = this.path(`${spec.name}.csr`);
    run(['req', '-new', '-key', keyFile, '-subj', spec.subject, '-out', csr, '-config', this.minimalConfig()]);
    const db = join(this.dir, `db-${spec.name}`);
    rmSync(db, { recursive: true, force: true });
    execFileSync('mkdir', ['-p', db]);
    writeFileSync(join(db, 'index.txt'), '');
    writeFileSync(join(db, 'serial'), `${spec.serial ?? (this.serialCounter++).toString(16).padStart(4, '0')}\n`);
    const cnf = join(db, 'ca.cnf');
    writeFileSync(
      cnf,
      [
        '[ ca ]',
        'default_ca = d',
        '[ d ]',
        `dir = ${db}`,
        `database = ${join(db, 'index.txt')}`,
        `serial = ${join(db, 'serial')}`,
        `new_certs_dir = ${db}`,
        'policy = pol',
        'unique_subject = no',
        'email_in_dn = yes',
        '[ pol ]',
        'commonName = optional',
        '[ x ]',
        ...(spec.ext ?? []),
        '',
      ].join('\n'),
    );
    const out = this.path(spec.name);
    const args = ['ca', '-batch', '-config', cnf, '-in', csr, '-out', out, '-notext', '-preserveDN', '-extensions', 'x', '-extfile', cnf];
    args.push('-startdate', spec.start ?? '20000101000000Z', '-enddate', spec.end ?? '20491231235959Z');
    const md = spec.md ?? 'sha256';
    if (md !== 'none') args.push('-md', md);
    for (const o of spec.sigopt ?? []) args.push('-sigopt', o);
    if (spec.issuer) {
      const issuerKey = this.keys.get(spec.issuer);
      if (!issuerKey) throw new Error(`no certificate ${spec.issuer} to issue from`);
      args.push('-cert', this.path(spec.issuer), '-keyfile', issuerKey);
    } else args.push('-selfsign', '-keyfile', keyFile);
    run(args);
    this.keys.set(spec.name, keyFile);
    return this.der(spec.name);
  }

  /** DER of the certificate `stem` (from its PEM file). */
  der(stem: string): Uint8Array {
    const pem = readFileSync(this.path(stem), 'utf8');
    const m = /-----BEGIN CERTIFICATE-----([\s\S]*?)-----END CERTIFICATE-----/.exec(pem);
    if (!m) throw new Error(`${stem}: no certificate in ${this.path(stem)}`);
    return new Uint8Array(Buffer.from(m[1]!.replace(/\s+/g, ''), 'base64'));
  }

  /** A CRL signed by `issuer` (made with `openssl ca -gencrl`); returns DER. */
  crl(issuer: string, revoked: RevokedSpec[], opts: { ext?: string[]; crlNumber?: boolean; lastUpdate?: string; nextUpdate?: string; name?: string } = {}): Uint8Array {
    const db = join(this.dir, `crl-${opts.name ?? issuer}`);
    rmSync(db, { recursive: true, force: true });
    execFileSync('mkdir', ['-p', db]);
    writeFileSync(
      join(db, 'index.txt'),
      revoked.map((r, i) => `R\t491231235959Z\t${r.date ?? '230101000000Z'}${r.reason ? `,${r.reason}` : ''}\t${r.serial.toUpperCase()}\tunknown\t/CN=revoked ${i}\n`).join(''),
    );
    const cnf = [
      '[ ca ]',
      'default_ca = d',
      '[ d ]',
      `database = ${join(db, 'index.txt')}`,
      'default_md = sha256',
      'default_crl_days = 30',
    ];
    if (opts.crlNumber !== false) {
      cnf.push(`crlnumber = ${join(db, 'crlnumber')}`);
      writeFileSync(join(db, 'crlnumber'), '1000\n');
    }
    cnf.push('[ crlext ]', ...(opts.ext ?? []), '');
    writeFileSync(join(db, 'ca.cnf'), cnf.join('\n'));
    const out = join(db, 'crl.pem');
    const issuerKey = this.keys.get(issuer);
    if (!issuerKey) throw new Error(`no certificate ${issuer} to sign a CRL with`);
    const args = ['ca', '-gencrl', '-config', join(db, 'ca.cnf'), '-keyfile', issuerKey, '-cert', this.path(issuer), '-out', out];
    if (opts.ext?.length) args.push('-crlexts', 'crlext');
    if (opts.lastUpdate) args.push('-crl_lastupdate', opts.lastUpdate);
    if (opts.nextUpdate) args.push('-crl_nextupdate', opts.nextUpdate);
    run(args);
    const derFile = join(db, 'crl.der');
    run(['crl', '-in', out, '-outform', 'DER', '-out', derFile]);
    writeFileSync(this.path(`crl-${opts.name ?? issuer}`), readFileSync(out));
    return new Uint8Array(readFileSync(derFile));
  }

  /**
   * `openssl verify` of `leaf` against trusted `anchors` with `untrusted` intermediates; true if
   * OpenSSL accepts. `extra` adds flags (-attime, -purpose, -crl_check, ...).
   */
  opensslVerify(leaf: string, anchors: string[], untrusted: string[], extra: string[] = []): boolean {
    const bundle = (names: string[], file: string) => {
      writeFileSync(file, names.map((n) => readFileSync(this.path(n), 'utf8')).join(''));
      return file;
    };
    const args = ['verify', '-CAfile', bundle(anchors, join(this.dir, 'anchors.pem'))];
    if (untrusted.length) args.push('-untrusted', bundle(untrusted, join(this.dir, 'untrusted.pem')));
    args.push(...extra, this.path(leaf));
    try {
      run(args);
      return true;
    } catch {
      return false;
    }
  }

  private minimalConfig(): string {
    const f = join(this.dir, 'req.cnf');
    if (!existsSync(f)) writeFileSync(f, '[ req ]\ndistinguished_name = dn\n[ dn ]\n');
    return f;
  }

  cleanup(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** PEM armour for DER (64-character lines). */
export function toPem(der: Uint8Array, label = 'CERTIFICATE'): string {
  const b64 = Buffer.from(der).toString('base64');
  const lines = b64.match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`;
}

// ---- a tiny DER writer for hand-made certificates ----

const len = (n: number): number[] => (n < 0x80 ? [n] : n < 0x100 ? [0x81, n] : n < 0x10000 ? [0x82, n >> 8, n & 0xff] : [0x83, n >> 16, (n >> 8) & 0xff, n & 0xff]);

/** DER building blocks (each returns the whole TLV). */
export const der = {
  tlv(tag: number, ...parts: Uint8Array[]): Uint8Array {
    const body = Buffer.concat(parts);
    return Uint8Array.from([tag, ...len(body.length), ...body]);
  },
  seq: (...parts: Uint8Array[]) => der.tlv(0x30, ...parts),
  set: (...parts: Uint8Array[]) => der.tlv(0x31, ...parts),
  int(v: number | Uint8Array): Uint8Array {
    if (v instanceof Uint8Array) return der.tlv(0x02, v);
    const bytes: number[] = [];
    let x = v;
    do {
      bytes.unshift(x & 0xff);
      x = Math.floor(x / 256);
    } while (x > 0);
    if (bytes[0]! & 0x80) bytes.unshift(0);
    return der.tlv(0x02, Uint8Array.from(bytes));
  },
  oid(dotted: string): Uint8Array {
    const arcs = dotted.split('.').map((a) => BigInt(a));
    const out: number[] = [];
    for (const a of [arcs[0]! * 40n + arcs[1]!, ...arcs.slice(2)]) {
      const b: number[] = [Number(a & 0x7fn)];
      for (let x = a >> 7n; x > 0n; x >>= 7n) b.unshift(Number(x & 0x7fn) | 0x80);
      out.push(...b);
    }
    return der.tlv(0x06, Uint8Array.from(out));
  },
  utf8: (s: string) => der.tlv(0x0c, new TextEncoder().encode(s)),
  printable: (s: string) => der.tlv(0x13, new TextEncoder().encode(s)),
  ia5: (s: string) => der.tlv(0x16, new TextEncoder().encode(s)),
  octets: (b: Uint8Array) => der.tlv(0x04, b),
  bits: (b: Uint8Array, unused = 0) => der.tlv(0x03, Uint8Array.of(unused), b),
  bool: (v: boolean) => der.tlv(0x01, Uint8Array.of(v ? 0xff : 0)),
  utcTime: (s: string) => der.tlv(0x17, new TextEncoder().encode(s)),
  genTime: (s: string) => der.tlv(0x18, new TextEncoder().encode(s)),
  ctx: (n: number, constructed: boolean, ...parts: Uint8Array[]) => der.tlv((constructed ? 0xa0 : 0x80) | n, ...parts),
  /** A Name from [oid, value] pairs, one RDN each (UTF8String values). */
  name: (...attrs: [string, string][]) => der.seq(...attrs.map(([o, v]) => der.set(der.seq(der.oid(o), der.utf8(v))))),
  ext: (oid: string, critical: boolean, value: Uint8Array) => der.seq(der.oid(oid), ...(critical ? [der.bool(true)] : []), der.octets(value)),
};

export const OID = {
  CN: '2.5.4.3',
  ecdsaWithSHA256: '1.2.840.10045.4.3.2',
  ecPublicKey: '1.2.840.10045.2.1',
  p256: '1.2.840.10045.3.1.7',
};

/** A P-256 key pair for hand-made certificates: the private KeyObject and the SPKI DER. */
export function p256(): { key: KeyObject; spki: Uint8Array } {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return { key: privateKey, spki: new Uint8Array(publicKey.export({ type: 'spki', format: 'der' })) };
}

/** Loads a PEM private key made by OpenSslPki. */
export const loadKey = (file: string): KeyObject => createPrivateKey(readFileSync(file));

/** The fields of a hand-made TBSCertificate (raw DER pieces; sensible defaults). */
export interface TbsSpec {
  version?: Uint8Array | null;
  serial?: Uint8Array;
  sigAlg?: Uint8Array;
  issuer: Uint8Array;
  notBefore?: Uint8Array;
  notAfter?: Uint8Array;
  subject: Uint8Array;
  spki: Uint8Array;
  extensions?: Uint8Array[];
}

/** Signing options of `handMadeCert`. */
export interface SignSpec {
  /** node:crypto digest name (default sha256) */
  hash?: string;
  /** signature AlgorithmIdentifier OID (default ecdsa-with-SHA256) */
  sigAlgOid?: string;
  /** a different outer signatureAlgorithm (DER) */
  outerSigAlg?: Uint8Array;
}

/** Builds and signs (ECDSA, SHA-256 unless told otherwise) a certificate from a TbsSpec. */
export function handMadeCert(spec: TbsSpec, signer: KeyObject, opts: SignSpec = {}): Uint8Array {
  const alg = der.seq(der.oid(opts.sigAlgOid ?? OID.ecdsaWithSHA256));
  const tbs = der.seq(
    ...(spec.version === null ? [] : [spec.version ?? der.ctx(0, true, der.int(2))]),
    spec.serial ?? der.int(0x1234),
    spec.sigAlg ?? alg,
    spec.issuer,
    der.seq(spec.notBefore ?? der.utcTime('000101000000Z'), spec.notAfter ?? der.utcTime('491231235959Z')),
    spec.subject,
    spec.spki,
    ...(spec.extensions ? [der.ctx(3, true, der.seq(...spec.extensions))] : []),
  );
  const sig = new Uint8Array(sign(opts.hash ?? 'sha256', tbs, signer));
  return der.seq(tbs, opts.outerSigAlg ?? alg, der.bits(sig));
}

/** Bytes of a SubjectKeyIdentifier-style key id (first 20 bytes of the SPKI, good enough for tests). */
export const keyId = (spki: Uint8Array): Uint8Array => spki.slice(spki.length - 20);
