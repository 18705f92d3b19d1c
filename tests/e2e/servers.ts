/**
 * The servers e2e tests run the app on — the ones users run it on:
 *
 * - `startCommand()`: the README's start command (`npm start` = scripts/start.sh: build, lab,
 *   `vite preview`), with LAB=0 (no demo CA) on a free port. tests/e2e/global-setup.ts starts
 *   one for the whole run (built once) and exports its URL as TRUSTPOINT_APP_URL.
 * - `startNginx(root)`: nginx serving a build directory with the deployment configuration
 *   deploy/nginx.conf (only `listen` and `root` changed), on 127.0.0.1 and a free port.
 *
 * Both stop with `stop()`, and with the test process at the latest.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO = fileURLToPath(new URL('../../', import.meta.url));

export interface RunningServer {
  url: string;
  stop(): Promise<void>;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      const port = typeof a === 'object' && a ? a.port : 0;
      s.close(() => resolve(port));
    });
  });
}

async function waitForUrl(url: string, child: ChildProcess, log: () => string, timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`the server exited (${child.exitCode ?? child.signalCode}) before answering:\n${log()}`);
    try {
      const r = await fetch(url, { signal: AbortSignal.timeout(2000) });
      if (r.ok) return;
    } catch {
      // not yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`no answer from ${url} within ${timeoutMs} ms:\n${log()}`);
}

const children = new Set<ChildProcess>();
process.once('exit', () => {
  for (const c of children) killGroup(c, 'SIGKILL');
});

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // already gone
  }
}

async function stopChild(child: ChildProcess): Promise<void> {
  children.delete(child);
  if (child.exitCode !== null || child.signalCode !== null) return;
  const gone = new Promise<void>((r) => child.once('exit', () => r()));
  killGroup(child, 'SIGTERM');
  const t = setTimeout(() => killGroup(child, 'SIGKILL'), 5000);
  await gone;
  clearTimeout(t);
}

/**
 * `npm start` as the README gives it (scripts/start.sh), without the demo CA. `BUILD=0` serves the
 * build already in dist/ (the interop run, after the e2e run built it).
 */
export async function startCommand(opts: { build?: boolean; timeoutMs?: number } = {}): Promise<RunningServer> {
  const port = await freePort();
  let out = '';
  const child = spawn('bash', ['scripts/start.sh'], {
    cwd: REPO,
    env: { ...process.env, LAB: '0', PORT: String(port), ...(opts.build === false ? { BUILD: '0' } : {}) },
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const url = `http://127.0.0.1:${port}/`;
  try {
    await waitForUrl(url, child, () => out.slice(-4000), opts.timeoutMs ?? 240_000);
  } catch (e) {
    await stopChild(child);
    throw e;
  }
  return { url, stop: () => stopChild(child) };
}

/** nginx with deploy/nginx.conf serving `root`. */
export async function startNginx(root: string): Promise<RunningServer & { accessLog(): string }> {
  const port = await freePort();
  const prefix = mkdtempSync(join(tmpdir(), 'tp-nginx-'));
  for (const d of ['logs', 'tmp']) mkdirSync(join(prefix, d));
  const site = readFileSync(join(REPO, 'deploy', 'nginx.conf'), 'utf8')
    .replace(/^(\s*)listen\s+[^;]+;/m, `$1listen 127.0.0.1:${port};`)
    .replace(/^(\s*)root\s+[^;]+;/m, `$1root ${root};`);
  if (!site.includes(`listen 127.0.0.1:${port};`) || !site.includes(`root ${root};`)) throw new Error('deploy/nginx.conf: no listen/root line to set');
  writeFileSync(join(prefix, 'site.conf'), site);
  // The main configuration a distribution's nginx.conf would give; the site is included as is.
  const user = process.getuid?.() === 0 ? 'user root root;' : '';
  writeFileSync(
    join(prefix, 'nginx.conf'),
    `${user}
worker_processes 1;
pid ${prefix}/nginx.pid;
error_log ${prefix}/logs/error.log warn;
events { worker_connections 64; }
http {
    access_log ${prefix}/logs/access.log;
    client_body_temp_path ${prefix}/tmp/client_body;
    proxy_temp_path ${prefix}/tmp/proxy;
    fastcgi_temp_path ${prefix}/tmp/fastcgi;
    uwsgi_temp_path ${prefix}/tmp/uwsgi;
    scgi_temp_path ${prefix}/tmp/scgi;
    include ${prefix}/site.conf;
}
`,
  );
  const args = ['-p', prefix + '/', '-c', join(prefix, 'nginx.conf'), '-e', join(prefix, 'logs', 'error.log')];
  const t = spawnSync('nginx', ['-t', '-q', ...args], { encoding: 'utf8' });
  if (t.status !== 0) throw new Error(`nginx rejects deploy/nginx.conf:\n${t.stderr}${t.stdout}`);
  let out = '';
  const child = spawn('nginx', [...args, '-g', 'daemon off;'], { detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(child);
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const url = `http://127.0.0.1:${port}/`;
  try {
    await waitForUrl(url, child, () => out, 15_000);
  } catch (e) {
    await stopChild(child);
    rmSync(prefix, { recursive: true, force: true });
    throw e;
  }
  return {
    url,
    accessLog: () => readFileSync(join(prefix, 'logs', 'access.log'), 'utf8'),
    stop: async () => {
      await stopChild(child);
      rmSync(prefix, { recursive: true, force: true });
    },
  };
}
