/**
 * The referee of the certificate summaries: the pkijs-based `summarizeCertificate` that
 * src/pki/x509.ts was before issue 9 made the view model a projection of the one certificate
 * model (chain/cert.ts). Test use only: x509-summary.test.ts compares the two on real-world
 * certificates.
 */
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import type { CertificateSummary, GeneralNameView, PublicKeyInfo } from '../../../src/pki/x509.ts';
import { shortNameOf, type Attribute } from '../../../src/pki/names.ts';
import { toHex } from '../../../src/util/hex.ts';
import { escapeControls } from '../../../src/util/text.ts';

const KU_NAMES = ['digitalSignature', 'nonRepudiation', 'keyEncipherment', 'dataEncipherment', 'keyAgreement', 'keyCertSign', 'cRLSign', 'encipherOnly', 'decipherOnly'];
const CURVES: Record<string, string> = { '1.2.840.10045.3.1.7': 'P-256', '1.3.132.0.34': 'P-384', '1.3.132.0.35': 'P-521' };

function attrs(name: pkijs.RelativeDistinguishedNames): Attribute[] {
  return name.typesAndValues.map((tv) => ({ oid: tv.type, short: shortNameOf(tv.type), value: escapeControls(String((tv.value as { valueBlock?: { value?: unknown } }).valueBlock?.value ?? '')) }));
}

function publicKeyInfo(spki: pkijs.PublicKeyInfo): PublicKeyInfo {
  const oid = spki.algorithm.algorithmId;
  if (oid === '1.2.840.113549.1.1.1') {
    try {
      const rsa = spki.parsedKey as pkijs.RSAPublicKey | undefined;
      let mod = new Uint8Array(rsa!.modulus.valueBlock.valueHexView);
      while (mod.length && mod[0] === 0) mod = mod.subarray(1);
      return { kind: 'rsa', bits: mod.length ? (mod.length - 1) * 8 + (32 - Math.clz32(mod[0]!)) : 0 };
    } catch {
      return { kind: 'rsa', bits: 0 };
    }
  }
  if (oid === '1.2.840.10045.2.1') {
    const p = spki.algorithm.algorithmParams as asn1js.ObjectIdentifier | undefined;
    const curveOid = p?.valueBlock?.toString?.() ?? '';
    return { kind: 'ec', curve: CURVES[curveOid] ?? curveOid };
  }
  return { kind: 'other', oid };
}

function generalName(n: pkijs.GeneralName): GeneralNameView {
  switch (n.type) {
    case 1:
      return { kind: 'email', value: escapeControls(String(n.value)) };
    case 2:
      return { kind: 'dns', value: escapeControls(String(n.value)) };
    case 6:
      return { kind: 'uri', value: escapeControls(String(n.value)) };
    case 7: {
      const b = new Uint8Array((n.value as asn1js.OctetString).valueBlock.valueHexView);
      if (b.length === 4) return { kind: 'ip', value: Array.from(b).join('.') };
      const groups: string[] = [];
      for (let i = 0; i < b.length; i += 2) groups.push(((b[i]! << 8) | b[i + 1]!).toString(16));
      return { kind: 'ip', value: groups.join(':') };
    }
    case 4:
      return { kind: 'dn', value: attrs(n.value as pkijs.RelativeDistinguishedNames).map((a) => `${a.short}=${a.value}`).join(', ') };
    default:
      return { kind: 'other', value: `[${n.type}]` };
  }
}

export type OldSummary = Omit<CertificateSummary, 'subjectKey' | 'issuerKey'>;

/** The summary as pkijs read it; throws where pkijs could not read the certificate. */
export function pkijsSummary(der: Uint8Array): OldSummary {
  const asn = asn1js.fromBER(der.slice().buffer);
  if (asn.offset === -1 || asn.offset !== der.length) throw new Error('pkijs: malformed DER');
  const cert = new pkijs.Certificate({ schema: asn.result });
  let serialBytes = new Uint8Array(cert.serialNumber.valueBlock.valueHexView);
  while (serialBytes.length > 1 && serialBytes[0] === 0) serialBytes = serialBytes.subarray(1);
  const ext = (oid: string) => cert.extensions?.find((e) => e.extnID === oid);
  const subjectDer = new Uint8Array(cert.subject.toSchema().toBER());
  const issuerDer = new Uint8Array(cert.issuer.toSchema().toBER());
  const s: OldSummary = {
    serial: toHex(serialBytes),
    subject: attrs(cert.subject),
    issuer: attrs(cert.issuer),
    notBefore: cert.notBefore.value,
    notAfter: cert.notAfter.value,
    isCA: !!(ext('2.5.29.19')?.parsedValue as pkijs.BasicConstraints | undefined)?.cA,
    selfIssued: toHex(subjectDer) === toHex(issuerDer),
    signatureAlgorithm: cert.signatureAlgorithm.algorithmId,
    publicKey: publicKeyInfo(cert.subjectPublicKeyInfo),
    spki: new Uint8Array(cert.subjectPublicKeyInfo.toSchema().toBER()),
    subjectAltNames: [],
    crlDistributionPoints: [],
  };
  const ku = ext('2.5.29.15');
  if (ku) {
    const bits = ku.parsedValue as asn1js.BitString | undefined;
    const view = bits ? new Uint8Array(bits.valueBlock.valueHexView) : new Uint8Array();
    s.keyUsage = KU_NAMES.filter((_, i) => ((view[i >> 3] ?? 0) >> (7 - (i & 7))) & 1);
  }
  const eku = ext('2.5.29.37')?.parsedValue as pkijs.ExtKeyUsage | undefined;
  if (eku) s.extKeyUsage = [...eku.keyPurposes];
  const san = ext('2.5.29.17')?.parsedValue as pkijs.AltName | undefined;
  if (san) s.subjectAltNames = san.altNames.map(generalName);
  const cdp = ext('2.5.29.31')?.parsedValue as pkijs.CRLDistributionPoints | undefined;
  for (const dp of cdp?.distributionPoints ?? []) {
    const names = Array.isArray(dp.distributionPoint) ? dp.distributionPoint : [];
    for (const n of names as pkijs.GeneralName[]) s.crlDistributionPoints.push(generalName(n).value);
  }
  const ski = ext('2.5.29.14')?.parsedValue as asn1js.OctetString | undefined;
  if (ski) s.subjectKeyId = toHex(new Uint8Array(ski.valueBlock.valueHexView));
  const aki = ext('2.5.29.35')?.parsedValue as pkijs.AuthorityKeyIdentifier | undefined;
  if (aki?.keyIdentifier) s.authorityKeyId = toHex(new Uint8Array(aki.keyIdentifier.valueBlock.valueHexView));
  return s;
}
