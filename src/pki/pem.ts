/**
 * Reading and writing PEM (RFC 7468, plus the RFC 1421 `Proc-Type`/`DEK-Info` headers of
 * legacy encrypted keys), bare base64 (RFC 4648 §4) as IOS prints and reads it, and raw DER.
 *
 * What users paste into `crypto pki authenticate` / `crypto pki import` is forgiving outside
 * the data (prompt lines, `openssl pkcs12 -info` bag attributes, CRLF) and strict inside it:
 * a character outside the alphabet, wrong padding, an uneven or truncated line, a missing or
 * mismatched END line, or data after the padding is each a specific `PkiError` naming the
 * line. The decoded bytes must then be exactly one well-formed DER element (X.690 §10) —
 * checked by `derCheck` (der.ts) — so damaged pastes are refused before
 * any parser sees them.
 *
 * Error codes: 'bad-pem' (block structure), 'bad-base64' (the base64 text), 'bad-der' (the
 * decoded bytes), 'unsupported' (a well-formed block of a kind we do not read).
 */
import { PkiError } from '../util/errors.ts';
import { BER, derCheck, derChildren, encodeOid, readTlv } from './der.ts';
import { OID } from './oids.ts';

// ---------------------------------------------------------------------------------------------
// Kinds and labels

/** What a block holds: from its PEM label, or sniffed from the DER for bare base64 and DER. */
export type PemKind =
  | 'certificate'
  | 'pkcs7'
  | 'certificate-request'
  | 'crl'
  | 'private-key'
  | 'encrypted-private-key'
  | 'rsa-private-key'
  | 'ec-private-key'
  | 'public-key'
  | 'rsa-public-key'
  | 'ec-parameters'
  | 'pkcs12'
  | 'unknown';

/**
 * PEM labels we read (RFC 7468 §5–§13 and the OpenSSL/legacy variants users meet) → kind.
 * `TRUSTED CERTIFICATE` (OpenSSL) is a certificate followed by an X509_CERT_AUX element.
 */
export const PEM_LABELS: Readonly<Record<string, PemKind>> = {
  CERTIFICATE: 'certificate',
  'X509 CERTIFICATE': 'certificate',
  'X.509 CERTIFICATE': 'certificate',
  'TRUSTED CERTIFICATE': 'certificate',
  PKCS7: 'pkcs7',
  'PKCS #7 SIGNED DATA': 'pkcs7',
  CMS: 'pkcs7',
  'CERTIFICATE REQUEST': 'certificate-request',
  'NEW CERTIFICATE REQUEST': 'certificate-request',
  'X509 CRL': 'crl',
  'PRIVATE KEY': 'private-key',
  'ENCRYPTED PRIVATE KEY': 'encrypted-private-key',
  'RSA PRIVATE KEY': 'rsa-private-key',
  'EC PRIVATE KEY': 'ec-private-key',
  'PUBLIC KEY': 'public-key',
  'RSA PUBLIC KEY': 'rsa-public-key',
  'EC PARAMETERS': 'ec-parameters',
};

/** Kinds whose encoding is BER (CMS, RFC 5652 §1; PFX, RFC 7292 §4): indefinite lengths pass. */
const BER_KINDS: ReadonlySet<PemKind> = new Set<PemKind>(['pkcs7', 'pkcs12']);

/** One RFC 1421 header line (`Name: value`) of a legacy block. */
export interface PemHeader {
  name: string;
  value: string;
}

/** A legacy OpenSSL-encrypted key block (`Proc-Type: 4,ENCRYPTED`, RFC 1421 §4.6.1.1). */
export interface PemEncryption {
  /** the DEK-Info algorithm as written, upper-cased: 'DES-EDE3-CBC', 'AES-256-CBC', ... */
  algorithm: string;
  /** the DEK-Info IV (also the salt of OpenSSL's EVP_BytesToKey) */
  iv: Uint8Array;
}

/** One decoded block. */
export interface PemBlock {
  /** the PEM label ('CERTIFICATE', ...); '' for bare base64 and raw DER */
  label: string;
  kind: PemKind;
  /**
   * The DER (one complete element). For a legacy encrypted block (`encryption` set) it is the
   * ciphertext instead; for `TRUSTED CERTIFICATE` the certificate alone (see `aux`).
   */
  der: Uint8Array;
  /** 1-based line of the BEGIN line (PEM) or of the first base64 line; 0 for raw DER */
  line: number;
  source: 'pem' | 'base64' | 'der';
  /** RFC 1421 headers, in order (empty for RFC 7468 blocks) */
  headers: PemHeader[];
  /** set for `Proc-Type: 4,ENCRYPTED` blocks: the DEK-Info parameters */
  encryption?: PemEncryption;
  /** `TRUSTED CERTIFICATE` only: the DER of the trailing X509_CERT_AUX, if present */
  aux?: Uint8Array;
}

function badPem(message: string): never {
  throw new PkiError('bad-pem', message);
}
function badB64(message: string): never {
  throw new PkiError('bad-base64', message);
}

// ---------------------------------------------------------------------------------------------
// Base64 (RFC 4648 §4)

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const B64_CODES = /* @__PURE__ */ Uint8Array.from(B64, (c) => c.charCodeAt(0));
const B64_VALUE: Int8Array = /* @__PURE__ */ (() => {
  const t = new Int8Array(128).fill(-1);
  for (let i = 0; i < 64; i++) t[B64.charCodeAt(i)] = i;
  return t;
})();
const PAD = 0x3d; // '='

/** Standard base64 with padding, no line breaks (RFC 4648 §4). */
export function encodeBase64(bytes: Uint8Array): string {
  const n = bytes.length;
  const out = new Uint8Array(Math.ceil(n / 3) * 4);
  let o = 0;
  let i = 0;
  for (; i + 2 < n; i += 3) {
    const v = (bytes[i]! << 16) | (bytes[i + 1]! << 8) | bytes[i + 2]!;
    out[o++] = B64_CODES[v >> 18]!;
    out[o++] = B64_CODES[(v >> 12) & 63]!;
    out[o++] = B64_CODES[(v >> 6) & 63]!;
    out[o++] = B64_CODES[v & 63]!;
  }
  if (i < n) {
    const v = (bytes[i]! << 16) | (i + 1 < n ? bytes[i + 1]! << 8 : 0);
    out[o++] = B64_CODES[v >> 18]!;
    out[o++] = B64_CODES[(v >> 12) & 63]!;
    out[o++] = i + 1 < n ? B64_CODES[(v >> 6) & 63]! : PAD;
    out[o++] = PAD;
  }
  return asciiString(out);
}

const ASCII = new TextDecoder();
/** ASCII codes → string (UTF-8 decoding is the identity on ASCII, and native). */
function asciiString(codes: Uint8Array): string {
  return ASCII.decode(codes);
}

/** One line of base64 text and where it came from (1-based line number). */
interface B64Line {
  text: string;
  line: number;
}

function describeChar(c: string): string {
  const code = c.codePointAt(0)!;
  if (c === ' ') return 'a space';
  if (c === '\t') return 'a tab';
  if (code < 0x20 || code === 0x7f) return `control character U+${code.toString(16).toUpperCase().padStart(4, '0')}`;
  return `"${c}"`;
}

/**
 * Decodes base64 lines strictly: only the RFC 4648 §4 alphabet; every line but the last the
 * same length (a multiple of 4) and the last no longer; padding only at the very end, with
 * zero pad bits (§3.5, canonical); the total a multiple of 4 characters. `what` prefixes the
 * messages ("pem.read: CERTIFICATE block"). Well-formed input takes the fast path; anything
 * else is re-read by `validateLines`, which names the first problem in reading order.
 */
function decodeLines(lines: readonly B64Line[], what: string): Uint8Array {
  if (lines.length === 0) badPem(`${what}: no base64 data`);
  const out = fastDecode(lines);
  if (out) return out;
  validateLines(lines, what);
  return badB64(`${what}: invalid base64`); // not reached: validateLines throws for what fastDecode refuses
}

/** Decodes well-formed lines in 4-character groups; undefined on any irregularity. */
function fastDecode(lines: readonly B64Line[]): Uint8Array | undefined {
  const n = lines.length;
  const width = lines[0]!.text.length;
  let total = 0;
  for (let k = 0; k < n; k++) {
    const len = lines[k]!.text.length;
    if (len % 4 !== 0 || (k < n - 1 ? len !== width : len > width) || len === 0) return undefined;
    total += len;
  }
  const last = lines[n - 1]!.text;
  const pads = last.charCodeAt(last.length - 1) !== PAD ? 0 : last.charCodeAt(last.length - 2) !== PAD ? 1 : 2;
  const out = new Uint8Array((total / 4) * 3 - pads);
  const T = B64_VALUE;
  let o = 0;
  for (let k = 0; k < n; k++) {
    const t = lines[k]!.text;
    const stop = k === n - 1 && pads ? t.length - 4 : t.length;
    for (let j = 0; j < stop; j += 4) {
      const c0 = t.charCodeAt(j);
      const c1 = t.charCodeAt(j + 1);
      const c2 = t.charCodeAt(j + 2);
      const c3 = t.charCodeAt(j + 3);
      if ((c0 | c1 | c2 | c3) > 127) return undefined;
      const v = (T[c0]! << 18) | (T[c1]! << 12) | (T[c2]! << 6) | T[c3]!;
      if (v < 0) return undefined;
      out[o] = v >> 16;
      out[o + 1] = v >> 8;
      out[o + 2] = v;
      o += 3;
    }
  }
  if (pads) {
    const j = last.length - 4;
    const c0 = last.charCodeAt(j);
    const c1 = last.charCodeAt(j + 1);
    const c2 = pads === 1 ? last.charCodeAt(j + 2) : 0x41; // 'A' = 0
    if ((c0 | c1 | c2) > 127) return undefined;
    const v = (T[c0]! << 18) | (T[c1]! << 12) | (T[c2]! << 6);
    if (v < 0 || (pads === 2 ? v & 0xffff : v & 0xff)) return undefined;
    out[o++] = v >> 16;
    if (pads === 1) out[o] = v >> 8;
  }
  return out;
}

/** Throws the specific error for the first problem of lines that `fastDecode` refused. */
function validateLines(lines: readonly B64Line[], what: string): void {
  const width = lines[0]!.text.length;
  let pads = 0;
  let padLine = 0;
  let total = 0;
  let lastValue = 0;
  for (let k = 0; k < lines.length; k++) {
    const { text, line } = lines[k]!;
    if (padLine) badB64(`${what}: line ${line} follows the padding "=" on line ${padLine} (data after the end)`);
    for (let j = 0; j < text.length; j++) {
      const c = text.charCodeAt(j);
      if (c === PAD) {
        if (pads === 0) padLine = line;
        pads++;
        continue;
      }
      if (pads) badB64(`${what}: line ${line}, column ${j + 1}: data after the padding "="`);
      if (c >= 128 || B64_VALUE[c]! < 0) badB64(`${what}: line ${line}, column ${j + 1}: ${describeChar(text[j]!)} is not a base64 character`);
      lastValue = B64_VALUE[c]!;
    }
    if (pads > 2) badB64(`${what}: line ${padLine}: too much padding (${pads} "=")`);
    const last = k === lines.length - 1;
    if (!last && !padLine) {
      if (k === 0 && width % 4 !== 0)
        badB64(`${what}: line ${line} has ${width} characters, not a multiple of 4 (a character lost or added?)`);
      if (k > 0 && text.length !== width)
        badB64(`${what}: line ${line} has ${text.length} characters where the lines before have ${width} (a damaged or merged line?)`);
    } else if (last && lines.length > 1 && text.length > width) {
      badB64(`${what}: the last line (${line}) has ${text.length} characters, longer than the ${width} of the lines before`);
    }
    total += text.length;
  }
  const lastLine = lines[lines.length - 1]!.line;
  if (total % 4 !== 0)
    badB64(`${what}: line ${lastLine} is truncated (${total % 4} character${total % 4 === 1 ? '' : 's'} of a 4-character group; padding missing or data lost)`);
  if (pads && (lastValue & (pads === 1 ? 3 : 15)) !== 0)
    badB64(`${what}: line ${lastLine}: the character before the padding has non-zero unused bits (not a canonical encoding; damaged data?)`);
}

/**
 * Decodes one string of base64 (no whitespace, padded): RFC 4648 §4, strict as in PEM.
 * Throws PkiError('bad-base64').
 */
export function decodeBase64(text: string): Uint8Array {
  if (text.length === 0) return new Uint8Array(0);
  return decodeLines([{ text, line: 1 }], 'base64');
}

// ---------------------------------------------------------------------------------------------
// Reading

const LINE_SPLIT = /\r\n|\r|\n/;
/** RFC 7468 §3 label: printable ASCII except '-', single '-' or ' ' between characters. */
const BEGIN_RE = /^-----BEGIN ([\x21-\x2c\x2e-\x7e](?:[- ]?[\x21-\x2c\x2e-\x7e])*)-----$/;
const END_RE = /^-----END ([\x21-\x2c\x2e-\x7e](?:[- ]?[\x21-\x2c\x2e-\x7e])*)-----$/;
const HEADER_RE = /^([A-Za-z0-9][A-Za-z0-9-]*):[ \t]*(.*)$/;
const B64_LINE = /^[A-Za-z0-9+/=]+$/;

function splitLines(text: string): string[] {
  const lines = text.split(LINE_SPLIT);
  if (lines.length && lines[lines.length - 1] === '') lines.pop();
  return lines;
}

function isQuit(t: string): boolean {
  return t.toLowerCase() === 'quit';
}

function shortQuote(t: string): string {
  return JSON.stringify(t.length > 60 ? `${t.slice(0, 57)}...` : t);
}

/**
 * Reads every PEM block of `text` (RFC 7468 §2–§3; lines outside blocks are ignored).
 * Throws if there is none, or on the first damaged block.
 */
export function readPem(text: string): PemBlock[] {
  const lines = splitLines(text);
  const blocks: PemBlock[] = [];
  let i = 0;
  while (i < lines.length) {
    const t = lines[i]!.trim();
    if (t.startsWith('-----BEGIN')) {
      const r = readBlock(lines, i);
      blocks.push(r.block);
      i = r.next;
    } else if (t.startsWith('-----END')) {
      badPem(`pem.read: line ${i + 1}: ${shortQuote(t)} without a BEGIN line before it`);
    } else i++;
  }
  if (blocks.length === 0) badPem('pem.read: no "-----BEGIN ...-----" line found');
  return blocks;
}

function readBlock(lines: readonly string[], start: number): { block: PemBlock; next: number } {
  const beginText = lines[start]!.trim();
  const line = start + 1;
  const m = BEGIN_RE.exec(beginText);
  if (!m) badPem(`pem.read: line ${line}: malformed BEGIN line ${shortQuote(beginText)} (expected "-----BEGIN LABEL-----")`);
  const label = m[1]!;
  const what = `pem.read: ${label} block at line ${line}`;
  let i = start + 1;
  // RFC 1421 headers: present when the first line has a colon (base64 never does).
  const headers: PemHeader[] = [];
  if (i < lines.length && lines[i]!.includes(':') && !lines[i]!.trim().startsWith('-----')) {
    for (;;) {
      if (i >= lines.length) badPem(`${what}: no END line (headers never end)`);
      const raw = lines[i]!;
      const t = raw.trim();
      if (t === '') {
        i++;
        break;
      }
      if (/^[ \t]/.test(raw) && headers.length) {
        headers[headers.length - 1]!.value += t;
      } else {
        const h = HEADER_RE.exec(t);
        if (!h) badPem(`${what}: line ${i + 1}: ${shortQuote(t)} is neither a "Name: value" header nor the blank line that must end the headers`);
        headers.push({ name: h[1]!, value: h[2]!.trim() });
      }
      i++;
    }
  }
  const body: B64Line[] = [];
  for (;;) {
    if (i >= lines.length) badPem(`${what}: no "-----END ${label}-----" line (truncated paste?)`);
    const t = lines[i]!.trim();
    if (t.startsWith('-----')) {
      if (t.startsWith('-----BEGIN')) badPem(`${what}: no END line before the next BEGIN line at line ${i + 1}`);
      const e = END_RE.exec(t);
      if (!e) badPem(`${what}: line ${i + 1}: malformed END line ${shortQuote(t)} (expected "-----END ${label}-----")`);
      if (e[1] !== label) badPem(`${what}: line ${i + 1}: END label "${e[1]}" does not match BEGIN label "${label}"`);
      i++;
      break;
    }
    if (t === '') badPem(`${what}: line ${i + 1}: blank line inside the base64 data`);
    body.push({ text: t, line: i + 1 });
    i++;
  }
  const kind = PEM_LABELS[label];
  if (!kind) throw new PkiError('unsupported', `pem.read: line ${line}: PEM label "${label}" is not supported`);
  if (body.length === 0) badPem(`${what}: the block is empty`);
  const bytes = decodeLines(body, what);
  const block: PemBlock = { label, kind, der: bytes, line, source: 'pem', headers };
  const procType = headers.find((h) => h.name.toLowerCase() === 'proc-type');
  if (procType) {
    if (procType.value.replace(/\s+/g, '').toUpperCase() !== '4,ENCRYPTED')
      throw new PkiError('unsupported', `${what}: Proc-Type "${procType.value}" is not supported (only 4,ENCRYPTED)`);
    if (!label.endsWith('PRIVATE KEY')) badPem(`${what}: Proc-Type ENCRYPTED on a block that is not a private key`);
    block.encryption = dekInfo(headers, what);
    if (bytes.length === 0 || bytes.length % 8 !== 0) badPem(`${what}: encrypted data of ${bytes.length} bytes is not a whole number of cipher blocks (truncated?)`);
    return { block, next: i };
  }
  if (label === 'TRUSTED CERTIFICATE') {
    const certEnd = readTlv(bytes, 0, bytes.length, { what }).end;
    block.der = bytes.subarray(0, certEnd);
    derCheck(block.der, { what });
    if (certEnd < bytes.length) {
      derCheck(bytes.subarray(certEnd), { what: `${what} (trust settings)` });
      block.aux = bytes.subarray(certEnd);
    }
  } else {
    derCheck(bytes, { ber: BER_KINDS.has(kind), what });
  }
  return { block, next: i };
}

function dekInfo(headers: readonly PemHeader[], what: string): PemEncryption {
  const h = headers.find((x) => x.name.toLowerCase() === 'dek-info');
  if (!h) badPem(`${what}: Proc-Type ENCRYPTED without a DEK-Info header`);
  const m = /^([A-Za-z0-9-]+)\s*,\s*([0-9A-Fa-f]+)$/.exec(h.value);
  if (!m || m[2]!.length % 2 !== 0) badPem(`${what}: malformed DEK-Info "${h.value}" (expected "ALGORITHM,HEXIV")`);
  const hex = m[2]!;
  const iv = new Uint8Array(hex.length / 2);
  for (let k = 0; k < iv.length; k++) iv[k] = parseInt(hex.slice(2 * k, 2 * k + 2), 16);
  return { algorithm: m[1]!.toUpperCase(), iv };
}

/**
 * Reads one block of bare base64 as IOS prints and reads it (`enrollment terminal` without
 * `pem`): lines before the first data line are skipped (prompts such as "Enter the base 64
 * encoded CA certificate."), the data ends at a blank line, a line `quit` or the end of the
 * text. The data starts at the first line whose first word is at least 16 characters long
 * and starts with "M" (as every DER SEQUENCE does) or is all base64 (so a damaged first line
 * is still read, and refused with its line and column). More base64 after the terminator is
 * an error rather than silently dropped.
 */
export function readBase64Block(text: string): PemBlock {
  const lines = splitLines(text);
  let i = 0;
  while (i < lines.length) {
    const t = lines[i]!.trim();
    const token = t.split(/\s/, 1)[0]!;
    if (!isQuit(t) && token.length >= 16 && (token[0] === 'M' || B64_LINE.test(token))) break;
    i++;
  }
  if (i >= lines.length) badPem('pem.read: no PEM block and no base64 data found');
  const first = i + 1;
  const body: B64Line[] = [];
  for (; i < lines.length; i++) {
    const t = lines[i]!.trim();
    if (t === '' || isQuit(t)) break;
    body.push({ text: t, line: i + 1 });
  }
  for (let k = i + 1; k < lines.length; k++) {
    const t = lines[k]!.trim();
    if (t.length >= 16 && B64_LINE.test(t) && !isQuit(t))
      badPem(`pem.read: more base64 data at line ${k + 1} after the end of the block at line ${i + 1}; paste one block at a time or use PEM boundaries`);
  }
  const what = `pem.read: base64 data at line ${first}`;
  const bytes = decodeLines(body, what);
  return derBlock(bytes, first, 'base64', what);
}

function derBlock(bytes: Uint8Array, line: number, source: 'base64' | 'der', what: string): PemBlock {
  try {
    derCheck(bytes, { what });
  } catch (e) {
    // CMS and PFX are BER (indefinite lengths allowed); everything else must be DER.
    let ber = false;
    try {
      derCheck(bytes, { ber: true, what });
      ber = BER_KINDS.has(sniffDerKind(bytes));
    } catch {
      /* report the DER error */
    }
    if (!ber) throw e;
  }
  return { label: '', kind: sniffDerKind(bytes), der: bytes, line, source, headers: [] };
}

/**
 * Reads what a user pasted or a file held: raw DER bytes (a Uint8Array starting with 0x30),
 * else text — PEM blocks if there is any BEGIN line (a chain is several blocks), else one
 * bare base64 block. A UTF-8 byte-order mark is ignored.
 */
export function readPasted(input: string | Uint8Array): PemBlock[] {
  let text: string;
  if (typeof input === 'string') text = input;
  else {
    if (input.length && input[0] === 0x30) return [derBlock(input, 0, 'der', 'pem.read: DER data')];
    text = new TextDecoder('utf-8', { fatal: false }).decode(input);
  }
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  if (/^[ \t]*-----(BEGIN|END)/m.test(text)) return readPem(text);
  return [readBase64Block(text)];
}

/**
 * Collects a terminal paste line by line, as IOS does after "End with a blank line or the
 * word "quit" on a line by itself": blank lines before any data are ignored; inside a PEM
 * block (after BEGIN, before END) blank lines are kept (RFC 1421 headers end with one);
 * elsewhere a blank line ends the paste, and `quit` always does. `push` returns true when
 * the paste is complete; `text` is what was collected, without the terminator.
 */
export class PasteCollector {
  /** the most text one paste may hold (a long chain is well under this) */
  static readonly MAX_CHARS = 1 << 20;
  private readonly lines: string[] = [];
  private chars = 0;
  private inBlock = false;
  private done = false;

  /** Adds one line; true when the paste is complete. Throws PkiError('bad-pem') past MAX_CHARS. */
  push(line: string): boolean {
    if (this.done) return true;
    const t = line.trim();
    if (isQuit(t)) return (this.done = true);
    if (t === '') {
      if (this.lines.length === 0) return false;
      if (!this.inBlock) return (this.done = true);
    }
    if (t.startsWith('-----BEGIN')) this.inBlock = true;
    else if (t.startsWith('-----END')) this.inBlock = false;
    this.chars += line.length + 1;
    if (this.chars > PasteCollector.MAX_CHARS) badPem(`pem.paste: more than ${PasteCollector.MAX_CHARS} characters pasted`);
    this.lines.push(line);
    return false;
  }

  /** True once a terminator was seen. */
  get complete(): boolean {
    return this.done;
  }

  /** The collected lines joined with '\n'. */
  get text(): string {
    return this.lines.join('\n');
  }
}

// ---------------------------------------------------------------------------------------------
// Writing

/** Splits base64 into lines of `width` characters, each ending in '\n'. */
function wrap(b64: string, width: number): string {
  let s = '';
  for (let i = 0; i < b64.length; i += width) s += b64.slice(i, i + width) + '\n';
  return s;
}

/**
 * PEM as RFC 7468 §2 generates it: `-----BEGIN label-----`, base64 in 64-character lines,
 * `-----END label-----`, LF line ends, a final LF. `headers` (RFC 1421, e.g. Proc-Type and
 * DEK-Info of a legacy encrypted key) go after BEGIN, followed by a blank line.
 */
export function writePem(label: string, der: Uint8Array, headers?: readonly PemHeader[]): string {
  if (!BEGIN_RE.test(`-----BEGIN ${label}-----`)) throw new RangeError(`writePem: invalid label ${JSON.stringify(label)}`);
  let head = '';
  if (headers && headers.length) head = headers.map((h) => `${h.name}: ${h.value}\n`).join('') + '\n';
  return `-----BEGIN ${label}-----\n${head}${wrap(encodeBase64(der), 64)}-----END ${label}-----\n`;
}

/**
 * IOS's bare layout (`enrollment terminal` without `pem`): base64 in 64-character lines, no
 * boundaries, a final LF.
 */
export function writeBase64Lines(der: Uint8Array): string {
  return wrap(encodeBase64(der), 64);
}

/** A certificate request the way `enrollment terminal pem` shows it (`CERTIFICATE REQUEST`). */
export function writeCsrPem(der: Uint8Array): string {
  return writePem('CERTIFICATE REQUEST', der);
}

// ---------------------------------------------------------------------------------------------
// What a DER element is

/** 1.2.840.113549.1.7: the PKCS#7 content types */
const OID_PKCS7_PREFIX = encodeOid(OID.data).subarray(0, 8);

/**
 * Guesses what a (checked) DER element is from its shape, for bare base64 and DER files,
 * which carry no label: ContentInfo → pkcs7; Certificate, CertificationRequest and
 * CertificateList by their TBS layout (RFC 5280 §4.1, §5.1; RFC 2986 §4); PFX (RFC 7292);
 * the key containers of RFC 5958, RFC 8017 and RFC 5915; SubjectPublicKeyInfo.
 */
export function sniffDerKind(der: Uint8Array): PemKind {
  try {
    const top = readTlv(der, 0, der.length, BER);
    if (top.tag !== 0x30) return 'unknown';
    const c = derChildren(der, top, BER);
    const tags = c.map((x) => x.tag);
    const c0 = c[0];
    if (!c0) return 'unknown';
    if (c0.tag === 0x06) {
      const o = der.subarray(c0.contentStart, c0.contentEnd);
      return o.length === 9 && OID_PKCS7_PREFIX.every((b, k) => o[k] === b) ? 'pkcs7' : 'unknown';
    }
    if (tags.length === 3 && tags[0] === 0x30 && tags[1] === 0x30 && tags[2] === 0x03) {
      const tbs = derChildren(der, c0, BER).map((x) => x.tag);
      if (tbs[0] === 0xa0) return 'certificate';
      if (tbs[0] === 0x30) return 'crl';
      if (tbs[0] === 0x02 && tbs[3] === 0xa0) return 'certificate-request';
      if (tbs[0] === 0x02 && tbs[3] === 0x30) return 'certificate';
      if (tbs[0] === 0x02 && (tbs[3] === 0x17 || tbs[3] === 0x18)) return 'crl';
      return 'unknown';
    }
    if (tags.length === 2 && tags[0] === 0x30 && tags[1] === 0x03) return 'public-key';
    if (tags.length === 2 && tags[0] === 0x30 && tags[1] === 0x04) return 'encrypted-private-key';
    if (tags[0] === 0x02) {
      const v = der.subarray(c0.contentStart, c0.contentEnd);
      const version = v.length === 1 ? v[0]! : -1;
      if (version === 3 && tags[1] === 0x30) return 'pkcs12';
      if ((version === 0 || version === 1) && tags[1] === 0x30 && tags[2] === 0x04) return 'private-key';
      if (version === 1 && tags[1] === 0x04) return 'ec-private-key';
      if (version === 0 && tags.length >= 9 && tags.every((t) => t === 0x02)) return 'rsa-private-key';
    }
    return 'unknown';
  } catch {
    return 'unknown';
  }
}
