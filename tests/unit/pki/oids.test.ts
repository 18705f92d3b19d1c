/**
 * The one OID table (src/pki/oids.ts): every entry well formed and unique, the derived
 * look-ups agree with each other, and the display names are what OpenSSL prints for key
 * purposes (`openssl x509 -text`, the referee) and what IOS prints for signature algorithms.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import type { HashAlg } from '../../../src/core/api.ts';
import { decodeOid, encodeOid } from '../../../src/pki/der.ts';
import {
  OID,
  attributeOfKeyword,
  attributeShortName,
  cbcCipher,
  curveOfOid,
  hashOfOid,
  hmacOfOid,
  keyPurposeOid,
  oidDisplay,
  oidInfo,
  oidName,
  oidOfHash,
  oidOfHmac,
  pbeScheme,
  signatureAlgorithm,
  signatureOid,
} from '../../../src/pki/oids.ts';

const entries = Object.entries(OID) as [string, string][];

describe('the table', () => {
  test('every OID is a valid dotted OID that survives DER, and appears once', () => {
    for (const [name, oid] of entries) {
      expect(decodeOid(encodeOid(oid)), name).toBe(oid);
      expect(oidInfo(oid)!.name).toBe(name);
      expect(oidName(oid)).toBe(name);
    }
    expect(new Set(entries.map(([, o]) => o)).size).toBe(entries.length);
  });
  test('unknown OIDs are shown dotted', () => {
    expect(oidName('1.2.3.4')).toBe('1.2.3.4');
    expect(oidDisplay('1.2.3.4')).toBe('1.2.3.4');
    expect(attributeShortName('1.2.3.4')).toBe('OID.1.2.3.4');
  });
  const hashes: HashAlg[] = ['MD5', 'SHA-1', 'SHA-224', 'SHA-256', 'SHA-384', 'SHA-512', 'SHA-512/224', 'SHA-512/256'];
  test.each(hashes)('%s: digest, HMAC and signature OIDs agree', (h) => {
    expect(hashOfOid(oidOfHash(h))).toBe(h);
    const hmac = oidOfHmac(h);
    if (h === 'MD5') expect(hmac).toBeUndefined();
    else expect(hmacOfOid(hmac!)).toBe(h);
    const rsa = signatureOid('rsa', h)!;
    expect(signatureAlgorithm(rsa)).toMatchObject({ key: 'rsa', hash: h });
    const ec = signatureOid('ec', h);
    if (h === 'MD5' || h.startsWith('SHA-512/')) expect(ec).toBeUndefined();
    else expect(signatureAlgorithm(ec!)).toMatchObject({ key: 'ec', hash: h });
  });
  test('typed look-ups only answer for their kind', () => {
    expect(hashOfOid(OID.sha256WithRSAEncryption)).toBeUndefined();
    expect(signatureAlgorithm(OID['SHA-256'])).toBeUndefined();
    expect(cbcCipher(OID['AES-256-CBC'])).toMatchObject({ cipher: 'AES-CBC', keyLength: 32, ivLength: 16 });
    expect(cbcCipher(OID['AES-256-GCM'])).toBeUndefined(); // known, not implemented
    expect(pbeScheme(OID['pbeWithSHAAnd3-KeyTripleDES-CBC'])).toMatchObject({ kdf: 'pkcs12', hash: 'SHA-1', cipher: 'DES-EDE3-CBC', keyLength: 24 });
    expect(pbeScheme(OID['pbeWithMD5AndRC2-CBC'])).toMatchObject({ kdf: 'pbkdf1', hash: 'MD5', rc2Bits: 64 });
    expect(pbeScheme(OID.pbeWithSHAAnd128BitRC4)).toBeUndefined();
    expect(hmacOfOid(OID.hmacWithMD5)).toBeUndefined();
    expect(['1.2.840.10045.3.1.7', '1.3.132.0.34', '1.3.132.0.35'].map((o) => curveOfOid(o)!.curve)).toEqual(['P-256', 'P-384', 'P-521']);
    expect(keyPurposeOid('clientAuth')).toBe('1.3.6.1.5.5.7.3.2');
    expect(keyPurposeOid('keyUsage')).toBeUndefined();
  });
  test('name attributes: IOS short names and the subject-name keywords', () => {
    expect(['2.5.4.3', '2.5.4.5', '1.2.840.113549.1.9.1', '1.2.840.113549.1.9.2', '1.2.840.113549.1.9.8'].map(attributeShortName)).toEqual(['CN', 'serialNumber', 'EA', 'hostname', 'ipaddress']);
    expect(['cn', 'E', 'emailAddress', 'hostname', 'IPADDRESS', 'title', 'T'].map(attributeOfKeyword)).toEqual(['2.5.4.3', '1.2.840.113549.1.9.1', '1.2.840.113549.1.9.1', '1.2.840.113549.1.9.2', '1.2.840.113549.1.9.8', '2.5.4.12', '2.5.4.12']);
    expect(attributeOfKeyword('nope')).toBeUndefined();
  });
});

describe('display names', () => {
  test('signature algorithms as IOS prints them; the others stay dotted (as before)', () => {
    expect(oidDisplay(OID.sha256WithRSAEncryption)).toBe('SHA256 with RSA Encryption');
    expect(oidDisplay(OID['ecdsa-with-SHA384'])).toBe('SHA384 with ECDSA');
    expect(oidDisplay(OID.md5WithRSAEncryption)).toBe('MD5 with RSA Encryption');
    expect(oidDisplay(OID['RSASSA-PSS'])).toBe('RSASSA-PSS');
    expect(oidDisplay(OID.sha224WithRSAEncryption)).toBe(OID.sha224WithRSAEncryption);
  });
  test('key purposes as `openssl x509 -text` prints them', () => {
    const purposes = entries.filter(([, o]) => oidInfo(o)!.kind === 'key-purpose');
    expect(purposes.length).toBeGreaterThanOrEqual(15);
    const dir = mkdtempSync(join(tmpdir(), 'tp-oids-'));
    try {
      const pem = execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', join(dir, 'k.pem'), '-subj', '/CN=eku', '-days', '1', '-addext', `extendedKeyUsage=${purposes.map(([, o]) => o).join(',')}`], { stdio: ['ignore', 'pipe', 'ignore'] });
      const text = execFileSync('openssl', ['x509', '-noout', '-text'], { input: pem }).toString();
      const line = text.split('\n')[text.split('\n').findIndex((l) => l.includes('X509v3 Extended Key Usage')) + 1]!.trim();
      expect(line.split(', ')).toEqual(purposes.map(([, o]) => oidDisplay(o)));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
