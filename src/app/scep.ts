/**
 * `crypto pki enroll NAME` over SCEP (RFC 8894) for `enrollment url http(s)://...`:
 * GetCACaps, a PKCSReq (or RenewalReq) per key, CertRep verification, PENDING polling with
 * CertPoll every `enrollment retry period` minutes up to `enrollment retry count` times (the
 * transaction is kept in NVRAM and resumes after a reload), the issued certificate checked
 * against our key and the authenticated CA, then stored with its key.
 *
 * Keys the browser cannot decrypt with — non-extractable WebCrypto keys, EC keys — sign the
 * PKCS#10 themselves, while an ephemeral RSA *transport* key (core-held, self-signed
 * certificate backdated a few minutes) signs the envelope and receives the reply.
 */
import type { TrustpointApp } from './app.ts';
import type { Interaction } from './interaction.ts';
import { keepOtherUsage, pruneOldCa } from './certs.ts';
import { PENDING_TX_PREFIX, commitChange } from './commit.ts';
import { assertCanStoreKeys } from './keys.ts';
import { refuse } from './refuse.ts';
import { keyRecordsFor, keySpecOf } from './trustpoint-keys.ts';
import { announceSubject, askIdentity, sanFor, subjectFor } from './enroll-common.ts';
import { isYes } from './prompter.ts';
import { DEFAULTS, type ChainCertificate, type Trustpoint } from '../config/model.ts';
import type { Decrypter, Signer } from '../crypto/types.ts';
import { coreDecrypter, coreSigner } from '../crypto/core-keys.ts';
import { buildCsr, iosKeyUsage } from '../pki/csr.ts';
import { buildSelfSigned } from '../pki/certgen.ts';
import { summarizeCertificate } from '../pki/x509.ts';
import { parseX500Name } from '../pki/names.ts';
import { httpScepTransport, type ScepTransport } from '../enroll/scep/transport.ts';
import { chooseFromCaps, parseCaCaps, type ScepChoices } from '../enroll/scep/caps.ts';
import { buildPkiMessage, certNamesDer, certRepCertificates, csrSubjectDer, issuerAndSubject, parseCertRep, transactionIdFor, type CertRep } from '../enroll/scep/message.ts';
import { ScepError, failureText } from '../enroll/scep/errors.ts';
import { describeMessage, type ScepDebug } from '../enroll/scep/inspect.ts';
import { abortError, isAbortError } from '../util/errors.ts';
import { equalBytes } from '../util/bytes.ts';
import type { KeyRecord, KeyUsage } from '../store/keystore.ts';

/** What the SCEP exchange needs of the CA side, from the trustpoint's chain. */
export interface ScepPeers {
  /** CA certificates, issuing CA first */
  cas: Uint8Array[];
  /** the certificates requests are encrypted to (the RA encryption certificate, every
   *  general-purpose RA certificate, or the CA) */
  recipients: Uint8Array[];
  /** certificates allowed to sign replies (RA certificates and the CA) */
  trusted: Uint8Array[];
}

/**
 * The CA side of a trustpoint. `towardRollover`: the request goes to the CA's rollover
 * certificate (GetNextCACert) — the guide's manual rollover, for a certificate that would
 * outlive the current CA certificate: the CA issues it under its next key.
 */
export function scepPeers(app: TrustpointApp, name: string, opts: { towardRollover?: boolean } = {}): ScepPeers {
  const certs = app.running.chains.get(name)?.certificates ?? [];
  const current = certs.filter((c) => c.kind === 'ca').map((c) => c.der);
  if (!current.length) refuse(`% You must authenticate the Certificate Authority before you can enroll with it ("crypto pki authenticate ${name}").`);
  const next = certs.filter((c) => c.kind === 'ca-rollover').map((c) => c.der);
  const previous = certs.filter((c) => c.kind === 'ca-previous').map((c) => c.der);
  const cas = opts.towardRollover && next.length ? next : current;
  const raEnc = certs.filter((c) => c.kind === 'ra-encrypt').map((c) => c.der);
  const raGeneral = certs.filter((c) => c.kind === 'ra-general').map((c) => c.der);
  const ras = certs.filter((c) => c.kind.startsWith('ra-')).map((c) => c.der);
  const recipients = opts.towardRollover && next.length ? [next[0]!] : raEnc.length ? raEnc : raGeneral.length ? raGeneral : [cas[0]!];
  // During a CA rollover the CA may sign replies with either key: both certificates were authenticated.
  return { cas, recipients, trusted: [...ras, ...current, ...next, ...previous] };
}

/** The key that signs the envelope and receives the reply. */
interface Receiver {
  signer: Signer;
  decrypter: Decrypter;
  cert: Uint8Array;
  /** its PKCS#8, wrapped for NVRAM (a pending transaction must survive a reload) */
  wrapped: NonNullable<KeyRecord['wrapped']>;
}

async function receiverFromPkcs8(app: TrustpointApp, pkcs8: Uint8Array, spki: Uint8Array, cert?: Uint8Array): Promise<Receiver> {
  const core = await app.core();
  const signer = coreSigner(core, pkcs8, spki, { kind: 'rsa', bits: (await core.rsaKeyInfo(pkcs8)).bits });
  const decrypter = coreDecrypter(core, pkcs8, spki);
  const wrapped = await app.keys.store.wrap(pkcs8);
  const now = app.clock().getTime();
  const c =
    cert ??
    (await buildSelfSigned(
      {
        subject: parseX500Name(`CN=SCEP transport ${app.running.hostname}, O=Trustpoint`),
        serial: crypto.getRandomValues(new Uint8Array(8)),
        notBefore: new Date(now - 10 * 60_000),
        notAfter: new Date(now + 30 * 86_400_000),
        usage: [],
      },
      signer,
    ));
  return { signer, decrypter, cert: c, wrapped };
}

/** An ephemeral RSA-2048 key held by the core, with a self-signed certificate. */
async function transportKey(app: TrustpointApp, io: Interaction): Promise<Receiver> {
  const core = await app.core();
  const kp = await core.rsaGenerate(2048, 65537, { signal: io.signal });
  try {
    return await receiverFromPkcs8(app, kp.pkcs8, kp.spki);
  } finally {
    kp.pkcs8.fill(0);
  }
}

function scepDebug(app: TrustpointApp, io: Interaction): ScepDebug {
  return {
    messages: app.debug.messages,
    transactions: app.debug.transactions,
    print: (line) => {
      app.recordDebug(line);
      io.print(app.redactSecrets(line));
    },
  };
}

function transportFor(url: string, dbg: ScepDebug): ScepTransport {
  return httpScepTransport(
    url,
    dbg.transactions
      ? (ev) => dbg.print(`CRYPTO_PKI: ${ev.dir === 'request' ? 'Sending' : 'Received'} ${ev.operation} (${ev.method})${ev.status ? ` HTTP ${ev.status}` : ''}${ev.contentType ? ` ${ev.contentType}` : ''}${ev.bytes !== undefined ? `, ${ev.bytes} bytes` : ''}`)
      : undefined,
  );
}

async function capsOf(transport: ScepTransport, io: Interaction, dbg: ScepDebug): Promise<ScepChoices> {
  let caps;
  try {
    caps = await transport.getCACaps(io.signal);
  } catch (e) {
    if (isAbortError(e)) throw e;
    io.print(`% Warning: GetCACaps failed (${(e as Error).message.replace(/^% /, '')}); assuming an old CA (3DES, SHA-1).`);
    caps = parseCaCaps('DES3\nSHA-1');
  }
  if (dbg.transactions) dbg.print(`CRYPTO_PKI: CA capabilities: ${caps.raw.join(', ') || '(none)'}`);
  let c = chooseFromCaps(caps);
  if ('error' in c && io.interactive) {
    // Single DES (56-bit) only as the user's explicit legacy choice, never silently.
    io.print('% The CA offers neither AES nor 3DES for the request envelope: only single DES (56-bit, breakable).');
    if (isYes(await io.ask({ text: '% Encrypt the request (and its challenge password) with single DES anyway? [yes/no]: ', kind: 'yesno' }))) c = chooseFromCaps(caps, { allowDes: true });
  }
  if ('error' in c) refuse(`% Enrollment not started: ${c.error}.`);
  return c;
}

/** Waits `ms`, or rejects with AbortError when cancelled (Ctrl-C). */
function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(abortError());
    const onAbort = () => {
      clearTimeout(t);
      reject(abortError());
    };
    const t = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

interface Exchange {
  app: TrustpointApp;
  io: Interaction;
  transport: ScepTransport;
  choices: ScepChoices;
  peers: ScepPeers;
  dbg: ScepDebug;
  signer: Signer;
  signerCert: Uint8Array;
  extraCertificates: Uint8Array[];
  receiver: Receiver;
  transactionID: string;
  /** when the issued certificate must validate (a shadow under the CA's next certificate: when that becomes valid) */
  validAt?: Date;
}

async function send(x: Exchange, messageType: 'PKCSReq' | 'RenewalReq' | 'CertPoll', content: Uint8Array, signer = x.signer, signerCert = x.signerCert): Promise<CertRep> {
  const engine = await x.app.engine();
  const senderNonce = crypto.getRandomValues(new Uint8Array(16));
  const msg = await buildPkiMessage(
    {
      messageType,
      transactionID: x.transactionID,
      senderNonce,
      content,
      recipients: x.peers.recipients,
      cipher: x.choices.cipher,
      digest: x.choices.digest,
      signer,
      signerCert,
      extraCertificates: messageType === 'CertPoll' ? [] : x.extraCertificates,
      signingTime: x.app.clock(),
      signal: x.io.signal,
    },
    engine,
  );
  if (x.dbg.messages) for (const l of await describeMessage(msg, 'request', x.choices)) x.dbg.print(l);
  const reply = await x.transport.pkiOperation(msg, x.choices.post, x.io.signal);
  let rep: CertRep;
  try {
    rep = await parseCertRep(reply, { verify: x.app.verify, trusted: x.peers.trusted }, engine);
  } finally {
    if (x.dbg.messages) for (const l of await describeMessage(reply, 'reply', x.choices)) x.dbg.print(l);
  }
  if (rep.transactionID !== undefined && rep.transactionID !== x.transactionID)
    throw new ScepError('reply', `The CA reply is for transaction ${rep.transactionID}, not ours (${x.transactionID}): ignored.`);
  if (!rep.recipientNonce || !equalBytes(rep.recipientNonce, senderNonce))
    throw new ScepError('reply', 'The CA reply does not carry our nonce (its recipientNonce is not our senderNonce): a replayed or misdirected reply; ignored.');
  if (x.dbg.transactions) x.dbg.print(`CRYPTO_PKI: transaction ${x.transactionID}: ${messageType} -> ${rep.status}${rep.failInfo !== undefined ? ` (failInfo ${rep.failInfo})` : ''}`);
  return rep;
}

// ---------------------------------------------------------------------------------------
// pending transactions in NVRAM

/** Where pending transactions were kept before each had its own record (one list). */
const LEGACY_PENDING_KEY = 'scep-pending';

/**
 * A request the CA left PENDING, kept in NVRAM so polling resumes after a reload. It keeps
 * only what CertPoll needs: the request's subject, not the CSR (whose challenge password
 * must not sit in storage), and the transport key that receives the reply.
 */
export interface PendingTransaction {
  trustpoint: string;
  url: string;
  transactionID: string;
  /** the request's subject (DER), for CertPoll's IssuerAndSubject */
  subject: Uint8Array;
  key: { label: string; usage: KeyUsage };
  /** the enrolled key's public key (it stays in the key store while this is pending) */
  keySpki?: Uint8Array;
  receiverCert: Uint8Array;
  receiverSpki: Uint8Array;
  receiverKey: NonNullable<KeyRecord['wrapped']>;
  choices: ScepChoices;
  polls: number;
}

/** The pending transactions in NVRAM (records of older versions are brought up to date). */
export async function pendingTransactions(app: TrustpointApp): Promise<PendingTransaction[]> {
  const legacy = await app.meta.get<(PendingTransaction & { csr?: Uint8Array })[]>(LEGACY_PENDING_KEY);
  if (legacy) {
    for (const p of legacy) {
      const { csr, ...rest } = p;
      await app.meta.set(PENDING_TX_PREFIX + p.transactionID, { ...rest, subject: p.subject ?? csrSubjectDer(csr!) });
    }
    await app.meta.remove(LEGACY_PENDING_KEY);
  }
  return (await app.meta.entries<PendingTransaction>(PENDING_TX_PREFIX)).map(([, p]) => p);
}

async function savePending(app: TrustpointApp, io: Interaction, p: PendingTransaction): Promise<void> {
  if (p.receiverKey.alg === 'none') await assertCanStoreKeys(io, 'the key that will receive the certificate');
  await app.meta.set(PENDING_TX_PREFIX + p.transactionID, p);
}

export async function forgetPending(app: TrustpointApp, transactionID: string): Promise<void> {
  await app.meta.remove(PENDING_TX_PREFIX + transactionID);
}

/**
 * Polls a pending request until it is granted, refused, abandoned or cancelled. The record
 * stays in NVRAM until the caller has stored the certificate (or the CA refused it).
 */
async function poll(x: Exchange, tp: Trustpoint, pending: PendingTransaction): Promise<CertRep> {
  const period = (tp.retryPeriod ?? DEFAULTS.retryPeriodMinutes) * 60_000;
  const count = tp.retryCount ?? DEFAULTS.retryCount;
  for (;;) {
    if (pending.polls >= count) {
      await forgetPending(x.app, pending.transactionID);
      throw new ScepError('pending-timeout', `% The CA left the request pending after ${count} polls: enrollment abandoned. Run "crypto pki enroll ${tp.name}" again when the CA has granted it.`);
    }
    pending.polls++;
    await savePending(x.app, x.io, pending);
    x.io.print(`%PKI-6-CERTPENDING: Certificate request pending: polling the CA in ${period / 60_000} minute${period === 60_000 ? '' : 's'} (${pending.polls} of ${count}; Ctrl-C cancels).`);
    x.app.pendingPolls.set(tp.name, { transactionID: x.transactionID, attempt: pending.polls, of: count, next: x.app.clock().getTime() + period });
    x.io.progress?.({ stage: 'pending', transactionID: x.transactionID, attempt: pending.polls, of: count, nextPollAt: x.app.clock().getTime() + period });
    x.app.emitChange();
    try {
      await sleep(x.app.scepPollDelay(period), x.io.signal);
    } catch (e) {
      x.app.pendingPolls.delete(tp.name);
      if (isAbortError(e) && x.io.interactive) {
        await forgetPending(x.app, pending.transactionID);
        x.io.print(`% Enrollment of trustpoint ${tp.name} cancelled; the pending request is forgotten.`);
      }
      throw e;
    }
    x.app.pendingPolls.delete(tp.name);
    // Forgotten meanwhile (a new request for the trustpoint, from another view or tab): stop.
    if (!(await pendingTransactions(x.app)).some((p) => p.transactionID === pending.transactionID)) throw abortError();
    const names = certNamesDer(x.peers.cas[0]!);
    const rep = await send(x, 'CertPoll', issuerAndSubject(names.subject, pending.subject), x.receiver.signer, x.receiver.cert);
    if (rep.status !== 'PENDING') return rep;
  }
}

/** SUCCESS → our certificate, checked; FAILURE → a ScepError in plain words. */
async function issuedCertificate(x: Exchange, rep: CertRep, keySpki: Uint8Array, ec: boolean, tp: Trustpoint): Promise<Uint8Array> {
  if (rep.status === 'FAILURE') {
    const base = failureText(rep.failInfo, rep.failInfoText);
    const hint = rep.failInfo === 2 && ec ? '\n% Note: many SCEP CAs (micromdm among them) certify RSA keys only, and this request was for an EC key.' : '';
    throw new ScepError('failure', base + hint, { pkiStatus: rep.pkiStatus, ...(rep.failInfo !== undefined ? { failInfo: rep.failInfo } : {}), transactionID: x.transactionID });
  }
  const certs = await certRepCertificates(rep, { recipientCert: x.receiver.cert, decrypter: x.receiver.decrypter }, await x.app.engine());
  const mine = certs.find((c) => equalBytes(summarizeCertificate(c).spki, keySpki));
  if (!mine) throw new ScepError('reply', '% The CA returned certificates, but none for our key: nothing stored.');
  const chain = x.peers.cas;
  const at = x.validAt ?? x.app.clock();
  const check = (time: Date) => x.app.validateChain({ leaf: mine, intermediates: chain.slice(0, -1), anchors: [chain[chain.length - 1]!], time, ca: false, trustpoint: tp });
  let v = await check(at);
  const s = summarizeCertificate(mine);
  if (!v.ok && (at > s.notAfter || at < s.notBefore)) {
    // Outside its validity by this device's clock only: the CA just issued it for our key and
    // signed the reply to our nonce, so the clock is what is wrong. Check it at its own start,
    // keep it, and say so (auto-enrollment then waits before renewing: app/auto.ts).
    const when = new Date(s.notBefore.getTime() + 1000);
    const again = await check(when);
    if (again.ok) {
      x.io.print(`% Warning: the issued certificate is valid from ${s.notBefore.toISOString()} to ${s.notAfter.toISOString()}, which this device's clock (${at.toISOString()}) puts ${at > s.notAfter ? 'after its end' : 'before its start'}. Check the clock (NTP) of this device or the CA.`);
      v = again;
    }
  }
  if (!v.ok) throw new ScepError('reply', `% The issued certificate does not chain to the authenticated CA: ${v.reason}. Nothing stored.`);
  return mine;
}

/**
 * Stores issued certificates with their keys in one commit (app/commit.ts) and ends the
 * transactions that produced them. A certificate valid now becomes the trustpoint's
 * certificate and its (shadow) key the current key, the replaced key being retired; one not
 * valid yet is kept as the rollover (shadow) certificate beside the current one, its key
 * pending, until the SHADOW timer activates it.
 */
export async function storeIssued(app: TrustpointApp, io: Interaction, tp: Trustpoint, issued: { key: KeyRecord; der: Uint8Array }[], endsPending: string[] = [], underNextCa = false): Promise<'active' | 'shadow'> {
  const now = app.clock();
  // Not valid yet, or issued under the CA's next certificate (active only after the CA rollover): a shadow.
  const shadow = underNextCa || issued.some(({ der }) => summarizeCertificate(der).notBefore > now);
  const tpKeys = [...(await app.keys.byLabel(keySpecOf(app, tp).label)), ...issued.map((i) => i.key)];
  io.print('%PKI-6-CERTRET: Certificate received from Certificate Authority');
  for (const { der } of issued) io.progress?.({ stage: 'issued', serial: summarizeCertificate(der).serial });
  await commitChange(app, io, {
    ...(shadow ? {} : { activate: issued.map((i) => i.key) }),
    endsPending,
    apply: (cfg) => {
      const entry = cfg.chains.get(tp.name)!;
      let certs = entry.certificates;
      for (const { key } of issued) certs = shadow ? certs.filter((c) => c.kind !== 'rollover') : keepOtherUsage(certs, tpKeys, key);
      const fresh: ChainCertificate[] = issued.map(({ der }) => ({ kind: shadow ? 'rollover' : 'general', serial: summarizeCertificate(der).serial, der }));
      entry.certificates = [...fresh, ...certs];
      pruneOldCa(entry.certificates);
    },
  });
  if (shadow) io.print(`%PKI-6-CERT_SHADOW_INSTALL: A shadow (rollover) certificate has been installed for trustpoint ${tp.name}; it becomes active ${underNextCa ? 'with the CA rollover' : `at ${summarizeCertificate(issued[0]!.der).notBefore.toISOString()}`}.`);
  return shadow ? 'shadow' : 'active';
}

// ---------------------------------------------------------------------------------------
// crypto pki enroll (SCEP)

export async function enrollScep(app: TrustpointApp, io: Interaction, tp: Trustpoint, url: string, opts: { towardRollover?: boolean } = {}): Promise<void> {
  const peers = scepPeers(app, tp.name, opts);
  const dbg = scepDebug(app, io);
  const transport = transportFor(url, dbg);
  const waiting = (await pendingTransactions(app)).filter((p) => p.trustpoint === tp.name);
  if (waiting.length) {
    io.print(`% A request of trustpoint ${tp.name} is pending at the CA (transaction ${waiting[0]!.transactionID}).`);
    if (!io.interactive) refuse(`% A request of trustpoint ${tp.name} is already pending at the CA: it is being polled, no new request is made.`);
    if (!isYes(await io.ask({ text: '% Forget it and make a new request? [yes/no]: ', kind: 'yesno' }))) refuse('% Enrollment not started.');
    for (const w of waiting) await forgetPending(app, w.transactionID);
  }
  io.print('% Start certificate enrollment ..');
  const choices = await capsOf(transport, io, dbg);
  const renewing = (app.running.chains.get(tp.name)?.certificates ?? []).some((c) => c.kind === 'general' && app.clock() < summarizeCertificate(c.der).notAfter);
  const keys = await keyRecordsFor(app, io, tp, { forEnrollment: true, reusePending: !io.interactive });
  announceSubject(app, io, tp);
  const id = await askIdentity(app, io, tp, false, renewing);
  const { subject } = subjectFor(app, tp, id);
  if (id.serialNumber) io.print(`% The serial number in the certificate will be: ${id.serialNumber}`);
  if (id.ipAddress) io.print(`% The IP address in the certificate is ${id.ipAddress}`);
  const core = await app.core();
  // Toward the CA's next certificate: the result must validate once that certificate is valid.
  const validAt = opts.towardRollover ? new Date(Math.max(app.clock().getTime(), ...peers.cas.map((c) => summarizeCertificate(c).notBefore.getTime()))) : undefined;
  const ownCerts = (app.running.chains.get(tp.name)?.certificates ?? []).filter((c) => c.kind === 'general' && app.clock() < summarizeCertificate(c.der).notAfter);
  const currentKeys = await app.keys.byLabel(keySpecOf(app, tp).label);
  const issued: { key: KeyRecord; der: Uint8Array }[] = [];
  const ended: string[] = [];
  for (const key of keys) {
    const signer = await app.keys.signer(key);
    const { keyUsage, extendedKeyUsage } = iosKeyUsage(tp.usage ?? ['ike'], key.usage, signer.key);
    const san = sanFor(tp);
    const csr = await buildCsr(
      {
        subject,
        ...(id.challengePassword ? { challengePassword: id.challengePassword } : {}),
        ...(san ? { subjectAltName: san } : {}),
        keyUsage,
        ...(extendedKeyUsage.length ? { extendedKeyUsage } : {}),
      },
      signer,
      undefined,
      io.signal,
    );
    const transactionID = transactionIdFor(await core.digest('SHA-256', key.spki));
    // Who receives the reply: the key itself when the core holds it (RSA), else a transport key.
    let receiver: Receiver;
    if (key.holder === 'core' && key.kind === 'rsa') {
      receiver = await receiverFromPkcs8(app, await app.keys.store.unwrap(key.wrapped!), key.spki);
    } else {
      if (dbg.transactions) dbg.print(`CRYPTO_PKI: ${key.kind === 'ec' ? 'EC' : 'non-extractable'} key ${key.label}: an ephemeral RSA transport key signs the envelope and receives the reply.`);
      receiver = await transportKey(app, io);
    }
    // Renewal: the current certificate (of the same usage) signs when the CA supports it.
    const current = ownCerts.find((c) => currentKeys.some((k) => k.usage === key.usage && equalBytes(k.spki, summarizeCertificate(c.der).spki)));
    const currentKey = current ? currentKeys.find((k) => equalBytes(k.spki, summarizeCertificate(current.der).spki)) : undefined;
    let x: Exchange = { app, io, transport, choices, peers, dbg, signer: receiver.signer, signerCert: receiver.cert, extraCertificates: [], receiver, transactionID, ...(validAt ? { validAt } : {}) };
    let messageType: 'PKCSReq' | 'RenewalReq' = 'PKCSReq';
    if (current && currentKey) {
      // A RenewalReq is signed with the current certificate, and the CA encrypts its reply to
      // that certificate (RFC 8894): only a current key that can decrypt (a core-held RSA key)
      // can receive it. A non-extractable or EC key renews with a PKCSReq instead.
      const canReceive = currentKey.holder === 'core' && currentKey.kind === 'rsa';
      if (choices.renewal && canReceive) {
        messageType = 'RenewalReq';
        io.print(`% Renewing: RenewalReq signed with the current certificate (serial ${summarizeCertificate(current.der).serial}).`);
        const pkcs8 = await app.keys.store.unwrap(currentKey.wrapped!);
        const cur = await receiverFromPkcs8(app, pkcs8, currentKey.spki, current.der);
        pkcs8.fill(0);
        receiver = cur;
        x = { ...x, receiver: cur, signer: cur.signer, signerCert: current.der, extraCertificates: [] };
      } else {
        io.print(
          `% Renewing: ${!choices.renewal ? 'the CA does not advertise Renewal' : `the current key cannot decrypt the CA's reply to a RenewalReq (${currentKey.kind === 'ec' ? 'an EC key' : 'a non-exportable key'})`}; a new PKCSReq is sent.`,
        );
      }
    }
    if (dbg.transactions) dbg.print(`CRYPTO_PKI: transaction ${transactionID}: ${messageType}, ${choices.cipher}, ${choices.digest}, ${choices.post ? 'POST' : 'GET'}`);
    io.progress?.({ stage: 'request', transactionID, method: 'SCEP' });
    let rep = await send(x, messageType, csr);
    if (rep.status === 'PENDING') {
      ended.push(transactionID);
      rep = await poll(x, tp, {
        trustpoint: tp.name,
        url,
        transactionID,
        subject: csrSubjectDer(csr),
        key: { label: key.label, usage: key.usage },
        keySpki: key.spki,
        receiverCert: receiver.cert,
        receiverSpki: receiver.signer.spki,
        receiverKey: receiver.wrapped,
        choices,
        polls: 0,
      });
    }
    issued.push({ key, der: await finalCertificate(x, rep, key, tp) });
    await app.testHook?.('reply-received');
  }
  await storeIssued(app, io, tp, issued, ended, opts.towardRollover);
  await app.tokens.afterIssued(io, issued); // token keys: the certificate also into the slot's object
}

/** The certificate of a final reply; a refused or unusable reply ends the pending transaction. */
async function finalCertificate(x: Exchange, rep: CertRep, key: KeyRecord, tp: Trustpoint): Promise<Uint8Array> {
  try {
    return await issuedCertificate(x, rep, key.spki, key.kind === 'ec', tp);
  } catch (e) {
    await forgetPending(x.app, x.transactionID);
    throw e;
  }
}

/**
 * Resumes the pending SCEP transactions kept in NVRAM (after a reload), non-interactively:
 * messages go to the console as IOS syslog lines.
 */
export async function resumePending(app: TrustpointApp, io: Interaction): Promise<void> {
  for (const p of await pendingTransactions(app)) {
    const tp = app.running.trustpoints.get(p.trustpoint);
    const key = p.keySpki ? (await app.keys.bySpki(p.keySpki))[0] : (await app.keys.byLabel(p.key.label)).find((k) => k.usage === p.key.usage);
    if (!tp || !key) {
      await forgetPending(app, p.transactionID);
      continue;
    }
    io.print(`%PKI-6-CERTPENDING: Resuming the pending request of trustpoint ${tp.name} (transaction ${p.transactionID}).`);
    try {
      const dbg = scepDebug(app, io);
      const pkcs8 = await app.keys.store.unwrap(p.receiverKey);
      const receiver = await receiverFromPkcs8(app, pkcs8, p.receiverSpki, p.receiverCert);
      pkcs8.fill(0);
      const x: Exchange = { app, io, transport: transportFor(p.url, dbg), choices: p.choices, peers: scepPeers(app, tp.name), dbg, signer: receiver.signer, signerCert: receiver.cert, extraCertificates: [], receiver, transactionID: p.transactionID };
      const rep = await poll(x, tp, p);
      const der = await finalCertificate(x, rep, key, tp);
      await storeIssued(app, io, tp, [{ key, der }], [p.transactionID]);
    } catch (e) {
      if (isAbortError(e)) return;
      io.print((e as Error).message.startsWith('%') ? (e as Error).message : `% ${(e as Error).message}`);
    }
  }
}
