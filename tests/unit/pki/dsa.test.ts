/**
 * src/pki/dsa.ts against OpenSSL (node:crypto makes the keys and signatures): valid signatures
 * verify for each FIPS 186 size and hash, tampered ones do not, a key without Dss-Parms is
 * refused until the inherited parameters are written in, and hostile sizes are refused before
 * any arithmetic. The NIST CAVP SigVer files run in `npm run vectors -- --dsa`.
 */
import { createHash, generateKeyPairSync, sign } from 'node:crypto';
import { describe, expect, test } from 'vitest';
import type { HashAlg } from '../../../src/core/api.ts';
import { dsaKeyKind, dsaParameters, dsaVerify, withDsaParameters } from '../../../src/pki/dsa.ts';
import { OID } from '../../../src/pki/oids.ts';
import { PkiError } from '../../../src/util/errors.ts';

const digest = async (h: HashAlg, d: Uint8Array) => new Uint8Array(createHash(h.replace('-', '').toLowerCase()).update(d).digest());

function dsaKey(modulusLength: number, divisorLength: number) {
  const { publicKey, privateKey } = generateKeyPairSync('dsa', { modulusLength, divisorLength });
  return { spki: new Uint8Array(publicKey.export({ format: 'der', type: 'spki' })), privateKey };
}

/** The SPKI with its Dss-Parms left out (as a CA certificate that inherits them carries it). */
function stripParams(spki: Uint8Array): Uint8Array {
  // SEQUENCE { SEQUENCE { OID id-dsa, params }, BIT STRING }: rebuild without params
  const bits = spki.subarray(spki.length - bitStringLength(spki));
  const alg = Uint8Array.of(0x30, 0x09, 0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x38, 0x04, 0x01);
  const body = new Uint8Array([...alg, ...bits]);
  const len = body.length < 0x80 ? [body.length] : body.length < 0x100 ? [0x81, body.length] : [0x82, body.length >> 8, body.length & 0xff];
  return Uint8Array.from([0x30, ...len, ...body]);
}
function bitStringLength(spki: Uint8Array): number {
  // walk to the second child of the outer SEQUENCE
  const hdr = (p: number) => (spki[p + 1]! < 0x80 ? { len: spki[p + 1]!, hl: 2 } : { len: spki.subarray(p + 2, p + 2 + (spki[p + 1]! & 0x7f)).reduce((a, b) => a * 256 + b, 0), hl: 2 + (spki[p + 1]! & 0x7f) });
  const outer = hdr(0);
  const alg = hdr(outer.hl);
  const start = outer.hl + alg.hl + alg.len;
  const bs = hdr(start);
  return bs.hl + bs.len;
}

describe('DSA verification (src/pki/dsa.ts) against OpenSSL', () => {
  for (const [L, N, hash] of [
    [1024, 160, 'SHA-1'],
    [2048, 224, 'SHA-224'],
    [2048, 256, 'SHA-256'],
    [2048, 256, 'SHA-1'],
  ] as const) {
    test(`L=${L}, N=${N}, ${hash}: OpenSSL's signature verifies; a changed message or signature does not`, async () => {
      const { spki, privateKey } = dsaKey(L, N);
      expect(dsaKeyKind(spki, OID['id-dsa'])).toBe('with-params');
      const msg = new TextEncoder().encode(`tbsCertificate ${L}/${N}`);
      const sig = new Uint8Array(sign(hash.replace('-', '').toLowerCase(), msg, privateKey));
      expect(await dsaVerify(spki, hash, msg, sig, digest)).toBe(true);
      expect(await dsaVerify(spki, hash, Uint8Array.of(...msg, 0), sig, digest)).toBe(false);
      const bad = sig.slice();
      bad[bad.length - 1]! ^= 1;
      expect(await dsaVerify(spki, hash, msg, bad, digest)).toBe(false);
      expect(await dsaVerify(spki, hash, msg, Uint8Array.of(0x30, 0x00), digest)).toBe(false);
    }, 60_000);
  }

  test('a key without Dss-Parms is refused until the inherited parameters are written in (RFC 5280 §6.1.4)', async () => {
    const { spki, privateKey } = dsaKey(1024, 160);
    const bare = stripParams(spki);
    expect(dsaKeyKind(bare, OID['id-dsa'])).toBe('inherits');
    expect(dsaParameters(bare)).toBeUndefined();
    const msg = Uint8Array.of(1, 2, 3);
    const sig = new Uint8Array(sign('sha1', msg, privateKey));
    await expect(dsaVerify(bare, 'SHA-1', msg, sig, digest)).rejects.toMatchObject({ code: 'unsupported' });
    const restored = withDsaParameters(bare, dsaParameters(spki)!);
    expect(Buffer.from(restored).equals(Buffer.from(spki))).toBe(true);
    expect(await dsaVerify(restored, 'SHA-1', msg, sig, digest)).toBe(true);
    // parameters of another key do not make the signature verify (y may even fall outside the
    // other p, which refuses the key: either way, no)
    const other = dsaKey(1024, 160);
    const withOther = await dsaVerify(withDsaParameters(bare, dsaParameters(other.spki)!), 'SHA-1', msg, sig, digest).catch((e: unknown) => (e instanceof PkiError ? 'refused' : e));
    expect([false, 'refused']).toContain(withOther);
  }, 60_000);

  test('hostile keys are refused before any arithmetic: p too large, q of another size, g or y out of range', async () => {
    const len = (n: number) => (n < 0x80 ? [n] : n < 0x100 ? [0x81, n] : [0x82, n >> 8, n & 0xff]);
    const int = (hex: string) => {
      const b = [...Buffer.from(hex, 'hex')];
      return [0x02, ...len(b.length), ...b];
    };
    const seq = (body: number[]) => [0x30, ...len(body.length), ...body];
    const keyWith = (p: string, q: string, g: string, y: string) => {
      const y1 = int(y);
      return Uint8Array.from(seq([...seq([0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x38, 0x04, 0x01, ...seq([...int(p), ...int(q), ...int(g)])]), 0x03, ...len(y1.length + 1), 0x00, ...y1]));
    };
    const { spki } = dsaKey(1024, 160);
    const [p, q, g] = (() => {
      // the real parameters, as hex, from OpenSSL's key
      const d = dsaParameters(spki)!;
      const out: string[] = [];
      let o = d[1]! < 0x80 ? 2 : 2 + (d[1]! & 0x7f);
      for (let i = 0; i < 3; i++) {
        const l = d[o + 1]! < 0x80 ? { n: d[o + 1]!, h: 2 } : { n: d.subarray(o + 2, o + 2 + (d[o + 1]! & 0x7f)).reduce((a, b) => a * 256 + b, 0), h: 2 + (d[o + 1]! & 0x7f) };
        out.push(Buffer.from(d.subarray(o + l.h, o + l.h + l.n)).toString('hex'));
        o += l.h + l.n;
      }
      return out as [string, string, string];
    })();
    const sig = Uint8Array.of(0x30, 0x06, 0x02, 0x01, 0x01, 0x02, 0x01, 0x01);
    const refused = async (k: Uint8Array) => (await dsaVerify(k, 'SHA-1', Uint8Array.of(1), sig, digest).then(() => 'accepted', (e: unknown) => (e instanceof PkiError ? e.message : String(e))));
    // the real key is usable: a wrong signature is just false
    expect(await dsaVerify(keyWith(p, q, g, '05'), 'SHA-1', Uint8Array.of(1), sig, digest)).toBe(false);
    expect(await refused(keyWith('7f' + 'ff'.repeat(511), q, g, '05'))).toMatch(/unusable domain parameters \(p 4095 bits/);
    expect(await refused(keyWith(p, '7f' + 'ff'.repeat(47), g, '05'))).toMatch(/unusable domain parameters \(p 1024 bits, q 383 bits\)/);
    expect(await refused(keyWith(p, q, '01', '05'))).toMatch(/g or y out of range/);
    expect(await refused(keyWith(p, q, g, p))).toMatch(/g or y out of range/);
    expect(await refused(keyWith(p, q, g, 'ff'))).toMatch(/negative/);
  });
});
