/**
 * Cisco "type 7" password obfuscation, used so that `password` lines in the configuration
 * text never show the challenge password in clear (IOS prints `password 7 <hex>` when
 * `service password-encryption` is on; Trustpoint always does). It is reversible by design —
 * an obfuscation that keeps secrets off screens and screenshots, not encryption.
 */
const XLAT = 'dsfd;kfoA,.iyewrkldJKDHSUBsgvca69834ncxv9873254k;fg87';

/** Encodes with a seed derived from the text, so the same password always prints the same. */
export function encodeType7(plain: string): string {
  let seed = 0;
  for (let i = 0; i < plain.length; i++) seed = (seed + plain.charCodeAt(i)) % 16;
  let out = seed.toString().padStart(2, '0');
  for (let i = 0; i < plain.length; i++) {
    const c = plain.charCodeAt(i) ^ XLAT.charCodeAt((seed + i) % XLAT.length);
    out += c.toString(16).toUpperCase().padStart(2, '0');
  }
  return out;
}

/** Decodes a type 7 string; undefined when it is not valid type 7. */
export function decodeType7(enc: string): string | undefined {
  if (!/^\d\d([0-9A-Fa-f]{2})*$/.test(enc)) return undefined;
  const seed = Number(enc.slice(0, 2));
  if (seed > 52) return undefined;
  let out = '';
  for (let i = 2, j = 0; i < enc.length; i += 2, j++) {
    const c = parseInt(enc.slice(i, i + 2), 16) ^ XLAT.charCodeAt((seed + j) % XLAT.length);
    if (c < 0x20 || c > 0x7e) return undefined;
    out += String.fromCharCode(c);
  }
  return out;
}
