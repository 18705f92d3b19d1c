/**
 * Certificate revocation lists (RFC 5280 §5) and the revocation check of §6.3 — what
 * `revocation-check crl`, NIST PKITS 4.4/4.5/4.14/4.15 and the x509-limbo `has-crl` cases need.
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
 * `checkRevocation` is RFC 5280 §6.3.3 in full: each distribution point of the certificate (or
 * the issuer's own CRL) is matched against the complete CRLs by issuer (cRLIssuer and indirect
 * CRLs, whose entries carry certificateIssuer) and scope (distribution point names, also
 * nameRelativeToCRLIssuer; onlyContainsUserCerts/CACerts/AttributeCerts; onlySomeReasons with
 * the reasons mask, so partitioned CRLs must cover every reason together); the CRL's signer may
 * be any certificate of the CRL issuer with cRLSign and a valid path to the same trust anchor
 * (key rollover via self-issued certificates, separate certificate and CRL keys); a current delta
 * CRL of the same scope is applied on top (removeFromCRL lifts a certificateHold). A CRL with an
 * unknown critical extension (CRL or entry), outside thisUpdate..nextUpdate, or with a bad
 * signature is not used, and says why. Large CRLs can be indexed by the core
 * (`ParseCrlOptions.serialIndex`).
 */
import type { VerifyFn } from '../../crypto/types.ts';
import { PkiError } from '../../util/errors.ts';
import { CRL_STRIDE } from '../../core/ops/der.ts';
import { checkInteger, contentOf, DerCursor, decodeBitString, decodeBoolean, decodeOid, decodeTime, hex, parseOne, rawOf, readTime, TAG, type Tlv } from './_der.ts';
import { decodeReasonFlags, formatTime, readAlgorithmId, readDistributionPointName, type AlgorithmId, type ChainCert } from './cert.ts';
import { appendRdnKey, formatName, parseGeneralNames, parseName, type Ava, type GeneralName, type Name } from './name.ts';
import { EXT, extName, KEY_USAGE_BITS } from './oids.ts';
import { checkSignature } from './signature.ts';

/** One revoked certificate entry. */
export interface RevokedEntry {
  revocationDate: number;
  reason?: number;
  /** the certificate issuer's name key when an indirect CRL names one (certificateIssuer, RFC 5280 §5.3.3) */
  issuerKey?: string;
}

/** The revoked entries, by key (see `ChainCrl.revoked`): a `Map`, or the index of a large CRL. */
export interface RevokedList {
  readonly size: number;
  get(key: string): RevokedEntry | undefined;
  has(key: string): boolean;
  keys(): IterableIterator<string>;
  entries(): IterableIterator<[string, RevokedEntry]>;
}

/** The issuingDistributionPoint extension (RFC 5280 §5.2.5). */
export interface IssuingDistributionPoint {
  fullName?: GeneralName[];
  relativeName?: Ava[];
  onlyUserCerts: boolean;
  onlyCaCerts: boolean;
  /** onlySomeReasons as a mask (bit n = 1 << n), absent = all reasons */
  onlySomeReasons?: number;
  indirect: boolean;
  onlyAttributeCerts: boolean;
  /** the extension value, to tell whether a delta CRL has the same scope as a complete one */
  der: Uint8Array;
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
  /**
   * Revoked certificates: lower-case hex of the serial INTEGER content → entry; entries an
   * indirect CRL files under another certificate issuer are keyed `issuerKey#serial`.
   */
  revoked: RevokedList;
  crlNumber?: Uint8Array;
  /** deltaCRLIndicator (BaseCRLNumber): this is a delta CRL (RFC 5280 §5.2.4) */
  deltaBase?: Uint8Array;
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
  const idp: IssuingDistributionPoint = { onlyUserCerts: false, onlyCaCerts: false, indirect: false, onlyAttributeCerts: false, der: v };
  const dp = c.optional(0xa0, 'distributionPoint');
  if (dp) Object.assign(idp, readDistributionPointName(v, dp));
  const flag = (tag: number, what: string) => {
    const t = c.optional(tag, what);
    return t ? decodeBoolean(contentOf(v, t), what) : false;
  };
  idp.onlyUserCerts = flag(0x81, 'onlyContainsUserCerts');
  idp.onlyCaCerts = flag(0x82, 'onlyContainsCACerts');
  const reasons = c.optional(0x83, 'onlySomeReasons');
  if (reasons) idp.onlySomeReasons = decodeReasonFlags(contentOf(v, reasons), 'onlySomeReasons');
  idp.indirect = flag(0x84, 'indirectCRL');
  idp.onlyAttributeCerts = flag(0x85, 'onlyContainsAttributeCerts');
  c.finish('issuingDistributionPoint');
  if (idp.onlyUserCerts && idp.onlyCaCerts) throw bad('crl: issuingDistributionPoint asserts both onlyContainsUserCerts and onlyContainsCACerts');
  return idp;
}

/** Options of `parseCrl`. */
export interface ParseCrlOptions {
  /** the strict RFC 5280 profile (see below) */
  strict?: boolean;
  /**
   * The core's `crlSerials` index of this CRL (src/core/ops/der.ts): the revoked entries are then
   * located from it instead of being walked one TLV at a time (CRLs with 100,000 entries).
   */
  serialIndex?: Uint32Array;
}

/**
 * Parses a DER CRL. Throws `PkiError('bad-crl')` when it cannot be read. With `strict`, the
 * encoding rules of the TBSCertList profile are part of reading it: thisUpdate/nextUpdate
 * before 2050 must be UTCTime (RFC 5280 §5.1.2.4-5) and nextUpdate must be present (§5.1.2.5).
 */
export function parseCrl(der: Uint8Array, opts: ParseCrlOptions = {}): ChainCrl {
  try {
    return parseUnchecked(der, !!opts.strict, opts.serialIndex);
  } catch (e) {
    if (e instanceof PkiError && e.code === 'bad-crl') throw e;
    throw bad(`crl: not a valid CRL (${(e as Error).message})`, e);
  }
}

function parseUnchecked(der: Uint8Array, strict: boolean, index?: Uint32Array): ChainCrl {
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
  const revokedMap = new Map<string, RevokedEntry>();
  const crl: ChainCrl = {
    der,
    tbs: rawOf(der, tbsT),
    version,
    signatureAlgorithm: sigAlg,
    signature: sig.bytes,
    issuer,
    thisUpdate,
    revoked: revokedMap,
    problems: [],
    strictProblems: [],
  };
  if (nextUpdate !== undefined) crl.nextUpdate = nextUpdate;
  if (!sameBytes(innerAlg.der, sigAlg.der)) crl.problems.push('the signature algorithm inside the CRL differs from the outer one (RFC 5280 §5.1.1.2)');
  if (!issuer.rdns.length) crl.problems.push('the CRL issuer name is empty (RFC 5280 §5.1.2.3)');

  const rc = c.optional(TAG.SEQUENCE, 'revokedCertificates');
  // Entry extensions are read after the CRL extensions: an indirect CRL's certificateIssuer
  // entries only mean something once issuingDistributionPoint is known.
  // Entries are set directly while they are plain (no extension, or only the usual non-critical
  // reasonCode); from the first other extension on they wait, in order, until the CRL extensions
  // are known: an indirect CRL's certificateIssuer applies to the entries that follow it.
  const pending: { serial: string; ext: Tlv | undefined; entry: RevokedEntry }[] = [];
  const addEntry = (serial: string, entry: RevokedEntry, ext: Tlv | undefined) => {
    if (ext && version !== 2) throw bad('crl: entry extensions in a version 1 CRL');
    if (!pending.length) {
      const reason = ext ? plainReason(der, ext) : -1;
      if (!ext || reason >= 0) {
        if (ext) entry.reason = reason;
        if (revokedMap.has(serial)) crl.problems.push(`serial number ${serialLabel(serial)} is listed twice`);
        revokedMap.set(serial, entry);
        return;
      }
    }
    pending.push({ serial, ext, entry });
  };
  if (rc && index) {
    // Fast path: the core located serials and dates; entries are looked up in the index (a
    // hash of the serial octets), dates decoded when asked for. An entry with anything but a
    // plain reasonCode (an indirect CRL, unusual extensions) sends the CRL down the long way.
    const fast = IndexedRevoked.build(der, index, rc.end);
    if (!fast) return parseUnchecked(der, strict);
    if (fast.duplicate) crl.problems.push(`serial number ${serialLabel(fast.duplicate)} is listed twice`);
    if (fast.size && version !== 2 && fast.hasExtensions) throw bad('crl: entry extensions in a version 1 CRL');
    crl.revoked = fast;
  } else if (rc) {
    const list = DerCursor.of(der, rc);
    while (!list.done) {
      const e = DerCursor.of(der, list.take(TAG.SEQUENCE, 'revoked certificate'));
      const serial = hex(checkInteger(contentOf(der, e.take(TAG.INTEGER, 'userCertificate')), 'userCertificate'));
      const entry: RevokedEntry = { revocationDate: readTime(e, 'revocationDate') };
      const extT = e.optional(TAG.SEQUENCE, 'crlEntryExtensions');
      e.finish('revoked certificate');
      addEntry(serial, entry, extT);
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
          case EXT.DELTA_CRL_INDICATOR: {
            const n = checkInteger(contentOf(x.value, parseOne(x.value, TAG.INTEGER, 'BaseCRLNumber')), 'BaseCRLNumber');
            if (n[0]! & 0x80) throw bad('crl: negative BaseCRLNumber');
            crl.deltaBase = n;
            if (!x.critical) crl.problems.push('deltaCRLIndicator is not marked critical (RFC 5280 §5.2.4)');
            break;
          }
          default:
            if (!CRL_EXTS.has(x.oid) && x.critical) crl.problems.push(`the CRL has the unsupported critical extension ${x.oid} (RFC 5280 §5.2)`);
        }
      } catch (err) {
        throw bad(`crl: malformed ${extName(x.oid)} extension (${(err as Error).message})`, err);
      }
    }
  }
  if (!sawNumber) crl.strictProblems.push('the CRL has no cRLNumber (RFC 5280 §5.2.3)');
  if (crl.deltaBase && !sawNumber) crl.problems.push('a delta CRL without cRLNumber (RFC 5280 §5.2.4)');
  if (crl.idp?.onlyAttributeCerts) crl.problems.push('the CRL only covers attribute certificates');
  // Entries with extensions, in order: certificateIssuer changes the issuer of this and the
  // following entries of an indirect CRL (RFC 5280 §5.3.3).
  let entryIssuer: string | undefined;
  for (const { serial, ext, entry } of pending) {
    const seen = new Set<string>();
    for (const x of ext ? readExtensions(der, ext, 'entry') : []) {
      if (seen.has(x.oid)) crl.problems.push(`a CRL entry repeats extension ${extName(x.oid)}`);
      seen.add(x.oid);
      try {
        if (x.oid === EXT.REASON_CODE) {
          const t = parseOne(x.value, TAG.ENUMERATED, 'reasonCode');
          entry.reason = contentOf(x.value, t)[0] ?? 0;
        } else if (x.oid === EXT.CERTIFICATE_ISSUER) {
          if (!crl.idp?.indirect) crl.problems.push('a CRL entry names a certificateIssuer, but the CRL is not an indirect CRL (RFC 5280 §5.3.3)');
          const names = parseGeneralNames(x.value, parseOne(x.value, TAG.SEQUENCE, 'certificateIssuer'), 'certificateIssuer');
          const dn = names.find((g) => g.type === 'dn');
          entryIssuer = dn && dn.type === 'dn' ? dn.name.key : `#${hex(x.value)}`;
          if (entryIssuer === issuer.key) entryIssuer = undefined;
        } else if (!ENTRY_EXTS.has(x.oid) && x.critical) crl.problems.push(`a CRL entry has the unsupported critical extension ${x.oid} (RFC 5280 §5.3)`);
      } catch (err) {
        if (err instanceof PkiError && err.code === 'bad-crl') throw err;
        throw bad(`crl: malformed entry extension ${extName(x.oid)} (${(err as Error).message})`, err);
      }
    }
    if (entryIssuer) entry.issuerKey = entryIssuer;
    const key = entryIssuer ? `${entryIssuer}#${serial}` : serial;
    if (revokedMap.has(key)) crl.problems.push(`serial number ${serialLabel(serial)} is listed twice`);
    revokedMap.set(key, entry);
  }
  return crl;
}

/** `crlEntryExtensions` holding just a non-critical reasonCode: 30 0c 30 0a 06 03 55 1d 15 04 03 0a 01 RR. */
const PLAIN_REASON = [0x30, 0x0c, 0x30, 0x0a, 0x06, 0x03, 0x55, 0x1d, 0x15, 0x04, 0x03, 0x0a, 0x01];

/** The reason code of such extensions, or -1 when they are anything else (read the long way). */
function plainReason(der: Uint8Array, t: Tlv): number {
  return t.end - t.start === PLAIN_REASON.length + 1 ? plainReasonAt(der, t.start) : -1;
}

/** The same for extensions starting at `at` (the caller checked that 14 bytes are there). */
function plainReasonAt(der: Uint8Array, at: number): number {
  for (let i = 0; i < PLAIN_REASON.length; i++) if (der[at + i] !== PLAIN_REASON[i]) return -1;
  return der[at + PLAIN_REASON.length]!;
}

const NO_REASON = 0xff;

/**
 * The revoked entries of a CRL indexed by the core's `crlSerials`: no per-entry objects, strings
 * or dates until asked for — a 100,000-entry CRL is ready in a few milliseconds. Lookups hash
 * the serial's octets (FNV-1a) and compare bytes on a hit.
 */
class IndexedRevoked implements RevokedList {
  readonly size: number;
  duplicate: string | undefined;
  hasExtensions = false;
  /** open hash table: bucket (FNV-1a of the serial & mask) → first entry, then `chain` */
  private readonly heads: Int32Array;
  private readonly mask: number;
  private readonly chain: Int32Array;
  private readonly reasons: Uint8Array;

  private constructor(
    private readonly der: Uint8Array,
    private readonly index: Uint32Array,
  ) {
    this.size = Math.floor(index.length / CRL_STRIDE);
    let cap = 16;
    while (cap < this.size * 2) cap *= 2;
    this.heads = new Int32Array(cap).fill(-1);
    this.mask = cap - 1;
    this.chain = new Int32Array(this.size).fill(-1);
    this.reasons = new Uint8Array(this.size).fill(NO_REASON);
  }

  /** Builds the index, or undefined when an entry needs the full reader. */
  static build(der: Uint8Array, index: Uint32Array, limit: number): IndexedRevoked | undefined {
    const r = new IndexedRevoked(der, index);
    for (let i = 0; i < r.size; i++) {
      const o = i * CRL_STRIDE;
      const tag = index[o + 2]!;
      const dEnd = index[o + 3]! + index[o + 4]!;
      if (index[o + 4]! !== (tag === TAG.UTC_TIME ? 13 : 15) || der[dEnd - 1] !== 0x5a) throw bad('crl: malformed revocationDate');
      // The next entry's SEQUENCE starts with its INTEGER serial; extensions start with a SEQUENCE.
      if (dEnd < limit && der[dEnd] === TAG.SEQUENCE && der[dEnd + (der[dEnd + 1]! < 0x80 ? 2 : 2 + (der[dEnd + 1]! & 0x7f))] === TAG.SEQUENCE) {
        const reason = dEnd + PLAIN_REASON.length < limit ? plainReasonAt(der, dEnd) : -1;
        if (reason < 0) return undefined;
        r.reasons[i] = reason;
        r.hasExtensions = true;
      }
      const off = index[o]!;
      const len = index[o + 1]!;
      const slot = fnv(der, off, len) & r.mask;
      const head = r.heads[slot]!;
      for (let j = head; j >= 0; j = r.chain[j]!) if (r.sameSerial(j, der, off, len)) r.duplicate ??= r.keyOf(i);
      r.chain[i] = head;
      r.heads[slot] = i;
    }
    return r;
  }

  private sameSerial(j: number, b: Uint8Array, off: number, len: number): boolean {
    const o = j * CRL_STRIDE;
    if (this.index[o + 1] !== len) return false;
    const jo = this.index[o]!;
    for (let k = 0; k < len; k++) if (this.der[jo + k] !== b[off + k]) return false;
    return true;
  }

  private find(key: string): number {
    if (key.length % 2 || key.includes('#')) return -1;
    const b = new Uint8Array(key.length / 2);
    for (let k = 0; k < b.length; k++) b[k] = parseInt(key.slice(2 * k, 2 * k + 2), 16);
    for (let j = this.heads[fnv(b, 0, b.length) & this.mask]!; j >= 0; j = this.chain[j]!) if (this.sameSerial(j, b, 0, b.length)) return j;
    return -1;
  }

  private keyOf(i: number): string {
    const o = i * CRL_STRIDE;
    return hex(this.der.subarray(this.index[o]!, this.index[o]! + this.index[o + 1]!));
  }

  private entryOf(i: number): RevokedEntry {
    const o = i * CRL_STRIDE;
    const e: RevokedEntry = { revocationDate: decodeTime(this.index[o + 2]!, this.der.subarray(this.index[o + 3]!, this.index[o + 3]! + this.index[o + 4]!), 'revocationDate') };
    if (this.reasons[i] !== NO_REASON) e.reason = this.reasons[i]!;
    return e;
  }

  get(key: string): RevokedEntry | undefined {
    const i = this.find(key);
    return i < 0 ? undefined : this.entryOf(i);
  }

  has(key: string): boolean {
    return this.find(key) >= 0;
  }

  *keys(): IterableIterator<string> {
    for (let i = 0; i < this.size; i++) yield this.keyOf(i);
  }

  *entries(): IterableIterator<[string, RevokedEntry]> {
    for (let i = 0; i < this.size; i++) yield [this.keyOf(i), this.entryOf(i)];
  }
}

function fnv(b: Uint8Array, off: number, len: number): number {
  let h = 0x811c9dc5;
  for (let k = 0; k < len; k++) h = Math.imul(h ^ b[off + k]!, 0x01000193);
  return h >>> 0;
}

function serialLabel(serial: string): string {
  return serial.replace(/^00(?=[89a-f])/, '').toUpperCase();
}

/** A serial number as IOS prints it: upper-case hex without the sign octet. */
function serialText(serial: Uint8Array): string {
  return hex(serial.length > 1 && serial[0] === 0 ? serial.subarray(1) : serial).toUpperCase();
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/** The reasons of RFC 5280 §5.3.1 that ReasonFlags can name (bits 1..8): "all-reasons". */
const ALL_REASONS = 0x1fe;

/** A distribution point as §6.3.3 walks them: the certificate's, or one standing for "the issuer's CRL". */
interface Dp {
  fullName?: GeneralName[];
  relativeName?: Ava[];
  reasons?: number;
  crlIssuer?: GeneralName[];
}

/** A GeneralName's comparison key (directory names compared as RFC 5280 §7.1 says). */
function nameKey(g: GeneralName): string {
  return g.type === 'dn' ? `dn:${g.name.key}` : `raw:${hex(g.raw)}`;
}

/** The names of a DistributionPointName; a relative name is appended to each of `bases`. */
function dpNames(full: GeneralName[] | undefined, rel: Ava[] | undefined, bases: readonly Name[]): Set<string> {
  const out = new Set<string>();
  for (const g of full ?? []) out.add(nameKey(g));
  if (rel) for (const b of bases) out.add(`dn:${appendRdnKey(b, rel)}`);
  return out;
}

const dnNames = (gs: readonly GeneralName[] | undefined): Name[] => (gs ?? []).flatMap((g) => (g.type === 'dn' ? [g.name] : []));

/** Why `crl` is not the CRL of distribution point `dp` for `cert` (RFC 5280 §6.3.3 (b)), or null. */
function scopeProblem(crl: ChainCrl, cert: ChainCert, dp: Dp): string | null {
  // (b)(1): the CRL issuer
  if (dp.crlIssuer) {
    if (!dnNames(dp.crlIssuer).some((n) => n.key === crl.issuer.key)) return `the CRL issuer ${formatName(crl.issuer)} is not the cRLIssuer of the distribution point`;
    if (!crl.idp?.indirect) return 'the distribution point names a cRLIssuer, but the CRL is not an indirect CRL';
  } else if (crl.issuer.key !== cert.issuer.key) return `the CRL was issued by ${formatName(crl.issuer)}, not by the certificate's issuer`;
  const idp = crl.idp;
  if (!idp) return null;
  // (b)(2)(i): the distribution point names
  if (idp.fullName || idp.relativeName) {
    const mine = dpNames(idp.fullName, idp.relativeName, [crl.issuer]);
    let theirs: Set<string>;
    if (dp.fullName || dp.relativeName) theirs = dpNames(dp.fullName, dp.relativeName, dp.crlIssuer ? dnNames(dp.crlIssuer) : [cert.issuer]);
    else if (dp.crlIssuer) theirs = new Set(dp.crlIssuer.map(nameKey));
    else theirs = new Set([`dn:${cert.issuer.key}`]);
    if (![...mine].some((k) => theirs.has(k))) return "the CRL's issuingDistributionPoint does not match the certificate's cRLDistributionPoints";
  }
  // (b)(2)(ii)-(iv)
  const ca = !!cert.basicConstraints?.ca;
  if (idp.onlyUserCerts && ca) return 'the CRL only covers end-entity certificates';
  if (idp.onlyCaCerts && !ca) return 'the CRL only covers CA certificates';
  if (idp.onlyAttributeCerts) return 'the CRL only covers attribute certificates';
  return null;
}

/**
 * The revocation status of one certificate; `unsupported` marks an unknown status caused only by
 * a CRL signature algorithm the verifier does not support.
 */
export type RevocationStatus = { status: 'good' } | { status: 'revoked'; reason: string } | { status: 'unknown'; reason: string; unsupported?: boolean };

/**
 * How a CRL's signer is found and trusted (RFC 5280 §6.3.3 (f)): the CRL may be signed by the
 * certificate's issuer, by another key of the same CA (key rollover, a separate CRL signing key)
 * or, for an indirect CRL, by another authority; each needs a valid path to the same anchor.
 */
export interface CrlSigners {
  /** candidate signers whose subject is `name`, most likely first */
  candidates(name: Name, crl: ChainCrl): readonly ChainCert[];
  /** null when `signer` has a valid path to the trust anchor, else why not */
  validate(signer: ChainCert): Promise<string | null>;
}

/** Inputs of `checkRevocation`. */
export interface RevocationInput {
  cert: ChainCert;
  /** the CA that issued `cert` in the path (the first candidate CRL signer) */
  issuer: ChainCert;
  crls: readonly ChainCrl[];
  /** seconds since the epoch */
  time: number;
  verify: VerifyFn;
  strict?: boolean;
  /** other CRL signers; without it only `issuer` may sign the CRLs */
  signers?: CrlSigners;
}

const REASONS = ['unspecified', 'keyCompromise', 'cACompromise', 'affiliationChanged', 'superseded', 'cessationOfOperation', 'certificateHold', '', 'removeFromCRL', 'privilegeWithdrawn', 'aACompromise'];
const REMOVE_FROM_CRL = 8;

function compareUint(a: Uint8Array, b: Uint8Array): number {
  const strip = (x: Uint8Array) => {
    let i = 0;
    while (i < x.length - 1 && x[i] === 0) i++;
    return x.subarray(i);
  };
  const x = strip(a);
  const y = strip(b);
  if (x.length !== y.length) return x.length - y.length;
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return x[i]! - y[i]!;
  return 0;
}

/**
 * RFC 5280 §6.3.3 for one certificate against the supplied CRLs: every distribution point of the
 * certificate (or the issuer's own CRL when it names none) is tried until the CRLs used cover all
 * reasons; complete CRLs are matched by issuer and scope (indirect CRLs, cRLIssuer,
 * nameRelativeToCRLIssuer, onlySome/onlyContains…), their signer is found and validated, a
 * current delta CRL for the same scope is applied (removeFromCRL lifts a hold), and a listed
 * serial number means `revoked`. `good` once all reasons are covered; otherwise `unknown` with
 * the reason the most promising CRL could not be used.
 */
export async function checkRevocation(input: RevocationInput): Promise<RevocationStatus> {
  const { cert, issuer, time } = input;
  const dps: Dp[] = cert.crlDistributionPoints?.length ? cert.crlDistributionPoints : [{}];
  const complete = input.crls.filter((c) => !c.deltaBase);
  const deltas = input.crls.filter((c) => c.deltaBase);
  const serial = hex(cert.serial);
  let mask = 0;
  let why = '';
  let unsupported = false;
  let sawCandidate = false;
  const signerOf = new Map<ChainCrl, ChainCert | string>();

  /** The validated signer of `crl`, or why there is none. */
  const findSigner = async (crl: ChainCrl): Promise<ChainCert | string> => {
    const hit = signerOf.get(crl);
    if (hit) return hit;
    const cands = crl.issuer.key === issuer.subject.key ? [issuer, ...(input.signers?.candidates(crl.issuer, crl) ?? []).filter((c) => c !== issuer)] : [...(input.signers?.candidates(crl.issuer, crl) ?? [])];
    let reason = `no certificate of the CRL issuer ${formatName(crl.issuer)} was found`;
    let out: ChainCert | string | undefined;
    for (const s of cands) {
      if (s.keyUsage !== undefined && !(s.keyUsage & (1 << KEY_USAGE_BITS.cRLSign))) {
        reason = `the keyUsage of ${s.label} does not assert cRLSign (RFC 5280 §6.3.3 (f))`;
        continue;
      }
      const sig = await checkSignature(input.verify, crl.signatureAlgorithm, s.spki, crl.tbs, crl.signature);
      if (!sig.ok) {
        reason = `the CRL signature does not verify with the key of ${s.label}${sig.unsupported ? ` (${sig.reason})` : ''}`;
        if (sig.unsupported) unsupported = true;
        continue;
      }
      const v = s === issuer ? null : await (input.signers?.validate(s) ?? Promise.resolve('no path'));
      if (v) {
        reason = `the CRL signer ${s.label} is not valid: ${v}`;
        continue;
      }
      out = s;
      break;
    }
    out ??= reason;
    signerOf.set(crl, out);
    return out;
  };

  const usable = (crl: ChainCrl): string | null =>
    crl.problems[0] ??
    (input.strict ? crl.strictProblems[0] : undefined) ??
    (crl.thisUpdate > time ? `the CRL is not valid before ${formatTime(crl.thisUpdate)}` : null) ??
    (crl.nextUpdate !== undefined && crl.nextUpdate < time ? `the CRL expired at ${formatTime(crl.nextUpdate)} (stale)` : null);

  const lookup = (crl: ChainCrl): RevokedEntry | undefined =>
    crl.issuer.key === cert.issuer.key && !crl.idp?.indirect ? crl.revoked.get(serial) : crl.revoked.get(crl.issuer.key === cert.issuer.key ? serial : `${cert.issuer.key}#${serial}`);

  for (const dp of dps) {
    if (mask === ALL_REASONS) break;
    for (const crl of complete) {
      if (mask === ALL_REASONS) break;
      const scope = scopeProblem(crl, cert, dp);
      if (scope) {
        if (!why && (crl.issuer.key === cert.issuer.key || dp.crlIssuer)) why = scope;
        continue;
      }
      sawCandidate = true;
      // (d), (e): the reasons this CRL covers for this distribution point
      const interim = (crl.idp?.onlySomeReasons ?? ALL_REASONS) & (dp.reasons ?? ALL_REASONS) & ALL_REASONS;
      if (!(interim & ~mask)) continue;
      const p = usable(crl);
      if (p) {
        why = p;
        continue;
      }
      const signer = await findSigner(crl);
      if (typeof signer === 'string') {
        why = signer;
        continue;
      }
      // (c), (h): a delta CRL of the same scope and signer, based on this one or an older one
      let delta: ChainCrl | undefined;
      let deltaWhy = '';
      for (const d of deltas) {
        if (d.issuer.key !== crl.issuer.key || !sameBytes(d.idp?.der ?? new Uint8Array(), crl.idp?.der ?? new Uint8Array())) continue;
        if (!crl.crlNumber || compareUint(d.deltaBase!, crl.crlNumber) > 0) continue;
        if (d.crlNumber && compareUint(d.crlNumber, crl.crlNumber) <= 0) continue;
        const dp2 = usable(d);
        if (dp2) {
          deltaWhy = `its delta CRL cannot be used: ${dp2}`;
          continue;
        }
        const sig = await checkSignature(input.verify, d.signatureAlgorithm, signer.spki, d.tbs, d.signature);
        if (!sig.ok) {
          deltaWhy = `its delta CRL cannot be used: the signature does not verify with the key of ${signer.label}`;
          continue;
        }
        if (!delta || compareUint(d.crlNumber ?? new Uint8Array([0]), delta.crlNumber ?? new Uint8Array([0])) > 0) delta = d;
      }
      if (!delta && deltaWhy) {
        why = deltaWhy;
        continue;
      }
      // (i)-(k)
      let entry = delta ? lookup(delta) : undefined;
      if (entry?.reason === REMOVE_FROM_CRL) entry = undefined;
      else entry ??= lookup(crl);
      if (entry && entry.reason !== REMOVE_FROM_CRL) {
        const reason = entry.reason !== undefined && REASONS[entry.reason] ? `, reason ${REASONS[entry.reason]}` : '';
        return { status: 'revoked', reason: `certificate ${cert.label} (serial ${serialText(cert.serial)}) was revoked at ${formatTime(entry.revocationDate)}${reason}` };
      }
      mask |= interim;
    }
  }
  if (mask === ALL_REASONS) return { status: 'good' };
  if (!why)
    why = sawCandidate
      ? 'the CRLs supplied do not cover all revocation reasons (RFC 5280 §6.3.3)'
      : deltas.some((d) => d.issuer.key === cert.issuer.key)
        ? `only a delta CRL from ${formatName(cert.issuer)} was supplied, and a delta CRL is usable only with its complete CRL (RFC 5280 §5.2.4)`
        : `no CRL from ${formatName(cert.issuer)} was supplied`;
  else if (mask) why = `the CRLs supplied do not cover all revocation reasons (${why})`;
  const out: RevocationStatus = { status: 'unknown', reason: `the revocation status of ${cert.label} is unknown: ${why}` };
  if (unsupported) out.unsupported = true;
  return out;
}
