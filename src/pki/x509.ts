/**
 * A small view model of an X.509 certificate for the configuration layer and `show`
 * commands. Parsing is strict about the outer encoding (one complete DER SEQUENCE, nothing
 * after it) so that a damaged hex block or paste is rejected instead of half-read.
 */
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { PkiError } from '../util/errors.ts';
import { toHex } from '../util/hex.ts';
import { shortNameOf, type Attribute } from './names.ts';

export interface CertificateSummary {
  /** Serial number as IOS prints it: upper-case hex without leading zero bytes (at least one byte). */
  serial: string;
  subject: Attribute[];
  issuer: Attribute[];
  notBefore: Date;
  notAfter: Date;
  /** basicConstraints cA = TRUE */
  isCA: boolean;
  /** subject == issuer (byte-wise) */
  selfIssued: boolean;
  signatureAlgorithm: string;
}

function attrs(name: pkijs.RelativeDistinguishedNames): Attribute[] {
  return name.typesAndValues.map((tv) => ({
    oid: tv.type,
    short: shortNameOf(tv.type),
    value: String((tv.value as { valueBlock?: { value?: unknown } }).valueBlock?.value ?? ''),
  }));
}

/** Parses a DER certificate. Throws PkiError('bad-certificate') with the reason. */
export function parseCertificate(der: Uint8Array): pkijs.Certificate {
  if (der.length < 2 || der[0] !== 0x30) throw new PkiError('bad-certificate', 'x509.parse: not a DER certificate (no SEQUENCE)');
  const buf = der.slice().buffer;
  const asn = asn1js.fromBER(buf);
  if (asn.offset === -1) throw new PkiError('bad-certificate', `x509.parse: malformed DER (${asn.result.error || 'decoding failed'})`);
  if (asn.offset !== der.length) throw new PkiError('bad-certificate', `x509.parse: ${der.length - asn.offset} bytes after the certificate`);
  try {
    return new pkijs.Certificate({ schema: asn.result });
  } catch (e) {
    throw new PkiError('bad-certificate', `x509.parse: not an X.509 certificate (${(e as Error).message})`, { cause: e });
  }
}

export function summarizeCertificate(der: Uint8Array): CertificateSummary {
  const cert = parseCertificate(der);
  let serialBytes = new Uint8Array(cert.serialNumber.valueBlock.valueHexView);
  while (serialBytes.length > 1 && serialBytes[0] === 0) serialBytes = serialBytes.subarray(1);
  const bc = cert.extensions?.find((e) => e.extnID === '2.5.29.19');
  const isCA = !!(bc?.parsedValue as pkijs.BasicConstraints | undefined)?.cA;
  const subjectDer = new Uint8Array(cert.subject.toSchema().toBER());
  const issuerDer = new Uint8Array(cert.issuer.toSchema().toBER());
  return {
    serial: toHex(serialBytes),
    subject: attrs(cert.subject),
    issuer: attrs(cert.issuer),
    notBefore: cert.notBefore.value,
    notAfter: cert.notAfter.value,
    isCA,
    selfIssued: toHex(subjectDer) === toHex(issuerDer),
    signatureAlgorithm: cert.signatureAlgorithm.algorithmId,
  };
}
