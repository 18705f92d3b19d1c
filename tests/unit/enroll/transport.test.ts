/**
 * Issue 12, defects 8 and 9 at the HTTP layer (src/enroll/transport.ts, in node's fetch — the
 * browser's hidden redirects are covered by tests/e2e/scep-fake.spec.ts):
 * - a redirect is followed only within the same origin; a redirected SCEP POST never reaches
 *   another origin, and the user is told why it stopped;
 * - a reply without Content-Length is counted while it streams in and cut at the size cap,
 *   instead of being read whole first.
 */
import { createServer, type Server } from 'node:http';
import { afterAll, describe, expect, test } from 'vitest';
import { HttpError, httpRequest } from '../../../src/enroll/transport.ts';
import { harness } from '../cli/_harness.ts';
import { startFakeScep, type FakeScep, type FakeScepOptions } from '../../fakes/fake-scep.ts';

const fakes: FakeScep[] = [];
const servers: Server[] = [];
async function fake(opts: FakeScepOptions = {}): Promise<FakeScep> {
  const f = await startFakeScep(opts);
  fakes.push(f);
  return f;
}
afterAll(async () => {
  await Promise.all(fakes.map((f) => f.close()));
  for (const s of servers) s.close();
});

async function serve(handler: Parameters<typeof createServer>[1]): Promise<string> {
  const s = createServer(handler);
  servers.push(s);
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const a = s.address();
  return `http://127.0.0.1:${typeof a === 'object' && a ? a.port : 0}`;
}

async function failure(p: Promise<unknown>): Promise<HttpError> {
  const e = await p.then(
    () => undefined,
    (x: unknown) => x,
  );
  expect(e).toBeInstanceOf(HttpError);
  return e as HttpError;
}

const tp = (name: string, url: string) =>
  ['configure terminal', `crypto pki trustpoint ${name}`, ` enrollment url ${url}`, ' subject-name CN=redirect-test', ' serial-number none', ' ip-address none', ' password s3cret-challenge', ` rsakeypair ${name} 2048`, ' exit', 'end'].join('\n');

describe('redirects', () => {
  test('within the same origin: followed, a POST keeps its body (307)', async () => {
    const f = await fake({ redirects: { '/moved': '/scep' } });
    const base = f.url.replace('/scep', '/moved');
    const caps = await httpRequest(`${base}?operation=GetCACaps`);
    expect(new TextDecoder().decode(caps.body)).toContain('POSTPKIOperation');
    // a whole enrollment through the moved URL
    const h = await harness({ privileged: true, clock: () => new Date() });
    await h.run(tp('MOVED', base));
    expect(await h.run('configure terminal\ncrypto pki authenticate MOVED\nyes\nend')).toContain('Trustpoint CA certificate accepted.');
    expect(await h.run('configure terminal\ncrypto pki enroll MOVED\nend')).toContain('%PKI-6-CERTRET');
    const posts = f.requests.filter((r) => r.operation === 'PKIOperation' && r.method === 'POST');
    expect(posts.map((r) => r.redirectedTo !== undefined)).toEqual([true, false]);
    expect(posts[1]!.challengePassword).toBe('s3cret-challenge');
  });

  test('to another origin: refused before anything is sent there, with the reason', async () => {
    const other = await fake();
    const f = await fake({ redirects: { '/scep': other.url } });
    const e = await failure(httpRequest(`${f.url}?operation=PKIOperation`, { method: 'POST', body: new Uint8Array([0x30, 0x00]) }));
    expect(e.failure).toBe('redirect');
    expect(e.message).toContain(`redirected the request to ${other.url}, another origin`);
    expect(e.message).toContain('only within the same origin');
    // the console: GetCACaps (the first request) already stops, and the other CA saw nothing
    const h = await harness({ privileged: true, clock: () => new Date() });
    await h.run(tp('AWAY', f.url));
    const t = await h.run('configure terminal\ncrypto pki authenticate AWAY\nyes\ncrypto pki enroll AWAY\nend');
    expect(t).toContain('another origin');
    expect(other.requests).toEqual([]);
    expect(h.app.running.chains.get('AWAY')?.certificates ?? []).toEqual([]);
  });

  test('a redirect loop stops after 5 hops; an invalid Location is an error', async () => {
    const f = await fake({ redirects: { '/a': '/b', '/b': '/a' } });
    const e = await failure(httpRequest(f.url.replace('/scep', '/a') + '?operation=GetCACaps'));
    expect(e.message).toContain('more than 5 times');
    expect(f.requests.length).toBe(6);
    const bad = await serve((_req, res) => {
      res.writeHead(302, { Location: 'http://[::1' });
      res.end();
    });
    expect((await failure(httpRequest(bad + '/x'))).message).toContain('invalid address');
  });
});

describe('reply size', () => {
  test('a reply without Content-Length is cut at the cap while it streams, not read whole first', async () => {
    let written = 0;
    let closed = false;
    const url = await serve((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/x-pki-message' }); // chunked, no length
      const chunk = Buffer.alloc(64 * 1024, 0x41);
      const pump = () => {
        while (!closed && written < 512 << 20) {
          written += chunk.length;
          if (!res.write(chunk)) return void res.once('drain', pump);
        }
        res.end();
      };
      res.on('close', () => (closed = true));
      pump();
    });
    const t0 = Date.now();
    const e = await failure(httpRequest(url + '/big', { maxBytes: 1 << 20 }));
    expect(e.failure).toBe('too-large');
    expect(e.message).toContain('more than 1048576 bytes');
    expect(Date.now() - t0).toBeLessThan(5000);
    await new Promise((r) => setTimeout(r, 100));
    // the server was stopped long before it could send its 512 MiB
    expect(written).toBeLessThan(64 << 20);
  });

  test('a Content-Length over the cap is refused before the body is read', async () => {
    const url = await serve((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'text/plain', 'Content-Length': String(10 << 20) });
      res.write('x');
    });
    const e = await failure(httpRequest(url, { maxBytes: 1 << 20 }));
    expect(e.message).toContain('is 10485760 bytes, more than the 1048576 accepted');
  });
});
