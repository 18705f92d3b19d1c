/**
 * The Web Smart Card API (`navigator.smartCard`, WICG): PC/SC for Isolated Web Apps. Where it
 * exists (today: ChromeOS, in IWAs with the `smart-card` permission) it is the cleanest route —
 * the platform's reader drivers move the APDUs, so any PC/SC reader works, not only CCID ones.
 * The only module that touches `navigator.smartCard`.
 */
import { TokenError } from '../errors.ts';
import type { ApduTransport } from '../apdu/apdu.ts';

/** The parts of the API this module uses (no published TypeScript types yet). */
export interface SmartCardConnectionLike {
  transmit(send: BufferSource, options?: { protocol?: 't0' | 't1' | 'raw' }): Promise<ArrayBuffer>;
  disconnect(disposition?: 'leave' | 'reset' | 'unpower' | 'eject'): Promise<void>;
}
export interface SmartCardContextLike {
  listReaders(): Promise<string[]>;
  connect(reader: string, accessMode: 'shared' | 'exclusive' | 'direct', options?: { preferredProtocols?: ('t0' | 't1' | 'raw')[] }): Promise<{ connection: SmartCardConnectionLike; activeProtocol?: 't0' | 't1' | 'raw' }>;
}
export interface SmartCardResourceManagerLike {
  establishContext(): Promise<SmartCardContextLike>;
}

export function smartCardApi(): SmartCardResourceManagerLike | undefined {
  const n = typeof navigator !== 'undefined' ? (navigator as unknown as { smartCard?: SmartCardResourceManagerLike }) : undefined;
  return n?.smartCard ?? undefined;
}

function failure(e: unknown, op: string): TokenError {
  if (e instanceof TokenError) return e;
  const code = (e as { responseCode?: string }).responseCode ?? (e as { name?: string }).name;
  switch (code) {
    case 'no-smartcard':
    case 'no-readers-available':
    case 'unknown-reader':
      return new TokenError('not-found', `smartcard.${op}: no token in a reader (${code})`, { cause: e });
    case 'removed-card':
    case 'reset-card':
    case 'reader-unavailable':
      return new TokenError('disconnected', `smartcard.${op}: the token was removed (${code})`, { cause: e });
    case 'sharing-violation':
      return new TokenError('busy', `smartcard.${op}: another program holds the token (${code})`, { cause: e });
    case 'NotAllowedError':
    case 'SecurityError':
      return new TokenError('not-supported', `smartcard.${op}: the page may not use smart cards (the Web Smart Card API is for Isolated Web Apps with the "smart-card" permission)`, { cause: e });
    default:
      return new TokenError('protocol', `smartcard.${op}: ${(e as Error).message ?? String(e)}`, { cause: e });
  }
}

export interface SmartCardToken {
  reader: string;
  transport: ApduTransport;
  close(): Promise<void>;
}

/** Connects to the first reader with a card (or `readerName`). */
export async function openSmartCard(api: SmartCardResourceManagerLike, readerName?: string): Promise<SmartCardToken> {
  let ctx: SmartCardContextLike;
  let readers: string[];
  try {
    ctx = await api.establishContext();
    readers = await ctx.listReaders();
  } catch (e) {
    throw failure(e, 'listReaders');
  }
  const candidates = readerName ? readers.filter((r) => r === readerName) : readers;
  if (!candidates.length) throw new TokenError('not-found', 'smartcard.connect: no smart-card reader is connected');
  let lastError: unknown;
  for (const reader of candidates) {
    try {
      const { connection, activeProtocol } = await ctx.connect(reader, 'shared', { preferredProtocols: ['t1', 't0'] });
      const protocol = activeProtocol === 't0' || activeProtocol === 't1' ? activeProtocol : undefined;
      const transport: ApduTransport = {
        // PC/SC readers differ in extended-APDU support: chaining works everywhere PIV does.
        extended: false,
        async transmit(apdu) {
          try {
            return new Uint8Array(await connection.transmit(apdu as Uint8Array<ArrayBuffer>, protocol ? { protocol } : undefined));
          } catch (e) {
            throw failure(e, 'transmit');
          }
        },
      };
      return { reader, transport, close: () => connection.disconnect('leave').catch(() => undefined) };
    } catch (e) {
      lastError = e;
    }
  }
  throw failure(lastError, 'connect');
}
