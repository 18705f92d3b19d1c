/**
 * GetCACert replies (RFC 8894 §4.2): a single DER certificate (`application/x-x509-ca-cert`)
 * or a degenerate PKCS#7 (`application/x-x509-ca-ra-cert`) holding the CA chain and, in RA
 * mode, the RA certificates. Splits CA from RA certificates and picks the RA's signing and
 * encryption certificates — by key usage where it tells, and sensibly where it does not
 * (NDES issues its "CEP Encryption" and "Enrollment Agent" certificates with key usages that
 * do not always separate them).
 */
import { certificatesFromPkcs7, classifyDer } from '../../pki/cms.ts';
import { verifySignedData, type CmsEngine } from '../../pki/envelope.ts';
import type { VerifyFn } from '../../crypto/types.ts';
import { PkiError } from '../../util/errors.ts';
import { readPasted } from '../../pki/pem.ts';
import { summarizeCertificate } from '../../pki/x509.ts';
import { ScepError } from './errors.ts';

export interface CaReply {
  /** CA certificates (cA = TRUE), in the order sent */
  cas: Uint8Array[];
  /** RA (end-entity) certificates */
  ras: Uint8Array[];
}

export function parseCaCertReply(contentType: string, body: Uint8Array): CaReply {
  let certs: Uint8Array[];
  try {
    const kind = classifyDer(body);
    if (kind === 'certificate') certs = [body];
    else if (kind === 'pkcs7') certs = certificatesFromPkcs7(body);
    else certs = readPasted(body).map((b) => b.der); // some CAs answer PEM
  } catch (e) {
    throw new ScepError('reply', `GetCACert did not return a certificate or a PKCS#7 bundle (${contentType || 'no content type'}): ${(e as Error).message.replace(/^[\w.]+: /, '')}`);
  }
  if (!certs.length) throw new ScepError('reply', 'GetCACert returned no certificate.');
  const cas: Uint8Array[] = [];
  const ras: Uint8Array[] = [];
  for (const c of certs) {
    const s = summarizeCertificate(c);
    if (s.isCA || (s.selfIssued && certs.length === 1)) cas.push(c);
    else ras.push(c);
  }
  if (!cas.length) throw new ScepError('reply', 'GetCACert returned no CA certificate (only end-entity certificates).');
  return { cas, ras };
}

export interface RaCertificates {
  sign: Uint8Array;
  encrypt: Uint8Array;
  /** the key usages do not tell signing from encryption: encrypt to every RA certificate */
  ambiguous?: boolean;
}

/**
 * The RA's signing and encryption certificates. An encryption certificate is one whose key
 * usage allows keyEncipherment (preferring one that does not also sign); the signing one
 * allows digitalSignature. With one RA certificate it does both; when the key usages do not
 * tell them apart (none, or the same on both) the result is `ambiguous`: requests are then
 * encrypted to every RA certificate (a SCEP envelope may have several recipients) and replies
 * are accepted from any of them.
 */
export function pickRa(ras: readonly Uint8Array[]): RaCertificates | undefined {
  if (!ras.length) return undefined;
  if (ras.length === 1) return { sign: ras[0]!, encrypt: ras[0]! };
  const ku = ras.map((c) => summarizeCertificate(c).keyUsage);
  const enc = (i: number) => !ku[i] || ku[i]!.includes('keyEncipherment');
  const sig = (i: number) => !ku[i] || ku[i]!.includes('digitalSignature') || ku[i]!.includes('nonRepudiation');
  const idx = ras.map((_, i) => i);
  const encOnly = idx.find((i) => enc(i) && !sig(i));
  const sigOnly = idx.find((i) => sig(i) && !enc(i));
  const e = encOnly ?? idx.find((i) => i !== sigOnly && enc(i));
  const s = sigOnly ?? idx.find((i) => i !== e && sig(i));
  if (e !== undefined && s !== undefined && e !== s && (encOnly !== undefined || sigOnly !== undefined)) return { sign: ras[s]!, encrypt: ras[e]! };
  return { sign: ras[0]!, encrypt: ras[1]!, ambiguous: true };
}

/**
 * GetNextCACert (RFC 8894 §4.7.1): a SignedData signed by the *current* CA (or its RA) whose
 * content is a degenerate PKCS#7 with the CA's next certificate (and any new RA certificates).
 * Returns the next CA certificate(s); throws a ScepError when the reply is not signed by one of
 * `trusted` or carries no CA certificate.
 */
export async function parseNextCaReply(body: Uint8Array, p: { verify: VerifyFn; trusted: readonly Uint8Array[] }, engine: CmsEngine): Promise<Uint8Array[]> {
  let content: Uint8Array;
  try {
    content = (await verifySignedData(body, { verify: p.verify, trusted: p.trusted }, engine)).content;
  } catch (e) {
    if (e instanceof PkiError && (e.code === 'bad-signature' || e.code === 'untrusted'))
      throw new ScepError('reply', `The next CA certificate (GetNextCACert) is not signed by the current CA (${e.message.replace(/^[\w.]+: /, '')}).`);
    if (e instanceof PkiError) throw new ScepError('reply', `The GetNextCACert reply is not a signed certificate bundle (${e.message.replace(/^[\w.]+: /, '')}).`);
    throw e;
  }
  let certs: Uint8Array[];
  try {
    certs = certificatesFromPkcs7(content);
  } catch (e) {
    throw new ScepError('reply', `The GetNextCACert reply holds no certificate bundle (${(e as Error).message.replace(/^[\w.]+: /, '')}).`);
  }
  const cas = certs.filter((c) => summarizeCertificate(c).isCA);
  if (!cas.length) throw new ScepError('reply', 'The GetNextCACert reply holds no CA certificate.');
  return cas;
}
