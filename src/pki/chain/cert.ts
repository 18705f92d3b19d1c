/**
 * The certificate model of the chain validator (RFC 5280 §4.1, §4.2), parsed with the strict
 * reader in `_der.ts` so that signatures are verified over the TBSCertificate bytes exactly as
 * received.
 *
 * ```asn1
 * Certificate ::= SEQUENCE { tbsCertificate TBSCertificate, signatureAlgorithm AlgorithmIdentifier, signatureValue BIT STRING }
 * TBSCertificate ::= SEQUENCE {
 *   version [0] EXPLICIT Version DEFAULT v1, serialNumber CertificateSerialNumber,
 *   signature AlgorithmIdentifier, issuer Name, validity Validity, subject Name,
 *   subjectPublicKeyInfo SubjectPublicKeyInfo,
 *   issuerUniqueID [1] IMPLICIT UniqueIdentifier OPTIONAL, -- v2, v3
 *   subjectUniqueID [2] IMPLICIT UniqueIdentifier OPTIONAL, -- v2, v3
 *   extensions [3] EXPLICIT Extensions OPTIONAL } -- v3
 * Extension ::= SEQUENCE { extnID OBJECT IDENTIFIER, critical BOOLEAN DEFAULT FALSE, extnValue OCTET STRING }
 * ```
 *
 * `parseChainCert` throws a `PkiError('bad-certificate')` for anything it cannot read, including
 * a malformed value of an extension it interprets. Rules the certificate breaks but that do not
 * stop it being read are collected: `problems` always invalidate it, `strictProblems` only in
 * the strict profile (`strict: true`), which adds the RFC 5280 MUSTs that are requirements on
 * CAs rather than on the security of the path (key identifiers, serial number form, criticality
 * flags).
 */
import { PkiError } from '../../util/errors.ts';
import {
  checkInteger,
  contentOf,
  DerCursor,
  decodeBitString,
  decodeBoolean,
  decodeOid,
  decodeSmallUint,
  hex,
  parseOne,
  rawOf,
  readTime,
  TAG,
  type Tlv,
} from './_der.ts';
import { formatName, parseGeneralName, parseGeneralNames, parseName, parseRelativeName, type Ava, type GeneralName, type Name } from './name.ts';
import { parseNameConstraints, type NameConstraints } from './name-constraints.ts';
import { EXT, extName, KEY_USAGE_BITS } from './oids.ts';
import { parseCertificatePolicies, parseInhibitAnyPolicy, parsePolicyConstraints, parsePolicyMappings, type PolicyConstraints } from './policy.ts';

/** An AlgorithmIdentifier: the OID, its parameters' DER if present, and the whole DER. */
export interface AlgorithmId {
  oid: string;
  params?: Uint8Array;
  der: Uint8Array;
}

/** One extension as encoded. */
export interface Extension {
  oid: string;
  critical: boolean;
  value: Uint8Array;
}

/**
 * A CRL distribution point (RFC 5280 §4.2.1.13).
 *
 * ```asn1
 * DistributionPoint ::= SEQUENCE { distributionPoint [0] DistributionPointName OPTIONAL,
 *   reasons [1] ReasonFlags OPTIONAL, cRLIssuer [2] GeneralNames OPTIONAL }
 * DistributionPointName ::= CHOICE { fullName [0] GeneralNames, nameRelativeToCRLIssuer [1] RelativeDistinguishedName }
 * ```
 */
export interface DistributionPoint {
  fullName?: GeneralName[];
  /** nameRelativeToCRLIssuer: one RDN appended to the CRL issuer's name */
  relativeName?: Ava[];
  /** ReasonFlags as a mask (bit n of the BIT STRING = 1 << n) */
  reasons?: number;
  crlIssuer?: GeneralName[];
}

/** A ReasonFlags BIT STRING (RFC 5280 §4.2.1.13) as a mask: bit n = 1 << n. */
export function decodeReasonFlags(v: Uint8Array, what: string): number {
  const { bytes, bits } = decodeBitString(v, what);
  let mask = 0;
  for (let i = 0; i < bits && i < 16; i++) if (bytes[i >> 3]! & (0x80 >> (i & 7))) mask |= 1 << i;
  return mask;
}

/** Reads a DistributionPointName ([0] fullName | [1] nameRelativeToCRLIssuer). */
export function readDistributionPointName(b: Uint8Array, t: Tlv): { fullName?: GeneralName[]; relativeName?: Ava[] } {
  const nc = DerCursor.of(b, t);
  const choice = nc.next('DistributionPointName');
  nc.finish('DistributionPointName');
  if (choice.tag === 0xa0) {
    const names: GeneralName[] = [];
    const gc = DerCursor.of(b, choice);
    while (!gc.done) names.push(parseGeneralName(b, gc.next('fullName'), 'fullName'));
    if (!names.length) throw bad('x509: DistributionPointName fullName is empty');
    return { fullName: names };
  }
  if (choice.tag === 0xa1) return { relativeName: parseRelativeName(b, choice, 'nameRelativeToCRLIssuer') };
  throw bad('x509: DistributionPointName has an unknown form');
}

/** A certificate as the validator uses it. */
export interface ChainCert {
  der: Uint8Array;
  /** TBSCertificate, the signed bytes */
  tbs: Uint8Array;
  version: 1 | 2 | 3;
  /** content octets of serialNumber (two's complement, minimal) */
  serial: Uint8Array;
  signatureAlgorithm: AlgorithmId;
  /** signatureValue without the unused-bits octet */
  signature: Uint8Array;
  issuer: Name;
  subject: Name;
  /** validity bounds in whole seconds since the epoch (inclusive, RFC 5280 §4.1.2.5) */
  notBefore: number;
  notAfter: number;
  /** SubjectPublicKeyInfo DER */
  spki: Uint8Array;
  spkiAlgorithm: string;
  extensions: Extension[];
  /** basicConstraints: cA and pathLenConstraint (absent extension → undefined) */
  basicConstraints?: { ca: boolean; pathLen?: number; critical: boolean };
  /** keyUsage bits (bit n of RFC 5280 §4.2.1.3 = 1 << n) */
  keyUsage?: number;
  extKeyUsage?: string[];
  subjectAltName?: GeneralName[];
  nameConstraints?: NameConstraints;
  subjectKeyId?: Uint8Array;
  authorityKeyId?: Uint8Array;
  policies?: string[];
  policyMappings?: [string, string][];
  policyConstraints?: PolicyConstraints;
  inhibitAnyPolicy?: number;
  crlDistributionPoints?: DistributionPoint[];
  /** OCSP responder URLs of authorityInfoAccess (RFC 5280 §4.2.2.1, id-ad-ocsp) */
  ocspUrls?: string[];
  /** issuer == subject under RFC 5280 §7.1 comparison */
  selfIssued: boolean;
  /** not self-issued and without authorityKeyIdentifier keyIdentifier (RFC 5280 §4.2.1.1) */
  missingAki: boolean;
  /** subject + public key: the identity loops are detected by (RFC 4158 §2.4.2) */
  identity: string;
  /** how messages name this certificate */
  label: string;
  problems: string[];
  strictProblems: string[];
}

/** Extensions whose meaning this validator implements (a critical one of any other kind fails). */
const UNDERSTOOD = new Set<string>([
  EXT.SUBJECT_KEY_IDENTIFIER,
  EXT.KEY_USAGE,
  EXT.SUBJECT_ALT_NAME,
  EXT.ISSUER_ALT_NAME,
  EXT.BASIC_CONSTRAINTS,
  EXT.NAME_CONSTRAINTS,
  EXT.CRL_DISTRIBUTION_POINTS,
  EXT.CERTIFICATE_POLICIES,
  EXT.POLICY_MAPPINGS,
  EXT.AUTHORITY_KEY_IDENTIFIER,
  EXT.POLICY_CONSTRAINTS,
  EXT.EXT_KEY_USAGE,
  EXT.INHIBIT_ANY_POLICY,
]);

const bad = (message: string, cause?: unknown): PkiError => new PkiError('bad-certificate', message, cause === undefined ? undefined : { cause });

/** Reads an AlgorithmIdentifier TLV. */
export function readAlgorithmId(b: Uint8Array, t: Tlv, what: string): AlgorithmId {
  if (t.tag !== TAG.SEQUENCE) throw bad(`x509: ${what}: AlgorithmIdentifier is not a SEQUENCE`);
  const c = DerCursor.of(b, t);
  const oid = decodeOid(contentOf(b, c.take(TAG.OID, `${what} algorithm`)), `${what} algorithm`);
  const out: AlgorithmId = { oid, der: rawOf(b, t) };
  if (!c.done) out.params = rawOf(b, c.next(`${what} parameters`));
  c.finish(what);
  return out;
}

/** A KeyUsage BIT STRING as a bit mask. */
export function decodeKeyUsage(v: Uint8Array): number {
  const t = parseOne(v, TAG.BIT_STRING, 'keyUsage');
  const { bytes, bits } = decodeBitString(contentOf(v, t), 'keyUsage');
  let mask = 0;
  for (let i = 0; i < bits && i < 16; i++) if (bytes[i >> 3]! & (0x80 >> (i & 7))) mask |= 1 << i;
  return mask;
}

function parseExtensionValue(cert: ChainCert, ext: Extension): void {
  const v = ext.value;
  const what = extName(ext.oid);
  switch (ext.oid) {
    case EXT.BASIC_CONSTRAINTS: {
      const c = DerCursor.of(v, parseOne(v, TAG.SEQUENCE, what));
      const ca = c.optional(TAG.BOOLEAN, 'basicConstraints cA');
      const pl = c.optional(TAG.INTEGER, 'basicConstraints pathLenConstraint');
      c.finish(what);
      cert.basicConstraints = { ca: ca ? decodeBoolean(contentOf(v, ca), 'basicConstraints cA') : false, critical: ext.critical };
      if (pl) cert.basicConstraints.pathLen = decodeSmallUint(contentOf(v, pl), 'basicConstraints pathLenConstraint');
      return;
    }
    case EXT.KEY_USAGE:
      cert.keyUsage = decodeKeyUsage(v);
      if (cert.keyUsage === 0) cert.strictProblems.push('keyUsage asserts no bit (RFC 5280 §4.2.1.3)');
      return;
    case EXT.EXT_KEY_USAGE: {
      const t = parseOne(v, TAG.SEQUENCE, what);
      const c = DerCursor.of(v, t);
      const out: string[] = [];
      while (!c.done) out.push(decodeOid(contentOf(v, c.take(TAG.OID, what)), what));
      if (!out.length) throw bad('x509: extKeyUsage is empty (RFC 5280 §4.2.1.12)');
      cert.extKeyUsage = out;
      return;
    }
    case EXT.SUBJECT_ALT_NAME:
      cert.subjectAltName = parseGeneralNames(v, parseOne(v, TAG.SEQUENCE, what), what);
      return;
    case EXT.ISSUER_ALT_NAME:
      parseGeneralNames(v, parseOne(v, TAG.SEQUENCE, what), what);
      return;
    case EXT.NAME_CONSTRAINTS:
      cert.nameConstraints = parseNameConstraints(v, parseOne(v, TAG.SEQUENCE, what));
      return;
    case EXT.SUBJECT_KEY_IDENTIFIER:
      cert.subjectKeyId = contentOf(v, parseOne(v, TAG.OCTET_STRING, what));
      if (ext.critical) cert.strictProblems.push('subjectKeyIdentifier is marked critical (RFC 5280 §4.2.1.2)');
      return;
    case EXT.AUTHORITY_KEY_IDENTIFIER: {
      const c = DerCursor.of(v, parseOne(v, TAG.SEQUENCE, what));
      const kid = c.optional(0x80, 'authorityKeyIdentifier keyIdentifier');
      const iss = c.optional(0xa1, 'authorityKeyIdentifier authorityCertIssuer');
      const sn = c.optional(0x82, 'authorityKeyIdentifier authorityCertSerialNumber');
      c.finish(what);
      if (iss) {
        const ic = DerCursor.of(v, iss);
        while (!ic.done) parseGeneralName(v, ic.next(what), what);
      }
      if (sn) checkInteger(contentOf(v, sn), 'authorityCertSerialNumber');
      if (!!iss !== !!sn) throw bad('x509: authorityKeyIdentifier has only one of authorityCertIssuer and authorityCertSerialNumber (RFC 5280 §4.2.1.1)');
      if (kid) cert.authorityKeyId = contentOf(v, kid);
      if (ext.critical) cert.strictProblems.push('authorityKeyIdentifier is marked critical (RFC 5280 §4.2.1.1)');
      return;
    }
    case EXT.CERTIFICATE_POLICIES: {
      const r = parseCertificatePolicies(v, parseOne(v, TAG.SEQUENCE, what));
      cert.policies = r.policies;
      if (r.duplicate) cert.strictProblems.push(`certificatePolicies lists ${r.duplicate} twice (RFC 5280 §4.2.1.4)`);
      return;
    }
    case EXT.POLICY_MAPPINGS:
      cert.policyMappings = parsePolicyMappings(v, parseOne(v, TAG.SEQUENCE, what));
      return;
    case EXT.POLICY_CONSTRAINTS:
      cert.policyConstraints = parsePolicyConstraints(v, parseOne(v, TAG.SEQUENCE, what));
      if (!ext.critical) cert.strictProblems.push('policyConstraints is not marked critical (RFC 5280 §4.2.1.11)');
      return;
    case EXT.INHIBIT_ANY_POLICY:
      cert.inhibitAnyPolicy = parseInhibitAnyPolicy(v, parseOne(v, TAG.INTEGER, what));
      if (!ext.critical) cert.strictProblems.push('inhibitAnyPolicy is not marked critical (RFC 5280 §4.2.1.14)');
      return;
    case EXT.CRL_DISTRIBUTION_POINTS:
      cert.crlDistributionPoints = parseDistributionPoints(v, parseOne(v, TAG.SEQUENCE, what));
      return;
  }
}

/** Parses CRLDistributionPoints (a SEQUENCE SIZE (1..MAX) OF DistributionPoint). */
export function parseDistributionPoints(b: Uint8Array, t: Tlv): DistributionPoint[] {
  const c = DerCursor.of(b, t);
  const out: DistributionPoint[] = [];
  while (!c.done) {
    const dc = DerCursor.of(b, c.take(TAG.SEQUENCE, 'DistributionPoint'));
    const dp: DistributionPoint = {};
    const name = dc.optional(0xa0, 'distributionPoint');
    if (name) Object.assign(dp, readDistributionPointName(b, name));
    const reasons = dc.optional(0x81, 'reasons');
    if (reasons) dp.reasons = decodeReasonFlags(contentOf(b, reasons), 'reasons');
    const crlIssuer = dc.optional(0xa2, 'cRLIssuer');
    if (crlIssuer) {
      const names: GeneralName[] = [];
      const gc = DerCursor.of(b, crlIssuer);
      while (!gc.done) names.push(parseGeneralName(b, gc.next('cRLIssuer'), 'cRLIssuer'));
      if (!names.length) throw bad('x509: cRLIssuer is empty');
      dp.crlIssuer = names;
    }
    if (!name && !crlIssuer) throw bad('x509: a DistributionPoint has neither distributionPoint nor cRLIssuer (RFC 5280 §4.2.1.13)');
    dc.finish('DistributionPoint');
    out.push(dp);
  }
  if (!out.length) throw bad('x509: cRLDistributionPoints is empty');
  return out;
}

const ID_AD_OCSP = '1.3.6.1.5.5.7.48.1';

/** The id-ad-ocsp URIs of an authorityInfoAccess value (SEQUENCE OF AccessDescription). */
function readOcspUrls(v: Uint8Array): string[] {
  const c = DerCursor.of(v, parseOne(v, TAG.SEQUENCE, 'authorityInfoAccess'));
  const out: string[] = [];
  while (!c.done) {
    const ad = DerCursor.of(v, c.take(TAG.SEQUENCE, 'AccessDescription'));
    const method = decodeOid(contentOf(v, ad.take(TAG.OID, 'accessMethod')), 'accessMethod');
    const loc = parseGeneralName(v, ad.next('accessLocation'), 'accessLocation');
    ad.finish('AccessDescription');
    if (method === ID_AD_OCSP && loc.type === 'uri') out.push(loc.text);
  }
  return out;
}

/**
 * Parses a DER certificate for path validation. Throws `PkiError('bad-certificate')` with the
 * reason when the encoding (or an interpreted extension) is malformed.
 */
export function parseChainCert(der: Uint8Array): ChainCert {
  try {
    return parseUnchecked(der);
  } catch (e) {
    if (e instanceof PkiError && e.code === 'bad-certificate') throw e;
    throw bad(`x509: not a valid certificate (${(e as Error).message})`, e);
  }
}

function parseUnchecked(der: Uint8Array): ChainCert {
  const outer = parseOne(der, TAG.SEQUENCE, 'Certificate');
  const oc = DerCursor.of(der, outer);
  const tbsT = oc.take(TAG.SEQUENCE, 'tbsCertificate');
  const sigAlg = readAlgorithmId(der, oc.next('signatureAlgorithm'), 'signatureAlgorithm');
  const sigT = oc.take(TAG.BIT_STRING, 'signatureValue');
  oc.finish('Certificate');
  const sig = decodeBitString(contentOf(der, sigT), 'signatureValue');
  if (sig.bits % 8) throw bad('x509: signatureValue is not a whole number of octets');

  const c = DerCursor.of(der, tbsT);
  let version: 1 | 2 | 3 = 1;
  const vT = c.optional(0xa0, 'version');
  if (vT) {
    const vc = DerCursor.of(der, vT);
    const n = decodeSmallUint(contentOf(der, vc.take(TAG.INTEGER, 'version')), 'version');
    vc.finish('version');
    if (n > 2) throw bad(`x509: unknown certificate version ${n + 1}`);
    version = (n + 1) as 1 | 2 | 3;
  }
  const serial = checkInteger(contentOf(der, c.take(TAG.INTEGER, 'serialNumber')), 'serialNumber');
  const innerAlg = readAlgorithmId(der, c.next('signature'), 'signature');
  const issuer = parseName(der, c.next('issuer'), 'issuer');
  const validity = DerCursor.of(der, c.take(TAG.SEQUENCE, 'validity'));
  const timeForm: { misencoded?: boolean } = {};
  const notBefore = readTime(validity, 'notBefore', timeForm);
  const notAfter = readTime(validity, 'notAfter', timeForm);
  validity.finish('validity');
  const subject = parseName(der, c.next('subject'), 'subject');
  const spkiT = c.take(TAG.SEQUENCE, 'subjectPublicKeyInfo');
  const sc = DerCursor.of(der, spkiT);
  const spkiAlg = readAlgorithmId(der, sc.next('subjectPublicKeyInfo algorithm'), 'subjectPublicKeyInfo algorithm');
  decodeBitString(contentOf(der, sc.take(TAG.BIT_STRING, 'subjectPublicKey')), 'subjectPublicKey');
  sc.finish('subjectPublicKeyInfo');
  if (c.optional(0x81, 'issuerUniqueID') && version < 2) throw bad('x509: issuerUniqueID in a version 1 certificate');
  if (c.optional(0x82, 'subjectUniqueID') && version < 2) throw bad('x509: subjectUniqueID in a version 1 certificate');
  const extsT = c.optional(0xa3, 'extensions');
  c.finish('tbsCertificate');

  const cert: ChainCert = {
    der,
    tbs: rawOf(der, tbsT),
    version,
    serial,
    signatureAlgorithm: sigAlg,
    signature: sig.bytes,
    issuer,
    subject,
    notBefore,
    notAfter,
    spki: rawOf(der, spkiT),
    spkiAlgorithm: spkiAlg.oid,
    extensions: [],
    selfIssued: issuer.key === subject.key,
    missingAki: false,
    identity: `${subject.key}|${hex(rawOf(der, spkiT))}`,
    label: formatName(subject),
    problems: [],
    strictProblems: [],
  };

  if (extsT) {
    if (version !== 3) throw bad(`x509: extensions in a version ${version} certificate`);
    const ec = DerCursor.of(der, extsT);
    const list = DerCursor.of(der, ec.take(TAG.SEQUENCE, 'extensions'));
    ec.finish('extensions');
    const seen = new Set<string>();
    while (!list.done) {
      const e = DerCursor.of(der, list.take(TAG.SEQUENCE, 'Extension'));
      const oid = decodeOid(contentOf(der, e.take(TAG.OID, 'extnID')), 'extnID');
      const crit = e.optional(TAG.BOOLEAN, 'critical');
      const critical = crit ? decodeBoolean(contentOf(der, crit), 'critical') : false;
      const value = contentOf(der, e.take(TAG.OCTET_STRING, 'extnValue'));
      e.finish('Extension');
      const ext = { oid, critical, value };
      cert.extensions.push(ext);
      if (seen.has(oid)) {
        cert.problems.push(`extension ${extName(oid)} appears more than once (RFC 5280 §4.2)`);
        continue;
      }
      seen.add(oid);
      if (UNDERSTOOD.has(oid)) {
        try {
          parseExtensionValue(cert, ext);
        } catch (err) {
          throw bad(`x509: malformed ${extName(oid)} extension (${(err as Error).message})`, err);
        }
      } else if (critical) cert.problems.push(`unsupported critical extension ${extName(oid)} (RFC 5280 §4.2)`);
    }
    if (!cert.extensions.length) throw bad('x509: empty extensions (RFC 5280 §4.1: SIZE (1..MAX))');
    const aia = cert.extensions.find((e) => e.oid === EXT.AUTHORITY_INFO_ACCESS);
    if (aia) {
      // Only read for its OCSP URLs: a malformed AIA takes nothing away from path validation.
      try {
        const urls = readOcspUrls(aia.value);
        if (urls.length) cert.ocspUrls = urls;
      } catch {
        // ignored
      }
    }
  }
  if (timeForm.misencoded) cert.strictProblems.push('a validity date before 2050 is encoded as GeneralizedTime (RFC 5280 §4.1.2.5)');
  profileChecks(cert, innerAlg);
  return cert;
}

/** Profile rules that do not depend on the certificate's place in a path. */
function profileChecks(cert: ChainCert, innerAlg: AlgorithmId): void {
  const p = cert.problems;
  const s = cert.strictProblems;
  if (!sameDer(innerAlg.der, cert.signatureAlgorithm.der)) p.push('the signature algorithm inside the certificate differs from the outer one (RFC 5280 §4.1.1.2)');
  if (!cert.issuer.rdns.length) p.push('the issuer name is empty (RFC 5280 §4.1.2.4)');
  const bc = cert.basicConstraints;
  const ca = !!bc?.ca;
  if (cert.keyUsage !== undefined && cert.keyUsage & (1 << KEY_USAGE_BITS.keyCertSign) && !ca)
    p.push('keyUsage asserts keyCertSign but basicConstraints does not assert cA (RFC 5280 §4.2.1.3, §4.2.1.9)');
  if (cert.nameConstraints && !ca) p.push('nameConstraints in a certificate that is not a CA (RFC 5280 §4.2.1.10)');
  if (bc?.pathLen !== undefined && !ca) s.push('pathLenConstraint without cA (RFC 5280 §4.2.1.9)');
  // serial number (RFC 5280 §4.1.2.2)
  const sn = cert.serial;
  if (sn[0]! & 0x80) s.push('the serial number is negative (RFC 5280 §4.1.2.2)');
  else if (sn.length === 1 && sn[0] === 0) s.push('the serial number is zero (RFC 5280 §4.1.2.2)');
  if (sn.length > 20 && !(sn.length === 21 && sn[0] === 0)) s.push(`the serial number is ${sn.length} octets long, more than 20 (RFC 5280 §4.1.2.2)`);
  // key identifiers (RFC 5280 §4.2.1.1, §4.2.1.2)
  // A missing AKI is judged where the role is known (validate.ts): RFC 5280 exempts self-signed CAs.
  cert.missingAki = !cert.authorityKeyId && !cert.selfIssued;
  if (!cert.subjectKeyId && ca) s.push('subjectKeyIdentifier is missing in a CA certificate (RFC 5280 §4.2.1.2)');
  // subject / subjectAltName (RFC 5280 §4.1.2.6, §4.2.1.6)
  if (!cert.subject.rdns.length) {
    const sanExt = cert.extensions.find((e) => e.oid === EXT.SUBJECT_ALT_NAME);
    if (!sanExt) s.push('the subject is empty and there is no subjectAltName (RFC 5280 §4.1.2.6)');
    else if (!sanExt.critical) s.push('the subject is empty but subjectAltName is not marked critical (RFC 5280 §4.2.1.6)');
  }
}

function sameDer(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Formats a time (seconds since the epoch) as `2024-04-01 00:00:00 UTC`. */
export function formatTime(seconds: number): string {
  return new Date(seconds * 1000).toISOString().replace('T', ' ').replace(/\.\d{3}Z$/, ' UTC');
}
