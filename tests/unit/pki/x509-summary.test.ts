/**
 * Issue 9 §1: the certificate summary (the view model `show crypto pki certificates`, the config
 * reader and the GUI use) is a projection of the one certificate model (chain/cert.ts) instead
 * of a pkijs parse. The referee is the pkijs summarizer it replaced (_pkijs-summary.ts): on
 * python-cryptography's real-world and malformed X.509 vectors and NIST PKITS (549 DER/PEM
 * items; Debian's python3-cryptography-vectors, which scripts/test.sh installs) both give the
 * same summary, or both refuse — except four reviewed cases where the old reading was wrong.
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { summarizeCertificate } from '../../../src/pki/x509.ts';
import { pkijsSummary, type OldSummary } from './_pkijs-summary.ts';

const ROOT = '/usr/lib/python3/dist-packages/cryptography_vectors/x509';

function* files(d: string): Generator<string> {
  for (const f of readdirSync(d).sort()) {
    const p = join(d, f);
    if (statSync(p).isDirectory()) yield* files(p);
    else yield p;
  }
}

/** Every certificate-like DER item: PEM CERTIFICATE blocks, and .der/.crt/.cer files. */
function items(): { name: string; der: Uint8Array }[] {
  const out: { name: string; der: Uint8Array }[] = [];
  for (const p of files(ROOT)) {
    const b = readFileSync(p);
    const t = b.toString('latin1');
    const name = p.slice(ROOT.length + 1);
    if (t.includes('-----BEGIN CERTIFICATE-----')) {
      let i = 0;
      for (const m of t.matchAll(/-----BEGIN CERTIFICATE-----([\s\S]*?)-----END CERTIFICATE-----/g)) out.push({ name: `${name}#${i++}`, der: new Uint8Array(Buffer.from(m[1]!.replace(/\s/g, ''), 'base64')) });
    } else if (/\.(der|crt|cer)$/.test(p)) out.push({ name, der: new Uint8Array(b) });
  }
  return out;
}

const attempt = (f: () => OldSummary): OldSummary | Error => {
  try {
    return f();
  } catch (e) {
    return e as Error;
  }
};
/** The new summary without the RFC 5280 name keys (which pkijs had no counterpart for). */
const current = (der: Uint8Array): OldSummary => {
  const { subjectKey: _s, issuerKey: _i, ...rest } = summarizeCertificate(der);
  return rest;
};

/** Where the pkijs reading was wrong, and what is read now. */
const REVIEWED: Record<string, (now: OldSummary | Error, then: OldSummary | Error) => void> = {
  // UTCTime "19020701025736Z" (a 4-digit year in a UTCTime): pkijs read the last 12 digits (2002-07-01)
  'badasn1time.pem#0': (now) => expect((now as Error).message).toMatch(/^x509\.parse: not an X\.509 certificate \(der: notAfter: UTCTime must be YYMMDDHHMMSSZ/),
  // explicit EC parameters: pkijs printed the curve as "[object Object]"
  'custom/ec_no_named_curve.pem#0': (now, then) => {
    expect((then as OldSummary).publicKey).toEqual({ kind: 'ec', curve: '[object Object]' });
    expect((now as OldSummary).publicKey).toEqual({ kind: 'ec', curve: '' });
  },
  // an ediPartyName / x400Address in the SAN: pkijs dropped the whole extension; its own default branch meant "[n]"
  'san_edipartyname.der': (now) => expect((now as OldSummary).subjectAltNames).toEqual([{ kind: 'other', value: '[5]' }]),
  'san_x400address.der': (now) => expect((now as OldSummary).subjectAltNames).toEqual([{ kind: 'other', value: '[3]' }]),
};

describe('certificate summaries from the one model equal the pkijs reading', () => {
  const all = items();
  test('the corpus is there (python3-cryptography-vectors)', () => {
    expect(all.length).toBeGreaterThan(500);
  });
  test('every item: the same summary, both refuse, or a reviewed difference', () => {
    let same = 0;
    let refused = 0;
    for (const { name, der } of all) {
      const then = attempt(() => pkijsSummary(der));
      const now = attempt(() => current(der));
      if (REVIEWED[name]) REVIEWED[name]!(now, then);
      else if (then instanceof Error) {
        expect(now, name).toBeInstanceOf(Error);
        refused++;
      } else {
        expect(now, name).toEqual(then);
        same++;
      }
    }
    expect(same).toBeGreaterThan(490);
    expect(refused).toBeLessThan(50);
  });
  test('name keys compare names as RFC 5280 §7.1 does (case, spaces, string types): issuer = subject along PKITS chains', () => {
    const dir = join(ROOT, 'PKITS_data/certs');
    const read = (f: string) => summarizeCertificate(new Uint8Array(readFileSync(join(dir, f))));
    const anchor = read('TrustAnchorRootCertificate.crt');
    const good = read('GoodCACert.crt');
    expect(anchor.subjectKey).toBe(anchor.issuerKey);
    expect(good.issuerKey).toBe(anchor.subjectKey);
    expect(good.subjectKey).not.toBe(anchor.subjectKey);
  });
});
