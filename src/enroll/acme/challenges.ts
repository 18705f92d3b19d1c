/**
 * What a person (or a web server) must publish to answer an ACME challenge (RFC 8555 §8):
 * http-01 — the key authorization `<token>.<account key thumbprint>` at
 * `http://<name>/.well-known/acme-challenge/<token>` (§8.3); dns-01 — the base64url SHA-256
 * of the key authorization as a TXT record at `_acme-challenge.<name>` (§8.4). Tokens come
 * from the server and are shown to users: anything but base64url is refused.
 */
import { PkiError } from '../../util/errors.ts';
import { utf8 } from '../../util/bytes.ts';
import { b64url } from './jws.ts';
import type { AcmeChallenge, Identifier } from './client.ts';

export interface Http01 {
  type: 'http-01';
  url: string;
  path: string;
  content: string;
}

export interface Dns01 {
  type: 'dns-01';
  /** the record's owner name, fully qualified (trailing dot) */
  name: string;
  value: string;
}

export type Publish = Http01 | Dns01;

function checkToken(token: string | undefined): string {
  if (!token || !/^[A-Za-z0-9_-]{16,256}$/.test(token)) throw new PkiError('http', '% The ACME server sent a challenge token that is not base64url: refused.');
  return token;
}

export const keyAuthorization = (token: string, thumbprint: string): string => `${checkToken(token)}.${thumbprint}`;

/** What to publish for the challenges this client can have answered (http-01, dns-01). */
export async function publishFor(id: Identifier, challenges: AcmeChallenge[], thumbprint: string, sha256: (d: Uint8Array) => Promise<Uint8Array>): Promise<Publish[]> {
  const out: Publish[] = [];
  const host = id.type === 'ip' && id.value.includes(':') ? `[${id.value}]` : id.value.replace(/^\*\./, '');
  for (const c of challenges) {
    if (c.type === 'http-01' && !id.value.startsWith('*.')) {
      const token = checkToken(c.token);
      const path = `/.well-known/acme-challenge/${token}`;
      out.push({ type: 'http-01', url: `http://${host}${path}`, path, content: keyAuthorization(token, thumbprint) });
    } else if (c.type === 'dns-01' && id.type === 'dns') {
      const value = b64url(await sha256(utf8(keyAuthorization(c.token!, thumbprint))));
      out.push({ type: 'dns-01', name: `_acme-challenge.${host}.`, value });
    }
  }
  // http-01 first, then dns-01, whatever order the server listed them in
  return out.sort((a, b) => (a.type === b.type ? 0 : a.type === 'http-01' ? -1 : 1));
}

/** Console lines for one name. */
export function publishLines(id: Identifier, items: Publish[]): string[] {
  const out = [`% Authorization pending for ${id.value}: publish ONE of`];
  for (const p of items) {
    if (p.type === 'http-01') {
      out.push(`%   http-01: ${p.url}`);
      out.push(`%            answering with the text (Content-Type text/plain): ${p.content}`);
    } else {
      out.push(`%   dns-01:  ${p.name} 300 IN TXT "${p.value}"`);
    }
  }
  return out;
}
