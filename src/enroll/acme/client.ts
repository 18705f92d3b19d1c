/**
 * An ACME client (RFC 8555) without policy: the directory, anti-replay nonces (a `badNonce`
 * error is retried with the nonce it carries, RFC 8555 §6.5), JWS-signed POSTs and
 * POST-as-GET (§6.3), accounts (with external account binding, §7.3.4), orders,
 * authorizations and challenges, finalize, polling that honours Retry-After, the PEM
 * certificate chain (§7.4.2), and renewal information (RFC 9773). The workflow around it —
 * what to ask, show, store — is app/acme.ts.
 */
import { PkiError, abortError } from '../../util/errors.ts';
import { fromUtf8 } from '../../util/bytes.ts';
import { eabJws, signJws, b64url, type JwsSigner } from './jws.ts';
import { parseRenewalInfo, type RenewalInfo } from './ari.ts';
import type { AcmeHttp, AcmeHttpResponse } from './transport.ts';

export interface AcmeDirectory {
  newNonce: string;
  newAccount: string;
  newOrder: string;
  revokeCert?: string;
  keyChange?: string;
  /** RFC 9773 */
  renewalInfo?: string;
  meta?: { termsOfService?: string; website?: string; caaIdentities?: string[]; externalAccountRequired?: boolean };
}

export type Identifier = { type: 'dns' | 'ip'; value: string };

export interface AcmeChallenge {
  type: string;
  url: string;
  status: 'pending' | 'processing' | 'valid' | 'invalid';
  token?: string;
  error?: Problem;
  validated?: string;
}

export interface AcmeAuthorization {
  identifier: Identifier;
  status: 'pending' | 'valid' | 'invalid' | 'deactivated' | 'expired' | 'revoked';
  expires?: string;
  challenges: AcmeChallenge[];
  wildcard?: boolean;
}

export interface AcmeOrder {
  status: 'pending' | 'ready' | 'processing' | 'valid' | 'invalid';
  expires?: string;
  identifiers: Identifier[];
  authorizations: string[];
  finalize: string;
  certificate?: string;
  error?: Problem;
}

export interface AcmeAccount {
  status: 'valid' | 'deactivated' | 'revoked';
  contact?: string[];
  orders?: string;
}

/** An RFC 7807 problem document as ACME uses it (§6.7). */
export interface Problem {
  type?: string;
  detail?: string;
  status?: number;
  subproblems?: (Problem & { identifier?: Identifier })[];
}

const ACME_ERR = 'urn:ietf:params:acme:error:';

/** An ACME error: the server's problem document, in plain words. */
export class AcmeProblem extends PkiError {
  readonly problem: Problem;
  readonly status: number;
  constructor(status: number, problem: Problem, what: string) {
    super('http', AcmeProblem.text(status, problem, what));
    this.name = 'AcmeProblem';
    this.problem = problem;
    this.status = status;
  }
  /** `badNonce`, `externalAccountRequired`, … (the ACME error name), or the full type URI. */
  get kind(): string {
    return shortType(this.problem.type);
  }
  static text(status: number, p: Problem, what: string): string {
    const sub = (p.subproblems ?? []).map((s) => ` [${s.identifier ? `${s.identifier.value}: ` : ''}${shortType(s.type)}${s.detail ? ` — ${s.detail}` : ''}]`).join('');
    return `% The ACME server refused ${what} (HTTP ${status}, ${shortType(p.type)}${p.detail ? `: ${clip(p.detail)}` : ''})${sub}.`;
  }
}

export function shortType(type: string | undefined): string {
  if (!type) return 'no error type';
  return type.startsWith(ACME_ERR) ? type.slice(ACME_ERR.length) : type;
}

const clip = (t: string, n = 300) => (t.length > n ? `${t.slice(0, n)}...` : t).replace(/[\u0000-\u001f\u007f]+/g, ' ');

/** What the client reports of every exchange (for `debug crypto pki transactions`). */
export interface AcmeExchange {
  label: string;
  method: string;
  url: string;
  status: number;
  contentType: string;
  bytes: number;
  /** the problem type of an error reply */
  problem?: string;
  /** 1 for the first retry after a badNonce, … */
  retry?: number;
}

export interface AcmeResponse<T = unknown> {
  status: number;
  json: T;
  body: Uint8Array;
  location?: string;
  /** milliseconds the server asked to wait (Retry-After), when it said so and a browser may read it */
  retryAfterMs?: number;
  links: { rel: string; url: string }[];
}

export interface AcmeClientOptions {
  /** the account key (absent for a client that only reads: directory, renewalInfo) */
  signer?: JwsSigner;
  /** the account URL once known (the JWS `kid`) */
  kid?: string;
  onExchange?: (ev: AcmeExchange) => void;
  /** waits (tests shorten it); rejects with AbortError when `signal` aborts */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  now?: () => number;
  signal?: AbortSignal;
  /** how often one request is retried after badNonce (RFC 8555 §6.5 asks clients to retry) */
  badNonceRetries?: number;
}

/** Retry-After (RFC 9110 §10.2.3): seconds or an HTTP date. */
export function parseRetryAfter(value: string | undefined, now: number): number | undefined {
  if (!value) return undefined;
  const v = value.trim();
  if (/^\d+$/.test(v)) return Number(v) * 1000;
  const t = Date.parse(v);
  return Number.isNaN(t) ? undefined : Math.max(0, t - now);
}

/** Link headers (RFC 8288), the simple form ACME servers send. */
export function parseLinks(value: string | undefined): { rel: string; url: string }[] {
  if (!value) return [];
  const out: { rel: string; url: string }[] = [];
  for (const m of value.matchAll(/<([^>]*)>\s*((?:;\s*[^,;]+)*)/g)) {
    const rel = /;\s*rel\s*=\s*"?([^";,]+)"?/i.exec(m[2] ?? '')?.[1];
    if (rel) out.push({ rel, url: m[1]! });
  }
  return out;
}

export function defaultSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(abortError());
    const onAbort = () => {
      clearTimeout(t);
      reject(abortError());
    };
    const t = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

export class AcmeClient {
  private dir: AcmeDirectory | undefined;
  private nonces: string[] = [];
  kid: string | undefined;
  private readonly key: JwsSigner | undefined;
  private readonly sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  private readonly now: () => number;

  constructor(
    private readonly http: AcmeHttp,
    readonly directoryUrl: string,
    private readonly opts: AcmeClientOptions,
  ) {
    this.key = opts.signer;
    this.kid = opts.kid;
    this.sleep = opts.sleep ?? defaultSleep;
    this.now = opts.now ?? (() => Date.now());
  }

  private report(label: string, method: string, url: string, res: AcmeHttpResponse, problem?: string, retry?: number): void {
    this.opts.onExchange?.({ label, method, url, status: res.status, contentType: res.contentType, bytes: res.body.length, ...(problem ? { problem } : {}), ...(retry ? { retry } : {}) });
  }

  private get signer(): JwsSigner {
    if (!this.key) throw new PkiError('unsupported', 'acme: a signed request needs the account key');
    return this.key;
  }

  private keepNonce(res: AcmeHttpResponse): void {
    const n = res.header('Replay-Nonce');
    if (n && /^[A-Za-z0-9_-]+$/.test(n)) this.nonces.push(n);
  }

  private static json(res: AcmeHttpResponse): unknown {
    if (!res.body.length) return undefined;
    try {
      return JSON.parse(fromUtf8(res.body));
    } catch {
      return undefined;
    }
  }

  private static problemOf(res: AcmeHttpResponse): Problem {
    const j = AcmeClient.json(res);
    if (j && typeof j === 'object') return j as Problem;
    return { detail: `${res.contentType || 'no content type'}: ${clip(fromUtf8(res.body.subarray(0, 300)))}` };
  }

  /** The directory (fetched once). */
  async directory(): Promise<AcmeDirectory> {
    if (this.dir) return this.dir;
    const res = await this.http({ method: 'GET', url: this.directoryUrl }, this.opts.signal);
    this.report('directory', 'GET', this.directoryUrl, res);
    if (res.status !== 200) throw new AcmeProblem(res.status, AcmeClient.problemOf(res), 'the directory request');
    const d = AcmeClient.json(res) as AcmeDirectory | undefined;
    if (!d || typeof d.newNonce !== 'string' || typeof d.newAccount !== 'string' || typeof d.newOrder !== 'string')
      throw new PkiError('http', `% ${this.directoryUrl} is not an ACME directory (no newNonce, newAccount and newOrder).`);
    this.dir = d;
    return d;
  }

  private async nonce(): Promise<string> {
    const n = this.nonces.pop();
    if (n) return n;
    const d = await this.directory();
    const res = await this.http({ method: 'HEAD', url: d.newNonce }, this.opts.signal);
    this.report('newNonce', 'HEAD', d.newNonce, res);
    this.keepNonce(res);
    const got = this.nonces.pop();
    if (!got)
      throw new PkiError(
        'http',
        `% The ACME server gave no Replay-Nonce (HTTP ${res.status}). If it is there, the browser hid it: the server must expose it with Access-Control-Expose-Headers.`,
      );
    return got;
  }

  /**
   * A signed POST (`payload` '' = POST-as-GET). Signed with the account URL (`kid`) once
   * known, else with the public JWK (newAccount). A badNonce reply is retried.
   */
  async post<T = unknown>(url: string, payload: unknown, label: string, opts: { jwk?: boolean; accept?: string; what?: string } = {}): Promise<AcmeResponse<T>> {
    const max = this.opts.badNonceRetries ?? 10;
    for (let attempt = 0; ; attempt++) {
      const header: Record<string, unknown> = { nonce: await this.nonce(), url };
      if (opts.jwk || !this.kid) header.jwk = this.signer.jwk;
      else header.kid = this.kid;
      const jws = await signJws(this.signer, header, payload, this.opts.signal);
      const res = await this.http({ method: 'POST', url, body: JSON.stringify(jws), ...(opts.accept ? { accept: opts.accept } : {}) }, this.opts.signal);
      this.keepNonce(res);
      if (res.status >= 400) {
        const problem = AcmeClient.problemOf(res);
        this.report(label, 'POST', url, res, shortType(problem.type), attempt || undefined);
        if (shortType(problem.type) === 'badNonce' && attempt < max) continue;
        throw new AcmeProblem(res.status, problem, opts.what ?? label);
      }
      this.report(label, 'POST', url, res, undefined, attempt || undefined);
      const ra = parseRetryAfter(res.header('Retry-After'), this.now());
      const loc = res.header('Location');
      return {
        status: res.status,
        json: AcmeClient.json(res) as T,
        body: res.body,
        ...(loc ? { location: loc } : {}),
        ...(ra !== undefined ? { retryAfterMs: ra } : {}),
        links: parseLinks(res.header('Link')),
      };
    }
  }

  /**
   * newAccount (§7.3): registers the account key, or finds the account it already has
   * (200). With `eab`, the binding the CA asked for (§7.3.4).
   */
  async newAccount(p: {
    termsOfServiceAgreed?: boolean;
    contact?: string[];
    eab?: { kid: string; key: string; hmac: (key: Uint8Array, data: Uint8Array) => Promise<Uint8Array> };
    onlyReturnExisting?: boolean;
  }): Promise<{ url: string; account: AcmeAccount; created: boolean }> {
    const d = await this.directory();
    const payload: Record<string, unknown> = {};
    if (p.termsOfServiceAgreed) payload.termsOfServiceAgreed = true;
    if (p.contact?.length) payload.contact = p.contact;
    if (p.onlyReturnExisting) payload.onlyReturnExisting = true;
    if (p.eab) payload.externalAccountBinding = await eabJws(p.eab.hmac, p.eab.kid, p.eab.key, this.signer.jwk, d.newAccount);
    const res = await this.post<AcmeAccount>(d.newAccount, payload, 'newAccount', { jwk: true, what: 'the account request (newAccount)' });
    if (!res.location) throw new PkiError('http', '% The ACME server created the account but its Location header is not readable (the server must expose it to the browser).');
    this.kid = res.location;
    return { url: res.location, account: res.json, created: res.status === 201 };
  }

  /** newOrder (§7.4); `replaces` is the ARI certID of the certificate being renewed (RFC 9773 §5). */
  async newOrder(identifiers: Identifier[], replaces?: string): Promise<{ url: string; order: AcmeOrder }> {
    const d = await this.directory();
    const res = await this.post<AcmeOrder>(d.newOrder, { identifiers, ...(replaces ? { replaces } : {}) }, 'newOrder', { what: 'the order (newOrder)' });
    if (!res.location) throw new PkiError('http', '% The ACME server created the order but its Location header is not readable (the server must expose it to the browser).');
    return { url: res.location, order: res.json };
  }

  async order(url: string): Promise<AcmeResponse<AcmeOrder>> {
    return this.post<AcmeOrder>(url, '', 'order', { what: 'the order request' });
  }

  async authorization(url: string): Promise<AcmeResponse<AcmeAuthorization>> {
    return this.post<AcmeAuthorization>(url, '', 'authorization', { what: 'the authorization request' });
  }

  /** Tells the server to validate a challenge (§7.5.1: POST {}). */
  async respond(challengeUrl: string): Promise<AcmeChallenge> {
    return (await this.post<AcmeChallenge>(challengeUrl, {}, 'challenge', { what: 'the challenge response' })).json;
  }

  /** finalize (§7.4) with the DER CSR. */
  async finalize(order: AcmeOrder, csr: Uint8Array): Promise<AcmeResponse<AcmeOrder>> {
    return this.post<AcmeOrder>(order.finalize, { csr: b64url(csr) }, 'finalize', { what: 'the certificate request (finalize)' });
  }

  /**
   * Polls `url` (POST-as-GET) until `done` says so, waiting what Retry-After asks (clamped to
   * 1–60 s; 1 s, growing to 5 s, when the server says nothing), at most `timeoutMs`.
   */
  async poll<T>(url: string, label: 'order' | 'authorization', done: (v: T) => boolean, timeoutMs = 180_000, first?: AcmeResponse<T>): Promise<T> {
    const until = this.now() + timeoutMs;
    let res = first ?? (await this.post<T>(url, '', label));
    for (let i = 0; ; i++) {
      if (done(res.json)) return res.json;
      const wait = Math.min(60_000, Math.max(1000, res.retryAfterMs ?? Math.min(5000, 1000 * (i + 1))));
      if (this.now() + wait > until) throw new PkiError('http', `% The ACME server did not finish the ${label} within ${Math.round(timeoutMs / 1000)} seconds.`);
      await this.sleep(wait, this.opts.signal);
      res = await this.post<T>(url, '', label);
    }
  }

  /** The certificate chain, PEM (§7.4.2), and the alternate chains the server links to. */
  async certificate(url: string): Promise<{ pem: string; alternates: string[] }> {
    const res = await this.post(url, '', 'certificate', { accept: 'application/pem-certificate-chain', what: 'the certificate download' });
    return { pem: fromUtf8(res.body), alternates: res.links.filter((l) => l.rel === 'alternate').map((l) => l.url) };
  }

  /**
   * renewalInfo (RFC 9773 §4.2) for a certificate's ARI id: undefined when the server offers
   * no renewal information.
   */
  async renewalInfo(certId: string): Promise<(RenewalInfo & { retryAfterMs?: number }) | undefined> {
    const d = await this.directory();
    if (!d.renewalInfo) return undefined;
    const url = `${d.renewalInfo.replace(/\/$/, '')}/${certId}`;
    const res = await this.http({ method: 'GET', url }, this.opts.signal);
    this.report('renewalInfo', 'GET', url, res);
    if (res.status !== 200) throw new AcmeProblem(res.status, AcmeClient.problemOf(res), 'the renewal information request (renewalInfo)');
    const info = parseRenewalInfo(AcmeClient.json(res));
    if (!info) throw new PkiError('http', `% The ACME server's renewal information for ${certId} is not a suggestedWindow.`);
    const ra = parseRetryAfter(res.header('Retry-After'), this.now());
    return ra !== undefined ? { ...info, retryAfterMs: ra } : info;
  }
}
