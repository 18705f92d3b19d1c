/**
 * `npm run build:iwa` makes a signed web bundle of the app: checked here from the outside —
 * the integrity block is decoded with a CBOR reader of this file, the Ed25519 signature is
 * verified with node:crypto over the data the Integrity Block spec defines, the Web Bundle ID is
 * derived from the public key independently, and the bundle (read with `wbn`) holds every built
 * file plus the IWA manifest with usb, usb-unrestricted and smart-card in its permissions policy.
 * (Installing and running the bundle needs Chromium's IWA developer mode with a UI; see README.)
 */
import { execFileSync } from 'node:child_process';
import { createHash, createPublicKey, generateKeyPairSync, verify as nodeVerify } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, test } from 'vitest';
import * as wbn from 'wbn';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const KEY = join(ROOT, '.lab', 'i', 'iwa-test-key.pem');

/** A CBOR reader for what an integrity block holds (RFC 8949 major types 0–5, definite lengths). */
function cbor(b: Uint8Array, pos = 0): { value: unknown; end: number } {
  const ib = b[pos]!;
  const major = ib >> 5;
  let info = ib & 0x1f;
  let p = pos + 1;
  let n: number;
  if (info < 24) n = info;
  else if (info === 24) n = b[p++]!;
  else if (info === 25) (n = (b[p]! << 8) | b[p + 1]!), (p += 2);
  else if (info === 26) (n = ((b[p]! << 24) | (b[p + 1]! << 16) | (b[p + 2]! << 8) | b[p + 3]!) >>> 0), (p += 4);
  else if (info === 27) (n = Number(Buffer.from(b.subarray(p, p + 8)).readBigUInt64BE())), (p += 8);
  else throw new Error(`cbor: additional info ${info} not supported`);
  switch (major) {
    case 0:
      return { value: n, end: p };
    case 2:
      return { value: b.subarray(p, p + n), end: p + n };
    case 3:
      return { value: Buffer.from(b.subarray(p, p + n)).toString('utf8'), end: p + n };
    case 4: {
      const arr: unknown[] = [];
      for (let i = 0; i < n; i++) {
        const r = cbor(b, p);
        arr.push(r.value);
        p = r.end;
      }
      return { value: arr, end: p };
    }
    case 5: {
      const m = new Map<unknown, unknown>();
      for (let i = 0; i < n; i++) {
        const k = cbor(b, p);
        const v = cbor(b, k.end);
        m.set(k.value, v.value);
        p = v.end;
      }
      return { value: m, end: p };
    }
    default:
      info = major;
      throw new Error(`cbor: major type ${info} not expected here`);
  }
}

/** RFC 4648 base32, lower case, no padding (the Web Bundle ID encoding). */
function base32(data: Uint8Array): string {
  const A = 'abcdefghijklmnopqrstuvwxyz234567';
  let bits = 0;
  let v = 0;
  let out = '';
  for (const x of data) {
    v = (v << 8) | x;
    bits += 8;
    while (bits >= 5) {
      out += A[(v >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits) out += A[(v << (5 - bits)) & 31];
  return out;
}

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => (statSync(join(dir, n)).isDirectory() ? files(join(dir, n)) : [join(dir, n)]));
}

let signed: Uint8Array;
let info: { webBundleId: string; origin: string; files: string[] };

beforeAll(() => {
  mkdirSync(join(ROOT, '.lab', 'i'), { recursive: true });
  writeFileSync(KEY, generateKeyPairSync('ed25519').privateKey.export({ format: 'pem', type: 'pkcs8' }), { mode: 0o600 });
  execFileSync(process.execPath, [join(ROOT, 'scripts/build-iwa.mjs')], { cwd: ROOT, env: { ...process.env, IWA_SIGNING_KEY: KEY }, stdio: 'pipe' });
  signed = readFileSync(join(ROOT, 'dist-iwa/trustpoint.swbn'));
  info = JSON.parse(readFileSync(join(ROOT, 'dist-iwa/iwa.json'), 'utf8'));
}, 120_000);

describe('npm run build:iwa: a signed web bundle for an Isolated Web App', () => {
  test('the integrity block is signed by the key whose ID the app has; node:crypto verifies the Ed25519 signature', () => {
    const ib = cbor(signed);
    const [magic, version, attributes, signatures] = ib.value as [Uint8Array, Uint8Array, Map<string, unknown>, [Map<string, Uint8Array>, Uint8Array][]];
    expect(Buffer.from(magic).toString('utf8')).toBe('🖋📦');
    expect(Buffer.from(version).toString('latin1')).toBe('2b\0\0');
    expect(attributes.get('webBundleId')).toBe(info.webBundleId);
    expect(signatures).toHaveLength(1);
    const [sigAttrs, signature] = signatures[0]!;
    const pub = sigAttrs.get('ed25519PublicKey')!;
    expect(pub).toHaveLength(32);
    // the Web Bundle ID: base32(public key ‖ 00 01 02), lower case, unpadded
    expect(base32(Uint8Array.from([...pub, 0x00, 0x01, 0x02]))).toBe(info.webBundleId);
    expect(info.origin).toBe(`isolated-app://${info.webBundleId}/`);
    // the signed data: (hash of the bundle, the integrity block without signatures, the signature attributes), each length-prefixed
    const bundle = signed.subarray(ib.end);
    const hash = createHash('sha512').update(bundle).digest();
    const ibNoSigs = signed.subarray(0, ib.end);
    // re-encode the unsigned block: same bytes up to the signature array, then an empty array (0x80)
    const sigArrayStart = (() => {
      let p = cbor(signed, 0).end; // end of whole block
      p = 1; // skip array header (4 items)
      for (let i = 0; i < 3; i++) p = cbor(signed, p).end;
      return p;
    })();
    const unsigned = Uint8Array.from([...ibNoSigs.subarray(0, sigArrayStart), 0x80]);
    const attrCbor = (() => {
      const p = sigArrayStart + 1 + 1; // array(1) header, then array(2) header of the signature entry
      return signed.subarray(p, cbor(signed, p).end);
    })();
    const part = (d: Uint8Array) => {
      const l = Buffer.alloc(8);
      l.writeBigUInt64BE(BigInt(d.length));
      return Buffer.concat([l, Buffer.from(d)]);
    };
    const data = Buffer.concat([part(hash), part(unsigned), part(attrCbor)]);
    const key = createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: Buffer.from(pub).toString('base64url') }, format: 'jwk' });
    expect(nodeVerify(null, data, key, Buffer.from(signature))).toBe(true);
    // a flipped byte in the bundle breaks it
    const bad = Buffer.from(bundle);
    bad[bad.length - 10] = bad[bad.length - 10]! ^ 1;
    const badData = Buffer.concat([part(createHash('sha512').update(bad).digest()), part(unsigned), part(attrCbor)]);
    expect(nodeVerify(null, badData, key, Buffer.from(signature))).toBe(false);
  });

  test('the bundle serves every built file under isolated-app://ID/, and the IWA manifest grants usb, usb-unrestricted, smart-card', () => {
    const bundle = new wbn.Bundle(Buffer.from(signed.subarray(cbor(signed).end)));
    const app = join(ROOT, 'dist-iwa/app');
    const built = files(app).map((f) => relative(app, f).split('\\').join('/'));
    expect(built).toContain('index.html');
    for (const f of built) {
      const r = bundle.getResponse(info.origin + f);
      expect(r.status, f).toBe(200);
      expect(Buffer.from(r.body).equals(readFileSync(join(app, f))), f).toBe(true);
    }
    expect(bundle.getResponse(info.origin).headers['content-type']).toMatch(/text\/html/);
    expect(bundle.getResponse(info.origin + 'assets/' + built.find((f) => f.endsWith('.wasm'))!.split('/').pop()).headers['content-type']).toBe('application/wasm');
    const manifest = JSON.parse(Buffer.from(bundle.getResponse(info.origin + '.well-known/manifest.webmanifest').body).toString('utf8'));
    expect(manifest.permissions_policy).toMatchObject({ usb: ['self'], 'usb-unrestricted': ['self'], 'smart-card': ['self'] });
    expect(manifest.version).toMatch(/^\d+\.\d+\.\d+$/);
    expect(manifest.start_url).toBe('/');
    expect(manifest.icons.every((i: { src: string }) => i.src.startsWith('/'))).toBe(true);
    // the app is built with absolute paths for the isolated-app:// origin
    expect(Buffer.from(bundle.getResponse(info.origin + 'index.html').body).toString('utf8')).toMatch(/src="\/assets\/index-/);
  });
});
