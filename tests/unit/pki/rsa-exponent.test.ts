/**
 * Issue 12, defect 8 (RSA): public exponents are capped at e < 2^256 (NIST SP 800-56B). A key
 * with an exponent as long as its modulus made one verification cost ~0.8 s and path building
 * allows 100 signature checks; now such a key is refused before any work — by the app's
 * verifier (with the reason), by WebCrypto's path and by the core itself — and exponents just
 * under the cap still verify.
 */
import { execFileSync } from 'node:child_process';
import { createPrivateKey, createPublicKey, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CoreApi } from '../../../src/core/api.ts';
import { makeVerify } from '../../../src/pki/verify-core.ts';
import { webCryptoVerify } from '../../../src/pki/verify-webcrypto.ts';
import { validateChain } from '../../../src/pki/chain/index.ts';
import { loadCore } from '../_core.ts';

const SHA256_RSA = '1.2.840.113549.1.1.11';
let core: CoreApi;
let dir: string;

const b64u = (x: bigint) => {
  let h = x.toString(16);
  if (h.length % 2) h = '0' + h;
  return Buffer.from(h, 'hex').toString('base64url');
};
const fromB64u = (s: string) => BigInt('0x' + Buffer.from(s, 'base64url').toString('hex'));
const gcd = (a: bigint, b: bigint): bigint => (b ? gcd(b, a % b) : a);
function modInv(a: bigint, m: bigint): bigint {
  let [g, x, g1, x1] = [a % m, 1n, m, 0n];
  while (g1) {
    const t = g / g1;
    [g, g1] = [g1, g - t * g1];
    [x, x1] = [x1, x - t * x1];
  }
  return ((x % m) + m) % m;
}

const primes = new Map<number, [bigint, bigint]>();
/** An RSA key of `bits` whose public exponent has `eBits` bits (one modulus per size). */
function keyWithExponent(bits: number, eBits: number): { priv: KeyObject; spki: Uint8Array } {
  if (!primes.has(bits)) {
    const j = generateKeyPairSync('rsa', { modulusLength: bits }).privateKey.export({ format: 'jwk' });
    primes.set(bits, [fromB64u(j.p!), fromB64u(j.q!)]);
  }
  const [p, q] = primes.get(bits)!;
  const phi = (p - 1n) * (q - 1n);
  let e = (1n << BigInt(eBits - 1)) + 1n;
  while (gcd(e, phi) !== 1n) e += 2n;
  const d = modInv(e, phi);
  const priv = createPrivateKey({ key: { kty: 'RSA', n: b64u(p * q), e: b64u(e), d: b64u(d), p: b64u(p), q: b64u(q), dp: b64u(d % (p - 1n)), dq: b64u(d % (q - 1n)), qi: b64u(modInv(q, p)) }, format: 'jwk' });
  return { priv, spki: new Uint8Array(createPublicKey(priv).export({ type: 'spki', format: 'der' })) };
}

beforeAll(async () => {
  core = await loadCore('release');
  dir = mkdtempSync(join(tmpdir(), 'tp-rsae-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('RSA public exponent cap (e < 2^256)', () => {
  it('256-bit exponents verify; 257-bit and modulus-sized ones are refused at once, with the reason', async () => {
    const data = new TextEncoder().encode('tbs');
    const verify = makeVerify(async () => core);
    const ok = keyWithExponent(2048, 256);
    const sigOk = new Uint8Array(sign('sha256', data, ok.priv));
    expect(await verify({ algorithm: SHA256_RSA, spki: ok.spki, data, signature: sigOk })).toBe(true);
    expect(await core.rsaVerifyPkcs1(ok.spki, 'SHA-256', data, sigOk)).toBe(true);

    for (const [bits, eBits] of [
      [2048, 257],
      [2048, 2000],
    ] as const) {
      const big = keyWithExponent(bits, eBits);
      const sig = new Uint8Array(sign('sha256', data, big.priv));
      const t0 = performance.now();
      await expect(verify({ algorithm: SHA256_RSA, spki: big.spki, data, signature: sig })).rejects.toThrow(`RSA public exponent of ${eBits} bits refused: it must be below 2^256 (NIST SP 800-56B)`);
      await expect(webCryptoVerify({ algorithm: SHA256_RSA, spki: big.spki, data, signature: sig })).rejects.toThrow('RSA public exponent');
      // the core refuses the key itself
      await expect(core.rsaVerifyPkcs1(big.spki, 'SHA-256', data, sig)).rejects.toThrow();
      await expect(core.rsaKeyInfo(big.spki)).rejects.toThrow();
      expect(performance.now() - t0).toBeLessThan(200);
    }
  }, 60_000);

  it('path building over 12 candidate CAs with modulus-sized exponents fails fast, naming the limit', async () => {
    const big = keyWithExponent(2048, 2000);
    const sh = (args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
    sh(['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', 'root.key', '-out', 'root.pem', '-subj', '/CN=Root', '-days', '2', '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign']);
    writeFileSync(join(dir, 'big.pub.pem'), createPublicKey(big.priv).export({ type: 'spki', format: 'pem' }));
    writeFileSync(join(dir, 'ca.ext'), 'basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign\n');
    // a CSR only carries the subject here; -force_pubkey puts the big-exponent key in
    sh(['req', '-new', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'tmp.key', '-out', 'tmp.csr', '-subj', '/CN=Big E CA']);
    const intermediates: Uint8Array[] = [];
    for (let i = 0; i < 12; i++) {
      sh(['x509', '-req', '-in', 'tmp.csr', '-CA', 'root.pem', '-CAkey', 'root.key', '-set_serial', String(1000 + i), '-force_pubkey', 'big.pub.pem', '-extfile', 'ca.ext', '-days', '2', '-outform', 'DER', '-out', `i${i}.der`]);
      intermediates.push(new Uint8Array(readFileSync(join(dir, `i${i}.der`))));
    }
    // the leaf names "Big E CA" as its issuer; it is signed with an ordinary key of that name
    // (the candidates' big-exponent key is what a builder must try, and must refuse at once)
    sh(['req', '-x509', '-key', 'tmp.key', '-out', 'fakeca.pem', '-subj', '/CN=Big E CA', '-days', '2', '-addext', 'basicConstraints=critical,CA:TRUE']);
    sh(['req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', 'leaf.key', '-out', 'leaf.csr', '-subj', '/CN=leaf']);
    sh(['x509', '-req', '-in', 'leaf.csr', '-CA', 'fakeca.pem', '-CAkey', 'tmp.key', '-set_serial', '7', '-days', '2', '-outform', 'DER', '-out', 'leaf.der']);
    const leaf = new Uint8Array(readFileSync(join(dir, 'leaf.der')));
    const t0 = performance.now();
    const r = await validateChain({ leaf, intermediates, anchors: [new Uint8Array(sh(['x509', '-in', 'root.pem', '-outform', 'DER']))], verify: makeVerify(async () => core) });
    const ms = performance.now() - t0;
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason).toContain('RSA public exponent of 2000 bits refused');
    expect(ms).toBeLessThan(2000);
  }, 120_000);
});
