/**
 * The pure token layers without any card: BER-TLV, ISO 7816-4 APDU encoding and chaining
 * (against a scripted transport), CCID framing and the CcidReader (against a scripted pipe:
 * time extensions, chained blocks, a pulled card, a TPDU-only reader), the PIV key encodings,
 * and the route detection table. The same layers meet the software card in tests/token/.
 */
import { createPublicKey, generateKeyPairSync, sign as nodeSign, verify as nodeVerify, createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { decodeTlvs, encodeTlv } from '../../../src/token/apdu/tlv.ts';
import { ApduConnection, encodeApdu, type ApduTransport } from '../../../src/token/apdu/apdu.ts';
import { CcidReader, decodeCcid, encodeCcid, findCcidDescriptor, type BulkPipe } from '../../../src/token/ccid/ccid.ts';
import { ecHashInput, pkcs1Pad, spkiFromTemplate } from '../../../src/token/piv/keys.ts';
import { ALGORITHM } from '../../../src/token/piv/constants.ts';
import { tokenRoutes, whyNoToken, type TokenEnvironment } from '../../../src/token/detect.ts';
import { ccidConfigDescriptor } from '../../token/ccid-bridge.ts';
import { TokenError } from '../../../src/token/errors.ts';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const unhex = (s: string) => Uint8Array.from(Buffer.from(s.replace(/\s+/g, ''), 'hex'));

describe('BER-TLV', () => {
  test.each([
    { name: 'short', tag: 0x80, len: 3, want: '8003' },
    { name: '81 form', tag: 0x53, len: 200, want: '5381c8' },
    { name: '82 form', tag: 0x70, len: 1000, want: '708203e8' },
    { name: 'two-byte tag', tag: 0x7f49, len: 2, want: '7f4902' },
    { name: 'three-byte tag', tag: 0x5fc105, len: 0, want: '5fc10500' },
  ])('encode $name', ({ tag, len, want }) => {
    expect(hex(encodeTlv(tag, new Uint8Array(len))).startsWith(want)).toBe(true);
  });

  test('round trip of any sequence of TLVs', () => {
    fc.assert(
      fc.property(fc.array(fc.record({ tag: fc.constantFrom(0x53, 0x70, 0x7c, 0x81, 0x82, 0x7f49, 0x5fc105), value: fc.uint8Array({ maxLength: 700 }) }), { maxLength: 5 }), (items) => {
        const enc = Uint8Array.from(items.flatMap((i) => Array.from(encodeTlv(i.tag, i.value))));
        const dec = decodeTlvs(enc);
        expect(dec.map((d) => [d.tag, hex(d.value)])).toEqual(items.map((i) => [i.tag, hex(i.value)]));
      }),
    );
  });

  test.each([
    { name: 'value past the end', data: '5305aabb', want: /runs past the end/ },
    { name: 'truncated length', data: '5381', want: /truncated length/ },
    { name: 'length form 83', data: '5383000001aa', want: /length form 83/ },
    { name: 'truncated tag', data: '5f', want: /truncated tag/ },
  ])('refuses $name', ({ data, want }) => {
    expect(() => decodeTlvs(unhex(data))).toThrow(want);
  });
});

describe('ISO 7816-4 APDUs', () => {
  test.each([
    { name: 'case 1', a: { ins: 0x20, p1: 0, p2: 0x80 }, ext: false, want: '00200080' },
    { name: 'case 2 short, Le 256', a: { ins: 0xcb, p1: 0x3f, p2: 0xff, le: 256 }, ext: false, want: '00cb3fff00' },
    { name: 'case 3 short', a: { ins: 0x20, p1: 0, p2: 0x80, data: unhex('3132') }, ext: false, want: '00200080023132' },
    { name: 'case 4 short, max', a: { ins: 0xa4, p1: 4, p2: 0, data: unhex('a0'), le: 'max' as const }, ext: false, want: '00a4040001a000' },
    { name: 'case 2 extended, Le 65536', a: { ins: 0xcb, p1: 0x3f, p2: 0xff, le: 'max' as const }, ext: true, want: '00cb3fff000000' },
    { name: 'case 4 extended', a: { ins: 0xdb, p1: 0x3f, p2: 0xff, data: new Uint8Array(300), le: 'max' as const }, ext: true, want: `00db3fff00012c${'00'.repeat(300)}0000` },
    { name: 'case 4, short when it fits', a: { ins: 0x87, p1: 7, p2: 0x9a, data: unhex('7c00'), le: 256 }, ext: true, want: '0087079a027c0000' },
  ])('$name', ({ a, ext, want }) => {
    expect(hex(encodeApdu(a, ext))).toBe(want);
  });

  /** A card that takes chained commands and answers `answer` in 61xx pieces. */
  function scriptedCard(answer: Uint8Array, opts: { extended: boolean; wrongLeOnce?: boolean }) {
    const seen: Uint8Array[] = [];
    let rest: Uint8Array | undefined;
    let assembled: number[] = [];
    let wrongLe = !!opts.wrongLeOnce;
    const t: ApduTransport = {
      extended: opts.extended,
      async transmit(cmd) {
        seen.push(cmd);
        if (cmd[1] === 0xc0) {
          const chunk = rest!.subarray(0, 256);
          rest = rest!.subarray(chunk.length);
          return Uint8Array.from([...chunk, rest.length ? 0x61 : 0x90, rest.length ? Math.min(rest.length, 255) : 0]);
        }
        const short = !(cmd.length > 5 && cmd[4] === 0 && opts.extended);
        const lc = short ? (cmd.length > 5 ? cmd[4]! : 0) : (cmd[5]! << 8) | cmd[6]!;
        const data = short ? cmd.subarray(5, 5 + lc) : cmd.subarray(7, 7 + lc);
        assembled.push(...data);
        if (cmd[0]! & 0x10) return Uint8Array.of(0x90, 0x00);
        if (wrongLe) {
          wrongLe = false;
          return Uint8Array.of(0x6c, 0x10);
        }
        const total = Uint8Array.from(assembled);
        assembled = [];
        const out = Uint8Array.from([...answer, ...total.subarray(0, 4)]);
        if (out.length <= 256 || opts.extended) return Uint8Array.from([...out, 0x90, 0x00]);
        rest = out.subarray(256);
        return Uint8Array.from([...out.subarray(0, 256), 0x61, Math.min(rest.length, 255)]);
      },
    };
    return { t, seen, assembledLengths: () => assembled.length };
  }

  test('command chaining (short transport) reassembles any payload; response chaining (61xx) gathers any answer', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: 1200 }), fc.integer({ min: 0, max: 900 }), async (n, m) => {
        const data = Uint8Array.from({ length: n }, (_, i) => i & 0xff);
        const answer = Uint8Array.from({ length: m }, (_, i) => (i * 7) & 0xff);
        const card = scriptedCard(answer, { extended: false });
        const r = await new ApduConnection(card.t).send({ ins: 0xdb, p1: 0x3f, p2: 0xff, data, le: 256 }, 'test');
        expect(r.sw).toBe(0x9000);
        expect(hex(r.data)).toBe(hex(Uint8Array.from([...answer, ...data.subarray(0, 4)])));
        const commands = card.seen.filter((c) => c[1] === 0xdb);
        expect(commands.length).toBe(Math.max(1, Math.ceil(n / 255)));
        commands.forEach((c, i) => expect(c[0]! & 0x10, `chunk ${i}`).toBe(i < commands.length - 1 ? 0x10 : 0));
      }),
      { numRuns: 60 },
    );
  });

  test('extended transport: one APDU for long data; 6Cxx resends with the card\'s Le', async () => {
    const card = scriptedCard(unhex('0102'), { extended: true, wrongLeOnce: true });
    const r = await new ApduConnection(card.t).send({ ins: 0xdb, p1: 0x3f, p2: 0xff, data: new Uint8Array(1000), le: 256 }, 'test');
    expect(r.sw).toBe(0x9000);
    expect(card.seen).toHaveLength(2);
    expect(card.seen[1]![card.seen[1]!.length - 1]).toBe(0x10);
  });

  test('call() turns a status word into an ApduError with its text', async () => {
    const t: ApduTransport = { extended: false, transmit: async () => Uint8Array.of(0x6a, 0x82) };
    await expect(new ApduConnection(t).call({ ins: 0xcb, p1: 0x3f, p2: 0xff }, 'piv.getData')).rejects.toThrow('piv.getData: the token answered 6A82 (file or application not found)');
  });
});

describe('USB CCID', () => {
  test('the fake reader\'s configuration descriptor parses: extended APDU level, 271-byte messages', () => {
    const d = findCcidDescriptor(Uint8Array.from(ccidConfigDescriptor()), 0)!;
    expect(d).toMatchObject({ maxMessageLength: 271, bMaxSlotIndex: 0, protocols: 2 });
    expect(d.features & 0x00040000).toBeTruthy();
    expect(findCcidDescriptor(Uint8Array.from(ccidConfigDescriptor()), 1)).toBeUndefined();
  });

  test('PC_to_RDR_XfrBlock framing', () => {
    expect(hex(encodeCcid(0x6f, 0, 7, [0, 1, 0], unhex('00a40400')))).toBe('6f04000000000700010000a40400');
    const m = decodeCcid(unhex('80 0200 0000 00 07 00 00 00 9000'));
    expect(m).toMatchObject({ type: 0x80, seq: 7, status: 0, param: 0 });
    expect(hex(m.data)).toBe('9000');
    expect(() => decodeCcid(unhex('80 0500 0000 00 07 00 00 00 9000'))).toThrow(/does not match/);
  });

  /** A pipe whose answers are given per request, split into 64-byte IN transfers. */
  function pipe(answer: (req: Uint8Array) => number[][]): BulkPipe & { sent: Uint8Array[] } {
    const q: Uint8Array[] = [];
    const sent: Uint8Array[] = [];
    return {
      sent,
      async write(d) {
        sent.push(d);
        for (const msg of answer(d)) for (let i = 0; i < msg.length; i += 64) q.push(Uint8Array.from(msg.slice(i, i + 64)));
      },
      async read() {
        const c = q.shift();
        if (!c) throw new Error('nothing to read');
        return c;
      },
    };
  }
  const msg = (type: number, seq: number, status: number, error: number, param: number, data: number[] = []) => [type, data.length & 0xff, data.length >> 8, 0, 0, 0, seq, status, error, param, ...data];
  const ext = { features: 0x000400fe, maxMessageLength: 271, bMaxSlotIndex: 0, protocols: 2 };

  test('time extensions are waited through; a long answer arrives in chained blocks; a long command leaves in chained blocks', async () => {
    const answer = Array.from({ length: 600 }, (_, i) => i & 0xff);
    const p = pipe((req) => {
      const seq = req[6]!;
      const level = req[8]! | (req[9]! << 8);
      if (level === 0x01 || level === 0x03) return [msg(0x80, seq, 0, 0, 0x10)];
      if (level === 0x10) {
        const i = p.sent.filter((s) => (s[8]! | (s[9]! << 8)) === 0x10).length;
        return i === 1 ? [msg(0x80, seq, 0, 0, 0x03, answer.slice(261, 522))] : [msg(0x80, seq, 0, 0, 0x02, answer.slice(522))];
      }
      return [msg(0x80, seq, 0x80, 1, 0), msg(0x80, seq, 0x80, 1, 0), msg(0x80, seq, 0, 0, 0x01, answer.slice(0, 261))];
    });
    const r = new CcidReader(p, ext);
    const out = await r.transmit(new Uint8Array(700));
    expect(Array.from(out)).toEqual(answer);
    const levels = p.sent.map((s) => s[8]! | (s[9]! << 8));
    expect(levels).toEqual([0x01, 0x03, 0x02, 0x10, 0x10]);
    expect(p.sent.map((s) => s[6])).toEqual([0, 1, 2, 3, 4]);
  });

  test.each([
    { name: 'no card in the reader', status: 0x42, error: 0x00, code: 'not-found' },
    { name: 'card mute (pulled out)', status: 0x40, error: 0xfe, code: 'disconnected' },
    { name: 'slot busy', status: 0x40, error: 0xe0, code: 'busy' },
  ])('a failed XfrBlock: $name → $code', async ({ status, error, code }) => {
    const r = new CcidReader(pipe((req) => [msg(0x80, req[6]!, status, error, 0)]), ext);
    await expect(r.transmit(unhex('00a40400'))).rejects.toMatchObject({ code });
  });

  test('an answer for another sequence number, and a TPDU-only reader, are refused', async () => {
    const r = new CcidReader(pipe(() => [msg(0x80, 9, 0, 0, 0, [0x90, 0])]), ext);
    await expect(r.transmit(unhex('00a40400'))).rejects.toThrow(/sequence 9/);
    expect(() => new CcidReader(pipe(() => []), { ...ext, features: 0x000100fe })).toThrow(/TPDUs/);
  });
});

describe('PIV key encodings', () => {
  test('RSA and EC public key templates become SPKIs node:crypto reads', () => {
    const { publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const jwk = publicKey.export({ format: 'jwk' });
    const n = Buffer.from(jwk.n!, 'base64url');
    const e = Buffer.from(jwk.e!, 'base64url');
    const tpl = encodeTlv(0x7f49, Uint8Array.from([...encodeTlv(0x81, n), ...encodeTlv(0x82, e)]));
    const spki = spkiFromTemplate(ALGORITHM.RSA2048, tpl);
    expect(createPublicKey({ key: Buffer.from(spki), format: 'der', type: 'spki' }).export({ format: 'jwk' })).toEqual(jwk);
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-384' }).publicKey;
    const point = ec.export({ format: 'der', type: 'spki' }).subarray(-97);
    const ecSpki = spkiFromTemplate(ALGORITHM.ECCP384, encodeTlv(0x7f49, encodeTlv(0x86, point)));
    expect(Buffer.from(ecSpki).equals(ec.export({ format: 'der', type: 'spki' }))).toBe(true);
    expect(() => spkiFromTemplate(ALGORITHM.ECCP256, encodeTlv(0x7f49, encodeTlv(0x86, point)))).toThrow(TokenError);
  });

  test('host padding + raw RSA = the RSASSA-PKCS1-v1_5 signature node:crypto makes', () => {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const msg = Buffer.from('pad me');
    for (const h of ['SHA-1', 'SHA-256', 'SHA-384', 'SHA-512'] as const) {
      const digest = createHash(h.replace('-', '').toLowerCase()).update(msg).digest();
      const em = pkcs1Pad(h, digest, 256);
      // the raw private operation the card would do (RSA_NO_PADDING), here by node
      const jwk = privateKey.export({ format: 'jwk' });
      const nB = BigInt('0x' + Buffer.from(jwk.n!, 'base64url').toString('hex'));
      const dB = BigInt('0x' + Buffer.from(jwk.d!, 'base64url').toString('hex'));
      let r = 1n, b = BigInt('0x' + hex(em)) % nB, x = dB;
      while (x > 0n) { if (x & 1n) r = (r * b) % nB; b = (b * b) % nB; x >>= 1n; }
      const sig = Buffer.from(r.toString(16).padStart(512, '0'), 'hex');
      expect(sig.equals(nodeSign(h.replace('-', '').toLowerCase(), msg, privateKey))).toBe(true);
      expect(nodeVerify(h.replace('-', '').toLowerCase(), msg, publicKey, sig)).toBe(true);
    }
  });

  test('ECDSA input: the leftmost field bytes of a long hash, a short hash left-padded', () => {
    expect(hex(ecHashInput(new Uint8Array(48).fill(1), 'P-256'))).toBe('01'.repeat(32));
    expect(hex(ecHashInput(new Uint8Array(32).fill(2), 'P-384'))).toBe('00'.repeat(16) + '02'.repeat(32));
  });
});

describe('token routes (capability detection)', () => {
  const base: TokenEnvironment = { isolatedApp: false, secureContext: true, webUsb: true, usbUnrestricted: false, smartCardApi: false, origin: 'https://tp.example', platform: 'Linux' };
  test.each([
    { name: 'plain https PWA in Chromium', env: {}, usb: false, sc: false, why: /plain web page/ },
    { name: 'no WebUSB (Firefox)', env: { webUsb: false }, usb: false, sc: false, why: /no WebUSB/ },
    { name: 'plain http page', env: { webUsb: false, secureContext: false, origin: 'http://tp.lan' }, usb: false, sc: false, why: /secure context/ },
    { name: 'IWA without usb-unrestricted', env: { isolatedApp: true }, usb: false, sc: false, why: /not granted "usb-unrestricted"/ },
    { name: 'IWA with usb-unrestricted', env: { isolatedApp: true, usbUnrestricted: true }, usb: true, sc: false, why: undefined },
    { name: 'IWA on ChromeOS with the Smart Card API', env: { isolatedApp: true, smartCardApi: true, platform: 'Chrome OS' }, usb: false, sc: true, why: undefined },
  ])('$name', ({ env, usb, sc, why }) => {
    const e = { ...base, ...env };
    const [u, s] = tokenRoutes(e);
    expect(u!.available).toBe(usb);
    expect(s!.available).toBe(sc);
    if (why) expect(u!.reason).toMatch(why);
    const text = whyNoToken(e);
    if (usb || sc) expect(text).toBe('');
    else expect(text).toMatch(/Install the Trustpoint Isolated Web App/);
    if (e.platform === 'Linux' && !usb && e.webUsb && !e.isolatedApp) expect(u!.needs.join(' ')).toMatch(/pcscd stopped/);
  });
});
