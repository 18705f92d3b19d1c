/**
 * A fake `navigator.usb` with one CCID `USBDevice` for Chromium e2e tests (page.addInitScript),
 * standing in for the USB hardware the test machines do not have. It moves bytes only: its bulk
 * transfers go to Node through two bindings (`__tpUsbOut`, `__tpUsbIn`) where tests/token/
 * ccid-bridge.ts answers them from the software PIV card over PC/SC. Faults are injected at this
 * boundary: `window.__tpFakeUsb.unplug()` makes every transfer fail with NotFoundError and fires
 * navigator.usb's "disconnect" event; `plug()` brings the device back.
 *
 * Serialised into the page: no imports, no closures over Node values.
 */
export interface FakeUsbOptions {
  configDescriptor: number[];
  productName: string;
}

export function installFakeUsb(o: FakeUsbOptions): void {
  const w = window as unknown as {
    __tpUsbOut(hex: string): Promise<void>;
    __tpUsbIn(len: number): Promise<string>;
    __tpFakeUsb: { unplug(): void; plug(): void; transfers: number };
  };
  const hex = (b: Uint8Array) => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
  const unhex = (s: string) => Uint8Array.from(s.match(/../g) ?? [], (x) => parseInt(x, 16));
  let plugged = true;
  const gone = () => new DOMException('The device was disconnected.', 'NotFoundError');
  const alt = {
    alternateSetting: 0,
    interfaceClass: 0x0b,
    interfaceSubclass: 0,
    interfaceProtocol: 0,
    interfaceName: 'CCID',
    endpoints: [
      { endpointNumber: 1, direction: 'in', type: 'bulk', packetSize: 64 },
      { endpointNumber: 2, direction: 'out', type: 'bulk', packetSize: 64 },
    ],
  };
  const iface = { interfaceNumber: 0, alternate: alt, alternates: [alt], claimed: false };
  const conf = { configurationValue: 1, configurationName: null, interfaces: [iface] };
  const target = new EventTarget();
  const device = {
    usbVersionMajor: 2,
    usbVersionMinor: 0,
    deviceClass: 0,
    deviceSubclass: 0,
    deviceProtocol: 0,
    vendorId: 0x1209,
    productId: 0x0001,
    deviceVersionMajor: 1,
    deviceVersionMinor: 0,
    manufacturerName: 'Trustpoint tests',
    productName: o.productName,
    serialNumber: 'SOFTPIV',
    opened: false,
    configuration: null as typeof conf | null,
    configurations: [conf],
    async open() {
      if (!plugged) throw gone();
      device.opened = true;
    },
    async close() {
      device.opened = false;
    },
    async forget() {},
    async selectConfiguration(v: number) {
      if (!plugged) throw gone();
      device.configuration = v === 1 ? conf : null;
    },
    async claimInterface() {
      if (!plugged) throw gone();
      iface.claimed = true;
    },
    async releaseInterface() {
      iface.claimed = false;
    },
    async selectAlternateInterface() {},
    async reset() {},
    async clearHalt() {},
    async controlTransferIn(setup: { request: number; value: number }, length: number) {
      if (!plugged) throw gone();
      if (setup.request === 0x06 && setup.value >> 8 === 0x02) {
        const d = Uint8Array.from(o.configDescriptor.slice(0, length));
        return { status: 'ok', data: new DataView(d.buffer) };
      }
      return { status: 'stall' };
    },
    async controlTransferOut() {
      return { status: 'stall', bytesWritten: 0 };
    },
    async transferOut(ep: number, data: BufferSource) {
      if (!plugged || !device.opened || !iface.claimed) throw gone();
      const b = data instanceof Uint8Array ? data : new Uint8Array(data as ArrayBuffer);
      w.__tpFakeUsb.transfers++;
      await w.__tpUsbOut(hex(b));
      if (!plugged) throw gone();
      return { status: 'ok', bytesWritten: b.length };
    },
    async transferIn(ep: number, length: number) {
      for (;;) {
        if (!plugged || !device.opened) throw gone();
        const h = await w.__tpUsbIn(length);
        if (!plugged) throw gone();
        if (h.length) {
          const d = unhex(h);
          return { status: 'ok', data: new DataView(d.buffer) };
        }
        await new Promise((r) => setTimeout(r, 5)); // nothing yet: a real bulk IN just waits
      }
    },
  };
  const usb = {
    async getDevices() {
      return plugged ? [device] : [];
    },
    async requestDevice() {
      if (!plugged) throw new DOMException('No device selected.', 'NotFoundError');
      return device;
    },
    addEventListener: target.addEventListener.bind(target),
    removeEventListener: target.removeEventListener.bind(target),
    dispatchEvent: target.dispatchEvent.bind(target),
    onconnect: null,
    ondisconnect: null,
  };
  Object.defineProperty(Navigator.prototype, 'usb', { get: () => usb, configurable: true });
  w.__tpFakeUsb = {
    transfers: 0,
    unplug() {
      plugged = false;
      device.opened = false;
      const ev = new Event('disconnect') as Event & { device?: unknown };
      ev.device = device;
      target.dispatchEvent(ev);
    },
    plug() {
      plugged = true;
      const ev = new Event('connect') as Event & { device?: unknown };
      ev.device = device;
      target.dispatchEvent(ev);
    },
  };
}
