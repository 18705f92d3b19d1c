/**
 * PEM / bare base64 / DER reading and writing (src/pki/pem.ts). OpenSSL makes the inputs and
 * reads our outputs; the Cisco guide's OCR-damaged examples are extracted at run time.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  decodeBase64,
  derCheck,
  encodeBase64,
  PasteCollector,
  readBase64Block,
  readPasted,
  readPem,
  sniffDerKind,
  writeBase64Lines,
  writeCsrPem,
  writePem,
  type PemKind,
} from '../../../src/pki/pem.ts';
import { PkiError } from '../../../src/util/errors.ts';
import { IOS_GUIDE } from '../../shared.ts';

const GUIDE = IOS_GUIDE;

let dir = '';
const ossl = (args: string[], input?: string | Uint8Array): Buffer => execFileSync('openssl', args, { cwd: dir, input, stdio: ['pipe', 'pipe', 'pipe'] });
const file = (name: string) => readFileSync(join(dir, name));
const text = (name: string) => file(name).toString('latin1');

/** Fixtures made once by OpenSSL: PEM text and the DER of what it holds. */
const fx = {} as Record<'cert' | 'cert2' | 'csr' | 'crl' | 'p7' | 'p7ber' | 'p8' | 'p8enc' | 'rsakey' | 'eckey' | 'spki' | 'p12', Uint8Array> & { certPem: string; chainPem: string; p12Info: string; legacyPem: string; trustedPem: string };

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'tp-pem-'));
  ossl(['genrsa', '-out', 'k.pem', '2048']);
  ossl(['ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', 'ec.pem']);
  ossl(['req', '-x509', '-new', '-key', 'k.pem', '-subj', '/CN=Test Root/O=Example/C=US', '-days', '2', '-out', 'ca.pem']);
  ossl(['req', '-new', '-key', 'ec.pem', '-subj', '/CN=leaf', '-out', 'leaf.csr']);
  ossl(['x509', '-req', '-in', 'leaf.csr', '-CA', 'ca.pem', '-CAkey', 'k.pem', '-CAcreateserial', '-days', '1', '-out', 'leaf.pem']);
  writeFileSync(join(dir, 'index.txt'), '');
  writeFileSync(join(dir, 'ca.cnf'), '[ca]\ndefault_ca=d\n[d]\ndatabase=index.txt\ndefault_md=sha256\ndefault_crl_days=1\n');
  ossl(['ca', '-gencrl', '-config', 'ca.cnf', '-keyfile', 'k.pem', '-cert', 'ca.pem', '-out', 'crl.pem']);
  ossl(['crl2pkcs7', '-nocrl', '-certfile', 'ca.pem', '-certfile', 'leaf.pem', '-out', 'p7.pem']);
  ossl(['pkcs8', '-topk8', '-nocrypt', '-in', 'k.pem', '-out', 'p8.pem']);
  ossl(['pkcs8', '-topk8', '-in', 'k.pem', '-passout', 'pass:pw', '-out', 'p8enc.pem']);
  ossl(['pkey', '-in', 'k.pem', '-traditional', '-out', 'rsa.pem']);
  ossl(['pkey', '-in', 'k.pem', '-pubout', '-out', 'pub.pem']);
  ossl(['rsa', '-in', 'k.pem', '-traditional', '-aes128', '-passout', 'pass:pw', '-out', 'legacy.pem']);
  ossl(['x509', '-in', 'ca.pem', '-trustout', '-addtrust', 'serverAuth', '-out', 'trusted.pem']);
  ossl(['pkcs12', '-export', '-inkey', 'k.pem', '-in', 'ca.pem', '-passout', 'pass:pw', '-out', 'p.p12']);
  const der = (args: string[]) => new Uint8Array(ossl(args));
  fx.cert = der(['x509', '-in', 'ca.pem', '-outform', 'DER']);
  fx.cert2 = der(['x509', '-in', 'leaf.pem', '-outform', 'DER']);
  fx.csr = der(['req', '-in', 'leaf.csr', '-outform', 'DER']);
  fx.crl = der(['crl', '-in', 'crl.pem', '-outform', 'DER']);
  fx.p7 = der(['pkcs7', '-in', 'p7.pem', '-outform', 'DER']);
  fx.p8 = der(['pkcs8', '-topk8', '-nocrypt', '-in', 'k.pem', '-outform', 'DER']);
  fx.p8enc = der(['pkcs8', '-in', 'p8enc.pem', '-passin', 'pass:pw', '-topk8', '-passout', 'pass:pw', '-outform', 'DER']);
  fx.rsakey = der(['pkey', '-in', 'k.pem', '-traditional', '-outform', 'DER']);
  fx.eckey = der(['ec', '-in', 'ec.pem', '-outform', 'DER']);
  fx.spki = der(['pkey', '-in', 'k.pem', '-pubout', '-outform', 'DER']);
  fx.p12 = new Uint8Array(file('p.p12'));
  // The same SignedData with indefinite lengths (BER), as some CAs send it.
  writeFileSync(join(dir, 'msg.txt'), 'hello\n');
  fx.p7ber = der(['cms', '-sign', '-in', 'msg.txt', '-signer', 'ca.pem', '-inkey', 'k.pem', '-nodetach', '-stream', '-outform', 'DER']);
  fx.certPem = text('ca.pem');
  fx.chainPem = text('leaf.pem') + text('ca.pem');
  fx.p12Info = ossl(['pkcs12', '-in', 'p.p12', '-passin', 'pass:pw', '-info', '-nodes'], undefined).toString('latin1');
  fx.legacyPem = text('legacy.pem');
  fx.trustedPem = text('trusted.pem');
});
afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** Runs `f`, expecting a PkiError; returns "code: message". */
function failure(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(PkiError);
    return `${(e as PkiError).code}: ${(e as PkiError).message}`;
  }
  throw new Error('expected a PkiError, got a result');
}

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

describe('base64 (RFC 4648 §4)', () => {
  test('encodes like node for every length, decodes back', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (b) => {
        const s = encodeBase64(b);
        expect(s).toBe(Buffer.from(b).toString('base64'));
        expect(hex(decodeBase64(s))).toBe(hex(b));
      }),
    );
  });
  test('accepts exactly the canonical encodings (fast and validating paths agree)', () => {
    const alphabet = fc.constantFrom(...'AQgw/+=Zz09.- \u00e9'.split(''));
    fc.assert(
      fc.property(fc.oneof(fc.string({ unit: alphabet, maxLength: 12 }), fc.uint8Array({ maxLength: 9 }).map((b) => encodeBase64(b))), (s) => {
        const canonical = s.length > 0 && Buffer.from(s, 'base64').toString('base64') === s;
        let got: Uint8Array | undefined;
        try {
          got = decodeBase64(s);
        } catch (e) {
          expect(e).toBeInstanceOf(PkiError);
        }
        if (s.length > 0) expect([s, got !== undefined]).toEqual([s, canonical]);
        if (got && s.length) expect(encodeBase64(got)).toBe(s);
      }),
      { numRuns: 5000 },
    );
  });
  test('RFC 4648 §10 test vectors', () => {
    const v: [string, string][] = [['', ''], ['f', 'Zg=='], ['fo', 'Zm8='], ['foo', 'Zm9v'], ['foob', 'Zm9vYg=='], ['fooba', 'Zm9vYmE='], ['foobar', 'Zm9vYmFy']];
    for (const [plain, b64] of v) {
      expect(encodeBase64(new TextEncoder().encode(plain))).toBe(b64);
      expect(new TextDecoder().decode(decodeBase64(b64))).toBe(plain);
    }
  });
  test.each([
    ['Zm9v!', 'bad-base64: base64: line 1, column 5: "!" is not a base64 character'],
    ['Zm9', 'bad-base64: base64: line 1 is truncated (3 characters of a 4-character group; padding missing or data lost)'],
    ['Zg=', 'bad-base64: base64: line 1 is truncated (3 characters of a 4-character group; padding missing or data lost)'],
    ['Z===', 'bad-base64: base64: line 1: too much padding (3 "=")'],
    ['Zg=a', 'bad-base64: base64: line 1, column 4: data after the padding "="'],
    ['Zh==', 'bad-base64: base64: line 1: the character before the padding has non-zero unused bits (not a canonical encoding; damaged data?)'],
    ['Zm9=', 'bad-base64: base64: line 1: the character before the padding has non-zero unused bits (not a canonical encoding; damaged data?)'],
    ['Zm 9v', 'bad-base64: base64: line 1, column 3: a space is not a base64 character'],
    ['Zm9v\u00e9', 'bad-base64: base64: line 1, column 5: "\u00e9" is not a base64 character'],
    ['Zm9v\u0000', 'bad-base64: base64: line 1, column 5: control character U+0000 is not a base64 character'],
  ])('decodeBase64(%j) fails: %s', (input, want) => expect(failure(() => decodeBase64(input))).toBe(want));
});

describe('writing', () => {
  test('writePem: 64-character lines, boundaries, final LF; OpenSSL reads it back to the same DER', () => {
    const pem = writePem('CERTIFICATE', fx.cert);
    const lines = pem.split('\n');
    expect(lines[0]).toBe('-----BEGIN CERTIFICATE-----');
    expect(lines.at(-2)).toBe('-----END CERTIFICATE-----');
    expect(lines.at(-1)).toBe('');
    const body = lines.slice(1, -2);
    expect(body.slice(0, -1).every((l) => l.length === 64)).toBe(true);
    expect(body.at(-1)!.length).toBeLessThanOrEqual(64);
    expect(pem).toBe(fx.certPem); // OpenSSL writes exactly this layout
    expect(hex(new Uint8Array(ossl(['x509', '-outform', 'DER'], pem)))).toBe(hex(fx.cert));
  });
  test('writeBase64Lines: the IOS layout, no boundaries', () => {
    const t = writeBase64Lines(fx.csr);
    expect(t).toBe(Buffer.from(fx.csr).toString('base64').replace(/.{64}/g, '$&\n').replace(/\n?$/, '\n'));
    expect(t).not.toContain('-----');
    expect(hex(readBase64Block(t).der)).toBe(hex(fx.csr));
  });
  test('writeCsrPem: the `enrollment terminal pem` boundaries, readable by openssl req', () => {
    const pem = writeCsrPem(fx.csr);
    expect(pem.startsWith('-----BEGIN CERTIFICATE REQUEST-----\n')).toBe(true);
    expect(pem.endsWith('\n-----END CERTIFICATE REQUEST-----\n')).toBe(true);
    expect(hex(new Uint8Array(ossl(['req', '-outform', 'DER'], pem)))).toBe(hex(fx.csr));
  });
  test('writePem with legacy headers round-trips through readPem', () => {
    const iv = '00112233445566778899AABBCCDDEEFF';
    const pem = writePem('RSA PRIVATE KEY', new Uint8Array(32).fill(7), [
      { name: 'Proc-Type', value: '4,ENCRYPTED' },
      { name: 'DEK-Info', value: `AES-128-CBC,${iv}` },
    ]);
    expect(pem).toContain('-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,00112233445566778899AABBCCDDEEFF\n\n');
    const [b] = readPem(pem);
    expect(b!.encryption!.algorithm).toBe('AES-128-CBC');
    expect(hex(b!.encryption!.iv)).toBe(iv.toLowerCase());
    expect(b!.der).toEqual(new Uint8Array(32).fill(7));
  });
  test('writePem refuses a malformed label', () => expect(() => writePem('BAD--LABEL', fx.cert)).toThrow(RangeError));
});

describe('reading what users paste', () => {
  test('each kind from its OpenSSL PEM: label, kind, exact DER', () => {
    const cases: [string, string, PemKind, Uint8Array][] = [
      ['ca.pem', 'CERTIFICATE', 'certificate', fx.cert],
      ['leaf.csr', 'CERTIFICATE REQUEST', 'certificate-request', fx.csr],
      ['crl.pem', 'X509 CRL', 'crl', fx.crl],
      ['p7.pem', 'PKCS7', 'pkcs7', fx.p7],
      ['p8.pem', 'PRIVATE KEY', 'private-key', fx.p8],
      ['rsa.pem', 'RSA PRIVATE KEY', 'rsa-private-key', fx.rsakey],
      ['ec.pem', 'EC PRIVATE KEY', 'ec-private-key', fx.eckey],
      ['pub.pem', 'PUBLIC KEY', 'public-key', fx.spki],
    ];
    for (const [name, label, kind, der] of cases) {
      const blocks = readPasted(text(name));
      expect(blocks.map((b) => [b.label, b.kind, b.source, b.line])).toEqual([[label, kind, 'pem', 1]]);
      expect(hex(blocks[0]!.der)).toBe(hex(der));
    }
    const enc = readPasted(text('p8enc.pem'));
    expect(enc.map((b) => [b.label, b.kind])).toEqual([['ENCRYPTED PRIVATE KEY', 'encrypted-private-key']]);
  });
  test('label variants: X509 CERTIFICATE, NEW CERTIFICATE REQUEST, PKCS #7 SIGNED DATA', () => {
    expect(readPasted(writePem('X509 CERTIFICATE', fx.cert))[0]!.kind).toBe('certificate');
    expect(readPasted(writePem('NEW CERTIFICATE REQUEST', fx.csr))[0]!.kind).toBe('certificate-request');
    expect(readPasted(writePem('PKCS #7 SIGNED DATA', fx.p7))[0]!.kind).toBe('pkcs7');
  });
  test('TRUSTED CERTIFICATE: the certificate and its trust settings apart', () => {
    const [b] = readPasted(fx.trustedPem);
    expect(b!.kind).toBe('certificate');
    expect(hex(b!.der)).toBe(hex(fx.cert));
    expect(b!.aux).toBeDefined();
    expect(b!.aux![0]).toBe(0x30);
  });
  test('legacy encrypted RSA key: Proc-Type/DEK-Info reported, ciphertext not DER-checked', () => {
    const [b] = readPasted(fx.legacyPem);
    expect(b!.label).toBe('RSA PRIVATE KEY');
    expect(b!.encryption!.algorithm).toBe('AES-128-CBC');
    expect(b!.encryption!.iv.length).toBe(16);
    expect(b!.headers.map((h) => h.name)).toEqual(['Proc-Type', 'DEK-Info']);
    expect(b!.der.length % 16).toBe(0);
  });
  test('a chain: several blocks, in order, with their line numbers; CRLF the same as LF', () => {
    for (const t of [fx.chainPem, fx.chainPem.replace(/\n/g, '\r\n')]) {
      const blocks = readPasted(t);
      expect(blocks.map((b) => hex(b.der))).toEqual([hex(fx.cert2), hex(fx.cert)]);
      expect(blocks[0]!.line).toBe(1);
      expect(blocks[1]!.line).toBe(fx.chainPem.split('\n').indexOf('-----BEGIN CERTIFICATE-----', 1) + 1);
    }
  });
  test('junk around the blocks: the IOS prompts and trailing chatter', () => {
    const t = `Enter the base 64 encoded CA certificate.\nEnd with a blank line or the word "quit" on a line by itself\n${fx.certPem}\nquit\n% Certificate successfully imported\n`;
    const [b, ...rest] = readPasted(t);
    expect(rest).toEqual([]);
    expect(b!.line).toBe(3);
    expect(hex(b!.der)).toBe(hex(fx.cert));
  });
  test('openssl pkcs12 -info output (bag attributes, subject= lines) gives the certificate and the key', () => {
    const blocks = readPasted(fx.p12Info);
    expect(blocks.map((b) => b.kind)).toEqual(['certificate', 'private-key']);
    expect(hex(blocks[0]!.der)).toBe(hex(fx.cert));
    expect(hex(blocks[1]!.der)).toBe(hex(fx.p8));
  });
  test('bare base64 as IOS prints it, ended by quit, a blank line or the end; kind sniffed', () => {
    const lines = writeBase64Lines(fx.cert);
    for (const t of [lines + 'quit\n', lines + '\n', lines, `Enter the base 64 encoded certificate.\n${lines}\n% Router Certificate successfully imported\n`]) {
      const [b] = readPasted(t);
      expect([b!.label, b!.kind, b!.source]).toEqual(['', 'certificate', 'base64']);
      expect(hex(b!.der)).toBe(hex(fx.cert));
    }
    // a single long line (no wrapping) is fine too
    expect(hex(readPasted(encodeBase64(fx.cert))[0]!.der)).toBe(hex(fx.cert));
  });
  test('raw DER bytes (files), each kind sniffed', () => {
    const cases: [Uint8Array, PemKind][] = [
      [fx.cert, 'certificate'],
      [fx.csr, 'certificate-request'],
      [fx.crl, 'crl'],
      [fx.p7, 'pkcs7'],
      [fx.p8, 'private-key'],
      [fx.p8enc, 'encrypted-private-key'],
      [fx.rsakey, 'rsa-private-key'],
      [fx.eckey, 'ec-private-key'],
      [fx.spki, 'public-key'],
      [fx.p12, 'pkcs12'],
    ];
    for (const [der, kind] of cases) {
      expect(sniffDerKind(der)).toBe(kind);
      const [b] = readPasted(der);
      expect([b!.kind, b!.source, b!.line]).toEqual([kind, 'der', 0]);
      expect(b!.der).toBe(der);
    }
    // a PEM file read as bytes is text
    expect(readPasted(new TextEncoder().encode('\ufeff' + fx.certPem))[0]!.kind).toBe('certificate');
  });
  test('BER (indefinite lengths) passes for PKCS#7 only', () => {
    expect(fx.p7ber.includes(0x80)).toBe(true);
    expect(failure(() => derCheck(fx.p7ber))).toMatch(/^bad-der: der: indefinite length \(BER, not DER\) at offset \d+/);
    expect(readPasted(fx.p7ber)[0]!.kind).toBe('pkcs7');
    expect(readPasted(writePem('PKCS7', fx.p7ber))[0]!.kind).toBe('pkcs7');
    // the same trick on a certificate is refused
    const indef = Uint8Array.of(0x30, 0x80, ...fx.cert.subarray(4), 0, 0);
    expect(failure(() => readPasted(indef))).toBe('bad-der: pem.read: DER data: indefinite length (BER, not DER) at offset 0 (truncated or damaged data?)');
  });
});

describe('malformed input: each a specific error', () => {
  const certLines = () => fx.certPem.split('\n');
  const withLine = (k: number, f: (l: string) => string) => {
    const l = certLines();
    l[k] = f(l[k]!);
    return l.join('\n');
  };
  const cases: [string, () => string | Uint8Array, string | RegExp][] = [
    ['empty text', () => '', 'bad-pem: pem.read: no PEM block and no base64 data found'],
    ['only prompts', () => 'Enter the base 64 encoded CA certificate.\nquit\n', 'bad-pem: pem.read: no PEM block and no base64 data found'],
    ['a character outside the alphabet', () => withLine(3, (l) => l.slice(0, 9) + '.' + l.slice(10)), 'bad-base64: pem.read: CERTIFICATE block at line 1: line 4, column 10: "." is not a base64 character'],
    ['a line one character short', () => withLine(5, (l) => l.slice(1)), 'bad-base64: pem.read: CERTIFICATE block at line 1: line 6 has 63 characters where the lines before have 64 (a damaged or merged line?)'],
    ['two lines merged', () => withLine(5, (l) => l + 'QUJD'), 'bad-base64: pem.read: CERTIFICATE block at line 1: line 6 has 68 characters where the lines before have 64 (a damaged or merged line?)'],
    ['a first line of odd length', () => withLine(1, (l) => l.slice(2)), 'bad-base64: pem.read: CERTIFICATE block at line 1: line 2 has 62 characters, not a multiple of 4 (a character lost or added?)'],
    [
      'a truncated last line',
      () => {
        const l = writePem('CERTIFICATE', fx.cert.subarray(0, 200)).split('\n'); // last data line: 11 characters and "="
        l[l.length - 3] = l[l.length - 3]!.slice(0, -2);
        return l.join('\n');
      },
      'bad-base64: pem.read: CERTIFICATE block at line 1: line 6 is truncated (2 characters of a 4-character group; padding missing or data lost)',
    ],
    ['a missing END line', () => fx.certPem.replace('-----END CERTIFICATE-----\n', ''), 'bad-pem: pem.read: CERTIFICATE block at line 1: no "-----END CERTIFICATE-----" line (truncated paste?)'],
    ['a paste cut in the middle', () => certLines().slice(0, 8).join('\n'), 'bad-pem: pem.read: CERTIFICATE block at line 1: no "-----END CERTIFICATE-----" line (truncated paste?)'],
    ['BEGIN/END label mismatch', () => fx.certPem.replace('END CERTIFICATE', 'END CERTIFICATE REQUEST'), /^bad-pem: pem\.read: CERTIFICATE block at line 1: line \d+: END label "CERTIFICATE REQUEST" does not match BEGIN label "CERTIFICATE"$/],
    ['a second BEGIN before END', () => fx.certPem.replace('-----END CERTIFICATE-----\n', '') + fx.certPem, /^bad-pem: pem\.read: CERTIFICATE block at line 1: no END line before the next BEGIN line at line \d+$/],
    ['END without BEGIN', () => 'junk\n-----END CERTIFICATE-----\n', 'bad-pem: pem.read: line 2: "-----END CERTIFICATE-----" without a BEGIN line before it'],
    ['a BEGIN line with four dashes', () => fx.certPem.replace('-----BEGIN CERTIFICATE-----', '-----BEGIN CERTIFICATE----'), 'bad-pem: pem.read: line 1: malformed BEGIN line "-----BEGIN CERTIFICATE----" (expected "-----BEGIN LABEL-----")'],
    ['a malformed END line', () => fx.certPem.replace('-----END CERTIFICATE-----', '-----END CERTIFICATE'), /^bad-pem: pem\.read: CERTIFICATE block at line 1: line \d+: malformed END line "-----END CERTIFICATE" \(expected "-----END CERTIFICATE-----"\)$/],
    ['data after the padding (a further line)', () => writePem('CERTIFICATE', fx.cert.subarray(0, 100)).replace('=\n-----END', '=\nQUJD\n-----END'), /^bad-base64: pem\.read: CERTIFICATE block at line 1: line \d+ follows the padding "=" on line \d+ \(data after the end\)$/],
    ['data after the padding (same line)', () => writePem('CERTIFICATE', fx.cert.subarray(0, 100)).replace('=\n-----END', '=QUJD\n-----END'), /^bad-base64: pem\.read: CERTIFICATE block at line 1: line \d+, column \d+: data after the padding "="$/],
    ['a blank line inside the data', () => withLine(4, (l) => `${l}\n`), 'bad-pem: pem.read: CERTIFICATE block at line 1: line 6: blank line inside the base64 data'],
    ['an empty block', () => '-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----\n', 'bad-pem: pem.read: CERTIFICATE block at line 1: the block is empty'],
    ['an unsupported label', () => '-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n-----END OPENSSH PRIVATE KEY-----\n', 'unsupported: pem.read: line 1: PEM label "OPENSSH PRIVATE KEY" is not supported'],
    ['DER truncated inside a valid base64 text', () => writePem('CERTIFICATE', fx.cert.subarray(0, fx.cert.length - 10)), /^bad-der: pem\.read: CERTIFICATE block at line 1: length \d+ runs past the end \(\d+ bytes left\) at offset 0 \(truncated or damaged data\?\)$/],
    ['bytes after the DER', () => writePem('CERTIFICATE', Uint8Array.of(...fx.cert, 0, 0)), /^bad-der: pem\.read: CERTIFICATE block at line 1: 2 bytes after the end of the data at offset \d+/],
    ['a non-minimal length', () => writePem('CERTIFICATE', Uint8Array.of(0x30, 0x81, 0x03, 0x02, 0x01, 0x00)), 'bad-der: pem.read: CERTIFICATE block at line 1: non-minimal length at offset 0 (truncated or damaged data?)'],
    ['a corrupted inner length', () => { const d = fx.cert.slice(); d[5] = 0x84; return writePem('CERTIFICATE', d); }, /^bad-der: pem\.read: CERTIFICATE block at line 1: .* at offset 4 \(truncated or damaged data\?\)$/],
    ['headers without the blank line', () => '-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,00112233445566778899AABBCCDDEEFF\nQUJDRA==\n-----END RSA PRIVATE KEY-----\n', 'bad-pem: pem.read: RSA PRIVATE KEY block at line 1: line 4: "QUJDRA==" is neither a "Name: value" header nor the blank line that must end the headers'],
    ['Proc-Type without DEK-Info', () => '-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\n\nQUJDREFCQ0Q=\n-----END RSA PRIVATE KEY-----\n', 'bad-pem: pem.read: RSA PRIVATE KEY block at line 1: Proc-Type ENCRYPTED without a DEK-Info header'],
    ['a Proc-Type other than ENCRYPTED', () => '-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,MIC-ONLY\n\nQUJDREFCQ0Q=\n-----END RSA PRIVATE KEY-----\n', 'unsupported: pem.read: RSA PRIVATE KEY block at line 1: Proc-Type "4,MIC-ONLY" is not supported (only 4,ENCRYPTED)'],
    ['a malformed DEK-Info', () => '-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,0011X\n\nQUJDREFCQ0Q=\n-----END RSA PRIVATE KEY-----\n', 'bad-pem: pem.read: RSA PRIVATE KEY block at line 1: malformed DEK-Info "AES-128-CBC,0011X" (expected "ALGORITHM,HEXIV")'],
    ['a truncated legacy ciphertext', () => fx.legacyPem.replace(/\n[^\n]*\n-----END/, '\nQUJD\n-----END'), /^bad-pem: pem\.read: RSA PRIVATE KEY block at line 1: encrypted data of \d+ bytes is not a whole number of cipher blocks \(truncated\?\)$/],
    ['bare base64: a further block after the blank line', () => `${writeBase64Lines(fx.cert)}\n${writeBase64Lines(fx.cert2)}`, /^bad-pem: pem\.read: more base64 data at line \d+ after the end of the block at line \d+; paste one block at a time or use PEM boundaries$/],
    ['bare base64: a damaged line', () => writeBase64Lines(fx.cert).replace(/^(.{70})./s, '$1#'), 'bad-base64: pem.read: base64 data at line 1: line 2, column 6: "#" is not a base64 character'],
    ['DER bytes that are not one element', () => Uint8Array.of(...fx.cert, 0x30, 0x00), /^bad-der: pem\.read: DER data: 2 bytes after the end of the data at offset \d+/],
    ['DER bytes cut short', () => fx.cert.subarray(0, 100), /^bad-der: pem\.read: DER data: length \d+ runs past the end \(96 bytes left\) at offset 0/],
  ];
  test.each(cases)('%s', (_, input, want) => {
    const got = failure(() => readPasted(input()));
    if (typeof want === 'string') expect(got).toBe(want);
    else expect(got).toMatch(want);
  });
});

describe('the strict DER walk', () => {
  test.each([
    ['indefinite length', '3080020100' + '0000', 'indefinite length (BER, not DER) at offset 0'],
    ['length field of 5 bytes', '308500000000010500', 'length field of 5 bytes at offset 0'],
    ['non-minimal INTEGER', '3004020200' + '7f', 'non-minimal INTEGER at offset 2'],
    ['empty INTEGER', '30020200', 'empty INTEGER at offset 2'],
    ['NULL with contents', '3003050100', 'NULL with contents at offset 2'],
    ['BOOLEAN of 2 bytes', '30040102ffff', 'BOOLEAN not 1 byte at offset 2'],
    ['bit string with 8 unused bits', '3003030108', 'malformed BIT STRING at offset 2'],
    ['OID ending mid-arc', '3003060188', 'malformed OBJECT IDENTIFIER at offset 2'],
    ['OID with a padded arc', '300406022a80' + '', 'malformed OBJECT IDENTIFIER at offset 2'],
    ['constructed INTEGER', '30052203020100', 'constructed encoding of a primitive type at offset 2'],
    ['primitive SEQUENCE', '10020500', 'primitive SEQUENCE/SET at offset 0'],
    ['end-of-contents outside an indefinite length', '30020000', 'unexpected end-of-contents at offset 2'],
    ['truncated high tag', '1f', 'truncated tag at offset 0'],
    ['non-minimal high tag', '1f1e00', 'non-minimal tag number at offset 0'],
  ])('%s', (_, h, want) => {
    expect(failure(() => derCheck(Buffer.from(h, 'hex')))).toBe(`bad-der: der: ${want} (truncated or damaged data?)`);
  });
  test('every OpenSSL fixture passes (DER); a high tag number is fine', () => {
    for (const d of [fx.cert, fx.cert2, fx.csr, fx.crl, fx.p7, fx.p8, fx.p8enc, fx.rsakey, fx.eckey, fx.spki]) derCheck(d);
    derCheck(Buffer.from('3005bf1f020500', 'hex')); // SEQUENCE { [31] EXPLICIT NULL }
  });
  test('deep nesting is refused, not a stack overflow', () => {
    const depth = 5000;
    const d = new Uint8Array(depth * 2);
    for (let i = 0; i < depth; i++) d.set([0x30, 0x80], 2 * i);
    expect(failure(() => derCheck(d, { ber: true }))).toMatch(/^bad-der: der: nesting deeper than 64 at offset 130/);
    let nested: Uint8Array = Uint8Array.of(0x05, 0x00);
    for (let i = 0; i < 100; i++) nested = Uint8Array.of(0x30, ...(nested.length < 128 ? [nested.length] : nested.length < 256 ? [0x81, nested.length] : [0x82, nested.length >> 8, nested.length & 255]), ...nested);
    expect(failure(() => derCheck(nested))).toMatch(/nesting deeper than 64/);
  });
  test('the reader reads a 4 MiB block and refuses 200,000 junk lines (time bound: tests/slow)', () => {
    const big = new Uint8Array(3 << 20);
    big.set([0x04, 0x83, 0x2f, 0xff, 0xfb]); // one OCTET STRING filling 3 MiB
    const pem = writePem('CERTIFICATE', big); // 4 MiB of text
    expect(readPem(pem)[0]!.der.length).toBe(big.length);
    const junk = 'Bag Attributes: x\n'.repeat(200_000);
    expect(failure(() => readPasted(junk))).toBe('bad-pem: pem.read: no PEM block and no base64 data found');
  });
});

describe('the guide’s OCR-damaged examples fail cleanly', () => {
  /** Extracted from the guide at run time (never copied into the repo). */
  function guideExamples(): Record<string, string> {
    const guide = readFileSync(GUIDE, 'utf8');
    const lines = guide.split('\n');
    const out: Record<string, string> = {};
    const step12 = /<pre> (MII[A-Za-z0-9+/= ]+?) <\/pre>/.exec(guide);
    expect(step12).not.toBeNull();
    out['authenticate, step 12 (as printed)'] = step12![1]!;
    out['authenticate, step 12 (one line per word)'] = step12![1]!.split(' ').join('\n');
    const b = lines.findIndex((l) => l.startsWith('-----BEGIN CERTIFICATE-----'));
    const e = lines.findIndex((l) => l.startsWith('-----END CERTIFICATE-----'));
    expect(b).toBeGreaterThan(2);
    out['authenticate TP (PEM, with the prompts)'] = lines.slice(b - 2, e + 2).join('\n');
    let n = 0;
    lines.forEach((l, i) => {
      const t = l.trim();
      if (!/^Certificate Request follows:$|^End with a blank line or the word "quit" on a line by itself$/.test(t)) return;
      if (!/^[A-Za-z0-9+/=]{40,}$/.test(lines[i + 1]!.trim())) return;
      const body: string[] = [];
      for (let j = i + 1; /^[A-Za-z0-9+/=]+$/.test(lines[j]!.trim()); j++) body.push(lines[j]!.trim());
      out[`bare block ${++n} (${t.startsWith('Cert') ? 'request' : 'certificate import'})`] = body.join('\n') + '\nquit\n';
    });
    expect(n).toBe(4);
    return out;
  }
  const expected: Record<string, string> = {
    'authenticate, step 12 (as printed)': 'bad-base64: pem.read: base64 data at line 1: line 1, column 65: a space is not a base64 character',
    'authenticate, step 12 (one line per word)': 'bad-base64: pem.read: base64 data at line 1: line 3 has 65 characters where the lines before have 64 (a damaged or merged line?)',
    'authenticate TP (PEM, with the prompts)': 'bad-base64: pem.read: CERTIFICATE block at line 3: line 4 has 63 characters, not a multiple of 4 (a character lost or added?)',
    'bare block 1 (request)': 'bad-base64: pem.read: base64 data at line 1: line 4 has 65 characters where the lines before have 64 (a damaged or merged line?)',
    'bare block 2 (request)': 'bad-base64: pem.read: base64 data at line 1: line 6 has 65 characters where the lines before have 64 (a damaged or merged line?)',
    'bare block 3 (certificate import)': 'bad-base64: pem.read: base64 data at line 1: line 5 has 63 characters where the lines before have 64 (a damaged or merged line?)',
    'bare block 4 (certificate import)': 'bad-base64: pem.read: base64 data at line 1: line 9 has 63 characters where the lines before have 64 (a damaged or merged line?)',
  };
  // With the line layout ignored (all data on one line) the damage must still be caught: by
  // the base64 rules or by the DER walk.
  const joined: Record<string, string | RegExp> = {
    'authenticate, step 12 (as printed)': 'bad-der: pem.read: base64 data at line 1: length 113 runs past the end (34 bytes left) at offset 78 (truncated or damaged data?)',
    'authenticate TP (PEM, with the prompts)': 'bad-der: pem.read: base64 data at line 1: indefinite length (BER, not DER) at offset 4 (truncated or damaged data?)',
    'bare block 1 (request)': 'bad-der: pem.read: base64 data at line 1: length 389 runs past the end (380 bytes left) at offset 0 (truncated or damaged data?)',
    'bare block 2 (request)': 'bad-der: pem.read: base64 data at line 1: length 389 runs past the end (380 bytes left) at offset 0 (truncated or damaged data?)',
    'bare block 3 (certificate import)': 'bad-base64: pem.read: base64 data at line 1: line 1 is truncated (1 character of a 4-character group; padding missing or data lost)',
    'bare block 4 (certificate import)': 'bad-base64: pem.read: base64 data at line 1: line 1 is truncated (2 characters of a 4-character group; padding missing or data lost)',
  };
  test('each example, as pasted, gives its specific error', () => {
    const ex = guideExamples();
    expect(Object.keys(ex).sort()).toEqual(Object.keys(expected).sort());
    for (const [name, input] of Object.entries(ex)) expect([name, failure(() => readPasted(input))]).toEqual([name, expected[name]]);
  });
  test('each example with its lines joined still fails cleanly', () => {
    const ex = guideExamples();
    for (const [name, want] of Object.entries(joined)) {
      const one = ex[name]!.split('\n').filter((l) => /^[A-Za-z0-9+/= ]{16,}$/.test(l)).join('').replace(/ /g, '');
      expect([name, failure(() => readPasted(one))]).toEqual([name, want]);
    }
  });
  test('fed line by line through the terminal collector, the same errors', () => {
    const ex = guideExamples();
    for (const name of Object.keys(ex).filter((k) => !k.startsWith('authenticate, step 12'))) {
      const c = new PasteCollector();
      let done = false;
      for (const l of ex[name]!.split('\n')) if ((done = c.push(l))) break;
      if (!done) done = c.push('');
      expect(done).toBe(true);
      expect([name, failure(() => readPasted(c.text))]).toEqual([name, expected[name]]);
    }
  });
});

describe('PasteCollector (End with a blank line or the word "quit")', () => {
  const feed = (lines: string[]) => {
    const c = new PasteCollector();
    const consumed = lines.findIndex((l) => c.push(l));
    return { c, consumed };
  };
  test('leading blank lines are skipped; a blank line after data ends it', () => {
    const { c, consumed } = feed(['', '', 'MIIB', 'AAAA', '', 'after']);
    expect(consumed).toBe(4);
    expect(c.text).toBe('MIIB\nAAAA');
    expect(c.complete).toBe(true);
  });
  test('quit ends it, in any case', () => {
    expect(feed(['MIIB', 'QUIT', 'x']).consumed).toBe(1);
  });
  test('blank lines inside a PEM block (legacy headers) do not end it', () => {
    const lines = fx.legacyPem.split('\n');
    const { c, consumed } = feed([...lines.slice(0, -1), '', 'never']);
    expect(consumed).toBe(lines.length - 1);
    expect(readPasted(c.text)[0]!.encryption!.algorithm).toBe('AES-128-CBC');
  });
  test('a chain pasted as PEM, then a blank line', () => {
    const lines = fx.chainPem.trimEnd().split('\n');
    const { c } = feed([...lines, '']);
    expect(readPasted(c.text).length).toBe(2);
  });
  test('an endless paste is refused', () => {
    const c = new PasteCollector();
    const line = 'A'.repeat(1000);
    expect(() => {
      for (let i = 0; i < 2000; i++) c.push(line);
    }).toThrow(PkiError);
  });
});
