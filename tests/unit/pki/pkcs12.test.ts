/**
 * PKCS#12 (RFC 7292) against OpenSSL 3 as the referee: files made by `openssl pkcs12 -export`
 * in every layout real tools write are read back to the exact key and certificate bytes;
 * files we write are read by `openssl pkcs12` and give back the same bytes; RFC 9579 App. A
 * vectors for PBMAC1; wrong passwords, corruption and truncation give specific errors.
 *
 * Runs against the debug core by default; `CORE_WASM=release` tests the shipped build.
 */
import { spawnSync } from 'node:child_process';
import { createHash, createPrivateKey, X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CoreApi } from '../../../src/core/api.ts';
import { decodeBase64, readPem, sniffDerKind } from '../../../src/pki/pem.ts';
import { keyCertificate, readPkcs12, writePkcs12, type Pkcs12Contents } from '../../../src/pki/pkcs12.ts';
import { concatBytes } from '../../../src/util/bytes.ts';
import { PkiError } from '../../../src/util/errors.ts';
import { loadCore } from '../_core.ts';
import { BER, DER, derChildren, type Tlv, readTlv } from '../../../src/pki/der.ts';

// ---------------------------------------------------------------------------------------------
// OpenSSL fixtures

let dir = '';
let core: CoreApi;
let counter = 0;
const LEGACY = ['-provider', 'legacy', '-provider', 'default'];

function ossl(args: string[], input?: string | Uint8Array): Buffer {
  const r = spawnSync('openssl', args, { cwd: dir, input });
  if (r.status !== 0) throw new Error(`openssl ${args.join(' ')} failed: ${r.stderr.toString()}`);
  return r.stdout;
}

/** `-info` goes to stderr. */
function osslInfo(args: string[]): string {
  const r = spawnSync('openssl', args, { cwd: dir });
  if (r.status !== 0) throw new Error(`openssl ${args.join(' ')} failed: ${r.stderr.toString()}`);
  return r.stderr.toString();
}

const sha1 = (b: Uint8Array): Uint8Array => new Uint8Array(createHash('sha1').update(b).digest());
const certDer = (name: string): Uint8Array => new Uint8Array(ossl(['x509', '-in', `${name}.pem`, '-outform', 'DER']));
/** PKCS#8 DER as OpenSSL writes it (`pkey -outform DER` would write the traditional form). */
const TOPK8 = ['pkcs8', '-topk8', '-nocrypt', '-outform', 'DER'];
const keyDer = (name: string): Uint8Array => new Uint8Array(ossl([...TOPK8, '-in', `${name}.key`]));

/** The fixtures: a root and an intermediate CA, RSA and EC end-entity keys and certificates. */
const fx = {} as {
  rsaKey: Uint8Array;
  ecKey: Uint8Array;
  rsaCert: Uint8Array;
  ecCert: Uint8Array;
  int: Uint8Array;
  root: Uint8Array;
};

function makeFixtures(): void {
  const ext = (ca: boolean) => (ca ? 'basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign\n' : 'basicConstraints=CA:FALSE\nkeyUsage=digitalSignature\n');
  writeFileSync(join(dir, 'ca.ext'), ext(true));
  writeFileSync(join(dir, 'ee.ext'), ext(false));
  ossl(['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', 'root.key']);
  ossl(['req', '-x509', '-new', '-key', 'root.key', '-subj', '/CN=Test Root', '-days', '30', '-out', 'root.pem', '-addext', 'basicConstraints=critical,CA:TRUE']);
  const issue = (name: string, subject: string, issuer: string, extFile: string): void => {
    ossl(['req', '-new', '-key', `${name}.key`, '-subj', subject, '-out', `${name}.csr`]);
    ossl(['x509', '-req', '-in', `${name}.csr`, '-CA', `${issuer}.pem`, '-CAkey', `${issuer}.key`, '-CAcreateserial', '-days', '30', '-extfile', extFile, '-out', `${name}.pem`]);
  };
  ossl(['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', 'int.key']);
  issue('int', '/CN=Test Intermediate', 'root', 'ca.ext');
  ossl(['genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048', '-out', 'rsa.key']);
  issue('rsa', '/CN=router-rsa.example.com', 'int', 'ee.ext');
  ossl(['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-384', '-out', 'ec.key']);
  issue('ec', '/CN=router-ec.example.com', 'int', 'ee.ext');
  writeFileSync(join(dir, 'chain.pem'), readFileSync(join(dir, 'int.pem'), 'utf8') + readFileSync(join(dir, 'root.pem'), 'utf8'));
  Object.assign(fx, { rsaKey: keyDer('rsa'), ecKey: keyDer('ec'), rsaCert: certDer('rsa'), ecCert: certDer('ec'), int: certDer('int'), root: certDer('root') });
}

/** `openssl pkcs12 -export` of a key and its certificate (and the chain). */
function exportP12(key: 'rsa' | 'ec', password: string, args: readonly string[], chain: boolean): Uint8Array {
  const out = `x${++counter}.p12`;
  const inputs = args.includes('-nokeys') ? ['-in', `${key}.pem`] : ['-inkey', `${key}.key`, '-in', `${key}.pem`];
  ossl(['pkcs12', '-export', ...inputs, ...(chain ? ['-certfile', 'chain.pem'] : []), '-passout', `pass:${password}`, '-out', out, ...args]);
  return new Uint8Array(readFileSync(join(dir, out)));
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tp-p12-'));
  makeFixtures();
  core = await loadCore();
}, 60_000);

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function rejectCode(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    if (e instanceof PkiError) return e.code;
    throw e;
  }
  return 'accepted';
}

// ---------------------------------------------------------------------------------------------
// Reading what OpenSSL writes

interface ReadCase {
  name: string;
  key: 'rsa' | 'ec';
  args: string[];
  /** the password given to OpenSSL; `read` (default: the same) is what we pass */
  password: string;
  read?: string | undefined;
  chain: boolean;
  mac: string | undefined;
  friendlyName?: string;
  noKey?: boolean;
  warning?: RegExp;
}

const PW = 'S3cret-pw';
const SHA256_2048 = 'HMAC-SHA-256 (PKCS#12 KDF, 2048 iterations)';
const SHA1_2048 = 'HMAC-SHA-1 (PKCS#12 KDF, 2048 iterations)';

const READ_CASES: ReadCase[] = [
  { name: 'OpenSSL 3 default (PBES2 AES-256-CBC, HMAC-SHA-256), RSA, chain of 3', key: 'rsa', args: ['-name', 'tp-rsa'], password: PW, chain: true, mac: SHA256_2048, friendlyName: 'tp-rsa' },
  { name: '-legacy (RC2-40 certificates, 3DES key, HMAC-SHA-1)', key: 'rsa', args: ['-legacy', ...LEGACY], password: PW, chain: true, mac: SHA1_2048 },
  {
    name: 'Windows style: -keypbe/-certpbe PBE-SHA1-3DES -macalg sha1',
    key: 'rsa',
    args: ['-keypbe', 'PBE-SHA1-3DES', '-certpbe', 'PBE-SHA1-3DES', '-macalg', 'sha1'],
    password: PW,
    chain: true,
    mac: SHA1_2048,
  },
  { name: '-certpbe NONE (certificates in plain data)', key: 'rsa', args: ['-certpbe', 'NONE'], password: PW, chain: true, mac: SHA256_2048 },
  { name: '-nomac (accepted with a warning)', key: 'rsa', args: ['-nomac'], password: PW, chain: false, mac: undefined, warning: /no MAC/ },
  { name: 'EC P-384 key, default', key: 'ec', args: [], password: PW, chain: true, mac: SHA256_2048 },
  { name: 'EC P-384 key, -legacy', key: 'ec', args: ['-legacy', ...LEGACY], password: PW, chain: false, mac: SHA1_2048 },
  { name: 'friendly name with non-ASCII characters', key: 'ec', args: ['-name', 'Zürich Ω 東京'], password: PW, chain: false, mac: SHA256_2048, friendlyName: 'Zürich Ω 東京' },
  { name: 'empty password, read with ""', key: 'rsa', args: [], password: '', read: '', chain: false, mac: SHA256_2048 },
  { name: 'empty password, read with no password', key: 'rsa', args: ['-legacy', ...LEGACY], password: '', read: undefined, chain: false, mac: SHA1_2048 },
  { name: 'non-ASCII password', key: 'ec', args: [], password: 'pässwörd €', chain: false, mac: SHA256_2048 },
  {
    name: 'PBE-SHA1-2DES key, PBE-SHA1-RC2-128 certificates',
    key: 'rsa',
    args: ['-keypbe', 'PBE-SHA1-2DES', '-certpbe', 'PBE-SHA1-RC2-128', ...LEGACY],
    password: PW,
    chain: true,
    mac: SHA256_2048,
  },
  { name: 'PBE-SHA1-RC2-40 key and certificates', key: 'ec', args: ['-keypbe', 'PBE-SHA1-RC2-40', '-certpbe', 'PBE-SHA1-RC2-40', ...LEGACY], password: PW, chain: false, mac: SHA256_2048 },
  {
    name: 'PBES2 AES-128-CBC key, PBES2 DES-EDE3-CBC certificates, HMAC-SHA-512',
    key: 'rsa',
    args: ['-keypbe', 'AES-128-CBC', '-certpbe', 'DES-EDE3-CBC', '-macalg', 'sha512'],
    password: PW,
    chain: true,
    mac: 'HMAC-SHA-512 (PKCS#12 KDF, 2048 iterations)',
  },
  {
    name: 'PBES2 AES-192-CBC, HMAC-SHA-384, -iter 1 -nomaciter',
    key: 'ec',
    args: ['-keypbe', 'AES-192-CBC', '-certpbe', 'AES-192-CBC', '-macalg', 'sha384', '-iter', '1', '-nomaciter'],
    password: PW,
    chain: false,
    mac: 'HMAC-SHA-384 (PKCS#12 KDF, 1 iteration)',
  },
  // (these two, and the password matrix below, were the pkijs PFX + engine tests before issue 9 left one PKCS#12 implementation)
  { name: 'PBE-SHA1-RC2-40 key, PBE-SHA1-3DES certificates, HMAC-MD5', key: 'rsa', args: ['-keypbe', 'PBE-SHA1-RC2-40', '-certpbe', 'PBE-SHA1-3DES', '-macalg', 'md5', ...LEGACY], password: PW, chain: false, mac: 'HMAC-MD5 (PKCS#12 KDF, 2048 iterations)' },
  { name: 'PBES2 DES-CBC key, PBES2 RC2-CBC certificates, HMAC-SHA-384', key: 'rsa', args: ['-keypbe', 'DES-CBC', '-certpbe', 'RC2-CBC', '-macalg', 'sha384', ...LEGACY], password: PW, chain: true, mac: 'HMAC-SHA-384 (PKCS#12 KDF, 2048 iterations)' },
  { name: 'HMAC-SHA-224 MAC, -maciter', key: 'ec', args: ['-macalg', 'sha224', '-maciter'], password: PW, chain: false, mac: 'HMAC-SHA-224 (PKCS#12 KDF, 2048 iterations)' },
  { name: '-descert (3DES certificates)', key: 'rsa', args: ['-descert'], password: PW, chain: false, mac: SHA256_2048 },
  { name: 'unencrypted keyBag: -keypbe NONE -certpbe NONE', key: 'rsa', args: ['-keypbe', 'NONE', '-certpbe', 'NONE', '-name', 'plain'], password: PW, chain: true, mac: SHA256_2048, friendlyName: 'plain' },
  { name: 'certificates only (-nokeys)', key: 'ec', args: ['-nokeys'], password: PW, chain: true, mac: SHA256_2048, noKey: true },
];

function expectContents(got: Pkcs12Contents, c: ReadCase): void {
  const leaf = c.key === 'rsa' ? fx.rsaCert : fx.ecCert;
  const want = c.chain ? [leaf, fx.int, fx.root] : [leaf];
  expect(got.certificates.map((x) => x.der)).toEqual(want);
  expect(got.mac).toBe(c.mac);
  if (c.warning) expect(got.warnings.join('\n')).toMatch(c.warning);
  else expect(got.warnings).toEqual([]);
  if (c.noKey) {
    expect(got.key).toBeUndefined();
    return;
  }
  expect(got.key?.pkcs8).toEqual(c.key === 'rsa' ? fx.rsaKey : fx.ecKey);
  // OpenSSL links key and certificate by localKeyId = SHA-1 of the certificate.
  expect(got.key?.localKeyId).toEqual(sha1(leaf));
  expect(keyCertificate(got)?.der).toEqual(leaf);
  expect(got.key?.friendlyName).toBe(c.friendlyName);
  expect(got.certificates[0]!.friendlyName).toBe(c.friendlyName);
  for (const other of got.certificates.slice(1)) expect(other.localKeyId).toBeUndefined();
}

describe('readPkcs12: files made by openssl pkcs12 -export', () => {
  const files = new Map<string, Uint8Array>();
  const fileOf = (c: ReadCase): Uint8Array => {
    let f = files.get(c.name);
    if (!f) files.set(c.name, (f = exportP12(c.key, c.password, c.args, c.chain)));
    return f;
  };

  it.each(READ_CASES)('$name', async (c) => {
    const got = await readPkcs12(fileOf(c), 'read' in c ? c.read : c.password, core);
    expectContents(got, c);
  });

  it.each(READ_CASES)('$name: a wrong password is pkcs12-password', async (c) => {
    const err = await readPkcs12(fileOf(c), 'wrong password', core).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PkiError);
    expect((err as PkiError).code).toBe('pkcs12-password');
    expect((err as PkiError).message).toMatch(/^pkcs12\.read: wrong password/);
  });

  // Every scheme with the three kinds of password (ASCII, non-ASCII, empty): key and certificate bytes.
  const MATRIX = [
    ['-legacy'],
    [],
    ['-keypbe', 'PBE-SHA1-2DES', '-certpbe', 'PBE-SHA1-RC2-128', '-macalg', 'sha1'],
    ['-keypbe', 'PBE-SHA1-RC2-40', '-certpbe', 'PBE-SHA1-3DES', '-macalg', 'md5'],
    ['-keypbe', 'DES-EDE3-CBC', '-certpbe', 'AES-128-CBC', '-macalg', 'sha512'],
    ['-keypbe', 'AES-192-CBC', '-certpbe', 'NONE', '-macalg', 'sha224'],
    ['-keypbe', 'DES-CBC', '-certpbe', 'RC2-CBC', '-macalg', 'sha384'],
  ].flatMap((args) => ['secret', 'pässwörd€', ''].map((pw) => ({ args: args.join(' ') || '(default)', argv: [...args, ...LEGACY], pw })));
  it.each(MATRIX)('$args, password "$pw": the exact key and certificate', async ({ argv, pw }) => {
    const got = await readPkcs12(exportP12('rsa', pw, argv, false), pw, core);
    expect(got.key?.pkcs8).toEqual(fx.rsaKey);
    expect(got.certificates.map((c) => c.der)).toEqual([fx.rsaCert]);
  });

  it('an empty-password file read with a password is pkcs12-password', async () => {
    expect(await rejectCode(readPkcs12(exportP12('ec', '', [], false), 'x', core))).toBe('pkcs12-password');
  });

  it('a MAC keyed with the absent password (zero bytes, RFC 7292 B.1) reads with "" and with none, as OpenSSL does', async () => {
    const plain = exportP12('ec', PW, ['-nomac', '-keypbe', 'NONE', '-certpbe', 'NONE'], false);
    const [version, authSafeInfo] = derChildren(plain, readTlv(plain, 0, plain.length, BER), BER);
    const [, content] = derChildren(plain, authSafeInfo!, BER);
    const [octets] = derChildren(plain, content!, BER);
    const salt = Uint8Array.from([1, 2, 3, 4, 5, 6, 7, 8]);
    const key = await core.pkcs12Kdf('SHA-256', 3, new Uint8Array(0), salt, 2048, 32);
    const mac = await core.hmac('SHA-256', key, plain.subarray(octets!.contentStart, octets!.contentEnd));
    const macData = DER.seq(DER.seq(DER.seq(DER.oid('2.16.840.1.101.3.4.2.1'), DER.NULL), DER.tlv(0x04, mac)), DER.tlv(0x04, salt), Uint8Array.of(0x02, 0x02, 0x08, 0x00));
    const file = DER.seq(plain.subarray(version!.start, version!.end), plain.subarray(authSafeInfo!.start, authSafeInfo!.end), macData);
    writeFileSync(join(dir, 'absent.p12'), file);
    expect(osslInfo(['pkcs12', '-in', 'absent.p12', '-info', '-noout', '-passin', 'pass:'])).toContain('MAC: sha256, Iteration 2048');
    for (const pw of ['', undefined]) {
      const got = await readPkcs12(file, pw, core);
      expect(got.key?.pkcs8).toEqual(fx.ecKey);
      expect(got.mac).toBe(SHA256_2048);
    }
    expect(await rejectCode(readPkcs12(file, 'x', core))).toBe('pkcs12-password');
  });

  it('a non-ASCII password in the pre-1.1.0 OpenSSL encoding (UTF-8 bytes widened) is accepted with a warning', async () => {
    // "päss" widened byte by byte is the BMPString of "pÃ¤ss" (C3 A4 → U+00C3 U+00A4).
    const file = exportP12('ec', 'pÃ¤ss', ['-legacy', ...LEGACY], false);
    const got = await readPkcs12(file, 'päss', core);
    expect(got.key?.pkcs8).toEqual(fx.ecKey);
    expect(got.warnings).toEqual(['the password was encoded the way OpenSSL before 1.1.0 encoded non-ASCII passwords']);
    expect((await readPkcs12(file, 'pÃ¤ss', core)).warnings).toEqual([]);
  });

  it('a Node Buffer input is read twice and left unchanged (regression: Buffer#slice is a view)', async () => {
    const path = join(dir, 'buffer.p12');
    writeFileSync(path, fileOf(READ_CASES[0]!));
    const buf = readFileSync(path);
    const before = Uint8Array.from(buf);
    for (let i = 0; i < 2; i++) expect((await readPkcs12(buf, PW, core)).key?.pkcs8).toEqual(fx.rsaKey);
    expect(Uint8Array.from(buf)).toEqual(before);
  });

  it('a file with two private keys is unsupported; skipped bags are reported', async () => {
    const plain = exportP12('ec', PW, ['-nomac', '-keypbe', 'NONE', '-certpbe', 'NONE'], false);
    const [version, authSafeInfo] = derChildren(plain, readTlv(plain, 0, plain.length, BER), BER);
    const [, content] = derChildren(plain, authSafeInfo!, BER);
    const [octets] = derChildren(plain, content!, BER);
    const infos = derChildren(plain, readTlv(plain, octets!.contentStart, octets!.contentEnd, BER), BER);
    const raw = (t: Tlv) => plain.subarray(t.start, t.end);
    const pfx = (...ci: Uint8Array[]) =>
      DER.seq(raw(version!), DER.seq(DER.oid('1.2.840.113549.1.7.1'), DER.tlv(0xa0, DER.tlv(0x04, DER.seq(...ci)))));
    const two = await readPkcs12(pfx(...infos.map(raw), raw(infos[infos.length - 1]!)), PW, core).catch((e: unknown) => e);
    expect((two as PkiError).code).toBe('unsupported');
    expect((two as PkiError).message).toBe('pkcs12.read: the file holds more than one private key; only one per file is supported');
    // a secretBag and a crlBag next to the certificate
    const bag = (oid: string) => DER.seq(DER.oid(oid), DER.tlv(0xa0, DER.seq(DER.oid('1.2.3.4'), DER.tlv(0xa0, DER.tlv(0x04, Uint8Array.of(1))))));
    const extra = DER.seq(DER.oid('1.2.840.113549.1.7.1'), DER.tlv(0xa0, DER.tlv(0x04, DER.seq(bag('1.2.840.113549.1.12.10.1.5'), bag('1.2.840.113549.1.12.10.1.4')))));
    const got = await readPkcs12(pfx(...infos.map(raw), extra), PW, core);
    expect(got.key?.pkcs8).toEqual(fx.ecKey);
    expect(got.warnings).toEqual(['the file has no MAC: its integrity was not checked', 'skipped a secretBag', 'skipped a crlBag']);
  });

  it('RC4 schemes are refused as unsupported, naming RC4', async () => {
    for (const args of [['-keypbe', 'PBE-SHA1-RC4-128'], ['-certpbe', 'PBE-SHA1-RC4-40']]) {
      const err = await readPkcs12(exportP12('ec', PW, [...args, ...LEGACY], false), PW, core).catch((e: unknown) => e);
      expect((err as PkiError).code).toBe('unsupported');
      expect((err as PkiError).message).toMatch(/RC4/);
    }
  });

  it('the key equals what openssl pkcs12 -nocerts extracts (public parts too)', async () => {
    const f = fileOf(READ_CASES[0]!);
    writeFileSync(join(dir, 'k.p12'), f);
    const pem = ossl(['pkcs12', '-in', 'k.p12', '-nocerts', '-nodes', '-passin', `pass:${PW}`]).toString();
    const ref = new Uint8Array(ossl(TOPK8, pem));
    const got = await readPkcs12(f, PW, core);
    expect(got.key?.pkcs8).toEqual(ref);
    const pub = createPrivateKey({ key: Buffer.from(got.key!.pkcs8), format: 'der', type: 'pkcs8' });
    expect(new X509Certificate(got.certificates[0]!.der).checkPrivateKey(pub)).toBe(true);
  });
});

// ---------------------------------------------------------------------------------------------
// BER (indefinite lengths, constructed OCTET STRINGs), as Windows and Java write

/**
 * Re-encodes DER as BER: every constructed element with an indefinite length, every OCTET
 * STRING (and the [0] IMPLICIT encryptedContent) as a constructed string of 50-byte segments.
 * With `deep`, OCTET STRINGs that hold DER structures are re-encoded too (which changes the
 * bytes a MAC covers). Certificates and PKCS#8 keys are kept verbatim.
 */
function toBer(d: Uint8Array, deep: boolean): Uint8Array {
  const keep = (b: Uint8Array): boolean => ['certificate', 'private-key'].includes(sniffDerKind(b));
  const walk = (t: Tlv): Uint8Array => {
    const whole = d.subarray(t.start, t.end);
    if (keep(whole)) return whole;
    if (t.constructed) return concatBytes(Uint8Array.of(t.tag, 0x80), ...derChildren(d, t, BER).map(walk), Uint8Array.of(0, 0));
    if (t.tag !== 0x04 && t.tag !== 0x80) return whole;
    let v = d.subarray(t.contentStart, t.contentEnd);
    if (deep && t.tag === 0x04 && v[0] === 0x30) {
      try {
        const inner = readTlv(v, 0, v.length, BER);
        if (inner.end === v.length) v = toBer(v, deep);
      } catch {
        /* not a structure: keep the bytes */
      }
    }
    const segments: Uint8Array[] = [];
    for (let i = 0; i < v.length; i += 50) segments.push(DER.tlv(0x04, v.subarray(i, i + 50)));
    return concatBytes(Uint8Array.of(t.tag | 0x20, 0x80), ...segments, Uint8Array.of(0, 0));
  };
  return walk(readTlv(d, 0, d.length, BER));
}

describe('readPkcs12: BER input', () => {
  const cases = [
    { name: 'outer layers of a MAC-protected file (default profile)', args: [] as string[], deep: false, mac: SHA256_2048 },
    { name: 'outer layers of a -legacy file', args: ['-legacy', ...LEGACY], deep: false, mac: SHA1_2048 },
    { name: 'every layer of a -nomac file, encrypted', args: ['-nomac'], deep: true, mac: undefined },
    { name: 'every layer of a -nomac file with -keypbe NONE -certpbe NONE', args: ['-nomac', '-keypbe', 'NONE', '-certpbe', 'NONE'], deep: true, mac: undefined },
  ];
  it.each(cases)('$name', async (c) => {
    const der = exportP12('rsa', PW, [...c.args, '-name', 'ber'], true);
    const ber = toBer(der, c.deep);
    expect(ber.length).toBeGreaterThan(der.length);
    expect(ber[1]).toBe(0x80); // indefinite length at the top
    // the transformation is valid BER: OpenSSL reads it to the same certificates
    writeFileSync(join(dir, 'ber.p12'), ber);
    const pem = ossl(['pkcs12', '-in', 'ber.p12', '-nokeys', '-passin', `pass:${PW}`, ...LEGACY]).toString();
    expect(readPem(pem).map((b) => b.der)).toEqual([fx.rsaCert, fx.int, fx.root]);
    const got = await readPkcs12(ber, PW, core);
    expectContents(got, { name: c.name, key: 'rsa', args: c.args, password: PW, chain: true, mac: c.mac, friendlyName: 'ber', ...(c.mac ? {} : { warning: /no MAC/ }) });
  });
});

// ---------------------------------------------------------------------------------------------
// PBMAC1 (RFC 9579 App. A; password "1234")

const RFC9579_A1 = `
MIIKigIBAzCCCgUGCSqGSIb3DQEHAaCCCfYEggnyMIIJ7jCCBGIGCSqGSIb3DQEH
BqCCBFMwggRPAgEAMIIESAYJKoZIhvcNAQcBMFcGCSqGSIb3DQEFDTBKMCkGCSqG
SIb3DQEFDDAcBAg9pxXxY2yscwICCAAwDAYIKoZIhvcNAgkFADAdBglghkgBZQME
ASoEEK7yYaFQDi1pYwWzm9F/fs+AggPgFIT2XapyaFgDppdvLkdvaF3HXw+zjzKb
7xFC76DtVPhVTWVHD+kIss+jsj+XyvMwY0aCuAhAG/Dig+vzWomnsqB5ssw5/kTb
+TMQ5PXLkNeoBmB6ArKeGc/QmCBQvQG/a6b+nXSWmxNpP+71772dmWmB8gcSJ0kF
Fj75NrIbmNiDMCb71Q8gOzBMFf6BpXf/3xWAJtxyic+tSNETfOJa8zTZb0+lV0w9
5eUmDrPUpuxEVbb0KJtIc63gRkcfrPtDd6Ii4Zzbzj2Evr4/S4hnrQBsiryVzJWy
IEjaD0y6+DmG0JwMgRuGi1wBoGowi37GMrDCOyOZWC4n5wHLtYyhR6JaElxbrhxP
H46z2USLKmZoF+YgEQgYcSBXMgP0t36+XQocFWYi2N5niy02TnctwF430FYsQlhJ
Suma4I33E808dJuMv8T/soF66HsD4Zj46hOf4nWmas7IaoSAbGKXgIa7KhGRJvij
xM3WOX0aqNi/8bhnxSA7fCmIy/7opyx5UYJFWGBSmHP1pBHBVmx7Ad8SAsB9MSsh
nbGjGiUk4h0QcOi29/M9WwFlo4urePyI8PK2qtVAmpD3rTLlsmgzguZ69L0Q/CFU
fbtqsMF0bgEuh8cfivd1DYFABEt1gypuwCUtCqQ7AXK2nQqOjsQCxVz9i9K8NDeD
aau98VAl0To2sk3/VR/QUq0PRwU1jPN5BzUevhE7SOy/ImuJKwpGqqFljYdrQmj5
jDe+LmYH9QGVRlfN8zuU+48FY8CAoeBeHn5AAPml0PYPVUnt3/jQN1+v+CahNVI+
La8q1Nen+j1R44aa2I3y/pUgtzXRwK+tPrxTQbG030EU51LYJn8amPWmn3w75ZIA
MJrXWeKj44de7u4zdUsEBVC2uM44rIHM8MFjyYAwYsey0rcp0emsaxzar+7ZA67r
lDoXvvS3NqsnTXHcn3T9tkPRoee6L7Dh3x4Od96lcRwgdYT5BwyH7e34ld4VTUmJ
bDEq7Ijvn4JKrwQJh1RCC+Z/ObfkC42xAm7G010u3g08xB0Qujpdg4a7VcuWrywF
c7hLNquuaF4qoDaVwYXHH3iuX6YlJ/3siTKbYCVXPEZOAMBP9lF/OU76UMJBQNfU
0xjDx+3AhUVgnGuCsmYlK6ETDp8qOZKGyV0KrNSGtqLx3uMhd7PETeW+ML3tDQ/0
X9fMkcZHi4C2fXnoHV/qa2dGhBj4jjQ0Xh1poU6mxGn2Mebe2hDsBZkkBpnn7pK4
wP/VqXdQTwqEuvzGHLVFsCuADe40ZFBmtBrf70wG7ZkO8SUZ8Zz1IX3+S024g7yj
QRev/6x6TtkwggWEBgkqhkiG9w0BBwGgggV1BIIFcTCCBW0wggVpBgsqhkiG9w0B
DAoBAqCCBTEwggUtMFcGCSqGSIb3DQEFDTBKMCkGCSqGSIb3DQEFDDAcBAhTxzw+
VptrYAICCAAwDAYIKoZIhvcNAgkFADAdBglghkgBZQMEASoEEK9nSqc1I2t4tMVG
bWHpdtQEggTQzCwI7j34gCTvfj6nuOSndAjShGv7mN2j7WMV0pslTpq2b9Bn3vn1
Y0JMvL4E7sLrUzNU02pdOcfCnEpMFccNv2sQrLp1mOCKxu8OjSqHZLoKVL0ROVsZ
8dMECLLigDlPKRiSyLErl14tErX4/zbkUaWMROO28kFbTbubQ8YoHlRUwsKW1xLg
vfi0gRkG/zHXRfQHjX/8NStv7hXlehn7/Gy2EKPsRFhadm/iUHAfmCMkMgHTU248
JER9+nsXltd59H+IeDpj/kbxZ+YvHow9XUZKu828d3MQnUpLZ1BfJGhMBPVwbVUD
A40CiQBVdCoGtPJyalL28xoS3H0ILFCnwQOr6u0HwleNJPGHq78HUyH6Hwxnh0b0
5o163r6wTFZn5cMOxpbs/Ttd+3TrxmrYpd2XnuRme3cnaYJ0ILvpc/8eLLR7SKjD
T4JhZ0h/CfcV2WWvhpQugkY0pWrZ+EIMneB1dZB96mJVLxOi148OeSgi0PsxZMNi
YM33rTpwQT5WqOsEyDwUQpne5b8Kkt/s7EN0LJNnPyJJRL1LcqOdr6j+6YqRtPa7
a9oWJqMcuTP+bqzGRJh+3HDlFBw2Yzp9iadv4KmB2MzhStLUoi2MSjvnnkkd5Led
sshAd6WbKfF7kLAHQHT4Ai6dMEO4EKkEVF9JBtxCR4JEn6C98Lpg+Lk+rfY7gHOf
ZxtgGURwgXRY3aLUrdT55ZKgk3ExVKPzi5EhdpAau7JKhpOwyKozAp/OKWMNrz6h
obu2Mbn1B+IA60psYHHxynBgsJHv7WQmbYh8HyGfHgVvaA8pZCYqxxjpLjSJrR8B
Bu9H9xkTh7KlhxgreXYv19uAYbUd95kcox9izad6VPnovgFSb+Omdy6PJACPj6hF
W6PJbucP0YPpO0VtWtQdZZ3df1P0hZ7qvKwOPFA+gKZSckgqASfygiP9V3Zc8jIi
wjNzoDM2QT+UUJKiiGYXJUEOO9hxzFHlGj759DcNRhpgl5AgR57ofISD9yBuCAJY
PQ/aZHPFuRTrcVG3RaIbCAS73nEznKyFaLOXfzyfyaSmyhsH253tnyL1MejC+2bR
Eko/yldgFUxvU5JI+Q3KJ6Awj+PnduHXx71E4UwSuu2xXYMpxnQwI6rroQpZBX82
HhqgcLV83P8lpzQwPdHjH5zkoxmWdC0+jU/tcQfNXYpJdyoaX7tDmVclLhwl9ps/
O841pIsNLJWXwvxG6B+3LN/kw4QjwN194PopiOD7+oDm5mhttO78CrBrRxHMD/0Q
qniZjKzSZepxlZq+J792u8vtMnuzzChxu0Bf3PhIXcJNcVhwUtr0yKe/N+NvC0tm
p8wyik/BlndxN9eKbdTOi2wIi64h2QG8nOk66wQ/PSIJYwZl6eDNEQSzH/1mGCfU
QnUT17UC/p+Qgenf6Auap2GWlvsJrB7u/pytz65rtjt/ouo6Ih6EwWqwVVpGXZD0
7gVWH0Ke/Vr6aPGNvkLcmftPuDZsn9jiig3guhdeyRVf10Ox369kKWcG75q77hxE
IzSzDyUlBNbnom9SIjut3r+qVYmWONatC6q/4D0I42Lnjd3dEyZx7jmH3g/S2ASM
FzWr9pvXc61dsYOkdZ4PYa9XPUZxXFagZsoS3F1sU799+IJVU0tC0MExJTAjBgkq
hkiG9w0BCRUxFgQUwWO5DorvVWYF3BWUmAw0rUEajScwfDBtMEkGCSqGSIb3DQEF
DjA8MCwGCSqGSIb3DQEFDDAfBAhvRzw4sC4xcwICCAACASAwDAYIKoZIhvcNAgkF
ADAMBggqhkiG9w0CCQUABCB6pW2FOdcCNj87zS64NUXG36K5aXDnFHctIk5Bf4kG
3QQITk9UIFVTRUQCAQE=`;

const RFC9579_A3 = `
MIIKrAIBAzCCCgUGCSqGSIb3DQEHAaCCCfYEggnyMIIJ7jCCBGIGCSqGSIb3DQEH
BqCCBFMwggRPAgEAMIIESAYJKoZIhvcNAQcBMFcGCSqGSIb3DQEFDTBKMCkGCSqG
SIb3DQEFDDAcBAisrqL8obSBaQICCAAwDAYIKoZIhvcNAgkFADAdBglghkgBZQME
ASoEECjXYYca0pwsgn1Imb9WqFGAggPgT7RcF5YzEJANZU9G3tSdpCHnyWatTlhm
iCEcBGgwI5gz0+GoX+JCojgYY4g+KxeqznyCu+6GeD00T4Em7SWme9nzAfBFzng0
3lYCSnahSEKfgHerbzAtq9kgXkclPVk0Liy92/buf0Mqotjjs/5o78AqP86Pwbj8
xYNuXOU1ivO0JiW2c2HefKYvUvMYlOh99LCoZPLHPkaaZ4scAwDjFeTICU8oowVk
LKvslrg1pHbfmXHMFJ4yqub37hRtj2CoJNy4+UA2hBYlBi9WnuAJIsjv0qS3kpLe
4+J2DGe31GNG8pD01XD0l69OlailK1ykh4ap2u0KeD2z357+trCFbpWMMXQcSUCO
OcVjxYqgv/l1++9huOHoPSt224x4wZfJ7cO2zbAAx/K2CPhdvi4CBaDHADsRq/c8
SAi+LX5SCocGT51zL5KQD6pnr2ExaVum+U8a3nMPPMv9R2MfFUksYNGgFvS+lcZf
R3qk/G9iXtSgray0mwRA8pWzoXl43vc9HJuuCU+ryOc/h36NChhQ9ltivUNaiUc2
b9AAQSrZD8Z7KtxjbH3noS+gjDtimDB0Uh199zaCwQ95y463zdYsNCESm1OT979o
Y+81BWFMFM/Hog5s7Ynhoi2E9+ZlyLK2UeKwvWjGzvcdPvxHR+5l/h6PyWROlpaZ
zmzZBm+NKmbXtMD2AEa5+Q32ZqJQhijXZyIji3NS65y81j/a1ZrvU0lOVKA+MSPN
KU27/eKZuF1LEL6qaazTUmpznLLdaVQy5aZ1qz5dyCziKcuHIclhh+RCblHU6XdE
6pUTZSRQQiGUIkPUTnU9SFlZc7VwvxgeynLyXPCSzOKNWYGajy1LxDvv28uhMgNd
WF51bNkl1QYl0fNunGO7YFt4wk+g7CQ/Yu2w4P7S3ZLMw0g4eYclcvyIMt4vxXfp
VTKIPyzMqLr+0dp1eCPm8fIdaBZUhMUC/OVqLwgnPNY9cXCrn2R1cGKo5LtvtjbH
2skz/D5DIOErfZSBJ8LE3De4j8MAjOeC8ia8LaM4PNfW/noQP1LBsZtTDTqEy01N
Z5uliIocyQzlyWChErJv/Wxh+zBpbk1iXc2Owmh2GKjx0VSe7XbiqdoKkONUNUIE
siseASiU/oXdJYUnBYVEUDJ1HPz7qnKiFhSgxNJZnoPfzbbx1hEzV+wxQqNnWIqQ
U0s7Jt22wDBzPBHGao2tnGRLuBZWVePJGbsxThGKwrf3vYsNJTxme5KJiaxcPMwE
r+ln2AqVOzzXHXgIxv/dvK0Qa7pH3AvGzcFjQChTRipgqiRrLor0//8580h+Ly2l
IFo7bCuztmcwggWEBgkqhkiG9w0BBwGgggV1BIIFcTCCBW0wggVpBgsqhkiG9w0B
DAoBAqCCBTEwggUtMFcGCSqGSIb3DQEFDTBKMCkGCSqGSIb3DQEFDDAcBAi1c7S5
IEG77wICCAAwDAYIKoZIhvcNAgkFADAdBglghkgBZQMEASoEEN6rzRtIdYxqOnY+
aDS3AFYEggTQNdwUoZDXCryOFBUI/z71vfoyAxlnwJLRHNXQUlI7w0KkH22aNnSm
xiaXHoCP1HgcmsYORS7p/ITi/9atCHqnGR4zHmePNhoMpNHFehdjlUUWgt004vUJ
5ZwTdXweM+K4We6CfWA/tyvsyGNAsuunel+8243Zsv0mGLKpjA+ZyALt51s0knmX
OD2DW49FckImUVnNC5LmvEIAmVC/ZNycryZQI+2EBkJKe+BC3834GexJnSwtUBg3
Xg33ZV7X66kw8tK1Ws5zND5GQAJyIu47mnjZkIWQBY+XbWowrBZ8uXIQuxMZC0p8
u62oIAtZaVQoVTR1LyR/7PISFW6ApwtbTn6uQxsb16qF8lEM0S1+x0AfJY6Zm11t
yCqbb2tYZF+X34MoUkR/IYC/KCq/KJdpnd8Yqgfrwjg8dR2WGIxbp2GBHq6BK/DI
ehOLMcLcsOuP0DEXppfcelMOGNIs+4h4KsjWiHVDMPsqLdozBdm6FLGcno3lY5FO
+avVrlElAOB+9evgaBbD2lSrEMoOjAoD090tgXXwYBEnWnIpdk+56cf5IpshrLBA
/+H13LBLes+X1o5dd0Mu+3abp5RtAv7zLPRRtXkDYJPzgNcTvJ2Wxw2C+zrAclzZ
7IRdcLESUa4CsN01aEvQgOtkCNVjSCtkJGP0FstsWM4hP7lfSB7P2tDL+ugy6GvB
X1sz9fMC7QMAFL98nDm/yqcnejG1BcQXZho8n0svSfbcVByGlPZGMuI9t25+0B2M
TAx0f6zoD8+fFmhcVgS6MQPybGKFawckYl0zulsePqs+G4voIW17owGKsRiv06Jm
ZSwd3KoGmjM49ADzuG9yrQ5PSa0nhVk1tybNape4HNYHrAmmN0ILlN+E0Bs/Edz4
ntYZuoc/Z35tCgm79dV4/Vl6HUZ1JrLsLrEWCByVytwVFyf3/MwTWdf+Ac+XzBuC
yEMqPlvnPWswdnaid35pxios79fPl1Hr0/Q6+DoA5GyYq8SFdP7EYLrGMGa5GJ+x
5nS7z6U4UmZ2sXuKYHnuhB0zi6Y04a+fhT71x02eTeC7aPlEB319UqysujJVJnso
bkcwOu/Jj0Is9YeFd693dB44xeZuYyvlwoD19lqcim0TSa2Tw7D1W/yu47dKrVP2
VKxRqomuAQOpoZiuSfq1/7ysrV8U4hIlIU2vnrSVJ8EtPQKsoBW5l70dQGwXyxBk
BUTHqfJ4LG/kPGRMOtUzgqFw2DjJtbym1q1MZgp2ycMon4vp7DeQLGs2XfEANB+Y
nRwtjpevqAnIuK6K3Y02LY4FXTNQpC37Xb04bmdIQAcE0MaoP4/hY87aS82PQ68g
3bI79uKo4we2g+WaEJlEzQ7147ZzV2wbDq89W69x1MWTfaDwlEtd4UaacYchAv7B
TVaaVFiRAUywWaHGePpZG2WV1feH/zd+temxWR9qMFgBZySg1jipBPVciwl0LqlW
s/raIBYmLmAaMMgM3759UkNVznDoFHrY4z2EADXp0RHHVzJS1x+yYvp/9I+AcW55
oN0UP/3uQ6eyz/ix22sovQwhMJ8rmgR6CfyRPKmXu1RPK3puNv7mbFTfTXpYN2vX
vhEZReXY8hJF/9o4G3UrJ1F0MgUHMCG86cw1z0bhPSaXVoufOnx/fRoxJTAjBgkq
hkiG9w0BCRUxFgQUwWO5DorvVWYF3BWUmAw0rUEajScwgZ0wgY0wSQYJKoZIhvcN
AQUOMDwwLAYJKoZIhvcNAQUMMB8ECFDaXOUaOcUPAgIIAAIBQDAMBggqhkiG9w0C
CwUAMAwGCCqGSIb3DQILBQAEQHIAM8C9OAsHUCj9CmOJioqf7YwD4O/b3UiZ3Wqo
F6OmQIRDc68SdkZJ6024l4nWlnhTE7a4lb2Tru4k3NOTa1oECE5PVCBVU0VEAgEB`;

/**
 * The invalid files A.4–A.6 carry A.1's authSafe byte for byte and differ in the MacData
 * only; these are their MacData elements, spliced onto A.1 below (the results have the DER
 * sizes the RFC's files have: 2703, 2702 and 2700 bytes).
 */
const RFC9579_INVALID_MACDATA = [
  {
    name: 'A.4: PBKDF2 iteration count 2049, MacData iterations 2048 (must use PBKDF2\'s)',
    size: 2703,
    code: 'pkcs12-password',
    hex: '307d306d304906092a864886f70d01050e303c302c06092a864886f70d01050c301f04086f473c38b02e317302020801020120300c06082a864886f70d02090500300c06082a864886f70d0209050004207aa56d8539d702363f3bcd2eb83545c6dfa2b96970e714772d224e417f8906dd04084e4f54205553454402020800',
  },
  {
    name: 'A.5: PBKDF2 salt "NOT USED", the real salt in MacData (must use PBKDF2\'s)',
    size: 2702,
    code: 'pkcs12-password',
    hex: '307c306d304906092a864886f70d01050e303c302c06092a864886f70d01050c301f04084e4f54205553454402020800020120300c06082a864886f70d02090500300c06082a864886f70d0209050004207aa56d8539d702363f3bcd2eb83545c6dfa2b96970e714772d224e417f8906dd04086f473c38b02e3173020101',
  },
  {
    name: 'A.6: PBKDF2 keyLength missing (RFC 9579 requires it)',
    size: 2700,
    code: 'bad-pkcs12',
    hex: '307a306a304606092a864886f70d01050e3039302906092a864886f70d01050c301c04086f473c38b02e317302020800300c06082a864886f70d02090500300c06082a864886f70d0209050004207aa56d8539d702363f3bcd2eb83545c6dfa2b96970e714772d224e417f8906dd04086f473c38b02e317302020800',
  },
];

const b64 = (s: string): Uint8Array => decodeBase64(s.replace(/\s+/g, ''));

describe('readPkcs12: PBMAC1 (RFC 9579 Appendix A)', () => {
  it.each([
    { name: 'A.1: HMAC-SHA-256, PBKDF2-HMAC-SHA-256', der: RFC9579_A1, mac: 'PBMAC1 HMAC-SHA-256 (PBKDF2-HMAC-SHA-256, 2048 iterations)' },
    { name: 'A.3: HMAC-SHA-512, PBKDF2-HMAC-SHA-512', der: RFC9579_A3, mac: 'PBMAC1 HMAC-SHA-512 (PBKDF2-HMAC-SHA-512, 2048 iterations)' },
  ])('$name', async ({ der, mac }) => {
    const got = await readPkcs12(b64(der), '1234', core);
    expect(got.mac).toBe(mac);
    expect(got.certificates).toHaveLength(1);
    const key = createPrivateKey({ key: Buffer.from(got.key!.pkcs8), format: 'der', type: 'pkcs8' });
    expect(new X509Certificate(got.certificates[0]!.der).checkPrivateKey(key)).toBe(true);
    expect(keyCertificate(got)).toBe(got.certificates[0]);
    expect(await rejectCode(readPkcs12(b64(der), '12345', core))).toBe('pkcs12-password');
  });

  it.each(RFC9579_INVALID_MACDATA)('$name', async ({ hex, size, code }) => {
    const a1 = b64(RFC9579_A1);
    const [version, authSafe] = derChildren(a1, readTlv(a1, 0, a1.length, BER), BER);
    const file = DER.seq(a1.subarray(version!.start, version!.end), a1.subarray(authSafe!.start, authSafe!.end), Uint8Array.from(Buffer.from(hex, 'hex')));
    expect(file.length).toBe(size);
    expect(await rejectCode(readPkcs12(file, '1234', core))).toBe(code);
  });
});

// ---------------------------------------------------------------------------------------------
// Damaged files

/** A small deterministic PRNG (mulberry32) so failures reproduce. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Offsets of the MAC value and of the key bag's ciphertext in an OpenSSL default file. */
function layout(der: Uint8Array): { macValue: Tlv; authSafe: Tlv } {
  const [, authSafeInfo, macData] = derChildren(der, readTlv(der, 0, der.length, BER), BER);
  const [digestInfo] = derChildren(der, macData!, BER);
  const [, macValue] = derChildren(der, digestInfo!, BER);
  const [, content] = derChildren(der, authSafeInfo!, BER);
  const [authSafe] = derChildren(der, content!, BER);
  return { macValue: macValue!, authSafe: authSafe! };
}

describe('readPkcs12: damaged files give specific errors, never a crash', () => {
  let file: Uint8Array;
  let nomac: Uint8Array;
  let plain: Uint8Array;
  beforeAll(() => {
    file = exportP12('rsa', PW, [], true);
    nomac = exportP12('rsa', PW, ['-nomac'], false);
    plain = exportP12('rsa', PW, ['-nomac', '-keypbe', 'NONE', '-certpbe', 'NONE'], false);
  });
  const flip = (d: Uint8Array, at: number, mask = 0x01): Uint8Array => {
    const c = d.slice();
    c[at]! ^= mask;
    return c;
  };

  it('MAC digest parameters other than NULL or absent are bad-pkcs12 (the MacData is outside the MAC)', async () => {
    // the last "05 00" of the file is the NULL of MacData's digest AlgorithmIdentifier
    let at = -1;
    for (let i = file.length - 2; i > file.length - 80 && at < 0; i--) if (file[i] === 0x05 && file[i + 1] === 0x00) at = i;
    expect(at).toBeGreaterThan(0);
    expect(await rejectCode(readPkcs12(file, PW, core))).toBe('accepted');
    for (const tag of [0x04, 0x01, 0x30, 0x31, 0x02]) {
      const g = file.slice();
      g[at] = tag;
      expect(await rejectCode(readPkcs12(g, PW, core)), `tag 0x${tag.toString(16)}`).toBe('bad-pkcs12');
    }
  });

  it('a bit flip in the MAC value is pkcs12-password', async () => {
    const { macValue } = layout(file);
    expect(await rejectCode(readPkcs12(flip(file, macValue.contentEnd - 1), PW, core))).toBe('pkcs12-password');
    expect(await rejectCode(readPkcs12(flip(file, macValue.contentStart, 0x80), PW, core))).toBe('pkcs12-password');
  });

  it('a bit flip in the encrypted data (MAC-protected) is pkcs12-password', async () => {
    const { authSafe } = layout(file);
    for (const at of [authSafe.contentStart + 200, authSafe.contentEnd - 40, authSafe.contentEnd - 1]) {
      expect(await rejectCode(readPkcs12(flip(file, at), PW, core))).toBe('pkcs12-password');
    }
  });

  it('without a MAC, a flip in the last block of the key ciphertext is pkcs12-password', async () => {
    // The key bag is the last bag: its ciphertext is followed only by the 39-byte localKeyId
    // attribute set, so these offsets hit the attribute header and the last cipher blocks.
    const codes = new Set<string>();
    for (let back = 36; back < 60; back++) codes.add(await rejectCode(readPkcs12(flip(nomac, nomac.length - back), PW, core)));
    expect([...codes].every((c) => c === 'pkcs12-password' || c === 'bad-pkcs12'), [...codes].join(', ')).toBe(true);
    expect(codes.has('pkcs12-password')).toBe(true);
  });

  it('truncation anywhere is bad-pkcs12', async () => {
    for (let n = 0; n < file.length; n += 37) {
      expect(await rejectCode(readPkcs12(file.subarray(0, n), PW, core))).toBe('bad-pkcs12');
    }
    expect(await rejectCode(readPkcs12(file.subarray(0, file.length - 1), PW, core))).toBe('bad-pkcs12');
    expect(await rejectCode(readPkcs12(concatBytes(file, Uint8Array.of(0)), PW, core))).toBe('bad-pkcs12');
  });

  it.each([
    { name: 'MAC-protected', pick: () => file, codes: ['pkcs12-password', 'bad-pkcs12', 'unsupported'] },
    { name: 'no MAC, encrypted', pick: () => nomac, codes: ['pkcs12-password', 'bad-pkcs12', 'unsupported', 'accepted'] },
    { name: 'no MAC, unencrypted', pick: () => plain, codes: ['pkcs12-password', 'bad-pkcs12', 'unsupported', 'accepted'] },
  ])('300 random byte changes ($name): only PkiErrors', async ({ pick, codes }) => {
    const d = pick();
    const rnd = prng(0x12345 + d.length);
    const seen = new Set<string>();
    for (let i = 0; i < 300; i++) {
      const at = Math.floor(rnd() * d.length);
      const code = await rejectCode(readPkcs12(flip(d, at, 1 + Math.floor(rnd() * 255)), PW, core));
      seen.add(code);
      expect(codes, `byte ${at}`).toContain(code);
    }
    expect(seen.size).toBeGreaterThan(1);
  });

  it('structure errors name what is wrong', async () => {
    const err = (await readPkcs12(Uint8Array.of(0x30, 0x03, 0x02, 0x01, 0x02), PW, core).catch((e: unknown) => e)) as PkiError;
    expect(err.code).toBe('bad-pkcs12');
    expect(err.message).toMatch(/^pkcs12\.read: PFX has 1 element, expected at least 2/);
    const v2 = DER.seq(Uint8Array.of(0x02, 0x01, 0x02), DER.seq(DER.oid('1.2.840.113549.1.7.1'), DER.tlv(0xa0, DER.tlv(0x04, DER.seq()))));
    expect(((await readPkcs12(v2, PW, core).catch((e: unknown) => e)) as PkiError).message).toBe('pkcs12.read: PFX version 2 (expected 3)');
  });

  it('oversized iteration counts are refused before any work (time bound: tests/slow)', async () => {
    // MacData with 2^31 - 1 iterations
    const [, , macData] = derChildren(file, readTlv(file, 0, file.length, BER), BER);
    const [digestInfo, salt] = derChildren(file, macData!, BER);
    const big = DER.seq(file.subarray(digestInfo!.start, digestInfo!.end), file.subarray(salt!.start, salt!.end), Uint8Array.of(0x02, 0x04, 0x7f, 0xff, 0xff, 0xff));
    const top = derChildren(file, readTlv(file, 0, file.length, BER), BER);
    const bad = DER.seq(file.subarray(top[0]!.start, top[0]!.end), file.subarray(top[1]!.start, top[1]!.end), big);
    const err = (await readPkcs12(bad, PW, core).catch((e: unknown) => e)) as PkiError;
    expect(err.code).toBe('unsupported');
    expect(err.message).toMatch(/2147483647/);
  });
});

// ---------------------------------------------------------------------------------------------
// Writing: OpenSSL reads what we write

interface WriteCase {
  name: string;
  profile: 'aes' | '3des';
  key: 'rsa' | 'ec';
  chain: boolean;
  password: string;
  friendlyName?: string;
  iterations?: number;
  info: string[];
}

const WRITE_CASES: WriteCase[] = [
  {
    name: 'aes profile, RSA key and chain',
    profile: 'aes',
    key: 'rsa',
    chain: true,
    password: PW,
    friendlyName: 'tp-rsa',
    info: [
      'MAC: sha256, Iteration 10000',
      'MAC length: 32, salt length: 16',
      'PKCS7 Encrypted data: PBES2, PBKDF2, AES-256-CBC, Iteration 10000, PRF hmacWithSHA256',
      'Certificate bag',
      'Certificate bag',
      'Certificate bag',
      'PKCS7 Data',
      'Shrouded Keybag: PBES2, PBKDF2, AES-256-CBC, Iteration 10000, PRF hmacWithSHA256',
    ],
  },
  {
    name: '3des profile, RSA key and chain (readable without the legacy provider)',
    profile: '3des',
    key: 'rsa',
    chain: true,
    password: PW,
    friendlyName: 'tp-rsa',
    info: [
      'MAC: sha1, Iteration 2048',
      'MAC length: 20, salt length: 8',
      'PKCS7 Encrypted data: pbeWithSHA1And3-KeyTripleDES-CBC, Iteration 2048',
      'Certificate bag',
      'Certificate bag',
      'Certificate bag',
      'PKCS7 Data',
      'Shrouded Keybag: pbeWithSHA1And3-KeyTripleDES-CBC, Iteration 2048',
    ],
  },
  {
    name: 'aes profile, EC key, non-ASCII name and password, 2048 iterations',
    profile: 'aes',
    key: 'ec',
    chain: false,
    password: 'pässwörd €',
    friendlyName: 'Zürich Ω 東京',
    iterations: 2048,
    info: [
      'MAC: sha256, Iteration 2048',
      'MAC length: 32, salt length: 16',
      'PKCS7 Encrypted data: PBES2, PBKDF2, AES-256-CBC, Iteration 2048, PRF hmacWithSHA256',
      'Certificate bag',
      'PKCS7 Data',
      'Shrouded Keybag: PBES2, PBKDF2, AES-256-CBC, Iteration 2048, PRF hmacWithSHA256',
    ],
  },
  {
    name: '3des profile, EC key, empty password, no friendly name',
    profile: '3des',
    key: 'ec',
    chain: false,
    password: '',
    info: [
      'MAC: sha1, Iteration 2048',
      'MAC length: 20, salt length: 8',
      'PKCS7 Encrypted data: pbeWithSHA1And3-KeyTripleDES-CBC, Iteration 2048',
      'Certificate bag',
      'PKCS7 Data',
      'Shrouded Keybag: pbeWithSHA1And3-KeyTripleDES-CBC, Iteration 2048',
    ],
  },
];

/** The "Bag Attributes" blocks `openssl pkcs12` prints, in order. */
function bagAttributes(out: string): string[] {
  return out
    .split(/-----END [A-Z ]+-----\n/)
    .map((s) => s.split('-----BEGIN')[0]!.trim())
    .filter((s) => s.length > 0);
}

describe('writePkcs12: OpenSSL reads what we write', () => {
  it.each(WRITE_CASES)('$name', async (c) => {
    const leaf = c.key === 'rsa' ? fx.rsaCert : fx.ecCert;
    const pkcs8 = c.key === 'rsa' ? fx.rsaKey : fx.ecKey;
    const chain = c.chain ? [fx.int, fx.root] : [];
    const input = { key: pkcs8, certificate: leaf, chain, ...(c.friendlyName !== undefined ? { friendlyName: c.friendlyName } : {}) };
    const der = await writePkcs12(input, c.password, core, { profile: c.profile, ...(c.iterations ? { iterations: c.iterations } : {}) });
    const file = `ours${++counter}.p12`;
    writeFileSync(join(dir, file), der);
    const pass = ['-passin', `pass:${c.password}`];

    const info = osslInfo(['pkcs12', '-in', file, '-info', '-noout', ...pass]);
    expect(info.trim().split('\n')).toEqual(c.info);

    const keyPem = ossl(['pkcs12', '-in', file, '-nocerts', '-nodes', ...pass]).toString();
    expect(new Uint8Array(ossl(TOPK8, keyPem))).toEqual(pkcs8);
    const certsPem = ossl(['pkcs12', '-in', file, '-nokeys', ...pass]).toString();
    expect(readPem(certsPem).map((b) => b.der)).toEqual([leaf, ...chain]);

    // The attributes print exactly as for the file OpenSSL makes from the same inputs.
    const ref = exportP12(c.key, c.password, [...(c.friendlyName !== undefined ? ['-name', c.friendlyName] : []), ...(c.profile === '3des' ? ['-legacy', ...LEGACY] : [])], c.chain);
    writeFileSync(join(dir, 'ref.p12'), ref);
    const refPass = ['-passin', `pass:${c.password}`, ...LEGACY];
    expect(bagAttributes(certsPem)).toEqual(bagAttributes(ossl(['pkcs12', '-in', 'ref.p12', '-nokeys', ...refPass]).toString()));
    expect(bagAttributes(keyPem)).toEqual(bagAttributes(ossl(['pkcs12', '-in', 'ref.p12', '-nocerts', '-nodes', ...refPass]).toString()));

    // And we read it back.
    const back = await readPkcs12(der, c.password === '' ? undefined : c.password, core);
    expect(back.key?.pkcs8).toEqual(pkcs8);
    expect(back.key?.friendlyName).toBe(c.friendlyName);
    expect(back.key?.localKeyId).toEqual(sha1(leaf));
    expect(back.certificates.map((x) => x.der)).toEqual([leaf, ...chain]);
    expect(keyCertificate(back)?.der).toEqual(leaf);
    expect(back.warnings).toEqual([]);
  });

  it('salts and IVs are fresh for every file', async () => {
    const input = { key: fx.ecKey, certificate: fx.ecCert };
    const a = await writePkcs12(input, PW, core, { profile: 'aes' });
    const b = await writePkcs12(input, PW, core, { profile: 'aes' });
    expect(a.length).toBe(b.length);
    expect(a).not.toEqual(b);
  });

  it.each([
    { name: 'a key that is not PKCS#8', input: () => ({ key: fx.ecCert, certificate: fx.ecCert }), code: 'bad-key' },
    { name: 'a damaged certificate', input: () => ({ key: fx.ecKey, certificate: fx.ecCert.subarray(0, 100) }), code: 'bad-certificate' },
    { name: 'a damaged chain certificate', input: () => ({ key: fx.ecKey, certificate: fx.ecCert, chain: [Uint8Array.of(1, 2, 3)] }), code: 'bad-certificate' },
    { name: 'a friendly name outside the BMP', input: () => ({ key: fx.ecKey, certificate: fx.ecCert, friendlyName: 'key 🔑' }), code: 'unsupported' },
  ])('refuses $name', async ({ input, code }) => {
    expect(await rejectCode(writePkcs12(input(), PW, core, { profile: 'aes' }))).toBe(code);
  });

  it('refuses bad options as programmer errors', async () => {
    const input = { key: fx.ecKey, certificate: fx.ecCert };
    await expect(writePkcs12(input, PW, core, { profile: 'aes', iterations: 10 })).rejects.toThrow(RangeError);
    await expect(writePkcs12(input, PW, core, { profile: 'rc4' as 'aes' })).rejects.toThrow(RangeError);
    await expect(writePkcs12(input, undefined as unknown as string, core, { profile: 'aes' })).rejects.toThrow(TypeError);
  });
});
