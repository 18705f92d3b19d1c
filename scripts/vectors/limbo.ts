/**
 * The x509-limbo runner (`npm run vectors -- --limbo FILE`): runs every test case of a limbo
 * JSON file (format: ../shared/vectors/x509-limbo/README.md, schema `limbo-schema.json`)
 * through `validateChain` in the strict RFC 5280 profile and compares the outcome with
 * `expected_result`. Limbo's cases are written against pyca/cryptography's RFC 5280 policy, which
 * enforces the MUSTs on CAs, so they declare the strict profile; NIST PKITS (`pkits.ts`) runs the
 * default relying-party profile, which accepts what RFC 5280 asks relying parties to accept.
 *
 * A case is skipped, with the reason, only when it needs something out of scope for an
 * RFC 5280 client:
 * - features we do not implement: CA/Browser Forum pedantry (`pedantic-webpki-*`,
 *   `pedantic-public-suffix-wildcard`) and `rfc5280-incompatible-with-webpki` (the one place we
 *   follow the CA/B Forum: non-critical name constraints are honoured);
 * - the Web PKI and S/MIME profile families (`webpki::*` except `webpki::nc::*`, `smime::*`)
 *   and CA/B Forum subfamilies (`…::cabf::…`), which test those profiles rather than RFC 5280;
 * - a validation kind other than SERVER/CLIENT;
 * - cases our verifier cannot decide because they use a signature algorithm it does not
 *   support (the validator reports code `unsupported`): counting those as failures would
 *   measure WebCrypto, counting them as passes would be dishonest.
 * Everything else is counted. One output line per failure and per skip
 * (`id: expected X, got Y (reason)`); `verbose` adds a line per pass with the reason of
 * expected failures, to spot "failed for the wrong reason".
 */
import type { VerifyFn } from '../../src/crypto/types.ts';
import { parseCrl, SIG, validateChain, type KeyUsageName, type PeerName, type ValidateChainOptions } from '../../src/pki/chain/index.ts';

interface LimboCase {
  id: string;
  features?: string[];
  validation_kind: string;
  trusted_certs: string[];
  untrusted_intermediates: string[];
  peer_certificate: string;
  validation_time?: string | null;
  signature_algorithms?: string[];
  key_usage?: string[];
  extended_key_usage?: string[];
  expected_peer_name?: PeerName | null;
  expected_peer_names?: PeerName[];
  max_chain_depth?: number | null;
  crls?: string[];
  expected_result: 'SUCCESS' | 'FAILURE';
}

const SKIP_FEATURES: Record<string, string> = {
  'pedantic-webpki-subscriber-key': 'CA/B Forum subscriber key pedantry (not RFC 5280)',
  'pedantic-webpki-eku': 'CA/B Forum EKU pedantry (not RFC 5280)',
  'pedantic-public-suffix-wildcard': 'public-suffix wildcard rules (CA/B Forum, not RFC 5280/6125)',
  'rfc5280-incompatible-with-webpki': 'we follow the CA/B Forum here (non-critical nameConstraints are honoured)',
};

const SIG_NAMES: Record<string, string> = {
  RSA_WITH_MD5: SIG.md5WithRSAEncryption,
  RSA_WITH_SHA1: SIG.sha1WithRSAEncryption,
  RSA_WITH_SHA224: SIG.sha224WithRSAEncryption,
  RSA_WITH_SHA256: SIG.sha256WithRSAEncryption,
  RSA_WITH_SHA384: SIG.sha384WithRSAEncryption,
  RSA_WITH_SHA512: SIG.sha512WithRSAEncryption,
  RSASSA_PSS: SIG['RSASSA-PSS'],
  ECDSA_WITH_SHA1: SIG['ecdsa-with-SHA1'],
  ECDSA_WITH_SHA224: SIG['ecdsa-with-SHA224'],
  ECDSA_WITH_SHA256: SIG['ecdsa-with-SHA256'],
  ECDSA_WITH_SHA384: SIG['ecdsa-with-SHA384'],
  ECDSA_WITH_SHA512: SIG['ecdsa-with-SHA512'],
  ED25519: SIG.Ed25519,
  ED448: SIG.Ed448,
  DSA_WITH_SHA1: SIG['dsa-with-sha1'],
  DSA_WITH_SHA256: SIG['dsa-with-sha256'],
};

/** The DER of the first PEM block of `pem` with the given label. */
export function pemToDer(pem: string, label = 'CERTIFICATE'): Uint8Array {
  const m = new RegExp(`-----BEGIN ${label}-----([\\s\\S]*?)-----END ${label}-----`).exec(pem);
  if (!m) throw new Error(`no ${label} PEM block`);
  const bin = atob(m[1]!.replace(/[^A-Za-z0-9+/=]/g, ''));
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

function skipReason(tc: LimboCase): string | null {
  for (const f of tc.features ?? []) if (SKIP_FEATURES[f]) return SKIP_FEATURES[f]!;
  if (tc.id.startsWith('webpki::') && !tc.id.startsWith('webpki::nc::')) return 'Web PKI (CA/B Forum) profile case, not RFC 5280';
  if (tc.id.startsWith('smime::')) return 'S/MIME profile case, not RFC 5280';
  if (tc.id.split('::').includes('cabf')) return 'CA/B Forum requirement, not RFC 5280';
  if (tc.validation_kind !== 'SERVER' && tc.validation_kind !== 'CLIENT') return `validation kind ${tc.validation_kind}`;
  for (const s of tc.signature_algorithms ?? []) if (!SIG_NAMES[s]) return `signature algorithm ${s} is not known here`;
  return null;
}

/**
 * The CRLs of a case that can be read in the strict profile. Upstream harnesses drop a CRL their
 * library fails to load and validate as if it had not been supplied (the `crl::*` cases with
 * malformed CRLs expect SUCCESS); `validateChain` itself fails closed instead, so the dropping
 * happens here.
 */
function readableCrls(pems: readonly string[]): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (const pem of pems) {
    try {
      const der = pemToDer(pem, 'X509 CRL');
      parseCrl(der, { strict: true });
      out.push(der);
    } catch {
      // not loadable: as if absent
    }
  }
  return out;
}

/** Maps a case to `validateChain` options (strict RFC 5280 profile, CN fallback off as in RFC 9525). */
export function limboOptions(tc: LimboCase, verify: VerifyFn): ValidateChainOptions {
  const peer: PeerName[] = tc.validation_kind === 'SERVER' ? (tc.expected_peer_name ? [tc.expected_peer_name] : []) : (tc.expected_peer_names ?? []);
  const opts: ValidateChainOptions = {
    leaf: pemToDer(tc.peer_certificate),
    intermediates: tc.untrusted_intermediates.map((p) => pemToDer(p)),
    anchors: tc.trusted_certs.map((p) => pemToDer(p)),
    verify,
    strict: true,
    commonNameFallback: false,
    peerName: peer,
    usages: { keyUsage: (tc.key_usage ?? []) as KeyUsageName[], extKeyUsage: tc.extended_key_usage ?? [] },
    crls: readableCrls(tc.crls ?? []),
  };
  if (tc.validation_time) opts.time = new Date(tc.validation_time);
  if (tc.max_chain_depth !== null && tc.max_chain_depth !== undefined) opts.maxDepth = tc.max_chain_depth;
  if (tc.signature_algorithms?.length) opts.signatureAlgorithms = tc.signature_algorithms.map((s) => SIG_NAMES[s]!);
  return opts;
}

/** Runs one limbo file; see the module comment for what is counted. */
export async function runLimboFile(
  text: string,
  opts: { verify: VerifyFn; verbose?: boolean },
): Promise<{ passed: number; failed: number; skipped: number; lines: string[] }> {
  const file = JSON.parse(text) as { version?: number; testcases?: LimboCase[] };
  if (!Array.isArray(file.testcases)) throw new Error('not an x509-limbo file (no "testcases" array)');
  let passed = 0;
  let failed = 0;
  let skipped = 0;
  const lines: string[] = [];
  for (const tc of file.testcases) {
    const skip = skipReason(tc);
    if (skip) {
      skipped++;
      lines.push(`${tc.id}: skipped (${skip})`);
      continue;
    }
    let got: 'SUCCESS' | 'FAILURE';
    let why = '';
    let unsupported = false;
    const t0 = performance.now();
    try {
      const r = await validateChain(limboOptions(tc, opts.verify));
      got = r.ok ? 'SUCCESS' : 'FAILURE';
      if (!r.ok) {
        why = r.reason;
        unsupported = r.code === 'unsupported';
      }
    } catch (e) {
      got = 'FAILURE';
      why = `threw: ${(e as Error).message}`;
    }
    const ms = performance.now() - t0;
    if (unsupported) {
      skipped++;
      lines.push(`${tc.id}: skipped (${why})`);
    } else if (got === tc.expected_result) {
      passed++;
      if (opts.verbose) lines.push(`${tc.id}: ok, ${got}${why ? ` (${why})` : ''} [${ms.toFixed(1)} ms]`);
    } else {
      failed++;
      lines.push(`${tc.id}: expected ${tc.expected_result}, got ${got}${why ? ` (${why})` : ''}`);
    }
  }
  return { passed, failed, skipped, lines };
}
