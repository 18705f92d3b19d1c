/**
 * Certificate policy processing (RFC 5280 §6.1, src/pki/chain/policy.ts) on synthetic paths:
 * explicit-policy requirements, anyPolicy and inhibitAnyPolicy, policy mappings and
 * inhibitPolicyMapping, the tree-size bound. Paths run from the anchor's child to the leaf.
 */
import { describe, expect, it } from 'vitest';
import { processPolicies, type PolicyInput } from '../../../src/pki/chain/policy.ts';

const ANY = '2.5.29.32.0';
const P1 = '1.3.6.1.4.1.99999.1';
const P2 = '1.3.6.1.4.1.99999.2';
const P3 = '1.3.6.1.4.1.99999.3';

const c = (label: string, x: Partial<PolicyInput> = {}): PolicyInput => ({ selfIssued: false, label, ...x });

describe('processPolicies', () => {
  const cases: [string, PolicyInput[], RegExp | null][] = [
    ['no policies, nothing required', [c('ica'), c('leaf')], null],
    ['policies that do not chain are fine when nothing requires them', [c('ica', { policies: [P1] }), c('leaf', { policies: [P2] })], null],
    ['requireExplicitPolicy 0, leaf without policies', [c('ica', { policies: [P1], constraints: { requireExplicitPolicy: 0 } }), c('leaf')], /explicit policy is required/],
    ['requireExplicitPolicy 0, matching policy', [c('ica', { policies: [P1], constraints: { requireExplicitPolicy: 0 } }), c('leaf', { policies: [P1] })], null],
    ['requireExplicitPolicy 0, different policy', [c('ica', { policies: [P1], constraints: { requireExplicitPolicy: 0 } }), c('leaf', { policies: [P2] })], /explicit policy is required/],
    ['requireExplicitPolicy 0, anyPolicy in the CA matches', [c('ica', { policies: [ANY], constraints: { requireExplicitPolicy: 0 } }), c('leaf', { policies: [P2] })], null],
    ['requireExplicitPolicy 0, anyPolicy in the leaf matches', [c('ica', { policies: [P1], constraints: { requireExplicitPolicy: 0 } }), c('leaf', { policies: [ANY] })], null],
    [
      'requireExplicitPolicy 1 skips one certificate',
      [c('ica1', { policies: [P1], constraints: { requireExplicitPolicy: 1 } }), c('ica2'), c('leaf', { policies: [P1] })],
      /explicit policy is required/,
    ],
    ['requireExplicitPolicy 2 not reached by a short path', [c('ica', { constraints: { requireExplicitPolicy: 2 } }), c('leaf')], null],
    ['requireExplicitPolicy 0 in the leaf itself (§6.1.5 (b))', [c('ica'), c('leaf', { constraints: { requireExplicitPolicy: 0 } })], /whole path/],
    [
      'inhibitAnyPolicy 0 makes a later anyPolicy useless',
      [c('ica1', { policies: [P1], constraints: { requireExplicitPolicy: 0 }, inhibitAnyPolicy: 0 }), c('ica2', { policies: [ANY] }), c('leaf', { policies: [P1] })],
      /explicit policy is required/,
    ],
    [
      'inhibitAnyPolicy does not stop a self-issued intermediate',
      [c('ica1', { policies: [P1], constraints: { requireExplicitPolicy: 0 }, inhibitAnyPolicy: 0 }), c('ica1b', { policies: [ANY], selfIssued: true }), c('leaf', { policies: [P1] })],
      null,
    ],
    ['policy mapping P1 → P2', [c('ica', { policies: [P1], mappings: [[P1, P2]], constraints: { requireExplicitPolicy: 0 } }), c('leaf', { policies: [P2] })], null],
    ['policy mapping: the issuer-domain policy is no longer expected', [c('ica', { policies: [P1], mappings: [[P1, P2]], constraints: { requireExplicitPolicy: 0 } }), c('leaf', { policies: [P1] })], /explicit policy is required/],
    [
      'mapping from anyPolicy node',
      [c('ica1', { policies: [ANY], constraints: { requireExplicitPolicy: 0 } }), c('ica2', { policies: [ANY], mappings: [[P1, P3]] }), c('leaf', { policies: [P3] })],
      null,
    ],
    [
      'inhibitPolicyMapping 0 deletes mapped nodes',
      [c('ica1', { policies: [P1], constraints: { requireExplicitPolicy: 0, inhibitPolicyMapping: 0 } }), c('ica2', { policies: [P1], mappings: [[P1, P2]] }), c('leaf', { policies: [P2] })],
      /explicit policy is required/,
    ],
    ['mapping anyPolicy is rejected', [c('ica', { policies: [P1], mappings: [[ANY, P2]] }), c('leaf')], /maps anyPolicy/],
  ];
  it.each(cases)('%s', (_n, path, want) => {
    const r = processPolicies(path);
    if (want === null) expect(r).toBeNull();
    else expect(r).toMatch(want);
  });

  it('bounds the tree (RFC 9618): 40 CAs each mapping to 2 policies (time bound: tests/slow)', () => {
    const many = Array.from({ length: 30 }, (_, i) => `1.3.6.1.4.1.99999.${i}`);
    const path: PolicyInput[] = [c('root', { policies: many, constraints: { requireExplicitPolicy: 0 } })];
    for (let i = 0; i < 40; i++) path.push(c(`ica${i}`, { policies: [ANY], mappings: many.flatMap((p) => many.slice(0, 2).map((q) => [p, q] as [string, string])) }));
    path.push(c('leaf', { policies: [ANY] }));
    const r = processPolicies(path);
    expect(r === null || /too large/.test(r)).toBe(true);
  });
});
