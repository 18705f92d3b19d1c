/**
 * Certificates as the app sees them: the trustpoint's chain from the running-config, parsed
 * into summaries, plus fingerprints the IOS way (MD5 and SHA-1, and SHA-256 beside them).
 */
import type { CoreApi } from '../core/api.ts';
import type { ChainCertificate, RunningConfig } from '../config/model.ts';
import { issuedBy, summarizeCertificate, type CertificateSummary } from '../pki/x509.ts';
import type { Fingerprints } from '../enroll/host.ts';
import { oidDisplay } from '../pki/oids.ts';
import { toHex, toIosHexWords } from '../util/hex.ts';

export { iosCertificateUsage, issuedBy, type CertificateSummary } from '../pki/x509.ts';
export { fingerprintMatches, keepOtherUsage } from '../enroll/host.ts';
export type { Fingerprints } from '../enroll/host.ts';
export type { Attribute } from '../pki/names.ts';

/** How `show` prints a signature algorithm (`SHA256 with RSA Encryption`) or a key purpose (`TLS Web Client Authentication`); the dotted OID when it has no display name. */
export const displayOid = oidDisplay;


/** `D23209AD 23D31423 2174E40D 7F9D6213 9786633A` style, for each hash. */
export async function fingerprints(core: CoreApi, der: Uint8Array): Promise<Fingerprints> {
  const [md5, sha1, sha256] = await Promise.all([core.digest('MD5', der), core.digest('SHA-1', der), core.digest('SHA-256', der)]);
  return { md5: toIosHexWords(md5)[0]!, sha1: toIosHexWords(sha1)[0]!, sha256: toIosHexWords(sha256)[0]! };
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
    if (!s || !own.some((o) => issuedBy(o, s) && (!o.authorityKeyId || !s.subjectKeyId || o.authorityKeyId === s.subjectKeyId))) certs.splice(i, 1);
  }
}

