/**
 * `crypto pki authenticate` and `crypto pki enroll` for `enrollment acme URL [challenge
 * http-01] [eab KID KEY]`: ACME (RFC 8555) as a Trustpoint enrollment method.
 *
 * - The account key is an ECDSA P-256 pair in the key store like any other key (label
 *   `<trustpoint>-acme-account`, non-exportable where WebCrypto can hold it); the account URL
 *   is remembered in NVRAM (meta `acme-accounts`). A server that requires external account
 *   binding gets the EAB JWS; terms of service are shown and agreed to by a person once.
 * - An order for the trustpoint's names (`fqdn` or hostname.domain, `subject-alt-name`, a
 *   DNS-like CN of `subject-name`, `ip-address`) is kept in NVRAM (meta `acme-orders`) until
 *   it is done, so "check again" survives a reload: `crypto pki enroll NAME` resumes it.
 * - Pending authorizations: with `challenge http-01` the web server answers every token
 *   itself (stateless), so they are answered without asking; otherwise the user is shown
 *   exactly what to publish (http-01 URL and content, dns-01 TXT record) and asked which one to
 *   check — never a silent failure. Unattended callers are refused with those instructions.
 * - finalize with a CSR of the trustpoint's key, polling with Retry-After, the PEM chain
 *   verified (to a root pinned with `crypto pki authenticate`, else to the chain delivered over
 *   https), the CA certificates and the certificate stored the same way SCEP stores them.
 * - Renewal is another enrollment (with `replaces` where the server offers ARI); the
 *   auto-enrollment timers ask `acmeRenewalWindow` when to do it.
 */
import type { TrustpointApp } from './app.ts';
import type { Interaction } from './interaction.ts';
import { refuse } from './refuse.ts';
import { isYes } from './prompter.ts';
import { pasteCaCertificates } from '../enroll/authenticate.ts';
import { commitChange } from './commit.ts';
import { ACME_ACCOUNTS, ACME_ORDERS, acmeAccountOf, acmeOrderOf, type AcmeAccountRecord, type AcmeOrderRecord } from './enrollment-status.ts';
import { storeIssued } from './scep.ts';
import { keyRecordsFor, keySpecOf } from './trustpoint-keys.ts';
import { PENDING_PREFIX } from './keys.ts';
import { fingerprints, fingerprintMatches } from './certs.ts';
import { fqdnOf, type AcmeEnrollment, type ChainCertificate, type Trustpoint } from '../config/model.ts';
import { isIPv4, isIPv6 } from '../config/grammar.ts';
import { readPem } from '../pki/pem.ts';
import { buildCsr } from '../pki/csr.ts';
import { summarizeCertificate } from '../pki/x509.ts';
import { AcmeClient, AcmeProblem, defaultSleep, shortType, type AcmeAuthorization, type AcmeOrder, type Identifier } from '../enroll/acme/client.ts';
import { jwkThumbprint, jwsSigner } from '../enroll/acme/jws.ts';
import { certIdOf } from '../enroll/acme/ari.ts';
import { publishFor, publishLines, type Publish } from '../enroll/acme/challenges.ts';
import { httpAcme, type AcmeHttp } from '../enroll/acme/transport.ts';
import { equalBytes } from '../util/bytes.ts';
import { toHex } from '../util/hex.ts';
import { isAbortError } from '../util/errors.ts';
import type { KeyRecord } from '../store/keystore.ts';
import { OID } from '../pki/oids.ts';

async function setRecord<T>(app: TrustpointApp, key: string, tp: string, value: T | undefined): Promise<void> {
  const all = (await app.meta.get<Record<string, T>>(key)) ?? {};
  if (value === undefined) delete all[tp];
  else all[tp] = value;
  await app.meta.set(key, all);
}

/** The key label of a trustpoint's ACME account key. */
export const acmeAccountKeyLabel = (tp: string): string => `${tp}-acme-account`;

// ---------------------------------------------------------------------------------------
// helpers

/** The ACME transport (tests may replace it). */
export let acmeHttp: AcmeHttp = httpAcme;
export function setAcmeHttp(h: AcmeHttp): void {
  acmeHttp = h;
}

function acmeOf(tp: Trustpoint): AcmeEnrollment {
  const e = tp.enrollment;
  if (e?.kind !== 'acme') refuse(`% Trustpoint ${tp.name} does not enroll with ACME.`);
  return e;
}

const DNS_RE = /^(?=.{1,253}$)(\*\.)?([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;

/** The names the certificate is ordered for, in a stable order (first = the CN). */
export function acmeIdentifiers(app: TrustpointApp, tp: Trustpoint): Identifier[] {
  const out: Identifier[] = [];
  const add = (v: string | undefined) => {
    if (!v) return;
    const value = v.trim().toLowerCase();
    const id: Identifier | undefined = isIPv4(value) || isIPv6(value) ? { type: 'ip', value } : DNS_RE.test(value) ? { type: 'dns', value } : undefined;
    if (id && !out.some((o) => o.type === id.type && o.value === id.value)) out.push(id);
  };
  add(tp.fqdn === undefined ? fqdnOf(app.running) : typeof tp.fqdn === 'string' ? tp.fqdn : undefined);
  if (tp.subjectAltName && !tp.subjectAltName.includes('@')) add(tp.subjectAltName);
  const cn = /(?:^|,)\s*CN\s*=\s*([^,+]+)/i.exec(tp.subjectName ?? '')?.[1];
  if (cn && cn.includes('.')) add(cn);
  if (tp.ipAddress?.kind === 'address') add(tp.ipAddress.value);
  return out;
}

const sameIds = (a: Identifier[], b: Identifier[]) => JSON.stringify([...a].map((i) => `${i.type}:${i.value}`).sort()) === JSON.stringify([...b].map((i) => `${i.type}:${i.value}`).sort());

function debugPrinter(app: TrustpointApp, io: Interaction) {
  return (line: string) => {
    app.recordDebug(line);
    io.print(line);
  };
}

function hmacFor(app: TrustpointApp) {
  return async (key: Uint8Array, data: Uint8Array) => (await app.core()).hmac('SHA-256', key, data);
}

function sha256For(app: TrustpointApp) {
  return async (data: Uint8Array) => (await app.core()).digest('SHA-256', data);
}

interface Session {
  client: AcmeClient;
  thumbprint: string;
  account: AcmeAccountRecord;
}

/** The account key of a trustpoint, made (and stored) on first use. */
async function accountKey(app: TrustpointApp, io: Interaction, tp: Trustpoint): Promise<KeyRecord> {
  const label = acmeAccountKeyLabel(tp.name);
  const have = (await app.keys.byLabel(label)).find((k) => k.kind === 'ec');
  if (have) return have;
  io.print(`% Generating the ACME account key (ECDSA P-256, label ${label}) ...`);
  const rec = await app.keys.generateOne(label, 'general', { kind: 'ec', curve: 'P-256' }, false, { signal: io.signal });
  await app.keys.store.put([rec]);
  return rec;
}

/**
 * A client signed with the trustpoint's account key and registered with the server (a new
 * account, or the one remembered). Refuses with the reason when a person is needed.
 */
async function session(app: TrustpointApp, io: Interaction, tp: Trustpoint, e: AcmeEnrollment, forceRegister = false): Promise<Session> {
  const key = await accountKey(app, io, tp);
  const js = jwsSigner(await app.keys.signer(key));
  const thumbprint = await jwkThumbprint(js.jwk, sha256For(app));
  const saved = await acmeAccountOf(app, tp.name);
  const known = !forceRegister && saved && saved.directory === e.directory && saved.spki === toHex(key.spki) ? saved : undefined;
  const dbg = debugPrinter(app, io);
  const client = new AcmeClient(acmeHttp, e.directory, {
    signer: js,
    ...(known ? { kid: known.url } : {}),
    signal: io.signal,
    sleep: (ms, signal) => defaultSleep(app.scepPollDelay(ms), signal),
    onExchange: (ev) => {
      if (!app.debug.transactions) return;
      dbg(
        `CRYPTO_PKI: ACME ${ev.label}: ${ev.method} ${ev.url} -> HTTP ${ev.status}${ev.contentType ? ` ${ev.contentType}` : ''}, ${ev.bytes} bytes${ev.problem ? ` (${ev.problem})` : ''}${ev.retry ? ` [retry ${ev.retry} after badNonce]` : ''}`,
      );
    },
  });
  const dir = await client.directory();
  if (known) return { client, thumbprint, account: known };
  if (dir.meta?.externalAccountRequired && !e.eab)
    refuse(`% The ACME server requires external account binding: configure "enrollment acme ${e.directory} eab KID KEY" with the key ID and MAC key the CA gave you.`);
  let agreed = false;
  const tos = dir.meta?.termsOfService;
  if (tos) {
    if (!io.interactive)
      refuse(`% The ACME server has terms of service (${tos.slice(0, 200)}) that a person must agree to: run "crypto pki enroll ${tp.name}" from the console once.`);
    io.print(`% The ACME server's terms of service: ${tos.slice(0, 500)}`);
    if (!isYes(await io.ask({ text: '% Do you agree to the terms of service? [yes/no]: ', kind: 'yesno' }))) refuse('% Terms of service not agreed to: no ACME account, enrollment not started.');
    agreed = true;
  }
  let acct;
  try {
    acct = await client.newAccount({ termsOfServiceAgreed: agreed, ...(e.eab ? { eab: { kid: e.eab.kid, key: e.eab.key, hmac: hmacFor(app) } } : {}) });
  } catch (err) {
    if (err instanceof AcmeProblem && err.kind === 'externalAccountRequired')
      refuse(`% The ACME server requires external account binding: configure "enrollment acme ${e.directory} eab KID KEY" with the key ID and MAC key the CA gave you.`);
    throw err;
  }
  const account: AcmeAccountRecord = { directory: e.directory, url: acct.url, keyLabel: key.label, spki: toHex(key.spki), thumbprint, ...(e.eab ? { eabKid: e.eab.kid } : {}), at: app.clock().getTime() };
  await setRecord(app, ACME_ACCOUNTS, tp.name, account);
  io.print(`% ACME account ${acct.created ? 'registered' : 'found'}: ${acct.url}${e.eab ? ` (external account binding ${e.eab.kid})` : ''}`);
  io.print(`% Account key thumbprint (a web server answering http-01 by itself returns <token>.${thumbprint}): ${thumbprint}`);
  return { client, thumbprint, account };
}

/** Runs `f`; an account the server no longer knows is registered again once. */
async function withAccount<T>(app: TrustpointApp, io: Interaction, tp: Trustpoint, e: AcmeEnrollment, f: (s: Session) => Promise<T>): Promise<T> {
  const s = await session(app, io, tp, e);
  try {
    return await f(s);
  } catch (err) {
    if (!(err instanceof AcmeProblem) || (err.kind !== 'accountDoesNotExist' && err.kind !== 'unauthorized') || !s.client.kid) throw err;
    if (err.kind === 'unauthorized' && !/account/i.test(err.problem.detail ?? '')) throw err;
    io.print('% The ACME server does not know the remembered account any more: registering again.');
    await setRecord(app, ACME_ACCOUNTS, tp.name, undefined);
    return f(await session(app, io, tp, e, true));
  }
}

// ---------------------------------------------------------------------------------------
// crypto pki authenticate

/**
 * ACME servers do not publish their root: `crypto pki authenticate` takes it pasted (to pin
 * it). Without it, the CA certificates delivered with the certificate over https are used.
 */
export async function acmeCaCertificates(_app: TrustpointApp, io: Interaction, tp: Trustpoint): Promise<Uint8Array[]> {
  acmeOf(tp);
  io.print('');
  io.print('% An ACME server does not publish its root certificate: paste the root CA certificate that');
  io.print('% issues its certificates to pin it (without this step, the CA certificates the server');
  io.print('% sends with the certificate over https are installed at enrollment).');
  return pasteCaCertificates(io);
}

// ---------------------------------------------------------------------------------------
// crypto pki enroll

type AuthzOutcome = 'done' | 'later';

/** Brings every authorization of the order to valid, or says what a person must do. */
async function authorize(app: TrustpointApp, io: Interaction, tp: Trustpoint, e: AcmeEnrollment, s: Session, order: AcmeOrder): Promise<AuthzOutcome> {
  const pending: { url: string; a: AcmeAuthorization; publish: Publish[] }[] = [];
  for (const url of order.authorizations) {
    const a = (await s.client.authorization(url)).json;
    if (a.status === 'valid') {
      io.print(`% Authorization for ${a.identifier.value}: valid`);
      continue;
    }
    if (a.status !== 'pending') {
      await setRecord(app, ACME_ORDERS, tp.name, undefined);
      refuse(`% The authorization for ${a.identifier.value} is ${a.status}: the order cannot be completed. Run "crypto pki enroll ${tp.name}" for a new order.`);
    }
    pending.push({ url, a, publish: await publishFor(a.identifier, a.challenges, s.thumbprint, sha256For(app)) });
  }
  if (!pending.length) return 'done';

  let type: 'http-01' | 'dns-01';
  if (e.autoChallenge) {
    type = e.autoChallenge;
    for (const p of pending) {
      const h = p.publish.find((x) => x.type === type);
      if (!h) refuse(`% The ACME server offers no ${type} challenge for ${p.a.identifier.value}.`);
      io.print(`% Authorization for ${p.a.identifier.value}: answering ${type} (the web server publishes ${(h as { url: string }).url})`);
    }
  } else {
    for (const p of pending) for (const l of publishLines(p.a.identifier, p.publish)) io.print(l);
    const offered = new Set(pending.flatMap((p) => p.publish.map((x) => x.type)).sort((a, b) => (a === b ? 0 : a === 'http-01' ? -1 : 1)));
    if (!io.interactive)
      refuse(
        `% ACME authorization pending for ${pending.map((p) => p.a.identifier.value).join(', ')}: a person must publish the challenge shown above, then check again with "crypto pki enroll ${tp.name}" (or configure "challenge http-01" on a web server that answers every token).`,
      );
    for (;;) {
      const a = (await io.ask({ text: `% When it is published, type ${[...offered].join(' or ')} to check again (Return: later): `, kind: 'text' })).trim().toLowerCase();
      if (a === '' || a === 'later') {
        io.print(`% The order is kept: "crypto pki enroll ${tp.name}" checks again.`);
        return 'later';
      }
      if (offered.has(a as Publish['type'])) {
        type = a as 'http-01' | 'dns-01';
        break;
      }
      io.print(`% Type ${[...offered].join(' or ')}, or press Return to check later.`);
    }
  }
  for (const p of pending) {
    const ch = p.a.challenges.find((c) => c.type === type);
    if (!ch) refuse(`% The ACME server offers no ${type} challenge for ${p.a.identifier.value}.`);
    io.print(`% Checking ${p.a.identifier.value} with ${type} ...`);
    await s.client.respond(ch.url);
    const final = await s.client.poll<AcmeAuthorization>(p.url, 'authorization', (x) => x.status !== 'pending', 120_000);
    if (final.status !== 'valid') {
      const c = final.challenges.find((x) => x.type === type);
      await setRecord(app, ACME_ORDERS, tp.name, undefined);
      const h = p.publish.find((x): x is Extract<Publish, { type: 'http-01' }> => x.type === 'http-01');
      const hint = e.autoChallenge && h ? ` The web server must answer ${h.url} with ${h.content} (every token, followed by ".${s.thumbprint}").` : ' Publish again and run';
      refuse(
        `% Validation of ${p.a.identifier.value} with ${type} failed${c?.error ? ` (${shortType(c.error.type)}${c.error.detail ? `: ${c.error.detail.slice(0, 300)}` : ''})` : ''}: the order is invalid.${hint}${e.autoChallenge ? ' Then run' : ''} "crypto pki enroll ${tp.name}" for a new order.`,
      );
    }
    io.print(`% Authorization for ${p.a.identifier.value}: valid`);
  }
  return 'done';
}

/** The CA certificates to keep after an enrollment, and whether they differ from those kept now. */
async function caEntriesFor(app: TrustpointApp, tp: Trustpoint, leaf: Uint8Array, delivered: Uint8Array[]): Promise<{ entries: ChainCertificate[]; changed: boolean; pinned: boolean }> {
  const stored = app.running.chains.get(tp.name)?.certificates.filter((c) => c.kind === 'ca') ?? [];
  const roots = stored.filter((c) => summarizeCertificate(c.der).selfIssued);
  const now = app.clock();
  const cas = delivered.filter((d) => !equalBytes(d, leaf));
  let chain: Uint8Array[];
  if (roots.length) {
    // pinned root: the delivered intermediates must lead to it
    const root = roots[0]!.der;
    chain = [...cas.filter((c) => !equalBytes(c, root)), root];
    const v = await app.validateChain({ leaf, intermediates: chain.slice(0, -1), anchors: [root], time: now, ca: false, trustpoint: tp });
    if (!v.ok) refuse(`% The certificate chain from the ACME server does not lead to the root authenticated for trustpoint ${tp.name}: ${v.reason}. Nothing stored.`);
  } else {
    if (!cas.length) refuse('% The ACME server sent the certificate without its issuing CA certificate: nothing stored.');
    chain = cas;
    const v = await app.validateChain({ leaf, intermediates: chain.slice(0, -1), anchors: [chain[chain.length - 1]!], time: now, ca: false, trustpoint: tp });
    if (!v.ok) refuse(`% The certificate chain from the ACME server does not validate: ${v.reason}. Nothing stored.`);
    if (tp.fingerprint) {
      const core = await app.core();
      let match = false;
      for (const c of chain) if (fingerprintMatches(tp.fingerprint, await fingerprints(core, c))) match = true;
      if (!match) refuse(`% None of the CA certificates from the ACME server has the configured fingerprint ${tp.fingerprint}: nothing stored.`);
    }
  }
  const entries: ChainCertificate[] = chain.map((der) => ({ kind: 'ca', serial: summarizeCertificate(der).serial, der }));
  const changed = entries.length !== stored.length || entries.some((x, i) => !equalBytes(x.der, stored[i]!.der));
  return { entries, changed, pinned: roots.length > 0 };
}

/** The CSR of an ACME order: CN = the first DNS name, subjectAltName = every name. */
async function acmeCsr(app: TrustpointApp, io: Interaction, key: KeyRecord, ids: Identifier[]): Promise<Uint8Array> {
  const signer = await app.keys.signer(key);
  const cn = ids.find((i) => i.type === 'dns' && i.value.length <= 64)?.value;
  return buildCsr({ subject: cn ? [{ oid: OID.commonName, short: 'CN', value: cn }] : [], subjectAltName: ids.map((i) => ({ type: i.type, value: i.value })) }, signer, undefined, io.signal);
}

export async function enrollAcme(app: TrustpointApp, io: Interaction, tp: Trustpoint): Promise<void> {
  const e = acmeOf(tp);
  const spec = keySpecOf(app, tp);
  if (spec.usageKeys) refuse('% ACME certifies one key per order: usage keys ("rsakeypair LABEL SIZE ENC-SIZE") cannot enroll with ACME.');
  const ids = acmeIdentifiers(app, tp);
  if (!ids.length) refuse(`% Trustpoint ${tp.name} has no name for an ACME certificate: configure "ip domain-name", "fqdn NAME" or "subject-alt-name NAME".`);
  const cfg = app.running;
  if (io.interactive && (cfg.chains.get(tp.name)?.certificates ?? []).some((c) => c.kind === 'general') && !(await acmeOrderOf(app, tp.name))) {
    io.print('%');
    io.print('% You already have a certificate from this CA: the request renews it.');
    io.print('% The current certificate and key stay in use until the new certificate arrives.');
    if (!isYes(await io.ask({ text: '% Do you want to continue with re-enrollment? [yes/no]: ', kind: 'yesno' }))) refuse('% Enrollment not started.');
  }
  io.print('% Start certificate enrollment ..');
  io.print(`% ACME server ${e.directory}, names: ${ids.map((i) => i.value).join(', ')}`);
  await withAccount(app, io, tp, e, async (s) => {
    const dir = await s.client.directory();
    // an order of an earlier "later" (or of an interrupted enrollment) is resumed
    let orderUrl: string | undefined;
    let order: AcmeOrder | undefined;
    const saved = await acmeOrderOf(app, tp.name);
    if (saved && saved.directory === e.directory && sameIds(saved.identifiers, ids)) {
      try {
        order = (await s.client.order(saved.url)).json;
        orderUrl = saved.url;
        if (order.status === 'invalid') {
          io.print(`% The kept ACME order is invalid${order.error ? ` (${shortType(order.error.type)}${order.error.detail ? `: ${order.error.detail.slice(0, 200)}` : ''})` : ''}: a new order is made.`);
          order = undefined;
        } else io.print(`% Resuming the ACME order ${saved.url} (${order.status})`);
      } catch (err) {
        if (isAbortError(err) || !(err instanceof AcmeProblem)) throw err;
        order = undefined;
      }
    }
    if (!order) {
      let replaces: string | undefined;
      const current = cfg.chains.get(tp.name)?.certificates.find((c) => c.kind === 'general');
      if (dir.renewalInfo && current) {
        try {
          replaces = certIdOf(current.der);
        } catch {
          replaces = undefined;
        }
      }
      const made = await s.client.newOrder(ids, replaces);
      order = made.order;
      orderUrl = made.url;
      await setRecord<AcmeOrderRecord>(app, ACME_ORDERS, tp.name, { directory: e.directory, url: made.url, identifiers: ids, at: app.clock().getTime() });
      io.print(`% ACME order ${made.url} (${order.status})${replaces ? `, replacing certificate ${replaces}` : ''}`);
    }
    if (order.status === 'pending') {
      if ((await authorize(app, io, tp, e, s, order)) === 'later') return;
      order = await s.client.poll<AcmeOrder>(orderUrl!, 'order', (o) => o.status !== 'pending', 60_000);
    }
    let keys: KeyRecord[] | undefined;
    if (order.status === 'ready') {
      keys = await keyRecordsFor(app, io, tp, { forEnrollment: true, generalOnly: true });
      const key = keys[0]!;
      const csr = await acmeCsr(app, io, key, ids);
      io.print(`% Finalizing the order with the certificate request (${key.kind === 'rsa' ? `RSA ${key.bits}` : `EC ${key.curve}`}) ...`);
      const res = await s.client.finalize(order, csr);
      order = await s.client.poll<AcmeOrder>(orderUrl!, 'order', (o) => o.status === 'valid' || o.status === 'invalid', 180_000, res);
    } else if (order.status === 'processing') {
      order = await s.client.poll<AcmeOrder>(orderUrl!, 'order', (o) => o.status === 'valid' || o.status === 'invalid', 180_000);
    }
    if (order.status !== 'valid' || !order.certificate) {
      await setRecord(app, ACME_ORDERS, tp.name, undefined);
      refuse(`% The ACME order is ${order.status}${order.error ? ` (${shortType(order.error.type)}${order.error.detail ? `: ${order.error.detail.slice(0, 300)}` : ''})` : ''}: no certificate. Run "crypto pki enroll ${tp.name}" for a new order.`);
    }
    const { pem } = await s.client.certificate(order.certificate);
    let ders: Uint8Array[];
    try {
      ders = readPem(pem).map((b) => b.der);
    } catch {
      refuse('% The ACME server did not send a PEM certificate chain: nothing stored.');
    }
    const leaf = ders[0]!;
    const ls = summarizeCertificate(leaf);
    // the key the CSR was made with (a resumed order may have been finalized earlier)
    const candidates = keys ?? [...(await app.keys.byLabel(keySpecOf(app, tp).label)), ...(await app.keys.byLabel(PENDING_PREFIX + keySpecOf(app, tp).label))];
    const key = candidates.find((k) => equalBytes(k.spki, ls.spki));
    if (!key) refuse('% The ACME server returned a certificate, but not for a key of this trustpoint: nothing stored.');
    const ca = await caEntriesFor(app, tp, leaf, ders);
    if (ca.changed) {
      io.print(`Trustpoint CA certificate${ca.entries.length > 1 ? 's' : ''} ${ca.pinned ? 'under the authenticated root' : 'from the ACME server (delivered over https)'}:`);
      const core = await app.core();
      for (const c of ca.entries) {
        const cs = summarizeCertificate(c.der);
        io.print(`  Subject: ${cs.subject.map((a) => `${a.short}=${a.value}`).join(', ') || '(empty)'}`);
        io.print(`    Fingerprint SHA256: ${(await fingerprints(core, c.der)).sha256}`);
      }
      // the CA certificates first (like an authenticate), then the certificate with its key
      await commitChange(app, io, {
        apply: (c) => {
          const entry = c.chains.get(tp.name) ?? { trustpoint: tp.name, certificates: [] };
          entry.certificates = [...entry.certificates.filter((x) => x.kind !== 'ca'), ...ca.entries];
          c.chains.set(tp.name, entry);
        },
      });
    }
    await storeIssued(app, io, tp, [{ key, der: leaf }]);
    await setRecord(app, ACME_ORDERS, tp.name, undefined);
  });
}

// ---------------------------------------------------------------------------------------
// renewal timing (for the auto-enrollment timers)

/**
 * When the ACME server suggests renewing the trustpoint's certificate (ARI, RFC 9773):
 * the suggested window, or undefined when there is nothing to ask (not an ACME trustpoint, no
 * certificate, a server without renewalInfo, or the server could not be asked — then the
 * `auto-enroll` percentage applies). RFC 9773 §4.2: pick a random time in the window.
 */
export async function acmeRenewalWindow(app: TrustpointApp, trustpointName: string, signal?: AbortSignal): Promise<{ start: Date; end: Date; explanationURL?: string } | undefined> {
  const tp = app.running.trustpoints.get(trustpointName);
  if (tp?.enrollment?.kind !== 'acme') return undefined;
  const cert = app.running.chains.get(trustpointName)?.certificates.find((c) => c.kind === 'general');
  if (!cert) return undefined;
  try {
    const certId = certIdOf(cert.der);
    const client = new AcmeClient(acmeHttp, tp.enrollment.directory, signal ? { signal } : {});
    const info = await client.renewalInfo(certId);
    if (!info) return undefined;
    return { start: info.start, end: info.end, ...(info.explanationURL ? { explanationURL: info.explanationURL } : {}) };
  } catch (err) {
    if (isAbortError(err)) throw err;
    return undefined;
  }
}
