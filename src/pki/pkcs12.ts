/**
 * PKCS#12 (RFC 7292) files for `crypto pki import NAME pkcs12` and `crypto pki export NAME
 * pkcs12 ... [3des|aes]`: reading what real tools write (OpenSSL 1.x/3.x, Windows, Java,
 * BER with indefinite lengths included) and writing files that OpenSSL and Windows read.
 *
 * ```asn1
 * PFX ::= SEQUENCE { version INTEGER {v3(3)}, authSafe ContentInfo, macData MacData OPTIONAL }
 * MacData ::= SEQUENCE { mac DigestInfo, macSalt OCTET STRING, iterations INTEGER DEFAULT 1 }
 * AuthenticatedSafe ::= SEQUENCE OF ContentInfo   -- data | encryptedData (| envelopedData)
 * SafeContents ::= SEQUENCE OF SafeBag
 * SafeBag ::= SEQUENCE { bagId OBJECT IDENTIFIER, bagValue [0] EXPLICIT ANY,
 *                        bagAttributes SET OF PKCS12Attribute OPTIONAL }
 * CertBag ::= SEQUENCE { certId OBJECT IDENTIFIER, certValue [0] EXPLICIT ANY }
 * EncryptedData ::= SEQUENCE { version INTEGER, encryptedContentInfo EncryptedContentInfo,
 *                              unprotectedAttrs [1] IMPLICIT UnprotectedAttributes OPTIONAL }
 * EncryptedContentInfo ::= SEQUENCE { contentType ContentType,
 *   contentEncryptionAlgorithm AlgorithmIdentifier, encryptedContent [0] IMPLICIT OCTET STRING OPTIONAL }
 * ```
 *
 * Reading checks the MAC first (RFC 7292 §5.1; HMAC with MD5/SHA-1/SHA-2 keyed by the PKCS#12
 * KDF with ID 3, App. B.4; or PBMAC1, RFC 9579), then decrypts. A file without a MAC
 * (`openssl pkcs12 -nomac`) is accepted with a warning in `warnings`: the password is then
 * confirmed only by the encrypted parts decrypting to well-formed data, and unencrypted parts
 * are not protected at all. For no password and the empty password both `00 00` and the
 * absent password are tried (RFC 7292 B.1; OpenSSL's `PKCS12_parse` does the same).
 *
 * Errors: `PkiError('pkcs12-password')` (wrong password: MAC mismatch or data that does not
 * decrypt — one message for every bag, never saying which check failed), `'bad-pkcs12'`
 * (structure, naming what), `'unsupported'` (the algorithm or mode, named), `'bad-key'` /
 * `'bad-certificate'` for bad inputs to `writePkcs12`.
 */
import { HASH_SIZE } from '../core/ops/hash.ts';
import type { HashAlg } from '../core/api.ts';
import { equalBytes, randomBytes } from '../util/bytes.ts';
import { PkiError } from '../util/errors.ts';
import { DER, DerReader, derCheck, type Tlv } from './der.ts';
import { OID, hashOfOid, hmacOfOid, oidName, oidOfHash } from './oids.ts';
import {
  MAX_ITERATIONS,
  checkPkcs8,
  copyBytes,
  decryptPrivateKeyInfo,
  encodePbeAlgorithm,
  meteredPbe,
  newPbeParams,
  passwordCandidates,
  passwordForms,
  pbeDecrypt,
  pbeEncrypt,
  readEncryptedPrivateKeyInfo,
  readPbeAlgorithm,
  readPbkdf2Params,
  wipePassword,
  type PasswordForms,
  type PbeCallOptions,
  type PbeCrypto,
  type PbeProfile,
} from './private-key.ts';

/** The core operations PKCS#12 needs (a subset of `CoreApi`; see `PbeCrypto`). */
export type { PbeCrypto as Pkcs12Crypto } from './private-key.ts';

// ---------------------------------------------------------------------------------------------
// Limits

/**
 * Size and count limits on input (a PFX with a long chain is well under 100 KB), and the work
 * one import may cost: `iterations` is the total of key-derivation iterations over the MAC,
 * every encrypted part and key and every password form tried (a legitimate file needs a few
 * times its iteration count; a hostile one could otherwise ask for many bags of 10^6 each).
 */
export const PKCS12_LIMITS = { bytes: 4 << 20, bags: 1000, contentInfos: 64, nesting: 4, iterations: MAX_ITERATIONS } as const;

const OP_READ = 'pkcs12.read';
const OP_WRITE = 'pkcs12.write';

// ---------------------------------------------------------------------------------------------
// Types

/** Bag attributes we read and write (RFC 7292 §4.2, PKCS#9 §5.5.1–5.5.2). */
export interface Pkcs12Attributes {
  /** localKeyId: links a key to its certificate (OpenSSL and Windows: SHA-1 of the certificate) */
  localKeyId?: Uint8Array;
  /** friendlyName (BMPString) */
  friendlyName?: string;
}

/** The private key of a PKCS#12 file, as PKCS#8 (RFC 5958). */
export interface Pkcs12Key extends Pkcs12Attributes {
  pkcs8: Uint8Array;
}

/** One certificate (DER) of a PKCS#12 file. */
export interface Pkcs12Certificate extends Pkcs12Attributes {
  der: Uint8Array;
}

/** What `readPkcs12` found. */
export interface Pkcs12Contents {
  key?: Pkcs12Key;
  /** in file order */
  certificates: Pkcs12Certificate[];
  /** the MAC that was verified, e.g. 'HMAC-SHA-256 (PKCS#12 KDF, 2048 iterations)'; undefined without one */
  mac?: string;
  /** for the user: no MAC, skipped bags, a legacy password encoding */
  warnings: string[];
}

/** Options of `readPkcs12`. */
export interface Pkcs12ReadOptions extends PbeCallOptions {
  /** the total key-derivation iterations this import may spend (default PKCS12_LIMITS.iterations) */
  maxIterations?: number;
}

/** What `writePkcs12` packs. */
export interface Pkcs12Input {
  /** the private key, PKCS#8 DER */
  key: Uint8Array;
  /** its certificate (DER) */
  certificate: Uint8Array;
  /** CA certificates (DER), issuer of `certificate` first */
  chain?: readonly Uint8Array[];
  /** friendlyName on the key and its certificate (IOS: the trustpoint name) */
  friendlyName?: string;
}

/** Options of `writePkcs12`. */
export interface Pkcs12WriteOptions extends PbeCallOptions {
  /**
   * `aes`: what OpenSSL 3 writes by default — key and certificates under PBES2 (PBKDF2-HMAC-
   * SHA-256, AES-256-CBC), MAC HMAC-SHA-256; `3des`: the compatibility profile of `openssl
   * pkcs12 -export -legacy` / Windows — pbeWithSHAAnd3-KeyTripleDES-CBC for key and
   * certificates, MAC HMAC-SHA-1.
   */
  profile: PbeProfile;
  /** iterations for encryption and MAC, 1000..10,000,000; default 10,000 (`aes`) or 2048 (`3des`) */
  iterations?: number;
}

// ---------------------------------------------------------------------------------------------
// Errors

function wrongPassword(why: string): PkiError {
  return new PkiError('pkcs12-password', `${OP_READ}: wrong password (${why})`);
}
const NO_DECRYPT = 'the contents do not decrypt';

const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;

function unsupported(what: string): never {
  throw new PkiError('unsupported', `${OP_READ}: ${what} is not supported`);
}

// ---------------------------------------------------------------------------------------------
// MAC (RFC 7292 §5.1 and App. B.4; RFC 9579 §4)

type MacParams =
  | { kind: 'pkcs12'; hash: HashAlg; salt: Uint8Array; iterations: number; value: Uint8Array; name: string }
  | { kind: 'pbmac1'; hash: HashAlg; prf: HashAlg; salt: Uint8Array; iterations: number; keyLength: number; value: Uint8Array; name: string };

function readMacData(r: DerReader, t: Tlv): MacParams {
  const [digestInfoT, saltT, iterT] = r.seq(t, 'MacData', 2, 3);
  const [algT, valueT] = r.seq(digestInfoT, 'MacData DigestInfo', 2, 2);
  const alg = r.algorithm(algT, 'MAC algorithm');
  const value = r.octets(valueT, 'MAC value');
  const salt = r.octets(saltT, 'MAC salt');
  if (salt.length > 1024) r.fail(`MAC salt of ${salt.length} bytes`);
  const iterations = iterT ? r.uint(iterT, 'MAC iteration count') : 1;
  if (alg.oid === OID.PBMAC1) {
    // PBMAC1-params ::= SEQUENCE { keyDerivationFunc AlgorithmIdentifier, messageAuthScheme AlgorithmIdentifier }
    // RFC 9579 §4: MacData.macSalt and .iterations are ignored; PBKDF2 keyLength MUST be present.
    const [kdfT, schemeT] = r.seq(alg.params, 'PBMAC1 parameters', 2, 2);
    const kdf = r.algorithm(kdfT, 'PBMAC1 key derivation function');
    if (kdf.oid !== OID.PBKDF2) unsupported(`PBMAC1 key derivation function ${oidName(kdf.oid)}`);
    const k = readPbkdf2Params(r, kdf.params, 'PBMAC1');
    if (k.keyLength === undefined) r.fail('PBMAC1: the PBKDF2 key length is missing (RFC 9579 requires it)');
    const scheme = r.algorithm(schemeT, 'PBMAC1 message authentication scheme');
    const hash = hmacOfOid(scheme.oid);
    if (!hash) unsupported(`PBMAC1 message authentication scheme ${oidName(scheme.oid)}`);
    return {
      kind: 'pbmac1',
      hash,
      prf: k.prf,
      salt: k.salt,
      iterations: k.iterations,
      keyLength: k.keyLength,
      value,
      name: `PBMAC1 HMAC-${hash} (PBKDF2-HMAC-${k.prf}, ${plural(k.iterations, 'iteration')})`,
    };
  }
  const hash = hashOfOid(alg.oid);
  if (!hash) unsupported(`MAC algorithm ${oidName(alg.oid)}`);
  // a digest AlgorithmIdentifier has NULL or absent parameters (RFC 8017 App. B.1, RFC 5754 §2)
  if (alg.params) r.fail(`MAC algorithm ${oidName(alg.oid)} with parameters (tag 0x${alg.params.tag.toString(16)}); they must be NULL or absent`);
  if (iterations < 1) r.fail(`MAC iteration count ${iterations}`);
  if (iterations > MAX_ITERATIONS) unsupported(`a MAC iteration count of ${iterations} (above the limit of ${MAX_ITERATIONS})`);
  return { kind: 'pkcs12', hash, salt, iterations, value, name: `HMAC-${hash} (PKCS#12 KDF, ${plural(iterations, 'iteration')})` };
}

/** HMAC-`hash` of `data` under `key`, which is wiped after. */
async function hmacWith(c: PbeCrypto, hash: HashAlg, key: Uint8Array, data: Uint8Array, call: { signal?: AbortSignal }): Promise<Uint8Array> {
  try {
    return await c.hmac(hash, key, data, call);
  } finally {
    key.fill(0);
  }
}

/** The PKCS#12 MAC (RFC 7292 §5.1, App. B.4): HMAC-`hash` keyed by the PKCS#12 KDF with ID 3 over the BMPString password. */
async function pkcs12Mac(c: PbeCrypto, hash: HashAlg, pw: PasswordForms, salt: Uint8Array, iterations: number, data: Uint8Array, call: { signal?: AbortSignal }): Promise<Uint8Array> {
  return hmacWith(c, hash, await c.pkcs12Kdf(hash, 3, pw.bmp, salt, iterations, HASH_SIZE[hash], call), data, call);
}

/** The first candidate password under which the MAC verifies, or undefined. */
async function verifyMac(c: PbeCrypto, m: MacParams, data: Uint8Array, candidates: readonly PasswordForms[], o: PbeCallOptions): Promise<PasswordForms | undefined> {
  const call = o.signal ? { signal: o.signal } : {};
  for (const pw of candidates) {
    const tag =
      m.kind === 'pkcs12'
        ? await pkcs12Mac(c, m.hash, pw, m.salt, m.iterations, data, call)
        : await hmacWith(c, m.hash, await c.pbkdf2(m.prf, pw.utf8, m.salt, m.iterations, m.keyLength, call), data, call);
    if (equalBytes(tag, m.value)) return pw;
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// Reading

interface Accumulator {
  keys: Pkcs12Key[];
  certificates: Pkcs12Certificate[];
  warnings: string[];
  bags: number;
}

function decodeBmp(r: DerReader, v: Uint8Array, what: string): string {
  if (v.length % 2) r.fail(`${what}: BMPString of odd length`);
  let s = '';
  for (let i = 0; i < v.length; i += 2) s += String.fromCharCode((v[i]! << 8) | v[i + 1]!);
  return s;
}

/** bagAttributes: SET OF SEQUENCE { attrId, attrValues SET OF ANY }; friendlyName and localKeyId kept. */
function readAttributes(r: DerReader, t: Tlv): Pkcs12Attributes {
  const out: Pkcs12Attributes = {};
  for (const a of r.children(t, 0x31, 'bagAttributes')) {
    const [idT, valuesT] = r.seq(a, 'bag attribute', 2, 2);
    const id = r.oid(idT, 'bag attribute type');
    const values = r.children(valuesT, 0x31, `bag attribute ${id} values`, 1);
    if (id === OID.friendlyName && out.friendlyName === undefined) {
      const v = values[0]!;
      if (v.tag === 0x1e) out.friendlyName = decodeBmp(r, r.content(v), 'friendlyName');
      else if (v.tag === 0x0c) out.friendlyName = new TextDecoder('utf-8', { fatal: false }).decode(r.content(v));
      else r.fail(`friendlyName has tag 0x${v.tag.toString(16)} (expected BMPString)`);
    } else if (id === OID.localKeyId && out.localKeyId === undefined) {
      out.localKeyId = copyBytes(r.octets(values[0], 'localKeyId'));
    }
  }
  return out;
}

/** Reads the SafeBags of a SafeContents at `t` (RFC 7292 §4.2) into `acc`. */
async function readSafeContents(c: PbeCrypto, r: DerReader, t: Tlv, pw: PasswordForms, acc: Accumulator, depth: number, o: PbeCallOptions): Promise<void> {
  for (const bagT of r.seq(t, 'SafeContents')) {
    if (++acc.bags > PKCS12_LIMITS.bags) r.fail(`more than ${PKCS12_LIMITS.bags} bags`);
    const [idT, valueWrapT, attrsT] = r.seq(bagT, 'SafeBag', 2, 3);
    const id = r.oid(idT, 'SafeBag bagId');
    const [valueT] = r.children(valueWrapT, 0xa0, 'SafeBag bagValue', 1, 1);
    const attrs = attrsT ? readAttributes(r, attrsT) : {};
    // One private key per file: stop at the second key bag, before any work on it.
    if ((id === OID.keyBag || id === OID.pkcs8ShroudedKeyBag) && acc.keys.length > 0) throw new PkiError('unsupported', `${OP_READ}: the file holds more than one private key; only one per file is supported`);
    switch (id) {
      case OID.keyBag: {
        const pkcs8 = copyBytes(r.raw(valueT!));
        checkPkcs8(pkcs8, r.code, OP_READ);
        acc.keys.push({ pkcs8, ...attrs });
        break;
      }
      case OID.pkcs8ShroudedKeyBag: {
        const epki = readEncryptedPrivateKeyInfo(r, valueT, 'pkcs8ShroudedKeyBag');
        const got = await decryptPrivateKeyInfo(c, epki, [pw], o);
        if (!got) throw wrongPassword(NO_DECRYPT);
        acc.keys.push({ pkcs8: got.pkcs8, ...attrs });
        break;
      }
      case OID.certBag: {
        const [certIdT, certValueT] = r.seq(valueT, 'CertBag', 2, 2);
        const certId = r.oid(certIdT, 'CertBag certId');
        if (certId !== OID.x509Certificate) {
          acc.warnings.push(`skipped a certificate of type ${certId} (only X.509 certificates are read)`);
          break;
        }
        const [octT] = r.children(certValueT, 0xa0, 'CertBag certValue', 1, 1);
        const der = copyBytes(r.octets(octT, 'x509Certificate'));
        try {
          derCheck(der, { what: 'certificate' });
        } catch (e) {
          r.fail(`a certificate bag does not hold one DER element (${(e as Error).message})`);
        }
        if (der[0] !== 0x30) r.fail('a certificate bag does not hold a SEQUENCE');
        acc.certificates.push({ der, ...attrs });
        break;
      }
      case OID.safeContentsBag:
        if (depth + 1 >= PKCS12_LIMITS.nesting) r.fail(`safeContentsBag nested deeper than ${PKCS12_LIMITS.nesting}`);
        await readSafeContents(c, r, valueT!, pw, acc, depth + 1, o);
        break;
      default:
        acc.warnings.push(`skipped a ${id === OID.crlBag || id === OID.secretBag ? oidName(id) : `bag of type ${id}`}`);
    }
  }
}

/** Reads the AuthenticatedSafe (RFC 7292 §4.1) with the password `pw`. */
async function readAuthenticatedSafe(c: PbeCrypto, authSafe: Uint8Array, pw: PasswordForms, macVerified: boolean, o: PbeCallOptions): Promise<Accumulator> {
  const r: DerReader = new DerReader(authSafe, 'bad-pkcs12', OP_READ);
  const infos = r.seq(r.root('AuthenticatedSafe'), 'AuthenticatedSafe', 0, PKCS12_LIMITS.contentInfos);
  const acc: Accumulator = { keys: [], certificates: [], warnings: [], bags: 0 };
  try {
    await readContentInfos(c, r, infos, pw, macVerified, acc, o);
  } catch (e) {
    acc.keys.forEach((k) => k.pkcs8.fill(0)); // a key decrypted before the failure
    throw e;
  }
  return acc;
}

async function readContentInfos(c: PbeCrypto, r: DerReader, infos: Tlv[], pw: PasswordForms, macVerified: boolean, acc: Accumulator, o: PbeCallOptions): Promise<void> {
  for (let i = 0; i < infos.length; i++) {
    const what = `ContentInfo ${i + 1} of the AuthenticatedSafe`;
    const [typeT, contentT] = r.seq(infos[i], what, 1, 2);
    const type = r.oid(typeT, `${what} content type`);
    if (type === OID.data) {
      const [octT] = r.children(contentT, 0xa0, `${what} content`, 1, 1);
      const inner: DerReader = new DerReader(r.octets(octT, `${what} data`), 'bad-pkcs12', OP_READ);
      await readSafeContents(c, inner, inner.root('SafeContents'), pw, acc, 0, o);
    } else if (type === OID.encryptedData) {
      const [edT] = r.children(contentT, 0xa0, `${what} content`, 1, 1);
      const [versionT, eciT] = r.seq(edT, 'EncryptedData', 2, 3);
      r.uint(versionT, 'EncryptedData version');
      const [ctT, algT, encT] = r.seq(eciT, 'EncryptedContentInfo', 2, 3);
      const ct = r.oid(ctT, 'EncryptedContentInfo content type');
      if (ct !== OID.data) r.fail(`EncryptedContentInfo content type ${ct} is not data`);
      const alg = readPbeAlgorithm(r, algT, 'EncryptedData');
      if (!encT) r.fail('EncryptedData without encryptedContent (detached content)');
      const data = r.octets(encT, 'encryptedContent', 0x80);
      let plain: Uint8Array;
      try {
        plain = await pbeDecrypt(c, alg, pw, data, o);
      } catch (e) {
        if (e instanceof PkiError && e.code === 'decrypt') throw wrongPassword(NO_DECRYPT);
        throw e;
      }
      // Without a MAC, garbage that happens to pass the padding check means a wrong password.
      const inner: DerReader = new DerReader(plain, macVerified ? 'bad-pkcs12' : 'pkcs12-password', OP_READ);
      try {
        await readSafeContents(c, inner, inner.root('SafeContents'), pw, acc, 0, o);
      } catch (e) {
        if (e instanceof PkiError && e.code === 'pkcs12-password') throw wrongPassword(NO_DECRYPT);
        throw e;
      }
    } else if (type === OID.envelopedData) {
      unsupported('public-key privacy mode (envelopedData)');
    } else {
      r.fail(`${what} has content type ${type}`);
    }
  }
}

/**
 * Reads a PKCS#12 file (DER or BER): verifies the MAC, decrypts the encrypted parts and
 * returns the private key (PKCS#8) and the certificates with their friendlyName/localKeyId.
 * `password` undefined or '' tries both RFC 7292 encodings of "no password".
 *
 * @throws PkiError 'pkcs12-password' | 'bad-pkcs12' | 'unsupported' (RC4 schemes, envelopedData,
 *   signedData integrity, a second private key, iteration counts above 10,000,000 — for one
 *   derivation or, with `maxIterations`, all of them together —, ...)
 */
export async function readPkcs12(der: Uint8Array, password: string | undefined, c: PbeCrypto, opts?: Pkcs12ReadOptions): Promise<Pkcs12Contents> {
  if (!(der instanceof Uint8Array)) throw new TypeError('pkcs12.read: der must be a Uint8Array');
  if (password !== undefined && typeof password !== 'string') throw new TypeError('pkcs12.read: password must be a string or undefined');
  const o: PbeCallOptions = opts?.signal ? { signal: opts.signal } : {};
  c = meteredPbe(c, opts?.maxIterations ?? PKCS12_LIMITS.iterations, OP_READ);
  const r: DerReader = new DerReader(der, 'bad-pkcs12', OP_READ);
  if (der.length > PKCS12_LIMITS.bytes) r.fail(`${der.length} bytes is larger than the limit of ${PKCS12_LIMITS.bytes}`);
  const [versionT, authSafeT, macT] = r.seq(r.root('PFX'), 'PFX', 2, 3);
  const version = r.uint(versionT, 'PFX version');
  if (version !== 3) r.fail(`PFX version ${version} (expected 3)`);
  const [typeT, contentT] = r.seq(authSafeT, 'authSafe ContentInfo', 1, 2);
  const type = r.oid(typeT, 'authSafe content type');
  if (type === OID.signedData) unsupported('public-key integrity mode (authSafe of type signedData)');
  if (type !== OID.data) r.fail(`authSafe content type ${type} is not data`);
  const [octT] = r.children(contentT, 0xa0, 'authSafe content', 1, 1);
  const authSafe = r.octets(octT, 'authSafe content');

  const warnings: string[] = [];
  const candidates = passwordCandidates(password);
  try {
    let tryList = candidates;
    let mac: string | undefined;
    if (macT) {
      const m = readMacData(r, macT);
      const pw = await verifyMac(c, m, authSafe, candidates, o);
      if (!pw) throw wrongPassword('the MAC does not verify; or the file is damaged');
      tryList = [pw];
      mac = m.name;
    } else {
      warnings.push('the file has no MAC: its integrity was not checked');
    }
    let failure: unknown;
    for (const pw of tryList) {
      let acc: Accumulator;
      try {
        acc = await readAuthenticatedSafe(c, authSafe, pw, macT !== undefined, o);
      } catch (e) {
        if (e instanceof PkiError && e.code === 'pkcs12-password') {
          failure ??= e;
          continue;
        }
        throw e;
      }
      if (acc.keys.length > 1) {
        acc.keys.forEach((k) => k.pkcs8.fill(0));
        throw new PkiError('unsupported', `${OP_READ}: the file holds ${acc.keys.length} private keys; only one per file is supported`);
      }
      if (pw.variant === 'legacy-bytes') warnings.push('the password was encoded the way OpenSSL before 1.1.0 encoded non-ASCII passwords');
      const out: Pkcs12Contents = { certificates: acc.certificates, warnings: [...warnings, ...acc.warnings] };
      if (acc.keys[0]) out.key = acc.keys[0];
      if (mac) out.mac = mac;
      return out;
    }
    throw failure;
  } finally {
    candidates.forEach(wipePassword);
  }
}

/** The certificate whose localKeyId equals the key's (the key's own certificate), if any. */
export function keyCertificate(contents: Pkcs12Contents): Pkcs12Certificate | undefined {
  const id = contents.key?.localKeyId;
  if (!id) return undefined;
  return contents.certificates.find((c) => c.localKeyId !== undefined && equalBytes(c.localKeyId, id));
}

// ---------------------------------------------------------------------------------------------
// Writing

const INTEGER_0 = Uint8Array.of(0x02, 0x01, 0x00);

/** BMPString (X.680 §41); characters outside the BMP are refused, as OpenSSL does. */
function bmpString(s: string): Uint8Array {
  if (/[\ud800-\udfff]/.test(s)) throw new PkiError('unsupported', `${OP_WRITE}: the friendly name has characters outside the Basic Multilingual Plane, which a BMPString cannot hold`);
  return DER.bmp(s);
}

function attribute(oid: string, value: Uint8Array): Uint8Array {
  return DER.seq(DER.oid(oid), DER.setOf([value]));
}

function bagAttributes(a: Pkcs12Attributes): Uint8Array[] {
  const list: Uint8Array[] = [];
  if (a.localKeyId) list.push(attribute(OID.localKeyId, DER.octets(a.localKeyId)));
  if (a.friendlyName !== undefined) list.push(attribute(OID.friendlyName, bmpString(a.friendlyName)));
  return list.length ? [DER.setOf(list)] : [];
}

function certBag(der: Uint8Array, attrs: Pkcs12Attributes): Uint8Array {
  const value = DER.seq(DER.oid(OID.x509Certificate), DER.tlv(0xa0, DER.octets(der)));
  return DER.seq(DER.oid(OID.certBag), DER.tlv(0xa0, value), ...bagAttributes(attrs));
}

function checkCertificate(der: unknown, what: string): Uint8Array {
  if (!(der instanceof Uint8Array)) throw new TypeError(`${OP_WRITE}: ${what} must be a Uint8Array`);
  try {
    derCheck(der, { what: `${OP_WRITE}: ${what}` });
  } catch (e) {
    throw new PkiError('bad-certificate', (e as Error).message);
  }
  if (der[0] !== 0x30) throw new PkiError('bad-certificate', `${OP_WRITE}: ${what} is not a DER certificate`);
  return der;
}

/**
 * Writes a PKCS#12 file (DER, RFC 7292) holding `input.key` (pkcs8ShroudedKeyBag) and the
 * certificates (certBags in one EncryptedData: the certificate first, then the chain), laid
 * out as `openssl pkcs12 -export` lays it out, with a MAC. The key bag and the certificate's bag
 * carry friendlyName (if given) and localKeyId = SHA-1 of the certificate. Salts and IVs come
 * from `crypto.getRandomValues`. `password` may be '' (encoded `00 00`, RFC 7292 B.1).
 *
 * @throws PkiError 'bad-key' (not a PKCS#8 key) | 'bad-certificate'; RangeError for bad options
 */
export async function writePkcs12(input: Pkcs12Input, password: string, c: PbeCrypto, opts: Pkcs12WriteOptions): Promise<Uint8Array> {
  if (typeof password !== 'string') throw new TypeError(`${OP_WRITE}: password must be a string`);
  if (!(input.key instanceof Uint8Array)) throw new TypeError(`${OP_WRITE}: key must be a Uint8Array`);
  if (input.friendlyName !== undefined && typeof input.friendlyName !== 'string') throw new TypeError(`${OP_WRITE}: friendlyName must be a string`);
  if (input.friendlyName !== undefined) bmpString(input.friendlyName);
  checkPkcs8(input.key, 'bad-key', OP_WRITE);
  const leaf = checkCertificate(input.certificate, 'certificate');
  const chain = (input.chain ?? []).map((d, i) => checkCertificate(d, `chain certificate ${i + 1}`));
  const o: PbeCallOptions = opts.signal ? { signal: opts.signal } : {};
  const call = opts.signal ? { signal: opts.signal } : {};
  // Validates profile and iterations before any work.
  const certPbe = newPbeParams(opts.profile, opts.iterations, OP_WRITE);
  const keyPbe = newPbeParams(opts.profile, opts.iterations, OP_WRITE);
  const pw = passwordForms(password);
  try {
    const attrs: Pkcs12Attributes = { localKeyId: await c.digest('SHA-1', leaf, call) };
    if (input.friendlyName !== undefined) attrs.friendlyName = input.friendlyName;

    const certContents = DER.seq(certBag(leaf, attrs), ...chain.map((d) => certBag(d, {})));
    const encCerts = await pbeEncrypt(c, certPbe, pw, certContents, o);
    const encryptedData = DER.seq(INTEGER_0, DER.seq(DER.oid(OID.data), encodePbeAlgorithm(certPbe), DER.tlv(0x80, encCerts)));
    const certsInfo = DER.seq(DER.oid(OID.encryptedData), DER.tlv(0xa0, encryptedData));

    const encKey = await pbeEncrypt(c, keyPbe, pw, input.key, o);
    const shrouded = DER.seq(encodePbeAlgorithm(keyPbe), DER.octets(encKey));
    const keyBag = DER.seq(DER.oid(OID.pkcs8ShroudedKeyBag), DER.tlv(0xa0, shrouded), ...bagAttributes(attrs));
    const keyInfo = DER.seq(DER.oid(OID.data), DER.tlv(0xa0, DER.octets(DER.seq(keyBag))));

    const authSafe = DER.seq(certsInfo, keyInfo);
    const macHash: HashAlg = opts.profile === 'aes' ? 'SHA-256' : 'SHA-1';
    const macSalt = randomBytes(opts.profile === 'aes' ? 16 : 8);
    const iterations = keyPbe.iterations;
    const mac = await pkcs12Mac(c, macHash, pw, macSalt, iterations, authSafe, call);
    const digestAlg = DER.seq(DER.oid(oidOfHash(macHash)), DER.NULL);
    const macData = DER.seq(DER.seq(digestAlg, DER.octets(mac)), DER.octets(macSalt), DER.uint(iterations));
    return DER.seq(DER.uint(3), DER.seq(DER.oid(OID.data), DER.tlv(0xa0, DER.octets(authSafe))), macData);
  } finally {
    wipePassword(pw);
  }
}
