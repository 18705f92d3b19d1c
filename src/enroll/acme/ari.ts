/**
 * ACME Renewal Information (ARI, RFC 9773): the certificate identifier a client puts in
 * `renewalInfo/<id>` and in a new order's `replaces`, and the server's suggested window.
 *
 * certID = base64url(AuthorityKeyIdentifier.keyIdentifier) "." base64url(serialNumber), the
 * serial as the DER INTEGER's content octets (with its leading zero, if any) — RFC 9773 §4.1.
 */
import { derChildren, derRead, type Tlv } from '../../pki/pem.ts';
import { PkiError } from '../../util/errors.ts';
import { toHex } from '../../util/hex.ts';
import { b64url } from './jws.ts';

const OID_AKI = '551d23'; // 2.5.29.35

/** RFC 9773 §4.1 from the two parts. */
export function certIdFrom(keyIdentifier: Uint8Array, serialContent: Uint8Array): string {
  return `${b64url(keyIdentifier)}.${b64url(serialContent)}`;
}

/** The ARI certificate identifier of a certificate (DER); PkiError without an AKI keyIdentifier. */
export function certIdOf(cert: Uint8Array): string {
  const bad = (why: string): never => {
    throw new PkiError('bad-certificate', `ari.certId: ${why}`);
  };
  const top = derRead(cert, 0);
  const tbs = derChildren(cert, top)[0] ?? bad('no TBSCertificate');
  const fields = derChildren(cert, tbs);
  let i = 0;
  if (fields[0]?.tag === 0xa0) i++; // [0] version
  const serial = fields[i] ?? bad('no serial number');
  if (serial.tag !== 0x02) bad('the serial number is not an INTEGER');
  const extsWrap = fields.find((f) => f.tag === 0xa3);
  const exts: Tlv[] = extsWrap ? derChildren(cert, derChildren(cert, extsWrap)[0]!) : [];
  for (const e of exts) {
    const [oid, ...rest] = derChildren(cert, e);
    if (!oid || toHex(cert.subarray(oid.contentStart, oid.contentEnd)).toLowerCase() !== OID_AKI) continue;
    const octets = rest[rest.length - 1]!;
    const aki = derRead(cert, octets.contentStart, octets.contentEnd);
    const kid = derChildren(cert, aki).find((c) => c.tag === 0x80);
    if (!kid) break;
    return certIdFrom(cert.subarray(kid.contentStart, kid.contentEnd), cert.subarray(serial.contentStart, serial.contentEnd));
  }
  return bad('the certificate has no authority key identifier (keyIdentifier)');
}

/** A renewalInfo response (RFC 9773 §4.2). */
export interface RenewalInfo {
  start: Date;
  end: Date;
  explanationURL?: string;
}

/** Checks and reads a renewalInfo body; undefined when it is not one. */
export function parseRenewalInfo(json: unknown): RenewalInfo | undefined {
  const w = (json as { suggestedWindow?: { start?: unknown; end?: unknown } } | null)?.suggestedWindow;
  if (!w || typeof w.start !== 'string' || typeof w.end !== 'string') return undefined;
  const start = new Date(w.start);
  const end = new Date(w.end);
  if (Number.isNaN(start.getTime()) || Number.isNaN(end.getTime()) || end < start) return undefined;
  const url = (json as { explanationURL?: unknown }).explanationURL;
  return typeof url === 'string' ? { start, end, explanationURL: url } : { start, end };
}
