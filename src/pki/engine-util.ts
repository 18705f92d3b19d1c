/**
 * Tables and small helpers of the pkijs engine (engine.ts): hash sizes and names, which
 * algorithms go to the WASM core, the algorithms the engine adds to pkijs' OID table (derived
 * from oids.ts), algorithm-name and hash-name parsing, BufferSource / ArrayBuffer conversion,
 * DES parity (FIPS 46-3 §3) and CBC IV sizes. Private to engine.ts and its engine-*.ts modules.
 */
import type { HashAlg } from '../core/api.ts';
import { PkiError } from '../util/errors.ts';
import { oidInfo } from './oids.ts';

/** Content-encryption ciphers (CBC, PKCS#7 padding) the core has and WebCrypto may not. */
export type CoreCbc = 'AES-CBC' | 'DES-CBC' | 'DES-EDE3-CBC' | 'DES-EDE-CBC' | 'RC2-CBC';

/** Hash block sizes in bytes (the default HMAC key size). */
export const HASH_BLOCK: Readonly<Record<HashAlg, number>> = { MD5: 64, 'SHA-1': 64, 'SHA-224': 64, 'SHA-256': 64, 'SHA-384': 128, 'SHA-512': 128, 'SHA-512/224': 128, 'SHA-512/256': 128 };

/** Hashes WebCrypto has; any other goes to the core even when WebCrypto is present. */
export const WEB_HASHES: ReadonlySet<HashAlg> = new Set(['SHA-1', 'SHA-256', 'SHA-384', 'SHA-512']);

/** Algorithm names (upper case) that never go to WebCrypto. */
export const CORE_ONLY: ReadonlySet<string> = new Set(['RSAES-PKCS1-V1_5', 'DES-CBC', 'DES-EDE3-CBC', 'DES-EDE-CBC', 'RC2-CBC']);

/** Hash names as WebCrypto and pkijs spell them (upper case), to the core's `HashAlg`. */
export const HASH_NAMES: Readonly<Record<string, HashAlg>> = {
  MD5: 'MD5',
  SHA1: 'SHA-1',
  'SHA-1': 'SHA-1',
  SHA224: 'SHA-224',
  'SHA-224': 'SHA-224',
  SHA256: 'SHA-256',
  'SHA-256': 'SHA-256',
  SHA384: 'SHA-384',
  'SHA-384': 'SHA-384',
  SHA512: 'SHA-512',
  'SHA-512': 'SHA-512',
  'SHA-512/224': 'SHA-512/224',
  'SHA512/224': 'SHA-512/224',
  'SHA-512/256': 'SHA-512/256',
  'SHA512/256': 'SHA-512/256',
};

/** The canonical (WebCrypto-cased) name of a core-capable algorithm. */
export const CANONICAL: Readonly<Record<string, string>> = {
  'RSAES-PKCS1-V1_5': 'RSAES-PKCS1-v1_5',
  'RSASSA-PKCS1-V1_5': 'RSASSA-PKCS1-v1_5',
  'RSA-PSS': 'RSA-PSS',
  'RSA-OAEP': 'RSA-OAEP',
  ECDSA: 'ECDSA',
  'AES-CBC': 'AES-CBC',
  'DES-CBC': 'DES-CBC',
  'DES-EDE3-CBC': 'DES-EDE3-CBC',
  'DES-EDE-CBC': 'DES-EDE-CBC',
  'RC2-CBC': 'RC2-CBC',
  HMAC: 'HMAC',
};

/**
 * What the engine adds to pkijs' OID table: the algorithms with a hash WebCrypto lacks (MD5,
 * SHA-224, SHA-512/t: the digests, RSASSA-PKCS1-v1_5, ECDSA, HMAC) and the 64-bit block ciphers
 * (DES, 3DES, RC2). A fresh object each time: pkijs mutates what it gets.
 */
export function engineAlgorithm(oid: string): (Algorithm & Record<string, unknown>) | undefined {
  const e = oidInfo(oid);
  if (!e) return undefined;
  const extraHash = e.hash !== undefined && !WEB_HASHES.has(e.hash);
  if (e.kind === 'hash' && extraHash) return { name: e.hash! };
  if (e.kind === 'signature' && extraHash && (e.key === 'rsa' || e.key === 'ec')) return { name: e.key === 'rsa' ? 'RSASSA-PKCS1-v1_5' : 'ECDSA', hash: { name: e.hash! } };
  if (e.kind === 'hmac' && extraHash && !e.unsupported) return { name: 'HMAC', hash: { name: e.hash! } };
  if (e.kind === 'cipher' && e.cipher && e.cipher !== 'AES-CBC') return { name: e.cipher, length: (e.keyLength || 16) * 8 };
  return undefined;
}

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
