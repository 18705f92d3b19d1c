/**
 * Shared by the CMS/engine tests (engine.test.ts, envelope.test.ts): the core loader for both
 * builds, a WebCrypto trap for core-only mode, and OpenSSL as the referee — a temp workspace,
 * `openssl` returning DER, and key/certificate fixtures made by `openssl req -x509`.
 */
import { execFileSync } from 'node:child_process';
import * as nc from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { vi } from 'vitest';
import type { CoreApi } from '../../../src/core/api.ts';
import { createDirectCore } from '../../../src/core/direct.ts';
import { loadCoreBytes } from '../_core.ts';
import { OID } from '../../../src/pki/oids.ts';
import { PkiError } from '../../../src/util/errors.ts';

export const loadCore = (release: boolean): Promise<CoreApi> => createDirectCore(loadCoreBytes(release ? 'release' : 'debug'));

const SUBTLE_METHODS = ['encrypt', 'decrypt', 'sign', 'verify', 'digest', 'generateKey', 'deriveKey', 'deriveBits', 'importKey', 'exportKey', 'wrapKey', 'unwrapKey'] as const;

/** Makes every WebCrypto method throw, so a test in core-only mode fails if anything uses it; returns the undo. */
export function trapWebCrypto(): () => void {
  const spies = SUBTLE_METHODS.map((m) =>
    vi.spyOn(crypto.subtle, m).mockImplementation(() => {
      throw new Error(`crypto.subtle.${m} called in core-only mode`);
    }),
  );
  return () => spies.forEach((s) => s.mockRestore());
}

export const LEGACY = ['-provider', 'legacy', '-provider', 'default'];
export const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
export const utf8 = (s: string): Uint8Array<ArrayBuffer> => new TextEncoder().encode(s);
export const text = (b: Uint8Array): string => new TextDecoder().decode(b);
export const rnd = (n: number): Uint8Array<ArrayBuffer> => new Uint8Array(nc.randomBytes(n));

export interface Fixture {
  keyPem: string;
  certPem: string;
  pkcs8: Uint8Array<ArrayBuffer>;
  spki: Uint8Array<ArrayBuffer>;
  cert: Uint8Array<ArrayBuffer>;
}

export interface Referee {
  dir: string;
  /** writes `data` to a fresh file in the workspace; returns its path */
  file(data: Uint8Array | string, ext?: string): string;
  /** runs openssl in the workspace; stdout as bytes (throws with stderr on failure) */
  ossl(args: string[], input?: Uint8Array): Uint8Array<ArrayBuffer>;
  /** a self-signed certificate and its key (e.g. `['-newkey', 'rsa:2048']`) */
  makeFixture(alg: string[], cn: string): Fixture;
  /** removes the workspace */
  close(): void;
}

export function openReferee(prefix: string, org: string): Referee {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  let fileNo = 0;
  const ossl = (args: string[], input?: Uint8Array): Uint8Array<ArrayBuffer> => new Uint8Array(execFileSync('openssl', args, { cwd: dir, input, stdio: ['pipe', 'pipe', 'pipe'] }));
  return {
    dir,
    file(data, ext = 'der') {
      const f = join(dir, `f${++fileNo}.${ext}`);
      writeFileSync(f, data);
      return f;
    },
    ossl,
    makeFixture(alg, cn) {
      const keyPem = join(dir, `${cn}.key.pem`);
      const certPem = join(dir, `${cn}.cert.pem`);
      execFileSync('openssl', ['req', '-x509', ...alg, '-nodes', '-keyout', keyPem, '-out', certPem, '-subj', `/CN=${cn}/O=${org}`, '-days', '2'], { stdio: 'pipe' });
      return {
        keyPem,
        certPem,
        pkcs8: ossl(['pkcs8', '-topk8', '-nocrypt', '-in', keyPem, '-outform', 'DER']),
        spki: ossl(['pkey', '-in', keyPem, '-pubout', '-outform', 'DER']),
        cert: ossl(['x509', '-in', certPem, '-outform', 'DER']),
      };
    },
    close: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/**
 * Adds a KeyTransRecipientInfo for `cert` to a pkijs EnvelopedData the way SCEP servers need it
 * (RFC 8894 §3.2.1, RFC 5652 §6.2.1): version 0, rid issuerAndSerialNumber, and
 * keyEncryptionAlgorithm rsaEncryption WITH explicit NULL parameters (RFC 3370 §4.2.1) —
 * instead of `addRecipientByCertificate`'s RSA-OAEP/SHA-512. A test helper (the app writes
 * EnvelopedData with `envelope()`): it drives pkijs' own EnvelopedData through the engine.
 */
export function addPkcs1Recipient(env: pkijs.EnvelopedData, cert: pkijs.Certificate): void {
  if (cert.subjectPublicKeyInfo.algorithm.algorithmId !== OID.rsaEncryption) throw new PkiError('unsupported', `engine.addPkcs1Recipient: the certificate's key is ${cert.subjectPublicKeyInfo.algorithm.algorithmId}, not rsaEncryption`);
  env.recipientInfos.push(
    new pkijs.RecipientInfo({
      variant: 1,
      value: new pkijs.KeyTransRecipientInfo({
        version: 0,
        rid: new pkijs.IssuerAndSerialNumber({ issuer: cert.issuer, serialNumber: cert.serialNumber }),
        keyEncryptionAlgorithm: new pkijs.AlgorithmIdentifier({ algorithmId: OID.rsaEncryption, algorithmParams: new asn1js.Null() }),
        recipientCertificate: cert,
      }),
    }),
  );
}
