/**
 * X.500 distinguished names as IOS accepts them in `subject-name`: a comma-separated list of
 * `attribute=value` pairs such as `OU=Spiral Dept., O=example.com` (RFC 4514 escapes and
 * double-quoted values are accepted too). Attribute types are short names or dotted OIDs
 * (`OID.2.5.4.3=x` or `2.5.4.3=x`).
 *
 * Pure string handling; the attribute keywords and short names come from oids.ts, and the DER
 * Name is built in csr.ts (`X509_DER.nameBytes`).
 */
import { escapeControls } from '../util/text.ts';
import { PkiError } from '../util/errors.ts';
import { OID, attributeOfKeyword, attributeShortName } from './oids.ts';

export interface Attribute {
  /** dotted OID */
  oid: string;
  /** the short name used when printing (CN, OU, ... or OID.x.y.z) */
  short: string;
  value: string;
}

/** The short name IOS prints for an attribute (CN, OU, hostname, ... or OID.x.y.z). */
export const shortNameOf = attributeShortName;

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
    else oid = attributeOfKeyword(typeText);
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
    if (oid === OID.countryName && !/^[A-Za-z]{2}$/.test(value)) fail(`names.parse: country "${value}" must be a two-letter code`);
    if (value.length > 64 && oid !== OID.emailAddress) fail(`names.parse: value of ${typeText} is longer than 64 characters`);
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
