/**
 * SCEP (RFC 8894) vocabulary, verbatim: message types, pkiStatus, failInfo, the signed
 * attribute OIDs, and readable names for each (smallstep/scep's typed constants idea).
 */
import { OID as PKI_OID } from '../../pki/oids.ts';

/** RFC 8894 §3.2.1.2 messageType (a PrintableString of the decimal number on the wire). */
export const MESSAGE_TYPE = {
  CertRep: 3,
  RenewalReq: 17,
  UpdateReq: 18,
  PKCSReq: 19,
  CertPoll: 20,
  GetCert: 21,
  GetCRL: 22,
} as const;
export type MessageTypeName = keyof typeof MESSAGE_TYPE;
export type MessageType = (typeof MESSAGE_TYPE)[MessageTypeName];

export function messageTypeName(n: number): string {
  const e = Object.entries(MESSAGE_TYPE).find(([, v]) => v === n);
  if (!e) return `unknown (${n})`;
  return e[0] === 'CertPoll' ? 'CertPoll (GetCertInitial)' : e[0];
}

/** RFC 8894 §3.2.1.3 pkiStatus. */
export const PKI_STATUS = { SUCCESS: 0, FAILURE: 2, PENDING: 3 } as const;
export type PkiStatusName = keyof typeof PKI_STATUS;

export function pkiStatusName(n: number): string {
  return (Object.entries(PKI_STATUS).find(([, v]) => v === n)?.[0] as string | undefined) ?? `unknown (${n})`;
}

/** RFC 8894 §3.2.1.4 failInfo, with what each means for the user. */
export const FAIL_INFO: Readonly<Record<number, { name: string; text: string }>> = {
  0: { name: 'badAlg', text: 'the CA does not support an algorithm of the request' },
  1: { name: 'badMessageCheck', text: "the CA could not verify the request's integrity (signature or digest)" },
  2: { name: 'badRequest', text: 'the CA refused the request (transaction not permitted or not supported: often a wrong or missing challenge password, a subject it will not certify, or a key type it does not accept)' },
  3: { name: 'badTime', text: "the request's signing time is too far from the CA's clock" },
  4: { name: 'badCertId', text: 'no certificate could be identified that matches the request' },
};

/** SCEP signed attributes (RFC 8894 §3.2.1, id-VeriSign 2.16.840.1.113733.1.9.x). */
export const OID = {
  messageType: PKI_OID.messageType,
  pkiStatus: PKI_OID.pkiStatus,
  failInfo: PKI_OID.failInfo,
  senderNonce: PKI_OID.senderNonce,
  recipientNonce: PKI_OID.recipientNonce,
  transactionID: PKI_OID.transactionID,
  /** RFC 8894 §3.2.1.4: id-scep-failInfoText */
  failInfoText: PKI_OID.failInfoText,
  contentType: PKI_OID.contentType,
  messageDigest: PKI_OID.messageDigest,
  signingTime: PKI_OID.signingTime,
  data: PKI_OID.data,
  signedData: PKI_OID.signedData,
  envelopedData: PKI_OID.envelopedData,
} as const;
