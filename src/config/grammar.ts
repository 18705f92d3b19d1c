/**
 * The IOS command language: a declarative command grammar (modelled on FRR's
 * `DEFUN("cmd string")` graphs) with IOS matching rules — unique-prefix abbreviations,
 * exact keywords winning over partial ones, keywords winning over arguments — plus the data
 * behind `?` help, Tab completion and the `% Invalid input detected at '^' marker.`,
 * `% Incomplete command.` and `% Ambiguous command` errors.
 *
 * Syntax strings:
 *   keyword            a literal (matched case-insensitively, abbreviable)
 *   WORD               one argument word            LINE   the rest of the line (raw)
 *   <1-100>            an integer in range          A.B.C.D / X:X:X:X::X / A.B.C.D|X:X:X:X::X  addresses
 *   HEX                hex digits
 *   [ ... ]            optional                     ( a | b c )   alternatives
 *   TOKEN$name         stores the matched text in `args.name` (for keywords and groups too)
 *
 * Secret slots: an argument right after a `password`, `passphrase`, `pin` or `secret` keyword
 * (or after such a keyword and an IOS encryption type `0`/`5`/`7`/`8`/`9`), and every argument
 * a command names in `secret`, holds a secret. `matchLine` reports where they are (`secrets`),
 * however the keywords were abbreviated, so the console can keep them out of its echo, history
 * and transcripts (`redactSecrets`).
 *
 * The engine is pure: it neither knows modes nor runs handlers; see cli/session.ts and
 * config/reader.ts for the two users.
 */
import { CliError } from '../util/errors.ts';

export type VarKind = 'word' | 'line' | 'range' | 'ipv4' | 'ipv6' | 'ip' | 'hex';

export interface TokenNode {
  kind: 'keyword' | VarKind;
  /** keyword text (lower case) or the display label (WORD, LINE, <1-100>, A.B.C.D ...) */
  text: string;
  name?: string | undefined;
  help: string;
  min?: number;
  max?: number;
  /** Alternative group name: a keyword inside `( a | b )$g` also stores into args.g. */
  group?: string | undefined;
  /** The argument is a secret (a password slot): never echoed, kept or logged. */
  secret?: boolean;
  next: TokenNode[];
  end: boolean;
}

export interface CommandSpec<H = unknown> {
  syntax: string;
  /** Help per token: keyword text, `$name`, or the variable label (WORD, LINE, ...). */
  help?: Record<string, string>;
  /** Not listed by `?` nor completed by Tab (IOS hidden commands, aliases). */
  hidden?: boolean;
  /** Named arguments that hold secrets, beyond those found by their keyword (see the header). */
  secret?: readonly string[];
  handler: H;
}

export interface CompiledCommand<H = unknown> {
  spec: CommandSpec<H>;
  first: TokenNode[];
  index: number;
}

/** Default help for keywords used in many commands. */
export const KEYWORD_HELP: Record<string, string> = {};

// ---------------------------------------------------------------------------------------
// Syntax → graph

type Ast = { t: 'tok'; text: string; name?: string | undefined } | { t: 'opt'; body: Ast[] } | { t: 'alt'; alts: Ast[][]; name?: string | undefined };

function parseSyntax(syntax: string): Ast[] {
  const toks = syntax.match(/\[|\]|\(|\)|\||[^\s[\]()|]+/g) ?? [];
  let i = 0;
  const nameOf = (): string | undefined => {
    const t = toks[i];
    if (t && t.startsWith('$')) {
      i++;
      return t.slice(1);
    }
    return undefined;
  };
  const seq = (stop: string[]): Ast[] => {
    const out: Ast[] = [];
    while (i < toks.length && !stop.includes(toks[i]!)) {
      const t = toks[i++]!;
      if (t === '[') {
        const body = seq([']']);
        if (toks[i++] !== ']') throw new SyntaxError(`grammar: unbalanced [ in ${syntax}`);
        out.push({ t: 'opt', body });
      } else if (t === '(') {
        const alts: Ast[][] = [seq(['|', ')'])];
        while (toks[i] === '|') {
          i++;
          alts.push(seq(['|', ')']));
        }
        if (toks[i++] !== ')') throw new SyntaxError(`grammar: unbalanced ( in ${syntax}`);
        out.push({ t: 'alt', alts, name: nameOf() });
      } else {
        const [text, name] = t.split('$') as [string, string | undefined];
        out.push({ t: 'tok', text, name });
      }
    }
    return out;
  };
  const ast = seq([]);
  if (i !== toks.length) throw new SyntaxError(`grammar: unexpected ${toks[i]} in ${syntax}`);
  return ast;
}

interface Cont {
  nodes: TokenNode[];
  end: boolean;
}

function makeNode(text: string, name: string | undefined, group: string | undefined, help: Record<string, string>): TokenNode {
  let kind: TokenNode['kind'] = 'keyword';
  let min: number | undefined;
  let max: number | undefined;
  const range = /^<(-?\d+)-(-?\d+)>$/.exec(text);
  if (range) {
    kind = 'range';
    min = Number(range[1]);
    max = Number(range[2]);
  } else if (text === 'WORD') kind = 'word';
  else if (text === 'LINE') kind = 'line';
  else if (text === 'HEX') kind = 'hex';
  else if (text === 'A.B.C.D') kind = 'ipv4';
  else if (text === 'X:X:X:X::X') kind = 'ipv6';
  else if (text === 'A.B.C.D|X:X:X:X::X') kind = 'ip';
  else if (/[A-Z]/.test(text)) throw new SyntaxError(`grammar: unknown token ${text}`);
  const h =
    (name !== undefined ? help['$' + name] : undefined) ??
    help[text] ??
    (kind === 'keyword' ? KEYWORD_HELP[text] : undefined) ??
    (kind === 'line' ? 'Text' : kind === 'word' ? 'Argument' : kind === 'range' ? 'Number' : kind === 'hex' ? 'Hexadecimal data' : 'Address');
  const node: TokenNode = { kind, text: kind === 'keyword' ? text.toLowerCase() : text, name, help: h, group, next: [], end: false };
  if (min !== undefined) node.min = min;
  if (max !== undefined) node.max = max;
  return node;
}

function compileSeq(seq: Ast[], k: Cont, help: Record<string, string>, group?: string): Cont {
  let cont = k;
  for (let i = seq.length - 1; i >= 0; i--) cont = compileItem(seq[i]!, cont, help, group);
  return cont;
}

function compileItem(item: Ast, k: Cont, help: Record<string, string>, group?: string): Cont {
  if (item.t === 'tok') {
    const node = makeNode(item.text, item.name, group, help);
    node.next = k.nodes;
    node.end = k.end;
    return { nodes: [node], end: false };
  }
  if (item.t === 'opt') {
    const body = compileSeq(item.body, k, help, group);
    return { nodes: [...body.nodes, ...k.nodes], end: body.end || k.end };
  }
  const nodes: TokenNode[] = [];
  let end = false;
  for (const alt of item.alts) {
    const c = compileSeq(alt, k, help, item.name ?? group);
    nodes.push(...c.nodes);
    end ||= c.end;
  }
  return { nodes, end };
}

/** Keywords whose argument is a secret. */
export const SECRET_KEYWORDS: ReadonlySet<string> = new Set(['password', 'passphrase', 'pin', 'secret']);
/** IOS encryption-type words that may stand between such a keyword and its secret. */
const SECRET_TYPES: ReadonlySet<string> = new Set(['0', '5', '7', '8', '9']);

/**
 * Marks the arguments a command names in `secret`. (An argument after a secret keyword is found
 * while matching, per path: continuation nodes are shared between the alternatives of a group,
 * so `no ( ocsp | password )$what [LINE]` has one LINE node for both.)
 */
function markSecrets(first: TokenNode[], named: ReadonlySet<string>): void {
  if (!named.size) return;
  const seen = new Set<TokenNode>();
  const walk = (nodes: TokenNode[]) => {
    for (const n of nodes) {
      if (seen.has(n)) continue;
      seen.add(n);
      if (n.kind !== 'keyword' && n.name !== undefined && named.has(n.name)) n.secret = true;
      walk(n.next);
    }
  };
  walk(first);
}

export function compileCommand<H>(spec: CommandSpec<H>, index: number): CompiledCommand<H> {
  const ast = parseSyntax(spec.syntax);
  const cont = compileSeq(ast, { nodes: [], end: true }, spec.help ?? {});
  if (cont.end) throw new SyntaxError(`grammar: command matches empty input: ${spec.syntax}`);
  markSecrets(cont.nodes, new Set(spec.secret ?? []));
  return { spec, first: cont.nodes, index };
}

// ---------------------------------------------------------------------------------------
// Lexing

export interface Word {
  text: string;
  start: number;
}

/** Splits a command line into words (IOS has no quoting), keeping offsets for the caret. */
export function lex(line: string): Word[] {
  const out: Word[] = [];
  const re = /\S+/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(line))) out.push({ text: m[0], start: m.index });
  return out;
}

// ---------------------------------------------------------------------------------------
// Matching

const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

export function isIPv4(s: string): boolean {
  return IPV4.test(s);
}

export function isIPv6(s: string): boolean {
  if (!/^[0-9A-Fa-f:.]+$/.test(s) || s.length < 2) return false;
  let body = s;
  const lastColon = s.lastIndexOf(':');
  if (s.includes('.')) {
    // An embedded IPv4 tail counts as the last two groups.
    if (!isIPv4(s.slice(lastColon + 1))) return false;
    body = s.slice(0, lastColon + 1) + '0:0';
  }
  const dbl = body.split('::');
  if (dbl.length > 2) return false;
  const groups = (p: string) => (p === '' ? [] : p.split(':'));
  const parts = dbl.flatMap(groups);
  if (!parts.every((g) => /^[0-9A-Fa-f]{1,4}$/.test(g))) return false;
  return dbl.length === 2 ? parts.length <= 7 : parts.length === 8;
}

/** 3 exact keyword, 2 keyword prefix, 1 argument, 0 no match */
function matchClass(node: TokenNode, word: string): 0 | 1 | 2 | 3 {
  const w = word.toLowerCase();
  switch (node.kind) {
    case 'keyword':
      return node.text === w ? 3 : node.text.startsWith(w) ? 2 : 0;
    case 'word':
    case 'line':
      return 1;
    case 'range': {
      if (!/^-?\d+$/.test(word)) return 0;
      const n = Number(word);
      return n >= node.min! && n <= node.max! ? 1 : 0;
    }
    case 'hex':
      return /^[0-9A-Fa-f]+$/.test(word) ? 1 : 0;
    case 'ipv4':
      return isIPv4(word) ? 1 : 0;
    case 'ipv6':
      return isIPv6(word) ? 1 : 0;
    case 'ip':
      return isIPv4(word) || isIPv6(word) ? 1 : 0;
  }
}

/** Matched arguments: `args[name]` for named tokens/groups, `words` canonical (keywords expanded). */
export interface Args {
  [name: string]: string | undefined;
}

interface Path<H> {
  cmd: CompiledCommand<H>;
  cont: Cont;
  args: Args;
  words: string[];
  /** [start, end) of the words that filled secret slots */
  secrets: [number, number][];
  /** the keywords just matched (last, and the one before it when the last was a keyword too) */
  kw1?: string | undefined;
  kw2?: string | undefined;
  /** a LINE argument took the rest of the input */
  done: boolean;
}

export type MatchResult<H> =
  | { ok: true; command: CompiledCommand<H>; args: Args; words: string[]; secrets: [number, number][] }
  | { ok: false; error: CliError };

function startPaths<H>(commands: readonly CompiledCommand<H>[]): Path<H>[] {
  return commands.map((cmd) => ({ cmd, cont: { nodes: cmd.first, end: false }, args: {}, words: [], secrets: [], done: false }));
}

function commonPrefix(a: string, b: string): number {
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  return i;
}

interface StepResult<H> {
  paths: Path<H>[];
  error?: CliError;
}

/**
 * Advances every live path by word `i`. Paths whose LINE argument already took the rest of
 * the input ride along unchanged; they win only when no other path can go on.
 */
function step<H>(paths: Path<H>[], words: Word[], i: number, line: string): StepResult<H> {
  const word = words[i]!;
  const done = paths.filter((p) => p.done);
  const live = paths.filter((p) => !p.done);
  let best = 0;
  const cands: { path: Path<H>; node: TokenNode; cls: number }[] = [];
  // Keywords of hidden commands (aliases such as the guide's other spellings) match only when
  // spelled out, and beside the visible commands rather than against them: they never make an
  // abbreviation ambiguous nor take a word a visible command reads.
  const aside: { path: Path<H>; node: TokenNode; cls: number }[] = [];
  for (const p of live) {
    for (const node of p.cont.nodes) {
      const cls = matchClass(node, word.text);
      if (cls > 0 && node.kind === 'keyword' && p.cmd.spec.hidden) {
        if (cls === 3) aside.push({ path: p, node, cls });
      } else if (cls > 0) {
        cands.push({ path: p, node, cls });
        if (cls > best) best = cls;
      }
    }
  }
  if (best === 0 && aside.length) best = 3;
  if (best === 0) {
    if (done.length) return { paths: done };
    let longest = 0;
    for (const p of live)
      for (const node of p.cont.nodes)
        if (node.kind === 'keyword') longest = Math.max(longest, commonPrefix(node.text, word.text.toLowerCase()));
    const pos = word.start + Math.min(longest, word.text.length - 1);
    return { paths: [], error: new CliError('no-match', "% Invalid input detected at '^' marker.", pos) };
  }
  const kept = cands.filter((c) => c.cls === best);
  if (best === 2) {
    const distinct = new Set(kept.map((c) => c.node.text));
    if (distinct.size > 1) {
      if (done.length) return { paths: done };
      const upto = line.slice(0, word.start + word.text.length).trim();
      return { paths: [], error: new CliError('ambiguous', `% Ambiguous command: "${upto}"`, word.start) };
    }
  }
  kept.push(...aside);
  const next: Path<H>[] = [...done];
  for (const { path, node } of kept) {
    const isLine = node.kind === 'line';
    const value = isLine ? line.slice(word.start).trimEnd() : node.kind === 'keyword' ? node.text : word.text;
    const args = { ...path.args };
    if (node.name) args[node.name] = value;
    if (node.group && node.kind === 'keyword') args[node.group] = node.text;
    const afterSecretKeyword = path.kw1 !== undefined && (SECRET_KEYWORDS.has(path.kw1) || (SECRET_TYPES.has(path.kw1) && path.kw2 !== undefined && SECRET_KEYWORDS.has(path.kw2)));
    const secret = node.kind !== 'keyword' && (node.secret === true || afterSecretKeyword);
    const secrets: [number, number][] = secret ? [...path.secrets, [word.start, isLine ? word.start + value.length : word.start + word.text.length]] : path.secrets;
    const isKw = node.kind === 'keyword';
    next.push({ cmd: path.cmd, cont: { nodes: isLine ? [] : node.next, end: node.end }, args, words: [...path.words, value], secrets, done: isLine, kw1: isKw ? node.text : undefined, kw2: isKw ? path.kw1 : undefined });
  }
  return { paths: next };
}

/**
 * Matches a whole line against the commands of one mode. On success returns the command
 * (the first in definition order if several complete) and its arguments.
 */
export function matchLine<H>(commands: readonly CompiledCommand<H>[], line: string): MatchResult<H> {
  const words = lex(line);
  if (words.length === 0) return { ok: false, error: new CliError('incomplete', '% Incomplete command.', 0) };
  let paths = startPaths(commands);
  for (let i = 0; i < words.length; i++) {
    const r = step(paths, words, i, line);
    if (r.error) return { ok: false, error: r.error };
    paths = r.paths;
    if (paths.every((p) => p.done)) break;
  }
  const complete = paths.filter((p) => p.done || p.cont.end);
  if (complete.length === 0) return { ok: false, error: new CliError('incomplete', '% Incomplete command.', line.length) };
  // Prefer paths that did not fall back to a LINE argument, then definition order.
  complete.sort((a, b) => Number(a.done) - Number(b.done) || a.cmd.index - b.cmd.index);
  const c = complete[0]!;
  return { ok: true, command: c.cmd, args: c.args, words: c.words, secrets: c.secrets };
}

/** What a redacted secret looks like in echoes, history and transcripts. */
export const REDACTED = '*****';

/** `line` with the given [start, end) spans replaced by REDACTED. */
export function redactSpans(line: string, spans: readonly (readonly [number, number])[]): string {
  const merged: [number, number][] = [];
  for (const [a, b] of [...spans].sort((x, y) => x[0] - y[0])) {
    const last = merged[merged.length - 1];
    if (last && a <= last[1]) last[1] = Math.max(last[1], b);
    else merged.push([a, b]);
  }
  let out = line;
  for (const [a, b] of merged.reverse()) out = out.slice(0, a) + REDACTED + out.slice(b);
  return out;
}

/**
 * Where `line` holds secrets as a command of `commands`: `full` when the whole line matches a
 * command (its secret slots, maybe none), else the secret slots among the words that match so
 * far (a line typed before `?`, or one that goes wrong after its secret).
 */
export function matchSecrets<H>(commands: readonly CompiledCommand<H>[], line: string): { full: boolean; spans: [number, number][] } {
  const m = matchLine(commands, line);
  if (m.ok) return { full: true, spans: m.secrets };
  const words = lex(line);
  let paths = startPaths(commands);
  const spans: [number, number][] = [];
  for (let i = 0; i < words.length; i++) {
    const r = step(paths, words, i, line);
    if (r.error || r.paths.length === 0) break;
    paths = r.paths;
    for (const p of paths) for (const sp of p.secrets) if (!spans.some((x) => x[0] === sp[0])) spans.push(sp);
  }
  return { full: false, spans };
}

/** Everything after the first word that abbreviates (2+ letters) a secret keyword. */
export function fallbackSecretSpans(line: string): [number, number][] {
  const words = lex(line);
  for (let i = 0; i < words.length - 1; i++) {
    const w = words[i]!.text.toLowerCase();
    if (w.length >= 2 && [...SECRET_KEYWORDS].some((k) => k.startsWith(w))) {
      let j = i + 1;
      if (SECRET_TYPES.has(words[j]!.text) && j + 1 < words.length) j++;
      return [[words[j]!.start, line.trimEnd().length]];
    }
  }
  return [];
}

// ---------------------------------------------------------------------------------------
// Help and completion

export interface HelpItem {
  token: string;
  help: string;
}

export type HelpResult =
  | { kind: 'next'; items: HelpItem[] } // "show ?"   (after a space)
  | { kind: 'partial'; words: string[] } // "sh?"      (completing a word)
  | { kind: 'error'; error: CliError };

function visible<H>(commands: readonly CompiledCommand<H>[]): CompiledCommand<H>[] {
  return commands.filter((c) => !c.spec.hidden);
}

function displayToken(n: TokenNode): string {
  return n.kind === 'keyword' ? n.text : n.text;
}

/**
 * What `?` prints for `line` (the text before the `?`). When the line ends in a space the
 * next tokens are listed with their help (plus `<cr>` when the command could end here);
 * otherwise the keywords that complete the last word.
 */
export function helpFor<H>(commands: readonly CompiledCommand<H>[], line: string): HelpResult {
  const words = lex(line);
  const partial = line.length > 0 && !/\s$/.test(line);
  const complete = partial ? words.slice(0, -1) : words;
  let paths = startPaths(visible(commands));
  for (let i = 0; i < complete.length; i++) {
    const r = step(paths, complete, i, line);
    if (r.error) return { kind: 'error', error: r.error };
    paths = r.paths;
    if (paths.every((p) => p.done)) {
      // Inside a LINE argument everything is text.
      return partial ? { kind: 'partial', words: [] } : { kind: 'next', items: [{ token: 'LINE', help: 'Text' }, { token: '<cr>', help: '' }] };
    }
  }
  if (partial) {
    const w = words[words.length - 1]!.text.toLowerCase();
    const out = new Set<string>();
    for (const p of paths)
      for (const n of p.cont.nodes) {
        if (n.kind === 'keyword' && n.text.startsWith(w)) out.add(n.text);
        else if (n.kind !== 'keyword' && matchClass(n, words[words.length - 1]!.text) > 0) out.add(n.text);
      }
    if (out.size === 0) {
      const err = new CliError('no-match', '% Unrecognized command', words[words.length - 1]!.start);
      return { kind: 'error', error: err };
    }
    return { kind: 'partial', words: [...out].sort() };
  }
  const items = new Map<string, string>();
  let canEnd = false;
  for (const p of paths) {
    if (p.cont.end) canEnd = true;
    for (const n of p.cont.nodes) if (!items.has(displayToken(n))) items.set(displayToken(n), n.help);
  }
  const sorted = [...items.entries()]
    .sort(([a], [b]) => {
      const va = /^[a-z]/.test(a) ? 0 : 1;
      const vb = /^[a-z]/.test(b) ? 0 : 1;
      return va - vb || a.localeCompare(b);
    })
    .map(([token, help]) => ({ token, help }));
  if (canEnd) sorted.push({ token: '<cr>', help: '' });
  if (sorted.length === 0) return { kind: 'error', error: new CliError('no-match', "% Invalid input detected at '^' marker.", line.length) };
  return { kind: 'next', items: sorted };
}

/** Formats a `next` help list the way IOS prints it. */
export function formatHelp(items: HelpItem[]): string[] {
  const width = Math.max(...items.map((i) => i.token.length));
  return items.map((i) => (i.help ? `  ${i.token.padEnd(width)}  ${i.help}` : `  ${i.token}`).trimEnd());
}

/**
 * Tab completion: if the last word is a unique prefix of a keyword, returns the line with that
 * keyword completed and a trailing space; otherwise undefined (IOS just beeps).
 */
export function complete<H>(commands: readonly CompiledCommand<H>[], line: string): string | undefined {
  if (line.length === 0 || /\s$/.test(line)) return undefined;
  const h = helpFor(commands, line);
  if (h.kind !== 'partial') return undefined;
  const kws = h.words.filter((w) => /^[a-z0-9]/.test(w) && !/^[A-Z<]/.test(w));
  if (kws.length !== 1 || h.words.length !== 1) return undefined;
  const words = lex(line);
  const last = words[words.length - 1]!;
  return line.slice(0, last.start) + kws[0] + ' ';
}

/** The caret line IOS prints under a bad command: spaces up to `column`, then `^`. */
export function caretLine(column: number): string {
  return ' '.repeat(Math.max(0, column)) + '^';
}
