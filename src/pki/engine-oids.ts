/**
 * The object identifiers and algorithm tables of the pkijs engine (engine.ts): the OIDs it adds
 * to pkijs' table (RFC 8017 App. C, RFC 8018 App. C, RFC 7292 App. D, RFC 3370, RFC 5754),
 * the PBES1 schemes of RFC 7292 App. C, the PBES2 encryption schemes of RFC 8018 B.2, the HMAC
 * PRF OIDs of RFC 8018 B.1.2, hash sizes, and which algorithms go to the WASM core. Private to
 * engine.ts and its engine-*.ts modules; `ENGINE_OID` and `Pkcs12PbeName` are re-exported
 * from engine.ts.
 */
import type { HashAlg } from '../core/api.ts';

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
} as const;

/** Content-encryption ciphers (CBC, PKCS#7 padding) the core has and WebCrypto may not. */
export type CoreCbc = 'AES-CBC' | 'DES-CBC' | 'DES-EDE3-CBC' | 'DES-EDE-CBC' | 'RC2-CBC';

/** Hash OIDs (RFC 8017 App. C, RFC 5754 §2). */
export const HASH_OID: Readonly<Record<HashAlg, string>> = {
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
export const HMAC_OID: Readonly<Partial<Record<HashAlg, string>>> = {
  'SHA-1': '1.2.840.113549.2.7',
  'SHA-224': ENGINE_OID.hmacWithSHA224,
  'SHA-256': '1.2.840.113549.2.9',
  'SHA-384': '1.2.840.113549.2.10',
  'SHA-512': '1.2.840.113549.2.11',
  'SHA-512/224': ENGINE_OID.hmacWithSHA512_224,
  'SHA-512/256': ENGINE_OID.hmacWithSHA512_256,
};

/** Hash output sizes in bytes. */
export const HASH_BYTES: Readonly<Record<HashAlg, number>> = { MD5: 16, 'SHA-1': 20, 'SHA-224': 28, 'SHA-256': 32, 'SHA-384': 48, 'SHA-512': 64, 'SHA-512/224': 28, 'SHA-512/256': 32 };
/** Hash block sizes in bytes (the default HMAC key size). */
export const HASH_BLOCK: Readonly<Record<HashAlg, number>> = { MD5: 64, 'SHA-1': 64, 'SHA-224': 64, 'SHA-256': 64, 'SHA-384': 128, 'SHA-512': 128, 'SHA-512/224': 128, 'SHA-512/256': 128 };

/** Hashes WebCrypto has; any other goes to the core even when WebCrypto is present. */
export const WEB_HASHES: ReadonlySet<HashAlg> = new Set(['SHA-1', 'SHA-256', 'SHA-384', 'SHA-512']);

/** Algorithm names (upper case) that never go to WebCrypto. */
export const CORE_ONLY: ReadonlySet<string> = new Set(['RSAES-PKCS1-V1_5', 'DES-CBC', 'DES-EDE3-CBC', 'DES-EDE-CBC', 'RC2-CBC']);

/** Extra OID -> algorithm entries (fresh objects each time: pkijs mutates what it gets). */
export const EXTRA_BY_OID: Readonly<Record<string, () => Algorithm & Record<string, unknown>>> = {
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
};

/** The hash of each added signature algorithm OID. */
export const SIG_HASH: Readonly<Record<string, HashAlg>> = {
  [ENGINE_OID.md5WithRSAEncryption]: 'MD5',
  [ENGINE_OID.sha224WithRSAEncryption]: 'SHA-224',
  [ENGINE_OID.sha512_224WithRSAEncryption]: 'SHA-512/224',
  [ENGINE_OID.sha512_256WithRSAEncryption]: 'SHA-512/256',
  [ENGINE_OID.ecdsaWithSHA224]: 'SHA-224',
};

/** The added RSASSA-PKCS1-v1_5 signature OIDs by hash (RFC 8017 App. C). */
export const EXTRA_RSA_SIG: Readonly<Partial<Record<HashAlg, string>>> = {
  MD5: ENGINE_OID.md5WithRSAEncryption,
  'SHA-224': ENGINE_OID.sha224WithRSAEncryption,
  'SHA-512/224': ENGINE_OID.sha512_224WithRSAEncryption,
  'SHA-512/256': ENGINE_OID.sha512_256WithRSAEncryption,
};

/** Hash names as WebCrypto and pkijs spell them (upper case), to the core's `HashAlg`. */
export const HASH_NAMES: Readonly<Record<string, HashAlg>> = {
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

/** The canonical (WebCrypto-cased) name of a core-capable algorithm. */
export const CANONICAL: Readonly<Record<string, string>> = {
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
};
