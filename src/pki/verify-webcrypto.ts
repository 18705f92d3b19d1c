/**
 * A `VerifyFn` (src/crypto/types.ts) over WebCrypto (`crypto.subtle`, in Chromium and node).
 *
 * Algorithms: sha1/sha256/sha384/sha512WithRSAEncryption (RSASSA-PKCS1-v1_5, RFC 8017 §8.2;
 * parameters absent or NULL, RFC 4055 §5), RSASSA-PSS with its parameters (RFC 4055 §3.1; the
 * MGF1 hash must equal the message hash and the trailer field must be 1, which is all
 * WebCrypto can do), ecdsa-with-SHA1/256/384/512 on P-256/P-384/P-521 (RFC 5758 §3.2,
 * RFC 5480; the DER `Ecdsa-Sig-Value` is converted to IEEE P1363 r‖s, strictly: minimal
 * positive INTEGERs no longer than the curve order), and Ed25519 (RFC 8410) where the platform
 * has it.
 *
 * An algorithm WebCrypto lacks (md2/md5/sha224WithRSAEncryption, ecdsa-with-SHA224, other
 * curves, DSA, Ed448, ...) throws `PkiError('unsupported', ...)` naming it, so a validator
 * reports "unsupported" instead of "bad signature" and never passes it silently. Every other
 * failure (malformed key, malformed signature, key of the wrong type, wrong signature) is
 * `false`.
 */
import type { VerifyFn } from '../crypto/types.ts';
import { PkiError } from '../util/errors.ts';
import { contentOf, DerCursor, decodeOid, decodeSmallUint, hex, parseOne, rawOf, readTlv, TAG } from './chain/_der.ts';
import { sigAlgName } from './chain/oids.ts';
import { checkRsaExponent } from './rsa-exponent.ts';

type Hash = 'SHA-1' | 'SHA-256' | 'SHA-384' | 'SHA-512';

const RSA_PKCS1: Readonly<Record<string, Hash | null>> = {
  '1.2.840.113549.1.1.2': null, // md2
  '1.2.840.113549.1.1.4': null, // md5
  '1.2.840.113549.1.1.5': 'SHA-1',
  '1.2.840.113549.1.1.14': null, // sha224
  '1.2.840.113549.1.1.11': 'SHA-256',
  '1.2.840.113549.1.1.12': 'SHA-384',
  '1.2.840.113549.1.1.13': 'SHA-512',
};
const ECDSA: Readonly<Record<string, Hash | null>> = {
  '1.2.840.10045.4.1': 'SHA-1',
  '1.2.840.10045.4.3.1': null, // sha224
  '1.2.840.10045.4.3.2': 'SHA-256',
  '1.2.840.10045.4.3.3': 'SHA-384',
  '1.2.840.10045.4.3.4': 'SHA-512',
};
const HASH_OIDS: Readonly<Record<string, Hash | null>> = {
  '1.3.14.3.2.26': 'SHA-1',
  '2.16.840.1.101.3.4.2.4': null, // sha224
  '2.16.840.1.101.3.4.2.1': 'SHA-256',
  '2.16.840.1.101.3.4.2.2': 'SHA-384',
  '2.16.840.1.101.3.4.2.3': 'SHA-512',
};
const CURVES: Readonly<Record<string, { name: 'P-256' | 'P-384' | 'P-521'; bytes: number }>> = {
  '1.2.840.10045.3.1.7': { name: 'P-256', bytes: 32 },
  '1.3.132.0.34': { name: 'P-384', bytes: 48 },
  '1.3.132.0.35': { name: 'P-521', bytes: 66 },
};
const RSA_ENCRYPTION = '1.2.840.113549.1.1.1';
const RSASSA_PSS = '1.2.840.113549.1.1.10';
const MGF1 = '1.2.840.113549.1.1.8';
const EC_PUBLIC_KEY = '1.2.840.10045.2.1';
const ED25519 = '1.3.101.112';

const unsupported = (what: string): PkiError => new PkiError('unsupported', `verify: ${what} is not supported by WebCrypto`);

/** DER NULL or absent parameters. */
const nullOrAbsent = (p: Uint8Array | undefined) => !p || (p.length === 2 && p[0] === TAG.NULL && p[1] === 0);

export interface PssParams {
  hash: Hash;
  mgfHash: Hash;
  saltLength: number;
}

/** Parses RSASSA-PSS-params (RFC 4055 §3.1); undefined when malformed, throws when unsupported. */
export function parsePss(p: Uint8Array): PssParams | undefined {
  const c = DerCursor.of(p, parseOne(p, TAG.SEQUENCE, 'RSASSA-PSS-params'));
  const hashOf = (algDer: Uint8Array, what: string): Hash => {
    const ac = DerCursor.of(algDer, parseOne(algDer, TAG.SEQUENCE, what));
    const oid = decodeOid(contentOf(algDer, ac.take(TAG.OID, what)), what);
    if (!ac.done && !nullOrAbsent(rawOf(algDer, ac.next(what)))) throw new PkiError('bad-der', `${what}: unexpected parameters`);
    ac.finish(what);
    const h = HASH_OIDS[oid];
    if (h === undefined || h === null) throw unsupported(`RSASSA-PSS with hash ${oid === '2.16.840.1.101.3.4.2.4' ? 'SHA-224' : oid}`);
    return h;
  };
  let hash: Hash = 'SHA-1';
  let mgfHash: Hash = 'SHA-1';
  let saltLength = 20;
  const h = c.optional(0xa0, 'hashAlgorithm');
  if (h) {
    const hc = DerCursor.of(p, h);
    hash = hashOf(rawOf(p, hc.next('hashAlgorithm')), 'hashAlgorithm');
    hc.finish('hashAlgorithm');
  }
  const m = c.optional(0xa1, 'maskGenAlgorithm');
  if (m) {
    const mc = DerCursor.of(p, m);
    const alg = mc.take(TAG.SEQUENCE, 'maskGenAlgorithm');
    mc.finish('maskGenAlgorithm');
    const ac = DerCursor.of(p, alg);
    const oid = decodeOid(contentOf(p, ac.take(TAG.OID, 'maskGenAlgorithm')), 'maskGenAlgorithm');
    if (oid !== MGF1) throw unsupported(`RSASSA-PSS with mask generation function ${oid}`);
    mgfHash = hashOf(rawOf(p, ac.next('MGF1 hash')), 'MGF1 hash');
    ac.finish('maskGenAlgorithm');
  }
  const s = c.optional(0xa2, 'saltLength');
  if (s) {
    const sc = DerCursor.of(p, s);
    saltLength = decodeSmallUint(contentOf(p, sc.take(TAG.INTEGER, 'saltLength')), 'saltLength');
    sc.finish('saltLength');
  }
  const t = c.optional(0xa3, 'trailerField');
  if (t) {
    const tc = DerCursor.of(p, t);
    if (decodeSmallUint(contentOf(p, tc.take(TAG.INTEGER, 'trailerField')), 'trailerField') !== 1) return undefined;
    tc.finish('trailerField');
  }
  c.finish('RSASSA-PSS-params');
  return { hash, mgfHash, saltLength };
}

interface SpkiInfo {
  alg: string;
  /** namedCurve OID for EC keys */
  curve?: string;
  /** the SPKI to import (RSASSA-PSS keys are re-labelled rsaEncryption for WebCrypto) */
  importDer: Uint8Array;
}

function parseSpki(spki: Uint8Array): SpkiInfo {
  const c = DerCursor.of(spki, parseOne(spki, TAG.SEQUENCE, 'SubjectPublicKeyInfo'));
  const algT = c.take(TAG.SEQUENCE, 'algorithm');
  const keyT = c.take(TAG.BIT_STRING, 'subjectPublicKey');
  c.finish('SubjectPublicKeyInfo');
  const ac = DerCursor.of(spki, algT);
  const alg = decodeOid(contentOf(spki, ac.take(TAG.OID, 'algorithm')), 'algorithm');
  const params = ac.done ? undefined : rawOf(spki, ac.next('parameters'));
  ac.finish('algorithm');
  const info: SpkiInfo = { alg, importDer: spki };
  if (alg === EC_PUBLIC_KEY) {
    if (!params || params[0] !== TAG.OID) throw new PkiError('bad-der', 'EC key without a named curve');
    info.curve = decodeOid(contentOf(params, readTlv(params, 0, params.length, 'namedCurve')), 'namedCurve');
  } else if (alg === RSASSA_PSS) {
    // rsaEncryption AlgorithmIdentifier + the same subjectPublicKey BIT STRING.
    const key = rawOf(spki, keyT);
    const algId = [0x30, 0x0d, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01, 0x05, 0x00];
    const body = [...algId, ...key];
    const len = body.length < 0x80 ? [body.length] : body.length < 0x100 ? [0x81, body.length] : [0x82, body.length >> 8, body.length & 0xff];
    info.importDer = Uint8Array.from([0x30, ...len, ...body]);
  }
  return info;
}

/** DER Ecdsa-Sig-Value → P1363 r‖s of `n` bytes each; undefined when not strict DER or out of range. */
export function ecdsaDerToP1363(sig: Uint8Array, n: number): Uint8Array | undefined {
  try {
    const c = DerCursor.of(sig, parseOne(sig, TAG.SEQUENCE, 'Ecdsa-Sig-Value'));
    const out = new Uint8Array(2 * n);
    for (let k = 0; k < 2; k++) {
      let v = contentOf(sig, c.take(TAG.INTEGER, 'Ecdsa-Sig-Value'));
      if (v.length > 1 && v[0] === 0 && !(v[1]! & 0x80)) return undefined; // non-minimal
      if (v[0]! & 0x80) return undefined; // negative
      if (v[0] === 0 && v.length > 1) v = v.subarray(1);
      if (v.length > n || v.every((x) => x === 0)) return undefined;
      out.set(v, (k + 1) * n - v.length);
    }
    c.finish('Ecdsa-Sig-Value');
    return out;
  } catch {
    return undefined;
  }
}

type ImportParams = { name: 'RSASSA-PKCS1-v1_5' | 'RSA-PSS'; hash: Hash } | { name: 'ECDSA'; namedCurve: string } | { name: 'Ed25519' };

const keyCache = new Map<string, Promise<CryptoKey>>();
const KEY_CACHE_SIZE = 64;

async function importKey(der: Uint8Array, params: ImportParams): Promise<CryptoKey | undefined> {
  const hexKey = `${JSON.stringify(params)}${hex(der)}`;
  let p = keyCache.get(hexKey);
  if (!p) {
    p = crypto.subtle.importKey('spki', der as Uint8Array<ArrayBuffer>, params, false, ['verify']);
    keyCache.set(hexKey, p);
    if (keyCache.size > KEY_CACHE_SIZE) keyCache.delete(keyCache.keys().next().value!);
    p.catch(() => keyCache.delete(hexKey));
  }
  try {
    return await p;
  } catch (e) {
    if ((e as { name?: string }).name === 'NotSupportedError') throw unsupported(`${params.name} keys`);
    return undefined;
  }
}

/**
 * Verifies a signature with WebCrypto. Returns false for any mismatch or malformed input and
 * throws `PkiError('unsupported')` for algorithms WebCrypto does not have.
 */
export const webCryptoVerify: VerifyFn = async ({ algorithm, parameters, spki, data, signature }) => {
  let spkiInfo: SpkiInfo;
  try {
    spkiInfo = parseSpki(spki);
  } catch {
    return false;
  }
  const d = data as Uint8Array<ArrayBuffer>;
  if (algorithm in RSA_PKCS1 || algorithm === RSASSA_PSS) checkRsaExponent(spki);
  if (algorithm in RSA_PKCS1) {
    const hash = RSA_PKCS1[algorithm];
    if (!hash) throw unsupported(sigAlgName(algorithm));
    if (!nullOrAbsent(parameters)) return false;
    if (spkiInfo.alg !== RSA_ENCRYPTION) return false; // RFC 4055 §1.2: an RSASSA-PSS key makes no PKCS #1 v1.5 signatures
    const key = await importKey(spkiInfo.importDer, { name: 'RSASSA-PKCS1-v1_5', hash });
    return !!key && safeVerify({ name: 'RSASSA-PKCS1-v1_5' }, key, signature, d);
  }
  if (algorithm === RSASSA_PSS) {
    let pss: PssParams | undefined;
    try {
      pss = parameters ? parsePss(parameters) : undefined;
    } catch (e) {
      if (e instanceof PkiError && e.code === 'unsupported') throw e;
      return false;
    }
    if (!pss) return false;
    if (pss.mgfHash !== pss.hash) throw unsupported(`RSASSA-PSS with MGF1-${pss.mgfHash} over ${pss.hash}`);
    if (spkiInfo.alg !== RSA_ENCRYPTION && spkiInfo.alg !== RSASSA_PSS) return false;
    const key = await importKey(spkiInfo.importDer, { name: 'RSA-PSS', hash: pss.hash });
    return !!key && safeVerify({ name: 'RSA-PSS', saltLength: pss.saltLength }, key, signature, d);
  }
  if (algorithm in ECDSA) {
    const hash = ECDSA[algorithm];
    if (!hash) throw unsupported(sigAlgName(algorithm));
    if (!nullOrAbsent(parameters)) return false;
    if (spkiInfo.alg !== EC_PUBLIC_KEY) return false;
    const curve = CURVES[spkiInfo.curve!];
    if (!curve) throw unsupported(`ECDSA on curve ${spkiInfo.curve}`);
    const p1363 = ecdsaDerToP1363(signature, curve.bytes);
    if (!p1363) return false;
    const key = await importKey(spkiInfo.importDer, { name: 'ECDSA', namedCurve: curve.name });
    return !!key && safeVerify({ name: 'ECDSA', hash }, key, p1363, d);
  }
  if (algorithm === ED25519) {
    if (parameters) return false;
    if (spkiInfo.alg !== ED25519) return false;
    const key = await importKey(spkiInfo.importDer, { name: 'Ed25519' });
    return !!key && safeVerify({ name: 'Ed25519' }, key, signature, d);
  }
  throw unsupported(`signature algorithm ${sigAlgName(algorithm)}`);
};

async function safeVerify(alg: AlgorithmIdentifier | RsaPssParams | EcdsaParams, key: CryptoKey, sig: Uint8Array, data: Uint8Array<ArrayBuffer>): Promise<boolean> {
  try {
    return await crypto.subtle.verify(alg, key, sig as Uint8Array<ArrayBuffer>, data);
  } catch {
    return false;
  }
}
