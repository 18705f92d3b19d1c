/**
 * The ACME client against a scripted in-process transport — the fault injection pebble cannot
 * be told to do on cue: a badNonce on exactly the requests chosen (retried with the nonce the
 * error carried; given up after the limit), Retry-After in seconds and as a date (honoured and
 * clamped), problem documents with subproblems, a Replay-Nonce the browser cannot read, and
 * renewal information (ARI, RFC 9773), which Debian's pebble 2.4 does not offer.
 */
import { describe, expect, test } from 'vitest';
import { generateKeyPairSync, createPublicKey, verify } from 'node:crypto';
import { AcmeClient, AcmeProblem, parseLinks, parseRetryAfter } from '../../../src/enroll/acme/client.ts';
import type { AcmeHttp, AcmeHttpRequest, AcmeHttpResponse } from '../../../src/enroll/acme/transport.ts';
import { jwkFromSpki, type JwsSigner } from '../../../src/enroll/acme/jws.ts';
import { sign as nodeSign } from 'node:crypto';

const BASE = 'https://acme.test';
const DIR = { newNonce: `${BASE}/nonce`, newAccount: `${BASE}/acct`, newOrder: `${BASE}/order`, renewalInfo: `${BASE}/ari` };

/** One account key for the file: the fake verifies every signature with it. */
const ACCOUNT = (() => {
  const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return { publicKey, privateKey };
})();

function signer(): JwsSigner {
  const { publicKey, privateKey } = ACCOUNT;
  return {
    alg: 'ES256',
    jwk: jwkFromSpki(new Uint8Array(publicKey.export({ type: 'spki', format: 'der' }))),
    sign: async (d) => new Uint8Array(nodeSign('sha256', d, { key: privateKey, dsaEncoding: 'ieee-p1363' })),
  };
}

type Reply = { status: number; json?: unknown; headers?: Record<string, string>; type?: string };

/** A scripted server: `route` answers each request; nonces are numbered and checked. */
function fake(route: (req: AcmeHttpRequest, n: number, protectedHeader: Record<string, unknown> | undefined) => Reply) {
  let nonce = 0;
  const seen: { req: AcmeHttpRequest; header?: Record<string, unknown> }[] = [];
  const http: AcmeHttp = async (req) => {
    let header: Record<string, unknown> | undefined;
    if (req.body) {
      const jws = JSON.parse(req.body);
      header = JSON.parse(Buffer.from(jws.protected, 'base64url').toString());
      // every signed request verifies with the account key (named by jwk, or by kid)
      const key = header!.jwk ? createPublicKey({ key: header!.jwk as never, format: 'jwk' }) : ACCOUNT.publicKey;
      expect(verify('sha256', Buffer.from(`${jws.protected}.${jws.payload}`), { key, dsaEncoding: 'ieee-p1363' }, Buffer.from(jws.signature, 'base64url'))).toBe(true);
      expect(header!.url).toBe(req.url);
    }
    seen.push({ req, ...(header ? { header } : {}) });
    const r = req.url === `${BASE}/dir` ? { status: 200, json: DIR } : req.method === 'HEAD' ? { status: 200 } : route(req, seen.length, header);
    const headers: Record<string, string> = { 'replay-nonce': `nonce${++nonce}`, ...(r.headers ?? {}) };
    const body = r.json === undefined ? new Uint8Array() : new TextEncoder().encode(JSON.stringify(r.json));
    const res: AcmeHttpResponse = { status: r.status, contentType: r.type ?? (r.status >= 400 ? 'application/problem+json' : 'application/json'), body, header: (n) => headers[n.toLowerCase()] };
    return res;
  };
  return { http, seen };
}

const badNonce: Reply = { status: 400, json: { type: 'urn:ietf:params:acme:error:badNonce', detail: 'JWS has an invalid anti-replay nonce' } };

describe('badNonce', () => {
  test('retried with the nonce the error reply carried, until it succeeds', async () => {
    let posts = 0;
    const f = fake(() => (++posts <= 2 ? badNonce : { status: 201, json: { status: 'valid' }, headers: { location: `${BASE}/acct/1` } }));
    const events: string[] = [];
    const c = new AcmeClient(f.http, `${BASE}/dir`, { signer: signer(), onExchange: (e) => events.push(`${e.label} ${e.status}${e.problem ? ` ${e.problem}` : ''}${e.retry ? ` retry ${e.retry}` : ''}`) });
    const r = await c.newAccount({ termsOfServiceAgreed: true });
    expect(r).toMatchObject({ url: `${BASE}/acct/1`, created: true });
    const postNonces = f.seen.filter((s) => s.header).map((s) => s.header!.nonce);
    // first from HEAD newNonce (nonce2 after the directory's nonce1), then each from the previous error reply
    expect(postNonces).toEqual(['nonce2', 'nonce3', 'nonce4']);
    expect(events).toEqual(['directory 200', 'newNonce 200', 'newAccount 400 badNonce', 'newAccount 400 badNonce retry 1', 'newAccount 201 retry 2']);
  });
  test('given up after the limit, with the server’s words', async () => {
    const f = fake(() => badNonce);
    const c = new AcmeClient(f.http, `${BASE}/dir`, { signer: signer(), badNonceRetries: 3 });
    await expect(c.newAccount({})).rejects.toThrow('% The ACME server refused the account request (newAccount) (HTTP 400, badNonce: JWS has an invalid anti-replay nonce).');
    expect(f.seen.filter((s) => s.req.method === 'POST')).toHaveLength(4);
  });
});

describe('polling', () => {
  test('Retry-After (seconds, clamped to 1–60 s) is honoured; without it 1 s growing to 5 s', async () => {
    const script: Reply[] = [
      { status: 200, json: { status: 'processing' }, headers: { 'retry-after': '3' } },
      { status: 200, json: { status: 'processing' }, headers: { 'retry-after': '600' } },
      { status: 200, json: { status: 'processing' } },
      { status: 200, json: { status: 'processing' } },
      { status: 200, json: { status: 'valid', certificate: `${BASE}/cert/1` } },
    ];
    const f = fake(() => script.shift()!);
    const waits: number[] = [];
    let now = 0;
    const c = new AcmeClient(f.http, `${BASE}/dir`, { signer: signer(), kid: `${BASE}/acct/1`, now: () => now, sleep: async (ms) => void waits.push(ms) });
    const o = await c.poll<{ status: string }>(`${BASE}/order/1`, 'order', (x) => x.status === 'valid', 600_000);
    expect(o.status).toBe('valid');
    expect(waits).toEqual([3000, 60_000, 3000, 4000]);
    expect(f.seen.filter((s) => s.header).every((s) => s.header!.kid === `${BASE}/acct/1` && !('jwk' in s.header!))).toBe(true);
    now = 0;
  });
  test('gives up after the timeout', async () => {
    let now = 0;
    const f = fake(() => ({ status: 200, json: { status: 'pending' }, headers: { 'retry-after': '20' } }));
    const c = new AcmeClient(f.http, `${BASE}/dir`, { signer: signer(), kid: 'k', now: () => now, sleep: async (ms) => void (now += ms) });
    await expect(c.poll(`${BASE}/authz/1`, 'authorization', () => false, 50_000)).rejects.toThrow('% The ACME server did not finish the authorization within 50 seconds.');
  });
  test('Retry-After as an HTTP date', () => {
    expect(parseRetryAfter('Wed, 21 Oct 2015 07:28:10 GMT', Date.parse('Wed, 21 Oct 2015 07:28:00 GMT'))).toBe(10_000);
    expect(parseRetryAfter('120', 0)).toBe(120_000);
    expect(parseRetryAfter('soon', 0)).toBeUndefined();
  });
});

test('problem documents: type, detail and subproblems in plain words', async () => {
  const f = fake(() => ({
    status: 400,
    json: {
      type: 'urn:ietf:params:acme:error:rejectedIdentifier',
      detail: 'Some identifiers were rejected',
      subproblems: [{ type: 'urn:ietf:params:acme:error:rejectedIdentifier', detail: 'no wildcards', identifier: { type: 'dns', value: '*.example.com' } }],
    },
  }));
  const c = new AcmeClient(f.http, `${BASE}/dir`, { signer: signer(), kid: 'k' });
  const e = await c.newOrder([{ type: 'dns', value: '*.example.com' }]).catch((x) => x);
  expect(e).toBeInstanceOf(AcmeProblem);
  expect((e as AcmeProblem).kind).toBe('rejectedIdentifier');
  expect((e as Error).message).toBe('% The ACME server refused the order (newOrder) (HTTP 400, rejectedIdentifier: Some identifiers were rejected) [*.example.com: rejectedIdentifier — no wildcards].');
});

test('a Replay-Nonce the browser may not read is explained', async () => {
  const http: AcmeHttp = async (req) => ({
    status: 200,
    contentType: 'application/json',
    body: new TextEncoder().encode(req.url.endsWith('/dir') ? JSON.stringify(DIR) : ''),
    header: () => undefined,
  });
  const c = new AcmeClient(http, `${BASE}/dir`, { signer: signer() });
  await expect(c.newAccount({})).rejects.toThrow(/gave no Replay-Nonce .* expose it with Access-Control-Expose-Headers/);
});

describe('renewal information (ARI)', () => {
  test('GET renewalInfo/<certID>: the suggested window and Retry-After', async () => {
    const f = fake((req) => {
      expect(req).toMatchObject({ method: 'GET', url: `${BASE}/ari/aYhba4dGQEHhs3uEe6CuLN4ByNQ.AIdlQyE` });
      return { status: 200, json: { suggestedWindow: { start: '2027-03-01T00:00:00Z', end: '2027-03-03T00:00:00Z' } }, headers: { 'retry-after': '21600' } };
    });
    const c = new AcmeClient(f.http, `${BASE}/dir`, {});
    expect(await c.renewalInfo('aYhba4dGQEHhs3uEe6CuLN4ByNQ.AIdlQyE')).toEqual({ start: new Date('2027-03-01T00:00:00Z'), end: new Date('2027-03-03T00:00:00Z'), retryAfterMs: 21_600_000 });
  });
  test('no renewalInfo in the directory: nothing to ask', async () => {
    const http: AcmeHttp = async () => ({ status: 200, contentType: 'application/json', body: new TextEncoder().encode(JSON.stringify({ ...DIR, renewalInfo: undefined })), header: () => undefined });
    expect(await new AcmeClient(http, `${BASE}/dir`, {}).renewalInfo('x.y')).toBeUndefined();
  });
  test('newOrder carries replaces', async () => {
    const f = fake((_req, _n, h) => {
      expect(h!.kid).toBe('k');
      return { status: 201, json: { status: 'pending', identifiers: [], authorizations: [], finalize: `${BASE}/fin` }, headers: { location: `${BASE}/order/9` } };
    });
    const c = new AcmeClient(f.http, `${BASE}/dir`, { signer: signer(), kid: 'k' });
    await c.newOrder([{ type: 'dns', value: 'a.example' }], 'aYhba4dGQEHhs3uEe6CuLN4ByNQ.AIdlQyE');
    const post = f.seen.find((s) => s.header && s.req.url === `${BASE}/order`)!;
    expect(JSON.parse(Buffer.from(JSON.parse(post.req.body!).payload, 'base64url').toString())).toEqual({ identifiers: [{ type: 'dns', value: 'a.example' }], replaces: 'aYhba4dGQEHhs3uEe6CuLN4ByNQ.AIdlQyE' });
  });
});

test('Link headers', () => {
  expect(parseLinks('<https://a/dir>;rel="index", <https://a/cert/2>; rel="alternate"')).toEqual([
    { rel: 'index', url: 'https://a/dir' },
    { rel: 'alternate', url: 'https://a/cert/2' },
  ]);
});
