/**
 * Certificate structure and profile rules (RFC 5280 §4.1, §4.2) on hand-made certificates —
 * the ones OpenSSL refuses to produce: empty issuer, duplicate extensions, mismatched signature
 * algorithms, version/extension mismatches, broken encodings, the strict-profile MUSTs — plus
 * the API's misuse errors, abort and work bounds.
 */
import { describe, expect, it } from 'vitest';
import { validateChain, type ValidateChainOptions } from '../../../src/pki/chain/index.ts';
import { webCryptoVerify } from '../../../src/pki/verify-webcrypto.ts';
import { der, handMadeCert, keyId, OID, p256, type SignSpec, type TbsSpec } from './chain-fixtures.ts';

const enc = (s: string) => new TextEncoder().encode(s);
const EXT = { BC: '2.5.29.19', KU: '2.5.29.15', SKI: '2.5.29.14', AKI: '2.5.29.35', SAN: '2.5.29.17', NC: '2.5.29.30', EKU: '2.5.29.37' };
const bc = (ca: boolean, critical = true) => der.ext(EXT.BC, critical, ca ? der.seq(der.bool(true)) : der.seq());
const kuCa = der.ext(EXT.KU, true, der.bits(Uint8Array.of(0x06), 1)); // keyCertSign, cRLSign
const ski = (spki: Uint8Array, critical = false) => der.ext(EXT.SKI, critical, der.octets(keyId(spki)));
const aki = (spki: Uint8Array, critical = false) => der.ext(EXT.AKI, critical, der.seq(der.tlv(0x80, keyId(spki))));
const san = (host: string, critical = false) => der.ext(EXT.SAN, critical, der.seq(der.tlv(0x82, enc(host))));

const root = p256();
const rootName = der.name([OID.CN, 'Hand Root']);
const rootExts = [bc(true), kuCa, ski(root.spki)];
const rootDer = handMadeCert({ issuer: rootName, subject: rootName, spki: root.spki, extensions: rootExts }, root.key);
const leafKey = p256();

/** A leaf issued by the hand-made root, with overrides. */
const leaf = (over: Partial<TbsSpec> = {}, sign: SignSpec = {}) =>
  handMadeCert({ issuer: rootName, subject: der.name([OID.CN, 'leaf.example.com']), spki: leafKey.spki, extensions: [bc(false), aki(root.spki), ski(leafKey.spki), san('leaf.example.com')], ...over }, root.key, sign);

const run = (leafDer: Uint8Array, opts: Partial<ValidateChainOptions> = {}) => validateChain({ leaf: leafDer, anchors: [rootDer], verify: webCryptoVerify, ...opts });

describe('certificate structure', () => {
  const cases: [string, () => Uint8Array, 'ok' | RegExp, Partial<ValidateChainOptions>?][] = [
    ['baseline (strict)', () => leaf(), 'ok', { strict: true }],
    ['empty issuer name', () => leaf({ issuer: der.seq() }), /the issuer name is empty/],
    ['duplicate extension', () => leaf({ extensions: [bc(false), aki(root.spki), san('a.example.com'), san('a.example.com')] }), /subjectAltName appears more than once/],
    ['inner and outer signature algorithms differ', () => leaf({}, { outerSigAlg: der.seq(der.oid('1.2.840.10045.4.3.3')) }), /signature algorithm inside the certificate differs/],
    ['extensions in a v1 certificate', () => leaf({ version: null }), /extensions in a version 1 certificate/],
    ['v1 leaf without extensions', () => leaf({ version: null, extensions: undefined as unknown as Uint8Array[] }), 'ok'],
    ['malformed subjectAltName value', () => leaf({ extensions: [bc(false), aki(root.spki), der.ext(EXT.SAN, false, enc('example.com'))] }), /malformed subjectAltName/],
    ['nameConstraints in a non-CA', () => leaf({ extensions: [bc(false), aki(root.spki), der.ext(EXT.NC, true, der.seq(der.ctx(0, true, der.seq(der.tlv(0x82, enc('example.com'))))))] }), /nameConstraints in a certificate that is not a CA/],
    ['keyCertSign without cA', () => leaf({ extensions: [bc(false), aki(root.spki), der.ext(EXT.KU, true, der.bits(Uint8Array.of(0x84), 2))] }), /keyCertSign but basicConstraints does not assert cA/],
    ['empty extensions SEQUENCE', () => leaf({ extensions: [] }), /empty extensions/],
    ['version 4', () => leaf({ version: der.ctx(0, true, der.int(3)) }), /unknown certificate version 4/],
    ['empty extKeyUsage', () => leaf({ extensions: [bc(false), aki(root.spki), der.ext(EXT.EKU, false, der.seq())] }), /extKeyUsage is empty/],
    ['explicit critical FALSE is tolerated', () => leaf({ extensions: [der.seq(der.oid(EXT.BC), der.bool(false), der.octets(der.seq())), aki(root.spki)] }), 'ok'],
    ['unsupported signature algorithm (ecdsa-with-SHA224)', () => leaf({}, { hash: 'sha224', sigAlgOid: '1.2.840.10045.4.3.1' }), /ecdsa-with-SHA224 is not supported/],
    // strict profile (lenient passes)
    ['empty subject, non-critical SAN (lenient)', () => leaf({ subject: der.seq() }), 'ok', { peerName: { kind: 'DNS', value: 'leaf.example.com' } }],
    ['empty subject, non-critical SAN (strict)', () => leaf({ subject: der.seq() }), /subject is empty but subjectAltName is not marked critical/, { strict: true }],
    ['empty subject, critical SAN (strict)', () => leaf({ subject: der.seq(), extensions: [bc(false), aki(root.spki), san('leaf.example.com', true)] }), 'ok', { strict: true }],
    ['negative serial (strict)', () => leaf({ serial: der.int(Uint8Array.of(0xff, 0x01)) }), /serial number is negative/, { strict: true }],
    ['zero serial (strict)', () => leaf({ serial: der.int(0) }), /serial number is zero/, { strict: true }],
    ['20-octet serial with sign octet (strict)', () => leaf({ serial: der.int(Uint8Array.from([0, ...new Array<number>(20).fill(0x9c)])) }), 'ok', { strict: true }],
    ['21-octet serial (strict)', () => leaf({ serial: der.int(Uint8Array.from(new Array<number>(21).fill(0x1c))) }), /21 octets long/, { strict: true }],
    ['21-octet serial (lenient)', () => leaf({ serial: der.int(Uint8Array.from(new Array<number>(21).fill(0x1c))) }), 'ok'],
    ['GeneralizedTime before 2050 (strict)', () => leaf({ notBefore: der.genTime('20000101000000Z') }), /encoded as GeneralizedTime/, { strict: true }],
    ['critical authorityKeyIdentifier (strict)', () => leaf({ extensions: [bc(false), aki(root.spki, true)] }), /authorityKeyIdentifier is marked critical/, { strict: true }],
    ['critical subjectKeyIdentifier (strict)', () => leaf({ extensions: [bc(false), aki(root.spki), ski(leafKey.spki, true)] }), /subjectKeyIdentifier is marked critical/, { strict: true }],
    ['missing authorityKeyIdentifier (strict)', () => leaf({ extensions: [bc(false)] }), /authorityKeyIdentifier keyIdentifier is missing/, { strict: true }],
  ];
  it.each(cases)('%s', async (_n, make, want, opts) => {
    const r = await run(make(), opts);
    if (want === 'ok') expect(r).toMatchObject({ ok: true });
    else expect(r).toMatchObject({ ok: false, reason: expect.stringMatching(want) });
  });

  it('trailing bytes and indefinite lengths are malformed', async () => {
    const good = leaf();
    expect(await run(Uint8Array.from([...good, 0]))).toMatchObject({ ok: false, code: 'malformed', reason: expect.stringMatching(/bytes after the value/) });
    const indefinite = Uint8Array.from([0x30, 0x80, ...good.subarray(4), 0, 0]);
    expect(await run(indefinite)).toMatchObject({ ok: false, code: 'malformed', reason: expect.stringMatching(/indefinite length/) });
  });

  it('unsupported algorithms are reported with code "unsupported"', async () => {
    expect(await run(leaf({}, { hash: 'sha224', sigAlgOid: '1.2.840.10045.4.3.1' }))).toMatchObject({ ok: false, code: 'unsupported' });
  });
});

describe('issuers and trust anchors', () => {
  const ica = p256();
  const icaName = der.name([OID.CN, 'Hand ICA']);
  const icaLeaf = (extraIca: Partial<TbsSpec>) => {
    const icaDer = handMadeCert({ issuer: rootName, subject: icaName, spki: ica.spki, extensions: [bc(true), kuCa, ski(ica.spki), aki(root.spki)], ...extraIca }, root.key);
    const leafDer = handMadeCert({ issuer: extraIca.subject ?? icaName, subject: der.name([OID.CN, 'leaf']), spki: leafKey.spki, extensions: [bc(false), aki(ica.spki)] }, ica.key);
    return { icaDer, leafDer };
  };
  it('a version 1 intermediate is not a CA (RFC 5280 §6.1.4 (k))', async () => {
    const { icaDer, leafDer } = icaLeaf({ version: null, extensions: undefined as unknown as Uint8Array[] });
    expect(await validateChain({ leaf: leafDer, intermediates: [icaDer], anchors: [rootDer], verify: webCryptoVerify })).toMatchObject({ ok: false, reason: expect.stringMatching(/is not a CA: it has no basicConstraints/) });
  });
  it('a version 1 trust anchor is a CA by being trusted', async () => {
    const v1Root = handMadeCert({ version: null, issuer: rootName, subject: rootName, spki: root.spki }, root.key);
    expect(await validateChain({ leaf: leaf(), anchors: [v1Root], verify: webCryptoVerify })).toMatchObject({ ok: true });
  });
  it('a CA with an empty subject cannot issue (its certificates have an empty issuer)', async () => {
    const { icaDer, leafDer } = icaLeaf({ subject: der.seq() });
    expect(await validateChain({ leaf: leafDer, intermediates: [icaDer], anchors: [rootDer], verify: webCryptoVerify })).toMatchObject({ ok: false, reason: expect.stringMatching(/issuer name is empty/) });
  });
  it('strict: a CA without subjectKeyIdentifier', async () => {
    const { icaDer, leafDer } = icaLeaf({ extensions: [bc(true), kuCa, aki(root.spki)] });
    const opts = { leaf: leafDer, intermediates: [icaDer], anchors: [rootDer], verify: webCryptoVerify };
    expect(await validateChain({ ...opts, strict: true })).toMatchObject({ ok: false, reason: expect.stringMatching(/subjectKeyIdentifier is missing in a CA/) });
    expect(await validateChain(opts)).toMatchObject({ ok: true });
  });
  it('strict: an anchor without AKI is fine when self-signed under another name, not when cross-signed', async () => {
    const renamed = handMadeCert({ issuer: der.name([OID.CN, 'Old name']), subject: rootName, spki: root.spki, extensions: rootExts }, root.key);
    expect(await validateChain({ leaf: leaf(), anchors: [renamed], verify: webCryptoVerify, strict: true })).toMatchObject({ ok: true });
    const other = p256();
    const crossed = handMadeCert({ issuer: der.name([OID.CN, 'Other root']), subject: rootName, spki: root.spki, extensions: rootExts }, other.key);
    expect(await validateChain({ leaf: leaf(), anchors: [crossed], verify: webCryptoVerify, strict: true })).toMatchObject({ ok: false, reason: expect.stringMatching(/not self-signed and authorityKeyIdentifier/) });
    expect(await validateChain({ leaf: leaf(), anchors: [crossed], verify: webCryptoVerify })).toMatchObject({ ok: true });
  });
  it('a re-issued copy of a trusted self-signed certificate (same name and key) is trusted', async () => {
    const copy = handMadeCert({ serial: der.int(99), issuer: rootName, subject: rootName, spki: root.spki, extensions: rootExts }, root.key);
    expect(await validateChain({ leaf: copy, anchors: [rootDer], verify: webCryptoVerify })).toMatchObject({ ok: true });
    const stranger = p256();
    const impostor = handMadeCert({ serial: der.int(98), issuer: rootName, subject: rootName, spki: stranger.spki, extensions: rootExts }, stranger.key);
    expect(await validateChain({ leaf: impostor, anchors: [rootDer], verify: webCryptoVerify })).toMatchObject({ ok: false, code: 'signature' });
  });
  it('an unknown critical extension in the anchor', async () => {
    const bad = handMadeCert({ issuer: rootName, subject: rootName, spki: root.spki, extensions: [...rootExts, der.ext('1.3.6.1.4.1.55738.666.1', true, der.tlv(0x05, new Uint8Array()))] }, root.key);
    expect(await validateChain({ leaf: leaf(), anchors: [bad], verify: webCryptoVerify })).toMatchObject({ ok: false, reason: expect.stringMatching(/trust anchor CN=Hand Root is not acceptable: unsupported critical extension/) });
  });
  it('unreadable intermediates and anchors are ignored, not fatal', async () => {
    expect(await validateChain({ leaf: leaf(), anchors: [Uint8Array.of(1, 2, 3), rootDer], intermediates: [Uint8Array.of(0x30, 0x00)], verify: webCryptoVerify })).toMatchObject({ ok: true });
  });
});

describe('API behaviour', () => {
  it('rejects unknown usage names (misuse)', async () => {
    await expect(run(leaf(), { usages: { extKeyUsage: ['serverAuthh'] } })).rejects.toThrow(RangeError);
    await expect(run(leaf(), { usages: { keyUsage: ['signing' as 'digitalSignature'] } })).rejects.toThrow(RangeError);
    await expect(run(leaf(), { maxDepth: -1 })).rejects.toThrow(RangeError);
  });
  it('accepts dotted EKU OIDs', async () => {
    expect(await run(leaf(), { usages: { extKeyUsage: ['1.3.6.1.5.5.7.3.1'] } })).toMatchObject({ ok: true });
  });
  it('an aborted signal rejects with AbortError', async () => {
    const ac = new AbortController();
    ac.abort();
    const ica = p256();
    const icaName = der.name([OID.CN, 'Abort ICA']);
    const icaDer = handMadeCert({ issuer: rootName, subject: icaName, spki: ica.spki, extensions: [bc(true), kuCa, ski(ica.spki), aki(root.spki)] }, root.key);
    const leafDer = handMadeCert({ issuer: icaName, subject: der.name([OID.CN, 'x']), spki: leafKey.spki, extensions: [bc(false), aki(ica.spki)] }, ica.key);
    await expect(validateChain({ leaf: leafDer, intermediates: [icaDer], anchors: [rootDer], verify: webCryptoVerify, signal: ac.signal })).rejects.toMatchObject({ name: 'AbortError' });
  });
  it('bounds the work: 60 same-named CAs that all verify, none trusted', async () => {
    // Every CA has the same subject and key, so each signs every other: a dense graph.
    const k = p256();
    const name = der.name([OID.CN, 'Loop CA']);
    const cas = Array.from({ length: 60 }, (_, i) =>
      handMadeCert({ serial: der.int(i + 1), issuer: name, subject: name, spki: k.spki, notBefore: der.utcTime(`0001010000${String(i % 60).padStart(2, '0')}Z`), extensions: [bc(true), kuCa] }, k.key),
    );
    const leafDer = handMadeCert({ issuer: name, subject: der.name([OID.CN, 'x']), spki: leafKey.spki, extensions: [bc(false)] }, k.key);
    // (the time it takes is bounded in tests/slow/work-bounds.test.ts)
    const r = await validateChain({ leaf: leafDer, intermediates: cas, anchors: [rootDer], verify: webCryptoVerify });
    expect(r.ok).toBe(false);
  });
  it('a wide fan-out of candidate issuers hits the signature budget', async () => {
    // 150 CAs named like the leaf's issuer, each with its own key: only signature checks can tell them apart.
    const name = der.name([OID.CN, 'Fan CA']);
    const cas = Array.from({ length: 150 }, (_, i) => {
      const k = p256();
      return handMadeCert({ serial: der.int(i + 1), issuer: rootName, subject: name, spki: k.spki, extensions: [bc(true), kuCa] }, root.key);
    });
    const signer = p256();
    const leafDer = handMadeCert({ issuer: name, subject: der.name([OID.CN, 'x']), spki: leafKey.spki, extensions: [bc(false)] }, signer.key);
    const r = await validateChain({ leaf: leafDer, intermediates: cas, anchors: [rootDer], verify: webCryptoVerify });
    expect(r).toMatchObject({ ok: false, code: 'limit', reason: expect.stringMatching(/gave up after 100 signature checks/) });
  });
});
