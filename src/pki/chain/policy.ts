/**
 * Certificate policy processing (RFC 5280 §6.1.2 (a)/(d)-(f), §6.1.3 (d)-(f), §6.1.4 (a)-(b),
 * (h)-(j), §6.1.5 (a)-(b), (g)) with the relying-party inputs of §6.1.1 (`PolicyInputs`); by
 * default user-initial-policy-set = {anyPolicy} and initial-explicit-policy,
 * initial-policy-mapping-inhibit and initial-any-policy-inhibit false, with which policy
 * processing only rejects a path when a CA in it asks for an explicit policy and no policy is
 * valid for the whole path.
 *
 * ```asn1
 * certificatePolicies ::= SEQUENCE SIZE (1..MAX) OF PolicyInformation
 * PolicyInformation ::= SEQUENCE { policyIdentifier CertPolicyId, policyQualifiers SEQUENCE OF ... OPTIONAL }
 * PolicyMappings ::= SEQUENCE SIZE (1..MAX) OF SEQUENCE { issuerDomainPolicy, subjectDomainPolicy }
 * PolicyConstraints ::= SEQUENCE { requireExplicitPolicy [0] SkipCerts OPTIONAL, inhibitPolicyMapping [1] SkipCerts OPTIONAL }
 * InhibitAnyPolicy ::= SkipCerts
 * ```
 *
 * Policy qualifiers are not interpreted. The valid_policy_tree is bounded (RFC 9618's concern:
 * anyPolicy plus mappings can make it grow exponentially); a tree that would exceed the bound
 * rejects the path.
 */
import { contentOf, DerCursor, DerError, decodeOid, decodeSmallUint, TAG, type Tlv } from './_der.ts';
import { ANY_POLICY } from './oids.ts';

/** Parses certificatePolicies into the policy OIDs, in order. */
export function parseCertificatePolicies(b: Uint8Array, t: Tlv): { policies: string[]; duplicate?: string } {
  if (t.tag !== TAG.SEQUENCE) throw new DerError('der: certificatePolicies: not a SEQUENCE');
  const c = DerCursor.of(b, t);
  const policies: string[] = [];
  let duplicate: string | undefined;
  while (!c.done) {
    const pi = DerCursor.of(b, c.take(TAG.SEQUENCE, 'certificatePolicies PolicyInformation'));
    const oid = decodeOid(contentOf(b, pi.take(TAG.OID, 'certificatePolicies policyIdentifier')), 'certificatePolicies policyIdentifier');
    pi.optional(TAG.SEQUENCE, 'certificatePolicies policyQualifiers');
    pi.finish('certificatePolicies PolicyInformation');
    if (policies.includes(oid)) duplicate = oid;
    else policies.push(oid);
  }
  if (!policies.length) throw new DerError('der: certificatePolicies: empty');
  return duplicate ? { policies, duplicate } : { policies };
}

/** Parses policyMappings into [issuerDomainPolicy, subjectDomainPolicy] pairs. */
export function parsePolicyMappings(b: Uint8Array, t: Tlv): [string, string][] {
  if (t.tag !== TAG.SEQUENCE) throw new DerError('der: policyMappings: not a SEQUENCE');
  const c = DerCursor.of(b, t);
  const out: [string, string][] = [];
  while (!c.done) {
    const m = DerCursor.of(b, c.take(TAG.SEQUENCE, 'policyMappings mapping'));
    const i = decodeOid(contentOf(b, m.take(TAG.OID, 'issuerDomainPolicy')), 'issuerDomainPolicy');
    const s = decodeOid(contentOf(b, m.take(TAG.OID, 'subjectDomainPolicy')), 'subjectDomainPolicy');
    m.finish('policyMappings mapping');
    out.push([i, s]);
  }
  if (!out.length) throw new DerError('der: policyMappings: empty');
  return out;
}

/** The two policyConstraints counters. */
export interface PolicyConstraints {
  requireExplicitPolicy?: number;
  inhibitPolicyMapping?: number;
}

/** Parses policyConstraints; at least one field must be present (RFC 5280 §4.2.1.11). */
export function parsePolicyConstraints(b: Uint8Array, t: Tlv): PolicyConstraints {
  if (t.tag !== TAG.SEQUENCE) throw new DerError('der: policyConstraints: not a SEQUENCE');
  const c = DerCursor.of(b, t);
  const r = c.optional(0x80, 'requireExplicitPolicy');
  const i = c.optional(0x81, 'inhibitPolicyMapping');
  c.finish('policyConstraints');
  if (!r && !i) throw new DerError('der: policyConstraints: empty (RFC 5280 §4.2.1.11)');
  const out: PolicyConstraints = {};
  if (r) out.requireExplicitPolicy = decodeSmallUint(contentOf(b, r), 'requireExplicitPolicy');
  if (i) out.inhibitPolicyMapping = decodeSmallUint(contentOf(b, i), 'inhibitPolicyMapping');
  return out;
}

/** Parses inhibitAnyPolicy (SkipCerts). */
export function parseInhibitAnyPolicy(b: Uint8Array, t: Tlv): number {
  if (t.tag !== TAG.INTEGER) throw new DerError('der: inhibitAnyPolicy: not an INTEGER');
  return decodeSmallUint(contentOf(b, t), 'inhibitAnyPolicy');
}

/** What policy processing needs from one certificate of the path. */
export interface PolicyInput {
  policies?: string[];
  mappings?: [string, string][];
  constraints?: PolicyConstraints;
  inhibitAnyPolicy?: number;
  selfIssued: boolean;
  label: string;
}

interface PolicyNode {
  valid: string;
  expected: Set<string>;
  parent: PolicyNode | null;
  children: PolicyNode[];
}

const MAX_NODES = 1000;

/**
 * Runs policy processing over the path (certificates from the one the trust anchor issued down
 * to the leaf). Returns why the path fails, or null.
 *
 * Only the deepest level of the valid_policy_tree is kept (with parent links): the pruning
 * rule of §6.1.3 (d)(3) removes every shallower node without descendants, so the tree is NULL
 * exactly when its deepest level is empty, and no later step looks above depth i-1.
 */
export function processPolicies(path: readonly PolicyInput[], inputs: PolicyInputs = {}): string | null {
  const n = path.length;
  let level: PolicyNode[] = [{ valid: ANY_POLICY, expected: new Set([ANY_POLICY]), parent: null, children: [] }];
  let nodes = 1;
  let explicitPolicy = inputs.initialExplicitPolicy ? 0 : n + 1;
  let inhibitAny = inputs.initialAnyPolicyInhibit ? 0 : n + 1;
  let policyMapping = inputs.initialPolicyMappingInhibit ? 0 : n + 1;
  const add = (parent: PolicyNode, valid: string, expected: Set<string>): PolicyNode => {
    const node: PolicyNode = { valid, expected, parent, children: [] };
    parent.children.push(node);
    nodes++;
    return node;
  };
  const tooLarge = (label: string) => `the certificate policy tree of the path grows too large at ${label} (RFC 9618)`;

  for (let i = 1; i <= n; i++) {
    const cert = path[i - 1]!;
    // 6.1.3 (d)
    if (level.length && cert.policies) {
      const next: PolicyNode[] = [];
      for (const p of cert.policies) {
        if (p === ANY_POLICY) continue;
        let matched = false;
        for (const leaf of level)
          if (leaf.expected.has(p)) {
            next.push(add(leaf, p, new Set([p])));
            matched = true;
          }
        if (!matched) for (const leaf of level) if (leaf.valid === ANY_POLICY) next.push(add(leaf, p, new Set([p])));
        if (nodes > MAX_NODES) return tooLarge(cert.label);
      }
      if (cert.policies.includes(ANY_POLICY) && (inhibitAny > 0 || (i < n && cert.selfIssued)))
        for (const leaf of level)
          for (const v of leaf.expected)
            if (!leaf.children.some((c) => c.valid === v)) {
              next.push(add(leaf, v, new Set([v])));
              if (nodes > MAX_NODES) return tooLarge(cert.label);
            }
      level = next;
    }
    // 6.1.3 (e)
    if (!cert.policies) level = [];
    // 6.1.3 (f)
    if (explicitPolicy <= 0 && !level.length)
      return `no certificate policy is valid for the path at ${cert.label}, and an explicit policy is required (RFC 5280 §6.1.3 (f))`;
    if (i === n) break;
    // 6.1.4 (a)
    for (const [iss, sub] of cert.mappings ?? [])
      if (iss === ANY_POLICY || sub === ANY_POLICY) return `${cert.label} maps anyPolicy in policyMappings (RFC 5280 §6.1.4 (a))`;
    // 6.1.4 (b)
    if (level.length && cert.mappings) {
      const byIssuer = new Map<string, Set<string>>();
      for (const [iss, sub] of cert.mappings) {
        const s = byIssuer.get(iss) ?? new Set<string>();
        s.add(sub);
        byIssuer.set(iss, s);
      }
      if (policyMapping > 0) {
        const any = level.find((x) => x.valid === ANY_POLICY);
        for (const [p, mapped] of byIssuer) {
          const withP = level.filter((x) => x.valid === p);
          if (withP.length) for (const x of withP) x.expected = new Set(mapped);
          else if (any?.parent) level.push(add(any.parent, p, new Set(mapped)));
        }
        if (nodes > MAX_NODES) return tooLarge(cert.label);
      } else level = level.filter((x) => !byIssuer.has(x.valid));
    }
    // 6.1.4 (h)
    if (!cert.selfIssued) {
      if (explicitPolicy) explicitPolicy--;
      if (policyMapping) policyMapping--;
      if (inhibitAny) inhibitAny--;
    }
    // 6.1.4 (i), (j)
    const pc = cert.constraints;
    if (pc?.requireExplicitPolicy !== undefined && pc.requireExplicitPolicy < explicitPolicy) explicitPolicy = pc.requireExplicitPolicy;
    if (pc?.inhibitPolicyMapping !== undefined && pc.inhibitPolicyMapping < policyMapping) policyMapping = pc.inhibitPolicyMapping;
    if (cert.inhibitAnyPolicy !== undefined && cert.inhibitAnyPolicy < inhibitAny) inhibitAny = cert.inhibitAnyPolicy;
  }
  // 6.1.5 (a), (b)
  if (explicitPolicy) explicitPolicy--;
  if (path[n - 1]?.constraints?.requireExplicitPolicy === 0) explicitPolicy = 0;
  // 6.1.5 (g): the intersection with user-initial-policy-set (the identity for {anyPolicy}).
  const user = inputs.initialPolicySet;
  if (user && user.length && !user.includes(ANY_POLICY)) level = intersect(level, new Set(user));
  if (explicitPolicy <= 0 && !level.length) {
    const which = user && user.length && !user.includes(ANY_POLICY) ? ` among the acceptable policies (${user.join(', ')})` : '';
    return `no certificate policy${which} is valid for the whole path, and an explicit policy is required (RFC 5280 §6.1.5)`;
  }
  return null;
}

/**
 * RFC 5280 §6.1.5 (g)(iii) on the deepest level of the tree: a leaf survives when the node of
 * its branch in the valid_policy_node_set (the first node below the anyPolicy root chain) is in
 * `user`; an anyPolicy leaf stands for every user policy not already in the node set.
 */
function intersect(level: PolicyNode[], user: ReadonlySet<string>): PolicyNode[] {
  const setNode = (leaf: PolicyNode): PolicyNode | null => {
    let x: PolicyNode | null = leaf;
    while (x && x.valid === ANY_POLICY) x = x.parent;
    if (!x) return null; // the whole branch is anyPolicy
    while (x.parent && x.parent.valid !== ANY_POLICY) x = x.parent;
    return x;
  };
  const kept: PolicyNode[] = [];
  const inSet = new Set<string>();
  for (const leaf of level) {
    const s = setNode(leaf);
    if (s) {
      inSet.add(s.valid);
      if (user.has(s.valid)) kept.push(leaf);
    }
  }
  for (const leaf of level)
    if (leaf.valid === ANY_POLICY && !setNode(leaf))
      for (const p of user) if (!inSet.has(p)) kept.push({ valid: p, expected: new Set([p]), parent: leaf.parent, children: [] });
  return kept;
}

/** The relying party's policy inputs of RFC 5280 §6.1.1 (c), (e), (f), (g); defaults as there. */
export interface PolicyInputs {
  /** user-initial-policy-set (dotted OIDs; default {anyPolicy}) */
  initialPolicySet?: readonly string[];
  initialExplicitPolicy?: boolean;
  initialPolicyMappingInhibit?: boolean;
  initialAnyPolicyInhibit?: boolean;
}
