/**
 * X.500 distinguished names as IOS accepts them in `subject-name`: a comma-separated list of
 * `attribute=value` pairs such as `OU=Spiral Dept., O=example.com` (RFC 4514 escapes and
 * double-quoted values are accepted too). Attribute types are short names or dotted OIDs
 * (`OID.2.5.4.3=x` or `2.5.4.3=x`).
 *
 * Pure string handling; building the ASN.1 Name is done where pkijs lives (pki/csr).
 */
import { escapeControls } from '../util/text.ts';
import { PkiError } from '../util/errors.ts';

export interface Attribute {
  /** dotted OID */
  oid: string;
  /** the short name used when printing (CN, OU, ... or OID.x.y.z) */
  short: string;
  value: string;
}

/** Short names → OIDs (RFC 4519, PKCS#9 and what IOS prints). */
export const ATTRIBUTE_OIDS: Readonly<Record<string, string>> = {
  CN: '2.5.4.3',
  SN: '2.5.4.4',
  SERIALNUMBER: '2.5.4.5',
  C: '2.5.4.6',
  L: '2.5.4.7',
  ST: '2.5.4.8',
  STREET: '2.5.4.9',
  O: '2.5.4.10',
  OU: '2.5.4.11',
  T: '2.5.4.12',
  TITLE: '2.5.4.12',
  GN: '2.5.4.42',
  GIVENNAME: '2.5.4.42',
  INITIALS: '2.5.4.43',
  DNQUALIFIER: '2.5.4.46',
  PSEUDONYM: '2.5.4.65',
  DC: '0.9.2342.19200300.100.1.25',
  UID: '0.9.2342.19200300.100.1.1',
  E: '1.2.840.113549.1.9.1',
  EA: '1.2.840.113549.1.9.1',
  EMAILADDRESS: '1.2.840.113549.1.9.1',
  UNSTRUCTUREDNAME: '1.2.840.113549.1.9.2',
  HOSTNAME: '1.2.840.113549.1.9.2',
  UNSTRUCTUREDADDRESS: '1.2.840.113549.1.9.8',
  IPADDRESS: '1.2.840.113549.1.9.8',
};

const SHORT_OF: Record<string, string> = {
  '2.5.4.3': 'CN',
  '2.5.4.4': 'SN',
  '2.5.4.5': 'serialNumber',
  '2.5.4.6': 'C',
  '2.5.4.7': 'L',
  '2.5.4.8': 'ST',
  '2.5.4.9': 'STREET',
  '2.5.4.10': 'O',
  '2.5.4.11': 'OU',
  '2.5.4.12': 'T',
  '2.5.4.42': 'GN',
  '2.5.4.43': 'initials',
  '2.5.4.46': 'dnQualifier',
  '2.5.4.65': 'pseudonym',
  '0.9.2342.19200300.100.1.25': 'DC',
  '0.9.2342.19200300.100.1.1': 'UID',
  '1.2.840.113549.1.9.1': 'EA',
  '1.2.840.113549.1.9.2': 'hostname',
  '1.2.840.113549.1.9.8': 'ipaddress',
};

export function shortNameOf(oid: string): string {
  return SHORT_OF[oid] ?? `OID.${oid}`;
}

function fail(message: string): never {
  throw new PkiError('bad-name', message);
}

/**
 * Parses an X.500 name string. Throws PkiError('bad-name') naming the problem (empty value,
 * unknown attribute, country not two letters, unbalanced quote, ...).
 */
export function parseX500Name(text: string): Attribute[] {
  const out: Attribute[] = [];
  let i = 0;
  const n = text.length;
  const skipSpace = () => {
    while (i < n && (text[i] === ' ' || text[i] === '\t')) i++;
  };
  skipSpace();
  if (i >= n) fail('names.parse: empty name');
  while (i < n) {
    skipSpace();
    const eq = text.indexOf('=', i);
    if (eq < 0) fail(`names.parse: "${text.slice(i).trim()}" is not of the form attribute=value`);
    const typeText = text.slice(i, eq).trim();
    if (!typeText) fail('names.parse: missing attribute name before "="');
    let oid: string | undefined;
    const dotted = /^(?:OID\.)?(\d+(?:\.\d+)+)$/i.exec(typeText);
    if (dotted) oid = dotted[1]!;
    else oid = ATTRIBUTE_OIDS[typeText.toUpperCase()];
    if (!oid) fail(`names.parse: unknown attribute "${typeText}"`);
    i = eq + 1;
    skipSpace();
    let value = '';
    if (text[i] === '"') {
      i++;
      let closed = false;
      while (i < n) {
        const c = text[i]!;
        if (c === '\\' && i + 1 < n) {
          value += text[i + 1];
          i += 2;
        } else if (c === '"') {
          closed = true;
          i++;
          break;
        } else {
          value += c;
          i++;
        }
      }
      if (!closed) fail('names.parse: unbalanced quote');
      skipSpace();
      if (i < n && text[i] !== ',' && text[i] !== ';' && text[i] !== '+') fail('names.parse: text after a quoted value');
    } else {
      while (i < n && text[i] !== ',' && text[i] !== ';' && text[i] !== '+') {
        if (text[i] === '\\' && i + 1 < n) {
          const hex = /^[0-9A-Fa-f]{2}/.exec(text.slice(i + 1, i + 3));
          if (hex) {
            value += String.fromCharCode(parseInt(hex[0], 16));
            i += 3;
          } else {
            value += text[i + 1];
            i += 2;
          }
        } else value += text[i++];
      }
      value = value.trim();
    }
    if (!value) fail(`names.parse: empty value for ${typeText}`);
    if (oid === '2.5.4.6' && !/^[A-Za-z]{2}$/.test(value)) fail(`names.parse: country "${value}" must be a two-letter code`);
    if (value.length > 64 && oid !== '1.2.840.113549.1.9.1') fail(`names.parse: value of ${typeText} is longer than 64 characters`);
    out.push({ oid, short: shortNameOf(oid), value });
    if (i < n) i++; // the separator
    if (i >= n && /[,;+]\s*$/.test(text)) fail('names.parse: trailing separator');
  }
  return out;
}

/** Formats as `OU=Spiral Dept., O=example.com` (the form IOS shows and accepts back). */
export function formatX500Name(attrs: readonly Attribute[]): string {
  return attrs.map((a) => `${a.short}=${escapeValue(a.value)}`).join(', ');
}

function escapeValue(raw: string): string {
  const v = escapeControls(raw);
  return /[,;+"\\]|^\s|\s$/.test(v) ? `"${v.replace(/["\\]/g, (c) => '\\' + c)}"` : v;
}
