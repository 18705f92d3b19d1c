/**
 * CMS (RFC 5652) EnvelopedData and SignedData the way SCEP (RFC 8894 §3) needs them, on top of
 * the pkijs engine (engine.ts):
 *
 * - `envelope`: EnvelopedData with RSAES-PKCS1-v1_5 key transport (rsaEncryption + NULL,
 *   RFC 3370 §4.2.1), issuerAndSerialNumber recipients (KTRI version 0, EnvelopedData version
 *   0, §6.1), content encrypted with AES-CBC (RFC 3565), DES-EDE3-CBC or DES-CBC (RFC 3370
 *   §5.1, 8-byte IV). Written as DER by hand, so the bytes are exactly what this file says.
 * - `openEnvelope`: the reverse for the recipient's `Decrypter`; reads BER (OpenSSL streams
 *   indefinite lengths), accepts rsaEncryption with NULL or absent parameters, AES-128/192/256,
 *   3DES, DES and RC2 content encryption. An RSA failure is not reported apart from a padding
 *   failure of the content (RFC 3218 §2.3.2: a random key is used instead).
 * - `signData`: SignedData with one signer, signed attributes DER-sorted (X.690 §11.6) before
 *   signing, contentType and messageDigest added (§5.3, §11.1-11.2), signingTime optional.
 * - `verifySignedData`: checks contentType, messageDigest and the signature over the signed
 *   attributes as transmitted (§5.4), through a `VerifyFn`.
 *
 * Errors: `PkiError('bad-pkcs7')` (structure), `'decrypt'` (any decryption failure, one
 * message), `'bad-signature'` (digest or signature mismatch), `'untrusted'` (signer not among
 * `trusted`), `'unsupported'` (algorithm named), `'key'` (decrypter/certificate mismatch).
 */
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import type { HashAlg } from '../core/api.ts';
import type { Decrypter, Signer, VerifyFn } from '../crypto/types.ts';
import { equalBytes, randomBytes } from '../util/bytes.ts';
import { PkiError, isAbortError } from '../util/errors.ts';
import { BER, DER, DerReader, decodeOid, derChildren, readTlv, type Tlv } from './der.ts';
import { OID, cbcCipher, hashOfOid, oidInfo, oidOfHash } from './oids.ts';
import { parseChainCert, type ChainCert } from './chain/cert.ts';
import { parseName } from './chain/name.ts';
import { signedDataCertificates } from './cms.ts';

/** The crypto engine the CMS functions take (pki/engine.ts's `PkiEngine`; any pkijs engine). */
export type CmsEngine = pkijs.ICryptoEngine;

/** Content-encryption algorithms `envelope` writes. */
export type EnvelopeCipher = 'AES-128-CBC' | 'AES-192-CBC' | 'AES-256-CBC' | 'DES-EDE3-CBC' | 'DES-CBC';

type EngineCbc = 'AES-CBC' | 'DES-CBC' | 'DES-EDE3-CBC' | 'RC2-CBC';

/** The ciphers `envelope` writes and `openEnvelope` reads (oids.ts: cipher, key and IV length). */
const ENVELOPE_CIPHERS: readonly string[] = ['AES-128-CBC', 'AES-192-CBC', 'AES-256-CBC', 'DES-EDE3-CBC', 'DES-CBC'] satisfies EnvelopeCipher[];

/** A content cipher `envelope` writes (`write`) or `openEnvelope` reads (those and RC2), by OID. */
function contentCipher(oid: string, write: boolean): { oid: string; name: EngineCbc; keyLength: number } | undefined {
  const c = cbcCipher(oid);
  if (!c || c.cipher === 'DES-EDE-CBC' || !(ENVELOPE_CIPHERS.includes(c.name) || (!write && c.name === 'RC2-CBC'))) return undefined;
  return { oid, name: c.cipher, keyLength: c.keyLength };
}

/** RC2 effective key bits of an RC2ParameterVersion (RFC 8018 B.2.3; RFC 2268 §6). */
function rc2BitsOfVersion(v: number): number {
  if (v === 160) return 40;
  if (v === 120) return 64;
  if (v === 58) return 128;
  if (v >= 256 && v <= 1024) return v;
  throw new PkiError('unsupported', `cms: RC2 parameter version ${v}`);
}

/**
 * The IV (and RC2 effective key bits) of a CBC content-encryption AlgorithmIdentifier's
 * parameters: an OCTET STRING IV (RFC 3370 §5.1 DES, RFC 3565 AES), or for RC2 an
 * RC2-CBC-Parameter SEQUENCE { rc2ParameterVersion INTEGER OPTIONAL, iv OCTET STRING }
 * (RFC 8018 B.2.3; an absent version = 32 effective bits, RFC 2268 §6).
 */
export function cbcParameters(cipher: EngineCbc, params: Uint8Array, op: string): { iv: Uint8Array; rc2Bits?: number } {
  const r = new DerReader(params, 'bad-pkcs7', `cms.${op}`);
  const top = r.root(`${cipher} parameters`);
  let iv: Uint8Array;
  let rc2Bits: number | undefined;
  if (cipher === 'RC2-CBC' && top.tag === 0x30) {
    const kids = r.seq(top, 'RC2-CBC parameters', 1, 2);
    rc2Bits = kids.length === 2 ? rc2BitsOfVersion(r.uint(kids[0], 'RC2 parameter version')) : 32;
    iv = r.content(r.expect(kids[kids.length - 1], 0x04, 'RC2 IV')).slice();
  } else {
    iv = r.content(r.expect(top, 0x04, `${cipher} IV`)).slice();
    if (cipher === 'RC2-CBC') rc2Bits = 32;
  }
  const want = cipher === 'AES-CBC' ? 16 : 8;
  if (iv.length !== want) r.fail(`${cipher} IV of ${iv.length} bytes (needs ${want})`);
  return rc2Bits === undefined ? { iv } : { iv, rc2Bits };
}

const bad = (op: string, what: string): PkiError => new PkiError('bad-pkcs7', `cms.${op}: ${what}`);
const decryptFailed = (): PkiError => new PkiError('decrypt', 'cms.openEnvelope: decryption failed');

/** An owned ArrayBuffer copy (for pkijs / WebCrypto edges). */
const ab = (b: Uint8Array): ArrayBuffer => b.slice().buffer as ArrayBuffer;

/** The dotted form of an OBJECT IDENTIFIER element. */
function oidOf(der: Uint8Array, t: Tlv | undefined, op: string, what: string): string {
  if (!t || t.tag !== 0x06) throw bad(op, `${what} is not an OBJECT IDENTIFIER`);
  try {
    return decodeOid(der.subarray(t.contentStart, t.contentEnd), what);
  } catch (e) {
    throw bad(op, `${what}: ${(e as Error).message.replace(/^der: /, '')}`);
  }
}

// ---------------------------------------------------------------------------------------------
// Certificates: the pieces CMS copies out of them (the one certificate model, chain/cert.ts)

interface CertParts {
  cert: ChainCert;
  /** The certificate's Name issuer, byte for byte. */
  issuer: Uint8Array;
  /** The serialNumber INTEGER element. */
  serial: Uint8Array;
  /** SubjectPublicKeyInfo DER. */
  spki: Uint8Array;
  /** The SPKI algorithm OID. */
  keyAlgorithm: string;
}

/** issuer, serialNumber and subjectPublicKeyInfo of a DER certificate (RFC 5280 §4.1). */
function certParts(der: Uint8Array, op: string): CertParts {
  let cert: ChainCert;
  try {
    cert = parseChainCert(der, { lenient: true });
  } catch (e) {
    throw new PkiError('bad-certificate', `cms.${op}: not a DER certificate (${(e as Error).message})`, { cause: e });
  }
  return { cert, issuer: cert.issuer.der.slice(), serial: DER.tlv(0x02, cert.serial), spki: cert.spki.slice(), keyAlgorithm: cert.spkiAlgorithm };
}

/**
 * True when a RecipientIdentifier / SignerIdentifier names a certificate (RFC 5652 §5.3,
 * §6.2.1): issuerAndSerialNumber — the serial byte for byte, the issuer byte for byte or equal
 * under RFC 5280 §7.1 — or the subjectKeyIdentifier.
 */
function identifies(id: unknown, c: ChainCert): boolean {
  if (id instanceof pkijs.IssuerAndSerialNumber) {
    if (!equalBytes(new Uint8Array(id.serialNumber.valueBlock.valueHexView), c.serial)) return false;
    const issuer = id.issuer.valueBeforeDecode.byteLength ? new Uint8Array(id.issuer.valueBeforeDecode) : new Uint8Array(id.issuer.toSchema().toBER(false));
    if (equalBytes(issuer, c.issuer.der)) return true;
    try {
      return parseName(issuer, readTlv(issuer, 0, issuer.length, BER), 'issuer').key === c.issuer.key;
    } catch {
      return false;
    }
  }
  // subjectKeyIdentifier: pkijs turns a KTRI's [0] into a plain OCTET STRING and keeps a
  // SignerInfo's [0] as it came (primitive, or constructed around an OCTET STRING)
  const block = id as { idBlock?: { tagClass: number; tagNumber: number; isConstructed: boolean }; valueBlock?: { valueHexView?: Uint8Array; value?: { valueBlock: { valueHexView: Uint8Array } }[] } };
  let keyId: Uint8Array | undefined;
  if (id instanceof asn1js.OctetString && !id.idBlock.isConstructed) keyId = id.valueBlock.valueHexView;
  else if (block?.idBlock?.tagClass === 3 && block.idBlock.tagNumber === 0) keyId = block.idBlock.isConstructed ? block.valueBlock?.value?.[0]?.valueBlock.valueHexView : block.valueBlock?.valueHexView;
  return !!keyId && !!c.subjectKeyId && equalBytes(new Uint8Array(keyId), c.subjectKeyId);
}

/** Parses a ContentInfo of the given type (BER accepted) and returns its content element. */
function contentOf(der: Uint8Array, type: string, op: string): asn1js.AsnType {
  const asn = asn1js.fromBER(ab(der));
  if (asn.offset === -1) throw bad(op, `malformed BER (${asn.result.error || 'decoding failed'})`);
  if (asn.offset !== der.length) throw bad(op, `${der.length - asn.offset} bytes after the ContentInfo`);
  let ci: pkijs.ContentInfo;
  try {
    ci = new pkijs.ContentInfo({ schema: asn.result });
  } catch (e) {
    throw bad(op, `not a CMS ContentInfo (${(e as Error).message})`);
  }
  if (ci.contentType !== type) throw bad(op, `content type ${ci.contentType}, expected ${type}`);
  return ci.content as asn1js.AsnType;
}

// ---------------------------------------------------------------------------------------------
// EnvelopedData

/**
 * Encrypts `content` for every certificate in `recipients` (RSA keys only) and returns the
 * EnvelopedData ContentInfo DER (RFC 5652 §6; see the file comment for the exact profile).
 * The content-encryption key is made and used through `engine` (WebCrypto for AES when the
 * engine has it, the core otherwise) and is wrapped with RSAES-PKCS1-v1_5 in the core.
 */
export async function envelope(content: Uint8Array, recipients: readonly Uint8Array[], cipher: EnvelopeCipher, engine: pkijs.ICryptoEngine): Promise<Uint8Array> {
  const c = ENVELOPE_CIPHERS.includes(cipher) ? contentCipher(OID[cipher], true) : undefined;
  if (!c) throw new RangeError(`cms.envelope: unsupported content cipher ${JSON.stringify(cipher)}`);
  if (!recipients.length) throw new RangeError('cms.envelope: no recipients');
  const parts = recipients.map((r) => certParts(r, 'envelope'));
  for (const p of parts) if (p.keyAlgorithm !== OID.rsaEncryption) throw new PkiError('unsupported', `cms.envelope: recipient key algorithm ${p.keyAlgorithm} (only RSA key transport is supported)`);

  const key = await engine.generateKey({ name: c.name, length: c.keyLength * 8 } as AesKeyGenParams, true, ['encrypt']);
  const cek = new Uint8Array(await engine.exportKey('raw', key as CryptoKey));
  try {
    const iv = randomBytes(c.name === 'AES-CBC' ? 16 : 8);
    const encrypted = new Uint8Array(await engine.encrypt({ name: c.name, iv } as AesCbcParams, key as CryptoKey, content as Uint8Array<ArrayBuffer>));
    const ktris: Uint8Array[] = [];
    for (const p of parts) {
      const pub = await engine.importKey('spki', p.spki as Uint8Array<ArrayBuffer>, { name: 'RSAES-PKCS1-v1_5' }, true, ['encrypt']);
      const ek = new Uint8Array(await engine.encrypt({ name: 'RSAES-PKCS1-v1_5' }, pub, cek));
      // KeyTransRecipientInfo (§6.2.1): version 0, issuerAndSerialNumber, rsaEncryption + NULL
      ktris.push(DER.seq(DER.tlv(0x02, Uint8Array.of(0)), DER.seq(p.issuer, p.serial), DER.seq(DER.oid(OID.rsaEncryption), DER.NULL), DER.tlv(0x04, ek)));
    }
    const eci = DER.seq(DER.oid(OID.data), DER.seq(DER.oid(c.oid), DER.tlv(0x04, iv)), DER.tlv(0x80, encrypted));
    const env = DER.seq(DER.tlv(0x02, Uint8Array.of(0)), DER.setOf(ktris), eci);
    return DER.seq(DER.oid(OID.envelopedData), DER.tlv(0xa0, env));
  } finally {
    cek.fill(0);
  }
}

/** What `openEnvelope` needs: the recipient's certificate and its private key. */
export interface OpenEnvelopeParams {
  /** DER certificate the sender encrypted to (matched by issuerAndSerialNumber or SKI). */
  recipientCert: Uint8Array;
  /** The private key of `recipientCert` (RSAES-PKCS1-v1_5). */
  decrypter: Decrypter;
}

/**
 * Decrypts an EnvelopedData ContentInfo (DER or BER) for `recipientCert` and returns the
 * content. Throws `PkiError('decrypt')` for a wrong key or damaged ciphertext, whatever step
 * failed; `'bad-pkcs7'` when no KeyTransRecipientInfo names the certificate.
 */
export async function openEnvelope(der: Uint8Array, p: OpenEnvelopeParams, engine: pkijs.ICryptoEngine): Promise<Uint8Array> {
  const op = 'openEnvelope';
  const mine = certParts(p.recipientCert, op);
  if (!equalBytes(mine.spki, p.decrypter.spki)) throw new PkiError('key', `cms.${op}: the decrypter's key is not the key of the recipient certificate`);
  let env: pkijs.EnvelopedData;
  try {
    env = new pkijs.EnvelopedData({ schema: contentOf(der, OID.envelopedData, op) });
  } catch (e) {
    if (e instanceof PkiError) throw e;
    throw bad(op, `malformed EnvelopedData (${(e as Error).message})`);
  }
  const ri = env.recipientInfos.find((r) => r.variant === 1 && identifies((r.value as pkijs.KeyTransRecipientInfo).rid, mine.cert));
  if (!ri) throw bad(op, 'no KeyTransRecipientInfo for this certificate');
  const ktri = ri.value as pkijs.KeyTransRecipientInfo;
  // rsaEncryption with NULL parameters (RFC 3370 §4.2.1) or, as some encoders write, none
  const kea = ktri.keyEncryptionAlgorithm;
  if (kea.algorithmId !== OID.rsaEncryption) throw new PkiError('unsupported', `cms.${op}: key encryption algorithm ${kea.algorithmId} (only rsaEncryption)`);
  if (kea.algorithmParams !== undefined && !(kea.algorithmParams instanceof asn1js.Null) && !(kea.algorithmParams instanceof asn1js.Any)) throw bad(op, 'rsaEncryption with parameters other than NULL');

  const eci = env.encryptedContentInfo;
  const cea = eci.contentEncryptionAlgorithm;
  const c = contentCipher(cea.algorithmId, false);
  if (!c) throw new PkiError('unsupported', `cms.${op}: content encryption algorithm ${cea.algorithmId}`);
  if (!cea.algorithmParams || cea.algorithmParams instanceof asn1js.Any) throw bad(op, 'content encryption parameters missing');
  const { iv, rc2Bits } = cbcParameters(c.name, new Uint8Array(cea.algorithmParams.toBER(false)), op);
  if (!eci.encryptedContent) throw bad(op, 'no encrypted content (detached content is not supported)');
  const ciphertext = new Uint8Array(eci.getEncryptedContent());

  // RFC 3218 §2.3.2: on an RSA failure go on with a random key, so that every failure looks alike
  let cek: Uint8Array;
  let failed = false;
  try {
    cek = await p.decrypter.decryptPkcs1(new Uint8Array(ktri.encryptedKey.valueBlock.valueHexView));
    if ((c.keyLength && cek.length !== c.keyLength) || cek.length === 0 || cek.length > 128) throw decryptFailed();
  } catch (e) {
    // cancellation and key-holder failures (a token's PIN, a missing key) are not padding
    // oracles: they pass through; every decryption failure is masked
    if (isAbortError(e) || (e instanceof PkiError && e.code !== 'decrypt')) throw e;
    failed = true;
    cek = randomBytes(c.keyLength || 16);
  }
  try {
    const key = await engine.importKey('raw', cek as Uint8Array<ArrayBuffer>, { name: c.name }, false, ['decrypt']);
    const alg = rc2Bits ? { name: c.name, iv, effectiveKeyBits: rc2Bits } : { name: c.name, iv };
    const plain = new Uint8Array(await engine.decrypt(alg as AesCbcParams, key, ciphertext));
    if (failed) throw decryptFailed();
    return plain;
  } catch {
    throw decryptFailed();
  } finally {
    cek.fill(0);
  }
}

// ---------------------------------------------------------------------------------------------
// SignedData

/** Signature algorithms `signData` writes in SignerInfo.signatureAlgorithm. */
export type CmsSignatureAlgorithm =
  | 'rsaEncryption'
  | 'md5WithRSAEncryption'
  | 'sha1WithRSAEncryption'
  | 'sha224WithRSAEncryption'
  | 'sha256WithRSAEncryption'
  | 'sha384WithRSAEncryption'
  | 'sha512WithRSAEncryption'
  | 'ecdsa-with-SHA1'
  | 'ecdsa-with-SHA224'
  | 'ecdsa-with-SHA256'
  | 'ecdsa-with-SHA384'
  | 'ecdsa-with-SHA512';

const SIG_ALGS: readonly CmsSignatureAlgorithm[] = [
  'rsaEncryption',
  'md5WithRSAEncryption',
  'sha1WithRSAEncryption',
  'sha224WithRSAEncryption',
  'sha256WithRSAEncryption',
  'sha384WithRSAEncryption',
  'sha512WithRSAEncryption',
  'ecdsa-with-SHA1',
  'ecdsa-with-SHA224',
  'ecdsa-with-SHA256',
  'ecdsa-with-SHA384',
  'ecdsa-with-SHA512',
];

/** A CMS signature algorithm's OID, key kind and hash (none for rsaEncryption: "with the digest algorithm"). */
function cmsSigAlg(name: CmsSignatureAlgorithm): { oid: string; kind: 'rsa' | 'ec'; hash?: HashAlg } | undefined {
  if (!SIG_ALGS.includes(name)) return undefined;
  const info = oidInfo(OID[name])!;
  return { oid: info.oid, kind: info.key as 'rsa' | 'ec', ...(info.hash ? { hash: info.hash } : {}) };
}

/** Digests SignedData uses (RFC 3370 §2, RFC 5754 §2). */
const DIGESTS: readonly HashAlg[] = ['MD5', 'SHA-1', 'SHA-224', 'SHA-256', 'SHA-384', 'SHA-512'];

/**
 * DigestAlgorithmIdentifier: MD5 with NULL parameters (RFC 3370 §2.2), SHA-1 and SHA-2 with
 * absent parameters (RFC 3370 §2.1, RFC 5754 §2: SHOULD omit; readers accept both).
 */
function digestAlgorithmDer(hash: HashAlg): Uint8Array {
  if (!DIGESTS.includes(hash)) throw new PkiError('unsupported', `cms.signData: digest ${hash}`);
  const oid = oidOfHash(hash);
  return hash === 'MD5' ? DER.seq(DER.oid(oid), DER.NULL) : DER.seq(DER.oid(oid));
}

/** One signed attribute: its type and its values, each a complete DER element. */
export interface CmsAttribute {
  oid: string;
  values: readonly Uint8Array[];
}

/** Inputs of `signData`. */
export interface SignDataParams {
  /** The content (encapsulated, not detached). */
  content: Uint8Array;
  /** eContentType; default id-data (what SCEP uses). */
  contentType?: string;
  signer: Signer;
  /** DER certificate of `signer` (sid issuerAndSerialNumber; included in `certificates`). */
  signerCert: Uint8Array;
  /** Further certificates to include. */
  certificates?: readonly Uint8Array[];
  /** Signed attributes besides contentType, messageDigest and signingTime (added here). */
  signedAttributes?: readonly CmsAttribute[];
  /** The message digest algorithm, also the signature's hash. */
  digest: HashAlg;
  /** SignerInfo.signatureAlgorithm; default `<digest>WithRSAEncryption` / `ecdsa-with-<digest>`. */
  signatureAlgorithm?: CmsSignatureAlgorithm;
  /** Adds a signingTime attribute (RFC 5652 §11.3). */
  signingTime?: Date;
  signal?: AbortSignal;
}

function defaultSignatureAlgorithm(kind: 'rsa' | 'ec', hash: HashAlg): CmsSignatureAlgorithm {
  const found = SIG_ALGS.find((n) => n !== 'rsaEncryption' && cmsSigAlg(n)!.kind === kind && cmsSigAlg(n)!.hash === hash);
  if (!found) throw new PkiError('unsupported', `cms.signData: no ${kind === 'rsa' ? 'RSA' : 'ECDSA'} signature algorithm with ${hash}`);
  return found;
}

/**
 * Builds a SignedData ContentInfo (RFC 5652 §5) with one SignerInfo (version 1,
 * issuerAndSerialNumber). The signed attributes — contentType, messageDigest, signingTime when
 * given, then `signedAttributes` — are DER-sorted by their encodings (X.690 §11.6), and the
 * signature covers exactly that SET (§5.4). SignedData version is 1 for id-data, else 3.
 */
export async function signData(p: SignDataParams, engine: pkijs.ICryptoEngine): Promise<Uint8Array> {
  const op = 'signData';
  const contentType = p.contentType ?? OID.data;
  const name = p.signatureAlgorithm ?? defaultSignatureAlgorithm(p.signer.key.kind, p.digest);
  const sig = cmsSigAlg(name);
  if (!sig) throw new RangeError(`cms.${op}: unknown signature algorithm ${JSON.stringify(name)}`);
  if (sig.kind !== p.signer.key.kind) throw new RangeError(`cms.${op}: ${name} does not fit a ${p.signer.key.kind.toUpperCase()} key`);
  if (sig.hash && sig.hash !== p.digest) throw new RangeError(`cms.${op}: ${name} signs with ${sig.hash}, but the digest is ${p.digest}`);
  if (!p.signer.hashes.includes(p.digest)) throw new PkiError('unsupported', `cms.${op}: this key cannot sign with ${p.digest} (it signs with ${p.signer.hashes.join(', ')})`);
  const cert = certParts(p.signerCert, op);
  if (!equalBytes(cert.spki, p.signer.spki)) throw new PkiError('key', `cms.${op}: the signer's key is not the key of the signer certificate`);
  for (const a of p.signedAttributes ?? []) {
    if (a.oid === OID.contentType || a.oid === OID.messageDigest || (a.oid === OID.signingTime && p.signingTime)) throw new RangeError(`cms.${op}: attribute ${a.oid} is added by signData`);
    if (!a.values.length) throw new RangeError(`cms.${op}: attribute ${a.oid} has no values`);
  }

  const md = new Uint8Array(await engine.digest({ name: p.digest }, p.content as Uint8Array<ArrayBuffer>));
  const attrs: CmsAttribute[] = [
    { oid: OID.contentType, values: [DER.oid(contentType)] },
    { oid: OID.messageDigest, values: [DER.tlv(0x04, md)] },
    ...(p.signingTime ? [{ oid: OID.signingTime, values: [DER.time(p.signingTime)] }] : []),
    ...(p.signedAttributes ?? []),
  ];
  // SignedAttributes ::= SET SIZE (1..MAX) OF Attribute; Attribute ::= SEQUENCE { attrType, attrValues SET OF }
  const signedAttrs = DER.setOf(attrs.map((a) => DER.seq(DER.oid(a.oid), DER.setOf(a.values))));
  const signature = await p.signer.sign(signedAttrs, p.digest, p.signal);

  const sigAlg = sig.kind === 'rsa' ? DER.seq(DER.oid(sig.oid), DER.NULL) : DER.seq(DER.oid(sig.oid));
  const digestAlg = digestAlgorithmDer(p.digest);
  const implicitAttrs = signedAttrs.slice();
  implicitAttrs[0] = 0xa0; // [0] IMPLICIT SignedAttributes
  const signerInfo = DER.seq(DER.tlv(0x02, Uint8Array.of(1)), DER.seq(cert.issuer, cert.serial), digestAlg, implicitAttrs, sigAlg, DER.tlv(0x04, signature));
  const certs = [p.signerCert, ...(p.certificates ?? [])];
  const version = contentType === OID.data ? 1 : 3;
  const sd = DER.seq(
    DER.tlv(0x02, Uint8Array.of(version)),
    DER.setOf([digestAlg]),
    DER.seq(DER.oid(contentType), DER.tlv(0xa0, DER.tlv(0x04, p.content))),
    DER.setOf(certs, 0xa0),
    DER.setOf([signerInfo]),
  );
  return DER.seq(DER.oid(OID.signedData), DER.tlv(0xa0, sd));
}

/** Inputs of `verifySignedData`. */
export interface VerifySignedDataParams {
  verify: VerifyFn;
  /**
   * Certificates (DER) the signer may have: when given, the signer certificate must be one
   * of them (looked up here as well as among the message's own certificates); when absent,
   * the message's own certificate is used as is (the caller judges it). No path validation.
   */
  trusted?: readonly Uint8Array[];
  /**
   * Accept a SignedData without eContent as signing empty content (its messageDigest must be
   * that of the empty string): SCEP CertReps with pkiStatus PENDING or FAILURE omit the
   * content (RFC 8894 §3.3.2), while others send an empty OCTET STRING.
   */
  absentContentIsEmpty?: boolean;
}

/** What a verified SignedData holds. */
export interface VerifiedSignedData {
  content: Uint8Array;
  contentType: string;
  /** DER of the certificate that verified the signature. */
  signerCert: Uint8Array;
  /** The signed attributes as transmitted, each value a complete element. */
  signedAttributes: CmsAttribute[];
}

/** rsaEncryption / id-ecPublicKey as a signature algorithm means "with the digest algorithm". */
function signatureOid(oid: string, hash: HashAlg): string {
  if (oid !== OID.rsaEncryption && oid !== OID.ecPublicKey) return oid;
  const kind = oid === OID.rsaEncryption ? 'rsa' : 'ec';
  return OID[defaultSignatureAlgorithm(kind, hash)];
}


/** The attributes of a SignedAttributes SET, element by element. */
function readAttributes(der: Uint8Array, op: string): CmsAttribute[] {
  const top = readTlv(der, 0, der.length, BER);
  return derChildren(der, top, BER).map((a) => {
    if (a.tag !== 0x30) throw bad(op, 'signed attribute is not a SEQUENCE');
    const [type, set, extra] = derChildren(der, a, BER);
    if (!set || set.tag !== 0x31 || extra) throw bad(op, 'malformed signed attribute');
    const values = derChildren(der, set, BER).map((v) => der.slice(v.start, v.end));
    return { oid: oidOf(der, type, op, 'attribute type'), values };
  });
}

/**
 * Verifies a SignedData ContentInfo (DER or BER) with exactly one signer and encapsulated
 * content: finds the signer certificate by its sid, checks the contentType attribute against
 * eContentType and the messageDigest attribute against the content (RFC 5652 §5.4, §11.1-2),
 * then the signature over the signed attributes as transmitted (or over the content when there
 * are none) with `verify`. Throws `PkiError('bad-signature')` on any mismatch.
 */
export async function verifySignedData(der: Uint8Array, p: VerifySignedDataParams, engine: pkijs.ICryptoEngine): Promise<VerifiedSignedData> {
  const op = 'verifySignedData';
  let carried: Uint8Array[];
  try {
    carried = signedDataCertificates(der, `cms.${op}`);
  } catch (e) {
    if (e instanceof PkiError) throw bad(op, e.message.replace(/^[\w.]+: /, ''));
    throw e;
  }
  let sd: pkijs.SignedData;
  try {
    sd = new pkijs.SignedData({ schema: contentOf(der, OID.signedData, op) });
  } catch (e) {
    if (e instanceof PkiError) throw e;
    throw bad(op, `malformed SignedData (${(e as Error).message})`);
  }
  if (sd.signerInfos.length !== 1) throw new PkiError('unsupported', `cms.${op}: ${sd.signerInfos.length} signers (exactly one is supported)`);
  const si = sd.signerInfos[0]!;
  const eContent = sd.encapContentInfo.eContent;
  if (!eContent && !(p.absentContentIsEmpty && sd.signerInfos[0]?.signedAttrs)) throw new PkiError('unsupported', `cms.${op}: detached content`);
  // pkijs takes whatever element sits in [0] EXPLICIT; RFC 5652 §5.2 says an OCTET STRING
  if (eContent && !(eContent instanceof asn1js.OctetString)) throw bad(op, 'eContent is not an OCTET STRING');
  const content = eContent ? new Uint8Array(eContent.getValue()) : new Uint8Array(0);
  const contentType = sd.encapContentInfo.eContentType;

  // the signer certificate: in the message or among the trusted ones
  const candidates: { der: Uint8Array; parts: CertParts }[] = [];
  for (const c of carried) {
    try {
      candidates.push({ der: c, parts: certParts(c, op) });
    } catch {
      // a certificate we cannot read cannot be the signer's
    }
  }
  for (const t of p.trusted ?? []) candidates.push({ der: t, parts: certParts(t, op) });
  const found = candidates.find((c) => identifies(si.sid, c.parts.cert));
  if (!found) throw bad(op, 'the signer certificate is missing');
  const signerCert = found.der;
  if (p.trusted && !p.trusted.some((t) => equalBytes(t, signerCert))) throw new PkiError('untrusted', `cms.${op}: the signer is not one of the trusted certificates`);
  const spki = found.parts.spki;

  const digest = hashOfOid(si.digestAlgorithm.algorithmId);
  const hash = digest && DIGESTS.includes(digest) ? digest : undefined;
  if (!hash) throw new PkiError('unsupported', `cms.${op}: digest algorithm ${si.digestAlgorithm.algorithmId}`);
  let data = content;
  let signedAttributes: CmsAttribute[] = [];
  if (si.signedAttrs) {
    data = new Uint8Array(si.signedAttrs.encodedValue);
    signedAttributes = readAttributes(data, op);
    const one = (oid: string, what: string): Uint8Array => {
      const found = signedAttributes.filter((a) => a.oid === oid);
      if (found.length !== 1 || found[0]!.values.length !== 1) throw bad(op, `the ${what} attribute must be present once with one value`);
      return found[0]!.values[0]!;
    };
    const ct = one(OID.contentType, 'contentType');
    if (oidOf(ct, readTlv(ct, 0, ct.length, BER), op, 'contentType') !== contentType) throw new PkiError('bad-signature', `cms.${op}: the contentType attribute does not match eContentType`);
    const mdAttr = one(OID.messageDigest, 'messageDigest');
    const mdT = readTlv(mdAttr, 0, mdAttr.length, BER);
    if (mdT.tag !== 0x04) throw bad(op, 'messageDigest is not an OCTET STRING');
    const md = new Uint8Array(await engine.digest({ name: hash }, content as Uint8Array<ArrayBuffer>));
    if (!equalBytes(md, mdAttr.subarray(mdT.contentStart, mdT.contentEnd))) throw new PkiError('bad-signature', `cms.${op}: the message digest does not match the content`);
  }
  const sa = si.signatureAlgorithm;
  const params = sa.algorithmParams && !(sa.algorithmParams instanceof asn1js.Any) && !(sa.algorithmParams instanceof asn1js.Null) ? new Uint8Array(sa.algorithmParams.toBER(false)) : undefined;
  const ok = await p.verify({
    algorithm: signatureOid(sa.algorithmId, hash),
    ...(params ? { parameters: params } : {}),
    spki,
    data,
    signature: new Uint8Array(si.signature.valueBlock.valueHexView),
  });
  if (!ok) throw new PkiError('bad-signature', `cms.${op}: the signature does not verify`);
  return { content, contentType, signerCert, signedAttributes };
}
