/**
 * The NIST PKITS runner (`npm run vectors -- --pkits DIR`): runs the certification path
 * validation tests of PKITS sections 4.1–4.16 through `validateChain` in the default RFC 5280
 * profile and compares each outcome with the expected result of the PKITS specification.
 *
 * DIR is a directory in the standard PKITS layout (`certs/*.crt`, `crls/*.crl`, DER), as NIST
 * publishes it and as Debian's python3-cryptography-vectors ships it. Each test's inputs are not
 * guessed from file names: they come from the test list `tests/vectors/pkits/pkits-tests.json`
 * (section, test name, expected result, end-entity certificate, intermediate certificates, CRLs
 * and the relying-party settings user-initial-policy-set / initial-explicit-policy /
 * initial-policy-mapping-inhibit / initial-any-policy-inhibit), transcribed from the PKITS
 * specification (see its README). File names are matched ignoring case, spaces and punctuation,
 * so `TrustAnchorRootCertificate.crt` and `Trust Anchor Root Certificate.crt` both work.
 *
 * Revocation checking is on for every certificate of the path (PKITS expects it), using the
 * CRLs the test lists. The validation time is now, clamped into the trust anchor's validity.
 * A test whose outcome depends on a signature algorithm our verifier does not support is
 * "undecided" and reported as such, never counted as right or wrong (since DSA verification,
 * src/pki/dsa.ts, there is none).
 *
 * With `openssl` on the PATH the same cases also go through `openssl verify -crl_check_all
 * -policy_check -extended_crl -use_deltas` (plus -policy/-explicit_policy/-inhibit_map/
 * -inhibit_any from the settings) in the same run, for comparison.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { VerifyFn } from '../../src/crypto/types.ts';
import { parseChainCert, validateChain, type ValidateChainOptions } from '../../src/pki/chain/index.ts';

/** One PKITS test run (a test with several settings has one entry per setting: 4.8.1.1 …). */
export interface PkitsCase {
  id: string;
  name: string;
  expected: 'valid' | 'invalid';
  /** end-entity certificate (file stem) */
  ee: string;
  /** the other certificates the test lists (path and CRL signers), file stems */
  certs: string[];
  crls: string[];
  /** `NIST-test-policy-N` or `anyPolicy` */
  initialPolicySet?: string[];
  initialExplicitPolicy?: boolean;
  initialPolicyMappingInhibit?: boolean;
  initialAnyPolicyInhibit?: boolean;
}

const TEST_LIST = new URL('../../tests/vectors/pkits/pkits-tests.json', import.meta.url);
const TRUST_ANCHOR = 'TrustAnchorRootCertificate';

/** The PKITS test list shipped in the repository. */
export function pkitsTests(): PkitsCase[] {
  return (JSON.parse(readFileSync(TEST_LIST, 'utf8')) as { tests: PkitsCase[] }).tests;
}

const policyOid = (p: string): string => {
  const m = /^NIST-test-policy-(\d+)$/.exec(p);
  if (m) return `2.16.840.1.101.3.2.1.48.${m[1]}`;
  if (p === 'anyPolicy') return '2.5.29.32.0';
  throw new Error(`pkits: unknown policy ${p}`);
};

const norm = (s: string) => s.toLowerCase().replace(/\.(crt|crl|cer|der)$/, '').replace(/[^a-z0-9]/g, '');

/** Files of a PKITS directory found by normalized stem. */
class PkitsDir {
  private certs = new Map<string, string>();
  private crls = new Map<string, string>();
  constructor(readonly dir: string) {
    for (const [sub, map] of [['certs', this.certs], ['crls', this.crls]] as const) {
      const d = join(dir, sub);
      if (!existsSync(d)) throw new Error(`pkits: ${d} is missing (expected the standard PKITS layout: certs/, crls/)`);
      for (const f of readdirSync(d)) map.set(norm(f), join(d, f));
    }
  }
  cert(stem: string): Uint8Array {
    const p = this.certs.get(norm(stem));
    if (!p) throw new Error(`certificate ${stem} not found`);
    return new Uint8Array(readFileSync(p));
  }
  crl(stem: string): Uint8Array {
    const p = this.crls.get(norm(stem));
    if (!p) throw new Error(`CRL ${stem} not found`);
    return new Uint8Array(readFileSync(p));
  }
}

type Outcome = 'right' | 'false-accept' | 'false-reject' | 'undecided' | 'error';

interface SectionTally {
  cases: number;
  right: number;
  falseAccept: number;
  falseReject: number;
  undecided: number;
  errors: number;
  openssl: number;
  opensslFalseAccept: number;
}

const pem = (der: Uint8Array, label: string) => `-----BEGIN ${label}-----\n${Buffer.from(der).toString('base64').replace(/.{64}/g, '$&\n')}\n-----END ${label}-----\n`;

function opensslVerdict(tmp: string, tc: PkitsCase, d: PkitsDir, time: Date): 'valid' | 'invalid' | undefined {
  try {
    writeFileSync(join(tmp, 'ta.pem'), pem(d.cert(TRUST_ANCHOR), 'CERTIFICATE'));
    writeFileSync(join(tmp, 'ee.pem'), pem(d.cert(tc.ee), 'CERTIFICATE'));
    writeFileSync(join(tmp, 'untrusted.pem'), tc.certs.map((c) => pem(d.cert(c), 'CERTIFICATE')).join('') || pem(d.cert(TRUST_ANCHOR), 'CERTIFICATE'));
    writeFileSync(join(tmp, 'crls.pem'), tc.crls.map((c) => pem(d.crl(c), 'X509 CRL')).join(''));
  } catch {
    return undefined;
  }
  const args = ['verify', '-CAfile', join(tmp, 'ta.pem'), '-untrusted', join(tmp, 'untrusted.pem'), '-CRLfile', join(tmp, 'crls.pem')];
  args.push('-crl_check_all', '-policy_check', '-extended_crl', '-use_deltas', '-attime', String(Math.floor(time.getTime() / 1000)));
  for (const p of tc.initialPolicySet ?? ['anyPolicy']) args.push('-policy', policyOid(p));
  if (tc.initialExplicitPolicy) args.push('-explicit_policy');
  if (tc.initialPolicyMappingInhibit) args.push('-inhibit_map');
  if (tc.initialAnyPolicyInhibit) args.push('-inhibit_any');
  args.push(join(tmp, 'ee.pem'));
  try {
    execFileSync('openssl', args, { stdio: 'pipe' });
    return 'valid';
  } catch {
    return 'invalid';
  }
}

function hasOpenssl(): boolean {
  try {
    execFileSync('openssl', ['version'], { stdio: 'pipe' });
    return true;
  } catch {
    return false;
  }
}

/** The validation time: now, clamped into the trust anchor's validity period. */
function pkitsTime(d: PkitsDir): Date {
  const ta = parseChainCert(d.cert(TRUST_ANCHOR));
  const now = Math.floor(Date.now() / 1000);
  return new Date(Math.min(Math.max(now, ta.notBefore + 86400 * 366), ta.notAfter - 86400) * 1000);
}

/** Maps a case to `validateChain` options. */
export function pkitsOptions(tc: PkitsCase, d: PkitsDir, verify: VerifyFn, time: Date): ValidateChainOptions {
  const opts: ValidateChainOptions = {
    leaf: d.cert(tc.ee),
    intermediates: tc.certs.map((c) => d.cert(c)),
    anchors: [d.cert(TRUST_ANCHOR)],
    crls: tc.crls.map((c) => d.crl(c)),
    crlScope: 'chain',
    verify,
    time,
    commonNameFallback: false,
  };
  const policy: NonNullable<ValidateChainOptions['policy']> = {};
  if (tc.initialPolicySet) policy.initialPolicySet = tc.initialPolicySet.map(policyOid);
  if (tc.initialExplicitPolicy) policy.initialExplicitPolicy = true;
  if (tc.initialPolicyMappingInhibit) policy.initialPolicyMappingInhibit = true;
  if (tc.initialAnyPolicyInhibit) policy.initialAnyPolicyInhibit = true;
  opts.policy = policy;
  return opts;
}

/**
 * Runs every PKITS test of the list against DIR. `passed` counts right decisions; `failed`
 * counts false accepts (always a failure) and, when fewer than 95 % of the decided cases are
 * right, the false rejects too; `skipped` counts undecided cases. Lines report every wrong or
 * undecided case with the validator's reason, and the per-section table.
 */
export async function runPkitsDir(
  dir: string,
  opts: { verify: VerifyFn; verbose?: boolean; openssl?: boolean },
): Promise<{ passed: number; failed: number; skipped: number; lines: string[]; summary: string[] }> {
  const d = new PkitsDir(dir);
  const time = pkitsTime(d);
  const useOpenssl = (opts.openssl ?? true) && hasOpenssl();
  const tmp = useOpenssl ? mkdtempSync(join(tmpdir(), 'pkits-')) : '';
  const lines: string[] = [];
  const sections = new Map<string, SectionTally>();
  const all: SectionTally = { cases: 0, right: 0, falseAccept: 0, falseReject: 0, undecided: 0, errors: 0, openssl: 0, opensslFalseAccept: 0 };
  try {
    for (const tc of pkitsTests()) {
      const sec = tc.id.split('.').slice(0, 2).join('.');
      let t = sections.get(sec);
      if (!t) sections.set(sec, (t = { cases: 0, right: 0, falseAccept: 0, falseReject: 0, undecided: 0, errors: 0, openssl: 0, opensslFalseAccept: 0 }));
      let outcome: Outcome;
      let why = '';
      try {
        const r = await validateChain(pkitsOptions(tc, d, opts.verify, time));
        const got = r.ok ? 'valid' : 'invalid';
        if (!r.ok) why = r.reason;
        if (!r.ok && r.code === 'unsupported') outcome = 'undecided';
        else if (got === tc.expected) outcome = 'right';
        else outcome = got === 'valid' ? 'false-accept' : 'false-reject';
      } catch (e) {
        outcome = 'error';
        why = (e as Error).message;
      }
      const o = useOpenssl ? opensslVerdict(tmp, tc, d, time) : undefined;
      for (const x of [t, all]) {
        x.cases++;
        if (outcome === 'right') x.right++;
        else if (outcome === 'false-accept') x.falseAccept++;
        else if (outcome === 'false-reject') x.falseReject++;
        else if (outcome === 'undecided') x.undecided++;
        else x.errors++;
        if (o === tc.expected) x.openssl++;
        if (o === 'valid' && tc.expected === 'invalid') x.opensslFalseAccept++;
      }
      const label = `${tc.id} ${tc.name}`;
      if (outcome !== 'right') lines.push(`${label}: ${outcome === 'undecided' ? 'undecided' : outcome === 'error' ? 'ERROR' : `expected ${tc.expected}, ${outcome}`}${why ? ` (${why})` : ''}`);
      else if (opts.verbose) lines.push(`${label}: ok, ${tc.expected}${why ? ` (${why})` : ''}`);
    }
  } finally {
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  }
  const pct = (a: number, b: number) => (b ? `${((100 * a) / b).toFixed(1)} %` : '-');
  const summary: string[] = [`validation time ${time.toISOString()}${useOpenssl ? '; OpenSSL: ' + execFileSync('openssl', ['version']).toString().trim() : ''}`];
  summary.push('section  cases  decided  right  false-accept  false-reject  undecided' + (useOpenssl ? '  openssl-right (false-accept)' : ''));
  const row = (name: string, x: SectionTally) => {
    const decided = x.cases - x.undecided - x.errors;
    summary.push(
      `${name.padEnd(8)} ${String(x.cases).padStart(5)}  ${String(decided).padStart(7)}  ${String(x.right).padStart(5)}  ${String(x.falseAccept).padStart(12)}  ${String(x.falseReject).padStart(12)}  ${String(x.undecided + x.errors).padStart(9)}` +
        (useOpenssl ? `  ${String(x.openssl).padStart(13)} (${x.opensslFalseAccept})` : ''),
    );
  };
  for (const [name, x] of [...sections].sort((a, b) => Number(a[0].split('.')[1]) - Number(b[0].split('.')[1]))) row(name, x);
  row('total', all);
  const decided = all.cases - all.undecided - all.errors;
  summary.push(`right on ${pct(all.right, decided)} of decided cases (${all.right}/${decided}), ${all.falseAccept} false accepts` + (useOpenssl ? `; OpenSSL ${pct(all.openssl, all.cases)} of all cases (${all.openssl}/${all.cases}), ${all.opensslFalseAccept} false accepts` : ''));
  const below = decided > 0 && all.right / decided < 0.95;
  return { passed: all.right, failed: all.falseAccept + all.errors + (below ? all.falseReject : 0), skipped: all.undecided, lines, summary };
}
