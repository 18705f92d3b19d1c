/**
 * WebUSB → CCID: the only module that touches `navigator.usb`. Finds the smart-card interface
 * (class 0x0B) of a USB device, claims it, reads the CCID class descriptor from the
 * configuration descriptor and gives a `CcidReader` over its bulk endpoints.
 *
 * Chromium protects interface class 0x0B (and blocklists YubiKeys) for ordinary pages: only an
 * Isolated Web App with the `usb-unrestricted` permission may claim it (Chromium 128+). A page
 * that tries anyway gets a SecurityError from `claimInterface`, which is explained here.
 */
import { TokenError } from '../errors.ts';
import { CcidReader, findCcidDescriptor, type BulkPipe, type CcidDescriptor } from '../ccid/ccid.ts';

export const USB_CLASS_SMART_CARD = 0x0b;

/** Why a page cannot reach USB smart cards, in one sentence (used by several messages). */
export const IWA_REASON =
  'Chromium reserves USB smart-card readers and tokens (interface class 0x0B; YubiKeys are also on its WebUSB blocklist) for installed Isolated Web Apps with the "usb-unrestricted" permission';

export interface CcidInterface {
  configurationValue: number;
  interfaceNumber: number;
  alternateSetting: number;
  bulkIn: number;
  bulkOut: number;
  packetSize: number;
}

/** The first CCID interface of a device (class 0x0B with a bulk IN and a bulk OUT endpoint). */
export function findCcidInterface(device: USBDevice): CcidInterface | undefined {
  for (const conf of device.configurations ?? []) {
    for (const iface of conf.interfaces) {
      for (const alt of iface.alternates) {
        if (alt.interfaceClass !== USB_CLASS_SMART_CARD) continue;
        const bin = alt.endpoints.find((e) => e.type === 'bulk' && e.direction === 'in');
        const bout = alt.endpoints.find((e) => e.type === 'bulk' && e.direction === 'out');
        if (bin && bout)
          return {
            configurationValue: conf.configurationValue,
            interfaceNumber: iface.interfaceNumber,
            alternateSetting: alt.alternateSetting,
            bulkIn: bin.endpointNumber,
            bulkOut: bout.endpointNumber,
            packetSize: bin.packetSize || 64,
          };
      }
    }
  }
  return undefined;
}

export function webUsbAvailable(): boolean {
  return typeof navigator !== 'undefined' && 'usb' in navigator && !!navigator.usb;
}

/** Devices this origin was already granted that have a CCID interface. */
export async function grantedCcidDevices(): Promise<USBDevice[]> {
  if (!webUsbAvailable()) return [];
  return (await navigator.usb.getDevices()).filter((d) => findCcidInterface(d));
}

/** Asks the user to pick a CCID device (needs a user gesture: a click or a key press). */
export async function requestCcidDevice(): Promise<USBDevice> {
  if (!webUsbAvailable()) throw new TokenError('not-supported', 'usb: this browser has no WebUSB');
  try {
    return await navigator.usb.requestDevice({ filters: [{ classCode: USB_CLASS_SMART_CARD }] });
  } catch (e) {
    const name = (e as { name?: string }).name;
    if (name === 'NotFoundError') throw new TokenError('not-found', 'usb: no token was chosen (or none is plugged in)', { cause: e });
    if (name === 'SecurityError') throw new TokenError('not-found', 'usb: the browser asks for the device only after a click or key press: use "Connect token" in the Tokens view', { cause: e });
    throw new TokenError('not-supported', `usb: ${(e as Error).message}`, { cause: e });
  }
}

function usbFailure(e: unknown, op: string): TokenError {
  if (e instanceof TokenError) return e;
  const name = (e as { name?: string }).name;
  if (name === 'NotFoundError' || name === 'NetworkError' || name === 'AbortError' || name === 'InvalidStateError')
    return new TokenError('disconnected', `usb.${op}: the token was disconnected (${(e as Error).message})`, { cause: e });
  if (name === 'SecurityError') return new TokenError('not-supported', `usb.${op}: ${IWA_REASON}; this page is not one`, { cause: e });
  return new TokenError('protocol', `usb.${op}: ${(e as Error).message}`, { cause: e });
}

/** Reads the configuration descriptor (GET_DESCRIPTOR, standard device request). */
async function configDescriptor(device: USBDevice, index: number): Promise<Uint8Array | undefined> {
  const get = async (len: number) => {
    const r = await device.controlTransferIn({ requestType: 'standard', recipient: 'device', request: 0x06, value: 0x0200 | index, index: 0 }, len);
    return r.status === 'ok' && r.data ? new Uint8Array(r.data.buffer, r.data.byteOffset, r.data.byteLength) : undefined;
  };
  const head = await get(9);
  if (!head || head.length < 4) return undefined;
  return get(head[2]! | (head[3]! << 8));
}

export interface WebUsbToken {
  device: USBDevice;
  reader: CcidReader;
  atr: Uint8Array;
  close(): Promise<void>;
}

/** Opens a CCID device, claims its interface and powers the card on. */
export async function openCcidDevice(device: USBDevice): Promise<WebUsbToken> {
  const iface = findCcidInterface(device);
  if (!iface) throw new TokenError('not-found', `usb: ${device.productName ?? 'the device'} has no smart-card (CCID) interface`);
  try {
    if (!device.opened) await device.open();
    if (device.configuration?.configurationValue !== iface.configurationValue) await device.selectConfiguration(iface.configurationValue);
    await device.claimInterface(iface.interfaceNumber);
    if (iface.alternateSetting) await device.selectAlternateInterface(iface.interfaceNumber, iface.alternateSetting);
  } catch (e) {
    throw usbFailure(e, 'open');
  }
  let desc: CcidDescriptor | undefined;
  try {
    const confIndex = Math.max(0, (device.configurations ?? []).findIndex((c) => c.configurationValue === iface.configurationValue));
    const raw = await configDescriptor(device, confIndex);
    desc = raw ? findCcidDescriptor(raw, iface.interfaceNumber) : undefined;
  } catch {
    desc = undefined;
  }
  // Without a readable descriptor: assume the common case (short APDUs, 271-byte messages).
  desc ??= { features: 0x00020000, maxMessageLength: 271, bMaxSlotIndex: 0, protocols: 2 };
  const pipe: BulkPipe = {
    async write(data) {
      try {
        const r = await device.transferOut(iface.bulkOut, data as Uint8Array<ArrayBuffer>);
        if (r.status !== 'ok') throw new TokenError('protocol', `usb.write: transfer status ${r.status}`);
      } catch (e) {
        throw usbFailure(e, 'write');
      }
    },
    async read() {
      try {
        const r = await device.transferIn(iface.bulkIn, Math.max(iface.packetSize, desc!.maxMessageLength));
        if (r.status !== 'ok' || !r.data) throw new TokenError('protocol', `usb.read: transfer status ${r.status}`);
        return new Uint8Array(r.data.buffer.slice(r.data.byteOffset, r.data.byteOffset + r.data.byteLength));
      } catch (e) {
        throw usbFailure(e, 'read');
      }
    },
  };
  const reader = new CcidReader(pipe, desc);
  const atr = await reader.powerOn();
  return {
    device,
    reader,
    atr,
    async close() {
      try {
        await reader.powerOff();
      } catch {
        /* gone already */
      }
      try {
        await device.releaseInterface(iface.interfaceNumber);
        await device.close();
      } catch {
        /* gone already */
      }
    },
  };
}

/** Calls `fn` when a device is unplugged (navigator.usb 'disconnect'); returns the unsubscriber. */
export function onUsbDisconnect(fn: (device: USBDevice) => void): () => void {
  if (!webUsbAvailable()) return () => undefined;
  const h = (ev: Event) => fn((ev as USBConnectionEvent).device);
  navigator.usb.addEventListener('disconnect', h);
  return () => navigator.usb.removeEventListener('disconnect', h);
}
