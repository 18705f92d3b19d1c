/**
 * Private keys in PEM/DER against OpenSSL 3 as the referee: every encrypted and unencrypted
 * form OpenSSL writes is read back to the PKCS#8 bytes `openssl pkcs8 -topk8 -nocrypt`
 * prints; what we write is read by `openssl pkey -passin`; wrong and missing passwords and
 * damaged data give specific errors.
 *
 * Runs against the debug core by default; `CORE_WASM=release` tests the shipped build.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CoreApi } from '../../../src/core/api.ts';
import { readPem } from '../../../src/pki/pem.ts';
import {
  checkPkcs8,
  encryptPrivateKeyInfo,
  isEncryptedKeyBlock,
  passwordCandidates,
  pkcs1ToPkcs8,
  readPrivateKey,
  sec1ToPkcs8,
  writeEncryptedPrivateKeyPem,
  writePrivateKeyPem,
  type PrivateKeyFormat,
} from '../../../src/pki/private-key.ts';
import { PkiError } from '../../../src/util/errors.ts';
import { loadCore } from '../_core.ts';

let dir = '';
let core: CoreApi;
let counter = 0;
const PW = 'S3cret-pw';
const LEGACY = ['-provider', 'legacy', '-provider', 'default'];
const TOPK8 = ['pkcs8', '-topk8', '-nocrypt', '-outform', 'DER'];

function ossl(args: string[], input?: string | Uint8Array): Buffer {
  const r = spawnSync('openssl', args, { cwd: dir, input });
  if (r.status !== 0) throw new Error(`openssl ${args.join(' ')} failed: ${r.stderr.toString()}`);
  return r.stdout;
}
const text = (args: string[], input?: string | Uint8Array): string => ossl(args, input).toString();

/** Fixture keys: PEM (PKCS#8, unencrypted) and their PKCS#8 DER. */
const keys = {} as Record<'rsa' | 'p256' | 'p384' | 'p521' | 'k256', { pem: string; der: Uint8Array }>;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tp-key-'));
  const gen = (args: string[]) => {
    const pem = text(['genpkey', ...args]);
    return { pem, der: new Uint8Array(ossl(TOPK8, pem)) };
  };
  keys.rsa = gen(['-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048']);
  keys.p256 = gen(['-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256']);
  keys.p384 = gen(['-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-384']);
  keys.p521 = gen(['-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-521']);
  keys.k256 = gen(['-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:secp256k1']);
  core = await loadCore();
}, 60_000);

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function errorOf(p: Promise<unknown>): Promise<PkiError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof PkiError) return e;
    throw e;
  }
  throw new Error('expected a PkiError, the promise resolved');
}

// ---------------------------------------------------------------------------------------------
// Encrypted keys OpenSSL writes

interface EncCase {
  name: string;
  key: keyof typeof keys;
  /** the openssl command that reads the key PEM on stdin and writes the encrypted PEM */
  args: string[];
  format: PrivateKeyFormat;
  encryption: string;
  label: string;
  password?: string;
}

const ENC_CASES: EncCase[] = [
  { name: 'openssl pkey -aes256', key: 'rsa', args: ['pkey', '-aes256'], format: 'encrypted-pkcs8', encryption: 'PBES2 PBKDF2-HMAC-SHA-256 AES-256-CBC', label: 'ENCRYPTED PRIVATE KEY' },
  { name: 'openssl rsa -des3 -traditional (IOS export pem)', key: 'rsa', args: ['rsa', '-des3', '-traditional'], format: 'pkcs1', encryption: 'DEK-Info DES-EDE3-CBC', label: 'RSA PRIVATE KEY' },
  { name: 'openssl rsa -aes128 -traditional', key: 'rsa', args: ['rsa', '-aes128', '-traditional'], format: 'pkcs1', encryption: 'DEK-Info AES-128-CBC', label: 'RSA PRIVATE KEY' },
  { name: 'openssl rsa -aes192 -traditional', key: 'rsa', args: ['rsa', '-aes192', '-traditional'], format: 'pkcs1', encryption: 'DEK-Info AES-192-CBC', label: 'RSA PRIVATE KEY' },
  { name: 'openssl rsa -aes256 -traditional', key: 'rsa', args: ['rsa', '-aes256', '-traditional'], format: 'pkcs1', encryption: 'DEK-Info AES-256-CBC', label: 'RSA PRIVATE KEY' },
  { name: 'openssl rsa -des -traditional', key: 'rsa', args: ['rsa', '-des', '-traditional', ...LEGACY], format: 'pkcs1', encryption: 'DEK-Info DES-CBC', label: 'RSA PRIVATE KEY' },
  { name: 'openssl ec -des3 (traditional EC)', key: 'p256', args: ['ec', '-des3'], format: 'sec1', encryption: 'DEK-Info DES-EDE3-CBC', label: 'EC PRIVATE KEY' },
  { name: 'openssl ec -aes256 P-384', key: 'p384', args: ['ec', '-aes256'], format: 'sec1', encryption: 'DEK-Info AES-256-CBC', label: 'EC PRIVATE KEY' },
  { name: 'openssl ec -aes128 P-521', key: 'p521', args: ['ec', '-aes128'], format: 'sec1', encryption: 'DEK-Info AES-128-CBC', label: 'EC PRIVATE KEY' },
  { name: 'pkcs8 -v1 PBE-SHA1-3DES', key: 'rsa', args: ['pkcs8', '-topk8', '-v1', 'PBE-SHA1-3DES'], format: 'encrypted-pkcs8', encryption: 'pbeWithSHAAnd3-KeyTripleDES-CBC', label: 'ENCRYPTED PRIVATE KEY' },
  { name: 'pkcs8 -v1 PBE-SHA1-2DES', key: 'p256', args: ['pkcs8', '-topk8', '-v1', 'PBE-SHA1-2DES'], format: 'encrypted-pkcs8', encryption: 'pbeWithSHAAnd2-KeyTripleDES-CBC', label: 'ENCRYPTED PRIVATE KEY' },
  {
    name: 'pkcs8 -v1 PBE-SHA1-RC2-128',
    key: 'p256',
    args: ['pkcs8', '-topk8', '-v1', 'PBE-SHA1-RC2-128', ...LEGACY],
    format: 'encrypted-pkcs8',
    encryption: 'pbeWithSHAAnd128BitRC2-CBC',
    label: 'ENCRYPTED PRIVATE KEY',
  },
  {
    name: 'pkcs8 -v1 PBE-SHA1-RC2-40',
    key: 'p256',
    args: ['pkcs8', '-topk8', '-v1', 'PBE-SHA1-RC2-40', ...LEGACY],
    format: 'encrypted-pkcs8',
    encryption: 'pbeWithSHAAnd40BitRC2-CBC',
    label: 'ENCRYPTED PRIVATE KEY',
  },
  { name: 'pkcs8 -v1 PBE-MD5-DES (PBES1)', key: 'p256', args: ['pkcs8', '-topk8', '-v1', 'PBE-MD5-DES', ...LEGACY], format: 'encrypted-pkcs8', encryption: 'pbeWithMD5AndDES-CBC', label: 'ENCRYPTED PRIVATE KEY' },
  { name: 'pkcs8 -v1 PBE-SHA1-DES (PBES1)', key: 'rsa', args: ['pkcs8', '-topk8', '-v1', 'PBE-SHA1-DES', ...LEGACY], format: 'encrypted-pkcs8', encryption: 'pbeWithSHA1AndDES-CBC', label: 'ENCRYPTED PRIVATE KEY' },
  {
    name: 'pkcs8 -v1 PBE-MD5-RC2-64 (PBES1)',
    key: 'p256',
    args: ['pkcs8', '-topk8', '-v1', 'PBE-MD5-RC2-64', ...LEGACY],
    format: 'encrypted-pkcs8',
    encryption: 'pbeWithMD5AndRC2-CBC',
    label: 'ENCRYPTED PRIVATE KEY',
  },
  {
    name: 'pkcs8 -v1 PBE-SHA1-RC2-64 (PBES1)',
    key: 'p256',
    args: ['pkcs8', '-topk8', '-v1', 'PBE-SHA1-RC2-64', ...LEGACY],
    format: 'encrypted-pkcs8',
    encryption: 'pbeWithSHA1AndRC2-CBC',
    label: 'ENCRYPTED PRIVATE KEY',
  },
  { name: 'pkcs8 -v2 des3', key: 'rsa', args: ['pkcs8', '-topk8', '-v2', 'des3'], format: 'encrypted-pkcs8', encryption: 'PBES2 PBKDF2-HMAC-SHA-256 DES-EDE3-CBC', label: 'ENCRYPTED PRIVATE KEY' },
  { name: 'pkcs8 -v2 des', key: 'p256', args: ['pkcs8', '-topk8', '-v2', 'des', ...LEGACY], format: 'encrypted-pkcs8', encryption: 'PBES2 PBKDF2-HMAC-SHA-256 DES-CBC', label: 'ENCRYPTED PRIVATE KEY' },
  { name: 'pkcs8 -v2 rc2 (RC2-CBC, 128 bits)', key: 'p256', args: ['pkcs8', '-topk8', '-v2', 'rc2', ...LEGACY], format: 'encrypted-pkcs8', encryption: 'PBES2 PBKDF2-HMAC-SHA-256 RC2-CBC', label: 'ENCRYPTED PRIVATE KEY' },
  {
    name: 'pkcs8 -v2 aes-128-cbc -v2prf hmacWithSHA1',
    key: 'p384',
    args: ['pkcs8', '-topk8', '-v2', 'aes-128-cbc', '-v2prf', 'hmacWithSHA1'],
    format: 'encrypted-pkcs8',
    encryption: 'PBES2 PBKDF2-HMAC-SHA-1 AES-128-CBC',
    label: 'ENCRYPTED PRIVATE KEY',
  },
  {
    name: 'pkcs8 -v2 aes-192-cbc -v2prf hmacWithSHA224',
    key: 'p384',
    args: ['pkcs8', '-topk8', '-v2', 'aes-192-cbc', '-v2prf', 'hmacWithSHA224'],
    format: 'encrypted-pkcs8',
    encryption: 'PBES2 PBKDF2-HMAC-SHA-224 AES-192-CBC',
    label: 'ENCRYPTED PRIVATE KEY',
  },
  {
    name: 'pkcs8 -v2 aes-256-cbc -v2prf hmacWithSHA384',
    key: 'p521',
    args: ['pkcs8', '-topk8', '-v2', 'aes-256-cbc', '-v2prf', 'hmacWithSHA384'],
    format: 'encrypted-pkcs8',
    encryption: 'PBES2 PBKDF2-HMAC-SHA-384 AES-256-CBC',
    label: 'ENCRYPTED PRIVATE KEY',
  },
  {
    name: 'pkcs8 -v2 aes-256-cbc -v2prf hmacWithSHA512 -iter 1',
    key: 'rsa',
    args: ['pkcs8', '-topk8', '-v2', 'aes-256-cbc', '-v2prf', 'hmacWithSHA512', '-iter', '1'],
    format: 'encrypted-pkcs8',
    encryption: 'PBES2 PBKDF2-HMAC-SHA-512 AES-256-CBC',
    label: 'ENCRYPTED PRIVATE KEY',
  },
  {
    name: 'pkcs8 -v2 aes-128-cbc',
    key: 'rsa',
    args: ['pkcs8', '-topk8', '-v2', 'aes-128-cbc'],
    format: 'encrypted-pkcs8',
    encryption: 'PBES2 PBKDF2-HMAC-SHA-256 AES-128-CBC',
    label: 'ENCRYPTED PRIVATE KEY',
  },
  { name: 'non-ASCII password, PBES2', key: 'p256', args: ['pkey', '-aes256'], format: 'encrypted-pkcs8', encryption: 'PBES2 PBKDF2-HMAC-SHA-256 AES-256-CBC', label: 'ENCRYPTED PRIVATE KEY', password: 'pässwörd €' },
  {
    name: 'non-ASCII password, PKCS#12 PBE (BMPString)',
    key: 'p256',
    args: ['pkcs8', '-topk8', '-v1', 'PBE-SHA1-3DES'],
    format: 'encrypted-pkcs8',
    encryption: 'pbeWithSHAAnd3-KeyTripleDES-CBC',
    label: 'ENCRYPTED PRIVATE KEY',
    password: 'pässwörd €',
  },
  { name: 'non-ASCII password, legacy PEM', key: 'p256', args: ['ec', '-aes256'], format: 'sec1', encryption: 'DEK-Info AES-256-CBC', label: 'EC PRIVATE KEY', password: 'pässwörd €' },
];

/** OpenSSL's encryption of a fixture key (stdin PEM → stdout PEM). */
function encryptWithOpenssl(c: EncCase): string {
  return text([...c.args, '-passout', `pass:${c.password ?? PW}`], keys[c.key].pem);
}

describe('readPrivateKey: encrypted keys made by OpenSSL', () => {
  const pems = new Map<string, string>();
  const pemOf = (c: EncCase): string => {
    let p = pems.get(c.name);
    if (p === undefined) pems.set(c.name, (p = encryptWithOpenssl(c)));
    return p;
  };

  it.each(ENC_CASES)('$name', async (c) => {
    const pem = pemOf(c);
    expect(pem).toContain(`-----BEGIN ${c.label}-----`);
    const block = readPem(pem)[0]!;
    expect(isEncryptedKeyBlock(block)).toBe(true);
    const got = await readPrivateKey(pem, c.password ?? PW, core);
    expect(got.pkcs8).toEqual(keys[c.key].der);
    expect(got.format).toBe(c.format);
    expect(got.encryption).toBe(c.encryption);
    expect(got.algorithm).toBe(c.key === 'rsa' ? 'rsa' : 'ec');
  });

  it.each(ENC_CASES)('$name: wrong password is key-password, none is password-required', async (c) => {
    const pem = pemOf(c);
    const wrong = await errorOf(readPrivateKey(pem, 'not the password', core));
    expect(wrong.code).toBe('key-password');
    expect(wrong.message).toBe('key.read: wrong password (the private key does not decrypt)');
    expect((await errorOf(readPrivateKey(pem, undefined, core))).code).toBe('password-required');
  });

  it('a DER Node Buffer is read twice and left unchanged (regression: Buffer#slice is a view)', async () => {
    for (const c of [ENC_CASES[0]!, ENC_CASES[9]!]) {
      const buf = Buffer.from(readPem(pemOf(c))[0]!.der);
      const before = Uint8Array.from(buf);
      for (let i = 0; i < 2; i++) expect((await readPrivateKey(buf, PW, core)).pkcs8).toEqual(keys[c.key].der);
      expect(Uint8Array.from(buf)).toEqual(before);
    }
    const plain = Buffer.from(keys.p256.der);
    const got = await readPrivateKey(plain, undefined, core);
    got.pkcs8.fill(0);
    expect(Uint8Array.from(plain)).toEqual(keys.p256.der);
  });

  it('openssl genpkey ... -aes-128-cbc and -des3 output reads', async () => {
    for (const cipher of ['-aes-128-cbc', '-des3']) {
      const pem = text(['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', cipher, '-pass', `pass:${PW}`]);
      const ref = new Uint8Array(ossl([...TOPK8, '-passin', `pass:${PW}`], pem));
      const got = await readPrivateKey(pem, PW, core);
      expect(got.pkcs8).toEqual(ref);
      expect(got.encryption).toBe(cipher === '-des3' ? 'PBES2 PBKDF2-HMAC-SHA-256 DES-EDE3-CBC' : 'PBES2 PBKDF2-HMAC-SHA-256 AES-128-CBC');
    }
  });

  it('an empty password works for PBES2 and the PKCS#12 PBE (both RFC 7292 encodings tried)', async () => {
    for (const args of [['-v2', 'aes-256-cbc'], ['-v1', 'PBE-SHA1-3DES']]) {
      const pem = text(['pkcs8', '-topk8', ...args, '-passout', 'pass:'], keys.p256.pem);
      expect((await readPrivateKey(pem, '', core)).pkcs8).toEqual(keys.p256.der);
      expect((await errorOf(readPrivateKey(pem, 'x', core))).code).toBe('key-password');
    }
    expect(passwordCandidates('').map((p) => p.bmp)).toEqual([Uint8Array.of(0, 0), new Uint8Array(0)]);
  });

  it.each([
    { name: 'scrypt', args: ['-scrypt'], match: /scrypt/ },
    { name: 'PBES2 with Camellia', args: ['-v2', 'camellia-256-cbc'], match: /Camellia-256-CBC/ },
    { name: 'PBES2 with ARIA (an OID we do not name)', args: ['-v2', 'aria-128-cbc'], match: /PBES2 encryption scheme 1\.2\.410\.200046\.1\.1\.2 is not supported/ },
  ])('$name is unsupported, named', async ({ args, match }) => {
    const pem = text(['pkcs8', '-topk8', ...args, '-passout', `pass:${PW}`], keys.p256.pem);
    const err = await errorOf(readPrivateKey(pem, PW, core));
    expect(err.code).toBe('unsupported');
    expect(err.message).toMatch(match);
  });

  it('damaged ciphertext gives key-password or bad-key, never a crash', async () => {
    const rnd = ((): (() => number) => {
      let a = 0xc0ffee;
      return () => ((a = (Math.imul(a, 1103515245) + 12345) >>> 0) / 2 ** 32);
    })();
    for (const c of [ENC_CASES[0]!, ENC_CASES[1]!, ENC_CASES[9]!]) {
      const block = readPem(pemOf(c))[0]!;
      const codes = new Set<string>();
      for (let i = 0; i < 60; i++) {
        const der = block.der.slice();
        der[Math.floor(rnd() * der.length)]! ^= 1 + Math.floor(rnd() * 255);
        const err = await readPrivateKey({ ...block, der }, PW, core).then(
          () => undefined,
          (e: unknown) => e,
        );
        if (err === undefined) continue; // a flip in an ignored byte (e.g. the DEK-Info-free tail of a parameter) may survive
        expect(err).toBeInstanceOf(PkiError);
        codes.add((err as PkiError).code);
      }
      expect([...codes].every((x) => ['key-password', 'bad-key', 'unsupported'].includes(x)), [...codes].join()).toBe(true);
      expect(codes.has('key-password')).toBe(true);
    }
  });
});

// ---------------------------------------------------------------------------------------------
// Unencrypted keys

describe('readPrivateKey: unencrypted keys', () => {
  it.each([
    { name: 'PRIVATE KEY (PKCS#8)', key: 'rsa' as const, args: ['pkey'], format: 'pkcs8' },
    { name: 'RSA PRIVATE KEY (PKCS#1)', key: 'rsa' as const, args: ['rsa', '-traditional'], format: 'pkcs1' },
    { name: 'EC PRIVATE KEY P-256 (SEC1)', key: 'p256' as const, args: ['ec'], format: 'sec1' },
    { name: 'EC PRIVATE KEY P-384 (SEC1)', key: 'p384' as const, args: ['ec'], format: 'sec1' },
    { name: 'EC PRIVATE KEY P-521 (SEC1)', key: 'p521' as const, args: ['ec'], format: 'sec1' },
    { name: 'EC PRIVATE KEY secp256k1 (SEC1)', key: 'k256' as const, args: ['ec'], format: 'sec1' },
  ])('$name → the PKCS#8 bytes of openssl pkcs8 -topk8', async ({ key, args, format }) => {
    const pem = text(args, keys[key].pem);
    const got = await readPrivateKey(pem, undefined, core);
    expect(got.pkcs8).toEqual(keys[key].der);
    expect(got.format).toBe(format);
    expect(got.encryption).toBeUndefined();
    // DER input and a password that is not needed
    const der = new Uint8Array(ossl([...args, '-outform', 'DER'], keys[key].pem));
    expect((await readPrivateKey(der, 'ignored', core)).pkcs8).toEqual(keys[key].der);
  });

  it('SEC1 without the public key wraps as OpenSSL wraps it', async () => {
    const sec1 = text(['ec', '-no_public'], keys.p256.pem);
    const ref = new Uint8Array(ossl(TOPK8, sec1));
    expect((await readPrivateKey(sec1, undefined, core)).pkcs8).toEqual(ref);
  });

  it('SEC1 with explicit curve parameters is unsupported', async () => {
    const sec1 = text(['ec', '-param_enc', 'explicit'], keys.p256.pem);
    const err = await errorOf(readPrivateKey(sec1, undefined, core));
    expect(err.code).toBe('unsupported');
    expect(err.message).toMatch(/explicit curve parameters/);
  });

  it('picks the key out of a paste with a certificate around it; refuses two keys or none', async () => {
    writeFileSync(join(dir, 'p256.key'), keys.p256.pem);
    const cert = text(['req', '-x509', '-new', '-key', 'p256.key', '-subj', '/CN=x', '-days', '1']);
    const got = await readPrivateKey(`${cert}\nsome text\n${keys.p256.pem}`, undefined, core);
    expect(got.pkcs8).toEqual(keys.p256.der);
    const two = await errorOf(readPrivateKey(keys.p256.pem + keys.rsa.pem, undefined, core));
    expect(two.code).toBe('bad-key');
    expect(two.message).toBe('key.read: 2 private keys found; give one at a time');
    const none = await errorOf(readPrivateKey(cert, undefined, core));
    expect(none.code).toBe('bad-key');
    expect(none.message).toBe('key.read: no private key found (found CERTIFICATE)');
  });

  it('malformed keys are bad-key, naming what', async () => {
    expect(() => pkcs1ToPkcs8(Uint8Array.of(0x30, 0x03, 0x02, 0x01, 0x00))).toThrow(/RSAPrivateKey has 1 element, expected at least 9/);
    expect(() => sec1ToPkcs8(Uint8Array.of(0x30, 0x06, 0x02, 0x01, 0x01, 0x04, 0x01, 0x05))).toThrow(/does not name its curve/);
    expect(() => checkPkcs8(Uint8Array.of(0x30, 0x03, 0x02, 0x01, 0x07))).toThrow(PkiError);
    expect(() => checkPkcs8(keys.rsa.der.subarray(0, 100))).toThrow(/PKCS#8 key/);
  });
});

// ---------------------------------------------------------------------------------------------
// Writing

describe('writing keys: OpenSSL reads what we write', () => {
  it.each([
    { profile: 'aes' as const, key: 'rsa' as const, password: PW, names: ['PBES2', 'PBKDF2', 'hmacWithSHA256', 'aes-256-cbc'], iter: ':2710' },
    { profile: 'aes' as const, key: 'p384' as const, password: 'pässwörd €', names: ['PBES2', 'PBKDF2', 'hmacWithSHA256', 'aes-256-cbc'], iter: ':2710' },
    { profile: '3des' as const, key: 'rsa' as const, password: PW, names: ['pbeWithSHA1And3-KeyTripleDES-CBC'], iter: ':0800' },
    { profile: '3des' as const, key: 'p256' as const, password: 'pässwörd €', names: ['pbeWithSHA1And3-KeyTripleDES-CBC'], iter: ':0800' },
  ])('$profile profile, $key key', async ({ profile, key, password, names, iter }) => {
    const pem = await writeEncryptedPrivateKeyPem(keys[key].der, password, core, { profile });
    expect(pem.startsWith('-----BEGIN ENCRYPTED PRIVATE KEY-----\n')).toBe(true);
    const file = `w${++counter}.pem`;
    writeFileSync(join(dir, file), pem);
    // openssl pkey -passin decrypts it to the same key
    const back = new Uint8Array(ossl([...TOPK8, '-in', file, '-passin', `pass:${password}`]));
    expect(back).toEqual(keys[key].der);
    expect(text(['pkey', '-in', file, '-passin', `pass:${password}`])).toBe(text(['pkey'], keys[key].pem));
    const asn1 = text(['asn1parse', '-in', file]);
    for (const n of names) expect(asn1).toContain(`:${n}`);
    expect(asn1).toContain(`INTEGER           ${iter}`);
    expect((await errorOf(readPrivateKey(pem, 'wrong', core))).code).toBe('key-password');
    const ours = await readPrivateKey(pem, password, core);
    expect(ours.pkcs8).toEqual(keys[key].der);
  });

  it('iterations can be raised; salts and IVs are fresh', async () => {
    const a = await encryptPrivateKeyInfo(keys.p256.der, PW, core, { profile: 'aes', iterations: 50_000 });
    const b = await encryptPrivateKeyInfo(keys.p256.der, PW, core, { profile: 'aes', iterations: 50_000 });
    expect(a).not.toEqual(b);
    writeFileSync(join(dir, 'it.der'), a);
    expect(text(['asn1parse', '-inform', 'DER', '-in', 'it.der'])).toContain('INTEGER           :C350');
    expect(new Uint8Array(ossl([...TOPK8, '-inform', 'DER', '-in', 'it.der', '-passin', `pass:${PW}`]))).toEqual(keys.p256.der);
  });

  it('writePrivateKeyPem is byte for byte what openssl pkcs8 -topk8 -nocrypt prints', () => {
    for (const k of ['rsa', 'p256', 'p521'] as const) expect(writePrivateKeyPem(keys[k].der)).toBe(text(['pkcs8', '-topk8', '-nocrypt'], keys[k].pem));
  });

  it('refuses what is not PKCS#8, and bad options', async () => {
    const pkcs1 = new Uint8Array(ossl(['rsa', '-traditional', '-outform', 'DER'], keys.rsa.pem));
    expect((await errorOf(encryptPrivateKeyInfo(pkcs1, PW, core, { profile: 'aes' }))).code).toBe('bad-key');
    expect(() => writePrivateKeyPem(pkcs1)).toThrow(PkiError);
    await expect(encryptPrivateKeyInfo(keys.p256.der, PW, core, { profile: 'aes', iterations: 999 })).rejects.toThrow(RangeError);
    await expect(encryptPrivateKeyInfo(keys.p256.der, PW, core, { profile: 'des' as 'aes' })).rejects.toThrow(RangeError);
  });
});
