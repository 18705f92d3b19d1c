/**
 * The PKI workflows of `crypto pki authenticate`, `crypto pki enroll` and
 * `crypto pki import NAME certificate` for the cut-and-paste, file and self-signed methods.
 * Every workflow validates everything before it changes anything: a cancelled prompt, a bad
 * paste or a refused certificate leaves the running-config, the keys and NVRAM as they were.
 *
 * After a successful change IOS saves by itself only when the running-config had no unsaved
 * changes; otherwise it says `%PKI-4-NOAUTOSAVE` — Trustpoint does the same.
 */
import { PkiError, isAbortError } from '../util/errors.ts';
import type { TrustpointApp } from './app.ts';
import { readPaste, type Interaction } from './interaction.ts';
import { fingerprints, fingerprintMatches } from './certs.ts';
import { generateKeysFor, keyRecordsFor } from './trustpoint-keys.ts';
import { announceSubject, askIdentity, sanFor, subjectFor } from './enroll-common.ts';
import { refuse } from './refuse.ts';
import { commitChange } from './commit.ts';
import { keepOtherUsage } from './certs.ts';
import { enrollScep } from './scep.ts';
import { isYes } from './prompter.ts';
import { fqdnOf, type ChainCertificate, type RunningConfig, type Trustpoint } from '../config/model.ts';
import { isUrlError, parseEnrollmentUrl } from '../config/url.ts';
import { readPasted, writeBase64Lines, writeCsrPem, type PemBlock } from '../pki/pem.ts';
import { certificatesFromPkcs7, classifyDer } from '../pki/cms.ts';
import { summarizeCertificate, type CertificateSummary } from '../pki/x509.ts';
import { buildCsr, iosKeyUsage, iosSubject, type IosKeyPurpose } from '../pki/csr.ts';
import { parseX500Name } from '../pki/names.ts';
import { buildSelfSigned, subjectPublicKeyBits } from '../pki/certgen.ts';
import { httpRequest } from '../enroll/transport.ts';
import { httpScepTransport } from '../enroll/scep/transport.ts';
import { parseCaCertReply, parseNextCaReply, pickRa } from '../enroll/scep/ca.ts';
import { toHex } from '../util/hex.ts';
import { iosDate } from '../util/time.ts';
import { utf8 } from '../util/bytes.ts';
import type { KeyRecord } from '../store/keystore.ts';

export { refuse };

function trustpointOrRefuse(cfg: RunningConfig, name: string): Trustpoint {
  const tp = cfg.trustpoints.get(name);
  if (!tp) refuse(`% Trustpoint ${name} not found. Configure it with "crypto pki trustpoint ${name}".`);
  return tp;
}

// ---------------------------------------------------------------------------------------
// where files go (TFTP and IOS file systems)

export type FileTarget =
  /** an IOS file system kept in IndexedDB (flash:, disk0: ...) */
  | { kind: 'fs'; fs: string; base: string }
  /** TFTP/FTP: the browser's own files (download, file picker, drag-and-drop, paste) */
  | { kind: 'browser'; base: string; url: string };

/**
 * The file base name an enrollment URL implies (IOS: the file specification of the URL, else
 * the FQDN), and where it lives. HTTP(S) URLs are not file targets.
 */
export function fileTarget(url: string, cfg: RunningConfig): FileTarget | undefined {
  const u = parseEnrollmentUrl(url);
  if (isUrlError(u)) return undefined;
  if (u.kind === 'http') return undefined;
  if (u.kind === 'ifs') {
    const path = u.path.replace(/^\/+/, '');
    return { kind: 'fs', fs: u.filesystem, base: path || fqdnOf(cfg) };
  }
  const last = u.path.split('/').filter(Boolean).pop();
  return { kind: 'browser', base: last || fqdnOf(cfg), url };
}

export async function readTargetFile(app: TrustpointApp, io: Interaction, t: FileTarget, name: string): Promise<PemBlock[]> {
  if (t.kind === 'fs') {
    const path = `${t.fs}:${name}`;
    const f = await app.files.read(path);
    if (!f) refuse(`%Error opening ${path} (No such file or directory)`);
    io.print(`Loading ${path} ... (${f.data.length} bytes)`);
    return readPasted(f.data);
  }
  io.print(`% TFTP is not possible in a browser: provide ${name} instead —`);
  io.print('% drop the file on the console, or paste its contents (PEM or base64).');
  io.print('End with a blank line or the word "quit" on a line by itself');
  const text = await readPaste(io);
  if (!text.trim()) refuse(`% No data for ${name}: nothing imported.`);
  return readPasted(text);
}

async function writeTargetFile(app: TrustpointApp, io: Interaction, t: FileTarget, name: string, data: Uint8Array): Promise<void> {
  if (t.kind === 'fs') {
    const path = `${t.fs}:${name}`;
    await app.files.write(path, data, app.clock().getTime());
    io.print(`% Certificate request written to ${path} (${data.length} bytes)`);
    return;
  }
  app.offerDownload(name, data, 'application/pkcs10');
  io.print(`% TFTP is not possible in a browser: ${name} is offered as a download (save it where the CA will pick it up).`);
}

// ---------------------------------------------------------------------------------------
// certificates from pasted / fetched data

/** Certificates (DER) in the blocks: X.509 certificates and PKCS#7 bundles. */
export function certificatesIn(blocks: PemBlock[]): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (const b of blocks) {
    const kind = classifyDer(b.der);
    if (kind === 'certificate') out.push(b.der);
    else if (kind === 'pkcs7') out.push(...certificatesFromPkcs7(b.der));
    else refuse(`% The data is ${kind === 'unknown' ? 'not a certificate' : `a ${kind.replace('-', ' ')}, not a certificate`}.`);
  }
  if (!out.length) refuse('% No certificate found in the data.');
  return out;
}

function sameName(a: CertificateSummary['subject'], b: CertificateSummary['issuer']): boolean {
  return JSON.stringify(a.map((x) => [x.oid, x.value])) === JSON.stringify(b.map((x) => [x.oid, x.value]));
}

/**
 * Orders a set of CA certificates from the issuing CA (the one that issues none of the
 * others) up to the root. Refuses a set that is not one chain.
 */
export function orderCaChain(ders: Uint8Array[]): { der: Uint8Array; s: CertificateSummary }[] {
  const items = ders.map((der) => ({ der, s: summarizeCertificate(der) }));
  const unique = items.filter((x, i) => items.findIndex((y) => toHex(y.der) === toHex(x.der)) === i);
  const issuesAnother = (x: (typeof unique)[number]) => unique.some((y) => y !== x && !y.s.selfIssued && sameName(x.s.subject, y.s.issuer));
  const leaves = unique.filter((x) => !issuesAnother(x));
  if (leaves.length !== 1) refuse(`% The data holds ${unique.length} certificates that do not form one chain.`);
  const chain = [leaves[0]!];
  while (!chain[chain.length - 1]!.s.selfIssued) {
    const cur = chain[chain.length - 1]!;
    const up = unique.find((y) => !chain.includes(y) && sameName(y.s.subject, cur.s.issuer));
    if (!up) break;
    chain.push(up);
  }
  if (chain.length !== unique.length) refuse('% The data holds certificates that are not part of the CA chain.');
  return chain;
}

/** CA (and RA) certificates from an http(s) URL: a certificate file, or SCEP GetCACert. */
async function fetchCaCertificates(app: TrustpointApp, io: Interaction, url: string): Promise<{ cas: Uint8Array[]; ras: Uint8Array[]; next?: Uint8Array }> {
  void app;
  if (/\.(cer|crt|der|pem|p7b|p7c)$/i.test(new URL(url).pathname)) {
    io.print(`% Retrieving the CA certificate from ${url} ...`);
    const res = await httpRequest(url, { signal: io.signal, maxBytes: 1 << 20 });
    return { cas: certificatesIn(readPasted(res.body)), ras: [] };
  }
  io.print(`% Retrieving the CA certificate from ${url} (SCEP GetCACert) ...`);
  const transport = httpScepTransport(url);
  const reply = await transport.getCACert(io.signal);
  const parsed = parseCaCertReply(reply.contentType, reply.body);
  // A CA rolling over its key publishes its next certificate (GetNextCACert, when advertised).
  let caps;
  try {
    caps = await transport.getCACaps(io.signal);
  } catch (e) {
    if (isAbortError(e)) throw e;
    return parsed; // an old CA without GetCACaps has no GetNextCACert either
  }
  if (!caps.has('GetNextCACert')) return parsed;
  try {
    return { ...parsed, next: (await transport.getNextCACert(io.signal)).body };
  } catch (e) {
    if (isAbortError(e)) throw e;
    io.print(`% Warning: the CA advertises GetNextCACert, but it failed (${(e as Error).message.replace(/^% /, '')}): no rollover CA certificate.`);
    return parsed;
  }
}

/** The CA's next certificate(s), checked to be signed by the current CA; shown like the CA's. */
async function rolloverCertificates(app: TrustpointApp, io: Interaction, next: Uint8Array, trusted: Uint8Array[]): Promise<ChainCertificate[]> {
  let cas: Uint8Array[];
  try {
    cas = await parseNextCaReply(next, { verify: app.verify, trusted }, await app.engine());
  } catch (e) {
    if (!(e instanceof PkiError)) throw e;
    io.print(`${e.message.startsWith('%') ? e.message : `% ${e.message}`} Ignored: the current CA certificate stays the only one.`);
    return [];
  }
  const out: ChainCertificate[] = [];
  for (const der of cas) {
    const s = summarizeCertificate(der);
    const fp = await fingerprints(await app.core(), der);
    printSummary(io, 'Rollover CA certificate (GetNextCACert), for when the current CA certificate expires:', s);
    io.print(`    Fingerprint SHA256: ${fp.sha256}`);
    out.push({ kind: 'ca-rollover', serial: s.serial, der });
  }
  return out;
}

// ---------------------------------------------------------------------------------------
// crypto pki authenticate

function printSummary(io: Interaction, label: string, s: CertificateSummary): void {
  if (label) io.print(label);
  io.print(`  Subject: ${s.subject.map((a) => `${a.short}=${a.value}`).join(', ') || '(empty)'}`);
  io.print(`  Issuer:  ${s.issuer.map((a) => `${a.short}=${a.value}`).join(', ') || '(empty)'}`);
  io.print(`  Serial Number: ${s.serial}`);
  io.print(`  Validity: ${iosDate(s.notBefore)} to ${iosDate(s.notAfter)}`);
}

export async function authenticate(app: TrustpointApp, io: Interaction, name: string): Promise<void> {
  const cfg = app.running;
  const tp = trustpointOrRefuse(cfg, name);
  const e = tp.enrollment;
  let ders: Uint8Array[];
  let ras: Uint8Array[] = [];
  let next: Uint8Array | undefined;
  if (!e) refuse(`% Trustpoint ${name} has no enrollment method: configure "enrollment terminal" or "enrollment url".`);
  else if (e.kind === 'selfsigned') refuse(`% Trustpoint ${name} is self-signed: there is no CA to authenticate.`);
  else if (e.kind === 'profile') ders = await (await import('./profile.ts')).profileCaCertificates(app, io, tp);
  else if (e.kind === 'acme') ders = await (await import('./acme.ts')).acmeCaCertificates(app, io, tp);
  else if (e.kind === 'terminal') {
    io.print('');
    io.print('Enter the base 64 encoded CA certificate.');
    io.print('End with a blank line or the word "quit" on a line by itself');
    io.print('');
    const text = await readPaste(io);
    if (!text.trim()) refuse('% No certificate entered: nothing imported.');
    ders = certificatesIn(readPasted(text));
  } else {
    const target = fileTarget(e.url, cfg);
    if (target) ders = certificatesIn(await readTargetFile(app, io, target, `${target.base}.ca`));
    else ({ cas: ders, ras, next } = await fetchCaCertificates(app, io, e.url));
  }
  const chain = orderCaChain(ders);
  const issuing = chain[0]!;
  const now = app.clock();
  // What the user checks: the issuing CA, then the rest of the chain.
  io.print('');
  io.print(`Certificate has the following attributes:`);
  const fps = [];
  for (const [i, c] of chain.entries()) {
    const fp = await fingerprints(await app.core(), c.der);
    fps.push(fp);
    if (i > 0) printSummary(io, chain.length > 2 && i < chain.length - 1 ? `Intermediate CA certificate ${i}:` : 'Root CA certificate:', c.s);
    else if (chain.length > 1) printSummary(io, 'Issuing CA certificate:', c.s);
    else printSummary(io, '', c.s);
    io.print(`       Fingerprint MD5: ${fp.md5}`);
    io.print(`      Fingerprint SHA1: ${fp.sha1}`);
    io.print(`    Fingerprint SHA256: ${fp.sha256}`);
    io.progress?.({ stage: 'ca-certificate', subject: c.s.subject.map((a) => `${a.short}=${a.value}`).join(', '), fingerprints: fp, index: i, of: chain.length });
  }
  for (const c of chain) {
    if (!c.s.isCA && !(c.s.selfIssued && chain.length === 1))
      refuse(`% ${c.s.subject.map((a) => `${a.short}=${a.value}`).join(', ')} is not a CA certificate (no basicConstraints cA): not imported.`);
    if (now < c.s.notBefore) refuse(`% The CA certificate is not valid before ${iosDate(c.s.notBefore)}: not imported. (Check this device's clock.)`);
    if (now > c.s.notAfter) refuse(`% The CA certificate expired at ${iosDate(c.s.notAfter)}: not imported.`);
    if (c.s.signatureAlgorithm === '1.2.840.113549.1.1.4' || c.s.signatureAlgorithm === '1.2.840.113549.1.1.2')
      io.print(`% Warning: ${c.s.subject.find((a) => a.short === 'CN')?.value ?? 'a CA certificate'} is signed with MD5, which is broken; it is shown but should be replaced.`);
  }
  const root = chain[chain.length - 1]!;
  const v = await app.validateChain({ leaf: issuing.der, intermediates: chain.slice(1, -1).map((c) => c.der), anchors: [root.der], time: now, ca: true, trustpoint: tp });
  if (!v.ok) refuse(`% The CA chain does not validate: ${v.reason}. Not imported.`);
  // RA certificates (SCEP RA mode) must be issued by the CA too.
  const raEntries: ChainCertificate[] = [];
  if (ras.length) {
    const picked = pickRa(ras)!;
    for (const ra of ras) {
      const rv = await app.validateChain({ leaf: ra, intermediates: chain.slice(0, -1).map((c) => c.der), anchors: [root.der], time: now, ca: false });
      if (!rv.ok) refuse(`% The RA certificate does not chain to the CA: ${rv.reason}. Not imported.`);
      const kind = ras.length === 1 || picked.ambiguous ? 'ra-general' : ra === picked.sign ? 'ra-sign' : ra === picked.encrypt ? 'ra-encrypt' : 'ra-general';
      raEntries.push({ kind, serial: summarizeCertificate(ra).serial, der: ra });
      printSummary(io, `RA ${kind === 'ra-sign' ? 'signature' : kind === 'ra-encrypt' ? 'encryption' : 'general purpose'} certificate:`, summarizeCertificate(ra));
    }
    if (picked.ambiguous) io.print("% Note: the RA certificates' key usages do not say which one decrypts requests: requests are encrypted to all of them.");
    if (!tp.raMode) io.print('% Note: the CA sent RA certificates; "enrollment mode ra" is not configured, they are used anyway.');
  } else if (tp.raMode) io.print('% Warning: "enrollment mode ra" is configured but the CA sent no RA certificate; requests go to the CA.');
  if (tp.fingerprint) {
    const idx = fps.findIndex((fp) => fingerprintMatches(tp.fingerprint!, fp));
    if (idx < 0)
      refuse(
        `% The CA certificate fingerprint does not match the configured fingerprint ${tp.fingerprint.match(/.{1,8}/g)!.join(' ')}: not imported.`,
      );
    io.print(`% Fingerprint matches the configured ${tp.fingerprint.length === 32 ? 'MD5' : tp.fingerprint.length === 40 ? 'SHA-1' : 'SHA-256'} fingerprint.`);
  } else if (!io.interactive) {
    refuse('% A non-interactive request cannot accept a CA certificate without a pre-entered fingerprint: configure "fingerprint" in the trustpoint.');
  } else {
    const a = await io.ask({ text: '% Do you accept this certificate? [yes/no]: ', kind: 'yesno' });
    if (!isYes(a)) refuse('% Certificate not imported.');
  }
  // Own certificates issued by another CA would no longer chain: refuse rather than orphan them.
  const existing = cfg.chains.get(name)?.certificates ?? [];
  const own = existing.filter((c) => c.kind === 'general');
  const rootHex = toHex(root.der);
  const oldRoot = existing.filter((c) => c.kind === 'ca').map((c) => toHex(c.der));
  if (own.length && oldRoot.length && !oldRoot.includes(rootHex))
    refuse(`% Trustpoint ${name} holds certificates from another CA; remove them first ("no crypto pki certificate chain ${name}").`);
  const rollover = next ? await rolloverCertificates(app, io, next, [issuing.der, ...ras]) : [];
  const entries: ChainCertificate[] = chain.map((c) => ({ kind: 'ca', serial: c.s.serial, der: c.der }));
  const kept = existing.filter((c) => c.kind !== 'ca' && c.kind !== 'ca-rollover' && c.kind !== 'ca-previous' && !c.kind.startsWith('ra-'));
  io.print('Trustpoint CA certificate accepted.');
  io.print('% Certificate successfully imported');
  await commitChange(app, io, {
    apply: (c) => void c.chains.set(name, { trustpoint: name, certificates: [...kept, ...entries, ...raEntries, ...rollover] }),
  });
}

// ---------------------------------------------------------------------------------------
// crypto pki enroll (terminal, file, self-signed)

function caCerts(cfg: RunningConfig, name: string): ChainCertificate[] {
  return cfg.chains.get(name)?.certificates.filter((c) => c.kind === 'ca') ?? [];
}

export async function enroll(app: TrustpointApp, io: Interaction, name: string): Promise<void> {
  const cfg = app.running;
  const tp = trustpointOrRefuse(cfg, name);
  const e = tp.enrollment;
  if (!e) refuse(`% Trustpoint ${name} has no enrollment method: configure "enrollment terminal", "enrollment url" or "enrollment selfsigned".`);
  if (e.kind === 'selfsigned') return enrollSelfSigned(app, io, tp);
  if (e.kind === 'acme') return (await import('./acme.ts')).enrollAcme(app, io, tp);
  // A profile that enrolls over HTTP is done here; one that enrolls by cut-and-paste or by file
  // goes on below like `enrollment terminal` / `enrollment url tftp:` (app/profile.ts).
  let profileFile: string | undefined;
  if (e.kind === 'profile') {
    const r = await (await import('./profile.ts')).enrollProfile(app, io, tp);
    if (r.done) return;
    profileFile = r.fileUrl;
  }
  const target = e.kind === 'url' ? fileTarget(e.url, cfg) : profileFile ? fileTarget(profileFile, cfg) : undefined;
  if (e.kind === 'url' && !target) {
    if (io.interactive && (cfg.chains.get(name)?.certificates ?? []).some((c) => c.kind === 'general')) {
      io.print('%');
      io.print('% You already have a certificate from this CA: the request renews it.');
      io.print('% The current certificate and key stay in use until the new certificate arrives.');
      if (!isYes(await io.ask({ text: '% Do you want to continue with re-enrollment? [yes/no]: ', kind: 'yesno' }))) refuse('% Enrollment not started.');
    }
    return enrollScep(app, io, tp, e.url, { towardRollover: manualRollover(app, io, name) });
  }
  if (!caCerts(cfg, name).length) refuse(`% You must authenticate the Certificate Authority before you can enroll with it ("crypto pki authenticate ${name}").`);

  io.print('% Start certificate enrollment ..');
  const keys = await keyRecordsFor(app, io, tp, { forEnrollment: true });
  announceSubject(app, io, tp);
  const id = await askIdentity(app, io, tp, false);
  const { subject } = subjectFor(app, tp, id);
  io.print('');
  if (id.serialNumber) io.print(`% The serial number in the certificate will be: ${id.serialNumber}`);
  if (id.ipAddress) io.print(`% The IP address in the certificate is ${id.ipAddress}`);
  const requests: { purpose: IosKeyPurpose; der: Uint8Array }[] = [];
  for (const k of keys) {
    const signer = await app.keys.signer(k);
    const purpose: IosKeyPurpose = k.usage;
    const { keyUsage, extendedKeyUsage } = iosKeyUsage(tp.usage ?? ['ike'], purpose, signer.key);
    const san = sanFor(tp);
    const der = await buildCsr(
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
    requests.push({ purpose, der });
  }
  const pem = e.kind === 'terminal' ? e.pem : e.kind === 'url' ? e.pem : false;
  const render = (der: Uint8Array) => (pem ? writeCsrPem(der) : writeBase64Lines(der)).replace(/\n$/, '');
  const label = (p: IosKeyPurpose) => (p === 'signature' ? 'Signature key certificate request -' : p === 'encryption' ? 'Encryption key certificate request -' : '');
  if (target) {
    const suffix = (p: IosKeyPurpose) => (p === 'signature' ? '-sign' : p === 'encryption' ? '-encr' : '');
    for (const r of requests) await writeTargetFile(app, io, target, `${target.base}${suffix(r.purpose)}.req`, utf8(writeCsrPem(r.der)));
    const show = await io.ask({ text: 'Display Certificate Request to terminal? [yes/no]: ', kind: 'yesno' });
    if (isYes(show)) for (const r of requests) printRequest(io, label(r.purpose), render(r.der));
  } else {
    const show = await io.ask({ text: 'Display Certificate Request to terminal? [yes/no]: ', kind: 'yesno' });
    for (const r of requests) {
      app.offerDownload(`${name}${r.purpose === 'signature' ? '-sign' : r.purpose === 'encryption' ? '-encr' : ''}.csr`, utf8(writeCsrPem(r.der)), 'application/pkcs10');
    }
    if (isYes(show)) {
      for (;;) {
        for (const r of requests) printRequest(io, label(r.purpose), render(r.der));
        const again = await io.ask({ text: 'Redisplay enrollment request? [yes/no]: ', kind: 'yesno' });
        if (!isYes(again)) break;
      }
    }
  }
  io.print(`% Paste the issued certificate${requests.length > 1 ? 's' : ''} with "crypto pki import ${name} certificate".`);
}

/**
 * The guide's manual rollover ("Tip"): when the current certificate expires no earlier than
 * the CA certificate and the CA has published its rollover certificate (GetNextCACert), the
 * request goes to the rollover CA and the certificate becomes a shadow, active with the CA
 * rollover.
 */
function manualRollover(app: TrustpointApp, io: Interaction, name: string): boolean {
  const certs = app.running.chains.get(name)?.certificates ?? [];
  const next = certs.find((c) => c.kind === 'ca-rollover');
  const ca = certs.find((c) => c.kind === 'ca');
  const own = certs.filter((c) => c.kind === 'general');
  if (!next || !ca || !own.length) return false;
  const caEnd = summarizeCertificate(ca.der).notAfter.getTime();
  if (!own.every((c) => summarizeCertificate(c.der).notAfter.getTime() >= caEnd)) return false;
  io.print('% The current certificate expires no earlier than the CA certificate: requesting a rollover (shadow) certificate from the CA\'s rollover certificate.');
  return true;
}

function printRequest(io: Interaction, title: string, body: string) {
  if (title) io.print(title);
  io.print('Certificate Request follows:');
  io.print('');
  for (const l of body.split('\n')) io.print(l);
  io.print('');
  io.print('---End - This line not part of the certificate request---');
  io.print('');
}

async function enrollSelfSigned(app: TrustpointApp, io: Interaction, tp: Trustpoint): Promise<void> {
  const cfg = app.running;
  // One persistent self-signed certificate per device (IOS): find any.
  const holders = [...cfg.chains.values()].filter((c) => c.certificates.some((x) => x.kind === 'self-signed'));
  if (holders.length) {
    const where = holders.map((h) => h.trustpoint).join(', ');
    io.print(`% You already have a persistent self-signed certificate (trustpoint ${where}).`);
    if (!(await io.confirm('% Do you want to replace it? [yes/no]: '))) refuse('% Self-signed certificate not replaced.');
  }
  const keys = await keyRecordsFor(app, io, tp, { forEnrollment: true, generalOnly: true });
  const key = keys[0]!;
  const id = await askIdentity(app, io, tp, true);
  const gen = await io.ask({ text: 'Generate Self Signed Router Certificate? [yes/no]: ', kind: 'yesno' });
  if (!isYes(gen)) refuse('% Self-signed certificate not generated.');
  const signer = await app.keys.signer(key);
  const cn = `IOS-Self-Signed-Certificate-${parseInt(app.serialNumber, 16)}`;
  const { subject } = subjectFor(app, { ...tp, subjectName: tp.subjectName || `CN=${cn}` }, id);
  const now = app.clock();
  const notAfter = new Date(Date.UTC(now.getUTCFullYear() + 10, 0, 1));
  const keyIdentifier = await (await app.core()).digest('SHA-1', subjectPublicKeyBits(signer.spki));
  const der = await buildSelfSigned({ subject, serial: new Uint8Array([1]), notBefore: now, notAfter, usage: tp.usage ?? ['ike'], keyIdentifier }, signer, io.signal);
  const holderNames = holders.map((h) => h.trustpoint);
  io.print('Router Self Signed Certificate successfully created');
  await commitChange(app, io, {
    activate: [key],
    apply: (c) => {
      for (const h of holderNames) {
        const x = c.chains.get(h);
        if (x) x.certificates = x.certificates.filter((y) => y.kind !== 'self-signed');
      }
      const chain = c.chains.get(tp.name) ?? { trustpoint: tp.name, certificates: [] };
      chain.certificates = [...chain.certificates.filter((y) => y.kind !== 'self-signed' && y.kind !== 'general'), { kind: 'self-signed', serial: '01', der }];
      c.chains.set(tp.name, chain);
    },
  });
}

// ---------------------------------------------------------------------------------------
// crypto pki import NAME certificate

export async function importCertificate(app: TrustpointApp, io: Interaction, name: string): Promise<void> {
  const cfg = app.running;
  const tp = trustpointOrRefuse(cfg, name);
  const cas = caCerts(cfg, name);
  if (!cas.length) refuse(`% You must authenticate the Certificate Authority before importing a certificate ("crypto pki authenticate ${name}").`);
  const keys = await keyRecordsFor(app, io, tp, { forEnrollment: false });
  const e = tp.enrollment;
  const profileFile = e?.kind === 'profile' ? (await import('./profile.ts')).profileFileUrl(cfg, e.label) : undefined;
  const target = e?.kind === 'url' ? fileTarget(e.url, cfg) : profileFile ? fileTarget(profileFile, cfg) : undefined;
  let ders: Uint8Array[];
  if (target) {
    const own = cfg.chains.get(name)?.certificates.filter((c) => c.kind === 'general') ?? [];
    const usageKeys = keys.some((k) => k.usage !== 'general');
    let fname = `${target.base}.crt`;
    if (usageKeys) {
      const have = new Set(own.map((c) => toHex(summarizeCertificate(c.der).spki)));
      const sign = keys.find((k) => k.usage === 'signature');
      fname = sign && !have.has(toHex(sign.spki)) ? `${target.base}-sign.crt` : `${target.base}-encr.crt`;
    }
    ders = certificatesIn(await readTargetFile(app, io, target, fname));
  } else {
    io.print('');
    io.print('Enter the base 64 encoded certificate.');
    io.print('End with a blank line or the word "quit" on a line by itself');
    io.print('');
    const text = await readPaste(io);
    if (!text.trim()) refuse('% No certificate entered: nothing imported.');
    ders = certificatesIn(readPasted(text));
  }
  // A pasted chain may carry the CA certificates too: keep the one that is not a CA.
  const leaves = ders.filter((d) => !summarizeCertificate(d).isCA);
  if (leaves.length !== 1) refuse(`% Expected one router certificate, found ${leaves.length}.`);
  const der = leaves[0]!;
  const s = summarizeCertificate(der);
  const key = keys.find((k) => toHex(k.spki) === toHex(s.spki));
  if (!key) refuse(`% The certificate's public key does not match any key pair of trustpoint ${name}: not imported.`);
  const now = app.clock();
  if (now > s.notAfter) refuse(`% The certificate expired at ${iosDate(s.notAfter)}: not imported.`);
  const chain = cas.map((c) => c.der);
  const v = await app.validateChain({ leaf: der, intermediates: chain.slice(0, -1), anchors: [chain[chain.length - 1]!], time: now, ca: false, trustpoint: tp });
  if (!v.ok) refuse(`% The certificate does not chain to the CA of trustpoint ${name}: ${v.reason}. Not imported.`);
  io.print('% Router Certificate successfully imported');
  await commitChange(app, io, {
    activate: [key],
    apply: (c) => {
      const entry = c.chains.get(name)!;
      entry.certificates = [{ kind: 'general', serial: s.serial, der }, ...keepOtherUsage(entry.certificates, keys, key)];
    },
  });
}


export { generateKeysFor };
