/**
 * Certificate chain validation for Trustpoint (`crypto pki authenticate`, `crypto pki import`,
 * `revocation-check crl`, HTTPS CA URLs): RFC 5280 §6 path validation with RFC 4158-style path
 * building, RFC 5280 §6.3 CRL checking and RFC 6125 peer names.
 *
 * ```ts
 * const r = await validateChain({
 *   leaf, intermediates, anchors: [caDer], verify: webCryptoVerify,
 *   usages: { extKeyUsage: ['clientAuth'] }, crls: [crlDer],
 * });
 * if (!r.ok) console.log(`% ${r.reason}`);
 * ```
 *
 * Certificates and CRLs are DER. Signatures go through the `VerifyFn` seam: an algorithm the
 * verifier cannot handle fails with code `unsupported` and says which.
 *
 * Profiles: by default the checks are those that matter for the security of the path plus the
 * RFC 5280 rules every common validator enforces (signatures, validity to the second,
 * basicConstraints/pathLenConstraint, keyUsage keyCertSign, unknown critical extensions,
 * duplicate extensions, name constraints, policies, requested usages, peer names, revocation).
 * `strict: true` adds the RFC 5280 MUSTs that are requirements on CAs (x509-limbo's RFC 5280
 * profile, close to pyca/cryptography): authorityKeyIdentifier present unless self-signed,
 * subjectKeyIdentifier in CA certificates, AKI/SKI not critical, serial numbers positive and at
 * most 20 octets, UTCTime for dates before 2050, basicConstraints critical in issuing CAs,
 * policyConstraints and inhibitAnyPolicy critical, subjectAltName critical when the subject is
 * empty, keyUsage with at least one bit, no policy listed twice; for CRLs a non-critical
 * cRLNumber, a nextUpdate and UTCTime before 2050. Non-critical nameConstraints are honoured
 * in both profiles (the CA/Browser Forum exception to RFC 5280 §4.2.1.10).
 *
 * Revocation follows RFC 5280 §6.3 in full (delta, indirect and partitioned CRLs, CRL signers
 * other than the issuing key); the relying party's policy inputs of §6.1.1 are `policy`. Not
 * here: fetching anything (CRLs and OCSP are fetched by `app/revocation.ts` through
 * `enroll/transport.ts`), policy qualifiers, EKU constraints on intermediates (not in RFC 5280),
 * DSA and Ed448 signatures (WebCrypto has none; such a path fails with code `unsupported`).
 */
import type { VerifyFn } from '../../crypto/types.ts';
import { buildPath } from './build.ts';
import { parseChainCert, type ChainCert } from './cert.ts';
import { parseCrl, type ChainCrl } from './crl.ts';
import { EKU, KEY_USAGE_BITS, type KeyUsageName } from './oids.ts';
import type { PeerName } from './peer-name.ts';
import type { PolicyInputs } from './policy.ts';
import { checkLeaf, type FailureCode, type ValidationParams } from './validate.ts';

export { checkHostName, checkPeerName, parseIp, type PeerName, type PeerNameOptions } from './peer-name.ts';
export { checkRevocation, parseCrl, type ChainCrl, type RevocationInput, type RevocationStatus } from './crl.ts';
export { parseChainCert, type ChainCert } from './cert.ts';
export { formatName } from './name.ts';
export { EKU, KEY_USAGE_BITS, SIG, type KeyUsageName } from './oids.ts';
export { BUILD_LIMITS } from './build.ts';
export type { FailureCode } from './validate.ts';
export { ANY_POLICY } from './oids.ts';
export type { PolicyInputs } from './policy.ts';

/** Default bound on the number of intermediate certificates in a path. */
export const DEFAULT_MAX_DEPTH = 10;

/** Inputs of `validateChain`. */
export interface ValidateChainOptions {
  /** the certificate to validate (DER) */
  leaf: Uint8Array;
  /** untrusted certificates that may help build the path (DER, any order; extra ones are fine) */
  intermediates?: readonly Uint8Array[];
  /** trusted certificates (DER); a path ends at the first one reached */
  anchors: readonly Uint8Array[];
  /** validation time (default: now); compared at whole-second granularity */
  time?: Date;
  verify: VerifyFn;
  /** usages the leaf must allow: keyUsage bit names and extKeyUsage names or dotted OIDs */
  usages?: { keyUsage?: readonly KeyUsageName[]; extKeyUsage?: readonly string[] };
  /** name(s) the leaf must identify (all of them) */
  peerName?: PeerName | readonly PeerName[];
  /** consult the CN of a leaf without subjectAltName for DNS names (default true) */
  commonNameFallback?: boolean;
  /**
   * CRLs (DER). A non-empty list turns revocation checking on (RFC 5280 §6.3): every certificate
   * in `crlScope` must then be covered by a usable CRL from its issuer, so an unreadable or
   * unusable CRL fails closed.
   */
  crls?: readonly (Uint8Array | ChainCrl)[];
  /** check revocation even when `crls` is empty (every certificate is then "unknown") */
  revocation?: boolean;
  /** which certificates need a CRL: every one below the anchor (default) or only the leaf */
  crlScope?: 'leaf' | 'chain';
  /** maximum number of intermediate certificates (default 10) */
  maxDepth?: number;
  /** add the RFC 5280 profile MUSTs on CAs (see the module comment); default false */
  strict?: boolean;
  /** the relying party's certificate policy inputs (RFC 5280 §6.1.1 (c), (e)-(g)); defaults: any policy, nothing required */
  policy?: PolicyInputs;
  /** if given, the only signature algorithms (dotted OIDs) certificates may be signed with */
  signatureAlgorithms?: readonly string[];
  signal?: AbortSignal;
}

/** The outcome: the path (leaf first, trust anchor last) or a short reason to show after `% `. */
export type ValidateChainResult = { ok: true; path: Uint8Array[] } | { ok: false; code: FailureCode; reason: string };

const KNOWN_KU = new Set(Object.keys(KEY_USAGE_BITS));

function ekuOid(u: string): string {
  if (/^\d+(\.\d+)+$/.test(u)) return u;
  const oid = EKU[u];
  if (!oid) throw new RangeError(`validateChain: unknown extended key usage "${u}"`);
  return oid;
}

/**
 * Validates `leaf` up to one of `anchors` (RFC 5280 §6.1), building the path through
 * `intermediates`. Rejects only for misuse (unknown usage names, aborted signal); every
 * certificate problem is a `{ ok: false }` result.
 */
export async function validateChain(opts: ValidateChainOptions): Promise<ValidateChainResult> {
  const keyUsage = opts.usages?.keyUsage ?? [];
  for (const u of keyUsage) if (!KNOWN_KU.has(u)) throw new RangeError(`validateChain: unknown key usage "${u}"`);
  const extKeyUsage = (opts.usages?.extKeyUsage ?? []).map(ekuOid);
  const maxDepth = opts.maxDepth ?? DEFAULT_MAX_DEPTH;
  if (!Number.isInteger(maxDepth) || maxDepth < 0) throw new RangeError('validateChain: maxDepth must be a non-negative integer');

  let leaf: ChainCert;
  try {
    leaf = parseChainCert(opts.leaf);
  } catch (e) {
    return { ok: false, code: 'malformed', reason: (e as Error).message };
  }
  const parseAll = (list: readonly Uint8Array[]) => {
    const out: ChainCert[] = [];
    for (const der of list) {
      try {
        out.push(parseChainCert(der));
      } catch {
        // An unreadable candidate is simply not a candidate.
      }
    }
    return out;
  };
  const anchors = parseAll(opts.anchors);
  const intermediates = parseAll(opts.intermediates ?? []);
  const crls: ChainCrl[] = [];
  for (const der of opts.crls ?? []) {
    if (!(der instanceof Uint8Array)) {
      crls.push(der);
      continue;
    }
    try {
      crls.push(parseCrl(der, { strict: opts.strict ?? false }));
    } catch {
      // An unreadable CRL cannot vouch for anything; revocation stays on.
    }
  }
  const time = Math.floor((opts.time ?? new Date()).getTime() / 1000);
  const p: ValidationParams = {
    time,
    verify: opts.verify,
    strict: opts.strict ?? false,
    keyUsage,
    extKeyUsage,
    peerNames: opts.peerName === undefined ? [] : Array.isArray(opts.peerName) ? (opts.peerName as PeerName[]) : [opts.peerName as PeerName],
    commonNameFallback: opts.commonNameFallback ?? true,
    crls,
    checkRevocation: opts.revocation === true || (opts.crls !== undefined && opts.crls.length > 0),
    crlScope: opts.crlScope ?? 'chain',
    maxIntermediates: maxDepth,
    policy: opts.policy ?? {},
    anchors,
    intermediates,
    signerStack: [],
  };
  if (opts.signatureAlgorithms) p.signatureAlgorithms = new Set(opts.signatureAlgorithms);

  const lf = checkLeaf(leaf, p);
  if (lf) return { ok: false, ...lf };
  // A trusted certificate is valid by itself.
  if (anchors.some((a) => sameBytes(a.der, leaf.der))) return { ok: true, path: [opts.leaf] };
  const r = await buildPath(leaf, intermediates, anchors, p, opts.signal);
  if ('path' in r) return { ok: true, path: r.path.map((c) => c.der) };
  return { ok: false, code: r.code, reason: r.reason };
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}
