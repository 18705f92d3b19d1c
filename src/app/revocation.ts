/**
 * Revocation checking as IOS does it (`revocation-check crl | ocsp | none` in a trustpoint):
 * the methods are tried in the order configured; the first that answers (good or revoked)
 * decides; `none` answers "good" without asking anyone, so `revocation-check crl none` accepts
 * a certificate whose CRL could not be had, and `revocation-check none` fetches nothing. When
 * no method answers, the check fails with every method's reason.
 *
 * - CRLs come from the certificates' CRL distribution points (http/https URIs) through
 *   `enroll/transport.ts`, are cached in NVRAM (the `meta` store, one record per URL, plus an
 *   index) until their nextUpdate, and are checked by the RFC 5280 §6.3 validator in
 *   `pki/chain` (signature, issuer, scope, freshness). Large CRLs are indexed by the core's
 *   `crlSerials`; parsed CRLs stay in memory for the next check.
 * - OCSP (RFC 6960) asks the responder of the certificate's authorityInfoAccess or the
 *   trustpoint's `ocsp url`, with a nonce, by GET when the request is short (RFC 5019 §5) and by
 *   POST otherwise, and caches good/revoked answers until their nextUpdate.
 *
 * Every non-anchor certificate of the path is checked. `revocationCacheEntries` lists what is
 * cached, with nextUpdate (for `show crypto pki crls` and the CRL UPDATE timer).
 */
import type { Trustpoint, RevocationMethod } from '../config/model.ts';
import { httpRequest, HttpError, displayUrl } from '../enroll/transport.ts';
import { formatName, parseChainCert, parseCrl, validateChain as validatePath, type ChainCert, type ChainCrl } from '../pki/chain/index.ts';
import { buildOcspRequest, certIdOf, checkOcspResponse, parseOcspResponse, type OcspStatus } from '../pki/ocsp.ts';
import { PkiError, isAbortError } from '../util/errors.ts';
import type { TrustpointApp } from './app.ts';

/** A cached CRL (meta record `crl:<url>`). */
export interface CrlCacheEntry {
  url: string;
  der: Uint8Array;
  /** the issuer as printed (`CN=…, O=…`) */
  issuer: string;
  thisUpdate: number;
  nextUpdate?: number;
  /** when it was fetched (ms since the epoch) */
  fetchedAt: number;
  revokedCount: number;
}

/** A cached OCSP answer (meta record `ocsp:<issuerKeyHash>:<serial>`). */
export interface OcspCacheEntry {
  key: string;
  url: string;
  der: Uint8Array;
  subject: string;
  status: 'good' | 'revoked';
  thisUpdate: number;
  nextUpdate: number;
  fetchedAt: number;
}

/** What `revocationCacheEntries` lists: one line of the CRL UPDATE / OCSP timers. */
export interface RevocationCacheEntry {
  kind: 'crl' | 'ocsp';
  /** the CRL's URL, or the certificate an OCSP answer is about */
  what: string;
  url: string;
  thisUpdate: Date;
  /** when the cached answer goes stale (and a fresh one is fetched on the next check) */
  nextUpdate?: Date;
}

/** The outcome of a revocation check. */
export interface RevocationVerdict {
  status: 'good' | 'revoked' | 'unknown' | 'not-checked';
  /** the method that answered */
  method?: RevocationMethod;
  /** for revoked/unknown: what to show after `% ` */
  reason: string;
  /** what each method that could not answer said */
  notes: string[];
}

const INDEX_KEY = 'revocation-index';
/** A CRL without nextUpdate is fetched again after this long. */
const CRL_NO_NEXT_UPDATE_TTL_MS = 60 * 60_000;
const MAX_CRL_BYTES = 64 << 20;

interface Index {
  crls: string[];
  ocsp: string[];
}

const parsed = new WeakMap<TrustpointApp, Map<string, { fetchedAt: number; crl: ChainCrl }>>();
const parsedOf = (app: TrustpointApp) => {
  let m = parsed.get(app);
  if (!m) parsed.set(app, (m = new Map()));
  return m;
};

async function readIndex(app: TrustpointApp): Promise<Index> {
  const i = await app.meta.get<Index>(INDEX_KEY);
  return { crls: i?.crls ?? [], ocsp: i?.ocsp ?? [] };
}

async function addToIndex(app: TrustpointApp, kind: keyof Index, key: string): Promise<void> {
  const i = await readIndex(app);
  if (i[kind].includes(key)) return;
  i[kind].push(key);
  await app.meta.set(INDEX_KEY, i);
}

/** Reads a CRL body: DER, or PEM (`-----BEGIN X509 CRL-----`) as some servers publish. */
function crlBytes(body: Uint8Array): Uint8Array {
  if (body[0] === 0x30) return body;
  const text = new TextDecoder().decode(body.subarray(0, Math.min(body.length, MAX_CRL_BYTES)));
  const m = /-----BEGIN X509 CRL-----([\s\S]*?)-----END X509 CRL-----/.exec(text);
  if (!m) return body;
  const bin = atob(m[1]!.replace(/[^A-Za-z0-9+/=]/g, ''));
  return Uint8Array.from(bin, (c) => c.charCodeAt(0));
}

/** Parses a CRL, with the core's serial index for large ones. */
export async function parseCrlFast(app: TrustpointApp, der: Uint8Array): Promise<ChainCrl> {
  if (der.length > 64 << 10) {
    try {
      const index = await (await app.core()).crlSerials(der);
      return parseCrl(der, { serialIndex: index });
    } catch (e) {
      if (e instanceof PkiError && e.code === 'bad-crl') throw e;
      // The core refused it: the reader below says why.
    }
  }
  return parseCrl(der);
}

const fresh = (e: { nextUpdate?: number; fetchedAt: number }, now: number) => (e.nextUpdate !== undefined ? e.nextUpdate * 1000 > now : e.fetchedAt + CRL_NO_NEXT_UPDATE_TTL_MS > now);

/**
 * The CRL published at `url`: from memory or NVRAM while it is current, else fetched, parsed and
 * stored. `force` fetches in any case (`crypto pki crl request`). A fetch that fails while an
 * older copy is cached returns that copy with `note` saying why it could not be refreshed.
 */
export async function getCrl(app: TrustpointApp, url: string, opts: { force?: boolean; signal?: AbortSignal } = {}): Promise<{ crl: ChainCrl; entry: CrlCacheEntry; note?: string; fetched: boolean }> {
  const now = app.clock().getTime();
  const mem = parsedOf(app);
  const key = `crl:${url}`;
  const cached = await app.meta.get<CrlCacheEntry>(key);
  if (cached && !opts.force && fresh(cached, now)) {
    const hit = mem.get(url);
    const crl = hit && hit.fetchedAt === cached.fetchedAt ? hit.crl : await parseCrlFast(app, cached.der);
    mem.set(url, { fetchedAt: cached.fetchedAt, crl });
    return { crl, entry: cached, fetched: false };
  }
  let der: Uint8Array;
  try {
    const res = await httpRequest(url, { maxBytes: MAX_CRL_BYTES, timeoutMs: 30_000, ...(opts.signal ? { signal: opts.signal } : {}) });
    der = crlBytes(res.body);
  } catch (e) {
    if (isAbortError(e)) throw e;
    const why = `the CRL source ${displayUrl(url)} is unreachable: ${(e as Error).message}`;
    if (cached) return { crl: await parseCrlFast(app, cached.der), entry: cached, note: why, fetched: false };
    throw new PkiError('crl-unreachable', why, { cause: e });
  }
  let crl: ChainCrl;
  try {
    crl = await parseCrlFast(app, der);
  } catch (e) {
    throw new PkiError('bad-crl', `the file at ${displayUrl(url)} is not a valid CRL (${(e as Error).message})`, { cause: e });
  }
  const entry: CrlCacheEntry = {
    url,
    der,
    issuer: formatName(crl.issuer),
    thisUpdate: crl.thisUpdate,
    fetchedAt: now,
    revokedCount: crl.revoked.size,
  };
  if (crl.nextUpdate !== undefined) entry.nextUpdate = crl.nextUpdate;
  await app.meta.set(key, entry);
  await addToIndex(app, 'crls', url);
  mem.set(url, { fetchedAt: now, crl });
  return { crl, entry, fetched: true };
}

/** The http(s) CRL distribution point URLs of a certificate. */
export function crlUrls(cert: ChainCert): string[] {
  const out: string[] = [];
  for (const dp of cert.crlDistributionPoints ?? []) for (const g of dp.fullName ?? []) if (g.type === 'uri' && /^https?:\/\//i.test(g.text) && !out.includes(g.text)) out.push(g.text);
  return out;
}

const REVOKED = 'revoked';

async function crlCheck(app: TrustpointApp, path: Uint8Array[], certs: ChainCert[], signal?: AbortSignal): Promise<{ status: 'good' | 'revoked' | 'unknown'; reason: string }> {
  const crls: ChainCrl[] = [];
  const notes: string[] = [];
  for (const c of certs.slice(0, -1)) {
    const urls = crlUrls(c);
    if (!urls.length) notes.push(`${c.label} names no CRL distribution point`);
    for (const url of urls) {
      try {
        const r = await getCrl(app, url, signal ? { signal } : {});
        if (r.note) notes.push(r.note);
        if (r.crl.nextUpdate !== undefined && r.crl.nextUpdate * 1000 < app.clock().getTime()) notes.push(`the CRL at ${displayUrl(url)} is stale: its nextUpdate ${new Date(r.crl.nextUpdate * 1000).toISOString()} has passed`);
        crls.push(r.crl);
      } catch (e) {
        if (isAbortError(e)) throw e;
        notes.push((e as Error).message);
      }
    }
  }
  const v = await validatePath({ leaf: path[0]!, intermediates: path.slice(1, -1), anchors: [path[path.length - 1]!], time: app.clock(), verify: app.verify, crls, revocation: true, crlScope: 'chain' });
  if (v.ok) return { status: 'good', reason: '' };
  if (v.code === REVOKED) return { status: 'revoked', reason: v.reason };
  return { status: 'unknown', reason: [...notes, v.reason].join('; ') };
}

const b64 = (b: Uint8Array) => btoa(String.fromCharCode(...b));
const hexOf = (b: Uint8Array) => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');

/** GET when the request fits in a short URL (RFC 6960 Appendix A.1, RFC 5019 §5), else POST. */
async function ocspExchange(url: string, req: Uint8Array, signal?: AbortSignal): Promise<Uint8Array> {
  const b = b64(req);
  const get = `${url.replace(/\/$/, '')}/${encodeURIComponent(b)}`;
  const common = { timeoutMs: 30_000, maxBytes: 1 << 20, ...(signal ? { signal } : {}) };
  // A path with "//" (two slashes in the base64, or one at its start) is mangled by web servers
  // and proxies that merge slashes (nginx's default), so such a request goes by POST.
  const short = get.length < 255 && !('/' + b).includes('//');
  const res = short ? await httpRequest(get, common) : await httpRequest(url, { ...common, method: 'POST', body: req, contentType: 'application/ocsp-request' });
  return res.body;
}

async function ocspCheck(app: TrustpointApp, tp: Trustpoint, certs: ChainCert[], signal?: AbortSignal): Promise<{ status: 'good' | 'revoked' | 'unknown'; reason: string }> {
  const core = await app.core();
  const sha1 = (d: Uint8Array) => core.digest('SHA-1', d);
  const time = Math.floor(app.clock().getTime() / 1000);
  const unknown: string[] = [];
  for (let i = 0; i < certs.length - 1; i++) {
    const cert = certs[i]!;
    const issuer = certs[i + 1]!;
    const url = tp.ocspUrl ?? cert.ocspUrls?.find((u) => /^https?:\/\//i.test(u));
    if (!url) {
      unknown.push(`${cert.label} names no OCSP responder and trustpoint ${tp.name} has no "ocsp url"`);
      continue;
    }
    const id = await certIdOf(cert, issuer, sha1);
    const key = `ocsp:${hexOf(id.issuerKeyHash)}:${hexOf(id.serial)}`;
    const cached = await app.meta.get<OcspCacheEntry>(key);
    let s: OcspStatus | undefined;
    if (cached && cached.url === url && cached.nextUpdate > time) {
      try {
        s = await checkOcspResponse({ response: parseOcspResponse(cached.der), cert, issuer, id, time, verify: app.verify, sha1 });
      } catch {
        s = undefined;
      }
      if (s?.status === 'unknown') s = undefined;
    }
    if (!s) {
      const nonce = crypto.getRandomValues(new Uint8Array(16));
      let der: Uint8Array;
      try {
        der = await ocspExchange(url, buildOcspRequest(id, nonce), signal);
      } catch (e) {
        if (isAbortError(e)) throw e;
        unknown.push(`the OCSP responder ${displayUrl(url)} is unreachable: ${(e as Error).message}`);
        continue;
      }
      try {
        const response = parseOcspResponse(der);
        s = await checkOcspResponse({ response, cert, issuer, id, time, verify: app.verify, sha1, nonce });
        if (s.status !== 'unknown' && s.nextUpdate !== undefined) {
          const entry: OcspCacheEntry = { key, url, der, subject: cert.label, status: s.status, thisUpdate: s.thisUpdate, nextUpdate: s.nextUpdate, fetchedAt: app.clock().getTime() };
          await app.meta.set(key, entry);
          await addToIndex(app, 'ocsp', key);
        }
      } catch (e) {
        unknown.push(`the OCSP responder ${displayUrl(url)} sent something that is not an OCSP response (${(e as Error).message})`);
        continue;
      }
    }
    if (s.status === 'revoked') return { status: 'revoked', reason: s.reason };
    if (s.status === 'unknown') unknown.push(s.reason);
  }
  if (unknown.length) return { status: 'unknown', reason: unknown.join('; ') };
  return { status: 'good', reason: '' };
}

/**
 * Checks the revocation of every certificate of `path` (leaf first, trust anchor last) with the
 * trustpoint's `revocation-check` methods, in order. Without `revocation-check` nothing is checked.
 */
export async function checkPathRevocation(app: TrustpointApp, tp: Trustpoint, path: readonly Uint8Array[], signal?: AbortSignal): Promise<RevocationVerdict> {
  const methods = tp.revocationCheck ?? [];
  if (!methods.length || path.length < 2) return { status: 'not-checked', reason: '', notes: [] };
  const certs = path.map((d) => parseChainCert(d));
  const notes: string[] = [];
  for (const m of methods) {
    if (m === 'none') return { status: 'good', method: 'none', reason: '', notes };
    const r = m === 'crl' ? await crlCheck(app, [...path], certs, signal) : await ocspCheck(app, tp, certs, signal);
    if (r.status === 'good') return { status: 'good', method: m, reason: '', notes };
    if (r.status === 'revoked') return { status: 'revoked', method: m, reason: `Certificate revoked: ${r.reason}`, notes };
    notes.push(`${m.toUpperCase()}: ${r.reason}`);
  }
  return { status: 'unknown', reason: `the revocation status could not be determined (${notes.join('; ')})`, notes };
}

/** Every cached CRL and OCSP answer with its nextUpdate (for timers and `show crypto pki crls`). */
export async function revocationCacheEntries(app: TrustpointApp): Promise<RevocationCacheEntry[]> {
  const i = await readIndex(app);
  const out: RevocationCacheEntry[] = [];
  for (const url of i.crls) {
    const e = await app.meta.get<CrlCacheEntry>(`crl:${url}`);
    if (!e) continue;
    const x: RevocationCacheEntry = { kind: 'crl', what: e.issuer, url, thisUpdate: new Date(e.thisUpdate * 1000) };
    if (e.nextUpdate !== undefined) x.nextUpdate = new Date(e.nextUpdate * 1000);
    out.push(x);
  }
  for (const key of i.ocsp) {
    const e = await app.meta.get<OcspCacheEntry>(key);
    if (e) out.push({ kind: 'ocsp', what: e.subject, url: e.url, thisUpdate: new Date(e.thisUpdate * 1000), nextUpdate: new Date(e.nextUpdate * 1000) });
  }
  return out;
}

/** The cached CRLs, parsed (`show crypto pki crls`). */
export async function cachedCrls(app: TrustpointApp): Promise<{ entry: CrlCacheEntry; crl: ChainCrl }[]> {
  const out: { entry: CrlCacheEntry; crl: ChainCrl }[] = [];
  for (const url of (await readIndex(app)).crls) {
    const entry = await app.meta.get<CrlCacheEntry>(`crl:${url}`);
    if (!entry) continue;
    const mem = parsedOf(app).get(url);
    out.push({ entry, crl: mem && mem.fetchedAt === entry.fetchedAt ? mem.crl : await parseCrlFast(app, entry.der) });
  }
  return out;
}

/** The certificates of a trustpoint whose CRLs `crypto pki crl request` fetches: its own and its CA chain. */
export async function requestCrls(app: TrustpointApp, ders: readonly Uint8Array[], signal?: AbortSignal): Promise<{ url: string; entry?: CrlCacheEntry; error?: string }[]> {
  const urls: string[] = [];
  for (const d of ders) {
    try {
      for (const u of crlUrls(parseChainCert(d))) if (!urls.includes(u)) urls.push(u);
    } catch {
      // not readable: nothing to fetch for it
    }
  }
  const out: { url: string; entry?: CrlCacheEntry; error?: string }[] = [];
  for (const url of urls) {
    try {
      const r = await getCrl(app, url, { force: true, ...(signal ? { signal } : {}) });
      out.push(r.note ? { url, entry: r.entry, error: r.note } : { url, entry: r.entry });
    } catch (e) {
      if (isAbortError(e)) throw e;
      out.push({ url, error: e instanceof HttpError || e instanceof PkiError ? e.message : String(e) });
    }
  }
  return out;
}
