/**
 * ISO 7816-4 command and response APDUs over any transport that moves whole APDUs (a CCID
 * reader, the Web Smart Card API, PC/SC in tests), as a small chain of processors in the manner
 * of yubikit's `SmartCardProtocol`: short or extended encoding, command chaining (CLA bit 0x10)
 * for data that does not fit, response chaining (`61xx` → GET RESPONSE), `6Cxx` (wrong Le) →
 * resend, and status words turned into typed errors by `call`.
 */
import { concatBytes } from '../../util/bytes.ts';
import { abortError } from '../../util/errors.ts';
import { ApduError, SW, TokenError } from '../errors.ts';

/** What moves one command APDU to the card and its response back. */
export interface ApduTransport {
  /** Sends one command APDU; resolves to the response APDU (data ‖ SW1 SW2). */
  transmit(command: Uint8Array, signal?: AbortSignal): Promise<Uint8Array>;
  /** Extended-length APDUs pass this transport (reader and card). */
  readonly extended: boolean;
}

export interface Apdu {
  cla?: number;
  ins: number;
  p1: number;
  p2: number;
  data?: Uint8Array;
  /** Expected response length: omitted = no Le field; 'max' = as much as the encoding allows. */
  le?: number | 'max';
}

export const INS_GET_RESPONSE = 0xc0;

/**
 * Encodes one command APDU (ISO 7816-4 §5.1): short (Lc ≤ 255, Le ≤ 256) or extended
 * (Lc ≤ 65535, Le ≤ 65536, three-byte Lc / two-byte Le).
 */
export function encodeApdu(a: Apdu, extended: boolean): Uint8Array {
  const data = a.data ?? new Uint8Array(0);
  const header = Uint8Array.of(a.cla ?? 0, a.ins, a.p1, a.p2);
  const le = a.le === 'max' ? (extended ? 65536 : 256) : a.le;
  if (le !== undefined && (le < 1 || le > (extended ? 65536 : 256))) throw new RangeError(`apdu: Le ${le} out of range`);
  if (data.length > (extended ? 65535 : 255)) throw new RangeError(`apdu: ${data.length} data bytes do not fit a ${extended ? 'extended' : 'short'} APDU`);
  const ext = extended && (data.length > 255 || (le !== undefined && le > 256));
  if (!ext) {
    const lc = data.length ? Uint8Array.of(data.length) : new Uint8Array(0);
    const l = le !== undefined ? Uint8Array.of(le & 0xff) : new Uint8Array(0);
    return concatBytes(header, lc, data, l);
  }
  const lc = data.length ? Uint8Array.of(0, data.length >> 8, data.length & 0xff) : new Uint8Array(0);
  let l = new Uint8Array(0);
  if (le !== undefined) {
    const v = le & 0xffff; // 65536 → 0000
    l = data.length ? Uint8Array.of(v >> 8, v & 0xff) : Uint8Array.of(0, v >> 8, v & 0xff);
  }
  return concatBytes(header, lc, data, l);
}

/** Splits a response APDU into data and status word. */
export function splitResponse(resp: Uint8Array, op: string): { data: Uint8Array; sw: number } {
  // no answer at all: the card went away under the reader (some stacks report a pulled card so)
  if (resp.length === 0) throw new TokenError('disconnected', `${op}: no answer from the token`);
  if (resp.length < 2) throw new TokenError('protocol', `${op}: the token sent a response of ${resp.length} byte (no status word)`);
  return { data: resp.subarray(0, resp.length - 2), sw: (resp[resp.length - 2]! << 8) | resp[resp.length - 1]! };
}

/** An APDU connection: chaining both ways, status words checked by `call`. */
export class ApduConnection {
  constructor(readonly transport: ApduTransport) {}

  private async raw(a: Apdu, op: string, signal?: AbortSignal): Promise<{ data: Uint8Array; sw: number }> {
    if (signal?.aborted) throw abortError();
    return splitResponse(await this.transport.transmit(encodeApdu(a, this.transport.extended), signal), op);
  }

  /** Sends `a`, chaining as needed; resolves to the whole response data and the final status word. */
  async send(a: Apdu, op: string, signal?: AbortSignal): Promise<{ data: Uint8Array; sw: number }> {
    const data = a.data ?? new Uint8Array(0);
    const cla = a.cla ?? 0;
    let r: { data: Uint8Array; sw: number };
    if (data.length > 255 && !this.transport.extended) {
      // command chaining: all but the last chunk with CLA | 0x10, each answered 9000
      let off = 0;
      for (;;) {
        const chunk = data.subarray(off, off + 255);
        off += chunk.length;
        const last = off >= data.length;
        r = await this.raw({ ...a, cla: last ? cla : cla | 0x10, data: chunk, ...(last ? {} : { le: undefined }) }, op, signal);
        if (last || r.sw !== SW.SUCCESS) break;
      }
    } else {
      r = await this.raw(a, op, signal);
    }
    if ((r!.sw & 0xff00) === 0x6c00) r = await this.raw({ ...a, le: r!.sw & 0xff || 256 }, op, signal);
    const parts = [r!.data];
    while ((r!.sw & 0xff00) === 0x6100) {
      r = await this.raw({ cla: cla & ~0x10, ins: INS_GET_RESPONSE, p1: 0, p2: 0, le: r!.sw & 0xff || 256 }, op, signal);
      parts.push(r.data);
    }
    return { data: parts.length === 1 ? parts[0]! : concatBytes(...parts), sw: r!.sw };
  }

  /** Sends `a`; the response data, or an `ApduError` for any status word but 9000. */
  async call(a: Apdu, op: string, signal?: AbortSignal): Promise<Uint8Array> {
    const r = await this.send(a, op, signal);
    if (r.sw !== SW.SUCCESS) throw new ApduError(op, r.sw);
    return r.data;
  }
}
