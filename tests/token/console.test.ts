/**
 * The token commands in a headless console (the same CliSession the app runs) against the
 * software PIV card of lab/pivcard.sh over PC/SC, reached through the app's Web Smart Card route
 * (a navigator.smartCard-shaped shim over the npm pcsclite binding, tests/token/_pcsc.ts).
 * No USB hardware: the faults (token removed, no token, wrong applet, PIN blocked) are made by
 * pulling the software card out of the virtual reader or inserting a card without PIV.
 * Each fault must give its own `%` line, leave the stored keys and configuration unchanged, and
 * the next command must work again.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createPublicKey, verify as nodeVerify, X509Certificate } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { harness, type Harness } from '../unit/cli/_harness.ts';
import { pcsc, type PcscSession } from './_pcsc.ts';
import { startPivCard, type PivCardLab } from './_pivcard.ts';

let lab: PivCardLab;
let pc: PcscSession;
let h: Harness;
const g = globalThis as unknown as { navigator?: { smartCard?: unknown } };
let hadNavigator = false;

beforeAll(async () => {
  lab = startPivCard('.lab/i/pivcard/vitest-console');
  pc = pcsc(lab.socket);
  hadNavigator = 'navigator' in globalThis;
  if (!hadNavigator) g.navigator = {};
  Object.defineProperty(g.navigator!, 'smartCard', { value: pc.api, configurable: true });
  h = await harness({ privileged: true });
  await h.run('configure terminal\nhostname tokrouter\nip domain-name example.com\nend');
}, 60_000);

afterAll(() => {
  if (g.navigator) delete (g.navigator as { smartCard?: unknown }).smartCard;
  if (!hadNavigator) delete g.navigator;
  pc?.close();
  lab?.stop();
});

async function keySnapshot(): Promise<string> {
  const list = await h.app.keys.list();
  return JSON.stringify(list.map((k) => [k.label, k.usage, k.holder, k.slot, Buffer.from(k.spki).toString('hex')]).sort());
}

/** Waits until the card has received an APDU with INS `ins` (from its log). */
async function cardSaw(insHex: string, after: number): Promise<void> {
  const log = join(lab.dir, 'logs', 'card.log');
  for (let i = 0; i < 200; i++) {
    if (existsSync(log)) {
      const lines = readFileSync(log, 'utf8').split('\n').slice(after);
      if (lines.some((l) => new RegExp(`pivcard > 00${insHex}`, 'i').test(l))) return;
    }
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`the card never received INS ${insHex}`);
}
const logLines = () => (existsSync(join(lab.dir, 'logs', 'card.log')) ? readFileSync(join(lab.dir, 'logs', 'card.log'), 'utf8').split('\n').length - 1 : 0);

describe('console: crypto pki token, keys on usbtoken0: (software card over PC/SC, no USB hardware)', () => {
  test('show crypto pki token: the routes this environment offers and why not', async () => {
    const out = await h.run('show crypto pki token');
    expect(out).toContain('WebUSB (CCID reader / token): not available');
    expect(out).toMatch(/this browser has no WebUSB|WebUSB needs a secure context/);
    expect(out).toContain('Web Smart Card API (PC/SC): not available');
    expect(out).toContain('only Isolated Web Apps may use it');
    expect(out).toContain('Token usbtoken0: not connected');
  });

  test('login: a wrong PIN is counted (retries shown), never echoed or kept; the right PIN logs in', async () => {
    const bad = await h.run('crypto pki token usbtoken0: login\n999999');
    expect(bad).toContain('Enter PIN: ');
    expect(bad).not.toContain('999999');
    expect(bad).toContain('%CRYPTO-3-TOKENLOGINFAILED: Cryptographic Token usbtoken0: Login FAILED');
    expect(bad).toContain('% Wrong PIN for usbtoken0: 2 tries left before the PIN is blocked.');
    const good = await h.run('crypto pki token usbtoken0: login\n123456');
    expect(good).not.toContain('123456');
    expect(good).toContain('%CRYPTO-6-TOKENLOGIN: Cryptographic Token usbtoken0: Login Successful');
    expect(h.session.history.join('\n')).not.toMatch(/999999|123456/);
    expect(h.session.scrollback).not.toMatch(/999999|123456/);
    const show = await h.run('show crypto pki token usbtoken0:');
    expect(show).toContain('Application: PIV (Trustpoint software PIV), firmware 5.4.3');
    expect(show).toContain('PIN: logged in');
  });

  test('crypto key generate rsa ... on usbtoken0: makes the key in slot 9a; show crypto key and dir say where it is', async () => {
    const out = await h.run('configure terminal\ncrypto key generate rsa label tok1 modulus 2048 on usbtoken0:\nend');
    expect(out).toContain('The name for the keys will be: tok1');
    expect(out).toContain('% Generating 2048 bit RSA keys, keys will be on-token, non-exportable...');
    expect(out).toMatch(/\[OK\] \(elapsed time was \d+ seconds\)/);
    const [rec] = await h.app.keys.byLabel('tok1');
    expect(rec).toMatchObject({ holder: 'token', device: 'usbtoken0:', slot: '9a', kind: 'rsa', bits: 2048, exportable: false });
    expect(rec!.privateKey).toBeUndefined();
    expect(rec!.wrapped).toBeUndefined();
    expect(createPublicKey({ key: Buffer.from(rec!.spki), format: 'der', type: 'spki' }).asymmetricKeyDetails?.modulusLength).toBe(2048);
    const show = await h.run('show crypto key mypubkey rsa tok1');
    expect(show).toContain('Key name: tok1');
    expect(show).toContain('Key storage: usbtoken0: (PIV slot 9a; generated on the token, the private key never leaves it)');
    const dir = await h.run('dir usbtoken0:');
    expect(dir).toContain('Directory of usbtoken0:/');
    expect(dir).toMatch(/9a\.key\s+RSA 2048 key "tok1" \(PIV Authentication/);
    // EC keys go to the next free slot; "exportable" is refused for token keys
    expect(await h.run('configure terminal\ncrypto key generate ec keysize 384 label tok2 on usbtoken0:\nend')).toContain('keys will be on-token, non-exportable');
    expect((await h.app.keys.byLabel('tok2'))[0]).toMatchObject({ slot: '9d', curve: 'P-384' });
    expect(await h.run('configure terminal\ncrypto key generate rsa label tok3 modulus 2048 exportable on usbtoken0:\nend')).toContain('"exportable" cannot be used with "on usbtoken0:"');
    expect(await h.run('configure terminal\ncrypto key generate rsa label tok3 modulus 3072 on usbtoken0:\nend')).toContain('% A PIV token holds RSA 1024/2048 and EC P-256/P-384 keys');
    expect(await h.app.keys.byLabel('tok3')).toHaveLength(0);
  });

  test('a trustpoint with the key on the token: the self-signed certificate is signed on the card (checked by node:crypto)', async () => {
    const out = await h.run(['configure terminal', 'crypto pki trustpoint selftok', ' enrollment selfsigned', ' rsakeypair tok1', ' on usbtoken0:', ' serial-number none', ' ip-address none', ' exit', 'crypto pki enroll selftok', 'yes', 'end'].join('\n'));
    expect(out, out).not.toMatch(/% (Token|No token|Internal)/);
    const cert = h.app.running.chains.get('selftok')?.certificates.find((c) => c.kind === 'self-signed');
    expect(cert, out).toBeDefined();
    const x = new X509Certificate(Buffer.from(cert!.der));
    const [rec] = await h.app.keys.byLabel('tok1');
    expect(x.publicKey.export({ format: 'der', type: 'spki' }).equals(Buffer.from(rec!.spki))).toBe(true);
    expect(x.verify(x.publicKey)).toBe(true);
    expect(h.app.runningText()).toContain(' on usbtoken0:');
    // as after any enrollment, the certificate also goes into the slot's certificate object
    expect(out).toContain('% Certificate written to usbtoken0: slot 9a (PIV Authentication).');
    expect(await h.run('dir usbtoken0:')).toMatch(/9a\.crt\s+certificate object 5FC105/);
  });

  test('crypto key zeroize of a token key destroys it on the card: the slot signs with another key and its certificate object is gone', async () => {
    const [rec] = await h.app.keys.byLabel('tok2');
    expect(rec).toMatchObject({ holder: 'token', slot: '9d' });
    // a certificate in the slot's object, as an enrollment leaves it (the self-signed one of selftok will do)
    const der = h.app.running.chains.get('selftok')!.certificates.find((c) => c.kind === 'self-signed')!.der;
    const io = { interactive: false, signal: new AbortController().signal, print: () => undefined, ask: () => Promise.reject(new Error('no questions')), confirm: async () => false };
    await h.app.tokens.writeCertificate(io, rec!, der);
    expect(await h.run('dir usbtoken0:')).toMatch(/9d\.crt\s+certificate object 5FC10B/);
    // a signer taken before, straight from the token service (not wiped by zeroize): it reaches the card after
    const before = h.app.tokens.signer(rec!);
    const sig = await before.sign(Uint8Array.of(7), 'SHA-384');
    expect(nodeVerify('sha384', Uint8Array.of(7), createPublicKey({ key: Buffer.from(rec!.spki), format: 'der', type: 'spki' }), Buffer.from(sig))).toBe(true);
    const out = await h.run('configure terminal\ncrypto key zeroize ec tok2\nyes\nend');
    expect(out).toContain("% Keys to be removed are named 'tok2'.");
    expect(out).toContain('% Key tok2 erased from usbtoken0: slot 9d (overwritten by a throwaway key; the slot\'s certificate deleted).');
    expect(await h.app.keys.byLabel('tok2')).toHaveLength(0);
    const dir = await h.run('dir usbtoken0:');
    expect(dir).not.toContain('9d.crt');
    expect(dir).not.toContain('tok2');
    // the card's key in 9d is another one now: the old public key no longer verifies what it signs
    const e = await before.sign(Uint8Array.of(7), 'SHA-384').catch((x: unknown) => x as Error);
    expect(e).toBeInstanceOf(Error);
    expect((e as Error).message).toContain('the slot\'s key was replaced');
    // tok1 (9a) is untouched and still signs
    const [t1] = await h.app.keys.byLabel('tok1');
    const s1 = await (await h.app.keys.signer(t1!)).sign(Uint8Array.of(1), 'SHA-256');
    expect(nodeVerify('sha256', Uint8Array.of(1), createPublicKey({ key: Buffer.from(t1!.spki), format: 'der', type: 'spki' }), Buffer.from(s1))).toBe(true);
  });

  test('crypto key zeroize with the token out: the key leaves the configuration and the line says it stays on the card', async () => {
    expect(await h.run('configure terminal\ncrypto key generate ec keysize 256 label tok6 on usbtoken0:\nend')).toContain('keys will be on-token');
    const [rec] = await h.app.keys.byLabel('tok6');
    lab.remove();
    h.app.tokens.forget();
    const out = await h.run('configure terminal\ncrypto key zeroize ec tok6\nyes\nend');
    expect(out).toContain(`% Warning: key tok6 could not be erased from usbtoken0: slot ${rec!.slot}`);
    expect(out).toContain('its private key stays on the token until that slot is overwritten');
    expect(await h.app.keys.byLabel('tok6')).toHaveLength(0);
    lab.insert();
    expect(await h.run('crypto pki token usbtoken0: login\n123456')).toContain('Login Successful');
  });

  test('fault: not logged in — signing is refused with a clear line, nothing stored changes', async () => {
    await h.run('crypto pki token usbtoken0: logout');
    const before = await keySnapshot();
    const cfg = h.app.runningText();
    const out = await h.run('configure terminal\ncrypto pki enroll selftok\nyes\nyes\nend');
    expect(out, out).toContain('% Token usbtoken0: is not logged in');
    expect(out).toContain('"crypto pki token usbtoken0: login" first');
    expect(await keySnapshot()).toBe(before);
    expect(h.app.runningText()).toBe(cfg);
  });

  test('fault: no token — a clear line; the key store and configuration are unchanged; after insertion the session works again', async () => {
    lab.remove();
    const before = await keySnapshot();
    const cfg = h.app.runningText();
    const out = await h.run('configure terminal\ncrypto key generate ec keysize 256 label tok4 on usbtoken0:\nend');
    expect(out).toMatch(/% No token in usbtoken0:|% Token usbtoken0: was removed/);
    expect(await keySnapshot()).toBe(before);
    expect(h.app.runningText()).toBe(cfg);
    lab.insert();
    const again = await h.run('crypto pki token usbtoken0: login\n123456');
    expect(again).toContain('Login Successful');
  });

  test('fault: token removed during key generation — "removed" line, no key stored, the next command reconnects', async () => {
    const before = await keySnapshot();
    const mark = logLines();
    const from = h.session.scrollback.length;
    h.session.paste('configure terminal\ncrypto key generate rsa label tok5 modulus 2048 on usbtoken0:\nend');
    await cardSaw('47', mark);
    lab.remove();
    for (let i = 0; i < 500 && !(h.session.isIdle() && h.session.scrollback.slice(from).includes('(config)#end')); i++) await new Promise((r) => setTimeout(r, 20));
    const out = h.session.scrollback.slice(from);
    expect(out).toMatch(/% Token usbtoken0: was removed or stopped answering during the operation .*nothing was stored/);
    expect(await keySnapshot()).toBe(before);
    lab.insert();
    expect(await h.run('crypto pki token usbtoken0: login\n123456')).toContain('Login Successful');
    // the key made before the removal still signs (it lives on the card)
    const [rec] = await h.app.keys.byLabel('tok1');
    const signer = await h.app.keys.signer(rec!);
    const sig = await signer.sign(Uint8Array.of(1, 2, 3), 'SHA-256');
    expect(nodeVerify('sha256', Uint8Array.of(1, 2, 3), createPublicKey({ key: Buffer.from(rec!.spki), format: 'der', type: 'spki' }), Buffer.from(sig))).toBe(true);
  });

  test('fault: another token (a card without PIV) — "no PIV application"; keys unchanged; the PIV card works again after', async () => {
    const before = await keySnapshot();
    lab.remove();
    lab.insert({ applet: 'none' });
    h.app.tokens.forget();
    const out = await h.run('crypto pki token usbtoken0: login');
    expect(out).toContain('% The token in usbtoken0: has no PIV application');
    expect(await keySnapshot()).toBe(before);
    lab.remove();
    lab.insert();
    expect(await h.run('crypto pki token usbtoken0: login\n123456')).toContain('Login Successful');
  });

  test('fault: a swapped token (same slot, another card) — the signature check refuses it', async () => {
    lab.renew(); // a new card: other keys, other CHUID
    h.app.tokens.forget();
    await h.run('crypto pki token usbtoken0: login\n123456');
    const [rec] = await h.app.keys.byLabel('tok1');
    const e = await (await h.app.keys.signer(rec!)).sign(Uint8Array.of(1), 'SHA-256').catch((x: unknown) => x as Error);
    expect((e as Error).message).toContain('is not the one tok1 was generated on');
  });

  test('fault: PIN blocked after the retries — locked-out line with what to do; nothing changes', async () => {
    const before = await keySnapshot();
    await h.run('crypto pki token usbtoken0: logout');
    await h.run('crypto pki token usbtoken0: login\n000000');
    await h.run('crypto pki token usbtoken0: login\n000000');
    const third = await h.run('crypto pki token usbtoken0: login\n000000');
    expect(third).toContain('%CRYPTO-3-TOKENLOCKEDOUT: Cryptographic Token usbtoken0: PIN locked due to too many unsuccessful login attempts');
    expect(third).toContain('unblock it with the PUK');
    const fourth = await h.run('crypto pki token usbtoken0: login');
    expect(fourth).toContain('PIN locked');
    expect(fourth).not.toContain('Enter PIN');
    expect(await keySnapshot()).toBe(before);
  });
});
