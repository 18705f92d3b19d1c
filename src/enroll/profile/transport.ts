/**
 * The HTTP exchange of an enrollment profile: the one request a template describes, through the
 * app's only fetch caller (enroll/transport.ts, which explains CORS, mixed content, private
 * network refusals and dropped connections). Non-2xx replies are returned, not thrown: the
 * profile workflow explains them with the server's own words (reply.ts).
 */
import { httpRequest, type HttpResponse } from '../transport.ts';
import type { ProfileRequest } from './template.ts';

/** The largest reply accepted (a certificate chain is a few KiB; an error page a little more). */
export const PROFILE_REPLY_MAX = 1 << 20;

export function sendProfileRequest(req: ProfileRequest, signal?: AbortSignal): Promise<HttpResponse> {
  return httpRequest(req.url, {
    method: req.method,
    ...(req.body ? { body: req.body } : {}),
    ...(req.contentType ? { contentType: req.contentType } : {}),
    ...(signal ? { signal } : {}),
    acceptErrors: true,
    maxBytes: PROFILE_REPLY_MAX,
  });
}
