/**
 * The provisioning desk: many devices enrolled from one trustpoint's CA, each with a new
 * exportable RSA key, a SCEP enrollment and a PKCS#12 file; then one ZIP with every file and
 * a CSV report. Loaded on first use (services.ts is the views' door).
 *
 * Durability (a reload resumes the batch, never enrolling a name twice): the batch, the
 * PKCS#12 files and — while a request is at the CA — the row's wrapped key live in IndexedDB
 * (the meta store; secrets wrapped under the key store's non-extractable AES-GCM key). A row
 * that was `sending` when the page went away may have been issued: on resume it is polled with
 * CertPoll under its transactionID; a CA that cannot answer (micromdm answers CertPoll with
 * HTTP 500) leaves it `interrupted`, reported and never sent again by itself.
 *
 * Keys leave the app only inside their PKCS#12 files: the PKCS#8 is zeroed once the file is
 * made, and `finishBatch` deletes the files (and kept keys go to the key store) after export.
 */
import type { TrustpointApp } from './app.ts';
import type { Interaction } from './interaction.ts';
import { refuse } from './refuse.ts';
import { emitDesk, explain } from './services.ts';
import { scepPeers } from './scep.ts';
import type { DeskBatch, DeskBatchRow, DeskRow, DeskSpec } from './desk-types.ts';
import { coreDecrypter, coreSigner } from '../crypto/core-keys.ts';
import { buildCsr, iosKeyUsage } from '../pki/csr.ts';
import { buildSelfSigned } from '../pki/certgen.ts';
import { parseX500Name } from '../pki/names.ts';
import { writePkcs12 } from '../pki/pkcs12.ts';
import { summarizeCertificate } from '../pki/x509.ts';
import { httpScepTransport, type ScepTransport } from '../enroll/scep/transport.ts';
import { chooseFromCaps, type ScepChoices } from '../enroll/scep/caps.ts';
import { buildPkiMessage, certNamesDer, certRepCertificates, csrSubjectDer, issuerAndSubject, parseCertRep, transactionIdFor, type CertRep } from '../enroll/scep/message.ts';
import { ScepError, failureText } from '../enroll/scep/errors.ts';
import { abortError, isAbortError } from '../util/errors.ts';
import { equalBytes } from '../util/bytes.ts';
import type { KeyRecord } from '../store/keystore.ts';
import { zipSync, strToU8 } from 'fflate';

const BATCH = 'desk-batch';
const SECRETS = 'desk-secrets';
const p12Key = (id: string, name: string) => `desk-p12:${id}:${name}`;
const keyKey = (id: string, name: string) => `desk-key:${id}:${name}`;

type Wrapped = NonNullable<KeyRecord['wrapped']>;

interface Secrets {
  password: string;
  rows: Record<string, { challenge?: string; password?: string }>;
}

interface InFlight {
  pkcs8: Wrapped;
  spki: number[];
  csr: number[];
  choices: ScepChoices;
}

/** Rows worked on at once; requests at the CA are bounded separately by the batch's `concurrency`. */
const ROW_WORKERS = 4;

let active: { id: string; controller: AbortController; done: Promise<void> } | undefined;

export async function loadBatch(app: TrustpointApp): Promise<DeskBatch | undefined> {
  const b = await app.meta.get<DeskBatch | null>(BATCH);
  if (!b) return undefined;
  return { ...b, running: active?.id === b.id };
}

async function saveBatch(app: TrustpointApp, b: DeskBatch): Promise<void> {
  await app.meta.set(BATCH, { ...b, running: false, rows: b.rows.map((r) => ({ ...r })) });
  emitDesk(app, { ...b, rows: b.rows.map((r) => ({ ...r })) });
}

async function secretsOf(app: TrustpointApp): Promise<Secrets> {
  const w = await app.meta.get<Wrapped | null>(SECRETS);
  if (!w) refuse('% The batch has lost its passwords (storage was cleared): start a new batch.');
  const bytes = await app.keys.store.unwrap(w);
  try {
    return JSON.parse(new TextDecoder().decode(bytes)) as Secrets;
  } finally {
    bytes.fill(0);
  }
}

/** The console commands that do for one device what the desk does for each row. */
export function deskCommands(app: TrustpointApp, spec: DeskSpec, row: DeskRow | undefined): string[] {
  const n = row?.name ?? 'DEVICE';
  const tp = app.running.trustpoints.get(spec.trustpoint);
  const url = tp?.enrollment?.kind === 'url' ? tp.enrollment.url : 'URL';
  return [
    `! for each device (shown for ${n}):`,
    'configure terminal',
    `crypto key generate rsa general-keys label ${n} modulus 2048 exportable`,
    `crypto pki trustpoint ${n}`,
    ` enrollment url ${url}`,
    ` subject-name ${row?.subject ?? `CN=${n}`}`,
    ...(row?.san?.length ? [` subject-alt-name ${row.san[0]}`] : []),
    ' serial-number none',
    ' ip-address none',
    ` password ${row?.challenge ?? tp?.password ?? 'CHALLENGE'}`,
    ` rsakeypair ${n}`,
    ' exit',
    `crypto pki authenticate ${n}`,
    `crypto pki enroll ${n}`,
    `crypto pki export ${n} pkcs12 tftp://desk/${n}.p12 ${spec.profile} password ${spec.password}`,
    `no crypto pki trustpoint ${n}`,
    `crypto key zeroize rsa ${n}`,
    'end',
  ];
}

export async function startBatch(app: TrustpointApp, io: Interaction, spec: DeskSpec): Promise<DeskBatch> {
  if (active) refuse('% A batch is already running.');
  const tp = app.running.trustpoints.get(spec.trustpoint);
  if (!tp) refuse(`% Trustpoint ${spec.trustpoint} not found.`);
  if (tp.enrollment?.kind !== 'url' || !/^https?:/i.test(tp.enrollment.url)) refuse(`% Trustpoint ${spec.trustpoint} does not enroll over SCEP (enrollment url http://…): the desk needs a CA it can reach.`);
  scepPeers(app, spec.trustpoint); // refuses when the CA is not authenticated
  if (!spec.rows.length) refuse('% No device names given.');
  if (!spec.password && spec.rows.some((r) => !r.password)) refuse('% Give an export password (for the batch, or a password column).');
  const old = await loadBatch(app);
  if (old && old.rows.some((r) => r.state === 'issued')) refuse('% The last batch has files not yet exported: download its ZIP (or discard it) first.');
  if (old) await discard(app, old);
  const b: DeskBatch = {
    id: `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`,
    trustpoint: spec.trustpoint,
    createdAt: app.clock().getTime(),
    profile: spec.profile,
    concurrency: Math.min(8, Math.max(1, spec.concurrency ?? 1)),
    rows: spec.rows.map((r) => ({ name: r.name, subject: r.subject ?? `CN=${r.name}`, san: r.san ?? [], state: 'queued' })),
    running: false,
  };
  const secrets: Secrets = { password: spec.password, rows: {} };
  for (const r of spec.rows) if (r.challenge || r.password) secrets.rows[r.name] = { ...(r.challenge ? { challenge: r.challenge } : {}), ...(r.password ? { password: r.password } : {}) };
  // subjects are checked before anything is sent
  for (const r of b.rows) {
    try {
      parseX500Name(r.subject);
    } catch (e) {
      refuse(`% ${r.name}: invalid subject "${r.subject}": ${(e as Error).message.replace(/^names\.parse: /, '')}`);
    }
  }
  await app.meta.set(SECRETS, await app.keys.store.wrap(new TextEncoder().encode(JSON.stringify(secrets))));
  await saveBatch(app, b);
  await run(app, io, b);
  return (await loadBatch(app))!;
}

export async function resumeBatch(app: TrustpointApp, io: Interaction): Promise<DeskBatch | undefined> {
  const b = await loadBatch(app);
  if (!b) return undefined;
  if (active) return b;
  await run(app, io, b);
  return loadBatch(app);
}

/** Runs the batch's unfinished rows with at most `concurrency` in flight; resolves when all settled or cancelled. */
async function run(app: TrustpointApp, io: Interaction, b: DeskBatch): Promise<void> {
  const controller = new AbortController();
  const onAbort = () => controller.abort();
  io.signal.addEventListener('abort', onAbort, { once: true });
  let release!: () => void;
  active = { id: b.id, controller, done: new Promise((r) => (release = r)) };
  b.running = true;
  emitDesk(app, b);
  let chain = Promise.resolve();
  const persist = () => (chain = chain.then(() => saveBatch(app, b)).catch(() => undefined));
  try {
    const secrets = await secretsOf(app);
    const tp = app.running.trustpoints.get(b.trustpoint);
    if (!tp || tp.enrollment?.kind !== 'url') refuse(`% Trustpoint ${b.trustpoint} is gone or no longer enrolls over SCEP.`);
    const url = tp.enrollment.url;
    const transport = httpScepTransport(url);
    const peers = scepPeers(app, b.trustpoint);
    const caps = await transport.getCACaps(controller.signal);
    const choices = chooseFromCaps(caps);
    if ('error' in choices) refuse(`% ${choices.error}.`);
    const ctx: RowCtx = { app, transport, peers, choices, secrets, signal: controller.signal, batch: b, tpPassword: tp.password, persist, gate: semaphore(b.concurrency) };
    // rows that were at the CA when the page went away: ask the CA, never send again
    for (const r of b.rows) if (r.state === 'sending') await recover(ctx, r);
    for (const r of b.rows) if (r.state === 'keygen') r.state = 'queued';
    persist();
    const queue = b.rows.filter((r) => r.state === 'queued');
    const worker = async () => {
      for (;;) {
        if (controller.signal.aborted) return;
        const r = queue.shift();
        if (!r) return;
        await enrollRow(ctx, r);
      }
    };
    // Rows in parallel (key generation, CSR, PKCS#12 overlap the requests of other rows).
    await Promise.all(Array.from({ length: Math.min(Math.max(ROW_WORKERS, b.concurrency), queue.length || 1) }, worker));
    if (controller.signal.aborted) for (const r of b.rows) if (r.state === 'queued') r.state = 'cancelled';
  } catch (e) {
    if (!isAbortError(e)) io.print(explain(e));
    if (!isAbortError(e)) throw e;
  } finally {
    io.signal.removeEventListener('abort', onAbort);
    persist();
    await chain;
    active = undefined;
    b.running = false;
    emitDesk(app, b);
    release();
  }
}

interface RowCtx {
  app: TrustpointApp;
  transport: ScepTransport;
  peers: ReturnType<typeof scepPeers>;
  choices: ScepChoices;
  secrets: Secrets;
  signal: AbortSignal;
  batch: DeskBatch;
  tpPassword: string | undefined;
  persist: () => Promise<void>;
  /** runs `fn` when fewer than `inFlight` requests are at the CA */
  gate: <T>(fn: () => Promise<T>) => Promise<T>;
}

/** At most `n` calls of the returned gate run at once; the others wait in order. */
function semaphore(n: number): <T>(fn: () => Promise<T>) => Promise<T> {
  let active = 0;
  const waiting: (() => void)[] = [];
  return async (fn) => {
    if (active >= n) await new Promise<void>((r) => waiting.push(r));
    active++;
    try {
      return await fn();
    } finally {
      active--;
      waiting.shift()?.();
    }
  };
}

interface Receiver {
  signer: ReturnType<typeof coreSigner>;
  decrypter: ReturnType<typeof coreDecrypter>;
  cert: Uint8Array;
}

async function receiverFor(app: TrustpointApp, pkcs8: Uint8Array, spki: Uint8Array, subject: string): Promise<Receiver> {
  const core = await app.core();
  const signer = coreSigner(core, pkcs8, spki, { kind: 'rsa', bits: 2048 });
  const decrypter = coreDecrypter(core, pkcs8, spki);
  const now = app.clock().getTime();
  const cert = await buildSelfSigned(
    { subject: parseX500Name(subject), serial: crypto.getRandomValues(new Uint8Array(8)), notBefore: new Date(now - 10 * 60_000), notAfter: new Date(now + 30 * 86_400_000), usage: [] },
    signer,
  );
  return { signer, decrypter, cert };
}

async function exchange(ctx: RowCtx, rx: Receiver, transactionID: string, messageType: 'PKCSReq' | 'CertPoll', content: Uint8Array): Promise<CertRep> {
  const engine = await ctx.app.engine();
  const senderNonce = crypto.getRandomValues(new Uint8Array(16));
  const msg = await buildPkiMessage(
    {
      messageType,
      transactionID,
      senderNonce,
      content,
      recipients: ctx.peers.recipients,
      cipher: ctx.choices.cipher,
      digest: ctx.choices.digest,
      signer: rx.signer,
      signerCert: rx.cert,
      signingTime: ctx.app.clock(),
      signal: ctx.signal,
    },
    engine,
  );
  // The bounded part: requests in flight at the CA (keys, CSRs and PKCS#12 files of other rows
  // are made meanwhile).
  const reply = await ctx.gate(() => ctx.transport.pkiOperation(msg, ctx.choices.post, ctx.signal));
  const rep = await parseCertRep(reply, { verify: ctx.app.verify, trusted: ctx.peers.trusted }, engine);
  if (rep.transactionID !== undefined && rep.transactionID !== transactionID) throw new ScepError('reply', `The CA reply is for transaction ${rep.transactionID}, not ours.`);
  if (!rep.recipientNonce || !equalBytes(rep.recipientNonce, senderNonce)) throw new ScepError('reply', 'The CA reply does not carry our nonce: ignored.');
  return rep;
}

async function issued(ctx: RowCtx, rx: Receiver, rep: CertRep, spki: Uint8Array): Promise<Uint8Array> {
  if (rep.status === 'FAILURE') throw new ScepError('failure', failureText(rep.failInfo, rep.failInfoText));
  const certs = await certRepCertificates(rep, { recipientCert: rx.cert, decrypter: rx.decrypter }, await ctx.app.engine());
  const mine = certs.find((c) => equalBytes(summarizeCertificate(c).spki, spki));
  if (!mine) throw new ScepError('reply', '% The CA returned certificates, but none for this key.');
  const chain = ctx.peers.cas;
  const v = await ctx.app.validateChain({ leaf: mine, intermediates: chain.slice(0, -1), anchors: [chain[chain.length - 1]!], time: ctx.app.clock(), ca: false });
  if (!v.ok) throw new ScepError('reply', `% The issued certificate does not chain to the CA: ${v.reason}.`);
  return mine;
}

async function pollPending(ctx: RowCtx, rx: Receiver, transactionID: string, csr: Uint8Array, rep: CertRep): Promise<CertRep> {
  const tp = ctx.app.running.trustpoints.get(ctx.batch.trustpoint);
  const period = (tp?.retryPeriod ?? 1) * 60_000;
  const count = tp?.retryCount ?? 10;
  for (let i = 0; rep.status === 'PENDING'; i++) {
    if (i >= count) throw new ScepError('pending-timeout', `% The CA left the request pending after ${count} polls.`);
    await sleep(ctx.app.scepPollDelay(period), ctx.signal);
    const names = certNamesDer(ctx.peers.cas[0]!);
    rep = await exchange(ctx, rx, transactionID, 'CertPoll', issuerAndSubject(names.subject, csrSubjectDer(csr)));
  }
  return rep;
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(abortError());
    const t = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(t);
      reject(abortError());
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

async function finishRow(ctx: RowCtx, r: DeskBatchRow, pkcs8: Uint8Array, cert: Uint8Array): Promise<void> {
  const t = performance.now();
  const pw = ctx.secrets.rows[r.name]?.password ?? ctx.secrets.password;
  const p12 = await writePkcs12({ key: pkcs8, certificate: cert, chain: ctx.peers.cas, friendlyName: r.name }, pw, await ctx.app.core(), { profile: ctx.batch.profile });
  await ctx.app.meta.set(p12Key(ctx.batch.id, r.name), p12);
  await ctx.app.meta.set(keyKey(ctx.batch.id, r.name), null);
  const s = summarizeCertificate(cert);
  r.serial = s.serial;
  r.notAfter = s.notAfter.getTime();
  r.state = 'issued';
  r.ms = { ...r.ms, pkcs12: performance.now() - t };
  delete r.error;
}

async function enrollRow(ctx: RowCtx, r: DeskBatchRow): Promise<void> {
  const { app } = ctx;
  const core = await app.core();
  let pkcs8: Uint8Array | undefined;
  try {
    r.state = 'keygen';
    void ctx.persist();
    let t = performance.now();
    const kp = await core.rsaGenerate(2048, 65537, { signal: ctx.signal });
    pkcs8 = kp.pkcs8;
    r.ms = { keygen: performance.now() - t };
    t = performance.now();
    const rx = await receiverFor(app, pkcs8, kp.spki, r.subject);
    const usage = app.running.trustpoints.get(ctx.batch.trustpoint)?.usage ?? ['ike'];
    const { keyUsage, extendedKeyUsage } = iosKeyUsage(usage, 'general', { kind: 'rsa', bits: 2048 });
    const challenge = ctx.secrets.rows[r.name]?.challenge ?? ctx.tpPassword;
    const csr = await buildCsr(
      {
        subject: parseX500Name(r.subject),
        ...(challenge ? { challengePassword: challenge } : {}),
        ...(r.san.length ? { subjectAltName: r.san.map((v) => (v.includes('@') ? { type: 'email' as const, value: v } : { type: 'dns' as const, value: v })) } : {}),
        keyUsage,
        ...(extendedKeyUsage.length ? { extendedKeyUsage } : {}),
      },
      rx.signer,
      undefined,
      ctx.signal,
    );
    const transactionID = transactionIdFor(await core.digest('SHA-256', kp.spki));
    // Before the request leaves: the key and the request, so a reload can ask the CA about it.
    const inflight: InFlight = { pkcs8: await app.keys.store.wrap(pkcs8), spki: Array.from(kp.spki), csr: Array.from(csr), choices: ctx.choices };
    await app.meta.set(keyKey(ctx.batch.id, r.name), inflight);
    r.transactionID = transactionID;
    r.state = 'sending';
    await ctx.persist();
    // A FAILURE is never retried: a CA may have issued anyway (micromdm's file depot writes the
    // certificate, then fails on its serial file under parallel requests and answers FAILURE).
    let rep = await exchange(ctx, rx, transactionID, 'PKCSReq', csr);
    if (rep.status === 'PENDING') rep = await pollPending(ctx, rx, transactionID, csr, rep);
    const cert = await issued(ctx, rx, rep, kp.spki);
    r.ms = { ...r.ms, enroll: performance.now() - t };
    await finishRow(ctx, r, pkcs8, cert);
  } catch (e) {
    // Cancel aborts every row: an operation of another row on the same crypto core ends with
    // the core's restart error rather than an AbortError, and is a cancellation all the same
    if (isAbortError(e) || ctx.signal.aborted) {
      if (r.state === 'sending') {
        r.state = 'interrupted';
        r.error = 'Cancelled while the request was at the CA: it may have been issued; not sent again.';
      } else r.state = 'cancelled';
    } else {
      r.state = 'failed';
      r.error = explain(e);
    }
  } finally {
    pkcs8?.fill(0);
    void ctx.persist();
  }
}

/** A row that was at the CA when the page went away: CertPoll under its transactionID. */
async function recover(ctx: RowCtx, r: DeskBatchRow): Promise<void> {
  const { app } = ctx;
  const f = await app.meta.get<InFlight | null>(keyKey(ctx.batch.id, r.name));
  if (!f || !r.transactionID) {
    r.state = 'interrupted';
    r.error = 'The page closed while the request was at the CA; it may have been issued, so it is not sent again.';
    return;
  }
  const pkcs8 = await app.keys.store.unwrap(f.pkcs8);
  try {
    const spki = new Uint8Array(f.spki);
    const rx = await receiverFor(app, pkcs8, spki, r.subject);
    const names = certNamesDer(ctx.peers.cas[0]!);
    let rep = await exchange(ctx, rx, r.transactionID, 'CertPoll', issuerAndSubject(names.subject, csrSubjectDer(new Uint8Array(f.csr))));
    if (rep.status === 'PENDING') rep = await pollPending(ctx, rx, r.transactionID, new Uint8Array(f.csr), rep);
    await finishRow(ctx, r, pkcs8, await issued(ctx, rx, rep, spki));
  } catch (e) {
    if (isAbortError(e)) throw e;
    r.state = 'interrupted';
    r.error = `The page closed while the request was at the CA, and the CA cannot say whether it issued it (CertPoll: ${explain(e).replace(/^% /, '')}); it is not sent again.`;
    await app.meta.set(keyKey(ctx.batch.id, r.name), null);
  } finally {
    pkcs8.fill(0);
  }
}

/** Cancels the running batch (rows in flight end as interrupted or cancelled). */
export async function cancelBatch(): Promise<void> {
  if (!active) return;
  active.controller.abort();
  await active.done;
}

function csvCell(v: string): string {
  return /[",\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
}

/** One ZIP: every PKCS#12 file (NAME.p12) and report.csv. */
export async function batchZip(app: TrustpointApp, b: DeskBatch): Promise<Uint8Array> {
  const files: Record<string, Uint8Array> = {};
  const report = ['name,subject,status,serial,not_after,file,error'];
  for (const r of b.rows) {
    let file = '';
    if (r.state === 'issued') {
      const p12 = await app.meta.get<Uint8Array | null>(p12Key(b.id, r.name));
      if (p12) {
        file = `${r.name}.p12`;
        files[file] = p12;
      }
    }
    report.push([r.name, r.subject, r.state, r.serial ?? '', r.notAfter ? new Date(r.notAfter).toISOString() : '', file, r.error ?? ''].map(csvCell).join(','));
  }
  files['report.csv'] = strToU8(report.join('\n') + '\n');
  return zipSync(files, { level: 0 });
}

async function discard(app: TrustpointApp, b: DeskBatch): Promise<void> {
  for (const r of b.rows) {
    await app.meta.set(p12Key(b.id, r.name), null);
    await app.meta.set(keyKey(b.id, r.name), null);
  }
  await app.meta.set(SECRETS, null);
  await app.meta.set(BATCH, null);
}

/**
 * After the ZIP was saved: the batch's PKCS#12 files and in-flight keys are deleted. With
 * `keepKeys`, each issued row's key and certificate are kept as a trustpoint-less key pair
 * labelled with the device name (exportable), read back from its own PKCS#12 file.
 */
export async function finishBatch(app: TrustpointApp, keepKeys: boolean): Promise<void> {
  const b = await loadBatch(app);
  if (!b) return;
  if (b.running) refuse('% The batch is still running: cancel it first.');
  if (keepKeys) {
    const { readPkcs12 } = await import('../pki/pkcs12.ts');
    const secrets = await secretsOf(app);
    for (const r of b.rows) {
      if (r.state !== 'issued') continue;
      const p12 = await app.meta.get<Uint8Array | null>(p12Key(b.id, r.name));
      if (!p12) continue;
      const c = await readPkcs12(p12, secrets.rows[r.name]?.password ?? secrets.password, await app.core());
      if (!c.key) continue;
      const rec = await app.keys.importPkcs8(r.name, 'general', c.key.pkcs8, true);
      c.key.pkcs8.fill(0);
      await app.keys.store.put([rec], [[rec.label, rec.usage]]);
    }
  }
  await discard(app, b);
  emitDesk(app, { ...b, rows: [], running: false });
}
