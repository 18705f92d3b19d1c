/**
 * The SCEP client (RFC 8894) of `crypto pki enroll NAME` for `enrollment url http(s)://...`:
 * GetCACaps, a PKCSReq — or, renewing, a RenewalReq signed with the current certificate — per
 * key, CertRep verification (the CA's signature, our transactionID and nonce), PENDING polling
 * with CertPoll every `enrollment retry period` minutes up to `enrollment retry count` times
 * (the transaction is kept in NVRAM through the host and resumes after a reload), and the
 * issued certificate checked against our key and the authenticated CA before the host stores it
 * with its key in one commit (app/commit.ts).
 *
 * Keys the browser cannot decrypt with — non-extractable WebCrypto keys, EC keys — sign the
 * PKCS#10 themselves, while an ephemeral RSA *transport* key (core-held, self-signed
 * certificate backdated a few minutes) signs the envelope and receives the reply.
 *
 * Everything the exchange needs of the application — key pairs and the keys that receive
 * replies, NVRAM, debug output, the commit — is the `ScepHost` port (app/scep.ts implements it);
 * the questions go to the host's `EnrollIo`.
 */
import { DEFAULTS, type RunningConfig, type Trustpoint } from '../../config/model.ts';
import type { Decrypter, Signer } from '../../crypto/types.ts';
import { summarizeCertificate } from '../../pki/x509.ts';
import { concatBytes, equalBytes } from '../../util/bytes.ts';
import { fromHex } from '../../util/hex.ts';
import { abortError, isAbortError } from '../../util/errors.ts';
import type { EnrollHost, EnrollKey } from '../host.ts';
import { announceSubject, askIdentity, subjectFor, trustpointCsr } from '../identity.ts';
import { isYes, refuse, type EnrollIo } from '../io.ts';
import { chooseFromCaps, parseCaCaps, type ScepChoices } from './caps.ts';
import { ScepError, failureText } from './errors.ts';
import { describeMessage, type ScepDebug } from './inspect.ts';
import { buildPkiMessage, certNamesDer, certRepCertificates, csrSubjectDer, issuerAndSubject, parseCertRep, transactionIdFor, type CertRep } from './message.ts';
import { httpScepTransport, type ScepTransport } from './transport.ts';

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
export function scepPeers(cfg: RunningConfig, name: string, opts: { towardRollover?: boolean } = {}): ScepPeers {
  const certs = cfg.chains.get(name)?.certificates ?? [];
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

/** The key that signs the envelope and receives the reply; `W` is its wrapped (storable) form. */
export interface Receiver<W> {
  signer: Signer;
  decrypter: Decrypter;
  cert: Uint8Array;
  /** its PKCS#8, wrapped for NVRAM (a pending transaction must survive a reload) */
  wrapped: W;
}

/**
 * A request the CA left PENDING, kept in NVRAM so polling resumes after a reload. It keeps
 * only what CertPoll needs: the request's subject, not the CSR (whose challenge password
 * must not sit in storage), and the transport key that receives the reply.
 */
export interface PendingTransaction<W = unknown> {
  trustpoint: string;
  url: string;
  transactionID: string;
  /** the request's subject (DER), for CertPoll's IssuerAndSubject */
  subject: Uint8Array;
  key: { label: string; usage: EnrollKey['usage'] };
  /** the enrolled key's public key (it stays in the key store while this is pending) */
  keySpki?: Uint8Array;
  receiverCert: Uint8Array;
  receiverSpki: Uint8Array;
  receiverKey: W;
  choices: ScepChoices;
  polls: number;
}

/** What the SCEP client needs of the application, besides the `EnrollHost` every workflow has. */
export interface ScepHost<K extends EnrollKey, W> extends EnrollHost<K> {
  /** `debug crypto pki messages|transactions`, its lines redacted and recorded */
  readonly debug: ScepDebug;
  /** the pairs to certify; unattended, a pending (shadow) pair of an earlier attempt is reused */
  keysFor(tp: Trustpoint, opts: { forEnrollment: boolean; generalOnly?: boolean; reusePending?: boolean }): Promise<K[]>;
  /** the trustpoint's current pairs (under its key label) */
  currentKeys(tp: Trustpoint): Promise<K[]>;
  /** the pair a pending transaction certifies, if it still exists */
  pendingKey(p: PendingTransaction<W>): Promise<K | undefined>;
  sha256(data: Uint8Array): Promise<Uint8Array>;
  /** `key` as the receiver of the reply when it can decrypt (a core-held RSA key); with `cert` (its current certificate) for a RenewalReq */
  receiverOf(key: K, cert?: Uint8Array): Promise<Receiver<W> | undefined>;
  /** an ephemeral RSA transport key with a self-signed certificate */
  transportReceiver(): Promise<Receiver<W>>;
  /** the receiver of a pending transaction, from NVRAM */
  pendingReceiver(p: PendingTransaction<W>): Promise<Receiver<W>>;
  /** pending transactions in NVRAM */
  pendingTransactions(): Promise<PendingTransaction<W>[]>;
  savePending(p: PendingTransaction<W>): Promise<void>;
  forgetPending(transactionID: string): Promise<void>;
  /** a poll is waiting (or, undefined, no longer) — for `show crypto pki timers` and the views */
  pollWaiting(tp: Trustpoint, state: { transactionID: string; attempt: number; of: number; next: number } | undefined): void;
  /** how long to wait for a poll period (tests shorten it) */
  pollDelay(ms: number): number;
  testHook?(stage: string): Promise<void> | void;
  /** stores the issued certificates with their keys in one commit (app/scep.ts's storeIssued; token keys: the certificate also into the slot's object) */
  storeIssued(tp: Trustpoint, issued: { key: K; der: Uint8Array }[], endsPending: string[], underNextCa?: boolean): Promise<unknown>;
}

function transportFor(url: string, dbg: ScepDebug): ScepTransport {
  return httpScepTransport(
    url,
    dbg.transactions
      ? (ev) => dbg.print(`CRYPTO_PKI: ${ev.dir === 'request' ? 'Sending' : 'Received'} ${ev.operation} (${ev.method})${ev.status ? ` HTTP ${ev.status}` : ''}${ev.contentType ? ` ${ev.contentType}` : ''}${ev.bytes !== undefined ? `, ${ev.bytes} bytes` : ''}`)
      : undefined,
  );
}

async function capsOf(transport: ScepTransport, io: EnrollIo, dbg: ScepDebug): Promise<ScepChoices> {
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

interface Exchange<K extends EnrollKey, W> {
  host: ScepHost<K, W>;
  transport: ScepTransport;
  choices: ScepChoices;
  peers: ScepPeers;
  signer: Signer;
  signerCert: Uint8Array;
  extraCertificates: Uint8Array[];
  receiver: Receiver<W>;
  transactionID: string;
  /** when the issued certificate must validate (a shadow under the CA's next certificate: when that becomes valid) */
  validAt?: Date;
}

async function send<K extends EnrollKey, W>(x: Exchange<K, W>, messageType: 'PKCSReq' | 'RenewalReq' | 'CertPoll', content: Uint8Array, signer = x.signer, signerCert = x.signerCert): Promise<CertRep> {
  const { host } = x;
  const dbg = host.debug;
  const engine = await host.engine();
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
      signingTime: host.clock(),
      signal: host.io.signal,
    },
    engine,
  );
  if (dbg.messages) for (const l of await describeMessage(msg, 'request', x.choices)) dbg.print(l);
  const reply = await x.transport.pkiOperation(msg, x.choices.post, host.io.signal);
  let rep: CertRep;
  try {
    rep = await parseCertRep(reply, { verify: host.verify, trusted: x.peers.trusted }, engine);
  } finally {
    if (dbg.messages) for (const l of await describeMessage(reply, 'reply', x.choices)) dbg.print(l);
  }
  if (rep.transactionID !== undefined && rep.transactionID !== x.transactionID)
    throw new ScepError('reply', `The CA reply is for transaction ${rep.transactionID}, not ours (${x.transactionID}): ignored.`);
  if (!rep.recipientNonce || !equalBytes(rep.recipientNonce, senderNonce))
    throw new ScepError('reply', 'The CA reply does not carry our nonce (its recipientNonce is not our senderNonce): a replayed or misdirected reply; ignored.');
  if (dbg.transactions) dbg.print(`CRYPTO_PKI: transaction ${x.transactionID}: ${messageType} -> ${rep.status}${rep.failInfo !== undefined ? ` (failInfo ${rep.failInfo})` : ''}`);
  return rep;
}

/**
 * Polls a pending request until it is granted, refused, abandoned or cancelled. The record
 * stays in NVRAM until the caller has stored the certificate (or the CA refused it).
 */
async function poll<K extends EnrollKey, W>(x: Exchange<K, W>, tp: Trustpoint, pending: PendingTransaction<W>): Promise<CertRep> {
  const { host } = x;
  const io = host.io;
  const period = (tp.retryPeriod ?? DEFAULTS.retryPeriodMinutes) * 60_000;
  const count = tp.retryCount ?? DEFAULTS.retryCount;
  for (;;) {
    if (pending.polls >= count) {
      await host.forgetPending(pending.transactionID);
      throw new ScepError('pending-timeout', `% The CA left the request pending after ${count} polls: enrollment abandoned. Run "crypto pki enroll ${tp.name}" again when the CA has granted it.`);
    }
    pending.polls++;
    await host.savePending(pending);
    io.print(`%PKI-6-CERTPENDING: Certificate request pending: polling the CA in ${period / 60_000} minute${period === 60_000 ? '' : 's'} (${pending.polls} of ${count}; Ctrl-C cancels).`);
    const next = host.clock().getTime() + period;
    host.pollWaiting(tp, { transactionID: x.transactionID, attempt: pending.polls, of: count, next });
    io.progress?.({ stage: 'pending', transactionID: x.transactionID, attempt: pending.polls, of: count, nextPollAt: host.clock().getTime() + period });
    try {
      await sleep(host.pollDelay(period), io.signal);
    } catch (e) {
      host.pollWaiting(tp, undefined);
      if (isAbortError(e) && io.interactive) {
        await host.forgetPending(pending.transactionID);
        io.print(`% Enrollment of trustpoint ${tp.name} cancelled; the pending request is forgotten.`);
      }
      throw e;
    }
    host.pollWaiting(tp, undefined);
    // Forgotten meanwhile (a new request for the trustpoint, from another view or tab): stop.
    if (!(await host.pendingTransactions()).some((p) => p.transactionID === pending.transactionID)) throw abortError();
    const names = certNamesDer(x.peers.cas[0]!);
    const rep = await send(x, 'CertPoll', issuerAndSubject(names.subject, pending.subject), x.receiver.signer, x.receiver.cert);
    if (rep.status !== 'PENDING') return rep;
  }
}

/** SUCCESS → our certificate, checked; FAILURE → a ScepError in plain words. */
async function issuedCertificate<K extends EnrollKey, W>(x: Exchange<K, W>, rep: CertRep, keySpki: Uint8Array, ec: boolean, tp: Trustpoint): Promise<Uint8Array> {
  const { host } = x;
  if (rep.status === 'FAILURE') {
    const base = failureText(rep.failInfo, rep.failInfoText);
    const hint = rep.failInfo === 2 && ec ? '\n% Note: many SCEP CAs (micromdm among them) certify RSA keys only, and this request was for an EC key.' : '';
    throw new ScepError('failure', base + hint, { pkiStatus: rep.pkiStatus, ...(rep.failInfo !== undefined ? { failInfo: rep.failInfo } : {}), transactionID: x.transactionID });
  }
  const certs = await certRepCertificates(rep, { recipientCert: x.receiver.cert, decrypter: x.receiver.decrypter }, await host.engine());
  const mine = certs.find((c) => equalBytes(summarizeCertificate(c).spki, keySpki));
  if (!mine) throw new ScepError('reply', '% The CA returned certificates, but none for our key: nothing stored.');
  const chain = x.peers.cas;
  const at = x.validAt ?? host.clock();
  const check = (time: Date) => host.validateChain({ leaf: mine, intermediates: chain.slice(0, -1), anchors: [chain[chain.length - 1]!], time, ca: false, trustpoint: tp });
  let v = await check(at);
  const s = summarizeCertificate(mine);
  if (!v.ok && (at > s.notAfter || at < s.notBefore)) {
    // Outside its validity by this device's clock only: the CA just issued it for our key and
    // signed the reply to our nonce, so the clock is what is wrong. Check it at its own start,
    // keep it, and say so (auto-enrollment then waits before renewing: app/auto.ts).
    const when = new Date(s.notBefore.getTime() + 1000);
    const again = await check(when);
    if (again.ok) {
      host.io.print(`% Warning: the issued certificate is valid from ${s.notBefore.toISOString()} to ${s.notAfter.toISOString()}, which this device's clock (${at.toISOString()}) puts ${at > s.notAfter ? 'after its end' : 'before its start'}. Check the clock (NTP) of this device or the CA.`);
      v = again;
    }
  }
  if (!v.ok) throw new ScepError('reply', `% The issued certificate does not chain to the authenticated CA: ${v.reason}. Nothing stored.`);
  return mine;
}

/** The certificate of a final reply; a refused or unusable reply ends the pending transaction. */
async function finalCertificate<K extends EnrollKey, W>(x: Exchange<K, W>, rep: CertRep, key: K, tp: Trustpoint): Promise<Uint8Array> {
  try {
    return await issuedCertificate(x, rep, key.spki, key.kind === 'ec', tp);
  } catch (e) {
    await x.host.forgetPending(x.transactionID);
    throw e;
  }
}

/** `crypto pki enroll NAME` over SCEP (see the file comment). */
export async function enrollScep<K extends EnrollKey, W>(host: ScepHost<K, W>, tp: Trustpoint, url: string, opts: { towardRollover?: boolean } = {}): Promise<void> {
  const io = host.io;
  const dbg = host.debug;
  const peers = scepPeers(host.running, tp.name, opts);
  const transport = transportFor(url, dbg);
  const waiting = (await host.pendingTransactions()).filter((p) => p.trustpoint === tp.name);
  if (waiting.length) {
    io.print(`% A request of trustpoint ${tp.name} is pending at the CA (transaction ${waiting[0]!.transactionID}).`);
    if (!io.interactive) refuse(`% A request of trustpoint ${tp.name} is already pending at the CA: it is being polled, no new request is made.`);
    if (!isYes(await io.ask({ text: '% Forget it and make a new request? [yes/no]: ', kind: 'yesno' }))) refuse('% Enrollment not started.');
    for (const w of waiting) await host.forgetPending(w.transactionID);
  }
  io.print('% Start certificate enrollment ..');
  const choices = await capsOf(transport, io, dbg);
  const renewing = (host.running.chains.get(tp.name)?.certificates ?? []).some((c) => c.kind === 'general' && host.clock() < summarizeCertificate(c.der).notAfter);
  const keys = await host.keysFor(tp, { forEnrollment: true, reusePending: !io.interactive });
  announceSubject(host, io, tp);
  const id = await askIdentity(host, io, tp, false, renewing);
  const { subject } = subjectFor(host, tp, id);
  if (id.serialNumber) io.print(`% The serial number in the certificate will be: ${id.serialNumber}`);
  if (id.ipAddress) io.print(`% The IP address in the certificate is ${id.ipAddress}`);
  // Toward the CA's next certificate: the result must validate once that certificate is valid.
  const validAt = opts.towardRollover ? new Date(Math.max(host.clock().getTime(), ...peers.cas.map((c) => summarizeCertificate(c).notBefore.getTime()))) : undefined;
  const ownCerts = (host.running.chains.get(tp.name)?.certificates ?? []).filter((c) => c.kind === 'general' && host.clock() < summarizeCertificate(c.der).notAfter);
  const currentKeys = await host.currentKeys(tp);
  const issued: { key: K; der: Uint8Array }[] = [];
  const ended: string[] = [];
  for (const key of keys) {
    const signer = await host.signer(key);
    const csr = await trustpointCsr(tp, subject, id, key.usage, signer, io.signal);
    // RFC 8894 §3.2.1.1: one transactionID per operation. The SHA-256 of the key names its first
    // request; a key that already holds a certificate (a renewal that keeps the key) mixes in that
    // certificate's serial number, so each renewal is a transaction of its own.
    const certified = ownCerts.find((c) => equalBytes(summarizeCertificate(c.der).spki, key.spki));
    const transactionID = transactionIdFor(await host.sha256(certified ? concatBytes(key.spki, fromHex(summarizeCertificate(certified.der).serial)) : key.spki));
    // Who receives the reply: the key itself when it can decrypt (a core-held RSA key), else a transport key.
    let receiver = await host.receiverOf(key);
    if (!receiver) {
      if (dbg.transactions) dbg.print(`CRYPTO_PKI: ${key.kind === 'ec' ? 'EC' : 'non-extractable'} key ${key.label}: an ephemeral RSA transport key signs the envelope and receives the reply.`);
      receiver = await host.transportReceiver();
    }
    // Renewal: the current certificate (of the same usage) signs when the CA supports it.
    const current = ownCerts.find((c) => currentKeys.some((k) => k.usage === key.usage && equalBytes(k.spki, summarizeCertificate(c.der).spki)));
    const currentKey = current ? currentKeys.find((k) => equalBytes(k.spki, summarizeCertificate(current.der).spki)) : undefined;
    let x: Exchange<K, W> = { host, transport, choices, peers, signer: receiver.signer, signerCert: receiver.cert, extraCertificates: [], receiver, transactionID, ...(validAt ? { validAt } : {}) };
    let messageType: 'PKCSReq' | 'RenewalReq' = 'PKCSReq';
    if (current && currentKey) {
      // A RenewalReq is signed with the current certificate, and the CA encrypts its reply to
      // that certificate (RFC 8894): only a current key that can decrypt (a core-held RSA key)
      // can receive it. A non-extractable or EC key renews with a PKCSReq instead.
      const cur = choices.renewal ? await host.receiverOf(currentKey, current.der) : undefined;
      if (cur) {
        messageType = 'RenewalReq';
        io.print(`% Renewing: RenewalReq signed with the current certificate (serial ${summarizeCertificate(current.der).serial}).`);
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
    await host.testHook?.('reply-received');
  }
  await host.storeIssued(tp, issued, ended, opts.towardRollover);
}

/**
 * Resumes the pending SCEP transactions kept in NVRAM (after a reload), non-interactively:
 * messages go to the console as IOS syslog lines.
 */
export async function resumePending<K extends EnrollKey, W>(host: ScepHost<K, W>): Promise<void> {
  const io = host.io;
  for (const p of await host.pendingTransactions()) {
    const tp = host.running.trustpoints.get(p.trustpoint);
    const key = await host.pendingKey(p);
    if (!tp || !key) {
      await host.forgetPending(p.transactionID);
      continue;
    }
    io.print(`%PKI-6-CERTPENDING: Resuming the pending request of trustpoint ${tp.name} (transaction ${p.transactionID}).`);
    try {
      const receiver = await host.pendingReceiver(p);
      const x: Exchange<K, W> = { host, transport: transportFor(p.url, host.debug), choices: p.choices, peers: scepPeers(host.running, tp.name), signer: receiver.signer, signerCert: receiver.cert, extraCertificates: [], receiver, transactionID: p.transactionID };
      const rep = await poll(x, tp, p);
      const der = await finalCertificate(x, rep, key, tp);
      await host.storeIssued(tp, [{ key, der }], [p.transactionID]);
    } catch (e) {
      if (isAbortError(e)) return;
      io.print((e as Error).message.startsWith('%') ? (e as Error).message : `% ${(e as Error).message}`);
    }
  }
}
