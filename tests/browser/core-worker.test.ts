/**
 * The core in its module Worker, as the app ships it: hashes checked differentially against
 * WebCrypto on random inputs (MD5, which WebCrypto lacks, against RFC 1321), chunked input,
 * cancellation, and the in-thread variant giving the same answers.
 */
import { afterAll, describe, expect, test } from 'vitest';
import { createWorkerCore } from '../../src/core/client.ts';
import { createDirectCore } from '../../src/core/direct.ts';
import wasmUrl from '../../src/core/gen/core.wasm?url';

const core = createWorkerCore();
afterAll(() => core.close());
const hex = (b: Uint8Array | ArrayBuffer) => Array.from(new Uint8Array(b), (x) => x.toString(16).padStart(2, '0')).join('');

function randomBytes(n: number): Uint8Array<ArrayBuffer> {
  const b = new Uint8Array(n);
  for (let o = 0; o < n; o += 65536) crypto.getRandomValues(b.subarray(o, Math.min(n, o + 65536)));
  return b;
}

describe('core in a Worker', () => {
  test('runs in a worker', () => expect(core.kind).toBe('worker'));

  for (const alg of ['SHA-1', 'SHA-256', 'SHA-384', 'SHA-512'] as const)
    test(`${alg} equals WebCrypto on 300 random inputs (0..2100 bytes)`, async () => {
      for (let i = 0; i < 300; i++) {
        const len = i < 200 ? i : Math.floor(Math.random() * 2100);
        const data = randomBytes(len);
        const [ours, theirs] = await Promise.all([core.digest(alg, data), crypto.subtle.digest(alg, data)]);
        expect(hex(ours), `${alg} len ${len}`).toBe(hex(theirs));
      }
    });

  test('multi-megabyte input (chunked through the arena) equals WebCrypto', async () => {
    const data = randomBytes(5 * 1024 * 1024 + 123);
    expect(hex(await core.digest('SHA-256', data))).toBe(hex(await crypto.subtle.digest('SHA-256', data)));
    expect(data.length).toBe(5 * 1024 * 1024 + 123); // the caller's buffer is not transferred away
  });

  test('MD5 (not in WebCrypto) matches RFC 1321', async () => {
    const enc = new TextEncoder();
    const cases: [string, string][] = [
      ['', 'd41d8cd98f00b204e9800998ecf8427e'],
      ['abc', '900150983cd24fb0d6963f7d28e17f72'],
      ['message digest', 'f96b697d7cb7938d525a2f31aaf161d0'],
      ['12345678901234567890123456789012345678901234567890123456789012345678901234567890', '57edf4a22be3c955ac49da2e2107b67a'],
    ];
    for (const [m, d] of cases) expect(hex(await core.digest('MD5', enc.encode(m)))).toBe(d);
  });

  test('the in-thread variant gives the same answers', async () => {
    const direct = await createDirectCore(fetch(wasmUrl));
    const data = randomBytes(777);
    for (const alg of ['MD5', 'SHA-1', 'SHA-256', 'SHA-384', 'SHA-512'] as const) expect(hex(await direct.digest(alg, data))).toBe(hex(await core.digest(alg, data)));
  });

  test('an aborted call rejects with AbortError and the core keeps working', async () => {
    const ac = new AbortController();
    ac.abort();
    await expect(core.digest('SHA-256', new Uint8Array(1), { signal: ac.signal })).rejects.toMatchObject({ name: 'AbortError' });
    const ac2 = new AbortController();
    const p = core.digest('SHA-256', randomBytes(4 << 20), { signal: ac2.signal });
    ac2.abort();
    await expect(p).rejects.toMatchObject({ name: 'AbortError' });
    expect(hex(await core.digest('SHA-1', new TextEncoder().encode('abc')))).toBe('a9993e364706816aba3e25717850c26c9cd0d89d');
  });

  test('an unknown algorithm is a RangeError from the worker', async () => {
    await expect(core.digest('SHA-3' as 'SHA-1', new Uint8Array(1))).rejects.toBeInstanceOf(RangeError);
  });
});
