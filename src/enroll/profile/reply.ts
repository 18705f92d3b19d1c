/**
 * What a CA answers to an enrollment-profile request: a certificate as raw DER, PEM (one or
 * more blocks), bare base64, or a PKCS#7 certs-only SignedData carrying the chain (DER, PEM or
 * base64). Anything else — an HTML error page, another status, an empty body — becomes a
 * message with the status and a short, escaped excerpt of what the server said (the visible
 * text of an HTML page, never its markup, control characters shown as \xNN).
 */
import { PkiError } from '../../util/errors.ts';
import { certificatesFromPkcs7, classifyDer } from '../../pki/cms.ts';
import { decodeBase64, readPem } from '../../pki/pem.ts';

export type ReplyFormat = 'der' | 'pem' | 'base64' | 'pkcs7' | 'pkcs7-pem' | 'pkcs7-base64';

export interface ProfileReply {
  /** certificates in the order received (DER) */
  certificates: Uint8Array[];
  format: ReplyFormat;
}

/** A reply that holds no certificate (the message is worded for the console). */
export class ReplyError extends PkiError {
  readonly status: number;
  constructor(status: number, message: string) {
    super('http', message);
    this.name = 'ReplyError';
    this.status = status;
  }
}

const REASONS: Record<number, string> = {
  200: 'OK',
  201: 'Created',
  202: 'Accepted',
  204: 'No Content',
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  409: 'Conflict',
  413: 'Payload Too Large',
  415: 'Unsupported Media Type',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
};

export function statusText(status: number): string {
  return `HTTP ${status}${REASONS[status] ? ' ' + REASONS[status] : ''}`;
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ' };

/** The visible text of an HTML page: its title, then its body text, tags and scripts removed. */
export function htmlText(html: string): string {
  const title = /<title[^>]*>([\s\S]*?)<\/title>/i.exec(html)?.[1] ?? '';
  const body = (/<body[^>]*>([\s\S]*)<\/body>/i.exec(html)?.[1] ?? html)
    .replace(/<(script|style|head)\b[\s\S]*?<\/\1\s*>/gi, ' ')
    .replace(/<!--[\s\S]*?-->/g, ' ')
    .replace(/<[^>]*>/g, ' ');
  const decode = (t: string) =>
    t.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (m, e: string) => {
      if (e[0] === '#') {
        const cp = e[1] === 'x' || e[1] === 'X' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10);
        return cp > 0 && cp < 0x110000 ? String.fromCodePoint(cp) : m;
      }
      return ENTITIES[e.toLowerCase()] ?? m;
    });
  const t = decode(title).replace(/\s+/g, ' ').trim();
  let b = decode(body).replace(/\s+/g, ' ').trim();
  if (t && b.startsWith(t)) b = b.slice(t.length).trim();
  return t && b ? `${t}: ${b}` : t || b;
}

/** Printable, single-line, bounded: control and non-ASCII characters escaped. */
export function escapeExcerpt(text: string, max = 200): string {
  let out = '';
  for (const ch of text) {
    const cp = ch.codePointAt(0)!;
    if (cp === 0x5c) out += '\\\\';
    else if (cp >= 0x20 && cp < 0x7f) out += ch;
    else if (cp === 0x0a || cp === 0x0d || cp === 0x09) out += ' ';
    else if (cp < 0x100) out += `\\x${cp.toString(16).padStart(2, '0')}`;
    else out += `\\u{${cp.toString(16)}}`;
    if (out.length >= max) return `${out.slice(0, max)}...`;
  }
  return out.replace(/ {2,}/g, ' ').trim();
}

function looksHtml(contentType: string, text: string): boolean {
  return contentType.includes('html') || /^\s*(<!doctype html|<html|<head|<body|<title|<h1|<p>)/i.test(text);
}

/** A short description of a body that holds no certificate: its kind and an escaped excerpt. */
export function describeBody(contentType: string, body: Uint8Array): string {
  if (!body.length) return 'an empty body';
  const text = new TextDecoder('utf-8', { fatal: false }).decode(body.subarray(0, 64 * 1024));
  const head = text.slice(0, 512);
  const controls = head.match(/[\x00-\x08\x0e-\x1f]/g)?.length ?? 0;
  const binary = head.includes('\u0000') || controls * 10 > head.length;
  if (binary) return `${body.length} bytes of binary data${contentType ? ` (${contentType})` : ''}`;
  const shown = looksHtml(contentType, text) ? htmlText(text) : text;
  const kind = looksHtml(contentType, text) ? 'an HTML page' : `${contentType || 'text'}`;
  return `${kind}: "${escapeExcerpt(shown)}"`;
}

function certsFromDer(der: Uint8Array): { certs: Uint8Array[]; pkcs7: boolean } | undefined {
  const kind = classifyDer(der);
  if (kind === 'certificate') return { certs: [der], pkcs7: false };
  if (kind === 'pkcs7') return { certs: certificatesFromPkcs7(der), pkcs7: true };
  return undefined;
}

/**
 * The certificates of a reply. `status` is the HTTP status: anything but 2xx is an error that
 * says what the server said; a 2xx body must hold at least one certificate.
 */
export function parseReply(status: number, contentType: string, body: Uint8Array): ProfileReply {
  if (status < 200 || status > 299) throw new ReplyError(status, `% The CA answered ${statusText(status)} with ${describeBody(contentType, body)}`);
  const notCert = (why = '') => new ReplyError(status, `% The CA answered ${statusText(status)}, but not with a certificate${why}: ${describeBody(contentType, body)}`);
  if (!body.length) throw notCert();
  if (body[0] === 0x30) {
    const r = certsFromDer(body);
    if (r && r.certs.length) return { certificates: r.certs, format: r.pkcs7 ? 'pkcs7' : 'der' };
    if (r) throw notCert(' (a PKCS #7 without certificates)');
    throw notCert(' (DER data of another kind)');
  }
  let text = new TextDecoder('utf-8', { fatal: false }).decode(body);
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  if (/^[ \t]*-----BEGIN /m.test(text)) {
    let blocks;
    try {
      blocks = readPem(text);
    } catch (e) {
      throw notCert(` (damaged PEM: ${(e as Error).message.replace(/^[\w.]+: /, '')})`);
    }
    const certs: Uint8Array[] = [];
    let pkcs7 = false;
    for (const b of blocks) {
      const r = certsFromDer(b.der);
      if (!r) continue;
      certs.push(...r.certs);
      pkcs7 ||= r.pkcs7;
    }
    if (certs.length) return { certificates: certs, format: pkcs7 ? 'pkcs7-pem' : 'pem' };
    throw notCert(' (PEM blocks of another kind)');
  }
  const compact = text.replace(/\s+/g, '');
  if (compact && /^[A-Za-z0-9+/]+={0,2}$/.test(compact)) {
    let der: Uint8Array;
    try {
      der = decodeBase64(compact);
    } catch {
      throw notCert();
    }
    const r = certsFromDer(der);
    if (r && r.certs.length) return { certificates: r.certs, format: r.pkcs7 ? 'pkcs7-base64' : 'base64' };
  }
  throw notCert();
}

export const FORMAT_NAMES: Record<ReplyFormat, string> = {
  der: 'an X.509 certificate (raw DER)',
  pem: 'PEM certificate(s)',
  base64: 'an X.509 certificate (base64)',
  pkcs7: 'a PKCS #7 certs-only chain (DER)',
  'pkcs7-pem': 'a PKCS #7 certs-only chain (PEM)',
  'pkcs7-base64': 'a PKCS #7 certs-only chain (base64)',
};
