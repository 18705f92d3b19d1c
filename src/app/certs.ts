/**
 * Certificates as the app sees them: the trustpoint's chain from the running-config, parsed
 * into summaries, plus fingerprints the IOS way (MD5 and SHA-1, and SHA-256 beside them).
 */
import type { CoreApi } from '../core/api.ts';
import type { ChainCertificate, RunningConfig } from '../config/model.ts';
import { summarizeCertificate, type CertificateSummary } from '../pki/x509.ts';
import { toHex, toIosHexWords } from '../util/hex.ts';
import type { KeyRecord } from '../store/keystore.ts';

export interface Fingerprints {
  md5: string;
  sha1: string;
  sha256: string;
}

/** `D23209AD 23D31423 2174E40D 7F9D6213 9786633A` style, for each hash. */
export async function fingerprints(core: CoreApi, der: Uint8Array): Promise<Fingerprints> {
  const [md5, sha1, sha256] = await Promise.all([core.digest('MD5', der), core.digest('SHA-1', der), core.digest('SHA-256', der)]);
  return { md5: toIosHexWords(md5)[0]!, sha1: toIosHexWords(sha1)[0]!, sha256: toIosHexWords(sha256)[0]! };
}

/** Which configured `fingerprint` value (hex, no spaces) matches: MD5, SHA-1 or SHA-256. */
export function fingerprintMatches(expected: string, fp: Fingerprints): boolean {
  const e = expected.toUpperCase();
  const plain = (s: string) => s.replace(/ /g, '');
  if (e.length === 32) return plain(fp.md5) === e;
  if (e.length === 40) return plain(fp.sha1) === e;
  if (e.length === 64) return plain(fp.sha256) === e;
  return false;
}

export interface ChainEntry {
  cert: ChainCertificate;
  summary: CertificateSummary;
}

/** The parsed certificates of a trustpoint's chain (entries that fail to parse are skipped). */
export function chainEntries(cfg: RunningConfig, trustpoint: string): ChainEntry[] {
  const chain = cfg.chains.get(trustpoint);
  const out: ChainEntry[] = [];
  for (const cert of chain?.certificates ?? []) {
    try {
      out.push({ cert, summary: summarizeCertificate(cert.der) });
    } catch {
      // the config layer validated these; a damaged one is simply not shown
    }
  }
  return out;
}

/** Trustpoints whose chain holds a certificate with these DER bytes (IOS "Associated Trustpoints"). */
export function associatedTrustpoints(cfg: RunningConfig, der: Uint8Array): string[] {
  const h = toHex(der);
  const out: string[] = [];
  for (const [name, chain] of cfg.chains) if (chain.certificates.some((c) => toHex(c.der) === h)) out.push(name);
  return out;
}

/** Two names attribute by attribute (the consolidation replaces this by RFC 5280 name comparison). */
export function sameName(a: CertificateSummary['subject'], b: CertificateSummary['subject']): boolean {
  return a.length === b.length && a.every((x, i) => x.oid === b[i]!.oid && x.value === b[i]!.value);
}

/**
 * After a CA rollover the previous CA certificate (`certificate ca previous`) is kept while an
 * own certificate it issued is in use; this drops it (in place) once none is.
 */
export function pruneOldCa(certs: ChainCertificate[]): void {
  const parse = (c: ChainCertificate) => {
    try {
      return summarizeCertificate(c.der);
    } catch {
      return undefined;
    }
  };
  const own = certs.filter((c) => c.kind === 'general' || c.kind === 'rollover').map(parse).filter((s): s is CertificateSummary => !!s);
  for (let i = certs.length - 1; i >= 0; i--) {
    const c = certs[i]!;
    if (c.kind !== 'ca-previous') continue;
    const s = parse(c);
    if (!s || !own.some((o) => sameName(o.issuer, s.subject) && (!o.authorityKeyId || !s.subjectKeyId || o.authorityKeyId === s.subjectKeyId))) certs.splice(i, 1);
  }
}

/**
 * The chain entries that stay when `key` gets a new certificate: everything but the own
 * certificates (active or rollover), except the other usage key's (usage keys come in twos).
 */
export function keepOtherUsage(certs: ChainCertificate[], keys: KeyRecord[], key: KeyRecord): ChainCertificate[] {
  return certs.filter((c) => {
    if (c.kind !== 'general' && c.kind !== 'self-signed' && c.kind !== 'rollover') return true;
    try {
      const ks = toHex(summarizeCertificate(c.der).spki);
      return keys.some((k) => k !== key && toHex(k.spki) === ks && k.usage !== key.usage);
    } catch {
      return false;
    }
  });
}
