/**
 * The HTTP side of ACME through the app's only fetch caller (enroll/transport.ts, which
 * explains CORS, mixed content, private-network refusals and dropped connections). Error
 * statuses are returned, not thrown: ACME errors are problem documents the client reads
 * (RFC 8555 §6.7), and a `badNonce` one is retried.
 *
 * Browsers only let a page read the response headers the server exposes with
 * Access-Control-Expose-Headers: ACME servers expose Replay-Nonce, Location and Link (pebble
 * does); an unexposed Retry-After reads as absent and the client's default interval applies.
 */
import { httpRequest } from '../transport.ts';
import { utf8 } from '../../util/bytes.ts';

export interface AcmeHttpRequest {
  method: 'GET' | 'HEAD' | 'POST';
  url: string;
  /** a JWS (POST) */
  body?: string;
  accept?: string;
}

export interface AcmeHttpResponse {
  status: number;
  contentType: string;
  body: Uint8Array;
  header(name: string): string | undefined;
}

export type AcmeHttp = (req: AcmeHttpRequest, signal?: AbortSignal) => Promise<AcmeHttpResponse>;

/** ACME over fetch. */
export const httpAcme: AcmeHttp = async (req, signal) => {
  const res = await httpRequest(req.url, {
    method: req.method,
    ...(req.body !== undefined ? { body: utf8(req.body), contentType: 'application/jose+json' } : {}),
    ...(req.accept ? { headers: { Accept: req.accept } } : {}),
    ...(signal ? { signal } : {}),
    acceptErrors: true,
    maxBytes: 1 << 20,
  });
  return { status: res.status, contentType: res.contentType, body: res.body, header: (n) => res.headers.get(n) ?? undefined };
};
