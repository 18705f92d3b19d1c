/** demo-ca.json as the app reads it (src/app/demo.ts): good files, malformed ones, the lines it types. */
import { describe, expect, test } from 'vitest';
import { DEMO_TRUSTPOINT, demoBanner, demoLines, parseDemoCa, probeDemoCa } from '../../../src/app/demo.ts';

const FP = '97608F250D5DC627FDEFB59BB96152BCE5FD77AC3AB01F0B80110A2C773B3159';
const good = { available: true, url: 'http://127.0.0.1:18081/scep', fingerprint: FP, challenge: 'lab-secret', caSubject: 'C=DE, O=Peer Lab, OU=SCEP Lab CA' };

describe('parseDemoCa', () => {
  test('a complete file is an available demo CA', () => {
    expect(parseDemoCa(good)).toEqual({ kind: 'available', ca: { url: good.url, fingerprint: FP, challenge: 'lab-secret', caSubject: good.caSubject } });
    expect(parseDemoCa({ ...good, fingerprint: FP.toLowerCase().match(/.{8}/g)!.join(' ') })).toMatchObject({ kind: 'available', ca: { fingerprint: FP } });
  });
  test('unavailable carries its reason', () => {
    expect(parseDemoCa({ available: false, reason: 'needs root' })).toEqual({ kind: 'unavailable', reason: 'needs root' });
    expect(parseDemoCa({ available: false })).toEqual({ kind: 'unavailable', reason: 'no reason given' });
  });
  test.each([
    ['null', null],
    ['a string', 'yes'],
    ['no available flag', { url: good.url, fingerprint: FP }],
    ['a javascript: URL', { ...good, url: 'javascript:alert(1)' }],
    ['a URL with a space', { ...good, url: 'http://a b/' }],
    ['a short fingerprint', { ...good, fingerprint: FP.slice(2) }],
    ['a non-hex fingerprint', { ...good, fingerprint: FP.replace('9', 'Z') }],
    ['a challenge with a newline (would become a second console line)', { ...good, challenge: 'x\nwrite erase' }],
    ['a challenge with a space', { ...good, challenge: 'a b' }],
  ])('%s is no demo', (_n, body) => {
    expect(parseDemoCa(body)).toEqual({ kind: 'none' });
  });
});

test('probeDemoCa: a 404, HTML fallback or network error is no demo', async () => {
  const ok = async () => new Response(JSON.stringify(good), { headers: { 'content-type': 'application/json' } });
  expect((await probeDemoCa(ok as typeof fetch, 'http://127.0.0.1:4173/')).kind).toBe('available');
  const html = async () => new Response('<!doctype html>', { headers: { 'content-type': 'text/html' } });
  expect(await probeDemoCa(html as typeof fetch, 'http://127.0.0.1:4173/')).toEqual({ kind: 'none' });
  const missing = async () => new Response('', { status: 404 });
  expect(await probeDemoCa(missing as typeof fetch, 'http://127.0.0.1:4173/')).toEqual({ kind: 'none' });
  const down = async () => {
    throw new TypeError('Failed to fetch');
  };
  expect(await probeDemoCa(down as typeof fetch, 'http://127.0.0.1:4173/')).toEqual({ kind: 'none' });
});

test('demoLines: configures, authenticates and enrolls without a question; again renews', () => {
  const ca = (parseDemoCa(good) as { kind: 'available'; ca: Parameters<typeof demoLines>[0] }).ca;
  const lines = demoLines(ca, 'kiosk7');
  expect(lines).toEqual([
    'enable',
    'configure terminal',
    `crypto pki trustpoint ${DEMO_TRUSTPOINT}`,
    ' enrollment url http://127.0.0.1:18081/scep',
    ' fingerprint 97608F25 0D5DC627 FDEFB59B B96152BC E5FD77AC 3AB01F0B 80110A2C 773B3159',
    ' password lab-secret',
    ' subject-name CN=kiosk7-demo, O=Trustpoint demo',
    ' serial-number none',
    ' ip-address none',
    ' rsakeypair DEMO 2048',
    ' exit',
    'crypto pki authenticate DEMO',
    'crypto pki enroll DEMO',
    'end',
    'show crypto pki certificates DEMO',
  ]);
  expect(demoLines({ ...ca, challenge: '' }, 'r')).not.toContain(' password ');
  expect(demoLines(ca, 'r', true)).toEqual(['enable', 'configure terminal', 'crypto pki enroll DEMO', 'yes', 'end', 'show crypto pki certificates DEMO']);
});

test('demoBanner: never shows the challenge; silent once the demo trustpoint exists', () => {
  const state = parseDemoCa(good);
  const b = demoBanner(state, false);
  expect(b[0]).toBe('% A demo SCEP CA is running beside this app: C=DE, O=Peer Lab, OU=SCEP Lab CA at http://127.0.0.1:18081/scep');
  expect(b.join('\n')).not.toContain('lab-secret');
  expect(demoBanner(state, true)).toEqual([]);
  expect(demoBanner({ kind: 'none' }, false)).toEqual([]);
  expect(demoBanner({ kind: 'unavailable', reason: 'x' }, false)[0]).toBe('% The demo SCEP CA is not running: x');
});
