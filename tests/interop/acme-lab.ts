/**
 * The lab's ACME servers (lab/acme.sh: Debian's pebble, and pebble-challtestsrv as its DNS when
 * challenges are validated) for test code, on free ports, stopped by `stop()` or at exit —
 * plus the web server a site would run for http-01 (`Http01Server`): pebble's validation
 * fetches tokens from it, as it would from the user's own server.
 *
 * Browsers and TLS: pebble speaks https only, with the lab's TLS certificate (root
 * `$LAB_DIR/acme/tls/tls-ca.pem`). Chromium in the tests trusts exactly that server key with
 * `--ignore-certificate-errors-spki-list=<SHA-256 of its SPKI>` (`chromiumTlsArgs`), so any
 * other certificate still fails; a person imports the root into the browser instead
 * (lab/README.md).
 */
import { execFile, execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { isAbsolute, join, resolve } from 'node:path';
import { REPO, freePort } from './lab.ts';

export const ACME_SH = join(REPO, 'lab', 'acme.sh');

export interface AcmeInstanceOptions {
  /** true (default): every challenge is valid; false: pebble validates (http-01 at `http01Port`, DNS by challtestsrv) */
  alwaysValid?: boolean;
  /** PEBBLE_WFE_NONCEREJECT; undefined = pebble's default (5 %) */
  nonceReject?: number;
  /** PEBBLE_AUTHZREUSE; undefined = pebble's default (50 %) */
  authzReuse?: number;
  /** external account binding required with these keys */
  eab?: { kid: string; key: string }[];
  /** where pebble fetches http-01 answers (validating instances) */
  http01Port?: number;
}

export interface AcmeInstance {
  name: string;
  directory: string;
  management: string;
  /** pebble's root and intermediate (PEM), as its management API gives them */
  rootPem: string;
  intermediatePem: string;
  rootPath: string;
  /** pebble-challtestsrv's management API (validating instances) */
  challsrv: string;
  eab: { kid: string; key: string }[];
}

export interface AcmeLab {
  dir: string;
  /** the lab TLS root (PEM path) */
  tlsRoot: string;
  /** base64 SHA-256 of the TLS server key (Chromium's --ignore-certificate-errors-spki-list) */
  tlsSpki: string;
  instances: Record<string, AcmeInstance>;
  stop(): Promise<void>;
}

const started = new Map<string, Record<string, string>>();
let hooked = false;

function stopSync(key: string): void {
  const env = started.get(key);
  started.delete(key);
  if (!env) return;
  try {
    execFileSync('bash', [ACME_SH, 'stop'], { env: { ...process.env, ...env }, stdio: 'ignore', timeout: 30_000 });
  } catch {
    // best effort at exit
  }
}

function run(cmd: string, env: Record<string, string>): Promise<string> {
  return new Promise((res, rej) => {
    execFile('bash', [ACME_SH, cmd], { env: { ...process.env, ...env }, timeout: 120_000 }, (err, stdout, stderr) => {
      if (err) rej(new Error(`acme.sh ${cmd} failed (${err.message.split('\n')[0]}):\n${stdout}${stderr}`));
      else res(stdout + stderr);
    });
  });
}

/** Starts the named pebble instances (in parallel) under one LAB_DIR, sharing its TLS key. */
export async function startAcmeLab(dir: string, wanted: Record<string, AcmeInstanceOptions>): Promise<AcmeLab> {
  const labDir = isAbsolute(dir) ? dir : resolve(REPO, dir);
  if (!hooked) {
    hooked = true;
    process.on('exit', () => {
      for (const k of [...started.keys()]) stopSync(k);
    });
  }
  const envs: Record<string, Record<string, string>> = {};
  const ports = async (o: AcmeInstanceOptions) => ({
    ACME_PORT: String(await freePort()),
    ACME_MGMT_PORT: String(await freePort()),
    ACME_HTTP01_PORT: String(o.http01Port ?? (await freePort())),
    ACME_DNS_PORT: String(await freePort()),
    ACME_CHALLSRV_PORT: String(await freePort()),
  });
  for (const [name, o] of Object.entries(wanted)) {
    const env: Record<string, string> = {
      LAB_DIR: labDir,
      ACME_INSTANCE: name,
      ...(await ports(o)),
      ACME_ALWAYS_VALID: o.alwaysValid === false ? '0' : '1',
      ACME_NONCE_REJECT: o.nonceReject === undefined ? '' : String(o.nonceReject),
      ACME_AUTHZ_REUSE: o.authzReuse === undefined ? '' : String(o.authzReuse),
      ACME_EAB: (o.eab ?? []).map((e) => `${e.kid}:${e.key}`).join(' '),
    };
    envs[name] = env;
  }
  // the TLS material is made by the first start; the others reuse it
  const names = Object.keys(envs);
  const go = async (name: string) => {
    started.set(`${labDir}#${name}`, { LAB_DIR: labDir, ACME_INSTANCE: name });
    for (let attempt = 1; ; attempt++) {
      try {
        await run('start', envs[name]!);
        return;
      } catch (e) {
        // a server of another test file took one of the free ports before this one bound it
        // (acme.sh checks every port first and says so): new ports, once more
        if (attempt >= 3 || !/ is already in use /.test((e as Error).message)) throw e;
        await run('stop', { LAB_DIR: labDir, ACME_INSTANCE: name }).catch(() => '');
        Object.assign(envs[name]!, await ports(wanted[name]!));
      }
    }
  };
  try {
    await go(names[0]!);
    await Promise.all(names.slice(1).map(go));
  } catch (e) {
    for (const n of names) stopSync(`${labDir}#${n}`);
    throw e;
  }
  const instances: Record<string, AcmeInstance> = {};
  let tlsRoot = '';
  let tlsSpki = '';
  for (const name of names) {
    const j = JSON.parse(readFileSync(join(labDir, 'acme', name, 'acme.json'), 'utf8'));
    tlsRoot = j.tlsRoot;
    tlsSpki = j.tlsSpkiSha256;
    instances[name] = {
      name,
      directory: j.directory,
      management: j.management,
      rootPem: readFileSync(j.root, 'utf8'),
      intermediatePem: readFileSync(j.intermediate, 'utf8'),
      rootPath: j.root,
      challsrv: j.challsrv,
      eab: j.eab,
    };
  }
  return {
    dir: labDir,
    tlsRoot,
    tlsSpki,
    instances,
    async stop() {
      await Promise.all(
        names.map(async (n) => {
          started.delete(`${labDir}#${n}`);
          await run('stop', { LAB_DIR: labDir, ACME_INSTANCE: n });
        }),
      );
    },
  };
}

/** Chromium arguments that trust the lab's TLS server key (and nothing else). */
export function chromiumTlsArgs(lab: AcmeLab): string[] {
  return [`--ignore-certificate-errors-spki-list=${lab.tlsSpki}`];
}

/**
 * A site's web server for http-01 on 127.0.0.1: answers /.well-known/acme-challenge/<token>
 * with what was published for the token, or — in stateless mode — with `<token>.<thumbprint>`
 * for any token (how acme.sh's "stateless mode" configures nginx).
 */
export class Http01Server {
  private readonly published = new Map<string, string>();
  private stateless: string | undefined;
  readonly requests: string[] = [];
  private constructor(
    private readonly server: Server,
    readonly port: number,
  ) {}

  static async start(port?: number): Promise<Http01Server> {
    const p = port ?? (await freePort());
    let self: Http01Server | undefined;
    const server = createServer((req, res) => {
      const m = /^\/\.well-known\/acme-challenge\/([A-Za-z0-9_-]+)$/.exec(req.url ?? '');
      self!.requests.push(req.url ?? '');
      const body = m ? (self!.published.get(m[1]!) ?? (self!.stateless ? `${m[1]}.${self!.stateless}` : undefined)) : undefined;
      if (body === undefined) res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      else res.writeHead(200, { 'content-type': 'text/plain' }).end(body);
    });
    await new Promise<void>((r) => server.listen(p, '127.0.0.1', r));
    self = new Http01Server(server, p);
    return self;
  }

  publish(token: string, content: string): void {
    this.published.set(token, content);
  }

  setStateless(thumbprint: string | undefined): void {
    this.stateless = thumbprint;
  }

  close(): Promise<void> {
    return new Promise((r) => this.server.close(() => r()));
  }
}

/** Publishes a dns-01 TXT record through pebble-challtestsrv (the site's DNS, in the lab). */
export async function publishTxt(instance: AcmeInstance, name: string, value: string): Promise<void> {
  const r = await fetch(`${instance.challsrv}/set-txt`, { method: 'POST', body: JSON.stringify({ host: name, value }) });
  if (!r.ok) throw new Error(`challtestsrv set-txt: HTTP ${r.status}`);
}
