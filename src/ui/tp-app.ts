/**
 * The application shell: a header with status, the navigation, the views (loaded on first
 * use, so the console is usable before they arrive), the "Commands" panel (the IOS commands
 * each GUI action stands for) and app-wide file drop. In kiosk mode (`?kiosk=NAME`) it shows
 * only the kiosk page: no navigation, no console.
 *
 * A dropped or opened file never runs console commands: it is shown in the certificate viewer
 * (which offers to import it), or — when the console waits for pasted data — it may answer
 * that question, line by line, and only while the question is still a paste prompt.
 *
 * @fires tp-update-accepted - the user asked to reload into the new version
 */
import { LitElement, css, html, nothing } from 'lit';
import type { CliSession } from '../cli/session.ts';
import { onCommands, recentCommands, type CommandRecord } from '../app/commands-feed.ts';
import type { TrustpointApp } from '../app/services.ts';
import { palette, shared } from './theme.ts';
import { GuiInteraction } from './gui-interaction.ts';
import './tp-console.ts';

type View = 'console' | 'trustpoints' | 'certificates' | 'desk' | 'keys' | 'tokens' | 'inspector' | 'storage';

const VIEWS: { id: View; label: string; load?: () => Promise<unknown> }[] = [
  { id: 'console', label: 'Console' },
  { id: 'trustpoints', label: 'Trustpoints', load: () => import('./tp-trustpoints.ts') },
  { id: 'certificates', label: 'Certificates', load: () => import('./tp-certificates.ts') },
  { id: 'desk', label: 'Provisioning desk', load: () => import('./tp-desk.ts') },
  { id: 'keys', label: 'Keys', load: () => import('./tp-keys.ts') },
  { id: 'tokens', label: 'Tokens', load: () => import('./tp-tokens.ts') },
  { id: 'inspector', label: 'Inspector', load: () => import('./tp-inspector.ts') },
  { id: 'storage', label: 'Storage', load: () => import('./tp-storage.ts') },
];

export class TpApp extends LitElement {
  static override properties = {
    app: { attribute: false },
    session: { attribute: false },
    kiosk: { attribute: false },
    view: { state: true },
    revision: { state: true },
    updateReady: { state: true },
    online: { state: true },
    commands: { state: true },
    loaded: { state: true },
  };

  declare app: TrustpointApp | undefined;
  declare session: CliSession | undefined;
  /** the trustpoint of kiosk mode, or undefined */
  declare kiosk: string | undefined;
  declare view: View;
  declare revision: number;
  declare updateReady: boolean;
  declare online: boolean;
  declare commands: CommandRecord | undefined;
  declare loaded: Set<View>;
  private offOutput: (() => void) | undefined;
  private offCommands: (() => void) | undefined;

  constructor() {
    super();
    this.view = 'console';
    this.revision = 0;
    this.updateReady = false;
    this.loaded = new Set(['console']);
    this.online = typeof navigator === 'undefined' ? true : navigator.onLine;
  }

  static override styles = [
    palette,
    shared,
    css`
      :host {
        display: grid;
        grid-template-rows: auto auto 1fr auto;
        height: 100dvh;
        background: var(--tp-bg);
      }
      header {
        display: flex;
        align-items: center;
        gap: 10px 14px;
        padding: 6px 12px;
        background: var(--tp-header);
        color: var(--tp-header-fg);
        flex-wrap: wrap;
      }
      header h1 {
        font-size: 18px;
        margin: 0;
        letter-spacing: 0.02em;
      }
      nav {
        display: flex;
        gap: 4px;
        flex-wrap: wrap;
      }
      nav button {
        background: transparent;
        border-color: transparent;
        color: #e2e8f0;
        padding: 0 12px;
      }
      nav button[aria-current='page'] {
        background: #1e4b7a;
        color: #fff;
      }
      .chips {
        margin-left: auto;
        display: flex;
        gap: 8px;
        font-size: 13px;
        flex-wrap: wrap;
      }
      .chip {
        padding: 3px 8px;
        border-radius: 999px;
        background: #1e3a5f;
        color: #f1f5f9;
      }
      .chip.warn {
        background: #7c2d12;
      }
      main {
        min-height: 0;
        padding: 12px;
        overflow: auto;
      }
      main.console {
        overflow: hidden;
        display: flex;
      }
      main.kiosk {
        padding: 0;
        grid-row: 1 / -1;
      }
      tp-console {
        flex: 1;
      }
      .update {
        display: flex;
        gap: 10px;
        align-items: center;
        background: #fef3c7;
        color: #78350f;
        padding: 6px 14px;
      }
      .update button {
        color: #78350f;
        background: #fff;
      }
      .commands {
        border-top: 1px solid var(--tp-border);
        background: var(--tp-card);
        max-height: 32vh;
        overflow: auto;
        padding: 0 12px;
      }
      .commands summary {
        min-height: 44px;
        display: flex;
        align-items: center;
        cursor: pointer;
        font-weight: 600;
      }
      .commands pre {
        margin-bottom: 10px;
      }
      @media (max-width: 600px) {
        header h1 {
          display: none;
        }
        nav button {
          padding: 0 8px;
          font-size: 14px;
        }
      }
    `,
  ];

  override connectedCallback(): void {
    super.connectedCallback();
    addEventListener('online', this.onNet);
    addEventListener('offline', this.onNet);
    addEventListener('dragover', this.onDragOver);
    addEventListener('drop', this.onDrop);
    this.addEventListener('tp-changed', this.onChanged);
    this.addEventListener('tp-open-certificates', this.onOpenCerts as EventListener);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    removeEventListener('online', this.onNet);
    removeEventListener('offline', this.onNet);
    removeEventListener('dragover', this.onDragOver);
    removeEventListener('drop', this.onDrop);
    this.offOutput?.();
    this.offCommands?.();
  }

  private onNet = () => {
    this.online = navigator.onLine;
  };

  private onChanged = () => {
    this.revision++;
  };

  private onOpenCerts = (e: CustomEvent<{ name: string; data: Uint8Array }>) => {
    void this.openInViewer(e.detail.name, e.detail.data);
  };

  private onDragOver = (e: DragEvent) => {
    if (e.dataTransfer?.types.includes('Files')) e.preventDefault();
  };

  private onDrop = (e: DragEvent) => {
    const f = e.dataTransfer?.files?.[0];
    if (!f) return;
    e.preventDefault();
    e.stopPropagation();
    if (this.kiosk) return;
    void f.arrayBuffer().then((b) => this.openFile(f.name, new Uint8Array(b)));
  };

  /**
   * A file dropped anywhere or opened with the installed app: answers the console's waiting
   * paste question if the user says so, else it opens in the certificate viewer. Never typed.
   */
  async openFile(name: string, data: Uint8Array): Promise<void> {
    const s = this.session;
    const q = s?.question();
    if (s && q && q.kind === 'text' && q.text === '') {
      const io = new GuiInteraction();
      const answer = await io.confirm(`The console is waiting for pasted data. Answer it with ${name}?`).catch(() => false);
      if (answer) {
        await this.answerPaste(data);
        this.go('console');
        return;
      }
    }
    await this.openInViewer(name, data);
  }

  /** Feeds the file's lines to the console, only while it is asking for pasted lines. */
  private async answerPaste(data: Uint8Array): Promise<void> {
    const s = this.session!;
    const text = new TextDecoder('utf-8', { fatal: false }).decode(data);
    const isText = /-----BEGIN /.test(text) || (/^[A-Za-z0-9+/=\s]+$/.test(text) && !text.includes('\u0000'));
    let body = text;
    if (!isText) {
      let bin = '';
      for (const b of data) bin += String.fromCharCode(b);
      body = btoa(bin).replace(/.{1,64}/g, '$&\n');
    }
    const lines = [...body.replace(/\r\n?/g, '\n').replace(/\s+$/, '').split('\n'), ''];
    for (const l of lines) {
      await s.idle();
      const q = s.question();
      if (!q || q.kind !== 'text' || q.text !== '') break;
      s.submit(l);
      await new Promise((r) => setTimeout(r, 0));
    }
  }

  private async openInViewer(name: string, data: Uint8Array): Promise<void> {
    this.go('certificates');
    await import('./tp-certificates.ts');
    await this.updateComplete;
    const v = this.renderRoot.querySelector('tp-certificates');
    await v?.open(name, data);
  }

  override willUpdate(changed: Map<string, unknown>): void {
    if (changed.has('session') && this.session) {
      this.offOutput?.();
      // The views mirror the running-config: refresh them whenever the console prints.
      this.offOutput = this.session.onOutput(() => {
        this.revision++;
      });
    }
    if (changed.has('app') && this.app) {
      this.offCommands?.();
      this.commands = recentCommands(this.app).at(-1);
      this.offCommands = onCommands(this.app, (c) => {
        this.commands = c;
        this.revision++;
      });
    }
    if (changed.has('kiosk') && this.kiosk) void import('./tp-kiosk.ts');
  }

  /** Called by main.ts when a new service worker is waiting. */
  showUpdate(): void {
    this.updateReady = true;
  }

  go(v: View): void {
    this.view = v;
    const spec = VIEWS.find((x) => x.id === v);
    if (spec?.load && !this.loaded.has(v)) {
      void spec.load().then(() => {
        this.loaded = new Set([...this.loaded, v]);
      });
    }
    if (v === 'console') void this.updateComplete.then(() => this.renderRoot.querySelector('tp-console')?.focus());
  }

  private renderView() {
    const app = this.app;
    const r = this.revision;
    switch (this.view) {
      case 'console':
        return html`<tp-console .session=${this.session}></tp-console>`;
      case 'trustpoints':
        return html`<tp-trustpoints .app=${app} .revision=${r}></tp-trustpoints>`;
      case 'certificates':
        return html`<tp-certificates .app=${app} .revision=${r}></tp-certificates>`;
      case 'desk':
        return html`<tp-desk .app=${app} .revision=${r}></tp-desk>`;
      case 'keys':
        return html`<tp-keys .app=${app} .revision=${r}></tp-keys>`;
      case 'tokens':
        return html`<tp-tokens .app=${app} .revision=${r}></tp-tokens>`;
      case 'inspector':
        return html`<tp-inspector .app=${app} .revision=${r}></tp-inspector>`;
      default:
        return html`<tp-storage .app=${app} .revision=${r}></tp-storage>`;
    }
  }

  override render() {
    const app = this.app;
    if (this.kiosk !== undefined) {
      return html`<main class="kiosk"><tp-kiosk .app=${app} .trustpoint=${this.kiosk}></tp-kiosk></main>`;
    }
    const host = app?.running.hostname ?? '';
    const nvram = !app ? '' : !app.nvram.persistent ? 'NVRAM: memory only' : app.persistState === 'granted' ? 'NVRAM: persistent' : 'NVRAM: best effort';
    // The auto-enroller's in-app warnings: certificates near expiry that could not be renewed (issue 13).
    const warnings = [...(app?.auto?.warnings.values() ?? [])];
    const canAsk = typeof Notification !== 'undefined' && Notification.permission === 'default';
    return html`
      <div>
        ${this.updateReady
          ? html`<div class="update" role="status">
              A new version of Trustpoint is available.
              <button @click=${() => this.dispatchEvent(new CustomEvent('tp-update-accepted', { bubbles: true, composed: true }))}>Reload</button>
            </div>`
          : nothing}
        ${warnings.length
          ? html`<div class="update expiry" role="alert" aria-label="Certificates expiring">
              <span>${warnings.map((w, i) => html`${i ? html`<br />` : nothing}${w}`)}</span>
              ${canAsk ? html`<button @click=${() => void Notification.requestPermission().then(() => this.revision++)}>Notify me</button>` : nothing}
            </div>`
          : nothing}
      </div>
      <header>
        <h1>Trustpoint</h1>
        <nav aria-label="Views">
          ${VIEWS.map((v) => html`<button aria-current=${this.view === v.id ? 'page' : 'false'} @click=${() => this.go(v.id)}>${v.label}</button>`)}
        </nav>
        <div class="chips">
          <span class="chip" title="Hostname">${host}</span>
          <span class="chip ${app && !app.nvram.persistent ? 'warn' : ''}">${nvram}</span>
          <span class="chip ${this.online ? '' : 'warn'}">${this.online ? 'online' : 'offline'}</span>
        </div>
      </header>
      <main class=${this.view}>${this.renderView()}</main>
      ${this.commands && this.view !== 'console'
        ? html`<aside class="commands" aria-label="Equivalent console commands">
            <details open>
              <summary>Commands</summary>
              <p class="muted tight">${this.commands.title} — the same in the console (also in its history):</p>
              <pre class="code" aria-label="Commands" data-commands tabindex="0">${this.commands.lines.join('\n')}</pre>
            </details>
          </aside>`
        : nothing}
    `;
  }
}

customElements.define('tp-app', TpApp);

declare global {
  interface HTMLElementTagNameMap {
    'tp-app': TpApp;
  }
}
