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
  /** `enrollment pkcs12`: the identity arrives as a PKCS #12 file (`crypto pki import NAME pkcs12 …`) */
  | { kind: 'pkcs12' }
  /** `enrollment profile LABEL`: a `crypto pki profile enrollment LABEL` (direct HTTP enrollment) */
  | { kind: 'profile'; label: string }
  | AcmeEnrollment;

/**
 * `enrollment acme URL [challenge http-01] [eab KID KEY]` — ACME (RFC 8555) as an enrollment
 * method, a Trustpoint extension (README "ACME"). Written back as
 * `enrollment acme URL [challenge http-01] [eab KID 7 <type 7 of KEY>]`.
 */
export interface AcmeEnrollment {
  kind: 'acme';
  /** The ACME directory URL (https://…/directory). */
  directory: string;
  /**
   * `challenge http-01`: the site's web server answers every http-01 token itself
   * (stateless: `<token>.<account key thumbprint>`), so authorizations are answered with
   * http-01 without asking anyone — what unattended renewal needs. Unset: pending
   * authorizations are shown to the user, who publishes and says "check again".
   */
  autoChallenge?: 'http-01';
  /** External account binding (RFC 8555 §7.3.4): key ID and the base64url MAC key (clear in memory, type 7 in the text). */
  eab?: { kid: string; key: string };
}

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
  /**
   * Sub-commands of IOS routers' configurations that do not apply in a browser (`source
   * interface`, `chain-validation`, `crl cache`, `crl query`, `match certificate`,
   * `authorization …`, `hash`): kept verbatim, by command, so a pasted configuration is written
   * back as it came (config/commands.ts COMPAT).
   */
  compat?: Map<string, string>;
}

export type ProfileSource = { kind: 'url'; url: string } | { kind: 'terminal' };

export interface ProfileParameter {
  kind: 'value' | 'prompt';
  text: string;
}

/**
 * `crypto pki profile enrollment NAME` (ca-profile-enroll): the two HTTP templates of the
 * IOS guide's "Certificate Enrollment Profiles". A command template is `METHOD ARGUMENT`:
 * `GET /path?query` (a path or query relative to the URL) or `POST body` (sent to the URL,
 * `application/x-www-form-urlencoded` when it has `=`); `$REQ` (the base64 request) and
 * `$P1`…`$P8` are filled in at enrollment (enroll/profile/template.ts).
 *
 * A template may continue on more deeply indented lines (the guide's
 * `  &retrievedAs=rawDER&…`): the lines are kept separated by `\n` — `show running-config`
 * writes them back as continuation lines — and joined without a separator when sent.
 */
export interface EnrollmentProfile {
  name: string;
  /** `authentication url URL` or `authentication terminal` (paste the CA certificate) */
  authentication?: ProfileSource;
  /** `authentication command METHOD ARG` (continuation lines separated by `\n`) */
  authenticationCommand?: string;
  /** `enrollment url URL` or `enrollment terminal` (cut-and-paste, like `enrollment terminal` of a trustpoint) */
  enrollment?: ProfileSource;
  /** `enrollment command METHOD ARG` (continuation lines separated by `\n`) */
  enrollmentCommand?: string;
  /** `enrollment credential TRUSTPOINT`: the request is sent as CMS SignedData signed with that trustpoint's certificate and key */
  enrollmentCredential?: string;
  /** `parameter N value TEXT` (kept) | `parameter N prompt TEXT` (asked at enrollment, never stored) */
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
