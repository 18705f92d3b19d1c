/**
 * JSON Web Signatures for ACME (RFC 8555 §6.2, RFC 7515 flattened JSON serialization): the
 * account key as a JWK (RFC 7517/7518), its thumbprint (RFC 7638), request signatures with a
 * Signer whose key never leaves the key store (ES256/ES384 from the DER signature the Signer
 * gives, RS256), and the external account binding (RFC 8555 §7.3.4: an HS256 JWS over the
 * account JWK, MAC'd with the key the CA handed out).
 */
import type { Signer } from '../../crypto/types.ts';
import { derChildren, derRead } from '../../pki/pem.ts';
import { PkiError } from '../../util/errors.ts';
import { toHex } from '../../util/hex.ts';
import { utf8 } from '../../util/bytes.ts';

const B64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/** base64url without padding (RFC 7515 §2). */
export function b64url(bytes: Uint8Array): string {
  let out = '';
  let i = 0;
  for (; i + 2 < bytes.length; i += 3) {
    const n = (bytes[i]! << 16) | (bytes[i + 1]! << 8) | bytes[i + 2]!;
    out += B64URL[n >> 18]! + B64URL[(n >> 12) & 63]! + B64URL[(n >> 6) & 63]! + B64URL[n & 63]!;
  }
  if (i < bytes.length) {
    const n = (bytes[i]! << 16) | ((bytes[i + 1] ?? 0) << 8);
    out += B64URL[n >> 18]! + B64URL[(n >> 12) & 63]!;
    if (i + 1 < bytes.length) out += B64URL[(n >> 6) & 63]!;
  }
  return out;
}

/** Decodes base64url (padding and standard-alphabet characters tolerated). */
export function b64urlDecode(text: string): Uint8Array {
  const s = text.replace(/=+$/, '').replace(/\+/g, '-').replace(/\//g, '_');
  if (!/^[A-Za-z0-9_-]*$/.test(s) || s.length % 4 === 1) throw new PkiError('bad-base64', 'jws.b64url: not base64url');
  const out = new Uint8Array(Math.floor((s.length * 3) / 4));
  let o = 0;
  for (let i = 0; i < s.length; i += 4) {
    const c = [0, 1, 2, 3].map((k) => (i + k < s.length ? B64URL.indexOf(s[i + k]!) : 0));
    const n = (c[0]! << 18) | (c[1]! << 12) | (c[2]! << 6) | c[3]!;
    out[o++] = n >> 16;
    if (i + 2 < s.length) out[o++] = (n >> 8) & 255;
    if (i + 3 < s.length) out[o++] = n & 255;
  }
  return out.subarray(0, o);
}

export const b64urlJson = (v: unknown): string => b64url(utf8(JSON.stringify(v)));

export type Jwk = { kty: 'EC'; crv: 'P-256' | 'P-384' | 'P-521'; x: string; y: string } | { kty: 'RSA'; n: string; e: string };

const OID_EC = '2a8648ce3d0201';
const OID_RSA = '2a864886f70d010101';
const CURVES: Record<string, { crv: 'P-256' | 'P-384' | 'P-521'; size: number }> = {
  '2a8648ce3d030107': { crv: 'P-256', size: 32 },
  '2b81040022': { crv: 'P-384', size: 48 },
  '2b81040023': { crv: 'P-521', size: 66 },
};

function unsigned(b: Uint8Array): Uint8Array {
  let i = 0;
  while (i < b.length - 1 && b[i] === 0) i++;
  return b.subarray(i);
}

/** The public JWK of a SubjectPublicKeyInfo (EC P-256/384/521 or RSA). */
export function jwkFromSpki(spki: Uint8Array): Jwk {
  try {
    const top = derRead(spki, 0);
    const [alg, bits] = derChildren(spki, top);
    const [oid, params] = derChildren(spki, alg!);
    const algOid = toHex(spki.subarray(oid!.contentStart, oid!.contentEnd)).toLowerCase();
    const key = spki.subarray(bits!.contentStart + 1, bits!.contentEnd); // skip the unused-bits octet
    if (algOid === OID_EC) {
      const curve = CURVES[toHex(spki.subarray(params!.contentStart, params!.contentEnd)).toLowerCase()];
      if (!curve) throw new Error('unsupported curve');
      if (key[0] !== 4 || key.length !== 1 + 2 * curve.size) throw new Error('not an uncompressed point');
      return { kty: 'EC', crv: curve.crv, x: b64url(key.subarray(1, 1 + curve.size)), y: b64url(key.subarray(1 + curve.size)) };
    }
    if (algOid === OID_RSA) {
      const seq = derRead(key, 0);
      const [n, e] = derChildren(key, seq);
      return { kty: 'RSA', n: b64url(unsigned(key.subarray(n!.contentStart, n!.contentEnd))), e: b64url(unsigned(key.subarray(e!.contentStart, e!.contentEnd))) };
    }
    throw new Error(`key algorithm ${algOid}`);
  } catch (e) {
    throw new PkiError('bad-key', `jws.jwk: the account key cannot be a JWK (${(e as Error).message})`);
  }
}

/** The JWK's members in lexicographic order, as RFC 7638 §3 hashes them. */
export function canonicalJwk(jwk: Jwk): string {
  return jwk.kty === 'EC' ? JSON.stringify({ crv: jwk.crv, kty: 'EC', x: jwk.x, y: jwk.y }) : JSON.stringify({ e: jwk.e, kty: 'RSA', n: jwk.n });
}

/** RFC 7638 thumbprint (SHA-256, base64url). */
export async function jwkThumbprint(jwk: Jwk, sha256: (data: Uint8Array) => Promise<Uint8Array>): Promise<string> {
  return b64url(await sha256(utf8(canonicalJwk(jwk))));
}

/** An ECDSA DER signature (Ecdsa-Sig-Value) as the JWS r‖s of `size` bytes each (RFC 7518 §3.4). */
export function derToP1363(der: Uint8Array, size: number): Uint8Array {
  const top = derRead(der, 0);
  const [r, s] = derChildren(der, top);
  const out = new Uint8Array(2 * size);
  for (const [i, t] of [r!, s!].entries()) {
    const v = unsigned(der.subarray(t.contentStart, t.contentEnd));
    if (v.length > size) throw new PkiError('bad-der', 'jws: ECDSA signature value too long');
    out.set(v, i * size + size - v.length);
  }
  return out;
}

/** What signs ACME requests: the account key. */
export interface JwsSigner {
  alg: 'ES256' | 'ES384' | 'ES512' | 'RS256';
  jwk: Jwk;
  sign(data: Uint8Array, signal?: AbortSignal): Promise<Uint8Array>;
}

/** A Signer (WebCrypto or core-held key) as a JWS signer. */
export function jwsSigner(signer: Signer): JwsSigner {
  const jwk = jwkFromSpki(signer.spki);
  if (signer.key.kind === 'ec') {
    const curve = signer.key.curve;
    const { alg, hash, size } =
      curve === 'P-256' ? ({ alg: 'ES256', hash: 'SHA-256', size: 32 } as const) : curve === 'P-384' ? ({ alg: 'ES384', hash: 'SHA-384', size: 48 } as const) : ({ alg: 'ES512', hash: 'SHA-512', size: 66 } as const);
    return { alg, jwk, sign: async (data, signal) => derToP1363(await signer.sign(data, hash, signal), size) };
  }
  return { alg: 'RS256', jwk, sign: (data, signal) => signer.sign(data, 'SHA-256', signal) };
}

/** RFC 7515 §7.2.2 flattened JWS JSON serialization. */
export interface FlattenedJws {
  protected: string;
  payload: string;
  signature: string;
}

/**
 * Signs `payload` (an object, or '' for POST-as-GET) with the account key. `protectedHeader`
 * carries nonce, url and either jwk or kid (RFC 8555 §6.2).
 */
export async function signJws(s: JwsSigner, protectedHeader: Record<string, unknown>, payload: unknown | '', signal?: AbortSignal): Promise<FlattenedJws> {
  const p = b64urlJson({ alg: s.alg, ...protectedHeader });
  const body = payload === '' ? '' : b64urlJson(payload);
  const sig = await s.sign(utf8(`${p}.${body}`), signal);
  return { protected: p, payload: body, signature: b64url(sig) };
}

/**
 * The externalAccountBinding of newAccount (RFC 8555 §7.3.4): a JWS with alg HS256, the CA's
 * key ID and the newAccount URL, over the account's public JWK, MAC'd with the EAB key.
 */
export async function eabJws(hmacSha256: (key: Uint8Array, data: Uint8Array) => Promise<Uint8Array>, kid: string, key: string, jwk: Jwk, url: string): Promise<FlattenedJws> {
  const p = b64urlJson({ alg: 'HS256', kid, url });
  const body = b64urlJson(jwk);
  const mac = await hmacSha256(b64urlDecode(key), utf8(`${p}.${body}`));
  return { protected: p, payload: body, signature: b64url(mac) };
}
