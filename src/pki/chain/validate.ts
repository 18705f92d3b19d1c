/**
 * RFC 5280 §6.1 path validation, split the way path building needs it:
 *
 * - `checkLeaf`: what depends on the end-entity certificate only (validity §6.1.3 (a)(2),
 *   profile rules, unknown critical extensions §6.1.4 (o)/§6.1.5 (f), key usage and extended
 *   key usage against the requested usages §4.2.1.3/§4.2.1.12, peer names RFC 6125);
 * - `checkIssuer`: what an intermediate or trust anchor needs to issue certificates (validity,
 *   basicConstraints cA §6.1.4 (k), keyUsage keyCertSign §6.1.4 (n), a non-empty subject,
 *   profile rules);
 * - `checkPath`: what depends on the whole path (signature algorithm allow-list,
 *   pathLenConstraint §6.1.4 (l)-(m), name constraints §6.1.3 (b)-(c), policies, revocation
 *   §6.3).
 *
 * Signatures (§6.1.3 (a)(1)) are verified while the path is built (`build.ts`).
 *
 * Trust anchors are certificates and their own constraints are applied, as x509-limbo expects
 * and as OpenSSL, Go and webpki do (RFC 5937): an anchor must be a CA (a version 1 anchor
 * counts as one, by being trusted), must assert keyCertSign if it has keyUsage, must be within
 * its validity period, and its pathLenConstraint and nameConstraints bind the path below it.
 * Its signature is not checked, and its certificate policies are not part of policy processing
 * (the anchor is not in the path of §6.1).
 */
import type { VerifyFn } from '../../crypto/types.ts';
import { formatTime, type ChainCert } from './cert.ts';
import { buildPath } from './build.ts';
import { checkRevocation, type ChainCrl, type CrlSigners } from './crl.ts';
import { attributeValues } from './name.ts';
import { checkNames, isPresentedDnsName, type NameConstraints } from './name-constraints.ts';
import { ekuName, EKU, KEY_USAGE_BITS, sigAlgName, type KeyUsageName } from './oids.ts';
import { checkPeerName, type PeerName } from './peer-name.ts';
import { processPolicies, type PolicyInputs } from './policy.ts';
import { checkSignature } from './signature.ts';

/** Why validation failed, by kind (the `reason` is the text to show). */
export type FailureCode =
  | 'malformed'
  | 'expired'
  | 'not-yet-valid'
  | 'untrusted'
  | 'signature'
  | 'invalid'
  | 'name-mismatch'
  | 'usage'
  | 'revoked'
  | 'revocation-unknown'
  | 'unsupported'
  | 'path-too-long'
  | 'limit';

/** A failed check. */
export interface Failure {
  code: FailureCode;
  reason: string;
}

/** Everything the checks need besides the certificates. */
export interface ValidationParams {
  /** validation time, whole seconds since the epoch (RFC 5280 times have second granularity) */
  time: number;
  verify: VerifyFn;
  strict: boolean;
  keyUsage: readonly KeyUsageName[];
  /** dotted OIDs */
  extKeyUsage: readonly string[];
  peerNames: readonly PeerName[];
  commonNameFallback: boolean;
  crls: readonly ChainCrl[];
  /** revocation checking is on (CRLs were supplied, even if none could be read) */
  checkRevocation: boolean;
  crlScope: 'leaf' | 'chain';
  /** maximum number of intermediates */
  maxIntermediates: number;
  signatureAlgorithms?: ReadonlySet<string>;
  /** the relying party's policy inputs (RFC 5280 §6.1.1) */
  policy: PolicyInputs;
  /** every certificate offered: CRL signers are looked for among them (RFC 5280 §6.3.3 (f)) */
  anchors: readonly ChainCert[];
  intermediates: readonly ChainCert[];
  /** CRL signers whose paths are being validated (nesting depth and identities, to stop cycles) */
  signerStack: readonly string[];
}

/** How deep CRL signer paths may nest (a signer's CRL signed by another signer …). */
const MAX_SIGNER_DEPTH = 3;

function crlSigners(path: readonly ChainCert[], p: ValidationParams): CrlSigners {
  return {
    candidates(name, crl) {
      const seen = new Set<ChainCert>();
      const out: ChainCert[] = [];
      for (const c of [...path, ...p.anchors, ...p.intermediates]) if (c.subject.key === name.key && !seen.has(c)) (seen.add(c), out.push(c));
      const aki = crl.authorityKeyId;
      const rank = (c: ChainCert) => (aki && c.subjectKeyId && sameBytes(c.subjectKeyId, aki) ? 0 : 1);
      return out.sort((a, b) => rank(a) - rank(b));
    },
    async validate(signer) {
      if (p.anchors.includes(signer) || path.includes(signer)) return null;
      // A signer whose own status depends on the CRL it signs (PKITS 4.14.30) is judged by the outer check.
      if (p.signerStack.includes(signer.identity)) return null;
      if (p.signerStack.length >= MAX_SIGNER_DEPTH) return 'CRL signer paths nest too deeply';
      const q: ValidationParams = { ...p, keyUsage: [], extKeyUsage: [], peerNames: [], policy: {}, signerStack: [...p.signerStack, signer.identity] };
      const lf = checkLeaf(signer, q);
      if (lf) return lf.reason;
      const r = await buildPath(signer, p.intermediates, p.anchors, q);
      return 'path' in r ? null : r.reason;
    },
  };
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

const fail = (code: FailureCode, reason: string): Failure => ({ code, reason });

function validity(cert: ChainCert, what: string, time: number): Failure | null {
  if (time < cert.notBefore) return fail('not-yet-valid', `${what} ${cert.label} is not valid before ${formatTime(cert.notBefore)}`);
  if (time > cert.notAfter) return fail('expired', `${what} ${cert.label} expired at ${formatTime(cert.notAfter)}`);
  return null;
}

const MISSING_AKI = 'authorityKeyIdentifier keyIdentifier is missing (RFC 5280 §4.2.1.1)';

function profile(cert: ChainCert, what: string, p: ValidationParams, anchor = false): Failure | null {
  const problem = cert.problems[0] ?? (p.strict ? (cert.strictProblems[0] ?? (cert.missingAki && !anchor ? MISSING_AKI : undefined)) : undefined);
  if (problem === undefined) return null;
  return fail('invalid', `${what} ${cert.label} is not acceptable: ${problem}`);
}

/** Checks that depend on the end-entity certificate alone. */
export function checkLeaf(leaf: ChainCert, p: ValidationParams): Failure | null {
  const f = profile(leaf, 'certificate', p) ?? validity(leaf, 'certificate', p.time);
  if (f) return f;
  if (leaf.keyUsage !== undefined)
    for (const u of p.keyUsage)
      if (!(leaf.keyUsage & (1 << KEY_USAGE_BITS[u]))) return fail('usage', `the keyUsage of certificate ${leaf.label} does not allow ${u} (RFC 5280 §4.2.1.3)`);
  if (leaf.extKeyUsage && !leaf.extKeyUsage.includes(EKU.anyExtendedKeyUsage!))
    for (const u of p.extKeyUsage)
      if (!leaf.extKeyUsage.includes(u))
        return fail('usage', `the extKeyUsage of certificate ${leaf.label} does not include ${ekuName(u)} (RFC 5280 §4.2.1.12)`);
  for (const name of p.peerNames) {
    const r = checkPeerName(leaf, name, { commonNameFallback: p.commonNameFallback });
    if (r) return fail('name-mismatch', r);
  }
  return null;
}

/** Checks that an intermediate or a trust anchor may issue certificates. */
export function checkIssuer(cert: ChainCert, role: 'intermediate' | 'anchor', p: ValidationParams): Failure | null {
  const what = role === 'anchor' ? 'trust anchor' : 'intermediate CA';
  const f = profile(cert, what, p, role === 'anchor') ?? validity(cert, what, p.time);
  if (f) return f;
  const bc = cert.basicConstraints;
  if (!bc?.ca && !(role === 'anchor' && cert.version < 3))
    return fail('invalid', `${what} ${cert.label} is not a CA: ${bc ? 'basicConstraints does not assert cA' : 'it has no basicConstraints'} (RFC 5280 §4.2.1.9, §6.1.4 (k))`);
  if (p.strict && bc && !bc.critical) return fail('invalid', `${what} ${cert.label} is not acceptable: basicConstraints is not marked critical (RFC 5280 §4.2.1.9)`);
  if (cert.keyUsage !== undefined && !(cert.keyUsage & (1 << KEY_USAGE_BITS.keyCertSign)))
    return fail('invalid', `${what} ${cert.label} may not sign certificates: its keyUsage does not assert keyCertSign (RFC 5280 §6.1.4 (n))`);
  if (!cert.subject.rdns.length) return fail('invalid', `${what} has an empty subject name (RFC 5280 §4.1.2.6)`);
  return null;
}

/**
 * Strict profile, trust anchors: RFC 5280 §4.2.1.1 excuses a missing authorityKeyIdentifier only
 * in a self-signed certificate. An anchor whose names differ but whose signature verifies with
 * its own key is treated as self-signed (a root re-issued under another name); one signed by
 * another key (a cross-certificate used as an anchor) is not.
 */
export async function checkAnchorAki(anchor: ChainCert, p: ValidationParams): Promise<Failure | null> {
  if (!p.strict || !anchor.missingAki) return null;
  const own = await checkSignature(p.verify, anchor.signatureAlgorithm, anchor.spki, anchor.tbs, anchor.signature);
  if (own.ok) return null;
  return fail('invalid', `trust anchor ${anchor.label} is not acceptable: it is not self-signed and ${MISSING_AKI}`);
}

const EMAIL_ADDRESS = '1.2.840.113549.1.9.1';
const CN = '2.5.4.3';

/** Checks that depend on the whole path `path` (leaf first, trust anchor last). */
export async function checkPath(path: readonly ChainCert[], p: ValidationParams): Promise<Failure | null> {
  const leaf = path[0]!;
  const anchor = path[path.length - 1]!;
  const below = path.slice(0, -1).reverse(); // from the anchor's child down to the leaf

  if (p.signatureAlgorithms)
    for (const c of path.slice(0, -1))
      if (!p.signatureAlgorithms.has(c.signatureAlgorithm.oid))
        return fail('invalid', `certificate ${c.label} is signed with ${sigAlgName(c.signatureAlgorithm.oid)}, which is not an accepted signature algorithm`);

  // pathLenConstraint (§6.1.4 (l), (m)); the anchor's own constraint binds too.
  let max = anchor.basicConstraints?.pathLen ?? Infinity;
  let limiter = anchor;
  for (const c of below.slice(0, -1)) {
    if (!c.selfIssued) {
      if (max <= 0) return fail('invalid', `the pathLenConstraint of ${limiter.label} does not allow the intermediate CA ${c.label} (RFC 5280 §4.2.1.9)`);
      max--;
    }
    const pl = c.basicConstraints?.pathLen;
    if (pl !== undefined && pl < max) {
      max = pl;
      limiter = c;
    }
  }

  // name constraints (§6.1.3 (b)-(c), §6.1.4 (g))
  const ncs: { nc: NameConstraints; owner: string }[] = [];
  if (anchor.nameConstraints) ncs.push({ nc: anchor.nameConstraints, owner: `trust anchor ${anchor.label}` });
  for (const c of below) {
    const isLeaf = c === leaf;
    if (ncs.length && (!c.selfIssued || isLeaf)) {
      const names = {
        subject: c.subject,
        ...(c.subjectAltName ? { san: c.subjectAltName } : {}),
        subjectEmails: attributeValues(c.subject, EMAIL_ADDRESS),
        cnHosts: isLeaf && !c.subjectAltName && p.commonNameFallback ? attributeValues(c.subject, CN).filter((v) => isPresentedDnsName(v)) : [],
      };
      for (const { nc, owner } of ncs) {
        const r = checkNames(names, nc, owner);
        if (r) return fail('invalid', `certificate ${c.label}: ${r}`);
      }
    }
    if (!isLeaf && c.nameConstraints) ncs.push({ nc: c.nameConstraints, owner: `CA ${c.label}` });
  }

  // certificate policies (§6.1.3 (d)-(f), §6.1.4 (a)-(b), (h)-(j), §6.1.5)
  const pol = processPolicies(
    below.map((c) => {
      const x: Parameters<typeof processPolicies>[0][number] = { selfIssued: c.selfIssued, label: c.label };
      if (c.policies) x.policies = c.policies;
      if (c.policyMappings) x.mappings = c.policyMappings;
      if (c.policyConstraints) x.constraints = c.policyConstraints;
      if (c.inhibitAnyPolicy !== undefined) x.inhibitAnyPolicy = c.inhibitAnyPolicy;
      return x;
    }),
    p.policy,
  );
  if (pol) return fail('invalid', pol);

  // revocation (§6.3)
  if (p.checkRevocation) {
    const last = p.crlScope === 'leaf' ? 1 : path.length - 1;
    for (let i = 0; i < last && i < path.length - 1; i++) {
      const s = await checkRevocation({ cert: path[i]!, issuer: path[i + 1]!, crls: p.crls, time: p.time, verify: p.verify, strict: p.strict, signers: crlSigners(path, p) });
      if (s.status === 'revoked') return fail('revoked', s.reason);
      if (s.status === 'unknown') return fail(s.unsupported ? 'unsupported' : 'revocation-unknown', s.reason);
    }
  }
  return null;
}
