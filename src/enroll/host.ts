/**
 * What the enrollment workflows of enroll/ (authenticate, terminal, file, self-signed) need
 * from the application that runs them, as a narrow port (smallstep's `pivKey`-style seam):
 * the running configuration, the clock, the key pairs of a trustpoint and their signers, chain
 * validation (with the trustpoint's revocation checking), files and downloads, and the one
 * commit of a key/certificate change (app/commit.ts). app/ implements it (`enrollHost` in
 * app/pki.ts); enroll/ never reaches into the store, the key store or the UI itself.
 */
import type { ChainCertificate, RunningConfig, Trustpoint } from '../config/model.ts';
import type { Signer, VerifyFn } from '../crypto/types.ts';
import type { ValidateChainResult } from '../pki/chain/index.ts';
import type { CmsEngine } from '../pki/envelope.ts';
import { summarizeCertificate } from '../pki/x509.ts';
import { toHex } from '../util/hex.ts';
import type { EnrollIo } from './io.ts';

/** Which key of a pair: general-purpose, or the signature / encryption key of `usage-keys`. */
export type EnrollKeyUsage = 'general' | 'signature' | 'encryption';

/** A key pair as the workflows see it (app's KeyRecord is one). */
export interface EnrollKey {
  label: string;
  usage: EnrollKeyUsage;
  kind: 'rsa' | 'ec';
  spki: Uint8Array;
}

/** A change of keys and configuration, committed as one (app/commit.ts). */
export interface EnrollChange<K extends EnrollKey> {
  /** the configuration change (applied to a copy first, then to the running-config) */
  apply?(cfg: RunningConfig): void;
  /** pairs that become the current pairs of their label */
  activate?: K[];
}

/** A chain to validate: RFC 5280 path validation, plus the trustpoint's `revocation-check`. */
export interface ChainCheck {
  leaf: Uint8Array;
  intermediates: Uint8Array[];
  anchors: Uint8Array[];
  time: Date;
  ca: boolean;
  trustpoint?: Trustpoint;
}

/** The fingerprints IOS shows, as `D23209AD 23D31423 ...`. */
export interface Fingerprints {
  md5: string;
  sha1: string;
  sha256: string;
}

/** Which configured `fingerprint` value (hex, no spaces) matches: MD5, SHA-1 or SHA-256. */
export function fingerprintMatches(expected: string, fp: Fingerprints): boolean {
  const e = expected.toUpperCase();
  const plain = (s: string) => s.replace(/ /g, '');
  if (e.length === 32) return plain(fp.md5) === e;
  if (e.length === 40) return plain(fp.sha1) === e;
  if (e.length === 64) return plain(fp.sha256) === e;
  return false;
}

export interface EnrollHost<K extends EnrollKey = EnrollKey> {
  readonly io: EnrollIo;
  readonly running: RunningConfig;
  /** the device serial number IOS puts into the subject (`serial-number`) */
  readonly serialNumber: string;
  clock(): Date;
  fingerprints(der: Uint8Array): Promise<Fingerprints>;
  sha1(data: Uint8Array): Promise<Uint8Array>;
  readonly verify: VerifyFn;
  engine(): Promise<CmsEngine>;
  validateChain(c: ChainCheck): Promise<ValidateChainResult>;
  /** the trustpoint's pairs; for an enrollment the pairs to certify (made or regenerated as configured) */
  keysFor(tp: Trustpoint, opts: { forEnrollment: boolean; generalOnly?: boolean }): Promise<K[]>;
  signer(k: K): Promise<Signer>;
  commit(change: EnrollChange<K>): Promise<void>;
  /** an IOS file system file (`flash:name`), or undefined */
  readFile(path: string): Promise<Uint8Array | undefined>;
  writeFile(path: string, data: Uint8Array): Promise<void>;
  /** offers bytes as a download (the browser's "file transfer") */
  offerDownload(name: string, data: Uint8Array, mime: string): void;
}

/** The CA certificates of a trustpoint's chain (issuing CA first). */
export function caCertificates(cfg: RunningConfig, name: string): ChainCertificate[] {
  return cfg.chains.get(name)?.certificates.filter((c) => c.kind === 'ca') ?? [];
}

/**
 * The chain entries that stay when `key` gets a new certificate: everything but the own
 * certificates (active or rollover), except the other usage key's (usage keys come in twos).
 */
export function keepOtherUsage<K extends EnrollKey & { usage: string }>(certs: ChainCertificate[], keys: readonly K[], key: K): ChainCertificate[] {
  return certs.filter((c) => {
    if (c.kind !== 'general' && c.kind !== 'self-signed' && c.kind !== 'rollover') return true;
    try {
      const ks = toHex(summarizeCertificate(c.der).spki);
      return keys.some((k) => k !== key && toHex(k.spki) === ks && k.usage !== key.usage);
    } catch {
      return false;
    }
  });
}
