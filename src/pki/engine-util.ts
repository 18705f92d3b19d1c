/**
 * Small helpers of the pkijs engine (engine.ts): algorithm-name and hash-name parsing,
 * BufferSource / ArrayBuffer conversion, DES parity (FIPS 46-3 §3) and CBC IV sizes. Private
 * to engine.ts and its engine-*.ts modules.
 */
import type { HashAlg } from '../core/api.ts';
import { PkiError } from '../util/errors.ts';
import { HASH_NAMES, type CoreCbc } from './engine-oids.ts';

/** An algorithm as pkijs and WebCrypto pass it: a name or an object with `name`. */
export type AlgorithmLike = string | (Algorithm & Record<string, unknown>);

/** The `PkiError('unsupported')` of engine operation `op`. */
export const unsupported = (op: string, what: string): PkiError => new PkiError('unsupported', `engine.${op}: ${what} is not supported`);

/** The name of `alg`; a TypeError when there is none. */
export function algName(alg: AlgorithmLike | undefined, op: string): string {
  const name = typeof alg === 'string' ? alg : alg?.name;
  if (typeof name !== 'string' || !name) throw new TypeError(`engine.${op}: algorithm name missing`);
  return name;
}

/** A hash named as WebCrypto/pkijs name it (`'sha-1'`, `{ name: 'SHA-256' }`, 'MD5'), or undefined. */
export function hashOf(h: unknown): HashAlg | undefined {
  const name = typeof h === 'string' ? h : typeof h === 'object' && h !== null ? (h as { name?: unknown }).name : undefined;
  return typeof name === 'string' ? HASH_NAMES[name.toUpperCase()] : undefined;
}

/** `hashOf(h)`, or `PkiError('unsupported')` for a hash the core does not have. */
export function aHash(h: unknown, op: string): HashAlg {
  const r = hashOf(h);
  if (!r) throw unsupported(op, `hash ${JSON.stringify(typeof h === 'object' && h ? (h as { name?: unknown }).name : h)}`);
  return r;
}

/** The bytes of a BufferSource (a view, not a copy). */
export function bytesOf(data: BufferSource | Uint8Array): Uint8Array {
  if (data instanceof Uint8Array) return data;
  if (ArrayBuffer.isView(data)) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  if (data instanceof ArrayBuffer || Object.prototype.toString.call(data) === '[object ArrayBuffer]') return new Uint8Array(data as ArrayBuffer);
  throw new TypeError('engine: expected an ArrayBuffer or a typed array');
}

/** An ArrayBuffer holding exactly `b` (pkijs and WebCrypto return ArrayBuffers). */
export function bufferOf(b: Uint8Array): ArrayBuffer {
  if (b.byteOffset === 0 && b.byteLength === b.buffer.byteLength && b.buffer instanceof ArrayBuffer) return b.buffer;
  return b.slice().buffer as ArrayBuffer;
}

/** Sets the DES parity bits (odd parity per byte, FIPS 46-3 §3), as OpenSSL's key generation does. */
export function desParity(k: Uint8Array<ArrayBuffer>): Uint8Array<ArrayBuffer> {
  for (let i = 0; i < k.length; i++) {
    const b = k[i]! & 0xfe;
    let p = b ^ (b >> 4);
    p ^= p >> 2;
    p ^= p >> 1;
    k[i] = b | (~p & 1);
  }
  return k;
}

/** The IV (block) size in bytes of a CBC cipher. */
export const ivLength = (cipher: CoreCbc): number => (cipher === 'AES-CBC' ? 16 : 8);
