/**
 * The application services: the one API the console, the GUI and kiosk mode call. For now it
 * owns the running-config, the startup-config in NVRAM, and the crypto core; enrollment
 * workflows join it in later issues.
 */
import { readConfig, type ReadError } from '../config/reader.ts';
import { writeConfig } from '../config/writer.ts';
import { emptyConfig, type RunningConfig, type Trustpoint } from '../config/model.ts';
import { checkPathRevocation } from './revocation.ts';
import type { Nvram } from '../store/nvram.ts';
import { MemoryKeyStore, type KeyStore } from '../store/keystore.ts';
import { MemoryFileStore, type FileStore } from '../store/files.ts';
import { MemoryMetaStore, type MetaStore } from '../store/meta.ts';
import { SequentialCommitter, type CommitOps, type Committer } from '../store/commit.ts';
import { KeyService } from './keys.ts';
import { TokenService } from './tokens.ts';
import { makeVerify } from '../pki/verify-core.ts';
import type { DemoState } from './demo.ts';
import { webCryptoVerify } from '../pki/verify-webcrypto.ts';
import type { VerifyFn } from '../crypto/types.ts';
import { validateChain as validatePath, type ValidateChainResult } from '../pki/chain/index.ts';
import type { PkiEngine } from '../pki/engine.ts';

/** A chain check as the workflows ask it: `ca` when the leaf itself is a CA certificate. */
export interface ChainRequest {
  leaf: Uint8Array;
  intermediates: Uint8Array[];
  anchors: Uint8Array[];
  time: Date;
  ca: boolean;
  crls?: Uint8Array[];
  /** check revocation as this trustpoint's `revocation-check` says (app/revocation.ts) */
  trustpoint?: Trustpoint;
}
import type { NvramFile } from '../store/schema.ts';
import type { PersistState } from '../store/persist.ts';
import type { CoreApi } from '../core/api.ts';
import { StoreError } from '../util/errors.ts';
import { collectRetiredKeys, reconcileKeys } from './commit.ts';

export const STARTUP_CONFIG = 'startup-config';
export const VERSION = '0.1.0';

export interface AppDeps {
  nvram: Nvram;
  keystore?: KeyStore;
  files?: FileStore;
  meta?: MetaStore;
  /** Writes changes across keys, NVRAM and meta in one transaction (store/commit.ts); default: one after the other (memory stores). */
  commit?: Committer;
  /** Loads the crypto core on first use. */
  core?: () => Promise<CoreApi>;
  /**
   * Makes the pkijs engine over the core. Default: loaded on first use (pkijs stays out of the
   * page's first load); the service worker, where import() is not allowed, passes a static one.
   */
  engine?: (core: CoreApi) => Promise<PkiEngine>;
  clock?: () => Date;
  /** Reloads the app (the `reload` command); absent in headless use. */
  reload?: () => void;
}

export interface BootReport {
  /** startup-config found and applied */
  loaded: boolean;
  bytes: number;
  errors: ReadError[];
  /** set when the startup-config could not be read (e.g. corrupt); the running-config is the default */
  failure?: string;
  /** what the start-up checks had to say (keys taken back, certificates without keys) */
  notes?: string[];
}

export class TrustpointApp {
  running: RunningConfig = emptyConfig();
  readonly nvram: Nvram;
  readonly keys: KeyService;
  /** PIV tokens (`usbtoken0:`): routes, login, keys on the token (src/app/tokens.ts) */
  readonly tokens: TokenService;
  readonly files: FileStore;
  readonly meta: MetaStore;
  /** This running instance (a tab, the service worker): names its entry among the open tabs. */
  readonly instanceId = Array.from(crypto.getRandomValues(new Uint8Array(8)), (b) => b.toString(16).padStart(2, '0')).join('');
  private readonly committer: Committer;
  private changeListeners = new Set<() => void>();
  /** The device serial number (IOS "Processor board ID"), made once and kept. */
  serialNumber = '';
  readonly clock: () => Date;
  readonly bootedAt: Date;
  lastChange: Date;
  persistState: PersistState | 'unknown' = 'unknown';
  private corePromise: Promise<CoreApi> | undefined;
  private readonly coreLoader: (() => Promise<CoreApi>) | undefined;
  private readonly engineLoader: (core: CoreApi) => Promise<PkiEngine>;
  private readonly reloader: (() => void) | undefined;
  /** `debug crypto pki messages|transactions` */
  readonly debug = { messages: false, transactions: false };
  /** The last debug lines (the protocol inspector's transcript, copyable from the UI). */
  readonly debugLog: string[] = [];
  /** SCEP requests waiting at the CA (PENDING), by trustpoint: for `show crypto pki timers`. */
  readonly pendingPolls = new Map<string, { transactionID: string; attempt: number; of: number; next: number }>();
  /** The auto-enroller (app/auto.ts), when this instance runs one. */
  auto: import('./auto.ts').AutoEnrollService | undefined;
  /** The demo CA beside the app, if the start command brought one up (demo.ts). */
  demo: DemoState = { kind: 'none' };
  /** How long to wait between CertPolls (tests shorten it). */
  scepPollDelay: (ms: number) => number = (ms) => ms;
  /**
   * Test seam (e2e only, set from `window.__TRUSTPOINT_TEST__.hook`): awaited at named points of
   * an enrollment ('keys-generated', 'reply-received', 'commit-queued'), so a test can crash the
   * page exactly there. Undefined in normal use.
   */
  testHook: ((stage: string) => Promise<void> | void) | undefined;
  private enginePromise: Promise<PkiEngine> | undefined;
  /** Signature verification (the core, with WebCrypto as a fallback). */
  readonly verify: VerifyFn;
  /** Files offered for download (CSRs, exports): the UI shows them; automation reads them. */
  readonly downloads: { name: string; data: Uint8Array; mime: string; at: number }[] = [];
  private downloadListeners = new Set<(d: { name: string; data: Uint8Array; mime: string }) => void>();
  /** Messages for the console that arise outside a command (storage events, updates). */
  private listeners = new Set<(line: string) => void>();

  constructor(deps: AppDeps) {
    this.nvram = deps.nvram;
    this.clock = deps.clock ?? (() => new Date());
    this.coreLoader = deps.core;
    this.engineLoader = deps.engine ?? (async (c) => (await import('../pki/engine.ts')).createPkiEngine(c));
    this.reloader = deps.reload;
    this.bootedAt = this.clock();
    this.lastChange = this.bootedAt;
    this.keys = new KeyService(deps.keystore ?? new MemoryKeyStore(), () => this.core(), this.clock);
    this.tokens = new TokenService(this);
    this.keys.tokenSigner = (rec) => this.tokens.signer(rec);
    this.files = deps.files ?? new MemoryFileStore();
    this.meta = deps.meta ?? new MemoryMetaStore();
    this.committer = deps.commit ?? new SequentialCommitter({ keystore: this.keys.store, nvram: this.nvram, meta: this.meta });
    this.verify = makeVerify(() => this.core(), typeof crypto !== 'undefined' && crypto.subtle ? webCryptoVerify : undefined);
  }

  /**
   * RFC 5280 validation of `leaf` up to one of `anchors` (src/pki/chain), then, with
   * `trustpoint`, its `revocation-check` (app/revocation.ts) over the validated path.
   */
  async validateChain(req: ChainRequest): Promise<ValidateChainResult> {
    const v = await validatePath({
      leaf: req.leaf,
      intermediates: req.intermediates,
      anchors: req.anchors,
      time: req.time,
      verify: this.verify,
      ...(req.crls ? { crls: req.crls } : {}),
    });
    if (!v.ok || !req.trustpoint?.revocationCheck?.length) return v;
    const r = await checkPathRevocation(this, req.trustpoint, v.path);
    if (r.status === 'revoked') return { ok: false, code: 'revoked', reason: r.reason };
    if (r.status === 'unknown') return { ok: false, code: 'revocation-unknown', reason: r.reason };
    return v;
  }

  /** The device serial: 8 hex digits, random at first start, then kept in NVRAM. */
  private async loadSerial(): Promise<void> {
    try {
      let s = await this.meta.get<string>('serial-number');
      if (!s || !/^[0-9A-F]{8}$/.test(s)) {
        const b = crypto.getRandomValues(new Uint8Array(4));
        b[0]! |= 0x80;
        s = Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('').toUpperCase();
        await this.meta.set('serial-number', s);
      }
      this.serialNumber = s;
    } catch {
      this.serialNumber = 'FFFFFFFF';
    }
  }

  /** Loads the startup-config into the running-config (IOS boot). */
  async boot(): Promise<BootReport> {
    await this.loadSerial();
    let file: NvramFile | undefined;
    try {
      file = await this.nvram.read(STARTUP_CONFIG);
    } catch (e) {
      this.running = emptyConfig();
      return { loaded: false, bytes: 0, errors: [], failure: (e as Error).message };
    }
    if (!file) {
      this.running = emptyConfig();
      this.baseline = this.runningText();
      return { loaded: false, bytes: 0, errors: [] };
    }
    const { config, errors } = await readConfig(file.text);
    this.running = config;
    this.baseline = file.text;
    this.lastChange = new Date(file.savedAt);
    const notes: string[] = [];
    await this.settleKeys(notes);
    return { loaded: true, bytes: file.bytes, errors, notes };
  }

  /** The key store agrees with the configuration just loaded (app/commit.ts reconcileKeys). */
  private async settleKeys(notes: string[]): Promise<void> {
    try {
      await reconcileKeys(this, { interactive: false, signal: new AbortController().signal, print: (l) => notes.push(l), ask: () => Promise.reject(new Error('non-interactive')), confirm: async () => false });
    } catch (e) {
      notes.push(`% Key store check failed: ${(e as Error).message}`);
    }
  }

  /** The running-config as configuration text. */
  runningText(): string {
    return writeConfig(this.running);
  }

  /** Writes keys, NVRAM and meta records in one transaction (use app/commit.ts's commitChange for workflows). */
  commit(ops: CommitOps): Promise<void> {
    return this.committer.commit(ops);
  }

  /** Certificates, keys or the configuration changed (views refresh, timers are recomputed). */
  emitChange(): void {
    for (const l of this.changeListeners) l();
  }

  onChange(fn: () => void): () => void {
    this.changeListeners.add(fn);
    return () => this.changeListeners.delete(fn);
  }

  /** Marks the running-config changed (for "Last configuration change at ..."). */
  touch(): void {
    this.lastChange = this.clock();
    this.emitChange();
  }

  async startup(): Promise<NvramFile | undefined> {
    return this.nvram.read(STARTUP_CONFIG);
  }

  /**
   * `write memory`: saves the running-config as the startup-config (atomically); then keys that
   * only the old startup-config still named (retired by an unsaved renewal) are deleted.
   */
  async saveRunning(): Promise<NvramFile> {
    const f = await this.nvram.write(STARTUP_CONFIG, this.runningText(), this.clock().getTime());
    this.baseline = f.text;
    await collectRetiredKeys(this);
    this.emitChange();
    this.emitStored();
    return f;
  }

  async eraseStartup(): Promise<boolean> {
    const had = await this.nvram.erase(STARTUP_CONFIG);
    this.baseline = writeConfig(emptyConfig());
    this.emitStored();
    return had;
  }

  /**
   * Another tab (or the service worker) changed the startup-config: if this running-config has
   * no unsaved changes of its own, it becomes the new startup-config (as a reload would), so
   * this instance neither renews a certificate already renewed nor saves over the change.
   * Returns true when the running-config was replaced.
   */
  async adoptStartupIfUnmodified(): Promise<boolean> {
    if (this.baseline === undefined || this.runningText() !== (await this.canonical(this.baseline))) return false;
    let file: NvramFile | undefined;
    try {
      file = await this.startup();
    } catch {
      return false;
    }
    const text = file?.text ?? writeConfig(emptyConfig());
    if (text === this.baseline) return false;
    const { config } = await readConfig(text);
    this.running = config;
    this.baseline = text;
    if (file) this.lastChange = new Date(file.savedAt);
    this.emitChange();
    return true;
  }

  /** The startup-config text this instance last loaded or wrote (to tell its own changes from another tab's). */
  baseline: string | undefined;

  /** Something was written to NVRAM or the key store (other tabs are told: app/auto.ts). */
  emitStored(): void {
    for (const l of this.storedListeners) l();
  }

  onStored(fn: () => void): () => void {
    this.storedListeners.add(fn);
    return () => this.storedListeners.delete(fn);
  }
  private storedListeners = new Set<() => void>();

  /** `copy startup-config running-config`: merges the startup-config into the running one. */
  async mergeStartup(): Promise<{ errors: ReadError[]; found: boolean }> {
    const file = await this.startup();
    if (!file) return { errors: [], found: false };
    const { errors } = await readConfig(file.text, this.running);
    this.touch();
    return { errors, found: true };
  }

  /** true when the running-config differs from what NVRAM holds. */
  async isModified(): Promise<boolean> {
    try {
      const file = await this.startup();
      return (await this.canonical(file?.text)) !== this.runningText();
    } catch (e) {
      if (e instanceof StoreError) return true;
      throw e;
    }
  }

  /**
   * A stored configuration text as this version writes it (a startup-config edited by hand or
   * written by an older version differs in form, not in meaning, from the running-config).
   */
  private async canonical(text: string | undefined): Promise<string> {
    if (text === undefined) return writeConfig(emptyConfig());
    if (this.canonCache?.text === text) return this.canonCache.canon;
    const canon = writeConfig((await readConfig(text)).config);
    this.canonCache = { text, canon };
    return canon;
  }
  private canonCache: { text: string; canon: string } | undefined;

  core(): Promise<CoreApi> {
    if (!this.coreLoader) return Promise.reject(new Error('app.core: no crypto core in this build'));
    this.corePromise ??= this.coreLoader().catch((e) => {
      this.corePromise = undefined;
      throw e;
    });
    return this.corePromise;
  }

  /** The pkijs crypto engine over the core (CMS, PKCS#12 through pkijs classes). */
  engine(): Promise<PkiEngine> {
    this.enginePromise ??= this.core().then((c) => this.engineLoader(c));
    return this.enginePromise;
  }

  /**
   * `text` without the secrets the running-config holds (the trustpoints' challenge passwords),
   * for text that may carry a server's words — debug lines, the Inspector, HTTP and CertRep
   * error texts: a CA that echoes the challenge must not put it on the screen or the clipboard.
   */
  redactSecrets(text: string): string {
    let out = text;
    for (const tp of this.running.trustpoints.values()) {
      const pw = tp.password;
      if (pw && pw.length >= 3 && out.includes(pw)) out = out.split(pw).join('*****');
    }
    return out;
  }

  recordDebug(line: string): void {
    line = this.redactSecrets(line);
    this.debugLog.push(line);
    if (this.debugLog.length > 2000) this.debugLog.splice(0, this.debugLog.length - 2000);
  }

  canReload(): boolean {
    return !!this.reloader;
  }

  reload(): void {
    this.reloader?.();
  }

  onMessage(fn: (line: string) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  /** Offers a file to the user (a download link in the UI). Keeps the last 20. */
  offerDownload(name: string, data: Uint8Array, mime: string): void {
    this.downloads.push({ name, data, mime, at: this.clock().getTime() });
    if (this.downloads.length > 20) this.downloads.shift();
    for (const l of this.downloadListeners) l({ name, data, mime });
  }

  onDownload(fn: (d: { name: string; data: Uint8Array; mime: string }) => void): () => void {
    this.downloadListeners.add(fn);
    return () => this.downloadListeners.delete(fn);
  }

  /** Broadcasts an asynchronous console message (IOS syslog style). */
  notify(line: string): void {
    for (const l of this.listeners) l(line);
  }
}
