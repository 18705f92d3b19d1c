/**
 * NVRAM in real IndexedDB (Chromium): save/load, atomicity, corruption detection, schema
 * migrations, and the blocked / versionchange lifecycle.
 */
import { deleteDB, openDB } from 'idb';
import { afterEach, describe, expect, test } from 'vitest';
import { openTrustpointDb } from '../../src/store/db.ts';
import { IdbNvram } from '../../src/store/nvram.ts';
import { MIGRATIONS, SCHEMA_VERSION, type Migration } from '../../src/store/schema.ts';
import { TrustpointApp } from '../../src/app/app.ts';
import { CliSession } from '../../src/cli/session.ts';
import { makeCliRunner } from '../../src/cli/automation.ts';

let n = 0;
const fresh = () => `tp-test-${Date.now()}-${n++}`;
const opened: { close(): void }[] = [];
afterEach(() => {
  for (const db of opened.splice(0)) db.close();
});

async function open(name: string, migrations?: readonly Migration[], events: Parameters<typeof openTrustpointDb>[0] = {}) {
  const db = await openTrustpointDb({ name, ...(migrations ? { migrations } : {}), ...events });
  opened.push(db);
  return db;
}

describe('NVRAM in IndexedDB', () => {
  test('write memory survives closing and reopening the database (a reload)', async () => {
    const name = fresh();
    const nv1 = new IdbNvram(await open(name));
    const app1 = new TrustpointApp({ nvram: nv1 });
    await app1.boot();
    const run = makeCliRunner(new CliSession(app1, { privileged: true }));
    await run('conf t\nhostname kiosk7\ncrypto pki trustpoint T\n enrollment terminal pem\n password s3cret\nend\nwrite memory\n');
    opened.pop()!.close();

    const app2 = new TrustpointApp({ nvram: new IdbNvram(await open(name)) });
    const boot = await app2.boot();
    expect(boot).toMatchObject({ loaded: true, errors: [] });
    expect(app2.runningText()).toBe(app1.runningText());
    expect(app2.running.trustpoints.get('T')?.password).toBe('s3cret');
    const stored = await app2.nvram.read('startup-config');
    expect(stored?.text).not.toContain('s3cret');
  });

  test('an aborted write transaction leaves the previous startup-config intact', async () => {
    const name = fresh();
    const db = await open(name);
    const nv = new IdbNvram(db);
    await nv.write('startup-config', '!\nhostname before\n!\nend\n');
    // Simulate a tab closing mid-write: the put is issued, then the transaction dies.
    const tx = db.transaction('nvram', 'readwrite');
    tx.store.put({ name: 'startup-config', text: '!\nhostname after', bytes: 16, crc32: 0, savedAt: 0 }).catch(() => undefined);
    tx.abort();
    await tx.done.catch(() => undefined);
    expect((await nv.read('startup-config'))?.text).toBe('!\nhostname before\n!\nend\n');
  });

  test('a record whose checksum does not match is reported as damaged, not returned', async () => {
    const name = fresh();
    const db = await open(name);
    const nv = new IdbNvram(db);
    const rec = await nv.write('startup-config', '!\nhostname good\n!\nend\n');
    await db.put('nvram', { ...rec, text: rec.text.replace('good', 'evil') });
    await expect(nv.read('startup-config')).rejects.toMatchObject({ code: 'corrupt' });
    const app = new TrustpointApp({ nvram: nv });
    const boot = await app.boot();
    expect(boot.failure).toMatch(/damaged/);
    expect(app.running.hostname).toBe('Router');
  });

  test('a configuration larger than NVRAM is refused and the old one kept', async () => {
    const nv = new IdbNvram(await open(fresh()));
    await nv.write('startup-config', 'small');
    await expect(nv.write('startup-config', 'x'.repeat(1_048_577))).rejects.toMatchObject({ code: 'quota' });
    expect((await nv.read('startup-config'))?.text).toBe('small');
  });

  test('erase removes the file', async () => {
    const nv = new IdbNvram(await open(fresh()));
    await nv.write('startup-config', 'a');
    expect(await nv.erase('startup-config')).toBe(true);
    expect(await nv.read('startup-config')).toBeUndefined();
    expect(await nv.erase('startup-config')).toBe(false);
  });
});

describe('schema migrations', () => {
  test('a fresh database gets the current schema and records the migration', async () => {
    const db = await open(fresh());
    expect(db.version).toBe(SCHEMA_VERSION);
    expect([...db.objectStoreNames].sort()).toEqual(['files', 'keys', 'meta', 'nvram']);
    expect(await db.get('meta', `migrated-to-${SCHEMA_VERSION}`)).toMatchObject({ value: { from: 0 } });
  });

  test('an upgrade runs only the missing steps and keeps the data', async () => {
    const name = fresh();
    const v1 = await open(name);
    await new IdbNvram(v1).write('startup-config', '!\nhostname kept\n!\nend\n');
    opened.pop()!.close();
    const ran: number[] = [];
    const next: Migration[] = [
      ...MIGRATIONS.map((m) => ({ ...m, run: (...a: Parameters<Migration['run']>) => (ran.push(m.to), m.run(...a)) })),
      {
        to: SCHEMA_VERSION + 1,
        run(db, tx) {
          ran.push(SCHEMA_VERSION + 1);
          (db as unknown as IDBDatabase).createObjectStore('extra');
          void tx.objectStore('meta').put({ key: 'note', value: 'v2 step ran' });
        },
      },
    ];
    const v2 = await open(name, next);
    expect(ran).toEqual([SCHEMA_VERSION + 1]);
    expect(v2.version).toBe(SCHEMA_VERSION + 1);
    expect([...v2.objectStoreNames]).toContain('extra');
    expect((await new IdbNvram(v2).read('startup-config'))?.text).toContain('hostname kept');
    expect(await v2.get('meta', `migrated-to-${SCHEMA_VERSION + 1}`)).toMatchObject({ value: { from: SCHEMA_VERSION } });
  });

  test('a version 1 database (NVRAM only) upgrades to version 2 (keys) and keeps its configuration', async () => {
    const name = fresh();
    const v1 = await open(name, MIGRATIONS.filter((m) => m.to === 1));
    expect(v1.version).toBe(1);
    expect([...v1.objectStoreNames]).not.toContain('keys');
    await new IdbNvram(v1).write('startup-config', '!\nhostname v1\n!\nend\n');
    opened.pop()!.close();
    const v2 = await open(name);
    expect(v2.version).toBe(2);
    expect([...v2.objectStoreNames]).toEqual(expect.arrayContaining(['keys', 'files']));
    expect(v2.transaction('keys').store.indexNames.contains('label')).toBe(true);
    expect((await new IdbNvram(v2).read('startup-config'))?.text).toContain('hostname v1');
    expect(await v2.get('meta', 'migrated-to-2')).toMatchObject({ value: { from: 1 } });
  });

  test('an older tab is asked to close (versionchange) so a newer one can upgrade', async () => {
    const name = fresh();
    let told = 0;
    await open(name, undefined, { onVersionChange: () => told++ });
    const next: Migration[] = [...MIGRATIONS, { to: SCHEMA_VERSION + 1, run() {} }];
    const v2 = await open(name, next);
    expect(v2.version).toBe(SCHEMA_VERSION + 1);
    expect(told).toBe(1);
  });

  test('blocked is reported while a foreign connection holds the old version', async () => {
    const name = fresh();
    const foreign = await openDB(name, SCHEMA_VERSION, {
      upgrade(db, _old, _new, tx) {
        for (const m of MIGRATIONS) m.run(db as never, tx as never);
      },
    });
    let blocked = 0;
    const next: Migration[] = [...MIGRATIONS, { to: SCHEMA_VERSION + 1, run() {} }];
    const pending = open(name, next, {
      onBlocked: () => {
        blocked++;
        foreign.close();
      },
    });
    const db = await pending;
    expect(blocked).toBe(1);
    expect(db.version).toBe(SCHEMA_VERSION + 1);
  });

  test('data written by a newer version is refused with a clear error', async () => {
    const name = fresh();
    const newer = await openDB(name, SCHEMA_VERSION + 5);
    newer.close();
    await expect(openTrustpointDb({ name })).rejects.toMatchObject({ code: 'version', message: expect.stringMatching(/newer version of Trustpoint/) });
    await deleteDB(name);
  });
});
