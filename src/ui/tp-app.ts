/**
 * The application shell: a header with status, a navigation between views, and the views.
 * Views: Console (the IOS console), Trustpoints, Storage. Later issues add Certificates,
 * Keys, Tokens and Kiosk.
 *
 * @fires tp-update-accepted - the user asked to reload into the new version
 */
import { LitElement, css, html, nothing } from 'lit';
import type { TrustpointApp } from '../app/app.ts';
import type { CliSession } from '../cli/session.ts';
import './tp-console.ts';
import './tp-trustpoints.ts';
import './tp-storage.ts';
import './tp-certificates.ts';
import './tp-keys.ts';
import './tp-tokens.ts';
import './tp-inspector.ts';

type View = 'console' | 'trustpoints' | 'certificates' | 'keys' | 'tokens' | 'inspector' | 'storage';

export class TpApp extends LitElement {
  static override properties = {
    app: { attribute: false },
    session: { attribute: false },
    view: { state: true },
    revision: { state: true },
    updateReady: { state: true },
    online: { state: true },
  };

  declare app: TrustpointApp | undefined;
  declare session: CliSession | undefined;
  declare view: View;
  declare revision: number;
  declare updateReady: boolean;
  declare online: boolean;
  private offOutput: (() => void) | undefined;

  constructor() {
    super();
    this.view = 'console';
    this.revision = 0;
    this.updateReady = false;
    this.online = typeof navigator === 'undefined' ? true : navigator.onLine;
  }

  static override styles = css`
    :host {
      display: grid;
      grid-template-rows: auto 1fr;
      height: 100dvh;
      font: 15px system-ui, -apple-system, 'Segoe UI', sans-serif;
      color: #0f172a;
      background: #f1f5f9;
    }
    header {
      display: flex;
      align-items: center;
      gap: 14px;
      padding: 8px 14px;
      background: #0f2a4a;
      color: #f8fafc;
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
    }
    nav button {
      font: inherit;
      min-height: 40px;
      padding: 0 14px;
      border-radius: 8px;
      border: 0;
      background: transparent;
      color: #cbd5e1;
      cursor: pointer;
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
    }
    .chip {
      padding: 3px 8px;
      border-radius: 999px;
      background: #1e3a5f;
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
      grid-column: 1;
    }
    .update button {
      font: inherit;
      min-height: 36px;
    }
  `;

  override connectedCallback(): void {
    super.connectedCallback();
    this.addEventListener('tp-run-lines', this.onRunLines);
    addEventListener('online', this.onNet);
    addEventListener('offline', this.onNet);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    removeEventListener('online', this.onNet);
    removeEventListener('offline', this.onNet);
    this.offOutput?.();
  }

  /**
   * Console lines a view asks to run (a button is a shortcut for typing them): they run in the
   * console, from privileged exec, and the console is shown so the user sees what happened.
   */
  private onRunLines = (e: Event) => {
    const s = this.session;
    const lines = (e as CustomEvent<string[]>).detail;
    if (!s || !Array.isArray(lines)) return;
    // The inspector's own switches keep it in view; anything else shows the console.
    if (this.view !== 'inspector') this.go('console');
    // A question waiting for its answer must not be answered by these lines.
    if (s.question()) return;
    if (s.mode !== 'user' && s.mode !== 'exec') s.ctrlZ();
    s.paste([...(s.mode === 'user' && lines[0] !== 'enable' ? ['enable'] : []), ...lines].join('\n'));
  };

  private onNet = () => {
    this.online = navigator.onLine;
  };

  override willUpdate(changed: Map<string, unknown>): void {
    if (changed.has('session') && this.session) {
      this.offOutput?.();
      // The views mirror the running-config: refresh them whenever the console prints.
      this.offOutput = this.session.onOutput(() => {
        this.revision++;
      });
    }
  }

  /** Called by main.ts when a new service worker is waiting. */
  showUpdate(): void {
    this.updateReady = true;
  }

  private go(v: View) {
    this.view = v;
    if (v === 'console') void this.updateComplete.then(() => this.renderRoot.querySelector('tp-console')?.focus());
  }

  override render() {
    const app = this.app;
    const host = app?.running.hostname ?? '';
    const nvram = !app ? '' : !app.nvram.persistent ? 'NVRAM: memory only' : app.persistState === 'granted' ? 'NVRAM: persistent' : 'NVRAM: best effort';
    return html`
      ${this.updateReady
        ? html`<div class="update" role="status">
            A new version of Trustpoint is available.
            <button @click=${() => this.dispatchEvent(new CustomEvent('tp-update-accepted', { bubbles: true, composed: true }))}>Reload</button>
          </div>`
        : nothing}
      <header>
        <h1>Trustpoint</h1>
        <nav aria-label="Views">
          ${(['console', 'trustpoints', 'certificates', 'keys', 'tokens', 'inspector', 'storage'] as View[]).map(
            (v) => html`<button aria-current=${this.view === v ? 'page' : 'false'} @click=${() => this.go(v)}>${v[0]!.toUpperCase() + v.slice(1)}</button>`,
          )}
        </nav>
        <div class="chips">
          <span class="chip" title="Hostname">${host}</span>
          <span class="chip ${app && !app.nvram.persistent ? 'warn' : ''}">${nvram}</span>
          <span class="chip ${this.online ? '' : 'warn'}">${this.online ? 'online' : 'offline'}</span>
        </div>
      </header>
      <main class=${this.view}>
        ${this.view === 'console'
          ? html`<tp-console .session=${this.session}></tp-console>`
          : this.view === 'trustpoints'
            ? html`<tp-trustpoints .app=${app} .revision=${this.revision}></tp-trustpoints>`
            : this.view === 'certificates'
              ? html`<tp-certificates .app=${app} .revision=${this.revision}></tp-certificates>`
              : this.view === 'keys'
                ? html`<tp-keys .app=${app} .revision=${this.revision}></tp-keys>`
                : this.view === 'tokens'
                  ? html`<tp-tokens .app=${app} .revision=${this.revision}></tp-tokens>`
                  : this.view === 'inspector'
                  ? html`<tp-inspector .app=${app} .revision=${this.revision}></tp-inspector>`
                  : html`<tp-storage .app=${app} .revision=${this.revision}></tp-storage>`}
      </main>
    `;
  }
}

customElements.define('tp-app', TpApp);

declare global {
  interface HTMLElementTagNameMap {
    'tp-app': TpApp;
  }
}
