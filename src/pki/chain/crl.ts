/**
 * Certificate revocation lists (RFC 5280 §5) and the revocation check of §6.3, for complete,
 * direct CRLs — what `revocation-check crl` and the x509-limbo `has-crl` cases need.
 *
 * ```asn1
 * CertificateList ::= SEQUENCE { tbsCertList TBSCertList, signatureAlgorithm AlgorithmIdentifier, signatureValue BIT STRING }
 * TBSCertList ::= SEQUENCE {
 *   version Version OPTIONAL, -- if present, MUST be v2
 *   signature AlgorithmIdentifier, issuer Name, thisUpdate Time, nextUpdate Time OPTIONAL,
 *   revokedCertificates SEQUENCE OF SEQUENCE {
 *     userCertificate CertificateSerialNumber, revocationDate Time,
 *     crlEntryExtensions Extensions OPTIONAL } OPTIONAL,
 *   crlExtensions [0] EXPLICIT Extensions OPTIONAL }
 * IssuingDistributionPoint ::= SEQUENCE {
 *   distributionPoint [0] DistributionPointName OPTIONAL,
 *   onlyContainsUserCerts [1] BOOLEAN DEFAULT FALSE, onlyContainsCACerts [2] BOOLEAN DEFAULT FALSE,
 *   onlySomeReasons [3] ReasonFlags OPTIONAL, indirectCRL [4] BOOLEAN DEFAULT FALSE,
 *   onlyContainsAttributeCerts [5] BOOLEAN DEFAULT FALSE }
 * ```
 *
 * A CRL is used for a certificate when its issuer name is the certificate's issuer name, its
 * signature verifies with the issuing CA's key, that CA's keyUsage (if present) asserts
 * cRLSign, thisUpdate ≤ time ≤ nextUpdate, it has no critical extension (CRL or entry) we do
 * not process, and its issuingDistributionPoint (if any) covers the certificate: a
 * distributionPoint fullName must share a GeneralName, byte for byte, with a fullName of the
 * certificate's cRLDistributionPoints; onlyContainsUserCerts / onlyContainsCACerts must fit.
 * Not supported (such a CRL is not used, and says why): delta CRLs, indirect CRLs
 * (indirectCRL, certificateIssuer entries), partitions by reason (onlySomeReasons) and
 * nameRelativeToCRLIssuer. A serial number listed in a usable CRL is revoked, whatever the
 * revocation date and reason (a removeFromCRL entry only makes sense in a delta CRL).
 */
import type { VerifyFn } from '../../crypto/types.ts';
import { PkiError } from '../../util/errors.ts';
import { checkInteger, contentOf, DerCursor, decodeBitString, decodeBoolean, decodeOid, hex, parseOne, rawOf, readTime, TAG, type Tlv } from './_der.ts';
import { formatTime, readAlgorithmId, type AlgorithmId, type ChainCert } from './cert.ts';
import { formatName, parseGeneralName, parseName, type GeneralName, type Name } from './name.ts';
import { EXT, extName, KEY_USAGE_BITS } from './oids.ts';
import { checkSignature } from './signature.ts';

/** One revoked certificate entry. */
export interface RevokedEntry {
  revocationDate: number;
  reason?: number;
}

/** The parts of an issuingDistributionPoint extension the scope check uses. */
export interface IssuingDistributionPoint {
  fullName?: GeneralName[];
  relativeName?: boolean;
  onlyUserCerts: boolean;
  onlyCaCerts: boolean;
  onlySomeReasons: boolean;
  indirect: boolean;
  onlyAttributeCerts: boolean;
}

/** A parsed CRL. */
export interface ChainCrl {
  der: Uint8Array;
  tbs: Uint8Array;
  version: 1 | 2;
  signatureAlgorithm: AlgorithmId;
  signature: Uint8Array;
  issuer: Name;
  thisUpdate: number;
  nextUpdate?: number;
  /** revoked serials: lower-case hex of the INTEGER content → entry */
  revoked: Map<string, RevokedEntry>;
  crlNumber?: Uint8Array;
  authorityKeyId?: Uint8Array;
  idp?: IssuingDistributionPoint;
  /** reasons this CRL can never be used */
  problems: string[];
  /** profile MUSTs enforced only in the strict profile */
  strictProblems: string[];
}

const bad = (message: string, cause?: unknown): PkiError => new PkiError('bad-crl', message, cause === undefined ? undefined : { cause });

const CRL_EXTS = new Set<string>([EXT.CRL_NUMBER, EXT.AUTHORITY_KEY_IDENTIFIER, EXT.ISSUING_DISTRIBUTION_POINT, EXT.ISSUER_ALT_NAME, EXT.DELTA_CRL_INDICATOR, EXT.FRESHEST_CRL]);
const ENTRY_EXTS = new Set<string>([EXT.REASON_CODE, EXT.INVALIDITY_DATE, EXT.HOLD_INSTRUCTION_CODE, EXT.CERTIFICATE_ISSUER]);

interface RawExt {
  oid: string;
  critical: boolean;
  value: Uint8Array;
}

function readExtensions(b: Uint8Array, t: Tlv, what: string): RawExt[] {
  const c = DerCursor.of(b, t);
  const out: RawExt[] = [];
  while (!c.done) {
    const e = DerCursor.of(b, c.take(TAG.SEQUENCE, `${what} Extension`));
    const oid = decodeOid(contentOf(b, e.take(TAG.OID, `${what} extnID`)), `${what} extnID`);
    const crit = e.optional(TAG.BOOLEAN, `${what} critical`);
    const critical = crit ? decodeBoolean(contentOf(b, crit), `${what} critical`) : false;
    const value = contentOf(b, e.take(TAG.OCTET_STRING, `${what} extnValue`));
    e.finish(`${what} Extension`);
    out.push({ oid, critical, value });
  }
  if (!out.length) throw bad(`crl: empty ${what} extensions`);
  return out;
}

function parseIdp(v: Uint8Array): IssuingDistributionPoint {
  const c = DerCursor.of(v, parseOne(v, TAG.SEQUENCE, 'issuingDistributionPoint'));
  const idp: IssuingDistributionPoint = { onlyUserCerts: false, onlyCaCerts: false, onlySomeReasons: false, indirect: false, onlyAttributeCerts: false };
  const dp = c.optional(0xa0, 'distributionPoint');
  if (dp) {
    const nc = DerCursor.of(v, dp);
    const choice = nc.next('DistributionPointName');
    nc.finish('DistributionPointName');
    if (choice.tag === 0xa0) {
      const names: GeneralName[] = [];
      const gc = DerCursor.of(v, choice);
      while (!gc.done) names.push(parseGeneralName(v, gc.next('fullName'), 'fullName'));
      if (!names.length) throw bad('crl: issuingDistributionPoint fullName is empty');
      idp.fullName = names;
    } else if (choice.tag === 0xa1) idp.relativeName = true;
    else throw bad('crl: issuingDistributionPoint has an unknown DistributionPointName form');
  }
  const flag = (tag: number, what: string) => {
    const t = c.optional(tag, what);
    return t ? decodeBoolean(contentOf(v, t), what) : false;
  };
  idp.onlyUserCerts = flag(0x81, 'onlyContainsUserCerts');
  idp.onlyCaCerts = flag(0x82, 'onlyContainsCACerts');
  const reasons = c.optional(0x83, 'onlySomeReasons');
  if (reasons) {
    decodeBitString(contentOf(v, reasons), 'onlySomeReasons');
    idp.onlySomeReasons = true;
  }
  idp.indirect = flag(0x84, 'indirectCRL');
  idp.onlyAttributeCerts = flag(0x85, 'onlyContainsAttributeCerts');
  c.finish('issuingDistributionPoint');
  if (idp.onlyUserCerts && idp.onlyCaCerts) throw bad('crl: issuingDistributionPoint asserts both onlyContainsUserCerts and onlyContainsCACerts');
  return idp;
}

/**
 * Parses a DER CRL. Throws `PkiError('bad-crl')` when it cannot be read. With `strict`, the
 * encoding rules of the TBSCertList profile are part of reading it: thisUpdate/nextUpdate
 * before 2050 must be UTCTime (RFC 5280 §5.1.2.4-5) and nextUpdate must be present (§5.1.2.5).
 */
export function parseCrl(der: Uint8Array, opts: { strict?: boolean } = {}): ChainCrl {
  try {
    return parseUnchecked(der, !!opts.strict);
  } catch (e) {
    if (e instanceof PkiError && e.code === 'bad-crl') throw e;
    throw bad(`crl: not a valid CRL (${(e as Error).message})`, e);
  }
}

function parseUnchecked(der: Uint8Array, strict: boolean): ChainCrl {
  const outer = parseOne(der, TAG.SEQUENCE, 'CertificateList');
  const oc = DerCursor.of(der, outer);
  const tbsT = oc.take(TAG.SEQUENCE, 'tbsCertList');
  const sigAlg = readAlgorithmId(der, oc.next('signatureAlgorithm'), 'signatureAlgorithm');
  const sig = decodeBitString(contentOf(der, oc.take(TAG.BIT_STRING, 'signatureValue')), 'signatureValue');
  oc.finish('CertificateList');

  const c = DerCursor.of(der, tbsT);
  let version: 1 | 2 = 1;
  const vT = c.optional(TAG.INTEGER, 'version');
  if (vT) {
    const v = contentOf(der, vT);
    if (v.length !== 1 || v[0] !== 1) throw bad('crl: version must be v2 when present (RFC 5280 §5.1.2.1)');
    version = 2;
  }
  const innerAlg = readAlgorithmId(der, c.next('signature'), 'signature');
  const issuer = parseName(der, c.next('issuer'), 'issuer');
  const form: { misencoded?: boolean } = {};
  const thisUpdate = readTime(c, 'thisUpdate', form);
  let nextUpdate: number | undefined;
  if (c.peek() === TAG.UTC_TIME || c.peek() === TAG.GENERALIZED_TIME) nextUpdate = readTime(c, 'nextUpdate', form);
  if (strict && form.misencoded) throw bad('crl: thisUpdate/nextUpdate before 2050 must be UTCTime (RFC 5280 §5.1.2.4)');
  if (strict && nextUpdate === undefined) throw bad('crl: nextUpdate is missing (RFC 5280 §5.1.2.5)');
  const crl: ChainCrl = {
    der,
    tbs: rawOf(der, tbsT),
    version,
    signatureAlgorithm: sigAlg,
    signature: sig.bytes,
    issuer,
    thisUpdate,
    revoked: new Map(),
    problems: [],
    strictProblems: [],
  };
  if (nextUpdate !== undefined) crl.nextUpdate = nextUpdate;
  if (!sameBytes(innerAlg.der, sigAlg.der)) crl.problems.push('the signature algorithm inside the CRL differs from the outer one (RFC 5280 §5.1.1.2)');
  if (!issuer.rdns.length) crl.problems.push('the CRL issuer name is empty (RFC 5280 §5.1.2.3)');

  const rc = c.optional(TAG.SEQUENCE, 'revokedCertificates');
  if (rc) {
    const list = DerCursor.of(der, rc);
    while (!list.done) {
      const e = DerCursor.of(der, list.take(TAG.SEQUENCE, 'revoked certificate'));
      const serial = hex(checkInteger(contentOf(der, e.take(TAG.INTEGER, 'userCertificate')), 'userCertificate'));
      const entry: RevokedEntry = { revocationDate: readTime(e, 'revocationDate') };
      const extT = e.optional(TAG.SEQUENCE, 'crlEntryExtensions');
      e.finish('revoked certificate');
      if (extT) {
        if (version !== 2) throw bad('crl: entry extensions in a version 1 CRL');
        const seen = new Set<string>();
        for (const x of readExtensions(der, extT, 'entry')) {
          if (seen.has(x.oid)) crl.problems.push(`a CRL entry repeats extension ${extName(x.oid)}`);
          seen.add(x.oid);
          if (x.oid === EXT.REASON_CODE) {
            const t = parseOne(x.value, TAG.ENUMERATED, 'reasonCode');
            entry.reason = contentOf(x.value, t)[0] ?? 0;
          } else if (x.oid === EXT.CERTIFICATE_ISSUER) crl.problems.push('indirect CRL entries (certificateIssuer) are not supported');
          else if (!ENTRY_EXTS.has(x.oid) && x.critical) crl.problems.push(`a CRL entry has the unsupported critical extension ${x.oid} (RFC 5280 §5.3)`);
        }
      }
      if (crl.revoked.has(serial)) crl.problems.push(`serial number ${serial.replace(/^00(?=[89a-f])/, '').toUpperCase()} is listed twice`);
      crl.revoked.set(serial, entry);
    }
  }
  const extsT = c.optional(0xa0, 'crlExtensions');
  c.finish('tbsCertList');
  let sawNumber = false;
  if (extsT) {
    if (version !== 2) throw bad('crl: extensions in a version 1 CRL (RFC 5280 §5.1.2.1)');
    const ec = DerCursor.of(der, extsT);
    const exts = readExtensions(der, ec.take(TAG.SEQUENCE, 'crlExtensions'), 'CRL');
    ec.finish('crlExtensions');
    const seen = new Set<string>();
    for (const x of exts) {
      if (seen.has(x.oid)) crl.problems.push(`CRL extension ${extName(x.oid)} appears more than once (RFC 5280 §5.2)`);
      seen.add(x.oid);
      try {
        switch (x.oid) {
          case EXT.CRL_NUMBER: {
            const n = checkInteger(contentOf(x.value, parseOne(x.value, TAG.INTEGER, 'cRLNumber')), 'cRLNumber');
            if (n[0]! & 0x80) throw bad('crl: negative cRLNumber');
            if (n.length > 21) crl.strictProblems.push('cRLNumber is longer than 20 octets (RFC 5280 §5.2.3)');
            crl.crlNumber = n;
            sawNumber = true;
            if (x.critical) crl.strictProblems.push('cRLNumber is marked critical (RFC 5280 §5.2.3)');
            break;
          }
          case EXT.AUTHORITY_KEY_IDENTIFIER: {
            const ac = DerCursor.of(x.value, parseOne(x.value, TAG.SEQUENCE, 'authorityKeyIdentifier'));
            const kid = ac.optional(0x80, 'keyIdentifier');
            if (kid) crl.authorityKeyId = contentOf(x.value, kid);
            break;
          }
          case EXT.ISSUING_DISTRIBUTION_POINT:
            crl.idp = parseIdp(x.value);
            break;
          case EXT.DELTA_CRL_INDICATOR:
            crl.problems.push('delta CRLs are not supported');
            break;
          default:
            if (!CRL_EXTS.has(x.oid) && x.critical) crl.problems.push(`the CRL has the unsupported critical extension ${x.oid} (RFC 5280 §5.2)`);
        }
      } catch (err) {
        throw bad(`crl: malformed ${extName(x.oid)} extension (${(err as Error).message})`, err);
      }
    }
  }
  if (!sawNumber) crl.strictProblems.push('the CRL has no cRLNumber (RFC 5280 §5.2.3)');
  const idp = crl.idp;
  if (idp) {
    if (idp.indirect) crl.problems.push('indirect CRLs are not supported');
    if (idp.onlySomeReasons) crl.problems.push('CRLs partitioned by reason (onlySomeReasons) are not supported');
    if (idp.onlyAttributeCerts) crl.problems.push('the CRL only covers attribute certificates');
    if (idp.relativeName) crl.problems.push('issuingDistributionPoint nameRelativeToCRLIssuer is not supported');
  }
  return crl;
}

/** A serial number as IOS prints it: upper-case hex without the sign octet. */
function serialText(serial: Uint8Array): string {
  return hex(serial.length > 1 && serial[0] === 0 ? serial.subarray(1) : serial).toUpperCase();
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/** Why the CRL does not cover `cert` (RFC 5280 §6.3.3 (b)), or null. */
function scopeProblem(crl: ChainCrl, cert: ChainCert): string | null {
  const idp = crl.idp;
  if (!idp) return null;
  const ca = !!cert.basicConstraints?.ca;
  if (idp.onlyUserCerts && ca) return 'the CRL only covers end-entity certificates';
  if (idp.onlyCaCerts && !ca) return 'the CRL only covers CA certificates';
  if (idp.fullName) {
    const dps = cert.crlDistributionPoints ?? [];
    const names = dps.flatMap((d) => d.fullName ?? []);
    const hit = idp.fullName.some((a) => names.some((b) => sameBytes(a.raw, b.raw)));
    if (!hit) return "the CRL's issuingDistributionPoint does not match the certificate's cRLDistributionPoints";
  }
  return null;
}

/**
 * The revocation status of one certificate; `unsupported` marks an unknown status caused only by
 * a CRL signature algorithm the verifier does not support.
 */
export type RevocationStatus = { status: 'good' } | { status: 'revoked'; reason: string } | { status: 'unknown'; reason: string; unsupported?: boolean };

/** Inputs of `checkRevocation`. */
export interface RevocationInput {
  cert: ChainCert;
  /** the CA that issued `cert` (its key must have signed the CRL) */
  issuer: ChainCert;
  crls: readonly ChainCrl[];
  /** seconds since the epoch */
  time: number;
  verify: VerifyFn;
  strict?: boolean;
}

const REASONS = ['unspecified', 'keyCompromise', 'cACompromise', 'affiliationChanged', 'superseded', 'cessationOfOperation', 'certificateHold', '', 'removeFromCRL', 'privilegeWithdrawn', 'aACompromise'];

/**
 * RFC 5280 §6.3.3 for one certificate against the supplied CRLs: `revoked` if any usable CRL
 * lists its serial number, `good` if at least one usable CRL covers it, otherwise `unknown`
 * with the reason the best candidate was not usable.
 */
export async function checkRevocation(input: RevocationInput): Promise<RevocationStatus> {
  const { cert, issuer, time } = input;
  const candidates = input.crls.filter((c) => c.issuer.key === cert.issuer.key);
  if (!candidates.length) return { status: 'unknown', reason: `the revocation status of ${cert.label} is unknown: no CRL from ${formatName(cert.issuer)} was supplied` };
  let usable = 0;
  let why = '';
  let unsupported = false;
  const serial = hex(cert.serial);
  for (const crl of candidates) {
    const problem =
      crl.problems[0] ??
      (input.strict ? crl.strictProblems[0] : undefined) ??
      scopeProblem(crl, cert) ??
      (crl.thisUpdate > time ? `the CRL is not valid before ${formatTime(crl.thisUpdate)}` : null) ??
      (crl.nextUpdate !== undefined && crl.nextUpdate < time ? `the CRL expired at ${formatTime(crl.nextUpdate)}` : null) ??
      (issuer.keyUsage !== undefined && !(issuer.keyUsage & (1 << KEY_USAGE_BITS.cRLSign)) ? `the keyUsage of ${issuer.label} does not assert cRLSign (RFC 5280 §6.3.3 (f))` : null) ??
      (crl.authorityKeyId && issuer.subjectKeyId && !sameBytes(crl.authorityKeyId, issuer.subjectKeyId) ? `the CRL was issued by a different key of ${issuer.label}` : null);
    if (problem) {
      why = problem;
      continue;
    }
    const sig = await checkSignature(input.verify, crl.signatureAlgorithm, issuer.spki, crl.tbs, crl.signature);
    if (!sig.ok) {
      why = `${sig.reason} with the key of ${issuer.label}`;
      unsupported ||= sig.unsupported;
      continue;
    }
    usable++;
    const entry = crl.revoked.get(serial);
    if (entry) {
      const reason = entry.reason !== undefined && REASONS[entry.reason] ? `, reason ${REASONS[entry.reason]}` : '';
      return { status: 'revoked', reason: `certificate ${cert.label} (serial ${serialText(cert.serial)}) was revoked at ${formatTime(entry.revocationDate)}${reason}` };
    }
  }
  if (usable) return { status: 'good' };
  const out: RevocationStatus = { status: 'unknown', reason: `the revocation status of ${cert.label} is unknown: ${why}` };
  if (unsupported) out.unsupported = true;
  return out;
}
