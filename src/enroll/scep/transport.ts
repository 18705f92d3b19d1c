/**
 * SCEP over HTTP (RFC 8894 §4): GetCACaps, GetCACert, GetNextCACert and PKIOperation by POST
 * (body = the DER pkiMessage) or GET (`message` = standard base64, fully percent-encoded —
 * micromdm refuses a raw `+` or the URL-safe alphabet). Every request goes through
 * enroll/transport.ts, which explains CORS, mixed-content and network failures.
 */
import { httpRequest, type HttpResponse } from '../transport.ts';
import { encodeBase64 } from '../../pki/pem.ts';
import { parseCaCaps, type CaCaps } from './caps.ts';
import { ScepError } from './errors.ts';

export interface ScepTransport {
  readonly url: string;
  getCACaps(signal?: AbortSignal): Promise<CaCaps>;
  getCACert(signal?: AbortSignal): Promise<{ contentType: string; body: Uint8Array }>;
  getNextCACert(signal?: AbortSignal): Promise<{ contentType: string; body: Uint8Array }>;
  pkiOperation(message: Uint8Array, post: boolean, signal?: AbortSignal): Promise<Uint8Array>;
}

/** Observer of the wire (for `debug crypto pki transactions`). */
export type WireLog = (event: { dir: 'request' | 'response'; operation: string; method: string; url: string; bytes?: number; status?: number; contentType?: string }) => void;

function withOperation(base: string, operation: string, message?: string): string {
  const u = new URL(base);
  u.searchParams.delete('operation');
  u.searchParams.delete('message');
  // URLSearchParams would encode spaces as '+'; build the query by hand with encodeURIComponent.
  const rest = u.search ? u.search.slice(1) + '&' : '';
  u.search = `?${rest}operation=${encodeURIComponent(operation)}${message !== undefined ? `&message=${encodeURIComponent(message)}` : ''}`;
  return u.toString();
}

export function httpScepTransport(url: string, log?: WireLog): ScepTransport {
  const get = async (operation: string, signal?: AbortSignal, message?: string): Promise<HttpResponse> => {
    const target = withOperation(url, operation, message);
    log?.({ dir: 'request', operation, method: 'GET', url, ...(message ? { bytes: message.length } : {}) });
    const res = await httpRequest(target, { method: 'GET', ...(signal ? { signal } : {}), maxBytes: 4 << 20 });
    log?.({ dir: 'response', operation, method: 'GET', url, status: res.status, contentType: res.contentType, bytes: res.body.length });
    return res;
  };
  return {
    url,
    async getCACaps(signal) {
      const res = await get('GetCACaps', signal);
      return parseCaCaps(new TextDecoder().decode(res.body));
    },
    async getCACert(signal) {
      const res = await get('GetCACert', signal, 'CA');
      return { contentType: res.contentType, body: res.body };
    },
    async getNextCACert(signal) {
      const res = await get('GetNextCACert', signal, 'CA');
      return { contentType: res.contentType, body: res.body };
    },
    async pkiOperation(message, post, signal) {
      let res: HttpResponse;
      if (post) {
        const target = withOperation(url, 'PKIOperation');
        log?.({ dir: 'request', operation: 'PKIOperation', method: 'POST', url, bytes: message.length });
        // No Content-Type: a "simple" CORS request needs no preflight, and servers ignore it
        // (peers/REPORT.md §7.10).
        res = await httpRequest(target, { method: 'POST', body: message, ...(signal ? { signal } : {}), maxBytes: 4 << 20 });
        log?.({ dir: 'response', operation: 'PKIOperation', method: 'POST', url, status: res.status, contentType: res.contentType, bytes: res.body.length });
      } else res = await get('PKIOperation', signal, encodeBase64(message));
      if (res.contentType && res.contentType !== 'application/x-pki-message')
        throw new ScepError('reply', `The CA answered PKIOperation with ${res.contentType}, not application/x-pki-message.`);
      return res.body;
    },
  };
}
