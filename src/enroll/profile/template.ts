/**
 * Enrollment-profile command templates → HTTP requests (the IOS guide's "Certificate
 * Enrollment Profiles"; its example: `enrollment command POST reference_number=$P2&authcode=$P1
 * &retrievedAs=rawDER&action=getServerCert&pkcs10Request=$REQ`).
 *
 * A template is `METHOD ARGUMENT`, its continuation lines joined without a separator:
 *   GET  TARGET            TARGET is `/path[?query]` (on the URL's host), `?query` (on the URL's
 *                          path), a relative path (below the URL's path) or an absolute http(s) URL
 *   POST BODY              BODY is sent to the URL: `application/x-www-form-urlencoded` when it has
 *   PUT  BODY              a `=`, else as is (`application/pkcs10` when BODY is exactly `$REQ`)
 *   POST TARGET BODY       the same, sent to TARGET (which starts with `/`, `?` or http(s)://)
 * No template: authentication GETs the URL, enrollment POSTs `$REQ` as `application/pkcs10`
 * (the EST style, so an EST profile is a template away).
 *
 * Variables: `$REQ` — the base64 (one line, no PEM armour) of the PKCS#10 request, or of the
 * CMS SignedData that wraps it for `enrollment credential`; `$P1`…`$P8` — `parameter N`.
 * What a variable expands to is percent-encoded for where it lands (RFC 3986 / the WHATWG
 * urlencoded serializer): in a path every byte but the RFC 3986 pchars (so `/` → `%2F`, `+`
 * and `=` stay); in a query every byte that a form parser would misread (`+` → `%2B`, `&`,
 * `=`, `#`, space…; `/` and `?` stay); in a form body everything but `*-._` and
 * alphanumerics (`+` → `%2B`, `/` → `%2F`, `=` → `%3D`, space → `+`). The literal text of
 * the template is sent as written.
 */
import { PkiError } from '../../util/errors.ts';
import { utf8 } from '../../util/bytes.ts';

export type EncodeContext = 'path' | 'query' | 'form' | 'raw';

const UNRESERVED = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~';
const KEEP: Record<Exclude<EncodeContext, 'raw'>, string> = {
  // RFC 3986 pchar without "/": unreserved / sub-delims / ":" / "@"
  path: UNRESERVED + "!$&'()*+,;=:@",
  // query characters a form-style parser reads literally (no & = + #)
  query: UNRESERVED + "!$'()*,;:@/?",
  // WHATWG application/x-www-form-urlencoded byte serializer
  form: 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789*-._',
};

/** Percent-encodes `text` (as UTF-8) for `ctx`. */
export function percentEncode(text: string, ctx: EncodeContext): string {
  if (ctx === 'raw') return text;
  const keep = KEEP[ctx];
  let out = '';
  for (const b of utf8(text)) {
    const c = String.fromCharCode(b);
    if (b < 0x80 && keep.includes(c)) out += c;
    else if (ctx === 'form' && b === 0x20) out += '+';
    else out += '%' + b.toString(16).toUpperCase().padStart(2, '0');
  }
  return out;
}

/** A template or URL that cannot become a request (worded for the console). */
export class TemplateError extends PkiError {
  constructor(message: string) {
    super('config', message.startsWith('%') ? message : `% ${message}`);
    this.name = 'TemplateError';
  }
}

export interface TemplateInputs {
  /** base64 (one line) of the request; only the enrollment template may use `$REQ` */
  req?: string;
  /** `$P1`…`$P8` */
  params: ReadonlyMap<number, string>;
  /** for `shown`: what `$REQ` is (e.g. "PKCS#10") */
  reqLabel?: string;
}

export interface ProfileRequest {
  method: 'GET' | 'POST' | 'PUT';
  url: string;
  body?: Uint8Array;
  contentType?: string;
  /** The request for debug output: every parameter masked, `$REQ` summarized, no URL credentials. */
  shown: string;
}

const VAR_RE = /\$(REQ|P(\d))/g;

/** The whole template on one line (continuation lines joined without a separator). */
export function joinTemplate(template: string): string {
  return template
    .split('\n')
    .map((l) => l.trim())
    .join('');
}

/** Which variables a template uses. */
export function templateVariables(template: string | undefined): { req: boolean; params: number[] } {
  const params = new Set<number>();
  let req = false;
  for (const m of joinTemplate(template ?? '').matchAll(VAR_RE)) {
    if (m[1] === 'REQ') req = true;
    else params.add(Number(m[2]));
  }
  return { req, params: [...params].sort((a, b) => a - b) };
}

type Substitute = (name: string, n: number | undefined, ctx: EncodeContext) => string;

function expand(text: string, ctx: EncodeContext, sub: Substitute): string {
  return text.replace(VAR_RE, (_m, name: string, n: string | undefined) => sub(name, n === undefined ? undefined : Number(n), ctx));
}

/** Expands a URL target: the part before `?` as a path, the rest as a query. */
function expandTarget(target: string, sub: Substitute): string {
  const q = target.indexOf('?');
  if (q < 0) return expand(target, 'path', sub);
  return expand(target.slice(0, q), 'path', sub) + '?' + expand(target.slice(q + 1), 'query', sub);
}

function resolveTarget(base: URL, target: string): URL {
  try {
    if (/^https?:\/\//i.test(target)) return new URL(target);
    if (target.startsWith('/')) return new URL(base.origin + target);
    if (target.startsWith('?')) return new URL(base.origin + base.pathname + target);
    const dir = base.pathname.endsWith('/') ? base.pathname : base.pathname + '/';
    return new URL(base.origin + dir + target);
  } catch {
    throw new TemplateError(`% The command template gives no valid URL ("${target.slice(0, 80)}").`);
  }
}

function withoutCredentials(u: URL): string {
  const c = new URL(u.href);
  c.username = '';
  c.password = '';
  return c.href;
}

/**
 * Builds the request of a template (`what` names it in errors). `baseUrl` is the profile's
 * `authentication url` / `enrollment url`.
 */
export function buildRequest(baseUrl: string, template: string | undefined, inputs: TemplateInputs, what: 'authentication' | 'enrollment'): ProfileRequest {
  let base: URL;
  try {
    base = new URL(baseUrl);
  } catch {
    throw new TemplateError(`% The ${what} url "${baseUrl}" is not a valid URL.`);
  }
  if (base.protocol !== 'http:' && base.protocol !== 'https:') throw new TemplateError(`% The ${what} url must be http:// or https:// for an HTTP request.`);
  const real: Substitute = (name, n, ctx) => {
    if (name === 'REQ') {
      if (inputs.req === undefined) throw new TemplateError(`% The ${what} command uses $REQ, but there is no certificate request when ${what === 'authentication' ? 'authenticating' : 'enrolling'}.`);
      return percentEncode(inputs.req, ctx);
    }
    if (n === undefined || n < 1 || n > 8) throw new TemplateError(`% The ${what} command uses $P${n}: parameters are numbered 1 to 8.`);
    const v = inputs.params.get(n);
    if (v === undefined) throw new TemplateError(`% The ${what} command uses $P${n}, but parameter ${n} is not configured ("parameter ${n} value TEXT" or "parameter ${n} prompt TEXT").`);
    return percentEncode(v, ctx);
  };
  const masked: Substitute = (name, n) => (name === 'REQ' ? `<${inputs.reqLabel ?? 'request'}: ${inputs.req?.length ?? 0} base64 characters>` : `<$P${n}: *****>`);

  const text = template === undefined ? undefined : joinTemplate(template);
  if (text === undefined || text === '') {
    if (what === 'authentication') return { method: 'GET', url: base.href, shown: `GET ${withoutCredentials(base)}` };
    if (inputs.req === undefined) throw new TemplateError('% There is no certificate request to send.');
    return {
      method: 'POST',
      url: base.href,
      body: utf8(inputs.req),
      contentType: 'application/pkcs10',
      shown: `POST ${withoutCredentials(base)} (application/pkcs10) body: ${masked('REQ', undefined, 'raw')}`,
    };
  }
  const m = /^(\S+)\s+(\S.*)$/.exec(text);
  if (!m) throw new TemplateError(`% The ${what} command "${text.slice(0, 40)}" needs an HTTP method and an argument (e.g. GET /certs/cacert.der).`);
  const method = m[1]!.toUpperCase();
  if (method !== 'GET' && method !== 'POST' && method !== 'PUT') throw new TemplateError(`% The ${what} command's HTTP method "${m[1]}" is not GET, POST or PUT.`);
  const arg = m[2]!.trim();
  if (method === 'GET') {
    const url = resolveTarget(base, expandTarget(arg, real));
    const shownUrl = resolveTarget(base, expandTarget(arg, masked));
    return { method, url: url.href, shown: `GET ${withoutCredentials(shownUrl)}` };
  }
  // POST/PUT: [TARGET ] BODY
  let target: string | undefined;
  let bodyT = arg;
  const sp = /^(\/\S*|\?\S*|https?:\/\/\S+)\s+(\S.*)$/i.exec(arg);
  if (sp) {
    target = sp[1]!;
    bodyT = sp[2]!;
  }
  const url = target === undefined ? base : resolveTarget(base, expandTarget(target, real));
  const shownUrl = target === undefined ? base : resolveTarget(base, expandTarget(target, masked));
  const form = bodyT.includes('=');
  const ctx: EncodeContext = form ? 'form' : 'raw';
  const body = expand(bodyT, ctx, real);
  const contentType = form ? 'application/x-www-form-urlencoded' : bodyT === '$REQ' ? 'application/pkcs10' : 'text/plain';
  return {
    method,
    url: url.href,
    body: utf8(body),
    contentType,
    shown: `${method} ${withoutCredentials(shownUrl)} (${contentType}) body: ${expand(bodyT, ctx, masked)}`,
  };
}

/**
 * A template as `show crypto pki trustpoints` lists it: the method and URL with the variables
 * left in, and for a form body its field names (never values).
 */
export function describeTemplate(baseUrl: string, template: string | undefined, what: 'authentication' | 'enrollment'): string {
  const text = template === undefined ? '' : joinTemplate(template);
  const keep: Substitute = (name, n) => (name === 'REQ' ? '$REQ' : `$P${n}`);
  let base: URL;
  try {
    base = new URL(baseUrl);
  } catch {
    return `${text || (what === 'authentication' ? 'GET' : 'POST')} ${baseUrl}`;
  }
  const m = /^(\S+)\s+(\S.*)$/.exec(text);
  if (!m) return what === 'authentication' ? `GET ${withoutCredentials(base)}` : `POST ${withoutCredentials(base)} ($REQ as application/pkcs10)`;
  const method = m[1]!.toUpperCase();
  const arg = m[2]!;
  try {
    if (method === 'GET') return `GET ${decodeURI(resolveTarget(base, expandTarget(arg, keep)).href)}`;
    const sp = /^(\/\S*|\?\S*|https?:\/\/\S+)\s+(\S.*)$/i.exec(arg);
    const url = sp ? resolveTarget(base, expandTarget(sp[1]!, keep)) : base;
    const body = sp ? sp[2]! : arg;
    const fields = body.includes('=') ? `form fields ${body.split('&').map((f) => f.split('=')[0]).join(', ')}` : body === '$REQ' ? '$REQ as application/pkcs10' : 'text body';
    return `${method} ${decodeURI(withoutCredentials(url))} (${fields})`;
  } catch {
    return `${method} ${baseUrl}`;
  }
}
