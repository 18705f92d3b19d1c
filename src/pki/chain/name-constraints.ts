/**
 * Name constraints (RFC 5280 §4.2.1.10) and their application during path validation
 * (§6.1.3 (b)-(c), §6.1.4 (g)).
 *
 * ```asn1
 * NameConstraints ::= SEQUENCE {
 *   permittedSubtrees [0] GeneralSubtrees OPTIONAL,
 *   excludedSubtrees  [1] GeneralSubtrees OPTIONAL }
 * GeneralSubtrees ::= SEQUENCE SIZE (1..MAX) OF GeneralSubtree
 * GeneralSubtree ::= SEQUENCE {
 *   base GeneralName, minimum [0] BaseDistance DEFAULT 0, maximum [1] BaseDistance OPTIONAL }
 * ```
 *
 * Instead of intersecting subtrees, every name of a certificate is checked against each
 * constraint extension above it in the path, which is equivalent (a name must lie in the
 * permitted subtrees of every CA that has them, and in no excluded subtree) and is what Go
 * and webpki do.
 *
 * @remarks Decisions: constraints on name forms we cannot evaluate (otherName, x400Address,
 * ediPartyName, registeredID) reject a certificate that carries such a name, as §4.2.1.10
 * requires. A malformed name (a dNSName that is not a host name, an iPAddress that is not 4 or
 * 16 bytes, an rfc822Name that is not a mailbox) fails when a constraint of its form applies,
 * and so does a malformed constraint (a dNSName constraint with a leading period or a
 * wildcard, an address without a CIDR mask). A wildcard dNSName `*.D` is permitted only if
 * every name it can match is permitted, and excluded if any name it can match is excluded
 * (CVE-2025-61727). When the leaf has no subjectAltName and the caller's host check may fall
 * back to the common name (RFC 6125 §6.4.4), dNSName constraints also apply to its
 * host-name-shaped CNs, so that the fallback cannot bypass them.
 */
import { contentOf, DerCursor, DerError, decodeSmallUint, TAG, type Tlv } from '../der.ts';
import { formatGeneralName, formatName, nameHasPrefix, parseGeneralName, type GeneralName, type Name } from './name.ts';

/** A parsed nameConstraints extension. */
export interface NameConstraints {
  permitted?: GeneralName[];
  excluded?: GeneralName[];
}

function parseSubtrees(b: Uint8Array, t: Tlv, what: string): GeneralName[] {
  const out: GeneralName[] = [];
  const c = DerCursor.of(b, t);
  while (!c.done) {
    const st = DerCursor.of(b, c.take(TAG.SEQUENCE, `${what} GeneralSubtree`));
    const base = parseGeneralName(b, st.next(`${what} base`), `${what} base`);
    const min = st.optional(0x80, `${what} minimum`);
    if (min && decodeSmallUint(contentOf(b, min), `${what} minimum`) !== 0) throw new DerError(`der: ${what}: minimum must be 0 (RFC 5280 §4.2.1.10)`);
    if (st.optional(0x81, `${what} maximum`)) throw new DerError(`der: ${what}: maximum must be absent (RFC 5280 §4.2.1.10)`);
    st.finish(`${what} GeneralSubtree`);
    out.push(base);
  }
  if (!out.length) throw new DerError(`der: ${what}: empty GeneralSubtrees`);
  return out;
}

/** Parses the extension value (DER of NameConstraints). */
export function parseNameConstraints(b: Uint8Array, t: Tlv): NameConstraints {
  if (t.tag !== TAG.SEQUENCE) throw new DerError('der: nameConstraints: not a SEQUENCE');
  const c = DerCursor.of(b, t);
  const p = c.optional(0xa0, 'nameConstraints permittedSubtrees');
  const e = c.optional(0xa1, 'nameConstraints excludedSubtrees');
  c.finish('nameConstraints');
  if (!p && !e) throw new DerError('der: nameConstraints: neither permittedSubtrees nor excludedSubtrees (RFC 5280 §4.2.1.10)');
  const out: NameConstraints = {};
  if (p) out.permitted = parseSubtrees(b, p, 'nameConstraints permittedSubtrees');
  if (e) out.excluded = parseSubtrees(b, e, 'nameConstraints excludedSubtrees');
  return out;
}

// ---- syntax ----

const LABEL = /^[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?$/;

/** A host name in preferred name syntax (RFC 1034 §3.5, underscores tolerated); lower case. */
export function isHostName(s: string): boolean {
  if (!s || s.length > 253) return false;
  return s.split('.').every((l) => LABEL.test(l));
}

/** A dNSName as presented in a certificate: a host name, optionally `*.` + host name. */
export function isPresentedDnsName(s: string): boolean {
  const n = s.toLowerCase();
  return n.startsWith('*.') ? isHostName(n.slice(2)) : isHostName(n);
}

function splitMailbox(s: string): { local: string; domain: string } | undefined {
  const at = s.indexOf('@');
  if (at <= 0 || at !== s.lastIndexOf('@')) return undefined;
  const local = s.slice(0, at);
  const domain = s.slice(at + 1).toLowerCase();
  if (/[\s\x00-\x1f\x7f]/.test(local) || !isHostName(domain)) return undefined;
  return { local, domain };
}

const contiguousMask = (m: Uint8Array): boolean => {
  let seenZero = false;
  for (const x of m)
    for (let bit = 7; bit >= 0; bit--) {
      const one = (x >> bit) & 1;
      if (one && seenZero) return false;
      if (!one) seenZero = true;
    }
  return true;
};

function uriHost(uri: string): string | undefined {
  const m = /^[a-z][a-z0-9+.-]*:\/\/([^/?#]*)/i.exec(uri);
  if (!m) return undefined;
  let auth = m[1]!;
  const at = auth.lastIndexOf('@');
  if (at >= 0) auth = auth.slice(at + 1);
  if (auth.startsWith('[')) return undefined; // IP literal
  const host = auth.replace(/:\d*$/, '').toLowerCase();
  if (!isHostName(host) || /^[\d.]+$/.test(host)) return undefined;
  return host;
}

// ---- matching: each returns true (inside), false (outside) or a string (cannot decide: reason) ----

function dnsConstraint(c: string): string | undefined {
  const v = c.toLowerCase();
  if (v === '') return v;
  return isHostName(v) ? v : undefined;
}

/** dNSName `name` (valid, lower case) inside constraint `c`; `wide` = any instance (for excluded). */
function dnsInside(name: string, c: string, wide: boolean): boolean {
  if (c === '') return true;
  if (name.startsWith('*.')) {
    const d = name.slice(2);
    if (d === c || d.endsWith('.' + c)) return true;
    return wide && c.endsWith('.' + d);
  }
  return name === c || name.endsWith('.' + c);
}

function emailInside(box: { local: string; domain: string }, c: string): boolean | string {
  if (c.includes('@')) {
    const cb = splitMailbox(c);
    if (!cb) return `rfc822Name constraint "${c}" is not a mailbox`;
    return cb.local === box.local && cb.domain === box.domain;
  }
  const v = c.toLowerCase();
  if (v.startsWith('.')) {
    if (!isHostName(v.slice(1))) return `rfc822Name constraint "${c}" is malformed`;
    return box.domain.endsWith(v);
  }
  if (!isHostName(v)) return `rfc822Name constraint "${c}" is malformed`;
  return box.domain === v;
}

function uriInside(host: string, c: string): boolean | string {
  const v = c.toLowerCase();
  if (v.startsWith('.')) {
    if (!isHostName(v.slice(1))) return `URI constraint "${c}" is malformed`;
    return host.endsWith(v);
  }
  if (!isHostName(v)) return `URI constraint "${c}" is malformed`;
  return host === v;
}

function ipInside(addr: Uint8Array, c: Uint8Array): boolean | string {
  if (c.length !== 8 && c.length !== 32) return `iPAddress constraint of ${c.length} bytes is not an address and mask`;
  const n = c.length / 2;
  const mask = c.subarray(n);
  if (!contiguousMask(mask)) return 'iPAddress constraint has a non-contiguous mask';
  if (addr.length !== n) return false;
  for (let i = 0; i < n; i++) if ((addr[i]! & mask[i]!) !== (c[i]! & mask[i]!)) return false;
  return true;
}

/** The names of one certificate that name constraints apply to (§4.2.1.10, §6.1.3 (b)). */
export interface ConstrainedNames {
  subject: Name;
  san?: GeneralName[];
  /** emailAddress attributes of the subject (checked as rfc822Name when there is no SAN) */
  subjectEmails: string[];
  /** host-name-shaped CNs of a leaf without SAN (checked as dNSName) */
  cnHosts: string[];
}

type Kind = GeneralName['type'];

/** Upper bound of name × subtree comparisons for one certificate and one constraint extension. */
const MAX_COMPARISONS = 1 << 20;

/**
 * Checks one certificate's names against one nameConstraints extension; returns why it fails,
 * or null. `owner` names the CA whose constraint applies (for the message).
 */
export function checkNames(names: ConstrainedNames, nc: NameConstraints, owner: string): string | null {
  const subject = names.subject.rdns.length ? [{ type: 'dn', name: names.subject, raw: names.subject.der } as GeneralName] : [];
  const list: GeneralName[] = [...subject, ...(names.san ?? [])];
  if (!names.san) {
    for (const e of names.subjectEmails) list.push({ type: 'email', text: e, raw: new Uint8Array() });
    for (const h of names.cnHosts) list.push({ type: 'dns', text: h, raw: new Uint8Array() });
  }
  // Bound the work (a certificate with thousands of names under thousands of subtrees).
  if (list.length * ((nc.permitted?.length ?? 0) + (nc.excluded?.length ?? 0)) > MAX_COMPARISONS)
    return `too many names to check against the name constraints of ${owner}`;
  const kindsIn = (subs: GeneralName[] | undefined) => new Set<Kind>((subs ?? []).map((s) => s.type));
  const permittedKinds = kindsIn(nc.permitted);
  const excludedKinds = kindsIn(nc.excluded);
  for (const g of list) {
    if (!permittedKinds.has(g.type) && !excludedKinds.has(g.type)) continue;
    const label = g.type === 'dn' && g === subject[0] ? `subject ${formatName(names.subject)}` : formatGeneralName(g);
    const test = prepare(g);
    if (typeof test === 'string') return `the name constraints of ${owner} cannot be applied to ${label}: ${test}`;
    if (permittedKinds.has(g.type)) {
      let inside = false;
      for (const c of nc.permitted!) {
        if (c.type !== g.type) continue;
        const r = test(c, false);
        if (typeof r === 'string') return `${owner} has a malformed name constraint: ${r}`;
        if (r) {
          inside = true;
          break;
        }
      }
      if (!inside) return `${label} is outside the permitted names of ${owner} (RFC 5280 §4.2.1.10)`;
    }
    if (excludedKinds.has(g.type))
      for (const c of nc.excluded!) {
        if (c.type !== g.type) continue;
        const r = test(c, true);
        if (typeof r === 'string') return `${owner} has a malformed name constraint: ${r}`;
        if (r) return `${label} is excluded by the name constraints of ${owner} (RFC 5280 §4.2.1.10)`;
      }
  }
  return null;
}

/** A matcher for name `g` against a constraint of the same form, or why `g` cannot be matched. */
function prepare(g: GeneralName): ((c: GeneralName, wide: boolean) => boolean | string) | string {
  switch (g.type) {
    case 'dns': {
      const n = g.text.toLowerCase().replace(/\.$/, '');
      if (!isPresentedDnsName(n)) return `"${g.text}" is not a host name`;
      return (c, wide) => {
        const v = dnsConstraint((c as { text: string }).text);
        if (v === undefined) return `dNSName constraint "${(c as { text: string }).text}" is not a host name`;
        return dnsInside(n, v, wide);
      };
    }
    case 'email': {
      const box = splitMailbox(g.text);
      if (!box) return `"${g.text}" is not a mailbox`;
      return (c) => emailInside(box, (c as { text: string }).text);
    }
    case 'uri': {
      const host = uriHost(g.text);
      if (host === undefined) return `"${g.text}" has no host name`;
      return (c) => uriInside(host, (c as { text: string }).text);
    }
    case 'ip':
      if (g.bytes.length !== 4 && g.bytes.length !== 16) return `iPAddress of ${g.bytes.length} bytes`;
      return (c) => ipInside(g.bytes, (c as { bytes: Uint8Array }).bytes);
    case 'dn':
      return (c) => nameHasPrefix(g.name, (c as { name: Name }).name);
    default:
      return `constraints on ${g.type} names are not supported`;
  }
}
