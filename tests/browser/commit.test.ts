/**
 * store/commit.ts in real IndexedDB (Chromium): a commit over keys, NVRAM and meta is all or
 * nothing — a write that fails in the middle (here a record that cannot be stored) leaves every
 * store as it was, including the writes queued before it; an empty part is simply skipped.
 */
import { afterEach, describe, expect, test } from 'vitest';
import { openTrustpointDb } from '../../src/store/db.ts';
import { IdbCommitter } from '../../src/store/commit.ts';
import { IdbNvram } from '../../src/store/nvram.ts';
import { IdbKeyStore, type KeyRecord } from '../../src/store/keystore.ts';
import { IdbMetaStore } from '../../src/store/meta.ts';

let n = 0;
const opened: { close(): void }[] = [];
afterEach(() => {
  for (const db of opened.splice(0)) db.close();
});

async function stores() {
  const db = await openTrustpointDb({ name: `tp-commit-${Date.now()}-${n++}` });
  opened.push(db);
  return { commit: new IdbCommitter(db), nvram: new IdbNvram(db), keys: new IdbKeyStore(db), meta: new IdbMetaStore(db) };
}

function key(label: string): KeyRecord {
  return { label, usage: 'general', kind: 'rsa', bits: 2048, exportable: false, createdAt: 1, spki: new Uint8Array([1, 2, 3]), holder: 'core', wrapped: { alg: 'AES-GCM', iv: new Uint8Array(12), data: new Uint8Array(8) } };
}

describe('one transaction over keys, NVRAM and meta', () => {
  test('everything lands together', async () => {
    const s = await stores();
    await s.commit.commit({ keys: { put: [key('a')] }, nvram: { name: 'startup-config', text: 'hostname a\n', now: 1 }, meta: { set: [['x', 1]] } });
    expect((await s.keys.list()).map((k) => k.label)).toEqual(['a']);
    expect((await s.nvram.read('startup-config'))!.text).toBe('hostname a\n');
    expect(await s.meta.get('x')).toBe(1);
  });

  test('a write that fails in the middle: nothing lands, not even what was queued before it', async () => {
    const s = await stores();
    await s.commit.commit({ keys: { put: [key('old')] }, nvram: { name: 'startup-config', text: 'hostname old\n', now: 1 }, meta: { set: [['x', 'old']] } });
    const bad = { key: 'y', value: () => 1 } as unknown; // functions cannot be stored (DataCloneError)
    await expect(
      s.commit.commit({ keys: { remove: [['old', 'general']], put: [key('new')] }, nvram: { name: 'startup-config', text: 'hostname new\n', now: 2 }, meta: { set: [['x', 'new'], ['y', (bad as { value: unknown }).value]] } }),
    ).rejects.toThrow();
    expect((await s.keys.list()).map((k) => k.label)).toEqual(['old']);
    expect((await s.nvram.read('startup-config'))!.text).toBe('hostname old\n');
    expect(await s.meta.get('x')).toBe('old');
  });

  test('empty parts are skipped (an empty meta removal list named no store)', async () => {
    const s = await stores();
    await s.commit.commit({ keys: { put: [key('k')] }, meta: { remove: [] } });
    expect((await s.keys.list()).map((k) => k.label)).toEqual(['k']);
    await s.commit.commit({ keys: { remove: [['k', 'general']] }, meta: { remove: [], set: [] } });
    expect(await s.keys.list()).toEqual([]);
  });
});
