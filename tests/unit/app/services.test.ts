/**
 * The GUI's facade (src/app/services.ts) headless: the editor's plan validates with the
 * console grammar and saves exactly what typing writes; redaction of password slots however
 * abbreviated; the desk's CSV reader; the kiosk PIN is stored only as a PBKDF2 hash; progress
 * events reach an Interaction that listens.
 */
import { describe, expect, test } from 'vitest';
import { harness } from '../cli/_harness.ts';
import {
  checkKioskPin,
  deleteTrustpoint,
  listTrustpoints,
  onCommands,
  parseDeskRows,
  planTrustpoint,
  redactCommand,
  saveTrustpoint,
  setKioskPin,
  trustpointFields,
  type CommandRecord,
  type Interaction,
  type ProgressEvent,
} from '../../../src/app/services.ts';

function io(answers: string[] = []): Interaction & { printed: string[]; events: ProgressEvent[] } {
  const printed: string[] = [];
  const events: ProgressEvent[] = [];
  return {
    interactive: true,
    signal: new AbortController().signal,
    printed,
    events,
    print: (l) => printed.push(l),
    ask: async () => answers.shift() ?? 'no',
    confirm: async () => (answers.shift() ?? 'no') === 'yes',
    progress: (e) => events.push(e),
  };
}

describe('redactCommand', () => {
  test.each([
    [' password lab-secret', ' password *****'],
    [' pass SuperSecret1', ' pass *****'],
    [' pa Export-Secret-1', ' pa *****'],
    ['crypto pki export T pkcs12 tftp://x/T.p12 aes password Hunter2 x', 'crypto pki export T pkcs12 tftp://x/T.p12 aes password *****'],
    [' password 7 0822455D0A16', ' password *****'],
    [' subject-name CN=passage', ' subject-name CN=passage'],
    [' enrollment acme https://ca.example/dir eab kid-1 c2VjcmV0', ' enrollment acme https://ca.example/dir eab kid-1 *****'],
    [' enrollment acme https://ca.example/dir eab kid-1 7 0822455D0A16', ' enrollment acme https://ca.example/dir eab kid-1 *****'],
  ])('%s', (line, want) => expect(redactCommand(line)).toBe(want));
});

describe('trustpoint editor plan', () => {
  test('errors come from the grammar, field by field', async () => {
    const h = await harness({ privileged: true });
    const f = { ...trustpointFields(h.app), name: 'T1', url: 'http://ca/scep', keyLabel: 'k1', keySize: '9999', retryCount: '0', fingerprint: 'XYZ', autoEnroll: true, autoEnrollPercent: '5' };
    const p = await planTrustpoint(h.app, f);
    expect(p.ok).toBe(false);
    expect(Object.keys(p.errors).sort()).toEqual(['autoEnrollPercent', 'fingerprint', 'keySize', 'retryCount']);
    expect(p.errors.fingerprint).toContain('% Invalid fingerprint');
    expect((await planTrustpoint(h.app, { ...f, name: 'bad name!' })).errors.name).toMatch(/^%/);
  });

  test('saving equals typing, and an edit is a set of "no" lines', async () => {
    const h = await harness({ privileged: true });
    const records: CommandRecord[] = [];
    onCommands(h.app, (c) => records.push(c));
    const f = { ...trustpointFields(h.app), name: 'T2', url: 'http://ca.example/scep', subjectName: 'CN=t2, O=x', password: 's3cret', keyLabel: 'k2', keySize: '2048', usage: ['ike', 'ssl-server'], serialNumber: 'none' };
    const plan = await saveTrustpoint(h.app, io(), f);
    expect(plan.ok).toBe(true);
    const gui = await h.run('show running-config');
    const typed = await harness({ privileged: true });
    await typed.run(['configure terminal', 'crypto pki trustpoint T2', ' enrollment url http://ca.example/scep', ' subject-name CN=t2, O=x', ' password s3cret', ' rsakeypair k2 2048', ' usage ike ssl-server', ' serial-number none', 'end'].join('\n'));
    const cut = (t: string) => t.slice(t.indexOf('crypto pki trustpoint T2'), t.indexOf('!', t.indexOf('crypto pki trustpoint T2')));
    expect(cut(gui)).toBe(cut(await typed.run('show running-config')));
    expect(records.at(-1)!.lines).toContain(' password *****');
    expect(records.at(-1)!.lines.join('\n')).not.toContain('s3cret');
    // NVRAM was in sync, so the GUI saved it (as IOS does after a change it makes itself)
    expect(records.at(-1)!.lines.at(-1)).toBe('write memory');
    expect((await h.app.startup())!.text).toContain('crypto pki trustpoint T2');
    const edit = await planTrustpoint(h.app, { ...trustpointFields(h.app, 'T2'), subjectName: '', usage: ['ike'] }, 'T2');
    expect(edit.commands).toEqual(['configure terminal', 'crypto pki trustpoint T2', ' no subject-name CN=t2, O=x', ' no usage ike ssl-server', ' usage ike', 'end']);
  });

  test('ACME: the editor writes what typing writes, the EAB key never in the commands', async () => {
    const h = await harness({ privileged: true });
    const records: CommandRecord[] = [];
    onCommands(h.app, (c) => records.push(c));
    const f = { ...trustpointFields(h.app), name: 'A1', method: 'acme', url: 'https://acme.example/directory', acmeChallenge: 'http-01', eabKid: 'kid-1', eabKey: 'c2VjcmV0LWtleS1mb3ItZWFi' };
    expect((await saveTrustpoint(h.app, io(), f)).ok).toBe(true);
    const typed = await harness({ privileged: true });
    await typed.run('configure terminal\ncrypto pki trustpoint A1\n enrollment acme https://acme.example/directory challenge http-01 eab kid-1 c2VjcmV0LWtleS1mb3ItZWFi\nend');
    const cut = (t: string) => t.slice(t.indexOf('crypto pki trustpoint A1'), t.indexOf('!', t.indexOf('crypto pki trustpoint A1')));
    expect(cut(await h.run('show running-config'))).toBe(cut(await typed.run('show running-config')));
    expect(records.at(-1)!.lines.join('\n')).not.toContain('c2VjcmV0LWtleS1mb3ItZWFi');
    // editing another field leaves the enrollment line alone
    const edit = await planTrustpoint(h.app, { ...trustpointFields(h.app, 'A1'), subjectName: 'CN=a1' }, 'A1');
    expect(edit.commands).toEqual(['configure terminal', 'crypto pki trustpoint A1', ' subject-name CN=a1', 'end']);
  });

  test('delete asks when certificates would go', async () => {
    const h = await harness({ privileged: true });
    await h.run('configure terminal\ncrypto pki trustpoint T3\n enrollment terminal\nend');
    await deleteTrustpoint(h.app, io(), 'T3');
    expect(listTrustpoints(h.app)).toEqual([]);
  });
});

describe('parseDeskRows', () => {
  test('names one per line', () => {
    expect(parseDeskRows('a1\n\nb-2\n# comment\n')).toEqual({ rows: [{ name: 'a1' }, { name: 'b-2' }], errors: [] });
  });
  test('CSV with a header, quotes and SANs', () => {
    const r = parseDeskRows('name,subject,subject-alt-names,challenge\nd1,"CN=d1, O=Org ""X""",d1.example.com d1@example.com,ch1\nd2,,,');
    expect(r.errors).toEqual([]);
    expect(r.rows).toEqual([{ name: 'd1', subject: 'CN=d1, O=Org "X"', san: ['d1.example.com', 'd1@example.com'], challenge: 'ch1' }, { name: 'd2' }]);
  });
  test('bad and duplicate names are reported with their line', () => {
    expect(parseDeskRows('ok\nno good\nok').errors).toEqual(['line 2: "no good" is not a device name (letters, digits, . _ - @; up to 64)', 'line 3: ok is listed twice']);
  });
});

test('the kiosk PIN is stored only as a PBKDF2 hash', async () => {
  const h = await harness({ privileged: true });
  await expect(setKioskPin(h.app, '12')).rejects.toThrow('4 to 12 digits');
  await setKioskPin(h.app, '731905');
  const rec = await h.app.meta.get<{ salt: number[]; iterations: number; hash: number[] }>('kiosk-pin');
  expect(JSON.stringify(rec)).not.toContain('731905');
  expect(rec!.iterations).toBeGreaterThanOrEqual(100_000);
  expect(rec!.hash).toHaveLength(32);
  expect(await checkKioskPin(h.app, '731905')).toBe(true);
  expect(await checkKioskPin(h.app, '731906')).toBe(false);
});

test('progress events: key generation from a workflow reaches the Interaction', async () => {
  const h = await harness({ privileged: true });
  await h.run('configure terminal\ncrypto pki trustpoint S\n enrollment selfsigned\n rsakeypair S 1024\n serial-number none\n ip-address none\nend');
  const { enroll } = await import('../../../src/app/services.ts');
  const i = io(['yes']);
  await enroll(h.app, i, 'S');
  expect(i.events.map((e) => e.stage)).toEqual(['keygen', 'keygen']);
  expect(i.events[0]).toMatchObject({ stage: 'keygen', label: 'S', done: false });
  expect((i.events[0] as { algorithm: string }).algorithm).toContain('1024');
  expect(i.printed).toContain('Router Self Signed Certificate successfully created');
});
