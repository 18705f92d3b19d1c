/**
 * The persistent self-signed certificate of `enrollment selfsigned` (IOS's
 * "IOS-Self-Signed-Certificate-<serial>"): an X.509 v3 certificate signed by the trustpoint's
 * own key, encoded with the same DER encoders as the PKCS#10 builder.
 *
 * ```asn1
 * TBSCertificate ::= SEQUENCE { version [0] EXPLICIT Version DEFAULT v1, serialNumber,
 *   signature AlgorithmIdentifier, issuer Name, validity Validity, subject Name,
 *   subjectPublicKeyInfo, ..., extensions [3] EXPLICIT Extensions OPTIONAL }
 * ```
 */
import type { Signer } from '../crypto/types.ts';
import { X509_DER, csrSignatureAlgorithm, type IosUsage, type Rdn } from './csr.ts';
import { DER } from './der.ts';
import { OID } from './oids.ts';

export interface SelfSignedParams {
  subject: readonly Rdn[];
  /** serial number bytes (unsigned, big-endian) */
  serial: Uint8Array;
  notBefore: Date;
  notAfter: Date;
  usage: readonly IosUsage[];
  /** subjectKeyIdentifier (RFC 5280 §4.2.1.2 method 1: SHA-1 of subjectPublicKeyBits) */
  keyIdentifier?: Uint8Array;
}

export async function buildSelfSigned(p: SelfSignedParams, signer: Signer, signal?: AbortSignal): Promise<Uint8Array> {
  const alg = csrSignatureAlgorithm(signer);
  const name = X509_DER.nameBytes(p.subject);
  const exts: Uint8Array[] = [];
  exts.push(X509_DER.extension(OID.basicConstraints, true, DER.seq(DER.BOOLEAN_TRUE)));
  const ku: ('digitalSignature' | 'keyEncipherment' | 'keyCertSign')[] = signer.key.kind === 'rsa' ? ['digitalSignature', 'keyEncipherment', 'keyCertSign'] : ['digitalSignature', 'keyCertSign'];
  exts.push(X509_DER.extension(OID.keyUsage, true, X509_DER.keyUsageBits(ku)));
  const eku: string[] = [];
  if (p.usage.includes('ssl-server')) eku.push(OID.serverAuth);
  if (p.usage.includes('ssl-client')) eku.push(OID.clientAuth);
  if (eku.length && p.usage.includes('ike')) eku.push(OID.ipsecIKE);
  if (eku.length) exts.push(X509_DER.extension(OID.extKeyUsage, false, DER.seq(...eku.map(DER.oid))));
  if (p.keyIdentifier) exts.push(X509_DER.extension(OID.subjectKeyIdentifier, false, DER.tlv(0x04, p.keyIdentifier)));
  const tbs = DER.seq(
    DER.tlv(0xa0, Uint8Array.of(0x02, 0x01, 0x02)),
    DER.unsigned(p.serial),
    alg.der,
    name,
    DER.seq(DER.time(p.notBefore), DER.time(p.notAfter)),
    name,
    signer.spki,
    DER.tlv(0xa3, DER.seq(...exts)),
  );
  const sig = await signer.sign(tbs, alg.hash, signal);
  return DER.seq(tbs, alg.der, DER.tlv(0x03, Uint8Array.of(0), sig));
}
