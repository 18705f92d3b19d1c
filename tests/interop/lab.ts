/**
 * The peer lab for test code: a real SCEP CA (micromdm `scepserver`) behind the nginx CORS
 * proxy, both on 127.0.0.1, driven through `lab/lab.sh` (see lab/README.md; how the peer behaves:
 * shared/peers/REPORT.md §2, §3, §5).
 *
 * `startLab()` starts (or reuses) a lab and resolves once GetCACaps answers through the proxy;
 * every lab started here is stopped when the process exits, also when a test fails or the
 * process is interrupted. `labFromEnv()` attaches to the lab a Playwright global setup started
 * (see global-setup.ts for the environment variables).
 */
import { execFile, execFileSync } from 'node:child_process';
import { createHash, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root (this file is tests/interop/lab.ts). */
export const REPO = fileURLToPath(new URL('../../', import.meta.url));
/** The lab script. */
export const LAB_SH = join(REPO, 'lab', 'lab.sh');
/** The default LAB_DIR of lab.sh (the lab `npm start` uses). */
export const DEFAULT_LAB_DIR = join(REPO, '.lab');

/** Environment variables a Playwright global setup exports for the tests (global-setup.ts). */
export const ENV = {
  /** LAB_DIR of the running lab (attach with `labFromEnv()`). */
  dir: 'TRUSTPOINT_LAB_DIR',
  /** SCEP URL through the CORS proxy, e.g. http://127.0.0.1:18081/scep */
  scepUrl: 'TRUSTPOINT_SCEP_URL',
  /** SCEP URL of the raw server port (no CORS). */
  rawUrl: 'TRUSTPOINT_SCEP_RAW_URL',
  /** The challenge password the CA enforces ('' = none). */
  challenge: 'TRUSTPOINT_SCEP_CHALLENGE',
  /** SHA-256 fingerprint of the CA certificate, IOS style (8-hex-digit words). */
  caSha256: 'TRUSTPOINT_SCEP_CA_SHA256',
} as const;

/** How to start a lab; every field maps to a lab.sh environment variable (lab/README.md). */
export interface LabOptions {
  /** LAB_DIR (relative to the repository root, or absolute). Default `.lab`. */
  dir?: string;
  /** SCEP_RAW_PORT; 0 = a free port. Default 18080. */
  rawPort?: number;
  /** SCEP_CORS_PORT; 0 = a free port. Default 18081. */
  corsPort?: number;
  /** SCEP_CHALLENGE; '' = the CA enforces none. Default `lab-secret`. */
  challenge?: string;
  /** SCEP_ALLOWRENEW (days before expiry a DN may be re-enrolled; 0 = always). Default 0. */
  allowRenew?: number;
  /** SCEP_CERT_DAYS. Default 365. */
  certDays?: number;
  /** SCEP_CA_KIND: `scep` (scepserver ca -init) or `openssl` (KU also digitalSignature+keyEncipherment). */
  caKind?: 'scep' | 'openssl';
  /** CORS_ORIGINS: origins allowed in addition to the Vite dev/preview defaults. */
  corsOrigins?: string[];
  /** CORS_ANY_LOCAL_PORT: also allow http://127.0.0.1:<any> and http://localhost:<any>. */
  anyLocalPort?: boolean;
  /** How long to wait for the lab, in ms. Default 60 000 (a first start may install packages). */
  timeoutMs?: number;
}

/** CA certificate fingerprints as IOS prints them (upper-case hex, words of 8 digits). */
export interface Fingerprints {
  sha256: string;
  sha1: string;
}

/** A running lab. */
export interface Lab {
  /** SCEP URL through the CORS proxy (what the browser uses). */
  scepUrl: string;
  /** The same CA through the proxy's GET-only view: its GetCACaps hides POSTPKIOperation and
   *  SCEPStandard, so clients must send PKIOperation by GET (lab/README.md). */
  scepGetUrl: string;
  /** SCEP URL of the server itself, byte-for-byte, without CORS. */
  rawUrl: string;
  /** The CA certificate (PEM) and its DER, which GetCACert returns. */
  caPem: string;
  caDer: Uint8Array;
  fingerprints: Fingerprints;
  /** Absolute LAB_DIR. */
  dir: string;
  challenge: string;
  caKind: 'scep' | 'openssl';
  /** Exact allowed origins (plus the local-port regex when `anyLocalPort`). */
  origins: string[];
  anyLocalPort: boolean;
  /** Environment that addresses this lab in lab.sh (LAB_DIR). */
  env: Record<string, string>;
  /** Recorded PIDs of the lab's processes, by component (netns, scepserver, ...). */
  pids(): Record<string, number>;
  /** Stops the lab (a no-op for a lab attached with `labFromEnv()`: its owner stops it). */
  stop(): Promise<void>;
  /** Stops and restarts scepserver only (same depot, same CA); resolves when it answers again. */
  restartCa(): Promise<void>;
}

interface LabJson {
  labDir: string;
  scepUrl: string;
  rawUrl: string;
  challenge: string;
  caKind: 'scep' | 'openssl';
  origins: string[];
  anyLocalPort: boolean;
  caPem: string;
  caDer: string;
  runDir: string;
}

/** Ports this process has handed out: the OS may offer a released port again at once. */
const handedOut = new Set<number>();

/**
 * A free TCP port on 127.0.0.1 (bound, read, released), never one this process handed out
 * before. Another process may still take it before the server binds it: starters that pick
 * several ports retry on "already in use" (acme-lab.ts).
 */
export async function freePort(): Promise<number> {
  for (let i = 0; ; i++) {
    const port = await new Promise<number>((res, rej) => {
      const s = createServer();
      s.once('error', rej);
      s.listen(0, '127.0.0.1', () => {
        const a = s.address();
        const p = typeof a === 'object' && a ? a.port : 0;
        s.close(() => res(p));
      });
    });
    if (!handedOut.has(port) || i >= 20) {
      handedOut.add(port);
      return port;
    }
  }
}

/**
 * A certificate's serial as the app and micromdm's depot write it: upper-case hex of the
 * serial's bytes without leading zero bytes (0x0A → "0A", 0x118 → "0118").
 */
export function serialHex(c: { serialNumber: string }): string {
  const s = c.serialNumber.replace(/^0+/, '').toUpperCase() || '0';
  return s.length % 2 ? `0${s}` : s;
}

/** IOS-style fingerprint of `der` with `alg`: upper-case hex in 8-digit words. */
export function iosFingerprint(alg: 'sha256' | 'sha1', der: Uint8Array): string {
  const hex = createHash(alg).update(der).digest('hex').toUpperCase();
  return hex.match(/.{8}/g)!.join(' ');
}

function runLabSh(cmd: string, env: Record<string, string>, timeoutMs: number): Promise<string> {
  return new Promise((res, rej) => {
    execFile('bash', [LAB_SH, cmd], { env: { ...process.env, ...env }, timeout: timeoutMs, maxBuffer: 16 << 20 }, (err, stdout, stderr) => {
      if (err) rej(new Error(`lab.sh ${cmd} failed (${err.message.split('\n')[0]}):\n${stdout}${stderr}`));
      else res(stdout + stderr);
    });
  });
}

// ---- stop on exit: every lab this process started, also when a test fails or on a signal.

const running = new Map<string, Record<string, string>>();
let hooked = false;

function stopSync(dir: string): void {
  const env = running.get(dir);
  running.delete(dir);
  if (!env) return;
  try {
    execFileSync('bash', [LAB_SH, 'stop'], { env: { ...process.env, ...env }, stdio: 'ignore', timeout: 30_000 });
  } catch {
    // best effort at exit: `lab.sh status` shows what is left
  }
}

function stopAllSync(): void {
  for (const dir of [...running.keys()]) stopSync(dir);
}

function hookExit(): void {
  if (hooked) return;
  hooked = true;
  process.on('exit', stopAllSync);
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    const onSignal = (): void => {
      stopAllSync();
      // Only this handler listening: restore the default action (terminate by the signal).
      if (process.listenerCount(sig) === 1) {
        process.removeListener(sig, onSignal);
        process.kill(process.pid, sig);
      }
    };
    process.on(sig, onSignal);
  }
}

function readLab(dir: string, owned: boolean, env: Record<string, string>): Lab {
  const j = JSON.parse(readFileSync(join(dir, 'lab.json'), 'utf8')) as LabJson;
  const caPem = readFileSync(j.caPem, 'utf8');
  const caDer = new Uint8Array(readFileSync(j.caDer));
  if (!Buffer.from(new X509Certificate(caPem).raw).equals(caDer)) throw new Error(`${j.caPem} and ${j.caDer} differ`);
  const lab: Lab = {
    scepUrl: j.scepUrl,
    scepGetUrl: j.scepUrl.replace(/\/scep$/, '/scep-get'),
    rawUrl: j.rawUrl,
    caPem,
    caDer,
    fingerprints: { sha256: iosFingerprint('sha256', caDer), sha1: iosFingerprint('sha1', caDer) },
    dir: j.labDir,
    challenge: j.challenge,
    caKind: j.caKind,
    origins: j.origins,
    anyLocalPort: j.anyLocalPort,
    env,
    pids() {
      const out: Record<string, number> = {};
      for (const c of ['netns', 'scepserver', 'scep-bridge', 'raw-proxy', 'nginx']) {
        try {
          out[c] = Number(readFileSync(join(j.runDir, `${c}.pid`), 'utf8').trim());
        } catch {
          // not running
        }
      }
      return out;
    },
    async stop() {
      if (!owned) return;
      running.delete(dir);
      await runLabSh('stop', env, 30_000);
    },
    async restartCa() {
      await runLabSh('restart-ca', env, 30_000);
      await waitReady(j.scepUrl, 20_000);
    },
  };
  return lab;
}

/** Resolves once GetCACaps answers through `scepUrl` (the proxy and the CA behind it are up). */
export async function waitReady(scepUrl: string, timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < until) {
    try {
      const r = await fetch(`${scepUrl}?operation=GetCACaps`, { signal: AbortSignal.timeout(2000) });
      const text = await r.text();
      if (r.status === 200 && text.includes('POSTPKIOperation')) return;
      last = `HTTP ${r.status} ${text.slice(0, 80)}`;
    } catch (e) {
      last = String(e);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`the lab at ${scepUrl} did not answer GetCACaps within ${timeoutMs} ms (${last})`);
}

/**
 * Starts the lab described by `opts` (idempotent: what already runs with this configuration is
 * kept) and resolves when GetCACaps answers through the CORS proxy. The lab is stopped by
 * `stop()` or, at the latest, when this process exits.
 */
export async function startLab(opts: LabOptions): Promise<Lab> {
  const dir = opts.dir === undefined ? DEFAULT_LAB_DIR : isAbsolute(opts.dir) ? opts.dir : resolve(REPO, opts.dir);
  const rawPort = opts.rawPort === 0 ? await freePort() : (opts.rawPort ?? 18080);
  let corsPort = opts.corsPort === 0 ? await freePort() : (opts.corsPort ?? 18081);
  while (corsPort === rawPort) corsPort = await freePort();
  const env: Record<string, string> = {
    LAB_DIR: dir,
    SCEP_RAW_PORT: String(rawPort),
    SCEP_CORS_PORT: String(corsPort),
    SCEP_CHALLENGE: opts.challenge ?? 'lab-secret',
    SCEP_ALLOWRENEW: String(opts.allowRenew ?? 0),
    SCEP_CERT_DAYS: String(opts.certDays ?? 365),
    SCEP_CA_KIND: opts.caKind ?? 'scep',
    SCEP_CSR_VERIFIER: '',
    CORS_ORIGINS: (opts.corsOrigins ?? []).join(' '),
    CORS_ANY_LOCAL_PORT: opts.anyLocalPort ? '1' : '0',
    // lab/http-ca.sh and lab/acme.sh would take fixed ports: specs start their own (http-ca.ts, acme-lab.ts)
    WITH_HTTP_CA: '0',
    WITH_ACME: '0',
    // the revocation lab (lab/revocation.sh) is started by the tests that need it, on free ports
    REVOCATION_LAB: '0',
  };
  const timeoutMs = opts.timeoutMs ?? 60_000;
  hookExit();
  running.set(dir, { LAB_DIR: dir });
  try {
    await runLabSh('start', env, timeoutMs);
    const lab = readLab(dir, true, { LAB_DIR: dir });
    await waitReady(lab.scepUrl, Math.min(timeoutMs, 20_000));
    return lab;
  } catch (e) {
    stopSync(dir);
    throw e;
  }
}

/**
 * The lab a Playwright global setup started (`TRUSTPOINT_LAB_DIR`), or undefined when there is
 * none. Its `stop()` does nothing: the global teardown owns it.
 */
export function labFromEnv(): Lab | undefined {
  const dir = process.env[ENV.dir];
  if (!dir) return undefined;
  return readLab(dir, false, { LAB_DIR: dir });
}
