/**
 * `crypto pki enroll NAME` over SCEP (RFC 8894): the app's side of the SCEP client
 * (enroll/scep/client.ts, which owns GetCACaps, PKCSReq/RenewalReq, CertPoll and the checks of
 * the issued certificate). Here: `scepHost` — the key store and the keys that receive replies
 * (a core-held RSA key itself, or an ephemeral RSA transport key with a self-signed
 * certificate), pending transactions in NVRAM, debug output, poll state — and `storeIssued`,
 * the one commit of issued certificates with their keys (app/commit.ts).
 */
import type { TrustpointApp } from './app.ts';
import type { Interaction } from './interaction.ts';
import { keepOtherUsage, pruneOldCa } from './certs.ts';
import { PENDING_TX_PREFIX, commitChange } from './commit.ts';
import { assertCanStoreKeys } from './keys.ts';
import { enrollHost } from './enroll-host.ts';
import { keyRecordsFor, keySpecOf } from './trustpoint-keys.ts';
import type { ChainCertificate, Trustpoint } from '../config/model.ts';
import { coreDecrypter, coreSigner } from '../crypto/core-keys.ts';
import { buildSelfSigned } from '../pki/certgen.ts';
import { summarizeCertificate } from '../pki/x509.ts';
import { parseX500Name } from '../pki/names.ts';
import { enrollScep as enrollWith, resumePending as resumeWith, scepPeers as peersOf, type ScepPeers, type PendingTransaction as Pending, type Receiver as ScepReceiver, type ScepHost } from '../enroll/scep/client.ts';
import type { ScepDebug } from '../enroll/scep/inspect.ts';
import { csrSubjectDer } from '../enroll/scep/message.ts';
import type { KeyRecord } from '../store/keystore.ts';

type Wrapped = NonNullable<KeyRecord['wrapped']>;
type Receiver = ScepReceiver<Wrapped>;

/** A request the CA left PENDING (enroll/scep/client.ts), its transport key wrapped for NVRAM. */
export type PendingTransaction = Pending<Wrapped>;

/** A core-held RSA key as the receiver of replies (`cert`, else a self-signed one); `wipe`: overwrite `pkcs8` after. */
async function receiverFromPkcs8(app: TrustpointApp, pkcs8: Uint8Array, spki: Uint8Array, cert?: Uint8Array, wipe = false): Promise<Receiver> {
  try {
    return await makeReceiver(app, pkcs8, spki, cert);
  } finally {
    if (wipe) pkcs8.fill(0);
  }
}

async function makeReceiver(app: TrustpointApp, pkcs8: Uint8Array, spki: Uint8Array, cert?: Uint8Array): Promise<Receiver> {
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

// ---------------------------------------------------------------------------------------
// pending transactions in NVRAM

/** Where pending transactions were kept before each had its own record (one list). */
const LEGACY_PENDING_KEY = 'scep-pending';

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
  // token keys: each certificate also into its slot's certificate object (a failure is only reported)
  await app.tokens.afterIssued(io, issued);
  if (shadow) io.print(`%PKI-6-CERT_SHADOW_INSTALL: A shadow (rollover) certificate has been installed for trustpoint ${tp.name}; it becomes active ${underNextCa ? 'with the CA rollover' : `at ${summarizeCertificate(issued[0]!.der).notBefore.toISOString()}`}.`);
  return shadow ? 'shadow' : 'active';
}

/** The CA side of a trustpoint (enroll/scep/client.ts's `scepPeers` over the running-config). */
export function scepPeers(app: TrustpointApp, name: string, opts: { towardRollover?: boolean } = {}): ScepPeers {
  return peersOf(app.running, name, opts);
}

// ---------------------------------------------------------------------------------------
// the SCEP client's host

/** The app as the SCEP client sees it (enroll/scep/client.ts). */
export function scepHost(app: TrustpointApp, io: Interaction): ScepHost<KeyRecord, Wrapped> {
  return {
    ...enrollHost(app, io),
    get running() {
      return app.running;
    },
    get serialNumber() {
      return app.serialNumber;
    },
    debug: scepDebug(app, io),
    keysFor: (tp, opts) => keyRecordsFor(app, io, tp, opts),
    currentKeys: (tp) => app.keys.byLabel(keySpecOf(app, tp).label),
    pendingKey: async (p) => (p.keySpki ? (await app.keys.bySpki(p.keySpki))[0] : (await app.keys.byLabel(p.key.label)).find((k) => k.usage === p.key.usage)),
    sha256: async (data) => (await app.core()).digest('SHA-256', data),
    receiverOf: async (key, cert) => (key.holder === 'core' && key.kind === 'rsa' ? receiverFromPkcs8(app, await app.keys.store.unwrap(key.wrapped!), key.spki, cert, cert !== undefined) : undefined),
    transportReceiver: () => transportKey(app, io),
    pendingReceiver: async (p) => receiverFromPkcs8(app, await app.keys.store.unwrap(p.receiverKey), p.receiverSpki, p.receiverCert, true),
    pendingTransactions: () => pendingTransactions(app),
    savePending: (p) => savePending(app, io, p),
    forgetPending: (id) => forgetPending(app, id),
    pollWaiting: (tp, state) => {
      if (!state) {
        app.pendingPolls.delete(tp.name);
        return;
      }
      app.pendingPolls.set(tp.name, state);
      app.emitChange();
    },
    pollDelay: (ms) => app.scepPollDelay(ms),
    ...(app.testHook ? { testHook: (stage: string) => app.testHook?.(stage) } : {}),
    storeIssued: (tp, issued, endsPending, underNextCa) => storeIssued(app, io, tp, issued, endsPending, underNextCa),
  };
}

/** `crypto pki enroll NAME` over SCEP for `enrollment url URL` (enroll/scep/client.ts). */
export async function enrollScep(app: TrustpointApp, io: Interaction, tp: Trustpoint, url: string, opts: { towardRollover?: boolean } = {}): Promise<void> {
  return enrollWith(scepHost(app, io), tp, url, opts);
}

/**
 * Resumes the pending SCEP transactions kept in NVRAM (after a reload), non-interactively:
 * messages go to the console as IOS syslog lines.
 */
export async function resumePending(app: TrustpointApp, io: Interaction): Promise<void> {
  return resumeWith(scepHost(app, io));
}
