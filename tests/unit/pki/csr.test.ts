/**
 * PKCS#10 requests (src/pki/csr.ts): built with WebCrypto signers (RSA 2048, P-256, P-384,
 * P-521) and refereed by OpenSSL (`req -verify`, `req -text`, `asn1parse`, and byte-for-byte
 * against `openssl req -new` with the same key); parsed back, including OpenSSL's requests.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { HashAlg } from '../../../src/core/api.ts';
import type { KeyInfo, Signer, VerifyFn } from '../../../src/crypto/types.ts';
import { generateWebCryptoSigner, webCryptoSigner } from '../../../src/crypto/webcrypto.ts';
import {
  buildCsr,
  csrSignatureAlgorithm,
  EKU,
  formatIp,
  iosKeyUsage,
  iosSubject,
  parseCsr,
  parseIp,
  type CsrParams,
  type IosKeyPurpose,
  type IosUsage,
} from '../../../src/pki/csr.ts';
import { parseX500Name } from '../../../src/pki/names.ts';
import { decodeBase64, writeCsrPem } from '../../../src/pki/pem.ts';
import { PkiError } from '../../../src/util/errors.ts';
import { IOS_GUIDE } from '../../shared.ts';

const GUIDE = IOS_GUIDE;
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

// ---------------------------------------------------------------------------------------------
// OpenSSL, the referee

let dir = '';
let seq = 0;
const tmp = (ext: string) => join(dir, `f${++seq}.${ext}`);
const ossl = (args: string[]): Uint8Array => new Uint8Array(execFileSync('openssl', args, { cwd: dir, stdio: ['pipe', 'pipe', 'pipe'] }));

/** `openssl req -verify -noout`: OpenSSL's verdict (stderr) and exit status. */
function opensslVerify(der: Uint8Array): string {
  const f = tmp('pem');
  writeFileSync(f, writeCsrPem(der));
  const r = spawnSync('openssl', ['req', '-in', f, '-verify', '-noout'], { encoding: 'utf8' });
  return `${r.status}: ${(r.stderr + r.stdout).trim()}`;
}

/** `openssl req -text`: the subject line, the lines under Attributes, the signature algorithm. */
function opensslText(der: Uint8Array): { subject: string; body: string[]; signatureAlgorithm: string } {
  const f = tmp('der');
  writeFileSync(f, der);
  const t = execFileSync('openssl', ['req', '-inform', 'DER', '-in', f, '-text', '-noout', '-reqopt', 'no_pubkey', '-nameopt', 'utf8,sep_comma_plus_space,space_eq,-esc_msb'], {
    encoding: 'utf8',
  });
  const lines = t.split('\n');
  const subject = lines.find((l) => l.trim().startsWith('Subject:'))!.trim().replace(/^Subject:\s?/, '');
  const a = lines.findIndex((l) => l.trim() === 'Attributes:');
  const s = lines.findIndex((l) => l.trim().startsWith('Signature Algorithm:'));
  return {
    subject,
    body: lines
      .slice(a + 1, s)
      .map((l) => l.trim())
      .filter(Boolean),
    signatureAlgorithm: lines[s]!.trim().replace('Signature Algorithm: ', ''),
  };
}

/** The string-typed values of the request, in order, as `openssl asn1parse` types them. */
function opensslStrings(der: Uint8Array): string[] {
  const f = tmp('der');
  writeFileSync(f, der);
  const t = execFileSync('openssl', ['asn1parse', '-inform', 'DER', '-in', f], { encoding: 'utf8' });
  const out: string[] = [];
  for (const l of t.split('\n')) {
    const m = /prim: (PRINTABLESTRING|UTF8STRING|IA5STRING|BMPSTRING|T61STRING)\s*:(.*)$/.exec(l);
    if (m) out.push(`${m[1]}:${m[2]}`);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// A WebCrypto VerifyFn (RSASSA-PKCS1-v1_5, ECDSA with DER signatures)

const RSA_HASH: Record<string, string> = { '1.2.840.113549.1.1.5': 'SHA-1', '1.2.840.113549.1.1.11': 'SHA-256', '1.2.840.113549.1.1.12': 'SHA-384', '1.2.840.113549.1.1.13': 'SHA-512' };
const EC_HASH: Record<string, string> = { '1.2.840.10045.4.1': 'SHA-1', '1.2.840.10045.4.3.2': 'SHA-256', '1.2.840.10045.4.3.3': 'SHA-384', '1.2.840.10045.4.3.4': 'SHA-512' };

function derToP1363(sig: Uint8Array, n: number): Uint8Array | undefined {
  let p = 0;
  const len = () => {
    let l = sig[p++]!;
    if (l & 0x80) {
      const k = l & 0x7f;
      l = 0;
      for (let i = 0; i < k; i++) l = l * 256 + sig[p++]!;
    }
    return l;
  };
  if (sig[p++] !== 0x30) return undefined;
  len();
  const out = new Uint8Array(2 * n);
  for (let k = 0; k < 2; k++) {
    if (sig[p++] !== 0x02) return undefined;
    const l = len();
    let v = sig.subarray(p, p + l);
    p += l;
    while (v.length > n && v[0] === 0) v = v.subarray(1);
    if (v.length > n) return undefined;
    out.set(v, k * n + n - v.length);
  }
  return out;
}

const own = (b: Uint8Array) => b.slice() as Uint8Array<ArrayBuffer>;

const webCryptoVerify: VerifyFn = async ({ algorithm, spki, data, signature }) => {
  const rsa = RSA_HASH[algorithm];
  if (rsa) {
    const key = await crypto.subtle.importKey('spki', own(spki), { name: 'RSASSA-PKCS1-v1_5', hash: rsa }, false, ['verify']);
    return crypto.subtle.verify('RSASSA-PKCS1-v1_5', key, own(signature), own(data));
  }
  const ec = EC_HASH[algorithm];
  if (!ec) return false;
  for (const [curve, n] of [['P-256', 32], ['P-384', 48], ['P-521', 66]] as const) {
    let key: CryptoKey;
    try {
      key = await crypto.subtle.importKey('spki', own(spki), { name: 'ECDSA', namedCurve: curve }, false, ['verify']);
    } catch {
      continue;
    }
    const raw = derToP1363(signature, n);
    return raw ? crypto.subtle.verify({ name: 'ECDSA', hash: ec }, key, own(raw), own(data)) : false;
  }
  return false;
};

// ---------------------------------------------------------------------------------------------
// Signers

type SignerCase = { name: string; signer: Signer; sigAlg: string; sigOid: string };
const signers: SignerCase[] = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tp-csr-'));
  const specs: [string, KeyInfo, string, string][] = [
    ['RSA 2048', { kind: 'rsa', bits: 2048 }, 'sha256WithRSAEncryption', '1.2.840.113549.1.1.11'],
    ['P-256', { kind: 'ec', curve: 'P-256' }, 'ecdsa-with-SHA256', '1.2.840.10045.4.3.2'],
    ['P-384', { kind: 'ec', curve: 'P-384' }, 'ecdsa-with-SHA384', '1.2.840.10045.4.3.3'],
    ['P-521', { kind: 'ec', curve: 'P-521' }, 'ecdsa-with-SHA512', '1.2.840.10045.4.3.4'],
  ];
  for (const [name, key, sigAlg, sigOid] of specs) signers.push({ name, signer: (await generateWebCryptoSigner(key)).signer, sigAlg, sigOid });
}, 60_000);
afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

// ---------------------------------------------------------------------------------------------
// The variants, each checked with every signer

type Variant = {
  name: string;
  params: (key: KeyInfo) => CsrParams;
  subject: string;
  body: (key: KeyInfo) => string[];
  strings: string[];
};

const kuText = (key: KeyInfo) => (key.kind === 'rsa' ? 'Digital Signature, Key Encipherment' : 'Digital Signature');

const variants: Variant[] = [
  {
    name: 'IOS default: the FQDN only (unstructuredName), usage ike',
    params: (key) => ({ subject: iosSubject({ fqdn: 'router.example.com' }), ...iosKeyUsage(['ike'], 'general', key) }),
    subject: 'unstructuredName = router.example.com',
    body: (key) => ['Requested Extensions:', 'X509v3 Key Usage: critical', kuText(key)],
    strings: ['IA5STRING:router.example.com'],
  },
  {
    name: 'FQDN + serial number + IP address (one multi-valued RDN) and a challenge password',
    params: () => ({
      subject: iosSubject({ fqdn: 'test.example.com', serialNumber: 'C63EBBE9', ipAddress: '10.3.0.18' }),
      challengePassword: 'cisco123',
    }),
    subject: 'serialNumber = C63EBBE9 + unstructuredAddress = 10.3.0.18 + unstructuredName = test.example.com',
    body: () => ['challengePassword        :cisco123', 'Requested Extensions:'], // OpenSSL prints the heading even without an extensionRequest
    strings: ['PRINTABLESTRING:C63EBBE9', 'PRINTABLESTRING:10.3.0.18', 'IA5STRING:test.example.com', 'PRINTABLESTRING:cisco123'],
  },
  {
    name: 'subject-name with UTF-8, e-mail and country, the IOS identity, every SAN kind, ssl-server + ssl-client + ike',
    params: (key) => ({
      subject: iosSubject({ subjectName: parseX500Name('CN=router, OU=Spiral Dept., O=Société Générale, C=FR, E=admin@example.com'), fqdn: 'router.example.com', ipAddress: '2001:db8::7' }),
      challengePassword: 'p@ss wörd',
      subjectAltName: [
        { type: 'dns', value: 'router.example.com' },
        { type: 'dns', value: '*.vpn.example.com' },
        { type: 'ip', value: '192.0.2.1' },
        { type: 'ip', value: '2001:db8::1' },
        { type: 'email', value: 'noc@example.com' },
        { type: 'uri', value: 'https://router.example.com/' },
      ],
      ...iosKeyUsage(['ike', 'ssl-server', 'ssl-client'], 'general', key),
    }),
    subject: 'CN = router, OU = Spiral Dept., O = Société Générale, C = FR, emailAddress = admin@example.com, unstructuredAddress = 2001:db8::7 + unstructuredName = router.example.com',
    body: (key) => [
      'challengePassword        :p@ss wörd',
      'Requested Extensions:',
      'X509v3 Key Usage: critical',
      kuText(key),
      'X509v3 Extended Key Usage:',
      'TLS Web Client Authentication, TLS Web Server Authentication, ipsec Internet Key Exchange',
      'X509v3 Subject Alternative Name:',
      'DNS:router.example.com, DNS:*.vpn.example.com, IP Address:192.0.2.1, IP Address:2001:DB8:0:0:0:0:0:1, email:noc@example.com, URI:https://router.example.com/',
    ],
    strings: [
      'PRINTABLESTRING:router',
      'PRINTABLESTRING:Spiral Dept.',
      'UTF8STRING:Société Générale',
      'PRINTABLESTRING:FR',
      'IA5STRING:admin@example.com',
      'PRINTABLESTRING:2001:db8::7',
      'IA5STRING:router.example.com',
      'UTF8STRING:p@ss wörd',
    ],
  },
  {
    name: 'usage-keys, signature key (the guide’s signature request: digitalSignature only)',
    params: (key) => ({ subject: iosSubject({ fqdn: 'SandBagger.example.com' }), ...iosKeyUsage(['ike'], 'signature', key) }),
    subject: 'unstructuredName = SandBagger.example.com',
    body: () => ['Requested Extensions:', 'X509v3 Key Usage: critical', 'Digital Signature'],
    strings: ['IA5STRING:SandBagger.example.com'],
  },
  {
    name: 'usage-keys, encryption key',
    params: (key) => ({ subject: iosSubject({ fqdn: 'SandBagger.example.com' }), ...iosKeyUsage(['ike'], 'encryption', key) }),
    subject: 'unstructuredName = SandBagger.example.com',
    body: (key) => ['Requested Extensions:', 'X509v3 Key Usage: critical', key.kind === 'rsa' ? 'Key Encipherment' : 'Key Agreement'],
    strings: ['IA5STRING:SandBagger.example.com'],
  },
  {
    name: 'an empty subject with subjectAltName (then critical, RFC 5280 §4.2.1.6)',
    params: () => ({ subject: [], subjectAltName: [{ type: 'dns', value: 'only-san.example.com' }] }),
    subject: '',
    body: () => ['Requested Extensions:', 'X509v3 Subject Alternative Name: critical', 'DNS:only-san.example.com'],
    strings: [],
  },
  {
    name: 'a long challenge password sorts after the extension request (DER SET OF order)',
    params: () => ({ subject: iosSubject({ fqdn: 'r.example.com' }), challengePassword: 'x'.repeat(200), extendedKeyUsage: [EKU.clientAuth] }),
    subject: 'unstructuredName = r.example.com',
    body: () => [`challengePassword        :${'x'.repeat(200)}`, 'Requested Extensions:', 'X509v3 Extended Key Usage:', 'TLS Web Client Authentication'],
    strings: ['IA5STRING:r.example.com', `PRINTABLESTRING:${'x'.repeat(200)}`],
  },
];

describe.each(variants)('$name', (v) => {
  test.each(['RSA 2048', 'P-256', 'P-384', 'P-521'])('%s: openssl verifies it and shows exactly what was asked', async (name) => {
    const s = signers.find((x) => x.name === name)!;
    const der = await buildCsr(v.params(s.signer.key), s.signer);
    expect(opensslVerify(der)).toBe('0: Certificate request self-signature verify OK');
    const t = opensslText(der);
    expect(t.subject).toBe(v.subject);
    expect(t.body).toEqual(v.body(s.signer.key));
    expect(t.signatureAlgorithm).toBe(s.sigAlg);
    expect(opensslStrings(der)).toEqual(v.strings);
    // and our own reader agrees, including the signature
    const view = await parseCsr(der, webCryptoVerify);
    expect(view.signatureValid).toBe(true);
    expect(view.signatureAlgorithm).toBe(s.sigOid);
    expect(hex(view.spki)).toBe(hex(s.signer.spki));
    expect(view.publicKey).toEqual(s.signer.key);
  });
});

// ---------------------------------------------------------------------------------------------
// Byte for byte against `openssl req -new` with the same key

describe('the same request as openssl req -new, byte for byte', () => {
  const config = (dn: string, attrs: string, ext: string) =>
    `[req]\ndistinguished_name = dn\nreq_extensions = ext\nattributes = attrs\nprompt = no\nstring_mask = MASK:0x2002\nutf8 = yes\n[dn]\n${dn}\n[attrs]\n${attrs}\n[ext]\n${ext}\n`;
  async function importedSigner(keyPem: string, alg: RsaHashedImportParams | EcKeyImportParams): Promise<Signer> {
    const p8 = ossl(['pkcs8', '-topk8', '-nocrypt', '-in', keyPem, '-outform', 'DER']);
    const spki = ossl(['pkey', '-in', keyPem, '-pubout', '-outform', 'DER']);
    const privateKey = await crypto.subtle.importKey('pkcs8', own(p8), alg, false, ['sign']);
    const publicKey = await crypto.subtle.importKey('spki', own(spki), alg, true, ['verify']);
    return webCryptoSigner({ privateKey, publicKey });
  }
  const dn = 'CN = router\nO = Société Générale\nC = FR\nemailAddress = admin@example.com\nserialNumber = C63EBBE9\n+unstructuredAddress = 10.3.0.18';
  const ext = 'keyUsage = critical, digitalSignature, keyEncipherment\nextendedKeyUsage = serverAuth, clientAuth\nsubjectAltName = DNS:router.example.com, IP:192.0.2.1, IP:2001:db8::1, email:a@b.c';
  const params = (pw: string): CsrParams => ({
    subject: [
      ...parseX500Name('CN=router, O=Société Générale, C=FR, E=admin@example.com'),
      // given out of order: the builder sorts the SET (X.690 §11.6)
      [
        { oid: '1.2.840.113549.1.9.8', short: 'ipaddress', value: '10.3.0.18' },
        { oid: '2.5.4.5', short: 'serialNumber', value: 'C63EBBE9' },
      ],
    ],
    challengePassword: pw,
    keyUsage: ['keyEncipherment', 'digitalSignature'],
    extendedKeyUsage: [EKU.serverAuth, EKU.clientAuth],
    subjectAltName: [
      { type: 'dns', value: 'router.example.com' },
      { type: 'ip', value: '192.0.2.1' },
      { type: 'ip', value: '2001:db8::1' },
      { type: 'email', value: 'a@b.c' },
    ],
  });
  test.each([
    ['a short challenge password (sorted first)', 'secret pw'],
    ['a 200-character challenge password (sorted last)', 'y'.repeat(200)],
  ])('RSA 2048, SHA-256 (deterministic signature): %s', async (_, pw) => {
    const key = tmp('pem');
    ossl(['genrsa', '-out', key, '2048']);
    const cnf = tmp('cnf');
    writeFileSync(cnf, config(dn, `challengePassword = ${pw}`, ext));
    const theirs = ossl(['req', '-new', '-key', key, '-config', cnf, '-outform', 'DER']);
    const signer = await importedSigner(key, { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' });
    const ours = await buildCsr(params(pw), signer);
    expect(hex(ours)).toBe(hex(theirs));
  });
  test('P-384: the same CertificationRequestInfo (ECDSA signatures are randomized)', async () => {
    const key = tmp('pem');
    ossl(['ecparam', '-name', 'secp384r1', '-genkey', '-noout', '-out', key]);
    const cnf = tmp('cnf');
    writeFileSync(cnf, config(dn, 'challengePassword = secret pw', ext));
    const theirs = await parseCsr(ossl(['req', '-new', '-key', key, '-config', cnf, '-sha384', '-outform', 'DER']), webCryptoVerify);
    const signer = await importedSigner(key, { name: 'ECDSA', namedCurve: 'P-384' });
    const ours = await parseCsr(await buildCsr(params('secret pw'), signer), webCryptoVerify);
    expect(hex(ours.info)).toBe(hex(theirs.info));
    expect([ours.signatureValid, theirs.signatureValid]).toEqual([true, true]);
    expect(ours.signatureAlgorithm).toBe(theirs.signatureAlgorithm);
  });
});

// ---------------------------------------------------------------------------------------------
// Hashes and signature algorithms

describe('signature algorithm and hash', () => {
  test('the hash parameter picks the algorithm; openssl agrees', async () => {
    const p256 = signers.find((x) => x.name === 'P-256')!.signer;
    for (const [h, name] of [['SHA-384', 'ecdsa-with-SHA384'], ['SHA-512', 'ecdsa-with-SHA512'], ['SHA-1', 'ecdsa-with-SHA1']] as const) {
      const der = await buildCsr({ subject: iosSubject({ fqdn: 'r.example.com' }) }, p256, h);
      expect(opensslVerify(der)).toBe('0: Certificate request self-signature verify OK');
      expect(opensslText(der).signatureAlgorithm).toBe(name);
    }
    const { signer } = await generateWebCryptoSigner({ kind: 'rsa', bits: 2048 }, { hash: 'SHA-384' });
    const der = await buildCsr({ subject: iosSubject({ fqdn: 'r.example.com' }) }, signer);
    expect(opensslText(der).signatureAlgorithm).toBe('sha384WithRSAEncryption');
    expect(opensslVerify(der)).toBe('0: Certificate request self-signature verify OK');
  }, 30_000);
  test.each([
    ['RSA 2048', 'SHA-384', 'unsupported: csr.build: this key cannot sign with SHA-384 (it signs with SHA-256)'],
    ['P-256', 'MD5', 'unsupported: csr.build: no ECDSA signature algorithm with MD5'],
    ['RSA 2048', 'SHA-512/256', 'unsupported: csr.build: no RSA signature algorithm with SHA-512/256'],
  ] as [string, HashAlg, string][])('%s with %s is refused', async (name, h, want) => {
    const s = signers.find((x) => x.name === name)!.signer;
    await expect(buildCsr({ subject: iosSubject({ fqdn: 'r.example.com' }) }, s, h).then(() => 'built', (e: PkiError) => `${e.code}: ${e.message}`)).resolves.toBe(want);
  });
  test('csrSignatureAlgorithm encodes RSA with NULL parameters, ECDSA without', () => {
    expect(hex(csrSignatureAlgorithm(signers[0]!.signer).der)).toBe('300d06092a864886f70d01010b0500');
    expect(hex(csrSignatureAlgorithm(signers[1]!.signer).der)).toBe('300a06082a8648ce3d040302');
    expect(hex(csrSignatureAlgorithm(signers[3]!.signer).der)).toBe('300a06082a8648ce3d040304');
  });
});

// ---------------------------------------------------------------------------------------------
// IOS policy: subject and key usage

describe('the IOS subject', () => {
  test('the guide’s trustpoint subject, exact DER (one RDN, sorted as the guide prints it)', async () => {
    const s = signers[1]!.signer;
    const view = await parseCsr(await buildCsr({ subject: iosSubject({ fqdn: 'test.example.com', serialNumber: 'C63EBBE9', ipAddress: '10.3.0.18' }) }, s));
    expect(view.subjectRdns.length).toBe(1);
    expect(view.subject.map((a) => `${a.short}=${a.value}`).join('+')).toBe('serialNumber=C63EBBE9+ipaddress=10.3.0.18+hostname=test.example.com');
    expect(hex(view.info.subarray(0, 6))).toMatch(/^3081..020100$/);
    const name = view.info.subarray(6, 6 + 2 + 74);
    expect(hex(name)).toBe(
      '304a' +
        '3148' +
        '300f0603550405' + '1308' + Buffer.from('C63EBBE9').toString('hex') +
        '301606092a864886f70d010908' + '1309' + Buffer.from('10.3.0.18').toString('hex') +
        '301d06092a864886f70d010902' + '1610' + Buffer.from('test.example.com').toString('hex'),
    );
  });
  test('matches the structure of the guide’s own request (extracted at run time)', async () => {
    // "Certificate Request follows:" — the first line survived the OCR: SEQUENCE, info, version 0,
    // a subject of one RDN holding unstructuredName as a 20-character IA5String.
    const lines = readFileSync(GUIDE, 'utf8').split('\n');
    const i = lines.findIndex((l) => l.trim() === 'Certificate Request follows:');
    const guide = decodeBase64(lines[i + 1]!.trim().slice(0, 40));
    const view = await parseCsr(await buildCsr({ subject: iosSubject({ fqdn: 'SandBagger.cisco.com' }) }, signers[0]!.signer));
    // guide: 30 82 01 85 | 30 81 EF | version, subject header...; ours (RSA 2048): 30 82 xx xx | version, ...
    expect(hex(guide.subarray(0, 7))).toBe('308201853081ef');
    expect(hex(guide.subarray(7, 29))).toBe('0201003025312330210609' + '2a864886f70d010902' + '1614');
    expect(hex(view.info.subarray(4, 26))).toBe(hex(guide.subarray(7, 29)));
  });
  test('subject-name first (as written), the identity RDN last; fqdn-only is a single-valued RDN', () => {
    const subjectName = parseX500Name('OU=Spiral Dept., O=example.com');
    expect(iosSubject({ subjectName, fqdn: 'r.example.com' })).toEqual([...subjectName, { oid: '1.2.840.113549.1.9.2', short: 'hostname', value: 'r.example.com' }]);
    expect(iosSubject({ subjectName })).toEqual(subjectName);
    expect(iosSubject({})).toEqual([]);
    expect(() => iosSubject({ ipAddress: 'ethernet0' })).toThrow(PkiError);
  });
});

describe('iosKeyUsage (usage ike | ssl-client | ssl-server; usage-keys)', () => {
  const rsa: KeyInfo = { kind: 'rsa', bits: 2048 };
  const ec: KeyInfo = { kind: 'ec', curve: 'P-256' };
  test.each([
    [['ike'], 'general', rsa, ['digitalSignature', 'keyEncipherment'], []],
    [['ike'], 'general', ec, ['digitalSignature'], []],
    [['ike'], 'signature', rsa, ['digitalSignature'], []],
    [['ike'], 'encryption', rsa, ['keyEncipherment'], []],
    [['ike'], 'encryption', ec, ['keyAgreement'], []],
    [['ssl-server'], 'general', rsa, ['digitalSignature', 'keyEncipherment'], [EKU.serverAuth]],
    [['ssl-client'], 'general', ec, ['digitalSignature'], [EKU.clientAuth]],
    [['ssl-client', 'ssl-server'], 'general', ec, ['digitalSignature'], [EKU.clientAuth, EKU.serverAuth]],
    [['ike', 'ssl-server'], 'general', rsa, ['digitalSignature', 'keyEncipherment'], [EKU.serverAuth, EKU.ipsecIKE]],
  ] as [IosUsage[], IosKeyPurpose, KeyInfo, string[], string[]][])('%j %s %j', (usage, purpose, key, ku, eku) => {
    expect(iosKeyUsage(usage, purpose, key)).toEqual({ keyUsage: ku, extendedKeyUsage: eku });
  });
});

// ---------------------------------------------------------------------------------------------
// Builder input errors

describe('values that cannot be encoded are refused', () => {
  const fqdn = iosSubject({ fqdn: 'r.example.com' });
  const attr = (oid: string, short: string, value: string) => [{ oid, short, value }];
  test.each([
    ['a three-letter country', { subject: attr('2.5.4.6', 'C', 'USA') }, 'bad-csr: csr.build: country "USA" must be a two-letter code'],
    ['a serialNumber outside PrintableString', { subject: attr('2.5.4.5', 'serialNumber', 'FTX#123') }, 'bad-csr: csr.build: serialNumber "FTX#123" has characters a PrintableString cannot hold'],
    ['a non-ASCII e-mail attribute', { subject: attr('1.2.840.113549.1.9.1', 'EA', 'rené@example.com') }, 'bad-csr: csr.build: EA "rené@example.com" must be ASCII (IA5String)'],
    ['an empty value', { subject: attr('2.5.4.3', 'CN', '') }, 'bad-csr: csr.build: empty value for CN'],
    ['an attribute twice in one RDN', { subject: [[{ oid: '2.5.4.3', short: 'CN', value: 'a' }, { oid: '2.5.4.3', short: 'CN', value: 'b' }]] }, 'bad-csr: csr.build: CN twice in one RDN'],
    ['an empty RDN', { subject: [[]] }, 'bad-csr: csr.build: empty RDN'],
    ['an empty subject without SAN', { subject: [] }, 'bad-csr: csr.build: the subject is empty and there is no subjectAltName'],
    ['an empty challenge password', { subject: fqdn, challengePassword: '' }, 'bad-csr: csr.build: the challenge password must be 1 to 255 characters'],
    ['a 256-character challenge password', { subject: fqdn, challengePassword: 'x'.repeat(256) }, 'bad-csr: csr.build: the challenge password must be 1 to 255 characters'],
    ['a DNS name with a space', { subject: fqdn, subjectAltName: [{ type: 'dns', value: 'a b.example.com' }] }, 'bad-csr: csr.build: "a b.example.com" is not a DNS name (use the ASCII/punycode form)'],
    ['a Unicode DNS name', { subject: fqdn, subjectAltName: [{ type: 'dns', value: 'bücher.example' }] }, 'bad-csr: csr.build: "bücher.example" is not a DNS name (use the ASCII/punycode form)'],
    ['an IPv4 octet over 255', { subject: fqdn, subjectAltName: [{ type: 'ip', value: '10.0.0.256' }] }, 'bad-csr: csr.build: "10.0.0.256" is not an IPv4 or IPv6 address'],
    ['two "::"', { subject: fqdn, subjectAltName: [{ type: 'ip', value: '1::2::3' }] }, 'bad-csr: csr.build: "1::2::3" is not an IPv4 or IPv6 address'],
    ['an e-mail without @', { subject: fqdn, subjectAltName: [{ type: 'email', value: 'noc.example.com' }] }, 'bad-csr: csr.build: "noc.example.com" is not an ASCII e-mail address'],
    ['a URI without scheme', { subject: fqdn, subjectAltName: [{ type: 'uri', value: '//x' }] }, 'bad-csr: csr.build: "//x" is not an ASCII URI'],
  ] as [string, CsrParams, string][])('%s', async (_, params, want) => {
    await expect(buildCsr(params, signers[1]!.signer).then(() => 'built', (e: PkiError) => `${e.code}: ${e.message}`)).resolves.toBe(want);
  });
  test('programmer misuse is a RangeError: a malformed EKU OID, an unknown key usage', async () => {
    await expect(buildCsr({ subject: fqdn, extendedKeyUsage: ['1.3.6.1.5.5.7.3.x'] }, signers[1]!.signer)).rejects.toThrow(RangeError);
    await expect(buildCsr({ subject: fqdn, keyUsage: ['everything' as 'digitalSignature'] }, signers[1]!.signer)).rejects.toThrow(RangeError);
  });
  test('the signer is asked once, with the CertificationRequestInfo and the hash; its abort passes through', async () => {
    const real = signers[1]!.signer;
    const calls: [number, HashAlg][] = [];
    const spy: Signer = { ...real, sign: (data, h, signal) => (calls.push([data.length, h]), real.sign(data, h, signal)) };
    const der = await buildCsr({ subject: fqdn }, spy, 'SHA-256');
    const view = await parseCsr(der, webCryptoVerify);
    expect(calls).toEqual([[view.info.length, 'SHA-256']]);
    const aborting: Signer = { ...real, sign: () => Promise.reject(new DOMException('stop', 'AbortError')) };
    await expect(buildCsr({ subject: fqdn }, aborting)).rejects.toMatchObject({ name: 'AbortError' });
  });
});

// ---------------------------------------------------------------------------------------------
// IP addresses

describe('IP addresses', () => {
  test.each([
    ['192.0.2.1', 'c0000201', '192.0.2.1'],
    ['::', '00000000000000000000000000000000', '::'],
    ['::1', '00000000000000000000000000000001', '::1'],
    ['2001:0DB8::0001', '20010db8000000000000000000000001', '2001:db8::1'],
    ['1:2:3:4:5:6:7:8', '00010002000300040005000600070008', '1:2:3:4:5:6:7:8'],
    ['::ffff:192.0.2.1', '00000000000000000000ffffc0000201', '::ffff:c000:201'],
    ['2001:db8:0:0:1:0:0:1', '20010db8000000000001000000000001', '2001:db8::1:0:0:1'],
    ['2001:db8::1:0:0:0:1', '20010db8000000010000000000000001', '2001:db8:0:1::1'],
    ['2001:db8:0:1:1:1:1:1', '20010db8000000010001000100010001', '2001:db8:0:1:1:1:1:1'],
  ])('%s', (text, bytes, canonical) => {
    expect(hex(parseIp(text))).toBe(bytes);
    expect(formatIp(parseIp(text))).toBe(canonical);
  });
  test.each(['', '1.2.3', '1.2.3.4.5', '01.2.3.4', '1.2.3.-4', '1:2:3:4:5:6:7', '1:2:3:4:5:6:7:8:9', '::1::', 'g::1', '12345::1', '1:2:3:4:5:6:7::8:9', 'fe80::1%eth0', ' 1.2.3.4'])('rejects %j', (t) => {
    expect(() => parseIp(t)).toThrow(PkiError);
  });
  test('IPv6 output is what the WHATWG URL serializer (RFC 5952) gives; parse inverts it', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 16, maxLength: 16 }), fc.integer({ min: 0, max: 7 }), (b, zeros) => {
        b.fill(0, zeros * 2, zeros * 2 + 2 * (zeros % 4)); // make zero runs common
        const text = formatIp(b);
        expect(`[${text}]`).toBe(new URL(`http://[${text}]/`).hostname);
        expect(hex(parseIp(text))).toBe(hex(b));
      }),
    );
  });
});

// ---------------------------------------------------------------------------------------------
// Parsing

describe('parseCsr', () => {
  test('a request openssl req -new made (RSA): every field', async () => {
    const key = tmp('pem');
    ossl(['genrsa', '-out', key, '2048']);
    const cnf = tmp('cnf');
    writeFileSync(
      cnf,
      '[req]\ndistinguished_name = dn\nreq_extensions = ext\nattributes = attrs\nprompt = no\nutf8 = yes\n[dn]\nC = US\nO = Example\nCN = vpn.example.com\n[attrs]\nchallengePassword = otp-1234\n[ext]\nkeyUsage = critical, digitalSignature\nextendedKeyUsage = serverAuth\nsubjectAltName = DNS:vpn.example.com, IP:198.51.100.7, IP:2001:db8::42, email:noc@example.com\nbasicConstraints = CA:FALSE\n',
    );
    const der = ossl(['req', '-new', '-key', key, '-config', cnf, '-outform', 'DER']);
    const spki = ossl(['pkey', '-in', key, '-pubout', '-outform', 'DER']);
    const v = await parseCsr(der, webCryptoVerify);
    expect(v.subject.map((a) => [a.short, a.value])).toEqual([['C', 'US'], ['O', 'Example'], ['CN', 'vpn.example.com']]);
    expect(v.subjectRdns.length).toBe(3);
    expect(hex(v.spki)).toBe(hex(spki));
    expect(v.publicKey).toEqual({ kind: 'rsa', bits: 2048 });
    expect(v.challengePassword).toBe('otp-1234');
    expect(v.attributes.map((a) => a.oid)).toEqual(['1.2.840.113549.1.9.7', '1.2.840.113549.1.9.14']);
    expect(v.extensions.map((e) => [e.oid, e.critical])).toEqual([['2.5.29.15', true], ['2.5.29.37', false], ['2.5.29.17', false], ['2.5.29.19', false]]);
    expect(v.keyUsage).toEqual(['digitalSignature']);
    expect(v.extendedKeyUsage).toEqual([EKU.serverAuth]);
    expect(v.subjectAltName).toEqual([
      { type: 'dns', value: 'vpn.example.com' },
      { type: 'ip', value: '198.51.100.7' },
      { type: 'ip', value: '2001:db8::42' },
      { type: 'email', value: 'noc@example.com' },
    ]);
    expect(v.signatureAlgorithm).toBe('1.2.840.113549.1.1.11');
    expect(hex(v.signatureParameters!)).toBe('0500');
    expect(v.signature.length).toBe(256);
    expect(v.signatureValid).toBe(true);
  });
  test.each([
    ['prime256v1', { kind: 'ec', curve: 'P-256' }, '1.2.840.10045.4.3.2'],
    ['secp384r1', { kind: 'ec', curve: 'P-384' }, '1.2.840.10045.4.3.2'],
    ['secp521r1', { kind: 'ec', curve: 'P-521' }, '1.2.840.10045.4.3.2'],
  ])('a request openssl made with an EC %s key', async (curve, key, alg) => {
    const k = tmp('pem');
    ossl(['ecparam', '-name', curve, '-genkey', '-noout', '-out', k]);
    const der = ossl(['req', '-new', '-key', k, '-subj', '/CN=ec', '-sha256', '-outform', 'DER']);
    const v = await parseCsr(der, webCryptoVerify);
    expect([v.publicKey, v.signatureAlgorithm, v.signatureValid, v.signatureParameters]).toEqual([key, alg, true, undefined]);
    expect(v.subject).toEqual([{ oid: '2.5.4.3', short: 'CN', value: 'ec' }]);
    expect(v.attributes).toEqual([]);
    expect(v.extensions).toEqual([]);
  });
  test('BMPString and T61String values are read (old Windows requests)', async () => {
    const cnf = tmp('cnf');
    writeFileSync(cnf, '[req]\ndistinguished_name = dn\nprompt = no\nstring_mask = MASK:0x0804\nutf8 = yes\n[dn]\nCN = Zürich Ω\nO = plain\n');
    const k = tmp('pem');
    ossl(['ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', k]);
    const der = ossl(['req', '-new', '-key', k, '-config', cnf, '-outform', 'DER']);
    const v = await parseCsr(der);
    expect(v.subject.map((a) => a.value)).toEqual(['Zürich Ω', 'plain']);
    expect(v.signatureValid).toBeUndefined();
  });
  test('a changed byte: the signature no longer verifies', async () => {
    const der = (await buildCsr({ subject: iosSubject({ fqdn: 'r.example.com' }), challengePassword: 'abc' }, signers[0]!.signer)).slice();
    const v = await parseCsr(der, webCryptoVerify);
    expect(v.signatureValid).toBe(true);
    const at = hex(der).indexOf(Buffer.from('abc').toString('hex')) / 2;
    der[at] = 'x'.charCodeAt(0);
    const w = await parseCsr(der, webCryptoVerify);
    expect([w.challengePassword, w.signatureValid]).toEqual(['xbc', false]);
    const sig = der.slice();
    sig[sig.length - 1]! ^= 1;
    expect((await parseCsr(sig, webCryptoVerify)).signatureValid).toBe(false);
  });
  test('round trip: what was asked is what is read', async () => {
    const s = signers[2]!.signer;
    const params: CsrParams = {
      subject: iosSubject({ subjectName: parseX500Name('CN=a, O=b'), fqdn: 'a.example.com', serialNumber: 'FTX1234', ipAddress: '::1' }),
      challengePassword: 'pw',
      subjectAltName: [{ type: 'ip', value: 'fe80::1' }],
      keyUsage: ['digitalSignature', 'keyAgreement', 'decipherOnly'],
      extendedKeyUsage: [EKU.ipsecIKE],
    };
    const v = await parseCsr(await buildCsr(params, s), webCryptoVerify);
    expect(v.subjectRdns.map((r) => r.map((a) => `${a.short}=${a.value}`).join('+'))).toEqual(['CN=a', 'O=b', 'serialNumber=FTX1234+ipaddress=::1+hostname=a.example.com']);
    expect([v.challengePassword, v.subjectAltName, v.keyUsage, v.extendedKeyUsage, v.signatureValid]).toEqual([
      'pw',
      [{ type: 'ip', value: 'fe80::1' }],
      ['digitalSignature', 'keyAgreement', 'decipherOnly'],
      [EKU.ipsecIKE],
      true,
    ]);
    // decipherOnly is bit 8: two bytes, 7 unused bits (X.690 §11.2.2)
    expect(hex(v.extensions[0]!.value)).toBe('0303078880');
  });
  const bad = async (der: Uint8Array) => parseCsr(der).then(() => 'parsed', (e: PkiError) => `${e.code}: ${e.message}`);
  test.each([
    ['empty', () => new Uint8Array(0), 'bad-der: csr.parse: no data at offset 0 (truncated or damaged data?)'],
    ['trailing bytes', async () => Uint8Array.of(...(await buildCsr({ subject: iosSubject({ fqdn: 'r.x' }) }, signers[1]!.signer)), 0), /^bad-der: csr\.parse: 1 bytes after the end of the data at offset \d+/],
    ['a certificate, not a request', () => ossl(['req', '-x509', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', tmp('pem'), '-subj', '/CN=x', '-outform', 'DER']), 'bad-csr: csr.parse: no version'],
    ['an INTEGER', () => Uint8Array.of(2, 1, 0), 'bad-csr: csr.parse: not a SEQUENCE'],
    ['an empty SEQUENCE', () => Uint8Array.of(0x30, 0), 'bad-csr: csr.parse: no CertificationRequestInfo'],
    ['version 1', async () => {
      const d = (await buildCsr({ subject: iosSubject({ fqdn: 'r.x' }) }, signers[1]!.signer)).slice();
      const hdr = (at: number) => (d[at + 1]! < 0x80 ? 2 : 2 + (d[at + 1]! & 0x7f));
      const h1 = hdr(0);
      expect(hex(d.subarray(h1 + hdr(h1), h1 + hdr(h1) + 3))).toBe('020100');
      d[h1 + hdr(h1) + 2] = 1;
      return d;
    }, 'bad-csr: csr.parse: version is not v1 (0)'],
  ] as [string, () => Uint8Array | Promise<Uint8Array>, string | RegExp][])('refuses %s', async (_, input, want) => {
    const got = await bad(await input());
    if (typeof want === 'string') expect(got).toBe(want);
    else expect(got).toMatch(want);
  });
});
