/**
 * `crypto pki authenticate NAME`: the CA (and RA) certificates — pasted (`enrollment terminal`),
 * read from a file target, fetched over HTTP(S) (a certificate file, or SCEP GetCACert with
 * GetNextCACert for a CA rolling over its key) or supplied by the profile/ACME method — are
 * ordered into one chain, shown with their MD5/SHA-1/SHA-256 fingerprints, checked (CA, validity,
 * RFC 5280 path, RA certificates issued by the CA), matched against the configured `fingerprint`
 * or accepted by the user, and stored in one commit. Nothing changes before the last step.
 */
import type { ChainCertificate, Trustpoint } from '../config/model.ts';
import { certificatesFromPkcs7, classifyDer } from '../pki/cms.ts';
import { OID } from '../pki/oids.ts';
import { readPasted, type PemBlock } from '../pki/pem.ts';
import { issuedBy, summarizeCertificate, type CertificateSummary } from '../pki/x509.ts';
import { PkiError, isAbortError } from '../util/errors.ts';
import { toHex } from '../util/hex.ts';
import { iosDate } from '../util/time.ts';
import { fingerprintMatches, type EnrollHost, type Fingerprints } from './host.ts';
import { fileTarget, readTargetFile } from './file.ts';
import { isYes, readPaste, refuse, type EnrollIo } from './io.ts';
import { parseCaCertReply, parseNextCaReply, pickRa } from './scep/ca.ts';
import { httpScepTransport } from './scep/transport.ts';
import { httpRequest } from './transport.ts';

/** IOS's prompt for a pasted CA certificate (PEM or bare base64, a chain allowed), read to the end. */
export async function pasteCaCertificates(io: EnrollIo): Promise<Uint8Array[]> {
  io.print('Enter the base 64 encoded CA certificate.');
  io.print('End with a blank line or the word "quit" on a line by itself');
  io.print('');
  const text = await readPaste(io);
  if (!text.trim()) refuse('% No certificate entered: nothing imported.');
  return certificatesIn(readPasted(text));
}

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

/**
 * Orders a set of CA certificates from the issuing CA (the one that issues none of the
 * others) up to the root, comparing names as RFC 5280 §7.1 does. Refuses a set that is not
 * one chain.
 */
export function orderCaChain(ders: Uint8Array[]): { der: Uint8Array; s: CertificateSummary }[] {
  const items = ders.map((der) => ({ der, s: summarizeCertificate(der) }));
  const unique = items.filter((x, i) => items.findIndex((y) => toHex(y.der) === toHex(x.der)) === i);
  const issuesAnother = (x: (typeof unique)[number]) => unique.some((y) => y !== x && !y.s.selfIssued && issuedBy(y.s, x.s));
  const leaves = unique.filter((x) => !issuesAnother(x));
  if (leaves.length !== 1) refuse(`% The data holds ${unique.length} certificates that do not form one chain.`);
  const chain = [leaves[0]!];
  while (!chain[chain.length - 1]!.s.selfIssued) {
    const cur = chain[chain.length - 1]!;
    const up = unique.find((y) => !chain.includes(y) && issuedBy(cur.s, y.s));
    if (!up) break;
    chain.push(up);
  }
  if (chain.length !== unique.length) refuse('% The data holds certificates that are not part of the CA chain.');
  return chain;
}

/** What authenticate got from the CA: its certificates, RA certificates (SCEP RA mode), its next certificate (GetNextCACert). */
export interface CaCertificates {
  cas: Uint8Array[];
  ras: Uint8Array[];
  next?: Uint8Array;
}

/** CA (and RA) certificates from an http(s) URL: a certificate file, or SCEP GetCACert. */
export async function fetchCaCertificates(io: EnrollIo, url: string): Promise<CaCertificates> {
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

/**
 * The CA certificates of the terminal, file and URL methods: pasted, read from the file
 * target (`NAME.ca`), or fetched. (Profile and ACME trustpoints get theirs from their method.)
 */
export async function caCertificatesOf(host: EnrollHost, tp: Trustpoint): Promise<CaCertificates> {
  const io = host.io;
  const e = tp.enrollment;
  if (e?.kind === 'terminal') {
    io.print('');
    return { cas: await pasteCaCertificates(io), ras: [] };
  }
  if (e?.kind !== 'url') refuse(`% Trustpoint ${tp.name} does not get its CA certificate by paste, file or URL.`);
  const target = fileTarget(e.url, host.running);
  if (target) return { cas: certificatesIn(await readTargetFile(host, target, `${target.base}.ca`)), ras: [] };
  return fetchCaCertificates(io, e.url);
}

/** The CA's next certificate(s), checked to be signed by the current CA; shown like the CA's. */
async function rolloverCertificates(host: EnrollHost, next: Uint8Array, trusted: Uint8Array[]): Promise<ChainCertificate[]> {
  const io = host.io;
  let cas: Uint8Array[];
  try {
    cas = await parseNextCaReply(next, { verify: host.verify, trusted }, await host.engine());
  } catch (e) {
    if (!(e instanceof PkiError)) throw e;
    io.print(`${e.message.startsWith('%') ? e.message : `% ${e.message}`} Ignored: the current CA certificate stays the only one.`);
    return [];
  }
  const out: ChainCertificate[] = [];
  for (const der of cas) {
    const s = summarizeCertificate(der);
    const fp = await host.fingerprints(der);
    printSummary(io, 'Rollover CA certificate (GetNextCACert), for when the current CA certificate expires:', s);
    io.print(`    Fingerprint SHA256: ${fp.sha256}`);
    out.push({ kind: 'ca-rollover', serial: s.serial, der });
  }
  return out;
}

export function printSummary(io: EnrollIo, label: string, s: CertificateSummary): void {
  if (label) io.print(label);
  io.print(`  Subject: ${s.subject.map((a) => `${a.short}=${a.value}`).join(', ') || '(empty)'}`);
  io.print(`  Issuer:  ${s.issuer.map((a) => `${a.short}=${a.value}`).join(', ') || '(empty)'}`);
  io.print(`  Serial Number: ${s.serial}`);
  io.print(`  Validity: ${iosDate(s.notBefore)} to ${iosDate(s.notAfter)}`);
}


/** Authenticates trustpoint `tp` with the CA certificates `got` (see the file comment). */
export async function authenticateWith(host: EnrollHost, tp: Trustpoint, got: CaCertificates): Promise<void> {
  const io = host.io;
  const cfg = host.running;
  const name = tp.name;
  const { ras, next } = got;
  const chain = orderCaChain(got.cas);
  const issuing = chain[0]!;
  const now = host.clock();
  // What the user checks: the issuing CA, then the rest of the chain.
  io.print('');
  io.print(`Certificate has the following attributes:`);
  const fps: Fingerprints[] = [];
  for (const [i, c] of chain.entries()) {
    const fp = await host.fingerprints(c.der);
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
    if (c.s.signatureAlgorithm === OID.md5WithRSAEncryption || c.s.signatureAlgorithm === OID.md2WithRSAEncryption)
      io.print(`% Warning: ${c.s.subject.find((a) => a.short === 'CN')?.value ?? 'a CA certificate'} is signed with MD5, which is broken; it is shown but should be replaced.`);
  }
  const root = chain[chain.length - 1]!;
  const v = await host.validateChain({ leaf: issuing.der, intermediates: chain.slice(1, -1).map((c) => c.der), anchors: [root.der], time: now, ca: true, trustpoint: tp });
  if (!v.ok) refuse(`% The CA chain does not validate: ${v.reason}. Not imported.`);
  // RA certificates (SCEP RA mode) must be issued by the CA too, and pass the trustpoint's
  // revocation-check like the CA chain (a revoked RA must not receive requests or sign replies).
  const raEntries: ChainCertificate[] = [];
  if (ras.length) {
    const picked = pickRa(ras)!;
    for (const ra of ras) {
      const rv = await host.validateChain({ leaf: ra, intermediates: chain.slice(0, -1).map((c) => c.der), anchors: [root.der], time: now, ca: false, trustpoint: tp });
      if (!rv.ok) refuse(`% The RA certificate ${summarizeCertificate(ra).subject.map((a) => `${a.short}=${a.value}`).join(', ')} does not validate: ${rv.reason}. Not imported.`);
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
  const rollover = next ? await rolloverCertificates(host, next, [issuing.der, ...ras]) : [];
  const entries: ChainCertificate[] = chain.map((c) => ({ kind: 'ca', serial: c.s.serial, der: c.der }));
  const kept = existing.filter((c) => c.kind !== 'ca' && c.kind !== 'ca-rollover' && c.kind !== 'ca-previous' && !c.kind.startsWith('ra-'));
  io.print('Trustpoint CA certificate accepted.');
  io.print('% Certificate successfully imported');
  await host.commit({
    apply: (c) => void c.chains.set(name, { trustpoint: name, certificates: [...kept, ...entries, ...raEntries, ...rollover] }),
  });
}
