/**
 * The peer lab itself, from the outside and from a real browser page: micromdm scepserver behind
 * the nginx CORS proxy (lab/README.md; peer behaviour: shared/peers/REPORT.md §3, §5). Enrolment
 * with the server's own client, the challenge, the CORS allow-list (curl-like requests and
 * Chromium's fetch), loopback-only listening, a second independent lab, restart of the CA.
 *
 * Uses the lab of the Playwright global setup when there is one (TRUSTPOINT_LAB_DIR), else
 * starts its own; the second lab (openssl-made CA, no challenge, default origins only) is
 * always its own.
 */
import { execFile } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from '../pw.ts';
import { serveDir, type StaticServer } from '../e2e/static-server.ts';
import { ENV, LAB_SH, labFromEnv, startLab, type Lab } from './lab.ts';

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

/** One HTTP request exactly as given (node's fetch would not send an Origin header we choose). */
function http(url: string, method: string, headers: Record<string, string>): Promise<Reply> {
  return new Promise((res, rej) => {
    const req = request(url, { method, headers }, (r) => {
      const chunks: Buffer[] = [];
      r.on('data', (c: Buffer) => chunks.push(c));
      r.on('end', () => res({ status: r.statusCode ?? 0, headers: r.headers, body: Buffer.concat(chunks) }));
      r.on('error', rej);
    });
    req.on('error', rej);
    req.end();
  });
}

interface Run {
  code: number;
  out: string;
}

function run(cmd: string, args: string[], env: Record<string, string> = {}): Promise<Run> {
  return new Promise((res) => {
    execFile(cmd, args, { env: { ...process.env, ...env }, timeout: 30_000 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : -1) : 0;
      res({ code, out: stdout + stderr });
    });
  });
}

let work: string;
let seq = 0;

/** Enrols a fresh RSA key with micromdm's scepclient; returns the exit code, log and cert path. */
async function scepclient(lab: Lab, challenge: string | undefined, url = lab.scepUrl): Promise<Run & { cert: string; cn: string }> {
  const dir = join(work, `c${++seq}`);
  mkdirSync(dir);
  const cn = `lab-spec-${process.pid}-${seq}.example`;
  const args = ['-server-url', url, '-private-key', join(dir, 'key.pem'), '-cn', cn, '-debug'];
  if (challenge !== undefined) args.push('-challenge', challenge);
  const r = await run('scepclient', args);
  return { ...r, cert: join(dir, 'client.pem'), cn };
}

async function expectIssuedBy(lab: Lab, certPath: string, cn: string): Promise<void> {
  expect(existsSync(certPath)).toBe(true);
  const caFile = join(work, `ca-${lab.fingerprints.sha256.slice(0, 8)}.pem`);
  writeFileSync(caFile, lab.caPem);
  const v = await run('openssl', ['verify', '-CAfile', caFile, certPath]);
  expect(v.out.trim()).toBe(`${certPath}: OK`);
  expect(v.code).toBe(0);
  const cert = new X509Certificate(readFileSync(certPath));
  const ca = new X509Certificate(lab.caPem);
  expect(cert.subject).toContain(`CN=${cn}`);
  expect(cert.checkIssued(ca)).toBe(true);
  expect(cert.verify(ca.publicKey)).toBe(true);
}

let lab: Lab; // the default-kind lab: challenge lab-secret, any local port allowed
let second: Lab; // openssl-made CA, no challenge, default origins only
let ownLab = false;
let page0: StaticServer;
let pageDir: string;

test.beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'tp-lab-spec-'));
  const attached = labFromEnv();
  if (attached) {
    lab = attached;
  } else {
    lab = await startLab({ dir: '.lab/i/spec', rawPort: 0, corsPort: 0, anyLocalPort: true });
    ownLab = true;
  }
  second = await startLab({ dir: '.lab/i/spec-openssl', rawPort: 0, corsPort: 0, caKind: 'openssl', challenge: '' });
  pageDir = mkdtempSync(join(tmpdir(), 'tp-lab-page-'));
  writeFileSync(join(pageDir, 'index.html'), '<!doctype html><meta charset="utf-8"><title>lab probe</title><p>lab probe</p>');
  page0 = await serveDir(pageDir);
});

test.afterAll(async () => {
  await page0?.close();
  await second?.stop();
  if (ownLab) await lab.stop();
  rmSync(pageDir, { recursive: true, force: true });
  rmSync(work, { recursive: true, force: true });
});

// Registered only under the Playwright global setup (always so in `npm test`), whose lab it checks.
(process.env[ENV.dir] ? test : (..._a: unknown[]) => undefined)('the global setup exports the lab it started', async () => {
  expect(process.env[ENV.scepUrl]).toBe(lab.scepUrl);
  expect(process.env[ENV.rawUrl]).toBe(lab.rawUrl);
  expect(process.env[ENV.challenge]).toBe('lab-secret');
  expect(process.env[ENV.caSha256]).toBe(lab.fingerprints.sha256);
  expect(lab.scepUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/scep$/);
});

test('scepclient enrols through the CORS proxy and openssl verify accepts the certificate', async () => {
  expect(lab.challenge).toBe('lab-secret');
  const r = await scepclient(lab, lab.challenge);
  expect(r.out).toContain('pkiStatus=SUCCESS');
  expect(r.code).toBe(0);
  await expectIssuedBy(lab, r.cert, r.cn);
  // it went through nginx: the proxy's access log has the PKIOperation POST
  const access = readFileSync(join(lab.dir, 'nginx', 'logs', 'access.log'), 'utf8');
  expect(access).toMatch(/"POST \/scep\?operation=PKIOperation HTTP\/1\.1" 200 /);
});

test('a wrong challenge gets a CertRep FAILURE with failInfo badRequest', async () => {
  const r = await scepclient(lab, `WRONG-${lab.challenge}`);
  expect(r.out).toContain('PKCSReq (19) request failed, failInfo: badRequest (2)');
  expect(r.code).toBe(1);
  expect(existsSync(r.cert)).toBe(false);
  // no challenge at all is refused the same way
  const none = await scepclient(lab, undefined);
  expect(none.out).toContain('failInfo: badRequest (2)');
  expect(none.code).toBe(1);
});

test('preflight: an allowed origin gets Access-Control-Allow-Origin, a foreign one does not', async () => {
  const preflight = (l: Lab, origin: string) =>
    http(`${l.scepUrl}?operation=PKIOperation`, 'OPTIONS', {
      Origin: origin,
      'Access-Control-Request-Method': 'POST',
      'Access-Control-Request-Headers': 'content-type',
    });
  for (const origin of ['http://localhost:5173', 'http://127.0.0.1:4173', 'http://127.0.0.1:39217', 'http://localhost:1']) {
    const r = await preflight(lab, origin);
    expect(r.status, origin).toBe(204);
    expect(r.headers['access-control-allow-origin'], origin).toBe(origin);
    expect(r.headers['access-control-allow-methods']).toBe('GET, POST, OPTIONS');
    expect(r.headers['access-control-allow-headers']).toBe('Content-Type');
    expect(r.headers['vary']).toBe('Origin');
  }
  for (const origin of ['http://foreign.example', 'http://localhost.evil.example:4173', 'https://127.0.0.1:4173', 'http://127.0.0.2:4173', 'null']) {
    const r = await preflight(lab, origin);
    expect(r.status, origin).toBe(204);
    expect(r.headers['access-control-allow-origin'], origin).toBeUndefined();
  }
  // without CORS_ANY_LOCAL_PORT only the listed origins are allowed
  expect((await preflight(second, 'http://127.0.0.1:4173')).headers['access-control-allow-origin']).toBe('http://127.0.0.1:4173');
  expect((await preflight(second, 'http://127.0.0.1:4174')).headers['access-control-allow-origin']).toBeUndefined();
  // the server itself knows no OPTIONS
  const raw = await http(`${lab.rawUrl}?operation=PKIOperation`, 'OPTIONS', { Origin: 'http://localhost:5173', 'Access-Control-Request-Method': 'POST' });
  expect(raw.status).toBe(405);
  expect(raw.headers['access-control-allow-origin']).toBeUndefined();
});

test('GetCACert through the proxy is the CA certificate in DER with Access-Control-Allow-Origin', async () => {
  const origin = 'http://localhost:4173';
  const r = await http(`${lab.scepUrl}?operation=GetCACert`, 'GET', { Origin: origin });
  expect(r.status).toBe(200);
  expect(r.headers['content-type']).toBe('application/x-x509-ca-cert');
  expect(r.headers['access-control-allow-origin']).toBe(origin);
  expect(new Uint8Array(r.body)).toEqual(lab.caDer);
  expect(new X509Certificate(r.body).subject).toBe('C=DE\nO=Peer Lab\nOU=SCEP Lab CA');
  // the raw port sends the same bytes, without the CORS header
  const raw = await http(`${lab.rawUrl}?operation=GetCACert`, 'GET', { Origin: origin });
  expect(raw.body.equals(r.body)).toBe(true);
  expect(raw.headers['access-control-allow-origin']).toBeUndefined();
  // the server's own 500s also carry the header, so a page can read the error text
  const err = await http(`${lab.scepUrl}?operation=GetNextCACert`, 'GET', { Origin: origin });
  expect(err.status).toBe(500);
  expect(err.headers['access-control-allow-origin']).toBe(origin);
  expect(err.body.toString()).toBe('operation not implemented');
});

test('a Chromium page on a random 127.0.0.1 port can fetch through the proxy but not from the raw port', async ({ page }) => {
  expect(page0.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
  await page.goto(page0.url);
  const probe = (url: string) =>
    page.evaluate(async (u) => {
      try {
        const r = await fetch(u);
        const bytes = new Uint8Array(await r.arrayBuffer());
        return { ok: true, status: r.status, type: r.headers.get('content-type'), text: new TextDecoder().decode(bytes), bytes: Array.from(bytes) };
      } catch (e) {
        return { ok: false, error: `${(e as Error).name}: ${(e as Error).message}` };
      }
    }, url);
  const caps = await probe(`${lab.scepUrl}?operation=GetCACaps`);
  expect(caps).toMatchObject({ ok: true, status: 200, type: 'text/plain' });
  expect(caps.text).toBe('Renewal\nSHA-1\nSHA-256\nAES\nDES3\nSCEPStandard\nPOSTPKIOperation');
  const ca = await probe(`${lab.scepUrl}?operation=GetCACert`);
  expect(ca).toMatchObject({ ok: true, status: 200, type: 'application/x-x509-ca-cert' });
  expect(new Uint8Array(ca.bytes!)).toEqual(lab.caDer);
  // the same requests straight to the server: no CORS header, the browser withholds the reply
  for (const op of ['GetCACaps', 'GetCACert']) {
    expect(await probe(`${lab.rawUrl}?operation=${op}`)).toEqual({ ok: false, error: 'TypeError: Failed to fetch' });
  }
  // a lab without CORS_ANY_LOCAL_PORT does not allow this page's origin
  expect(await probe(`${second.scepUrl}?operation=GetCACaps`)).toEqual({ ok: false, error: 'TypeError: Failed to fetch' });
});

/** PIDs of a lab's processes in the host namespace: recorded ones and their process-group members. */
async function hostPids(l: Lab): Promise<Set<number>> {
  const recorded = Object.values(l.pids());
  const ps = await run('ps', ['-e', '-o', 'pid=,pgid=']);
  const out = new Set<number>(recorded);
  for (const line of ps.out.trim().split('\n')) {
    const [pid, pgid] = line.trim().split(/\s+/).map(Number);
    if (pid !== undefined && pgid !== undefined && recorded.includes(pgid)) out.add(pid);
  }
  return out;
}

test('nothing of either lab listens on a non-loopback address', async () => {
  const ss = await run('ss', ['-ltnpH']);
  expect(ss.code).toBe(0);
  const hostNs = readlinkSync('/proc/self/ns/net');
  for (const l of [lab, second]) {
    const pids = await hostPids(l);
    const mine = ss.out
      .trim()
      .split('\n')
      .filter((line) => [...line.matchAll(/pid=(\d+)/g)].some((m) => pids.has(Number(m[1]))))
      .map((line) => line.split(/\s+/)[3]);
    const ports = [new URL(l.scepUrl).port, new URL(l.rawUrl).port];
    // exactly the two lab ports, both on 127.0.0.1
    expect(mine.sort()).toEqual(ports.map((p) => `127.0.0.1:${p}`).sort());
    // scepserver is in its own namespace that has nothing but lo
    const p = l.pids();
    expect(readlinkSync(`/proc/${p.scepserver}/ns/net`)).not.toBe(hostNs);
    expect(readlinkSync(`/proc/${p.scepserver}/ns/net`)).toBe(readlinkSync(`/proc/${p.netns}/ns/net`));
    const links = await run('nsenter', ['-t', String(p.netns), '-n', 'ip', '-o', 'link', 'show']);
    expect(links.out.trim().split('\n').map((s) => s.split(': ')[1])).toEqual(['lo']);
    const status = await run('bash', [LAB_SH, 'status'], l.env);
    expect(status.out).toContain('loopback only: yes');
    expect(status.code).toBe(0);
  }
});

test('a second, independent lab: openssl CA with digitalSignature+keyEncipherment, no challenge', async () => {
  expect(second.dir).not.toBe(lab.dir);
  expect(second.scepUrl).not.toBe(lab.scepUrl);
  expect(second.fingerprints.sha256).not.toBe(lab.fingerprints.sha256);
  expect(second.caKind).toBe('openssl');
  const ku = await run('openssl', ['x509', '-noout', '-ext', 'keyUsage', '-in', join(second.dir, 'scep', 'ca.pem')]);
  expect(ku.out).toContain('Digital Signature, Key Encipherment, Certificate Sign, CRL Sign');
  expect(ku.out).toContain('critical');
  const r = await scepclient(second, 'anything-goes');
  expect(r.code).toBe(0);
  await expectIssuedBy(second, r.cert, r.cn);
  // and the default lab does not know this CA: its certificate does not verify there
  const v = await run('openssl', ['verify', '-CAfile', join(lab.dir, 'scep', 'ca.pem'), r.cert]);
  expect(v.code).not.toBe(0);
});

test('restartCa() restarts only scepserver and keeps the same CA (authenticate, restart, enrol)', async () => {
  const before = second.pids();
  const caBefore = (await http(`${second.scepUrl}?operation=GetCACert`, 'GET', {})).body;
  expect(new Uint8Array(caBefore)).toEqual(second.caDer);
  await second.restartCa();
  const after = second.pids();
  expect(after.scepserver).not.toBe(before.scepserver);
  expect({ ...after, scepserver: 0 }).toEqual({ ...before, scepserver: 0 });
  const caAfter = (await http(`${second.scepUrl}?operation=GetCACert`, 'GET', {})).body;
  expect(caAfter.equals(caBefore)).toBe(true);
  const r = await scepclient(second, undefined);
  expect(r.code).toBe(0);
  await expectIssuedBy(second, r.cert, r.cn);
});
