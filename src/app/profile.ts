/**
 * `crypto pki authenticate` and `crypto pki enroll` for a trustpoint with `enrollment profile
 * LABEL`: direct HTTP enrollment as the IOS guide's "Certificate Enrollment Profiles",
 * "Configuring a Certificate Enrollment Profile for Enrollment or Reenrollment" and
 * "Configuring Direct HTTP Enrollment Example" describe.
 *
 * - authentication: `authentication url` (+ `authentication command`) fetches the CA
 *   certificate over HTTP (or reads the file of a tftp:/flash: URL); `authentication terminal`
 *   asks for it to be pasted. The certificate is then shown and accepted like any other
 *   (app/pki.ts).
 * - enrollment: `enrollment url` (+ `enrollment command`) sends the request the template
 *   describes and installs the certificate in the reply; `enrollment terminal` (and file URLs)
 *   continue like a trustpoint's `enrollment terminal` (the "two templates" case).
 * - `parameter N prompt TEXT` values are asked at enrollment and never stored; unattended
 *   callers (auto-enrollment) are refused with the reason before anything is sent.
 * - `enrollment credential TP`: the PKCS#10 travels inside a CMS SignedData signed with
 *   trustpoint TP's certificate and key. (IOS re-enrolls with TLS client authentication; a
 *   page cannot use an app-held key for TLS, so the signature is in the message instead.)
 */
import type { TrustpointApp } from './app.ts';
import type { Interaction } from './interaction.ts';
import { refuse } from './refuse.ts';
import { isYes } from './prompter.ts';
import { askIdentity, subjectFor, trustpointCsr, type Identity } from '../enroll/identity.ts';
import { keyRecordsFor } from './trustpoint-keys.ts';
import { certificatesIn, fileTarget, readTargetFile } from './pki.ts';
import { pasteCaCertificates } from '../enroll/authenticate.ts';
import { storeIssued } from './scep.ts';
import type { EnrollmentProfile, RunningConfig, Trustpoint } from '../config/model.ts';
import { isUrlError, parseEnrollmentUrl } from '../config/url.ts';
import { encodeBase64 } from '../pki/pem.ts';
import { signData } from '../pki/envelope.ts';
import { summarizeCertificate } from '../pki/x509.ts';
import { buildRequest, templateVariables, type ProfileRequest } from '../enroll/profile/template.ts';
import { FORMAT_NAMES, parseReply, statusText } from '../enroll/profile/reply.ts';
import { sendProfileRequest } from '../enroll/profile/transport.ts';
import { equalBytes } from '../util/bytes.ts';
import { iosDate } from '../util/time.ts';
import type { KeyRecord } from '../store/keystore.ts';

/** The profile a trustpoint names (refused when it does not exist). */
export function profileOf(cfg: RunningConfig, tp: Trustpoint): EnrollmentProfile {
  const e = tp.enrollment;
  if (e?.kind !== 'profile') refuse(`% Trustpoint ${tp.name} does not use an enrollment profile.`);
  const p = cfg.profiles.get(e.label);
  if (!p) refuse(`% Enrollment profile ${e.label} of trustpoint ${tp.name} is not configured ("crypto pki profile enrollment ${e.label}").`);
  return p;
}

const isHttp = (url: string): boolean => {
  const u = parseEnrollmentUrl(url);
  return !isUrlError(u) && u.kind === 'http';
};

/** The file URL (tftp:, flash: …) a profile enrolls through, if it does (for `crypto pki import`). */
export function profileFileUrl(cfg: RunningConfig, label: string): string | undefined {
  const e = cfg.profiles.get(label)?.enrollment;
  return e?.kind === 'url' && !isHttp(e.url) ? e.url : undefined;
}


function debugOn(app: TrustpointApp): boolean {
  return app.debug.transactions;
}

function debugLine(app: TrustpointApp, io: Interaction, line: string): void {
  app.recordDebug(line);
  io.print(line);
}

/**
 * The values of the parameters a template uses: `value` ones as configured, `prompt` ones
 * asked now (never echoed, never stored). Unattended callers are refused before anything is
 * sent when a prompt would be needed.
 */
async function parameterValues(io: Interaction, p: EnrollmentProfile, used: number[]): Promise<Map<number, string>> {
  const out = new Map<number, string>();
  for (const n of used) {
    const param = p.parameters.get(n);
    if (!param) continue; // buildRequest names the missing parameter
    if (param.kind === 'value') {
      out.set(n, param.text);
      continue;
    }
    if (!io.interactive)
      refuse(`% Enrollment profile ${p.name} asks for parameter ${n} ("${param.text}") at enrollment: a non-interactive request cannot answer it. Enroll from the console, or configure "parameter ${n} value ...".`);
    const text = param.text.replace(/\s+$/, '');
    const v = await io.ask({ text: /[:?]$/.test(text) ? `${text} ` : `${text}: `, kind: 'secret' });
    if (!v.trim()) refuse(`% No value entered for parameter ${n}: nothing sent.`);
    out.set(n, v.trim());
  }
  return out;
}

/** Prompt parameters a template needs, checked up front for unattended callers. */
function refuseUnattendedPrompts(io: Interaction, p: EnrollmentProfile, used: number[]): void {
  if (io.interactive) return;
  for (const n of used) {
    const param = p.parameters.get(n);
    if (param?.kind === 'prompt')
      refuse(`% Enrollment profile ${p.name} asks for parameter ${n} ("${param.text}") at enrollment: a non-interactive request cannot answer it. Enroll from the console, or configure "parameter ${n} value ...".`);
  }
}

/** Sends one profile request and returns the certificates of the reply (explained errors otherwise). */
async function exchange(app: TrustpointApp, io: Interaction, p: EnrollmentProfile, req: ProfileRequest): Promise<Uint8Array[]> {
  if (debugOn(app)) debugLine(app, io, `CRYPTO_PKI: profile ${p.name}: ${req.shown}`);
  const res = await sendProfileRequest(req, io.signal);
  try {
    const reply = parseReply(res.status, res.contentType, res.body);
    if (debugOn(app))
      debugLine(app, io, `CRYPTO_PKI: profile ${p.name}: ${statusText(res.status)} ${res.contentType || '(no type)'}, ${res.body.length} bytes: ${FORMAT_NAMES[reply.format]}${reply.certificates.length > 1 ? `, ${reply.certificates.length} certificates` : ''}`);
    return reply.certificates;
  } catch (e) {
    if (debugOn(app)) debugLine(app, io, `CRYPTO_PKI: profile ${p.name}: ${statusText(res.status)} ${res.contentType || '(no type)'}, ${res.body.length} bytes: no certificate`);
    throw e;
  }
}

// ---------------------------------------------------------------------------------------
// crypto pki authenticate

/** The CA certificate(s) as the profile's authentication section gets them (not yet accepted). */
export async function profileCaCertificates(app: TrustpointApp, io: Interaction, tp: Trustpoint): Promise<Uint8Array[]> {
  const cfg = app.running;
  const p = profileOf(cfg, tp);
  const a = p.authentication;
  if (!a)
    refuse(`% Enrollment profile ${p.name} has no authentication section: configure "authentication url URL" (with "authentication command") or "authentication terminal".`);
  if (a.kind === 'terminal') {
    io.print('');
    return pasteCaCertificates(io);
  }
  const target = fileTarget(a.url, cfg);
  if (target) return certificatesIn(await readTargetFile(app, io, target, `${target.base}.ca`));
  const used = templateVariables(p.authenticationCommand).params;
  refuseUnattendedPrompts(io, p, used);
  const params = await parameterValues(io, p, used);
  const req = buildRequest(a.url, p.authenticationCommand, { params }, 'authentication');
  io.print(`% Retrieving the CA certificate (enrollment profile ${p.name}): ${req.shown.split(' (')[0]}`);
  return exchange(app, io, p, req);
}

// ---------------------------------------------------------------------------------------
// crypto pki enroll

/** The IOS identity questions, or — unattended — what the trustpoint configures (nothing asked). */
async function identityFor(app: TrustpointApp, io: Interaction, tp: Trustpoint): Promise<Identity> {
  if (io.interactive) return askIdentity(app, io, tp, false);
  const id: Identity = {};
  if (tp.serialNumber === 'include') id.serialNumber = app.serialNumber;
  if (tp.ipAddress?.kind === 'address') id.ipAddress = tp.ipAddress.value;
  if (tp.password !== undefined) id.challengePassword = tp.password;
  return id;
}

interface Credential {
  name: string;
  cert: Uint8Array;
  chain: Uint8Array[];
  key: KeyRecord;
}

/** `enrollment credential TP`: that trustpoint's valid certificate and its key. */
async function credentialOf(app: TrustpointApp, p: EnrollmentProfile, self: Trustpoint): Promise<Credential> {
  const name = p.enrollmentCredential!;
  const cfg = app.running;
  if (name === self.name) refuse(`% enrollment credential ${name}: a trustpoint cannot be its own credential.`);
  if (!cfg.trustpoints.has(name)) refuse(`% enrollment credential ${name}: there is no trustpoint ${name}.`);
  const now = app.clock();
  const certs = cfg.chains.get(name)?.certificates ?? [];
  const own = certs.filter((c) => c.kind === 'general').map((c) => ({ der: c.der, s: summarizeCertificate(c.der) }));
  const valid = own.filter((c) => c.s.notBefore <= now && now <= c.s.notAfter);
  if (!valid.length)
    refuse(
      own.length
        ? `% enrollment credential ${name}: its certificate expired at ${iosDate(own[0]!.s.notAfter)}; re-enroll trustpoint ${name} first.`
        : `% enrollment credential ${name}: trustpoint ${name} has no certificate yet; enroll it first ("crypto pki enroll ${name}").`,
    );
  const keys = await app.keys.list();
  for (const c of valid) {
    const key = keys.find((k) => equalBytes(k.spki, c.s.spki));
    if (key) return { name, cert: c.der, chain: certs.filter((x) => x.kind === 'ca').map((x) => x.der), key };
  }
  refuse(`% enrollment credential ${name}: the key pair of its certificate is not in the key store.`);
}

export type ProfileEnrollResult =
  /** enrolled over HTTP (or refused with an error) */
  | { done: true }
  /** the profile enrolls by cut-and-paste (`fileUrl` unset) or by file: app/pki.ts goes on */
  | { done: false; fileUrl?: string };

export async function enrollProfile(app: TrustpointApp, io: Interaction, tp: Trustpoint): Promise<ProfileEnrollResult> {
  const cfg = app.running;
  const p = profileOf(cfg, tp);
  const en = p.enrollment;
  if (!en) refuse(`% Enrollment profile ${p.name} has no enrollment section: configure "enrollment url URL" (with "enrollment command") or "enrollment terminal".`);
  if (en.kind === 'terminal' || !isHttp(en.url)) {
    if (p.enrollmentCredential)
      refuse(`% Enrollment profile ${p.name}: "enrollment credential" cannot be used with ${en.kind === 'terminal' ? 'manual (cut-and-paste)' : 'file'} enrollment.`);
    return en.kind === 'terminal' ? { done: false } : { done: false, fileUrl: en.url };
  }
  const cas = cfg.chains.get(tp.name)?.certificates.filter((c) => c.kind === 'ca') ?? [];
  if (!cas.length) refuse(`% You must authenticate the Certificate Authority before you can enroll with it ("crypto pki authenticate ${tp.name}").`);
  const used = templateVariables(p.enrollmentCommand);
  refuseUnattendedPrompts(io, p, used.params);
  const credential = p.enrollmentCredential ? await credentialOf(app, p, tp) : undefined;
  if (io.interactive && (cfg.chains.get(tp.name)?.certificates ?? []).some((c) => c.kind === 'general')) {
    io.print('%');
    io.print('% You already have a certificate from this CA: the request renews it.');
    io.print('% The current certificate and key stay in use until the new certificate arrives.');
    if (!isYes(await io.ask({ text: '% Do you want to continue with re-enrollment? [yes/no]: ', kind: 'yesno' }))) refuse('% Enrollment not started.');
  }
  io.print('% Start certificate enrollment ..');
  const keys = await keyRecordsFor(app, io, tp, { forEnrollment: true });
  const id = await identityFor(app, io, tp);
  const { subject, fqdn } = subjectFor(app, tp, id);
  if (tp.subjectName) io.print(`% The subject name in the certificate will include: ${tp.subjectName}`);
  if (fqdn) io.print(`% The subject name in the certificate will include: ${fqdn}`);
  if (id.serialNumber) io.print(`% The serial number in the certificate will be: ${id.serialNumber}`);
  if (id.ipAddress) io.print(`% The IP address in the certificate is ${id.ipAddress}`);
  const params = await parameterValues(io, p, used.params);
  if (credential) io.print(`% The request is signed with the certificate of trustpoint ${credential.name} (serial ${summarizeCertificate(credential.cert).serial}).`);
  io.print(`% Sending the certificate request to ${new URL(en.url).host} (enrollment profile ${p.name}) ...`);
  const issued: { key: KeyRecord; der: Uint8Array }[] = [];
  for (const key of keys) {
    const signer = await app.keys.signer(key);
    const csr = await trustpointCsr(tp, subject, id, key.usage, signer, io.signal);
    let req = csr;
    if (credential) {
      const credSigner = await app.keys.signer(credential.key);
      req = await signData(
        {
          content: csr,
          signer: credSigner,
          signerCert: credential.cert,
          certificates: credential.chain.filter((c) => !summarizeCertificate(c).selfIssued),
          digest: 'SHA-256',
          signingTime: app.clock(),
          signal: io.signal,
        },
        await app.engine(),
      );
    }
    const request = buildRequest(en.url, p.enrollmentCommand, { req: encodeBase64(req), params, reqLabel: credential ? 'PKCS#7 SignedData over the PKCS#10' : 'PKCS#10' }, 'enrollment');
    const certs = await exchange(app, io, p, request);
    const mine = certs.find((c) => equalBytes(summarizeCertificate(c).spki, key.spki));
    if (!mine) refuse(`% The CA returned ${certs.length === 1 ? 'a certificate' : `${certs.length} certificates`}, but none for our key: nothing stored.`);
    const s = summarizeCertificate(mine);
    const now = app.clock();
    if (now > s.notAfter) refuse(`% The CA returned a certificate that expired at ${iosDate(s.notAfter)}: nothing stored.`);
    const caDers = cas.map((c) => c.der);
    const extra = certs.filter((c) => c !== mine && summarizeCertificate(c).isCA);
    const v = await app.validateChain({ leaf: mine, intermediates: [...extra, ...caDers.slice(0, -1)], anchors: [caDers[caDers.length - 1]!], time: now, ca: false, trustpoint: tp });
    if (!v.ok) refuse(`% The issued certificate does not chain to the authenticated CA of trustpoint ${tp.name}: ${v.reason}. Nothing stored.`);
    issued.push({ key, der: mine });
  }
  await storeIssued(app, io, tp, issued);
  return { done: true };
}
