import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { decodeType7, encodeType7 } from '../../../src/config/type7.ts';
import { formatX500Name, parseX500Name } from '../../../src/pki/names.ts';
import { parseEnrollmentUrl } from '../../../src/config/url.ts';
import { normalizeFingerprint } from '../../../src/config/commands.ts';
import { toIosHexWords } from '../../../src/util/hex.ts';

describe('type 7 passwords', () => {
  test.each([
    ['0822455D0A16', 'cisco'],
    ['094F471A1A0A', 'cisco'],
    ['02050D480809', 'cisco'],
  ])('decodes the well-known %s', (enc, plain) => expect(decodeType7(enc)).toBe(plain));
  test('round-trips any printable password, deterministically', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[ -~]{1,40}$/), (pw) => {
        const e = encodeType7(pw);
        expect(e).toMatch(/^\d\d([0-9A-F]{2})+$/);
        expect(decodeType7(e)).toBe(pw);
        expect(encodeType7(pw)).toBe(e);
        expect(e).not.toContain(pw.length > 3 ? pw : '\u0000');
      }),
    );
  });
  test.each(['', 'ZZ', '0', '99AB', '08224'])('rejects %j', (s) => expect(decodeType7(s)).toBeUndefined());
});

describe('X.500 names', () => {
  test('the guide subject-name', () => {
    expect(parseX500Name('OU=Spiral Dept., O=example.com')).toEqual([
      { oid: '2.5.4.11', short: 'OU', value: 'Spiral Dept.' },
      { oid: '2.5.4.10', short: 'O', value: 'example.com' },
    ]);
  });
  test('quotes, escapes, OIDs, e-mail', () => {
    expect(parseX500Name('CN="Example, Inc.", OID.2.5.4.5=42, 2.5.4.7=Paris, E=a@b.c, CN=a\\,b').map((a) => [a.short, a.value])).toEqual([
      ['CN', 'Example, Inc.'],
      ['serialNumber', '42'],
      ['L', 'Paris'],
      ['EA', 'a@b.c'],
      ['CN', 'a,b'],
    ]);
  });
  test.each([
    ['', /empty name/],
    ['CN', /not of the form/],
    ['=x', /missing attribute/],
    ['XX=1', /unknown attribute "XX"/],
    ['C=USA', /two-letter/],
    ['CN=', /empty value/],
    ['CN="abc', /unbalanced quote/],
    ['CN=a,', /trailing separator/],
  ])('rejects %j', (s, re) => expect(() => parseX500Name(s)).toThrow(re));
  test('format then parse is stable', () => {
    const a = parseX500Name('CN=x, O="A, B", OU=c');
    expect(parseX500Name(formatX500Name(a))).toEqual(a);
  });
});

describe('enrollment URLs', () => {
  test.each([
    ['http://ca.example.com/scep', { kind: 'http', scheme: 'http', host: 'ca.example.com', path: '/scep' }],
    ['https://127.0.0.1:18081/scep', { kind: 'http', scheme: 'https', host: '127.0.0.1', port: 18081, path: '/scep' }],
    ['http://[2001:DB8:1:1::1]:80', { kind: 'http', scheme: 'http', host: '[2001:db8:1:1::1]', port: 80, path: '' }],
    ['tftp://certserver/file_specification', { kind: 'tftp', host: 'certserver', path: '/file_specification' }],
    ['flash:tp1', { kind: 'ifs', filesystem: 'flash', path: 'tp1' }],
    ['nvram:', { kind: 'ifs', filesystem: 'nvram', path: '' }],
  ])('%s', (u, want) => expect(parseEnrollmentUrl(u)).toEqual(want));
  test.each(['ftp//x', 'http:/x', 'http://', 'http://a_b..c/', 'http://x:99999/', 'http://[::g]/', '1http://x'])('rejects %s', (u) =>
    expect(parseEnrollmentUrl(u)).toHaveProperty('error'),
  );
});

describe('fingerprints', () => {
  test('spaces, colons and case are ignored; MD5/SHA-1/SHA-256 lengths only', () => {
    expect(normalizeFingerprint('12ef53fa 355CD23E:12EF53FA 355CD23E')).toBe('12EF53FA355CD23E12EF53FA355CD23E');
    expect(normalizeFingerprint('D23209AD 23D31423 2174E40D 7F9D6213 9786633A')).toHaveLength(40);
    expect(() => normalizeFingerprint('12EF')).toThrow(/4 hex digits given/);
    expect(() => normalizeFingerprint('12EF53FA 355CD23E 12EF53FA 355CD23X')).toThrow(/only hexadecimal/);
  });
  test('IOS hex words', () => {
    expect(toIosHexWords(new Uint8Array([0xd2, 0x32, 0x09, 0xad, 0x23, 0xd3, 0x14, 0x23, 0x21]))).toEqual(['D23209AD 23D31423 21']);
    expect(toIosHexWords(new Uint8Array(12).fill(0xab), 2)).toEqual(['ABABABAB ABABABAB', 'ABABABAB']);
  });
});
