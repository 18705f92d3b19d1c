/**
 * Model → IOS configuration text, in the layout of `show running-config`. The reader
 * (config/reader.ts) parses this text back into an equal model; a property test holds the
 * two to that.
 *
 * Order inside a trustpoint follows IOS 15: enrollment settings, serial-number, fqdn,
 * ip-address, password, subject-name, subject-alt-name, revocation-check, key pair,
 * devices, auto-enroll, regenerate, usage, vrf, fingerprint.
 */
import { toHex } from '../util/hex.ts';
import type { CertificateChain, EnrollmentProfile, RunningConfig, Trustpoint } from './model.ts';
import { encodeType7 } from './type7.ts';

function trustpointLines(t: Trustpoint): string[] {
  const out = [`crypto pki trustpoint ${t.name}`];
  const e = t.enrollment;
  if (t.raMode) out.push(' enrollment mode ra');
  if (t.retryPeriod !== undefined) out.push(` enrollment retry period ${t.retryPeriod}`);
  if (t.retryCount !== undefined) out.push(` enrollment retry count ${t.retryCount}`);
  if (e?.kind === 'url') out.push(` enrollment url ${e.url}${e.pem ? ' pem' : ''}`);
  if (e?.kind === 'terminal') out.push(` enrollment terminal${e.pem ? ' pem' : ''}`);
  if (e?.kind === 'selfsigned') out.push(' enrollment selfsigned');
  if (e?.kind === 'pkcs12') out.push(' enrollment pkcs12');
  if (e?.kind === 'profile') out.push(` enrollment profile ${e.label}`);
  if (e?.kind === 'acme')
    out.push(` enrollment acme ${e.directory}${e.autoChallenge ? ` challenge ${e.autoChallenge}` : ''}${e.eab ? ` eab ${e.eab.kid} 7 ${encodeType7(e.eab.key)}` : ''}`);
  if (t.httpProxy) out.push(` enrollment http-proxy ${t.httpProxy.host} ${t.httpProxy.port}`);
  if (t.serialNumber === 'include') out.push(' serial-number');
  if (t.serialNumber === 'none') out.push(' serial-number none');
  if (t.fqdn !== undefined) out.push(` fqdn ${typeof t.fqdn === 'string' ? t.fqdn : 'none'}`);
  if (t.ipAddress) {
    const ip = t.ipAddress;
    out.push(` ip-address ${ip.kind === 'address' ? ip.value : ip.kind === 'interface' ? ip.name : 'none'}`);
  }
  if (t.password !== undefined) out.push(` password 7 ${encodeType7(t.password)}`);
  if (t.subjectName !== undefined) out.push(t.subjectName ? ` subject-name ${t.subjectName}` : ' subject-name');
  if (t.subjectAltName !== undefined) out.push(` subject-alt-name ${t.subjectAltName}`);
  if (t.revocationCheck) out.push(` revocation-check ${t.revocationCheck.join(' ')}`);
  if (t.ocspUrl) out.push(` ocsp url ${t.ocspUrl}`);
  if (t.rsaKeypair) {
    const k = t.rsaKeypair;
    out.push(` rsakeypair ${k.label}${k.size !== undefined ? ` ${k.size}` : ''}${k.encryptionSize !== undefined ? ` ${k.encryptionSize}` : ''}`);
  }
  if (t.ecKeypair) out.push(` eckeypair ${t.ecKeypair}`);
  if (t.onDevice) out.push(` on ${t.onDevice}`);
  if (t.storageDevice) out.push(` storage ${t.storageDevice}`);
  if (t.autoEnroll) {
    const a = t.autoEnroll;
    out.push(` auto-enroll${a.percent !== undefined ? ` ${a.percent}` : ''}${a.regenerate ? ' regenerate' : ''}`);
  }
  if (t.regenerate) out.push(' regenerate');
  if (t.usage) out.push(` usage ${t.usage.join(' ')}`);
  if (t.vrf) out.push(` vrf ${t.vrf}`);
  if (t.fingerprint) out.push(` fingerprint ${t.fingerprint}`);
  for (const line of t.compat?.values() ?? []) out.push(` ${line}`);
  return out;
}

function profileLines(p: EnrollmentProfile): string[] {
  const out = [`crypto pki profile enrollment ${p.name}`];
  if (p.authentication) out.push(p.authentication.kind === 'url' ? ` authentication url ${p.authentication.url}` : ' authentication terminal');
  // continuation lines of a template (the guide's layout) are written two spaces deeper
  const cmd = (c: string) => c.split('\n').join('\n   ');
  if (p.authenticationCommand) out.push(` authentication command ${cmd(p.authenticationCommand)}`);
  if (p.enrollment) out.push(p.enrollment.kind === 'url' ? ` enrollment url ${p.enrollment.url}` : ' enrollment terminal');
  if (p.enrollmentCredential) out.push(` enrollment credential ${p.enrollmentCredential}`);
  if (p.enrollmentCommand) out.push(` enrollment command ${cmd(p.enrollmentCommand)}`);
  for (const [n, v] of [...p.parameters.entries()].sort(([a], [b]) => a - b)) out.push(` parameter ${n} ${v.kind} ${v.text}`);
  return out;
}

/** IOS prints certificate DER as upper-case hex, 8 words of 8 digits per line. */
export function certificateHexLines(der: Uint8Array): string[] {
  const hex = toHex(der);
  const lines: string[] = [];
  for (let i = 0; i < hex.length; i += 64) {
    const chunk = hex.slice(i, i + 64);
    lines.push('  ' + (chunk.match(/.{1,8}/g) ?? []).join(' '));
  }
  return lines;
}

function chainLines(c: CertificateChain): string[] {
  const out = [`crypto pki certificate chain ${c.trustpoint}`];
  for (const cert of c.certificates) {
    out.push(` certificate ${cert.kind === 'general' ? '' : cert.kind === 'ca-rollover' ? 'ca rollover ' : cert.kind === 'ca-previous' ? 'ca previous ' : cert.kind + ' '}${cert.serial}`);
    out.push(...certificateHexLines(cert.der));
    out.push('  \tquit');
  }
  return out;
}

/**
 * The configuration text (what NVRAM stores and `show running-config` prints after its
 * header): sections separated by `!`, ending with `end`.
 */
export function writeConfig(cfg: RunningConfig): string {
  const sections: string[][] = [];
  sections.push([`hostname ${cfg.hostname}`]);
  if (cfg.domainName) sections.push([`ip domain-name ${cfg.domainName}`]);
  for (const t of cfg.trustpoints.values()) sections.push(trustpointLines(t));
  for (const p of cfg.profiles.values()) sections.push(profileLines(p));
  for (const c of cfg.chains.values()) if (cfg.trustpoints.has(c.trustpoint)) sections.push(chainLines(c));
  const lines = ['!'];
  for (const s of sections) lines.push(...s, '!');
  lines.push('end');
  return lines.join('\n') + '\n';
}
