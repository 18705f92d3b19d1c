/**
 * A read-only look inside a CMS SignedData over an EnvelopedData (a SCEP pkiMessage) without
 * decrypting anything: digest, signature algorithm, signer, signed attributes, and the
 * envelope's content cipher and recipients. For the protocol inspector (`debug crypto pki
 * messages`); tolerant — it reports what it finds and never throws on odd input.
 */
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { toHex } from '../util/hex.ts';
import { shortNameOf } from './names.ts';
import { escapeControls } from '../util/text.ts';
import { signedDataCertificates } from './cms.ts';
import { OID, oidName } from './oids.ts';
import { summarizeCertificate } from './x509.ts';

export interface InspectedAttribute {
  oid: string;
  /** PrintableString/UTF8String as text, OCTET STRING as hex, other values as tag:hex */
  value: string;
}

export interface InspectedMessage {
  ok: boolean;
  error?: string;
  digest?: string;
  signatureAlgorithm?: string;
  signer?: string;
  certificates: string[];
  attributes: InspectedAttribute[];
  contentBytes?: number;
  envelope?: { cipher: string; recipients: string[]; keyEncryption: string[] };
}


function nameText(n: pkijs.RelativeDistinguishedNames): string {
  return n.typesAndValues.map((tv) => `${shortNameOf(tv.type)}=${escapeControls(String((tv.value as { valueBlock?: { value?: unknown } }).valueBlock?.value ?? ''))}`).join(', ');
}

function valueText(v: asn1js.AsnType): string {
  const any = v as unknown as { idBlock: { tagClass: number; tagNumber: number }; valueBlock: { value?: unknown; valueHexView?: Uint8Array } };
  const t = any.idBlock.tagNumber;
  if (any.idBlock.tagClass === 1 && (t === 19 || t === 12 || t === 22)) return escapeControls(String(any.valueBlock.value ?? ''));
  if (any.idBlock.tagClass === 1 && t === 4) return toHex(new Uint8Array(any.valueBlock.valueHexView ?? []));
  if (any.idBlock.tagClass === 1 && t === 6) return String((v as asn1js.ObjectIdentifier).valueBlock.toString());
  if (any.idBlock.tagClass === 1 && (t === 23 || t === 24)) return (v as asn1js.UTCTime).toDate().toISOString().replace('.000', '');
  return `[${t}] ${toHex(new Uint8Array(v.toBER()))}`;
}

export function inspectSignedEnvelope(der: Uint8Array): InspectedMessage {
  const out: InspectedMessage = { ok: false, certificates: [], attributes: [] };
  try {
    const certs = signedDataCertificates(der, 'cms.inspect'); // the limits, before pkijs
    const asn = asn1js.fromBER(der.slice().buffer);
    if (asn.offset === -1) throw new Error('not DER');
    const ci = new pkijs.ContentInfo({ schema: asn.result });
    const sd = new pkijs.SignedData({ schema: ci.content });
    out.digest = sd.digestAlgorithms.map((a) => oidName(a.algorithmId)).join(', ');
    for (const c of certs) {
      let subject: string;
      try {
        subject = summarizeCertificate(c).subject.map((a) => `${a.short}=${a.value}`).join(', ');
      } catch (e) {
        subject = `(not readable: ${(e as Error).message})`;
      }
      out.certificates.push(subject);
    }
    const si = sd.signerInfos[0];
    if (si) {
      out.signatureAlgorithm = oidName(si.signatureAlgorithm.algorithmId);
      const sid = si.sid as pkijs.IssuerAndSerialNumber;
      if (sid instanceof pkijs.IssuerAndSerialNumber) out.signer = `${nameText(sid.issuer)} serial ${toHex(new Uint8Array(sid.serialNumber.valueBlock.valueHexView))}`;
      for (const a of si.signedAttrs?.attributes ?? []) out.attributes.push({ oid: a.type, value: a.values.map(valueText).join(' ') });
    }
    const econtent = sd.encapContentInfo.eContent;
    const inner = econtent ? new Uint8Array(econtent.valueBlock.valueHexView) : new Uint8Array();
    out.contentBytes = inner.length;
    if (inner.length) {
      const e = asn1js.fromBER(inner.slice().buffer);
      if (e.offset !== -1) {
        try {
          const eci = new pkijs.ContentInfo({ schema: e.result });
          if (eci.contentType === OID.envelopedData) {
            const env = new pkijs.EnvelopedData({ schema: eci.content });
            out.envelope = {
              cipher: oidName(env.encryptedContentInfo.contentEncryptionAlgorithm.algorithmId),
              recipients: [],
              keyEncryption: [],
            };
            for (const r of env.recipientInfos) {
              if (r.value instanceof pkijs.KeyTransRecipientInfo) {
                const rid = r.value.rid;
                out.envelope.recipients.push(rid instanceof pkijs.IssuerAndSerialNumber ? `${nameText(rid.issuer)} serial ${toHex(new Uint8Array(rid.serialNumber.valueBlock.valueHexView))}` : 'subjectKeyIdentifier');
                out.envelope.keyEncryption.push(oidName(r.value.keyEncryptionAlgorithm.algorithmId));
              }
            }
          }
        } catch {
          // not an envelope (a reply's empty content)
        }
      }
    }
    out.ok = true;
  } catch (e) {
    out.error = (e as Error).message;
  }
  return out;
}
