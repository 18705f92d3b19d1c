/**
 * assembly/der scanner through src/core/ops/der.ts: real certificates from `openssl req
 * -x509` against a reference walk in plain JS, each malformed encoding rejected with its
 * own reason (X.690 §8.1, §10.1, §10.2), the depth and output bounds, and a fast-check property:
 * random DER trees -> encode -> scan -> the same tree. Debug and release builds.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Io } from '../../../src/core/io.ts';
import { instantiateCore } from '../../../src/core/instance.ts';
import { DER_STRIDE, DerError, derElement, derOps, type DerExports, type DerOps } from '../../../src/core/ops/der.ts';
import { PkiError } from '../../../src/util/errors.ts';
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

async function loadDer(file: string): Promise<{ ops: DerOps; ex: DerExports; io: Io }> {
  const inst = await instantiateCore(readFileSync(file));
  const ex = inst.exports as unknown as DerExports;
  if (typeof ex.der_scan !== 'function') throw new Error(`${file} has no der exports: run node scripts/asc-domain.mjs der [--release]`);
  const io = new Io(ex);
  return { ops: derOps(ex, io), ex, io };
}

const h = (s: string) => Uint8Array.from(Buffer.from(s.replace(/\s+/g, ''), 'hex'));

/**
 * Reference walk, written independently of the core: recursive, reads X.690 headers and
 * returns the same flat layout (tag | number << 8, header length, content offset, content
 * length, depth). It assumes valid DER (it is only run on openssl output).
 */
function referenceWalk(b: Uint8Array): number[] {
  const out: number[] = [];
  const walk = (start: number, end: number, depth: number) => {
    let pos = start;
    while (pos < end) {
      let p = pos;
      const id = b[p++]!;
      let num = id & 0x1f;
      if (num === 0x1f) {
        num = 0;
        let d: number;
        do {
          d = b[p++]!;
          num = num * 128 + (d & 0x7f);
        } while (d & 0x80);
      }
      let len = b[p++]!;
      if (len & 0x80) {
        const n = len & 0x7f;
        len = 0;
        for (let i = 0; i < n; i++) len = len * 256 + b[p++]!;
      }
      out.push(id + num * 256, p - pos, p, len, depth);
      if (id & 0x20) walk(p, p + len, depth + 1);
      pos = p + len;
    }
  };
  walk(0, b.length, 0);
  return out;
}

// ---- random DER trees for the property test ----

type Tree = { cls: number; number: number; children: Tree[] } | { cls: number; number: number; content: Uint8Array };

function encodeLength(n: number): number[] {
  if (n < 0x80) return [n];
  const bytes: number[] = [];
  for (let v = n; v > 0; v = Math.floor(v / 256)) bytes.unshift(v & 0xff);
  return [0x80 | bytes.length, ...bytes];
}

function encodeId(t: Tree): number[] {
  const first = (t.cls << 6) | ('children' in t ? 0x20 : 0);
  if (t.number < 31) return [first | t.number];
  const digits: number[] = [];
  for (let v = t.number; v > 0; v = Math.floor(v / 128)) digits.unshift(v & 0x7f);
  return [first | 0x1f, ...digits.map((d, i) => (i < digits.length - 1 ? d | 0x80 : d))];
}

/** Encodes a tree and returns its bytes plus the element list the scanner must report. */
function encodeTree(root: Tree): { der: Uint8Array; want: number[] } {
  const want: number[] = [];
  const enc = (t: Tree, offset: number, depth: number): number[] => {
    const id = encodeId(t);
    const slot = want.length;
    want.push(0, 0, 0, 0, 0);
    let content: number[];
    if ('children' in t) {
      content = [];
      // children need their final offsets: encode with a provisional header length first
      const provisional = id.length + 1;
      let body = encodeChildren(t, offset + provisional, depth);
      let header = [...id, ...encodeLength(body.length)];
      if (header.length !== provisional) {
        want.length = slot + 5;
        body = encodeChildren(t, offset + header.length, depth);
        header = [...id, ...encodeLength(body.length)];
      }
      content = body;
      want.splice(slot, 5, (id[0]! | (t.number << 8)) >>> 0, header.length, offset + header.length, content.length, depth);
      return [...header, ...content];
    }
    content = Array.from(t.content);
    const header = [...id, ...encodeLength(content.length)];
    want.splice(slot, 5, (id[0]! | (t.number << 8)) >>> 0, header.length, offset + header.length, content.length, depth);
    return [...header, ...content];
  };
  const encodeChildren = (t: Tree & { children: Tree[] }, offset: number, depth: number): number[] => {
    const out: number[] = [];
    for (const c of t.children) out.push(...enc(c, offset + out.length, depth + 1));
    return out;
  };
  const bytes = enc(root, 0, 0);
  return { der: Uint8Array.from(bytes), want };
}

const tagArb = fc.record({
  cls: fc.integer({ min: 0, max: 3 }),
  number: fc.oneof(fc.integer({ min: 0, max: 30 }), fc.integer({ min: 31, max: 0x1fffff })),
});
/** Universal types that DER encodes constructed (X.690 §8.9, §8.11, §10.2); all others are primitive. */
const CONSTRUCTED_UNIVERSAL = [8, 11, 16, 17, 29];
const treeArb: fc.Arbitrary<Tree> = fc.letrec<{ tree: Tree }>((tie) => ({
  tree: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc
      .record({ tag: tagArb, content: fc.oneof(fc.uint8Array({ maxLength: 8 }), fc.uint8Array({ minLength: 120, maxLength: 300 })) })
      // tag 0, universal, primitive is end-of-contents, not a DER element
      .filter(({ tag }) => !(tag.cls === 0 && (tag.number === 0 || CONSTRUCTED_UNIVERSAL.includes(tag.number))))
      .map(({ tag, content }) => ({ ...tag, content })),
    fc
      .record({ tag: tagArb, children: fc.array(tie('tree'), { maxLength: 4 }) })
      // a constructed universal element must be one of the constructed types
      .map(({ tag, children }) => ({ ...tag, number: tag.cls === 0 ? CONSTRUCTED_UNIVERSAL[tag.number % 5]! : tag.number, children })),
  ),
})).tree;

describe.each(builds)('DER scanner ($name build)', ({ file }) => {
  let d: DerOps;
  let ex: DerExports;
  let io: Io;
  let dir: string;
  const certs: { name: string; der: Uint8Array }[] = [];

  beforeAll(async () => {
    ({ ops: d, ex, io } = await loadDer(file));
    dir = mkdtempSync(join(tmpdir(), 'der-test-'));
    const mk = (name: string, args: string[]) => {
      const pem = join(dir, `${name}.pem`);
      execFileSync('openssl', ['req', '-x509', '-nodes', '-days', '30', '-keyout', join(dir, `${name}.key`), '-out', pem, ...args], { stdio: 'pipe' });
      certs.push({ name, der: execFileSync('openssl', ['x509', '-in', pem, '-outform', 'DER']) });
    };
    mk('rsa-2048', ['-newkey', 'rsa:2048', '-subj', '/C=DE/O=Trustpoint Test/CN=RSA root']);
    mk('ec-p256', ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-subj', '/CN=EC root', '-addext', 'subjectAltName=DNS:a.example,DNS:b.example,IP:127.0.0.1']);
    mk('ec-p384-ext', ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-384', '-subj', '/CN=EC leaf/OU=unit', '-addext', 'keyUsage=critical,digitalSignature', '-addext', 'extendedKeyUsage=clientAuth,serverAuth', '-addext', 'certificatePolicies=1.2.3.4']);
  }, 60_000);
  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('accepts real certificates, and the element list equals a reference walk', () => {
    expect(certs.length).toBe(3);
    for (const { name, der } of certs) {
      const scan = d.derScan(der);
      expect(Array.from(scan), name).toEqual(referenceWalk(der));
      const top = derElement(scan, 0);
      expect(top).toMatchObject({ id: 0x30, tagNumber: 16, constructed: true, offset: 0, depth: 0 });
      expect(top.contentOffset + top.contentLength).toBe(der.length);
      // Certificate ::= SEQUENCE { tbsCertificate, signatureAlgorithm, signatureValue }
      const depth1 = Array.from({ length: scan.length / DER_STRIDE }, (_, i) => derElement(scan, i)).filter((e) => e.depth === 1);
      expect(depth1.map((e) => e.id)).toEqual([0x30, 0x30, 0x03]);
    }
  });

  type Bad = { name: string; der: string; reason: string; offset: number; maxDepth?: number };
  const BAD: Bad[] = [
    { name: 'empty input', der: '', reason: 'truncated', offset: 0 },
    { name: 'identifier only', der: '30', reason: 'truncated', offset: 0 },
    { name: 'long-form length cut off', der: '0282 01', reason: 'truncated', offset: 0 },
    { name: 'child header cut off by its parent', der: '3001 02', reason: 'truncated', offset: 2 },
    { name: 'high tag number cut off', der: '1f 81', reason: 'truncated', offset: 0 },
    { name: 'indefinite length', der: '3080 0201 01 0000', reason: 'indefinite-length', offset: 0 },
    { name: 'nested indefinite length', der: '3004 3080 0000', reason: 'indefinite-length', offset: 2 },
    { name: 'long form for a short length', der: '0281 05 0102030405', reason: 'non-minimal-length', offset: 0 },
    { name: 'long form 0x81 0x7f', der: '0481 7f' + '00'.repeat(127), reason: 'non-minimal-length', offset: 0 },
    { name: 'leading zero length octet', der: '0482 0080' + '00'.repeat(128), reason: 'non-minimal-length', offset: 0 },
    { name: 'five length octets', der: '0485 0000000001 00', reason: 'length-too-long', offset: 0 },
    { name: 'reserved length octet 0xff', der: '04ff', reason: 'length-too-long', offset: 0 },
    { name: 'content past the end of the buffer', der: '0203 0102', reason: 'overflow', offset: 0 },
    { name: 'child content past the end of its parent', der: '3004 0203 0102', reason: 'overflow', offset: 2 },
    { name: '4-byte length of 4 GiB - 1', der: '0484 ffffffff 00', reason: 'overflow', offset: 0 },
    { name: 'trailing byte after the element', der: '3003 020101 00', reason: 'trailing-data', offset: 5 },
    { name: 'two top-level elements', der: '020101 020101', reason: 'trailing-data', offset: 3 },
    { name: 'end-of-contents tag 0', der: '0000', reason: 'bad-tag', offset: 0 },
    { name: 'end-of-contents inside a SEQUENCE', der: '3002 0000', reason: 'bad-tag', offset: 2 },
    { name: 'high tag number with a leading 0x80 digit', der: '1f 80 1f 00', reason: 'bad-tag', offset: 0 },
    { name: 'high tag number form for a number < 31', der: '1f 1e 00', reason: 'bad-tag', offset: 0 },
    { name: 'high tag number over 21 bits', der: '1f 81 80 80 00 00', reason: 'bad-tag', offset: 0 },
    { name: 'nesting below the bound', der: '3002 3000', reason: 'too-deep', offset: 2, maxDepth: 0 },
    { name: 'constructed OCTET STRING (BER only)', der: '2403 040100', reason: 'bad-form', offset: 0 },
    { name: 'constructed INTEGER', der: '2203 020101', reason: 'bad-form', offset: 0 },
    { name: 'primitive SEQUENCE', der: '1000', reason: 'bad-form', offset: 0 },
    { name: 'primitive SET inside a SEQUENCE', der: '3002 1100', reason: 'bad-form', offset: 2 },
    { name: 'constructed tag 0', der: '2000', reason: 'bad-form', offset: 0 },
  ];

  it.each(BAD)('rejects $name ($reason at $offset)', ({ der, reason, offset, maxDepth }) => {
    let err: unknown;
    try {
      d.derScan(h(der), maxDepth === undefined ? undefined : { maxDepth });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(DerError);
    expect(err).toBeInstanceOf(PkiError);
    expect(err).toMatchObject({ code: 'der', reason, offset });
  });

  it('each rejection has its own core code', () => {
    const code = (hexDer: string, depth = 32) => {
      const b = h(hexDer);
      return io.call([b, 400], ([src, out]) => ex.der_scan(src!, b.length, out!, 20, depth));
    };
    expect([code(''), code('3080 0000'), code('0281 05 0102030405'), code('0485 0000000001 00'), code('0203 0102'), code('020101 00'), code('3002 3000', 0), code('0000'), code('2400')]).toEqual([
      -90, -91, -92, -93, -94, -95, -96, -97, -99,
    ]);
    expect(code('3000', 65)).toBe(-1);
    expect(code('3000', -1)).toBe(-1);
    // more elements than output slots
    const b = h('3006 020101 020101');
    expect(io.call([b, 40], ([src, out]) => ex.der_scan(src!, b.length, out!, 2, 32))).toBe(-2);
    expect(io.call([b, 60], ([src, out]) => ex.der_scan(src!, b.length, out!, 3, 32))).toBe(3);
  });

  it('accepts the edges of the rules', () => {
    // long-form lengths 128, 256, 65536; high tag numbers 31 and 2^21 - 1; empty constructed
    for (const [der, n] of [
      ['0481 80' + '00'.repeat(128), 1],
      ['0482 0100' + '00'.repeat(256), 1],
      ['0483 010000' + '00'.repeat(65536), 1],
      ['1f 1f 00', 1],
      ['ff ff ff 7f 03 9f 1f 00', 2],
      ['3000', 1],
      ['a0 02 05 00', 2],
    ] as const) {
      expect(d.derScan(h(der)).length / DER_STRIDE, der.slice(0, 20)).toBe(n);
    }
    const e = derElement(d.derScan(h('ff ff ff 7f 03 9f 1f 00')), 0);
    expect(e).toMatchObject({ id: 0xff, tagNumber: 0x1fffff, constructed: true, headerLength: 5, contentOffset: 5, contentLength: 3 });
    expect(derElement(d.derScan(h('ff ff ff 7f 03 9f 1f 00')), 1)).toMatchObject({ id: 0x9f, tagNumber: 31, constructed: false, offset: 5, depth: 1 });
  });

  it('enforces the depth bound: 32 by default, up to 64, never recursing', () => {
    const nest = (levels: number) => {
      // `levels` nested SEQUENCEs around one NULL; the innermost SEQUENCE sits at depth levels - 1
      const headers: number[][] = [];
      let len = 2;
      for (let i = 0; i < levels; i++) {
        const hdr = [0x30, ...encodeLength(len)];
        headers.push(hdr);
        len += hdr.length;
      }
      return Uint8Array.from([...headers.reverse().flat(), 0x05, 0x00]);
    };
    expect(d.derScan(nest(32)).length / DER_STRIDE).toBe(33);
    expect(() => d.derScan(nest(33))).toThrow(expect.objectContaining({ reason: 'too-deep' }));
    expect(d.derScan(nest(64), { maxDepth: 64 }).length / DER_STRIDE).toBe(65);
    expect(() => d.derScan(nest(65), { maxDepth: 64 })).toThrow(expect.objectContaining({ reason: 'too-deep' }));
    expect(() => d.derScan(nest(20000), { maxDepth: 64 })).toThrow(expect.objectContaining({ reason: 'too-deep' }));
    expect(() => d.derScan(nest(2), { maxDepth: 65 })).toThrow(RangeError);
    expect(() => d.derScan('30' as unknown as Uint8Array)).toThrow(TypeError);
  });

  it('property: random DER trees encode, scan back to the same tree, and match the reference walk', () => {
    fc.assert(
      fc.property(treeArb, (tree) => {
        const { der, want } = encodeTree(tree);
        const got = Array.from(d.derScan(der, { maxDepth: 64 }));
        expect(got).toEqual(want);
        expect(got).toEqual(referenceWalk(der));
      }),
      { numRuns: 300 },
    );
  });

  it('property: a truncated or extended valid encoding is always rejected, never trapped', () => {
    fc.assert(
      fc.property(treeArb, fc.nat(), fc.uint8Array({ minLength: 1, maxLength: 4 }), (tree, cut, extra) => {
        const { der } = encodeTree(tree);
        const shorter = der.subarray(0, cut % der.length);
        expect(() => d.derScan(shorter, { maxDepth: 64 })).toThrow(DerError);
        const longer = new Uint8Array(der.length + extra.length);
        longer.set(der);
        longer.set(extra, der.length);
        expect(() => d.derScan(longer, { maxDepth: 64 })).toThrow(expect.objectContaining({ reason: 'trailing-data' }));
      }),
      { numRuns: 200 },
    );
  });

  it('property: random bytes never trap the scanner (it answers elements or a DerError)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
        try {
          const scan = d.derScan(bytes, { maxDepth: 64 });
          expect(Array.from(scan)).toEqual(referenceWalk(bytes));
        } catch (e) {
          expect(e).toBeInstanceOf(DerError);
        }
      }),
      { numRuns: 2000 },
    );
  });
});
