/**
 * DSA signature verification (FIPS 186-4 §4.7) for certificate chains and CRLs that still use
 * it — verification only: Trustpoint never makes DSA keys or signatures. Keys are the RFC 3279
 * §2.3.2 SubjectPublicKeyInfo (id-dsa, Dss-Parms p q g, the public key y as an INTEGER);
 * signatures the Dss-Sig-Value SEQUENCE { r, s }. A key without Dss-Parms inherits them from
 * its issuer (RFC 5280 §6.1.4 (d)-(f)): `dsaParameters`/`withDsaParameters` let the path
 * builder give such a key its working parameters. Sizes are bounded (p ≤ 3072 bits, q 160,
 * 224 or 256 bits) so a hostile key cannot make one check expensive.
 */
import type { HashAlg } from '../core/api.ts';
import { PkiError } from '../util/errors.ts';
import { DerCursor, TAG, checkInteger, contentOf, decodeBitString, decodeOid, derChildren, parseOne, rawOf, readTlv } from './der.ts';
import { OID } from './oids.ts';

const bad = (why: string): never => {
  throw new PkiError('bad-key', `dsa: ${why}`);
};

function bigOf(v: Uint8Array): bigint {
  let x = 0n;
  for (const b of v) x = (x << 8n) | BigInt(b);
  return x;
}

function bitLength(x: bigint): number {
  return x === 0n ? 0 : x.toString(2).length;
}

function modPow(b: bigint, e: bigint, m: bigint): bigint {
  let r = 1n;
  b %= m;
  while (e > 0n) {
    if (e & 1n) r = (r * b) % m;
    b = (b * b) % m;
    e >>= 1n;
  }
  return r;
}

function modInverse(a: bigint, m: bigint): bigint {
  let [r0, r1] = [a % m, m];
  let [s0, s1] = [1n, 0n];
  while (r1 !== 0n) {
    const q = r0 / r1;
    [r0, r1] = [r1, r0 - q * r1];
    [s0, s1] = [s1, s0 - q * s1];
  }
  if (r0 !== 1n) bad('no inverse');
  return ((s0 % m) + m) % m;
}

/** The algorithm and the raw Dss-Parms (undefined when absent or NULL) of a DSA SubjectPublicKeyInfo. */
function split(spki: Uint8Array): { params: Uint8Array | undefined; algEnd: number; key: Uint8Array; bitString: Uint8Array } {
  const top = parseOne(spki, TAG.SEQUENCE, 'subjectPublicKeyInfo');
  const [alg, key, extra] = derChildren(spki, top);
  if (!alg || alg.tag !== TAG.SEQUENCE || !key || key.tag !== TAG.BIT_STRING || extra) bad('malformed SubjectPublicKeyInfo');
  const [oid, params, more] = derChildren(spki, alg!);
  if (!oid || oid.tag !== TAG.OID || more) bad('malformed AlgorithmIdentifier');
  if (decodeOid(contentOf(spki, oid!)) !== OID['id-dsa']) bad('not a DSA key');
  const p = params && params.tag !== TAG.NULL ? rawOf(spki, params) : undefined;
  return { params: p, algEnd: alg!.end, key: decodeBitString(contentOf(spki, key!), 'subjectPublicKey').bytes, bitString: rawOf(spki, key!) };
}

/** Whether `spki` is a DSA key, and whether it carries its own parameters. */
export function dsaKeyKind(spki: Uint8Array, algorithm: string): 'none' | 'with-params' | 'inherits' {
  if (algorithm !== OID['id-dsa']) return 'none';
  try {
    return split(spki).params ? 'with-params' : 'inherits';
  } catch {
    return 'none';
  }
}

/** The Dss-Parms of a DSA key (raw DER), if it has them. */
export function dsaParameters(spki: Uint8Array): Uint8Array | undefined {
  return split(spki).params;
}

function len(n: number): number[] {
  if (n < 0x80) return [n];
  const out: number[] = [];
  for (let v = n; v > 0; v >>= 8) out.unshift(v & 0xff);
  return [0x80 | out.length, ...out];
}

function tlv(tag: number, ...parts: Uint8Array[]): Uint8Array {
  const n = parts.reduce((a, p) => a + p.length, 0);
  const head = Uint8Array.from([tag, ...len(n)]);
  const out = new Uint8Array(head.length + n);
  out.set(head);
  let o = head.length;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** `spki` (a DSA key without parameters) with the inherited `params` written in. */
export function withDsaParameters(spki: Uint8Array, params: Uint8Array): Uint8Array {
  const { bitString } = split(spki);
  const oid = tlv(TAG.OID, Uint8Array.from([0x2a, 0x86, 0x48, 0xce, 0x38, 0x04, 0x01]));
  return tlv(TAG.SEQUENCE, tlv(TAG.SEQUENCE, oid, params), bitString);
}

function integers(der: Uint8Array, count: number, what: string): bigint[] {
  const top = parseOne(der, TAG.SEQUENCE, what);
  const c = DerCursor.of(der, top);
  const out: bigint[] = [];
  for (let i = 0; i < count; i++) {
    const v = checkInteger(contentOf(der, c.take(TAG.INTEGER, what)), what);
    if (v[0]! & 0x80) throw new PkiError('bad-key', `dsa: ${what}: a negative INTEGER`);
    out.push(bigOf(v));
  }
  c.finish(what);
  return out;
}

/**
 * Verifies a DSA signature (DER Dss-Sig-Value) over `data` with the key in `spki` (which must
 * carry its parameters; see `withDsaParameters`). False for a signature that does not verify or
 * cannot be read; throws for a key that cannot be used.
 */
export async function dsaVerify(spki: Uint8Array, hash: HashAlg, data: Uint8Array, signature: Uint8Array, digest: (h: HashAlg, d: Uint8Array) => Promise<Uint8Array>): Promise<boolean> {
  const { params, key } = split(spki);
  if (!params) throw new PkiError('unsupported', 'dsa: the key has no parameters (they are inherited from its issuer)');
  const [p, q, g] = integers(params, 3, 'Dss-Parms');
  const keyT = readTlv(key, 0);
  if (keyT.tag !== TAG.INTEGER || keyT.end !== key.length) bad('the public key is not an INTEGER');
  const yv = checkInteger(contentOf(key, keyT), 'DSA public key');
  if (yv[0]! & 0x80) bad('the public key is negative');
  const y = bigOf(yv);
  const L = bitLength(p!), N = bitLength(q!);
  if (L < 512 || L > 3072 || ![160, 224, 256].includes(N) || p! % 2n === 0n || q! % 2n === 0n || (p! - 1n) % q! !== 0n) bad(`unusable domain parameters (p ${L} bits, q ${N} bits)`);
  if (g! <= 1n || g! >= p! || y <= 1n || y >= p!) bad('g or y out of range');
  let r: bigint, s: bigint;
  try {
    [r, s] = integers(signature, 2, 'Dss-Sig-Value') as [bigint, bigint];
  } catch {
    return false;
  }
  if (r <= 0n || r >= q! || s <= 0n || s >= q!) return false;
  const h = await digest(hash, data);
  // z: the leftmost min(N, outlen) bits of the hash
  let z = bigOf(h);
  if (h.length * 8 > N) z >>= BigInt(h.length * 8 - N);
  const w = modInverse(s, q!);
  const u1 = (z * w) % q!;
  const u2 = (r * w) % q!;
  const v = ((modPow(g!, u1, p!) * modPow(y, u2, p!)) % p!) % q!;
  return v === r;
}
