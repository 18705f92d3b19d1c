/**
 * The configuration model: what `show running-config` prints and `write memory` saves.
 * Plain data; mutated only by the config command handlers (config/commands.ts).
 *
 * `undefined` means "not configured" (IOS prints nothing and uses the default or prompts);
 * defaults are listed in DEFAULTS.
 */
export type Usage = 'ike' | 'ssl-client' | 'ssl-server';
export type RevocationMethod = 'crl' | 'none' | 'ocsp';

export type EnrollmentMethod =
  | { kind: 'url'; url: string; pem: boolean }
  | { kind: 'terminal'; pem: boolean }
  | { kind: 'selfsigned' }
  | { kind: 'profile'; label: string };

export type IpAddressSetting = { kind: 'address'; value: string } | { kind: 'interface'; name: string } | { kind: 'none' };

export interface Trustpoint {
  name: string;
  enrollment?: EnrollmentMethod;
  /** `enrollment mode ra` */
  raMode: boolean;
  /** `enrollment retry period` minutes, 1–60 (default 1) */
  retryPeriod?: number;
  /** `enrollment retry count`, 1–100 (default 10) */
  retryCount?: number;
  /** `enrollment http-proxy HOST PORT` (kept; the browser's proxy settings apply) */
  httpProxy?: { host: string; port: number };
  /** `subject-name [x.500-name]`: '' = the FQDN default requested explicitly */
  subjectName?: string;
  subjectAltName?: string;
  /** `fqdn NAME | none` */
  fqdn?: string | { none: true };
  vrf?: string;
  ipAddress?: IpAddressSetting;
  /** `serial-number` → include, `serial-number none` → none, unset → ask at enrollment */
  serialNumber?: 'include' | 'none';
  autoEnroll?: { percent?: number; regenerate: boolean };
  regenerate: boolean;
  usage?: Usage[];
  /** Challenge/revocation password (clear text in memory; type 7 in the configuration text). */
  password?: string;
  rsaKeypair?: { label: string; size?: number; encryptionSize?: number };
  ecKeypair?: string;
  /** Upper-case hex, no spaces: 32 (MD5), 40 (SHA-1) or 64 (SHA-256) digits. */
  fingerprint?: string;
  /** `on usbtoken0:` — where keys are generated */
  onDevice?: string;
  /** `storage usbtoken0:` — where certificates and keys are stored */
  storageDevice?: string;
  revocationCheck?: RevocationMethod[];
  /** `ocsp url URL`: the OCSP responder to ask instead of the certificate's authorityInfoAccess */
  ocspUrl?: string;
}

export type ProfileSource = { kind: 'url'; url: string } | { kind: 'terminal' };

export interface ProfileParameter {
  kind: 'value' | 'prompt';
  text: string;
}

export interface EnrollmentProfile {
  name: string;
  authentication?: ProfileSource;
  authenticationCommand?: string;
  enrollment?: ProfileSource;
  enrollmentCommand?: string;
  enrollmentCredential?: string;
  parameters: Map<number, ProfileParameter>;
}

/** How a certificate in a `crypto pki certificate chain` block is labelled. */
/**
 * `ca-rollover`: the CA's next (shadow) certificate from GetNextCACert, written `certificate ca rollover`.
 * `ca-previous`: the CA certificate a CA rollover replaced, kept while certificates it issued are
 * in use, written `certificate ca previous` (a Trustpoint extension).
 * `rollover`: the device's own shadow certificate, waiting to become active (IOS "Rollover Certificate").
 */
export type ChainCertKind = 'general' | 'ca' | 'self-signed' | 'rollover' | 'ca-rollover' | 'ca-previous' | 'ra-sign' | 'ra-encrypt' | 'ra-general';

export interface ChainCertificate {
  kind: ChainCertKind;
  /** Serial number as IOS prints it (upper-case hex). */
  serial: string;
  der: Uint8Array;
}

export interface CertificateChain {
  trustpoint: string;
  certificates: ChainCertificate[];
}

export interface RunningConfig {
  hostname: string;
  domainName?: string;
  trustpoints: Map<string, Trustpoint>;
  profiles: Map<string, EnrollmentProfile>;
  chains: Map<string, CertificateChain>;
}

export const DEFAULTS = {
  hostname: 'Router',
  retryPeriodMinutes: 1,
  retryCount: 10,
  usage: ['ike'] as Usage[],
} as const;

export function emptyConfig(): RunningConfig {
  return { hostname: DEFAULTS.hostname, trustpoints: new Map(), profiles: new Map(), chains: new Map() };
}

export function newTrustpoint(name: string): Trustpoint {
  return { name, raMode: false, regenerate: false };
}

export function newProfile(name: string): EnrollmentProfile {
  return { name, parameters: new Map() };
}

/** The fully qualified domain name: hostname plus `ip domain-name` when set. */
export function fqdnOf(cfg: RunningConfig): string {
  return cfg.domainName ? `${cfg.hostname}.${cfg.domainName}` : cfg.hostname;
}

/** A deep copy (the running-config is copied before risky multi-line operations). */
export function cloneConfig(cfg: RunningConfig): RunningConfig {
  return structuredClone(cfg);
}
