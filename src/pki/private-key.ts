/**
 * Private keys as files and pastes carry them, to and from PKCS#8 (RFC 5958):
 *
 * - reading `PRIVATE KEY` (PKCS#8), `RSA PRIVATE KEY` (PKCS#1, RFC 8017 App. A.1.2) and
 *   `EC PRIVATE KEY` (SEC1, RFC 5915), the last two wrapped into PKCS#8 exactly as
 *   `openssl pkcs8 -topk8 -nocrypt` wraps them;
 * - `ENCRYPTED PRIVATE KEY` (EncryptedPrivateKeyInfo, RFC 5958 §3) under PBES2 (RFC 8018 §6.2:
 *   PBKDF2 with any HMAC-SHA-1/SHA-2 PRF; AES-CBC, DES-EDE3-CBC, DES-CBC, RC2-CBC), PBES1
 *   (RFC 8018 §6.1: MD5/SHA-1 with DES/RC2) and the PKCS#12 PBE schemes (RFC 7292 App. C);
 * - OpenSSL's legacy encrypted PEM (`Proc-Type: 4,ENCRYPTED`, `DEK-Info: DES-EDE3-CBC,<iv>` or
 *   `AES-128/192/256-CBC`, key from EVP_BytesToKey with MD5 and one iteration), which is what
 *   IOS `crypto pki export ... pem` prints;
 * - writing `ENCRYPTED PRIVATE KEY` with PBES2 (PBKDF2-HMAC-SHA-256, AES-256-CBC) or, for the
 *   `3des` profile, pbeWithSHAAnd3-KeyTripleDES-CBC.
 *
 * The password-based encryption (PBE) machinery here is shared with pkcs12.ts, which is why
 * it is exported. All crypto goes through the WASM core (`PbeCrypto`, a subset of `CoreApi`):
 * WebCrypto has neither the PKCS#12 KDF nor 3DES/RC2.
 *
 * Errors: `PkiError('password-required')` (an encrypted key and no password),
 * `'key-password'` (wrong password: the data does not decrypt to a well-formed key — never
 * saying whether the padding or the structure failed), `'bad-key'` (structure, naming what),
 * `'unsupported'` (the algorithm, named). Programmer misuse throws TypeError/RangeError.
 *
 * ```asn1
 * EncryptedPrivateKeyInfo ::= SEQUENCE {
 *   encryptionAlgorithm  AlgorithmIdentifier {{KeyEncryptionAlgorithms}},
 *   encryptedData        OCTET STRING }
 * PBES2-params ::= SEQUENCE { keyDerivationFunc AlgorithmIdentifier, encryptionScheme AlgorithmIdentifier }
 * PBKDF2-params ::= SEQUENCE {
 *   salt CHOICE { specified OCTET STRING, otherSource AlgorithmIdentifier },
 *   iterationCount INTEGER (1..MAX),
 *   keyLength INTEGER (1..MAX) OPTIONAL,
 *   prf AlgorithmIdentifier DEFAULT algid-hmacWithSHA1 }
 * PBEParameter ::= SEQUENCE { salt OCTET STRING, iterationCount INTEGER }   -- PBES1 and PKCS#12
 * ```
 */
import type { CallOptions, CbcAlg, CipherOptions, CoreApi, HashAlg } from '../core/api.ts';
import { bmpPassword } from '../core/ops/kdf.ts';
import { concatBytes, utf8 } from '../util/bytes.ts';
import { PkiError } from '../util/errors.ts';
import { DER } from './csr.ts';
import { derCheck, derChildren, derRead, readPasted, writePem, type PemBlock, type Tlv } from './pem.ts';

// ---------------------------------------------------------------------------------------------
// The crypto seam

/**
 * The core operations that password-based encryption needs: a subset of `CoreApi`, so the app
 * passes its Worker core and tests pass the in-thread core (`tests/unit/_core.ts`).
 */
export type PbeCrypto = Pick<CoreApi, 'digest' | 'hmac' | 'pbkdf2' | 'pkcs12Kdf' | 'encryptCbc' | 'decryptCbc'>;

/** Options of the async functions here: cancellation, passed on to each core call. */
export interface PbeCallOptions {
  signal?: AbortSignal;
}

/**
 * The core, metered: every key-derivation iteration (and every PBKDF1 hash round) is charged
 * before it runs, and reading stops with PkiError('unsupported') once `budget` is spent — the
 * total work one import of hostile input may cause, over every derivation and password form.
 */
export function meteredPbe(c: PbeCrypto, budget: number, op: string): PbeCrypto {
  let spent = 0;
  const charge = (n: number) => {
    spent += n;
    if (spent > budget) throw new PkiError('unsupported', `${op}: opening this file would take more than ${budget.toLocaleString('en-US')} key-derivation iterations in total (a limit against hostile files)`);
  };
  return {
    digest: (alg, data, o) => {
      charge(1);
      return c.digest(alg, data, o);
    },
    hmac: (alg, key, data, o) => c.hmac(alg, key, data, o),
    pbkdf2: (alg, pw, salt, iterations, length, o) => {
      charge(iterations);
      return c.pbkdf2(alg, pw, salt, iterations, length, o);
    },
    pkcs12Kdf: (alg, id, pw, salt, iterations, length, o) => {
      charge(iterations);
      return c.pkcs12Kdf(alg, id, pw, salt, iterations, length, o);
    },
    encryptCbc: (...a) => c.encryptCbc(...a),
    decryptCbc: (...a) => c.decryptCbc(...a),
  };
}

// ---------------------------------------------------------------------------------------------
// Limits

/** Iteration counts above this are refused on input (a hostile file could stall the worker). */
export const MAX_ITERATIONS = 10_000_000;
/** PBKDF1 runs one core call per iteration; real files use 1..2048. */
export const MAX_PBKDF1_ITERATIONS = 100_000;
/** The longest salt accepted. */
const MAX_SALT = 1024;
/** Default iteration counts of the write profiles (see `PBE_PROFILES`). */
export const DEFAULT_ITERATIONS = { aes: 10_000, '3des': 2048 } as const;

// ---------------------------------------------------------------------------------------------
// Object identifiers

/** The OIDs of this module (RFC 8018 App. C, RFC 7292 App. D, RFC 5958, NIST CSOR). */
export const PBE_OID = {
  pbes2: '1.2.840.113549.1.5.13',
  pbkdf2: '1.2.840.113549.1.5.12',
  pbmac1: '1.2.840.113549.1.5.14',
  scrypt: '1.3.6.1.4.1.11591.4.11',
  hmacWithSHA1: '1.2.840.113549.2.7',
  hmacWithSHA256: '1.2.840.113549.2.9',
  aes256Cbc: '2.16.840.1.101.3.4.1.42',
  pbeWithSHAAnd3KeyTripleDESCBC: '1.2.840.113549.1.12.1.3',
  rsaEncryption: '1.2.840.113549.1.1.1',
  ecPublicKey: '1.2.840.10045.2.1',
} as const;

/** The PKCS#12 PBE schemes (RFC 7292 App. C): SHA-1 with the PKCS#12 KDF (App. B). */
const PKCS12_PBE: Readonly<Record<string, { name: string; cipher: CbcAlg; keyLength: number; rc2Bits?: number } | undefined>> = {
  '1.2.840.113549.1.12.1.3': { name: 'pbeWithSHAAnd3-KeyTripleDES-CBC', cipher: 'DES-EDE3-CBC', keyLength: 24 },
  '1.2.840.113549.1.12.1.4': { name: 'pbeWithSHAAnd2-KeyTripleDES-CBC', cipher: 'DES-EDE-CBC', keyLength: 16 },
  '1.2.840.113549.1.12.1.5': { name: 'pbeWithSHAAnd128BitRC2-CBC', cipher: 'RC2-CBC', keyLength: 16, rc2Bits: 128 },
  '1.2.840.113549.1.12.1.6': { name: 'pbeWithSHAAnd40BitRC2-CBC', cipher: 'RC2-CBC', keyLength: 5, rc2Bits: 40 },
};

/** PBES1 (RFC 8018 §6.1, App. A.3): PBKDF1 with MD5 or SHA-1; DES-CBC or RC2-CBC (64 effective bits). */
const PBES1: Readonly<Record<string, { name: string; hash: 'MD5' | 'SHA-1'; cipher: CbcAlg; rc2Bits?: number } | undefined>> = {
  '1.2.840.113549.1.5.3': { name: 'pbeWithMD5AndDES-CBC', hash: 'MD5', cipher: 'DES-CBC' },
  '1.2.840.113549.1.5.6': { name: 'pbeWithMD5AndRC2-CBC', hash: 'MD5', cipher: 'RC2-CBC', rc2Bits: 64 },
  '1.2.840.113549.1.5.10': { name: 'pbeWithSHA1AndDES-CBC', hash: 'SHA-1', cipher: 'DES-CBC' },
  '1.2.840.113549.1.5.11': { name: 'pbeWithSHA1AndRC2-CBC', hash: 'SHA-1', cipher: 'RC2-CBC', rc2Bits: 64 },
};

/** PBES2 encryption schemes (RFC 8018 App. B.2; NIST CSOR for AES). `keyLength` 0 = variable (RC2). */
const PBES2_CIPHERS: Readonly<Record<string, { name: string; cipher: CbcAlg; keyLength: number; ivLength: number } | undefined>> = {
  '2.16.840.1.101.3.4.1.2': { name: 'AES-128-CBC', cipher: 'AES-CBC', keyLength: 16, ivLength: 16 },
  '2.16.840.1.101.3.4.1.22': { name: 'AES-192-CBC', cipher: 'AES-CBC', keyLength: 24, ivLength: 16 },
  '2.16.840.1.101.3.4.1.42': { name: 'AES-256-CBC', cipher: 'AES-CBC', keyLength: 32, ivLength: 16 },
  '1.2.840.113549.3.7': { name: 'DES-EDE3-CBC', cipher: 'DES-EDE3-CBC', keyLength: 24, ivLength: 8 },
  '1.3.14.3.2.7': { name: 'DES-CBC', cipher: 'DES-CBC', keyLength: 8, ivLength: 8 },
  '1.2.840.113549.3.2': { name: 'RC2-CBC', cipher: 'RC2-CBC', keyLength: 0, ivLength: 8 },
};

/** HMAC PRFs of PBKDF2 and PBMAC1 (RFC 8018 App. B.1.2). */
export const HMAC_OIDS: Readonly<Record<string, HashAlg | undefined>> = {
  '1.2.840.113549.2.7': 'SHA-1',
  '1.2.840.113549.2.8': 'SHA-224',
  '1.2.840.113549.2.9': 'SHA-256',
  '1.2.840.113549.2.10': 'SHA-384',
  '1.2.840.113549.2.11': 'SHA-512',
  '1.2.840.113549.2.12': 'SHA-512/224',
  '1.2.840.113549.2.13': 'SHA-512/256',
};

/** Names of algorithms we recognise but do not implement, for the 'unsupported' message. */
const UNSUPPORTED_NAMES: Readonly<Record<string, string>> = {
  '1.2.840.113549.1.12.1.1': 'pbeWithSHAAnd128BitRC4 (RC4)',
  '1.2.840.113549.1.12.1.2': 'pbeWithSHAAnd40BitRC4 (RC4)',
  '1.2.840.113549.1.5.1': 'pbeWithMD2AndDES-CBC (MD2)',
  '1.2.840.113549.1.5.4': 'pbeWithMD2AndRC2-CBC (MD2)',
  '1.3.6.1.4.1.11591.4.11': 'scrypt',
  '2.16.840.1.101.3.4.1.6': 'AES-128-GCM',
  '2.16.840.1.101.3.4.1.26': 'AES-192-GCM',
  '2.16.840.1.101.3.4.1.46': 'AES-256-GCM',
  '1.2.840.113549.3.4': 'RC4',
  '1.2.840.113549.3.9': 'RC5-CBC-Pad',
  '1.2.840.113549.2.5': 'hmacWithMD5',
  '1.2.410.200004.1.4': 'SEED-CBC',
  '1.2.392.200011.61.1.1.1.2': 'Camellia-128-CBC',
  '1.2.392.200011.61.1.1.1.4': 'Camellia-256-CBC',
  '1.2.156.10197.1.104.2': 'SM4-CBC',
};

/** The name of an algorithm for messages: known names, else the dotted OID. */
export function algorithmName(oid: string): string {
  return PKCS12_PBE[oid]?.name ?? PBES1[oid]?.name ?? PBES2_CIPHERS[oid]?.name ?? UNSUPPORTED_NAMES[oid] ?? oid;
}

// ---------------------------------------------------------------------------------------------
// Strict reading of BER/DER structures (shared with pkcs12.ts)

/**
 * A copy that owns its bytes. (`.slice()` is not one when the input is a Node Buffer, whose
 * `slice` returns a view: wiping such a "copy" would wipe the caller's data.)
 */
export function copyBytes(b: Uint8Array): Uint8Array {
  return new Uint8Array(b);
}

/** OBJECT IDENTIFIER contents → dotted string (X.690 §8.19); undefined when malformed. */
export function decodeOid(v: Uint8Array): string | undefined {
  if (v.length === 0 || v[v.length - 1]! & 0x80) return undefined;
  const arcs: number[] = [];
  let n = 0;
  let start = true;
  for (const b of v) {
    if (start && b === 0x80) return undefined; // non-minimal arc
    if (n > 2 ** 45) return undefined; // arc beyond 2^52
    n = n * 128 + (b & 0x7f);
    start = !(b & 0x80);
    if (start) {
      arcs.push(n);
      n = 0;
    }
  }
  const first = arcs[0]!;
  const head = first < 40 ? [0, first] : first < 80 ? [1, first - 40] : [2, first - 80];
  return [...head, ...arcs.slice(1)].join('.');
}

/**
 * A strict reader over one encoded structure: every failure is `PkiError(code, "op: ...")`
 * naming the element. BER lengths (indefinite, non-minimal) and constructed OCTET STRINGs are
 * accepted, as PKCS#12 files from Windows and Java need (RFC 7292 §4).
 */
export class DerReader {
  constructor(
    readonly d: Uint8Array,
    readonly code: string,
    readonly op: string,
  ) {}

  /** Throws `PkiError(code, "op: message")`. */
  fail(message: string): never {
    throw new PkiError(this.code, `${this.op}: ${message}`);
  }

  private wrap<T>(what: string, f: () => T): T {
    try {
      return f();
    } catch (e) {
      if (e instanceof PkiError) this.fail(`${what}: ${e.message.replace(/^der: /, '')}`);
      throw e;
    }
  }

  /** The one element that spans all of the bytes. */
  root(what: string): Tlv {
    const t = this.wrap(what, () => derRead(this.d, 0));
    if (t.end !== this.d.length) this.fail(`${this.d.length - t.end} bytes after the ${what}`);
    return t;
  }

  /** The elements inside a constructed element of tag `tag`, between `min` and `max` of them. */
  children(t: Tlv | undefined, tag: number, what: string, min = 0, max = Infinity): Tlv[] {
    this.expect(t, tag, what);
    if (!t!.constructed) this.fail(`${what} is not constructed`);
    const kids = this.wrap(what, () => derChildren(this.d, t!));
    if (kids.length < min) this.fail(`${what} has ${kids.length} element${kids.length === 1 ? '' : 's'}, expected at least ${min}`);
    if (kids.length > max) this.fail(`${what} has ${kids.length} elements, expected at most ${max}`);
    return kids;
  }

  /** The elements of a SEQUENCE. */
  seq(t: Tlv | undefined, what: string, min = 0, max = Infinity): Tlv[] {
    return this.children(t, 0x30, what, min, max);
  }

  /** Checks presence and tag. */
  expect(t: Tlv | undefined, tag: number, what: string): Tlv {
    if (!t) this.fail(`${what} is missing`);
    if (t.tag !== tag) this.fail(`${what} has tag 0x${t.tag.toString(16).padStart(2, '0')}, expected 0x${tag.toString(16).padStart(2, '0')}`);
    return t;
  }

  /** The whole element (header and contents). */
  raw(t: Tlv): Uint8Array {
    return this.d.subarray(t.start, t.end);
  }

  /** The contents of a primitive element. */
  content(t: Tlv): Uint8Array {
    return this.d.subarray(t.contentStart, t.contentEnd);
  }

  /** An OBJECT IDENTIFIER as a dotted string. */
  oid(t: Tlv | undefined, what: string): string {
    this.expect(t, 0x06, what);
    const s = decodeOid(this.content(t!));
    if (s === undefined) this.fail(`${what} is a malformed OBJECT IDENTIFIER`);
    return s;
  }

  /** A non-negative INTEGER up to 2^53 - 1. */
  uint(t: Tlv | undefined, what: string): number {
    this.expect(t, 0x02, what);
    const v = this.content(t!);
    if (v.length === 0) this.fail(`${what} is an empty INTEGER`);
    if (v[0]! & 0x80) this.fail(`${what} is negative`);
    let n = 0;
    for (const b of v) {
      n = n * 256 + b;
      if (n > Number.MAX_SAFE_INTEGER) this.fail(`${what} is too large`);
    }
    return n;
  }

  /**
   * The value of an OCTET STRING (tag 0x04, or 0x24 constructed of segments, X.690 §8.7.3) or
   * of an IMPLICIT-tagged one: `tag` is then the primitive form and `tag | 0x20` the constructed.
   */
  octets(t: Tlv | undefined, what: string, tag = 0x04): Uint8Array {
    if (!t) this.fail(`${what} is missing`);
    if (t.tag === tag) return this.content(t);
    if (t.tag !== (tag | 0x20)) this.expect(t, tag, what);
    const parts: Uint8Array[] = [];
    const collect = (p: Tlv, depth: number): void => {
      for (const c of this.wrap(what, () => derChildren(this.d, p))) {
        if (c.tag === 0x04) parts.push(this.content(c));
        else if (c.tag === 0x24 && depth < 8) collect(c, depth + 1);
        else this.fail(`${what}: a segment of a constructed OCTET STRING has tag 0x${c.tag.toString(16)}`);
      }
    };
    collect(t, 0);
    return parts.length === 1 ? parts[0]! : concatBytes(...parts);
  }

  /** AlgorithmIdentifier ::= SEQUENCE { algorithm OID, parameters ANY OPTIONAL } */
  algorithm(t: Tlv | undefined, what: string): { oid: string; params?: Tlv } {
    const [o, p] = this.seq(t, what, 1, 2);
    const r: { oid: string; params?: Tlv } = { oid: this.oid(o, `${what} OID`) };
    if (p && p.tag !== 0x05) r.params = p;
    return r;
  }
}

// ---------------------------------------------------------------------------------------------
// Passwords

/**
 * A password in the two encodings PBE schemes use: `bmp` for the PKCS#12 KDF (RFC 7292 B.1,
 * BMPString + two zero bytes, or empty for an absent password) and `utf8` for PBKDF1/PBKDF2
 * (RFC 8018 §2, and what OpenSSL passes to PBKDF2 inside PKCS#12).
 */
export interface PasswordForms {
  bmp: Uint8Array;
  utf8: Uint8Array;
  /** how this form was derived (for warnings): 'given', 'absent', 'legacy-bytes' */
  variant: 'given' | 'absent' | 'legacy-bytes';
}

/** The encodings of a password (RFC 7292 B.1 for `bmp`). */
export function passwordForms(password: string): PasswordForms {
  return { bmp: bmpPassword(password), utf8: utf8(password), variant: 'given' };
}

/** The absent password: zero-length in both encodings (OpenSSL's NULL password). */
export function absentPassword(): PasswordForms {
  return { bmp: new Uint8Array(0), utf8: new Uint8Array(0), variant: 'absent' };
}

/**
 * The candidates to try for `password`, in order (as OpenSSL's `PKCS12_parse` and `pkcs12`
 * tool do): for no password or the empty one, `00 00` first, then the absent password
 * (RFC 7292 B.1 leaves both in use); for a non-ASCII password also the pre-1.1.0 OpenSSL
 * encoding, which widened each UTF-8 byte to 16 bits instead of converting to UTF-16.
 */
export function passwordCandidates(password: string | undefined): PasswordForms[] {
  if (password === undefined || password === '') return [passwordForms(''), absentPassword()];
  const given = passwordForms(password);
  if (!/[^\x00-\x7f]/.test(password)) return [given];
  const u = given.utf8;
  const legacy = new Uint8Array(2 * u.length + 2);
  for (let i = 0; i < u.length; i++) legacy[2 * i + 1] = u[i]!;
  return [given, { bmp: legacy, utf8: u, variant: 'legacy-bytes' }];
}

/** Overwrites the encodings of a password. */
export function wipePassword(p: PasswordForms): void {
  p.bmp.fill(0);
  p.utf8.fill(0);
}

// ---------------------------------------------------------------------------------------------
// PBE parameters

/** How the key (and IV) are derived from the password. */
export type PbeKdf = { kind: 'pkcs12'; hash: HashAlg } | { kind: 'pbkdf1'; hash: 'MD5' | 'SHA-1' } | { kind: 'pbkdf2'; prf: HashAlg };

/** A parsed password-based encryption AlgorithmIdentifier. */
export interface PbeParams {
  /** e.g. 'pbeWithSHAAnd3-KeyTripleDES-CBC', 'PBES2 PBKDF2-HMAC-SHA-256 AES-256-CBC' */
  name: string;
  /** the AlgorithmIdentifier OID (pbes2 or the PBES1/PKCS#12 scheme) */
  oid: string;
  kdf: PbeKdf;
  salt: Uint8Array;
  iterations: number;
  cipher: CbcAlg;
  keyLength: number;
  /** PBES2: the IV from the parameters (PBES1 and PKCS#12 derive theirs) */
  iv?: Uint8Array;
  /** RC2 effective key bits (RFC 2268) */
  rc2Bits?: number;
  /** PBES2: the OID of the encryption scheme */
  cipherOid?: string;
}

function unsupported(op: string, what: string): never {
  throw new PkiError('unsupported', `${op}: ${what} is not supported`);
}

function checkIterations(r: DerReader, n: number, what: string, max = MAX_ITERATIONS): number {
  if (n < 1) r.fail(`${what}: iteration count ${n}`);
  if (n > max) throw new PkiError('unsupported', `${r.op}: ${what}: iteration count ${n} is above the limit of ${max}`);
  return n;
}

function checkSalt(r: DerReader, s: Uint8Array, what: string): Uint8Array {
  if (s.length > MAX_SALT) r.fail(`${what}: salt of ${s.length} bytes (at most ${MAX_SALT})`);
  return s;
}

/** PBEParameter ::= SEQUENCE { salt OCTET STRING, iterationCount INTEGER } (RFC 8018 A.3, RFC 7292 App. C) */
function readPbeParameter(r: DerReader, t: Tlv | undefined, what: string, maxIterations?: number): { salt: Uint8Array; iterations: number } {
  const [s, i] = r.seq(t, `${what} parameters`, 2, 2);
  const salt = checkSalt(r, r.octets(s, `${what} salt`), what);
  return { salt, iterations: checkIterations(r, r.uint(i, `${what} iteration count`), what, maxIterations) };
}

/** Parsed PBKDF2-params (RFC 8018 App. A.2). */
export interface Pbkdf2Params {
  salt: Uint8Array;
  iterations: number;
  keyLength?: number;
  prf: HashAlg;
}

/** Reads PBKDF2-params; `salt` otherSource and unknown PRFs are 'unsupported'. */
export function readPbkdf2Params(r: DerReader, t: Tlv | undefined, what: string): Pbkdf2Params {
  const kids = r.seq(t, `${what} PBKDF2 parameters`, 2, 4);
  const saltT = kids[0]!;
  if (saltT.tag === 0x30) unsupported(r.op, `${what}: PBKDF2 salt from another source (otherSource)`);
  const salt = checkSalt(r, r.octets(saltT, `${what} PBKDF2 salt`), what);
  const iterations = checkIterations(r, r.uint(kids[1], `${what} PBKDF2 iteration count`), what);
  const p: Pbkdf2Params = { salt, iterations, prf: 'SHA-1' };
  let k = 2;
  if (kids[k]?.tag === 0x02) {
    const n = r.uint(kids[k], `${what} PBKDF2 key length`);
    if (n < 1 || n > 1024) r.fail(`${what}: PBKDF2 key length ${n}`);
    p.keyLength = n;
    k++;
  }
  if (kids[k]) {
    const prf = r.algorithm(kids[k], `${what} PBKDF2 PRF`);
    const h = HMAC_OIDS[prf.oid];
    if (!h) unsupported(r.op, `${what}: PBKDF2 PRF ${algorithmName(prf.oid)}`);
    p.prf = h;
    k++;
  }
  if (k !== kids.length) r.fail(`${what}: unexpected element in the PBKDF2 parameters`);
  return p;
}

/**
 * Reads a password-based encryption AlgorithmIdentifier: PBES2 (RFC 8018 §6.2), PBES1
 * (§6.1) or a PKCS#12 PBE (RFC 7292 App. C). Unknown or unimplemented schemes throw
 * `PkiError('unsupported')` naming them (RC4, scrypt, GCM, ...); malformed ones `r.code`.
 */
export function readPbeAlgorithm(r: DerReader, t: Tlv | undefined, what: string): PbeParams {
  const alg = r.algorithm(t, `${what} algorithm`);
  const p12 = PKCS12_PBE[alg.oid];
  if (p12) {
    const { salt, iterations } = readPbeParameter(r, alg.params, p12.name);
    const out: PbeParams = { name: p12.name, oid: alg.oid, kdf: { kind: 'pkcs12', hash: 'SHA-1' }, salt, iterations, cipher: p12.cipher, keyLength: p12.keyLength };
    if (p12.rc2Bits) out.rc2Bits = p12.rc2Bits;
    return out;
  }
  const v1 = PBES1[alg.oid];
  if (v1) {
    const { salt, iterations } = readPbeParameter(r, alg.params, v1.name, MAX_PBKDF1_ITERATIONS);
    if (salt.length !== 8) r.fail(`${v1.name}: salt of ${salt.length} bytes (PBES1 uses 8)`);
    const out: PbeParams = { name: v1.name, oid: alg.oid, kdf: { kind: 'pbkdf1', hash: v1.hash }, salt, iterations, cipher: v1.cipher, keyLength: 8 };
    if (v1.rc2Bits) out.rc2Bits = v1.rc2Bits;
    return out;
  }
  if (alg.oid !== PBE_OID.pbes2) unsupported(r.op, `${what}: encryption algorithm ${algorithmName(alg.oid)}`);
  const [kdfT, encT] = r.seq(alg.params, `${what} PBES2 parameters`, 2, 2);
  const kdf = r.algorithm(kdfT, `${what} PBES2 key derivation function`);
  if (kdf.oid !== PBE_OID.pbkdf2) unsupported(r.op, `${what}: PBES2 key derivation function ${algorithmName(kdf.oid)}`);
  const k = readPbkdf2Params(r, kdf.params, what);
  const enc = r.algorithm(encT, `${what} PBES2 encryption scheme`);
  const c = PBES2_CIPHERS[enc.oid];
  if (!c) unsupported(r.op, `${what}: PBES2 encryption scheme ${algorithmName(enc.oid)}`);
  let iv: Uint8Array;
  let keyLength = c.keyLength;
  let rc2Bits: number | undefined;
  if (c.cipher === 'RC2-CBC') {
    // RC2-CBC-Parameter ::= SEQUENCE { rc2ParameterVersion INTEGER OPTIONAL, iv OCTET STRING } (RFC 8018 B.2.3)
    const kids = r.seq(enc.params, `${what} RC2-CBC parameters`, 1, 2);
    rc2Bits = 32;
    if (kids.length === 2) {
      const version = r.uint(kids[0], `${what} RC2 parameter version`);
      rc2Bits = version === 160 ? 40 : version === 120 ? 64 : version === 58 ? 128 : version >= 256 && version <= 1024 ? version : 0;
      if (!rc2Bits) unsupported(r.op, `${what}: RC2 parameter version ${version}`);
    }
    iv = r.octets(kids[kids.length - 1], `${what} RC2-CBC IV`);
    keyLength = k.keyLength ?? 16;
    if (keyLength > 128) r.fail(`${what}: RC2 key length ${keyLength}`);
  } else {
    iv = r.octets(enc.params, `${what} ${c.name} IV`);
    if (k.keyLength !== undefined && k.keyLength !== c.keyLength) r.fail(`${what}: PBKDF2 key length ${k.keyLength} does not fit ${c.name}`);
  }
  if (iv.length !== c.ivLength) r.fail(`${what}: ${c.name} IV of ${iv.length} bytes (expected ${c.ivLength})`);
  const out: PbeParams = {
    name: `PBES2 PBKDF2-HMAC-${k.prf} ${c.name}`,
    oid: PBE_OID.pbes2,
    kdf: { kind: 'pbkdf2', prf: k.prf },
    salt: k.salt,
    iterations: k.iterations,
    cipher: c.cipher,
    keyLength,
    iv,
    cipherOid: enc.oid,
  };
  if (rc2Bits) out.rc2Bits = rc2Bits;
  return out;
}

function callOpts(o: PbeCallOptions | undefined): CallOptions {
  return o?.signal ? { signal: o.signal } : {};
}

function cipherOpts(p: PbeParams): CipherOptions | undefined {
  return p.rc2Bits ? { rc2EffectiveBits: p.rc2Bits } : undefined;
}

const blockSize = (c: CbcAlg): number => (c === 'AES-CBC' ? 16 : 8);

/** Key and IV for `p` (RFC 7292 B.2 / RFC 8018 §5.1, §5.2). The caller wipes them. */
async function deriveKeyIv(c: PbeCrypto, p: PbeParams, pw: PasswordForms, o: CallOptions): Promise<{ key: Uint8Array; iv: Uint8Array }> {
  const ivLength = blockSize(p.cipher);
  switch (p.kdf.kind) {
    case 'pkcs12': {
      const key = await c.pkcs12Kdf(p.kdf.hash, 1, pw.bmp, p.salt, p.iterations, p.keyLength, o);
      const iv = await c.pkcs12Kdf(p.kdf.hash, 2, pw.bmp, p.salt, p.iterations, ivLength, o);
      return { key, iv };
    }
    case 'pbkdf1': {
      // PBKDF1 (RFC 8018 §5.1): T_1 = Hash(P || S), T_i = Hash(T_{i-1}); DK = T_c[0..16]
      const first = concatBytes(pw.utf8, p.salt);
      let t = await c.digest(p.kdf.hash, first, o);
      first.fill(0);
      for (let i = 1; i < p.iterations; i++) {
        const next = await c.digest(p.kdf.hash, t, o);
        t.fill(0);
        t = next;
      }
      const out = { key: copyBytes(t.subarray(0, 8)), iv: copyBytes(t.subarray(8, 16)) };
      t.fill(0);
      return out;
    }
    case 'pbkdf2':
      return { key: await c.pbkdf2(p.kdf.prf, pw.utf8, p.salt, p.iterations, p.keyLength, o), iv: copyBytes(p.iv!) };
  }
}

/**
 * Decrypts `data` under `p` with the password `pw`. Throws `PkiError('decrypt')` when the
 * data does not decrypt (bad length or padding); callers turn that into their password error.
 */
export async function pbeDecrypt(c: PbeCrypto, p: PbeParams, pw: PasswordForms, data: Uint8Array, opts?: PbeCallOptions): Promise<Uint8Array> {
  if (data.length === 0 || data.length % blockSize(p.cipher) !== 0) throw new PkiError('decrypt', 'pbe: decryption error');
  const o = callOpts(opts);
  const { key, iv } = await deriveKeyIv(c, p, pw, o);
  try {
    return await c.decryptCbc(p.cipher, key, iv, data, cipherOpts(p), o);
  } finally {
    key.fill(0);
    iv.fill(0);
  }
}

/** Encrypts `data` under `p` with the password `pw` (PKCS#7 padding). */
export async function pbeEncrypt(c: PbeCrypto, p: PbeParams, pw: PasswordForms, data: Uint8Array, opts?: PbeCallOptions): Promise<Uint8Array> {
  const o = callOpts(opts);
  const { key, iv } = await deriveKeyIv(c, p, pw, o);
  try {
    return await c.encryptCbc(p.cipher, key, iv, data, cipherOpts(p), o);
  } finally {
    key.fill(0);
    iv.fill(0);
  }
}

/** The encryption profiles this app writes (see `newPbeParams`). */
export type PbeProfile = 'aes' | '3des';

function randomBytes(n: number): Uint8Array {
  const b = new Uint8Array(n);
  globalThis.crypto.getRandomValues(b);
  return b;
}

function checkWriteIterations(n: number, op: string): number {
  if (!Number.isSafeInteger(n) || n < 1000 || n > MAX_ITERATIONS) throw new RangeError(`${op}: iterations must be an integer in 1000..${MAX_ITERATIONS}, got ${n}`);
  return n;
}

/**
 * Fresh parameters (random salt and IV) for writing:
 * - `aes`: PBES2 with PBKDF2-HMAC-SHA-256 and AES-256-CBC (RFC 8018 §6.2), a 16-byte salt
 *   (NIST SP 800-132 §5.1 asks for at least 128 bits) and by default 10,000 iterations —
 *   five times OpenSSL 3's 2048, at about 4 ms per derivation in the core;
 * - `3des`: pbeWithSHAAnd3-KeyTripleDES-CBC (RFC 7292 App. C) with an 8-byte salt and 2048
 *   iterations, what `openssl pkcs12 -export -legacy` and Windows write for keys.
 */
export function newPbeParams(profile: PbeProfile, iterations?: number, op = 'pbe'): PbeParams {
  if (profile === 'aes') {
    return {
      name: 'PBES2 PBKDF2-HMAC-SHA-256 AES-256-CBC',
      oid: PBE_OID.pbes2,
      kdf: { kind: 'pbkdf2', prf: 'SHA-256' },
      salt: randomBytes(16),
      iterations: checkWriteIterations(iterations ?? DEFAULT_ITERATIONS.aes, op),
      cipher: 'AES-CBC',
      keyLength: 32,
      iv: randomBytes(16),
      cipherOid: PBE_OID.aes256Cbc,
    };
  }
  if (profile === '3des') {
    return {
      name: 'pbeWithSHAAnd3-KeyTripleDES-CBC',
      oid: PBE_OID.pbeWithSHAAnd3KeyTripleDESCBC,
      kdf: { kind: 'pkcs12', hash: 'SHA-1' },
      salt: randomBytes(8),
      iterations: checkWriteIterations(iterations ?? DEFAULT_ITERATIONS['3des'], op),
      cipher: 'DES-EDE3-CBC',
      keyLength: 24,
    };
  }
  throw new RangeError(`${op}: unknown profile ${JSON.stringify(profile)}`);
}

/** INTEGER of a non-negative safe integer (X.690 §8.3, minimal). */
export function derUint(n: number): Uint8Array {
  const bytes: number[] = [];
  let v = n;
  do {
    bytes.unshift(v % 256);
    v = Math.floor(v / 256);
  } while (v > 0);
  if (bytes[0]! & 0x80) bytes.unshift(0);
  return DER.tlv(0x02, Uint8Array.from(bytes));
}

/** The DER AlgorithmIdentifier of parameters made by `newPbeParams` (PBES2/PBKDF2 or PKCS#12 PBE). */
export function encodePbeAlgorithm(p: PbeParams): Uint8Array {
  const pbeParameter = (): Uint8Array => DER.seq(DER.tlv(0x04, p.salt), derUint(p.iterations));
  if (p.kdf.kind === 'pkcs12') return DER.seq(DER.oid(p.oid), pbeParameter());
  if (p.kdf.kind !== 'pbkdf2' || !p.cipherOid || !p.iv) throw new RangeError(`encodePbeAlgorithm: cannot write ${p.name}`);
  const prfOid = Object.keys(HMAC_OIDS).find((k) => HMAC_OIDS[k] === (p.kdf as { prf: HashAlg }).prf)!;
  // prf DEFAULT hmacWithSHA1 is omitted in DER (X.690 §11.5); keyLength only for RC2.
  const kdfParams = DER.seq(
    DER.tlv(0x04, p.salt),
    derUint(p.iterations),
    ...(p.cipher === 'RC2-CBC' ? [derUint(p.keyLength)] : []),
    ...(prfOid === PBE_OID.hmacWithSHA1 ? [] : [DER.seq(DER.oid(prfOid), DER.NULL)]),
  );
  return DER.seq(DER.oid(PBE_OID.pbes2), DER.seq(DER.seq(DER.oid(PBE_OID.pbkdf2), kdfParams), DER.seq(DER.oid(p.cipherOid), DER.tlv(0x04, p.iv))));
}

// ---------------------------------------------------------------------------------------------
// Key containers

/** The key algorithm of a PKCS#8 key: 'rsa', 'ec', or the OID of anything else. */
export type KeyAlgorithm = 'rsa' | 'ec' | (string & {});

/** Checks that `der` is one strict DER element; failures become `PkiError(code)`. */
function checkDer(der: Uint8Array, code: string, op: string, what: string): void {
  try {
    derCheck(der, { what: `${op}: ${what}` });
  } catch (e) {
    if (e instanceof PkiError) throw new PkiError(code, e.message);
    throw e;
  }
}

/**
 * Checks a PrivateKeyInfo / OneAsymmetricKey (RFC 5958 §2) strictly as DER:
 * `SEQUENCE { version 0|1, AlgorithmIdentifier, OCTET STRING, [0] attributes OPT, [1] publicKey OPT }`.
 * Returns its algorithm. Throws `PkiError(code)`.
 */
export function checkPkcs8(der: Uint8Array, code = 'bad-key', op = 'key.read'): KeyAlgorithm {
  checkDer(der, code, op, 'PKCS#8 key');
  const r: DerReader = new DerReader(der, code, op);
  const kids = r.seq(r.root('PKCS#8 key'), 'PKCS#8 PrivateKeyInfo', 3, 5);
  const version = r.uint(kids[0], 'PKCS#8 version');
  if (version > 1) r.fail(`PKCS#8 version ${version}`);
  const alg = r.algorithm(kids[1], 'PKCS#8 privateKeyAlgorithm');
  r.expect(kids[2], 0x04, 'PKCS#8 privateKey');
  let k = 3;
  if (kids[k]?.tag === 0xa0) k++;
  if (kids[k]?.tag === 0x81 && version === 1) k++;
  if (k !== kids.length) r.fail('unexpected element after the PKCS#8 privateKey');
  return alg.oid === PBE_OID.rsaEncryption ? 'rsa' : alg.oid === PBE_OID.ecPublicKey ? 'ec' : alg.oid;
}

const INTEGER_0 = Uint8Array.of(0x02, 0x01, 0x00);
const INTEGER_1 = Uint8Array.of(0x02, 0x01, 0x01);

/**
 * Wraps an RSAPrivateKey (PKCS#1, RFC 8017 App. A.1.2) into PKCS#8 with rsaEncryption/NULL,
 * the bytes `openssl pkcs8 -topk8 -nocrypt` writes. Throws `PkiError(code)` on a malformed key.
 */
export function pkcs1ToPkcs8(pkcs1: Uint8Array, code = 'bad-key', op = 'key.read'): Uint8Array {
  checkDer(pkcs1, code, op, 'RSA private key');
  const r: DerReader = new DerReader(pkcs1, code, op);
  const kids = r.seq(r.root('RSA private key'), 'RSAPrivateKey', 9, 10);
  const version = r.uint(kids[0], 'RSAPrivateKey version');
  if (version > 1 || (version === 0) !== (kids.length === 9)) r.fail(`RSAPrivateKey version ${version} with ${kids.length} fields`);
  for (let i = 1; i < 9; i++) r.expect(kids[i], 0x02, 'RSAPrivateKey field');
  return DER.seq(INTEGER_0, DER.seq(DER.oid(PBE_OID.rsaEncryption), DER.NULL), DER.tlv(0x04, pkcs1));
}

/**
 * Wraps an ECPrivateKey (SEC1, RFC 5915 §3) into PKCS#8 (RFC 5915 §4 via RFC 5958): the named
 * curve moves to the AlgorithmIdentifier and leaves the inner key, as OpenSSL writes it.
 * Explicit curve parameters are 'unsupported'; a key without a curve is `code`.
 */
export function sec1ToPkcs8(sec1: Uint8Array, code = 'bad-key', op = 'key.read'): Uint8Array {
  checkDer(sec1, code, op, 'EC private key');
  const r: DerReader = new DerReader(sec1, code, op);
  const kids = r.seq(r.root('EC private key'), 'ECPrivateKey', 2, 4);
  if (r.uint(kids[0], 'ECPrivateKey version') !== 1) r.fail('ECPrivateKey version is not 1');
  const priv = r.expect(kids[1], 0x04, 'ECPrivateKey privateKey');
  let k = 2;
  let curve: string | undefined;
  if (kids[k]?.tag === 0xa0) {
    const [p] = r.children(kids[k], 0xa0, 'ECPrivateKey parameters', 1, 1);
    if (p!.tag !== 0x06) unsupported(op, 'an EC key with explicit curve parameters');
    curve = r.oid(p, 'ECPrivateKey namedCurve');
    k++;
  }
  let pub: Tlv | undefined;
  if (kids[k]?.tag === 0xa1) {
    r.children(kids[k], 0xa1, 'ECPrivateKey publicKey', 1, 1);
    pub = kids[k++];
  }
  if (k !== kids.length) r.fail('unexpected element in the ECPrivateKey');
  if (!curve) r.fail('the EC private key does not name its curve');
  const inner = DER.seq(INTEGER_1, r.raw(priv), ...(pub ? [r.raw(pub)] : []));
  return DER.seq(INTEGER_0, DER.seq(DER.oid(PBE_OID.ecPublicKey), DER.oid(curve)), DER.tlv(0x04, inner));
}

// ---------------------------------------------------------------------------------------------
// EncryptedPrivateKeyInfo

/** Parsed EncryptedPrivateKeyInfo (RFC 5958 §3). */
export interface EncryptedPrivateKeyInfo {
  algorithm: PbeParams;
  encryptedData: Uint8Array;
}

/** Reads an EncryptedPrivateKeyInfo at `t` (BER accepted); errors carry `r.code`. */
export function readEncryptedPrivateKeyInfo(r: DerReader, t: Tlv | undefined, what: string): EncryptedPrivateKeyInfo {
  const [algT, dataT] = r.seq(t, what, 2, 2);
  return { algorithm: readPbeAlgorithm(r, algT, what), encryptedData: r.octets(dataT, `${what} encryptedData`) };
}

/**
 * Decrypts an EncryptedPrivateKeyInfo with each password candidate in turn and returns the
 * PKCS#8 key of the first that yields a well-formed one, or undefined (wrong password). The
 * caller reports the failure without saying whether padding or structure failed.
 */
export async function decryptPrivateKeyInfo(
  c: PbeCrypto,
  epki: EncryptedPrivateKeyInfo,
  candidates: readonly PasswordForms[],
  opts?: PbeCallOptions,
): Promise<{ pkcs8: Uint8Array; algorithm: KeyAlgorithm; password: PasswordForms } | undefined> {
  for (const pw of candidates) {
    let plain: Uint8Array;
    try {
      plain = await pbeDecrypt(c, epki.algorithm, pw, epki.encryptedData, opts);
    } catch (e) {
      if (e instanceof PkiError && e.code === 'decrypt') continue;
      throw e;
    }
    try {
      return { pkcs8: plain, algorithm: checkPkcs8(plain), password: pw };
    } catch (e) {
      plain.fill(0);
      if (e instanceof PkiError) continue;
      throw e;
    }
  }
  return undefined;
}

/** Options for writing an encrypted key. */
export interface EncryptKeyOptions extends PbeCallOptions {
  /** `aes` (PBES2, PBKDF2-HMAC-SHA-256, AES-256-CBC) or `3des` (pbeWithSHAAnd3-KeyTripleDES-CBC) */
  profile: PbeProfile;
  /** iteration count, 1000..10,000,000; default `DEFAULT_ITERATIONS[profile]` */
  iterations?: number;
}

/**
 * Encrypts a PKCS#8 key into an EncryptedPrivateKeyInfo (RFC 5958 §3) under `password`
 * (UTF-8 for PBKDF2, BMPString for the PKCS#12 KDF, RFC 7292 B.1). Throws `PkiError('bad-key')`
 * when `pkcs8` is not a well-formed PKCS#8 key.
 */
export async function encryptPrivateKeyInfo(pkcs8: Uint8Array, password: string, c: PbeCrypto, opts: EncryptKeyOptions): Promise<Uint8Array> {
  if (!(pkcs8 instanceof Uint8Array)) throw new TypeError('key.encrypt: pkcs8 must be a Uint8Array');
  if (typeof password !== 'string') throw new TypeError('key.encrypt: password must be a string');
  checkPkcs8(pkcs8, 'bad-key', 'key.encrypt');
  const p = newPbeParams(opts.profile, opts.iterations, 'key.encrypt');
  const pw = passwordForms(password);
  try {
    const data = await pbeEncrypt(c, p, pw, pkcs8, opts);
    return DER.seq(encodePbeAlgorithm(p), DER.tlv(0x04, data));
  } finally {
    wipePassword(pw);
  }
}

/** `-----BEGIN ENCRYPTED PRIVATE KEY-----` of `encryptPrivateKeyInfo` (RFC 7468 §11). */
export async function writeEncryptedPrivateKeyPem(pkcs8: Uint8Array, password: string, c: PbeCrypto, opts: EncryptKeyOptions): Promise<string> {
  return writePem('ENCRYPTED PRIVATE KEY', await encryptPrivateKeyInfo(pkcs8, password, c, opts));
}

/** `-----BEGIN PRIVATE KEY-----` (RFC 7468 §10) of a checked PKCS#8 key. */
export function writePrivateKeyPem(pkcs8: Uint8Array): string {
  checkPkcs8(pkcs8, 'bad-key', 'key.write');
  return writePem('PRIVATE KEY', pkcs8);
}

// ---------------------------------------------------------------------------------------------
// Legacy OpenSSL encrypted PEM (RFC 1421 headers, EVP_BytesToKey)

/** DEK-Info ciphers of OpenSSL's PEM_write_*PrivateKey with a cipher. */
const DEK_CIPHERS: Readonly<Record<string, { cipher: CbcAlg; keyLength: number; rc2Bits?: number } | undefined>> = {
  'DES-CBC': { cipher: 'DES-CBC', keyLength: 8 },
  'DES-EDE-CBC': { cipher: 'DES-EDE-CBC', keyLength: 16 },
  'DES-EDE3-CBC': { cipher: 'DES-EDE3-CBC', keyLength: 24 },
  'AES-128-CBC': { cipher: 'AES-CBC', keyLength: 16 },
  'AES-192-CBC': { cipher: 'AES-CBC', keyLength: 24 },
  'AES-256-CBC': { cipher: 'AES-CBC', keyLength: 32 },
  'RC2-CBC': { cipher: 'RC2-CBC', keyLength: 16, rc2Bits: 128 },
  'RC2-64-CBC': { cipher: 'RC2-CBC', keyLength: 8, rc2Bits: 64 },
  'RC2-40-CBC': { cipher: 'RC2-CBC', keyLength: 5, rc2Bits: 40 },
};

/**
 * OpenSSL's EVP_BytesToKey with MD5 and count 1, the key of legacy encrypted PEM:
 * D_1 = MD5(P || S), D_i = MD5(D_{i-1} || P || S), key = D_1 || D_2 || ... (first `n` bytes),
 * S = the first 8 bytes of the DEK-Info IV.
 */
async function bytesToKey(c: PbeCrypto, password: Uint8Array, salt: Uint8Array, n: number, o: CallOptions): Promise<Uint8Array> {
  const key = new Uint8Array(n);
  let prev: Uint8Array = new Uint8Array(0);
  for (let have = 0; have < n; ) {
    const input = concatBytes(prev, password, salt);
    const d = await c.digest('MD5', input, o);
    input.fill(0);
    prev.fill(0);
    key.set(d.subarray(0, Math.min(d.length, n - have)), have);
    have += d.length;
    prev = d;
  }
  prev.fill(0);
  return key;
}

async function decryptLegacyPem(c: PbeCrypto, block: PemBlock, password: string, o: CallOptions): Promise<Uint8Array | undefined> {
  const enc = block.encryption!;
  const dek = DEK_CIPHERS[enc.algorithm];
  if (!dek) unsupported('key.read', `DEK-Info cipher ${enc.algorithm}`);
  const bs = blockSize(dek.cipher);
  if (enc.iv.length !== bs) throw new PkiError('bad-key', `key.read: DEK-Info IV of ${enc.iv.length} bytes for ${enc.algorithm} (expected ${bs})`);
  if (block.der.length % bs !== 0) throw new PkiError('bad-key', `key.read: encrypted data of ${block.der.length} bytes is not a whole number of ${enc.algorithm} blocks`);
  const pw = utf8(password);
  const key = await bytesToKey(c, pw, enc.iv.subarray(0, 8), dek.keyLength, o);
  pw.fill(0);
  try {
    return await c.decryptCbc(dek.cipher, key, enc.iv, block.der, dek.rc2Bits ? { rc2EffectiveBits: dek.rc2Bits } : undefined, o);
  } catch (e) {
    if (e instanceof PkiError && e.code === 'decrypt') return undefined;
    throw e;
  } finally {
    key.fill(0);
  }
}

// ---------------------------------------------------------------------------------------------
// Reading

/** Where a key came from. */
export type PrivateKeyFormat = 'pkcs8' | 'encrypted-pkcs8' | 'pkcs1' | 'sec1';

/** A private key read from PEM/DER, as PKCS#8. */
export interface PrivateKeyRead {
  pkcs8: Uint8Array;
  algorithm: KeyAlgorithm;
  format: PrivateKeyFormat;
  /** how it was encrypted: 'PBES2 PBKDF2-HMAC-SHA-256 AES-256-CBC', 'DEK-Info DES-EDE3-CBC', ... */
  encryption?: string;
}

const KEY_KINDS = new Set(['private-key', 'encrypted-private-key', 'rsa-private-key', 'ec-private-key']);

function pickKeyBlock(input: string | Uint8Array | PemBlock): PemBlock {
  if (typeof input === 'object' && !(input instanceof Uint8Array)) return input;
  const blocks = readPasted(input);
  const keys = blocks.filter((b) => KEY_KINDS.has(b.kind));
  if (keys.length === 0) {
    const what = blocks.map((b) => b.label || b.kind).join(', ');
    throw new PkiError('bad-key', `key.read: no private key found (found ${what})`);
  }
  if (keys.length > 1) throw new PkiError('bad-key', `key.read: ${keys.length} private keys found; give one at a time`);
  return keys[0]!;
}

function wrapByKind(kind: string, der: Uint8Array, code: string): { pkcs8: Uint8Array; format: PrivateKeyFormat } {
  if (kind === 'rsa-private-key') return { pkcs8: pkcs1ToPkcs8(der, code), format: 'pkcs1' };
  if (kind === 'ec-private-key') return { pkcs8: sec1ToPkcs8(der, code), format: 'sec1' };
  checkPkcs8(der, code);
  return { pkcs8: copyBytes(der), format: 'pkcs8' };
}

/**
 * Reads a private key from PEM text (the first and only key block; other blocks such as
 * certificates are skipped), bare base64, DER bytes, or an already read `PemBlock`, and returns
 * it as PKCS#8. Encrypted keys need `password`: PKCS#8 EncryptedPrivateKeyInfo (PBES2, PBES1,
 * PKCS#12 PBE) and legacy `Proc-Type: 4,ENCRYPTED` blocks (DEK-Info DES/3DES/AES/RC2-CBC).
 * RSA PKCS#1 and SEC1 EC keys are wrapped into PKCS#8.
 *
 * @throws PkiError 'password-required' | 'key-password' | 'bad-key' | 'unsupported' (and the
 *   'bad-pem'/'bad-base64'/'bad-der' errors of pem.ts for damaged text)
 */
export async function readPrivateKey(input: string | Uint8Array | PemBlock, password: string | undefined, c: PbeCrypto, opts?: PbeCallOptions & { maxIterations?: number }): Promise<PrivateKeyRead> {
  const block = pickKeyBlock(input);
  if (opts?.maxIterations !== undefined) c = meteredPbe(c, opts.maxIterations, 'key.read');
  const o = callOpts(opts);
  if (block.encryption) {
    if (password === undefined) throw new PkiError('password-required', `key.read: the ${block.label} is encrypted (${block.encryption.algorithm}); a password is required`);
    const plain = await decryptLegacyPem(c, block, password, o);
    if (!plain) throw wrongPassword();
    try {
      const kind = block.kind === 'encrypted-private-key' ? 'private-key' : block.kind;
      const w = wrapByKind(kind, plain, 'key-password');
      return { ...w, algorithm: checkPkcs8(w.pkcs8), encryption: `DEK-Info ${block.encryption.algorithm}` };
    } catch (e) {
      if (e instanceof PkiError && e.code === 'key-password') throw wrongPassword();
      throw e;
    } finally {
      plain.fill(0);
    }
  }
  if (block.kind === 'encrypted-private-key') {
    const r: DerReader = new DerReader(block.der, 'bad-key', 'key.read');
    const epki = readEncryptedPrivateKeyInfo(r, r.root('EncryptedPrivateKeyInfo'), 'EncryptedPrivateKeyInfo');
    if (password === undefined) throw new PkiError('password-required', `key.read: the private key is encrypted (${epki.algorithm.name}); a password is required`);
    const candidates = passwordCandidates(password);
    try {
      const got = await decryptPrivateKeyInfo(c, epki, candidates, opts);
      if (!got) throw wrongPassword();
      return { pkcs8: got.pkcs8, algorithm: got.algorithm, format: 'encrypted-pkcs8', encryption: epki.algorithm.name };
    } finally {
      candidates.forEach(wipePassword);
    }
  }
  if (!KEY_KINDS.has(block.kind)) throw new PkiError('bad-key', `key.read: a ${block.label || block.kind} is not a private key`);
  const w = wrapByKind(block.kind, block.der, 'bad-key');
  return { ...w, algorithm: checkPkcs8(w.pkcs8) };
}

function wrongPassword(): PkiError {
  return new PkiError('key-password', 'key.read: wrong password (the private key does not decrypt)');
}

/** True when reading this block needs a password (to ask before calling `readPrivateKey`). */
export function isEncryptedKeyBlock(block: PemBlock): boolean {
  return block.encryption !== undefined || block.kind === 'encrypted-private-key';
}
