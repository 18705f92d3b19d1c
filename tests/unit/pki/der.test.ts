/**
 * The one DER reader and writer of src/pki (der.ts) and the chain validator's Name model
 * (chain/name.ts): X.690 length rules, OBJECT IDENTIFIER arcs against `openssl asn1parse` both
 * ways, RFC 5280 time forms, the writer's minimal encodings, RFC 5280 §7.1 name comparison.
 * (The whole-element walk `derCheck` is tested with the PEM reader, pem.test.ts.)
 */
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { DER, DerReader, decodeBitString, decodeOid, decodeTime, DerError, encodeOid, readTlv, TAG, checkInteger } from '../../../src/pki/der.ts';
import { formatIp, formatName, nameHasPrefix, parseName } from '../../../src/pki/chain/name.ts';
import { der } from './chain-fixtures.ts';

const bytes = (...b: number[]) => Uint8Array.from(b);

describe('readTlv', () => {
  const ok: [string, Uint8Array, { tag: number; contentStart: number; end: number }][] = [
    ['short form', bytes(0x04, 0x02, 0xaa, 0xbb), { tag: 4, contentStart: 2, end: 4 }],
    ['long form 0x81', bytes(0x04, 0x81, 0x80, ...new Array<number>(128).fill(0)), { tag: 4, contentStart: 3, end: 131 }],
    ['empty', bytes(0x05, 0x00), { tag: 5, contentStart: 2, end: 2 }],
  ];
  it.each(ok)('%s', (_n, input, want) => {
    const t = readTlv(input, 0, input.length, { what: 'x' });
    expect({ tag: t.tag, contentStart: t.contentStart, end: t.end }).toEqual(want);
  });
  const bad: [string, Uint8Array, RegExp][] = [
    ['indefinite length', bytes(0x30, 0x80, 0x00, 0x00), /indefinite/],
    ['non-minimal 0x81 < 0x80', bytes(0x04, 0x81, 0x01, 0x00), /non-minimal/],
    ['leading zero length octet', bytes(0x04, 0x82, 0x00, 0x81, ...new Array<number>(0x81).fill(0)), /non-minimal/],
    ['length beyond buffer', bytes(0x04, 0x05, 0x00), /runs past the end/],
    ['truncated', bytes(0x04), /truncated/],
    ['length field too long', bytes(0x04, 0x85, 1, 1, 1, 1, 1), /length field of 5 bytes/],
  ];
  it.each(bad)('rejects %s', (_n, input, re) => {
    expect(() => readTlv(input, 0, input.length, { what: 'x' })).toThrow(re);
    expect(() => readTlv(input, 0, input.length, { what: 'x' })).toThrow(DerError);
  });
  it('reads a high tag number (DER allows it; X.509 simply has none)', () => {
    expect(readTlv(bytes(0x1f, 0x81, 0x01, 0x00), 0)).toMatchObject({ tag: 0x1f, tagNumber: 129, contentStart: 4, end: 4 });
  });
  it('BER mode: indefinite and non-minimal lengths, the error offset', () => {
    expect(readTlv(bytes(0x30, 0x80, 0x05, 0x00, 0x00, 0x00), 0, 6, { ber: true })).toMatchObject({ contentStart: 2, contentEnd: 4, end: 6 });
    expect(readTlv(bytes(0x04, 0x81, 0x01, 0x00), 0, 4, { ber: true })).toMatchObject({ contentStart: 3, end: 4 });
    const e = (() => {
      try {
        readTlv(bytes(0x30, 0x03, 0x04, 0x05, 0x00), 2, 5);
      } catch (x) {
        return x as DerError;
      }
    })();
    expect(e).toBeInstanceOf(DerError);
    expect(e).toMatchObject({ code: 'bad-der', offset: 2 });
  });
});

describe('decodeOid', () => {
  const cases = ['2.5.29.17', '1.2.840.113549.1.1.11', '0.9.2342.19200300.100.1.25', '2.999.1', '1.3.6.1.4.1.55738.666.1', '2.25.340282366920938463463374607431768211455', '1.2.3.18446744073709551616'];
  it.each(cases)('%s matches openssl asn1parse', (oid) => {
    const enc = der.oid(oid);
    const ossl = execFileSync('openssl', ['asn1parse', '-inform', 'DER', '-oid', '/dev/null'], { input: enc }).toString();
    expect(decodeOid(enc.subarray(2), 't')).toBe(oid);
    if (!/X509v3|sha256With|domainComponent/.test(ossl)) expect(ossl).toContain(`:${oid}`);
  });
  it('rejects a non-minimal arc (leading 0x80)', () => expect(() => decodeOid(bytes(0x2a, 0x80, 0x01), 't')).toThrow(/non-minimal/));
  it('rejects a truncated arc', () => expect(() => decodeOid(bytes(0x2a, 0x86), 't')).toThrow(/truncated/));
  it('rejects an empty OID', () => expect(() => decodeOid(bytes(), 't')).toThrow(/empty/));
  it.each(cases)('%s encodes as the fixtures encode it and decodes back', (oid) => {
    expect(DER.oid(oid)).toEqual(der.oid(oid));
    expect(decodeOid(encodeOid(oid))).toBe(oid);
  });
  it.each(['1', '1.', '1.40', '3.1', '1.2.03', '1..2', ''])('refuses to encode %j', (oid) => expect(() => encodeOid(oid)).toThrow(RangeError));
});

describe('decodeTime (RFC 5280 §4.1.2.5)', () => {
  const enc = (s: string) => new TextEncoder().encode(s);
  const ok: [string, number, string, string][] = [
    ['UTCTime 1970', TAG.UTC_TIME, '700101000001Z', '1970-01-01T00:00:01.000Z'],
    ['UTCTime 49 → 2049', TAG.UTC_TIME, '491231235959Z', '2049-12-31T23:59:59.000Z'],
    ['UTCTime 50 → 1950', TAG.UTC_TIME, '500101000000Z', '1950-01-01T00:00:00.000Z'],
    ['GeneralizedTime 2969', TAG.GENERALIZED_TIME, '29690503000001Z', '2969-05-03T00:00:01.000Z'],
    ['GeneralizedTime leap day', TAG.GENERALIZED_TIME, '20240229120000Z', '2024-02-29T12:00:00.000Z'],
    ['GeneralizedTime year 0050', TAG.GENERALIZED_TIME, '00500101000000Z', '0050-01-01T00:00:00.000Z'],
  ];
  it.each(ok)('%s', (_n, tag, s, iso) => expect(new Date(decodeTime(tag, enc(s), 't') * 1000).toISOString()).toBe(iso.replace(/^0050/, '0050')));
  const bad: [string, number, string][] = [
    ['fractional seconds', TAG.GENERALIZED_TIME, '20240401000000.5Z'],
    ['no seconds', TAG.UTC_TIME, '2404010000Z'],
    ['offset instead of Z', TAG.UTC_TIME, '240401000000+0100'],
    ['month 13', TAG.UTC_TIME, '241301000000Z'],
    ['February 30', TAG.GENERALIZED_TIME, '20240230000000Z'],
    ['hour 24', TAG.UTC_TIME, '240401240000Z'],
    ['not a time tag', TAG.OCTET_STRING, '240401000000Z'],
    ['letters', TAG.UTC_TIME, '24040100000aZ'],
  ];
  it.each(bad)('rejects %s', (_n, tag, s) => expect(() => decodeTime(tag, enc(s), 't')).toThrow(DerError));
});

describe('small decoders', () => {
  it('BIT STRING: unused bits must be zero', () => {
    expect(decodeBitString(bytes(0x01, 0x86), 'b').bits).toBe(7);
    expect(() => decodeBitString(bytes(0x01, 0x87), 'b')).toThrow(/unused bits/);
    expect(() => decodeBitString(bytes(0x08, 0x00), 'b')).toThrow(/unused-bits/);
    expect(() => decodeBitString(bytes(0x01), 'b')).toThrow(/unused-bits/);
  });
  it('INTEGER: minimal encoding', () => {
    expect(checkInteger(bytes(0x00, 0x80), 'i')).toEqual(bytes(0x00, 0x80));
    expect(() => checkInteger(bytes(0x00, 0x7f), 'i')).toThrow(/non-minimal/);
    expect(() => checkInteger(bytes(0xff, 0x80), 'i')).toThrow(/non-minimal/);
    expect(() => checkInteger(bytes(), 'i')).toThrow(/empty/);
  });
});

describe('the writer', () => {
  const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
  it('INTEGERs are minimal', () => {
    expect([0, 127, 128, 255, 256, 2 ** 53 - 1].map((n) => hex(DER.uint(n)))).toEqual(['020100', '02017f', '02020080', '020200ff', '02020100', '02071fffffffffffff']);
    expect(hex(DER.unsigned(bytes(0, 0, 0x80)))).toBe('02020080');
    expect(hex(DER.unsigned(bytes(0, 0, 1)))).toBe('020101');
    expect(() => DER.uint(-1)).toThrow(RangeError);
  });
  it('long-form lengths, SET OF in encoding order', () => {
    expect(hex(DER.octets(new Uint8Array(200))).slice(0, 6)).toBe('0481c8');
    expect(hex(DER.setOf([bytes(0x04, 0x01, 0x02), bytes(0x02, 0x01, 0x01), bytes(0x04, 0x00)]))).toBe('31080201010400040102');
  });
  it('times: UTCTime 1950–2049, GeneralizedTime outside', () => {
    expect(Buffer.from(DER.time(new Date('2049-12-31T23:59:59Z'))).toString('latin1').slice(2)).toBe('491231235959Z');
    expect(Buffer.from(DER.time(new Date('2050-01-01T00:00:00Z'))).toString('latin1').slice(2)).toBe('20500101000000Z');
    expect(DER.time(new Date('1949-06-01T00:00:00Z'))[0]).toBe(TAG.GENERALIZED_TIME);
  });
  it('what it writes reads back through DerReader', () => {
    const enc = DER.seq(DER.oid('1.2.840.113549.1.1.11'), DER.NULL, DER.uint(65537), DER.bmp('é'));
    const r = new DerReader(enc, 'bad-x', 'test');
    const [o, n, i, s] = r.seq(r.root('thing'), 'thing', 4, 4);
    expect(r.oid(o, 'oid')).toBe('1.2.840.113549.1.1.11');
    expect(n!.tag).toBe(TAG.NULL);
    expect(r.uint(i, 'int')).toBe(65537);
    expect(hex(r.content(s!))).toBe('00e9');
    expect(() => r.seq(r.root('thing'), 'thing', 5)).toThrow(/^test: thing has 4 elements, expected at least 5$/);
  });
});

describe('Name comparison (RFC 5280 §7.1)', () => {
  const name = (b: Uint8Array) => parseName(b, readTlv(b, 0, b.length, { what: 'n' }), 'n');
  const cn = (tag: number, s: string) => der.seq(der.set(der.seq(der.oid('2.5.4.3'), der.tlv(tag, new TextEncoder().encode(s)))));
  const same: [string, Uint8Array, Uint8Array, boolean][] = [
    ['PrintableString vs UTF8String, case and spaces', cn(0x13, 'Example  CA '), cn(0x0c, 'example ca'), true],
    ['different values', cn(0x0c, 'A'), cn(0x0c, 'B'), false],
    ['BMPString', cn(0x1e, '\u0000E\u0000x'), cn(0x0c, 'ex'), true],
    ['multi-valued RDN order', der.seq(der.set(der.seq(der.oid('2.5.4.3'), der.utf8('a')), der.seq(der.oid('2.5.4.10'), der.utf8('b')))), der.seq(der.set(der.seq(der.oid('2.5.4.10'), der.utf8('B')), der.seq(der.oid('2.5.4.3'), der.utf8('A')))), true],
    ['RDN order matters', der.name(['2.5.4.3', 'a'], ['2.5.4.10', 'b']), der.name(['2.5.4.10', 'b'], ['2.5.4.3', 'a']), false],
    ['non-string values compare as bytes', der.seq(der.set(der.seq(der.oid('2.5.4.3'), der.octets(bytes(1))))), der.seq(der.set(der.seq(der.oid('2.5.4.3'), der.octets(bytes(2))))), false],
  ];
  it.each(same)('%s', (_n, a, b, eq) => expect(name(a).key === name(b).key).toBe(eq));
  it('prefix match for directoryName constraints', () => {
    const c = name(der.name(['2.5.4.6', 'DE'], ['2.5.4.10', 'Lab']));
    expect(nameHasPrefix(name(der.name(['2.5.4.6', 'de'], ['2.5.4.10', 'LAB'], ['2.5.4.3', 'x'])), c)).toBe(true);
    expect(nameHasPrefix(name(der.name(['2.5.4.6', 'DE'])), c)).toBe(false);
    expect(nameHasPrefix(name(der.name(['2.5.4.6', 'FR'], ['2.5.4.10', 'Lab'])), c)).toBe(false);
  });
  it('formats for messages', () => {
    expect(formatName(name(der.name(['2.5.4.3', 'Root A'], ['2.5.4.10', 'Example, Inc'])))).toBe('CN=Root A, O="Example, Inc"');
    expect(formatName(name(der.seq()))).toBe('(empty name)');
    expect(formatIp(bytes(192, 0, 2, 0, 255, 255, 255, 0))).toBe('192.0.2.0/255.255.255.0');
    expect(formatIp(Uint8Array.from([...new Array<number>(15).fill(0), 1]))).toBe('::1');
  });
  it('rejects an empty RDN and trailing bytes inside an attribute', () => {
    expect(() => name(der.seq(der.set()))).toThrow(/empty RDN/);
    expect(() => name(der.seq(der.set(der.seq(der.oid('2.5.4.3'), der.utf8('a'), der.utf8('b')))))).toThrow(/unexpected data/);
  });
});
