/**
 * Peer name checks: does a certificate identify the host (or mailbox) we talk to?
 * RFC 6125 §6 (DNS-ID matching, §6.4.3 wildcards, §6.4.4 CN-ID fallback) and RFC 5280 §4.2.1.6
 * (iPAddress in network byte order, rfc822Name).
 *
 * Rules: a DNS reference identifier is compared with each dNSName of subjectAltName,
 * case-insensitively after converting internationalized names to A-labels; a presented `*`
 * matches exactly one whole left-most label and only when at least two labels follow it (no
 * `*.com`), never a partial label (`f*.example.com`) and never in other positions. An IP
 * reference is compared as bytes with iPAddress entries (IPv4 4 bytes, IPv6 16 bytes; an
 * IPv4-mapped IPv6 address is not the IPv4 address). An RFC822 reference matches an
 * rfc822Name with the same local part (case-sensitive) and domain (case-insensitive). The
 * subject's common name is consulted only for DNS references, only when the certificate has
 * no subjectAltName extension at all, and only if `commonNameFallback` is not false.
 */
import { parseChainCert, type ChainCert } from './cert.ts';
import { attributeValues, formatIp } from './name.ts';
import { isHostName } from './name-constraints.ts';
import { OID } from '../oids.ts';

/** A name to find in a certificate (the x509-limbo `PeerName` shape). */
export interface PeerName {
  kind: 'DNS' | 'IP' | 'RFC822';
  value: string;
}

/** Options of the peer name check. */
export interface PeerNameOptions {
  /** consult the subject CN when there is no subjectAltName (RFC 6125 §6.4.4); default true */
  commonNameFallback?: boolean;
}


/** Parses a dotted-quad IPv4 address (four decimal octets). */
export function parseIPv4(s: string): Uint8Array | undefined {
  const parts = s.split('.');
  if (parts.length !== 4) return undefined;
  const out = new Uint8Array(4);
  for (let i = 0; i < 4; i++) {
    const p = parts[i]!;
    if (!/^\d{1,3}$/.test(p) || (p.length > 1 && p[0] === '0')) return undefined;
    const v = Number(p);
    if (v > 255) return undefined;
    out[i] = v;
  }
  return out;
}

/** Parses an IPv6 address (RFC 4291 §2.2 text forms, with an optional trailing dotted quad). */
export function parseIPv6(text: string): Uint8Array | undefined {
  let s = text;
  if (s.startsWith('[') && s.endsWith(']')) s = s.slice(1, -1);
  if (s.includes('%')) return undefined;
  const out = new Uint8Array(16);
  let tail: Uint8Array | undefined;
  const lastColon = s.lastIndexOf(':');
  if (s.includes('.', lastColon)) {
    tail = parseIPv4(s.slice(lastColon + 1));
    if (!tail) return undefined;
    s = s.slice(0, lastColon + 1) + '0:0';
  }
  const halves = s.split('::');
  if (halves.length > 2) return undefined;
  const groups = (h: string) => (h === '' ? [] : h.split(':'));
  const head = groups(halves[0]!);
  const rest = halves.length === 2 ? groups(halves[1]!) : [];
  const total = head.length + rest.length;
  if (halves.length === 1 ? total !== 8 : total > 7) return undefined;
  const all = [...head, ...Array<string>(8 - total).fill('0'), ...rest];
  for (let i = 0; i < 8; i++) {
    const g = all[i]!;
    if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return undefined;
    const v = parseInt(g, 16);
    out[2 * i] = v >> 8;
    out[2 * i + 1] = v & 0xff;
  }
  if (tail) out.set(tail, 12);
  return out;
}

/** An IP address in either family, or undefined. */
export function parseIp(s: string): Uint8Array | undefined {
  return parseIPv4(s) ?? parseIPv6(s);
}

/** A DNS reference identifier in A-label, lower-case form without a trailing dot, or undefined. */
export function normalizeHost(host: string): string | undefined {
  let h = host.trim().replace(/\.$/, '');
  if (!h) return undefined;
  if (/[^\x00-\x7f]/.test(h)) {
    try {
      h = new URL(`http://${h}/`).hostname; // IDNA to A-labels (UTS #46), as browsers do
    } catch {
      return undefined;
    }
  }
  h = h.toLowerCase();
  return isHostName(h) ? h : undefined;
}

/** Whether presented identifier `presented` (from the certificate) matches reference `ref` (an A-label host name). */
export function matchDnsName(presented: string, reference: string): boolean {
  const p = presented.toLowerCase().replace(/\.$/, '');
  const ref = reference.toLowerCase().replace(/\.$/, '');
  if (p.startsWith('*.')) {
    const rest = p.slice(2);
    if (!rest.includes('.') || !isHostName(rest) || rest.includes('*')) return false;
    const dot = ref.indexOf('.');
    return dot > 0 && ref.slice(dot + 1) === rest;
  }
  if (p.includes('*') || !isHostName(p)) return false;
  return p === ref;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/** Why `cert` does not identify `name`, or null when it does. */
export function checkPeerName(cert: ChainCert, name: PeerName, opts: PeerNameOptions = {}): string | null {
  const san = cert.subjectAltName;
  const present = () => (san ?? []).map((g) => (g.type === 'ip' ? `IP:${formatIp(g.bytes)}` : g.type === 'dns' ? `DNS:${g.text}` : g.type === 'email' ? `email:${g.text}` : g.type)).join(', ');
  switch (name.kind) {
    case 'DNS': {
      const ref = normalizeHost(name.value);
      if (ref === undefined) return `"${name.value}" is not a valid host name`;
      if (san) {
        if (san.some((g) => g.type === 'dns' && matchDnsName(g.text, ref))) return null;
        return `the certificate is not valid for ${name.value} (subjectAltName: ${present() || 'none'})`;
      }
      if (opts.commonNameFallback !== false) {
        const cns = attributeValues(cert.subject, OID.commonName);
        if (cns.some((cn) => matchDnsName(cn, ref))) return null;
        return `the certificate is not valid for ${name.value} (no subjectAltName; CN ${cns.join(', ') || 'absent'})`;
      }
      return `the certificate is not valid for ${name.value} (it has no subjectAltName)`;
    }
    case 'IP': {
      const ip = parseIp(name.value);
      if (!ip) return `"${name.value}" is not a valid IP address`;
      if (san?.some((g) => g.type === 'ip' && sameBytes(g.bytes, ip))) return null;
      return `the certificate is not valid for IP address ${name.value} (subjectAltName: ${present() || 'none'})`;
    }
    case 'RFC822': {
      const at = name.value.lastIndexOf('@');
      if (at <= 0) return `"${name.value}" is not a mailbox`;
      const local = name.value.slice(0, at);
      const domain = normalizeHost(name.value.slice(at + 1));
      if (!domain) return `"${name.value}" is not a mailbox`;
      const ok = san?.some((g) => {
        if (g.type !== 'email') return false;
        const a = g.text.lastIndexOf('@');
        return a > 0 && g.text.indexOf('@') === a && g.text.slice(0, a) === local && g.text.slice(a + 1).toLowerCase() === domain;
      });
      return ok ? null : `the certificate is not valid for ${name.value} (subjectAltName: ${present() || 'none'})`;
    }
  }
}

/**
 * The host check the app uses for HTTPS CA URLs: does the DER certificate identify `host`
 * (a DNS name, or an IPv4/IPv6 literal, brackets allowed)? Returns null or the reason.
 */
export function checkHostName(certDer: Uint8Array, host: string, opts: PeerNameOptions = {}): string | null {
  const cert = parseChainCert(certDer);
  const kind = parseIp(host) ? 'IP' : 'DNS';
  return checkPeerName(cert, { kind, value: host }, opts);
}
