/**
 * Password-based cryptography of the pkijs engine (engine.ts), all in the WASM core:
 * - PBES2 (RFC 8018 §6.2, PBES2-params A.4) with PBKDF2 (RFC 8018 §5.2, PBKDF2-params A.2,
 *   HMAC PRFs B.1.2) and AES / 3DES / DES / RC2-CBC (B.2), for reading and writing an
 *   EncryptedContentInfo;
 * - PKCS#12 PBES1 (RFC 7292 App. C: `pbeWithSHAAnd3-KeyTripleDES-CBC`,
 *   `pbeWithSHAAnd2-KeyTripleDES-CBC`, `pbeWithSHAAnd128BitRC2-CBC`,
 *   `pbewithSHAAnd40BitRC2-CBC`) with the PKCS#12 KDF (App. B) over the BMPString password
 *   (B.1);
 * - the PKCS#12 MAC (RFC 7292 §5.1, App. B.4) of `stampDataWithPassword` /
 *   `verifyDataStampedWithPassword`.
 * Private to engine.ts; `MAX_PBE_ITERATIONS` is re-exported from engine.ts.
 */
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import type { CoreApi, HashAlg } from '../core/api.ts';
import { equalBytes } from '../util/bytes.ts';
import { PkiError } from '../util/errors.ts';
import { cbcParameters, cbcParametersDer, expect, intBytes, oidAt, paramsDer, readOctets, readSmallInt, toAsn1 } from './engine-der.ts';
import { aSecretLength } from './engine-keys.ts';
import { ENGINE_OID, HASH_BYTES, HMAC_OID, PBES1, PBES2_CIPHERS, PBES2_WRITE, type CoreCbc } from './engine-oids.ts';
import { aHash, algName, bufferOf, bytesOf, ivLength, randomBytes, unsupported } from './engine-util.ts';
import { BER, derChildren, readTlv, DER } from './der.ts';

/** Guard against files that would make the KDF run for hours (real files use 1..600000). */
export const MAX_PBE_ITERATIONS = 10_000_000;

/** `n` when it is a usable PBE iteration count: `PkiError('bad-pkcs7')` below 1, `PkiError('unsupported')` above `MAX_PBE_ITERATIONS`. */
export function aIterations(n: number, op: string): number {
  if (!Number.isSafeInteger(n) || n < 1) throw new PkiError('bad-pkcs7', `engine.${op}: iteration count ${n}`);
  if (n > MAX_PBE_ITERATIONS) throw new PkiError('unsupported', `engine.${op}: iteration count ${n} is above the limit of ${MAX_PBE_ITERATIONS}`);
  return n;
}

/**
 * The password of pkijs' PKCS#12 API (an ArrayBuffer) as text: UTF-8 when it decodes, else
 * one character per byte — what pkijs' own `makePKCS12B2Key` does.
 */
function passwordText(pw: Uint8Array): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(pw);
  } catch {
    return String.fromCharCode(...pw);
  }
}

/**
 * The BMPString forms of a password (RFC 7292 B.1). The empty password is tried as `00 00`
 * and then as the absent password (zero bytes), as OpenSSL's `PKCS12_parse` does.
 */
function bmpForms(pw: Uint8Array): Uint8Array[] {
  const text = passwordText(pw);
  const out = new Uint8Array(2 * text.length + 2);
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    out[2 * i] = c >>> 8;
    out[2 * i + 1] = c & 0xff;
  }
  return text.length === 0 ? [out, new Uint8Array(0)] : [out];
}

/** Parameters pkijs passes to `encryptEncryptedContentInfo`, with this engine's extra ciphers. */
export type EncryptParams = pkijs.CryptoEngineEncryptParams;

/** The body of `PkiEngine.decryptEncryptedContentInfo`: PBES2 (RFC 8018 §6.2) or PKCS#12 PBES1 (RFC 7292 App. C) decryption. */
export async function decryptWithPassword(core: CoreApi, parameters: pkijs.CryptoEngineDecryptParams): Promise<ArrayBuffer> {
  const op = 'decryptEncryptedContentInfo';
  const eci = parameters.encryptedContentInfo;
  const password = bytesOf(parameters.password);
  const oid = eci.contentEncryptionAlgorithm.algorithmId;
  if (!eci.encryptedContent) throw new PkiError('bad-pkcs7', `engine.${op}: no encrypted content`);
  const data = new Uint8Array(eci.getEncryptedContent());
  const params = paramsDer(eci.contentEncryptionAlgorithm.algorithmParams, op, 'encryption algorithm');
  const pbes1 = PBES1[oid];
  if (pbes1) {
    const [saltT, iterT] = derChildren(params, expect(params, readTlv(params, 0, params.length, BER), 0x30, op, 'PKCS#12 PBE parameters'), BER);
    const salt = readOctets(params, saltT, op, 'PBE salt');
    const iterations = aIterations(readSmallInt(params, iterT, op, 'PBE iteration count'), op);
    let last: unknown;
    for (const pw of bmpForms(password)) {
      const key = await core.pkcs12Kdf('SHA-1', 1, pw, salt, iterations, pbes1.keyLength);
      const iv = await core.pkcs12Kdf('SHA-1', 2, pw, salt, iterations, 8);
      try {
        const opts = pbes1.rc2Bits ? { rc2EffectiveBits: pbes1.rc2Bits } : undefined;
        return bufferOf(await core.decryptCbc(pbes1.cipher, key, iv, data, opts));
      } catch (e) {
        last = e;
      } finally {
        key.fill(0);
      }
    }
    throw last;
  }
  if (oid === ENGINE_OID.pbes2) {
    const s = pbes2Params(params, op);
    const key = await core.pbkdf2(s.prf, password, s.salt, s.iterations, s.keyLength);
    try {
      const opts = s.rc2Bits ? { rc2EffectiveBits: s.rc2Bits } : undefined;
      return bufferOf(await core.decryptCbc(s.cipher, key, s.iv, data, opts));
    } finally {
      key.fill(0);
    }
  }
  if (oid === ENGINE_OID.pbeWithSHAAnd128BitRC4 || oid === ENGINE_OID.pbeWithSHAAnd40BitRC4) throw unsupported(op, 'RC4 (pbeWithSHAAnd128BitRC4 / 40BitRC4)');
  throw unsupported(op, `password-based encryption ${oid}`);
}

/** PBES2-params (RFC 8018 A.4) with PBKDF2-params (A.2) and the cipher parameters (B.2). */
function pbes2Params(der: Uint8Array, op: string): { prf: HashAlg; salt: Uint8Array; iterations: number; keyLength: number; cipher: CoreCbc; iv: Uint8Array; rc2Bits?: number } {
  const [kdfT, encT] = derChildren(der, expect(der, readTlv(der, 0, der.length, BER), 0x30, op, 'PBES2 parameters'), BER);
  const [kdfOid, kdfParams] = derChildren(der, expect(der, kdfT, 0x30, op, 'PBES2 key derivation function'), BER);
  const kdf = oidAt(der, kdfOid, op);
  if (kdf !== ENGINE_OID.pbkdf2) throw unsupported(op, `PBES2 key derivation function ${kdf}`);
  const kids = derChildren(der, expect(der, kdfParams, 0x30, op, 'PBKDF2 parameters'), BER);
  if (kids[0]?.tag !== 0x04) throw unsupported(op, 'a PBKDF2 salt other than an OCTET STRING');
  const salt = readOctets(der, kids[0], op, 'PBKDF2 salt');
  const iterations = aIterations(readSmallInt(der, kids[1], op, 'PBKDF2 iteration count'), op);
  let i = 2;
  let keyLength: number | undefined;
  if (kids[i]?.tag === 0x02) keyLength = readSmallInt(der, kids[i++], op, 'PBKDF2 key length');
  let prf: HashAlg = 'SHA-1';
  if (kids[i]) {
    const [prfOid] = derChildren(der, expect(der, kids[i], 0x30, op, 'PBKDF2 PRF'), BER);
    const p = oidAt(der, prfOid, op);
    const found = (Object.entries(HMAC_OID) as [HashAlg, string][]).find(([, o]) => o === p);
    if (!found) throw unsupported(op, `PBKDF2 PRF ${p}`);
    prf = found[0];
  }
  const [encOid, encParams] = derChildren(der, expect(der, encT, 0x30, op, 'PBES2 encryption scheme'), BER);
  const enc = oidAt(der, encOid, op);
  const scheme = PBES2_CIPHERS[enc];
  if (!scheme) throw unsupported(op, `PBES2 encryption scheme ${enc}`);
  if (!encParams) throw new PkiError('bad-pkcs7', `engine.${op}: PBES2 encryption scheme parameters missing`);
  const { iv, rc2Bits } = cbcParameters(scheme.cipher, der.slice(encParams.start, encParams.end), op);
  const n = scheme.keyLength || keyLength || 16;
  if (keyLength !== undefined && keyLength !== n) throw new PkiError('bad-pkcs7', `engine.${op}: PBKDF2 key length ${keyLength} does not fit ${scheme.cipher}`);
  aSecretLength(scheme.cipher, n, op);
  return rc2Bits === undefined ? { prf, salt, iterations, keyLength: n, cipher: scheme.cipher, iv } : { prf, salt, iterations, keyLength: n, cipher: scheme.cipher, iv, rc2Bits };
}

/**
 * The body of `PkiEngine.encryptEncryptedContentInfo`: PBES2 (RFC 8018 §6.2) or PKCS#12 PBES1
 * (RFC 7292 App. C) encryption. `oidOf` is the engine's `getOIDByAlgorithm` (for the AES OIDs).
 */
export async function encryptWithPassword(core: CoreApi, parameters: EncryptParams, oidOf: (algorithm: Algorithm, safety: boolean) => string): Promise<pkijs.EncryptedContentInfo> {
  const op = 'encryptEncryptedContentInfo';
  const alg = parameters.contentEncryptionAlgorithm as unknown as Algorithm & Record<string, unknown> & { length?: number };
  const name = algName(alg, op);
  const iterations = aIterations(Number(parameters.iterationCount), op);
  const password = bytesOf(parameters.password);
  const content = bytesOf(parameters.contentToEncrypt);
  let algorithmId: string;
  let params: Uint8Array;
  let ciphertext: Uint8Array;
  const pbes1 = Object.entries(PBES1).find(([, s]) => s.name.toUpperCase() === name.toUpperCase());
  if (pbes1) {
    const [oid, s] = pbes1;
    const salt = randomBytes(8);
    const pw = bmpForms(password)[0]!;
    const key = await core.pkcs12Kdf('SHA-1', 1, pw, salt, iterations, s.keyLength);
    const iv = await core.pkcs12Kdf('SHA-1', 2, pw, salt, iterations, 8);
    try {
      ciphertext = await core.encryptCbc(s.cipher, key, iv, content, s.rc2Bits ? { rc2EffectiveBits: s.rc2Bits } : undefined);
    } finally {
      key.fill(0);
    }
    algorithmId = oid;
    params = DER.seq(DER.tlv(0x04, salt), DER.tlv(0x02, ...intBytes(iterations)));
  } else {
    const cipher = PBES2_WRITE[name.toUpperCase()];
    if (!cipher) throw unsupported(op, `content encryption ${name}`);
    const keyLength = cipher === 'AES-CBC' ? (alg.length ?? 256) / 8 : cipher === 'DES-CBC' ? 8 : 24;
    aSecretLength(cipher, keyLength, op);
    const cipherOid = cipher === 'AES-CBC' ? oidOf({ name: 'AES-CBC', length: keyLength * 8 } as Algorithm, true) : cipher === 'DES-CBC' ? ENGINE_OID.desCBC : ENGINE_OID.desEde3Cbc;
    const prf = aHash(parameters.hmacHashAlgorithm, op);
    const prfOid = HMAC_OID[prf];
    if (!prfOid) throw unsupported(op, `PBKDF2 with HMAC-${prf}`);
    const salt = randomBytes(16);
    const iv = randomBytes(ivLength(cipher));
    const key = await core.pbkdf2(prf, password, salt, iterations, keyLength);
    try {
      ciphertext = await core.encryptCbc(cipher, key, iv, content);
    } finally {
      key.fill(0);
    }
    const pbkdf2 = DER.seq(DER.tlv(0x04, salt), DER.tlv(0x02, ...intBytes(iterations)), ...(prf === 'SHA-1' ? [] : [DER.seq(DER.oid(prfOid), DER.NULL)]));
    algorithmId = ENGINE_OID.pbes2;
    params = DER.seq(DER.seq(DER.oid(ENGINE_OID.pbkdf2), pbkdf2), DER.seq(DER.oid(cipherOid), cbcParametersDer(cipher, iv)));
  }
  return new pkijs.EncryptedContentInfo({
    contentType: parameters.contentType,
    contentEncryptionAlgorithm: new pkijs.AlgorithmIdentifier({ algorithmId, algorithmParams: toAsn1(params) }),
    encryptedContent: new asn1js.OctetString({ valueHex: bufferOf(ciphertext) }),
    disableSplit: true,
  } as ConstructorParameters<typeof pkijs.EncryptedContentInfo>[0]);
}

/** The body of `PkiEngine.stampDataWithPassword`: the PKCS#12 MAC (RFC 7292 §5.1, App. B.4). */
export async function stampWithPassword(core: CoreApi, parameters: pkijs.CryptoEngineStampDataWithPasswordParams): Promise<ArrayBuffer> {
  const hash = aHash(parameters.hashAlgorithm, 'stampDataWithPassword');
  const pw = bmpForms(bytesOf(parameters.password))[0]!;
  return bufferOf(await pkcs12Mac(core, hash, pw, bytesOf(parameters.salt), aIterations(parameters.iterationCount, 'stampDataWithPassword'), bytesOf(parameters.contentToStamp)));
}

/** The body of `PkiEngine.verifyDataStampedWithPassword` (RFC 7292 §5.1, App. B.4). */
export async function verifyStampWithPassword(core: CoreApi, parameters: pkijs.CryptoEngineVerifyDataStampedWithPasswordParams): Promise<boolean> {
  const op = 'verifyDataStampedWithPassword';
  const hash = aHash(parameters.hashAlgorithm, op);
  const want = bytesOf(parameters.signatureToVerify);
  const iterations = aIterations(parameters.iterationCount, op);
  let ok = false;
  for (const pw of bmpForms(bytesOf(parameters.password))) {
    const mac = await pkcs12Mac(core, hash, pw, bytesOf(parameters.salt), iterations, bytesOf(parameters.contentToVerify));
    ok = equalBytes(mac, want) || ok;
  }
  return ok;
}

/** HMAC-`hash` keyed by the PKCS#12 KDF with ID 3 (RFC 7292 B.3, B.4). */
async function pkcs12Mac(core: CoreApi, hash: HashAlg, pw: Uint8Array, salt: Uint8Array, iterations: number, data: Uint8Array): Promise<Uint8Array> {
  const key = await core.pkcs12Kdf(hash, 3, pw, salt, iterations, HASH_BYTES[hash]);
  try {
    return await core.hmac(hash, key, data);
  } finally {
    key.fill(0);
  }
}
