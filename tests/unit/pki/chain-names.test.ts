/**
 * Peer names (RFC 6125 §6: DNS-ID, wildcards, CN-ID fallback; RFC 5280 iPAddress and
 * rfc822Name) and name constraints (RFC 5280 §4.2.1.10) on their own, table-driven.
 */
import { describe, expect, it } from 'vitest';
import { readTlv } from '../../../src/pki/der.ts';
import { parseGeneralName, parseName, type GeneralName } from '../../../src/pki/chain/name.ts';
import { checkNames, type NameConstraints } from '../../../src/pki/chain/name-constraints.ts';
import { matchDnsName, normalizeHost, parseIp } from '../../../src/pki/chain/peer-name.ts';
import { checkHostName, checkPeerName, parseChainCert } from '../../../src/pki/chain/index.ts';
import { der, handMadeCert, OID, p256 } from './chain-fixtures.ts';

const enc = (s: string) => new TextEncoder().encode(s);
const gn = (b: Uint8Array): GeneralName => parseGeneralName(b, readTlv(b, 0, b.length, { what: 'g' }), 'g');
const dns = (s: string) => gn(der.tlv(0x82, enc(s)));
const email = (s: string) => gn(der.tlv(0x81, enc(s)));
const uri = (s: string) => gn(der.tlv(0x86, enc(s)));
const ip = (...b: number[]) => gn(der.tlv(0x87, Uint8Array.from(b)));
const dirName = (...attrs: [string, string][]) => gn(der.ctx(4, true, der.name(...attrs)));
const other = () => gn(der.ctx(0, true, der.oid('1.3.6.1.4.1.55738.666.3'), der.ctx(0, true, der.tlv(0x05, new Uint8Array()))));
const nameOf = (...attrs: [string, string][]) => {
  const b = der.name(...attrs);
  return parseName(b, readTlv(b, 0, b.length, { what: 'n' }), 'n');
};
const v6 = (s: string) => Array.from(parseIp(s)!);

describe('IP address parsing', () => {
  const cases: [string, number[] | undefined][] = [
    ['192.0.2.1', [192, 0, 2, 1]],
    ['::1', v6('0:0:0:0:0:0:0:1')],
    ['[2001:db8::1]', [0x20, 0x01, 0x0d, 0xb8, ...new Array<number>(11).fill(0), 1]],
    ['::ffff:192.0.2.1', [...new Array<number>(10).fill(0), 0xff, 0xff, 192, 0, 2, 1]],
    ['1:2:3:4:5:6:7:8', [0, 1, 0, 2, 0, 3, 0, 4, 0, 5, 0, 6, 0, 7, 0, 8]],
    ['192.0.2', undefined],
    ['192.0.2.256', undefined],
    ['01.2.3.4', undefined],
    ['1::2::3', undefined],
    ['1:2:3:4:5:6:7:8:9', undefined],
    ['fe80::1%eth0', undefined],
    ['example.com', undefined],
  ];
  it.each(cases)('%s', (s, want) => expect(parseIp(s) ? Array.from(parseIp(s)!) : undefined).toEqual(want));
});

describe('DNS-ID matching (RFC 6125 §6.4)', () => {
  const cases: [string, string, boolean][] = [
    ['example.com', 'example.com', true],
    ['EXAMPLE.com', 'example.COM', true],
    ['example.com.', 'example.com', true],
    ['*.example.com', 'foo.example.com', true],
    ['*.example.com', 'example.com', false],
    ['*.example.com', 'a.b.example.com', false],
    ['*.com', 'example.com', false],
    ['f*.example.com', 'foo.example.com', false],
    ['*oo.example.com', 'foo.example.com', false],
    ['foo.*.example.com', 'foo.bar.example.com', false],
    ['*.*.example.com', 'a.b.example.com', false],
    ['*', 'com', false],
    ['xn--bcher-kva.example', normalizeHost('bücher.example')!, true],
    ['*.xn--bcher-kva.example', normalizeHost('www.BÜCHER.example')!, true],
    ['bad_host!.example', 'bad_host!.example', false],
  ];
  it.each(cases)('presented %s vs %s', (p, r, want) => expect(matchDnsName(p, r)).toBe(want));
});

describe('checkPeerName / checkHostName', () => {
  const { key, spki } = p256();
  const make = (sanNames: Uint8Array[] | null, cn = 'cn.example.com') =>
    handMadeCert(
      {
        issuer: der.name([OID.CN, 'CA']),
        subject: der.name([OID.CN, cn]),
        spki,
        extensions: sanNames ? [der.ext('2.5.29.17', false, der.seq(...sanNames))] : [der.ext('2.5.29.19', true, der.seq())],
      },
      key,
    );
  const withSan = make([der.tlv(0x82, enc('www.example.com')), der.tlv(0x87, Uint8Array.of(192, 0, 2, 1)), der.tlv(0x87, Uint8Array.from(v6('2001:db8::1'))), der.tlv(0x81, enc('Alice@Example.com'))]);
  const noSan = make(null);
  const cases: [string, Uint8Array, string, boolean][] = [
    ['DNS in SAN', withSan, 'www.example.com', true],
    ['DNS not in SAN', withSan, 'example.com', false],
    ['no CN fallback when SAN present', make([der.tlv(0x82, enc('other.example.com'))], 'www.example.com'), 'www.example.com', false],
    ['CN fallback without SAN', noSan, 'cn.example.com', true],
    ['CN fallback mismatch', noSan, 'x.example.com', false],
    ['IPv4 literal', withSan, '192.0.2.1', true],
    ['IPv4 not present', withSan, '192.0.2.2', false],
    ['IPv6 literal in brackets', withSan, '[2001:db8::1]', true],
    ['IPv4-mapped IPv6 is not the IPv4 address', withSan, '::ffff:192.0.2.1', false],
    ['IP never matches a DNS SAN', make([der.tlv(0x82, enc('192.0.2.1'))]), '192.0.2.1', false],
  ];
  it.each(cases)('%s', (_n, cert, host, want) => expect(checkHostName(cert, host)).toSatisfy((r: string | null) => (r === null) === want));
  it('CN fallback can be turned off', () => expect(checkHostName(noSan, 'cn.example.com', { commonNameFallback: false })).toMatch(/no subjectAltName/));
  it('rfc822Name: local part exact, domain case-insensitive', () => {
    const c = parseChainCert(withSan);
    expect(checkPeerName(c, { kind: 'RFC822', value: 'Alice@example.COM' })).toBeNull();
    expect(checkPeerName(c, { kind: 'RFC822', value: 'alice@example.com' })).toMatch(/not valid for/);
  });
  it('reasons name what is there', () => expect(checkHostName(withSan, 'nope.example.com')).toBe('the certificate is not valid for nope.example.com (subjectAltName: DNS:www.example.com, IP:192.0.2.1, IP:2001:db8::1, email:Alice@Example.com)'));
});

describe('name constraints (RFC 5280 §4.2.1.10)', () => {
  const subject = nameOf([OID.CN, 'leaf']);
  const check = (san: GeneralName[] | undefined, nc: NameConstraints, extra: { subject?: ReturnType<typeof nameOf>; emails?: string[]; cn?: string[] } = {}) =>
    checkNames({ subject: extra.subject ?? subject, ...(san ? { san } : {}), subjectEmails: extra.emails ?? [], cnHosts: extra.cn ?? [] }, nc, 'CA X');
  const ipc = (...b: number[]) => ip(...b);
  const cases: [string, GeneralName[] | undefined, NameConstraints, RegExp | null][] = [
    ['dns permitted exact', [dns('example.com')], { permitted: [dns('example.com')] }, null],
    ['dns permitted subdomain', [dns('a.b.example.com')], { permitted: [dns('example.com')] }, null],
    ['dns not a label boundary', [dns('notexample.com')], { permitted: [dns('example.com')] }, /outside the permitted/],
    ['dns case-insensitive', [dns('WWW.Example.COM')], { permitted: [dns('example.com')] }, null],
    ['dns excluded beats permitted', [dns('example.com')], { permitted: [dns('example.com')], excluded: [dns('example.com')] }, /excluded/],
    ['dns second name excluded', [dns('ok.com'), dns('bad.ok.com')], { excluded: [dns('bad.ok.com')] }, /DNS:bad\.ok\.com is excluded/],
    ['other form unconstrained', [dns('example.com')], { permitted: [ipc(192, 0, 2, 0, 255, 255, 255, 0)] }, null],
    ['empty dNSName constraint permits all', [dns('x.org')], { permitted: [dns('')] }, null],
    ['leading-period dNSName constraint is malformed', [dns('foo.example.com')], { permitted: [dns('.example.com')] }, /malformed name constraint/],
    ['wildcard dNSName constraint is malformed', [dns('foo.example.com')], { permitted: [dns('*.example.com')] }, /malformed name constraint/],
    ['malformed dNSName SAN under a DNS constraint', [dns('.example.com')], { permitted: [dns('example.com')] }, /not a host name/],
    ['wildcard SAN inside permitted parent', [dns('*.example.com')], { permitted: [dns('example.com')] }, null],
    ['wildcard SAN not fully inside permitted child (CVE-2025-61727)', [dns('*.example.com')], { permitted: [dns('foo.example.com')] }, /outside/],
    ['wildcard SAN could match excluded child (CVE-2025-61727)', [dns('*.example.com')], { excluded: [dns('bar.example.com')] }, /excluded/],
    ['ipv4 in range', [ipc(192, 0, 2, 7)], { permitted: [ipc(192, 0, 2, 0, 255, 255, 255, 0)] }, null],
    ['ipv4 out of range', [ipc(192, 0, 3, 1)], { permitted: [ipc(192, 0, 2, 0, 255, 255, 255, 0)] }, /outside/],
    ['ipv6 /128 excluded', [ip(...v6('::1'))], { excluded: [ip(...v6('::1'), ...new Array<number>(16).fill(255))] }, /excluded/],
    ['ipv4 name vs ipv6 constraint', [ipc(10, 0, 0, 1)], { permitted: [ip(...v6('::'), ...new Array<number>(16).fill(0))] }, /outside/],
    ['address without mask is a malformed constraint', [ipc(127, 0, 0, 1)], { permitted: [ipc(127, 0, 0, 1)] }, /not an address and mask/],
    ['non-contiguous mask', [ipc(10, 0, 0, 1)], { permitted: [ipc(10, 0, 0, 0, 255, 0, 255, 0)] }, /non-contiguous/],
    ['8-byte iPAddress SAN', [ipc(192, 0, 2, 0, 255, 255, 255, 0)], { permitted: [ipc(192, 0, 2, 0, 255, 255, 255, 0)] }, /iPAddress of 8 bytes/],
    ['email host form', [email('foo@example.com')], { permitted: [email('example.com')] }, null],
    ['email host form excludes subdomain', [email('foo@mail.example.com')], { permitted: [email('example.com')] }, /outside/],
    ['email domain form (leading period)', [email('foo@mail.example.com')], { permitted: [email('.example.com')] }, null],
    ['email domain form excludes the host itself', [email('foo@example.com')], { permitted: [email('.example.com')] }, /outside/],
    ['email mailbox exact', [email('foo@EXAMPLE.com')], { permitted: [email('foo@example.com')] }, null],
    ['email local part is case-sensitive', [email('Foo@example.com')], { permitted: [email('foo@example.com')] }, /outside/],
    ['email literal asterisks', [email('*@example.com')], { permitted: [email('**@example.com')] }, /outside/],
    ['malformed email SAN', [email('invalid@address@example.com')], { permitted: [email('example.com')] }, /not a mailbox/],
    ['malformed email constraint', [email('a@example.com')], { permitted: [email('invalid@invalid@example.com')] }, /not a mailbox/],
    ['uri host', [uri('https://www.example.com:8443/x')], { permitted: [uri('www.example.com')] }, null],
    ['uri domain form', [uri('https://a.example.com/')], { permitted: [uri('.example.com')] }, null],
    ['uri without host under a URI constraint', [uri('urn:x:y')], { permitted: [uri('example.com')] }, /no host name/],
    ['otherName under otherName constraint', [dns('example.com'), other()], { permitted: [dns('example.com')], excluded: [other()] }, /not supported/],
    ['otherName constraint without otherName names', [dns('example.com')], { permitted: [dns('example.com')], excluded: [other()] }, null],
    ['SAN directoryName outside', [dirName([OID.CN, 'not-foo'])], { permitted: [dirName([OID.CN, 'leaf'])] }, /DirName:CN=not-foo is outside/],
  ];
  it.each(cases)('%s', (_n, san, nc, want) => {
    const r = check(san, nc);
    if (want === null) expect(r).toBeNull();
    else expect(r).toMatch(want);
  });
  it('directoryName constraints apply to the subject', () => {
    expect(check(undefined, { permitted: [dirName([OID.CN, 'foo'])] })).toMatch(/subject CN=leaf is outside/);
    expect(check(undefined, { excluded: [dirName([OID.CN, 'leaf'])] })).toMatch(/excluded/);
    expect(check(undefined, { permitted: [dirName([OID.CN, 'foo'])] }, { subject: nameOf() })).toBeNull();
  });
  it('emailAddress in the subject is checked only without SAN', () => {
    expect(check(undefined, { permitted: [email('example.com')] }, { emails: ['x@evil.com'] })).toMatch(/outside/);
    expect(check([dns('a.example.com')], { permitted: [email('example.com')] }, { emails: ['x@evil.com'] })).toBeNull();
  });
  it('host-like CNs of a leaf without SAN are checked as dNSName', () => {
    expect(check(undefined, { permitted: [dns('example.com')] }, { cn: ['evil.com'] })).toMatch(/DNS:evil\.com is outside/);
    expect(check(undefined, { permitted: [dns('example.com')] }, { cn: ['www.example.com'] })).toBeNull();
  });
});
