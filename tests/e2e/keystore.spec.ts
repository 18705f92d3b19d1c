/**
 * The key store in real IndexedDB (issue 12, defects 6 and 7):
 * - `crypto key zeroize` leaves no key material in any store — key records, the wrapped
 *   transport key of a request pending at the CA, files, NVRAM — and signers made before it
 *   refuse;
 * - two tabs creating the store's wrapping key at the same moment end up with one key, so
 *   exportable keys made in either tab still decrypt after a reload.
 */
import { expect, test, type Page } from '../pw.ts';
import { appServer, cli, openApp } from './fixtures.ts';
import { startFakeScep, type FakeScep } from '../fakes/fake-scep.ts';

let app: { url: string; close(): Promise<void> };
let f: FakeScep;
test.beforeAll(async () => {
  app = await appServer();
  f = await startFakeScep({ script: [], then: 'pending' });
});
test.afterAll(async () => {
  await app?.close();
  await f?.close();
});

async function open(page: Page): Promise<void> {
  await page.addInitScript(() => {
    (window as unknown as { __TRUSTPOINT_TEST__?: object }).__TRUSTPOINT_TEST__ ??= { pollDelayMs: 600_000 };
  });
  await openApp(page, app.url);
}

/** Everything in the Trustpoint database that is or holds private key material (the wrapping key aside). */
function scanForKeys(page: Page): Promise<string[]> {
  return page.evaluate(async () => {
    const db = await new Promise<IDBDatabase>((resolve, reject) => {
      const r = indexedDB.open('trustpoint');
      r.onsuccess = () => resolve(r.result);
      r.onerror = () => reject(r.error);
    });
    const found: string[] = [];
    const keyish = (v: unknown, path: string, depth = 0): void => {
      if (depth > 8 || v === null || typeof v !== 'object') return;
      if (v instanceof CryptoKey) found.push(`${path}: CryptoKey`);
      else if (v instanceof Uint8Array) {
        const text = new TextDecoder('latin1').decode(v);
        if (/PRIVATE KEY/.test(text)) found.push(`${path}: PEM private key`);
      } else {
        const o = v as Record<string, unknown>;
        if ('alg' in o && 'iv' in o && 'data' in o) found.push(`${path}: wrapped key`);
        for (const [k, x] of Object.entries(o)) keyish(x, `${path}.${k}`, depth + 1);
      }
    };
    for (const store of Array.from(db.objectStoreNames)) {
      const all = await new Promise<unknown[]>((resolve, reject) => {
        const r = db.transaction(store).objectStore(store).getAll();
        r.onsuccess = () => resolve(r.result);
        r.onerror = () => reject(r.error);
      });
      all.forEach((rec, i) => {
        if (store === 'meta' && (rec as { key: string }).key === 'wrap-key') return;
        keyish(rec, `${store}[${i}]`);
      });
    }
    db.close();
    return found;
  });
}

test('crypto key zeroize: no key material in any store afterwards, a pending request forgotten, earlier signers refuse', async ({ page }) => {
  await open(page);
  await cli(page, 'enable\nconfigure terminal\nip domain-name example.com\ncrypto key generate rsa label zk modulus 2048 exportable');
  let t = await cli(page, `crypto pki trustpoint zk\n enrollment url ${f.url}\n serial-number none\n ip-address none\n password pw\n rsakeypair zk 2048\n exit\ncrypto pki authenticate zk\nyes`);
  expect(t).toContain('Trustpoint CA certificate accepted.');
  // The request stays pending at the CA: its record holds a wrapped copy of the key.
  void cli(page, 'crypto pki enroll zk');
  await expect.poll(() => page.evaluate(async () => (await window.trustpoint!.app.meta.entries('scep-pending:')).length), { timeout: 20_000 }).toBe(1);
  expect((await scanForKeys(page)).length).toBeGreaterThan(0);
  const signed = await page.evaluate(async () => {
    const a = window.trustpoint!.app;
    const rec = (await a.keys.byLabel('zk'))[0]!;
    const s = await a.keys.signer(rec);
    (window as unknown as { oldSigner: typeof s }).oldSigner = s;
    return (await s.sign(new Uint8Array([1, 2, 3]), 'SHA-256')).length;
  });
  expect(signed).toBe(256);
  await page.evaluate(() => window.trustpoint!.session.interrupt());
  t = await cli(page, 'crypto key zeroize rsa zk\nyes');
  expect(t).toContain("% Keys to be removed are named 'zk'.");
  expect(await scanForKeys(page)).toEqual([]);
  expect(await page.evaluate(async () => (await window.trustpoint!.app.meta.entries('scep-pending:')).length)).toBe(0);
  const refused = await page.evaluate(async () => {
    try {
      await (window as unknown as { oldSigner: { sign(d: Uint8Array, h: string): Promise<Uint8Array> } }).oldSigner.sign(new Uint8Array([1]), 'SHA-256');
      return 'signed';
    } catch (e) {
      return (e as Error).message;
    }
  });
  expect(refused).toMatch(/zeroized/);
});

test('two tabs create the wrapping key at once: one key, and keys from both tabs decrypt after a reload', async ({ context }) => {
  const a = await context.newPage();
  const b = await context.newPage();
  await Promise.all([open(a), open(b)]);
  // Both tabs need the wrapping key for the first time at the same moment.
  await Promise.all([
    cli(a, 'enable\nconfigure terminal\nip domain-name example.com\ncrypto key generate rsa label ka modulus 1024 exportable'),
    cli(b, 'enable\nconfigure terminal\nip domain-name example.com\ncrypto key generate rsa label kb modulus 1024 exportable'),
  ]);
  await a.reload();
  await a.waitForFunction(() => document.documentElement.dataset.ready === 'true' && !!window.trustpoint);
  const lengths = await a.evaluate(async () => {
    const app = window.trustpoint!.app;
    const out: number[] = [];
    for (const label of ['ka', 'kb']) {
      const rec = (await app.keys.byLabel(label))[0]!;
      out.push((await app.keys.exportPkcs8(rec)).length);
    }
    return out;
  });
  expect(lengths.every((n) => n > 600)).toBe(true);
});
