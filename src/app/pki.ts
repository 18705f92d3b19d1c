/**
 * `crypto pki authenticate`, `crypto pki enroll` and `crypto pki import NAME certificate` as the
 * console, the GUI and the auto-enroller call them: the dispatch by enrollment method. The
 * workflows live where DESIGN.md §2–3 puts them — enroll/authenticate.ts, enroll/terminal.ts
 * (cut-and-paste and file), enroll/selfsigned.ts; SCEP is app/scep.ts over enroll/scep/, HTTP
 * profiles app/profile.ts, ACME app/acme.ts — and reach the app only through `enrollHost`
 * (app/enroll-host.ts: the key store, chain validation with revocation checking, files, the one commit of
 * app/commit.ts). Every workflow validates everything before it changes anything.
 *
 * After a successful change IOS saves by itself only when the running-config had no unsaved
 * changes; otherwise it says `%PKI-4-NOAUTOSAVE` — Trustpoint does the same.
 */
import type { TrustpointApp } from './app.ts';
import type { Interaction } from './interaction.ts';
import { enrollHost } from './enroll-host.ts';
import { enrollScep } from './scep.ts';
import type { RunningConfig, Trustpoint } from '../config/model.ts';
import { authenticateWith, caCertificatesOf } from '../enroll/authenticate.ts';
import { fileTarget, readTargetFile as readTarget, type FileTarget } from '../enroll/file.ts';
import { isYes, refuse } from '../enroll/io.ts';
import { enrollSelfSigned } from '../enroll/selfsigned.ts';
import { enrollTerminal, importCertificate as importWith } from '../enroll/terminal.ts';
import type { PemBlock } from '../pki/pem.ts';
import { summarizeCertificate } from '../pki/x509.ts';

export { refuse, enrollHost };
export { certificatesIn, orderCaChain } from '../enroll/authenticate.ts';
export { fileTarget, type FileTarget } from '../enroll/file.ts';

function trustpointOrRefuse(cfg: RunningConfig, name: string): Trustpoint {
  const tp = cfg.trustpoints.get(name);
  if (!tp) refuse(`% Trustpoint ${name} not found. Configure it with "crypto pki trustpoint ${name}".`);
  return tp;
}

/** Reads `name` from a file target (enroll/file.ts). */
export async function readTargetFile(app: TrustpointApp, io: Interaction, t: FileTarget, name: string): Promise<PemBlock[]> {
  return readTarget(enrollHost(app, io), t, name);
}

// ---------------------------------------------------------------------------------------
// crypto pki authenticate

export async function authenticate(app: TrustpointApp, io: Interaction, name: string): Promise<void> {
  const tp = trustpointOrRefuse(app.running, name);
  const e = tp.enrollment;
  const host = enrollHost(app, io);
  if (!e) refuse(`% Trustpoint ${name} has no enrollment method: configure "enrollment terminal" or "enrollment url".`);
  else if (e.kind === 'selfsigned') refuse(`% Trustpoint ${name} is self-signed: there is no CA to authenticate.`);
  else if (e.kind === 'pkcs12') refuse(`% Trustpoint ${name} is enrolled with a PKCS #12 file, which brings its CA certificates: use "crypto pki import ${name} pkcs12 URL password PASSWORD".`);
  else if (e.kind === 'profile') await authenticateWith(host, tp, { cas: await (await import('./profile.ts')).profileCaCertificates(app, io, tp), ras: [] });
  else if (e.kind === 'acme') await authenticateWith(host, tp, { cas: await (await import('./acme.ts')).acmeCaCertificates(app, io, tp), ras: [] });
  else await authenticateWith(host, tp, await caCertificatesOf(host, tp));
}

// ---------------------------------------------------------------------------------------
// crypto pki enroll

export async function enroll(app: TrustpointApp, io: Interaction, name: string): Promise<void> {
  const cfg = app.running;
  const tp = trustpointOrRefuse(cfg, name);
  const e = tp.enrollment;
  if (!e) refuse(`% Trustpoint ${name} has no enrollment method: configure "enrollment terminal", "enrollment url" or "enrollment selfsigned".`);
  if (e.kind === 'selfsigned') return enrollSelfSigned(enrollHost(app, io), tp);
  if (e.kind === 'pkcs12') refuse(`% Trustpoint ${name} is enrolled with a PKCS #12 file: use "crypto pki import ${name} pkcs12 URL password PASSWORD".`);
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
  const pem = e.kind === 'terminal' ? e.pem : e.kind === 'url' ? e.pem : false;
  return enrollTerminal(enrollHost(app, io), tp, target, pem);
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

// ---------------------------------------------------------------------------------------
// crypto pki import NAME certificate

export async function importCertificate(app: TrustpointApp, io: Interaction, name: string): Promise<void> {
  const tp = trustpointOrRefuse(app.running, name);
  const e = tp.enrollment;
  const profileFile = e?.kind === 'profile' ? (await import('./profile.ts')).profileFileUrl(app.running, e.label) : undefined;
  return importWith(enrollHost(app, io), tp, profileFile);
}
