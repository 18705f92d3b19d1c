/**
 * The x509-limbo runner (scripts/vectors/limbo.ts) over the public sample
 * (../shared/vectors/x509-limbo/limbo-sample.json, 38 cases): every case must pass, none may be
 * skipped. Plus the runner's own rules (skips, failure lines) on synthetic files, and the
 * denial-of-service cases in the lenient profile, where path building (not a profile rule)
 * must be what stops them.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { limboOptions, runLimboFile } from '../../../scripts/vectors/limbo.ts';
import { validateChain } from '../../../src/pki/chain/index.ts';
import { webCryptoVerify } from '../../../src/pki/verify-webcrypto.ts';
import { sharedPath } from '../../shared.ts';

const SAMPLE = sharedPath('vectors', 'x509-limbo', 'limbo-sample.json');
const text = readFileSync(SAMPLE, 'utf8');
type Tc = Parameters<typeof limboOptions>[0] & { description?: string };
const sample = (JSON.parse(text) as { testcases: Tc[] }).testcases;

describe('x509-limbo sample', () => {
  it('all 38 cases pass, none skipped', async () => {
    const r = await runLimboFile(text, { verify: webCryptoVerify });
    expect(r.lines).toEqual([]);
    expect(r).toMatchObject({ passed: 38, failed: 0, skipped: 0 });
  });

  it('verbose mode prints one line per case with the failure reasons', async () => {
    const r = await runLimboFile(text, { verify: webCryptoVerify, verbose: true });
    expect(r.lines).toHaveLength(38);
    expect(r.lines.find((l) => l.startsWith('crl::revoked-certificate-with-crl:'))).toMatch(/ok, FAILURE \(certificate CN=revoked.example.com \(serial 3E3E9279A64E409FABB80D48AFB50894D6786C08\) was revoked/);
  });

  it.each(['pathological::pathological-chain-distinct-subject-distinct-key', 'pathological::pathological-chain-distinct-subject-same-key'])(
    '%s fails in the lenient profile too, stopped by path building (time bound: tests/slow)',
    async (id) => {
      const tc = sample.find((t) => t.id === id)!;
      const r = await validateChain({ ...limboOptions(tc, webCryptoVerify), strict: false });
      expect(r).toMatchObject({ ok: false, code: 'path-too-long' });
    },
  );
});

describe('runner rules', () => {
  const base = sample.find((t) => t.id === 'rfc5280::eku::ee-without-eku')!;
  const file = (...cases: Partial<Tc>[]) => JSON.stringify({ version: 1, testcases: cases.map((c, i) => ({ ...base, id: `t::case-${i}`, ...c })) });

  it('a wrong expectation is a failure line with the reason', async () => {
    const r = await runLimboFile(file({ expected_result: 'FAILURE' }, { expected_peer_name: { kind: 'DNS', value: 'nope.example.com' } }), { verify: webCryptoVerify });
    expect(r).toMatchObject({ passed: 0, failed: 2 });
    expect(r.lines[0]).toBe('t::case-0: expected FAILURE, got SUCCESS');
    expect(r.lines[1]).toMatch(/^t::case-1: expected SUCCESS, got FAILURE \(the certificate is not valid for nope.example.com/);
  });

  it('skips out-of-scope cases with the reason', async () => {
    const r = await runLimboFile(
      file(
        { features: ['pedantic-webpki-eku'] },
        { id: 'webpki::san::something' },
        { id: 'smime::ku::x' },
        { id: 'crl::cabf::y' },
        { features: ['rfc5280-incompatible-with-webpki'] },
        { validation_kind: 'EMAIL' as 'SERVER' },
        { id: 'webpki::nc::kept' },
      ),
      { verify: webCryptoVerify },
    );
    expect(r).toMatchObject({ passed: 1, failed: 0, skipped: 6 });
    expect(r.lines).toContain('t::case-0: skipped (CA/B Forum EKU pedantry (not RFC 5280))');
    expect(r.lines).toContain('webpki::san::something: skipped (Web PKI (CA/B Forum) profile case, not RFC 5280)');
  });

  it('a verifier that cannot do the algorithm makes the case a skip, not a pass or fail', async () => {
    const unsupported = async () => {
      const { PkiError } = await import('../../../src/util/errors.ts');
      throw new PkiError('unsupported', 'verify: ecdsa-with-SHA256 is not supported by this verifier');
    };
    const r = await runLimboFile(file({}), { verify: unsupported });
    expect(r).toMatchObject({ passed: 0, failed: 0, skipped: 1 });
    expect(r.lines[0]).toMatch(/skipped \(.*not supported by this verifier\)/);
  });

  it('a verifier that says yes to everything fails the cases that need signatures', async () => {
    const r = await runLimboFile(text, { verify: async () => true });
    expect(r.failed).toBeGreaterThan(0);
    expect(r.lines.some((l) => l.startsWith('invalid::invalid-issuer-key: expected FAILURE, got SUCCESS'))).toBe(true);
  });

  it('rejects a file that is not limbo', async () => {
    await expect(runLimboFile('{"testGroups": []}', { verify: webCryptoVerify })).rejects.toThrow(/not an x509-limbo file/);
  });
});
