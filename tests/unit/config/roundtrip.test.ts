/**
 * Property: for any configuration model, `show running-config` text → parse → the same
 * model, and writing it again gives the same text (STYLE.md §4, property tests).
 */
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { readConfig } from '../../../src/config/reader.ts';
import { writeConfig } from '../../../src/config/writer.ts';
import { emptyConfig, type EnrollmentProfile, type RunningConfig, type Trustpoint } from '../../../src/config/model.ts';

const letter = fc.constantFrom(...'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ');
const alnum = fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz0123456789');
const label = fc.tuple(letter, fc.array(fc.constantFrom(...'abcxyzABC019-_.'), { maxLength: 10 })).map(([a, b]) => a + b.join(''));
const hostname = fc.tuple(letter, fc.array(alnum, { maxLength: 8 })).map(([a, b]) => a + b.join(''));
const domain = fc.array(fc.tuple(letter, fc.array(alnum, { maxLength: 6 })).map(([a, b]) => a + b.join('')), { minLength: 1, maxLength: 3 }).map((p) => p.join('.').toLowerCase());
const host = fc.oneof(domain, fc.ipV4());
const url = fc.oneof(
  fc.tuple(fc.constantFrom('http', 'https'), host, fc.option(fc.integer({ min: 1, max: 65535 }), { nil: undefined }), fc.constantFrom('', '/', '/scep', '/cgi-bin/pkiclient.exe'))
    .map(([s, h, p, path]) => `${s}://${h}${p ? `:${p}` : ''}${path}`),
  fc.tuple(domain, label).map(([h, f]) => `tftp://${h}/${f}`),
  fc.tuple(fc.constantFrom('flash', 'nvram', 'disk0'), label).map(([fs, f]) => `${fs}:${f}`),
);
const printable = fc.stringMatching(/^[A-Za-z0-9!#%&()*+,./:;<=>@\[\]^_{|}~-][ -~]{0,20}[A-Za-z0-9!#%&()*+,./:;<=>@\[\]^_{|}~-]$/);
const x500 = fc
  .array(fc.tuple(fc.constantFrom('CN', 'OU', 'O', 'L', 'ST'), fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9 .-]{0,15}[A-Za-z0-9.]$/)), { minLength: 1, maxLength: 4 })
  .chain((rdns) => fc.option(fc.constantFrom('US', 'DE', 'FR'), { nil: undefined }).map((c) => [...rdns.map(([k, v]) => `${k}=${v}`), ...(c ? [`C=${c}`] : [])].join(', ')));
const hexFp = fc.constantFrom(32, 40, 64).chain((n) => fc.stringMatching(new RegExp(`^[0-9A-F]{${n}}$`)));
const sub = <T>(a: fc.Arbitrary<T>): fc.Arbitrary<T | undefined> => fc.option(a, { nil: undefined });

const trustpoint = (name: string): fc.Arbitrary<Trustpoint> =>
  fc
    .record({
      enrollment: sub(
        fc.oneof(
          fc.record({ kind: fc.constant('url' as const), url, pem: fc.boolean() }),
          fc.record({ kind: fc.constant('terminal' as const), pem: fc.boolean() }),
          fc.record({ kind: fc.constant('selfsigned' as const) }),
          fc.record({ kind: fc.constant('profile' as const), label }),
          fc
            .record({
              kind: fc.constant('acme' as const),
              directory: fc.tuple(host, fc.option(fc.integer({ min: 1, max: 65535 }), { nil: undefined }), fc.constantFrom('/dir', '/directory', '/acme/v2/directory')).map(([h, p, path]) => `https://${h}${p ? `:${p}` : ''}${path}`),
              autoChallenge: sub(fc.constant('http-01' as const)),
              eab: sub(fc.record({ kid: fc.stringMatching(/^[A-Za-z0-9_.-]{1,20}$/), key: fc.stringMatching(/^[A-Za-z0-9_-]{16,64}$/) })),
            })
            .map((e) => {
              if (e.autoChallenge === undefined) delete e.autoChallenge;
              if (e.eab === undefined) delete e.eab;
              return e;
            }),
        ),
      ),
      raMode: fc.boolean(),
      retryPeriod: sub(fc.integer({ min: 1, max: 60 })),
      retryCount: sub(fc.integer({ min: 1, max: 100 })),
      httpProxy: sub(fc.record({ host: domain, port: fc.integer({ min: 1, max: 65535 }) })),
      subjectName: sub(fc.oneof(fc.constant(''), x500)),
      subjectAltName: sub(domain),
      // A one-word FQDN that abbreviates "none" (n, no, non) means none, as on IOS.
      fqdn: sub(fc.oneof(domain.filter((d) => !'none'.startsWith(d)), fc.constant({ none: true as const }))),
      vrf: sub(label),
      ipAddress: sub(
        fc.oneof(
          fc.ipV4().map((value) => ({ kind: 'address' as const, value })),
          fc.ipV6().map((value) => ({ kind: 'address' as const, value: value.toLowerCase() })),
          fc.constant({ kind: 'none' as const }),
          fc.constantFrom('ethernet0', 'GigabitEthernet0/1').map((name) => ({ kind: 'interface' as const, name })),
        ),
      ),
      serialNumber: sub(fc.constantFrom('include' as const, 'none' as const)),
      autoEnroll: sub(fc.record({ percent: sub(fc.integer({ min: 10, max: 100 })), regenerate: fc.boolean() })),
      regenerate: fc.boolean(),
      usage: sub(fc.shuffledSubarray(['ike', 'ssl-client', 'ssl-server'] as const, { minLength: 1 }).map((u) => [...u])),
      password: sub(printable),
      keys: fc.oneof(
        fc.constant({}),
        fc.record({ rsaKeypair: fc.record({ label, size: sub(fc.integer({ min: 512, max: 4096 })) }) }),
        fc.record({ ecKeypair: label }),
      ),
      fingerprint: sub(hexFp),
      onDevice: sub(fc.constantFrom('usbtoken0:', 'usbtoken1:')),
      storageDevice: sub(fc.constantFrom('usbtoken0:', 'nvram:')),
      revocationCheck: sub(fc.shuffledSubarray(['crl', 'none', 'ocsp'] as const, { minLength: 1 }).map((u) => [...u])),
    })
    .map((r) => {
      const { keys, ...rest } = r;
      const t: Trustpoint = { name, ...rest, ...keys } as Trustpoint;
      // Drop undefined fields (the model omits what is not configured).
      for (const k of Object.keys(t) as (keyof Trustpoint)[]) if (t[k] === undefined) delete t[k];
      if (t.autoEnroll && t.autoEnroll.percent === undefined) delete t.autoEnroll.percent;
      if (t.rsaKeypair && t.rsaKeypair.size === undefined) delete t.rsaKeypair.size;
      return t;
    });

const profile = (name: string): fc.Arbitrary<EnrollmentProfile> =>
  fc
    .record({
      authentication: sub(fc.oneof(url.map((u) => ({ kind: 'url' as const, url: u })), fc.constant({ kind: 'terminal' as const }))),
      authenticationCommand: sub(fc.tuple(fc.constantFrom('GET', 'POST'), fc.constantFrom('/certs/cacert.der', '/ca?x=$P1', '/ca\n?x=$P1')).map(([m, p]) => `${m} ${p}`)),
      enrollment: sub(fc.oneof(url.map((u) => ({ kind: 'url' as const, url: u })), fc.constant({ kind: 'terminal' as const }))),
      // one line, or continued on further lines (the guide's layout)
      enrollmentCommand: sub(fc.constantFrom('POST reference_number=$P2&authcode=$P1&pkcs10Request=$REQ', 'POST reference_number=$P2&authcode=$P1\n&retrievedAs=rawDER&action=getServerCert&pkcs10Request=$REQ', 'GET /enroll\n?req=$REQ\n&ref=$P1')),
      enrollmentCredential: sub(label),
      parameters: fc.array(fc.tuple(fc.integer({ min: 1, max: 8 }), fc.constantFrom('value' as const, 'prompt' as const), printable), { maxLength: 4 }).map(
        (ps) => new Map(ps.map(([n, kind, text]) => [n, { kind, text }])),
      ),
    })
    .map((r) => {
      const p = { name, ...r } as EnrollmentProfile;
      for (const k of Object.keys(p) as (keyof EnrollmentProfile)[]) if (p[k] === undefined) delete p[k];
      return p;
    });

const config: fc.Arbitrary<RunningConfig> = fc
  .record({
    hostname,
    domainName: sub(domain),
    tpNames: fc.uniqueArray(label, { maxLength: 3 }),
    profileNames: fc.uniqueArray(label, { maxLength: 2 }),
  })
  .chain(({ hostname, domainName, tpNames, profileNames }) =>
    fc.tuple(fc.tuple(...tpNames.map(trustpoint)), fc.tuple(...profileNames.map(profile))).map(([tps, profiles]) => {
      const cfg = emptyConfig();
      cfg.hostname = hostname;
      if (domainName) cfg.domainName = domainName;
      for (const t of tps) cfg.trustpoints.set(t.name, t);
      for (const p of profiles) cfg.profiles.set(p.name, p);
      return cfg;
    }),
  );

describe('configuration text round trip', () => {
  test('write → read → same model and same text', async () => {
    await fc.assert(
      fc.asyncProperty(config, async (cfg) => {
        const text = writeConfig(cfg);
        const { config: back, errors } = await readConfig(text);
        expect(errors).toEqual([]);
        expect(back).toEqual(cfg);
        expect(writeConfig(back)).toBe(text);
      }),
      { numRuns: 300 },
    );
  });

  test('every line of the text is accepted by the console grammar', async () => {
    // A stronger form of the above for the reader's own error path: no line is dropped.
    const cfg = emptyConfig();
    const text = writeConfig(cfg);
    expect(text).toBe('!\nhostname Router\n!\nend\n');
    expect((await readConfig(text)).errors).toEqual([]);
  });
});
