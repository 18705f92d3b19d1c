/**
 * Revocation with CRLs (RFC 5280 §5, §6.3; the full §6.3 — indirect, partitioned, delta CRLs, separate signers — is measured on NIST PKITS by `npm run vectors -- --pkits DIR`): CRLs made by `openssl ca -gencrl` at test time,
 * checked through `validateChain({ crls })` and the standalone `checkRevocation`, differentially
 * against `openssl verify -crl_check[_all]`; hand-made CRLs for what OpenSSL will not produce
 * (unknown critical entry extensions, duplicate entries, delta CRLs, misencoded times).
 */
import { sign } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkRevocation, parseChainCert, parseCrl, validateChain, type ValidateChainOptions } from '../../../src/pki/chain/index.ts';
import { webCryptoVerify } from '../../../src/pki/verify-webcrypto.ts';
import { der, loadKey, OpenSslPki } from './chain-fixtures.ts';
import { loadCoreInstance } from '../_core.ts';

const pki = new OpenSslPki();
afterAll(() => pki.cleanup());

const CA = ['basicConstraints = critical, CA:TRUE', 'keyUsage = critical, keyCertSign, cRLSign', 'subjectKeyIdentifier = hash', 'authorityKeyIdentifier = keyid'];
const EE = ['basicConstraints = critical, CA:FALSE', 'keyUsage = critical, digitalSignature', 'subjectAltName = DNS:leaf.example.com'];
const d: Record<string, Uint8Array> = {};

beforeAll(() => {
  d.root = pki.cert({ name: 'root', subject: '/CN=CRL Root', ext: CA, serial: '01' });
  d.ica = pki.cert({ name: 'ica', subject: '/CN=CRL ICA', issuer: 'root', ext: CA, serial: '0B' });
  d.leaf = pki.cert({ name: 'leaf', subject: '/CN=leaf.example.com', issuer: 'ica', ext: EE, serial: 'A1' });
  d.cdpLeaf = pki.cert({ name: 'cdpLeaf', subject: '/CN=cdp.example.com', issuer: 'ica', ext: [...EE, 'crlDistributionPoints = URI:http://crl.example.com/ica.crl'], serial: 'A3' });
  d.decoy = pki.cert({ name: 'decoy', subject: '/CN=CRL ICA', key: 'decoy', ext: CA });
  d.other = pki.cert({ name: 'other', subject: '/CN=Other CA', ext: CA });
  d.noCrlSign = pki.cert({ name: 'noCrlSign', subject: '/CN=No cRLSign ICA', issuer: 'root', ext: [...CA.filter((l) => !l.startsWith('keyUsage')), 'keyUsage = critical, keyCertSign'] });
  d.leaf3 = pki.cert({ name: 'leaf3', subject: '/CN=leaf3.example.com', issuer: 'noCrlSign', ext: EE, serial: 'A4' });
  d.crlIcaGood = pki.crl('ica', [{ serial: 'A2' }], { name: 'icaGood' });
  d.crlIcaRevoked = pki.crl('ica', [{ serial: 'A1', reason: 'keyCompromise' }], { name: 'icaRevoked' });
  d.crlRootGood = pki.crl('root', [], { name: 'rootGood' });
  d.crlRootRevokesIca = pki.crl('root', [{ serial: '0B' }], { name: 'rootRevokesIca' });
  d.crlExpired = pki.crl('ica', [], { name: 'expired', lastUpdate: '20190101000000Z', nextUpdate: '20200101000000Z' });
  d.crlFuture = pki.crl('ica', [], { name: 'future', lastUpdate: '20400101000000Z', nextUpdate: '20410101000000Z' });
  d.crlDecoy = pki.crl('decoy', [], { name: 'decoy' });
  d.crlOtherRevokes = pki.crl('other', [{ serial: 'A1' }], { name: 'otherRevokes' });
  d.crlNoNumber = pki.crl('ica', [], { name: 'noNumber', crlNumber: false });
  d.crlNoCrlSign = pki.crl('noCrlSign', [], { name: 'noCrlSign' });
  d.crlIdpUser = pki.crl('ica', [], { name: 'idpUser', ext: ['issuingDistributionPoint = critical, @idp', '[ idp ]', 'onlyuser = TRUE'] });
  d.crlIdpCa = pki.crl('ica', [], { name: 'idpCa', ext: ['issuingDistributionPoint = critical, @idp', '[ idp ]', 'onlyCA = TRUE'] });
  d.crlIdpUriMatch = pki.crl('ica', [], { name: 'idpUriMatch', ext: ['issuingDistributionPoint = critical, @idp', '[ idp ]', 'fullname = URI:http://crl.example.com/ica.crl'] });
  d.crlIdpUriOther = pki.crl('ica', [], { name: 'idpUriOther', ext: ['issuingDistributionPoint = critical, @idp', '[ idp ]', 'fullname = URI:http://crl.example.com/other.crl'] });
}, 60_000);

interface Case {
  name: string;
  leaf: string;
  intermediates?: string[];
  crls: string[];
  opts?: Partial<ValidateChainOptions>;
  want: 'ok' | RegExp;
  openssl: string[] | { skip: string };
}

const cases: Case[] = [
  { name: 'leaf not revoked', leaf: 'leaf', crls: ['icaGood'], opts: { crlScope: 'leaf' }, want: 'ok', openssl: ['-crl_check'] },
  { name: 'leaf revoked', leaf: 'leaf', crls: ['icaRevoked'], opts: { crlScope: 'leaf' }, want: /certificate CN=leaf.example.com \(serial A1\) was revoked at 2023-01-01 00:00:00 UTC, reason keyCompromise/, openssl: ['-crl_check'] },
  { name: 'chain scope: no CRL for the intermediate', leaf: 'leaf', crls: ['icaGood'], want: /revocation status of CN=CRL ICA is unknown: no CRL from CN=CRL Root/, openssl: ['-crl_check_all'] },
  { name: 'chain scope: both CRLs', leaf: 'leaf', crls: ['icaGood', 'rootGood'], want: 'ok', openssl: ['-crl_check_all'] },
  { name: 'chain scope: the intermediate is revoked', leaf: 'leaf', crls: ['icaGood', 'rootRevokesIca'], want: /CN=CRL ICA \(serial 0B\) was revoked/, openssl: ['-crl_check_all'] },
  { name: 'expired CRL', leaf: 'leaf', crls: ['expired'], opts: { crlScope: 'leaf' }, want: /the CRL expired at 2020-01-01/, openssl: ['-crl_check'] },
  { name: 'CRL not yet valid', leaf: 'leaf', crls: ['future'], opts: { crlScope: 'leaf' }, want: /the CRL is not valid before 2040-01-01/, openssl: ['-crl_check'] },
  { name: 'CRL with the right name but signed by another key', leaf: 'leaf', crls: ['decoy'], opts: { crlScope: 'leaf' }, want: /different key|signature does not verify/, openssl: ['-crl_check'] },
  { name: "another CA's CRL listing the same serial is irrelevant", leaf: 'leaf', crls: ['icaGood', 'otherRevokes'], opts: { crlScope: 'leaf' }, want: 'ok', openssl: ['-crl_check'] },
  { name: 'only another CA listing the serial: status unknown', leaf: 'leaf', crls: ['otherRevokes'], opts: { crlScope: 'leaf' }, want: /no CRL from CN=CRL ICA/, openssl: ['-crl_check'] },
  { name: 'CRL signer without cRLSign', leaf: 'leaf3', intermediates: ['noCrlSign'], crls: ['noCrlSign'], opts: { crlScope: 'leaf' }, want: /does not assert cRLSign/, openssl: ['-crl_check'] },
  { name: 'no cRLNumber (lenient)', leaf: 'leaf', crls: ['noNumber'], opts: { crlScope: 'leaf' }, want: 'ok', openssl: ['-crl_check'] },
  { name: 'no cRLNumber (strict)', leaf: 'leaf', crls: ['noNumber'], opts: { crlScope: 'leaf', strict: true }, want: /the CRL has no cRLNumber/, openssl: { skip: 'OpenSSL does not require cRLNumber' } },
  { name: 'IDP onlyContainsUserCerts covers a leaf', leaf: 'leaf', crls: ['idpUser'], opts: { crlScope: 'leaf' }, want: 'ok', openssl: ['-crl_check'] },
  { name: 'IDP onlyContainsCACerts does not cover a leaf', leaf: 'leaf', crls: ['idpCa'], opts: { crlScope: 'leaf' }, want: /only covers CA certificates/, openssl: ['-crl_check'] },
  { name: 'IDP fullName matches the CDP', leaf: 'cdpLeaf', crls: ['idpUriMatch'], opts: { crlScope: 'leaf' }, want: 'ok', openssl: ['-crl_check'] },
  { name: 'IDP fullName differs from the CDP', leaf: 'cdpLeaf', crls: ['idpUriOther'], opts: { crlScope: 'leaf' }, want: /does not match the certificate's cRLDistributionPoints/, openssl: ['-crl_check'] },
  { name: 'IDP fullName, certificate without CDP', leaf: 'leaf', crls: ['idpUriMatch'], opts: { crlScope: 'leaf' }, want: /does not match/, openssl: { skip: 'OpenSSL applies a partitioned CRL to a certificate without CDP' } },
  { name: 'unreadable CRL: fails closed', leaf: 'leaf', crls: ['garbage'], opts: { crlScope: 'leaf' }, want: /no CRL from CN=CRL ICA/, openssl: { skip: 'not a CRL file' } },
];

describe('validateChain with CRLs', () => {
  it.each(cases.map((c) => [c.name, c] as const))('%s', async (_n, c) => {
    const crl = (n: string) => (n === 'garbage' ? Uint8Array.of(0x30, 0x03, 0x02, 0x01, 0x00) : d[`crl${n[0]!.toUpperCase()}${n.slice(1)}`]!);
    const r = await validateChain({ leaf: d[c.leaf]!, intermediates: (c.intermediates ?? ['ica']).map((n) => d[n]!), anchors: [d.root!], verify: webCryptoVerify, crls: c.crls.map(crl), ...c.opts });
    if (c.want === 'ok') expect(r).toMatchObject({ ok: true });
    else expect(r).toMatchObject({ ok: false, reason: expect.stringMatching(c.want) });
    if (Array.isArray(c.openssl)) {
      const files = c.crls.flatMap((n) => ['-CRLfile', pki.path(`crl-${n}`)]);
      const ossl = pki.opensslVerify(c.leaf, ['root'], c.intermediates ?? ['ica'], [...c.openssl, ...files]);
      expect(ossl, 'openssl verify disagrees').toBe(r.ok);
    }
  });
});

describe('checkRevocation (the `revocation-check crl` API)', () => {
  it('good / revoked / unknown', async () => {
    const now = Math.floor(Date.now() / 1000);
    const leaf = parseChainCert(d.leaf!);
    const ica = parseChainCert(d.ica!);
    const base = { cert: leaf, issuer: ica, time: now, verify: webCryptoVerify };
    expect(await checkRevocation({ ...base, crls: [parseCrl(d.crlIcaGood!)] })).toEqual({ status: 'good' });
    expect(await checkRevocation({ ...base, crls: [parseCrl(d.crlIcaRevoked!)] })).toMatchObject({ status: 'revoked' });
    expect(await checkRevocation({ ...base, crls: [] })).toMatchObject({ status: 'unknown', reason: 'the revocation status of CN=leaf.example.com is unknown: no CRL from CN=CRL ICA was supplied' });
  });

  it('parses what openssl puts in a CRL', () => {
    const c = parseCrl(d.crlIcaRevoked!);
    expect(c.version).toBe(2);
    expect([...c.revoked.keys()]).toEqual(['00a1']);
    expect(c.revoked.get('00a1')).toEqual({ revocationDate: Date.UTC(2023, 0, 1) / 1000, reason: 1 });
    expect(c.crlNumber && Buffer.from(c.crlNumber).toString('hex')).toBe('1000');
    expect(c.authorityKeyId).toBeUndefined(); // openssl ca -gencrl adds no AKI unless asked
  });
});

describe('hand-made CRLs', () => {
  const make = (opts: { entries?: Uint8Array[]; exts?: Uint8Array[]; thisUpdate?: Uint8Array; nextUpdate?: Uint8Array | null; version?: Uint8Array | null }) => {
    const alg = der.seq(der.oid('1.2.840.10045.4.3.2'));
    const issuerDer = parseChainCert(d.ica!).subject.der;
    const tbs = der.seq(
      ...(opts.version === null ? [] : [opts.version ?? der.int(1)]),
      alg,
      issuerDer,
      opts.thisUpdate ?? der.utcTime('230101000000Z'),
      ...(opts.nextUpdate === null ? [] : [opts.nextUpdate ?? der.utcTime('491231000000Z')]),
      ...(opts.entries?.length ? [der.seq(...opts.entries)] : []),
      ...(opts.exts ? [der.ctx(0, true, der.seq(...opts.exts))] : [der.ctx(0, true, der.seq(der.ext('2.5.29.20', false, der.int(7))))]),
    );
    const sig = new Uint8Array(sign('sha256', tbs, loadKey(pki.keyOf('ica'))));
    return der.seq(tbs, alg, der.bits(sig));
  };
  const entry = (serial: number, ...exts: Uint8Array[]) => der.seq(der.int(serial), der.utcTime('230101000000Z'), ...(exts.length ? [der.seq(...exts)] : []));
  const check = (crl: Uint8Array, strict = false) =>
    validateChain({ leaf: d.leaf!, intermediates: [d.ica!], anchors: [d.root!], verify: webCryptoVerify, crls: [crl], crlScope: 'leaf', strict });

  const cases: [string, () => Uint8Array, 'ok' | RegExp, boolean?][] = [
    ['baseline', () => make({}), 'ok'],
    ['listed with a non-critical unknown entry extension: revoked', () => make({ entries: [entry(0xa1, der.ext('1.3.6.1.4.1.55738.666.1', false, der.tlv(0x05, new Uint8Array())))] }), /was revoked/],
    ['unknown critical entry extension: CRL unusable', () => make({ entries: [entry(0x77, der.ext('1.3.6.1.4.1.55738.666.1', true, der.tlv(0x05, new Uint8Array())))] }), /unsupported critical extension/],
    ['unknown critical CRL extension: unusable', () => make({ exts: [der.ext('2.5.29.20', false, der.int(7)), der.ext('1.3.6.1.4.1.55738.666.1', true, der.tlv(0x05, new Uint8Array()))] }), /unsupported critical extension/],
    ['unknown non-critical CRL extension: fine', () => make({ exts: [der.ext('2.5.29.20', false, der.int(7)), der.ext('1.3.6.1.4.1.55738.666.1', false, der.tlv(0x05, new Uint8Array()))] }), 'ok'],
    ['a serial listed twice: unusable', () => make({ entries: [entry(0x77), entry(0x77)] }), /listed twice/],
    ['a delta CRL alone: no complete CRL, status unknown', () => make({ exts: [der.ext('2.5.29.20', false, der.int(7)), der.ext('2.5.29.27', true, der.int(6))] }), /only a delta CRL .* usable only with its complete CRL/],
    ['critical cRLNumber (strict)', () => make({ exts: [der.ext('2.5.29.20', true, der.int(7))] }), /cRLNumber is marked critical/, true],
    ['certificateIssuer entry (indirect): unusable', () => make({ entries: [entry(0x77, der.ext('2.5.29.29', true, der.seq(der.ctx(4, true, der.name(['2.5.4.3', 'x'])))))] }), /indirect CRL/],
    ['no nextUpdate (lenient)', () => make({ nextUpdate: null }), 'ok'],
    ['no nextUpdate (strict): unreadable, fails closed', () => make({ nextUpdate: null }), /no CRL from/, true],
    ['GeneralizedTime before 2050 (strict): unreadable', () => make({ thisUpdate: der.genTime('20230101000000Z') }), /no CRL from/, true],
    ['version v3: unreadable', () => make({ version: der.int(2) }), /no CRL from/],
  ];
  it.each(cases)('%s', async (_n, mk, want, strict) => {
    const r = await check(mk(), strict);
    if (want === 'ok') expect(r).toMatchObject({ ok: true });
    else expect(r).toMatchObject({ ok: false, reason: expect.stringMatching(want) });
  });
});

describe('a large CRL', () => {
  it('10,000 entries: parsed and checked (time bound: tests/slow)', async () => {
    const revoked = Array.from({ length: 10_000 }, (_, i) => ({ serial: (0x100000 + i).toString(16) }));
    const big = pki.crl('ica', revoked, { name: 'big' });
    expect(big.length).toBeGreaterThan(200_000);
    const r = await validateChain({ leaf: d.leaf!, intermediates: [d.ica!], anchors: [d.root!], verify: webCryptoVerify, crls: [big], crlScope: 'leaf' });
    expect(r.ok).toBe(true);
    expect(parseCrl(big).revoked.size).toBe(10_000);
  });

  it('the core-indexed reader (serialIndex) agrees with the full reader: keys, dates, reasons, lookups', async () => {
    const core = await loadCoreInstance('release');
    const reasons = ['keyCompromise', 'superseded', 'cessationOfOperation', 'certificateHold'];
    const revoked = Array.from({ length: 2_000 }, (_, i) => ({ serial: (0x200000 + i).toString(16), ...(i % 3 ? { reason: reasons[i % 4]! } : {}) }));
    const crl = pki.crl('ica', revoked, { name: 'indexed' });
    const full = parseCrl(crl);
    const fast = parseCrl(crl, { serialIndex: core.crlSerials(crl) });
    expect(fast.revoked).not.toBeInstanceOf(Map);
    expect(fast.revoked.size).toBe(full.revoked.size);
    expect([...fast.revoked.entries()]).toEqual([...full.revoked.entries()]);
    for (const k of ['200000', '2007cf', '200123', '00a1', 'ffff']) expect(fast.revoked.get(k)).toEqual(full.revoked.get(k));
    // the validator gives the same verdicts through both
    const viaIndex = await validateChain({ leaf: d.leaf!, intermediates: [d.ica!], anchors: [d.root!], verify: webCryptoVerify, crls: [fast], crlScope: 'leaf' });
    expect(viaIndex.ok).toBe(true);
    const revokedLeaf = pki.crl('ica', [...revoked, { serial: 'A1', reason: 'keyCompromise' }], { name: 'indexed2' });
    const r = await validateChain({ leaf: d.leaf!, intermediates: [d.ica!], anchors: [d.root!], verify: webCryptoVerify, crls: [parseCrl(revokedLeaf, { serialIndex: core.crlSerials(revokedLeaf) })], crlScope: 'leaf' });
    expect(r).toMatchObject({ ok: false, code: 'revoked', reason: expect.stringMatching(/serial A1\) was revoked at .*reason keyCompromise/) });
  });
});
