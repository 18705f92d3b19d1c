/**
 * Issue 13's defect, as the user met it: a trustpoint with a saved key and certificate gets
 * `regenerate`, is re-enrolled (here by cut-and-paste with OpenSSL as the CA, and by PKCS#12
 * import over it), the change is NOT saved, and the app reloads. The startup-config still holds
 * the old certificate: its key must still be in the key store and sign. Also: zeroize leaves
 * no key material anywhere, and signers made before it refuse.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { harness, type Harness } from '../cli/_harness.ts';
import { makeCa, requestsIn, type TestCa } from './_openssl-ca.ts';
import { summarizeCertificate } from '../../../src/pki/x509.ts';
import { TrustpointApp } from '../../../src/app/app.ts';
import { ownCertificateKeys, withdrawRunningRefs } from '../../../src/app/commit.ts';
import { readConfig } from '../../../src/config/reader.ts';
import { toHex } from '../../../src/util/hex.ts';
import { keyState } from '../../../src/app/keys.ts';

let ca: TestCa;
beforeAll(() => {
  ca = makeCa({ subject: '/C=US/O=Example/CN=Key Loss Root CA' });
});
afterAll(() => ca.close());

const SETUP = `conf t
hostname kiosk7
ip domain-name example.com
crypto pki trustpoint R
 enrollment terminal pem
 serial-number none
 ip-address none
 password lab-secret
 rsakeypair rkey 2048
exit
`;

async function enrolled(): Promise<Harness> {
  const h = await harness({ privileged: true });
  (h.app as { clock: () => Date }).clock = () => new Date();
  await h.run(SETUP + `crypto pki authenticate R\n${ca.certPem}\nyes\n`);
  const [r1] = requestsIn(await h.run('crypto pki enroll R\nyes\nno\n'));
  await h.run(`crypto pki import R certificate\n${ca.sign(r1!)}\nend\nwrite memory\nconf t\n`);
  return h;
}

/** A new app over the same stores, as after a reload (the old tab is gone: its entry too). */
async function reload(h: Harness): Promise<TrustpointApp> {
  await withdrawRunningRefs(h.app);
  const app = new TrustpointApp({ nvram: h.app.nvram, keystore: h.app.keys.store, files: h.app.files, meta: h.app.meta, core: () => h.app.core(), clock: () => new Date() });
  await app.boot();
  return app;
}

/** Every own certificate of the running- and startup-config has its private key, and it signs. */
async function everyCertificateHasItsKey(app: TrustpointApp): Promise<void> {
  const startup = (await readConfig((await app.startup())!.text)).config;
  const wanted = new Set([...ownCertificateKeys(app.running), ...ownCertificateKeys(startup)]);
  expect(wanted.size).toBeGreaterThan(0);
  for (const spki of wanted) {
    const recs = (await app.keys.list()).filter((k) => toHex(k.spki) === spki);
    expect(recs.length, `key for ${spki.slice(0, 32)}…`).toBeGreaterThan(0);
    const sig = await (await app.keys.signer(recs[0]!)).sign(new Uint8Array([1, 2, 3]), 'SHA-256');
    expect(sig.length).toBe(256);
  }
}

function ownSpki(app: TrustpointApp): string {
  const own = app.running.chains.get('R')!.certificates.find((c) => c.kind === 'general')!;
  return toHex(summarizeCertificate(own.der).spki);
}

describe('a certificate never loses its key', () => {
  test('regenerate + enroll + import, not saved, reload: the saved certificate still has its key (the defect)', async () => {
    const h = await enrolled();
    const savedSpki = ownSpki(h.app);
    const t = await h.run('crypto pki trustpoint R\n regenerate\nexit\ncrypto pki enroll R\nyes\nno\n');
    const [r2] = requestsIn(t);
    const out = await h.run(`crypto pki import R certificate\n${ca.sign(r2!)}\n`);
    expect(out).toContain('%PKI-4-NOAUTOSAVE');
    expect(ownSpki(h.app)).not.toBe(savedSpki);
    // The running-config has the new certificate and key; the old key is retired, not deleted.
    await everyCertificateHasItsKey(h.app);
    const app2 = await reload(h);
    expect(ownSpki(app2)).toBe(savedSpki);
    const current = (await app2.keys.byLabel('rkey'))[0]!;
    expect(toHex(current.spki)).toBe(savedSpki);
    await everyCertificateHasItsKey(app2);
    // The key of the unsaved certificate names nothing any more: it is gone.
    expect((await app2.keys.list()).filter((k) => k.label.includes('rkey'))).toHaveLength(1);
  });

  test('the same, saved this time: the old key is deleted with the old certificate, the new one stays', async () => {
    const h = await enrolled();
    const savedSpki = ownSpki(h.app);
    await h.run('crypto pki trustpoint R\n regenerate\nexit\nend\nwrite memory\nconf t\n');
    const [r2] = requestsIn(await h.run('crypto pki enroll R\nyes\nno\n'));
    const out = await h.run(`crypto pki import R certificate\n${ca.sign(r2!)}\n`);
    expect(out).not.toContain('NOAUTOSAVE');
    const keys = await h.app.keys.list();
    expect(keys.map((k) => keyState(k))).toEqual(['current']);
    expect(toHex(keys[0]!.spki)).not.toBe(savedSpki);
    const app2 = await reload(h);
    expect(ownSpki(app2)).toBe(toHex(keys[0]!.spki));
    await everyCertificateHasItsKey(app2);
  });

  test('write memory after an unsaved renewal deletes the retired key, and not before', async () => {
    const h = await enrolled();
    await h.run('crypto pki trustpoint R\n regenerate\nexit\n');
    const [r2] = requestsIn(await h.run('crypto pki enroll R\nyes\nno\n'));
    await h.run(`crypto pki import R certificate\n${ca.sign(r2!)}\n`);
    expect((await h.app.keys.list()).map((k) => keyState(k)).sort()).toEqual(['current', 'retired']);
    await h.run('end\nwrite memory\n');
    expect((await h.app.keys.list()).map((k) => keyState(k))).toEqual(['current']);
    await everyCertificateHasItsKey(h.app);
  });

  test('crypto key generate over a label whose key a saved certificate names keeps that key (retired)', async () => {
    const h = await enrolled();
    const savedSpki = ownSpki(h.app);
    const t = await h.run('crypto key generate rsa label rkey modulus 2048\nyes\n');
    expect(t).toContain('% You already have RSA keys defined named rkey.');
    const states = (await h.app.keys.list()).map((k) => `${keyState(k)}:${toHex(k.spki) === savedSpki}`).sort();
    expect(states).toEqual(['current:false', 'retired:true']);
    const app2 = await reload(h);
    await everyCertificateHasItsKey(app2);
  });
});

describe('crypto key zeroize', () => {
  test('no key material remains in any store, earlier signers refuse, the saved certificates are reported', async () => {
    const h = await enrolled();
    const rec = (await h.app.keys.byLabel('rkey'))[0]!;
    const signer = await h.app.keys.signer(rec);
    await signer.sign(new Uint8Array([1]), 'SHA-256');
    const t = await h.run('crypto key zeroize rsa rkey\nyes\n');
    expect(t).toContain('% The startup-config still holds 1 certificate of these keys');
    await expect(signer.sign(new Uint8Array([1]), 'SHA-256')).rejects.toThrow(/zeroized/);
    expect(await h.app.keys.list()).toEqual([]);
    expect(h.app.running.chains.get('R')!.certificates.map((c) => c.kind)).toEqual(['ca']);
    // Scan every store for private key material: key records, wrapped keys, CryptoKeys
    // (the store's own wrapping key excepted), PKCS#8 in files.
    const isKeyish = (v: unknown, depth = 0): boolean => {
      if (depth > 6 || v === null || typeof v !== 'object') return false;
      if (typeof CryptoKey !== 'undefined' && v instanceof CryptoKey) return true;
      if ('wrapped' in v || ('alg' in v && 'iv' in v && 'data' in v)) return true;
      return Object.values(v).some((x) => isKeyish(x, depth + 1));
    };
    for (const [k, v] of await h.app.meta.entries<unknown>('')) if (k !== 'wrap-key') expect(isKeyish(v), k).toBe(false);
    for (const fs of ['flash', 'nvram', 'disk0']) for (const f of await h.app.files.list(fs)) expect(new TextDecoder().decode(f.data)).not.toMatch(/PRIVATE KEY/);
    expect(await h.app.keys.store.list()).toEqual([]);
    await h.run('end\nwrite memory\n');
    expect(ownCertificateKeys((await readConfig((await h.app.startup())!.text)).config).size).toBe(0);
  });
});
