/**
 * A CCID reader in Node whose card is the software PIV card over PC/SC: the Chromium e2e tests
 * inject a fake `USBDevice` at `navigator.usb` (tests/token/fake-usb.ts) whose bulk transfers
 * come here (page.exposeBinding), so the app's WebUSB → CCID → APDU → PIV stack runs unchanged
 * and every APDU answer is the card's, not canned. There is no USB hardware on the test machines.
 *
 * The reader side is ours (a test double of the USB reader), and it exercises what a real
 * reader does to the driver: extended-APDU-level exchange with a 271-byte dwMaxCCIDMessageLength
 * (so long commands and answers travel in chained blocks, wLevelParameter / bChainParameter),
 * time extensions before slow commands (GENERATE, GENERAL AUTHENTICATE), IN transfers of at
 * most one 64-byte packet each, and "no card" / "card mute" answers when the card is pulled.
 */
import type { PcscSession } from './_pcsc.ts';

export const MAX_MESSAGE = 271;
const PACKET = 64;

function header(type: number, len: number, slot: number, seq: number, b7: number, b8: number, b9: number): number[] {
  return [type, len & 0xff, (len >> 8) & 0xff, (len >> 16) & 0xff, (len >>> 24) & 0xff, slot, seq, b7, b8, b9];
}

export interface BridgeStats {
  xfr: number;
  timeExtensions: number;
  chainedCommands: number;
  chainedAnswers: number;
  inTransfers: number;
}

export class CcidBridge {
  /** queued RDR_to_PC messages (each leaves in its own IN transfers, as a real reader sends them) */
  private out: number[][] = [];
  private pendingCmd: number[] = [];
  private answerRest: number[] = [];
  readonly stats: BridgeStats = { xfr: 0, timeExtensions: 0, chainedCommands: 0, chainedAnswers: 0, inTransfers: 0 };
  /** the APDU INS bytes seen (for assertions; never the data) */
  readonly instructions: number[] = [];

  constructor(private readonly card: PcscSession) {}

  private queue(msg: number[]): void {
    this.out.push(msg);
  }

  private dataBlock(seq: number, data: number[], status = 0, error = 0, chain = 0): void {
    this.queue([...header(0x80, data.length, 0, seq, status, error, chain), ...data]);
  }

  /** One PC_to_RDR message from the driver. */
  async write(bytes: Uint8Array): Promise<void> {
    const m = Array.from(bytes);
    if (m.length < 10) throw new Error(`ccid-bridge: a ${m.length}-byte message`);
    const [type, , , , , slot, seq] = m as [number, number, number, number, number, number, number];
    const data = m.slice(10);
    if (slot !== 0) return this.queue(header(0x81, 0, slot, seq, 0x42, 0x05, 0)); // bad slot
    switch (type) {
      case 0x62: {
        // IccPowerOn
        try {
          const atr = await this.card.atr();
          await this.card.reset();
          this.dataBlock(seq, Array.from(atr));
        } catch {
          this.queue(header(0x80, 0, 0, seq, 0x42, 0xfe, 0)); // failed, no ICC, ICC_MUTE
        }
        return;
      }
      case 0x63: // IccPowerOff
        return this.queue(header(0x81, 0, 0, seq, 0x01, 0, 0));
      case 0x65: // GetSlotStatus
        return this.queue(header(0x81, 0, 0, seq, 0x00, 0, 0));
      case 0x6f: {
        this.stats.xfr++;
        const level = m[8]! | (m[9]! << 8);
        if (level === 0x10) return this.nextAnswerBlock(seq);
        if (level === 0x01 || level === 0x03) {
          this.stats.chainedCommands += level === 0x01 ? 1 : 0;
          this.pendingCmd.push(...data);
          return this.dataBlock(seq, [], 0, 0, 0x10); // send the next block
        }
        const apdu = level === 0x02 ? [...this.pendingCmd, ...data] : data;
        this.pendingCmd = [];
        const ins = apdu[1] ?? 0;
        this.instructions.push(ins);
        if (ins === 0x47 || ins === 0x87) {
          // a slow command: the reader asks the host to wait (bStatus 0x80, bError = BWT multiplier)
          this.stats.timeExtensions++;
          this.queue(header(0x80, 0, 0, seq, 0x80, 0x01, 0));
        }
        let resp: number[];
        try {
          resp = Array.from(await this.card.transmit(Uint8Array.from(apdu)));
        } catch {
          return this.queue(header(0x80, 0, 0, seq, 0x42, 0xfe, 0)); // the card went away: failed, no ICC, mute
        }
        const room = MAX_MESSAGE - 10;
        if (resp.length <= room) return this.dataBlock(seq, resp);
        this.stats.chainedAnswers++;
        this.answerRest = resp.slice(room);
        return this.dataBlock(seq, resp.slice(0, room), 0, 0, 0x01);
      }
      default:
        return this.queue(header(0x81, 0, 0, seq, 0x40, 0x00, 0)); // command not supported
    }
  }

  private nextAnswerBlock(seq: number): void {
    const room = MAX_MESSAGE - 10;
    const chunk = this.answerRest.slice(0, room);
    this.answerRest = this.answerRest.slice(room);
    this.dataBlock(seq, chunk, 0, 0, this.answerRest.length ? 0x03 : 0x02);
  }

  /**
   * One bulk IN transfer: at most one 64-byte packet of the message being sent (a message ends
   * with a short packet, so one transfer never carries parts of two messages).
   */
  read(maxLen: number): Uint8Array {
    this.stats.inTransfers++;
    const msg = this.out[0];
    if (!msg) return new Uint8Array(0);
    const part = msg.splice(0, Math.min(maxLen, PACKET));
    if (!msg.length) this.out.shift();
    return Uint8Array.from(part);
  }

  pending(): number {
    return this.out.reduce((n, m) => n + m.length, 0);
  }
}

/** The configuration descriptor the fake device reports: one CCID interface, bulk IN 1 / OUT 2. */
export function ccidConfigDescriptor(): number[] {
  const u32 = (v: number) => [v & 0xff, (v >> 8) & 0xff, (v >> 16) & 0xff, (v >>> 24) & 0xff];
  const ccid = [
    0x36, 0x21, 0x10, 0x01, 0x00, // bLength, CCID class descriptor, bcdCCID 1.10, bMaxSlotIndex 0
    0x07, // bVoltageSupport
    ...u32(0x00000002), // dwProtocols: T=1
    ...u32(4000), ...u32(4000), // default/maximum clock
    0x00, // bNumClockSupported
    ...u32(9600), ...u32(625000), // data rates
    0x00, // bNumDataRatesSupported
    ...u32(254), // dwMaxIFSD
    ...u32(0), // dwSynchProtocols
    ...u32(0), // dwMechanical
    ...u32(0x000400fe), // dwFeatures: automatic parameters ... + short and extended APDU level exchange
    ...u32(MAX_MESSAGE), // dwMaxCCIDMessageLength
    0xff, 0xff, // bClassGetResponse, bClassEnvelope
    0x00, 0x00, // wLcdLayout
    0x00, // bPINSupport
    0x01, // bMaxCCIDBusySlots
  ];
  const iface = [0x09, 0x04, 0x00, 0x00, 0x02, 0x0b, 0x00, 0x00, 0x00];
  const epIn = [0x07, 0x05, 0x81, 0x02, PACKET, 0x00, 0x00];
  const epOut = [0x07, 0x05, 0x02, 0x02, PACKET, 0x00, 0x00];
  const body = [...iface, ...ccid, ...epIn, ...epOut];
  const total = 9 + body.length;
  return [0x09, 0x02, total & 0xff, total >> 8, 0x01, 0x01, 0x00, 0x80, 0x32, ...body];
}
