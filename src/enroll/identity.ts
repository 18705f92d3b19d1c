/**
 * What every enrollment method asks and builds the same way: the IOS identity questions
 * (serial number, IP address, challenge password — unless the trustpoint answers them) and
 * the subject and subjectAltName of the request. `app` is anything with the running-config
 * and the device serial number (app's TrustpointApp, an `EnrollHost`).
 */
import type { EnrollHost } from './host.ts';
import { isYes, refuse, type EnrollIo as Interaction } from './io.ts';
import { fqdnOf, type Trustpoint } from '../config/model.ts';
import { isIPv4, isIPv6 } from '../config/grammar.ts';
import { buildCsr, iosKeyUsage, iosSubject, type IosKeyPurpose } from '../pki/csr.ts';
import type { Signer } from '../crypto/types.ts';
import { parseX500Name } from '../pki/names.ts';

/** What the identity questions read: the running-config and the device serial number. */
export type IdentitySource = Pick<EnrollHost, 'running' | 'serialNumber'>;

export interface Identity {
  serialNumber?: string;
  ipAddress?: string;
  challengePassword?: string;
}

/**
 * The enrollment questions IOS asks when the trustpoint does not answer them. Unattended
 * (auto-enrollment), IOS's defaults apply — no serial number, no IP address — and nothing is
 * guessed: a first enrollment without a configured challenge `password` is refused with the
 * reason (a renewal is authenticated by the current certificate and goes without one).
 */
export async function askIdentity(app: IdentitySource, io: Interaction, tp: Trustpoint, selfSigned: boolean, renewing = false): Promise<Identity> {
  const id: Identity = {};
  if (!io.interactive) {
    if (tp.serialNumber === 'include') id.serialNumber = app.serialNumber;
    if (tp.ipAddress?.kind === 'address') id.ipAddress = tp.ipAddress.value;
    else if (tp.ipAddress?.kind === 'interface') refuse(`% ip-address ${tp.ipAddress.name}: interface addresses are not available in a browser; configure "ip-address A.B.C.D" or "ip-address none".`);
    if (!selfSigned) {
      if (tp.password !== undefined) id.challengePassword = tp.password;
      else if (!renewing) refuse(`% No challenge password is configured for trustpoint ${tp.name} ("password" in the trustpoint): an unattended enrollment cannot ask for one.`);
    }
    return id;
  }
  if (tp.serialNumber === 'include') id.serialNumber = app.serialNumber;
  else if (tp.serialNumber === undefined) {
    const a = await io.ask({ text: '% Include the router serial number in the subject name? [yes/no]: ', kind: 'yesno' });
    if (isYes(a)) id.serialNumber = app.serialNumber;
  }
  if (tp.ipAddress?.kind === 'address') id.ipAddress = tp.ipAddress.value;
  else if (tp.ipAddress?.kind === 'interface')
    refuse(`% ip-address ${tp.ipAddress.name}: interface addresses are not available in a browser; configure "ip-address A.B.C.D" or "ip-address none".`);
  else if (tp.ipAddress === undefined) {
    const a = await io.ask({ text: '% Include an IP address in the subject name? [no]: ', kind: 'text', default: 'no' });
    if (isYes(a)) {
      const ip = (await io.ask({ text: 'Enter Interface name or IP Address[]: ', kind: 'text' })).trim();
      if (!isIPv4(ip) && !isIPv6(ip)) refuse(`% "${ip}" is not an IP address (interface names are not available in a browser).`);
      id.ipAddress = ip;
    }
  }
  if (!selfSigned) {
    if (tp.password !== undefined) id.challengePassword = tp.password;
    else {
      io.print('% Create a challenge password. You will need to verbally provide this');
      io.print('   password to the CA Administrator in order to revoke your certificate.');
      io.print('   For security reasons your password will not be saved in the configuration.');
      io.print('   Please make a note of it.');
      io.print('');
      for (;;) {
        const p1 = await io.ask({ text: 'Password: ', kind: 'secret' });
        if (!p1) break;
        const p2 = await io.ask({ text: 'Re-enter password: ', kind: 'secret' });
        if (p1 === p2) {
          id.challengePassword = p1;
          break;
        }
        io.print('% Passwords do not match.');
      }
    }
  }
  return id;
}

/** What IOS announces before its identity questions: the configured subject and the FQDN. */
export function announceSubject(app: IdentitySource, io: Interaction, tp: Trustpoint): void {
  const fqdn = tp.fqdn === undefined ? fqdnOf(app.running) : typeof tp.fqdn === 'string' ? tp.fqdn : undefined;
  if (tp.subjectName) io.print(`% The subject name in the certificate will include: ${tp.subjectName}`);
  if (fqdn) io.print(`% The subject name in the certificate will include: ${fqdn}`);
}

export function subjectFor(app: IdentitySource, tp: Trustpoint, id: Identity) {
  const fqdn = tp.fqdn === undefined ? fqdnOf(app.running) : typeof tp.fqdn === 'string' ? tp.fqdn : undefined;
  const subjectName = tp.subjectName ? parseX500Name(tp.subjectName) : undefined;
  return { subject: iosSubject({ ...(subjectName ? { subjectName } : {}), ...(fqdn ? { fqdn } : {}), ...id }), fqdn };
}

export function sanFor(tp: Trustpoint) {
  if (!tp.subjectAltName) return undefined;
  const v = tp.subjectAltName.trim();
  return [v.includes('@') ? { type: 'email' as const, value: v } : { type: 'dns' as const, value: v }];
}


/**
 * The PKCS#10 request every enrollment method sends for one key of a trustpoint: the subject,
 * the challenge password when there is one, the trustpoint's subject-alt-name, and the key and
 * extended key usages IOS derives from `usage` and the key's purpose.
 */
export async function trustpointCsr(tp: Trustpoint, subject: ReturnType<typeof subjectFor>['subject'], id: Identity, purpose: IosKeyPurpose, signer: Signer, signal?: AbortSignal): Promise<Uint8Array> {
  const { keyUsage, extendedKeyUsage } = iosKeyUsage(tp.usage ?? ['ike'], purpose, signer.key);
  const san = sanFor(tp);
  return buildCsr(
    {
      subject,
      ...(id.challengePassword ? { challengePassword: id.challengePassword } : {}),
      ...(san ? { subjectAltName: san } : {}),
      keyUsage,
      ...(extendedKeyUsage.length ? { extendedKeyUsage } : {}),
    },
    signer,
    undefined,
    signal,
  );
}
