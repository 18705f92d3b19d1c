/**
 * Tokens (`usbtoken0:`): the service the console and the Tokens view call for a PIV token —
 * which routes the browser allows (src/token/detect.ts), connecting (WebUSB CCID, else the Web
 * Smart Card API), `crypto pki token usbtoken0: login|logout`, key generation in a PIV slot,
 * the Signer of a token key (enrollment sees only a Signer), writing the issued certificate into
 * the slot's certificate object, and `dir usbtoken0:`.
 *
 * Nothing secret is kept: the PIN and a management key typed by the user are used for one
 * command and dropped. Every token failure becomes one specific `%` line; the connection is
 * dropped when the token went away, so the next command starts afresh (the session recovers).
 */
import type { TrustpointApp } from './app.ts';
import type { Interaction } from './interaction.ts';
import { refuse } from './refuse.ts';
import type { CoreApi } from '../core/api.ts';
import type { KeyInfo, Signer } from '../crypto/types.ts';
import type { KeyRecord, KeyUsage } from '../store/keystore.ts';
import { PkiError, isAbortError } from '../util/errors.ts';
import { fromHex } from '../util/hex.ts';
import { ApduConnection, type ApduTransport } from '../token/apdu/apdu.ts';
import { ApduError, PinError, TokenError } from '../token/errors.ts';
import { ALGORITHM, CERT_OBJECT, DEFAULT_MANAGEMENT_KEY, KEY_SLOTS, SLOT_NAME, parseSlot, slotHex, type KeyAlgorithm, type KeySlot, type ManagementAlgorithm } from '../token/piv/constants.ts';
import { algorithmOf } from '../token/piv/keys.ts';
import { PivSession, describeAlg, type PivDeps, type PivInfo } from '../token/piv/session.ts';
import { PivSigner } from '../token/piv/signer.ts';
import { currentEnvironment, tokenRoutes, whyNoToken, type RouteId, type RouteReport, type TokenEnvironment } from '../token/detect.ts';
import { grantedCcidDevices, onUsbDisconnect, openCcidDevice, requestCcidDevice, webUsbAvailable } from '../token/usb/webusb.ts';
import { openSmartCard, smartCardApi } from '../token/pcsc/web-smartcard.ts';
import { signatureOid } from '../pki/oids.ts';
import { summarizeCertificate } from '../pki/x509.ts';
import { toHex } from '../util/hex.ts';

export const TOKEN_DEVICE = 'usbtoken0:';

/** `usbtoken0:` (any case) → the canonical name; other usbtokenN: are "not present". */
export function isTokenDevice(dev: string): boolean {
  return /^usbtoken\d+:$/i.test(dev);
}

/** The PIV crypto the token layer needs, from the WASM core (3DES/AES one block, random bytes). */
export function pivDepsFromCore(core: CoreApi): PivDeps {
  return {
    cipher: (alg, key, block, encrypt) => (encrypt ? core.encryptEcb : core.decryptEcb)(alg === 'AES' ? 'AES-ECB' : 'DES-EDE3-ECB', key, block, { padding: false }),
    random: (n) => crypto.getRandomValues(new Uint8Array(n)),
  };
}

/** An open route to a token (what the openers return). */
export interface TokenLink {
  route: RouteId;
  /** "Yubico YubiKey OTP+FIDO+CCID", or the PC/SC reader name */
  description: string;
  transport: ApduTransport;
  atr?: Uint8Array;
  usbDevice?: USBDevice;
  close(): Promise<void>;
}

export interface TokenStatus {
  device: string;
  route: RouteId;
  description: string;
  info: PivInfo;
  loggedIn: boolean;
  /** PIN retries left when not logged in (as the card reports) */
  retriesLeft?: number;
}

interface Open {
  link: TokenLink;
  session: PivSession;
  info: PivInfo;
  loggedIn: boolean;
  unsubscribe: () => void;
}

/** Slot preference per IOS key usage: general keys in 9a (PIV Authentication), usage keys where PIV puts them. */
const SLOT_ORDER: Record<KeyUsage, KeySlot[]> = {
  general: [0x9a, 0x9d, 0x9e, 0x9c],
  signature: [0x9c, 0x9a, 0x9e, 0x9d],
  encryption: [0x9d, 0x9a, 0x9e, 0x9c],
};

export function tokenIdOf(info: PivInfo): string | undefined {
  return info.guid ? `guid:${info.guid}` : info.serial !== undefined ? `serial:${info.serial}` : undefined;
}

export class TokenService {
  private open_: Open | undefined;
  private opening: Promise<Open> | undefined;
  /** Tests and special deployments may add routes (tried after WebUSB and the Smart Card API). */
  private readonly extraOpeners: (() => Promise<TokenLink | undefined>)[] = [];

  constructor(
    private readonly app: TrustpointApp,
    private readonly env: () => TokenEnvironment = currentEnvironment,
  ) {}

  routes(): RouteReport[] {
    return tokenRoutes(this.env());
  }

  /** The plain-PWA explanation ('' when a route is available). */
  whyUnavailable(): string {
    return whyNoToken(this.env());
  }

  addOpener(fn: () => Promise<TokenLink | undefined>): void {
    this.extraOpeners.push(fn);
  }

  status(): TokenStatus | undefined {
    const o = this.open_;
    return o ? { device: TOKEN_DEVICE, route: o.link.route, description: o.link.description, info: o.info, loggedIn: o.loggedIn } : undefined;
  }

  // ------------------------------------------------------------------ connection

  private async findLink(request: boolean): Promise<TokenLink> {
    if (webUsbAvailable()) {
      let devices = await grantedCcidDevices();
      // Only an Isolated Web App can claim a token: a plain page is told why instead of shown a chooser.
      if (!devices.length && request && this.env().isolatedApp) devices = [await requestCcidDevice()];
      if (devices.length) {
        const d = devices[0]!;
        const tok = await openCcidDevice(d);
        return { route: 'webusb-ccid', description: `${d.manufacturerName ? `${d.manufacturerName} ` : ''}${d.productName ?? 'USB CCID device'}`.trim(), transport: tok.reader, atr: tok.atr, usbDevice: d, close: tok.close };
      }
    }
    const sc = smartCardApi();
    if (sc) {
      const t = await openSmartCard(sc);
      return { route: 'web-smart-card', description: t.reader, transport: t.transport, close: t.close };
    }
    for (const f of this.extraOpeners) {
      const l = await f();
      if (l) return l;
    }
    const why = this.whyUnavailable();
    if (why) throw new TokenError('not-supported', why);
    throw new TokenError('not-found', `no token is connected to ${TOKEN_DEVICE} (plug in a PIV token, then "Connect token" in the Tokens view)`);
  }

  /** The open token, connecting first if needed (`request`: may ask the browser to pick a device). */
  async connect(opts: { request?: boolean } = {}): Promise<Open> {
    if (this.open_) return this.open_;
    this.opening ??= (async () => {
      const link = await this.findLink(!!opts.request);
      try {
        const session = new PivSession(new ApduConnection(link.transport), pivDepsFromCore(await this.app.core()));
        const info = { ...(await session.select()), ...(await session.identify()) };
        const unsubscribe = link.usbDevice
          ? onUsbDisconnect((d) => {
              if (d === link.usbDevice && this.open_?.link === link) {
                this.forget();
                this.app.notify(`%CRYPTO-6-TOKENREMOVED: Cryptographic token ${TOKEN_DEVICE} removed`);
              }
            })
          : () => undefined;
        const o: Open = { link, session, info, loggedIn: false, unsubscribe };
        this.open_ = o;
        return o;
      } catch (e) {
        await link.close().catch(() => undefined);
        throw e;
      }
    })().finally(() => {
      this.opening = undefined;
    });
    return this.opening;
  }

  /** Forgets the connection (after the token went away, or on request). */
  forget(): void {
    const o = this.open_;
    this.open_ = undefined;
    if (o) {
      o.unsubscribe();
      void o.link.close().catch(() => undefined);
    }
  }

  /** Runs `fn` on the open token; a token that went away is forgotten, so the next command reconnects. */
  private async use<T>(fn: (o: Open) => Promise<T>, opts: { request?: boolean } = {}): Promise<T> {
    const o = await this.connect(opts);
    try {
      return await fn(o);
    } catch (e) {
      if (e instanceof TokenError && (e.code === 'disconnected' || e.code === 'not-found' || e.code === 'protocol')) this.forget();
      throw e;
    }
  }

  /** A token failure as the one `%` line the console prints (never with a PIN or key in it). */
  explain(e: unknown): PkiError {
    if (isAbortError(e) || !(e instanceof PkiError)) return e as PkiError;
    const d = TOKEN_DEVICE;
    const detail = e.message.replace(/^[\w.]+: /, '');
    if (e instanceof PinError) {
      return e.retriesLeft > 0
        ? new PkiError('refused', `%CRYPTO-3-TOKENLOGINFAILED: Cryptographic Token ${d} Login FAILED\n% Wrong PIN for ${d} ${e.retriesLeft} ${e.retriesLeft === 1 ? 'try' : 'tries'} left before the PIN is blocked.`)
        : new PkiError('refused', `%CRYPTO-3-TOKENLOCKEDOUT: Cryptographic Token ${d} PIN locked due to too many unsuccessful login attempts\n% The PIN of ${d} is blocked: unblock it with the PUK (e.g. "ykman piv access unblock-pin" or "yubico-piv-tool -a unblock-pin"). Nothing was changed.`);
    }
    if (e instanceof TokenError) {
      switch (e.code) {
        case 'disconnected':
          return new PkiError('refused', `% Token ${d} was removed or stopped answering during the operation (${detail}); nothing was stored. Plug it in again (and log in) to retry.`);
        case 'not-found':
          return new PkiError('refused', `% No token in ${d} (${detail}).`);
        case 'not-supported':
          return new PkiError('refused', `% ${d} is not available: ${detail}`);
        case 'no-applet':
          return new PkiError('refused', `% The token in ${d} has no PIV application: it is another kind of smart card, or PIV is switched off on it (YubiKey: ykman config usb --enable PIV). ${detail}.`);
        case 'login-required':
          return new PkiError('refused', `% Token ${d} is not logged in (${detail}): "crypto pki token ${d} login" first.`);
        case 'auth':
          return new PkiError('refused', `% ${d} refused the management key: ${detail}. Nothing was changed.`);
        case 'busy':
          return new PkiError('refused', `% ${d} is in use by another program (${detail}); on Linux stop pcscd/scdaemon or close the other program.`);
        case 'no-key':
        case 'wrong-key':
          return new PkiError('refused', `% ${d} ${detail}.`);
        default:
          return new PkiError('refused', `% ${d} broke the protocol (${detail}).`);
      }
    }
    if (e instanceof ApduError) return new PkiError('refused', `% The token in ${d} refused the command (${detail}).`);
    return e;
  }

  private async guard<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (e) {
      throw this.explain(e);
    }
  }

  // ------------------------------------------------------------------ login

  /** `crypto pki token usbtoken0: login`: asks the PIN (never echoed, never kept) and verifies it. */
  async login(io: Interaction): Promise<void> {
    await this.guard(() =>
      this.use(
        async (o) => {
          const st = await o.session.pinStatus(io.signal);
          if (st.retriesLeft === 0) throw new PinError(0);
          if (!io.interactive) refuse(`% Logging in to ${TOKEN_DEVICE} needs the PIN, and nobody is here to type it.`);
          let pin = await io.ask({ text: 'Enter PIN: ', kind: 'secret' });
          try {
            await o.session.verifyPin(pin, io.signal);
          } finally {
            pin = '';
          }
          o.loggedIn = true;
          io.print(`%CRYPTO-6-TOKENLOGIN: Cryptographic Token ${TOKEN_DEVICE} Login Successful`);
        },
        { request: true },
      ),
    );
  }

  async logout(io: Interaction): Promise<void> {
    const o = this.open_;
    if (!o) {
      io.print(`% Token ${TOKEN_DEVICE} is not logged in.`);
      return;
    }
    await this.guard(() => this.use((x) => x.session.logout(io.signal)));
    o.loggedIn = false;
    io.print(`%CRYPTO-6-TOKENLOGOUT: Cryptographic Token ${TOKEN_DEVICE} Logout Successful`);
  }

  // ------------------------------------------------------------------ management key

  /**
   * Authenticates with the card management key: the well-known default first (3DES, then the
   * AES-192 default of newer YubiKeys), else the key the user types (hex, never echoed or kept).
   */
  private async adminAuth(o: Open, io: Interaction): Promise<void> {
    const tries: [Uint8Array, ManagementAlgorithm][] = [
      [DEFAULT_MANAGEMENT_KEY, ALGORITHM.TDES],
      [DEFAULT_MANAGEMENT_KEY, ALGORITHM.AES192],
    ];
    let last: unknown;
    for (const [key, alg] of tries) {
      try {
        await o.session.authenticate(key, alg, io.signal);
        return;
      } catch (e) {
        if (!(e instanceof TokenError && e.code === 'auth')) throw e;
        last = e;
      }
    }
    if (!io.interactive) throw last;
    io.print(`% ${TOKEN_DEVICE} does not use the default management key.`);
    let hex = (await io.ask({ text: 'Management key (hex, 32, 48 or 64 digits): ', kind: 'secret' })).replace(/\s+/g, '');
    if (!/^([0-9a-fA-F]{32}|[0-9a-fA-F]{48}|[0-9a-fA-F]{64})$/.test(hex)) {
      hex = '';
      throw new TokenError('auth', 'the management key must be 32, 48 or 64 hex digits');
    }
    const key = fromHex(hex);
    hex = '';
    try {
      const algs: ManagementAlgorithm[] = key.length === 16 ? [ALGORITHM.AES128] : key.length === 32 ? [ALGORITHM.AES256] : [ALGORITHM.TDES, ALGORITHM.AES192];
      for (const alg of algs) {
        try {
          await o.session.authenticate(key, alg, io.signal);
          return;
        } catch (e) {
          if (!(e instanceof TokenError && e.code === 'auth')) throw e;
          last = e;
        }
      }
      throw last;
    } finally {
      key.fill(0);
    }
  }

  // ------------------------------------------------------------------ keys

  /**
   * The slot for a new key: the first one no key record of this configuration claims (current,
   * shadow or retired), in the order PIV suggests for the IOS usage. A replaced key keeps its
   * slot until its record goes, so a certificate that still names it keeps a working key.
   */
  private async chooseSlot(usage: KeyUsage): Promise<KeySlot> {
    const used = new Set((await this.app.keys.list()).filter((k) => k.holder === 'token' && k.device === TOKEN_DEVICE).map((k) => k.slot));
    const free = SLOT_ORDER[usage].find((s) => !used.has(slotHex(s)));
    if (!free) refuse(`% All four PIV key slots of ${TOKEN_DEVICE} (9a, 9c, 9d, 9e) hold keys of this configuration: remove one first ("crypto key zeroize rsa LABEL").`);
    return free;
  }

  /**
   * Generates a key pair in a PIV slot (`crypto key generate ... on usbtoken0:`, or a trustpoint
   * with `on usbtoken0:`); the record is returned, not stored. The PIV key never leaves the token.
   */
  async generate(io: Interaction, label: string, usage: KeyUsage, key: KeyInfo, device: string): Promise<KeyRecord> {
    if (device.toLowerCase() !== TOKEN_DEVICE) refuse(`% Device ${device} is not present: Trustpoint uses one token, ${TOKEN_DEVICE}`);
    const alg = algorithmOf(key);
    if (alg === undefined) refuse(`% A PIV token holds RSA 1024/2048 and EC P-256/P-384 keys: ${key.kind === 'rsa' ? `a ${key.bits} bit RSA key` : `an EC ${key.curve} key`} cannot be generated on ${TOKEN_DEVICE}.`);
    const slot = await this.chooseSlot(usage);
    return this.guard(() =>
      this.use(
        async (o) => {
          const existing = await o.session.readCertificate(slot, io.signal).catch(() => undefined);
          const ours = (await this.app.keys.list()).some((k) => k.holder === 'token' && k.slot === slotHex(slot));
          if (existing && !ours) {
            io.print(`% Slot ${slotHex(slot)} (${SLOT_NAME[slot]}) of ${TOKEN_DEVICE} holds a certificate that is not from this configuration; a new key replaces the key in that slot.`);
            if (!(await io.confirm('% Replace it? [yes/no]: '))) refuse('% Key generation cancelled; the token was not changed.');
          }
          await this.adminAuth(o, io);
          const { spki } = await o.session.generateKey(slot, alg, io.signal);
          const sizes = key.kind === 'rsa' ? { bits: key.bits } : { curve: key.curve };
          const tokenId = tokenIdOf(o.info);
          return {
            label,
            usage,
            kind: key.kind,
            ...sizes,
            exportable: false,
            createdAt: this.app.clock().getTime(),
            spki,
            holder: 'token',
            device: TOKEN_DEVICE,
            slot: slotHex(slot),
            ...(tokenId ? { tokenId } : {}),
          } as KeyRecord;
        },
        { request: true },
      ),
    );
  }

  private slotOf(rec: KeyRecord): { slot: KeySlot; alg: KeyAlgorithm } {
    const slot = rec.slot ? parseSlot(rec.slot) : undefined;
    const alg = algorithmOf(rec.kind === 'rsa' ? { kind: 'rsa', bits: rec.bits ?? 0 } : { kind: 'ec', curve: rec.curve ?? 'P-256' });
    if (!slot || alg === undefined) throw new PkiError('bad-key', `tokens: the key record ${rec.label} names no usable PIV slot`);
    return { slot, alg };
  }

  /** The connection for `rec`: the same token it was made on, logged in. */
  private async sessionFor(rec: KeyRecord, signal?: AbortSignal): Promise<PivSession> {
    const o = await this.connect();
    const id = tokenIdOf(o.info);
    if (rec.tokenId && id && rec.tokenId !== id) throw new TokenError('wrong-key', `the token in ${TOKEN_DEVICE} is not the one ${rec.label} was generated on`);
    if (!o.loggedIn) {
      const st = await o.session.pinStatus(signal);
      if (!st.verified) throw new TokenError('login-required', `the key ${rec.label} in slot ${rec.slot} needs the PIN`);
      o.loggedIn = true;
    }
    return o.session;
  }

  /** The Signer of a token key: the host hashes and pads, the card signs, the result is checked. */
  signer(rec: KeyRecord): Signer {
    const { slot, alg } = this.slotOf(rec);
    const key: KeyInfo = rec.kind === 'rsa' ? { kind: 'rsa', bits: rec.bits ?? 2048 } : { kind: 'ec', curve: rec.curve ?? 'P-256' };
    const inner = new PivSigner({
      slot,
      alg,
      key,
      spki: rec.spki,
      name: rec.label,
      session: (signal) => this.sessionFor(rec, signal),
      digest: async (h, data) => (await this.app.core()).digest(h, data),
      check: (data, hash, signature) => this.app.verify({ algorithm: signatureOid(rec.kind, hash)!, spki: rec.spki, data, signature }),
    });
    const self = this;
    return {
      key: inner.key,
      spki: inner.spki,
      hashes: inner.hashes,
      async sign(data, hash, signal) {
        try {
          return await inner.sign(data, hash, signal);
        } catch (e) {
          if (e instanceof TokenError && (e.code === 'disconnected' || e.code === 'not-found' || e.code === 'protocol')) self.forget();
          if (e instanceof TokenError && e.code === 'login-required' && self.open_) self.open_.loggedIn = false;
          throw self.explain(e);
        }
      },
    };
  }

  /** Writes an issued certificate into the certificate object of its key's slot. */
  async writeCertificate(io: Interaction, rec: KeyRecord, der: Uint8Array): Promise<void> {
    const { slot } = this.slotOf(rec);
    await this.guard(() =>
      this.use(async (o) => {
        const id = tokenIdOf(o.info);
        if (rec.tokenId && id && rec.tokenId !== id) throw new TokenError('wrong-key', `the token in ${TOKEN_DEVICE} is not the one ${rec.label} was generated on`);
        await this.adminAuth(o, io);
        await o.session.writeCertificate(slot, der, io.signal);
      }),
    );
    io.print(`% Certificate written to ${TOKEN_DEVICE} slot ${slotHex(slot)} (${SLOT_NAME[slot]}).`);
  }

  /**
   * `crypto key zeroize` of a token key: PIV has no command that deletes a key, so the slot's
   * key is destroyed by generating a throwaway key of the same algorithm over it (the old private
   * key is gone from the card; the new one is never recorded), and the slot's certificate object
   * is deleted. Only on the token the key was generated on; the management key as for `generate`.
   */
  async erase(io: Interaction, rec: KeyRecord): Promise<void> {
    const { slot, alg } = this.slotOf(rec);
    await this.guard(() =>
      this.use(async (o) => {
        const id = tokenIdOf(o.info);
        if (rec.tokenId && id && rec.tokenId !== id) throw new TokenError('wrong-key', `the token in ${TOKEN_DEVICE} is not the one ${rec.label} was generated on`);
        await this.adminAuth(o, io);
        await o.session.generateKey(slot, alg, io.signal);
        await o.session.putObject(CERT_OBJECT[slot], new Uint8Array(0), io.signal);
      }),
    );
  }

  /**
   * After a commit that made `keys` current: the certificate of each token key now in the
   * running-config (found by its public key) goes into the key's slot, as after an enrollment.
   */
  async afterCommit(io: Interaction, keys: readonly KeyRecord[]): Promise<void> {
    const tok = keys.filter((k) => k.holder === 'token');
    if (!tok.length) return;
    const issued: { key: KeyRecord; der: Uint8Array }[] = [];
    for (const key of tok) {
      const spki = toHex(key.spki);
      for (const chain of this.app.running.chains.values())
        for (const c of chain.certificates) {
          if (c.kind !== 'general' && c.kind !== 'self-signed') continue;
          try {
            if (toHex(summarizeCertificate(c.der).spki) === spki && !issued.some((i) => i.der === c.der)) issued.push({ key, der: c.der });
          } catch {
            // a certificate we cannot read is not one of ours
          }
        }
    }
    await this.afterIssued(io, issued);
  }

  /**
   * After an enrollment: puts each issued certificate of a token key into its slot. A failure
   * here does not undo the enrollment (the certificate is stored in the configuration); it is
   * reported so the user can retry by enrolling again or with another tool.
   */
  async afterIssued(io: Interaction, issued: { key: KeyRecord; der: Uint8Array }[]): Promise<void> {
    for (const { key, der } of issued) {
      if (key.holder !== 'token') continue;
      try {
        await this.writeCertificate(io, key, der);
      } catch (e) {
        if (isAbortError(e)) throw e;
        io.print(`% Warning: the certificate was stored in the configuration, but not written to ${TOKEN_DEVICE} (${(e as Error).message.replace(/^% /, '')})`);
      }
    }
  }

  // ------------------------------------------------------------------ show / dir

  /** `dir usbtoken0:` — the PIV slots and objects as files. */
  async dir(io: Interaction): Promise<void> {
    const rows = await this.guard(() =>
      this.use(async (o) => {
        const keys = (await this.app.keys.list()).filter((k) => k.holder === 'token' && k.device === TOKEN_DEVICE);
        const out: { name: string; size: number; what: string }[] = [];
        for (const slot of KEY_SLOTS) {
          const rec = keys.find((k) => k.slot === slotHex(slot));
          if (rec) out.push({ name: `${slotHex(slot)}.key`, size: rec.spki.length, what: `${rec.kind === 'rsa' ? `RSA ${rec.bits}` : `EC ${rec.curve}`} key "${rec.label.replace(/^\u0000pending:/, '')}" (${SLOT_NAME[slot]}; public part shown)` });
          const obj = await o.session.getObject(CERT_OBJECT[slot], io.signal);
          if (obj?.length) out.push({ name: `${slotHex(slot)}.crt`, size: obj.length, what: `certificate object ${CERT_OBJECT[slot].toString(16).toUpperCase()}` });
        }
        for (const [id, name] of [
          [0x5fc102, 'chuid'],
          [0x5fc107, 'ccc'],
        ] as const) {
          const obj = await o.session.getObject(id, io.signal);
          if (obj?.length) out.push({ name, size: obj.length, what: `object ${id.toString(16).toUpperCase()}` });
        }
        return out;
      }),
    );
    io.print(`Directory of ${TOKEN_DEVICE}/`);
    io.print('');
    rows.forEach((r, i) => io.print(`${String(i + 1).padStart(5)}  -r--  ${String(r.size).padStart(10)}  ${r.name.padEnd(8)}  ${r.what}`));
    if (!rows.length) io.print('No files in directory');
    io.print('');
    const s = this.status()!;
    io.print(`${s.description} via ${s.route === 'webusb-ccid' ? 'WebUSB (CCID)' : 'the Web Smart Card API'}; PIV ${s.info.label ?? 'application'}${s.info.version ? `, firmware ${s.info.version}` : ''}${s.info.serial !== undefined ? `, serial ${s.info.serial}` : ''}`);
  }

  /** `show crypto pki token`: routes, and the token if one is connected. */
  async show(io: Interaction): Promise<void> {
    io.print('Token routes in this browser:');
    for (const r of this.routes()) {
      io.print(` ${r.title}: ${r.available ? 'available' : 'not available'}`);
      io.print(`   ${r.reason}`);
      for (const n of r.needs) io.print(`   needs: ${n}`);
    }
    io.print(' WebHID, WebAuthn: cannot reach PIV keys (not usable for this)');
    const s = this.status();
    if (!s) {
      io.print(`Token ${TOKEN_DEVICE} not connected`);
      return;
    }
    let pin = '';
    try {
      const st = await this.open_!.session.pinStatus(io.signal);
      pin = st.verified ? 'logged in' : `not logged in, ${st.retriesLeft} PIN ${st.retriesLeft === 1 ? 'try' : 'tries'} left`;
      this.open_!.loggedIn = st.verified;
    } catch (e) {
      if (e instanceof TokenError && e.code === 'disconnected') this.forget();
      pin = `unknown (${(e as Error).message})`;
    }
    io.print(`Token ${TOKEN_DEVICE} ${s.description}`);
    io.print(`  Route: ${s.route === 'webusb-ccid' ? 'WebUSB (CCID)' : 'Web Smart Card API'}`);
    io.print(`  Application: PIV${s.info.label ? ` (${s.info.label})` : ''}${s.info.version ? `, firmware ${s.info.version}` : ''}`);
    if (s.info.serial !== undefined) io.print(`  Serial: ${s.info.serial}`);
    if (s.info.guid) io.print(`  CHUID GUID: ${s.info.guid.toUpperCase()}`);
    io.print(`  PIN: ${pin}`);
  }

  /** Connects on request (the Tokens view's "Connect token" button: a user gesture). */
  async connectInteractive(): Promise<TokenStatus> {
    await this.guard(() => this.connect({ request: true }));
    return this.status()!;
  }
}

export { describeAlg };
