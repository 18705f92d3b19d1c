/**
 * The pkijs crypto engine of Trustpoint: a `pkijs.CryptoEngine` that keeps WebCrypto for what
 * WebCrypto does (SHA-1/SHA-2 digests, AES-CBC/GCM, HMAC, RSA-OAEP, RSASSA-PKCS1-v1_5, RSA-PSS,
 * ECDSA and ECDH with WebCrypto keys, AES-KW) and sends to the WASM core (`CoreApi`) what it
 * lacks:
 *
 * - RSAES-PKCS1-v1_5 (RFC 8017 §7.2): `importKey('spki' | 'pkcs8')` gives a core key,
 *   `encrypt` / `decrypt` run in the core; `decrypterKey()` wraps any `Decrypter` (a token, a
 *   key held elsewhere) as such a key;
 * - DES-CBC, DES-EDE3-CBC (and two-key DES-EDE-CBC), RC2-CBC (RFC 2268, SP 800-67): raw
 *   `generateKey` / `importKey` / `exportKey`, `encrypt` / `decrypt` with `{ name, iv }`;
 * - MD5, SHA-224, SHA-512/224, SHA-512/256 digests, and HMAC / RSA / ECDSA with these hashes
 *   (such keys are imported into the core);
 * - PBKDF2 (RFC 8018 §5.2) always: its key is just the password, and the hash is only named at
 *   `deriveBits` time;
 * - the PKCS#12 KDF (RFC 7292 App. B) for the PFX MAC (`stampDataWithPassword`,
 *   `verifyDataStampedWithPassword`) and PBES1 (`pbeWithSHAAnd3-KeyTripleDES-CBC`,
 *   `pbeWithSHAAnd2-KeyTripleDES-CBC`, `pbeWithSHAAnd128BitRC2-CBC`,
 *   `pbewithSHAAnd40BitRC2-CBC`, RFC 7292 App. C), and PBES2 (RFC 8018 §6.2) with PBKDF2 and
 *   AES / 3DES / DES / RC2 (`encryptEncryptedContentInfo`, `decryptEncryptedContentInfo`).
 *
 * With `subtle: null` (a plain-HTTP page has no `crypto.subtle`) EVERYTHING runs in the core:
 * digests, HMAC, PBKDF2, AES-CBC, RSA (PKCS#1 v1.5, PSS, OAEP) and ECDSA with core keys
 * (`importKey('spki' | 'pkcs8' | 'raw')`, `generateKey`); randomness comes from
 * `crypto.getRandomValues`, which insecure pages have. AES-KW, AES-GCM/CTR, ECDH and HKDF
 * then throw `PkiError('unsupported')`.
 *
 * Core keys are `CoreKey` objects shaped like `CryptoKey` (type, extractable, algorithm,
 * usages); the key bytes are kept out of the object (a module WeakMap), so they do not show in
 * logs or structured clones. They are plain JS memory: not wiped, not stored.
 *
 * pkijs traps this module works around (pkijs 4.0.0):
 * - `EnvelopedData.addRecipientByCertificate` defaults to RSA-OAEP with SHA-512, which SCEP
 *   servers reject: use `addPkcs1Recipient` (rsaEncryption with explicit NULL parameters,
 *   issuerAndSerialNumber rid, KTRI version 0).
 * - `EnvelopedData.encrypt` always writes a 16-byte IV and version 2, so 64-bit block ciphers
 *   (DES, 3DES) come out broken: `encrypt` here refuses a DES/RC2 IV that is not 8 bytes. Use
 *   `envelope()` (envelope.ts), which writes correct IVs and version 0.
 * - `CryptoEngine.importKey` maps RSAES-PKCS1-v1_5 to a JWK with `alg: 'PS1'`, which no
 *   WebCrypto accepts; here that key is a core key.
 * - rsaEncryption arrives with NULL parameters (RFC 3370 §4.2.1) or, from some encoders, none
 *   (older pkijs read such a KTRI as RSA-OAEP and failed, PKI.js issue #246): the key transport
 *   here depends on the OID only, `EnvelopedData.decrypt` and `openEnvelope` accept both forms.
 * - The stock PKCS#12 MAC uses pkijs' own JS SHA code and knows only SHA-1/SHA-2; the stock
 *   `encryptEncryptedContentInfo` splits the ciphertext into a BER constructed OCTET STRING;
 *   here the MAC runs in the core (any core hash) and the ciphertext stays one DER OCTET STRING.
 */
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import type { CoreApi, HashAlg } from '../core/api.ts';
import type { Decrypter } from '../crypto/types.ts';
import { equalBytes } from '../util/bytes.ts';
import { PkiError } from '../util/errors.ts';
import { DER } from './csr.ts';
import { derChildren, derRead, type Tlv } from './pem.ts';

// ---------------------------------------------------------------------------------------------
// Object identifiers (RFC 8017 App. C, RFC 8018 App. C, RFC 7292 App. D, RFC 3370, RFC 5754)

/** The OIDs this engine adds to pkijs' table. */
export const ENGINE_OID = {
  rsaEncryption: '1.2.840.113549.1.1.1',
  md5: '1.2.840.113549.2.5',
  sha224: '2.16.840.1.101.3.4.2.4',
  sha512_224: '2.16.840.1.101.3.4.2.5',
  sha512_256: '2.16.840.1.101.3.4.2.6',
  md5WithRSAEncryption: '1.2.840.113549.1.1.4',
  sha224WithRSAEncryption: '1.2.840.113549.1.1.14',
  sha512_224WithRSAEncryption: '1.2.840.113549.1.1.15',
  sha512_256WithRSAEncryption: '1.2.840.113549.1.1.16',
  ecdsaWithSHA224: '1.2.840.10045.4.3.1',
  hmacWithSHA224: '1.2.840.113549.2.8',
  hmacWithSHA512_224: '1.2.840.113549.2.12',
  hmacWithSHA512_256: '1.2.840.113549.2.13',
  desCBC: '1.3.14.3.2.7',
  desEde3Cbc: '1.2.840.113549.3.7',
  rc2Cbc: '1.2.840.113549.3.2',
  aes128Cbc: '2.16.840.1.101.3.4.1.2',
  aes192Cbc: '2.16.840.1.101.3.4.1.22',
  aes256Cbc: '2.16.840.1.101.3.4.1.42',
  pbes2: '1.2.840.113549.1.5.13',
  pbkdf2: '1.2.840.113549.1.5.12',
  pbeWithSHAAnd128BitRC4: '1.2.840.113549.1.12.1.1',
  pbeWithSHAAnd40BitRC4: '1.2.840.113549.1.12.1.2',
  pbeWithSHAAnd3KeyTripleDESCBC: '1.2.840.113549.1.12.1.3',
  pbeWithSHAAnd2KeyTripleDESCBC: '1.2.840.113549.1.12.1.4',
  pbeWithSHAAnd128BitRC2CBC: '1.2.840.113549.1.12.1.5',
  pbewithSHAAnd40BitRC2CBC: '1.2.840.113549.1.12.1.6',
} as const;

/** The PBES1 schemes of RFC 7292 App. C, by the algorithm names this engine gives them. */
export type Pkcs12PbeName = 'pbeWithSHAAnd3-KeyTripleDES-CBC' | 'pbeWithSHAAnd2-KeyTripleDES-CBC' | 'pbeWithSHAAnd128BitRC2-CBC' | 'pbewithSHAAnd40BitRC2-CBC';

/** Content-encryption ciphers (CBC, PKCS#7 padding) the core has and WebCrypto may not. */
type CoreCbc = 'AES-CBC' | 'DES-CBC' | 'DES-EDE3-CBC' | 'DES-EDE-CBC' | 'RC2-CBC';

interface Pbes1Scheme {
  name: Pkcs12PbeName;
  cipher: CoreCbc;
  keyLength: number;
  rc2Bits?: number;
}

const PBES1: Readonly<Record<string, Pbes1Scheme>> = {
  [ENGINE_OID.pbeWithSHAAnd3KeyTripleDESCBC]: { name: 'pbeWithSHAAnd3-KeyTripleDES-CBC', cipher: 'DES-EDE3-CBC', keyLength: 24 },
  [ENGINE_OID.pbeWithSHAAnd2KeyTripleDESCBC]: { name: 'pbeWithSHAAnd2-KeyTripleDES-CBC', cipher: 'DES-EDE-CBC', keyLength: 16 },
  [ENGINE_OID.pbeWithSHAAnd128BitRC2CBC]: { name: 'pbeWithSHAAnd128BitRC2-CBC', cipher: 'RC2-CBC', keyLength: 16, rc2Bits: 128 },
  [ENGINE_OID.pbewithSHAAnd40BitRC2CBC]: { name: 'pbewithSHAAnd40BitRC2-CBC', cipher: 'RC2-CBC', keyLength: 5, rc2Bits: 40 },
};

/** Ciphers `encryptEncryptedContentInfo` writes under PBES2, by upper-case name. */
const PBES2_WRITE: Readonly<Record<string, CoreCbc>> = { 'AES-CBC': 'AES-CBC', 'DES-EDE3-CBC': 'DES-EDE3-CBC', 'DES-CBC': 'DES-CBC' };

/** PBES2 encryption schemes (RFC 8018 B.2): cipher, key length (bytes; 0 = from PBKDF2 keyLength), IV length. */
const PBES2_CIPHERS: Readonly<Record<string, { cipher: CoreCbc; keyLength: number }>> = {
  [ENGINE_OID.aes128Cbc]: { cipher: 'AES-CBC', keyLength: 16 },
  [ENGINE_OID.aes192Cbc]: { cipher: 'AES-CBC', keyLength: 24 },
  [ENGINE_OID.aes256Cbc]: { cipher: 'AES-CBC', keyLength: 32 },
  [ENGINE_OID.desEde3Cbc]: { cipher: 'DES-EDE3-CBC', keyLength: 24 },
  [ENGINE_OID.desCBC]: { cipher: 'DES-CBC', keyLength: 8 },
  [ENGINE_OID.rc2Cbc]: { cipher: 'RC2-CBC', keyLength: 0 },
};

const HASH_OID: Readonly<Record<HashAlg, string>> = {
  MD5: ENGINE_OID.md5,
  'SHA-1': '1.3.14.3.2.26',
  'SHA-224': ENGINE_OID.sha224,
  'SHA-256': '2.16.840.1.101.3.4.2.1',
  'SHA-384': '2.16.840.1.101.3.4.2.2',
  'SHA-512': '2.16.840.1.101.3.4.2.3',
  'SHA-512/224': ENGINE_OID.sha512_224,
  'SHA-512/256': ENGINE_OID.sha512_256,
};

/** HMAC PRF OIDs (RFC 8018 B.1.2); MD5 has none. */
const HMAC_OID: Readonly<Partial<Record<HashAlg, string>>> = {
  'SHA-1': '1.2.840.113549.2.7',
  'SHA-224': ENGINE_OID.hmacWithSHA224,
  'SHA-256': '1.2.840.113549.2.9',
  'SHA-384': '1.2.840.113549.2.10',
  'SHA-512': '1.2.840.113549.2.11',
  'SHA-512/224': ENGINE_OID.hmacWithSHA512_224,
  'SHA-512/256': ENGINE_OID.hmacWithSHA512_256,
};

const HASH_BYTES: Readonly<Record<HashAlg, number>> = { MD5: 16, 'SHA-1': 20, 'SHA-224': 28, 'SHA-256': 32, 'SHA-384': 48, 'SHA-512': 64, 'SHA-512/224': 28, 'SHA-512/256': 32 };
const HASH_BLOCK: Readonly<Record<HashAlg, number>> = { MD5: 64, 'SHA-1': 64, 'SHA-224': 64, 'SHA-256': 64, 'SHA-384': 128, 'SHA-512': 128, 'SHA-512/224': 128, 'SHA-512/256': 128 };

/** Hashes WebCrypto has; any other goes to the core even when WebCrypto is present. */
const WEB_HASHES: ReadonlySet<HashAlg> = new Set(['SHA-1', 'SHA-256', 'SHA-384', 'SHA-512']);

/** Algorithm names (upper case) that never go to WebCrypto. */
const CORE_ONLY: ReadonlySet<string> = new Set(['RSAES-PKCS1-V1_5', 'DES-CBC', 'DES-EDE3-CBC', 'DES-EDE-CBC', 'RC2-CBC']);

/** Guard against files that would make the KDF run for hours (real files use 1..600000). */
export const MAX_PBE_ITERATIONS = 10_000_000;

// Extra OID -> algorithm entries (fresh objects each time: pkijs mutates what it gets).
const EXTRA_BY_OID: Readonly<Record<string, () => Algorithm & Record<string, unknown>>> = {
  [ENGINE_OID.md5]: () => ({ name: 'MD5' }),
  [ENGINE_OID.sha224]: () => ({ name: 'SHA-224' }),
  [ENGINE_OID.sha512_224]: () => ({ name: 'SHA-512/224' }),
  [ENGINE_OID.sha512_256]: () => ({ name: 'SHA-512/256' }),
  [ENGINE_OID.md5WithRSAEncryption]: () => ({ name: 'RSASSA-PKCS1-v1_5', hash: { name: 'MD5' } }),
  [ENGINE_OID.sha224WithRSAEncryption]: () => ({ name: 'RSASSA-PKCS1-v1_5', hash: { name: 'SHA-224' } }),
  [ENGINE_OID.sha512_224WithRSAEncryption]: () => ({ name: 'RSASSA-PKCS1-v1_5', hash: { name: 'SHA-512/224' } }),
  [ENGINE_OID.sha512_256WithRSAEncryption]: () => ({ name: 'RSASSA-PKCS1-v1_5', hash: { name: 'SHA-512/256' } }),
  [ENGINE_OID.ecdsaWithSHA224]: () => ({ name: 'ECDSA', hash: { name: 'SHA-224' } }),
  [ENGINE_OID.hmacWithSHA224]: () => ({ name: 'HMAC', hash: { name: 'SHA-224' } }),
  [ENGINE_OID.hmacWithSHA512_224]: () => ({ name: 'HMAC', hash: { name: 'SHA-512/224' } }),
  [ENGINE_OID.hmacWithSHA512_256]: () => ({ name: 'HMAC', hash: { name: 'SHA-512/256' } }),
  [ENGINE_OID.desCBC]: () => ({ name: 'DES-CBC', length: 64 }),
  [ENGINE_OID.desEde3Cbc]: () => ({ name: 'DES-EDE3-CBC', length: 192 }),
  [ENGINE_OID.rc2Cbc]: () => ({ name: 'RC2-CBC', length: 128 }),
  [ENGINE_OID.pbes2]: () => ({ name: 'PBES2' }),
  ...Object.fromEntries(Object.entries(PBES1).map(([oid, s]) => [oid, () => ({ name: s.name })])),
};

const SIG_HASH: Readonly<Record<string, HashAlg>> = {
  [ENGINE_OID.md5WithRSAEncryption]: 'MD5',
  [ENGINE_OID.sha224WithRSAEncryption]: 'SHA-224',
  [ENGINE_OID.sha512_224WithRSAEncryption]: 'SHA-512/224',
  [ENGINE_OID.sha512_256WithRSAEncryption]: 'SHA-512/256',
  [ENGINE_OID.ecdsaWithSHA224]: 'SHA-224',
};

const EXTRA_RSA_SIG: Readonly<Partial<Record<HashAlg, string>>> = {
  MD5: ENGINE_OID.md5WithRSAEncryption,
  'SHA-224': ENGINE_OID.sha224WithRSAEncryption,
  'SHA-512/224': ENGINE_OID.sha512_224WithRSAEncryption,
  'SHA-512/256': ENGINE_OID.sha512_256WithRSAEncryption,
};

// ---------------------------------------------------------------------------------------------
// Small helpers

type AlgorithmLike = string | (Algorithm & Record<string, unknown>);

const unsupported = (op: string, what: string): PkiError => new PkiError('unsupported', `engine.${op}: ${what} is not supported`);

function algName(alg: AlgorithmLike | undefined, op: string): string {
  const name = typeof alg === 'string' ? alg : alg?.name;
  if (typeof name !== 'string' || !name) throw new TypeError(`engine.${op}: algorithm name missing`);
  return name;
}

const HASH_NAMES: Readonly<Record<string, HashAlg>> = {
  MD5: 'MD5',
  SHA1: 'SHA-1',
  'SHA-1': 'SHA-1',
  SHA224: 'SHA-224',
  'SHA-224': 'SHA-224',
  SHA256: 'SHA-256',
  'SHA-256': 'SHA-256',
  SHA384: 'SHA-384',
  'SHA-384': 'SHA-384',
  SHA512: 'SHA-512',
  'SHA-512': 'SHA-512',
  'SHA-512/224': 'SHA-512/224',
  'SHA512/224': 'SHA-512/224',
  'SHA-512/256': 'SHA-512/256',
  'SHA512/256': 'SHA-512/256',
};

/** A hash named as WebCrypto/pkijs name it (`'sha-1'`, `{ name: 'SHA-256' }`, 'MD5'), or undefined. */
function hashOf(h: unknown): HashAlg | undefined {
  const name = typeof h === 'string' ? h : typeof h === 'object' && h !== null ? (h as { name?: unknown }).name : undefined;
  return typeof name === 'string' ? HASH_NAMES[name.toUpperCase()] : undefined;
}

function aHash(h: unknown, op: string): HashAlg {
  const r = hashOf(h);
  if (!r) throw unsupported(op, `hash ${JSON.stringify(typeof h === 'object' && h ? (h as { name?: unknown }).name : h)}`);
  return r;
}

/** The bytes of a BufferSource (a view, not a copy). */
function bytesOf(data: BufferSource | Uint8Array): Uint8Array {
  if (data instanceof Uint8Array) return data;
  if (ArrayBuffer.isView(data)) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  if (data instanceof ArrayBuffer || Object.prototype.toString.call(data) === '[object ArrayBuffer]') return new Uint8Array(data as ArrayBuffer);
  throw new TypeError('engine: expected an ArrayBuffer or a typed array');
}

/** An ArrayBuffer holding exactly `b` (pkijs and WebCrypto return ArrayBuffers). */
function bufferOf(b: Uint8Array): ArrayBuffer {
  if (b.byteOffset === 0 && b.byteLength === b.buffer.byteLength && b.buffer instanceof ArrayBuffer) return b.buffer;
  return b.slice().buffer as ArrayBuffer;
}

/** `n` random bytes from `crypto.getRandomValues` (present on insecure pages too). */
export function randomBytes(n: number): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(n);
  for (let o = 0; o < n; o += 65536) crypto.getRandomValues(out.subarray(o, Math.min(n, o + 65536)));
  return out;
}

/** Sets the DES parity bits (odd parity per byte, FIPS 46-3 §3), as OpenSSL's key generation does. */
function desParity(k: Uint8Array<ArrayBuffer>): Uint8Array<ArrayBuffer> {
  for (let i = 0; i < k.length; i++) {
    const b = k[i]! & 0xfe;
    let p = b ^ (b >> 4);
    p ^= p >> 2;
    p ^= p >> 1;
    k[i] = b | (~p & 1);
  }
  return k;
}

const ivLength = (cipher: CoreCbc): number => (cipher === 'AES-CBC' ? 16 : 8);

/**
 * The password of pkijs' PKCS#12 API (an ArrayBuffer) as text: UTF-8 when it decodes, else
 * one character per byte — what pkijs' own `makePKCS12B2Key` does.
 */
function passwordText(pw: Uint8Array): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(pw);
  } catch {
    return String.fromCharCode(...pw);
  }
}

/**
 * The BMPString forms of a password (RFC 7292 B.1). The empty password is tried as `00 00`
 * and then as the absent password (zero bytes), as OpenSSL's `PKCS12_parse` does.
 */
function bmpForms(pw: Uint8Array): Uint8Array[] {
  const text = passwordText(pw);
  const out = new Uint8Array(2 * text.length + 2);
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    out[2 * i] = c >>> 8;
    out[2 * i + 1] = c & 0xff;
  }
  return text.length === 0 ? [out, new Uint8Array(0)] : [out];
}

// --- minimal DER readers for algorithm parameters ---

function paramsDer(params: unknown, op: string, what: string): Uint8Array {
  if (!params || params instanceof asn1js.Any || typeof (params as asn1js.BaseBlock).toBER !== 'function') throw new PkiError('bad-pkcs7', `engine.${op}: ${what} parameters missing`);
  return new Uint8Array((params as asn1js.BaseBlock).toBER(false));
}

function expect(der: Uint8Array, t: Tlv | undefined, tag: number, op: string, what: string): Tlv {
  if (!t || t.tag !== tag) throw new PkiError('bad-pkcs7', `engine.${op}: malformed ${what}`);
  return t;
}

function readOctets(der: Uint8Array, t: Tlv | undefined, op: string, what: string): Uint8Array {
  const o = expect(der, t, 0x04, op, what);
  return der.slice(o.contentStart, o.contentEnd);
}

/** A non-negative INTEGER that fits 31 bits. */
function readSmallInt(der: Uint8Array, t: Tlv | undefined, op: string, what: string): number {
  const o = expect(der, t, 0x02, op, what);
  let b = der.subarray(o.contentStart, o.contentEnd);
  if (b.length === 0 || b[0]! & 0x80) throw new PkiError('bad-pkcs7', `engine.${op}: ${what} is negative or empty`);
  while (b.length > 1 && b[0] === 0) b = b.subarray(1);
  if (b.length > 4 || (b.length === 4 && b[0]! & 0x80)) throw new PkiError('unsupported', `engine.${op}: ${what} is too large`);
  let v = 0;
  for (const x of b) v = v * 256 + x;
  return v;
}

function aIterations(n: number, op: string): number {
  if (!Number.isSafeInteger(n) || n < 1) throw new PkiError('bad-pkcs7', `engine.${op}: iteration count ${n}`);
  if (n > MAX_PBE_ITERATIONS) throw new PkiError('unsupported', `engine.${op}: iteration count ${n} is above the limit of ${MAX_PBE_ITERATIONS}`);
  return n;
}

/** RC2 effective key bits from an RC2ParameterVersion (RFC 8018 B.2.3; RFC 2268 §6). */
function rc2BitsOfVersion(v: number): number {
  if (v === 160) return 40;
  if (v === 120) return 64;
  if (v === 58) return 128;
  if (v >= 256 && v <= 1024) return v;
  throw new PkiError('unsupported', `engine: RC2 parameter version ${v}`);
}

function rc2VersionOfBits(bits: number): number {
  if (bits === 40) return 160;
  if (bits === 64) return 120;
  if (bits === 128) return 58;
  if (bits >= 256 && bits <= 1024) return bits;
  throw new RangeError(`engine: RC2 effective key bits ${bits} have no parameter version`);
}

/**
 * The IV (and RC2 effective key bits) of a CBC AlgorithmIdentifier's parameters: an OCTET
 * STRING IV (RFC 3370 §5.1 DES, RFC 8018 B.2.2, RFC 3565 AES), or for RC2 an
 * RC2-CBC-Parameter SEQUENCE { rc2ParameterVersion INTEGER OPTIONAL, iv OCTET STRING }
 * (RFC 8018 B.2.3; absent version = 32 effective bits, RFC 2268 §6).
 */
export function cbcParameters(cipher: CoreCbc, params: Uint8Array, op: string): { iv: Uint8Array; rc2Bits?: number } {
  const top = derRead(params, 0);
  if (top.end !== params.length) throw new PkiError('bad-pkcs7', `engine.${op}: trailing bytes after the ${cipher} parameters`);
  let iv: Uint8Array;
  let rc2Bits: number | undefined;
  if (cipher === 'RC2-CBC' && top.tag === 0x30) {
    const kids = derChildren(params, top);
    if (kids.length === 2) {
      rc2Bits = rc2BitsOfVersion(readSmallInt(params, kids[0], op, 'RC2 parameter version'));
      iv = readOctets(params, kids[1], op, 'RC2 IV');
    } else if (kids.length === 1) {
      rc2Bits = 32;
      iv = readOctets(params, kids[0], op, 'RC2 IV');
    } else throw new PkiError('bad-pkcs7', `engine.${op}: malformed RC2-CBC parameters`);
  } else {
    iv = readOctets(params, top, op, `${cipher} IV`);
    if (cipher === 'RC2-CBC') rc2Bits = 32;
  }
  if (iv.length !== ivLength(cipher)) throw new PkiError('bad-pkcs7', `engine.${op}: ${cipher} IV of ${iv.length} bytes (needs ${ivLength(cipher)})`);
  return rc2Bits === undefined ? { iv } : { iv, rc2Bits };
}

/** The DER AlgorithmIdentifier parameters of a CBC cipher for `iv` (see `cbcParameters`). */
export function cbcParametersDer(cipher: CoreCbc, iv: Uint8Array, rc2Bits?: number): Uint8Array {
  if (cipher === 'RC2-CBC') return DER.seq(DER.tlv(0x02, ...intBytes(rc2VersionOfBits(rc2Bits ?? 128))), DER.tlv(0x04, iv));
  return DER.tlv(0x04, iv);
}

function intBytes(n: number): Uint8Array[] {
  const out: number[] = [];
  for (let v = n; v > 0; v = Math.floor(v / 256)) out.unshift(v & 0xff);
  if (!out.length || out[0]! & 0x80) out.unshift(0);
  return [Uint8Array.from(out)];
}

const toAsn1 = (der: Uint8Array): asn1js.AsnType => asn1js.fromBER(der.slice().buffer).result;

/** The public modulus size and exponent of an RSA SubjectPublicKeyInfo (RFC 8017 A.1.1). */
function rsaPublicParams(spki: Uint8Array): { modulusLength: number; publicExponent: Uint8Array } {
  const top = derRead(spki, 0);
  const [, bits] = derChildren(spki, top);
  if (!bits || bits.tag !== 0x03) throw new PkiError('bad-key', 'engine: not a SubjectPublicKeyInfo');
  const inner = spki.subarray(bits.contentStart + 1, bits.contentEnd);
  const [n, e] = derChildren(inner, derRead(inner, 0));
  if (!n || !e || n.tag !== 0x02 || e.tag !== 0x02) throw new PkiError('bad-key', 'engine: not an RSA public key');
  let m = inner.subarray(n.contentStart, n.contentEnd);
  while (m.length > 1 && m[0] === 0) m = m.subarray(1);
  const modulusLength = (m.length - 1) * 8 + (32 - Math.clz32(m[0]!));
  let x = inner.subarray(e.contentStart, e.contentEnd);
  while (x.length > 1 && x[0] === 0) x = x.subarray(1);
  return { modulusLength, publicExponent: x.slice() };
}

// ---------------------------------------------------------------------------------------------
// Core keys

type Material =
  | { kind: 'secret'; bytes: Uint8Array }
  | { kind: 'rsa'; der: Uint8Array }
  | { kind: 'ec'; der: Uint8Array }
  | { kind: 'decrypter'; decrypter: Decrypter };

const MATERIAL = new WeakMap<CoreKey, Material>();

/**
 * A key held for the core (or a `Decrypter`), shaped like a WebCrypto `CryptoKey` so that pkijs
 * can carry it around. Its bytes are not properties of the object.
 */
export class CoreKey implements CryptoKey {
  readonly type: KeyType;
  readonly extractable: boolean;
  readonly algorithm: KeyAlgorithm;
  readonly usages: KeyUsage[];
  constructor(type: KeyType, extractable: boolean, algorithm: KeyAlgorithm, usages: readonly KeyUsage[], material: Material) {
    this.type = type;
    this.extractable = extractable;
    this.algorithm = algorithm;
    this.usages = [...usages];
    MATERIAL.set(this, material);
  }
  get [Symbol.toStringTag](): string {
    return 'CoreKey';
  }
}

/** True for a key this engine holds for the core. */
export const isCoreKey = (k: unknown): k is CoreKey => k instanceof CoreKey;

function material(key: CryptoKey, op: string): Material {
  const m = key instanceof CoreKey ? MATERIAL.get(key) : undefined;
  if (!m) throw new TypeError(`engine.${op}: not a key of this engine`);
  return m;
}

function secretOf(key: CryptoKey, op: string): Uint8Array {
  const m = material(key, op);
  if (m.kind !== 'secret') throw new TypeError(`engine.${op}: ${key.algorithm.name} needs a secret key`);
  return m.bytes;
}

function derOf(key: CryptoKey, kind: 'rsa' | 'ec', op: string): Uint8Array {
  const m = material(key, op);
  if (m.kind !== kind) throw new TypeError(`engine.${op}: ${key.algorithm.name} needs an ${kind.toUpperCase()} key`);
  return m.der;
}

function aUsage(key: CryptoKey, usage: KeyUsage, op: string): void {
  if (key.usages.length && !key.usages.includes(usage)) throw new PkiError('key', `engine.${op}: the key is not usable for ${usage}`);
}

/** The canonical (WebCrypto-cased) name of a core-capable algorithm. */
const CANONICAL: Readonly<Record<string, string>> = {
  'RSAES-PKCS1-V1_5': 'RSAES-PKCS1-v1_5',
  'RSASSA-PKCS1-V1_5': 'RSASSA-PKCS1-v1_5',
  'RSA-PSS': 'RSA-PSS',
  'RSA-OAEP': 'RSA-OAEP',
  ECDSA: 'ECDSA',
  'AES-CBC': 'AES-CBC',
  'DES-CBC': 'DES-CBC',
  'DES-EDE3-CBC': 'DES-EDE3-CBC',
  'DES-EDE-CBC': 'DES-EDE-CBC',
  'RC2-CBC': 'RC2-CBC',
  HMAC: 'HMAC',
  PBKDF2: 'PBKDF2',
};

/** Secret-key lengths in bytes the core accepts per cipher. */
function aSecretLength(name: string, n: number, op: string): void {
  const ok =
    name === 'AES-CBC' ? n === 16 || n === 24 || n === 32 : name === 'DES-CBC' ? n === 8 : name === 'DES-EDE3-CBC' ? n === 24 : name === 'DES-EDE-CBC' ? n === 16 : name === 'RC2-CBC' ? n >= 1 && n <= 128 : true;
  if (!ok) throw new PkiError('key', `engine.${op}: a ${name} key of ${n} bytes`);
}

// ---------------------------------------------------------------------------------------------
// The engine

/** Options of `createPkiEngine`. */
export interface PkiEngineOptions {
  /**
   * The WebCrypto to use for what it does; `null` sends everything to the core (plain-HTTP
   * pages, tests). Default: `globalThis.crypto.subtle` when present.
   */
  subtle?: SubtleCrypto | null;
}

/** Parameters pkijs passes to `encryptEncryptedContentInfo`, with this engine's extra ciphers. */
type EncryptParams = pkijs.CryptoEngineEncryptParams;

/**
 * The engine (see the file comment). Construct it with `createPkiEngine`; pass it as the last
 * (`crypto`) argument of pkijs methods, or install it with `pkijs.setEngine`.
 */
export class PkiEngine extends pkijs.CryptoEngine {
  readonly core: CoreApi;
  /** WebCrypto, or null when everything goes to the core. */
  readonly web: SubtleCrypto | null;

  constructor(core: CoreApi, web: SubtleCrypto | null) {
    // pkijs reads `crypto.subtle` in its constructor; without WebCrypto it gets none and this
    // class never calls up into the WebCrypto paths.
    const cryptoLike = { subtle: web ?? undefined, getRandomValues: <T extends ArrayBufferView | null>(a: T): T => crypto.getRandomValues(a as Uint8Array<ArrayBuffer>) as unknown as T } as unknown as Crypto;
    super({ name: 'trustpoint', crypto: cryptoLike });
    this.core = core;
    this.web = web;
  }

  /** True when `name` (and `hash`) should run in the core. */
  private coreFor(name: string, hash?: unknown): boolean {
    if (!this.web) return true;
    const upper = name.toUpperCase();
    if (CORE_ONLY.has(upper)) return true;
    // A PBKDF2 key is just the password; its hash is only known at deriveBits time, and
    // WebCrypto lacks some (SHA-224, SHA-512/t). pkijs' own PBKDF2 uses are overridden here.
    if (upper === 'PBKDF2') return true;
    const h = hash === undefined ? undefined : hashOf(hash);
    return h !== undefined && !WEB_HASHES.has(h);
  }

  // --- randomness -----------------------------------------------------------------------------

  /** Fills `array` from `crypto.getRandomValues` (available on insecure pages too). */
  override getRandomValues<T extends ArrayBufferView | null>(array: T): T {
    if (array === null) throw new TypeError('engine.getRandomValues: array is null');
    const v = new Uint8Array(array.buffer as ArrayBuffer, array.byteOffset, array.byteLength);
    for (let o = 0; o < v.length; o += 65536) crypto.getRandomValues(v.subarray(o, Math.min(v.length, o + 65536)));
    return array;
  }

  // --- OID maps -------------------------------------------------------------------------------

  /** pkijs' OID table plus MD5, SHA-224, SHA-512/t, DES, 3DES, RC2, PBES1/PBES2 (see ENGINE_OID). */
  override getAlgorithmByOID<T extends Algorithm = Algorithm>(oid: string, safety?: boolean, target?: string): T | object;
  override getAlgorithmByOID<T extends Algorithm = Algorithm>(oid: string, safety: true, target?: string): T;
  override getAlgorithmByOID(oid: string, safety?: boolean, target?: string): object {
    const extra = EXTRA_BY_OID[oid];
    if (extra) return extra();
    return super.getAlgorithmByOID(oid, safety ?? false, target);
  }

  /** The inverse of `getAlgorithmByOID` for the added algorithms; pkijs' table otherwise. */
  override getOIDByAlgorithm(algorithm: Algorithm, safety?: boolean, target?: string): string {
    const name = algorithm.name.toUpperCase();
    const hash = hashOf((algorithm as { hash?: unknown }).hash);
    let oid: string | undefined;
    const h = hashOf(algorithm);
    if (h && HASH_NAMES[name]) oid = HASH_OID[h];
    else if (name === 'RSASSA-PKCS1-V1_5' && hash) oid = EXTRA_RSA_SIG[hash];
    else if (name === 'ECDSA' && hash === 'SHA-224') oid = ENGINE_OID.ecdsaWithSHA224;
    else if (name === 'HMAC' && hash) oid = HMAC_OID[hash];
    else if (name === 'DES-CBC') oid = ENGINE_OID.desCBC;
    else if (name === 'DES-EDE3-CBC') oid = ENGINE_OID.desEde3Cbc;
    else if (name === 'RC2-CBC') oid = ENGINE_OID.rc2Cbc;
    else if (name === 'PBES2') oid = ENGINE_OID.pbes2;
    else oid = Object.entries(PBES1).find(([, s]) => s.name.toUpperCase() === name)?.[0];
    if (oid) return oid;
    return super.getOIDByAlgorithm(algorithm, safety ?? false, target);
  }

  /** Default parameters; adds DES/3DES/RC2 and RSAES-PKCS1-v1_5 encrypt/decrypt. */
  override getAlgorithmParameters(algorithmName: string, operation: pkijs.CryptoEngineAlgorithmOperation): pkijs.CryptoEngineAlgorithmParams {
    const name = algorithmName.toUpperCase();
    const op = operation.toLowerCase();
    if (name === 'DES-CBC' || name === 'DES-EDE3-CBC' || name === 'RC2-CBC') {
      const canonical = CANONICAL[name]!;
      const usages: KeyUsage[] = ['encrypt', 'decrypt'];
      if (op === 'encrypt' || op === 'decrypt') return { algorithm: { name: canonical, iv: this.getRandomValues(new Uint8Array(8)) }, usages };
      const length = name === 'DES-CBC' ? 64 : name === 'DES-EDE3-CBC' ? 192 : 128;
      return { algorithm: { name: canonical, length }, usages };
    }
    if (name === 'RSAES-PKCS1-V1_5' && (op === 'encrypt' || op === 'decrypt')) return { algorithm: { name: 'RSAES-PKCS1-v1_5' }, usages: ['encrypt', 'decrypt'] };
    return super.getAlgorithmParameters(algorithmName, operation);
  }

  /** The hash of a signature algorithm; adds md5/sha224/sha512-t WithRSAEncryption and ecdsa-with-SHA224. */
  override getHashAlgorithm(signatureAlgorithm: pkijs.AlgorithmIdentifier): string {
    return SIG_HASH[signatureAlgorithm.algorithmId] ?? super.getHashAlgorithm(signatureAlgorithm);
  }

  // --- digests --------------------------------------------------------------------------------

  /** Any core hash; WebCrypto for SHA-1/SHA-2 when present. */
  override async digest(algorithm: AlgorithmIdentifier, data: BufferSource): Promise<ArrayBuffer> {
    const hash = aHash(algorithm, 'digest');
    if (!this.coreFor(hash, hash)) return this.web!.digest(hash, bytesOf(data) as Uint8Array<ArrayBuffer>);
    return bufferOf(await this.core.digest(hash, bytesOf(data)));
  }

  // --- keys -----------------------------------------------------------------------------------

  /**
   * `raw` secret keys (DES, 3DES, RC2, and AES/HMAC/PBKDF2 in core mode), `spki` / `pkcs8`
   * for RSAES-PKCS1-v1_5 (and RSA/ECDSA in core mode, or with a hash WebCrypto lacks).
   */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the SubtleCrypto overloads
  override async importKey(format: KeyFormat, keyData: BufferSource | JsonWebKey, algorithm: any, extractable: boolean, keyUsages: any): Promise<CryptoKey> {
    const alg = (typeof algorithm === 'string' ? { name: algorithm } : algorithm) as Algorithm & Record<string, unknown>;
    const name = algName(alg, 'importKey');
    const usages = [...((keyUsages ?? []) as Iterable<KeyUsage>)];
    if (!this.coreFor(name, alg.hash)) return super.importKey(format, keyData, algorithm, extractable, usages);
    const canonical = CANONICAL[name.toUpperCase()];
    if (!canonical) throw unsupported('importKey', `${name} without WebCrypto`);
    if (format === 'jwk') throw unsupported('importKey', 'JWK import into the core');
    const data = bytesOf(keyData as BufferSource).slice();
    switch (canonical) {
      case 'AES-CBC':
      case 'DES-CBC':
      case 'DES-EDE3-CBC':
      case 'DES-EDE-CBC':
      case 'RC2-CBC':
      case 'HMAC':
      case 'PBKDF2': {
        if (format !== 'raw') throw unsupported('importKey', `${format} import of a ${canonical} key`);
        aSecretLength(canonical, data.length, 'importKey');
        const keyAlg: KeyAlgorithm & Record<string, unknown> = { name: canonical };
        if (canonical === 'HMAC') {
          keyAlg.hash = { name: aHash(alg.hash, 'importKey') };
          keyAlg.length = data.length * 8;
        } else if (canonical !== 'PBKDF2') keyAlg.length = data.length * 8;
        return new CoreKey('secret', canonical === 'PBKDF2' ? false : extractable, keyAlg, usages, { kind: 'secret', bytes: data });
      }
      case 'ECDSA': {
        if (format !== 'spki' && format !== 'pkcs8') throw unsupported('importKey', `${format} import of an ECDSA key`);
        const info = await this.core.ecKeyInfo(data);
        if (info.isPrivate !== (format === 'pkcs8')) throw new PkiError('key', `engine.importKey: not a ${format === 'pkcs8' ? 'private' : 'public'} key`);
        if (alg.namedCurve !== undefined && alg.namedCurve !== info.curve) throw new PkiError('key', `engine.importKey: the key is on ${info.curve}, not ${String(alg.namedCurve)}`);
        const keyAlg: EcKeyAlgorithm = { name: 'ECDSA', namedCurve: info.curve };
        return new CoreKey(info.isPrivate ? 'private' : 'public', extractable || !info.isPrivate, keyAlg, usages, { kind: 'ec', der: data });
      }
      default: {
        // RSAES-PKCS1-v1_5, RSASSA-PKCS1-v1_5, RSA-PSS, RSA-OAEP
        if (format !== 'spki' && format !== 'pkcs8') throw unsupported('importKey', `${format} import of an RSA key`);
        const info = await this.core.rsaKeyInfo(data);
        if (info.type !== (format === 'pkcs8' ? 'private' : 'public')) throw new PkiError('key', `engine.importKey: not a ${format === 'pkcs8' ? 'private' : 'public'} key`);
        const spki = format === 'spki' ? data : await this.core.rsaConvertKey(data, 'spki');
        const keyAlg: KeyAlgorithm & Record<string, unknown> = { name: canonical, ...rsaPublicParams(spki) };
        const h = hashOf(alg.hash);
        if (canonical !== 'RSAES-PKCS1-v1_5') keyAlg.hash = { name: h ?? 'SHA-256' };
        return new CoreKey(format === 'pkcs8' ? 'private' : 'public', extractable || format === 'spki', keyAlg, usages, { kind: 'rsa', der: data });
      }
    }
  }

  /** `raw` / `spki` / `pkcs8` export of core keys; WebCrypto keys go to WebCrypto. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the SubtleCrypto overloads
  override async exportKey(format: any, key: CryptoKey): Promise<any> {
    if (!(key instanceof CoreKey)) {
      if (!this.web) throw new TypeError('engine.exportKey: not a key of this engine');
      return super.exportKey(format as KeyFormat, key);
    }
    const m = material(key, 'exportKey');
    if (m.kind === 'decrypter') throw unsupported('exportKey', 'exporting a Decrypter');
    if (m.kind === 'secret') {
      if (format !== 'raw') throw unsupported('exportKey', `${String(format)} export of a secret key`);
      if (!key.extractable) throw new PkiError('key', 'engine.exportKey: the key is not extractable');
      return bufferOf(m.bytes.slice());
    }
    if (format === 'spki') {
      if (m.kind === 'ec') return bufferOf(await this.core.ecConvertKey(m.der, 'spki'));
      return bufferOf(await this.core.rsaConvertKey(m.der, 'spki'));
    }
    if (format === 'pkcs8') {
      if (key.type !== 'private') throw new PkiError('key', 'engine.exportKey: a public key has no PKCS#8 form');
      if (!key.extractable) throw new PkiError('key', 'engine.exportKey: the key is not extractable');
      if (m.kind === 'ec') return bufferOf(await this.core.ecConvertKey(m.der, 'pkcs8'));
      return bufferOf(await this.core.rsaConvertKey(m.der, 'pkcs8'));
    }
    throw unsupported('exportKey', `${String(format)} export of a core key`);
  }

  /**
   * A private-key handle whose RSAES-PKCS1-v1_5 decryption is `decrypter.decryptPkcs1` (for
   * pkijs' `EnvelopedData.decrypt({ recipientPrivateKey })` with keys held elsewhere).
   */
  decrypterKey(decrypter: Decrypter): CryptoKey {
    const keyAlg = { name: 'RSAES-PKCS1-v1_5', ...rsaPublicParams(decrypter.spki) };
    return new CoreKey('private', false, keyAlg, ['decrypt'], { kind: 'decrypter', decrypter });
  }

  /** Random DES (odd parity), 3DES, RC2 keys; in core mode AES, HMAC, RSA and ECDSA keys too. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the SubtleCrypto overloads
  override async generateKey(algorithm: any, extractable: boolean, keyUsages: any): Promise<any> {
    const alg = (typeof algorithm === 'string' ? { name: algorithm } : algorithm) as Algorithm & Record<string, unknown>;
    const name = algName(alg, 'generateKey');
    const usages = [...((keyUsages ?? []) as Iterable<KeyUsage>)];
    if (!this.coreFor(name, alg.hash)) return super.generateKey(algorithm, extractable, usages);
    const canonical = CANONICAL[name.toUpperCase()];
    const length = typeof alg.length === 'number' ? alg.length : undefined;
    switch (canonical) {
      case 'DES-CBC':
        return this.importKey('raw', desParity(randomBytes(8)), { name: canonical }, extractable, usages);
      case 'DES-EDE3-CBC':
        return this.importKey('raw', desParity(randomBytes(24)), { name: canonical }, extractable, usages);
      case 'DES-EDE-CBC':
        return this.importKey('raw', desParity(randomBytes(16)), { name: canonical }, extractable, usages);
      case 'RC2-CBC':
      case 'AES-CBC': {
        const bits = length ?? (canonical === 'AES-CBC' ? 256 : 128);
        if (bits % 8) throw new RangeError(`engine.generateKey: ${canonical} length ${bits}`);
        return this.importKey('raw', randomBytes(bits / 8), { name: canonical }, extractable, usages);
      }
      case 'HMAC': {
        const hash = aHash(alg.hash, 'generateKey');
        const bits = length ?? HASH_BLOCK[hash] * 8;
        return this.importKey('raw', randomBytes(Math.ceil(bits / 8)), { name: 'HMAC', hash: { name: hash } }, extractable, usages);
      }
      case 'ECDSA': {
        const pair = await this.core.ecGenerate(alg.namedCurve as 'P-256' | 'P-384' | 'P-521');
        return this.keyPair(pair, alg, extractable, usages);
      }
      case 'RSASSA-PKCS1-v1_5':
      case 'RSA-PSS':
      case 'RSA-OAEP':
      case 'RSAES-PKCS1-v1_5': {
        const bits = Number(alg.modulusLength ?? 2048);
        const e = alg.publicExponent instanceof Uint8Array ? alg.publicExponent : 65537;
        const pair = await this.core.rsaGenerate(bits, e);
        return this.keyPair(pair, alg, extractable, usages);
      }
    }
    throw unsupported('generateKey', `${name} without WebCrypto`);
  }

  private async keyPair(pair: { pkcs8: Uint8Array; spki: Uint8Array }, alg: Algorithm & Record<string, unknown>, extractable: boolean, usages: KeyUsage[]): Promise<CryptoKeyPair> {
    const pub: KeyUsage[] = usages.filter((u) => u === 'verify' || u === 'encrypt' || u === 'wrapKey');
    const priv: KeyUsage[] = usages.filter((u) => u === 'sign' || u === 'decrypt' || u === 'unwrapKey');
    return {
      publicKey: await this.importKey('spki', pair.spki as Uint8Array<ArrayBuffer>, alg, true, pub),
      privateKey: await this.importKey('pkcs8', pair.pkcs8 as Uint8Array<ArrayBuffer>, alg, extractable, priv),
    };
  }

  // --- encryption -----------------------------------------------------------------------------

  /**
   * RSAES-PKCS1-v1_5 (RFC 8017 §7.2.1), DES/3DES/RC2-CBC with `{ iv }` (8 bytes; RC2 takes
   * `effectiveKeyBits`, default 8 × key length), and in core mode AES-CBC and RSA-OAEP.
   */
  override async encrypt(algorithm: AlgorithmIdentifier | RsaOaepParams | AesCbcParams, key: CryptoKey, data: BufferSource): Promise<ArrayBuffer> {
    if (!(key instanceof CoreKey)) {
      if (!this.web) throw new TypeError('engine.encrypt: not a key of this engine');
      return super.encrypt(algorithm as AesCbcParams, key, data);
    }
    return bufferOf(await this.crypt(true, algorithm, key, bytesOf(data)));
  }

  /** The inverse of `encrypt`; a decryption failure throws `PkiError('decrypt')`. */
  override async decrypt(algorithm: AlgorithmIdentifier | RsaOaepParams | AesCbcParams, key: CryptoKey, data: BufferSource): Promise<ArrayBuffer> {
    if (!(key instanceof CoreKey)) {
      if (!this.web) throw new TypeError('engine.decrypt: not a key of this engine');
      return super.decrypt(algorithm as AesCbcParams, key, data);
    }
    return bufferOf(await this.crypt(false, algorithm, key, bytesOf(data)));
  }

  private async crypt(enc: boolean, algorithm: unknown, key: CoreKey, data: Uint8Array): Promise<Uint8Array> {
    const op = enc ? 'encrypt' : 'decrypt';
    const alg = (typeof algorithm === 'string' ? { name: algorithm } : algorithm) as Record<string, unknown> & Algorithm;
    const name = CANONICAL[algName(alg, op).toUpperCase()];
    if (name !== CANONICAL[key.algorithm.name.toUpperCase()]) throw new TypeError(`engine.${op}: a ${key.algorithm.name} key cannot do ${alg.name}`);
    aUsage(key, op, op);
    switch (name) {
      case 'AES-CBC':
      case 'DES-CBC':
      case 'DES-EDE3-CBC':
      case 'DES-EDE-CBC':
      case 'RC2-CBC': {
        const iv = alg.iv === undefined ? undefined : bytesOf(alg.iv as BufferSource);
        const want = ivLength(name);
        if (!iv || iv.length !== want) {
          throw new RangeError(`engine.${op}: ${name} needs an IV of ${want} bytes, got ${iv?.length ?? 'none'}${want === 8 ? ' (pkijs EnvelopedData.encrypt writes 16: use envelope())' : ''}`);
        }
        const k = secretOf(key, op);
        const opts = name === 'RC2-CBC' ? { rc2EffectiveBits: typeof alg.effectiveKeyBits === 'number' ? alg.effectiveKeyBits : Math.min(1024, k.length * 8) } : undefined;
        return enc ? this.core.encryptCbc(name, k, iv, data, opts) : this.core.decryptCbc(name, k, iv, data, opts);
      }
      case 'RSAES-PKCS1-v1_5': {
        const m = material(key, op);
        if (m.kind === 'decrypter') {
          if (enc) throw new TypeError('engine.encrypt: a Decrypter cannot encrypt');
          return m.decrypter.decryptPkcs1(data);
        }
        if (m.kind !== 'rsa') throw new TypeError(`engine.${op}: not an RSA key`);
        if (enc) return this.core.rsaEncryptPkcs1(m.der, data);
        if (key.type !== 'private') throw new PkiError('key', 'engine.decrypt: needs a private key');
        return this.core.rsaDecryptPkcs1(m.der, data);
      }
      case 'RSA-OAEP': {
        const der = derOf(key, 'rsa', op);
        const hash = aHash((key.algorithm as { hash?: unknown }).hash, op);
        const label = alg.label === undefined ? new Uint8Array(0) : bytesOf(alg.label as BufferSource);
        return enc ? this.core.rsaEncryptOaep(der, hash, hash, label, data) : this.core.rsaDecryptOaep(der, hash, hash, label, data);
      }
    }
    throw unsupported(op, `${alg.name} with a core key`);
  }

  // --- signatures -----------------------------------------------------------------------------

  /** HMAC, RSASSA-PKCS1-v1_5, RSA-PSS and ECDSA (P1363 signature, as WebCrypto) with core keys. */
  override async sign(algorithm: AlgorithmIdentifier | RsaPssParams | EcdsaParams, key: CryptoKey, data: BufferSource): Promise<ArrayBuffer> {
    if (!(key instanceof CoreKey)) {
      if (!this.web) throw new TypeError('engine.sign: not a key of this engine');
      return super.sign(algorithm as EcdsaParams, key, data);
    }
    aUsage(key, 'sign', 'sign');
    const msg = bytesOf(data);
    const alg = (typeof algorithm === 'string' ? { name: algorithm } : algorithm) as Record<string, unknown> & Algorithm;
    const name = CANONICAL[algName(alg, 'sign').toUpperCase()];
    const hash = aHash(alg.hash ?? (key.algorithm as { hash?: unknown }).hash, 'sign');
    switch (name) {
      case 'HMAC':
        return bufferOf(await this.core.hmac(aHash((key.algorithm as { hash?: unknown }).hash, 'sign'), secretOf(key, 'sign'), msg));
      case 'RSASSA-PKCS1-v1_5':
        return bufferOf(await this.core.rsaSignPkcs1(derOf(key, 'rsa', 'sign'), hash, msg));
      case 'RSA-PSS':
        return bufferOf(await this.core.rsaSignPss(derOf(key, 'rsa', 'sign'), hash, hash, Number(alg.saltLength ?? HASH_BYTES[hash]), msg));
      case 'ECDSA':
        return bufferOf(await this.core.ecSign(derOf(key, 'ec', 'sign'), hash, msg, 'p1363'));
    }
    throw unsupported('sign', `${alg.name} with a core key`);
  }

  /** The inverse of `sign`; false for any mismatch. */
  override async verify(algorithm: AlgorithmIdentifier | RsaPssParams | EcdsaParams, key: CryptoKey, signature: BufferSource, data: BufferSource): Promise<boolean> {
    if (!(key instanceof CoreKey)) {
      if (!this.web) throw new TypeError('engine.verify: not a key of this engine');
      return super.verify(algorithm as EcdsaParams, key, signature, data);
    }
    const msg = bytesOf(data);
    const sig = bytesOf(signature);
    const alg = (typeof algorithm === 'string' ? { name: algorithm } : algorithm) as Record<string, unknown> & Algorithm;
    const name = CANONICAL[algName(alg, 'verify').toUpperCase()];
    const hash = aHash(alg.hash ?? (key.algorithm as { hash?: unknown }).hash, 'verify');
    switch (name) {
      case 'HMAC': {
        const tag = await this.core.hmac(aHash((key.algorithm as { hash?: unknown }).hash, 'verify'), secretOf(key, 'verify'), msg);
        return equalBytes(tag, sig);
      }
      case 'RSASSA-PKCS1-v1_5':
        return this.core.rsaVerifyPkcs1(derOf(key, 'rsa', 'verify'), hash, msg, sig);
      case 'RSA-PSS':
        return this.core.rsaVerifyPss(derOf(key, 'rsa', 'verify'), hash, hash, Number(alg.saltLength ?? HASH_BYTES[hash]), msg, sig);
      case 'ECDSA':
        return this.core.ecVerify(derOf(key, 'ec', 'verify'), hash, msg, sig, 'p1363');
    }
    throw unsupported('verify', `${alg.name} with a core key`);
  }

  // --- key derivation -------------------------------------------------------------------------

  /** PBKDF2 (RFC 8018 §5.2) with a core password key. */
  override async deriveBits(algorithm: AlgorithmIdentifier | Pbkdf2Params | EcdhKeyDeriveParams | HkdfParams, baseKey: CryptoKey, length: number): Promise<ArrayBuffer> {
    if (!(baseKey instanceof CoreKey)) {
      if (!this.web) throw new TypeError('engine.deriveBits: not a key of this engine');
      return super.deriveBits(algorithm as Pbkdf2Params, baseKey, length);
    }
    const alg = (typeof algorithm === 'string' ? { name: algorithm } : algorithm) as Record<string, unknown> & Algorithm;
    if (algName(alg, 'deriveBits').toUpperCase() !== 'PBKDF2' || baseKey.algorithm.name !== 'PBKDF2') throw unsupported('deriveBits', `${alg.name} without WebCrypto`);
    if (!Number.isInteger(length) || length <= 0 || length % 8) throw new RangeError(`engine.deriveBits: length ${length} is not a positive multiple of 8`);
    const iterations = aIterations(Number(alg.iterations), 'deriveBits');
    const out = await this.core.pbkdf2(aHash(alg.hash, 'deriveBits'), secretOf(baseKey, 'deriveBits'), bytesOf(alg.salt as BufferSource), iterations, length / 8);
    return bufferOf(out);
  }

  /** `deriveBits` followed by a raw import of the derived key type. */
  override async deriveKey(
    algorithm: AlgorithmIdentifier | Pbkdf2Params | EcdhKeyDeriveParams | HkdfParams,
    baseKey: CryptoKey,
    derivedKeyType: AlgorithmIdentifier | AesDerivedKeyParams | HmacImportParams | HkdfParams | Pbkdf2Params,
    extractable: boolean,
    keyUsages: Iterable<KeyUsage>,
  ): Promise<CryptoKey> {
    if (!(baseKey instanceof CoreKey)) {
      if (!this.web) throw new TypeError('engine.deriveKey: not a key of this engine');
      return super.deriveKey(algorithm as Pbkdf2Params, baseKey, derivedKeyType as AesDerivedKeyParams, extractable, [...keyUsages]);
    }
    const t = (typeof derivedKeyType === 'string' ? { name: derivedKeyType } : derivedKeyType) as Record<string, unknown> & Algorithm;
    const tName = CANONICAL[algName(t, 'deriveKey').toUpperCase()];
    let bits: number;
    if (typeof t.length === 'number') bits = t.length;
    else if (tName === 'HMAC') bits = HASH_BLOCK[aHash(t.hash, 'deriveKey')] * 8;
    else if (tName === 'DES-CBC') bits = 64;
    else if (tName === 'DES-EDE3-CBC') bits = 192;
    else throw new RangeError(`engine.deriveKey: the length of a ${t.name} key is needed`);
    const raw = new Uint8Array(await this.deriveBits(algorithm, baseKey, bits));
    return this.importKey('raw', raw, t, extractable, [...keyUsages]);
  }

  /** AES-KW and friends exist only in WebCrypto. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the SubtleCrypto overloads
  override async wrapKey(format: KeyFormat, key: CryptoKey, wrappingKey: CryptoKey, wrapAlgorithm: any): Promise<ArrayBuffer> {
    if (!this.web || key instanceof CoreKey || wrappingKey instanceof CoreKey) throw unsupported('wrapKey', 'key wrapping with core keys');
    return super.wrapKey(format, key, wrappingKey, wrapAlgorithm);
  }

  /** AES-KW and friends exist only in WebCrypto. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the SubtleCrypto overloads
  override async unwrapKey(format: KeyFormat, wrappedKey: BufferSource, unwrappingKey: CryptoKey, unwrapAlgorithm: any, unwrappedKeyAlgorithm: any, extractable: boolean, keyUsages: any): Promise<CryptoKey> {
    if (!this.web || unwrappingKey instanceof CoreKey) throw unsupported('unwrapKey', 'key unwrapping with core keys');
    return super.unwrapKey(format, wrappedKey, unwrappingKey, unwrapAlgorithm, unwrappedKeyAlgorithm, extractable, [...(keyUsages as Iterable<KeyUsage>)]);
  }

  // --- password-based encryption (PKCS#12 bags, CMS EncryptedData) ----------------------------

  /**
   * Decrypts an EncryptedContentInfo protected with a password: PBES2 (RFC 8018 §6.2) with
   * PBKDF2 and AES-CBC / DES-EDE3-CBC / DES-CBC / RC2-CBC, or PKCS#12 PBES1 (RFC 7292 App. C:
   * 3DES, 2-key 3DES, RC2-128, RC2-40, keys and IV from the PKCS#12 KDF with SHA-1). The
   * password is pkijs' ArrayBuffer (UTF-8 bytes); PBES1 uses its BMPString form. A wrong
   * password throws `PkiError('decrypt')`; unknown schemes `PkiError('unsupported')`.
   */
  override async decryptEncryptedContentInfo(parameters: pkijs.CryptoEngineDecryptParams): Promise<ArrayBuffer> {
    const op = 'decryptEncryptedContentInfo';
    const eci = parameters.encryptedContentInfo;
    const password = bytesOf(parameters.password);
    const oid = eci.contentEncryptionAlgorithm.algorithmId;
    if (!eci.encryptedContent) throw new PkiError('bad-pkcs7', `engine.${op}: no encrypted content`);
    const data = new Uint8Array(eci.getEncryptedContent());
    const params = paramsDer(eci.contentEncryptionAlgorithm.algorithmParams, op, 'encryption algorithm');
    const pbes1 = PBES1[oid];
    if (pbes1) {
      const [saltT, iterT] = derChildren(params, expect(params, derRead(params, 0), 0x30, op, 'PKCS#12 PBE parameters'));
      const salt = readOctets(params, saltT, op, 'PBE salt');
      const iterations = aIterations(readSmallInt(params, iterT, op, 'PBE iteration count'), op);
      let last: unknown;
      for (const pw of bmpForms(password)) {
        const key = await this.core.pkcs12Kdf('SHA-1', 1, pw, salt, iterations, pbes1.keyLength);
        const iv = await this.core.pkcs12Kdf('SHA-1', 2, pw, salt, iterations, 8);
        try {
          const opts = pbes1.rc2Bits ? { rc2EffectiveBits: pbes1.rc2Bits } : undefined;
          return bufferOf(await this.core.decryptCbc(pbes1.cipher, key, iv, data, opts));
        } catch (e) {
          last = e;
        } finally {
          key.fill(0);
        }
      }
      throw last;
    }
    if (oid === ENGINE_OID.pbes2) {
      const s = this.pbes2Params(params, op);
      const key = await this.core.pbkdf2(s.prf, password, s.salt, s.iterations, s.keyLength);
      try {
        const opts = s.rc2Bits ? { rc2EffectiveBits: s.rc2Bits } : undefined;
        return bufferOf(await this.core.decryptCbc(s.cipher, key, s.iv, data, opts));
      } finally {
        key.fill(0);
      }
    }
    if (oid === ENGINE_OID.pbeWithSHAAnd128BitRC4 || oid === ENGINE_OID.pbeWithSHAAnd40BitRC4) throw unsupported(op, 'RC4 (pbeWithSHAAnd128BitRC4 / 40BitRC4)');
    throw unsupported(op, `password-based encryption ${oid}`);
  }

  /** PBES2-params (RFC 8018 A.4) with PBKDF2-params (A.2) and the cipher parameters (B.2). */
  private pbes2Params(der: Uint8Array, op: string): { prf: HashAlg; salt: Uint8Array; iterations: number; keyLength: number; cipher: CoreCbc; iv: Uint8Array; rc2Bits?: number } {
    const [kdfT, encT] = derChildren(der, expect(der, derRead(der, 0), 0x30, op, 'PBES2 parameters'));
    const [kdfOid, kdfParams] = derChildren(der, expect(der, kdfT, 0x30, op, 'PBES2 key derivation function'));
    const kdf = this.oidAt(der, kdfOid, op);
    if (kdf !== ENGINE_OID.pbkdf2) throw unsupported(op, `PBES2 key derivation function ${kdf}`);
    const kids = derChildren(der, expect(der, kdfParams, 0x30, op, 'PBKDF2 parameters'));
    if (kids[0]?.tag !== 0x04) throw unsupported(op, 'a PBKDF2 salt other than an OCTET STRING');
    const salt = readOctets(der, kids[0], op, 'PBKDF2 salt');
    const iterations = aIterations(readSmallInt(der, kids[1], op, 'PBKDF2 iteration count'), op);
    let i = 2;
    let keyLength: number | undefined;
    if (kids[i]?.tag === 0x02) keyLength = readSmallInt(der, kids[i++], op, 'PBKDF2 key length');
    let prf: HashAlg = 'SHA-1';
    if (kids[i]) {
      const [prfOid] = derChildren(der, expect(der, kids[i], 0x30, op, 'PBKDF2 PRF'));
      const p = this.oidAt(der, prfOid, op);
      const found = (Object.entries(HMAC_OID) as [HashAlg, string][]).find(([, o]) => o === p);
      if (!found) throw unsupported(op, `PBKDF2 PRF ${p}`);
      prf = found[0];
    }
    const [encOid, encParams] = derChildren(der, expect(der, encT, 0x30, op, 'PBES2 encryption scheme'));
    const enc = this.oidAt(der, encOid, op);
    const scheme = PBES2_CIPHERS[enc];
    if (!scheme) throw unsupported(op, `PBES2 encryption scheme ${enc}`);
    if (!encParams) throw new PkiError('bad-pkcs7', `engine.${op}: PBES2 encryption scheme parameters missing`);
    const { iv, rc2Bits } = cbcParameters(scheme.cipher, der.slice(encParams.start, encParams.end), op);
    const n = scheme.keyLength || keyLength || 16;
    if (keyLength !== undefined && keyLength !== n) throw new PkiError('bad-pkcs7', `engine.${op}: PBKDF2 key length ${keyLength} does not fit ${scheme.cipher}`);
    aSecretLength(scheme.cipher, n, op);
    return rc2Bits === undefined ? { prf, salt, iterations, keyLength: n, cipher: scheme.cipher, iv } : { prf, salt, iterations, keyLength: n, cipher: scheme.cipher, iv, rc2Bits };
  }

  private oidAt(der: Uint8Array, t: Tlv | undefined, op: string): string {
    const o = expect(der, t, 0x06, op, 'algorithm identifier');
    const asn = asn1js.fromBER(der.slice(o.start, o.end).buffer);
    return (asn.result as asn1js.ObjectIdentifier).valueBlock.toString();
  }

  /**
   * Encrypts content with a password. `contentEncryptionAlgorithm` may be AES-CBC (`length`
   * 128/192/256), DES-EDE3-CBC or DES-CBC (PBES2 with PBKDF2-HMAC-`hmacHashAlgorithm`, 16-byte
   * salt; RFC 8018 §6.2), or one of the PBES1 names (`pbeWithSHAAnd3-KeyTripleDES-CBC`, ...;
   * RFC 7292 App. C, 8-byte salt, PKCS#12 KDF with SHA-1). The result is DER (one OCTET STRING).
   */
  override async encryptEncryptedContentInfo(parameters: EncryptParams): Promise<pkijs.EncryptedContentInfo> {
    const op = 'encryptEncryptedContentInfo';
    const alg = parameters.contentEncryptionAlgorithm as unknown as Algorithm & Record<string, unknown> & { length?: number };
    const name = algName(alg, op);
    const iterations = aIterations(Number(parameters.iterationCount), op);
    const password = bytesOf(parameters.password);
    const content = bytesOf(parameters.contentToEncrypt);
    let algorithmId: string;
    let params: Uint8Array;
    let ciphertext: Uint8Array;
    const pbes1 = Object.entries(PBES1).find(([, s]) => s.name.toUpperCase() === name.toUpperCase());
    if (pbes1) {
      const [oid, s] = pbes1;
      const salt = randomBytes(8);
      const pw = bmpForms(password)[0]!;
      const key = await this.core.pkcs12Kdf('SHA-1', 1, pw, salt, iterations, s.keyLength);
      const iv = await this.core.pkcs12Kdf('SHA-1', 2, pw, salt, iterations, 8);
      try {
        ciphertext = await this.core.encryptCbc(s.cipher, key, iv, content, s.rc2Bits ? { rc2EffectiveBits: s.rc2Bits } : undefined);
      } finally {
        key.fill(0);
      }
      algorithmId = oid;
      params = DER.seq(DER.tlv(0x04, salt), DER.tlv(0x02, ...intBytes(iterations)));
    } else {
      const cipher = PBES2_WRITE[name.toUpperCase()];
      if (!cipher) throw unsupported(op, `content encryption ${name}`);
      const keyLength = cipher === 'AES-CBC' ? (alg.length ?? 256) / 8 : cipher === 'DES-CBC' ? 8 : 24;
      aSecretLength(cipher, keyLength, op);
      const cipherOid = cipher === 'AES-CBC' ? this.getOIDByAlgorithm({ name: 'AES-CBC', length: keyLength * 8 } as Algorithm, true) : cipher === 'DES-CBC' ? ENGINE_OID.desCBC : ENGINE_OID.desEde3Cbc;
      const prf = aHash(parameters.hmacHashAlgorithm, op);
      const prfOid = HMAC_OID[prf];
      if (!prfOid) throw unsupported(op, `PBKDF2 with HMAC-${prf}`);
      const salt = randomBytes(16);
      const iv = randomBytes(ivLength(cipher));
      const key = await this.core.pbkdf2(prf, password, salt, iterations, keyLength);
      try {
        ciphertext = await this.core.encryptCbc(cipher, key, iv, content);
      } finally {
        key.fill(0);
      }
      const pbkdf2 = DER.seq(DER.tlv(0x04, salt), DER.tlv(0x02, ...intBytes(iterations)), ...(prf === 'SHA-1' ? [] : [DER.seq(DER.oid(prfOid), DER.NULL)]));
      algorithmId = ENGINE_OID.pbes2;
      params = DER.seq(DER.seq(DER.oid(ENGINE_OID.pbkdf2), pbkdf2), DER.seq(DER.oid(cipherOid), cbcParametersDer(cipher, iv)));
    }
    return new pkijs.EncryptedContentInfo({
      contentType: parameters.contentType,
      contentEncryptionAlgorithm: new pkijs.AlgorithmIdentifier({ algorithmId, algorithmParams: toAsn1(params) }),
      encryptedContent: new asn1js.OctetString({ valueHex: bufferOf(ciphertext) }),
      disableSplit: true,
    } as ConstructorParameters<typeof pkijs.EncryptedContentInfo>[0]);
  }

  /**
   * The PKCS#12 MAC (RFC 7292 §5.1, App. B.4): HMAC-`hashAlgorithm` keyed by the PKCS#12 KDF
   * (ID 3) from the BMPString password, any core hash (MD5, SHA-1, SHA-2).
   */
  override async stampDataWithPassword(parameters: pkijs.CryptoEngineStampDataWithPasswordParams): Promise<ArrayBuffer> {
    const hash = aHash(parameters.hashAlgorithm, 'stampDataWithPassword');
    const pw = bmpForms(bytesOf(parameters.password))[0]!;
    return bufferOf(await this.pkcs12Mac(hash, pw, bytesOf(parameters.salt), aIterations(parameters.iterationCount, 'stampDataWithPassword'), bytesOf(parameters.contentToStamp)));
  }

  /** Checks a PKCS#12 MAC (constant-time compare); the empty password is tried in both forms. */
  override async verifyDataStampedWithPassword(parameters: pkijs.CryptoEngineVerifyDataStampedWithPasswordParams): Promise<boolean> {
    const op = 'verifyDataStampedWithPassword';
    const hash = aHash(parameters.hashAlgorithm, op);
    const want = bytesOf(parameters.signatureToVerify);
    const iterations = aIterations(parameters.iterationCount, op);
    let ok = false;
    for (const pw of bmpForms(bytesOf(parameters.password))) {
      const mac = await this.pkcs12Mac(hash, pw, bytesOf(parameters.salt), iterations, bytesOf(parameters.contentToVerify));
      ok = equalBytes(mac, want) || ok;
    }
    return ok;
  }

  private async pkcs12Mac(hash: HashAlg, pw: Uint8Array, salt: Uint8Array, iterations: number, data: Uint8Array): Promise<Uint8Array> {
    const key = await this.core.pkcs12Kdf(hash, 3, pw, salt, iterations, HASH_BYTES[hash]);
    try {
      return await this.core.hmac(hash, key, data);
    } finally {
      key.fill(0);
    }
  }
}

/**
 * Creates the engine over `core`. `opts.subtle` selects WebCrypto (default
 * `globalThis.crypto.subtle`, absent on plain-HTTP pages); `null` sends everything to the core.
 */
export function createPkiEngine(core: CoreApi, opts?: PkiEngineOptions): PkiEngine {
  const web = opts && 'subtle' in opts ? (opts.subtle ?? null) : (globalThis.crypto?.subtle ?? null);
  return new PkiEngine(core, web);
}

/**
 * Adds a KeyTransRecipientInfo for `cert` to a pkijs EnvelopedData the way SCEP servers need it
 * (RFC 8894 §3.2.1, RFC 5652 §6.2.1): version 0, rid issuerAndSerialNumber, and
 * keyEncryptionAlgorithm rsaEncryption WITH explicit NULL parameters (RFC 3370 §4.2.1) —
 * instead of `addRecipientByCertificate`'s RSA-OAEP/SHA-512. Encrypt with AES content
 * encryption through pkijs, or use `envelope()` (envelope.ts) for DES/3DES.
 */
export function addPkcs1Recipient(env: pkijs.EnvelopedData, cert: pkijs.Certificate): void {
  if (cert.subjectPublicKeyInfo.algorithm.algorithmId !== ENGINE_OID.rsaEncryption) throw new PkiError('unsupported', `engine.addPkcs1Recipient: the certificate's key is ${cert.subjectPublicKeyInfo.algorithm.algorithmId}, not rsaEncryption`);
  env.recipientInfos.push(
    new pkijs.RecipientInfo({
      variant: 1,
      value: new pkijs.KeyTransRecipientInfo({
        version: 0,
        rid: new pkijs.IssuerAndSerialNumber({ issuer: cert.issuer, serialNumber: cert.serialNumber }),
        keyEncryptionAlgorithm: new pkijs.AlgorithmIdentifier({ algorithmId: ENGINE_OID.rsaEncryption, algorithmParams: new asn1js.Null() }),
        recipientCertificate: cert,
      }),
    }),
  );
}
