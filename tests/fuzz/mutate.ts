/**
 * Mutations for the fuzz suite: what a damaged or hostile file looks like. Byte-level (bit
 * flips, byte changes, truncation, insertion, deletion, splicing two inputs) and DER-aware
 * (length fields made one more or less, zero, huge, indefinite or long-form; an element nested
 * hundreds deep; an element repeated), plus line-level edits for text (lines repeated, dropped,
 * swapped, control characters and long words inserted).
 *
 * A mutation plan is plain data (fast-check builds and shrinks it); `applyPlan` turns a seed and a
 * plan into the input, deterministically.
 */
import fc from 'fast-check';

export type Mutation =
  | { k: 'flip'; at: number; bit: number }
  | { k: 'set'; at: number; v: number }
  | { k: 'trunc'; at: number }
  | { k: 'insert'; at: number; bytes: number[] }
  | { k: 'delete'; at: number; n: number }
  | { k: 'len'; tlv: number; op: 'inc' | 'dec' | 'zero' | 'max' | 'indef' | 'long' | 'huge' }
  | { k: 'nest'; tlv: number; depth: number }
  | { k: 'dup'; tlv: number; times: number }
  | { k: 'splice'; other: number; at: number; from: number; n: number }
  | { k: 'line'; op: 'dup' | 'drop' | 'swap' | 'ctl' | 'long' | 'token'; at: number; v: number };

export interface Plan {
  seed: number;
  /** a fresh random input instead of a seed (a few in a hundred) */
  random?: number[];
  muts: Mutation[];
}

export interface Seed {
  name: string;
  bytes: Uint8Array;
}

interface TlvPos {
  /** tag offset */
  start: number;
  /** first length byte */
  lenAt: number;
  /** number of length bytes */
  lenBytes: number;
  contentStart: number;
  end: number;
}

/** Every element a lenient DER walk finds (for DER-aware mutations); never throws. */
export function tlvs(b: Uint8Array, limit = 4096): TlvPos[] {
  const out: TlvPos[] = [];
  const walk = (pos: number, end: number, depth: number) => {
    while (pos < end && out.length < limit && depth < 40) {
      const start = pos;
      const tag = b[pos++]!;
      if ((tag & 0x1f) === 0x1f) while (pos < end && b[pos++]! & 0x80);
      if (pos >= end) return;
      const lenAt = pos;
      const first = b[pos++]!;
      let len = first;
      let lenBytes = 1;
      if (first & 0x80) {
        const n = first & 0x7f;
        if (n === 0 || n > 4 || pos + n > end) return;
        len = 0;
        for (let i = 0; i < n; i++) len = len * 256 + b[pos++]!;
        lenBytes = 1 + n;
      }
      const contentStart = pos;
      const e = contentStart + len;
      if (e > end) return;
      out.push({ start, lenAt, lenBytes, contentStart, end: e });
      if (tag & 0x20) walk(contentStart, e, depth + 1);
      pos = e;
    }
  };
  walk(0, b.length, 0);
  return out;
}

function encodeLen(n: number): number[] {
  if (n < 0x80) return [n];
  const out: number[] = [];
  for (let v = n; v > 0; v = Math.floor(v / 256)) out.unshift(v & 0xff);
  return [0x80 | out.length, ...out];
}

const cat = (...parts: ArrayLike<number>[]): Uint8Array => {
  const n = parts.reduce((a, p) => a + p.length, 0);
  const out = new Uint8Array(n);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
};

const TOKENS = ['password', 'pa', 'do', 'crypto', 'pki', 'trustpoint', 'enrollment', 'url', 'certificate', 'quit', 'exit', 'end', '!', '?', 'no', '7', '0', 'LINE', '%', '\u202e', '\u0000', '\x1b[2J', 'A'.repeat(300), '"', '\\'];
const CONTROLS = [0x00, 0x07, 0x08, 0x0a, 0x0d, 0x1a, 0x1b, 0x7f, 0x85, 0x9b];
const MAX_SIZE = 1 << 20;

/** Applies one mutation (positions are taken modulo the current size). */
export function mutate(b: Uint8Array, m: Mutation, seeds: readonly Seed[]): Uint8Array {
  const n = b.length;
  const at = (x: number) => (n ? x % (n + 1) : 0);
  switch (m.k) {
    case 'flip': {
      if (!n) return b;
      const c = b.slice();
      c[m.at % n]! ^= 1 << (m.bit & 7);
      return c;
    }
    case 'set': {
      if (!n) return b;
      const c = b.slice();
      c[m.at % n] = m.v & 0xff;
      return c;
    }
    case 'trunc':
      return b.subarray(0, at(m.at));
    case 'insert': {
      const p = at(m.at);
      return cat(b.subarray(0, p), m.bytes, b.subarray(p));
    }
    case 'delete': {
      const p = at(m.at);
      return cat(b.subarray(0, p), b.subarray(Math.min(n, p + m.n)));
    }
    case 'len': {
      const t = tlvs(b);
      if (!t.length) return b;
      const e = t[m.tlv % t.length]!;
      const cur = e.end - e.contentStart;
      const bytes =
        m.op === 'inc' ? encodeLen(cur + 1)
        : m.op === 'dec' ? encodeLen(Math.max(0, cur - 1))
        : m.op === 'zero' ? [0]
        : m.op === 'max' ? [0x84, 0xff, 0xff, 0xff, 0xff]
        : m.op === 'indef' ? [0x80]
        : m.op === 'long' ? [0x84, (cur >>> 24) & 0xff, (cur >>> 16) & 0xff, (cur >>> 8) & 0xff, cur & 0xff] // non-minimal
        : [0x89, 1, 0, 0, 0, 0, 0, 0, 0, 0]; // more length bytes than any reader takes
      return cat(b.subarray(0, e.lenAt), bytes, b.subarray(e.lenAt + e.lenBytes));
    }
    case 'nest': {
      const t = tlvs(b);
      const e = t.length ? t[m.tlv % t.length]! : { start: 0, end: n };
      let inner: Uint8Array = b.slice(e.start, e.end);
      for (let i = 0; i < m.depth && inner.length < MAX_SIZE; i++) inner = cat([0x30], encodeLen(inner.length), inner);
      return cat(b.subarray(0, e.start), inner, b.subarray(e.end));
    }
    case 'dup': {
      const t = tlvs(b);
      if (!t.length) return b;
      const e = t[m.tlv % t.length]!;
      const el = b.subarray(e.start, e.end);
      const times = Math.min(m.times, Math.floor(MAX_SIZE / Math.max(1, el.length)));
      return cat(b.subarray(0, e.end), ...Array.from({ length: times }, () => el), b.subarray(e.end));
    }
    case 'splice': {
      const o = seeds[m.other % seeds.length]!.bytes;
      if (!o.length) return b;
      const from = m.from % o.length;
      const p = at(m.at);
      return cat(b.subarray(0, p), o.subarray(from, from + m.n), b.subarray(p));
    }
    case 'line': {
      const text = new TextDecoder().decode(b);
      const lines = text.split('\n');
      const i = m.at % lines.length;
      if (m.op === 'dup') lines.splice(i, 0, ...Array.from({ length: 1 + (m.v % 50) }, () => lines[i]!));
      else if (m.op === 'drop') lines.splice(i, 1);
      else if (m.op === 'swap') {
        const j = m.v % lines.length;
        [lines[i], lines[j]] = [lines[j]!, lines[i]!];
      } else if (m.op === 'ctl') {
        const l = lines[i]!;
        const p = m.v % (l.length + 1);
        lines[i] = l.slice(0, p) + String.fromCharCode(CONTROLS[m.v % CONTROLS.length]!) + l.slice(p);
      } else if (m.op === 'long') lines[i] = lines[i]! + ' ' + 'x'.repeat(1 + (m.v % 5000));
      else {
        const words = lines[i]!.split(' ');
        words.splice(m.v % (words.length + 1), 0, TOKENS[m.v % TOKENS.length]!);
        lines[i] = words.join(' ');
      }
      return new TextEncoder().encode(lines.join('\n'));
    }
  }
}

export function applyPlan(seeds: readonly Seed[], plan: Plan): Uint8Array {
  let b: Uint8Array = plan.random ? Uint8Array.from(plan.random) : seeds.length ? seeds[plan.seed % seeds.length]!.bytes : new Uint8Array();
  for (const m of plan.muts) {
    b = mutate(b, m, seeds);
    if (b.length > MAX_SIZE) b = b.subarray(0, MAX_SIZE);
  }
  return b;
}

/** A short description of a plan (for reports). */
export function describePlan(seeds: readonly Seed[], plan: Plan): string {
  const base = plan.random ? `random ${plan.random.length} bytes` : (seeds[plan.seed % Math.max(1, seeds.length)]?.name ?? 'empty');
  return [base, ...plan.muts.map((m) => `${m.k}${'op' in m ? ':' + m.op : ''}`)].join(' + ');
}

const pos = fc.nat({ max: 1 << 20 });

/** fast-check arbitrary for mutations; `text` adds line-level edits. */
export function mutationArb(text: boolean): fc.Arbitrary<Mutation> {
  const byte: fc.Arbitrary<Mutation>[] = [
    fc.record({ k: fc.constant('flip' as const), at: pos, bit: fc.nat({ max: 7 }) }),
    fc.record({ k: fc.constant('set' as const), at: pos, v: fc.oneof(fc.constantFrom(0x00, 0x80, 0xff, 0x7f, 0x30, 0x31, 0x02, 0x04, 0x06, 0x0c, 0x1e, 0xa0), fc.nat({ max: 255 })) }),
    fc.record({ k: fc.constant('trunc' as const), at: pos }),
    fc.record({ k: fc.constant('insert' as const), at: pos, bytes: fc.array(fc.nat({ max: 255 }), { minLength: 1, maxLength: 32 }) }),
    fc.record({ k: fc.constant('delete' as const), at: pos, n: fc.integer({ min: 1, max: 64 }) }),
    fc.record({ k: fc.constant('len' as const), tlv: pos, op: fc.constantFrom('inc' as const, 'dec' as const, 'zero' as const, 'max' as const, 'indef' as const, 'long' as const, 'huge' as const) }),
    fc.record({ k: fc.constant('nest' as const), tlv: pos, depth: fc.oneof(fc.integer({ min: 1, max: 8 }), fc.integer({ min: 60, max: 400 })) }),
    fc.record({ k: fc.constant('dup' as const), tlv: pos, times: fc.oneof(fc.integer({ min: 1, max: 4 }), fc.integer({ min: 50, max: 2000 })) }),
    fc.record({ k: fc.constant('splice' as const), other: pos, at: pos, from: pos, n: fc.integer({ min: 1, max: 512 }) }),
  ];
  if (!text) return fc.oneof(...byte);
  const line = fc.record({ k: fc.constant('line' as const), op: fc.constantFrom('dup' as const, 'drop' as const, 'swap' as const, 'ctl' as const, 'long' as const, 'token' as const), at: pos, v: pos });
  return fc.oneof({ arbitrary: line, weight: 3 }, ...byte.slice(0, 5).map((a) => ({ arbitrary: a, weight: 1 })));
}

export function planArb(seedCount: number, text: boolean): fc.Arbitrary<Plan> {
  return fc.oneof(
    { weight: 24, arbitrary: fc.record({ seed: fc.nat({ max: Math.max(0, seedCount - 1) }), muts: fc.array(mutationArb(text), { minLength: 1, maxLength: 4 }) }) },
    { weight: 1, arbitrary: fc.record({ seed: fc.constant(0), random: fc.array(fc.nat({ max: 255 }), { maxLength: 256 }), muts: fc.constant([] as Mutation[]) }) },
  );
}
