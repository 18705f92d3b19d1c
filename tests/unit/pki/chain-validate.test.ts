/**
 * `validateChain` on chains OpenSSL makes at test time (RFC 5280 §6.1: validity, basicConstraints,
 * pathLenConstraint with self-issued CAs, keyUsage, unknown critical extensions, name
 * constraints, policies, EKU/KU, peer names, path building with alternative and looping paths,
 * the strict profile). Where OpenSSL implements the same rule, `openssl verify` must agree
 * (differential); where it does not, the case says why.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validateChain, type ValidateChainOptions } from '../../../src/pki/chain/index.ts';
import { webCryptoVerify } from '../../../src/pki/verify-webcrypto.ts';
import { OpenSslPki, type CertSpec } from './chain-fixtures.ts';

const pki = new OpenSslPki();
afterAll(() => pki.cleanup());

const ca = (pathlen?: number, extra: string[] = [], ku = 'critical, keyCertSign, cRLSign') => [
  `basicConstraints = critical, CA:TRUE${pathlen === undefined ? '' : `, pathlen:${pathlen}`}`,
  `keyUsage = ${ku}`,
  'subjectKeyIdentifier = hash',
  'authorityKeyIdentifier = keyid',
  ...extra,
];
const ee = (san = 'DNS:leaf.example.com', extra: string[] = [], eku = 'serverAuth, clientAuth') => [
  'basicConstraints = critical, CA:FALSE',
  'keyUsage = critical, digitalSignature, keyEncipherment',
  `extendedKeyUsage = ${eku}`,
  ...(san ? [`subjectAltName = ${san}`] : []),
  'subjectKeyIdentifier = hash',
  'authorityKeyIdentifier = keyid',
  ...extra,
];

/** One scenario: the certificates to make (in order), which are trusted/untrusted, options, expectations. */
interface Case {
  name: string;
  certs: (id: string) => CertSpec[];
  leaf: string;
  anchors: string[];
  untrusted?: string[];
  opts?: Partial<ValidateChainOptions>;
  /** 'ok' or a regex for the reason */
  want: 'ok' | RegExp;
  /** flags for the `openssl verify` differential, or false with the reason OpenSSL differs */
  openssl: string[] | { skip: string };
}

/** OpenSSL 3 adds AKI/SKI unless told `none`. */
const noAki = (ext: string[]) => [...ext.filter((l) => !l.startsWith('authorityKeyIdentifier')), 'authorityKeyIdentifier = none'];
const noSki = (ext: string[]) => [...ext.filter((l) => !l.startsWith('subjectKeyIdentifier')), 'subjectKeyIdentifier = none'];
// Keys are shared across cases by role (names never collide across cases: each has its own prefix).
const root = (id: string, extra: Partial<CertSpec> = {}): CertSpec => ({ name: `${id}root`, subject: `/CN=${id} Root`, key: 'root', ext: ca(), ...extra });
const ica = (id: string, issuer: string, extra: Partial<CertSpec> = {}): CertSpec => ({ name: `${id}ica`, subject: `/CN=${id} ICA`, issuer, key: 'ica', ext: ca(), ...extra });
const leaf = (id: string, issuer: string, extra: Partial<CertSpec> = {}): CertSpec => ({ name: `${id}leaf`, subject: `/CN=leaf.example.com`, issuer, key: 'leaf', ext: ee(), ...extra });
const std = (id: string, l: Partial<CertSpec> = {}, i: Partial<CertSpec> = {}, r: Partial<CertSpec> = {}) => [root(id, r), ica(id, `${id}root`, i), leaf(id, `${id}ica`, l)];
/** OpenSSL runs policy processing over the root too; an anyPolicy root makes that a no-op (RFC 5280 keeps the anchor out). */
const ANY_POLICY_ROOT = { ext: ca(undefined, ['certificatePolicies = 2.5.29.32.0']) };
/** `openssl verify` flags for RFC 5280 policy processing with user-initial-policy-set {anyPolicy}. */
const POLICY_CHECK = ['-policy_check', '-policy', '2.5.29.32.0'];
const at = (iso: string) => new Date(iso);
const attime = (iso: string) => ['-attime', String(Date.parse(iso) / 1000)];

const cases: Case[] = [
  { name: 'valid root → ICA → leaf', certs: (id) => std(id), leaf: 'leaf', anchors: ['root'], untrusted: ['ica'], want: 'ok', openssl: [] },
  { name: 'the ICA as trust anchor (partial chain)', certs: (id) => std(id), leaf: 'leaf', anchors: ['ica'], want: 'ok', openssl: ['-partial_chain'] },
  { name: 'missing intermediate', certs: (id) => std(id), leaf: 'leaf', anchors: ['root'], want: /issuer CN=\S+ ICA of certificate CN=leaf.example.com is neither a trust anchor/, openssl: [] },
  {
    name: 'root only in the untrusted pool',
    certs: (id) => [...std(id), root(`${id}x`, { subject: `/CN=${id} unrelated` })],
    leaf: 'leaf',
    anchors: ['xroot'],
    untrusted: ['ica', 'root'],
    want: /self-issued and not a trust anchor/,
    openssl: [],
  },
  { name: 'expired leaf', certs: (id) => std(id, { end: '20200101000000Z' }), leaf: 'leaf', anchors: ['root'], untrusted: ['ica'], want: /certificate CN=leaf.example.com expired at 2020-01-01 00:00:00 UTC/, openssl: [] },
  { name: 'leaf not yet valid', certs: (id) => std(id, { start: '20400101000000Z' }), leaf: 'leaf', anchors: ['root'], untrusted: ['ica'], want: /not valid before 2040-01-01/, openssl: [] },
  { name: 'expired intermediate', certs: (id) => std(id, {}, { end: '20200101000000Z' }), leaf: 'leaf', anchors: ['root'], untrusted: ['ica'], want: /intermediate CA CN=\S+ ICA expired/, openssl: [] },
  { name: 'expired root', certs: (id) => std(id, {}, {}, { end: '20200101000000Z' }), leaf: 'leaf', anchors: ['root'], untrusted: ['ica'], want: /trust anchor CN=\S+ Root expired/, openssl: [] },
  {
    name: 'validation time inside a past window',
    certs: (id) => std(id, { start: '20210101000000Z', end: '20220101000000Z' }),
    leaf: 'leaf',
    anchors: ['root'],
    untrusted: ['ica'],
    opts: { time: at('2021-06-01T00:00:00Z') },
    want: 'ok',
    openssl: attime('2021-06-01T00:00:00Z'),
  },
  {
    name: 'notAfter is inclusive (exact second)',
    certs: (id) => std(id, { start: '20210101000000Z', end: '20220101000000Z' }),
    leaf: 'leaf',
    anchors: ['root'],
    untrusted: ['ica'],
    opts: { time: at('2022-01-01T00:00:00.999Z') },
    want: 'ok',
    openssl: { skip: 'OpenSSL treats notAfter as exclusive (X509_cmp_time), RFC 5280 §4.1.2.5 says inclusive' },
  },
  {
    name: 'one second after notAfter',
    certs: (id) => std(id, { start: '20210101000000Z', end: '20220101000000Z' }),
    leaf: 'leaf',
    anchors: ['root'],
    untrusted: ['ica'],
    opts: { time: at('2022-01-01T00:00:01Z') },
    want: /expired/,
    openssl: attime('2022-01-01T00:00:01Z'),
  },
  { name: 'intermediate with cA FALSE', certs: (id) => std(id, {}, { ext: ['basicConstraints = critical, CA:FALSE', 'subjectKeyIdentifier = hash', 'authorityKeyIdentifier = keyid'] }), leaf: 'leaf', anchors: ['root'], untrusted: ['ica'], want: /is not a CA: basicConstraints does not assert cA/, openssl: [] },
  { name: 'intermediate without basicConstraints', certs: (id) => std(id, {}, { ext: ['subjectKeyIdentifier = hash', 'authorityKeyIdentifier = keyid'] }), leaf: 'leaf', anchors: ['root'], untrusted: ['ica'], want: /it has no basicConstraints/, openssl: [] },
  { name: 'intermediate keyUsage without keyCertSign', certs: (id) => std(id, {}, { ext: ca(undefined, [], 'critical, cRLSign, digitalSignature') }), leaf: 'leaf', anchors: ['root'], untrusted: ['ica'], want: /does not assert keyCertSign/, openssl: [] },
  { name: 'root pathlen 0 forbids an intermediate', certs: (id) => std(id, {}, {}, { ext: ca(0) }), leaf: 'leaf', anchors: ['root'], untrusted: ['ica'], want: /pathLenConstraint of CN=\S+ Root does not allow/, openssl: [] },
  {
    name: 'ICA pathlen 0 → ICA → leaf',
    certs: (id) => [root(id), ica(id, `${id}root`, { ext: ca(0) }), { name: `${id}ica2`, subject: `/CN=${id} ICA2`, issuer: `${id}ica`, ext: ca() }, leaf(id, `${id}ica2`)],
    leaf: 'leaf',
    anchors: ['root'],
    untrusted: ['ica', 'ica2'],
    want: /pathLenConstraint of CN=\S+ ICA does not allow the intermediate CA CN=\S+ ICA2/,
    openssl: [],
  },
  {
    name: 'ICA pathlen 1 → ICA → leaf',
    certs: (id) => [root(id), ica(id, `${id}root`, { ext: ca(1) }), { name: `${id}ica2`, subject: `/CN=${id} ICA2`, issuer: `${id}ica`, ext: ca(0) }, leaf(id, `${id}ica2`)],
    leaf: 'leaf',
    anchors: ['root'],
    untrusted: ['ica', 'ica2'],
    want: 'ok',
    openssl: [],
  },
  {
    name: 'a self-issued intermediate does not count against pathlen (key rollover)',
    certs: (id) => [root(id), ica(id, `${id}root`, { ext: ca(0) }), { name: `${id}ica2`, subject: `/CN=${id} ICA`, key: `${id}ica2`, issuer: `${id}ica`, ext: ca(0) }, leaf(id, `${id}ica2`)],
    leaf: 'leaf',
    anchors: ['root'],
    untrusted: ['ica', 'ica2'],
    want: 'ok',
    openssl: [],
  },
  { name: 'unknown critical extension in the leaf', certs: (id) => std(id, { ext: ee(undefined, ['1.3.6.1.4.1.55738.666.1 = critical, ASN1:NULL']) }), leaf: 'leaf', anchors: ['root'], untrusted: ['ica'], want: /unsupported critical extension 1\.3\.6\.1\.4\.1\.55738\.666\.1/, openssl: [] },
  { name: 'unknown critical extension in the ICA', certs: (id) => std(id, {}, { ext: ca(undefined, ['1.3.6.1.4.1.55738.666.1 = critical, ASN1:NULL']) }), leaf: 'leaf', anchors: ['root'], untrusted: ['ica'], want: /intermediate CA .* unsupported critical extension/, openssl: [] },
  { name: 'unknown non-critical extension is ignored', certs: (id) => std(id, { ext: ee(undefined, ['1.3.6.1.4.1.55738.666.1 = ASN1:NULL']) }), leaf: 'leaf', anchors: ['root'], untrusted: ['ica'], want: 'ok', openssl: [] },
  { name: 'critical AIA is not understood', certs: (id) => std(id, { ext: ee(undefined, ['authorityInfoAccess = critical, caIssuers;URI:http://example.com/ca.crt']) }), leaf: 'leaf', anchors: ['root'], untrusted: ['ica'], want: /unsupported critical extension authorityInfoAccess/, openssl: [] },
  // name constraints
  { name: 'NC permitted DNS, inside', certs: (id) => std(id, {}, {}, { ext: ca(undefined, ['nameConstraints = critical, permitted;DNS:example.com']) }), leaf: 'leaf', anchors: ['root'], untrusted: ['ica'], want: 'ok', openssl: [] },
  {
    name: 'NC permitted DNS, leaf SAN outside',
    certs: (id) => std(id, { ext: ee('DNS:leaf.example.com, DNS:evil.com') }, {}, { ext: ca(undefined, ['nameConstraints = critical, permitted;DNS:example.com']) }),
    leaf: 'leaf',
    anchors: ['root'],
    untrusted: ['ica'],
    want: /DNS:evil.com is outside the permitted names of trust anchor/,
    openssl: [],
  },
  { name: 'NC excluded DNS in the ICA', certs: (id) => std(id, {}, { ext: ca(undefined, ['nameConstraints = critical, excluded;DNS:leaf.example.com']) }), leaf: 'leaf', anchors: ['root'], untrusted: ['ica'], want: /excluded by the name constraints of CA/, openssl: [] },
  { name: 'NC permitted IP, SAN outside', certs: (id) => std(id, { ext: ee('IP:192.0.3.1') }, { ext: ca(undefined, ['nameConstraints = critical, permitted;IP:192.0.2.0/255.255.255.0']) }), leaf: 'leaf', anchors: ['root'], untrusted: ['ica'], want: /IP:192.0.3.1 is outside/, openssl: [] },
  { name: 'NC permitted IP, SAN inside', certs: (id) => std(id, { ext: ee('IP:192.0.2.9') }, { ext: ca(undefined, ['nameConstraints = critical, permitted;IP:192.0.2.0/255.255.255.0']) }), leaf: 'leaf', anchors: ['root'], untrusted: ['ica'], want: 'ok', openssl: [] },
  { name: 'NC permitted email domain', certs: (id) => std(id, { ext: ee('email:a@mail.example.com') }, { ext: ca(undefined, ['nameConstraints = critical, permitted;email:.example.com']) }), leaf: 'leaf', anchors: ['root'], untrusted: ['ica'], want: 'ok', openssl: [] },
  {
    name: 'NC permitted dirName, subject inside',
    certs: (id) => std(id, { subject: '/O=Lab/CN=leaf.example.com' }, { subject: `/O=Lab/CN=${id} ICA` }, { ext: ca(undefined, ['nameConstraints = critical, permitted;dirName:dn_sect', '[ dn_sect ]', 'O = Lab']) }),
    leaf: 'leaf',
    anchors: ['root'],
    untrusted: ['ica'],
    want: 'ok',
    openssl: [],
  },
  {
    name: 'NC permitted dirName, subject outside',
    certs: (id) => std(id, { subject: '/O=Other/CN=leaf.example.com' }, { subject: `/O=Lab/CN=${id} ICA` }, { ext: ca(undefined, ['nameConstraints = critical, permitted;dirName:dn_sect', '[ dn_sect ]', 'O = Lab']) }),
    leaf: 'leaf',
    anchors: ['root'],
    untrusted: ['ica'],
    want: /subject O=Other, CN=leaf.example.com is outside/,
    openssl: [],
  },
  {
    name: 'NC applies to a self-issued leaf (RFC 5280 §4.2.1.10)',
    certs: (id) => std(id, { subject: `/CN=${id} ICA`, ext: ee('DNS:evil.com') }, {}, { ext: ca(undefined, ['nameConstraints = critical, permitted;DNS:example.com']) }),
    leaf: 'leaf',
    anchors: ['root'],
    untrusted: ['ica'],
    want: /DNS:evil.com is outside/,
    openssl: [],
  },
  {
    name: 'NC on a host-shaped CN when the leaf has no SAN',
    certs: (id) => std(id, { subject: '/CN=www.evil.com', ext: ee('') }, { ext: ca(undefined, ['nameConstraints = critical, permitted;DNS:example.com']) }),
    leaf: 'leaf',
    anchors: ['root'],
    untrusted: ['ica'],
    want: /DNS:www.evil.com is outside/,
    openssl: [],
  },
  {
    name: 'non-critical NC is honoured (CA/B Forum exception)',
    certs: (id) => std(id, { ext: ee('DNS:evil.com') }, { ext: ca(undefined, ['nameConstraints = permitted;DNS:example.com']) }),
    leaf: 'leaf',
    anchors: ['root'],
    untrusted: ['ica'],
    want: /outside the permitted names/,
    openssl: [],
  },
  // usages and names
  { name: 'EKU lacks the requested clientAuth', certs: (id) => std(id, { ext: ee(undefined, [], 'serverAuth') }), leaf: 'leaf', anchors: ['root'], untrusted: ['ica'], opts: { usages: { extKeyUsage: ['clientAuth'] } }, want: /extKeyUsage of certificate CN=leaf.example.com does not include clientAuth/, openssl: ['-purpose', 'sslclient'] },
  { name: 'EKU has the requested serverAuth', certs: (id) => std(id, { ext: ee(undefined, [], 'serverAuth') }), leaf: 'leaf', anchors: ['root'], untrusted: ['ica'], opts: { usages: { extKeyUsage: ['serverAuth'] } }, want: 'ok', openssl: ['-purpose', 'sslserver'] },
  { name: 'anyExtendedKeyUsage satisfies any request', certs: (id) => std(id, { ext: ee(undefined, [], 'anyExtendedKeyUsage') }), leaf: 'leaf', anchors: ['root'], untrusted: ['ica'], opts: { usages: { extKeyUsage: ['1.3.6.1.5.5.7.3.17'] } }, want: 'ok', openssl: { skip: 'openssl has no IKE purpose' } },
  { name: 'no EKU extension: no restriction', certs: (id) => std(id, { ext: ee().filter((l) => !l.startsWith('extendedKeyUsage')) }), leaf: 'leaf', anchors: ['root'], untrusted: ['ica'], opts: { usages: { extKeyUsage: ['codeSigning'] } }, want: 'ok', openssl: { skip: 'openssl purposes also require keyUsage bits' } },
  { name: 'keyUsage lacks the requested bit', certs: (id) => std(id), leaf: 'leaf', anchors: ['root'], untrusted: ['ica'], opts: { usages: { keyUsage: ['keyAgreement'] } }, want: /keyUsage of certificate CN=leaf.example.com does not allow keyAgreement/, openssl: { skip: 'openssl has no per-bit request' } },
  { name: 'peer name matches a SAN', certs: (id) => std(id), leaf: 'leaf', anchors: ['root'], untrusted: ['ica'], opts: { peerName: { kind: 'DNS', value: 'LEAF.example.com' } }, want: 'ok', openssl: ['-verify_hostname', 'LEAF.example.com'] },
  { name: 'peer name mismatch', certs: (id) => std(id), leaf: 'leaf', anchors: ['root'], untrusted: ['ica'], opts: { peerName: { kind: 'DNS', value: 'other.example.com' } }, want: /not valid for other.example.com/, openssl: ['-verify_hostname', 'other.example.com'] },
  { name: 'wildcard SAN', certs: (id) => std(id, { ext: ee('DNS:*.example.com') }), leaf: 'leaf', anchors: ['root'], untrusted: ['ica'], opts: { peerName: { kind: 'DNS', value: 'www.example.com' } }, want: 'ok', openssl: ['-verify_hostname', 'www.example.com'] },
  { name: 'IP peer name', certs: (id) => std(id, { ext: ee('IP:192.0.2.1') }), leaf: 'leaf', anchors: ['root'], untrusted: ['ica'], opts: { peerName: { kind: 'IP', value: '192.0.2.1' } }, want: 'ok', openssl: ['-verify_ip', '192.0.2.1'] },
  // policies
  {
    name: 'requireExplicitPolicy with a matching policy',
    certs: (id) => std(id, { ext: ee(undefined, ['certificatePolicies = 1.3.6.1.4.1.99999.1']) }, { ext: ca(undefined, ['certificatePolicies = 1.3.6.1.4.1.99999.1', 'policyConstraints = critical, requireExplicitPolicy:0']) }, ANY_POLICY_ROOT),
    leaf: 'leaf',
    anchors: ['root'],
    untrusted: ['ica'],
    want: 'ok',
    openssl: POLICY_CHECK,
  },
  {
    name: 'requireExplicitPolicy without a matching policy',
    certs: (id) => std(id, { ext: ee(undefined, ['certificatePolicies = 1.3.6.1.4.1.99999.2']) }, { ext: ca(undefined, ['certificatePolicies = 1.3.6.1.4.1.99999.1', 'policyConstraints = critical, requireExplicitPolicy:0']) }, ANY_POLICY_ROOT),
    leaf: 'leaf',
    anchors: ['root'],
    untrusted: ['ica'],
    want: /no certificate policy is valid/,
    openssl: POLICY_CHECK,
  },
  {
    name: 'policy mapping makes the leaf policy valid',
    certs: (id) =>
      std(
        id,
        { ext: ee(undefined, ['certificatePolicies = 1.3.6.1.4.1.99999.2']) },
        { ext: ca(undefined, ['certificatePolicies = 1.3.6.1.4.1.99999.1', 'policyMappings = critical, 1.3.6.1.4.1.99999.1:1.3.6.1.4.1.99999.2', 'policyConstraints = critical, requireExplicitPolicy:0']) },
        ANY_POLICY_ROOT,
      ),
    leaf: 'leaf',
    anchors: ['root'],
    untrusted: ['ica'],
    want: 'ok',
    openssl: POLICY_CHECK,
  },
  // path building
  {
    name: 'two intermediates with the same name: the one that signed the leaf is found',
    certs: (id) => [root(id), { name: `${id}decoy`, subject: `/CN=${id} ICA`, key: `${id}decoy`, issuer: `${id}root`, ext: ca() }, ica(id, `${id}root`), leaf(id, `${id}ica`)],
    leaf: 'leaf',
    anchors: ['root'],
    untrusted: ['decoy', 'ica'],
    want: 'ok',
    openssl: [],
  },
  {
    name: 'only a same-name intermediate with another key',
    certs: (id) => [root(id), { name: `${id}decoy`, subject: `/CN=${id} ICA`, key: `${id}decoy`, issuer: `${id}root`, ext: noSki(ca()) }, ica(id, `${id}root`), leaf(id, `${id}ica`)],
    leaf: 'leaf',
    anchors: ['root'],
    untrusted: ['decoy'],
    want: /signature does not verify with the key of CN=\S+ ICA/,
    openssl: [],
  },
  {
    name: 'cross-certificate from an expired other root is skipped',
    certs: (id) => [
      root(id),
      { name: `${id}root2`, subject: `/CN=${id} Root2`, ext: ca() },
      { name: `${id}xcert`, subject: `/CN=${id} Root`, key: 'root', issuer: `${id}root2`, ext: ca(), end: '20200101000000Z' },
      leaf(id, `${id}root`),
    ],
    leaf: 'leaf',
    anchors: ['root2', 'root'],
    untrusted: ['xcert'],
    want: 'ok',
    openssl: [],
  },
  {
    name: 'the valid path avoids a CA whose name constraints forbid the leaf',
    certs: (id) => [
      root(id),
      { name: `${id}rootB`, subject: `/CN=${id} RootB`, ext: ca() },
      ica(id, `${id}root`, { ext: ca(undefined, ['nameConstraints = critical, excluded;DNS:leaf.example.com']) }),
      { name: `${id}b1`, subject: `/CN=${id} B`, key: `${id}b`, issuer: `${id}ica`, ext: ca() },
      { name: `${id}b2`, subject: `/CN=${id} B`, key: `${id}b`, issuer: `${id}rootB`, ext: ca() },
      leaf(id, `${id}b1`),
    ],
    leaf: 'leaf',
    anchors: ['root', 'rootB'],
    untrusted: ['ica', 'b1', 'b2'],
    want: 'ok',
    openssl: { skip: 'OpenSSL stops at the first chain it builds' },
  },
  {
    name: 'two CAs certifying each other, no anchor: fails, no loop',
    certs: (id) => [
      root(id),
      { name: `${id}A`, subject: `/CN=${id} A`, key: `${id}A`, ext: ca() },
      { name: `${id}B`, subject: `/CN=${id} B`, key: `${id}B`, issuer: `${id}A`, ext: ca() },
      { name: `${id}A2`, subject: `/CN=${id} A`, key: `${id}A`, issuer: `${id}B`, ext: ca() },
      leaf(id, `${id}A`),
    ],
    leaf: 'leaf',
    anchors: ['root'],
    untrusted: ['B', 'A2'],
    want: /not a trust anchor|neither a trust anchor/,
    openssl: [],
  },
  {
    name: 'maxDepth 1 with two intermediates',
    certs: (id) => [root(id), ica(id, `${id}root`), { name: `${id}ica2`, subject: `/CN=${id} ICA2`, issuer: `${id}ica`, ext: ca() }, leaf(id, `${id}ica2`)],
    leaf: 'leaf',
    anchors: ['root'],
    untrusted: ['ica', 'ica2'],
    opts: { maxDepth: 1 },
    want: /within 1 intermediate/,
    openssl: { skip: 'openssl -verify_depth counts differently' },
  },
  {
    name: 'maxDepth 2 with two intermediates',
    certs: (id) => [root(id), ica(id, `${id}root`), { name: `${id}ica2`, subject: `/CN=${id} ICA2`, issuer: `${id}ica`, ext: ca() }, leaf(id, `${id}ica2`)],
    leaf: 'leaf',
    anchors: ['root'],
    untrusted: ['ica', 'ica2'],
    opts: { maxDepth: 2 },
    want: 'ok',
    openssl: [],
  },
  { name: 'RSA root, EC leaf', certs: (id) => std(id, {}, {}, { key: 'root-rsa', keyAlg: 'rsa' }), leaf: 'leaf', anchors: ['root'], untrusted: ['ica'], want: 'ok', openssl: [] },
  { name: 'signature algorithm not on the allow-list', certs: (id) => std(id), leaf: 'leaf', anchors: ['root'], untrusted: ['ica'], opts: { signatureAlgorithms: ['1.2.840.10045.4.3.3'] }, want: /signed with ecdsa-with-SHA256, which is not an accepted/, openssl: { skip: 'no such openssl option' } },
  { name: 'a trusted leaf is valid by itself', certs: (id) => [{ ...leaf(id, ''), issuer: undefined }], leaf: 'leaf', anchors: ['leaf'], want: 'ok', openssl: { skip: 'openssl needs the leaf to be a CA or -partial_chain semantics' } },
  // the strict profile
  { name: 'strict: leaf without authorityKeyIdentifier', certs: (id) => std(id, { ext: noAki(ee()) }), leaf: 'leaf', anchors: ['root'], untrusted: ['ica'], opts: { strict: true }, want: /authorityKeyIdentifier keyIdentifier is missing/, openssl: ['-x509_strict'] },
  { name: 'lenient: leaf without authorityKeyIdentifier', certs: (id) => std(id, { ext: noAki(ee()) }), leaf: 'leaf', anchors: ['root'], untrusted: ['ica'], want: 'ok', openssl: [] },
  { name: 'strict: non-critical basicConstraints in a CA', certs: (id) => std(id, {}, { ext: ['basicConstraints = CA:TRUE', ...ca().slice(1)] }), leaf: 'leaf', anchors: ['root'], untrusted: ['ica'], opts: { strict: true }, want: /basicConstraints is not marked critical/, openssl: ['-x509_strict'] },
  { name: 'lenient: non-critical basicConstraints in a CA', certs: (id) => std(id, {}, { ext: ['basicConstraints = CA:TRUE', ...ca().slice(1)] }), leaf: 'leaf', anchors: ['root'], untrusted: ['ica'], want: 'ok', openssl: [] },
  { name: 'strict: serial number zero', certs: (id) => std(id, { serial: '00' }), leaf: 'leaf', anchors: ['root'], untrusted: ['ica'], opts: { strict: true }, want: /serial number is zero/, openssl: { skip: 'OpenSSL 3.0 does not check serial numbers' } },
];

describe('validateChain on OpenSSL-made chains', () => {
  const made = new Map<Case, { id: string; ders: Record<string, Uint8Array> }>();
  beforeAll(() => {
    cases.forEach((c, n) => {
      const id = `c${n}`;
      const ders: Record<string, Uint8Array> = {};
      for (const spec of c.certs(id)) ders[spec.name.slice(id.length)] = pki.cert(spec);
      made.set(c, { id, ders });
    });
  }, 120_000);

  it.each(cases.map((c) => [c.name, c] as const))('%s', async (_n, c) => {
    const { id, ders } = made.get(c)!;
    const r = await validateChain({
      leaf: ders[c.leaf]!,
      anchors: c.anchors.map((a) => ders[a]!),
      intermediates: (c.untrusted ?? []).map((u) => ders[u]!),
      verify: webCryptoVerify,
      ...c.opts,
    });
    if (c.want === 'ok') expect(r).toMatchObject({ ok: true });
    else {
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.reason).toMatch(c.want);
    }
    if (Array.isArray(c.openssl)) {
      const ossl = pki.opensslVerify(`${id}${c.leaf}`, c.anchors.map((a) => `${id}${a}`), (c.untrusted ?? []).map((u) => `${id}${u}`), ['-auth_level', '0', ...c.openssl]);
      expect(ossl, 'openssl verify disagrees').toBe(r.ok);
    }
  });

  it('returns the path leaf first, anchor last', async () => {
    const d = made.get(cases[0]!)!.ders;
    const r = await validateChain({ leaf: d.leaf!, anchors: [d.root!], intermediates: [d.ica!], verify: webCryptoVerify });
    expect(r.ok && r.path).toEqual([d.leaf, d.ica, d.root]);
  });
});
