/**
 * pkijs views of DER: one complete element (`parseDer`) and an X.509 certificate
 * (`parseCertificate`), for the CMS/PKCS#12 code and the certificate viewer. Kept apart from
 * x509.ts so that the summaries the console needs at start-up do not pull in pkijs.
 */
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { PkiError } from '../util/errors.ts';
import { X509_MAX_BYTES } from './x509.ts';

/** Parses one complete DER element; throws PkiError(code) naming the problem. */
export function parseDer(der: Uint8Array, code: string, op: string, noun: string): asn1js.AsnType {
  const buf = der.slice().buffer;
  let asn: ReturnType<typeof asn1js.fromBER>;
  try {
    asn = asn1js.fromBER(buf);
  } catch (e) {
    // asn1js throws plain Errors for some bad contents (a GeneralizedTime that is not one)
    throw new PkiError(code, `${op}: malformed DER (${(e as Error).message})`, { cause: e });
  }
  if (asn.offset === -1) throw new PkiError(code, `${op}: malformed DER (${asn.result.error || 'decoding failed'})`);
  if (asn.offset !== der.length) throw new PkiError(code, `${op}: ${der.length - asn.offset} bytes after the ${noun}`);
  return asn.result;
}

/** Parses a DER certificate. Throws PkiError('bad-certificate') with the reason. */
export function parseCertificate(der: Uint8Array): pkijs.Certificate {
  if (der.length < 2 || der[0] !== 0x30) throw new PkiError('bad-certificate', 'x509.parse: not a DER certificate (no SEQUENCE)');
  if (der.length > X509_MAX_BYTES) throw new PkiError('bad-certificate', `x509.parse: the certificate is ${der.length} bytes, more than the ${X509_MAX_BYTES} accepted`);
  const asn = parseDer(der, 'bad-certificate', 'x509.parse', 'certificate');
  try {
    return new pkijs.Certificate({ schema: asn });
  } catch (e) {
    throw new PkiError('bad-certificate', `x509.parse: not an X.509 certificate (${(e as Error).message})`, { cause: e });
  }
}
