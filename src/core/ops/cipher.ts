/**
 * Block ciphers of the core (assembly/cipher): AES, DES, two- and three-key TDEA and RC2 in
 * CBC (NIST SP 800-38A §6.2) or ECB (§6.1), with PKCS#7 padding (RFC 5652 §6.3) by default.
 * Every cipher in the core is constant-time; decryption failures caused by the input (bad
 * length or bad padding) throw one and the same error, so callers cannot become a padding
 * oracle.
 */
import { PkiError } from '../../util/errors.ts';
import type { Io, IoExports } from '../io.ts';

/** CBC algorithms, named as OpenSSL names them. `AES-CBC` takes a 16, 24 or 32-byte key. */
export type CbcAlg = 'AES-CBC' | 'DES-CBC' | 'DES-EDE3-CBC' | 'DES-EDE-CBC' | 'RC2-CBC';
/** ECB algorithms (DES/TDEA for the NIST CAVP files; AES for FIPS 197 known answers). */
export type EcbAlg = 'AES-ECB' | 'DES-ECB' | 'DES-EDE3-ECB' | 'DES-EDE-ECB';

/** Algorithm ids of assembly/cipher (CIPHER_* in modes.ts). */
export const CIPHER_ID = { AES: 1, DES: 2, 'DES-EDE3': 3, 'DES-EDE': 4, RC2: 5 } as const;
type CipherName = keyof typeof CIPHER_ID;
const MODE_CBC = 1;
const MODE_ECB = 2;

/** Core return codes (assembly/cipher/errors.ts). */
export const E_CIPHER_DECRYPT = -80;
export const E_CIPHER_KEY = -81;
export const E_CIPHER_LENGTH = -82;
export const E_CIPHER_ALG = -83;
export const E_CIPHER_PARAM = -84;

/** Per-call cipher options. */
export interface CipherOptions {
  /** PKCS#7 padding; `false` requires whole blocks in and gives whole blocks out. Default true. */
  padding?: boolean;
  /** RC2 effective key bits (RFC 2268 §2), 1..1024. Default: 8 × key length (at most 1024). */
  rc2EffectiveBits?: number;
}

/** The exports of assembly/cipher (see `cipher_crypt` in assembly/cipher/exports.ts). */
export interface CipherExports extends IoExports {
  cipher_crypt(
    alg: number,
    mode: number,
    encrypt: number,
    keyPtr: number,
    keyLen: number,
    ivPtr: number,
    inPtr: number,
    inLen: number,
    outPtr: number,
    pad: number,
    rc2Bits: number,
  ): number;
}

/** The cipher operations of the core (JS op functions: no default or rest parameters). */
export interface CipherOps {
  /** CBC encryption (SP 800-38A §6.2); PKCS#7 padding unless `opts.padding === false`. */
  encryptCbc(alg: CbcAlg, key: Uint8Array, iv: Uint8Array, data: Uint8Array, opts?: CipherOptions): Uint8Array;
  /** CBC decryption; throws `PkiError('decrypt', 'cipher: decryption error')` on bad length or padding. */
  decryptCbc(alg: CbcAlg, key: Uint8Array, iv: Uint8Array, data: Uint8Array, opts?: CipherOptions): Uint8Array;
  /** ECB encryption (SP 800-38A §6.1); PKCS#7 padding unless `opts.padding === false`. */
  encryptEcb(alg: EcbAlg, key: Uint8Array, data: Uint8Array, opts?: CipherOptions): Uint8Array;
  /** ECB decryption; same error contract as `decryptCbc`. */
  decryptEcb(alg: EcbAlg, key: Uint8Array, data: Uint8Array, opts?: CipherOptions): Uint8Array;
}

/** The single error of a failed decryption (no padding oracle). */
export const decryptionError = (): PkiError => new PkiError('decrypt', 'cipher: decryption error');

const KEY_LENGTHS: Readonly<Record<CipherName, string>> = {
  AES: '16, 24 or 32',
  DES: '8',
  'DES-EDE3': '24',
  'DES-EDE': '16',
  RC2: '1 to 128',
};

function cipherName(alg: string, suffix: '-CBC' | '-ECB', op: string): CipherName {
  const base = alg.endsWith(suffix) ? alg.slice(0, -suffix.length) : '';
  if (!Object.hasOwn(CIPHER_ID, base) || (suffix === '-ECB' && base === 'RC2')) {
    throw new RangeError(`${op}: unsupported algorithm ${JSON.stringify(alg)}`);
  }
  return base as CipherName;
}

function bytes(v: unknown, title: string, op: string): Uint8Array {
  if (!(v instanceof Uint8Array)) throw new TypeError(`${op}: ${title} must be a Uint8Array`);
  return v;
}

/** Builds the cipher ops over a core instance's exports and I/O arena. */
export function cipherOps(ex: CipherExports, io: Io): CipherOps {
  function run(op: string, name: CipherName, mode: number, encrypt: boolean, key: Uint8Array, iv: Uint8Array | undefined, data: Uint8Array, opts: CipherOptions | undefined): Uint8Array {
    bytes(key, 'key', op);
    bytes(data, 'data', op);
    const bs = name === 'AES' ? 16 : 8;
    if (iv !== undefined && bytes(iv, 'iv', op).length !== bs) throw new RangeError(`${op}: iv must be ${bs} bytes, got ${iv.length}`);
    const pad = opts?.padding ?? true;
    let bits = 0;
    if (name === 'RC2') {
      bits = opts?.rc2EffectiveBits ?? Math.min(8 * key.length, 1024);
      if (!Number.isInteger(bits) || bits < 1 || bits > 1024) throw new RangeError(`${op}: rc2EffectiveBits must be 1..1024, got ${bits}`);
    }
    const outLen = data.length + (encrypt && pad ? bs : 0);
    return io.call([key, iv ?? bs, data, Math.max(outLen, 1)], ([k, v, src, dst]) => {
      const n = ex.cipher_crypt(CIPHER_ID[name], mode, encrypt ? 1 : 0, k!, key.length, v!, src!, data.length, dst!, pad ? 1 : 0, bits);
      if (n >= 0) return io.read(dst!, n);
      if (n === E_CIPHER_DECRYPT) throw decryptionError();
      if (n === E_CIPHER_KEY) throw new RangeError(`${op}: ${name} key must be ${KEY_LENGTHS[name]} bytes, got ${key.length}`);
      if (n === E_CIPHER_LENGTH) throw new RangeError(`${op}: without padding the data must be a multiple of ${bs} bytes, got ${data.length}`);
      throw new RangeError(`${op}: core refused the request (code ${n})`);
    });
  }

  return {
    encryptCbc(alg, key, iv, data, opts) {
      return run('encryptCbc', cipherName(alg, '-CBC', 'encryptCbc'), MODE_CBC, true, key, bytes(iv, 'iv', 'encryptCbc'), data, opts);
    },
    decryptCbc(alg, key, iv, data, opts) {
      return run('decryptCbc', cipherName(alg, '-CBC', 'decryptCbc'), MODE_CBC, false, key, bytes(iv, 'iv', 'decryptCbc'), data, opts);
    },
    encryptEcb(alg, key, data, opts) {
      return run('encryptEcb', cipherName(alg, '-ECB', 'encryptEcb'), MODE_ECB, true, key, undefined, data, opts);
    },
    decryptEcb(alg, key, data, opts) {
      return run('decryptEcb', cipherName(alg, '-ECB', 'decryptEcb'), MODE_ECB, false, key, undefined, data, opts);
    },
  };
}
