/**
 * The CRL serial index (assembly/der/crl.ts, `crlSerials`): against `openssl crl -text` for
 * CRLs made by `openssl ca -gencrl`, on hand-built CertificateLists (v1, GeneralizedTime,
 * entry extensions), on malformed input, and on a 100,000-entry, 4.9 MB CRL (generated once
 * and cached in bench/tmp/, which is gitignored). Debug and release builds.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes, randomInt } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Io } from '../../../src/core/io.ts';
import { instantiateCore } from '../../../src/core/instance.ts';
import { CRL_STRIDE, DerError, crlSerialsHex, derOps, type DerExports, type DerOps } from '../../../src/core/ops/der.ts';
import { coreWasmPath, domainWasmPath } from '../_core.ts';

/**
 * The builds under test, debug and release: the newer of the domain build
 * (`node scripts/asc-domain.mjs der [--release]`) and the full core (`npm run build:wasm[:debug]`)
 * among those that export `der_scan`, so a stale domain build never hides a fresh core;
 * CORE_WASM_FILE overrides both.
 */
const hasExport = (f: string) => WebAssembly.Module.exports(new WebAssembly.Module(readFileSync(f))).some((e) => e.name === 'der_scan');
const builds = [false, true].map((release) => {
  const candidates = [domainWasmPath('der', release), coreWasmPath(release ? 'release' : 'debug')].filter((f) => existsSync(f) && hasExport(f));
  candidates.sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs);
  return { name: release ? 'release' : 'debug', file: process.env.CORE_WASM_FILE ?? candidates[0] ?? domainWasmPath('der', release) };
});

async function loadDer(file: string): Promise<DerOps> {
  const inst = await instantiateCore(readFileSync(file));
  const ex = inst.exports as unknown as DerExports;
  if (typeof ex.der_crl_serials !== 'function') throw new Error(`${file} has no der exports: run node scripts/asc-domain.mjs der [--release]`);
  return derOps(ex, new Io(ex));
}

// ---- making CRLs with openssl ----

interface Revoked {
  serial: string; // hex as written to index.txt (upper case, even length)
  date: string; // UTCTime YYMMDDHHMMSSZ
  reason?: string;
}

/** A throwaway CA in `dir` (EC P-256, fast). */
function makeCa(dir: string): void {
  mkdirSync(dir, { recursive: true });
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', join(dir, 'ca.key'), '-out', join(dir, 'ca.crt'), '-subj', '/CN=Trustpoint test CRL CA', '-days', '30'], { stdio: 'pipe' });
}

/** `openssl ca -gencrl` over an index.txt of `R` lines; returns the DER CRL. */
function makeCrl(dir: string, revoked: Revoked[], crlNumber: boolean): Uint8Array {
  const lines = revoked.map((r, i) => `R\t301231235959Z\t${r.date}${r.reason ? `,${r.reason}` : ''}\t${r.serial}\tunknown\t/CN=revoked ${i}\n`);
  writeFileSync(join(dir, 'index.txt'), lines.join(''));
  const cnf = ['[ ca ]', 'default_ca = d', '[ d ]', `database = ${join(dir, 'index.txt')}`, 'default_md = sha256', 'default_crl_days = 30'];
  if (crlNumber) {
    cnf.push(`crlnumber = ${join(dir, 'crlnumber')}`);
    writeFileSync(join(dir, 'crlnumber'), '1000\n');
  }
  writeFileSync(join(dir, 'ca.cnf'), cnf.join('\n') + '\n');
  const pem = join(dir, 'crl.pem');
  execFileSync('openssl', ['ca', '-gencrl', '-config', join(dir, 'ca.cnf'), '-keyfile', join(dir, 'ca.key'), '-cert', join(dir, 'ca.crt'), '-out', pem], { stdio: 'pipe' });
  return new Uint8Array(execFileSync('openssl', ['crl', '-in', pem, '-outform', 'DER'], { maxBuffer: 1 << 30 }));
}

/** Serial numbers and revocation dates as `openssl crl -text` prints them, in CRL order. */
function opensslList(dir: string): { serials: string[]; dates: string[] } {
  const text = execFileSync('openssl', ['crl', '-in', join(dir, 'crl.pem'), '-noout', '-text'], { maxBuffer: 1 << 30 }).toString();
  return {
    serials: [...text.matchAll(/Serial Number: ([0-9A-F]+)/g)].map((m) => m[1]!),
    dates: [...text.matchAll(/Revocation Date: (.+)/g)].map((m) => m[1]!.trim()),
  };
}

/** As openssl prints an INTEGER: upper case, without the 00 that keeps a positive DER INTEGER positive. */
const opensslSerial = (contentHex: string) => contentHex.replace(/^00(?=[89a-f])/, '').toUpperCase();

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
/** UTCTime YYMMDDHHMMSSZ as `openssl crl -text` prints it ("Jan  1 00:00:00 2025 GMT"). */
function opensslDate(utc: string): string {
  const y = Number(utc.slice(0, 2));
  const year = y >= 50 ? 1900 + y : 2000 + y;
  const day = String(Number(utc.slice(4, 6))).padStart(2, ' ');
  return `${MONTHS[Number(utc.slice(2, 4)) - 1]} ${day} ${utc.slice(6, 8)}:${utc.slice(8, 10)}:${utc.slice(10, 12)} ${year} GMT`;
}

function randomSerial(): string {
  const len = 1 + randomInt(20);
  const b = randomBytes(len);
  if (b[0] === 0) b[0] = 1;
  return b.toString('hex').toUpperCase();
}

const randomUtc = () => {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${p(10 + randomInt(30))}${p(1 + randomInt(12))}${p(1 + randomInt(28))}${p(randomInt(24))}${p(randomInt(60))}${p(randomInt(60))}Z`;
};

// ---- hand-built DER ----

const encLen = (n: number): number[] => {
  if (n < 0x80) return [n];
  const b: number[] = [];
  for (let v = n; v > 0; v = Math.floor(v / 256)) b.unshift(v & 0xff);
  return [0x80 | b.length, ...b];
};
const tlv = (tag: number, ...parts: (Uint8Array | number[])[]) => {
  const body = parts.flatMap((p) => Array.from(p));
  return Uint8Array.from([tag, ...encLen(body.length), ...body]);
};
const ascii = (s: string) => Uint8Array.from(Buffer.from(s, 'latin1'));
const utc = (s: string) => tlv(0x17, ascii(s));
const gen = (s: string) => tlv(0x18, ascii(s));
const ALG = tlv(0x30, tlv(0x06, [0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x02])); // ecdsa-with-SHA256
const NAME = tlv(0x30, tlv(0x31, tlv(0x30, tlv(0x06, [0x55, 0x04, 0x03]), tlv(0x0c, ascii('CA')))));
const REASON_EXT = tlv(0x30, tlv(0x30, tlv(0x06, [0x55, 0x1d, 0x15]), tlv(0x04, tlv(0x0a, [1]))));
const SIG = tlv(0x03, [0, 1, 2, 3]);

function handCrl(tbsFields: Uint8Array[], after: Uint8Array[] = [ALG, SIG]): Uint8Array {
  return tlv(0x30, tlv(0x30, ...tbsFields), ...after);
}

describe.each(builds)('CRL serial index ($name build)', ({ name, file }) => {
  let d: DerOps;
  let dir: string;
  beforeAll(async () => {
    d = await loadDer(file);
    dir = mkdtempSync(join(tmpdir(), 'crl-test-'));
    makeCa(dir);
  }, 60_000);
  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('a 50-entry CRL from openssl ca: serials and dates equal `openssl crl -text`', () => {
    const revoked: Revoked[] = Array.from({ length: 50 }, (_, i) => ({
      serial: randomSerial(),
      date: randomUtc(),
      ...(i % 3 === 0 ? { reason: ['keyCompromise', 'superseded', 'cessationOfOperation'][i % 9 === 0 ? 0 : 1] } : {}),
    }));
    // distinct serials (openssl ca refuses duplicates)
    const unique = [...new Map(revoked.map((r) => [r.serial, r])).values()];
    const crl = makeCrl(dir, unique, true);
    const idx = d.crlSerials(crl);
    expect(idx.length).toBe(unique.length * CRL_STRIDE);
    const want = opensslList(dir);
    expect(want.serials.length).toBe(unique.length);
    const serials = crlSerialsHex(crl, idx);
    expect(serials.map(opensslSerial)).toEqual(want.serials);
    const byIndex = new Map(unique.map((r) => [r.serial, r.date]));
    const dates: string[] = [];
    for (let i = 0; i < serials.length; i++) {
      const o = i * CRL_STRIDE;
      expect(idx[o + 2]).toBe(0x17);
      const date = Buffer.from(crl.subarray(idx[o + 3]!, idx[o + 3]! + idx[o + 4]!)).toString('latin1');
      expect(date).toBe(byIndex.get(want.serials[i]!));
      dates.push(opensslDate(date));
    }
    expect(dates).toEqual(want.dates);
  });

  it('a CRL without revoked certificates (v2 with crlExtensions) has no entries', () => {
    expect(d.crlSerials(makeCrl(dir, [], true)).length).toBe(0);
  });

  it('hand-built CRLs: v1 without nextUpdate, GeneralizedTime, entry extensions', () => {
    const entries = [
      tlv(0x30, tlv(0x02, [0x01]), utc('250101000000Z')),
      tlv(0x30, tlv(0x02, [0x00, 0x80, 0xff]), gen('20510203040506Z'), REASON_EXT),
      tlv(0x30, tlv(0x02, Array.from({ length: 130 }, (_, i) => i + 1)), utc('991231235959Z')), // long-form INTEGER length
    ];
    const cases = [
      { name: 'v1', crl: handCrl([ALG, NAME, utc('260101000000Z'), tlv(0x30, ...entries)]) },
      { name: 'v2 + nextUpdate + crlExtensions', crl: handCrl([tlv(0x02, [1]), ALG, NAME, utc('260101000000Z'), gen('20260201000000Z'), tlv(0x30, ...entries), tlv(0xa0, tlv(0x30))]) },
    ];
    for (const { name: n, crl } of cases) {
      const idx = d.crlSerials(crl);
      expect(crlSerialsHex(crl, idx), n).toEqual(['01', '0080ff', Buffer.from(Array.from({ length: 130 }, (_, i) => i + 1)).toString('hex')]);
      expect([idx[2], idx[7], idx[12]]).toEqual([0x17, 0x18, 0x17]);
      expect(Buffer.from(crl.subarray(idx[8]!, idx[8]! + idx[9]!)).toString()).toBe('20510203040506Z');
    }
    // no revoked list at all, with and without crlExtensions
    expect(d.crlSerials(handCrl([ALG, NAME, utc('260101000000Z')])).length).toBe(0);
    expect(d.crlSerials(handCrl([tlv(0x02, [1]), ALG, NAME, utc('260101000000Z'), tlv(0xa0, tlv(0x30))])).length).toBe(0);
    // an empty SEQUENCE OF
    expect(d.crlSerials(handCrl([ALG, NAME, utc('260101000000Z'), tlv(0x30)])).length).toBe(0);
  });

  it('rejects malformed CertificateLists with a DerError', () => {
    const good = handCrl([ALG, NAME, utc('260101000000Z'), tlv(0x30, tlv(0x30, tlv(0x02, [5]), utc('250101000000Z')))]);
    expect(d.crlSerials(good).length).toBe(CRL_STRIDE);
    const cert = new Uint8Array(execFileSync('openssl', ['x509', '-in', join(dir, 'ca.crt'), '-outform', 'DER']));
    const entry = (...fields: Uint8Array[]) => handCrl([ALG, NAME, utc('260101000000Z'), tlv(0x30, tlv(0x30, ...fields))]);
    const cases: { name: string; der: Uint8Array; reason: string }[] = [
      { name: 'a certificate', der: cert, reason: 'not-a-crl' },
      { name: 'trailing byte', der: Uint8Array.from([...good, 0]), reason: 'trailing-data' },
      { name: 'truncated', der: good.subarray(0, good.length - 3), reason: 'overflow' },
      { name: 'empty', der: new Uint8Array(0), reason: 'truncated' },
      { name: 'entry without a date', der: entry(tlv(0x02, [5])), reason: 'truncated' },
      { name: 'empty serial', der: entry(tlv(0x02, []), utc('250101000000Z')), reason: 'not-a-crl' },
      { name: 'UTCTime without seconds', der: entry(tlv(0x02, [5]), utc('2501010000Z')), reason: 'not-a-crl' },
      { name: 'date that is no Time', der: entry(tlv(0x02, [5]), tlv(0x04, ascii('250101000000Z'))), reason: 'not-a-crl' },
      { name: 'element after the entry extensions', der: entry(tlv(0x02, [5]), utc('250101000000Z'), REASON_EXT, tlv(0x05, [])), reason: 'not-a-crl' },
      { name: 'thisUpdate missing', der: handCrl([ALG, NAME, tlv(0x30)]), reason: 'not-a-crl' },
      { name: 'unknown field after the list', der: handCrl([ALG, NAME, utc('260101000000Z'), tlv(0x30), tlv(0xa1, tlv(0x30))]), reason: 'not-a-crl' },
      { name: 'signature missing', der: handCrl([ALG, NAME, utc('260101000000Z')], [ALG]), reason: 'truncated' },
      { name: 'indefinite-length entry', der: handCrl([ALG, NAME, utc('260101000000Z'), Uint8Array.from([0x30, 0x80, 0, 0])]), reason: 'indefinite-length' },
      { name: 'non-minimal entry length', der: handCrl([ALG, NAME, utc('260101000000Z'), tlv(0x30, Uint8Array.from([0x30, 0x81, 0x03, 0x02, 0x01, 0x05]))]), reason: 'non-minimal-length' },
    ];
    for (const c of cases) {
      let err: unknown;
      try {
        d.crlSerials(c.der);
      } catch (e) {
        err = e;
      }
      expect(err, c.name).toBeInstanceOf(DerError);
      expect((err as DerError).reason, c.name).toBe(c.reason);
    }
    // every prefix of a valid CRL is rejected, none traps
    for (let n = 0; n < good.length; n++) expect(() => d.crlSerials(good.subarray(0, n))).toThrow(DerError);
  });

  it('indexes a 100,000-entry, 4.9 MB CRL (cached in bench/tmp/)', () => {
    const { crl, serials } = bigCrl();
    expect(crl.length).toBeGreaterThan(4_500_000);
    // its speed: tests/slow/work-bounds.test.ts (a bound) and `npm run bench` (the 50 ms target in Chromium)
    const idx = d.crlSerials(crl);
    const hex = crlSerialsHex(crl, idx);
    expect(idx.length).toBe(100_000 * CRL_STRIDE);
    expect(hex.map(opensslSerial).sort()).toEqual(serials);
  });
});

/** The 100,000-entry CRL, made once with openssl (about 1 s) and kept in bench/tmp/crl-100k/. */
function bigCrl(): { crl: Uint8Array; serials: string[] } {
  const dir = fileURLToPath(new URL('../../../bench/tmp/crl-100k/', import.meta.url));
  const der = join(dir, 'crl.der');
  const list = join(dir, 'serials.txt');
  if (!existsSync(der) || !existsSync(list)) {
    makeCa(dir);
    const seen = new Set<string>();
    const revoked: Revoked[] = [];
    while (revoked.length < 100_000) {
      // 16-byte serials with a reason code: about 49 bytes per entry, 4.9 MB in all
      const b = randomBytes(16);
      b[0] = (b[0]! & 0x7f) | 0x01;
      const serial = b.toString('hex').toUpperCase();
      if (seen.has(serial)) continue;
      seen.add(serial);
      revoked.push({ serial, date: '250101000000Z', reason: 'keyCompromise' });
    }
    const crl = makeCrl(dir, revoked, true);
    writeFileSync(der, crl);
    writeFileSync(list, [...seen].sort().join('\n'));
  }
  return { crl: new Uint8Array(readFileSync(der)), serials: readFileSync(list, 'utf8').split('\n') };
}
