// EC key encodings (strict DER in, DER out):
// * SEC 1 v2 §2.3.3-2.3.4 points: 04 || X || Y (uncompressed) and 02/03 || X (compressed).
// * SubjectPublicKeyInfo, RFC 5480 §2: { { id-ecPublicKey, namedCurve }, BIT STRING point }.
// * ECPrivateKey, RFC 5915 §3 (SEC 1 §C.4): { 1, OCTET STRING d, [0] curve OPTIONAL,
//   [1] BIT STRING point OPTIONAL }.
// * PKCS#8 PrivateKeyInfo / OneAsymmetricKey, RFC 5208 §5 / RFC 5958 §2, with RFC 5915 §2's
//   ECPrivateKey as the privateKey OCTET STRING.
// Only named curves are accepted (RFC 5480 §2.1.1: specifiedCurve / implicitCurve are not).

import { useCurve, cid, FN, FBYTES, CURVE_P256, CURVE_P384, CURVE_P521, gN } from './curve';
import { fromBytes, toBytes, fsqrtVar, fsub, F_ZERO } from './field';
import { onCurve, curveRhs } from './point';
import { fromBE, isZeroMask, ltMask } from './limbs';
import { derElem, derBody, bytesEq, wByte, wBytes, wHeader, wPos, wWrap, wUint } from './der';
import { E_EC_CURVE, E_EC_KEY, E_EC_POINT, E_EC_SCALAR } from './errors';

// DER of the OIDs (tag and length included).
// id-ecPublicKey 1.2.840.10045.2.1 (RFC 5480 §2.1.1)
const OID_EC_PUBLIC_KEY = memory.data<u8>([0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01]);
// secp256r1 1.2.840.10045.3.1.7, secp384r1 1.3.132.0.34, secp521r1 1.3.132.0.35 (RFC 5480 §2.1.1.1)
const OID_P256 = memory.data<u8>([0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07]);
const OID_P384 = memory.data<u8>([0x06, 0x05, 0x2b, 0x81, 0x04, 0x00, 0x22]);
const OID_P521 = memory.data<u8>([0x06, 0x05, 0x2b, 0x81, 0x04, 0x00, 0x23]);

/** Parsed key material (current curve). */
export const keyD = memory.data(72);
export const pubX = memory.data(72);
export const pubY = memory.data(72);
/** True when the last parsed private key carried a public key (in pubX / pubY). */
export let keyHasPub: bool = false;

const ptBuf = memory.data(160);
const yAlt = memory.data(72);

function oidPtr(id: i32): usize {
  return id == CURVE_P256 ? OID_P256 : id == CURVE_P384 ? OID_P384 : OID_P521;
}
function oidLen(id: i32): i32 {
  return id == CURVE_P256 ? 10 : 7;
}

/** Curve id named by the full OID TLV at p (of `len` bytes), or 0. */
function curveOfOid(p: usize, len: i32): i32 {
  for (let id = CURVE_P256; id <= CURVE_P521; id++) {
    if (len == oidLen(id) && bytesEq(p, oidPtr(id), len)) return id;
  }
  return 0;
}

/**
 * Decodes a SEC 1 point of the current curve into (x, y) with full public-key validation
 * (SEC 1 §3.2.2.1: coordinates < p, on the curve, not the identity; cofactor 1). Returns 0 or
 * E_EC_POINT. Variable time (public data).
 */
export function decodePoint(p: usize, len: i32, x: usize, y: usize): i32 {
  if (len < 1) return E_EC_POINT;
  const t = <u32>load<u8>(p);
  if (t == 0x04 && len == 1 + 2 * FBYTES) {
    if (!fromBytes(x, p + 1) || !fromBytes(y, p + 1 + <usize>FBYTES)) return E_EC_POINT;
    return onCurve(x, y) ? 0 : E_EC_POINT;
  }
  if ((t == 0x02 || t == 0x03) && len == 1 + FBYTES) {
    if (!fromBytes(x, p + 1)) return E_EC_POINT;
    curveRhs(yAlt, x);
    if (!fsqrtVar(y, yAlt)) return E_EC_POINT;
    // pick the root with the requested parity (y = 0 has no odd twin; not on these curves)
    if ((load<u32>(y) & 1) != (t & 1)) fsub(y, F_ZERO, y);
    if ((load<u32>(y) & 1) != (t & 1)) return E_EC_POINT;
    return 0;
  }
  return E_EC_POINT;
}

/** Writes the SEC 1 encoding of (x, y) to dst; returns its length (1 + FBYTES or 1 + 2 FBYTES). */
export function encodePoint(dst: usize, x: usize, y: usize, compressed: bool): i32 {
  if (compressed) {
    store<u8>(dst, <u8>(2 | (load<u32>(y) & 1)));
    toBytes(dst + 1, x);
    return 1 + FBYTES;
  }
  store<u8>(dst, 4);
  toBytes(dst + 1, x);
  toBytes(dst + 1 + <usize>FBYTES, y);
  return 1 + 2 * FBYTES;
}

/** Parses a BIT STRING holding a point (no unused bits) at p into pubX/pubY. Next pos or <0. */
function parsePointBits(p: usize, end: usize): i64 {
  const len = derElem(p, end, 0x03);
  if (len < 2 || load<u8>(derBody) != 0) return <i64>E_EC_KEY;
  const body = derBody;
  const r = decodePoint(body + 1, len - 1, pubX, pubY);
  if (r < 0) return <i64>r;
  return <i64>(body + <usize>len);
}

/**
 * Reads the private scalar from an OCTET STRING body (1..FBYTES bytes, RFC 5915 asks for
 * exactly ceil(log2(n)/8) but shorter encodings exist) into keyD; checks 1 <= d < n.
 */
function readScalar(p: usize, len: i32): i32 {
  if (len < 1 || len > FBYTES) return E_EC_KEY;
  fromBE(keyD, p, len, FN);
  if (isZeroMask(keyD, FN) != 0 || ltMask(keyD, gN, FN) == 0) return E_EC_SCALAR;
  return 0;
}

/**
 * Parses an ECPrivateKey (RFC 5915) at [p, end). `outer` is the curve named by an enclosing
 * PKCS#8 (0 if none: then [0] parameters are required). Returns the curve id or an error.
 */
function parseEcPrivateKey(p: usize, end: usize, outer: i32): i32 {
  let len = derElem(p, end, 0x30);
  if (len < 0 || derBody + <usize>len != end) return E_EC_KEY;
  let q = derBody;
  // version INTEGER 1
  len = derElem(q, end, 0x02);
  if (len != 1 || load<u8>(derBody) != 1) return E_EC_KEY;
  q = derBody + 1;
  // privateKey OCTET STRING (read after the curve is known)
  len = derElem(q, end, 0x04);
  if (len < 0) return E_EC_KEY;
  const dPtr = derBody;
  const dLen = len;
  q = derBody + <usize>len;
  let id = outer;
  // [0] parameters: namedCurve
  if (q < end && load<u8>(q) == 0xa0) {
    len = derElem(q, end, 0xa0);
    if (len < 0) return E_EC_KEY;
    const inner = derBody;
    const innerEnd = derBody + <usize>len;
    const olen = derElem(inner, innerEnd, 0x06);
    if (olen < 0) return E_EC_CURVE; // specifiedCurve / implicitCurve: not supported
    if (derBody + <usize>olen != innerEnd) return E_EC_KEY;
    const named = curveOfOid(inner, <i32>(innerEnd - inner));
    if (named == 0) return E_EC_CURVE;
    if (outer != 0 && named != outer) return E_EC_KEY;
    id = named;
    q = innerEnd;
  }
  if (id == 0) return E_EC_KEY;
  useCurve(id);
  const r = readScalar(dPtr, dLen);
  if (r < 0) return r;
  keyHasPub = false;
  // [1] publicKey BIT STRING
  if (q < end && load<u8>(q) == 0xa1) {
    len = derElem(q, end, 0xa1);
    if (len < 0) return E_EC_KEY;
    const innerEnd = derBody + <usize>len;
    const nx = parsePointBits(derBody, innerEnd);
    if (nx < 0) return <i32>nx;
    if (<usize>nx != innerEnd) return E_EC_KEY;
    keyHasPub = true;
    q = innerEnd;
  }
  if (q != end) return E_EC_KEY;
  return id;
}

/** Parses AlgorithmIdentifier { id-ecPublicKey, namedCurve } at p; returns curve id or error; next in derBody. */
function parseAlgId(p: usize, end: usize): i32 {
  const len = derElem(p, end, 0x30);
  if (len < 0) return E_EC_KEY;
  const a = derBody;
  const aEnd = derBody + <usize>len;
  if (derElem(a, aEnd, 0x06) != 7 || !bytesEq(a, OID_EC_PUBLIC_KEY, 9)) return E_EC_KEY;
  const c = a + 9;
  const clen = derElem(c, aEnd, 0x06);
  if (clen < 0) return E_EC_CURVE; // explicit parameters or absent: unsupported
  if (derBody + <usize>clen != aEnd) return E_EC_KEY;
  const id = curveOfOid(c, <i32>(aEnd - c));
  if (id == 0) return E_EC_CURVE;
  derBody = aEnd;
  return id;
}

/**
 * Parses a private key in PKCS#8 (RFC 5208 / RFC 5958 v1 or v2) or SEC 1 ECPrivateKey form.
 * Selects its curve, leaves d in keyD (and the embedded public key, if any, in pubX/pubY with
 * keyHasPub). Returns the curve id or a negative E_EC_*.
 */
export function parsePrivateKey(p: usize, len: i32): i32 {
  const end = p + <usize>len;
  keyHasPub = false;
  let l = derElem(p, end, 0x30);
  if (l < 0 || derBody + <usize>l != end) return E_EC_KEY;
  let q = derBody;
  l = derElem(q, end, 0x02);
  if (l != 1) return E_EC_KEY;
  const version = <u32>load<u8>(derBody);
  const afterVersion = derBody + 1;
  if (afterVersion < end && load<u8>(afterVersion) == 0x04) {
    // ECPrivateKey: version 1, then OCTET STRING
    if (version != 1) return E_EC_KEY;
    return parseEcPrivateKey(p, end, 0);
  }
  if (version > 1) return E_EC_KEY;
  q = afterVersion;
  const id = parseAlgId(q, end);
  if (id < 0) return id;
  q = derBody;
  l = derElem(q, end, 0x04);
  if (l < 0) return E_EC_KEY;
  const inner = derBody;
  const innerEnd = derBody + <usize>l;
  const r = parseEcPrivateKey(inner, innerEnd, id);
  if (r < 0) return r;
  const hadPub = keyHasPub;
  q = innerEnd;
  // attributes [0] IMPLICIT (ignored), publicKey [1] IMPLICIT BIT STRING (v2 only)
  if (q < end && load<u8>(q) == 0xa0) {
    l = derElem(q, end, 0xa0);
    if (l < 0) return E_EC_KEY;
    q = derBody + <usize>l;
  }
  if (q < end && load<u8>(q) == 0x81) {
    if (version != 1) return E_EC_KEY;
    l = derElem(q, end, 0x81);
    if (l < 2 || load<u8>(derBody) != 0) return E_EC_KEY;
    const pr = decodePoint(derBody + 1, l - 1, pubX, pubY);
    if (pr < 0) return pr;
    if (hadPub) return E_EC_KEY; // two public keys: refuse rather than pick one
    keyHasPub = true;
    q = derBody + <usize>l;
  }
  if (q != end) return E_EC_KEY;
  return r;
}

/**
 * Parses a SubjectPublicKeyInfo (RFC 5480) with a named curve; selects the curve and leaves the
 * validated point in pubX/pubY. Returns the curve id or a negative E_EC_*.
 */
export function parsePublicKey(p: usize, len: i32): i32 {
  const end = p + <usize>len;
  const l = derElem(p, end, 0x30);
  if (l < 0 || derBody + <usize>l != end) return E_EC_KEY;
  const id = parseAlgId(derBody, end);
  if (id < 0) return id;
  useCurve(id);
  const nx = parsePointBits(derBody, end);
  if (nx < 0) return <i32>nx;
  if (<usize>nx != end) return E_EC_KEY;
  return id;
}

/** Prepends (writer) an AlgorithmIdentifier for the current curve. */
function writeAlgId(): void {
  const m = wPos();
  wBytes(oidPtr(cid), oidLen(cid));
  wBytes(OID_EC_PUBLIC_KEY, 9);
  wWrap(0x30, m);
}

/** Prepends a BIT STRING holding the point (x, y). */
function writePointBits(x: usize, y: usize, compressed: bool): void {
  const n = encodePoint(ptBuf, x, y, compressed);
  wBytes(ptBuf, n);
  wByte(0);
  wHeader(0x03, n + 1);
}

/** Prepends a SubjectPublicKeyInfo for (x, y) on the current curve. */
export function writeSpki(x: usize, y: usize, compressed: bool): void {
  const m = wPos();
  writePointBits(x, y, compressed);
  writeAlgId();
  wWrap(0x30, m);
}

/** Prepends an ECPrivateKey (RFC 5915) for d (FBYTES big-endian bytes at dBytes) and (x, y). */
export function writeEcPrivateKey(dBytes: usize, x: usize, y: usize, withParams: bool): void {
  const m = wPos();
  const m1 = wPos();
  writePointBits(x, y, false);
  wWrap(0xa1, m1);
  if (withParams) {
    const m0 = wPos();
    wBytes(oidPtr(cid), oidLen(cid));
    wWrap(0xa0, m0);
  }
  wBytes(dBytes, FBYTES);
  wHeader(0x04, FBYTES);
  const v = memory.data<u8>([1]);
  wUint(v, 1);
  wWrap(0x30, m);
}

/** Prepends a PKCS#8 PrivateKeyInfo (version 0) wrapping an ECPrivateKey without parameters. */
export function writePkcs8(dBytes: usize, x: usize, y: usize): void {
  const m = wPos();
  const mi = wPos();
  writeEcPrivateKey(dBytes, x, y, false);
  wWrap(0x04, mi);
  writeAlgId();
  const v = memory.data<u8>([0]);
  wUint(v, 1);
  wWrap(0x30, m);
}
