/**
 * The lab's HTTP CA for enrollment profiles (lab/http-ca.sh: nginx + fcgiwrap + a CGI driving
 * `openssl ca`, on 127.0.0.1) for test code: started on a free port in its own LAB_DIR and
 * stopped by `stop()` or, at the latest, when the process exits.
 */
import { execFile, execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { REPO, freePort } from './lab.ts';

export const HTTP_CA_SH = join(REPO, 'lab', 'http-ca.sh');

export interface HttpCa {
  /** http://127.0.0.1:PORT */
  base: string;
  /** the guide's `enrollment url`: BASE/cda-cgi/clientcgi.exe */
  enrollmentUrl: string;
  authcode: string;
  reference: string;
  caPem: string;
  caDer: Uint8Array;
  /** absolute state directory ($LAB_DIR/http-ca) */
  dir: string;
  /** the CA's log of every decision (logs/cgi.log) */
  cgiLog(): string;
  /** openssl ca's database (index.txt) */
  index(): string;
  stop(): Promise<void>;
}

interface HttpCaJson {
  dir: string;
  base: string;
  enrollmentUrl: string;
  authcode: string;
  reference: string;
  caPem: string;
  caDer: string;
  cgiLog: string;
  index: string;
}

const running = new Map<string, Record<string, string>>();
let hooked = false;

function stopSync(labDir: string): void {
  const env = running.get(labDir);
  running.delete(labDir);
  if (!env) return;
  try {
    execFileSync('bash', [HTTP_CA_SH, 'stop'], { env: { ...process.env, ...env }, stdio: 'ignore', timeout: 30_000 });
  } catch {
    // best effort at exit
  }
}

function hookExit(): void {
  if (hooked) return;
  hooked = true;
  process.on('exit', () => {
    for (const d of [...running.keys()]) stopSync(d);
  });
}

function run(cmd: string, env: Record<string, string>): Promise<string> {
  return new Promise((res, rej) => {
    execFile('bash', [HTTP_CA_SH, cmd], { env: { ...process.env, ...env }, timeout: 120_000 }, (err, stdout, stderr) => {
      if (err) rej(new Error(`http-ca.sh ${cmd} failed (${err.message.split('\n')[0]}):\n${stdout}${stderr}`));
      else res(stdout + stderr);
    });
  });
}

/**
 * Starts an HTTP CA in `dir` (relative to the repository or absolute) on a free port.
 * `trust`: PEM files of further CAs whose certificates may sign re-enrollment requests.
 */
export async function startHttpCa(opts: { dir: string; trust?: string[]; anyLocalPort?: boolean; authcode?: string }): Promise<HttpCa> {
  const labDir = isAbsolute(opts.dir) ? opts.dir : resolve(REPO, opts.dir);
  const env: Record<string, string> = {
    LAB_DIR: labDir,
    HTTP_CA_PORT: String(await freePort()),
    HTTP_CA_TRUST: (opts.trust ?? []).join(' '),
    CORS_ORIGINS: '',
    CORS_ANY_LOCAL_PORT: opts.anyLocalPort === false ? '0' : '1',
    ...(opts.authcode ? { HTTP_CA_AUTHCODE: opts.authcode } : {}),
  };
  hookExit();
  running.set(labDir, { LAB_DIR: labDir });
  for (let attempt = 1; ; attempt++) {
    try {
      await run('start', env);
      break;
    } catch (e) {
      stopSync(labDir);
      // another test file's server took the free port before this one bound it: a new port, once more
      if (attempt >= 3 || !/ is already in use /.test((e as Error).message)) throw e;
      running.set(labDir, { LAB_DIR: labDir });
      env.HTTP_CA_PORT = String(await freePort());
    }
  }
  const j = JSON.parse(readFileSync(join(labDir, 'http-ca', 'http-ca.json'), 'utf8')) as HttpCaJson;
  return {
    base: j.base,
    enrollmentUrl: j.enrollmentUrl,
    authcode: j.authcode,
    reference: j.reference,
    caPem: readFileSync(j.caPem, 'utf8'),
    caDer: new Uint8Array(readFileSync(j.caDer)),
    dir: j.dir,
    cgiLog: () => {
      try {
        return readFileSync(j.cgiLog, 'utf8');
      } catch {
        return '';
      }
    },
    index: () => readFileSync(j.index, 'utf8'),
    async stop() {
      running.delete(labDir);
      await run('stop', { LAB_DIR: labDir });
    },
  };
}
