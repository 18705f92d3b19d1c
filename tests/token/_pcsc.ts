/**
 * PC/SC from Node (the npm `pcsclite` binding over Debian's libpcsclite) to the software PIV card
 * of lab/pivcard.sh, and a Web-Smart-Card-API-shaped shim over it: `navigator.smartCard` has the
 * PC/SC model (context → readers → connection → transmit), so the product's Web Smart Card
 * route (src/token/pcsc/web-smartcard.ts) runs unchanged against a real PC/SC card in Node.
 * PC/SC error codes are mapped to the API's response codes as Chromium maps them.
 *
 * There is no USB hardware on the test machines: the card is software, the reader virtual.
 */
import { createRequire } from 'node:module';
import type { SmartCardResourceManagerLike } from '../../src/token/pcsc/web-smartcard.ts';

const require = createRequire(import.meta.url);

interface NativeReader {
  name: string;
  connected: boolean;
  state: number;
  SCARD_SHARE_SHARED: number;
  SCARD_PROTOCOL_T1: number;
  SCARD_LEAVE_CARD: number;
  SCARD_RESET_CARD: number;
  SCARD_STATE_PRESENT: number;
  on(ev: 'status', fn: (s: { state: number; atr?: Buffer }) => void): void;
  on(ev: 'error' | 'end', fn: (e?: Error) => void): void;
  connect(opts: { share_mode: number; protocol: number }, cb: (err: Error | null, protocol: number) => void): void;
  disconnect(disposition: number, cb: (err: Error | null) => void): void;
  transmit(data: Buffer, resLen: number, protocol: number, cb: (err: Error | null, data: Buffer) => void): void;
  close(): void;
}
interface NativePcsc {
  on(ev: 'reader', fn: (r: NativeReader) => void): void;
  on(ev: 'error', fn: (e: Error) => void): void;
  close(): void;
}

/** Loads the binding; a missing build is a test failure with the reason (scripts/test.sh installs it). */
export function loadPcsclite(): () => NativePcsc {
  try {
    return require('pcsclite') as () => NativePcsc;
  } catch (e) {
    throw new Error(`the npm PC/SC binding "pcsclite" is not built (needs libpcsclite-dev, python3, make, g++; scripts/test.sh installs them): ${(e as Error).message}`);
  }
}

/** PC/SC error code (0x801000xx) of a binding error, if its message carries one. */
function pcscCode(e: Error): number | undefined {
  if (/not connected/i.test(e.message)) return 0x80100069; // the binding's own "Card Reader not connected": the card was pulled
  const m = /\(0x([0-9a-f]{8})\)/i.exec(e.message);
  return m ? parseInt(m[1]!, 16) : undefined;
}

/** As Chromium's SmartCardResponseCode values. */
function responseCode(code: number | undefined): string {
  switch (code) {
    case 0x80100069:
      return 'removed-card';
    case 0x80100068:
      return 'reset-card';
    case 0x8010000c:
      return 'no-smartcard';
    case 0x8010000b:
      return 'sharing-violation';
    case 0x80100017:
      return 'reader-unavailable';
    case 0x80100009:
      return 'unknown-reader';
    case 0x8010002e:
      return 'no-readers-available';
    default:
      return 'unknown-error';
  }
}

class SmartCardError extends Error {
  constructor(
    readonly responseCode: string,
    message: string,
  ) {
    super(message);
    this.name = 'SmartCardError';
  }
}

export interface PcscSession {
  /** the shim, to pass to openSmartCard() */
  api: SmartCardResourceManagerLike;
  /** raw APDU exchange on one shared connection (for the CCID bridge) */
  transmit(apdu: Uint8Array): Promise<Uint8Array>;
  atr(): Promise<Uint8Array>;
  /** drops the raw connection (the next transmit reconnects) */
  reset(): Promise<void>;
  close(): void;
}

/**
 * PC/SC through the pcscd whose socket is `socket` (PCSCLITE_CSOCK_NAME must point there before
 * the first context is made, so this sets it for the process).
 */
export function pcsc(socket: string): PcscSession {
  process.env.PCSCLITE_CSOCK_NAME = socket;
  const p = loadPcsclite()();
  const readers = new Map<string, NativeReader>();
  const status = new Map<string, { state: number; atr?: Buffer }>();
  const everPresent = new Set<string>();
  const waiters: (() => void)[] = [];
  p.on('error', () => undefined);
  p.on('reader', (r) => {
    readers.set(r.name, r);
    r.on('error', () => undefined);
    r.on('end', () => readers.delete(r.name));
    r.on('status', (s) => {
      status.set(r.name, s);
      if (s.state & r.SCARD_STATE_PRESENT) everPresent.add(r.name);
      for (const w of waiters.splice(0)) w();
    });
    for (const w of waiters.splice(0)) w();
  });
  const until = async (ok: () => boolean, what: string, ms = 5000) => {
    const end = Date.now() + ms;
    while (!ok()) {
      if (Date.now() > end) throw new Error(`pcsc: timed out waiting for ${what}`);
      await new Promise<void>((res) => {
        waiters.push(res);
        setTimeout(res, 50);
      });
    }
  };
  const present = (name: string) => {
    const r = readers.get(name);
    const s = status.get(name);
    return !!r && !!s && (s.state & r.SCARD_STATE_PRESENT) !== 0;
  };
  const connect = (r: NativeReader) =>
    new Promise<number>((res, rej) => r.connect({ share_mode: r.SCARD_SHARE_SHARED, protocol: r.SCARD_PROTOCOL_T1 }, (err, proto) => (err ? rej(new SmartCardError(responseCode(pcscCode(err)), err.message)) : res(proto))));
  const transmit = (r: NativeReader, proto: number, apdu: Uint8Array) =>
    new Promise<Uint8Array>((res, rej) =>
      r.transmit(Buffer.from(apdu), 65538, proto, (err, data) => (err ? rej(new SmartCardError(responseCode(pcscCode(err)), err.message)) : res(new Uint8Array(data)))),
    );
  const disconnectOnce = (r: NativeReader, disposition: number) => new Promise<boolean>((res) => (r.connected ? r.disconnect(disposition, (err) => res(!err)) : res(true)));
  /** Drops the connection; a handle whose card was pulled cannot be disconnected cleanly, so it is abandoned. */
  const disconnect = async (r: NativeReader, reset = false) => {
    if (await disconnectOnce(r, reset ? r.SCARD_RESET_CARD : r.SCARD_LEAVE_CARD)) return;
    if (await disconnectOnce(r, r.SCARD_LEAVE_CARD)) return;
    (r as { connected: boolean }).connected = false;
  };
  const protocols = new Map<string, number>();
  /** The reader's one connection: `fresh` resets the card first (a new session starts clean). */
  const ensure = async (name: string, fresh: boolean): Promise<number> => {
    const r = readers.get(name);
    if (!r) throw new SmartCardError('unknown-reader', `no reader ${name}`);
    // pcscd polls the virtual reader (~0.4 s): a reader that had a card may get it back any moment;
    // one that never had a card (the second virtual slot) answers at once
    if (everPresent.has(name) || !status.has(name)) await until(() => present(name), `a card in ${name}`, 1500).catch(() => undefined);
    if (!present(name)) throw new SmartCardError('no-smartcard', `no card in ${name}`);
    if (fresh || !r.connected || !protocols.has(name)) {
      await disconnect(r, fresh);
      protocols.set(name, await connect(r));
    }
    return protocols.get(name)!;
  };
  const send = async (name: string, apdu: Uint8Array): Promise<Uint8Array> => {
    const r = readers.get(name);
    if (!r) throw new SmartCardError('reader-unavailable', `no reader ${name}`);
    try {
      return await transmit(r, protocols.get(name) ?? r.SCARD_PROTOCOL_T1, apdu);
    } catch (e) {
      protocols.delete(name);
      await disconnect(r).catch(() => undefined);
      throw e;
    }
  };

  const api: SmartCardResourceManagerLike = {
    async establishContext() {
      return {
        async listReaders() {
          await until(() => readers.size > 0, 'a reader').catch(() => undefined);
          return [...readers.keys()];
        },
        async connect(name) {
          await ensure(name, true);
          return {
            activeProtocol: 't1' as const,
            connection: {
              async transmit(send_: BufferSource) {
                const b = send_ instanceof Uint8Array ? send_ : new Uint8Array(send_ as ArrayBuffer);
                const out = await send(name, b);
                return out.buffer.slice(out.byteOffset, out.byteOffset + out.byteLength) as ArrayBuffer;
              },
              disconnect: async () => undefined,
            },
          };
        },
      };
    },
  };

  const main = 'Virtual PCD 00 00';
  return {
    api,
    async transmit(apdu) {
      await until(() => readers.has(main), 'the virtual reader');
      await ensure(main, false);
      return send(main, apdu);
    },
    async atr() {
      await until(() => present(main), 'a card in the reader');
      return new Uint8Array(status.get(main)!.atr ?? []);
    },
    async reset() {
      const r = readers.get(main);
      protocols.delete(main);
      if (r) await disconnect(r, true);
    },
    close() {
      for (const r of readers.values()) {
        try {
          r.close();
        } catch {
          /* closed */
        }
      }
      p.close();
    },
  };
}
