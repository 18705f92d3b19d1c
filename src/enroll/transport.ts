/**
 * The only caller of `fetch` (DESIGN.md §2): HTTP GET/POST to CAs, with the failures a
 * browser hides behind "TypeError: Failed to fetch" told apart and explained — mixed content
 * (an https page calling an http CA), CORS (the CA answers but sends no
 * Access-Control-Allow-Origin), Private Network Access refusals, a dropped connection, and
 * an unreachable host — and HTTP errors reported with the server's own text.
 */
import { PkiError, abortError, isAbortError } from '../util/errors.ts';

export type HttpFailure = 'mixed-content' | 'cors' | 'private-network' | 'network' | 'http' | 'timeout' | 'too-large';

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

/** Fetches a URL and reads the whole body, with the failures explained (never "Failed to fetch"). */
export async function httpRequest(urlText: string, req: HttpRequest = {}): Promise<HttpResponse> {
  let url: URL;
  try {
    url = new URL(urlText);
  } catch {
    throw new HttpError('network', urlText, `Invalid URL ${urlText}`);
  }
  const shown = displayUrl(url.href);
  const controller = new AbortController();
  const onAbort = () => controller.abort();
  req.signal?.addEventListener('abort', onAbort, { once: true });
  if (req.signal?.aborted) throw abortError();
  const timer = setTimeout(() => controller.abort(new DOMException('timeout', 'TimeoutError')), req.timeoutMs ?? 60_000);
  try {
    let res: Response;
    try {
      const init: RequestInit = { method: req.method ?? 'GET', cache: 'no-store', redirect: 'follow', signal: controller.signal };
      if (req.body) init.body = req.body as Uint8Array<ArrayBuffer>;
      if (req.contentType || req.headers) init.headers = { ...req.headers, ...(req.contentType ? { 'Content-Type': req.contentType } : {}) };
      res = await fetch(url.href, init);
    } catch (e) {
      if (req.signal?.aborted) throw abortError();
      if (controller.signal.aborted) throw new HttpError('timeout', shown, `No answer from ${url.host} within ${Math.round((req.timeoutMs ?? 60_000) / 1000)} seconds.`);
      throw await diagnose(url, e, req.signal);
    }
    const max = req.maxBytes ?? 8 << 20;
    const len = Number(res.headers.get('content-length') ?? '0');
    if (len > max) throw new HttpError('too-large', shown, `The reply from ${shown} is ${len} bytes, more than the ${max} accepted.`, res.status);
    let body: Uint8Array;
    try {
      body = new Uint8Array(await res.arrayBuffer());
    } catch (e) {
      if (req.signal?.aborted) throw abortError();
      throw new HttpError('network', shown, `The connection to ${url.host} was dropped while reading the reply.`, res.status, { cause: e });
    }
    if (body.length > max) throw new HttpError('too-large', shown, `The reply from ${shown} is more than ${max} bytes.`, res.status);
    const contentType = (res.headers.get('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
    if (!res.ok && !req.acceptErrors) {
      const text = /^text\/|json|xml/.test(contentType) || contentType === '' ? new TextDecoder().decode(body.subarray(0, 500)).trim() : '';
      throw new HttpError('http', shown, `The CA answered HTTP ${res.status}${res.statusText ? ' ' + res.statusText : ''}${text ? `: ${text}` : ''}`, res.status);
    }
    return { status: res.status, contentType, body, headers: res.headers };
  } finally {
    clearTimeout(timer);
    req.signal?.removeEventListener('abort', onAbort);
  }
}
