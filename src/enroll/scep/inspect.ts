/**
 * The protocol inspector behind `debug crypto pki messages`: every pkiMessage decoded in plain
 * words — operation, message type, transactionID, nonces, status, failInfo, content cipher,
 * digest, recipients, signer. Only what travels in the clear is shown: the encrypted content
 * (the request with its challenge password, the issued certificate) is never printed.
 */
import { inspectSignedEnvelope } from '../../pki/cms-inspect.ts';
import { oidName } from '../../pki/oids.ts';
import type { ScepChoices } from './caps.ts';
import type { CertRep } from './message.ts';
import { FAIL_INFO, OID, messageTypeName, pkiStatusName } from './types.ts';

export interface ScepDebug {
  messages: boolean;
  transactions: boolean;
  print(line: string): void;
}

/** Lines describing a pkiMessage (`dir` says which way it went). */
export async function describeMessage(der: Uint8Array, dir: 'request' | 'reply', choices: ScepChoices, rep?: CertRep): Promise<string[]> {
  const m = inspectSignedEnvelope(der);
  const out: string[] = [];
  const p = (s: string) => out.push(`CRYPTO_PKI: ${s}`);
  p(`${dir === 'request' ? '>>> pkiMessage sent' : '<<< pkiMessage received'} (${der.length} bytes, ${choices.post ? 'POST' : 'GET'})`);
  if (!m.ok) {
    p(`    cannot decode: ${m.error}`);
    return out;
  }
  for (const a of m.attributes) {
    const name = oidName(a.oid);
    let v = a.value;
    if (a.oid === OID.messageType) v = `${v} (${messageTypeName(Number(v))})`;
    if (a.oid === OID.pkiStatus) v = `${v} (${pkiStatusName(Number(v))})`;
    if (a.oid === OID.failInfo) v = `${v} (${FAIL_INFO[Number(v)]?.name ?? 'unknown'})`;
    if (a.oid === OID.contentType) v = oidName(v);
    p(`    ${name}: ${v}`);
  }
  p(`    digest: ${m.digest}; signature: ${m.signatureAlgorithm}`);
  if (m.signer) p(`    signer: ${m.signer}`);
  if (m.certificates.length) p(`    certificates: ${m.certificates.join(' | ')}`);
  if (m.envelope) {
    p(`    envelope: ${m.envelope.cipher}, key transport ${m.envelope.keyEncryption.join(', ')}`);
    for (const r of m.envelope.recipients) p(`    recipient: ${r}`);
    p('    content: encrypted (not shown)');
  } else p(`    content: ${m.contentBytes ?? 0} bytes`);
  if (rep?.status === 'FAILURE' && rep.failInfo !== undefined) p(`    => FAILURE: ${FAIL_INFO[rep.failInfo]?.text ?? 'unknown failInfo'}`);
  return out;
}
