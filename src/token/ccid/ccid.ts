/**
 * USB CCID (Chip/Smart Card Interface Devices, rev 1.1) framing over a pair of bulk endpoints:
 * PC_to_RDR_IccPowerOn / IccPowerOff / GetSlotStatus / XfrBlock and the RDR_to_PC_DataBlock /
 * SlotStatus answers, with the reader's time extensions (bStatus command status 2: "wait, still
 * working") and chained blocks for APDUs longer than one CCID message (wLevelParameter /
 * bChainParameter, §6.1.4). Readers that exchange TPDUs (they need a T=1 driver on the host) are
 * refused with a clear reason: tokens such as YubiKeys exchange short and extended APDUs.
 */
import { concatBytes } from '../../util/bytes.ts';
import { abortError } from '../../util/errors.ts';
import { TokenError } from '../errors.ts';
import type { ApduTransport } from '../apdu/apdu.ts';

export const MSG = {
  PC_TO_RDR_ICC_POWER_ON: 0x62,
  PC_TO_RDR_ICC_POWER_OFF: 0x63,
  PC_TO_RDR_GET_SLOT_STATUS: 0x65,
  PC_TO_RDR_XFR_BLOCK: 0x6f,
  RDR_TO_PC_DATA_BLOCK: 0x80,
  RDR_TO_PC_SLOT_STATUS: 0x81,
} as const;

/** Slot error register values (CCID §6.2.6) we name in messages. */
export const SLOT_ERROR = { ICC_MUTE: 0xfe, XFR_PARITY_ERROR: 0xfd, HW_ERROR: 0xfb, BAD_ATR_TS: 0xf8, ICC_CLASS_NOT_SUPPORTED: 0xf6, CMD_SLOT_BUSY: 0xe0 } as const;

/** The one pipe a CCID reader is reached through (bulk OUT, bulk IN). */
export interface BulkPipe {
  write(data: Uint8Array): Promise<void>;
  /** One transfer from the bulk IN endpoint (a CCID message may take several). */
  read(): Promise<Uint8Array>;
}

/** The parts of the CCID class descriptor (§5.1) the driver needs. */
export interface CcidDescriptor {
  /** dwFeatures */
  features: number;
  /** dwMaxCCIDMessageLength */
  maxMessageLength: number;
  bMaxSlotIndex: number;
  /** dwProtocols (bit 0 T=0, bit 1 T=1) */
  protocols: number;
}

export type ExchangeLevel = 'character' | 'tpdu' | 'short-apdu' | 'extended-apdu';

export function exchangeLevel(features: number): ExchangeLevel {
  if (features & 0x00040000) return 'extended-apdu';
  if (features & 0x00020000) return 'short-apdu';
  if (features & 0x00010000) return 'tpdu';
  return 'character';
}

const u32 = (b: Uint8Array, o: number) => (b[o]! | (b[o + 1]! << 8) | (b[o + 2]! << 16) | (b[o + 3]! << 24)) >>> 0;

/** Parses a CCID functional descriptor (bDescriptorType 0x21, 54 bytes). */
export function parseCcidDescriptor(d: Uint8Array): CcidDescriptor {
  if (d.length < 0x36 || d[1] !== 0x21) throw new TokenError('protocol', 'ccid: not a CCID class descriptor');
  return { bMaxSlotIndex: d[4]!, protocols: u32(d, 6), features: u32(d, 40), maxMessageLength: u32(d, 44) };
}

/**
 * Finds the CCID descriptor in a configuration descriptor: the class-specific descriptor (0x21)
 * that follows the interface descriptor (0x04) of class 0x0B, number `iface`.
 */
export function findCcidDescriptor(config: Uint8Array, iface: number): CcidDescriptor | undefined {
  let inCcid = false;
  for (let i = 0; i + 1 < config.length; ) {
    const len = config[i]!;
    if (len < 2 || i + len > config.length) break;
    const type = config[i + 1]!;
    if (type === 0x04) inCcid = config[i + 2] === iface && config[i + 5] === 0x0b;
    else if (type === 0x21 && inCcid) return parseCcidDescriptor(config.subarray(i, i + len));
    i += len;
  }
  return undefined;
}

export interface CcidMessage {
  type: number;
  slot: number;
  seq: number;
  /** bStatus (answers) */
  status: number;
  /** bError (answers) */
  error: number;
  /** bChainParameter / bClockStatus (answers) */
  param: number;
  data: Uint8Array;
}

/** A PC_to_RDR message: 10-byte header (bMessageType, dwLength, bSlot, bSeq, 3 specific bytes) and data. */
export function encodeCcid(type: number, slot: number, seq: number, specific: [number, number, number], data: Uint8Array = new Uint8Array(0)): Uint8Array {
  const h = new Uint8Array(10);
  h[0] = type;
  h[1] = data.length & 0xff;
  h[2] = (data.length >> 8) & 0xff;
  h[3] = (data.length >> 16) & 0xff;
  h[4] = (data.length >>> 24) & 0xff;
  h[5] = slot;
  h[6] = seq;
  h.set(specific, 7);
  return concatBytes(h, data);
}

/** Length of the CCID message at the start of `b` (header + dwLength), or undefined if the header is incomplete. */
export function ccidMessageLength(b: Uint8Array): number | undefined {
  return b.length < 10 ? undefined : 10 + u32(b, 1);
}

export function decodeCcid(b: Uint8Array): CcidMessage {
  const n = ccidMessageLength(b);
  if (n === undefined || b.length !== n) throw new TokenError('protocol', `ccid: a message of ${b.length} bytes does not match its length field`);
  return { type: b[0]!, slot: b[5]!, seq: b[6]!, status: b[7]!, error: b[8]!, param: b[9]!, data: b.subarray(10) };
}

/** A CCID reader slot with a card, moving whole APDUs (short or extended APDU level exchange). */
export class CcidReader implements ApduTransport {
  readonly extended: boolean;
  private seq = 0;
  private busy: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly pipe: BulkPipe,
    readonly descriptor: CcidDescriptor,
    private readonly slot = 0,
  ) {
    const level = exchangeLevel(descriptor.features);
    if (level === 'tpdu' || level === 'character')
      throw new TokenError(
        'not-supported',
        `ccid: this reader exchanges ${level === 'tpdu' ? 'TPDUs' : 'characters'} with the card and needs a T=1 protocol driver on the host, which Trustpoint does not implement (tokens such as YubiKeys exchange APDUs)`,
      );
    this.extended = level === 'extended-apdu';
  }

  /** One request and its answer; several callers queue up (CCID allows one command at a time). */
  private exchange(type: number, specific: [number, number, number], data?: Uint8Array, signal?: AbortSignal): Promise<CcidMessage> {
    const run = async () => {
      if (signal?.aborted) throw abortError();
      const seq = this.seq;
      this.seq = (this.seq + 1) & 0xff;
      await this.pipe.write(encodeCcid(type, this.slot, seq, specific, data));
      for (;;) {
        const msg = await this.readMessage();
        if (msg.seq !== seq) throw new TokenError('protocol', `ccid: an answer for sequence ${msg.seq} while waiting for ${seq}`);
        const cmd = msg.status >> 6;
        if (cmd === 2) continue; // time extension: the card is still working (bError = BWT multiplier)
        if ((msg.status & 0x03) === 2) throw new TokenError('not-found', 'ccid: there is no card in the reader');
        if (cmd === 1) throw slotError(msg.error);
        return msg;
      }
    };
    const p = this.busy.then(run, run);
    this.busy = p.catch(() => undefined);
    return p;
  }

  private async readMessage(): Promise<CcidMessage> {
    let buf = await this.pipe.read();
    for (;;) {
      const n = ccidMessageLength(buf);
      if (n !== undefined && buf.length >= n) {
        if (buf.length > n) throw new TokenError('protocol', `ccid: ${buf.length - n} stray bytes after a message`);
        return decodeCcid(buf);
      }
      buf = concatBytes(buf, await this.pipe.read());
    }
  }

  /** Powers the card on; resolves to its ATR. */
  async powerOn(signal?: AbortSignal): Promise<Uint8Array> {
    const m = await this.exchange(MSG.PC_TO_RDR_ICC_POWER_ON, [0, 0, 0], undefined, signal);
    if (m.type !== MSG.RDR_TO_PC_DATA_BLOCK) throw new TokenError('protocol', `ccid: IccPowerOn answered with message type ${m.type.toString(16)}`);
    return m.data.slice();
  }

  async powerOff(): Promise<void> {
    await this.exchange(MSG.PC_TO_RDR_ICC_POWER_OFF, [0, 0, 0]);
  }

  /** Sends one APDU (in blocks when it is longer than a CCID message) and gathers the answer. */
  async transmit(apdu: Uint8Array, signal?: AbortSignal): Promise<Uint8Array> {
    const room = Math.max(this.descriptor.maxMessageLength - 10, 1);
    let m: CcidMessage;
    if (apdu.length <= room) {
      m = await this.exchange(MSG.PC_TO_RDR_XFR_BLOCK, [0, 0, 0], apdu, signal);
    } else {
      if (!this.extended) throw new RangeError(`ccid: an APDU of ${apdu.length} bytes does not fit this reader`);
      let off = 0;
      for (;;) {
        const chunk = apdu.subarray(off, off + room);
        const first = off === 0;
        off += chunk.length;
        const last = off >= apdu.length;
        const level = first ? 0x01 : last ? 0x02 : 0x03;
        m = await this.exchange(MSG.PC_TO_RDR_XFR_BLOCK, [0, level, 0], chunk, signal);
        if (last) break;
        if (m.param !== 0x10) throw new TokenError('protocol', `ccid: the reader did not ask for the next block of a chained APDU (bChainParameter ${m.param})`);
      }
    }
    if (m!.type !== MSG.RDR_TO_PC_DATA_BLOCK) throw new TokenError('protocol', `ccid: XfrBlock answered with message type ${m!.type.toString(16)}`);
    const parts = [m!.data.slice()];
    // the answer in blocks: 01 begins, 03 continues, 02 ends (each further block asked with wLevelParameter 0x10)
    let chain = m!.param;
    while (chain === 0x01 || chain === 0x03) {
      const next = await this.exchange(MSG.PC_TO_RDR_XFR_BLOCK, [0, 0x10, 0], undefined, signal);
      parts.push(next.data.slice());
      chain = next.param;
      if (chain !== 0x02 && chain !== 0x03) throw new TokenError('protocol', `ccid: bad bChainParameter ${chain} in a chained answer`);
    }
    return parts.length === 1 ? parts[0]! : concatBytes(...parts);
  }
}

function slotError(code: number): TokenError {
  switch (code) {
    case SLOT_ERROR.ICC_MUTE:
      return new TokenError('disconnected', 'ccid: the card does not answer (removed, or mute)');
    case SLOT_ERROR.CMD_SLOT_BUSY:
      return new TokenError('busy', 'ccid: the reader is busy with another command');
    case SLOT_ERROR.HW_ERROR:
      return new TokenError('protocol', 'ccid: the reader reports a hardware error');
    default:
      return new TokenError('protocol', `ccid: the reader failed the command (slot error ${code.toString(16).toUpperCase()})`);
  }
}
