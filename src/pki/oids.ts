/**
 * Every object identifier Trustpoint knows, in one table: hash, signature, public-key and
 * curve algorithms (RFC 3279, RFC 4055, RFC 5480, RFC 5758, RFC 8410, RFC 8017 App. C),
 * content-encryption ciphers (RFC 3370, RFC 3565, RFC 8018 B.2), HMAC PRFs (RFC 8018 B.1.2),
 * password-based encryption and MACs (RFC 7292 App. C/D, RFC 8018 App. C, RFC 9579), CMS content
 * types and attributes (RFC 5652, RFC 2985), PKCS#12 bag types, SCEP attributes (RFC 8894
 * §3.2.1), X.500 name attributes (RFC 4519, what IOS prints), certificate and CRL extensions
 * (RFC 5280 §4.2, §5.2, §5.3), key purposes (RFC 5280 §4.2.1.12, RFC 4945, RFC 4334 …), access
 * methods and OCSP (RFC 6960, RFC 8954).
 *
 * An entry's `name` is how messages name it (the ASN.1 or RFC name); `display` is how `show`
 * and the GUI print it where that differs (IOS's signature algorithm names, OpenSSL's long names
 * of extensions and key purposes, the short names of name attributes). Everything else in this file is derived from
 * the table: `OID` (name → dotted OID), `oidInfo`, `oidName`, `oidDisplay` and the typed
 * look-ups (`hashOfOid`, `signatureAlgorithm`, `cbcCipher`, `curveOfOid`, ...).
 */
import type { CbcAlg, HashAlg } from '../core/api.ts';

export type OidKind =
  | 'hash'
  | 'signature'
  | 'public-key'
  | 'curve'
  | 'cipher'
  | 'hmac'
  | 'pbe'
  | 'kdf'
  | 'mac'
  | 'content-type'
  | 'attribute'
  | 'name-attribute'
  | 'bag'
  | 'extension'
  | 'key-purpose'
  | 'policy'
  | 'access-method'
  | 'ocsp'
  | 'other';

/** Key algorithms of signature and public-key entries. */
export type KeyFamily = 'rsa' | 'rsa-pss' | 'ec' | 'ed25519' | 'ed448' | 'dsa';

/** One object identifier and what is known about it. */
export interface OidInfo {
  oid: string;
  kind: OidKind;
  name: string;
  /** how `show` prints it, where that differs from `name` */
  display?: string;
  /** digest of a hash, signature, HMAC, PBES1/PKCS#12 PBE (the KDF's hash) */
  hash?: HashAlg;
  /** key algorithm of a signature or public-key entry */
  key?: KeyFamily;
  /** CBC cipher of a content-encryption algorithm or PBE scheme */
  cipher?: CbcAlg;
  /** key length in bytes (0: variable, RC2) */
  keyLength?: number;
  ivLength?: number;
  /** RC2 effective key bits fixed by the scheme */
  rc2Bits?: number;
  /** password-based encryption: the PKCS#12 KDF (RFC 7292 App. B) or PBKDF1 (PBES1) */
  kdf?: 'pkcs12' | 'pbkdf1';
  /** curve name and field size in bytes */
  curve?: 'P-256' | 'P-384' | 'P-521';
  size?: number;
  /** name attributes: the keywords `subject-name` accepts (upper case) */
  aliases?: readonly string[];
  /** recognised but not implemented (its name goes into 'unsupported' messages) */
  unsupported?: true;
}

type Entry = Omit<OidInfo, 'name'>;

const RSA = '1.2.840.113549.1.1.';
const DIGEST = '2.16.840.1.101.3.4.2.';
const AES = '2.16.840.1.101.3.4.1.';
const ECDSA = '1.2.840.10045.4.';
const PBE12 = '1.2.840.113549.1.12.1.';
const PBES = '1.2.840.113549.1.5.';
const HMAC = '1.2.840.113549.2.';
const CMS = '1.2.840.113549.1.7.';
const PKCS9 = '1.2.840.113549.1.9.';
const BAG = '1.2.840.113549.1.12.10.1.';
const SCEP = '2.16.840.1.113733.1.9.';
const CE = '2.5.29.';
const KP = '1.3.6.1.5.5.7.3.';
const AT = '2.5.4.';

/** The table. Keys are the names. */
const TABLE = {
  // --- hashes (RFC 3279 §2.1, RFC 5754 §2, FIPS 180-4)
  MD5: { oid: '1.2.840.113549.2.5', kind: 'hash', hash: 'MD5' },
  'SHA-1': { oid: '1.3.14.3.2.26', kind: 'hash', hash: 'SHA-1' },
  'SHA-224': { oid: `${DIGEST}4`, kind: 'hash', hash: 'SHA-224' },
  'SHA-256': { oid: `${DIGEST}1`, kind: 'hash', hash: 'SHA-256' },
  'SHA-384': { oid: `${DIGEST}2`, kind: 'hash', hash: 'SHA-384' },
  'SHA-512': { oid: `${DIGEST}3`, kind: 'hash', hash: 'SHA-512' },
  'SHA-512/224': { oid: `${DIGEST}5`, kind: 'hash', hash: 'SHA-512/224' },
  'SHA-512/256': { oid: `${DIGEST}6`, kind: 'hash', hash: 'SHA-512/256' },

  // --- signature algorithms (RFC 8017 App. C, RFC 4055, RFC 5758 §3.2, RFC 8410, RFC 3279)
  md2WithRSAEncryption: { oid: `${RSA}2`, kind: 'signature', key: 'rsa' },
  md5WithRSAEncryption: { oid: `${RSA}4`, kind: 'signature', key: 'rsa', hash: 'MD5', display: 'MD5 with RSA Encryption' },
  sha1WithRSAEncryption: { oid: `${RSA}5`, kind: 'signature', key: 'rsa', hash: 'SHA-1', display: 'SHA1 with RSA Encryption' },
  sha1WithRSASignature: { oid: '1.3.14.3.2.29', kind: 'signature', key: 'rsa', hash: 'SHA-1' },
  sha224WithRSAEncryption: { oid: `${RSA}14`, kind: 'signature', key: 'rsa', hash: 'SHA-224' },
  sha256WithRSAEncryption: { oid: `${RSA}11`, kind: 'signature', key: 'rsa', hash: 'SHA-256', display: 'SHA256 with RSA Encryption' },
  sha384WithRSAEncryption: { oid: `${RSA}12`, kind: 'signature', key: 'rsa', hash: 'SHA-384', display: 'SHA384 with RSA Encryption' },
  sha512WithRSAEncryption: { oid: `${RSA}13`, kind: 'signature', key: 'rsa', hash: 'SHA-512', display: 'SHA512 with RSA Encryption' },
  'sha512-224WithRSAEncryption': { oid: `${RSA}15`, kind: 'signature', key: 'rsa', hash: 'SHA-512/224' },
  'sha512-256WithRSAEncryption': { oid: `${RSA}16`, kind: 'signature', key: 'rsa', hash: 'SHA-512/256' },
  'RSASSA-PSS': { oid: `${RSA}10`, kind: 'signature', key: 'rsa-pss', display: 'RSASSA-PSS' },
  'ecdsa-with-SHA1': { oid: `${ECDSA}1`, kind: 'signature', key: 'ec', hash: 'SHA-1', display: 'SHA1 with ECDSA' },
  'ecdsa-with-SHA224': { oid: `${ECDSA}3.1`, kind: 'signature', key: 'ec', hash: 'SHA-224' },
  'ecdsa-with-SHA256': { oid: `${ECDSA}3.2`, kind: 'signature', key: 'ec', hash: 'SHA-256', display: 'SHA256 with ECDSA' },
  'ecdsa-with-SHA384': { oid: `${ECDSA}3.3`, kind: 'signature', key: 'ec', hash: 'SHA-384', display: 'SHA384 with ECDSA' },
  'ecdsa-with-SHA512': { oid: `${ECDSA}3.4`, kind: 'signature', key: 'ec', hash: 'SHA-512', display: 'SHA512 with ECDSA' },
  Ed25519: { oid: '1.3.101.112', kind: 'signature', key: 'ed25519' },
  Ed448: { oid: '1.3.101.113', kind: 'signature', key: 'ed448' },
  'dsa-with-sha1': { oid: '1.2.840.10040.4.3', kind: 'signature', key: 'dsa', hash: 'SHA-1' },
  'dsa-with-sha224': { oid: '2.16.840.1.101.3.4.3.1', kind: 'signature', key: 'dsa', hash: 'SHA-224' },
  'dsa-with-sha256': { oid: '2.16.840.1.101.3.4.3.2', kind: 'signature', key: 'dsa', hash: 'SHA-256' },

  // --- public keys and curves (RFC 8017, RFC 5480 §2.1.1)
  rsaEncryption: { oid: `${RSA}1`, kind: 'public-key', key: 'rsa' },
  'RSAES-OAEP': { oid: `${RSA}7`, kind: 'public-key', key: 'rsa' },
  mgf1: { oid: `${RSA}8`, kind: 'other' },
  ecPublicKey: { oid: '1.2.840.10045.2.1', kind: 'public-key', key: 'ec', display: 'id-ecPublicKey' },
  'id-dsa': { oid: '1.2.840.10040.4.1', kind: 'public-key', key: 'dsa', display: 'id-dsa' },
  prime256v1: { oid: '1.2.840.10045.3.1.7', kind: 'curve', curve: 'P-256', size: 32 },
  secp384r1: { oid: '1.3.132.0.34', kind: 'curve', curve: 'P-384', size: 48 },
  secp521r1: { oid: '1.3.132.0.35', kind: 'curve', curve: 'P-521', size: 66 },

  // --- content encryption (RFC 3370 §5, RFC 3565, RFC 8018 B.2)
  'DES-CBC': { oid: '1.3.14.3.2.7', kind: 'cipher', cipher: 'DES-CBC', keyLength: 8, ivLength: 8 },
  'DES-EDE3-CBC': { oid: '1.2.840.113549.3.7', kind: 'cipher', cipher: 'DES-EDE3-CBC', keyLength: 24, ivLength: 8 },
  'RC2-CBC': { oid: '1.2.840.113549.3.2', kind: 'cipher', cipher: 'RC2-CBC', keyLength: 0, ivLength: 8 },
  'AES-128-CBC': { oid: `${AES}2`, kind: 'cipher', cipher: 'AES-CBC', keyLength: 16, ivLength: 16 },
  'AES-192-CBC': { oid: `${AES}22`, kind: 'cipher', cipher: 'AES-CBC', keyLength: 24, ivLength: 16 },
  'AES-256-CBC': { oid: `${AES}42`, kind: 'cipher', cipher: 'AES-CBC', keyLength: 32, ivLength: 16 },
  'AES-128-GCM': { oid: `${AES}6`, kind: 'cipher', unsupported: true },
  'AES-192-GCM': { oid: `${AES}26`, kind: 'cipher', unsupported: true },
  'AES-256-GCM': { oid: `${AES}46`, kind: 'cipher', unsupported: true },
  RC4: { oid: '1.2.840.113549.3.4', kind: 'cipher', unsupported: true },
  'RC5-CBC-Pad': { oid: '1.2.840.113549.3.9', kind: 'cipher', unsupported: true },
  'SEED-CBC': { oid: '1.2.410.200004.1.4', kind: 'cipher', unsupported: true },
  'Camellia-128-CBC': { oid: '1.2.392.200011.61.1.1.1.2', kind: 'cipher', unsupported: true },
  'Camellia-256-CBC': { oid: '1.2.392.200011.61.1.1.1.4', kind: 'cipher', unsupported: true },
  'SM4-CBC': { oid: '1.2.156.10197.1.104.2', kind: 'cipher', unsupported: true },

  // --- HMAC PRFs (RFC 8018 B.1.2)
  hmacWithSHA1: { oid: `${HMAC}7`, kind: 'hmac', hash: 'SHA-1' },
  hmacWithSHA224: { oid: `${HMAC}8`, kind: 'hmac', hash: 'SHA-224' },
  hmacWithSHA256: { oid: `${HMAC}9`, kind: 'hmac', hash: 'SHA-256' },
  hmacWithSHA384: { oid: `${HMAC}10`, kind: 'hmac', hash: 'SHA-384' },
  hmacWithSHA512: { oid: `${HMAC}11`, kind: 'hmac', hash: 'SHA-512' },
  'hmacWithSHA512-224': { oid: `${HMAC}12`, kind: 'hmac', hash: 'SHA-512/224' },
  'hmacWithSHA512-256': { oid: `${HMAC}13`, kind: 'hmac', hash: 'SHA-512/256' },
  hmacWithMD5: { oid: '1.3.6.1.5.5.8.1.1', kind: 'hmac', unsupported: true },

  // --- password-based encryption and MACs (RFC 7292 App. C, RFC 8018 App. A/C, RFC 9579)
  pbeWithSHAAnd128BitRC4: { oid: `${PBE12}1`, kind: 'pbe', unsupported: true },
  pbeWithSHAAnd40BitRC4: { oid: `${PBE12}2`, kind: 'pbe', unsupported: true },
  'pbeWithSHAAnd3-KeyTripleDES-CBC': { oid: `${PBE12}3`, kind: 'pbe', kdf: 'pkcs12', hash: 'SHA-1', cipher: 'DES-EDE3-CBC', keyLength: 24 },
  'pbeWithSHAAnd2-KeyTripleDES-CBC': { oid: `${PBE12}4`, kind: 'pbe', kdf: 'pkcs12', hash: 'SHA-1', cipher: 'DES-EDE-CBC', keyLength: 16 },
  'pbeWithSHAAnd128BitRC2-CBC': { oid: `${PBE12}5`, kind: 'pbe', kdf: 'pkcs12', hash: 'SHA-1', cipher: 'RC2-CBC', keyLength: 16, rc2Bits: 128 },
  'pbeWithSHAAnd40BitRC2-CBC': { oid: `${PBE12}6`, kind: 'pbe', kdf: 'pkcs12', hash: 'SHA-1', cipher: 'RC2-CBC', keyLength: 5, rc2Bits: 40 },
  'pbeWithMD2AndDES-CBC': { oid: `${PBES}1`, kind: 'pbe', unsupported: true },
  'pbeWithMD5AndDES-CBC': { oid: `${PBES}3`, kind: 'pbe', kdf: 'pbkdf1', hash: 'MD5', cipher: 'DES-CBC', keyLength: 8 },
  'pbeWithMD2AndRC2-CBC': { oid: `${PBES}4`, kind: 'pbe', unsupported: true },
  'pbeWithMD5AndRC2-CBC': { oid: `${PBES}6`, kind: 'pbe', kdf: 'pbkdf1', hash: 'MD5', cipher: 'RC2-CBC', keyLength: 8, rc2Bits: 64 },
  'pbeWithSHA1AndDES-CBC': { oid: `${PBES}10`, kind: 'pbe', kdf: 'pbkdf1', hash: 'SHA-1', cipher: 'DES-CBC', keyLength: 8 },
  'pbeWithSHA1AndRC2-CBC': { oid: `${PBES}11`, kind: 'pbe', kdf: 'pbkdf1', hash: 'SHA-1', cipher: 'RC2-CBC', keyLength: 8, rc2Bits: 64 },
  PBKDF2: { oid: `${PBES}12`, kind: 'kdf' },
  PBES2: { oid: `${PBES}13`, kind: 'pbe' },
  PBMAC1: { oid: `${PBES}14`, kind: 'mac' },
  scrypt: { oid: '1.3.6.1.4.1.11591.4.11', kind: 'kdf', unsupported: true },

  // --- CMS content types (RFC 5652 §4–§8, PKCS#7)
  data: { oid: `${CMS}1`, kind: 'content-type' },
  signedData: { oid: `${CMS}2`, kind: 'content-type' },
  envelopedData: { oid: `${CMS}3`, kind: 'content-type' },
  encryptedData: { oid: `${CMS}6`, kind: 'content-type' },

  // --- PKCS#9 attributes (RFC 2985), SCEP attributes (RFC 8894 §3.2.1)
  contentType: { oid: `${PKCS9}3`, kind: 'attribute' },
  messageDigest: { oid: `${PKCS9}4`, kind: 'attribute' },
  signingTime: { oid: `${PKCS9}5`, kind: 'attribute' },
  challengePassword: { oid: `${PKCS9}7`, kind: 'attribute' },
  extensionRequest: { oid: `${PKCS9}14`, kind: 'attribute' },
  friendlyName: { oid: `${PKCS9}20`, kind: 'attribute' },
  localKeyId: { oid: `${PKCS9}21`, kind: 'attribute' },
  x509Certificate: { oid: `${PKCS9}22.1`, kind: 'other' },
  messageType: { oid: `${SCEP}2`, kind: 'attribute' },
  pkiStatus: { oid: `${SCEP}3`, kind: 'attribute' },
  failInfo: { oid: `${SCEP}4`, kind: 'attribute' },
  senderNonce: { oid: `${SCEP}5`, kind: 'attribute' },
  recipientNonce: { oid: `${SCEP}6`, kind: 'attribute' },
  transactionID: { oid: `${SCEP}7`, kind: 'attribute' },
  failInfoText: { oid: '1.3.6.1.5.5.7.24.1', kind: 'attribute' },

  // --- PKCS#12 bag types (RFC 7292 §4.2)
  keyBag: { oid: `${BAG}1`, kind: 'bag' },
  pkcs8ShroudedKeyBag: { oid: `${BAG}2`, kind: 'bag' },
  certBag: { oid: `${BAG}3`, kind: 'bag' },
  crlBag: { oid: `${BAG}4`, kind: 'bag' },
  secretBag: { oid: `${BAG}5`, kind: 'bag' },
  safeContentsBag: { oid: `${BAG}6`, kind: 'bag' },

  // --- name attributes (RFC 4519, RFC 2985 §5.4; `display` is what IOS prints)
  commonName: { oid: `${AT}3`, kind: 'name-attribute', display: 'CN', aliases: ['CN'] },
  surname: { oid: `${AT}4`, kind: 'name-attribute', display: 'SN', aliases: ['SN'] },
  serialNumber: { oid: `${AT}5`, kind: 'name-attribute', display: 'serialNumber', aliases: ['SERIALNUMBER'] },
  countryName: { oid: `${AT}6`, kind: 'name-attribute', display: 'C', aliases: ['C'] },
  localityName: { oid: `${AT}7`, kind: 'name-attribute', display: 'L', aliases: ['L'] },
  stateOrProvinceName: { oid: `${AT}8`, kind: 'name-attribute', display: 'ST', aliases: ['ST'] },
  streetAddress: { oid: `${AT}9`, kind: 'name-attribute', display: 'STREET', aliases: ['STREET'] },
  organizationName: { oid: `${AT}10`, kind: 'name-attribute', display: 'O', aliases: ['O'] },
  organizationalUnitName: { oid: `${AT}11`, kind: 'name-attribute', display: 'OU', aliases: ['OU'] },
  title: { oid: `${AT}12`, kind: 'name-attribute', display: 'T', aliases: ['T', 'TITLE'] },
  givenName: { oid: `${AT}42`, kind: 'name-attribute', display: 'GN', aliases: ['GN', 'GIVENNAME'] },
  initials: { oid: `${AT}43`, kind: 'name-attribute', display: 'initials', aliases: ['INITIALS'] },
  dnQualifier: { oid: `${AT}46`, kind: 'name-attribute', display: 'dnQualifier', aliases: ['DNQUALIFIER'] },
  pseudonym: { oid: `${AT}65`, kind: 'name-attribute', display: 'pseudonym', aliases: ['PSEUDONYM'] },
  domainComponent: { oid: '0.9.2342.19200300.100.1.25', kind: 'name-attribute', display: 'DC', aliases: ['DC'] },
  userId: { oid: '0.9.2342.19200300.100.1.1', kind: 'name-attribute', display: 'UID', aliases: ['UID'] },
  emailAddress: { oid: `${PKCS9}1`, kind: 'name-attribute', display: 'EA', aliases: ['E', 'EA', 'EMAILADDRESS'] },
  unstructuredName: { oid: `${PKCS9}2`, kind: 'name-attribute', display: 'hostname', aliases: ['UNSTRUCTUREDNAME', 'HOSTNAME'] },
  unstructuredAddress: { oid: `${PKCS9}8`, kind: 'name-attribute', display: 'ipaddress', aliases: ['UNSTRUCTUREDADDRESS', 'IPADDRESS'] },

  // --- certificate and CRL extensions (RFC 5280 §4.2, §5.2, §5.3)
  subjectKeyIdentifier: { oid: `${CE}14`, kind: 'extension', display: 'Subject Key Identifier' },
  keyUsage: { oid: `${CE}15`, kind: 'extension', display: 'Key Usage' },
  subjectAltName: { oid: `${CE}17`, kind: 'extension', display: 'Subject Alternative Name' },
  issuerAltName: { oid: `${CE}18`, kind: 'extension', display: 'Issuer Alternative Name' },
  basicConstraints: { oid: `${CE}19`, kind: 'extension', display: 'Basic Constraints' },
  cRLNumber: { oid: `${CE}20`, kind: 'extension' },
  reasonCode: { oid: `${CE}21`, kind: 'extension' },
  holdInstructionCode: { oid: `${CE}23`, kind: 'extension' },
  invalidityDate: { oid: `${CE}24`, kind: 'extension' },
  deltaCRLIndicator: { oid: `${CE}27`, kind: 'extension' },
  issuingDistributionPoint: { oid: `${CE}28`, kind: 'extension' },
  certificateIssuer: { oid: `${CE}29`, kind: 'extension' },
  nameConstraints: { oid: `${CE}30`, kind: 'extension', display: 'Name Constraints' },
  cRLDistributionPoints: { oid: `${CE}31`, kind: 'extension', display: 'CRL Distribution Points' },
  certificatePolicies: { oid: `${CE}32`, kind: 'extension', display: 'Certificate Policies' },
  policyMappings: { oid: `${CE}33`, kind: 'extension' },
  authorityKeyIdentifier: { oid: `${CE}35`, kind: 'extension', display: 'Authority Key Identifier' },
  policyConstraints: { oid: `${CE}36`, kind: 'extension' },
  extKeyUsage: { oid: `${CE}37`, kind: 'extension', display: 'Extended Key Usage' },
  freshestCRL: { oid: `${CE}46`, kind: 'extension' },
  inhibitAnyPolicy: { oid: `${CE}54`, kind: 'extension' },
  authorityInfoAccess: { oid: '1.3.6.1.5.5.7.1.1', kind: 'extension', display: 'Authority Information Access' },
  nsCertType: { oid: '2.16.840.1.113730.1.1', kind: 'extension', display: 'Netscape Cert Type' },
  msCertificateTemplateName: { oid: '1.3.6.1.4.1.311.20.2', kind: 'extension', display: 'Certificate Template Name (Microsoft)' },
  anyPolicy: { oid: `${CE}32.0`, kind: 'policy' },

  // --- key purposes (RFC 5280 §4.2.1.12, RFC 4945 §5.1.3.12, RFC 6187, RFC 4556, RFC 6402; OpenSSL's long names)
  anyExtendedKeyUsage: { oid: `${CE}37.0`, kind: 'key-purpose', display: 'Any Extended Key Usage' },
  serverAuth: { oid: `${KP}1`, kind: 'key-purpose', display: 'TLS Web Server Authentication' },
  clientAuth: { oid: `${KP}2`, kind: 'key-purpose', display: 'TLS Web Client Authentication' },
  codeSigning: { oid: `${KP}3`, kind: 'key-purpose', display: 'Code Signing' },
  emailProtection: { oid: `${KP}4`, kind: 'key-purpose', display: 'E-mail Protection' },
  ipsecEndSystem: { oid: `${KP}5`, kind: 'key-purpose', display: 'IPSec End System' },
  ipsecTunnel: { oid: `${KP}6`, kind: 'key-purpose', display: 'IPSec Tunnel' },
  ipsecUser: { oid: `${KP}7`, kind: 'key-purpose', display: 'IPSec User' },
  timeStamping: { oid: `${KP}8`, kind: 'key-purpose', display: 'Time Stamping' },
  OCSPSigning: { oid: `${KP}9`, kind: 'key-purpose', display: 'OCSP Signing' },
  ipsecIKE: { oid: `${KP}17`, kind: 'key-purpose', display: 'ipsec Internet Key Exchange' },
  secureShellClient: { oid: `${KP}21`, kind: 'key-purpose', display: 'SSH Client' },
  secureShellServer: { oid: `${KP}22`, kind: 'key-purpose', display: 'SSH Server' },
  cmcCA: { oid: `${KP}27`, kind: 'key-purpose', display: 'CMC Certificate Authority' },
  cmcRA: { oid: `${KP}28`, kind: 'key-purpose', display: 'CMC Registration Authority' },
  pkinitClientAuth: { oid: '1.3.6.1.5.2.3.4', kind: 'key-purpose', display: 'PKINIT Client Auth' },
  msSmartcardLogin: { oid: '1.3.6.1.4.1.311.20.2.2', kind: 'key-purpose', display: 'Microsoft Smartcard Login' },
  msEFS: { oid: '1.3.6.1.4.1.311.10.3.4', kind: 'key-purpose', display: 'Microsoft Encrypted File System' },

  // --- access methods and OCSP (RFC 5280 §4.2.2.1, RFC 6960 §4.2.1, RFC 8954)
  ocsp: { oid: '1.3.6.1.5.5.7.48.1', kind: 'access-method' },
  caIssuers: { oid: '1.3.6.1.5.5.7.48.2', kind: 'access-method' },
  'id-pkix-ocsp-basic': { oid: '1.3.6.1.5.5.7.48.1.1', kind: 'ocsp' },
  'id-pkix-ocsp-nonce': { oid: '1.3.6.1.5.5.7.48.1.2', kind: 'ocsp' },
} as const satisfies Record<string, Entry>;

/** A name of the table. */
export type OidName = keyof typeof TABLE;

/** Dotted OIDs by name: `OID.sha256WithRSAEncryption`, `OID.clientAuth`, `OID['ecdsa-with-SHA256']`. */
export const OID: { readonly [K in OidName]: (typeof TABLE)[K]['oid'] } = Object.fromEntries(Object.entries(TABLE).map(([k, v]) => [k, v.oid])) as never;

const BY_OID: ReadonlyMap<string, OidInfo> = new Map(Object.entries(TABLE).map(([name, e]) => [e.oid, { name, ...(e as Entry) }]));

/** What the table knows about `oid`. */
export function oidInfo(oid: string): OidInfo | undefined {
  return BY_OID.get(oid);
}

/** The name of `oid` for messages (`sha256WithRSAEncryption`, `keyUsage`, `AES-128-CBC`), or the dotted OID. */
export function oidName(oid: string): string {
  return BY_OID.get(oid)?.name ?? oid;
}

/** How `show` prints `oid`: its display name (`SHA256 with RSA Encryption`, `TLS Web Client Authentication`), or the dotted OID. */
export function oidDisplay(oid: string): string {
  return BY_OID.get(oid)?.display ?? oid;
}

function byKind(kind: OidKind, oid: string): OidInfo | undefined {
  const e = BY_OID.get(oid);
  return e?.kind === kind ? e : undefined;
}

/** The digest a hash OID names. */
export function hashOfOid(oid: string): HashAlg | undefined {
  return byKind('hash', oid)?.hash;
}

/** The OID of a digest (RFC 3279, RFC 5754). */
export function oidOfHash(hash: HashAlg): string {
  for (const e of BY_OID.values()) if (e.kind === 'hash' && e.hash === hash) return e.oid;
  throw new RangeError(`oids: no OID for ${hash}`);
}

/** A signature algorithm (its key family and hash; no hash for MD2, RSASSA-PSS, EdDSA). */
export function signatureAlgorithm(oid: string): OidInfo | undefined {
  return byKind('signature', oid);
}

/** The signature algorithm of `key` with `hash` (RSASSA-PKCS1-v1_5 or ECDSA), if there is one. */
export function signatureOid(key: 'rsa' | 'ec', hash: HashAlg): string | undefined {
  for (const e of BY_OID.values()) if (e.kind === 'signature' && e.key === key && e.hash === hash && e.oid !== OID.sha1WithRSASignature) return e.oid;
  return undefined;
}

/** The HMAC PRF an OID names (RFC 8018 B.1.2). */
export function hmacOfOid(oid: string): HashAlg | undefined {
  const e = byKind('hmac', oid);
  return e?.unsupported ? undefined : e?.hash;
}

/** The OID of HMAC with `hash`. */
export function oidOfHmac(hash: HashAlg): string | undefined {
  for (const e of BY_OID.values()) if (e.kind === 'hmac' && e.hash === hash) return e.oid;
  return undefined;
}

/** A CBC content-encryption algorithm we implement (cipher, key and IV length). */
export function cbcCipher(oid: string): (OidInfo & { cipher: CbcAlg; keyLength: number; ivLength: number }) | undefined {
  const e = byKind('cipher', oid);
  return e?.cipher ? (e as OidInfo & { cipher: CbcAlg; keyLength: number; ivLength: number }) : undefined;
}

/** A PKCS#12 PBE (RFC 7292 App. C) or PBES1 (RFC 8018 §6.1) scheme we implement. */
export function pbeScheme(oid: string): (OidInfo & { kdf: 'pkcs12' | 'pbkdf1'; hash: HashAlg; cipher: CbcAlg; keyLength: number }) | undefined {
  const e = byKind('pbe', oid);
  return e?.kdf ? (e as OidInfo & { kdf: 'pkcs12' | 'pbkdf1'; hash: HashAlg; cipher: CbcAlg; keyLength: number }) : undefined;
}

/** A named curve. */
export function curveOfOid(oid: string): { curve: 'P-256' | 'P-384' | 'P-521'; size: number } | undefined {
  const e = byKind('curve', oid);
  return e?.curve ? { curve: e.curve, size: e.size! } : undefined;
}

/** The OID of a key purpose by its RFC 5280 name (`serverAuth`, `OCSPSigning`, ...). */
export function keyPurposeOid(name: string): string | undefined {
  const e = (TABLE as Record<string, Entry>)[name];
  return e?.kind === 'key-purpose' ? e.oid : undefined;
}

/** The short name IOS prints for a name attribute (`CN`, `hostname`, ...), or `OID.x.y.z`. */
export function attributeShortName(oid: string): string {
  return byKind('name-attribute', oid)?.display ?? `OID.${oid}`;
}

/** The OID of a `subject-name` keyword (`CN`, `EMAILADDRESS`, `HOSTNAME`, ...; case-insensitive). */
export function attributeOfKeyword(keyword: string): string | undefined {
  const k = keyword.toUpperCase();
  for (const e of BY_OID.values()) if (e.kind === 'name-attribute' && e.aliases?.includes(k)) return e.oid;
  return undefined;
}

/** KeyUsage bits in bit order (RFC 5280 §4.2.1.3; bit 1 is X.509's contentCommitment). */
export const KEY_USAGE_NAMES = ['digitalSignature', 'nonRepudiation', 'keyEncipherment', 'dataEncipherment', 'keyAgreement', 'keyCertSign', 'cRLSign', 'encipherOnly', 'decipherOnly'] as const;

/** A KeyUsage bit name, as RFC 5280 and x509-limbo spell them. */
export type KeyUsageName = keyof typeof KEY_USAGE_BITS;

/** KeyUsage bit numbers by name, as RFC 5280 and x509-limbo spell them (contentCommitment = nonRepudiation). */
export const KEY_USAGE_BITS = {
  digitalSignature: 0,
  contentCommitment: 1,
  keyEncipherment: 2,
  dataEncipherment: 3,
  keyAgreement: 4,
  keyCertSign: 5,
  cRLSign: 6,
  encipherOnly: 7,
  decipherOnly: 8,
} as const;
