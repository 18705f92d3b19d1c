/**
 * Object identifiers the chain validator knows (RFC 5280 §4.2 extensions, §4.2.1.12 key
 * purposes, §5.2/§5.3 CRL extensions; RFC 3279/4055/5758/8410 algorithms), with the names
 * failure reasons print.
 */

/** Certificate and CRL extensions (RFC 5280 §4.2, §5.2, §5.3). */
export const EXT = {
  SUBJECT_KEY_IDENTIFIER: '2.5.29.14',
  KEY_USAGE: '2.5.29.15',
  SUBJECT_ALT_NAME: '2.5.29.17',
  ISSUER_ALT_NAME: '2.5.29.18',
  BASIC_CONSTRAINTS: '2.5.29.19',
  CRL_NUMBER: '2.5.29.20',
  REASON_CODE: '2.5.29.21',
  HOLD_INSTRUCTION_CODE: '2.5.29.23',
  INVALIDITY_DATE: '2.5.29.24',
  DELTA_CRL_INDICATOR: '2.5.29.27',
  ISSUING_DISTRIBUTION_POINT: '2.5.29.28',
  CERTIFICATE_ISSUER: '2.5.29.29',
  NAME_CONSTRAINTS: '2.5.29.30',
  CRL_DISTRIBUTION_POINTS: '2.5.29.31',
  CERTIFICATE_POLICIES: '2.5.29.32',
  POLICY_MAPPINGS: '2.5.29.33',
  AUTHORITY_KEY_IDENTIFIER: '2.5.29.35',
  POLICY_CONSTRAINTS: '2.5.29.36',
  EXT_KEY_USAGE: '2.5.29.37',
  FRESHEST_CRL: '2.5.29.46',
  INHIBIT_ANY_POLICY: '2.5.29.54',
  AUTHORITY_INFO_ACCESS: '1.3.6.1.5.5.7.1.1',
} as const;

/** anyPolicy (RFC 5280 §4.2.1.4). */
export const ANY_POLICY = '2.5.29.32.0';

/** Key purposes (RFC 5280 §4.2.1.12; RFC 4945 §5.1.3.12 for ipsecIKE). */
export const EKU: Readonly<Record<string, string>> = {
  anyExtendedKeyUsage: '2.5.29.37.0',
  serverAuth: '1.3.6.1.5.5.7.3.1',
  clientAuth: '1.3.6.1.5.5.7.3.2',
  codeSigning: '1.3.6.1.5.5.7.3.3',
  emailProtection: '1.3.6.1.5.5.7.3.4',
  ipsecEndSystem: '1.3.6.1.5.5.7.3.5',
  ipsecTunnel: '1.3.6.1.5.5.7.3.6',
  ipsecUser: '1.3.6.1.5.5.7.3.7',
  timeStamping: '1.3.6.1.5.5.7.3.8',
  OCSPSigning: '1.3.6.1.5.5.7.3.9',
  ipsecIKE: '1.3.6.1.5.5.7.3.17',
};

/** KeyUsage bit numbers (RFC 5280 §4.2.1.3). */
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

/** A KeyUsage bit name, as RFC 5280 and x509-limbo spell them. */
export type KeyUsageName = keyof typeof KEY_USAGE_BITS;

/** Signature algorithms (RFC 3279, RFC 4055, RFC 5758, RFC 8410). */
export const SIG = {
  md2WithRSAEncryption: '1.2.840.113549.1.1.2',
  md5WithRSAEncryption: '1.2.840.113549.1.1.4',
  sha1WithRSAEncryption: '1.2.840.113549.1.1.5',
  sha224WithRSAEncryption: '1.2.840.113549.1.1.14',
  sha256WithRSAEncryption: '1.2.840.113549.1.1.11',
  sha384WithRSAEncryption: '1.2.840.113549.1.1.12',
  sha512WithRSAEncryption: '1.2.840.113549.1.1.13',
  'RSASSA-PSS': '1.2.840.113549.1.1.10',
  'ecdsa-with-SHA1': '1.2.840.10045.4.1',
  'ecdsa-with-SHA224': '1.2.840.10045.4.3.1',
  'ecdsa-with-SHA256': '1.2.840.10045.4.3.2',
  'ecdsa-with-SHA384': '1.2.840.10045.4.3.3',
  'ecdsa-with-SHA512': '1.2.840.10045.4.3.4',
  Ed25519: '1.3.101.112',
  Ed448: '1.3.101.113',
  'dsa-with-sha1': '1.2.840.10040.4.3',
  'dsa-with-sha256': '2.16.840.1.101.3.4.3.2',
} as const;

const SIG_NAMES: Record<string, string> = Object.fromEntries(Object.entries(SIG).map(([k, v]) => [v, k]));

/** A signature algorithm's name for messages, or its dotted OID. */
export function sigAlgName(oid: string): string {
  return SIG_NAMES[oid] ?? oid;
}

const EXT_NAMES: Record<string, string> = {
  [EXT.SUBJECT_KEY_IDENTIFIER]: 'subjectKeyIdentifier',
  [EXT.KEY_USAGE]: 'keyUsage',
  [EXT.SUBJECT_ALT_NAME]: 'subjectAltName',
  [EXT.ISSUER_ALT_NAME]: 'issuerAltName',
  [EXT.BASIC_CONSTRAINTS]: 'basicConstraints',
  [EXT.CRL_NUMBER]: 'cRLNumber',
  [EXT.NAME_CONSTRAINTS]: 'nameConstraints',
  [EXT.CRL_DISTRIBUTION_POINTS]: 'cRLDistributionPoints',
  [EXT.CERTIFICATE_POLICIES]: 'certificatePolicies',
  [EXT.POLICY_MAPPINGS]: 'policyMappings',
  [EXT.AUTHORITY_KEY_IDENTIFIER]: 'authorityKeyIdentifier',
  [EXT.POLICY_CONSTRAINTS]: 'policyConstraints',
  [EXT.EXT_KEY_USAGE]: 'extKeyUsage',
  [EXT.INHIBIT_ANY_POLICY]: 'inhibitAnyPolicy',
  [EXT.AUTHORITY_INFO_ACCESS]: 'authorityInfoAccess',
  [EXT.ISSUING_DISTRIBUTION_POINT]: 'issuingDistributionPoint',
  [EXT.DELTA_CRL_INDICATOR]: 'deltaCRLIndicator',
};

/** An extension's name for messages, or its dotted OID. */
export function extName(oid: string): string {
  return EXT_NAMES[oid] ?? oid;
}

const EKU_NAMES: Record<string, string> = Object.fromEntries(Object.entries(EKU).map(([k, v]) => [v, k]));

/** A key purpose's name for messages, or its dotted OID. */
export function ekuName(oid: string): string {
  return EKU_NAMES[oid] ?? oid;
}
