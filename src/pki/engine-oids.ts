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
export type CoreCbc = 'AES-CBC' | 'DES-CBC' | 'DES-EDE3-CBC' | 'DES-EDE-CBC' | 'RC2-CBC';

/** A PBES1 scheme: its name, the CBC cipher, the key length in bytes, RC2 effective key bits. */
export interface Pbes1Scheme {
  name: Pkcs12PbeName;
  cipher: CoreCbc;
  keyLength: number;
  rc2Bits?: number;
}

/** The PBES1 schemes (RFC 7292 App. C) by OID. */
export const PBES1: Readonly<Record<string, Pbes1Scheme>> = {
  [ENGINE_OID.pbeWithSHAAnd3KeyTripleDESCBC]: { name: 'pbeWithSHAAnd3-KeyTripleDES-CBC', cipher: 'DES-EDE3-CBC', keyLength: 24 },
  [ENGINE_OID.pbeWithSHAAnd2KeyTripleDESCBC]: { name: 'pbeWithSHAAnd2-KeyTripleDES-CBC', cipher: 'DES-EDE-CBC', keyLength: 16 },
  [ENGINE_OID.pbeWithSHAAnd128BitRC2CBC]: { name: 'pbeWithSHAAnd128BitRC2-CBC', cipher: 'RC2-CBC', keyLength: 16, rc2Bits: 128 },
  [ENGINE_OID.pbewithSHAAnd40BitRC2CBC]: { name: 'pbewithSHAAnd40BitRC2-CBC', cipher: 'RC2-CBC', keyLength: 5, rc2Bits: 40 },
};

/** Ciphers `encryptEncryptedContentInfo` writes under PBES2, by upper-case name. */
export const PBES2_WRITE: Readonly<Record<string, CoreCbc>> = { 'AES-CBC': 'AES-CBC', 'DES-EDE3-CBC': 'DES-EDE3-CBC', 'DES-CBC': 'DES-CBC' };

/** PBES2 encryption schemes (RFC 8018 B.2): cipher, key length (bytes; 0 = from PBKDF2 keyLength), IV length. */
export const PBES2_CIPHERS: Readonly<Record<string, { cipher: CoreCbc; keyLength: number }>> = {
  [ENGINE_OID.aes128Cbc]: { cipher: 'AES-CBC', keyLength: 16 },
  [ENGINE_OID.aes192Cbc]: { cipher: 'AES-CBC', keyLength: 24 },
  [ENGINE_OID.aes256Cbc]: { cipher: 'AES-CBC', keyLength: 32 },
  [ENGINE_OID.desEde3Cbc]: { cipher: 'DES-EDE3-CBC', keyLength: 24 },
  [ENGINE_OID.desCBC]: { cipher: 'DES-CBC', keyLength: 8 },
  [ENGINE_OID.rc2Cbc]: { cipher: 'RC2-CBC', keyLength: 0 },
};

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
  [ENGINE_OID.pbes2]: () => ({ name: 'PBES2' }),
  ...Object.fromEntries(Object.entries(PBES1).map(([oid, s]) => [oid, () => ({ name: s.name })])),
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
  PBKDF2: 'PBKDF2',
};
