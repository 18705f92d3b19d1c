/**
 * The APDU and PIV layers (src/token/apdu, src/token/piv) against a PIV card over PC/SC — the
 * software card of lab/pivcard.sh in Debian's virtual reader (no USB hardware here: no test in
 * this file touches a real token). The card is reached through the product's Web Smart Card API
 * route (openSmartCard) over a navigator.smartCard-shaped shim on the npm `pcsclite` binding, and
 * through raw PC/SC with extended APDUs. Signatures and certificates are checked by node:crypto
 * and OpenSSL, never by our own code.
 */
import { X509Certificate, createPublicKey, verify as nodeVerify } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { loadCore } from '../unit/_core.ts';
import type { CoreApi } from '../../src/core/api.ts';
import { pcsc, type PcscSession } from './_pcsc.ts';
import { startPivCard, type PivCardLab } from './_pivcard.ts';
import { openSmartCard } from '../../src/token/pcsc/web-smartcard.ts';
import { ApduConnection, type ApduTransport } from '../../src/token/apdu/apdu.ts';
import { PivSession } from '../../src/token/piv/session.ts';
import { PivSigner } from '../../src/token/piv/signer.ts';
import { ALGORITHM, DEFAULT_MANAGEMENT_KEY, type KeySlot, type KeyAlgorithm } from '../../src/token/piv/constants.ts';
import { PinError, TokenError } from '../../src/token/errors.ts';
import { pivDepsFromCore } from '../../src/app/tokens.ts';
import { buildSelfSigned } from '../../src/pki/certgen.ts';
import { parseX500Name } from '../../src/pki/names.ts';
import type { KeyInfo } from '../../src/crypto/types.ts';

let lab: PivCardLab;
let pc: PcscSession;
let core: CoreApi;
let work: string;

beforeAll(async () => {
  lab = startPivCard('.lab/i/pivcard/vitest-piv');
  pc = pcsc(lab.socket);
  core = await loadCore();
  work = mkdtempSync(join(tmpdir(), 'tp-piv-'));
}, 30_000);

afterAll(() => {
  pc?.close();
  lab?.stop();
  if (work) rmSync(work, { recursive: true, force: true });
});

async function session(): Promise<PivSession> {
  const t = await openSmartCard(pc.api);
  const s = new PivSession(new ApduConnection(t.transport), pivDepsFromCore(core));
  await s.select();
  return s;
}

/** Raw PC/SC with extended-length APDUs (the software card takes them, as YubiKeys do). */
function extendedSession(): PivSession {
  const t: ApduTransport = { extended: true, transmit: (apdu) => pc.transmit(apdu) };
  return new PivSession(new ApduConnection(t), pivDepsFromCore(core));
}

function signerFor(s: PivSession, slot: KeySlot, alg: KeyAlgorithm, key: KeyInfo, spki: Uint8Array): PivSigner {
  return new PivSigner({ slot, alg, key, spki, name: `slot ${slot.toString(16)}`, session: async () => s, digest: (h, d) => core.digest(h, d) });
}

describe('SP 800-73-4 PIV over PC/SC (software card, no USB hardware)', () => {
  test('SELECT finds the PIV application; CHUID GUID, version and serial are read', async () => {
    const t = await openSmartCard(pc.api);
    const s = new PivSession(new ApduConnection(t.transport), pivDepsFromCore(core));
    const info = await s.select();
    expect(info.label).toBe('Trustpoint software PIV');
    const id = await s.identify();
    expect(id.guid).toMatch(/^[0-9A-F]{32}$/);
    expect(id.version).toBe('5.4.3');
    expect(id.serial).toBeGreaterThan(0);
  });

  test('VERIFY: a wrong PIN gives PinError with the retries left, the right PIN resets the counter', async () => {
    const s = await session();
    expect(await s.pinStatus()).toEqual({ verified: false, retriesLeft: 3 });
    const e = await s.verifyPin('654321').catch((x: unknown) => x);
    expect(e).toBeInstanceOf(PinError);
    expect((e as PinError).retriesLeft).toBe(2);
    expect((await s.pinStatus()).retriesLeft).toBe(2);
    await s.verifyPin('123456');
    expect((await s.pinStatus()).verified).toBe(true);
    await s.logout();
    expect(await s.pinStatus()).toEqual({ verified: false, retriesLeft: 3 });
    await expect(s.verifyPin('12345')).rejects.toThrow(/6 to 8 characters/);
  });

  test('management key: a wrong key is refused (auth), the default 3DES key authenticates (mutual)', async () => {
    const s = await session();
    const wrong = DEFAULT_MANAGEMENT_KEY.slice();
    wrong[0] = wrong[0]! ^ 0xff;
    await expect(s.authenticate(wrong)).rejects.toMatchObject({ code: 'auth' });
    await s.authenticate(DEFAULT_MANAGEMENT_KEY);
    // an AES key for a 3DES card: the card answers that the algorithm is not its key's
    await expect(s.authenticate(DEFAULT_MANAGEMENT_KEY, ALGORITHM.AES192)).rejects.toMatchObject({ code: 'auth' });
  });

  test('GENERATE without the management key is refused', async () => {
    const s = await session();
    await expect(s.generateKey(0x9e, ALGORITHM.ECCP256)).rejects.toMatchObject({ code: 'auth' });
  });

  const cases: { slot: KeySlot; alg: KeyAlgorithm; key: KeyInfo; nodeType: string }[] = [
    { slot: 0x9a, alg: ALGORITHM.RSA2048, key: { kind: 'rsa', bits: 2048 }, nodeType: 'rsa' },
    { slot: 0x9c, alg: ALGORITHM.ECCP256, key: { kind: 'ec', curve: 'P-256' }, nodeType: 'ec' },
    { slot: 0x9d, alg: ALGORITHM.ECCP384, key: { kind: 'ec', curve: 'P-384' }, nodeType: 'ec' },
    { slot: 0x9e, alg: ALGORITHM.RSA2048, key: { kind: 'rsa', bits: 2048 }, nodeType: 'rsa' },
  ];
  for (const c of cases) {
    test(`GENERATE ${c.key.kind === 'rsa' ? 'RSA-2048' : c.key.curve} in slot ${c.slot.toString(16)}; PivSigner signs (host hashes and pads), node:crypto verifies`, async () => {
      const s = await session();
      await s.authenticate(DEFAULT_MANAGEMENT_KEY);
      const { spki, key } = await s.generateKey(c.slot, c.alg);
      expect(key).toEqual(c.key);
      const pub = createPublicKey({ key: Buffer.from(spki), format: 'der', type: 'spki' });
      expect(pub.asymmetricKeyType).toBe(c.nodeType);
      if (c.key.kind === 'ec') expect(pub.asymmetricKeyDetails?.namedCurve).toBe(c.key.curve === 'P-256' ? 'prime256v1' : 'secp384r1');
      else expect(pub.asymmetricKeyDetails?.modulusLength).toBe(2048);
      const signer = signerFor(s, c.slot, c.alg, key, spki);
      const msg = new TextEncoder().encode(`signed in slot ${c.slot.toString(16)}`);
      if (c.slot !== 0x9e) {
        // without the PIN the card refuses (9e, Card Authentication, never asks for it)
        await expect(signer.sign(msg, 'SHA-256')).rejects.toMatchObject({ code: 'login-required' });
        await s.verifyPin('123456');
      }
      for (const hash of ['SHA-256', 'SHA-384', 'SHA-1'] as const) {
        if (c.slot === 0x9c) await s.verifyPin('123456'); // "PIN always": a VERIFY right before each use
        const sig = await signer.sign(msg, hash);
        const ok = nodeVerify(hash.replace('-', '').toLowerCase(), msg, pub, Buffer.from(sig));
        expect(ok, `${hash} signature verifies`).toBe(true);
      }
      if (c.slot === 0x9c) await expect(signer.sign(msg, 'SHA-256')).rejects.toMatchObject({ code: 'login-required' });
    });
  }

  test('a self-signed certificate signed on the card, stored in slot 9a (command chaining), read back, checked by OpenSSL', async () => {
    const s = await session();
    await s.authenticate(DEFAULT_MANAGEMENT_KEY);
    const { spki, key } = await s.generateKey(0x9a, ALGORITHM.RSA2048);
    await s.verifyPin('123456');
    const signer = signerFor(s, 0x9a, ALGORITHM.RSA2048, key, spki);
    const now = Date.now();
    const der = await buildSelfSigned({ subject: parseX500Name('CN=card test, O=Trustpoint'), serial: Uint8Array.of(1, 2, 3), notBefore: new Date(now - 60_000), notAfter: new Date(now + 86_400_000), usage: [] }, signer);
    expect(der.length).toBeGreaterThan(255); // PUT DATA needs command chaining on a short-APDU transport
    await s.authenticate(DEFAULT_MANAGEMENT_KEY);
    await s.writeCertificate(0x9a, der);
    const back = await s.readCertificate(0x9a);
    expect(Buffer.from(back!).equals(Buffer.from(der))).toBe(true);
    const x = new X509Certificate(Buffer.from(back!));
    expect(x.verify(x.publicKey)).toBe(true);
    const pem = join(work, 'self.pem');
    writeFileSync(pem, x.toString());
    expect(execFileSync('openssl', ['verify', '-CAfile', pem, pem], { encoding: 'utf8' })).toContain('OK');
    // the same object through extended APDUs (Le = 65536, no GET RESPONSE)
    const ext = extendedSession();
    await ext.select();
    expect(Buffer.from((await ext.readCertificate(0x9a))!).equals(Buffer.from(der))).toBe(true);
    // the certificate's key is the slot's key: a new signature verifies with it
    await ext.verifyPin('123456');
    const sig = await signerFor(ext, 0x9a, ALGORITHM.RSA2048, key, spki).sign(Uint8Array.of(1, 2, 3), 'SHA-256');
    expect(nodeVerify('sha256', Uint8Array.of(1, 2, 3), x.publicKey, Buffer.from(sig))).toBe(true);
  });

  test('PUT DATA without the management key is refused; an absent object reads as undefined', async () => {
    const s = await session();
    await expect(s.writeCertificate(0x9e, Uint8Array.of(0x30, 0))).rejects.toMatchObject({ code: 'auth' });
    expect(await s.readCertificate(0x9e)).toBeUndefined();
  });
});

describe('token faults over PC/SC (software card pulled and swapped by the lab, no USB hardware)', () => {
  test('token removed mid-operation: the next APDU fails as "disconnected"; after re-insertion a new session works and the key is still there', async () => {
    const s = await session();
    await s.authenticate(DEFAULT_MANAGEMENT_KEY);
    const { spki, key } = await s.generateKey(0x9e, ALGORITHM.ECCP256);
    lab.remove();
    await expect(signerFor(s, 0x9e, ALGORITHM.ECCP256, key, spki).sign(Uint8Array.of(7), 'SHA-256')).rejects.toMatchObject({ code: 'disconnected' });
    await expect(openSmartCard(pc.api)).rejects.toMatchObject({ code: 'not-found' });
    lab.insert();
    const again = await session();
    const sig = await signerFor(again, 0x9e, ALGORITHM.ECCP256, key, spki).sign(Uint8Array.of(7), 'SHA-256');
    expect(nodeVerify('sha256', Uint8Array.of(7), createPublicKey({ key: Buffer.from(spki), format: 'der', type: 'spki' }), Buffer.from(sig))).toBe(true);
  });

  test('a card without a PIV application: SELECT gives no-applet', async () => {
    lab.remove();
    lab.insert({ applet: 'none' });
    try {
      const t = await openSmartCard(pc.api);
      const s = new PivSession(new ApduConnection(t.transport), pivDepsFromCore(core));
      const e = await s.select().catch((x: unknown) => x);
      expect(e).toBeInstanceOf(TokenError);
      expect((e as TokenError).code).toBe('no-applet');
    } finally {
      lab.remove();
      lab.insert();
    }
  });

  test('PIN blocked after three wrong PINs (PinError 0); the PUK unblocks it (RESET RETRY COUNTER)', async () => {
    const s = await session();
    for (const left of [2, 1, 0]) {
      const e = (await s.verifyPin('000000').catch((x: unknown) => x)) as PinError;
      expect(e).toBeInstanceOf(PinError);
      expect(e.retriesLeft).toBe(left);
      expect(e.code).toBe(left ? 'pin' : 'pin-blocked');
    }
    const blocked = (await s.verifyPin('123456').catch((x: unknown) => x)) as PinError;
    expect(blocked.retriesLeft).toBe(0);
    const pad = (p: string) => Uint8Array.from([...new TextEncoder().encode(p), ...new Array(8 - p.length).fill(0xff)]);
    await s.conn.call({ ins: 0x2c, p1: 0, p2: 0x80, data: Uint8Array.from([...pad('12345678'), ...pad('123456')]) }, 'test.unblock');
    await s.verifyPin('123456');
    expect((await s.pinStatus()).verified).toBe(true);
  });
});
