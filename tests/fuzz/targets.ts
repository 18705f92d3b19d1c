/**
 * The fuzz targets: every parser that reads outside input, with its seeds. Each target's `run`
 * must end in a result or the parser's own typed error (a `PkiError`, incl. CliError, CoreError,
 * DerError, ScepError …) — never another exception — within the time limit (engine.ts).
 *
 * Seeds come from ../shared/vectors (x509-limbo certificates and CRLs, Wycheproof keys and
 * signatures), from captured SCEP messages (tests/vectors/scep-captures: the real micromdm
 * server, Debian's scepclient, our own requests, the scripted fake CA), from OpenSSL-made
 * structures (tests/vectors/fuzz-seeds) and, for text, the console golden inputs
 * (tests/vectors/cli/*.in).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CoreApi } from '../../src/core/api.ts';
import { createDirectCore } from '../../src/core/direct.ts';
import { MODES, type ModeId } from '../../src/config/modes.ts';
import { complete, fallbackSecretSpans, helpFor, lex, matchLine, matchSecrets } from '../../src/config/grammar.ts';
import { readConfig } from '../../src/config/reader.ts';
import { cliRegistry } from '../../src/cli/session.ts';
import { parseCaCaps } from '../../src/enroll/scep/caps.ts';
import { describeMessage } from '../../src/enroll/scep/inspect.ts';
import { parseCertRep } from '../../src/enroll/scep/message.ts';
import { parseChainCert } from '../../src/pki/chain/cert.ts';
import { parseCrl } from '../../src/pki/chain/crl.ts';
import { parseOcspResponse } from '../../src/pki/ocsp.ts';
import { certificatesFromPkcs7, classifyDer } from '../../src/pki/cms.ts';
import { inspectSignedEnvelope } from '../../src/pki/cms-inspect.ts';
import { parseCsr } from '../../src/pki/csr.ts';
import { createPkiEngine, type PkiEngine } from '../../src/pki/engine.ts';
import { PasteCollector, decodeBase64, derCheck, readBase64Block, readPasted, readPem, sniffDerKind, writePem } from '../../src/pki/pem.ts';
import { readPkcs12 } from '../../src/pki/pkcs12.ts';
import { readPrivateKey } from '../../src/pki/private-key.ts';
import { makeVerify } from '../../src/pki/verify-core.ts';
import { summarizeCertificate } from '../../src/pki/x509.ts';
import { toIosHexWords } from '../../src/util/hex.ts';
import type { VerifyFn } from '../../src/crypto/types.ts';
import { PkiError } from '../../src/util/errors.ts';
import type { Seed } from './mutate.ts';

const REPO = fileURLToPath(new URL('../../', import.meta.url));
const SHARED = process.env.TRUSTPOINT_SHARED ?? join(REPO, '..', 'shared');

export interface Target {
  name: string;
  /** what the target parses (for the report) */
  what: string;
  /** text input (adds line-level mutations) */
  text: boolean;
  seeds: Seed[];
  run(input: Uint8Array): unknown;
}

/** Work limits that keep one input cheap where the format lets a file ask for work. */
export const FUZZ_KDF_ITERATIONS = 4096;
/** Console lines per input (each is read in every mode: the limit is per paste of this size). */
export const CLI_LINES = 16;

// ----------------------------------------------------------------------------------------------
// Seeds

const dec = new TextDecoder();
const enc = new TextEncoder();

function files(dir: string, re: RegExp): { name: string; bytes: Uint8Array }[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => re.test(f))
    .sort()
    .map((f) => ({ name: f, bytes: new Uint8Array(readFileSync(join(dir, f))) }));
}

const pemBlocks = (text: string) =>
  [...text.matchAll(/-----BEGIN ([A-Z0-9 ]+)-----([\s\S]*?)-----END \1-----/g)].map((m) => Uint8Array.from(Buffer.from(m[2]!.replace(/\s+/g, ''), 'base64')));

interface SeedSet {
  certs: Seed[];
  crls: Seed[];
  ocsp: Seed[];
  csrs: Seed[];
  cms: Seed[];
  certreps: Seed[];
  p12: Seed[];
  keys: Seed[];
  spkis: Seed[];
  sigs: Seed[];
  cliInputs: Seed[];
  caps: Seed[];
  trusted: Uint8Array[];
}

let seedSet: SeedSet | undefined;

function loadSeeds(): SeedSet {
  if (seedSet) return seedSet;
  const s: SeedSet = { certs: [], crls: [], ocsp: [], csrs: [], cms: [], certreps: [], p12: [], keys: [], spkis: [], sigs: [], cliInputs: [], caps: [], trusted: [] };
  // x509-limbo: certificates and CRLs
  const limboPath = join(SHARED, 'vectors', 'x509-limbo', 'limbo-sample.json');
  if (existsSync(limboPath)) {
    const limbo = JSON.parse(readFileSync(limboPath, 'utf8')) as { testcases: { id: string; trusted_certs: string[]; untrusted_intermediates: string[]; peer_certificate: string; crls?: string[] }[] };
    const seen = new Set<string>();
    for (const t of limbo.testcases) {
      for (const pem of [...t.trusted_certs, ...t.untrusted_intermediates, t.peer_certificate])
        for (const der of pemBlocks(pem)) {
          const k = Buffer.from(der).toString('base64');
          if (seen.has(k)) continue;
          seen.add(k);
          s.certs.push({ name: `limbo ${t.id}`, bytes: der });
        }
      for (const pem of t.crls ?? []) for (const der of pemBlocks(pem)) s.crls.push({ name: `limbo ${t.id} crl`, bytes: der });
    }
  }
  // Wycheproof: public keys (SPKI DER), ECDSA DER signatures, PKCS#8 private keys
  const wdir = join(SHARED, 'vectors', 'wycheproof');
  if (existsSync(wdir)) {
    for (const f of readdirSync(wdir).filter((n) => /^(rsa_signature_2048|ecdsa_secp256r1_sha256_test|ecdsa_secp384r1_sha384_test|rsa_pkcs1_2048_test|rsa_pss_2048_sha256_mgf1_32_params)/.test(n))) {
      const j = JSON.parse(readFileSync(join(wdir, f), 'utf8')) as { testGroups: { publicKeyDer?: string; privateKeyPkcs8?: string; tests: { sig?: string; tcId: number; flags: string[] }[] }[] };
      for (const g of j.testGroups.slice(0, 3)) {
        if (g.publicKeyDer) s.spkis.push({ name: `wycheproof ${f} key`, bytes: Uint8Array.from(Buffer.from(g.publicKeyDer, 'hex')) });
        if (g.privateKeyPkcs8) s.keys.push({ name: `wycheproof ${f} pkcs8`, bytes: Uint8Array.from(Buffer.from(g.privateKeyPkcs8, 'hex')) });
        if (f.startsWith('ecdsa') && !f.includes('p1363'))
          for (const t of g.tests.filter((x) => x.flags.includes('BerEncodedSignature') || x.tcId % 40 === 1).slice(0, 12))
            if (t.sig) s.sigs.push({ name: `wycheproof ${f} #${t.tcId}`, bytes: Uint8Array.from(Buffer.from(t.sig, 'hex')) });
      }
    }
  }
  // OpenSSL-made structures
  for (const f of files(join(REPO, 'tests', 'vectors', 'fuzz-seeds'), /\.(der|p7b|p12|pem)$/)) {
    const seed = { name: `fuzz-seeds/${f.name}`, bytes: f.bytes };
    if (f.name.startsWith('cert-')) s.certs.push(seed);
    else if (f.name.startsWith('crl-')) s.crls.push(seed);
    else if (f.name.startsWith('ocsp-')) s.ocsp.push(seed);
    else if (f.name.startsWith('csr-')) s.csrs.push(seed);
    else if (f.name.startsWith('pkcs7-')) s.cms.push(seed);
    else if (f.name.startsWith('p12-')) s.p12.push(seed);
    else if (f.name.startsWith('key-')) s.keys.push(seed);
  }
  // captured SCEP messages
  for (const f of files(join(REPO, 'tests', 'vectors', 'scep-captures'), /\.(der|p7b|txt)$/)) {
    const seed = { name: `scep-captures/${f.name}`, bytes: f.bytes };
    if (f.name.endsWith('.txt')) s.caps.push(seed);
    else if (/(^|-)ca\.der$/.test(f.name) || f.name.includes('getcacert.der')) {
      s.certs.push(seed);
      if (/(^|-)ca\.der$/.test(f.name)) s.trusted.push(f.bytes);
    } else {
      s.cms.push(seed);
      if (f.name.includes('certrep')) s.certreps.push(seed);
    }
  }
  s.caps.push({ name: 'caps: micromdm style', bytes: enc.encode('Renewal\nSHA-1\nSHA-256\nAES\nDES3\nSCEPStandard\nPOSTPKIOperation\n') }, { name: 'caps: CRLF', bytes: enc.encode('POSTPKIOperation\r\nSHA-512\r\nDES3\r\nGetNextCACert') });
  // console inputs
  for (const f of files(join(REPO, 'tests', 'vectors', 'cli'), /\.in$/)) s.cliInputs.push({ name: `cli/${f.name}`, bytes: f.bytes });
  return (seedSet = s);
}

// ----------------------------------------------------------------------------------------------
// Targets

export interface TargetContext {
  core: CoreApi;
  engine: PkiEngine;
  verify: VerifyFn;
}

let ctxPromise: Promise<TargetContext> | undefined;

/** The release core, in-thread, and what the parsers need from it. */
export function targetContext(): Promise<TargetContext> {
  ctxPromise ??= (async () => {
    const core = await createDirectCore(readFileSync(join(REPO, 'src', 'core', 'gen', 'core.wasm')));
    const verify = makeVerify(async () => core);
    const engine = createPkiEngine(core, globalThis.crypto?.subtle ? { subtle: globalThis.crypto.subtle } : {});
    return { core, engine, verify };
  })();
  return ctxPromise;
}

const ALL_MODES = () => [...cliRegistry().entries()] as [ModeId, ReturnType<typeof cliRegistry> extends Map<ModeId, infer C> ? C : never][];

export async function fuzzTargets(): Promise<Target[]> {
  const s = loadSeeds();
  const { core, engine, verify } = await targetContext();
  const der = [...s.certs, ...s.crls, ...s.ocsp, ...s.csrs, ...s.cms, ...s.p12, ...s.keys.filter((k) => !k.name.endsWith('.pem')), ...s.spkis, ...s.sigs];
  const pemSeeds: Seed[] = [
    ...s.certs.slice(0, 6).map((x) => ({ name: `${x.name} as PEM`, bytes: enc.encode(writePem('CERTIFICATE', x.bytes)) })),
    ...s.csrs.map((x) => ({ name: `${x.name} as PEM`, bytes: enc.encode(writePem('CERTIFICATE REQUEST', x.bytes)) })),
    ...s.crls.slice(0, 2).map((x) => ({ name: `${x.name} as PEM`, bytes: enc.encode(writePem('X509 CRL', x.bytes)) })),
    ...s.cms.slice(0, 2).map((x) => ({ name: `${x.name} as PKCS7 PEM`, bytes: enc.encode(writePem('PKCS7', x.bytes)) })),
    ...s.keys.filter((k) => k.name.endsWith('.pem')),
    { name: 'base64 block', bytes: enc.encode(Buffer.from(s.certs[0]?.bytes ?? []).toString('base64').replace(/.{64}/g, '$&\n')) },
    { name: 'PEM with headers', bytes: enc.encode('-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,00112233445566778899AABBCCDDEEFF\n\nAAAA\n-----END RSA PRIVATE KEY-----\n') },
  ];
  const keySeeds = [...s.keys, ...pemSeeds.filter((p) => /PRIVATE KEY/.test(dec.decode(p.bytes)))];
  // a configuration with every sub-mode and a certificate chain in hex (what NVRAM holds)
  const hexLines = s.certs[0] ? toIosHexWords(s.certs[0].bytes, 8).map((l) => `  ${l}`) : [];
  const configSeeds: Seed[] = [
    ...s.cliInputs,
    {
      name: 'startup-config with a certificate chain',
      bytes: enc.encode(
        [
          'hostname kiosk7',
          'ip domain-name example.com',
          'crypto pki trustpoint T',
          ' enrollment url http://ca.example.com/scep',
          ' subject-name CN=kiosk7, O=Example',
          ' password 7 0822455D0A16',
          ' rsakeypair T 2048',
          ' revocation-check crl none',
          ' auto-enroll 80 regenerate',
          '!',
          'crypto pki profile enrollment E',
          ' enrollment url http://ca:81/cgi $REQ',
          ' parameter 1 value x',
          '!',
          'crypto pki certificate chain T',
          ' certificate ca 01',
          ...hexLines,
          '  quit',
          'end',
        ].join('\n'),
      ),
    },
  ];
  const trusted = s.trusted;

  return [
    {
      name: 'der-core',
      what: 'the core DER scanner (derScan) and CRL index (crlSerials), in WASM',
      text: false,
      seeds: der,
      run: async (b) => {
        await core.derScan(b, { maxDepth: 64 });
        if (b[0] === 0x30) await core.crlSerials(b).catch((e: unknown) => rethrowUnlessTyped(e));
      },
    },
    {
      name: 'der-js',
      what: 'the TypeScript DER reader (derCheck DER/BER), sniffDerKind, classifyDer',
      text: false,
      seeds: der,
      run: (b) => {
        sniffDerKind(b);
        classifyDer(b);
        try {
          derCheck(b, { ber: true });
        } catch (e) {
          rethrowUnlessTyped(e);
        }
        derCheck(b);
      },
    },
    {
      name: 'pem',
      what: 'PEM, base64 blocks and pastes (readPem, readPasted, readBase64Block, PasteCollector)',
      text: true,
      seeds: pemSeeds,
      run: (b) => {
        const text = dec.decode(b);
        const pc = new PasteCollector();
        for (const line of text.split('\n')) if (pc.push(line)) break;
        try {
          readPem(text);
        } catch (e) {
          rethrowUnlessTyped(e);
        }
        try {
          readBase64Block(text);
        } catch (e) {
          rethrowUnlessTyped(e);
        }
        try {
          decodeBase64(text.replace(/-----[^\n]*-----/g, ''));
        } catch (e) {
          rethrowUnlessTyped(e);
        }
        readPasted(b);
      },
    },
    {
      name: 'x509',
      what: 'certificates for views and enrollment (summarizeCertificate, pkijs)',
      text: false,
      seeds: s.certs,
      run: (b) => summarizeCertificate(b),
    },
    {
      name: 'chain-cert',
      what: 'certificates for path validation (parseChainCert)',
      text: false,
      seeds: s.certs,
      run: (b) => parseChainCert(b),
    },
    {
      name: 'csr',
      what: 'PKCS#10 requests with their signature (parseCsr)',
      text: false,
      seeds: [...s.csrs, ...s.certs.slice(0, 3)],
      run: (b) => parseCsr(b, verify),
    },
    {
      name: 'crl',
      what: 'CRLs, default and strict profile (parseCrl)',
      text: false,
      seeds: [...s.crls, ...s.certs.slice(0, 2)],
      run: (b) => {
        try {
          parseCrl(b, { strict: true });
        } catch (e) {
          rethrowUnlessTyped(e);
        }
        return parseCrl(b);
      },
    },
    {
      name: 'ocsp',
      what: 'OCSP responses (parseOcspResponse, RFC 6960)',
      text: false,
      seeds: s.ocsp,
      run: (b) => parseOcspResponse(b),
    },
    {
      name: 'cms',
      what: 'CMS SignedData / PKCS#7 (inspectSignedEnvelope, certificatesFromPkcs7)',
      text: false,
      seeds: s.cms,
      run: (b) => {
        const r = inspectSignedEnvelope(b);
        if (b[0] === 0x30) certificatesFromPkcs7(b);
        return r;
      },
    },
    {
      name: 'scep-certrep',
      what: 'SCEP CertRep (parseCertRep: signature, attributes) and the inspector (describeMessage)',
      text: false,
      seeds: s.certreps.length ? s.certreps : s.cms,
      run: async (b) => {
        await describeMessage(b, 'reply', { cipher: 'AES-128-CBC', digest: 'SHA-256', post: true, renewal: true, getNextCACert: false });
        return parseCertRep(b, { verify, trusted }, engine);
      },
    },
    {
      name: 'scep-caps',
      what: 'GetCACaps replies (parseCaCaps)',
      text: true,
      seeds: s.caps,
      run: (b) => parseCaCaps(dec.decode(b)),
    },
    {
      name: 'pkcs12',
      what: `PKCS#12 files (readPkcs12; at most ${FUZZ_KDF_ITERATIONS} KDF iterations per input)`,
      text: false,
      seeds: s.p12,
      run: (b) => readPkcs12(b, 'fuzz', core, { maxIterations: FUZZ_KDF_ITERATIONS }),
    },
    {
      name: 'private-key',
      what: `private keys: PKCS#8, encrypted PKCS#8, PKCS#1, SEC1, PEM (readPrivateKey; at most ${FUZZ_KDF_ITERATIONS} KDF iterations)`,
      text: false,
      seeds: keySeeds,
      run: (b) => readPrivateKey(b[0] === 0x30 ? b : dec.decode(b), 'fuzz', core, { maxIterations: FUZZ_KDF_ITERATIONS }),
    },
    {
      name: 'cli',
      what: `console lines in every mode (lex, matchLine, ? help, Tab completion, secret redaction; ${CLI_LINES} lines per input)`,
      text: true,
      seeds: s.cliInputs,
      run: (b) => {
        const lines = dec.decode(b).split('\n').slice(0, CLI_LINES);
        for (const [mode, cmds] of ALL_MODES()) {
          if (!MODES[mode]) continue;
          for (const line of lines) {
            lex(line);
            matchLine(cmds, line);
            helpFor(cmds, line);
            complete(cmds, line);
            matchSecrets(cmds, line);
          }
        }
        for (const line of lines) fallbackSecretSpans(line);
      },
    },
    {
      name: 'config',
      what: 'configuration text as NVRAM holds it (readConfig, incl. certificate chains in hex)',
      text: true,
      seeds: configSeeds,
      run: async (b) => {
        const r = await readConfig(dec.decode(b));
        return r.errors.length;
      },
    },
  ];
}

/** Inside a target: swallow a typed error of a secondary call, rethrow anything else. */
function rethrowUnlessTyped(e: unknown): void {
  if (isTyped(e)) return;
  throw e;
}

/** The typed errors of the parsers: PkiError and its subclasses. */
export function isTyped(e: unknown): boolean {
  return e instanceof PkiError;
}
