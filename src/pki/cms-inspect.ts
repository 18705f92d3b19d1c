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

const NAMES: Record<string, string> = {
  '1.3.14.3.2.26': 'SHA-1',
  '2.16.840.1.101.3.4.2.1': 'SHA-256',
  '2.16.840.1.101.3.4.2.2': 'SHA-384',
  '2.16.840.1.101.3.4.2.3': 'SHA-512',
  '1.2.840.113549.2.5': 'MD5',
  '1.2.840.113549.1.1.1': 'rsaEncryption',
  '1.2.840.113549.1.1.5': 'sha1WithRSAEncryption',
  '1.2.840.113549.1.1.11': 'sha256WithRSAEncryption',
  '1.2.840.113549.1.1.12': 'sha384WithRSAEncryption',
  '1.2.840.113549.1.1.13': 'sha512WithRSAEncryption',
  '1.2.840.113549.1.1.7': 'RSAES-OAEP',
  '1.3.14.3.2.7': 'DES-CBC',
  '1.2.840.113549.3.7': 'DES-EDE3-CBC',
  '2.16.840.1.101.3.4.1.2': 'AES-128-CBC',
  '2.16.840.1.101.3.4.1.22': 'AES-192-CBC',
  '2.16.840.1.101.3.4.1.42': 'AES-256-CBC',
};

export const oidName = (oid: string): string => NAMES[oid] ?? oid;

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
    signedDataCertificates(der, 'cms.inspect'); // the limits, before pkijs
    const asn = asn1js.fromBER(der.slice().buffer);
    if (asn.offset === -1) throw new Error('not DER');
    const ci = new pkijs.ContentInfo({ schema: asn.result });
    const sd = new pkijs.SignedData({ schema: ci.content });
    out.digest = sd.digestAlgorithms.map((a) => oidName(a.algorithmId)).join(', ');
    for (const c of sd.certificates ?? []) if (c instanceof pkijs.Certificate) out.certificates.push(nameText(c.subject));
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
          if (eci.contentType === '1.2.840.113549.1.7.3') {
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
