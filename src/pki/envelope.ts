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
import { equalBytes } from '../util/bytes.ts';
import { PkiError, isAbortError } from '../util/errors.ts';
import { DER } from './csr.ts';
import { ENGINE_OID, cbcParameters, randomBytes } from './engine.ts';
import { derChildren, derRead, type Tlv } from './pem.ts';
import { parseCertificate } from './x509-parse.ts';
import { signedDataCertificates } from './cms.ts';

export const CMS_OID = {
  data: '1.2.840.113549.1.7.1',
  signedData: '1.2.840.113549.1.7.2',
  envelopedData: '1.2.840.113549.1.7.3',
  contentType: '1.2.840.113549.1.9.3',
  messageDigest: '1.2.840.113549.1.9.4',
  signingTime: '1.2.840.113549.1.9.5',
  ecPublicKey: '1.2.840.10045.2.1',
  subjectKeyIdentifier: '2.5.29.14',
} as const;

/** Content-encryption algorithms `envelope` writes. */
export type EnvelopeCipher = 'AES-128-CBC' | 'AES-192-CBC' | 'AES-256-CBC' | 'DES-EDE3-CBC' | 'DES-CBC';

type EngineCbc = 'AES-CBC' | 'DES-CBC' | 'DES-EDE3-CBC' | 'RC2-CBC';

const ENVELOPE_CIPHERS: Readonly<Record<EnvelopeCipher, { oid: string; name: EngineCbc; keyLength: number }>> = {
  'AES-128-CBC': { oid: ENGINE_OID.aes128Cbc, name: 'AES-CBC', keyLength: 16 },
  'AES-192-CBC': { oid: ENGINE_OID.aes192Cbc, name: 'AES-CBC', keyLength: 24 },
  'AES-256-CBC': { oid: ENGINE_OID.aes256Cbc, name: 'AES-CBC', keyLength: 32 },
  'DES-EDE3-CBC': { oid: ENGINE_OID.desEde3Cbc, name: 'DES-EDE3-CBC', keyLength: 24 },
  'DES-CBC': { oid: ENGINE_OID.desCBC, name: 'DES-CBC', keyLength: 8 },
};

/** Content-encryption algorithms `openEnvelope` reads (keyLength 0: any length, RC2). */
const OPEN_CIPHERS: Readonly<Record<string, { name: EngineCbc; keyLength: number }>> = {
  [ENGINE_OID.aes128Cbc]: { name: 'AES-CBC', keyLength: 16 },
  [ENGINE_OID.aes192Cbc]: { name: 'AES-CBC', keyLength: 24 },
  [ENGINE_OID.aes256Cbc]: { name: 'AES-CBC', keyLength: 32 },
  [ENGINE_OID.desEde3Cbc]: { name: 'DES-EDE3-CBC', keyLength: 24 },
  [ENGINE_OID.desCBC]: { name: 'DES-CBC', keyLength: 8 },
  [ENGINE_OID.rc2Cbc]: { name: 'RC2-CBC', keyLength: 0 },
};

const bad = (op: string, what: string): PkiError => new PkiError('bad-pkcs7', `cms.${op}: ${what}`);
const decryptFailed = (): PkiError => new PkiError('decrypt', 'cms.openEnvelope: decryption failed');

/** An owned ArrayBuffer copy (for pkijs / WebCrypto edges). */
const ab = (b: Uint8Array): ArrayBuffer => b.slice().buffer as ArrayBuffer;

/** The dotted form of an OBJECT IDENTIFIER element. */
function oidOf(der: Uint8Array, t: Tlv | undefined, op: string, what: string): string {
  if (!t || t.tag !== 0x06) throw bad(op, `${what} is not an OBJECT IDENTIFIER`);
  return (asn1js.fromBER(ab(der.subarray(t.start, t.end))).result as asn1js.ObjectIdentifier).valueBlock.toString();
}

// ---------------------------------------------------------------------------------------------
// Certificates: the raw pieces CMS copies out of them

interface CertParts {
  /** The certificate's Name issuer, byte for byte. */
  issuer: Uint8Array;
  /** The serialNumber INTEGER element, byte for byte. */
  serial: Uint8Array;
  /** Its contents octets. */
  serialContents: Uint8Array;
  /** SubjectPublicKeyInfo DER. */
  spki: Uint8Array;
  /** The SPKI algorithm OID. */
  keyAlgorithm: string;
}

/** issuer, serialNumber and subjectPublicKeyInfo of a DER certificate (RFC 5280 §4.1). */
function certParts(der: Uint8Array, op: string): CertParts {
  try {
    const top = derRead(der, 0);
    if (top.tag !== 0x30 || top.end !== der.length) throw new Error('not one SEQUENCE');
    const [tbs] = derChildren(der, top);
    if (!tbs || tbs.tag !== 0x30) throw new Error('no TBSCertificate');
    const f = derChildren(der, tbs);
    const i = f[0]?.tag === 0xa0 ? 1 : 0;
    const serial = f[i];
    const issuer = f[i + 2];
    const spki = f[i + 5];
    if (serial?.tag !== 0x02 || issuer?.tag !== 0x30 || spki?.tag !== 0x30) throw new Error('unexpected TBSCertificate layout');
    const [alg] = derChildren(der, spki);
    const [oid] = alg ? derChildren(der, alg) : [];
    return {
      issuer: der.slice(issuer.start, issuer.end),
      serial: der.slice(serial.start, serial.end),
      serialContents: der.slice(serial.contentStart, serial.contentEnd),
      spki: der.slice(spki.start, spki.end),
      keyAlgorithm: oidOf(der, oid, op, 'the public key algorithm'),
    };
  } catch (e) {
    if (e instanceof PkiError && e.code === 'bad-pkcs7') throw e;
    throw new PkiError('bad-certificate', `cms.${op}: not a DER certificate (${(e as Error).message})`, { cause: e });
  }
}

/**
 * True when a RecipientIdentifier / SignerIdentifier names a certificate (RFC 5652 §5.3,
 * §6.2.1). `parts` (raw bytes) allows a byte-exact match without parsing; otherwise, and for a
 * differently encoded but equal issuer name, `cert()` (pkijs, parsed on demand) decides.
 */
function identifies(id: unknown, cert: () => pkijs.Certificate, parts?: CertParts): boolean {
  if (id instanceof pkijs.IssuerAndSerialNumber) {
    const issuer = new Uint8Array(id.issuer.valueBeforeDecode);
    if (parts && issuer.length && equalBytes(issuer, parts.issuer) && equalBytes(new Uint8Array(id.serialNumber.valueBlock.valueHexView), parts.serialContents)) return true;
    const c = cert();
    return c.issuer.isEqual(id.issuer) && c.serialNumber.isEqual(id.serialNumber);
  }
  // subjectKeyIdentifier: pkijs turns a KTRI's [0] into a plain OCTET STRING and keeps a
  // SignerInfo's [0] as it came (primitive, or constructed around an OCTET STRING)
  const block = id as { idBlock?: { tagClass: number; tagNumber: number; isConstructed: boolean }; valueBlock?: { valueHexView?: Uint8Array; value?: { valueBlock: { valueHexView: Uint8Array } }[] } };
  let keyId: Uint8Array | undefined;
  if (id instanceof asn1js.OctetString && !id.idBlock.isConstructed) keyId = id.valueBlock.valueHexView;
  else if (block?.idBlock?.tagClass === 3 && block.idBlock.tagNumber === 0) keyId = block.idBlock.isConstructed ? block.valueBlock?.value?.[0]?.valueBlock.valueHexView : block.valueBlock?.valueHexView;
  if (!keyId) return false;
  const ski = cert().extensions?.find((e) => e.extnID === CMS_OID.subjectKeyIdentifier)?.parsedValue as asn1js.OctetString | undefined;
  return !!ski && equalBytes(new Uint8Array(keyId), new Uint8Array(ski.valueBlock.valueHexView));
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
  const c = ENVELOPE_CIPHERS[cipher];
  if (!c) throw new RangeError(`cms.envelope: unsupported content cipher ${JSON.stringify(cipher)}`);
  if (!recipients.length) throw new RangeError('cms.envelope: no recipients');
  const parts = recipients.map((r) => certParts(r, 'envelope'));
  for (const p of parts) if (p.keyAlgorithm !== ENGINE_OID.rsaEncryption) throw new PkiError('unsupported', `cms.envelope: recipient key algorithm ${p.keyAlgorithm} (only RSA key transport is supported)`);

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
      ktris.push(DER.seq(DER.tlv(0x02, Uint8Array.of(0)), DER.seq(p.issuer, p.serial), DER.seq(DER.oid(ENGINE_OID.rsaEncryption), DER.NULL), DER.tlv(0x04, ek)));
    }
    const eci = DER.seq(DER.oid(CMS_OID.data), DER.seq(DER.oid(c.oid), DER.tlv(0x04, iv)), DER.tlv(0x80, encrypted));
    const env = DER.seq(DER.tlv(0x02, Uint8Array.of(0)), DER.setOf(ktris), eci);
    return DER.seq(DER.oid(CMS_OID.envelopedData), DER.tlv(0xa0, env));
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
  let parsed: pkijs.Certificate | undefined;
  const cert = (): pkijs.Certificate => (parsed ??= parseCertificate(p.recipientCert));
  let env: pkijs.EnvelopedData;
  try {
    env = new pkijs.EnvelopedData({ schema: contentOf(der, CMS_OID.envelopedData, op) });
  } catch (e) {
    if (e instanceof PkiError) throw e;
    throw bad(op, `malformed EnvelopedData (${(e as Error).message})`);
  }
  const ri = env.recipientInfos.find((r) => r.variant === 1 && identifies((r.value as pkijs.KeyTransRecipientInfo).rid, cert, mine));
  if (!ri) throw bad(op, 'no KeyTransRecipientInfo for this certificate');
  const ktri = ri.value as pkijs.KeyTransRecipientInfo;
  // rsaEncryption with NULL parameters (RFC 3370 §4.2.1) or, as some encoders write, none
  const kea = ktri.keyEncryptionAlgorithm;
  if (kea.algorithmId !== ENGINE_OID.rsaEncryption) throw new PkiError('unsupported', `cms.${op}: key encryption algorithm ${kea.algorithmId} (only rsaEncryption)`);
  if (kea.algorithmParams !== undefined && !(kea.algorithmParams instanceof asn1js.Null) && !(kea.algorithmParams instanceof asn1js.Any)) throw bad(op, 'rsaEncryption with parameters other than NULL');

  const eci = env.encryptedContentInfo;
  const cea = eci.contentEncryptionAlgorithm;
  const c = OPEN_CIPHERS[cea.algorithmId];
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

const SIG_ALGS: Readonly<Record<CmsSignatureAlgorithm, { oid: string; kind: 'rsa' | 'ec'; hash?: HashAlg }>> = {
  rsaEncryption: { oid: ENGINE_OID.rsaEncryption, kind: 'rsa' },
  md5WithRSAEncryption: { oid: '1.2.840.113549.1.1.4', kind: 'rsa', hash: 'MD5' },
  sha1WithRSAEncryption: { oid: '1.2.840.113549.1.1.5', kind: 'rsa', hash: 'SHA-1' },
  sha224WithRSAEncryption: { oid: '1.2.840.113549.1.1.14', kind: 'rsa', hash: 'SHA-224' },
  sha256WithRSAEncryption: { oid: '1.2.840.113549.1.1.11', kind: 'rsa', hash: 'SHA-256' },
  sha384WithRSAEncryption: { oid: '1.2.840.113549.1.1.12', kind: 'rsa', hash: 'SHA-384' },
  sha512WithRSAEncryption: { oid: '1.2.840.113549.1.1.13', kind: 'rsa', hash: 'SHA-512' },
  'ecdsa-with-SHA1': { oid: '1.2.840.10045.4.1', kind: 'ec', hash: 'SHA-1' },
  'ecdsa-with-SHA224': { oid: '1.2.840.10045.4.3.1', kind: 'ec', hash: 'SHA-224' },
  'ecdsa-with-SHA256': { oid: '1.2.840.10045.4.3.2', kind: 'ec', hash: 'SHA-256' },
  'ecdsa-with-SHA384': { oid: '1.2.840.10045.4.3.3', kind: 'ec', hash: 'SHA-384' },
  'ecdsa-with-SHA512': { oid: '1.2.840.10045.4.3.4', kind: 'ec', hash: 'SHA-512' },
};

/** Digest algorithm OIDs (RFC 3370 §2, RFC 5754 §2). */
const DIGEST_OID: Readonly<Partial<Record<HashAlg, string>>> = {
  MD5: ENGINE_OID.md5,
  'SHA-1': '1.3.14.3.2.26',
  'SHA-224': ENGINE_OID.sha224,
  'SHA-256': '2.16.840.1.101.3.4.2.1',
  'SHA-384': '2.16.840.1.101.3.4.2.2',
  'SHA-512': '2.16.840.1.101.3.4.2.3',
};

/**
 * DigestAlgorithmIdentifier: MD5 with NULL parameters (RFC 3370 §2.2), SHA-1 and SHA-2 with
 * absent parameters (RFC 3370 §2.1, RFC 5754 §2: SHOULD omit; readers accept both).
 */
function digestAlgorithmDer(hash: HashAlg): Uint8Array {
  const oid = DIGEST_OID[hash];
  if (!oid) throw new PkiError('unsupported', `cms.signData: digest ${hash}`);
  return hash === 'MD5' ? DER.seq(DER.oid(oid), DER.NULL) : DER.seq(DER.oid(oid));
}

const p2 = (n: number): string => String(n).padStart(2, '0');

/** Time (RFC 5652 §11.3): UTCTime for 1950-2049, GeneralizedTime otherwise; whole seconds, Z. */
function timeDer(d: Date): Uint8Array {
  const y = d.getUTCFullYear();
  const body = `${p2(d.getUTCMonth() + 1)}${p2(d.getUTCDate())}${p2(d.getUTCHours())}${p2(d.getUTCMinutes())}${p2(d.getUTCSeconds())}Z`;
  const utc = y >= 1950 && y < 2050;
  const text = utc ? `${p2(y % 100)}${body}` : `${String(y).padStart(4, '0')}${body}`;
  return DER.tlv(utc ? 0x17 : 0x18, Uint8Array.from(text, (ch) => ch.charCodeAt(0)));
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
  const found = (Object.entries(SIG_ALGS) as [CmsSignatureAlgorithm, (typeof SIG_ALGS)[CmsSignatureAlgorithm]][]).find(([, a]) => a.kind === kind && a.hash === hash);
  if (!found) throw new PkiError('unsupported', `cms.signData: no ${kind === 'rsa' ? 'RSA' : 'ECDSA'} signature algorithm with ${hash}`);
  return found[0];
}

/**
 * Builds a SignedData ContentInfo (RFC 5652 §5) with one SignerInfo (version 1,
 * issuerAndSerialNumber). The signed attributes — contentType, messageDigest, signingTime when
 * given, then `signedAttributes` — are DER-sorted by their encodings (X.690 §11.6), and the
 * signature covers exactly that SET (§5.4). SignedData version is 1 for id-data, else 3.
 */
export async function signData(p: SignDataParams, engine: pkijs.ICryptoEngine): Promise<Uint8Array> {
  const op = 'signData';
  const contentType = p.contentType ?? CMS_OID.data;
  const name = p.signatureAlgorithm ?? defaultSignatureAlgorithm(p.signer.key.kind, p.digest);
  const sig = SIG_ALGS[name];
  if (!sig) throw new RangeError(`cms.${op}: unknown signature algorithm ${JSON.stringify(name)}`);
  if (sig.kind !== p.signer.key.kind) throw new RangeError(`cms.${op}: ${name} does not fit a ${p.signer.key.kind.toUpperCase()} key`);
  if (sig.hash && sig.hash !== p.digest) throw new RangeError(`cms.${op}: ${name} signs with ${sig.hash}, but the digest is ${p.digest}`);
  if (!p.signer.hashes.includes(p.digest)) throw new PkiError('unsupported', `cms.${op}: this key cannot sign with ${p.digest} (it signs with ${p.signer.hashes.join(', ')})`);
  const cert = certParts(p.signerCert, op);
  if (!equalBytes(cert.spki, p.signer.spki)) throw new PkiError('key', `cms.${op}: the signer's key is not the key of the signer certificate`);
  for (const a of p.signedAttributes ?? []) {
    if (a.oid === CMS_OID.contentType || a.oid === CMS_OID.messageDigest || (a.oid === CMS_OID.signingTime && p.signingTime)) throw new RangeError(`cms.${op}: attribute ${a.oid} is added by signData`);
    if (!a.values.length) throw new RangeError(`cms.${op}: attribute ${a.oid} has no values`);
  }

  const md = new Uint8Array(await engine.digest({ name: p.digest }, p.content as Uint8Array<ArrayBuffer>));
  const attrs: CmsAttribute[] = [
    { oid: CMS_OID.contentType, values: [DER.oid(contentType)] },
    { oid: CMS_OID.messageDigest, values: [DER.tlv(0x04, md)] },
    ...(p.signingTime ? [{ oid: CMS_OID.signingTime, values: [timeDer(p.signingTime)] }] : []),
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
  const version = contentType === CMS_OID.data ? 1 : 3;
  const sd = DER.seq(
    DER.tlv(0x02, Uint8Array.of(version)),
    DER.setOf([digestAlg]),
    DER.seq(DER.oid(contentType), DER.tlv(0xa0, DER.tlv(0x04, p.content))),
    DER.setOf(certs, 0xa0),
    DER.setOf([signerInfo]),
  );
  return DER.seq(DER.oid(CMS_OID.signedData), DER.tlv(0xa0, sd));
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
  if (oid !== ENGINE_OID.rsaEncryption && oid !== CMS_OID.ecPublicKey) return oid;
  const kind = oid === ENGINE_OID.rsaEncryption ? 'rsa' : 'ec';
  return SIG_ALGS[defaultSignatureAlgorithm(kind, hash)].oid;
}

const DIGEST_BY_OID: Readonly<Record<string, HashAlg>> = Object.fromEntries(Object.entries(DIGEST_OID).map(([h, o]) => [o, h as HashAlg]));

/** The attributes of a SignedAttributes SET, element by element. */
function readAttributes(der: Uint8Array, op: string): CmsAttribute[] {
  const top = derRead(der, 0);
  return derChildren(der, top).map((a) => {
    if (a.tag !== 0x30) throw bad(op, 'signed attribute is not a SEQUENCE');
    const [type, set, extra] = derChildren(der, a);
    if (!set || set.tag !== 0x31 || extra) throw bad(op, 'malformed signed attribute');
    const values = derChildren(der, set).map((v) => der.slice(v.start, v.end));
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
  try {
    signedDataCertificates(der, `cms.${op}`);
  } catch (e) {
    if (e instanceof PkiError) throw bad(op, e.message.replace(/^[\w.]+: /, ''));
    throw e;
  }
  let sd: pkijs.SignedData;
  try {
    sd = new pkijs.SignedData({ schema: contentOf(der, CMS_OID.signedData, op) });
  } catch (e) {
    if (e instanceof PkiError) throw e;
    throw bad(op, `malformed SignedData (${(e as Error).message})`);
  }
  if (sd.signerInfos.length !== 1) throw new PkiError('unsupported', `cms.${op}: ${sd.signerInfos.length} signers (exactly one is supported)`);
  const si = sd.signerInfos[0]!;
  const eContent = sd.encapContentInfo.eContent;
  if (!eContent && !(p.absentContentIsEmpty && sd.signerInfos[0]?.signedAttrs)) throw new PkiError('unsupported', `cms.${op}: detached content`);
  const content = eContent ? new Uint8Array(eContent.getValue()) : new Uint8Array(0);
  const contentType = sd.encapContentInfo.eContentType;

  // the signer certificate: in the message or among the trusted ones
  const candidates: { cert: () => pkijs.Certificate; der: () => Uint8Array; parts?: CertParts }[] = [];
  for (const c of sd.certificates ?? []) if (c instanceof pkijs.Certificate) candidates.push({ cert: () => c, der: () => new Uint8Array(c.toSchema().toBER(false)) });
  for (const t of p.trusted ?? []) {
    let parsed: pkijs.Certificate | undefined;
    candidates.push({ cert: () => (parsed ??= parseCertificate(t)), der: () => t, parts: certParts(t, op) });
  }
  const found = candidates.find((c) => identifies(si.sid, c.cert, c.parts));
  if (!found) throw bad(op, 'the signer certificate is missing');
  const signerCert = found.der();
  if (p.trusted && !p.trusted.some((t) => equalBytes(t, signerCert))) throw new PkiError('untrusted', `cms.${op}: the signer is not one of the trusted certificates`);
  const spki = certParts(signerCert, op).spki;

  const hash = DIGEST_BY_OID[si.digestAlgorithm.algorithmId];
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
    const ct = one(CMS_OID.contentType, 'contentType');
    if (oidOf(ct, derRead(ct, 0), op, 'contentType') !== contentType) throw new PkiError('bad-signature', `cms.${op}: the contentType attribute does not match eContentType`);
    const mdAttr = one(CMS_OID.messageDigest, 'messageDigest');
    const mdT = derRead(mdAttr, 0);
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
