/**
 * Configuration commands: global configuration, `crypto pki trustpoint` (ca-trustpoint),
 * `crypto pki profile enrollment` (ca-profile-enroll) and `crypto pki certificate chain`
 * (config-cert-chain / config-pubkey), with the ranges and defaults of the IOS guide.
 *
 * Handlers validate first and mutate the model only when the whole command is valid, so a
 * rejected line never leaves half a change behind. They are shared by the console
 * (cli/session.ts) and the configuration reader (config/reader.ts).
 */
import { PkiError } from '../util/errors.ts';
import { fromHex } from '../util/hex.ts';
import { BER, derCheck, derChildren, readTlv } from '../pki/der.ts';
import { toHex } from '../util/hex.ts';
import { parseX500Name } from '../pki/names.ts';
import type { Args, CommandSpec } from './grammar.ts';
import { isIPv4, isIPv6 } from './grammar.ts';
import type { ModeId, ModeTarget } from './modes.ts';
import {
  newProfile,
  newTrustpoint,
  type AcmeEnrollment,
  type ChainCertKind,
  type EnrollmentProfile,
  type RevocationMethod,
  type RunningConfig,
  type Trustpoint,
  type Usage,
} from './model.ts';
import { decodeType7 } from './type7.ts';
import { isUrlError, parseEnrollmentUrl } from './url.ts';

/** A command rejected for its arguments; the message is printed as is (starts with "% "). */
export class ConfigError extends PkiError {
  constructor(message: string) {
    super('config', message.startsWith('%') ? message : `% ${message}`);
    this.name = 'ConfigError';
  }
}

export interface ConfigCtx {
  readonly config: RunningConfig;
  readonly target: ModeTarget;
  /** Enter a sub-mode (or, for config-pubkey, the hex-data mode). */
  enter(mode: ModeId, target: ModeTarget): void;
  /** Leave the current sub-mode (to its parent). */
  leave(): void;
  /** Print a line (informational messages). */
  print(line: string): void;
  /** Ask a yes/no question; non-interactive readers answer yes (as IOS at boot). */
  confirm(question: string): Promise<boolean>;
  /** false while a startup-config is being loaded */
  readonly interactive: boolean;
}

export type ConfigHandler = (ctx: ConfigCtx, args: Args) => void | Promise<void>;
export type ConfigCommand = CommandSpec<ConfigHandler>;

// ---------------------------------------------------------------------------------------
// helpers

function tp(ctx: ConfigCtx): Trustpoint {
  const name = ctx.target.trustpoint;
  const t = name === undefined ? undefined : ctx.config.trustpoints.get(name);
  if (!t) throw new ConfigError('% The trustpoint being configured no longer exists.');
  return t;
}

function profile(ctx: ConfigCtx): EnrollmentProfile {
  const name = ctx.target.profile;
  const p = name === undefined ? undefined : ctx.config.profiles.get(name);
  if (!p) throw new ConfigError('% The enrollment profile being configured no longer exists.');
  return p;
}

function url(text: string): string {
  const u = parseEnrollmentUrl(text);
  if (isUrlError(u)) throw new ConfigError(`% ${u.error}`);
  return text;
}

const NAME_RE = /^[A-Za-z0-9][A-Za-z0-9._@:+-]{0,63}$/;

function label(text: string, what: string): string {
  if (!NAME_RE.test(text)) throw new ConfigError(`% Invalid ${what} "${text}": use up to 64 letters, digits and . _ - @ : +`);
  return text;
}

const HOSTNAME_RE = /^[A-Za-z]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/;
const DOMAIN_RE = /^(?=.{1,253}$)[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;
const DEVICE_RE = /^[A-Za-z][A-Za-z0-9-]*[0-9]*:$/;

/** Normalises a fingerprint: hex digits only, 32 (MD5), 40 (SHA-1) or 64 (SHA-256) of them. */
export function normalizeFingerprint(text: string): string {
  const hex = text.replace(/[\s:]/g, '');
  if (!/^[0-9A-Fa-f]*$/.test(hex)) throw new ConfigError('% Invalid fingerprint: only hexadecimal digits (and spaces) are allowed');
  if (hex.length !== 32 && hex.length !== 40 && hex.length !== 64)
    throw new ConfigError(`% Invalid fingerprint: ${hex.length} hex digits given; expected 32 (MD5), 40 (SHA-1) or 64 (SHA-256)`);
  return hex.toUpperCase();
}

function words<T extends string>(args: Args, ...names: string[]): T[] {
  return names.map((n) => args[n]).filter((v): v is T => v !== undefined) as T[];
}

function noDuplicates(list: string[], what: string): void {
  if (new Set(list).size !== list.length) throw new ConfigError(`% ${what} listed more than once`);
}

const PRINTABLE = /^[\x20-\x7e]+$/;

// ---------------------------------------------------------------------------------------
// Help texts (IOS wording where IOS has one)

const H = {
  crypto: 'Encryption module',
  pki: 'Public Key components',
  ca: 'Certification authority (same as "pki")',
  trustpoint: 'Define a CA trustpoint',
  profile: 'Define a profile',
  enrollmentProfile: 'Define an enrollment profile',
  certificate: 'Certificate commands',
  chain: 'Certificate chain for a trustpoint',
  no: 'Negate a command or set its defaults',
};

// ---------------------------------------------------------------------------------------
// global configuration

const GLOBAL: ConfigCommand[] = [
  {
    syntax: 'hostname WORD$name',
    help: { hostname: 'Set system\'s network name', $name: "This system's network name" },
    handler(ctx, a) {
      const name = a.name!;
      if (!HOSTNAME_RE.test(name)) throw new ConfigError('% Hostname contains one or more illegal characters.');
      ctx.config.hostname = name;
    },
  },
  {
    syntax: 'no hostname',
    help: { no: H.no, hostname: "Set system's network name" },
    handler(ctx) {
      ctx.config.hostname = 'Router';
    },
  },
  {
    syntax: 'ip ( domain-name WORD$name | domain name WORD$name )',
    help: { ip: 'Global IP configuration subcommands', 'domain-name': 'Define the default domain name', domain: 'IP DNS Resolver', name: 'Define the default domain name', $name: 'Default domain name' },
    handler(ctx, a) {
      const d = a.name!;
      if (!DOMAIN_RE.test(d)) throw new ConfigError(`% Invalid domain name "${d}"`);
      ctx.config.domainName = d.toLowerCase();
    },
  },
  {
    syntax: 'no ip ( domain-name [WORD] | domain name [WORD] )',
    help: { no: H.no, ip: 'Global IP configuration subcommands', 'domain-name': 'Define the default domain name', domain: 'IP DNS Resolver', name: 'Define the default domain name' },
    handler(ctx) {
      delete ctx.config.domainName;
    },
  },
  {
    syntax: 'crypto ( pki | ca$ca ) trustpoint WORD$name',
    hidden: false,
    help: { crypto: H.crypto, pki: H.pki, ca: H.ca, trustpoint: H.trustpoint, $name: 'Name of the trustpoint' },
    handler(ctx, a) {
      const name = label(a.name!, 'trustpoint name');
      if (!ctx.config.trustpoints.has(name)) ctx.config.trustpoints.set(name, newTrustpoint(name));
      ctx.enter('ca-trustpoint', { trustpoint: name });
    },
  },
  {
    syntax: 'no crypto ( pki | ca ) trustpoint WORD$name',
    help: { no: H.no, crypto: H.crypto, pki: H.pki, ca: H.ca, trustpoint: H.trustpoint, $name: 'Name of the trustpoint' },
    async handler(ctx, a) {
      const name = a.name!;
      if (!ctx.config.trustpoints.has(name)) throw new ConfigError(`% Trustpoint "${name}" does not exist.`);
      const chain = ctx.config.chains.get(name);
      if (chain && chain.certificates.length > 0) {
        ctx.print('% Removing an enrolled trustpoint will destroy all certificates');
        ctx.print('received from the related Certificate Authority.');
        if (!(await ctx.confirm('Are you sure you want to do this? [yes/no]: '))) {
          ctx.print('% Trustpoint not removed.');
          return;
        }
        ctx.print(`% Be sure to ask the CA administrator to revoke your certificates.`);
      }
      ctx.config.trustpoints.delete(name);
      ctx.config.chains.delete(name);
    },
  },
  {
    syntax: 'crypto ( pki | ca ) profile enrollment WORD$name',
    help: { crypto: H.crypto, pki: H.pki, ca: H.ca, profile: H.profile, enrollment: H.enrollmentProfile, $name: 'Name of the enrollment profile' },
    handler(ctx, a) {
      const name = label(a.name!, 'profile name');
      if (!ctx.config.profiles.has(name)) ctx.config.profiles.set(name, newProfile(name));
      ctx.enter('ca-profile-enroll', { profile: name });
    },
  },
  {
    syntax: 'no crypto ( pki | ca ) profile enrollment WORD$name',
    help: { no: H.no, crypto: H.crypto, pki: H.pki, ca: H.ca, profile: H.profile, enrollment: H.enrollmentProfile, $name: 'Name of the enrollment profile' },
    handler(ctx, a) {
      if (!ctx.config.profiles.delete(a.name!)) throw new ConfigError(`% Enrollment profile "${a.name}" does not exist.`);
    },
  },
  {
    // The IOS certificate server (the guide's "mytp-A" example starts with one). A browser app
    // is an enrollment client, not a CA: the block is accepted and ignored, with one note, so a
    // pasted configuration goes on to its trustpoints without a cascade of errors.
    syntax: 'crypto ( pki | ca ) server WORD$name',
    hidden: true,
    handler(ctx, a) {
      if (ctx.interactive) ctx.print(`% Trustpoint is an enrollment client: the certificate server "${a.name}" (crypto pki server) is not available, and its sub-commands are ignored.`);
      ctx.enter('cs-server', {});
    },
  },
  {
    // Certificate maps (IOS AAA) and the trustpool policy (Cisco's CA bundle): the same
    syntax: 'crypto ( pki | ca ) ( certificate map WORD$name <1-65535>$seq | trustpool policy$trustpool )',
    hidden: true,
    handler(ctx, a) {
      if (ctx.interactive)
        ctx.print(
          a.trustpool
            ? '% Note: the trustpool (crypto pki trustpool) is not available: each trustpoint holds its own CA certificates; the policy sub-commands are ignored.'
            : `% Note: certificate maps (crypto pki certificate map ${a.name}) are not available: they serve IOS AAA; the map's sub-commands are ignored.`,
        );
      ctx.enter(a.trustpool ? 'ca-trustpool' : 'ca-certificate-map', {});
    },
  },
  {
    syntax: 'crypto ( pki | ca ) certificate chain WORD$name',
    help: { crypto: H.crypto, pki: H.pki, ca: H.ca, certificate: H.certificate, chain: H.chain, $name: 'Trustpoint name' },
    handler(ctx, a) {
      const name = a.name!;
      if (!ctx.config.trustpoints.has(name)) throw new ConfigError(`% Trustpoint "${name}" does not exist; configure "crypto pki trustpoint ${name}" first.`);
      if (!ctx.config.chains.has(name)) ctx.config.chains.set(name, { trustpoint: name, certificates: [] });
      ctx.enter('config-cert-chain', { chain: name });
    },
  },
  {
    syntax: 'no crypto ( pki | ca ) certificate chain WORD$name',
    help: { no: H.no, crypto: H.crypto, pki: H.pki, ca: H.ca, certificate: H.certificate, chain: H.chain, $name: 'Trustpoint name' },
    async handler(ctx, a) {
      const chain = ctx.config.chains.get(a.name!);
      if (!chain) throw new ConfigError(`% No certificate chain for trustpoint "${a.name}".`);
      if (chain.certificates.length && !(await ctx.confirm(`% Are you sure you want to remove all certificates of trustpoint ${a.name}? [yes/no]: `))) return;
      ctx.config.chains.delete(a.name!);
    },
  },
];

// ---------------------------------------------------------------------------------------
// ca-trustpoint

const USAGE = '(ike|ssl-client|ssl-server)';
const REVOCATION = '(crl|none|ocsp)';
const TPH = {
  enrollment: 'Enrollment parameters',
  url: 'CA server enrollment URL',
  $url: 'URL (http://, https://, tftp://, or a file system such as flash:name)',
  pem: 'Use PEM boundaries around the certificate request',
  terminal: 'Enroll via the terminal (cut-and-paste)',
  selfsigned: 'Generate a self-signed certificate',
  pkcs12: 'Import the identity as a PKCS #12 file (crypto pki import NAME pkcs12)',
  profile: 'Use an enrollment profile',
  $label: 'Profile name',
  acme: 'Enroll with an ACME server (RFC 8555)',
  $acmeurl: 'ACME directory URL (https://...)',
  challenge: 'Answer authorizations without asking (the web server publishes every token)',
  'http-01': 'http-01: the web server answers /.well-known/acme-challenge/<token> with <token>.<account thumbprint>',
  eab: 'External account binding (RFC 8555 7.3.4)',
  $kid: 'EAB key identifier',
  '0': 'The key that follows is not encrypted',
  '7': 'The key that follows is encrypted (type 7)',
  $eabkey: 'EAB MAC key (base64url)',
  $eabenc: 'The encrypted EAB MAC key',
  mode: 'Mode supported by the Certificate Authority',
  ra: 'Mode supported by the Certificate Authority: Registration Authority',
  retry: 'Polling parameters',
  period: 'Time to wait between certificate requests',
  $period: 'Minutes (default 1)',
  count: 'How many times to poll for a certificate',
  $count: 'Number of retries (default 10)',
  'http-proxy': 'HTTP proxy server for enrollment',
  $proxy: 'Proxy host name or address',
  $proxyport: 'Proxy port',
};

const KID_RE = /^[\x21-\x7e]{1,256}$/;
const B64URL_RE = /^[A-Za-z0-9_-]{16,512}$/;

/** `enrollment acme URL [challenge http-01] [eab KID KEY]`, validated. */
function acmeEnrollment(a: Args): AcmeEnrollment {
  const u = parseEnrollmentUrl(a.acmeurl!);
  if (isUrlError(u)) throw new ConfigError(`% ${u.error}`);
  if (u.kind !== 'http' || u.scheme !== 'https') throw new ConfigError('% An ACME directory URL must be https:// (RFC 8555 6.1).');
  const e: AcmeEnrollment = { kind: 'acme', directory: a.acmeurl! };
  if (a.auto !== undefined) e.autoChallenge = 'http-01';
  if (a.kid !== undefined) {
    if (!KID_RE.test(a.kid)) throw new ConfigError('% Invalid EAB key identifier: printable characters without spaces');
    let key = a.eabkey;
    if (a.eabenc !== undefined) {
      key = decodeType7(a.eabenc);
      if (key === undefined) throw new ConfigError('% Invalid encrypted EAB key');
    }
    if (!B64URL_RE.test(key!)) throw new ConfigError('% Invalid EAB key: expected the base64url MAC key the ACME server gave (16 or more characters A-Z a-z 0-9 - _)');
    e.eab = { kid: a.kid, key: key! };
  }
  return e;
}

function setEnrollment(ctx: ConfigCtx, e: NonNullable<Trustpoint['enrollment']>) {
  const t = tp(ctx);
  if (e.kind === 'profile' && t.autoEnroll === undefined) {
    // nothing: profiles may also auto-enroll
  }
  t.enrollment = e;
}

/**
 * Trustpoint sub-commands of IOS routers that do not apply in a browser: accepted when spelled
 * out (as `show running-config` prints them; not offered by `?`), kept verbatim (model `compat`)
 * and written back, with a note saying why they have no effect here.
 */
const COMPAT: readonly { head: string; args: string; line: (a: Args) => string; why: string; help: Record<string, string> }[] = [
  { head: 'source interface', args: 'WORD$v', line: (a) => a.v!, why: "does not apply in a browser (it uses the device's routing)", help: { source: 'Source interface for requests', interface: 'Interface', $v: 'Interface name' } },
  {
    head: 'chain-validation',
    args: '( stop$stop | continue$cont [WORD$parent] )',
    line: (a) => (a.stop ? 'stop' : `continue${a.parent ? ` ${a.parent}` : ''}`),
    why: 'is not implemented (each trustpoint validates its own chain to its CA)',
    help: { 'chain-validation': 'Chain validation towards a parent trustpoint', stop: 'Stop at this trustpoint', continue: 'Continue to the parent', $parent: 'Parent trustpoint' },
  },
  {
    head: 'crl cache',
    args: '( none$none | delete-after <1-43200>$min )',
    line: (a) => (a.none ? 'none' : `delete-after ${a.min}`),
    why: 'is not implemented (CRLs are cached until their nextUpdate)',
    help: { crl: 'CRL options', cache: 'CRL cache options', none: 'Do not cache', 'delete-after': 'Delete after', $min: 'Minutes' },
  },
  { head: 'crl query', args: 'LINE$v', line: (a) => a.v!.trim(), why: "is not implemented (CRLs come from the certificates' distribution points)", help: { crl: 'CRL options', query: 'URL to query the CRL', $v: 'URL' } },
  { head: 'match certificate', args: 'LINE$v', line: (a) => a.v!.trim(), why: 'is not implemented (certificate maps are an IOS AAA feature)', help: { match: 'Match a certificate map', certificate: 'Certificate map', $v: 'Map name [options]' } },
  { head: 'authorization', args: 'LINE$v', line: (a) => a.v!.trim(), why: 'does not apply in a browser (AAA authorization of peers)', help: { authorization: 'AAA authorization of peer certificates', $v: 'Options' } },
  {
    head: 'hash',
    args: '( md5 | sha1 | sha256 | sha384 | sha512 )$h',
    line: (a) => a.h!,
    why: "is not implemented (requests are signed with SHA-256, or the curve's hash for EC keys)",
    help: { hash: 'Hash for signatures', md5: 'MD5', sha1: 'SHA-1', sha256: 'SHA-256', sha384: 'SHA-384', sha512: 'SHA-512' },
  },
];

function setRsaKeypair(ctx: ConfigCtx, a: Args): void {
  const t = tp(ctx);
  const kp: NonNullable<Trustpoint['rsaKeypair']> = { label: label(a.label!, 'key label') };
  if (a.size !== undefined) kp.size = Number(a.size);
  if (a.encsize !== undefined) {
    kp.encryptionSize = Number(a.encsize);
    if (kp.encryptionSize !== kp.size) throw new ConfigError('% The key size and the encryption key size must be the same.');
  }
  t.rsaKeypair = kp;
  delete t.ecKeypair;
}

function setIpAddress(ctx: ConfigCtx, a: Args): void {
  const t = tp(ctx);
  if (a.addr !== undefined) t.ipAddress = { kind: 'address', value: a.addr };
  else if (a.none !== undefined) t.ipAddress = { kind: 'none' };
  else {
    const i = a.iface!;
    if (!/^[A-Za-z][A-Za-z0-9./:-]*$/.test(i)) throw new ConfigError(`% Invalid IP address or interface "${i}"`);
    t.ipAddress = { kind: 'interface', name: i };
  }
}

const TRUSTPOINT: ConfigCommand[] = [
  {
    syntax: 'enrollment url WORD$url [pem$pem]',
    help: TPH,
    handler(ctx, a) {
      setEnrollment(ctx, { kind: 'url', url: url(a.url!), pem: a.pem !== undefined });
    },
  },
  {
    syntax: 'enrollment terminal [pem$pem]',
    help: TPH,
    handler(ctx, a) {
      setEnrollment(ctx, { kind: 'terminal', pem: a.pem !== undefined });
    },
  },
  {
    syntax: 'enrollment selfsigned',
    help: TPH,
    handler(ctx) {
      setEnrollment(ctx, { kind: 'selfsigned' });
    },
  },
  {
    syntax: 'enrollment pkcs12',
    help: TPH,
    handler(ctx) {
      setEnrollment(ctx, { kind: 'pkcs12' });
    },
  },
  {
    syntax: 'enrollment profile WORD$label',
    help: TPH,
    handler(ctx, a) {
      setEnrollment(ctx, { kind: 'profile', label: label(a.label!, 'profile name') });
    },
  },
  {
    syntax: 'enrollment acme WORD$acmeurl [challenge http-01$auto] [eab WORD$kid ( 0 WORD$eabkey | 7 WORD$eabenc | WORD$eabkey )]',
    help: TPH,
    // The EAB MAC key is a secret: never echoed, kept in the history or logged.
    secret: ['eabkey', 'eabenc'],
    handler(ctx, a) {
      setEnrollment(ctx, acmeEnrollment(a));
    },
  },
  {
    syntax: 'enrollment mode ra',
    help: TPH,
    handler(ctx) {
      tp(ctx).raMode = true;
    },
  },
  {
    syntax: 'enrollment retry ( period <1-60>$period | count <1-100>$count )',
    help: TPH,
    handler(ctx, a) {
      const t = tp(ctx);
      if (a.period !== undefined) t.retryPeriod = Number(a.period);
      if (a.count !== undefined) t.retryCount = Number(a.count);
    },
  },
  {
    syntax: 'enrollment http-proxy WORD$proxy <1-65535>$proxyport',
    help: TPH,
    handler(ctx, a) {
      const host = a.proxy!;
      if (!isIPv4(host) && !isIPv6(host) && !DOMAIN_RE.test(host)) throw new ConfigError(`% Invalid proxy host "${host}"`);
      tp(ctx).httpProxy = { host, port: Number(a.proxyport) };
      if (ctx.interactive) ctx.print('% Note: a browser uses its own proxy settings; the http-proxy setting is kept for configuration compatibility.');
    },
  },
  {
    syntax: 'no enrollment ( url [LINE] | terminal [pem] | selfsigned | pkcs12 | profile [WORD] | acme [LINE] | mode [ra] | retry ( period [<1-60>] | count [<1-100>] )$retry | http-proxy [LINE] )$what',
    help: { no: H.no, ...TPH },
    handler(ctx, a) {
      const t = tp(ctx);
      switch (a.what) {
        case 'mode':
          t.raMode = false;
          break;
        case 'retry':
        case 'period':
        case 'count':
          if (a.retry === 'period' || a.what === 'period') delete t.retryPeriod;
          else delete t.retryCount;
          break;
        case 'http-proxy':
          delete t.httpProxy;
          break;
        default:
          if (t.enrollment && (t.enrollment.kind === a.what || (a.what === 'url' && t.enrollment.kind === 'url'))) delete t.enrollment;
      }
    },
  },
  {
    syntax: 'eckeypair WORD$label',
    help: { eckeypair: 'Specify the EC key pair to be used with this trustpoint', $label: 'Key label' },
    handler(ctx, a) {
      const t = tp(ctx);
      t.ecKeypair = label(a.label!, 'key label');
      delete t.rsaKeypair;
    },
  },
  {
    syntax: 'rsakeypair WORD$label [<512-4096>$size [<512-4096>$encsize]]',
    help: {
      rsakeypair: 'Specify the RSA key pair to be used with this trustpoint',
      $label: 'Key label',
      $size: 'Key size in bits (signature key, or general-purpose key)',
      $encsize: 'Encryption key size in bits (requests separate signature and encryption keys)',
    },
    handler: setRsaKeypair,
  },
  // The guide's other spellings ("rsa-keypair myTP-A", "rsa-key trustpt1 2048", "rsa keypair
  // key-label 2048 2048"): read as rsakeypair, which is what the configuration shows.
  ...(['rsa-keypair', 'rsa-key', 'rsa keypair'] as const).map(
    (spelling): ConfigCommand => ({
      syntax: `${spelling} WORD$label [<512-4096>$size [<512-4096>$encsize]]`,
      hidden: true,
      handler(ctx, a) {
        setRsaKeypair(ctx, a);
        if (ctx.interactive) ctx.print(`% "${spelling}" is read as "rsakeypair".`);
      },
    }),
  ),
  {
    syntax: 'subject-name [LINE$name]',
    help: { 'subject-name': 'Subject Name', $name: 'X.500 name, e.g. CN=host, OU=Dept., O=example.com (the FQDN when omitted)' },
    handler(ctx, a) {
      const name = a.name?.trim() ?? '';
      if (name) {
        try {
          parseX500Name(name);
        } catch (e) {
          throw new ConfigError(`% Invalid subject name: ${(e as Error).message.replace(/^names\.parse: /, '')}`);
        }
      }
      tp(ctx).subjectName = name;
    },
  },
  {
    syntax: 'subject-alt-name LINE$name',
    help: { 'subject-alt-name': 'Subject Alternative Name', $name: 'Name to add (a DNS name, or an e-mail address)' },
    handler(ctx, a) {
      const v = a.name!.trim();
      if (!PRINTABLE.test(v)) throw new ConfigError('% Invalid subject alternative name');
      tp(ctx).subjectAltName = v;
    },
  },
  {
    syntax: 'fqdn ( none$none | WORD$name )',
    help: { fqdn: 'Fully qualified domain name to include in the request', none: 'Do not include the FQDN', $name: 'Fully qualified domain name' },
    handler(ctx, a) {
      if (a.none) tp(ctx).fqdn = { none: true };
      else {
        if (!DOMAIN_RE.test(a.name!)) throw new ConfigError(`% Invalid domain name "${a.name}"`);
        tp(ctx).fqdn = a.name!;
      }
    },
  },
  {
    syntax: 'vrf WORD$vrf',
    help: { vrf: 'VRF to use for enrollment and revocation checking', $vrf: 'VRF name' },
    handler(ctx, a) {
      tp(ctx).vrf = label(a.vrf!, 'VRF name');
      if (ctx.interactive) ctx.print('% Note: VRFs do not apply in a browser; the setting is kept for configuration compatibility.');
    },
  },
  {
    syntax: 'ip-address ( A.B.C.D$addr | X:X:X:X::X$addr | none$none | WORD$iface )',
    help: {
      'ip-address': 'Include the IP address in the certificate request',
      'A.B.C.D': 'IPv4 address',
      'X:X:X:X::X': 'IPv6 address',
      none: 'Do not include an IP address',
      WORD: 'Interface name (its address is included)',
    },
    handler: setIpAddress,
  },
  {
    // The guide's example spells it "ip address 192.168.1.66".
    syntax: 'ip address ( A.B.C.D$addr | X:X:X:X::X$addr | none$none | WORD$iface )',
    hidden: true,
    handler(ctx, a) {
      setIpAddress(ctx, a);
      if (ctx.interactive) ctx.print('% "ip address" is read as "ip-address".');
    },
  },
  {
    syntax: 'serial-number [none$none]',
    help: { 'serial-number': 'Include the serial number in the certificate request', none: 'Do not include the serial number' },
    handler(ctx, a) {
      tp(ctx).serialNumber = a.none !== undefined ? 'none' : 'include';
    },
  },
  {
    syntax: 'auto-enroll [<10-100>$percent] [regenerate$regen]',
    help: {
      'auto-enroll': 'Enable auto-enrollment',
      $percent: 'Renew when this percentage of the certificate lifetime has passed',
      regenerate: 'Generate a new key pair for the renewed certificate',
    },
    handler(ctx, a) {
      const ae: NonNullable<Trustpoint['autoEnroll']> = { regenerate: a.regen !== undefined };
      if (a.percent !== undefined) ae.percent = Number(a.percent);
      tp(ctx).autoEnroll = ae;
    },
  },
  {
    syntax: 'regenerate',
    help: { regenerate: 'Generate a new key pair at the next enrollment' },
    handler(ctx) {
      tp(ctx).regenerate = true;
    },
  },
  {
    syntax: `usage ${USAGE}$u1 [${USAGE}$u2 [${USAGE}$u3]]`,
    help: { usage: 'Intended use of the certificate', ike: 'IKE (the default)', 'ssl-client': 'SSL client', 'ssl-server': 'SSL server' },
    handler(ctx, a) {
      const list = words<Usage>(a, 'u1', 'u2', 'u3');
      noDuplicates(list, 'A usage is');
      tp(ctx).usage = list;
    },
  },
  {
    syntax: `revocation-check ${REVOCATION}$m1 [${REVOCATION}$m2 [${REVOCATION}$m3]]`,
    help: { 'revocation-check': 'Revocation checking options', crl: 'Check the CRL', none: 'Ignore revocation', ocsp: 'Check with OCSP' },
    handler(ctx, a) {
      const list = words<RevocationMethod>(a, 'm1', 'm2', 'm3');
      noDuplicates(list, 'A revocation method is');
      tp(ctx).revocationCheck = list;
    },
  },
  {
    syntax: 'ocsp url WORD$url',
    help: { ocsp: 'OCSP settings', url: 'The OCSP responder to ask (instead of the one the certificate names)', $url: 'http:// or https:// URL' },
    handler(ctx, a) {
      let u: URL | undefined;
      try {
        u = new URL(a.url!);
      } catch {
        u = undefined;
      }
      if (!u || (u.protocol !== 'http:' && u.protocol !== 'https:') || !u.host) throw new ConfigError(`% Invalid OCSP URL "${a.url}": expected http://host/... or https://host/...`);
      tp(ctx).ocspUrl = a.url!;
    },
  },
  {
    syntax: 'password ( 0 LINE$clear | 7 WORD$enc | LINE$clear )',
    help: {
      password: 'Challenge password for enrollment and revocation',
      '0': 'The password that follows is not encrypted',
      '7': 'The password that follows is encrypted (type 7)',
      $clear: 'The password',
      $enc: 'The encrypted password',
    },
    handler(ctx, a) {
      let pw: string;
      if (a.enc !== undefined) {
        const d = decodeType7(a.enc);
        if (d === undefined) throw new ConfigError('% Invalid encrypted password');
        pw = d;
      } else pw = a.clear!.trim();
      if (!PRINTABLE.test(pw)) throw new ConfigError('% The password must be printable ASCII');
      if (pw.length > 80) throw new ConfigError('% The password is longer than 80 characters');
      tp(ctx).password = pw;
    },
  },
  {
    syntax: 'fingerprint LINE$fp',
    help: { fingerprint: 'Expected CA certificate fingerprint', $fp: 'MD5, SHA-1 or SHA-256 fingerprint in hex (spaces ignored)' },
    handler(ctx, a) {
      tp(ctx).fingerprint = normalizeFingerprint(a.fp!);
    },
  },
  {
    syntax: 'on WORD$dev',
    help: { on: 'Generate the keys on a device', $dev: 'Device name, e.g. usbtoken0:' },
    handler(ctx, a) {
      if (!DEVICE_RE.test(a.dev!)) throw new ConfigError(`% Invalid device "${a.dev}": expected a name ending in ":" such as usbtoken0:`);
      tp(ctx).onDevice = a.dev!.toLowerCase();
    },
  },
  {
    syntax: 'storage WORD$dev',
    help: { storage: 'Store keys and certificates on a device', $dev: 'Device name, e.g. usbtoken0:' },
    handler(ctx, a) {
      if (!DEVICE_RE.test(a.dev!)) throw new ConfigError(`% Invalid device "${a.dev}": expected a name ending in ":" such as usbtoken0:`);
      tp(ctx).storageDevice = a.dev!.toLowerCase();
    },
  },
  ...COMPAT.flatMap((c): ConfigCommand[] => [
    {
      // hidden: not offered by "?" (they do nothing here), taken when spelled out as configurations print them
      syntax: `${c.head} ${c.args}`,
      hidden: true,
      help: { ...c.help },
      handler(ctx, a) {
        const t = tp(ctx);
        (t.compat ??= new Map()).set(c.head, `${c.head} ${c.line(a)}`);
        if (ctx.interactive) ctx.print(`% Note: "${c.head}" ${c.why}; the setting is kept for configuration compatibility.`);
      },
    },
    {
      syntax: `no ${c.head} [LINE]`,
      hidden: true,
      help: { no: H.no, ...c.help },
      handler(ctx) {
        tp(ctx).compat?.delete(c.head);
      },
    },
  ]),
  {
    syntax:
      'no ( eckeypair | rsakeypair | subject-name | subject-alt-name | fqdn | vrf | ip-address | serial-number | auto-enroll | regenerate | usage | revocation-check | ocsp | password | fingerprint | on | storage )$what [LINE]',
    help: { no: H.no },
    handler(ctx, a) {
      const t = tp(ctx);
      const field: Record<string, keyof Trustpoint> = {
        eckeypair: 'ecKeypair',
        rsakeypair: 'rsaKeypair',
        'subject-name': 'subjectName',
        'subject-alt-name': 'subjectAltName',
        fqdn: 'fqdn',
        vrf: 'vrf',
        'ip-address': 'ipAddress',
        'serial-number': 'serialNumber',
        'auto-enroll': 'autoEnroll',
        usage: 'usage',
        'revocation-check': 'revocationCheck',
        ocsp: 'ocspUrl',
        password: 'password',
        fingerprint: 'fingerprint',
        on: 'onDevice',
        storage: 'storageDevice',
      };
      if (a.what === 'regenerate') t.regenerate = false;
      else delete t[field[a.what!]!];
    },
  },
];

// ---------------------------------------------------------------------------------------
// ca-profile-enroll

const PRH = {
  authentication: 'Authentication (CA certificate retrieval) parameters',
  enrollment: 'Enrollment parameters',
  url: 'URL of the CA server',
  $url: 'URL (http://, https://, tftp://, or a file system such as flash:name)',
  terminal: 'Cut-and-paste',
  command: 'HTTP command sent to the CA',
  $cmd: 'HTTP request line, e.g. GET /certs/cacert.der ($REQ = the request, $P1.. = parameters)',
  credential: 'Trustpoint whose certificate authenticates the request',
  $cred: 'Trustpoint name',
  parameter: 'A parameter used in the commands ($P1 ... $P8)',
  $n: 'Parameter number',
  value: 'The parameter value',
  prompt: 'Ask for the value at enrollment with this prompt',
  $text: 'Text',
};

function httpCommand(cmd: string): string {
  const c = cmd.trim();
  const m = /^(\S+)\s+(\S.*)$/.exec(c);
  if (!m) throw new ConfigError('% Invalid command: expected an HTTP method and a path, e.g. GET /certs/cacert.der');
  if (!/^(GET|POST|PUT)$/i.test(m[1]!)) throw new ConfigError(`% Invalid HTTP method "${m[1]}": use GET, POST or PUT`);
  return c;
}

/**
 * A continuation line of a command template (the guide's `    &retrievedAs=rawDER&…` under
 * `enrollment command POST …`): appended to the template the previous line set, kept as a
 * separate line (joined without a separator when the request is made).
 */
export function continueTemplate(config: RunningConfig, profileName: string, part: 'authentication' | 'enrollment', line: string): void {
  const p = config.profiles.get(profileName);
  if (!p) throw new ConfigError('% The enrollment profile being configured no longer exists.');
  const text = line.trim();
  if (!PRINTABLE.test(text)) throw new ConfigError('% A command template must be printable ASCII');
  const key = part === 'authentication' ? 'authenticationCommand' : 'enrollmentCommand';
  const cur = p[key];
  if (cur === undefined) throw new ConfigError(`% No ${part} command to continue.`);
  if (cur.length + text.length > 2000) throw new ConfigError('% The command template is longer than 2000 characters');
  p[key] = `${cur}\n${text}`;
}

const PROFILE: ConfigCommand[] = [
  {
    syntax: 'authentication ( url WORD$url | terminal$terminal | command LINE$cmd )',
    help: PRH,
    handler(ctx, a) {
      const p = profile(ctx);
      if (a.url !== undefined) p.authentication = { kind: 'url', url: url(a.url) };
      else if (a.terminal !== undefined) p.authentication = { kind: 'terminal' };
      else p.authenticationCommand = httpCommand(a.cmd!);
    },
  },
  {
    syntax: 'enrollment ( url WORD$url | terminal$terminal | command LINE$cmd | credential WORD$cred )',
    help: PRH,
    handler(ctx, a) {
      const p = profile(ctx);
      if (a.url !== undefined) p.enrollment = { kind: 'url', url: url(a.url) };
      else if (a.terminal !== undefined) p.enrollment = { kind: 'terminal' };
      else if (a.cred !== undefined) p.enrollmentCredential = label(a.cred, 'trustpoint name');
      else p.enrollmentCommand = httpCommand(a.cmd!);
    },
  },
  {
    syntax: 'parameter <1-8>$n ( value$kind LINE$text | prompt$kind LINE$text )',
    help: PRH,
    handler(ctx, a) {
      const text = a.text!.trim();
      if (!PRINTABLE.test(text)) throw new ConfigError('% Parameter text must be printable ASCII');
      profile(ctx).parameters.set(Number(a.n), { kind: a.kind as 'value' | 'prompt', text });
    },
  },
  {
    syntax: 'no ( authentication ( url | terminal | command )$part | enrollment ( url | terminal | command | credential )$part | parameter <1-8>$n )$what [LINE]',
    help: { no: H.no, ...PRH },
    handler(ctx, a) {
      const p = profile(ctx);
      if (a.what === 'parameter') p.parameters.delete(Number(a.n));
      else if (a.what === 'authentication') {
        if (a.part === 'command') delete p.authenticationCommand;
        else if (p.authentication?.kind === a.part) delete p.authentication;
      } else {
        if (a.part === 'command') delete p.enrollmentCommand;
        else if (a.part === 'credential') delete p.enrollmentCredential;
        else if (p.enrollment?.kind === a.part) delete p.enrollment;
      }
    },
  },
];

// ---------------------------------------------------------------------------------------
// config-cert-chain and its hex data mode

const CHAIN_KINDS: readonly ChainCertKind[] = ['ca', 'self-signed', 'rollover', 'ca-rollover', 'ca-previous', 'ra-sign', 'ra-encrypt', 'ra-general'];

const CHAIN: ConfigCommand[] = [
  {
    syntax: 'certificate [(ca|self-signed|rollover|ra-sign|ra-encrypt|ra-general)$kind] HEX$serial',
    help: {
      certificate: 'Enter a certificate in hexadecimal',
      ca: 'The certificate of the CA',
      'self-signed': 'A self-signed certificate',
      rollover: 'A rollover (shadow) certificate',
      'ra-sign': 'RA signature certificate',
      'ra-encrypt': 'RA encryption certificate',
      'ra-general': 'RA general-purpose certificate',
      $serial: 'Certificate serial number (hex)',
    },
    handler(ctx, a) {
      const kind = (a.kind as ChainCertKind | undefined) ?? 'general';
      ctx.enter('config-pubkey', { chain: ctx.target.chain!, cert: { kind, serial: a.serial!.toUpperCase(), hex: [] } });
    },
  },
  {
    syntax: 'certificate ca rollover HEX$serial',
    help: { certificate: 'Enter a certificate in hexadecimal', ca: 'The certificate of the CA', rollover: "The CA's rollover (shadow) certificate", $serial: 'Certificate serial number (hex)' },
    handler(ctx, a) {
      ctx.enter('config-pubkey', { chain: ctx.target.chain!, cert: { kind: 'ca-rollover', serial: a.serial!.toUpperCase(), hex: [] } });
    },
  },
  {
    syntax: 'certificate ca previous HEX$serial',
    help: { certificate: 'Enter a certificate in hexadecimal', ca: 'The certificate of the CA', previous: "The CA's previous certificate, kept after a CA rollover while certificates it issued are in use", $serial: 'Certificate serial number (hex)' },
    handler(ctx, a) {
      ctx.enter('config-pubkey', { chain: ctx.target.chain!, cert: { kind: 'ca-previous', serial: a.serial!.toUpperCase(), hex: [] } });
    },
  },
  {
    // Certificate types this version does not know (the guide's example reads "certificate pki 0B").
    syntax: 'certificate WORD$kind HEX$serial',
    hidden: true,
    handler(ctx, a) {
      if (ctx.interactive) ctx.print(`% Unknown certificate type "${a.kind}": kept as the trustpoint's own certificate.`);
      ctx.enter('config-pubkey', { chain: ctx.target.chain!, cert: { kind: 'general', serial: a.serial!.toUpperCase(), hex: [] } });
    },
  },
  {
    syntax: 'no certificate HEX$serial',
    help: { no: H.no, certificate: 'Delete a certificate', $serial: 'Certificate serial number (hex)' },
    handler(ctx, a) {
      const chain = ctx.config.chains.get(ctx.target.chain!);
      const serial = a.serial!.toUpperCase().replace(/^0+(?=.)/, '');
      const i = chain?.certificates.findIndex((c) => c.serial.replace(/^0+(?=.)/, '') === serial) ?? -1;
      if (!chain || i < 0) throw new ConfigError(`% No certificate with serial number ${a.serial} in this chain.`);
      chain.certificates.splice(i, 1);
    },
  },
];

/**
 * Handles one line typed in the config-pubkey (hex data) mode. `quit` ends the certificate:
 * the hex is decoded, checked to be one complete X.509 certificate whose serial matches, and
 * stored (replacing a certificate with the same serial and kind).
 */
export function hexDataLine(ctx: ConfigCtx, line: string): void {
  const cert = ctx.target.cert;
  if (!cert) throw new ConfigError('% Not entering certificate data.');
  const text = line.trim();
  if (text.toLowerCase() === 'quit') {
    const chainName = ctx.target.chain!;
    ctx.leave();
    let der: Uint8Array;
    try {
      der = fromHex(cert.hex.join(''));
    } catch (e) {
      throw new ConfigError(`% Certificate ${cert.serial} not stored: ${(e as Error).message.replace(/^fromHex: /, '')}`);
    }
    let serial: string;
    try {
      serial = certificateSerial(der);
    } catch (e) {
      throw new ConfigError(`% Certificate ${cert.serial} not stored: ${(e as Error).message.replace(/^x509\.parse: /, '')}`);
    }
    const strip = (s: string) => s.replace(/^0+(?=.)/, '');
    if (strip(serial) !== strip(cert.serial)) throw new ConfigError(`% Certificate not stored: its serial number is ${serial}, not ${cert.serial}.`);
    const chain = ctx.config.chains.get(chainName);
    if (!chain) throw new ConfigError('% The certificate chain being configured no longer exists.');
    const existing = chain.certificates.findIndex((c) => strip(c.serial) === strip(cert.serial) && c.kind === cert.kind);
    const entry = { kind: cert.kind, serial: cert.serial, der };
    if (existing >= 0) chain.certificates[existing] = entry;
    else chain.certificates.push(entry);
    return;
  }
  if (!/^[0-9A-Fa-f\s]*$/.test(text)) {
    ctx.leave();
    throw new ConfigError(`% Invalid certificate data "${text.slice(0, 20)}": only hexadecimal digits are allowed; certificate ${cert.serial} discarded.`);
  }
  cert.hex.push(text);
}

/**
 * The serial number of a certificate as IOS prints it (upper-case hex, no leading zero bytes),
 * read from its DER without a full X.509 parse, so that loading a startup-config needs no pkijs
 * (the console starts light): one complete element shaped Certificate ::= SEQUENCE {
 * TBSCertificate SEQUENCE { [0] version OPTIONAL, serialNumber INTEGER, … },
 * AlgorithmIdentifier SEQUENCE, BIT STRING }.
 */
export function certificateSerial(der: Uint8Array): string {
  let top;
  try {
    top = readTlv(der, 0, der.length, BER);
  } catch (e) {
    throw new Error(`x509.parse: malformed DER (${(e as Error).message.replace(/^x509\.parse: /, '')})`);
  }
  if (top.end !== der.length) throw new Error(`x509.parse: ${der.length - top.end} bytes after the certificate`);
  try {
    derCheck(der, { ber: true, what: 'x509.parse' });
  } catch (e) {
    throw new Error(`x509.parse: malformed DER (${(e as Error).message.replace(/^x509\.parse: /, '')})`);
  }
  const parts = top.tag === 0x30 ? derChildren(der, top, BER) : [];
  if (parts.length !== 3 || parts[0]!.tag !== 0x30 || parts[1]!.tag !== 0x30 || parts[2]!.tag !== 0x03) throw new Error('x509.parse: not an X.509 certificate');
  const tbs = derChildren(der, parts[0]!, BER);
  const s = tbs[0]?.tag === 0xa0 ? tbs[1] : tbs[0];
  if (!s || s.tag !== 0x02 || s.contentEnd === s.contentStart || tbs.length < 6) throw new Error('x509.parse: not an X.509 certificate (no serial number)');
  let b = der.subarray(s.contentStart, s.contentEnd);
  while (b.length > 1 && b[0] === 0) b = b.subarray(1);
  return toHex(b);
}

/** `crypto pki server` sub-commands (IOS certificate server): accepted, ignored (see the note there). */
const CS_SERVER: ConfigCommand[] = ['database LINE', 'issuer-name LINE', 'grant LINE', 'lifetime LINE', 'cdp-url LINE', 'hash LINE', 'mode LINE', 'auto-rollover [LINE]', 'shutdown', 'no shutdown', 'serial-number LINE', 'redundancy'].map(
  (syntax): ConfigCommand => ({ syntax, hidden: true, handler() {} }),
);

export const CONFIG_COMMANDS: Readonly<Partial<Record<ModeId, readonly ConfigCommand[]>>> = {
  config: GLOBAL,
  'ca-trustpoint': TRUSTPOINT,
  'ca-profile-enroll': PROFILE,
  'config-cert-chain': CHAIN,
  'cs-server': CS_SERVER,
  'ca-certificate-map': ['subject-name LINE', 'issuer-name LINE', 'unstructured-subject-name LINE', 'alt-subject-name LINE', 'name LINE', 'valid-start LINE', 'expires-on LINE'].map(
    (syntax): ConfigCommand => ({ syntax, hidden: true, handler() {} }),
  ),
  'ca-trustpool': ['revocation-check LINE', 'cabundle LINE', 'chain-validation LINE', 'crl LINE', 'match LINE', 'ocsp LINE', 'source LINE', 'storage LINE', 'vrf LINE', 'default LINE'].map(
    (syntax): ConfigCommand => ({ syntax, hidden: true, handler() {} }),
  ),
};

export { CHAIN_KINDS };
