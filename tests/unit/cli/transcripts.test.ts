/**
 * Golden console transcripts (FRR's test_cli.in / .refout idea): every
 * tests/vectors/cli/NAME.in is fed line by line into a headless console (fresh in-memory
 * NVRAM, fixed clock) and the whole transcript must equal NAME.out byte for byte. A missing
 * NAME.out is a failure; `UPDATE_GOLDEN=1 npx vitest run --project unit
 * tests/unit/cli/transcripts.test.ts` (re)writes the .out files — review the diff line by line.
 *
 * The .in format: one console line per line, typed as is (a question is answered by the next
 * line, a paste ends with a blank line or `quit`, as on a router), plus:
 *
 *   ^Z                         presses Ctrl-Z
 *   @key LABEL FILE [exportable]
 *                              puts the PKCS#8 key FILE (PEM) into the key store under LABEL,
 *                              as `crypto pki import` does (exportable: core-held, exportable)
 *   @file IFS-PATH FILE        writes FILE into an IOS file system (e.g. flash:router.p12)
 *   @paste FILE                types FILE's lines (a PEM certificate to paste), then nothing else
 *   @scep-fake [ACTION ...]    starts the fake SCEP CA (tests/fakes/fake-scep.ts) on the fixed
 *                              material of tests/vectors/fixtures/ and the console's clock; ACTIONs
 *                              (success, pending, failure:N) are its script. `{{SCEP}}` in later
 *                              lines is its URL.
 *
 * FILEs are relative to tests/vectors/ (the fixed keys and CAs are in tests/vectors/fixtures/,
 * made once with its make.sh). Directives print nothing.
 *
 * Determinism: the clock is fixed (FIXED_NOW), keys come from the fixtures (never generated),
 * and for the duration of a transcript `crypto.getRandomValues` — the only source of randomness
 * the app and its WASM core use — is a DRBG seeded with the transcript's name (SHA-256 in
 * counter mode), and so are AES keys WebCrypto would make (`subtle.generateKey`; a transcript
 * that would generate a key pair fails) and the fake CA's randomness; so salts, IVs, content
 * keys, nonces and padding repeat from run to run and nothing in the output is masked. The single substitution: the fake CA's URL,
 * whose port the OS picks, is printed as `{{SCEP}}` (it is always `http://127.0.0.1:` + a
 * 5-digit port + `/scep`, so the sizes `show running-config` prints do not depend on it).
 */
import { X509Certificate, createHash, createPrivateKey, createPublicKey } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, test, vi } from 'vitest';
import { FIXED_NOW, harness, type Harness } from './_harness.ts';
import { startFakeScep, type FakeAction, type FakeScep } from '../../fakes/fake-scep.ts';
import { readPem } from '../../../src/pki/pem.ts';

const vectors = fileURLToPath(new URL('../../vectors/', import.meta.url));
const dir = vectors + 'cli/';
const cases = readdirSync(dir).filter((f) => f.endsWith('.in')).sort();

/** A deterministic byte stream: SHA-256(seed ‖ counter) blocks. Test use only. */
export function seededBytes(seed: string): (n: number) => Uint8Array {
  let counter = 0;
  let pool = new Uint8Array(0);
  return (n) => {
    while (pool.length < n) {
      const block = createHash('sha256').update(`${seed}\0${counter++}`).digest();
      const next = new Uint8Array(pool.length + block.length);
      next.set(pool);
      next.set(block, pool.length);
      pool = next;
    }
    const out = pool.slice(0, n);
    pool = pool.slice(n);
    return out;
  };
}

const fakes: FakeScep[] = [];
afterEach(async () => {
  vi.restoreAllMocks();
  await Promise.all(fakes.splice(0).map((f) => f.close()));
});

function fixture(path: string): string {
  return readFileSync(vectors + path, 'utf8');
}

function parseAction(a: string): FakeAction {
  const f = /^failure:(\d)$/.exec(a);
  if (f) return { failure: Number(f[1]) };
  if (a === 'success' || a === 'pending') return a;
  throw new Error(`transcript: unknown @scep-fake action "${a}"`);
}

async function directive(h: Harness, line: string, name: string, vars: Map<string, string>): Promise<string[]> {
  const [word, ...args] = line.trim().split(/\s+/);
  switch (word) {
    case '@key': {
      const [label, file, flag] = args;
      if (!label || !file || (flag !== undefined && flag !== 'exportable')) throw new Error(`transcript: bad directive "${line}"`);
      const pkcs8 = readPem(fixture(file))[0]!.der;
      const rec = await h.app.keys.importPkcs8(label, 'general', pkcs8, flag === 'exportable');
      await h.app.keys.store.put([rec]);
      return [];
    }
    case '@file': {
      const [path, file] = args;
      if (!path || !file) throw new Error(`transcript: bad directive "${line}"`);
      await h.app.files.write(path, new Uint8Array(readFileSync(vectors + file)), h.app.clock().getTime());
      return [];
    }
    case '@paste':
      if (args.length !== 1) throw new Error(`transcript: bad directive "${line}"`);
      return fixture(args[0]!).replace(/\n$/, '').split('\n');
    case '@scep-fake': {
      const f = await startFakeScep({
        material: {
          caKeyPem: fixture('fixtures/scep-ca.key'),
          caCertPem: fixture('fixtures/scep-ca.pem'),
          nextKeyPem: fixture('fixtures/scep-next-ca.key'),
          nextCertPem: fixture('fixtures/scep-next-ca.pem'),
        },
        now: () => h.app.clock(),
        random: seededBytes(`${name}/fake-scep`),
        script: args.map(parseAction),
      });
      fakes.push(f);
      if (!/^http:\/\/127\.0\.0\.1:\d{5}\/scep$/.test(f.url)) throw new Error(`transcript: the fake's URL ${f.url} does not have a 5-digit port`);
      vars.set('{{SCEP}}', f.url);
      return [];
    }
    default:
      throw new Error(`transcript: unknown directive "${line}"`);
  }
}

async function transcript(name: string, input: string): Promise<string> {
  const random = seededBytes(name);
  vi.spyOn(globalThis.crypto, 'getRandomValues').mockImplementation(<T extends ArrayBufferView | null>(a: T): T => {
    if (a) new Uint8Array(a.buffer, a.byteOffset, a.byteLength).set(random(a.byteLength));
    return a;
  });
  // WebCrypto's own generator cannot be seeded: symmetric keys are drawn from the DRBG and
  // imported; key pairs must come from the fixtures (@key), never be generated.
  const subtle = globalThis.crypto.subtle;
  const generateKey = subtle.generateKey.bind(subtle);
  vi.spyOn(subtle, 'generateKey').mockImplementation((async (alg: AlgorithmIdentifier & { length?: number }, extractable: boolean, usages: KeyUsage[]) => {
    const name = typeof alg === 'string' ? alg : alg.name;
    if (/^AES-/i.test(name) && typeof alg === 'object' && alg.length) return subtle.importKey('raw', random(alg.length / 8) as Uint8Array<ArrayBuffer>, name, extractable, usages);
    if (/^(RSA|EC)/i.test(name)) throw new Error(`transcript ${name}: a key pair would be generated (not reproducible): give it with @key`);
    return generateKey(alg, extractable, usages);
  }) as typeof subtle.generateKey);
  const h = await harness();
  h.app.scepPollDelay = () => 0; // CertPolls follow at once (the clock stands still anyway)
  let out = '';
  h.session.onOutput((c) => (out += c));
  const vars = new Map<string, string>();
  const lines = input.replace(/\n$/, '').split('\n');
  const type = async (line: string) => {
    if (line === '^Z') h.session.ctrlZ();
    else h.session.submit([...vars].reduce((l, [k, v]) => l.replaceAll(k, v), line));
    await h.session.idle();
  };
  for (const line of lines) {
    if (line.startsWith('@')) for (const l of await directive(h, line, name, vars)) await type(l);
    else await type(line);
  }
  await new Promise((r) => setTimeout(r, 0));
  await h.session.idle();
  return [...vars].reduce((o, [k, v]) => o.replaceAll(v, k), out);
}

describe('golden console transcripts', () => {
  test('there are transcripts', () => expect(cases.length).toBeGreaterThan(5));
  test('the clock is fixed', () => expect(FIXED_NOW.toISOString()).toBe('2026-11-27T03:12:44.000Z'));
  for (const name of cases) {
    test(name.replace(/\.in$/, ''), async () => {
      const input = readFileSync(dir + name, 'utf8');
      const got = await transcript(name, input);
      const outFile = dir + name.replace(/\.in$/, '.out');
      if (process.env.UPDATE_GOLDEN) writeFileSync(outFile, got);
      else if (!existsSync(outFile))
        throw new Error(`${name.replace(/\.in$/, '.out')} is missing: write it with UPDATE_GOLDEN=1 npx vitest run --project unit tests/unit/cli/transcripts.test.ts, then review it line by line`);
      expect(got).toBe(readFileSync(outFile, 'utf8'));
    });
  }
});

/** Blocks of one PEM label in a transcript. */
function pemBlocks(text: string, label: string): string[] {
  return [...text.matchAll(new RegExp(`-----BEGIN ${label}-----\\n[\\s\\S]*?-----END ${label}-----\\n`, 'g'))].map((m) => m[0]);
}

describe('OpenSSL referees what the golden transcripts show', () => {
  const out = (name: string) => readFileSync(dir + name, 'utf8');
  const fixtureSpki = (file: string) => createPublicKey(createPrivateKey(fixture(file))).export({ type: 'spki', format: 'der' });

  test('11-pki-enroll-terminal: the request verifies, is for the fixture key and carries the subject the CA certified', () => {
    const [csr] = pemBlocks(out('11-pki-enroll-terminal.out'), 'CERTIFICATE REQUEST');
    const text = execFileSync('openssl', ['req', '-noout', '-verify', '-text', '-nameopt', 'RFC2253'], { input: csr, encoding: 'utf8', stdio: ['pipe', 'pipe', 'pipe'] });
    expect(text).toContain('Subject: unstructuredName=kiosk7.example.com,O=example.com,OU=Spiral Dept.');
    const spki = execFileSync('openssl', ['req', '-noout', '-pubkey'], { input: csr });
    expect(createPublicKey(spki).export({ type: 'spki', format: 'der' }).equals(fixtureSpki('fixtures/router-a.key'))).toBe(true);
    const issued = new X509Certificate(fixture('fixtures/router-a.pem'));
    expect(text).toContain(`Subject: ${issued.subject.split('\n').reverse().join(',')}`);
  });

  test('13-pki-export: both exported keys (AES-256 and 3DES) decrypt with the password to the fixture key', () => {
    const keys = pemBlocks(out('13-pki-export.out'), 'ENCRYPTED PRIVATE KEY');
    expect(keys).toHaveLength(2);
    const want = createPrivateKey(fixture('fixtures/router-a.key')).export({ type: 'pkcs8', format: 'der' });
    for (const k of keys) {
      expect(() => createPrivateKey({ key: k, passphrase: 'wrong' })).toThrow();
      expect(createPrivateKey({ key: k, passphrase: 'export-secret' }).export({ type: 'pkcs8', format: 'der' }).equals(want)).toBe(true);
    }
  });
});
