const HEX = '0123456789ABCDEF';

/** Upper-case hex without separators. */
export function toHex(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += HEX[b >> 4]! + HEX[b & 15]!;
  return s;
}

const LOWER = Array.from({ length: 256 }, (_, i) => (i < 16 ? '0' : '') + i.toString(16));

/** Lower-case hex without separators (identity keys, `#hex` name values). */
export function toHexLower(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i++) s += LOWER[bytes[i]!]!;
  return s;
}

/**
 * Parses hex, ignoring ASCII whitespace. Throws RangeError on an odd number of digits
 * or a non-hex character (naming the offset).
 */
export function fromHex(text: string): Uint8Array {
  const digits: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d) continue;
    const v = hexValue(c);
    if (v < 0) throw new RangeError(`fromHex: invalid hex character ${JSON.stringify(text[i])} at offset ${i}`);
    digits.push(v);
  }
  if (digits.length % 2) throw new RangeError('fromHex: odd number of hex digits');
  const out = new Uint8Array(digits.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = (digits[2 * i]! << 4) | digits[2 * i + 1]!;
  return out;
}

export function hexValue(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 65 && c <= 70) return c - 55;
  if (c >= 97 && c <= 102) return c - 87;
  return -1;
}

/**
 * IOS style: upper-case hex in 8-digit words separated by single spaces
 * (`D23209AD 23D31423 2174E40D 7F9D6213 9786633A`). `perLine` > 0 breaks lines after that
 * many words.
 */
export function toIosHexWords(bytes: Uint8Array, perLine = 0): string[] {
  const hex = toHex(bytes);
  const words: string[] = [];
  for (let i = 0; i < hex.length; i += 8) words.push(hex.slice(i, i + 8));
  if (perLine <= 0) return [words.join(' ')];
  const lines: string[] = [];
  for (let i = 0; i < words.length; i += perLine) lines.push(words.slice(i, i + perLine).join(' '));
  return lines;
}
