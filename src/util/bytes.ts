/** Concatenates byte arrays. */
export function concatBytes(...parts: Uint8Array[]): Uint8Array {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** Constant-time equality of two byte arrays (length is not secret). */
export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let d = 0;
  for (let i = 0; i < a.length; i++) d |= a[i]! ^ b[i]!;
  return d === 0;
}

/** A copy that owns a fresh ArrayBuffer (for WebCrypto/pkijs edges and transfer lists). */
export function ownedCopy(a: Uint8Array): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(a.length);
  out.set(a);
  return out;
}

/** `n` random bytes from `crypto.getRandomValues` (present on insecure pages too; 64 KiB per call). */
export function randomBytes(n: number): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(n);
  for (let o = 0; o < n; o += 65536) crypto.getRandomValues(out.subarray(o, Math.min(n, o + 65536)));
  return out;
}

const enc = new TextEncoder();
const dec = new TextDecoder('utf-8', { fatal: false });
export const utf8 = (s: string): Uint8Array => enc.encode(s);
export const fromUtf8 = (b: Uint8Array): string => dec.decode(b);
