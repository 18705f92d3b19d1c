/**
 * The only caller of `fetch` (DESIGN.md §2): HTTP GET/POST to CAs, with the failures a
 * browser hides behind "TypeError: Failed to fetch" told apart and explained — mixed content
 * (an https page calling an http CA), CORS (the CA answers but sends no
 * Access-Control-Allow-Origin), Private Network Access refusals, a dropped connection, and
 * an unreachable host — and HTTP errors reported with the server's own text.
 */
import { PkiError, abortError, isAbortError } from '../util/errors.ts';
import { escapeControls } from '../util/text.ts';

export type HttpFailure = 'mixed-content' | 'cors' | 'private-network' | 'network' | 'http' | 'timeout' | 'too-large' | 'redirect';

/** A failed HTTP exchange: `status`/`body` for HTTP errors, never any secret of the request. */
export class HttpError extends PkiError {
  readonly status: number | undefined;
  readonly url: string;
  readonly failure: HttpFailure;
  constructor(failure: HttpFailure, url: string, message: string, status?: number, options?: { cause?: unknown }) {
    super('http', message, options);
    this.name = 'HttpError';
    this.failure = failure;
    this.url = url;
    this.status = status;
  }
}

export interface HttpResponse {
  status: number;
  contentType: string;
  body: Uint8Array;
  headers: Headers;
}

export interface HttpRequest {
  method?: 'GET' | 'POST' | 'PUT' | 'HEAD';
  body?: Uint8Array;
  contentType?: string;
  /** further request headers (e.g. Accept) */
  headers?: Record<string, string>;
  /** return non-2xx replies instead of throwing (the caller explains them: profiles, ACME problem documents) */
  acceptErrors?: boolean;
  signal?: AbortSignal;
  /** refuse bodies larger than this (default 8 MiB) */
  maxBytes?: number;
  timeoutMs?: number;
}

const PRIVATE_V4 = [/^10\./, /^127\./, /^192\.168\./, /^172\.(1[6-9]|2\d|3[01])\./, /^169\.254\./, /^0\./];

function isPrivateHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  if (h === 'localhost' || h.endsWith('.localhost') || h.endsWith('.local')) return true;
  if (PRIVATE_V4.some((r) => r.test(h))) return true;
  return h === '::1' || h.startsWith('fc') || h.startsWith('fd') || h.startsWith('fe80:');
}

function pageUrl(): URL | undefined {
  try {
    return typeof location !== 'undefined' ? new URL(location.href) : undefined;
  } catch {
    return undefined;
  }
}

/** Safe for messages: the URL without credentials or query (queries may carry SCEP messages). */
export function displayUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}${u.pathname}`;
  } catch {
    return url.replace(/\?.*$/, '');
  }
}

/** Explains a fetch that threw (a TypeError) by probing what can be probed from a page. */
async function diagnose(url: URL, cause: unknown, signal?: AbortSignal): Promise<HttpError> {
  const shown = displayUrl(url.href);
  const page = pageUrl();
  if (page?.protocol === 'https:' && url.protocol === 'http:') {
    return new HttpError(
      'mixed-content',
      shown,
      `The browser blocked ${shown}: this page is served over https and the CA URL is plain http (mixed content). Use an https URL for the CA (e.g. a TLS proxy in front of it). Do not serve Trustpoint itself over plain http: without a secure context the browser cannot protect the keys.`,
      undefined,
      { cause },
    );
  }
  // Probes go to the path without the query: a GET PKIOperation carries the request in its
  // query, and a diagnosis must never send it to the CA a second time.
  const probe = `${url.origin}${url.pathname}`;
  const reach = async (mode: RequestMode): Promise<boolean> => {
    try {
      // no-cors succeeds (with an opaque reply) when the server answered at all.
      await fetch(probe, { method: 'GET', mode, cache: 'no-store', ...(signal ? { signal } : {}) });
      return true;
    } catch (e) {
      if (isAbortError(e)) throw e;
      return false;
    }
  };
  if (await reach('no-cors')) {
    // Readable with CORS as well: CORS is not what failed — the CA dropped this request.
    if (await reach('cors'))
      return new HttpError(
        'network',
        shown,
        `The connection to ${url.host} was dropped before the CA answered: the CA is reachable and allows this page, so it closed or lost this request (try again; the CA's log may say why).`,
        undefined,
        { cause },
      );
    return new HttpError(
      'cors',
      shown,
      `The CA at ${url.host} answered, but the browser withheld the reply because it carries no Access-Control-Allow-Origin header for this page (${page?.origin ?? 'this origin'}). CAs rarely send CORS headers: put a CORS-enabling proxy in front of the CA and allow this origin.`,
      undefined,
      { cause },
    );
  }
  if (page && !isPrivateHost(page.hostname) && isPrivateHost(url.hostname)) {
    return new HttpError(
      'private-network',
      shown,
      `The browser refused to let this public page (${page.origin}) reach the private address ${url.host} (Private Network Access). Open Trustpoint from the local network, or allow local network access for this site in the browser's settings.`,
      undefined,
      { cause },
    );
  }
  return new HttpError('network', shown, `Could not connect to ${url.host}: the connection was refused, dropped or the name did not resolve.`, undefined, { cause });
}

/** Redirects followed per request (all within the same origin). */
const MAX_REDIRECTS = 5;

function redirectRefusal(from: URL, to: string | undefined): HttpError {
  const shown = displayUrl(from.href);
  if (to)
    return new HttpError(
      'redirect',
      shown,
      `The CA at ${from.host} redirected the request to ${displayUrl(to)}, another origin. Trustpoint follows redirects only within the same origin, so nothing was sent there: if that is where the CA is, use that URL.`,
    );
  return new HttpError(
    'redirect',
    shown,
    `The CA at ${from.host} redirected the request to an address the browser does not reveal to this page (most likely another origin). Trustpoint follows redirects only within the same origin, so nothing was sent there: use the CA's final URL.`,
  );
}

/**
 * Where a redirect the browser hid (an `opaqueredirect` response: browsers never show a page
 * the Location of a `redirect: 'manual'` fetch) leads: a GET of the path alone — no query, no
 * body, so no SCEP message travels — that the browser may follow; its final URL, if readable.
 */
async function probeRedirect(url: URL, signal: AbortSignal): Promise<string | undefined> {
  try {
    const r = await fetch(`${url.origin}${url.pathname}`, { method: 'GET', cache: 'no-store', redirect: 'follow', signal });
    void r.body?.cancel().catch(() => undefined);
    return r.redirected && r.url ? r.url : undefined;
  } catch (e) {
    if (isAbortError(e) || signal.aborted) throw e;
    return undefined;
  }
}

/** Reads a body, stopping as soon as it is larger than `max` (no Content-Length is trusted). */
async function readCapped(res: Response, max: number, shown: string): Promise<Uint8Array> {
  const len = Number(res.headers.get('content-length') ?? '0');
  if (len > max) {
    void res.body?.cancel().catch(() => undefined);
    throw new HttpError('too-large', shown, `The reply from ${shown} is ${len} bytes, more than the ${max} accepted.`, res.status);
  }
  if (!res.body) return new Uint8Array(await res.arrayBuffer());
  const reader = res.body.getReader();
  const parts: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.length;
    if (total > max) {
      void reader.cancel().catch(() => undefined);
      throw new HttpError('too-large', shown, `The reply from ${shown} is more than ${max} bytes.`, res.status);
    }
    parts.push(value);
  }
  const out = new Uint8Array(total);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/**
 * Fetches a URL and reads the body (at most `maxBytes`, counted while it streams in), with the
 * failures explained (never "Failed to fetch"). Redirects are followed only within the origin
 * of the URL: a redirect elsewhere — a SCEP POST sent on to another server — is refused and
 * explained before anything is sent there.
 */
export async function httpRequest(urlText: string, req: HttpRequest = {}): Promise<HttpResponse> {
  let url: URL;
  try {
    url = new URL(urlText);
  } catch {
    throw new HttpError('network', urlText, `Invalid URL ${urlText}`);
  }
  const origin = url.origin;
  const controller = new AbortController();
  const onAbort = () => controller.abort();
  req.signal?.addEventListener('abort', onAbort, { once: true });
  if (req.signal?.aborted) throw abortError();
  const timer = setTimeout(() => controller.abort(new DOMException('timeout', 'TimeoutError')), req.timeoutMs ?? 60_000);
  let method = req.method ?? 'GET';
  let body = req.body;
  let probed = false;
  try {
    for (let hop = 0; ; hop++) {
      const shown = displayUrl(url.href);
      let res: Response;
      try {
        const init: RequestInit = { method, cache: 'no-store', redirect: 'manual', signal: controller.signal };
        if (body) init.body = body as Uint8Array<ArrayBuffer>;
        if ((req.contentType && body) || req.headers) init.headers = { ...req.headers, ...(req.contentType && body ? { 'Content-Type': req.contentType } : {}) };
        res = await fetch(url.href, init);
      } catch (e) {
        if (req.signal?.aborted) throw abortError();
        if (controller.signal.aborted) throw new HttpError('timeout', shown, `No answer from ${url.host} within ${Math.round((req.timeoutMs ?? 60_000) / 1000)} seconds.`);
        throw await diagnose(url, e, req.signal);
      }
      const location = res.status >= 300 && res.status < 400 ? res.headers.get('location') : null;
      if (res.type === 'opaqueredirect' || location !== null) {
        void res.body?.cancel().catch(() => undefined);
        if (hop >= MAX_REDIRECTS) throw new HttpError('redirect', shown, `The CA at ${url.host} redirected the request more than ${MAX_REDIRECTS} times; stopped.`);
        let next: URL | undefined;
        if (location !== null) {
          try {
            next = new URL(location, url);
          } catch {
            throw new HttpError('redirect', shown, `The CA at ${url.host} redirected the request to an invalid address.`);
          }
        } else {
          // The browser hides where it goes: find out without sending the request (once).
          if (probed) throw redirectRefusal(url, undefined);
          probed = true;
          let found: string | undefined;
          try {
            found = await probeRedirect(url, controller.signal);
          } catch (e) {
            if (req.signal?.aborted) throw abortError();
            throw e;
          }
          if (!found) throw redirectRefusal(url, undefined);
          const target = new URL(found);
          // the redirect moved the path: keep this request's own query (operation, message)
          next = new URL(`${target.origin}${target.pathname}${url.search}`);
        }
        if (next.origin !== origin || (next.protocol !== 'http:' && next.protocol !== 'https:')) throw redirectRefusal(url, next.href);
        // fetch's own rules: 303, and 301/302 after a POST, continue as a GET without the body
        if (res.status === 303 || ((res.status === 301 || res.status === 302) && method === 'POST')) {
          method = 'GET';
          body = undefined;
        }
        url = next;
        continue;
      }
      const max = req.maxBytes ?? 8 << 20;
      let data: Uint8Array;
      try {
        data = await readCapped(res, max, shown);
      } catch (e) {
        if (e instanceof HttpError) throw e;
        if (req.signal?.aborted) throw abortError();
        throw new HttpError('network', shown, `The connection to ${url.host} was dropped while reading the reply.`, res.status, { cause: e });
      }
      const contentType = (res.headers.get('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
      if (!res.ok && !req.acceptErrors) {
        const text = /^text\/|json|xml/.test(contentType) || contentType === '' ? escapeControls(new TextDecoder().decode(data.subarray(0, 500)).trim()) : '';
        throw new HttpError('http', shown, `The CA answered HTTP ${res.status}${res.statusText ? ' ' + escapeControls(res.statusText) : ''}${text ? `: ${text}` : ''}`, res.status);
      }
      return { status: res.status, contentType, body: data, headers: res.headers };
    }
  } finally {
    clearTimeout(timer);
    req.signal?.removeEventListener('abort', onAbort);
  }
}
